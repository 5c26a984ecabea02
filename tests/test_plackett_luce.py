"""cxkit.plackett_luce checked independently: choix's own log-likelihood and estimators.

choix (Maystre) is the reference: ``choix.log_likelihood_top1`` evaluated on the expanded
top-1 data, its finite-difference gradient at the fit, and two of its estimators
(``ilsr_top1``: iterative Luce spectral ranking; ``mm_top1``: Hunter's MM algorithm) that
must agree with each other and with cxkit's vectorised Newton fit.
"""

from __future__ import annotations

from collections import Counter

import choix
import numpy as np
import pytest

from cxkit import plackett_luce as pl
from cxkit.rankings import parse_rankings, select_columns
from cxkit.read import read_table

from .conftest import EXAMPLES


def _wave(wave: str):
    raw = read_table(EXAMPLES / "obstacles_ranked.csv")
    cols = select_columns(raw.table.column_names, (), "x")
    rk = parse_rankings({c: raw.table.column(c).to_pylist() for c in cols}, cols)
    waves = raw.table.column("wave").to_pylist()
    answers = [a for a, r in zip(rk.answers, rk.rows, strict=True) if waves[r] == wave]
    used = sorted({i for a in answers for i in a})
    local = {g: i for i, g in enumerate(used)}
    tally = Counter(tuple(local[g] for g in a) for a in answers)
    patterns = sorted(tally)
    counts = np.array([tally[p] for p in patterns], dtype=float)
    return patterns, counts, len(used)


@pytest.fixture(scope="module")
def wave2011():
    patterns, counts, m = _wave("2011")
    stats = pl.choice_statistics(patterns, m)
    data = pl.top1_data(patterns, counts, m)
    return patterns, counts, m, stats, data


def _directional(data, theta, directions, h=1e-5):
    """Central differences of choix's log-likelihood along each unit direction."""
    out = []
    for d in directions:
        up = choix.log_likelihood_top1(data, theta + h * d)
        down = choix.log_likelihood_top1(data, theta - h * d)
        out.append((up - down) / (2 * h))
    return np.array(out)


def _directions(m, k=3, seed=7):
    d = np.random.default_rng(seed).normal(size=(k, m))
    return d / np.linalg.norm(d, axis=1, keepdims=True)


def test_sufficient_statistics_give_choix_log_likelihood(wave2011):
    _, counts, m, stats, data = wave2011
    rng = np.random.default_rng(1)
    for _ in range(3):
        theta = rng.normal(size=m)
        mine = pl.log_likelihood(theta, counts @ stats.wins, counts @ stats.set_counts, stats.sets)
        assert mine[0] == pytest.approx(choix.log_likelihood_top1(data, theta), rel=1e-12)


def test_analytic_gradient_matches_finite_differences_of_choix(wave2011):
    _, counts, m, stats, data = wave2011
    theta = np.random.default_rng(2).normal(size=m)
    mine = pl.gradient(theta, counts @ stats.wins, counts @ stats.set_counts, stats.sets)[0]
    dirs = _directions(m)
    np.testing.assert_allclose(dirs @ mine, _directional(data, theta, dirs), rtol=1e-5)


def test_gradient_of_choix_log_likelihood_is_zero_at_the_fit(wave2011):
    patterns, counts, m, stats, data = wave2011
    theta, method = pl.point_estimate(patterns, counts, m, stats)
    assert method == "choix.ilsr_top1"
    # the score at the MLE is zero: finite differences of choix's own log-likelihood along
    # random directions (a non-zero gradient would show in almost every direction)
    dirs = _directions(m)
    assert np.abs(_directional(data, theta, dirs)).max() < 1e-4
    assert np.abs(_directional(data, theta + 0.05 * dirs[0], dirs[:1])).max() > 1.0
    fitted = pl.fit(counts @ stats.wins, counts @ stats.set_counts, stats.sets, alpha=0.0)[0]
    assert np.abs(_directional(data, fitted, dirs)).max() < 1e-4


def test_two_choix_estimators_and_the_newton_fit_agree(wave2011):
    _, counts, m, stats, data = wave2011
    ilsr = np.asarray(choix.ilsr_top1(m, data))
    mm = np.asarray(choix.mm_top1(m, data, tol=1e-10))
    newton = pl.fit(counts @ stats.wins, counts @ stats.set_counts, stats.sets, alpha=0.0)[0]
    ilsr, mm = ilsr - ilsr.mean(), mm - mm.mean()
    np.testing.assert_allclose(ilsr, mm, atol=1e-6)
    np.testing.assert_allclose(newton, ilsr, atol=1e-6)
    np.testing.assert_allclose(pl.worths(newton)[0].sum(), 1.0)


def test_penalised_fit_matches_choix_opt_top1():
    # small data (choix.opt_top1 is slow); an obstacle never chosen needs the penalty
    patterns = [(0, 1), (1, 0), (0, 2), (1,), (0,), (2, 1)]
    counts = np.array([5, 3, 2, 4, 1, 1], dtype=float)
    m = 4  # obstacle 3 is never chosen: the unpenalised MLE does not exist
    stats = pl.choice_statistics(patterns, m)
    assert not pl.connected(stats, counts)
    data = pl.top1_data(patterns, counts, m)
    for alpha in (0.5, 0.01):
        ref = np.asarray(choix.opt_top1(m, data, alpha=alpha, tol=1e-10))
        mine = pl.fit(counts @ stats.wins, counts @ stats.set_counts, stats.sets, alpha=alpha)
        np.testing.assert_allclose(mine[0], ref - ref.mean(), atol=1e-5)
    theta, method = pl.point_estimate(patterns, counts, m, stats)
    assert method.startswith("ridge-penalised")
    assert pl.worths(theta)[0][3] < 1e-4


def test_vectorised_fit_equals_one_at_a_time(wave2011):
    _, counts, _, stats, _ = wave2011
    rng = np.random.default_rng(3)
    draws = rng.multinomial(int(counts.sum()), counts / counts.sum(), size=5).astype(float)
    together = pl.fit(draws @ stats.wins, draws @ stats.set_counts, stats.sets)
    for b in range(5):
        alone = pl.fit(draws[b] @ stats.wins, draws[b] @ stats.set_counts, stats.sets)[0]
        np.testing.assert_allclose(together[b], alone, atol=1e-8)


def test_connectivity_of_the_comparison_graph():
    # 0 always chosen first and never in a later set: never beaten -> no finite MLE
    stats = pl.choice_statistics([(0, 1), (0, 2)], 3)
    assert not pl.connected(stats, np.array([1.0, 1.0]))
    stats = pl.choice_statistics([(0, 1), (1, 2), (2, 0)], 3)
    assert pl.connected(stats, np.array([1.0, 1.0, 1.0]))
