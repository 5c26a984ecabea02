"""Inputs a QA sweep turned up that ran on silently (exit 0 with an empty result, rows left
out unsaid) or failed with the wrong error: each now says what happened."""

from __future__ import annotations

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
