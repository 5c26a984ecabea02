"""The entry point holds Python's cyclic collector off while modules load, and sets
pyarrow's allocator to commit memory as used before pyarrow loads (``cxkit.startup``).

What matters is that the collector is back on, with the start-up's objects frozen, by the
time a command works on its input, whichever way it reads it; and that importing cxkit as
a library leaves the collector alone.
"""

from __future__ import annotations

import gc
import os
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


def _eager_commit_when_pyarrow_loads(env_value: str | None) -> str:
    """Run the console entry point on the example and report the allocator setting the
    process environment holds at the moment pyarrow is first imported."""
    code = (
        "import os, sys\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pyarrow':\n"
        f"            v = os.environ.get({startup.EAGER_COMMIT!r})\n"
        "            sys.stderr.write(f'AT_PYARROW={v}\\n')\n"
        "            sys.meta_path.remove(self)\n"
        "sys.meta_path.insert(0, Watch())\n"
        f"sys.argv = ['cxkit', 'gap', {str(EXAMPLE)!r}, '-f', 'json']\n"
        "from cxkit.__main__ import run\n"
        "run()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != startup.EAGER_COMMIT}
    if env_value is not None:
        env[startup.EAGER_COMMIT] = env_value
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
        env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stderr.split("AT_PYARROW=", 1)[1].split("\n", 1)[0]


def test_the_allocator_commits_as_used_from_before_pyarrow_loads() -> None:
    assert _eager_commit_when_pyarrow_loads(None) == "0"


def test_a_users_own_allocator_setting_wins() -> None:
    assert _eager_commit_when_pyarrow_loads("1") == "1"


def test_commit_on_use_keeps_a_set_value(monkeypatch) -> None:
    monkeypatch.delenv(startup.EAGER_COMMIT, raising=False)
    startup.commit_on_use()
    assert os.environ[startup.EAGER_COMMIT] == "0"
    monkeypatch.setenv(startup.EAGER_COMMIT, "2")
    startup.commit_on_use()
    assert os.environ[startup.EAGER_COMMIT] == "2"
