"""``cxkit roi`` on the command line: outputs, every robustness rule and every bad input,
each with its message and exit code; the bundled example recovers its planted effect."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.roi import COLUMNS, PROJECTION_COLUMNS

from .conftest import EXAMPLES, ROOT, one_line_error
from .imports import loaded_by

runner = CliRunner()
ROI = EXAMPLES / "roi"
ACCOUNTS = ROI / "accounts.csv"
PANEL = ["--cx", "nps", "--entity", "account_id", "--time", "quarter"]


def run(*args: object):
    return runner.invoke(app, ["roi", *[str(a) for a in args]])


def doc(*args: object) -> dict:
    res = run(*args, "-f", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def small_table(tmp_path, rows: list[str], header="account,nps,growth,churned") -> Path:
    return write(tmp_path / "acc.csv", header + "\n" + "\n".join(rows) + "\n")


def line_table(tmp_path, n=12, nps=None, growth=None, churned=None) -> Path:
    """n accounts, one row each; NPS rising, growth noisy but rising."""
    rng = np.random.default_rng(0)
    nps = nps if nps is not None else [str(int(v)) for v in np.linspace(-60, 80, n)]
    growth = (
        growth
        if growth is not None
        else [f"{0.001 * float(v) + rng.normal(0, 0.02):.4f}" for v in nps]
    )
    churned = churned if churned is not None else ["yes" if i % 3 == 0 else "no" for i in range(n)]
    rows = [f"A{i},{nps[i]},{growth[i]},{churned[i]}" for i in range(n)]
    return small_table(tmp_path, rows)


# ---- outputs ------------------------------------------------------------------------------


def test_example_table_json_columns_and_headline():
    d = doc(
        ACCOUNTS,
        *PANEL,
        "--outcome",
        "revenue_growth",
        "--outcome",
        "churned",
        "--control",
        "segment",
        "--lags",
        "0,1",
    )
    assert list(d["table"][0]) == COLUMNS
    models = {(r["outcome"], r["model"], r["lag"]) for r in d["table"]}
    assert ("revenue_growth", "ols", 1) in models and ("churned", "logit", 1) in models
    assert ("churned", "ols", 1) not in models and ("revenue_growth", "logit", 0) not in models
    assert len(d["table"]) == 2 * 3 * 2
    h = d["summary"]["headline"]
    assert h.startswith("Accounts 10 NPS points higher grow revenue ")
    assert "pp faster a quarter later (95% CI " in h and "n = 160 accounts)" in h
    assert d["provenance"]["seed"] == 20261124
    assert "vcovCL" in d["provenance"]["methods"]["ols"]


def test_readme_quotes_the_example_headline_and_the_api_runs():
    import cxkit

    d = doc(
        ACCOUNTS,
        *PANEL,
        "--outcome",
        "revenue_growth",
        "--outcome",
        "churned",
        "--lag",
        "1",
        "--control",
        "segment",
    )
    readme = (ROOT / "README.md").read_text().replace("\n> ", " ")
    assert d["summary"]["headline"] in readme
    spec = cxkit.AccountSpec(
        cx=["nps"], outcomes=["revenue_growth"], entity="account_id", time="quarter"
    )
    result = cxkit.roi(cxkit.read_accounts(ACCOUNTS, spec), lags=[1], models=["ols"])
    ols = next(r for r in d["table"] if r["model"] == "ols")
    assert result.table["n"].iloc[0] == ols["n"]


def test_planted_effect_is_recovered_by_the_example():
    """make_roi.py plants +0.0014 growth per NPS point a quarter later and churn log-odds
    -0.025 per point (odds ratio exp(-0.25) per 10 points)."""
    d = doc(
        ACCOUNTS,
        *PANEL,
        "--outcome",
        "revenue_growth",
        "--outcome",
        "churned",
        "--control",
        "segment",
        "--lag",
        "1",
        "--model",
        "ols",
        "--model",
        "logit",
    )
    rows = {r["model"]: r for r in d["table"]}
    ols = rows["ols"]
    assert ols["ci_low"] < 0.0014 < ols["ci_high"]
    assert ols["per_10"] == pytest.approx(0.014, abs=0.002)
    logit = rows["logit"]
    assert logit["per_10_ci_low"] < np.exp(-0.25) < logit["per_10_ci_high"]
    within = doc(ACCOUNTS, *PANEL, "--outcome", "revenue_growth", "--lag", "1", "--within")
    fe = within["table"][0]
    assert fe["model"] == "ols_fe" and fe["cov_type"] == "cluster"
    assert fe["ci_low"] < 0.0014 < fe["ci_high"]
    # lag 0 is weaker: growth depends on the previous quarter's NPS
    lag0 = doc(ACCOUNTS, *PANEL, "--outcome", "revenue_growth", "--model", "ols")["table"][0]
    assert lag0["estimate"] < ols["ci_low"]


def test_survey_mode_scores_accounts_like_the_account_table():
    base = ("--outcome", "revenue_growth", "--lag", "1", "--model", "ols")
    a = doc(ACCOUNTS, *PANEL, *base)["table"][0]
    res = run(
        "--survey",
        ROI / "responses.csv",
        "--finance",
        ROI / "finance.csv",
        "--key",
        "account_id",
        "--time",
        "quarter",
        "--cx",
        "nps:nps",
        "--min-responses",
        "1",
        *base,
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    assert s["table"][0]["estimate"] == pytest.approx(a["estimate"], rel=1e-4)  # nps rounded
    assert len(s["provenance"]["inputs"]) == 2


def test_survey_mode_index_top_mean_and_min_responses(tmp_path):
    res = run(
        "--survey",
        ROI / "responses.csv",
        "--finance",
        ROI / "finance.csv",
        "--key",
        "account_id",
        "--time",
        "quarter",
        "--cx",
        "index",
        "--cx",
        "top:ci_1",
        "--cx",
        "mean:ci_2",
        "--outcome",
        "revenue_growth",
        "--lag",
        "1",
        "--model",
        "pearson",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert [r["cx"] for r in d["table"]] == ["centricity_index", "top_ci_1", "mean_ci_2"]
    assert any("fewer than 5 answers for centricity_index" in n for n in d["notes"])
    assert all(r["estimate"] > 0.3 for r in d["table"])


def test_improve_projection_says_association_not_causation():
    d = doc(
        ACCOUNTS,
        *PANEL,
        "--outcome",
        "revenue_growth",
        "--outcome",
        "churned",
        "--lag",
        "1",
        "--improve",
        "10",
        "--revenue",
        "revenue",
    )
    assert list(d["table"][0]) == PROJECTION_COLUMNS
    assert "association, not a causal effect" in d["summary"]["headline"]
    assert any("not a causal effect" in n for n in d["notes"])
    est = doc(ACCOUNTS, *PANEL, "--outcome", "revenue_growth", "--lag", "1", "--model", "ols")
    slope = est["table"][0]
    row = d["table"][0]
    assert row["change"] == pytest.approx(10 * slope["estimate"], rel=1e-12)
    assert row["change_ci_low"] == pytest.approx(10 * slope["ci_low"], rel=1e-12)
    assert row["revenue_change"] == pytest.approx(row["change"] * row["revenue_per_entity"])


def test_reruns_are_byte_identical_and_the_seed_matters(tmp_path):
    args = (ACCOUNTS, *PANEL, "--outcome", "revenue_growth", "--model", "spearman")
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    assert run(*args, "-o", a).exit_code == 0
    assert run(*args, "-o", b).exit_code == 0
    assert run(*args, "--seed", "7", "-o", c).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert json.loads(a.read_text())["table"] != json.loads(c.read_text())["table"]


def test_table_csv_and_markdown_render(tmp_path):
    res = run(ACCOUNTS, *PANEL, "--outcome", "churned", "--lag", "1")
    assert res.exit_code == 0, res.output
    assert "logit" in res.stdout and "less likely to churn a quarter later" in res.stdout
    csv = run(ACCOUNTS, *PANEL, "--outcome", "churned", "-f", "csv")
    assert csv.stdout.splitlines()[0] == ",".join(COLUMNS)
    md = run(ACCOUNTS, *PANEL, "--outcome", "churned", "-f", "markdown")
    assert "| CX | Outcome | Model |" in md.stdout


# ---- robustness rules ---------------------------------------------------------------------


def test_out_of_range_nps_is_an_error_and_writes_nothing(tmp_path):
    f = line_table(tmp_path, nps=["999"] + [str(v) for v in range(-50, 60, 10)])
    out = tmp_path / "out.json"
    msg = one_line_error(run(f, "--cx", "nps", "--outcome", "growth", "-o", out), 3)
    assert msg == (
        f"{f}: CX column 'nps', data row 1: 999 is outside its valid range -100..100; fix the "
        "value, set the range with --cx-range MIN,MAX, or pass --drop-invalid to exclude "
        "such values"
    )
    assert not out.exists()


def test_drop_invalid_excludes_and_counts_out_of_range_values(tmp_path):
    f = line_table(tmp_path, nps=["999"] + [str(v) for v in range(-50, 60, 10)])
    d = doc(f, "--cx", "nps", "--outcome", "growth", "--drop-invalid", "--model", "pearson")
    assert d["table"][0]["n"] == 11
    assert (
        f"{f}: excluded 1 values of 'nps' outside -100..100 (--drop-invalid; first at data "
        "row 1: 999)" in d["notes"]
    )


def test_cx_range_option_sets_the_valid_range(tmp_path):
    f = line_table(tmp_path)
    msg = one_line_error(run(f, "--cx", "nps", "--outcome", "growth", "--cx-range", "0,10"), 3)
    assert "is outside its valid range 0..10" in msg
    msg = one_line_error(run(f, "--cx", "nps", "--outcome", "growth", "--cx-range", "10,0"), 2)
    assert msg == "--cx-range '10,0': write it as MIN,MAX with MIN < MAX, e.g. -100,100"


def test_non_numeric_cell_is_an_error_or_counted(tmp_path):
    growth = ["0.01", "abc"] + ["0.02"] * 5 + ["0.03"] * 5
    f = line_table(tmp_path, growth=growth)
    msg = one_line_error(run(f, "--cx", "nps", "--outcome", "growth"), 3)
    assert msg == (
        f"{f}: outcome column 'growth', data row 2: 'abc' is not a number (nor 0/1, yes/no, "
        "true/false); fix the cell, or pass --drop-invalid to exclude such values"
    )
    d = doc(f, "--cx", "nps", "--outcome", "growth", "--drop-invalid", "--model", "ols")
    assert d["table"][0]["n"] == 11
    assert any("excluded 1 non-numeric values of 'growth'" in n for n in d["notes"])


def test_na_cells_are_missing_not_errors(tmp_path):
    f = line_table(tmp_path, growth=["NA", "n/a"] + ["0.02", "0.01"] * 5)
    d = doc(f, "--cx", "nps", "--outcome", "growth", "--model", "pearson")
    assert d["table"][0]["n"] == 10
    assert "nps vs growth, lag 0: 2 rows lack a value of growth and are left out" in d["notes"]


def test_duplicate_entity_period_rows_are_an_error_or_excluded(tmp_path):
    rows = [f"A{i},2026Q1,{10 * i},0.0{i}" for i in range(6)]
    rows += [f"A{i},2026Q2,{10 * i + 5},0.0{i}" for i in range(6)] + ["A1,2026Q1,50,0.09"]
    f = small_table(tmp_path, rows, header="account,quarter,nps,growth")
    args = ("--cx", "nps", "--outcome", "growth", "--entity", "account", "--time", "quarter")
    msg = one_line_error(run(f, *args), 3)
    assert msg == (
        f"{f}: 2 rows share their (account, quarter) with another row, first account='A1', "
        "quarter='2026Q1' at data rows 2, 13; keep one row per account and period (aggregate "
        "them first), or pass --drop-invalid to exclude every duplicated row"
    )
    d = doc(f, *args, "--drop-invalid", "--model", "ols")
    assert d["table"][0]["n"] == 11
    assert any(
        "excluded 2 rows whose (account, quarter) occurs more than once" in n for n in d["notes"]
    )


def test_blank_entity_is_an_error_or_excluded(tmp_path):
    rows = [f"A{i},{10 * i},0.0{i}" for i in range(8)] + [",30,0.05"]
    f = small_table(tmp_path, rows, header="account,nps,growth")
    args = ("--cx", "nps", "--outcome", "growth", "--entity", "account")
    msg = one_line_error(run(f, *args), 3)
    assert msg == (
        f"{f}: --entity column 'account', data row 9: is blank; fill it in, or pass "
        "--drop-invalid to exclude such rows"
    )
    d = doc(f, *args, "--drop-invalid", "--model", "pearson")
    assert d["table"][0]["n"] == 8
    assert f"{f}: excluded 1 rows with no 'account' (--drop-invalid)" in d["notes"]


def test_winsorize_caps_outcomes_and_counts_them(tmp_path):
    rng = np.random.default_rng(1)
    g = rng.normal(0, 0.02, 40)
    g[0] = 5.0
    f = line_table(tmp_path, n=40, growth=[f"{v:.5f}" for v in g])
    plain = doc(f, "--cx", "nps", "--outcome", "growth", "--model", "ols")
    assert any(
        "1 values of 'growth' lie more than 3 IQR beyond its quartiles" in n for n in plain["notes"]
    )
    capped = doc(f, "--cx", "nps", "--outcome", "growth", "--model", "ols", "--winsorize", "0.05")
    vals = np.array([float(f"{v:.5f}") for v in g])
    lo, hi = np.quantile(vals, [0.05, 0.95])  # numpy linear = R quantile type 7
    expected = int(((vals < lo) | (vals > hi)).sum())
    assert any(
        n.startswith(f"--winsorize 0.05: capped {expected} values of 'growth'")
        for n in capped["notes"]
    )
    import statsmodels.api as sm

    x = np.linspace(-60, 80, 40).astype(int).astype(float)
    ref = sm.OLS(np.clip(vals, lo, hi), sm.add_constant(x)).fit(cov_type="HC3")
    assert capped["table"][0]["estimate"] == pytest.approx(ref.params[1], rel=1e-9)
    msg = one_line_error(run(f, "--cx", "nps", "--outcome", "growth", "--winsorize", "0.7"), 2)
    assert msg == "--winsorize must be 0 or more and below 0.5 (e.g. 0.01; 0 caps nothing), not 0.7"


def test_constant_cx_gives_null_estimates_and_a_note(tmp_path):
    f = line_table(tmp_path, nps=["20"] * 12)
    d = doc(f, "--cx", "nps", "--outcome", "growth", "--outcome", "churned")
    assert all(r["estimate"] is None and r["p_adj"] is None for r in d["table"])
    assert (
        "pearson nps vs growth (lag 0): 'nps' is constant over the rows of nps vs growth"
        in d["notes"]
    )
    assert d["summary"]["headline"] == "No estimate for nps vs growth: see the notes"


def test_fewer_than_three_rows_gives_null_estimates_and_a_note(tmp_path):
    f = line_table(tmp_path, growth=["0.01", "0.02"] + [""] * 10)
    d = doc(f, "--cx", "nps", "--outcome", "growth")
    assert all(r["estimate"] is None for r in d["table"])
    assert "ols nps vs growth (lag 0): fewer than 3 usable rows for nps vs growth" in d["notes"]


def test_perfect_separation_gives_null_logit_and_a_note(tmp_path):
    churned = ["yes"] * 6 + ["no"] * 6  # the six lowest NPS churn, the others do not
    f = line_table(tmp_path, churned=churned)
    d = doc(f, "--cx", "nps", "--outcome", "churned", "--model", "logit")
    row = d["table"][0]
    assert row["estimate"] is None and row["per_10"] is None and row["p_value"] is None
    assert (
        "logit nps vs churned (lag 0): perfect separation: the outcome is predicted exactly, "
        "so the logit estimates are undefined"
    ) in d["notes"]


def test_small_bases_and_lag_drops_are_noted():
    d = doc(ACCOUNTS, *PANEL, "--outcome", "revenue_growth", "--lag", "2", "--model", "ols")
    assert any(n.startswith("lag 2: ") and "2 quarters later" in n for n in d["notes"])
    tiny = doc(ACCOUNTS, "--cx", "nps", "--outcome", "revenue_growth", "--model", "pearson")
    assert tiny["table"][0]["n_entities"] == 585  # no --entity: each row is its own entity


# ---- bad options and inputs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--lag", "-1"],
            "--lag -1: lags must be 0 or more (CX at t against the outcome at t + lag)",
        ),
        (["--lags", "0,x"], "--lags '0,x': write whole numbers separated by commas, e.g. 0,1,2"),
        (["--lag", "1", "--lags", "0,1"], "--lag and --lags contradict each other: pass one"),
        (["--model", "probit"], "--model 'probit': choose from pearson, spearman, ols, logit"),
        (
            ["--within", "--model", "logit"],
            "--within fits fixed-effects OLS only; drop --model or use --model ols",
        ),
        (["--confidence", "1.5"], "--confidence must be between 0 and 1, e.g. 0.95, not 1.5"),
        (["--bootstrap", "10"], "--bootstrap must be at least 100, not 10"),
        (
            ["--key", "account_id"],
            "--key goes with --survey/--finance; for an account FILE use --entity",
        ),
    ],
)
def test_bad_options_exit_2(args, message):
    assert one_line_error(run(ACCOUNTS, "--cx", "nps", "--outcome", "churned", *args), 2) == message


def test_missing_outcome_or_cx_or_column(tmp_path):
    msg = one_line_error(run(ACCOUNTS, "--cx", "nps"), 2)
    assert msg.startswith("name the outcome column with --outcome (repeatable); columns are: ")
    msg = one_line_error(run(ACCOUNTS, "--outcome", "churned"), 2)
    assert msg.startswith("name the CX score column with --cx (repeatable); columns are: ")
    msg = one_line_error(run(ACCOUNTS, "--cx", "nps", "--outcome", "profit"), 3)
    assert msg.startswith(f"{ACCOUNTS}: no column 'profit' (named by --outcome); columns are: ")
    msg = one_line_error(run(ACCOUNTS, "--cx", "nps", "--outcome", "churned", "--lag", "1"), 2)
    assert msg == "--lag needs --time: name the period column (e.g. --time quarter)"
    msg = one_line_error(run(ACCOUNTS, "--cx", "nps", "--outcome", "churned", "--within"), 2)
    assert msg == "--within needs --entity (the account column) and several periods"
    msg = one_line_error(run(ACCOUNTS, "--cx", "nps", "--outcome", "nps"), 2)
    assert msg == "'nps' is given as both --cx and --outcome"


def test_survey_mode_errors(tmp_path):
    r, f = ROI / "responses.csv", ROI / "finance.csv"
    assert one_line_error(run("--survey", r), 2) == "--survey and --finance go together: pass both"
    assert one_line_error(run("--survey", r, "--finance", f), 2) == (
        "--survey needs --key: the account column in both files"
    )
    assert one_line_error(run(ACCOUNTS, "--survey", r, "--finance", f, "--key", "a"), 2) == (
        "pass either an account FILE or --survey/--finance, not both"
    )
    msg = one_line_error(
        run("--survey", r, "--finance", f, "--key", "account_id", "--cx", "median:nps"), 2
    )
    assert msg.startswith("--cx 'median:nps': with --survey write nps:COLUMN (0-10 answers)")
    msg = one_line_error(
        run(
            "--survey",
            r,
            "--finance",
            f,
            "--key",
            "acct",
            "--cx",
            "nps:nps",
            "--outcome",
            "churned",
        ),
        3,
    )
    assert msg.startswith(f"{f}: no column 'acct' (named by --key); columns are: ")
    bad = write(tmp_path / "resp.csv", "account_id,nps\nA0001,11\nA0002,7\n")
    args = (
        "--survey",
        bad,
        "--finance",
        f,
        "--key",
        "account_id",
        "--cx",
        "nps:nps",
        "--outcome",
        "churned",
        "--min-responses",
        "1",
    )
    msg = one_line_error(run(*args), 3)
    assert msg == (
        f"{bad}: column 'nps', data row 1: '11' is not a 0-10 recommend answer; fix it, or "
        "pass --drop-invalid to exclude such answers"
    )
    res = run(*args, "--drop-invalid", "-f", "json")
    assert res.exit_code == 0, res.output
    notes = json.loads(res.stdout)["notes"]
    assert f"{bad}: excluded 1 answers of 'nps' that are not 0-10 (--drop-invalid)" in notes


def test_binary_outcome_yes_no_true_false_and_parquet_input(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 30
    nps = np.linspace(-80, 80, n)
    churn = np.array([i % 2 == 0 if i < 15 else i % 5 == 0 for i in range(n)])
    path = tmp_path / "acc.parquet"
    pq.write_table(pa.table({"nps": nps, "churned": churn}), path)
    d = doc(path, "--cx", "nps", "--outcome", "churned", "--model", "logit")
    assert d["provenance"]["parameters"]["binary_outcomes"] == ["churned"]
    import statsmodels.api as sm

    ref = sm.Logit(churn.astype(float), sm.add_constant(nps)).fit(disp=0)
    assert d["table"][0]["per_10"] == pytest.approx(np.exp(10 * ref.params[1]), rel=1e-8)


def test_month_and_text_periods(tmp_path):
    rows = []
    for i in range(10):
        for m, label in enumerate(["2026-01", "2026-02", "2026-04"]):
            rows.append(f"A{i},{label},{10 * i - 40 + m},{0.001 * i + 0.01 * m}")
    f = small_table(tmp_path, rows, header="account,month,nps,growth")
    d = doc(
        f,
        "--cx",
        "nps",
        "--outcome",
        "growth",
        "--entity",
        "account",
        "--time",
        "month",
        "--lag",
        "1",
        "--model",
        "ols",
    )
    # 2026-02 -> 2026-03 is missing: only 2026-01 -> 2026-02 pairs remain
    assert d["table"][0]["n"] == 10
    assert d["provenance"]["parameters"]["period_unit"] == "month"
    text = write(tmp_path / "t.csv", f.read_text().replace("2026-0", "wave "))
    d = doc(
        text,
        "--cx",
        "nps",
        "--outcome",
        "growth",
        "--entity",
        "account",
        "--time",
        "month",
        "--lag",
        "1",
        "--model",
        "ols",
    )
    assert d["table"][0]["n"] == 20
    assert any("ordered as text" in n for n in d["notes"])


# ---- project-level ------------------------------------------------------------------------


def test_roi_generator_reproduces_the_bundled_files(tmp_path):
    script = tmp_path / "make_roi.py"
    shutil.copy(EXAMPLES / "make_roi.py", script)
    subprocess.run([sys.executable, str(script)], check=True, cwd=tmp_path)
    for name in ("accounts.csv", "finance.csv", "responses.csv", "cxkit.toml"):
        assert (tmp_path / "roi" / name).read_bytes() == (ROI / name).read_bytes(), name
        assert (ROI / name).stat().st_size < 1_000_000


def test_fixture_is_a_frozen_copy_of_the_example():
    assert (ROOT / "tests" / "reference" / "roi_fixture.csv").read_bytes() == ACCOUNTS.read_bytes()


@pytest.mark.parametrize("args", [["roi", "--help"], ["roi", "x.csv", "--lag", "-2"]])
def test_roi_help_and_option_errors_do_not_import_heavy_modules(args):
    assert loaded_by(args) == []


def test_within_headline_binary_lpm_note_and_index_step():
    r, f = ROI / "responses.csv", ROI / "finance.csv"
    res = run(
        "--survey",
        r,
        "--finance",
        f,
        "--key",
        "account_id",
        "--time",
        "quarter",
        "--cx",
        "index",
        "--outcome",
        "churned",
        "--lag",
        "1",
        "--within",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["summary"]["headline"].startswith(
        "When an account's centricity_index is 1 point above its own average, it is "
    )
    assert (
        "--within: churned is binary, so ols_fe is a linear probability model: its estimate "
        "is the change in probability per CX point"
    ) in d["notes"]
    assert d["provenance"]["config"]["path"].endswith("cxkit.toml")
    assert any(
        "3828 responses scored 585 account-periods: median 7 responses each" in n
        for n in d["notes"]
    )


def test_unknown_cx_range_is_noted_and_one_account_cannot_cluster(tmp_path):
    rows = [f"A1,{q},{3 + q % 2},{0.01 * q}" for q in range(1, 7)]
    f = small_table(tmp_path, rows, header="account,period,csat,growth")
    d = doc(
        f,
        "--cx",
        "csat",
        "--outcome",
        "growth",
        "--entity",
        "account",
        "--model",
        "ols",
        "--no-config",
    )
    assert (
        "no valid range is known for CX column 'csat', so its values are not range-checked; "
        "pass --cx-range MIN,MAX (or set [scale] in cxkit.toml)"
    ) in d["notes"]
    assert d["table"][0]["estimate"] is None
    assert (
        "ols csat vs growth (lag 0): csat vs growth: cluster-robust errors need at least 2 accounts"
    ) in d["notes"]


def test_hc3_with_a_leverage_one_row_gives_a_null_interval_and_a_note(tmp_path):
    rows = [
        f"A{i},{10 * i - 50},{0.001 * i + 0.01 * (i % 3)},{'x' if i == 0 else 'y'}"
        for i in range(12)
    ]
    f = small_table(tmp_path, rows, header="account,nps,growth,segment")
    d = doc(f, "--cx", "nps", "--outcome", "growth", "--control", "segment", "--model", "ols")
    row = d["table"][0]
    assert row["estimate"] is not None and row["ci_low"] is None and row["p_value"] is None
    assert (
        "ols nps vs growth (lag 0): its standard error is undefined (a row with leverage 1, "
        "e.g. a control category with a single account)"
    ) in d["notes"]


def test_yes_no_outcome_with_another_value_names_it(tmp_path):
    churned = ["yes", "no", "maybe"] + ["no", "yes"] * 4 + ["no"]
    f = line_table(tmp_path, churned=churned)
    msg = one_line_error(run(f, "--cx", "nps", "--outcome", "churned"), 3)
    assert msg == (
        f"{f}: outcome column 'churned', data row 3: 'maybe' is not 0/1, yes/no or true/false; "
        "fix the cell, or pass --drop-invalid to exclude such values"
    )
    d = doc(f, "--cx", "nps", "--outcome", "churned", "--drop-invalid", "--model", "logit")
    assert d["table"][0]["n"] == 11
    assert any(
        "excluded 1 values of 'churned' that are not 0/1, yes/no or true/false" in n
        for n in d["notes"]
    )
