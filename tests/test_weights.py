"""A weight column is checked cell by cell: every weight a finite number >= 0, and the first
one that is not named by its data row, whatever its chunk."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from cxkit.arrow_values import checked_weights
from cxkit.errors import InputError


def _column(values, chunk=4):
    """Weights as a float64 column of chunks of ``chunk`` cells (None = null)."""
    parts = [values[i : i + chunk] for i in range(0, len(values), chunk)] or [[]]
    return pa.chunked_array([pa.array(p, pa.float64()) for p in parts], pa.float64())


def _first_bad(values) -> int | None:
    """The 0-based position of the first weight that is not a finite number >= 0: written
    out in Python, cell by cell."""
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v) or v < 0:
            return i
    return None


OK = [1.0, 0.5, 0.0, -0.0, 2.25, 1e-300, 3.0, 1e300, 0.75]
BAD = [float("nan"), None, -1.0, float("inf"), -float("inf"), -1e-300]


@pytest.mark.parametrize("bad", BAD, ids=repr)
@pytest.mark.parametrize("at", [0, 3, 4, 7])
def test_the_first_bad_weight_is_named_by_its_data_row(bad, at):
    values = list(OK)
    values[at] = bad
    values[-1] = -5.0  # a later bad weight is not the one named
    row = _first_bad(values)
    assert row == at
    with pytest.raises(InputError) as err:
        checked_weights(_column(values), "w", "f.parquet")
    what = "missing" if bad is None or bad != bad else f"{bad!r} is not allowed"
    assert f"f.parquet: weight column 'w', data row {row + 1}: {what};" in str(err.value)


@pytest.mark.parametrize("values", [OK, [], [0.0], [-0.0, 7.0]], ids=["ok", "empty", "zero", "-0"])
def test_finite_weights_at_or_above_zero_pass_unchanged(values):
    out = checked_weights(_column(values), "w", "f.parquet")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.array(values, dtype=float))


@pytest.mark.parametrize("bad", BAD, ids=repr)
@pytest.mark.parametrize("before", [0, 1, 5])
def test_a_lone_bad_weight_is_found(bad, before):
    """The only bad weight in the column, after ``before`` good ones (none: a column of one)."""
    values = [*OK[:before], bad]
    with pytest.raises(InputError, match=f"data row {before + 1}: "):
        checked_weights(_column(values), "w", "f.parquet")
