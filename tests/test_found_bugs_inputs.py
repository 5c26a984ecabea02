"""Inputs a QA sweep turned up that ran on silently (exit 0 with an empty result, rows left
out unsaid) or failed with the wrong error: each now says what happened."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_USAGE

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()
SURVEY = EXAMPLES / "centricity_survey.csv"


def _run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


@pytest.mark.parametrize("metric", ["item:", "item: "])
def test_trend_metric_item_without_a_name_is_a_usage_error(metric):
    message = one_line_error(_run("trend", SURVEY, "--metric", metric), EXIT_USAGE)
    assert "names no item" in message and "item:NAME" in message, message


def test_trend_metric_item_unknown_lists_the_items():
    res = _run("trend", SURVEY, "--metric", "item:nonexistent", "--no-config")
    message = one_line_error(res, EXIT_USAGE)
    assert "'nonexistent' is not an item of wave 2026Q2" in message, message
    assert "items: sa_1, sa_2" in message, message


def test_gap_both_sides_from_stdin_is_a_usage_error():
    res = _run(
        "gap",
        "--self-file",
        "-",
        "--customer-file",
        "-",
        input=(EXAMPLES / "self_ratings.csv").read_text(),
    )
    message = one_line_error(res, EXIT_USAGE)
    assert "--self-file and --customer-file both read stdin" in message, message
    assert "only one input can be read from stdin" in message, message


def test_gap_same_file_for_both_sides_warns(tmp_path):
    ratings = tmp_path / "ratings.csv"
    ratings.write_bytes((EXAMPLES / "self_ratings.csv").read_bytes())
    res = _run(
        "gap", "--self-file", ratings, "--customer-file", "./ratings.csv", "--no-config", "-f",
        "json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    warnings = [ln for ln in res.stderr.splitlines() if ln.startswith("cxkit: warning: ")]
    assert len(warnings) == 1, res.stderr
    assert "--self-file and --customer-file name the same file" in warnings[0], warnings
    assert json.loads(res.stdout)["table"]  # a warning, not an error: the result is printed
    quiet = _run(
        "-q", "gap", "--self-file", ratings, "--customer-file", ratings, "--no-config", "-f",
        "json",
    )  # fmt: skip
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr, quiet.stderr
