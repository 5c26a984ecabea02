"""The large-input paths give the same answers as the plain ones they replace."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cxkit.answers import distinct
from cxkit.cli import app


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.integers(-20, 20).map(float), st.floats(-1e6, 1e6, allow_nan=False)),
        max_size=60,
    )
)
def test_distinct_is_numpy_unique(xs):
    """The whole-number shortcut of the histograms equals ``np.unique(..., return_inverse)``."""
    x = np.array(xs, dtype=float)
    values, inverse = distinct(x)
    expected_values, expected_inverse = np.unique(x, return_inverse=True)
    assert values.dtype == expected_values.dtype
    np.testing.assert_array_equal(values, expected_values)
    np.testing.assert_array_equal(inverse, expected_inverse)


def test_blank_roles_are_excluded_and_counted(tmp_path):
    """A blank role is "no value" (counted in the notes), not an unknown role named 'nan'."""
    path = tmp_path / "s.csv"
    path.write_text("role,q1\nexecutive,4\ncustomer,2\n,3\ncustomer,5\nExecutive ,1\n")
    result = CliRunner().invoke(app, ["gap", str(path), "-f", "csv", "--no-config"])
    assert result.exit_code == 0, result.output
    assert "excluded 1 responses with no value in 'role'" in result.stderr
    row = result.stdout.splitlines()[1].split(",")
    assert row[4:6] == ["2", "2"]  # n_self, n_customer
