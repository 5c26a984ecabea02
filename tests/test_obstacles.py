"""cxkit obstacles: layouts, labels, invalid answers, the planted change, determinism, CLI."""

from __future__ import annotations

import itertools
import json
import math
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.obstacle_config import parse_config
from cxkit.obstacles import obstacles
from cxkit.read import read_table
from cxkit.study import load_study

from .conftest import EXAMPLES
from .imports import HEAVY, loaded_by

runner = CliRunner()
RANKED = EXAMPLES / "obstacles_ranked.csv"
QUALTRICS = EXAMPLES / "obstacles_qualtrics.csv"
BUDGET = "Budget restrictions"


def load_toml(path: Path) -> dict:
    return tomllib.loads(path.read_text())


def run(*args: object):
    return runner.invoke(app, ["obstacles", *[str(a) for a in args]])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def analyse(path: Path, **kw):
    return obstacles(read_table(path), **kw)


def row(table: pd.DataFrame, obstacle: str, wave: str | None = None) -> pd.Series:
    t = table if wave is None else table[table["wave"] == wave]
    return t[t["obstacle"] == obstacle].iloc[0]


@pytest.fixture(scope="module")
def ranked():
    return analyse(RANKED, by="wave", top=[1, 2, 5], bootstrap=300, seed=7)


# --- the bundled example: planted change recovered, layouts agree ---------------------------
def test_planted_change_is_recovered(ranked):
    t = ranked.table
    b11, b12 = row(t, BUDGET, "2011"), row(t, BUDGET, "2012")
    # planted: top-2 for about 55% in 2011 and 30% in 2012
    assert b11["share_top2"] > 0.45 and b12["share_top2"] < 0.30
    assert b12["change_top2_ci_high"] < 0 and b12["change_top2_p_adj"] < 0.001
    # still in the top 5 for more than half of the respondents in 2012
    assert b12["share_top5_ci_low"] > 0.5
    assert b11["rank"] == 1 and b12["rank"] > 1
    top12 = t[(t["wave"] == "2012") & (t["rank"] == 1)].iloc[0]
    assert top12["obstacle"] == "Difficulty correlating CX to business results"
    h = ranked.headline
    assert h.startswith(
        "Top obstacle 2012: Difficulty correlating CX to business results (top-2 for 4"
    )
    assert "largest change since 2011: Budget restrictions -" in h and "in the top 2 (95% CI" in h


def test_obstacle_not_offered_in_a_wave_is_not_asked_never_zero(ranked):
    t = ranked.table
    r11 = row(t, "Data privacy rules", "2011")
    assert r11["status"] == "not asked"
    assert math.isnan(r11["n_named"]) and math.isnan(r11["share_top1"])
    assert math.isnan(r11["rank"]) and math.isnan(r11["pl_worth"])
    r12 = row(t, "Data privacy rules", "2012")
    assert r12["status"] == "asked" and r12["n_named"] > 0
    assert math.isnan(r12["change_top2"])
    assert any("not asked in 2011" in n and "Data privacy rules" in n for n in ranked.notes)
    # the worths of one wave sum to 1 over the obstacles asked in it
    for w in ("2011", "2012"):
        assert t[t["wave"] == w]["pl_worth"].sum() == pytest.approx(1.0)


def test_labels_are_normalised_and_other_is_merged(ranked):
    names = set(ranked.table["obstacle"])
    assert "Other" in names and len(names) == 11
    assert "Difficulty acting on customers' feedback" in names  # curly quote straightened
    assert not any(n != n.strip() or "  " in n for n in names)


def test_two_layouts_give_identical_tables(ranked):
    # the reader recognises the Qualtrics export and keeps its question text ("... obstacles
    # ..."), from which the answer columns and their option labels are found
    other = analyse(QUALTRICS, by="wave", top=[1, 2, 5], bootstrap=300, seed=7)
    assert other.provenance["parameters"]["columns"] == [f"Q7_{i}" for i in range(1, 12)]
    pd.testing.assert_frame_equal(ranked.table, other.table)
    assert other.provenance["parameters"]["layout"] == "rank-numbers"
    assert other.provenance["inputs"][0]["format"].startswith("qualtrics")
    assert "excluded 10 rows: the same rank twice" in other.notes


def test_bootstrap_is_identical_for_the_same_seed_and_differs_for_another(ranked):
    again = analyse(RANKED, by="wave", top=[1, 2, 5], bootstrap=300, seed=7)
    pd.testing.assert_frame_equal(ranked.table, again.table)
    other = analyse(RANKED, by="wave", top=[1, 2, 5], bootstrap=300, seed=8)
    assert not np.allclose(
        other.table["pl_worth_ci_low"], ranked.table["pl_worth_ci_low"], equal_nan=True
    )
    pd.testing.assert_series_equal(other.table["pl_worth"], ranked.table["pl_worth"])


def test_intervals_hold_the_estimates_and_tiers_follow_ranks(ranked):
    t = ranked.table[ranked.table["status"] == "asked"]
    assert (t["pl_worth_ci_low"] <= t["pl_worth"]).all()
    assert (t["pl_worth"] <= t["pl_worth_ci_high"]).all()
    assert (t["rank_ci_low"] <= t["rank_ci_high"]).all()
    for _, g in t.groupby("wave"):
        g = g.sort_values("rank")
        assert g["tier"].iloc[0] == 1 and g["tier"].is_monotonic_increasing
        # different tiers never have overlapping rank intervals
        for (_, a), (_, b) in itertools.combinations(g.iterrows(), 2):
            if a["tier"] != b["tier"]:
                assert a["rank_ci_high"] < b["rank_ci_low"] or b["rank_ci_high"] < a["rank_ci_low"]
    assert t["tier"].max() > 2  # the example separates the obstacles into several tiers


def test_progress_is_reported_per_chunk():
    calls = []
    analyse(RANKED, by="wave", bootstrap=450, progress=lambda d, n: calls.append((d, n)))
    assert sum(d for d, _ in calls) == 900 and {n for _, n in calls} == {900}


# --- layouts ---------------------------------------------------------------------------------
def test_rank_numbers_invalid_rows_are_counted(tmp_path):
    f = write(
        tmp_path / "q.csv",
        "id,Q1_1,Q1_2,Q1_3\n"
        "1,1,2,3\n"  # ok
        "2,2,1,\n"  # ok: top 2
        "3,1,1,2\n"  # the same rank twice
        "4,1,3,\n"  # gap (no rank 2)
        "5,1,2,9\n"  # rank above k
        "6,a,1,2\n"  # not a number
        "7,,,\n",  # no answer
    )
    res = analyse(f, columns=["Q1_*"], bootstrap=0)
    assert res.provenance["parameters"]["layout"] == "rank-numbers"
    assert res.table["n_respondents"].iloc[0] == 2
    for reason in ("the same rank twice", "gap in the ranks", "rank above k", "not a rank number"):
        assert f"excluded 1 rows: {reason}" in res.notes
    assert "excluded 1 rows: no answer" in res.notes
    assert row(res.table, "Q1_1")["mean_rank"] == 1.5


def test_strict_names_line_column_value_and_fix(tmp_path):
    f = write(tmp_path / "r.csv", "obstacle_1,obstacle_2\nBudget,Silos\nBudget,budget\n")
    res = run(f, "--strict", "--bootstrap", "0")
    assert res.exit_code == 3
    assert res.stderr.strip() == (
        f"cxkit: error: {f}: line 3, column 'obstacle_2': the same obstacle twice ('budget'); "
        "fix the answer, or drop --strict to exclude such rows (they are counted in the notes)"
    )


def test_multi_select_boolean_columns(tmp_path):
    f = write(
        tmp_path / "m.csv",
        "id,obstacle_budget,obstacle_silos,obstacle_data\n1,1,0,1\n2,0,1,0\n3,1,1,0\n4,1,0,0\n",
    )
    res = analyse(f, bootstrap=200)
    t = res.table
    assert res.provenance["parameters"]["layout"] == "multi-select"
    assert row(t, "obstacle_budget")["share_named"] == 0.75
    assert row(t, "obstacle_budget")["rank"] == 1
    assert math.isnan(row(t, "obstacle_budget")["pl_worth"])
    assert "share_top1" not in t.columns
    assert any("multi-select" in n for n in res.notes)
    assert res.headline == "Top obstacle: obstacle_budget (named by 75%)"


def test_multi_select_joined_cell_and_label_columns_agree(tmp_path):
    joined = write(
        tmp_path / "j.csv",
        'id,obstacles\n1,"Budget; Data"\n2,Silos\n3,"budget;SILOS"\n4,Budget\n5,\n',
    )
    labels = write(
        tmp_path / "l.csv",
        "id,obstacle_a,obstacle_b,obstacle_c\n1,Budget,,Data\n2,,Silos,\n3,Budget,Silos,\n"
        "4,Budget,,\n5,,,\n",
    )
    a = analyse(joined, bootstrap=100, seed=1).table
    b = analyse(labels, bootstrap=100, seed=1).table
    pd.testing.assert_frame_equal(a, b)
    assert row(a, "Budget")["n_named"] == 3 and row(a, "Budget")["n_respondents"] == 4


def test_aliases_and_offered_from_the_config(tmp_path):
    f = write(
        tmp_path / "r.csv",
        "wave,obstacle_1,obstacle_2\n1,money,Silos\n1,Silos,Budget\n2,Budget,Silos\n2,Silos,\n",
    )
    cfg = write(
        tmp_path / "cxkit.toml",
        '[obstacles]\n[obstacles.aliases]\n"MONEY" = "Budget"\n'
        '[obstacles.offered]\n"2" = ["Budget", "Silos", "Skills"]\n',
    )
    res = run(f, "--by", "wave", "--config", cfg, "--bootstrap", "0", "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    rows = {(r["wave"], r["obstacle"]): r for r in doc["table"]}
    assert rows[("1", "Budget")]["n_named"] == 2  # "money" merged into Budget
    assert rows[("2", "Skills")]["status"] == "asked" and rows[("2", "Skills")]["n_named"] == 0
    assert rows[("1", "Skills")]["status"] == "not asked"
    assert doc["provenance"]["config"]["path"] == str(cfg)


def test_study_config_accepts_an_obstacles_table(tmp_path):
    cfg = write(tmp_path / "cxkit.toml", '[columns]\nwave = "wave"\n[obstacles]\nranks = 5\n')
    assert load_study(cfg).obstacles == {"ranks": 5}


# --- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--top", "1,x"], 2, "--top '1,x': write whole numbers >= 1 separated by commas"),
        (["--top", "9"], 2, "--top 9: no respondent ranked more than 5 obstacles"),
        (["--layout", "grid"], 2, "--layout 'grid': choose one of rank-columns, rank-numbers"),
        (["--bootstrap", "-1"], 2, "--bootstrap must be 0 or more, not -1"),
        (["--by", "year"], 3, "no column 'year' for --by"),
        (["--columns", "Q9_*"], 3, "--columns 'Q9_*' matches no column of"),
    ],
)
def test_option_errors(args, code, message):
    res = (
        run(RANKED, *args, "--bootstrap", "0") if "--bootstrap" not in args else run(RANKED, *args)
    )
    assert res.exit_code == code, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_no_answer_columns_is_an_input_error(tmp_path):
    f = write(tmp_path / "x.csv", "id,score\n1,2\n")
    res = run(f)
    assert res.exit_code == 3
    assert "no column name contains 'obstacle'" in res.stderr and "--columns" in res.stderr


def test_bad_obstacles_config_key_is_an_input_error(tmp_path):
    f = write(tmp_path / "r.csv", "obstacle_1\nBudget\n")
    cfg = write(tmp_path / "c.toml", "[obstacles]\nrank = 5\n")
    res = run(f, "--config", cfg)
    assert res.exit_code == 3
    assert "c.toml: obstacles.rank: unknown key" in res.stderr


def test_top_on_picks_is_a_usage_error(tmp_path):
    f = write(tmp_path / "m.csv", "obstacle_a,obstacle_b\n1,0\n0,1\n")
    res = run(f, "--top", "1")
    assert res.exit_code == 2 and "--top needs ranked answers" in res.stderr


def test_output_file_and_json(tmp_path):
    out = tmp_path / "o.parquet"
    res = run(RANKED, "--by", "wave", "--bootstrap", "50", "-f", "json", "-o", out)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["command"] == "obstacles" and doc["provenance"]["seed"] == 2012
    assert "choix.ilsr_top1" in doc["provenance"]["methods"]["pl_point_estimate"]
    assert pd.read_parquet(out).shape[0] == len(doc["table"]) == 22
    assert "\x1b" not in res.stderr  # no progress bar when stderr is not a terminal


def test_example_generator_reproduces_the_bundled_files(tmp_path):
    script = tmp_path / "make_obstacles.py"
    shutil.copy(EXAMPLES / "make_obstacles.py", script)
    subprocess.run([sys.executable, str(script)], check=True, cwd=tmp_path)
    for name in ("obstacles_ranked.csv", "obstacles_qualtrics.csv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name
        assert (EXAMPLES / name).stat().st_size < 1_000_000


def test_obstacle_offered_but_never_named_gets_a_ridge_worth_and_a_note(tmp_path):
    f = write(tmp_path / "r.csv", "obstacle_1,obstacle_2\nA,B\nB,A\nA,B\nB,\n")
    cfg = write(tmp_path / "c.toml", '[obstacles.offered]\n"(all)" = ["A", "B", "C"]\n')
    res = analyse(f, bootstrap=100, config=parse_config(load_toml(cfg)["obstacles"]))
    c = row(res.table, "C")
    assert c["status"] == "asked" and c["n_named"] == 0 and c["pl_worth"] < 1e-4
    assert any(n.startswith("Plackett-Luce: the answers do not connect") for n in res.notes)
    # only the first choices inform A vs B (2 each): equal worths, up to the tiny penalty
    assert row(res.table, "A")["pl_worth"] == pytest.approx(
        row(res.table, "B")["pl_worth"], abs=1e-5
    )


def test_python_api_gives_the_cli_numbers(ranked):
    import cxkit

    api = cxkit.obstacles(cxkit.read_table(RANKED), by="wave", top=[1, 2, 5], bootstrap=300, seed=7)
    pd.testing.assert_frame_equal(api.table, ranked.table)


def test_strict_line_numbers_count_qualtrics_header_rows():
    import csv

    # the first data line (after Qualtrics' 3 header lines) whose ranks are not 1..r once each
    with QUALTRICS.open(newline="", encoding="utf-8") as fh:
        lines = list(csv.reader(fh))
    expected = None
    for number, cells in enumerate(lines[3:], start=4):
        ranks = sorted(int(v) for v in cells[2:13] if v)
        if ranks and ranks != list(range(1, len(ranks) + 1)):
            expected = number
            break
    res = run(QUALTRICS, "--strict", "--bootstrap", "0")
    assert res.exit_code == 3
    assert f"obstacles_qualtrics.csv: line {expected}, column 'Q7_" in res.stderr


def test_too_many_choice_sets_skip_the_worths_with_a_note(monkeypatch):
    import importlib

    # the module, not the cxkit.obstacles function that the package exposes
    monkeypatch.setattr(importlib.import_module("cxkit.obstacles"), "MAX_PL_CELLS", 10)
    res = analyse(RANKED, by="wave", bootstrap=20)
    t = res.table
    assert t["pl_worth"].isna().all() and t["rank"].isna().all()
    assert t["share_top2"].notna().sum() == 21
    assert any("Plackett-Luce worths and ranks not computed in 2011" in n for n in res.notes)


@pytest.mark.parametrize(
    "args",
    [
        ["obstacles", "--help"],
        ["obstacles", "x.csv", "--top", "0"],
        ["obstacles", "x.csv", "--layout", "grid"],
        ["obstacles", "x.csv", "--confidence", "2"],
    ],
)
def test_help_and_option_errors_do_not_import_heavy_modules(args):
    assert loaded_by(args, (*HEAVY, "numpy", "choix")) == []
