"""The models of ``cxkit roi``, one function each: numbers in, one result row out.

Each function gets complete cases only (the caller removes missing values and checks the
undefined cases: fewer than 3 rows, a constant column) and returns a dict with ``estimate``,
``ci_low``, ``ci_high``, ``p_value``, ``per_10``, ``per_10_ci_low``, ``per_10_ci_high``,
``r_squared``, ``cov_type`` and, where the model cannot be fitted, ``note``.
scipy.stats and statsmodels are imported inside the functions (start-up cost).
"""

from __future__ import annotations

import warnings

import numpy as np

NAN = float("nan")

#: Method names recorded in a result's provenance.
METHODS = {
    "pearson": "Pearson r; CI by Fisher z (scipy.stats.pearsonr(...).confidence_interval(); "
    "= R cor.test); p from the t test with n - 2 df",
    "spearman": "Spearman rho; p from the t approximation with n - 2 df (scipy.stats.spearmanr; "
    "= R cor.test(method='spearman', exact=FALSE)); CI: percentile bootstrap resampling "
    "entities (accounts) with replacement, numpy default_rng(seed)",
    "ols": "OLS outcome ~ cx + controls (statsmodels; WLS with --weight); HC3 standard errors "
    "(= R sandwich::vcovHC(type='HC3')) with t(n - k) intervals when each entity has one row; "
    "cluster-robust by entity with the CR1 correction G/(G-1)·(n-1)/(n-k) (statsmodels "
    "cov_type='cluster', use_correction=True; = R sandwich::vcovCL(type='HC1')) and t(G - 1) "
    "intervals when an entity has several rows",
    "ols_fe": "--within: OLS with entity fixed effects (one dummy per entity), cluster-robust "
    "by entity as for ols (= R lm(y ~ cx + factor(entity)) with sandwich::vcovCL(type='HC1'))",
    "logit": "logistic regression by maximum likelihood (statsmodels Logit; = R glm(family = "
    "binomial)); Wald z intervals (= R confint.default); cluster-robust by entity (CR1, = R "
    "sandwich::vcovCL(type='HC1')) when an entity has several rows; estimate = average "
    "marginal effect of one CX point on the probability (statsmodels get_margeff(at='overall'), "
    "delta-method CI); per_10 = odds ratio for 10 CX points, exp(10·b)",
    "p_adj": "Holm step-down over every row of the run with a p-value (Holm 1979)",
}


def _row(**kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "estimate": NAN,
        "ci_low": NAN,
        "ci_high": NAN,
        "p_value": NAN,
        "per_10": NAN,
        "per_10_ci_low": NAN,
        "per_10_ci_high": NAN,
        "r_squared": NAN,
    }
    row.update(kw)
    return row


def pearson(x: np.ndarray, y: np.ndarray, confidence: float) -> dict[str, object]:
    """Pearson r with the Fisher z interval and the t-test p-value."""
    from scipy import stats

    res = stats.pearsonr(x, y)
    ci = res.confidence_interval(confidence_level=confidence)
    return _row(
        estimate=float(res.statistic),
        ci_low=float(ci.low),
        ci_high=float(ci.high),
        p_value=float(res.pvalue),
        cov_type="fisher_z",
    )


def _weighted_ranks(v: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mid-ranks of ``v`` in each row of counts ``w`` (B x n), as if each value were repeated
    ``w`` times, and the number of distinct values with a positive count per row."""
    order = np.argsort(v, kind="stable")
    sv = v[order]
    new_group = np.r_[True, sv[1:] != sv[:-1]]
    starts = np.flatnonzero(new_group)
    group = np.cumsum(new_group) - 1
    wg = np.add.reduceat(w[:, order], starts, axis=1)
    rank_g = np.cumsum(wg, axis=1) - wg + (wg + 1) / 2
    ranks = np.empty(w.shape)
    ranks[:, order] = rank_g[:, group]
    return ranks, (wg > 0).sum(axis=1)


def _weighted_spearman(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Spearman rho of each resample given as counts ``w`` (B x n) of the original rows:
    the same number as ranking the expanded resample (ties get mid-ranks)."""
    rx, kx = _weighted_ranks(x, w)
    ry, ky = _weighted_ranks(y, w)
    sw = w.sum(axis=1, keepdims=True)
    dx = rx - (w * rx).sum(axis=1, keepdims=True) / sw
    dy = ry - (w * ry).sum(axis=1, keepdims=True) / sw
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (w * dx * dy).sum(axis=1) / np.sqrt((w * dx * dx).sum(axis=1) * (w * dy * dy).sum(1))
    return np.where((kx > 1) & (ky > 1), rho, np.nan)


def spearman_bootstrap(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    n_boot: int,
    seed: int,
    confidence: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Spearman rho in ``n_boot`` resamples of whole entities, and the percentile interval.

    Entity ``g`` of the sorted distinct entities is drawn ``n_boot x G`` times with
    ``default_rng(seed).integers(0, G, (n_boot, G))``; each resample keeps every row of the
    drawn entities. Returns the replicates (``nan`` where a resample is constant) and
    ``[low, high]`` (``numpy.quantile``, linear, of the defined replicates).

    Each resample is held as a count per original row (how often its entity was drawn), and
    rho is computed from count-weighted mid-ranks, in blocks of resamples: the same numbers
    as ranking each expanded resample with ``scipy.stats.spearmanr`` (checked in the tests),
    without building it (``benchmarks/roi_spearman_bootstrap.py``).
    """
    uniq, inv = np.unique(groups, return_inverse=True)
    n_groups = uniq.size
    draws = np.random.default_rng(seed).integers(0, n_groups, size=(n_boot, n_groups))
    boot = np.empty(n_boot)
    block = max(1, 2_000_000 // max(x.size, n_groups))
    for start in range(0, n_boot, block):
        d = draws[start : start + block]
        offsets = (np.arange(d.shape[0]) * n_groups)[:, None]
        counts = np.bincount((d + offsets).ravel(), minlength=d.shape[0] * n_groups)
        w = counts.reshape(d.shape[0], n_groups)[:, inv].astype(float)
        boot[start : start + d.shape[0]] = _weighted_spearman(x, y, w)
    ok = boot[np.isfinite(boot)]
    alpha = 1.0 - confidence
    if ok.size < 2:
        return boot, np.array([NAN, NAN])
    return boot, np.quantile(ok, [alpha / 2, 1 - alpha / 2])


def spearman(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    confidence: float,
    n_boot: int,
    seed: int,
) -> dict[str, object]:
    """Spearman rho, t-approximation p-value, entity-bootstrap percentile interval."""
    from scipy import stats

    res = stats.spearmanr(x, y)
    boot, (lo, hi) = spearman_bootstrap(x, y, groups, n_boot, seed, confidence)
    bad = int((~np.isfinite(boot)).sum())
    row = _row(
        estimate=float(res.statistic),
        ci_low=float(lo),
        ci_high=float(hi),
        p_value=float(res.pvalue),
        cov_type="bootstrap_entities",
    )
    if bad:
        row["note"] = f"{bad} of {n_boot} bootstrap resamples were constant and left out"
    return row


def collinear_columns(exog: np.ndarray, weights: np.ndarray | None = None) -> list[int]:
    """Columns of the design that take part in an exact linear dependency; empty at full rank.

    The rank is that of the matrix the fit uses (``sqrt(weights)`` × ``exog`` with weights)
    by :func:`numpy.linalg.matrix_rank` with its default tolerance, which flags every design
    statsmodels would fit through a pseudo-inverse (its ``SingularMatrixWarning``): there
    a slope is an arbitrary pick among equally good ones, not an estimate. The columns are
    read off the null space of the column-normalised matrix (rank does not depend on the
    columns' scales, the null vectors' entries do).

    Parameters
    ----------
    exog : numpy.ndarray
        The design, n rows × k columns (constant included).
    weights : numpy.ndarray, optional
        Row weights (>= 0) of a WLS fit.

    Returns
    -------
    list of int
        Indices of the columns with a non-zero entry in a null vector, in column order.
    """
    fitted = exog if weights is None else exog * np.sqrt(weights)[:, None]
    k = fitted.shape[1]
    deficit = k - int(np.linalg.matrix_rank(fitted))
    if deficit <= 0:
        return []
    norms = np.linalg.norm(fitted, axis=0)
    scaled = fitted / np.where(norms > 0, norms, 1.0)
    null = np.linalg.svd(scaled, full_matrices=False)[2][k - deficit :]
    return [int(i) for i in np.flatnonzero(np.max(np.abs(null), axis=0) > 1e-6)]


def ols(
    y: np.ndarray,
    exog: np.ndarray,
    j: int,
    groups: np.ndarray | None,
    weights: np.ndarray | None,
    confidence: float,
) -> dict[str, object]:
    """Slope of column ``j`` of ``exog`` (with its constant): HC3, or cluster-robust by group."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import SingularMatrixWarning

    model = sm.OLS(y, exog) if weights is None else sm.WLS(y, exog, weights=weights)
    alpha = 1.0 - confidence
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        # the caller refuses rank-deficient designs first (collinear_columns)
        warnings.simplefilter("ignore", SingularMatrixWarning)
        if groups is not None:
            _, codes = np.unique(groups, return_inverse=True)
            res = model.fit(
                cov_type="cluster",
                cov_kwds={"groups": codes, "use_correction": True, "df_correction": True},
                use_t=True,
            )
            cov = "cluster"
        else:
            res = model.fit(cov_type="HC3", use_t=True)
            cov = "HC3"
        b = float(res.params[j])
        lo, hi = (float(v) for v in res.conf_int(alpha)[j])
        p = float(res.pvalues[j])
    row = _row(
        estimate=b,
        ci_low=lo,
        ci_high=hi,
        p_value=p,
        per_10=10 * b,
        per_10_ci_low=10 * lo,
        per_10_ci_high=10 * hi,
        r_squared=float(res.rsquared),
        cov_type=cov,
    )
    if cov == "HC3":
        # HC3 divides each squared residual by (1 - h)^2: undefined when a row has leverage 1
        leverage = np.einsum("ij,ji->i", res.model.wexog, res.model.pinv_wexog)
        if np.max(leverage) > 1 - 1e-8:
            lo = hi = float("nan")
            row.update(ci_low=lo, ci_high=hi, p_value=lo, per_10_ci_low=lo, per_10_ci_high=lo)
    if not np.isfinite(lo):
        row["note"] = (
            "its standard error is undefined (a row with leverage 1, e.g. a control category "
            "with a single account)"
        )
    return row


def logit(
    y: np.ndarray,
    exog: np.ndarray,
    j: int,
    groups: np.ndarray | None,
    confidence: float,
) -> dict[str, object]:
    """Logistic slope of column ``j``: AME per point (estimate) and odds ratio per 10 points."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    alpha = 1.0 - confidence
    kw: dict[str, object] = {"disp": 0, "method": "newton", "maxiter": 100}
    cov = "nonrobust"
    if groups is not None:
        _, codes = np.unique(groups, return_inverse=True)
        kw.update(cov_type="cluster", cov_kwds={"groups": codes, "use_correction": True})
        cov = "cluster"
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            res = sm.Logit(y, exog).fit(**kw)
        except (PerfectSeparationWarning, PerfectSeparationError):
            return _row(
                cov_type=cov,
                note="perfect separation: the outcome is predicted "
                "exactly, so the logit estimates are undefined",
            )
        except (ConvergenceWarning, np.linalg.LinAlgError):
            return _row(
                cov_type=cov,
                note="the logit fit did not converge (near-separation "
                "or collinear controls), so its estimates are undefined",
            )
        fitted = res.predict()
        if np.max(np.abs(fitted - y)) < 1e-6:
            return _row(
                cov_type=cov,
                note="perfect separation: the outcome is predicted "
                "exactly, so the logit estimates are undefined",
            )
        b = float(res.params[j])
        blo, bhi = (float(v) for v in res.conf_int(alpha)[j])
        me = res.get_margeff(at="overall", method="dydx")
        k = j - 1  # get_margeff leaves out the constant (column 0)
        mlo, mhi = (float(v) for v in me.conf_int(alpha)[k])
        return _row(
            estimate=float(me.margeff[k]),
            ci_low=mlo,
            ci_high=mhi,
            p_value=float(res.pvalues[j]),
            per_10=float(np.exp(10 * b)),
            per_10_ci_low=float(np.exp(10 * blo)),
            per_10_ci_high=float(np.exp(10 * bhi)),
            r_squared=float(res.prsquared),
            cov_type=cov,
        )
