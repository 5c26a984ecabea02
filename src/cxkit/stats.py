"""Closed-form interval estimators and tests, vectorised over numpy arrays.

Every function here is a plain formula from the paper it cites, written with numpy and the
normal and t distribution functions of :mod:`cxkit.distributions`, so that the ``gap`` path
does not pay the start-up cost of ``scipy.special`` (0.2 s), ``scipy.stats`` and
``statsmodels`` (about a second). The library implementations are the
reference: ``tests/test_stats.py`` checks each function against statsmodels/scipy and against
values computed in R (``tests/reference/``).

Missing or undefined inputs (n = 0, zero variance, zero counts where a log is needed) give
``nan`` rather than an exception; the callers turn those into notes.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

from .distributions import ndtr, stdtr, stdtrit

if TYPE_CHECKING:  # numpy.typing costs a few ms to import
    from numpy.typing import ArrayLike

__all__ = [
    "all_agree",
    "benjamini_hochberg",
    "hedges_g",
    "holm",
    "katz_ratio_interval",
    "kish_neff",
    "newcombe_diff_interval",
    "pooled_z_test",
    "welch_diff",
    "wilson_interval",
    "z_crit",
]

#: Method names recorded in a result's provenance, one per statistic.
METHODS = {
    "agree_ci": "Wilson score interval (Wilson 1927)",
    "agree_gap_ci": "Newcombe hybrid score interval for a difference of proportions "
    "(Newcombe 1998, method 10; statsmodels method='newcomb')",
    "agree_ratio_ci": "Katz log interval for a ratio of proportions "
    "(Katz et al. 1978; statsmodels method='log'); where everyone agrees in both groups "
    "(standard error 0, a zero-width interval) 0.5 is added to each cell of the 2x2 table "
    "(Haldane-Anscombe)",
    "agree_p": "two-proportion z-test with pooled variance (= R prop.test(correct=FALSE))",
    "mean_gap_ci": "Welch t interval, Welch-Satterthwaite df (= R t.test(var.equal=FALSE))",
    "hedges_g": "Hedges' g: pooled-SD standardised difference x (1 - 3/(4(n1+n2)-9))",
    "p_adj": "Holm step-down (Holm 1979; statsmodels multipletests method='holm')",
    "weights": "weighted means and shares; Kish effective n = (sum w)^2 / sum w^2 used as n "
    "in every interval and test (Kish 1965)",
}


def z_crit(confidence: float) -> float:
    """Two-sided standard-normal critical value for a confidence level.

    From the lower tail, ``(1 - confidence) / 2``: ``0.5 + confidence / 2`` rounds to 1 for
    a confidence within 1e-16 of 1 (and loses digits well before that).

    >>> round(z_crit(0.95), 6), round(z_crit(0.9999999999999999), 3)
    (1.959964, 8.292)
    """
    return -NormalDist().inv_cdf((1.0 - confidence) / 2.0)


def t_crit(df: ArrayLike, confidence: float) -> np.ndarray:
    """Two-sided Student t critical values for ``df`` degrees of freedom (from the lower
    tail, as :func:`z_crit`).

    >>> round(float(t_crit(10.0, 0.95)), 6)
    2.228139
    """
    return -stdtrit(df, (1.0 - confidence) / 2.0)


def _arr(x: object) -> np.ndarray:
    return np.asarray(x, dtype=float)


def kish_neff(sum_w: np.ndarray, sum_w2: np.ndarray) -> np.ndarray:
    """Kish effective sample size ``(sum w)^2 / sum w^2``; ``nan`` where no weight.

    >>> float(kish_neff(4.0, 4.0))
    4.0
    """
    sum_w, sum_w2 = _arr(sum_w), _arr(sum_w2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sum_w2 > 0, sum_w * sum_w / np.where(sum_w2 > 0, sum_w2, 1.0), np.nan)


def wilson_interval(
    k: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``k / n``.

    ``k`` and ``n`` may be non-integer (weighted counts with ``n`` the effective n).

    >>> lo, hi = wilson_interval(8, 10)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.4902, 0.9433)

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22, 209-212.
    """
    k, n = _arr(k), _arr(n)
    z = z_crit(confidence)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = n + z2
        centre = (k + z2 / 2.0) / denom
        half = z * np.sqrt(np.maximum(n * p * (1.0 - p), 0.0) + z2 / 4.0) / denom
    ok = n > 0
    lo = np.where(ok, np.clip(centre - half, 0.0, 1.0), np.nan)
    hi = np.where(ok, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lo, hi


def newcombe_diff_interval(
    k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference ``p1 - p2`` with Newcombe's hybrid score interval.

    Returns ``(diff, low, high)``.

    Notes
    -----
    With Wilson limits ``(l_i, u_i)`` for each proportion:
    ``low = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)``,
    ``high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Stat Med 17, 873-890 (method 10).
    """
    k1, n1, k2, n2 = _arr(k1), _arr(n1), _arr(k2), _arr(n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.where(n1 > 0, k1 / n1, np.nan)
        p2 = np.where(n2 > 0, k2 / n2, np.nan)
    l1, u1 = wilson_interval(k1, n1, confidence)
    l2, u2 = wilson_interval(k2, n2, confidence)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, low, high


def katz_ratio_interval(
    k1: np.ndarray,
    n1: np.ndarray,
    k2: np.ndarray,
    n2: np.ndarray,
    confidence: float = 0.95,
    *,
    all_agree_fix: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ratio ``p1 / p2`` with the Katz log interval.

    Returns ``(ratio, low, high)``. The ratio is ``inf`` when ``k2 = 0 < k1``, and ``nan``
    when both counts are zero or a group is empty (``n = 0``: nobody answered, so there is
    no share to divide by); the interval is ``nan`` whenever either count is zero (the log
    interval is undefined there).

    With ``all_agree_fix``, where ``k1 = n1`` and ``k2 = n2`` (everyone agrees in both
    groups: the only case with ``SE = 0``, which makes the interval zero-width however small
    the groups) the interval is the Katz interval of the 2x2 table with 0.5 added to each
    cell (``k + 0.5`` of ``n + 1``; Haldane-Anscombe); every other interval is unchanged.
    The ratio itself is always the observed one.

    Notes
    -----
    ``SE(log r) = sqrt(1/k1 - 1/n1 + 1/k2 - 1/n2)``; limits ``exp(log r -/+ z SE)``.

    References
    ----------
    Katz, D., Baptista, J., Azen, S. P., Pike, M. C. (1978). Obtaining confidence intervals
    for the risk ratio in cohort studies. Biometrics 34, 469-474.
    Haldane, J. B. S. (1956). The estimation and significance of the logarithm of a ratio
    of frequencies. Ann Hum Genet 20, 309-311.
    """
    k1, n1, k2, n2 = _arr(k1), _arr(n1), _arr(k2), _arr(n2)
    z = z_crit(confidence)
    # over: a share near 0 (extreme weights) gives a limit beyond 1e308, and inf is its value
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p1 = np.where(n1 > 0, k1 / n1, np.nan)
        p2 = np.where(n2 > 0, k2 / n2, np.nan)
        ratio = np.where(p2 > 0, p1 / p2, np.where((p1 > 0) & (n2 > 0), np.inf, np.nan))
        ok = (k1 > 0) & (k2 > 0) & (n1 > 0) & (n2 > 0)
        centre = np.log(ratio)
        se = np.sqrt(np.maximum(1.0 / k1 - 1.0 / n1 + 1.0 / k2 - 1.0 / n2, 0.0))
        if all_agree_fix:
            fix = ok & all_agree(k1, n1) & all_agree(k2, n2)
            if fix.any():
                a1, m1, a2, m2 = k1 + 0.5, n1 + 1.0, k2 + 0.5, n2 + 1.0
                centre = np.where(fix, np.log((a1 / m1) / (a2 / m2)), centre)
                se = np.where(fix, np.sqrt(1.0 / a1 - 1.0 / m1 + 1.0 / a2 - 1.0 / m2), se)
        low = np.where(ok, np.exp(centre - z * se), np.nan)
        high = np.where(ok, np.exp(centre + z * se), np.nan)
    return ratio, low, high


def all_agree(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Where ``k = n > 0`` (to rounding: weighted counts are sums of floats)."""
    k, n = _arr(k), _arr(n)
    return (n > 0) & (k >= n * (1.0 - 1e-12))


def pooled_z_test(k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided p-value of the two-proportion z-test with pooled variance.

    Equal to R's ``prop.test(c(k1, k2), c(n1, n2), correct = FALSE)$p.value``. ``nan`` when
    the pooled proportion is 0 or 1 (no variance) or a group is empty.
    """
    k1, n1, k2, n2 = _arr(k1), _arr(n1), _arr(k2), _arr(n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (k1 + k2) / (n1 + n2)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
        z = (k1 / n1 - k2 / n2) / se
        ok = (n1 > 0) & (n2 > 0) & (se > 0)
        return np.where(ok, 2.0 * ndtr(-np.abs(z)), np.nan)


def welch_diff(
    m1: np.ndarray,
    v1: np.ndarray,
    n1: np.ndarray,
    m2: np.ndarray,
    v2: np.ndarray,
    n2: np.ndarray,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Welch's unequal-variance t interval and test for ``m1 - m2``.

    ``v`` are sample variances (denominator n - 1), ``n`` the (effective) sizes.
    Returns ``(diff, low, high, p_value)``; ``nan`` where a group has n < 2 or both
    variances are zero.

    References
    ----------
    Welch, B. L. (1947). The generalization of Student's problem when several different
    population variances are involved. Biometrika 34, 28-35.
    """
    m1, v1, n1, m2, v2, n2 = map(_arr, (m1, v1, n1, m2, v2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = v1 / n1, v2 / n2
        se2 = a + b
        df = se2 * se2 / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0))
        se = np.sqrt(se2)
        d = m1 - m2
        ok = (n1 >= 2) & (n2 >= 2) & (se2 > 0) & np.isfinite(se2)
        df_safe = np.where(ok, df, 1.0)
        tq = t_crit(df_safe, confidence)
        low = np.where(ok, d - tq * se, np.nan)
        high = np.where(ok, d + tq * se, np.nan)
        p = np.where(ok, 2.0 * stdtr(df_safe, -np.abs(d / np.where(ok, se, 1.0))), np.nan)
    return d, low, high, p


def hedges_g(
    m1: np.ndarray, v1: np.ndarray, n1: np.ndarray, m2: np.ndarray, v2: np.ndarray, n2: np.ndarray
) -> np.ndarray:
    """Hedges' g: Cohen's d with pooled SD times the small-sample correction.

    Notes
    -----
    ``s_p = sqrt(((n1-1) v1 + (n2-1) v2) / (n1 + n2 - 2))``, ``d = (m1 - m2) / s_p``,
    ``g = d (1 - 3 / (4 (n1 + n2) - 9))`` (Hedges & Olkin 1985, eq. 5.4.10's approximation).
    """
    m1, v1, n1, m2, v2, n2 = map(_arr, (m1, v1, n1, m2, v2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        dof = n1 + n2 - 2.0
        sp = np.sqrt(((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / dof)
        d = (m1 - m2) / sp
        g = d * (1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0))
        ok = (n1 >= 2) & (n2 >= 2) & (sp > 0)
        return np.where(ok, g, np.nan)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values; ``nan`` entries stay ``nan`` and are not counted.

    >>> holm([0.01, 0.04, 0.03, float("nan")]).round(2).tolist()
    [0.03, 0.06, 0.06, nan]

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    Scand J Stat 6, 65-70.
    """
    p = _arr(p)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    m = idx.size
    if m == 0:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    scaled = (m - np.arange(m)) * p[order]
    out[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return out


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate); ``nan`` stays out.

    >>> benjamini_hochberg([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.04, 0.04]

    References
    ----------
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57,
    289-300.
    """
    p = _arr(p)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    m = idx.size
    if m == 0:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return out
