"""The entry point holds Python's cyclic collector off while modules load (``cxkit.startup``).

What matters is that the collector is back on, with the start-up's objects frozen, by the
time a command works on its input, whichever way it reads it; and that importing cxkit as
a library leaves the collector alone.
"""

from __future__ import annotations

import gc
import subprocess
import sys

from cxkit import startup

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "centricity_survey.csv"


def _state_during(patch: str, args: list[str]) -> str:
    """Run the console entry point with ``args``; ``patch`` wraps the function named there
    so that it reports the collector's state when the analysis calls it."""
    module, name = patch.rsplit(".", 1)
    code = (
        "import gc, importlib, sys\n"
        f"mod = importlib.import_module({module!r})\n"
        f"orig = getattr(mod, {name!r})\n"
        "def spy(*a, **k):\n"
        "    sys.stderr.write(f'GC={gc.isenabled()},{gc.get_freeze_count() > 0}\\n')\n"
        "    return orig(*a, **k)\n"
        f"setattr(mod, {name!r}, spy)\n"
        f"sys.argv = ['cxkit', *{args!r}]\n"
        "from cxkit.__main__ import run\n"
        "run()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stderr.split("GC=", 1)[1].split("\n", 1)[0]


def test_collector_is_back_on_when_the_analysis_runs() -> None:
    assert _state_during("cxkit.gap._variables", ["gap", str(EXAMPLE), "-f", "json"]) == (
        "True,True"
    )


def test_collector_is_back_on_when_a_stream_runs(tmp_path) -> None:
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    pq.write_table(pv.read_csv(EXAMPLE), tmp_path / "drop.parquet")
    args = ["gap", "--stream", str(tmp_path / "drop.parquet"), "-f", "json"]
    assert _state_during("cxkit.stream._batches", args) == "True,True"


def test_the_import_phase_runs_without_the_collector() -> None:
    assert _state_during("cxkit.cli.main", ["--version"]) == "False,False"


def test_hold_and_release_round_trip() -> None:
    try:
        startup.hold_gc()
        assert not gc.isenabled()
        startup.release_gc()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        startup.release_gc()  # a second release changes nothing
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_collector_the_user_turned_off_stays_off() -> None:
    gc.disable()
    try:
        startup.hold_gc()
        startup.release_gc()
        assert not gc.isenabled()
    finally:
        gc.enable()
