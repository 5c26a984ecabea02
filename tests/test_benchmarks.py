"""Every benchmark variant computes the same numbers (n, mean, top-2 share per item and group).

The benchmark (``benchmarks/run.py``) times ``cxkit gap`` against a pandas script, DuckDB and
polars; a speed-up only counts if they all answer the same question. The pandas script and
cxkit always run here; DuckDB and polars (the ``bench`` extra) are skipped when missing.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxkit.cli import app

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import make_data
import variants

TASKS = [(None, None), ("segment", None), (None, "weight"), ("segment", "weight")]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bench")
    csv, parquet = folder / "survey.csv", folder / "survey.parquet"
    make_data.write(1500, csv, parquet, seed=7)
    return {"csv": csv, "parquet": parquet}


def via_cxkit(path: Path, by: str | None, weight: str | None) -> list[list]:
    result = CliRunner().invoke(app, variants.cxkit_argv(str(path), by, weight))
    assert result.exit_code == 0, result.output
    return variants.from_cxkit_json(result.stdout, by)


def same(a: list[list], b: list[list]) -> None:
    assert [r[:4] for r in a] == [r[:4] for r in b]  # cell, item, group, n
    for x, y in zip(a, b, strict=True):
        assert x[4] == pytest.approx(y[4], rel=1e-12), x[:3]  # mean
        assert x[5] == pytest.approx(y[5], rel=1e-12, abs=1e-15), x[:3]  # top-2 share


@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize(("by", "weight"), TASKS)
@pytest.mark.parametrize("impl", ["pandas", "duckdb", "polars"])
def test_variants_agree_with_cxkit(files, kind, by, weight, impl):
    if impl != "pandas" and importlib.util.find_spec(impl) is None:
        pytest.skip(f"{impl} is not installed (pip install -e '.[bench]')")
    path = files[kind]
    ours = via_cxkit(path, by, weight)
    theirs = variants.VARIANTS[impl](str(path), by, weight)
    cells = {r[0] for r in ours}
    assert cells == ({"(all)"} | set(make_data.SEGMENTS) if by else {"(all)"})
    assert len(ours) == len(cells) * 20 * 2
    same(ours, theirs)


def test_pandas_variant_is_an_independent_check(files):
    """The pandas script's numbers, recomputed by hand for one item and group."""
    import numpy as np
    import pandas as pd

    df = pd.read_csv(files["csv"])
    sub = df[df["role"].isin(["executive", "employee"]) & df["q03"].notna()]
    w = sub["weight"].to_numpy()
    x = sub["q03"].to_numpy()
    rows = variants.pandas_script(str(files["csv"]), None, "weight")
    row = next(r for r in rows if r[1] == "q03" and r[2] == "self")
    assert row[3] == len(sub)
    assert row[4] == pytest.approx(np.sum(w * x) / np.sum(w), rel=1e-12)
    assert row[5] == pytest.approx(np.sum(w * (x >= 4)) / np.sum(w), rel=1e-12)


def test_bench_commands_runs_every_command_beside_its_floor(files, capsys):
    """benchmarks/bench_commands.py: each run succeeds (a failing process raises) and
    gets its row."""
    import bench_commands

    assert bench_commands.main(["--file", str(files["parquet"]), "--repeat", "1"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == list(bench_commands.RUNS)


def test_bench_check_drops_times_the_gate_beside_its_floor(capsys):
    """benchmarks/bench_check_drops.py: the check passes (a failing process raises) and
    each of floor, cxkit and before gets its row."""
    import bench_check_drops

    src = str(Path(bench_check_drops.HERE).parent / "src")
    assert bench_check_drops.main(["--repeat", "1", "--old", src]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert [r.split(" | ")[0] for r in rows[1:]] == ["| floor", "| cxkit", "| before"]


def test_run_times_every_run_each_round_in_an_order_of_its_own(files):
    """benchmarks/run.py: a round's order is reproducible, every run is in it, and the
    implementation after the floor changes from round to round (in a fixed order one
    implementation would always inherit the floor's freed memory)."""
    import run

    impls = list(run.IMPLEMENTATIONS)
    orders = [run.round_order(impls, k) for k in range(5)]
    assert orders[0] == run.round_order(impls, 0)
    assert all(sorted(o) == sorted(impls) for o in orders)
    after_floor = {tuple(o[o.index("floor") + 1 : o.index("floor") + 2]) for o in orders}
    assert len(after_floor) > 1
    results = run.measure([files["parquet"]], 1, ["floor", "cxkit"], pause=0.01)
    assert set(results) == {(files["parquet"], t, i) for t in run.TASKS for i in ("floor", "cxkit")}
    assert all(lo <= t <= hi and mem > 0 for t, mem, lo, hi in results.values())
    text = run.markdown(results, [files["parquet"]], ["floor", "cxkit"], 1)
    assert "Fastest–slowest run (s), by task: floor " in text


def test_ab_env_runs_cxkit_both_ways(files, capsys):
    """benchmarks/ab_env.py: both sides of a setting run (a failing process raises) and
    get their line."""
    import ab_env

    assert ab_env.main(["allocator", str(files["parquet"]), "--repeat", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split("  ")[0].strip() for ln in lines] == list(ab_env.SETTINGS["allocator"])
