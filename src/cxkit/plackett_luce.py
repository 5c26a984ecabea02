"""Plackett-Luce worths for top-k rankings, on sufficient statistics that bootstrap cheaply.

A respondent who ranks ``r_1, ..., r_k`` out of the offered set ``U`` made ``k`` successive
choices: ``r_1`` from ``U``, ``r_2`` from ``U - {r_1}``, and so on (a choice from a single
remaining obstacle carries no information and is skipped). Under the Plackett-Luce model with
log-worths ``theta`` the log-likelihood is

    l(theta) = sum_i a_i theta_i - sum_t n_t log sum_{i in S_t} exp(theta_i)

where ``a_i`` counts the choices won by ``i`` and ``n_t`` counts the choices made from the
distinct choice set ``S_t``. ``(a, n)`` are sufficient and linear in the counts of distinct
answer patterns, so a bootstrap replicate (multinomial pattern counts) needs one small matrix
product, and :func:`fit` solves every replicate at once with Newton's method.

The point estimate comes from ``choix.ilsr_top1`` (Maystre & Grossglauser 2015) whenever the
maximum-likelihood estimate exists, i.e. the "who beat whom" graph is strongly connected
(Hunter 2004, assumption 1); otherwise, and in bootstrap replicates, from :func:`fit` with
choix's ridge penalty ``alpha * sum(theta^2)`` (``choix.opt_top1``), which gives the
limiting fit (worth near 0 for an obstacle never named).

References
----------
Plackett, R. L. (1975). The analysis of permutations. Appl Stat 24, 193-202.
Hunter, D. R. (2004). MM algorithms for generalized Bradley-Terry models. Ann Stat 32, 384-406.
Maystre, L., Grossglauser, M. (2015). Fast and accurate inference of Plackett-Luce models.
NIPS 28.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Ridge penalty of the fallback and bootstrap fits (choix.opt_top1's default).
ALPHA = 1e-6


@dataclass(frozen=True)
class ChoiceStatistics:
    """Per answer pattern: choices won per obstacle and choices made per distinct choice set.

    Attributes
    ----------
    wins : ndarray, shape (P, m)
        ``wins[p, i]`` = 1 if pattern ``p`` chooses obstacle ``i`` from a set of 2 or more.
    set_counts : scipy.sparse.csr_matrix, shape (P, T)
        ``set_counts[p, t]`` = 1 if pattern ``p`` makes a choice from set ``t`` (sparse: a
        pattern makes at most k choices, while T can be large).
    sets : ndarray, shape (T, m)
        Membership (0/1) of each distinct choice set.
    events : ndarray of int, shape (E, 3)
        Every choice as ``(pattern, set, winner)``.
    """

    wins: np.ndarray
    set_counts: np.ndarray
    sets: np.ndarray
    events: np.ndarray


def choice_statistics(patterns: Sequence[tuple[int, ...]], m: int) -> ChoiceStatistics:
    """Sufficient statistics of top-k rankings over ``m`` offered obstacles (indices 0..m-1).

    >>> s = choice_statistics([(0, 1), (2,)], 3)
    >>> s.wins.tolist(), s.set_counts.toarray().tolist()
    ([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [[1.0, 1.0], [1.0, 0.0]])
    >>> s.sets.tolist()
    [[1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]
    """
    full = (1 << m) - 1
    set_index: dict[int, int] = {}
    wins = np.zeros((len(patterns), m))
    entries: list[tuple[int, int, int]] = []
    for p, ranking in enumerate(patterns):
        remaining = full
        for item in ranking:
            if remaining.bit_count() < 2:
                break
            t = set_index.setdefault(remaining, len(set_index))
            entries.append((p, t, item))
            wins[p, item] += 1.0
            remaining &= ~(1 << item)
    from scipy.sparse import csr_matrix

    rows = [p for p, _, _ in entries]
    cols = [t for _, t, _ in entries]
    set_counts = csr_matrix(
        (np.ones(len(entries)), (rows, cols)), shape=(len(patterns), len(set_index))
    )
    sets = np.zeros((len(set_index), m))
    for mask, t in set_index.items():
        sets[t] = [(mask >> i) & 1 for i in range(m)]
    events = np.array(entries, dtype=np.int64).reshape(-1, 3)
    return ChoiceStatistics(wins, set_counts, sets, events)


def log_likelihood(theta: np.ndarray, a: np.ndarray, n: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Plackett-Luce log-likelihood per row of ``theta`` (B, m); ``a`` (B, m), ``n`` (B, T)."""
    theta, a, n = np.atleast_2d(theta), np.atleast_2d(a), np.atleast_2d(n)
    shift = theta.max(axis=1, keepdims=True)
    denom = np.exp(theta - shift) @ sets.T  # (B, T)
    return (a * theta).sum(axis=1) - (n * (np.log(denom) + shift)).sum(axis=1)


def gradient(theta: np.ndarray, a: np.ndarray, n: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Gradient of :func:`log_likelihood` with respect to ``theta`` (shape (B, m))."""
    theta, a, n = np.atleast_2d(theta), np.atleast_2d(a), np.atleast_2d(n)
    e = np.exp(theta - theta.max(axis=1, keepdims=True))
    denom = e @ sets.T
    return a - e * ((n / denom) @ sets)


def fit(
    a: np.ndarray,
    n: np.ndarray,
    sets: np.ndarray,
    *,
    alpha: float = ALPHA,
    theta0: np.ndarray | None = None,
    tol: float = 1e-9,
    max_iter: int = 100,
) -> np.ndarray:
    """Maximise ``l(theta) - alpha * sum(theta^2)`` for every row at once (Newton's method).

    Parameters
    ----------
    a : ndarray, shape (B, m)
        Choices won per obstacle, one row per data set (e.g. bootstrap replicate).
    n : ndarray, shape (B, T)
        Choices made from each distinct choice set.
    sets : ndarray, shape (T, m)
        Choice-set membership, from :func:`choice_statistics`.
    alpha : float
        Ridge penalty, as in ``choix.opt_top1``; with ``alpha = 0`` the data must connect
        every obstacle (else the estimate does not exist).
    theta0 : ndarray, shape (m,) or (B, m), optional
        Starting point (e.g. the point estimate); default zeros.

    Returns
    -------
    ndarray, shape (B, m)
        Log-worths centred to mean 0 per row (the penalised optimum has mean 0; the
        likelihood does not depend on the centre).

    Notes
    -----
    The Hessian ``-sum_t n_t (diag(pi_t) - pi_t pi_t') - 2 alpha I`` is made definite along
    the all-ones direction, along which the likelihood is flat, and the iterate is recentred
    after each step; a step that lowers the objective is halved (the objective is concave).
    """
    a, n = np.atleast_2d(np.asarray(a, float)), np.atleast_2d(np.asarray(n, float))
    b, m = a.shape
    theta = np.zeros((b, m)) if theta0 is None else np.broadcast_to(theta0, (b, m)).copy()
    theta -= theta.mean(axis=1, keepdims=True)
    total = n.sum(axis=1)
    ones = np.full((m, m), 1.0 / m)
    pairs = (sets[:, :, None] * sets[:, None, :]).reshape(len(sets), m * m)  # (T, m*m)

    current = objective_rows(theta, a, n, sets, alpha)
    active = np.ones(b, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        th, na = theta[idx], n[idx]
        e = np.exp(th - th.max(axis=1, keepdims=True))
        denom = e @ sets.T  # (b, T)
        # with pi_ti = e_i [i in t] / denom_t: sum_t n_t pi_t and sum_t n_t pi_t pi_t'
        expected = e * ((na / denom) @ sets)  # (b, m)
        outer = ((na / (denom * denom)) @ pairs).reshape(-1, m, m) * e[:, :, None] * e[:, None, :]
        grad = a[idx] - expected - 2.0 * alpha * th
        neg_h = -outer  # minus the Hessian: sum_t n_t (diag(pi_t) - pi_t pi_t') + 2 alpha I
        neg_h[:, np.arange(m), np.arange(m)] += expected + 2.0 * alpha
        scale = np.maximum(total[idx], 1.0)[:, None, None]
        step = np.linalg.solve(neg_h + scale * ones, grad[:, :, None])[:, :, 0]
        step = np.clip(step, -10.0, 10.0)
        t = np.ones(idx.size)
        for _halving in range(30):
            trial = th + t[:, None] * step
            trial -= trial.mean(axis=1, keepdims=True)
            value = objective_rows(trial, a[idx], na, sets, alpha)
            worse = value < current[idx] - 1e-12 * np.abs(current[idx])
            if not worse.any():
                break
            t = np.where(worse, t / 2.0, t)
        theta[idx] = trial
        current[idx] = value
        done = np.abs(t[:, None] * step).max(axis=1) < tol
        active[idx[done]] = False
    return theta


def objective_rows(
    theta: np.ndarray, a: np.ndarray, n: np.ndarray, sets: np.ndarray, alpha: float
) -> np.ndarray:
    """Penalised log-likelihood ``l(theta) - alpha * sum(theta^2)`` per row."""
    return log_likelihood(theta, a, n, sets) - alpha * (theta * theta).sum(axis=1)


def worths(theta: np.ndarray) -> np.ndarray:
    """Worths normalised to sum to 1 (each row): the chance of being chosen first from all.

    >>> worths(np.log([[1.0, 3.0]])).round(2).tolist()
    [[0.25, 0.75]]
    """
    theta = np.atleast_2d(theta)
    e = np.exp(theta - theta.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def top1_data(
    patterns: Sequence[tuple[int, ...]], counts: Sequence[int], m: int
) -> list[tuple[int, list[int]]]:
    """choix "top-1" data: one ``(winner, losers)`` per informative choice of each respondent."""
    data: list[tuple[int, list[int]]] = []
    for ranking, count in zip(patterns, counts, strict=True):
        remaining = list(range(m))
        choices = []
        for item in ranking:
            if len(remaining) < 2:
                break
            remaining.remove(item)
            choices.append((item, list(remaining)))
        for _ in range(int(count)):
            data.extend(choices)
    return data


def connected(stats: ChoiceStatistics, counts: np.ndarray) -> bool:
    """Whether the "chosen over" graph is strongly connected (the MLE exists; Hunter 2004)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    m = stats.sets.shape[1]
    if m < 2:
        return True
    ev = stats.events[np.asarray(counts)[stats.events[:, 0]] > 0]
    # edge j -> i when i was chosen from a set holding j ("i beat j")
    beat = np.zeros((m, m))
    np.add.at(beat, ev[:, 2], stats.sets[ev[:, 1]])
    beat[np.arange(m), np.arange(m)] = 0.0
    graph = csr_matrix((beat > 0).T.astype(float))
    n_comp, _ = connected_components(graph, directed=True, connection="strong")
    return n_comp == 1


def point_estimate(
    patterns: Sequence[tuple[int, ...]], counts: np.ndarray, m: int, stats: ChoiceStatistics
) -> tuple[np.ndarray, str]:
    """Log-worths (mean 0) of the answers and the method used.

    ``choix.ilsr_top1`` when the maximum-likelihood estimate exists, else :func:`fit` with the
    ridge penalty :data:`ALPHA`. ILSR starts from the Newton fit of :func:`fit` (``alpha=0``,
    milliseconds on the pattern counts), so it confirms the optimum in an iteration or two
    instead of about ten; the two agree to 1e-10 (``tests/test_plackett_luce.py``).
    """
    counts = np.asarray(counts, dtype=float)
    if m == 1:
        return np.zeros(1), "single obstacle"
    if connected(stats, counts):
        import choix

        start = fit(counts @ stats.wins, counts @ stats.set_counts, stats.sets, alpha=0.0)[0]
        data = top1_data(patterns, counts, m)
        theta = np.asarray(choix.ilsr_top1(m, data, initial_params=start), dtype=float)
        return theta - theta.mean(), "choix.ilsr_top1"
    a = counts @ stats.wins
    n = counts @ stats.set_counts
    return fit(a, n, stats.sets)[0], f"ridge-penalised fit, alpha={ALPHA:g}"
