"""Which modules a cxkit command imports, run in a fresh interpreter.

Start-up cost is part of the contract: ``--help`` and option errors must not import the
heavy libraries, and ``cxkit gap`` runs without pandas or scipy. Those tests share this
helper.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

HEAVY = ("pandas", "scipy", "statsmodels", "pyarrow")


def loaded_by(
    args: list[str],
    modules: tuple[str, ...] = HEAVY,
    *,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    must_succeed: bool = False,
) -> list[str]:
    """The ``modules`` imported by ``cxkit ARGS`` (exit status ignored unless
    ``must_succeed``)."""
    code = (
        "import sys\n"
        "from cxkit.cli import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit as exc:\n"
        f"    assert not ({must_succeed!r} and exc.code), exc.code\n"
        f"loaded = [m for m in {modules!r} if m in sys.modules]\n"
        "sys.stderr.write('LOADED=' + ','.join(loaded))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
    )
    assert "LOADED=" in proc.stderr, proc.stderr
    found = proc.stderr.rsplit("LOADED=", 1)[1].strip()
    return found.split(",") if found else []
