"""Error messages a QA sweep turned up that named the wrong cell, the wrong option or took
the wrong form: each now names what the user typed, as one line with the documented code."""

from __future__ import annotations

from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_INPUT

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()
SURVEY = EXAMPLES / "centricity_survey.csv"


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_nps_labels_with_an_unknown_label_name_that_label_and_its_row(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("id,nps\n1,Promoter\n2,passive\n3,Detractor\n4,Promoter\n5,Maybe\n6,Passive\n")
    message = one_line_error(_run("nps", path, "--no-config"), EXIT_INPUT)
    assert "data row 5: 'Maybe' is neither a number nor a known answer label" in message, message
    assert "'promoter'" in message


def test_nps_differences_of_every_pair_come_from_one_vectorised_call():
    import numpy as np

    from cxkit.nps import nps_difference

    a = {"promoters": np.array([0.5, 0.2, 1.0]), "detractors": np.array([0.2, 0.6, 0.0])}
    b = {"promoters": np.array([0.3, 0.2, 1.0]), "detractors": np.array([0.3, 0.1, 0.0])}
    a["neff"], b["neff"] = np.array([100.0, 12.5, 3.0]), np.array([80.0, 0.0, 4.0])
    together = nps_difference(a, b)
    for i in range(3):
        one = nps_difference({k: v[i] for k, v in a.items()}, {k: v[i] for k, v in b.items()})
        np.testing.assert_array_equal([v[i] for v in together], one)
    diff, se, *_, p = together
    assert diff[0] == 30.0 and round(float(se[0]), 6) == 11.661904
    assert np.isnan(se[1]) and np.isnan(p[1])  # a group with no base: no interval, no test
    assert se[2] == 0 and np.isnan(p[2])  # all promoters on both sides: nothing to test
