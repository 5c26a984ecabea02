"""Results a QA sweep (2026-12) found wrong or unclear: warnings leaking to the user, "nan"
in headlines, notes giving the wrong reason, options whose message misstates the rule."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_USAGE

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()
SURVEY = EXAMPLES / "centricity_survey.csv"
ROI = EXAMPLES / "roi"


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_check_headline_counts_the_failures_it_does_not_name():
    expressions = [f"gap.overall.agree_self >= {x}" for x in (0.97, 0.98, 0.99, 0.995, 0.999)]
    argv = ["check", SURVEY, "--no-config"]
    for e in expressions:
        argv += ["--fail-if", e]
    res = _run(*argv, "-f", "json")
    assert res.exit_code == 1, res.output
    headline = json.loads(res.stdout)["summary"]["headline"]
    assert headline.startswith("5 of 5 checks failed"), headline
    assert headline.endswith(" and 1 more"), headline


@pytest.mark.parametrize("command", ["gap", "metric", "drivers"])
@pytest.mark.parametrize(
    ("options", "rule"),
    [
        (["--agree", "1"], "(1, 5]: above the scale's minimum 1"),
        (["--agree", "0", "--scale", "0-10"], "(0, 10]: above the scale's minimum 0"),
        (["--agree", "6"], "(1, 5]"),
    ],
)
def test_agree_at_the_scale_minimum_states_the_real_rule(command, options, rule):
    message = one_line_error(_run(command, SURVEY, "--no-config", *options), EXIT_USAGE)
    assert f"--agree {options[1]} must lie in {rule}" in message, message
    assert "outside the scale" not in message


ROI_ARGS = ["--entity", "account_id", "--time", "quarter", "--no-config"]


@pytest.mark.parametrize(
    ("option", "extra"),
    [
        ("--control", ["--cx", "nps", "--outcome", "revenue_growth"]),
        ("--cx", ["--outcome", "revenue_growth"]),
        ("--outcome", ["--cx", "nps"]),
    ],
)
def test_a_repeated_roi_column_option_says_it_is_given_twice(option, extra):
    column = {"--control": "segment", "--cx": "nps", "--outcome": "revenue_growth"}[option]
    res = _run("roi", ROI / "accounts.csv", *ROI_ARGS, *extra, option, column, option, column)
    message = one_line_error(res, EXIT_USAGE)
    assert message == f"{option} {column!r} is given twice: name each column once"
