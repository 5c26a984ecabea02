"""``cxkit check`` bugs a QA sweep turned up: CI output that did not parse, typos in a check's
keys that read as a passed or failed gate, drops given in the wrong order or twice, and a
change check's error quoting text the user never wrote."""

from __future__ import annotations

from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_INPUT, EXIT_USAGE

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()
DROPS = EXAMPLES / "drops"
Q2, Q3 = DROPS / "2026Q2.csv", DROPS / "2026Q3.csv"
HEAD = "[columns]\nid = 'respondent_id'\nrole = 'role'\nwave = 'wave'\n"


def _check(*args):
    return runner.invoke(app, ["check", *map(str, args)])


def _config(tmp_path, text: str):
    cfg = tmp_path / "c.toml"
    cfg.write_text(HEAD + text, encoding="utf-8")
    return cfg


def test_a_change_check_with_a_comparison_says_it_takes_a_path(tmp_path):
    cfg = _config(tmp_path, "[[check]]\nchange = 'gap.overall.agree_customer >= 3'\n")
    message = one_line_error(_check(Q2, Q3, "--config", cfg), EXIT_INPUT)
    assert "check[1].change: takes a metric PATH only" in message
    assert "change = 'gap.overall.agree_customer'" in message
    assert "expr = 'gap.overall.agree_customer >= 3'" in message
    assert "!=" not in message


def test_a_malformed_change_path_quotes_only_what_was_written(tmp_path):
    cfg = _config(tmp_path, "[[check]]\nchange = 'gap.overall.agree_customer >'\n")
    message = one_line_error(_check(Q2, Q3, "--config", cfg), EXIT_USAGE)
    assert "'gap.overall.agree_customer >'" in message and "!=" not in message
    assert "a PATH only" in message
