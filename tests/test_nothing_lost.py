"""Nothing lost: outputs are whole or absent, interrupts are clean, data never becomes code."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from cxkit import output
from cxkit.cli import app

from .conftest import EXAMPLES, ROOT

runner = CliRunner()


def test_a_writer_failing_mid_write_leaves_the_previous_output(example_csv, tmp_path, monkeypatch):
    out = tmp_path / "gap.json"
    out.write_text("previous run\n")
    real_fdopen = os.fdopen

    class Failing:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "fdopen", lambda fd, mode: Failing(real_fdopen(fd, mode)))
    res = runner.invoke(app, ["gap", str(example_csv), "-o", str(out)])
    assert res.exit_code == 4
    assert "No space left on device" in res.stderr
    assert out.read_text() == "previous run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["gap.json"]


def test_unwritable_folder_is_exit_4(example_csv, tmp_path, monkeypatch):
    # chmod cannot stop root, so simulate the refusal the operating system would give
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    res = runner.invoke(app, ["gap", str(example_csv), "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 4
    assert res.stderr.strip() == (
        f"cxkit: error: --output {tmp_path / 'x.csv'}: cannot write in {tmp_path} "
        "(Permission denied)"
    )


def test_output_that_is_a_folder_is_exit_4(example_csv, tmp_path):
    target = tmp_path / "taken.json"
    target.mkdir()
    res = runner.invoke(app, ["gap", str(example_csv), "-o", str(target)])
    assert res.exit_code == 4
    assert "cannot be written" in res.stderr


def test_ctrl_c_inside_a_command_is_exit_130_without_traceback(example_csv, monkeypatch):
    import importlib

    gap_module = importlib.import_module("cxkit.gap")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(gap_module, "gap", interrupted)
    res = runner.invoke(app, ["gap", str(example_csv)])
    assert res.exit_code == 130
    assert res.stderr.strip() == "cxkit: error: interrupted"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_to_a_real_process_is_exit_130(tmp_path):
    # a process reading a never-ending stdin is interrupted while it works
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxkit", "gap", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdin.write(b"role,q1\n" + b"customer,3\n" * 1000)
    # more than a pipe holds: this write returns only once cxkit is reading stdin, so the
    # signal lands while it works however slowly the machine starts it
    proc.stdin.write(b"customer,3\n" * 40_000)
    proc.stdin.flush()
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err


def test_no_eval_exec_pickle_or_shell_in_the_package():
    pattern = re.compile(r"\b(eval|exec)\(|\bpickle\b|shell=True|__import__\(")
    for path in (ROOT / "src" / "cxkit").rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            assert not pattern.search(line), f"{path.name}:{n}: {line.strip()}"


def test_config_names_no_paths_to_read_or_write():
    # every config value is a column name, label, code, number or check expression: nothing
    # in cxkit.toml can point cxkit at another file. If a key ever takes a path, this list
    # must be reviewed. Reviewed: [report] (`cxkit report` only) names input files to READ
    # (finance, obstacles), relative to the config file; no config key names a file to write.
    from cxkit import study

    expected = {
        "columns",
        "roles",
        "scale",
        "answers",
        "pillars",
        "items",
        "check",
        "checks",
        "obstacles",
        "multi",
        "report",
    }
    assert expected == study._TOP_KEYS
    assert (EXAMPLES / "cxkit.toml").exists()


def test_a_file_too_large_for_memory_fails_clearly(example_csv, tmp_path, monkeypatch):
    from cxkit import read

    monkeypatch.setattr(read, "available_memory", lambda: 100_000)  # 100 kB "free"
    out = tmp_path / "gap.json"
    res = runner.invoke(app, ["gap", str(example_csv), "-o", str(out)])
    assert res.exit_code == 3
    assert "is too large to read here" in res.stderr and "Parquet drops" in res.stderr
    assert not out.exists()


def test_outputs_get_the_usual_file_mode(example_csv, tmp_path):
    import os
    import stat

    umask = os.umask(0o022)
    try:
        out = tmp_path / "gap.json"
        assert runner.invoke(app, ["gap", str(example_csv), "-o", str(out)]).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        out.chmod(0o640)  # a re-run keeps the mode the user gave the file
        assert runner.invoke(app, ["gap", str(example_csv), "-o", str(out)]).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    finally:
        os.umask(umask)


@pytest.mark.parametrize("finance", ["/etc/passwd", "../outside.csv", "sub/../../outside.csv"])
def test_config_paths_cannot_leave_the_config_folder(finance, tmp_path):
    from cxkit.errors import ConfigError
    from cxkit.report import parse_report_config

    with pytest.raises(ConfigError, match=r"report\.finance"):
        parse_report_config(
            {"finance": finance, "cx": ["nps"], "outcome": ["g"]}, str(tmp_path / "cxkit.toml")
        )
