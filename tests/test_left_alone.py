"""Problems an earlier session noticed and left alone: an infinite interval bound shown as
missing in the terminal table, raw control characters from the data printed into the
terminal, a check name that is a number, an ``items`` pattern naming a column that is not an
item, and several "Other" write-ins that dropped their respondent from ``cxkit obstacles``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cxkit.cli import app

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- 1. an infinite interval bound reads as the headline writes it -----------------------

#: one agreeing customer with a weight near 0: the Katz limit exp(log r + z SE) overflows
TINY_AGREE = (
    "id,role,w,q1\n1,executive,1,5\n2,executive,1,5\n3,executive,1,2\n"
    "4,customer,1,2\n5,customer,1,2\n6,customer,1e-300,5\n"
)


def test_an_infinite_ratio_bound_shows_as_infinity_in_the_table_as_in_the_headline(tmp_path):
    path = _csv(tmp_path, "w.csv", TINY_AGREE)
    doc = json.loads(_run("gap", path, "--no-config", "--weight", "w", "-f", "json").stdout)
    assert "(95% CI 0.0–∞)" in doc["summary"]["headline"]
    res = _run("gap", path, "--no-config", "--weight", "w")
    assert res.exit_code == 0, res.output
    rows = [line for line in res.stdout.splitlines() if line.strip().startswith(("q1", "Overall"))]
    assert len(rows) == 2 and all("1.3e+300× (0.00–∞)" in r for r in rows), res.stdout
    assert "(–)" not in res.stdout.split("Ratio")[1].split("Mean gap")[0]
    markdown = _run("gap", path, "--no-config", "--weight", "w", "-f", "markdown").stdout
    assert "| 1.3e+300× (0.00–∞) |" in markdown
    # files keep an infinite value as JSON and CSV write it: null, a blank cell
    assert doc["table"][0]["agree_ratio_ci_high"] is None
