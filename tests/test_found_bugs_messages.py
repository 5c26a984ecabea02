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
