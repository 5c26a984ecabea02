"""Contract every registered command keeps (csvkit/sqlite-utils style mixin tests)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cxkit.cli import COMMANDS, app

runner = CliRunner()
NAMES = [name for name, _ in COMMANDS]


@pytest.mark.parametrize("name", NAMES)
def test_has_help_with_the_shared_output_options(name):
    res = runner.invoke(app, [name, "--help"])
    assert res.exit_code == 0
    for opt in ("--format", "--output", "--config"):
        assert opt in res.stdout, opt


@pytest.mark.parametrize("name", NAMES)
def test_missing_file_is_exit_3_with_one_line(name, tmp_path):
    res = runner.invoke(app, [name, str(tmp_path / "absent.csv")])
    assert res.exit_code == 3, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "absent.csv: file not found" in lines[0]


@pytest.mark.parametrize("name", NAMES)
def test_empty_file_is_exit_3_and_writes_nothing(name, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    out = tmp_path / "out.json"
    res = runner.invoke(app, [name, str(empty), "-o", str(out)])
    assert res.exit_code == 3, res.output
    assert "is empty" in res.stderr
    assert not out.exists()
