"""Waves: --wave / --compare-to on gap, cxkit trend, output placeholders, unattended runs."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)
from typer.testing import CliRunner

import cxkit
from cxkit.cli import app

from .conftest import EXAMPLES

runner = CliRunner()
DROPS = EXAMPLES / "drops"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_wave_selects_rows_and_compare_to_adds_changes(example_csv):
    res = run(
        "gap",
        example_csv,
        "--no-weight",
        "--wave",
        "2026Q3",
        "--compare-to",
        "2026Q2",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["summary"]["wave"] == "2026Q3"
    rows = {(r["level"], r["item"], r["pillar"]): r for r in doc["table"]}
    row = rows[("item", "ci_2", "ci")]

    def wave_row(w):
        s = cxkit.read_survey(example_csv, spec=cxkit.SurveySpec(unweighted=True))
        from cxkit.waves import select_wave

        t = cxkit.gap(select_wave(s, w)).table
        return t[t["item"] == "ci_2"].iloc[0]

    cur, prev = wave_row("2026Q3"), wave_row("2026Q2")
    k1, n1 = round(cur["agree_customer"] * cur["n_customer"]), cur["n_customer"]
    k0, n0 = round(prev["agree_customer"] * prev["n_customer"]), prev["n_customer"]
    lo, hi = confint_proportions_2indep(k1, n1, k0, n0, compare="diff", method="newcomb")
    assert row["n_customer"] == n1 and row["compare_wave"] == "2026Q2"
    assert row["change_agree_customer"] == pytest.approx(k1 / n1 - k0 / n0, rel=1e-12)
    assert row["change_agree_customer_ci_low"] == pytest.approx(lo, rel=1e-9)
    assert row["change_agree_customer_ci_high"] == pytest.approx(hi, rel=1e-9)
    assert row["change_agree_customer_p"] == pytest.approx(
        proportions_ztest([k1, k0], [n1, n0])[1], rel=1e-9
    )
    item_p = [r["change_agree_customer_p"] for r in doc["table"] if r["level"] == "item"]
    item_adj = [r["change_agree_customer_p_adj"] for r in doc["table"] if r["level"] == "item"]
    assert item_adj == pytest.approx(list(multipletests(item_p, method="holm")[1]))


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--wave", "2031Q1"], 2, "wave '2031Q1' is not in column 'wave'; waves: 2026Q2, 2026Q3"),
        (["--wave", "2026Q3", "--compare-to", "2026Q3"], 2, "is the wave being analysed"),
        (["--wave-col", "when", "--wave", "x"], 3, "no --wave-col column 'when'"),
    ],
)
def test_wave_errors(example_csv, args, code, message):
    res = run("gap", example_csv, *args)
    assert res.exit_code == code, res.output
    assert message in res.stderr


def test_wave_without_a_wave_column_is_a_usage_error(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("role,q1\nexecutive,4\ncustomer,2\n")
    res = run("gap", f, "--wave", "2026Q1")
    assert res.exit_code == 3 and "s.csv: no wave column" in res.stderr


def test_output_placeholders(example_csv, tmp_path):
    res = run("gap", example_csv, "--wave", "2026Q2", "-o", tmp_path / "gap-{wave}-{date}.json")
    assert res.exit_code == 0, res.output
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert (tmp_path / f"gap-2026Q2-{today}.json").exists()
    res = run("gap", example_csv, "-o", tmp_path / "gap-{wave}.json")
    assert res.exit_code == 2 and "uses {wave}" in res.stderr
    assert not list(tmp_path.glob("gap-{wave}*"))


def test_trend_over_a_file_matches_statsmodels(example_csv):
    res = run("trend", example_csv, "--metric", "agree", "--no-config", "-f", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["table"]
    assert [r["wave"] for r in rows] == ["2026Q2", "2026Q3"]
    ks, ns = [], []
    for r in rows:
        k = round(r["estimate"] * r["n"])
        lo, hi = proportion_confint(k, r["n"], method="wilson")
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi), rel=1e-9)
        ks.append(k)
        ns.append(r["n"])
    lo, hi = confint_proportions_2indep(
        ks[1], ns[1], ks[0], ns[0], compare="diff", method="newcomb"
    )
    assert (rows[1]["change_ci_low"], rows[1]["change_ci_high"]) == pytest.approx((lo, hi))
    assert rows[0]["change"] is None
    for r in rows:  # the overall row of that wave's own gap table
        gap = run("gap", example_csv, "--wave", r["wave"], "--no-config", "-f", "json")
        overall = next(g for g in json.loads(gap.stdout)["table"] if g["level"] == "overall")
        assert r["estimate"] == overall["agree_customer"]
        assert r["n"] == overall["n_customer"]


def test_trend_over_a_drop_folder(tmp_path):
    for name in ("2026Q1.csv", "2026Q2.csv", "2026Q3.csv", "cxkit.toml"):
        (tmp_path / name).write_bytes((DROPS / name).read_bytes())
    res = run("trend", tmp_path, "--metric", "gap", "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [r["wave"] for r in doc["table"]] == ["2026Q1", "2026Q2", "2026Q3"]
    assert doc["summary"]["wave"] == "2026Q3"
    assert all(r["change_p_adj"] is None or 0 <= r["change_p_adj"] <= 1 for r in doc["table"])


@pytest.mark.parametrize(
    ("metric", "message"), [("nope", "--metric 'nope'"), ("item:zz", "not an item")]
)
def test_trend_bad_metric(example_csv, metric, message):
    res = run("trend", example_csv, "--metric", metric)
    assert res.exit_code == 2 and message in res.stderr


def test_trend_needs_two_waves(tmp_path):
    f = tmp_path / "one.csv"
    f.write_text("role,wave,q1\nexecutive,W1,4\ncustomer,W1,2\n")
    res = run("trend", f)
    assert res.exit_code == 2 and "at least two waves" in res.stderr


def test_unattended_output_has_no_colour_codes(example_csv):
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm-256color"}
    proc = subprocess.run(
        [sys.executable, "-m", "cxkit", "gap", str(example_csv)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert "\x1b[" not in proc.stdout and "\x1b[" not in proc.stderr
    quiet = subprocess.run(
        [sys.executable, "-m", "cxkit", "--quiet", "gap", str(example_csv), "-f", "csv"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert quiet.stderr == ""


def _two_quarters(tmp_path):
    import pandas as pd

    both = pd.concat(
        [pd.read_csv(DROPS / "2026Q2.csv", dtype=str), pd.read_csv(DROPS / "2026Q3.csv", dtype=str)]
    )
    path = tmp_path / "q23.csv"
    both.to_csv(path, index=False)
    return path


def test_nps_and_metric_compare_waves(tmp_path):
    path = _two_quarters(tmp_path)
    res = run(
        "nps",
        path,
        "--by",
        "region",
        "--wave",
        "2026Q3",
        "--compare-to",
        "2026Q2",
        "--no-config",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    rows = {(r["region"], r["level"]): r for r in json.loads(res.stdout)["table"]}
    emea = rows[("EMEA", "group")]
    assert emea["change_nps"] < -20 and emea["change_nps_ci_high"] < 0
    assert emea["change_nps_p_adj"] < 0.05 and rows[("AMER", "group")]["change_nps_p_adj"] > 0.05
    res = run(
        "metric",
        path,
        "--item",
        "ci_*",
        "--wave",
        "2026Q3",
        "--compare-to",
        "2026Q2",
        "--no-config",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)["table"][0]
    assert {"change_mean", "change_top2_box_ci_low", "change_agree_p_adj"} <= set(row)


def test_trend_nps_matches_a_hand_computation(tmp_path):
    # NPS per wave and the change's interval by formula (Reichheld recode; SE from the
    # trinomial variance; independent waves), computed here with pandas from the raw drops
    import numpy as np
    import pandas as pd
    from scipy.stats import norm

    for name in ("2026Q1.csv", "2026Q2.csv", "2026Q3.csv", "cxkit.toml"):
        (tmp_path / name).write_bytes((DROPS / name).read_bytes())
    res = run("trend", tmp_path, "--metric", "nps", "-f", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["table"]
    hand = []
    for name in ("2026Q1.csv", "2026Q2.csv", "2026Q3.csv"):
        x = pd.read_csv(DROPS / name)["nps"].dropna()
        p, d = (x >= 9).mean(), (x <= 6).mean()
        hand.append((100 * (p - d), 100 * np.sqrt((p + d - (p - d) ** 2) / len(x)), len(x)))
    for row, (est, _, n) in zip(rows, hand, strict=True):
        assert row["estimate"] == pytest.approx(est, rel=1e-12) and row["n"] == n
    change = hand[2][0] - hand[1][0]
    se = np.hypot(hand[2][1], hand[1][1])
    assert rows[2]["change"] == pytest.approx(change, rel=1e-12)
    assert rows[2]["change_ci_high"] == pytest.approx(change + norm.ppf(0.975) * se, rel=1e-9)
    assert rows[2]["change_p_adj"] < 0.05 < rows[1]["change_p_adj"]


def test_obstacles_are_addressable_in_checks():
    res = run(
        "check",
        EXAMPLES / "obstacles_ranked.csv",
        "--no-config",
        "--fail-if",
        "obstacles[wave=2012, Budget restrictions].share_top2 <= 0.3",
        "--fail-if",
        "obstacles[wave=2012, Budget restrictions].rank <= 1",
        "-f",
        "json",
    )
    assert res.exit_code == 1, res.output
    rows = json.loads(res.stdout)["table"]
    assert [r["status"] for r in rows] == ["pass", "fail"]
    assert "wave=2012" in rows[1]["reason"]


def test_obstacles_wave_and_compare_to():
    res = run(
        "obstacles",
        EXAMPLES / "obstacles_ranked.csv",
        "--wave",
        "2012",
        "--compare-to",
        "2011",
        "--bootstrap",
        "50",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["summary"]["wave"] == "2012"
    budget = next(
        r for r in doc["table"] if r["wave"] == "2012" and r["obstacle"] == "Budget restrictions"
    )
    assert budget["change_top2"] < 0 and budget["change_top2_p_adj"] < 0.05
    one = run(
        "obstacles",
        EXAMPLES / "obstacles_ranked.csv",
        "--wave",
        "2011",
        "--bootstrap",
        "0",
        "-f",
        "json",
    )
    assert {r.get("wave", "2011") for r in json.loads(one.stdout)["table"]} == {"2011"}
    bad = run("obstacles", EXAMPLES / "obstacles_ranked.csv", "--wave", "1999")
    assert bad.exit_code == 2 and "waves: 2011, 2012" in bad.stderr


def test_drivers_wave_selects_rows(example_csv):
    res = run(
        "drivers",
        example_csv,
        "--outcome",
        "nps",
        "--wave",
        "2026Q3",
        "--bootstrap",
        "20",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    allw = json.loads(
        run("drivers", example_csv, "--outcome", "nps", "--bootstrap", "20", "-f", "json").stdout
    )
    assert doc["summary"]["wave"] == "2026Q3"
    assert doc["table"][0]["n"] < allw["table"][0]["n"]


ROI = [
    "roi",
    EXAMPLES / "roi" / "accounts.csv",
    "--cx",
    "nps",
    "--outcome",
    "revenue_growth",
    "--entity",
    "account_id",
    "--time",
    "quarter",
    "--lag",
    "1",
    "--model",
    "ols",
]


def test_roi_wave_and_compare_to_match_separate_runs():
    from scipy.stats import norm

    def one(*extra):
        res = run(*ROI, *extra, "-f", "json")
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)

    cur, prev = one("--wave", "2026Q1")["table"][0], one("--wave", "2025Q3")["table"][0]
    both = one("--wave", "2026Q1", "--compare-to", "2025Q3")
    row = both["table"][0]
    assert both["summary"]["wave"] == "2026Q1" and row["n"] == cur["n"] < 160
    z = norm.ppf(0.975)
    se = ((cur["ci_high"] - cur["ci_low"]) ** 2 + (prev["ci_high"] - prev["ci_low"]) ** 2) ** 0.5
    se /= 2 * z
    assert row["change_estimate"] == pytest.approx(cur["estimate"] - prev["estimate"])
    assert row["change_estimate_ci_low"] == pytest.approx(row["change_estimate"] - z * se)
    bad = run(*ROI, "--wave", "1999Q1")
    assert bad.exit_code == 2 and "waves: 2025Q3" in bad.stderr
    assert run(*ROI, "--compare-to", "2025Q3").exit_code == 2


def test_drivers_compare_to_adds_importance_changes(example_csv):
    res = run(
        "drivers",
        example_csv,
        "--outcome",
        "nps",
        "--wave",
        "2026Q3",
        "--compare-to",
        "2026Q2",
        "--bootstrap",
        "30",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["table"]
    assert all(r["compare_wave"] == "2026Q2" for r in rows)
    assert all(
        r["change_importance_ci_low"] <= r["change_importance"] <= r["change_importance_ci_high"]
        for r in rows
    )


@pytest.mark.parametrize("metric", ["agree", "gap", "nps", "item:sa_2"])
def test_trend_imports_neither_pandas_nor_scipy(metric, example_csv, tmp_path):
    """trend reads each wave's gap or nps table as columns (1M rows, nps: 0.84 -> 0.47 s)."""
    from .imports import loaded_by

    args = ["trend", str(example_csv), "--metric", metric, "--no-config", "-f", "json"]
    env = {"CXKIT_NO_PRELOAD": "1"}
    loaded = loaded_by(args, ("pandas", "scipy"), cwd=tmp_path, env=env, must_succeed=True)
    assert loaded == [], f"trend --metric {metric} imported {loaded}"
