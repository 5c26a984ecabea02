"""Sufficient statistics: partitions merge to the whole; weights of one change nothing."""

from __future__ import annotations

import numpy as np
import pytest

from cxkit.aggregate import histograms, summarise


def _data(seed=3, n=500):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, n).astype(float)
    x[rng.random(n) < 0.1] = np.nan
    g = rng.integers(0, 4, n)
    w = rng.uniform(0.2, 3.0, n)
    return x, g, w


def test_merged_partitions_equal_the_whole():
    x, g, w = _data()
    whole = histograms(x, g, 4, w)
    parts = [
        histograms(x[i : i + 137], g[i : i + 137], 4, w[i : i + 137]) for i in range(0, 500, 137)
    ]
    merged = parts[0]
    for p in parts[1:]:
        merged = merged.merge(p)
    np.testing.assert_array_equal(merged.values, whole.values)
    np.testing.assert_array_equal(merged.count, whole.count)
    np.testing.assert_allclose(merged.wsum, whole.wsum, rtol=1e-13)
    a, b = summarise(merged, 4), summarise(whole, 4)
    np.testing.assert_allclose(a.mean, b.mean, rtol=1e-13)
    np.testing.assert_allclose(a.var, b.var, rtol=1e-12)


def test_summary_matches_numpy_directly():
    x, g, w = _data()
    s = summarise(histograms(x, g, 4, w), 4)
    for k in range(4):
        m = (g == k) & ~np.isnan(x)
        xv, wv = x[m], w[m]
        neff = wv.sum() ** 2 / (wv**2).sum()
        mean = np.average(xv, weights=wv)
        assert s.mean[k] == pytest.approx(mean, rel=1e-12)
        assert s.neff[k] == pytest.approx(neff, rel=1e-12)
        assert s.agree[k] == pytest.approx(wv[xv >= 4].sum() / wv.sum(), rel=1e-12)
        var = (neff / wv.sum()) * (wv * (xv - mean) ** 2).sum() / (neff - 1)
        assert s.var[k] == pytest.approx(var, rel=1e-12)


def test_unit_weights_equal_unweighted():
    x, g, _ = _data()
    a = summarise(histograms(x, g, 4, np.ones_like(x)), 4)
    b = summarise(histograms(x, g, 4), 4)
    for f in ("n", "neff", "mean", "var", "agree"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


def test_empty_group_gives_nan_not_error():
    s = summarise(histograms(np.array([1.0, 2.0]), np.array([0, 0]), 2), 4)
    assert s.n.tolist() == [2, 0]
    assert np.isnan(s.mean[1]) and np.isnan(s.agree[1]) and s.neff[1] == 0
