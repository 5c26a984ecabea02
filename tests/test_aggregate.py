"""Sufficient statistics: partitions merge to the whole; weights of one change nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import aggregate
from cxkit.aggregate import MISSING, cells, histograms, summarise
from cxkit.arrow_values import Text


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


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 3), st.integers(1, 60), st.booleans(), st.data())
def test_cells_label_every_row_as_a_plain_loop_does(n_by, n, arrow, data):
    """Each row's cell is the tuple of its trimmed values (blank or null: ``(missing)``),
    the cells sorted; whether every combination occurs (codes are the ranks) or not, and
    whether the columns are Arrow text or pandas."""
    values = st.one_of(st.none(), st.sampled_from(["a", " b", "b ", "c", "", "  "]))
    columns = {f"c{j}": data.draw(st.lists(values, min_size=n, max_size=n)) for j in range(n_by)}
    by = list(columns)
    if arrow:
        frame = {b: Text(pa.chunked_array([pa.array(v, pa.string())])) for b, v in columns.items()}
    else:
        frame = pd.DataFrame(
            {b: pd.Series(v, dtype=object).str.strip() for b, v in columns.items()}
        )
    cell, labels = cells(frame, by)
    rows = [
        tuple((columns[b][i] or "").strip() or MISSING for b in by) for i in range(n)
    ]  # the reference: one Python tuple per row
    assert labels == sorted(set(rows))
    assert [labels[c] for c in cell.tolist()] == rows


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from([np.int8, np.uint8, np.int16, np.int32, np.intp]),
    st.integers(1, 40),
    st.integers(0, 300),
    st.booleans(),
    st.data(),
)
def test_bincounts_equal_numpy_bincount(dtype, size, n, weighted, data):
    """Every route of bincounts (a comparison per value for a few bins, blocks of widened
    keys, one call) against np.bincount itself."""
    key = np.array(data.draw(st.lists(st.integers(0, size - 1), min_size=n, max_size=n)))
    key = key.astype(dtype)
    w = np.linspace(0.5, 2.0, n) if weighted else None
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(aggregate, "_BLOCK", data.draw(st.sampled_from([7, 1 << 18])))
        got = aggregate.bincounts(key, [None, w], size)
    np.testing.assert_array_equal(got[0], np.bincount(key, minlength=size))
    np.testing.assert_allclose(got[1], np.bincount(key, w, minlength=size), rtol=1e-12)


def test_key_types_hold_every_key():
    """The narrowest unsigned type whose range holds keys 0 … size - 1."""
    assert aggregate._key_type(256) is np.uint8
    assert aggregate._key_type(257) is np.uint16
    assert aggregate._key_type(65536) is np.uint16
    assert aggregate._key_type(65537) is np.uint32
    assert aggregate._key_type(2**32) is np.uint32
    assert aggregate._key_type(2**32 + 1) is np.int64


@pytest.mark.parametrize("block", [1000, 1 << 18])
def test_a_histogram_wider_than_two_byte_keys_equals_a_plain_tally(block):
    """400 groups of 300 values (120,701 bins: four-byte keys), weighted, in ragged blocks,
    against a tally by np.add.at over (group, value) pairs."""
    rng = np.random.default_rng(11)
    n, groups, values = 20_000, 400, 300
    x = rng.integers(0, values, n).astype(float)
    x[rng.random(n) < 0.05] = np.nan
    g = rng.integers(-1, groups, n)
    w = rng.uniform(0.2, 3.0, n)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(aggregate, "_BLOCK", block)
        h = histograms(x, g, groups, w)
    keep = ~np.isnan(x) & (g >= 0)
    assert np.array_equal(h.values, np.unique(x[keep]))
    col = np.searchsorted(h.values, x[keep])
    count = np.zeros((groups, h.values.size), np.int64)
    wsum, w2sum = np.zeros(count.shape), np.zeros(count.shape)
    np.add.at(count, (g[keep], col), 1)
    np.add.at(wsum, (g[keep], col), w[keep])
    np.add.at(w2sum, (g[keep], col), w[keep] ** 2)
    np.testing.assert_array_equal(h.count, count)
    np.testing.assert_allclose(h.wsum, wsum, rtol=1e-12)
    np.testing.assert_allclose(h.w2sum, w2sum, rtol=1e-12)
