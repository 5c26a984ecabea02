"""Wrong numbers with exit 0 that a QA sweep (2026-12) found in the models of ``roi`` and in
``nps``: each now gives the right number, a null with a note, or a one-line error. Expected
values come from an independent computation written beside them (numpy lstsq, numpy
corrcoef, counting answers by hand)."""

from __future__ import annotations

import csv
import json
import types
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import cxkit
from cxkit.cli import app
from cxkit.roi_report import projection

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()
PANEL = ["--cx", "nps", "--entity", "account_id", "--time", "quarter"]


def _accounts(path: Path, weights: bool = False) -> Path:
    """30 accounts x 4 quarters: growth = 0.001 nps + noise, churn falls with nps; ``nps2`` is
    2 nps and ``segcode`` the 0/1 code of ``segment`` (collinear by construction); ``zeroed``
    is 2 nps on the rows with weight > 0 and noise where the weight is 0."""
    rng = np.random.default_rng(7)
    rows = []
    for i in range(30):
        seg = ("Ent", "SMB")[i % 2]
        for q in ("2025Q3", "2025Q4", "2026Q1", "2026Q2"):
            nps = int(rng.integers(-100, 101))
            w = 0.0 if weights and len(rows) % 5 == 0 else 1.0 + len(rows) % 3
            rows.append(
                {
                    "account_id": f"A{i:02d}",
                    "quarter": q,
                    "segment": seg,
                    "segcode": int(seg == "SMB"),
                    "nps": nps,
                    "nps2": 2 * nps,
                    "zeroed": 2 * nps if w > 0 else int(rng.integers(-100, 101)),
                    "w": w,
                    "growth": round(0.001 * nps + float(rng.normal(0, 0.05)), 4),
                    "churned": int(rng.random() < 0.5 - nps / 400),
                    "revenue": round(float(rng.uniform(50, 500)), 1),
                    "negrev": -round(float(rng.uniform(50, 500)), 1),
                }
            )
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _roi(*args: object):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        res = runner.invoke(app, ["roi", *[str(a) for a in args], "-f", "json"])
    return res, [str(w.category.__name__) for w in seen]


# --- 1. roi: an exactly collinear control -------------------------------------------------------
@pytest.mark.parametrize(
    ("controls", "named"),
    [
        (["nps2"], "control 'nps2' and CX 'nps' are exactly collinear"),
        (["segment", "segcode"], "controls 'segment' and 'segcode' are exactly collinear"),
    ],
    ids=["twice-the-cx", "two-codes-of-one-variable"],
)
@pytest.mark.parametrize(("outcome", "model"), [("growth", "ols"), ("churned", "logit")])
def test_a_collinear_control_gives_a_null_estimate_with_a_note(
    tmp_path, controls, named, outcome, model
):
    data = _accounts(tmp_path / "acc.csv")
    ctrl = [a for c in controls for a in ("--control", c)]
    res, seen = _roi(data, *PANEL, "--outcome", outcome, *ctrl, "--model", model)
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)["table"]
    # before: ols gave 0.000215 (CI 0.000197-0.000234, p 1e-20) for a slope that is any
    # number at all, with statsmodels' SingularMatrixWarning on stderr
    for key in ("estimate", "ci_low", "ci_high", "p_value", "per_10"):
        assert row[key] is None, row
    note = next(n for n in json.loads(res.stdout)["notes"] if f"{model} nps vs" in n)
    assert named in note and "the estimates are undefined" in note, note
    assert "SingularMatrixWarning" not in seen and "Warning" not in res.stderr, res.stderr


def test_the_rank_is_that_of_the_weighted_design_actually_fitted(tmp_path):
    data = _accounts(tmp_path / "acc.csv", weights=True)
    args = [data, *PANEL, "--outcome", "growth", "--control", "zeroed", "--model", "ols"]
    # unweighted, 'zeroed' differs from 2 nps on the rows of weight 0: a full-rank design
    res, _ = _roi(*args)
    assert json.loads(res.stdout)["table"][0]["estimate"] is not None
    # weighted, those rows have no weight: 'zeroed' is 2 nps in every row the fit uses
    res, seen = _roi(*args, "--weight", "w")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["table"][0]["estimate"] is None
    assert any("control 'zeroed' and CX 'nps'" in n for n in json.loads(res.stdout)["notes"])
    assert "SingularMatrixWarning" not in seen


def test_a_control_that_is_not_collinear_still_gives_the_least_squares_slope(tmp_path):
    data = _accounts(tmp_path / "acc.csv")
    res, seen = _roi(data, *PANEL, "--outcome", "growth", "--control", "segment", "--model", "ols")
    (row,) = json.loads(res.stdout)["table"]
    # independent: numpy lstsq of growth on [1, nps, segment == SMB]
    df = pd.read_csv(data)
    exog = np.column_stack([np.ones(len(df)), df["nps"], df["segment"] == "SMB"]).astype(float)
    slope = np.linalg.lstsq(exog, df["growth"].to_numpy(float), rcond=None)[0][1]
    assert row["estimate"] == pytest.approx(slope, rel=1e-9)
    assert row["ci_low"] < slope < row["ci_high"]
    assert "SingularMatrixWarning" not in seen


# --- 2. roi --improve --revenue: ordered bounds, a negative revenue level refused ---------------
def test_a_negative_revenue_is_an_input_error_naming_the_row(tmp_path):
    data = _accounts(tmp_path / "acc.csv")
    res = runner.invoke(
        app,
        ["roi", str(data), *PANEL, "--outcome", "growth", "--improve", "10", "--revenue", "negrev"],
    )
    # before: exit 0 with revenue_change -3.11 and ci_low -2.85 > ci_high -3.38
    first = pd.read_csv(data)["negrev"].iloc[0]
    assert one_line_error(res, 3) == (
        f"{data}: revenue column 'negrev', data row 1: {first:g} is negative; --revenue is "
        "each account's revenue (a level, >= 0), by which --improve converts a rate into "
        "currency: pass a revenue column, not a revenue change"
    )


def test_revenue_change_is_slope_times_improve_times_mean_revenue(tmp_path):
    data = _accounts(tmp_path / "acc.csv")
    res, _ = _roi(
        data, *PANEL, "--outcome", "growth", "--model", "ols", "--improve", "10", "--revenue",
        "revenue",
    )  # fmt: skip
    (row,) = json.loads(res.stdout)["table"]
    df = pd.read_csv(data)
    exog = np.column_stack([np.ones(len(df)), df["nps"]]).astype(float)
    slope = np.linalg.lstsq(exog, df["growth"].to_numpy(float), rcond=None)[0][1]
    # independent: 10 points x lstsq slope (growth as a fraction) x mean revenue per row
    assert row["revenue_change"] == pytest.approx(10 * slope * df["revenue"].mean(), rel=1e-9)
    assert row["revenue_change_ci_low"] < row["revenue_change"] < row["revenue_change_ci_high"]


def test_projection_bounds_stay_ordered_when_the_revenue_factor_is_negative():
    table = pd.DataFrame(
        {
            "cx": ["nps"],
            "outcome": ["growth"],
            "model": ["ols"],
            "lag": [0],
            "n": [100],
            "n_entities": [25],
            "estimate": [0.002],
            "ci_low": [0.001],
            "ci_high": [0.003],
        }
    )
    panel = types.SimpleNamespace(
        revenue_col="rev",
        binary=set(),
        frame=pd.DataFrame({"growth": [0.01, -0.02, 0.03]}),
        period_unit="quarter",
    )
    out, _, _ = projection(table, panel, 10.0, {("nps", "growth", 0): -200.0}, {})
    row = out.iloc[0]
    # by hand: 10 x [0.001, 0.002, 0.003] x -200 = [-2, -4, -6]
    assert row["revenue_change"] == pytest.approx(-4.0)
    assert (row["revenue_change_ci_low"], row["revenue_change_ci_high"]) == pytest.approx(
        (-6.0, -2.0)
    )


# --- 3. nps --col on a 1-5 item ------------------------------------------------------------------
def test_nps_of_a_configured_1_to_5_item_is_an_input_error():
    survey = EXAMPLES / "centricity_survey.csv"
    res = runner.invoke(app, ["nps", str(survey), "--col", "sa_1"])
    # before: exit 0, "NPS -100 ... 100% detractors"
    expected = (
        f"{survey}: column 'sa_1' is an item in {EXAMPLES / 'cxkit.toml'} on the 1-5 scale; NPS "
        "needs the 0-10 likelihood-to-recommend answer: name that column (--col NAME)"
    )
    assert one_line_error(res, 3) == expected
    with pytest.raises(cxkit.InputError) as err:
        cxkit.nps(cxkit.read_survey(survey), "sa_1")
    assert str(err.value) == expected


def test_nps_of_an_unconfigured_column_of_1_to_5_answers_has_a_note(tmp_path):
    answers = [1, 2, 3, 4, 5, 5, 4, 3, 4, 5]
    path = tmp_path / "s.csv"
    path.write_text("q,r\n" + "".join(f"{a},{a * 2}\n" for a in answers), encoding="utf-8")
    res = runner.invoke(app, ["nps", str(path), "--col", "q", "--no-config", "-f", "json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    # by hand: no answer is 9-10 and all 10 are 0-6: NPS = 100 x (0 - 10/10) = -100
    assert d["table"][0]["nps"] == -100.0 and d["table"][0]["n"] == 10
    assert any("every answer in 'q' lies within 1-5" in n for n in d["notes"]), d["notes"]
    # a 0-10 column with answers above 5 (here 2-10) has no such note
    res = runner.invoke(app, ["nps", str(path), "--col", "r", "--no-config", "-f", "json"])
    d = json.loads(res.stdout)
    # by hand: 9-10: the three 5s -> 10; 0-6: 1, 2, 3, 3 -> 2, 4, 6, 6: NPS = 100 (3 - 4) / 10
    assert d["table"][0]["nps"] == pytest.approx(-10.0)
    assert not any("lies within 1-5" in n for n in d["notes"]), d["notes"]


# --- 4. roi --bootstrap is checked only where a model resamples ----------------------------------
@pytest.mark.parametrize("model", ["pearson", "ols"])
def test_bootstrap_below_100_is_fine_with_a_model_that_does_not_resample(tmp_path, model):
    data = _accounts(tmp_path / "acc.csv")
    res, _ = _roi(data, *PANEL, "--outcome", "growth", "--model", model, "--bootstrap", "10")
    # before: exit 2 "--bootstrap must be at least 100, not 10"
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)["table"]
    df = pd.read_csv(data)
    if model == "pearson":  # independent: numpy corrcoef
        assert row["estimate"] == pytest.approx(np.corrcoef(df["nps"], df["growth"])[0, 1])
    else:  # independent: numpy lstsq
        exog = np.column_stack([np.ones(len(df)), df["nps"]]).astype(float)
        slope = np.linalg.lstsq(exog, df["growth"].to_numpy(float), rcond=None)[0][1]
        assert row["estimate"] == pytest.approx(slope, rel=1e-9)


def test_bootstrap_below_100_still_refused_where_spearman_runs(tmp_path):
    data = _accounts(tmp_path / "acc.csv")
    for model in (["--model", "spearman"], []):
        res = runner.invoke(
            app, ["roi", str(data), *PANEL, "--outcome", "growth", *model, "--bootstrap", "10"]
        )
        assert one_line_error(res, 2) == "--bootstrap must be at least 100, not 10"
    res, _ = _roi(data, *PANEL, "--outcome", "growth", "--within", "--bootstrap", "10")
    assert res.exit_code == 0, res.output
    panel = cxkit.read_accounts(
        data, cxkit.AccountSpec(cx=["nps"], outcomes=["growth"], entity="account_id")
    )
    assert cxkit.roi(panel, models=["pearson"], n_boot=10).table["estimate"].notna().all()
    with pytest.raises(cxkit.UsageError, match="--bootstrap must be at least 100"):
        cxkit.roi(panel, models=["spearman"], n_boot=10)
