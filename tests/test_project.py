"""Project-level checks: lint, examples reproducible, README commands, version once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLES, ROOT


def test_ruff_is_clean():
    ruff = Path(sys.executable).with_name("ruff")
    exe = str(ruff) if ruff.exists() else shutil.which("ruff")
    if exe is None:
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    proc = subprocess.run(
        [
            exe,
            "check",
            "--no-cache",
            str(ROOT / "src"),
            str(ROOT / "tests"),
            str(EXAMPLES),
            str(ROOT / "docs"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_example_generator_reproduces_the_bundled_files(tmp_path):
    script = tmp_path / "make_examples.py"
    shutil.copy(EXAMPLES / "make_examples.py", script)
    subprocess.run([sys.executable, str(script)], check=True, cwd=tmp_path)
    for name in ("centricity_survey.csv", "self_ratings.csv", "customer_ratings.csv", "cxkit.toml"):
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name
        assert (EXAMPLES / name).stat().st_size < 1_000_000


def test_readme_names_the_two_setup_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    demo = ".venv/bin/cxkit gap examples/centricity_survey.csv"
    test = ".venv/bin/python -m pytest -q"
    assert demo in readme and test in readme
    ci = (ROOT / ".ci" / "run").read_text()
    test_line = next(line for line in readme.splitlines() if test in line)
    assert test_line in ci


def test_version_is_defined_once():
    from cxkit import __version__
    from cxkit._version import __version__ as v

    assert __version__ == v
    assert "version" not in (ROOT / "pyproject.toml").read_text().split("[project]")[1].split(
        "\n[", 1
    )[0].replace('dynamic = ["version"]', "")


def test_cli_reference_is_current():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "make_cli_reference.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_command_signatures_are_not_strings():
    """Typer evaluates string annotations on every start (see cxkit/commands/__init__.py)."""
    from cxkit.cli import COMMANDS

    for name, fn in COMMANDS:
        assert not any(isinstance(a, str) for a in fn.__annotations__.values()), name


def test_every_command_is_in_the_readme():
    from cxkit.cli import COMMANDS

    readme = (ROOT / "README.md").read_text()
    for name, _ in COMMANDS:
        assert f"cxkit {name}" in readme, name


def test_the_readme_python_api_example_runs(monkeypatch):
    """The README's Python block is run as written (from the project folder), so it cannot
    drift from the API; its NPS line gives the command line's headline."""
    import re

    from typer.testing import CliRunner

    from cxkit.cli import app

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # the project's own text
    assert len(scope["result"].table) > 0 and len(scope["panel"].frame) > 0
    cli = CliRunner().invoke(app, ["nps", str(EXAMPLES / "centricity_survey.csv"), "-f", "json"])
    headline = scope["cxkit"].nps(scope["ltr"], "nps").headline
    assert headline == __import__("json").loads(cli.stdout)["summary"]["headline"]
