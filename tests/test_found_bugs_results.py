"""Results a QA sweep (2026-12) found wrong or unclear: warnings leaking to the user, "nan"
in headlines, notes giving the wrong reason, options whose message misstates the rule."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cxkit.cli import app

from .conftest import EXAMPLES

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
