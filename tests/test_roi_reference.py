"""cxkit.roi against R (tests/reference/roi_reference.R -> roi_reference.json).

The fixture ``roi_fixture.csv`` is a frozen copy of ``examples/roi/accounts.csv``; the R
script reads it on its own (base R read.csv, cor.test, lm, glm; sandwich::vcovHC /
vcovCL; lmtest::coeftest / coefci). Every number must agree within 1e-6 (relative).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow.compute as pc
import pytest

from cxkit.read import RawTable, read_table
from cxkit.roi import roi
from cxkit.roi_data import AccountSpec, panel_from_table
from cxkit.roi_models import spearman_bootstrap

from .conftest import REFERENCE

TOL = 1e-6
REF = json.loads((REFERENCE / "roi_reference.json").read_text())


def close(got, want):
    return math.isclose(float(got), float(want), rel_tol=TOL, abs_tol=1e-300)


def _raw(single: bool) -> RawTable:
    raw = read_table(REFERENCE / "roi_fixture.csv")
    if single:  # the 2026Q1 rows: one row per account
        table = raw.table.filter(pc.equal(raw.table.column("quarter"), "2026Q1"))
        return RawTable(table, raw.source, raw.notes)
    return raw


def _run(single: bool, outcomes, controls=(), lags=(0,), **kw):
    spec = AccountSpec(
        cx=["nps"],
        outcomes=outcomes,
        entity="account_id",
        time=None if single else "quarter",
        controls=controls,
        weight=kw.pop("weight", None),
    )
    result = roi(panel_from_table(_raw(single), spec), lags=lags, **kw)
    return {r["model"]: r for r in result.table.to_dict("records")}


def _check(row, ref, keys):
    for ours, theirs in keys.items():
        assert close(row[ours], ref[theirs]), (ours, row[ours], ref[theirs])
    assert row["n"] == ref["n"]


SLOPE = {
    "estimate": "estimate",
    "ci_low": "ci_low",
    "ci_high": "ci_high",
    "p_value": "p_value",
    "r_squared": "r_squared",
}
LOGIT = {
    "estimate": "ame",
    "ci_low": "ame_ci_low",
    "ci_high": "ame_ci_high",
    "p_value": "p_value",
    "per_10": "or_10",
    "per_10_ci_low": "or_10_ci_low",
    "per_10_ci_high": "or_10_ci_high",
    "r_squared": "mcfadden",
}


def test_pearson_and_spearman_match_cor_test_one_row_per_account():
    rows = _run(True, ["revenue_growth"], models=["pearson", "spearman"])
    ref = REF["single"]
    _check(
        rows["pearson"],
        ref["pearson"],
        dict.fromkeys(["estimate", "ci_low", "ci_high", "p_value"])
        | {"estimate": "estimate", "ci_low": "ci_low", "ci_high": "ci_high", "p_value": "p_value"},
    )
    _check(rows["spearman"], ref["spearman"], {"estimate": "estimate", "p_value": "p_value"})
    assert rows["pearson"]["cov_type"] == "fisher_z"


def test_ols_hc3_matches_lm_sandwich_hc3():
    rows = _run(True, ["revenue_growth"], controls=["segment"], models=["ols"])
    row = rows["ols"]
    _check(row, REF["single"]["ols_hc3"], SLOPE)
    assert row["cov_type"] == "HC3"
    assert close(row["per_10"], 10 * REF["single"]["ols_hc3"]["estimate"])
    assert close(row["per_10_ci_low"], 10 * REF["single"]["ols_hc3"]["ci_low"])


def test_weighted_ols_hc3_matches_lm_weights_sandwich_hc3():
    rows = _run(
        True, ["revenue_growth"], controls=["segment"], models=["ols"], weight="respondents"
    )
    _check(rows["ols"], REF["single"]["ols_hc3_weighted"], SLOPE)


def test_logit_matches_glm_binomial():
    rows = _run(True, ["churned"], models=["logit"])
    row = rows["logit"]
    _check(row, REF["single"]["logit"], LOGIT)
    assert row["cov_type"] == "nonrobust"


def test_lag1_cluster_robust_ols_and_logit_match_vcovcl_hc1():
    rows = _run(False, ["revenue_growth"], controls=["segment"], lags=[1])
    ref = REF["lag1"]
    _check(rows["ols"], ref["ols_cluster"], SLOPE)
    assert rows["ols"]["cov_type"] == "cluster"
    assert rows["ols"]["n_entities"] == ref["n_entities"]
    _check(
        rows["pearson"],
        ref["pearson"],
        {"estimate": "estimate", "ci_low": "ci_low", "ci_high": "ci_high", "p_value": "p_value"},
    )
    _check(rows["spearman"], ref["spearman"], {"estimate": "estimate", "p_value": "p_value"})
    logit_rows = _run(False, ["churned"], controls=["segment"], lags=[1], models=["logit"])
    _check(logit_rows["logit"], ref["logit_cluster"], LOGIT)
    assert logit_rows["logit"]["cov_type"] == "cluster"


def test_within_fixed_effects_match_lm_with_account_dummies():
    rows = _run(False, ["revenue_growth"], lags=[1], within=True)
    _check(rows["ols_fe"], REF["lag1"]["ols_fe"], SLOPE)


def test_holm_p_adj_is_statsmodels_multipletests_over_the_whole_run():
    from statsmodels.stats.multitest import multipletests

    spec = AccountSpec(
        cx=["nps"], outcomes=["revenue_growth", "churned"], entity="account_id", time="quarter"
    )
    table = roi(panel_from_table(_raw(False), spec), lags=[0, 1, 2]).table
    expected = multipletests(table["p_value"].to_numpy(), method="holm")[1]
    np.testing.assert_allclose(table["p_adj"].to_numpy(), expected, rtol=1e-12)
    assert len(table) == 2 * 3 * 3


@pytest.mark.parametrize(("per_entity", "tied"), [(1, False), (3, False), (1, True), (4, True)])
def test_spearman_bootstrap_resamples_entities_as_documented(per_entity, tied):
    """Re-derive the entity bootstrap by expanding every resample and ranking it with scipy
    (same draws, same seed): count-weighted mid-ranks must give the same numbers."""
    import warnings

    from scipy import stats

    rng = np.random.default_rng(5)
    n_groups = 6 if tied else 25
    groups = np.repeat(np.array([f"a{i}" for i in range(n_groups)]), per_entity)
    x = rng.normal(size=groups.size)
    y = x + rng.normal(size=groups.size)
    if tied:  # few distinct values: ties everywhere, and some resamples are constant
        x, y = np.round(x), np.round(y / 2)
    boot, ci = spearman_bootstrap(x, y, groups, 300, 11, 0.9)
    uniq = np.unique(groups)
    draws = np.random.default_rng(11).integers(0, uniq.size, size=(300, uniq.size))
    want = []
    for d in draws:
        rows = np.concatenate([np.flatnonzero(groups == uniq[g]) for g in d])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want.append(stats.spearmanr(x[rows], y[rows]).statistic)
    want = np.array(want)
    np.testing.assert_allclose(boot, want, rtol=1e-10, atol=1e-12)
    ok = want[np.isfinite(want)]
    np.testing.assert_allclose(ci, np.quantile(ok, [0.05, 0.95]), rtol=1e-10)
    if tied and per_entity == 1:
        assert np.isnan(want).any()  # the constant resamples are there, and left out


def test_spearman_bootstrap_interval_agrees_with_bonett_wright_on_large_samples():
    """Independent check of the width: Bonett & Wright (2000) Fisher-z interval for rho,
    var(z) = (1 + rho^2 / 2) / (n - 3); the bootstrap should agree to Monte Carlo error."""
    rng = np.random.default_rng(3)
    n = 600
    x = rng.normal(size=n)
    y = 0.5 * x + rng.normal(size=n)
    groups = np.arange(n)
    from scipy import stats

    rho = stats.spearmanr(x, y).statistic
    se = math.sqrt((1 + rho**2 / 2) / (n - 3))
    lo, hi = np.tanh(np.arctanh(rho) + np.array([-1, 1]) * 1.959964 * se)
    _, ci = spearman_bootstrap(x, y, groups, 2000, 1, 0.95)
    assert ci[0] == pytest.approx(lo, abs=0.015)
    assert ci[1] == pytest.approx(hi, abs=0.015)


def test_standardised_slope_without_controls_is_pearson_r():
    """slope · sd(x) / sd(y) of a one-predictor OLS equals Pearson's r (cor.test above)."""
    spec = AccountSpec(cx=["nps"], outcomes=["revenue_growth"], entity="account_id")
    result = roi(panel_from_table(_raw(True), spec), models=["ols"])
    std = result.summary["standardised_slopes"][0]["standardised_slope"]
    assert close(std, REF["single"]["pearson"]["estimate"])
