"""The steps that run two at a time on large tables give what they give one at a time:
the same items, notes and first error in column order, and the same histogram bits; and
numpy's BLAS starts no threads of its own for ``gap``."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from cxkit import aggregate
from cxkit.answers import Coded
from cxkit.errors import InputError
from cxkit.survey import SurveySpec, read_survey

from .conftest import EXAMPLES

EXAMPLE = EXAMPLES / "centricity_survey.csv"


def _write(path, bad: bool) -> None:
    rng = np.random.default_rng(4)
    n = 300
    cols = {
        "role": np.where(rng.random(n) < 0.4, "executive", "customer"),
        **{f"q{k}": rng.integers(1, 6, n).astype(str) for k in range(1, 6)},
        "score": rng.integers(0, 11, n).astype(str),  # a 0-10 score: a note, not an item
        "segment": rng.choice(["SMB", "Enterprise"], n),
        "weight_x": np.round(rng.uniform(0.5, 2, n), 3).astype(str),
    }
    if bad:  # two items with one answer off the scale: the first one is named
        cols["q2"][17] = "9"
        cols["q4"][3] = "8"
    lines = [",".join(cols)] + [",".join(v[i] for v in cols.values()) for i in range(n)]
    path.write_text("\n".join(lines) + "\n")


def _outcome(path):
    try:
        s = read_survey(str(path), use_config=False, spec=SurveySpec(role_col="role"))
    except InputError as exc:
        return ("error", str(exc))
    return ("survey", s.items, s.notes, [s.coded(i).floats().tolist() for i in s.items])


@pytest.mark.parametrize("bad", [False, True])
def test_probing_columns_two_at_a_time_changes_nothing(tmp_path, monkeypatch, bad):
    path = tmp_path / "s.csv"
    _write(path, bad)
    monkeypatch.setattr(aggregate, "THREADED_ROWS", 10**9)
    one_at_a_time = _outcome(path)
    monkeypatch.setattr(aggregate, "THREADED_ROWS", 0)
    assert _outcome(path) == one_at_a_time
    if bad:
        assert one_at_a_time[0] == "error" and "'q2'" in one_at_a_time[1]
    else:
        assert one_at_a_time[1] == ["q1", "q2", "q3", "q4", "q5"]
        assert any("'score'" in note for note in one_at_a_time[2])


@pytest.mark.parametrize("weighted", [False, True])
def test_histograms_counted_two_packs_at_a_time_are_the_same_bits(monkeypatch, weighted):
    rng = np.random.default_rng(9)
    n = 5_000
    xs = [Coded.from_floats(np.where(rng.random(n) < 0.05, np.nan, rng.integers(1, 6, n)))
          for _ in range(13)]  # fmt: skip
    xs.append(Coded.from_floats(np.round(rng.uniform(1, 5, n), 2)))  # a mean: its own pack
    groups = aggregate.Groups(
        rng.integers(-1, 6, n), 6, rng.uniform(0.2, 3, n) if weighted else None
    )
    monkeypatch.setattr(aggregate, "THREADED_ROWS", 10**9)
    alone = aggregate.histograms_of(xs, groups)
    monkeypatch.setattr(aggregate, "THREADED_ROWS", 0)
    together = aggregate.histograms_of(xs, groups)
    assert len(alone) == len(together) == len(xs)
    for a, b in zip(alone, together, strict=True):
        for field in ("values", "count", "wsum", "w2sum"):
            assert np.array_equal(getattr(a, field), getattr(b, field))


@pytest.mark.parametrize("self_role", ["executive", "nobody"])
def test_role_codes_beside_the_means_change_nothing(tmp_path, monkeypatch, self_role):
    """gap's role codes and respondent means, side by side: the same table and notes, or
    the same error when no response has a self role."""
    from cxkit.gap import gap

    path = tmp_path / "s.csv"
    _write(path, bad=False)
    s = read_survey(str(path), use_config=False, spec=SurveySpec(role_col="role"))

    def run():
        try:
            r = gap(s, self_roles=[self_role], customer_roles=["customer"],
                    drop_unknown_roles=True)  # fmt: skip
        except InputError as exc:
            return ("error", str(exc))
        return ("table", r.table.to_dict("list"), r.notes)

    monkeypatch.setattr(aggregate, "THREADED_ROWS", 10**9)
    one_at_a_time = run()
    monkeypatch.setattr(aggregate, "THREADED_ROWS", 0)
    assert repr(run()) == repr(one_at_a_time)
    assert one_at_a_time[0] == ("table" if self_role == "executive" else "error")


_BLAS_AT_NUMPY = """
import os, sys
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" and "seen" not in globals():
            globals()["seen"] = os.environ.get("OPENBLAS_NUM_THREADS")
        return None
sys.meta_path.insert(0, Watch())
from cxkit.cli import app
try:
    app(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print(seen, os.environ.get("OMP_NUM_THREADS"))
"""


@pytest.mark.parametrize(("ours", "seen"), [(None, "1"), ("3", "3")])
def test_gap_asks_for_one_blas_thread_before_numpy_loads(ours, seen, tmp_path):
    """OpenBLAS starts its threads when numpy loads: the setting must come first, and a
    user's own value wins. ``OMP_NUM_THREADS`` stays unset: pyarrow would size its own
    thread pool from it (at 1, a 5M-row Parquet read ran on one core)."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    if ours is not None:
        env["OPENBLAS_NUM_THREADS"] = ours
    args = ["gap", str(EXAMPLE), "-f", "json", "--no-config", "--role-col", "role"]
    proc = subprocess.run(
        [sys.executable, "-c", _BLAS_AT_NUMPY, *args],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    )  # fmt: skip
    assert proc.stdout.splitlines()[-1] == f"{seen} None"
