"""cxkit drivers and cxkit.importance against R and against brute force.

R (tests/reference/metrics_reference.R, block "drivers"): Johnson's relative weights in base
R (eigen of the predictors' correlation matrix), LMG by fitting all 2^6 subset regressions
with lm() (weights= for the weighted case) and averaging R² increments with Shapley weights,
and cor.test() Fisher intervals. Fixture: the first 200 customer rows of the planted-driver
example, frozen in tests/reference/drivers_fixture.csv.
"""

from __future__ import annotations

import json
import math
from itertools import combinations

import numpy as np
import pytest

import cxkit
from cxkit.drivers import drivers
from cxkit.importance import lmg, relative_weights, subset_r2, weighted_corr
from cxkit.study import Scale
from cxkit.survey import SurveySpec

from .conftest import REFERENCE

DRIVERS = ["fix_first_time", "speed", "knowledge", "friendly", "billing", "website"]


@pytest.fixture(scope="module")
def ref() -> dict:
    return json.loads((REFERENCE / "metrics_reference.json").read_text())["drivers"]


def _result(weighted: bool, **kw):
    spec = SurveySpec(
        items=[*DRIVERS, "ltr"], scale=Scale(0.0, 10.0), weight_col="weight" if weighted else None
    )
    survey = cxkit.read_survey(REFERENCE / "drivers_fixture.csv", spec=spec, use_config=False)
    kw.setdefault("bootstrap", 0)
    return drivers(survey, "ltr", DRIVERS, **kw)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_lmg_relative_weights_and_r_match_r(weighted, ref):
    want = ref["weighted" if weighted else "unweighted"]
    res = _result(weighted)
    t = res.table.set_index("driver")
    assert (t["n"] == want["n"]).all()
    for d in DRIVERS:
        # R: Shapley average of summary(lm(ltr ~ S, weights = w))$r.squared over all subsets S
        assert math.isclose(t.loc[d, "lmg"], want["lmg"][d], rel_tol=1e-9), d
        # R: johnson(cov.wt(..., cor = TRUE)$cor), eigen() based
        assert math.isclose(t.loc[d, "relative_weight"], want["relative_weight"][d], rel_tol=1e-9)
        # R: cov.wt(..., wt = w, cor = TRUE)$cor[d, "ltr"]
        assert math.isclose(t.loc[d, "r"], want["r"][d], rel_tol=1e-9), d
        if not weighted:
            # R: cor.test(x, y)$conf.int (Fisher z, n - 3)
            assert math.isclose(t.loc[d, "r_ci_low"], want["r_ci_low"][d], rel_tol=1e-9)
            assert math.isclose(t.loc[d, "r_ci_high"], want["r_ci_high"][d], rel_tol=1e-9)
    # R: summary(lm(ltr ~ all six))$r.squared
    assert res.summary["r2"] == pytest.approx(want["r2"], rel=1e-9)
    assert t["importance"].sum() == pytest.approx(1.0)


def _brute_r2(x, y, cols):
    if not cols:
        return 0.0
    a = np.column_stack([np.ones(len(y)), x[:, cols]])
    beta = np.linalg.lstsq(a, y, rcond=None)[0]
    res = y - a @ beta
    return 1.0 - res @ res / ((y - y.mean()) @ (y - y.mean()))


def _brute_lmg(x, y):
    k = x.shape[1]
    r2 = {s: _brute_r2(x, y, list(s)) for m in range(k + 1) for s in combinations(range(k), m)}
    out = np.zeros(k)
    for j in range(k):
        for s, v in r2.items():
            if j in s:
                continue
            with_j = tuple(sorted((*s, j)))
            wt = math.factorial(len(s)) * math.factorial(k - len(s) - 1) / math.factorial(k)
            out[j] += wt * (r2[with_j] - v)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_subset_r2_and_lmg_match_least_squares(seed):
    rng = np.random.default_rng(seed)
    n, k = 120, 5
    x = rng.normal(size=(n, k))
    x[:, 1] += 0.8 * x[:, 0]
    y = x @ rng.normal(size=k) + rng.normal(size=n)
    corr = weighted_corr(np.column_stack([x, y]), np.ones(n))
    r2 = subset_r2(corr)
    for mask in range(1 << k):
        cols = [j for j in range(k) if mask >> j & 1]
        assert r2[mask] == pytest.approx(_brute_r2(x, y, cols), abs=1e-10)
    np.testing.assert_allclose(lmg(corr), _brute_lmg(x, y), atol=1e-10)


def test_exactly_collinear_driver_splits_importance_without_error():
    rng = np.random.default_rng(5)
    n = 200
    x = rng.normal(size=(n, 3))
    x = np.column_stack([x, x[:, 0] + x[:, 1]])  # the fourth is a sum of the first two
    y = x[:, 0] + 0.5 * x[:, 2] + rng.normal(size=n)
    corr = weighted_corr(np.column_stack([x, y]), np.ones(n))
    full = _brute_r2(x, y, [0, 1, 2, 3])
    got = lmg(corr)
    np.testing.assert_allclose(got, _brute_lmg(x, y), atol=1e-9)  # lstsq handles rank loss
    assert got.sum() == pytest.approx(full)
    rw = relative_weights(corr)
    assert np.isfinite(rw).all() and rw.sum() == pytest.approx(full, rel=1e-6)


def test_relative_weights_sum_to_r2_and_match_numpy_regression():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(300, 4))
    y = x @ [1.0, 0.5, 0.2, 0.0] + rng.normal(size=300)
    corr = weighted_corr(np.column_stack([x, y]), np.ones(300))
    rw = relative_weights(corr)
    assert rw.sum() == pytest.approx(_brute_r2(x, y, [0, 1, 2, 3]), rel=1e-10)
    # with uncorrelated predictors relative weights equal squared correlations
    raw = rng.normal(size=(300, 3))
    xo, _ = np.linalg.qr(raw - raw.mean(axis=0))  # centred orthogonal columns: r = 0
    yo = xo @ [2.0, 1.0, 0.5] + rng.normal(size=300)
    c = weighted_corr(np.column_stack([xo, yo]), np.ones(300))
    np.testing.assert_allclose(relative_weights(c), c[:3, 3] ** 2, atol=1e-12)


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    a = _result(False, bootstrap=200, seed=7).table
    b = _result(False, bootstrap=200, seed=7).table
    c = _result(False, bootstrap=200, seed=8).table
    np.testing.assert_array_equal(
        a.select_dtypes("number").to_numpy(), b.select_dtypes("number").to_numpy()
    )
    assert not np.array_equal(a["importance_ci_low"], c["importance_ci_low"])
    for name in ("lmg", "relative_weight", "importance"):
        assert (a[f"{name}_ci_low"] <= a[name]).all() and (a[name] <= a[f"{name}_ci_high"]).all()


def test_weighted_corr_paths_agree_and_match_numpy(monkeypatch):
    from cxkit import importance

    rng = np.random.default_rng(11)
    data = rng.normal(size=(400, 5))
    w = rng.uniform(0.5, 2.0, size=(6, 400))
    # one weight vector: numpy's weighted covariance (np.cov aweights) as the reference
    cov = np.cov(data.T, aweights=w[0])
    sd = np.sqrt(np.diag(cov))
    np.testing.assert_allclose(weighted_corr(data, w[0]), cov / np.outer(sd, sd), atol=1e-12)
    stacked = weighted_corr(data, w)
    monkeypatch.setattr(importance, "_OUTER_LIMIT", 0)  # force the blocked moments
    monkeypatch.setattr(importance, "_MOMENT_ROWS", 64)  # in several blocks, the last short
    blocked = weighted_corr(data, w)
    np.testing.assert_allclose(blocked, stacked, atol=1e-12)
    # one weight vector over many rows (the full-sample matrix) takes the blocked route too
    np.testing.assert_allclose(weighted_corr(data, w[0]), stacked[0], atol=1e-12)
    for wb, got in zip(w, blocked, strict=True):
        cov = np.cov(data.T, aweights=wb)
        sd = np.sqrt(np.diag(cov))
        np.testing.assert_allclose(got, cov / np.outer(sd, sd), atol=1e-12)


def test_bootstrap_equals_resampling_the_rows(monkeypatch):
    """The bootstrap weights each row by how often a draw of n rows with replacement
    picked it; the reference resamples the rows themselves with the same draws and takes
    numpy's correlation matrix of them, on both routes of the moments."""
    import importlib

    from cxkit import importance

    drv = importlib.import_module("cxkit.drivers")  # the package exports a function by that name

    rng = np.random.default_rng(4)
    n = 300
    x = rng.integers(1, 6, size=(n, 4)).astype(float)
    y = x @ np.array([0.5, 0.3, 0.1, 0.0]) + rng.normal(size=n)
    data = np.column_stack([x, y])
    draws = np.random.default_rng(9)
    ref = np.array(
        [relative_weights(np.corrcoef(data[draws.integers(0, n, size=n)].T)) for _ in range(40)]
    )
    want = np.percentile(ref, [2.5, 97.5], axis=0)
    for limit in (10**9, 0):  # the outer-product route, then the blocked moments
        monkeypatch.setattr(importance, "_OUTER_LIMIT", limit)
        monkeypatch.setattr(drv, "_RESAMPLE_CELLS", 7 * n)  # resamples in chunks of 7
        got = drv._bootstrap(data, np.ones(n), 40, 9, False, 0.95)
        np.testing.assert_allclose(got["relative_weight"], want, rtol=1e-9, atol=1e-12)
