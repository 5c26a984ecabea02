"""Bootstrap on counts of distinct answer patterns, and what to do with its replicates.

Respondents who gave the same answer are interchangeable, so resampling ``n`` respondents
with replacement is the same as drawing the counts of the ``P`` distinct answer patterns from
``Multinomial(n, counts / n)``. A replicate then costs ``O(P)`` instead of ``O(n)``, and any
statistic that is linear in the counts (wins, choices, picks) is one matrix product.

References
----------
Efron, B., Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Replicates drawn and evaluated together (bounds memory; fixed, so results do not depend
#: on anything but the seed).
CHUNK = 200

ProgressFn = Callable[[int, int], None]


def pattern_bootstrap(
    counts: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    n_boot: int,
    rng: np.random.Generator,
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """Evaluate ``statistic`` on ``n_boot`` multinomial resamples of the pattern counts.

    Parameters
    ----------
    counts : ndarray, shape (P,)
        Respondents per distinct answer pattern.
    statistic : callable
        Maps a (b, P) array of resampled counts to a (b, m) array.
    n_boot : int
        Replicates.
    rng : numpy.random.Generator
        The only source of randomness: the same seed gives the same replicates.
    progress : callable, optional
        Called as ``progress(replicates_done_now, n_boot)`` after each chunk.

    Returns
    -------
    ndarray, shape (n_boot, m)

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> boot = pattern_bootstrap(np.array([3.0, 1.0]), lambda c: c / 4, 500, rng)
    >>> boot.shape, bool(np.allclose(boot.sum(axis=1), 1.0))
    ((500, 2), True)
    """
    n = round(float(counts.sum()))
    p = counts / counts.sum()
    out = []
    for start in range(0, n_boot, CHUNK):
        size = min(CHUNK, n_boot - start)
        draws = rng.multinomial(n, p, size=size).astype(float)
        out.append(statistic(draws))
        if progress is not None:
            progress(size, n_boot)
    return np.vstack(out)


def competition_ranks(estimates: np.ndarray) -> np.ndarray:
    """Ranks per row, 1 = largest; ties share the best rank ("1224" ranking).

    >>> competition_ranks(np.array([[0.2, 0.5, 0.2, 0.1]])).tolist()
    [[2, 1, 2, 4]]
    """
    e = np.atleast_2d(estimates)
    return 1 + (e[:, None, :] > e[:, :, None]).sum(axis=2)


def overlap_tiers(rank: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Tiers: items whose intervals ``[low, high]`` overlap, directly or through others.

    The connected components of the overlap graph, numbered 1, 2, ... in order of their best
    ``rank``.

    >>> overlap_tiers(np.array([1, 2, 3, 4]), np.array([1, 1, 3, 3]), np.array([2, 2, 4, 4]))
    array([1, 1, 2, 2])
    >>> # 3 overlaps 1 although 2 (between them) does not overlap 1: one tier
    >>> overlap_tiers(np.array([1, 2, 3]), np.array([1, 3, 2]), np.array([2, 3, 5]))
    array([1, 1, 1])
    """
    m = rank.size
    parent = list(range(m))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(m):
        for j in range(i + 1, m):
            if low[i] <= high[j] and low[j] <= high[i]:
                parent[find(i)] = find(j)
    roots = [find(i) for i in range(m)]
    best = {r: min(rank[i] for i in range(m) if roots[i] == r) for r in set(roots)}
    order = {r: t for t, r in enumerate(sorted(best, key=lambda r: (best[r], r)), start=1)}
    return np.array([order[r] for r in roots], dtype=np.int64)
