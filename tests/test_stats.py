"""Closed-form estimators against the library implementations they replace."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from cxkit import stats

counts = st.tuples(st.integers(1, 400), st.integers(1, 400)).flatmap(
    lambda n: st.tuples(st.integers(0, n[0]), st.just(n[0]), st.integers(0, n[1]), st.just(n[1]))
)


@settings(max_examples=200, deadline=None)
@given(counts, st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_matches_statsmodels(c, conf):
    k, n = c[0], c[1]
    lo, hi = stats.wilson_interval(k, n, conf)
    ref = proportion_confint(k, n, alpha=1 - conf, method="wilson")
    assert (float(lo), float(hi)) == pytest.approx(ref, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(counts)
def test_newcombe_matches_statsmodels(c):
    k1, n1, k2, n2 = c
    d, lo, hi = stats.newcombe_diff_interval(k1, n1, k2, n2)
    ref = confint_proportions_2indep(k1, n1, k2, n2, compare="diff", method="newcomb")
    assert float(d) == pytest.approx(k1 / n1 - k2 / n2)
    assert (float(lo), float(hi)) == pytest.approx(ref, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(counts)
def test_katz_matches_statsmodels(c):
    k1, n1, k2, n2 = c
    r, lo, hi = stats.katz_ratio_interval(k1, n1, k2, n2)
    if k1 == 0 or k2 == 0:
        assert np.isnan(lo) and np.isnan(hi)
        if k2 == 0:
            assert np.isinf(r) if k1 > 0 else np.isnan(r)
        return
    ref = confint_proportions_2indep(k1, n1, k2, n2, compare="ratio", method="log")
    assert float(r) == pytest.approx((k1 / n1) / (k2 / n2))
    assert (float(lo), float(hi)) == pytest.approx(ref, rel=1e-10)


@settings(max_examples=200, deadline=None)
@given(counts)
def test_pooled_z_matches_statsmodels(c):
    k1, n1, k2, n2 = c
    p = float(stats.pooled_z_test(k1, n1, k2, n2))
    pooled = (k1 + k2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        assert np.isnan(p)
        return
    _, ref = proportions_ztest([k1, k2], [n1, n2])  # pooled variance by default
    assert p == pytest.approx(ref, rel=1e-9, abs=1e-300)


@pytest.mark.filterwarnings("ignore:Precision loss occurred")
@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(1, 5), min_size=2, max_size=60),
    st.lists(st.integers(1, 5), min_size=2, max_size=60),
)
def test_welch_matches_scipy(a, b):
    a, b = np.array(a, float), np.array(b, float)
    _d, lo, hi, p = stats.welch_diff(
        a.mean(), a.var(ddof=1), a.size, b.mean(), b.var(ddof=1), b.size, 0.95
    )
    if a.var() == 0 and b.var() == 0:
        assert np.isnan(p) and np.isnan(lo)
        return
    ref = sps.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert float(p) == pytest.approx(ref.pvalue, rel=1e-8, abs=1e-300)
    assert (float(lo), float(hi)) == pytest.approx((ci.low, ci.high), rel=1e-8)


def test_weighted_welch_matches_statsmodels_descrstatsw():
    # Weights rescaled to sum to the Kish effective n make DescrStatsW's nobs = neff, so its
    # unequal-variance t interval is an independent computation of ours.
    rng = np.random.default_rng(1)
    x1, x2 = rng.integers(1, 6, 80).astype(float), rng.integers(1, 6, 120).astype(float)
    w1, w2 = rng.uniform(0.3, 2.5, 80), rng.uniform(0.3, 2.5, 120)

    def ours(x, w):
        sw, sw2 = w.sum(), (w * w).sum()
        neff = sw * sw / sw2
        m = (w * x).sum() / sw
        var = (neff / sw) * (w * (x - m) ** 2).sum() / (neff - 1)
        return m, var, neff

    m1, v1, e1 = ours(x1, w1)
    m2, v2, e2 = ours(x2, w2)
    _, lo, hi, p = stats.welch_diff(m1, v1, e1, m2, v2, e2, 0.95)
    d1 = DescrStatsW(x1, weights=w1 * e1 / w1.sum())
    d2 = DescrStatsW(x2, weights=w2 * e2 / w2.sum())
    cm = CompareMeans(d1, d2)
    ref_lo, ref_hi = cm.tconfint_diff(alpha=0.05, usevar="unequal")
    ref_p = cm.ttest_ind(usevar="unequal")[1]
    assert (float(lo), float(hi)) == pytest.approx((ref_lo, ref_hi), rel=1e-10)
    assert float(p) == pytest.approx(ref_p, rel=1e-8)


def test_holm_matches_statsmodels():
    rng = np.random.default_rng(7)
    p = rng.uniform(0, 0.2, 25)
    ref = multipletests(p, method="holm")[1]
    assert stats.holm(p) == pytest.approx(ref, rel=1e-12)


def test_holm_leaves_nan_out_of_the_family():
    p = np.array([0.01, np.nan, 0.02])
    ref = multipletests([0.01, 0.02], method="holm")[1]
    out = stats.holm(p)
    assert np.isnan(out[1])
    assert out[[0, 2]] == pytest.approx(ref)


def test_hedges_g_published_value():
    # Hedges & Olkin (1985) correction J = 1 - 3/(4 df - 1), df = n1 + n2 - 2:
    # means 10 and 8, SD 2 in both groups of 10 -> d = 1, J = 1 - 3/71, g = 0.957746...
    g = stats.hedges_g(10.0, 4.0, 10, 8.0, 4.0, 10)
    assert float(g) == pytest.approx(1 - 3 / 71, rel=1e-12)


def test_empty_groups_give_nan_not_errors():
    lo, hi = stats.wilson_interval(0, 0)
    assert np.isnan(lo) and np.isnan(hi)
    _d, lo, hi, p = stats.welch_diff(3.0, np.nan, 1, 2.0, 1.0, 10)
    assert np.isnan(lo) and np.isnan(p)
    assert np.isnan(stats.hedges_g(3.0, np.nan, 1, 2.0, 1.0, 10))
    assert np.isnan(stats.pooled_z_test(0, 0, 1, 5))


def test_kish_neff_of_equal_weights_is_n():
    assert float(stats.kish_neff(7.0 * 2.5, 7.0 * 2.5**2)) == pytest.approx(7.0)


@pytest.mark.parametrize("conf", [0.5, 0.9, 0.95, 0.999, 0.999999, 1 - 1e-12, 0.9999999999999999])
def test_critical_values_match_scipy_up_to_a_confidence_next_to_one(conf):
    """z and t from the lower tail: ``0.5 + conf / 2`` is 1.0 for the last level (it crashed
    NormalDist.inv_cdf) and loses digits well before; scipy's isf on the tail is the check."""
    from scipy import stats as sps

    from cxkit.stats import t_crit, z_crit

    tail = (1 - conf) / 2
    assert z_crit(conf) == pytest.approx(sps.norm.isf(tail), rel=1e-12)
    df = np.array([1.0, 3.0, 10.0, 250.0])
    np.testing.assert_allclose(t_crit(df, conf), sps.t.isf(tail, df), rtol=1e-9)


@pytest.mark.parametrize(
    "argv",
    [
        ["gap"],
        ["nps"],
        ["metric"],
        ["drivers", "--bootstrap", "20"],
    ],
)
def test_a_confidence_next_to_one_runs_and_keeps_intervals_finite(argv):
    import json

    from typer.testing import CliRunner

    from cxkit.cli import app

    from .conftest import EXAMPLES

    args = [argv[0], str(EXAMPLES / "centricity_survey.csv"), *argv[1:]]
    res = CliRunner().invoke(app, [*args, "--confidence", "0.9999999999999999", "-f", "json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)["summary"]
    bounds = [v for k, v in summary.items() if k.endswith(("_ci_low", "_ci_high"))]
    assert bounds and all(v is None or np.isfinite(v) for v in bounds), summary
