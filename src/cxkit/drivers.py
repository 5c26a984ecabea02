"""Key driver analysis: which practices move the customers' outcome, and where to act first."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import stats
from .blas import one_thread
from .errors import (
    InputError,
    UsageError,
    as_names,
    check_arg,
    check_confidence,
    check_seed,
    check_small_base,
)
from .importance import MAX_LMG, lmg, relative_weights, weighted_corr
from .metrics import _config, _f, _metric_stats, check_weighted_base, weights_of
from .result import Result, ViewColumn, ci_text, make_provenance, num_text
from .survey import Survey

COLUMNS = [
    "driver",
    "label",
    "n",
    "r",
    "r_ci_low",
    "r_ci_high",
    "relative_weight",
    "relative_weight_ci_low",
    "relative_weight_ci_high",
    "lmg",
    "lmg_ci_low",
    "lmg_ci_high",
    "importance",
    "importance_ci_low",
    "importance_ci_high",
    "importance_rank",
    "n_performance",
    "performance",
    "performance_ci_low",
    "performance_ci_high",
    "quadrant",
    "self_performance",
    "gap",
    "gap_ci_low",
    "gap_ci_high",
    "priority_score",
    "priority",
]

QUADRANTS = {
    (True, True): "keep up",
    (True, False): "concentrate here",
    (False, False): "low priority",
    (False, True): "possible overkill",
}

METHODS = {
    "r": "weighted Pearson correlation with the outcome; Fisher z interval with the Kish "
    "effective n (= R cor.test when unweighted)",
    "relative_weight": "Johnson's relative weights from the correlation matrix (Johnson 2000); "
    "raw weights sum to R²",
    "lmg": "LMG / Shapley R² decomposition by exact enumeration of all subset regressions "
    "(Lindeman, Merenda & Gold 1980; Groemping 2006), sweep operator on the correlation matrix",
    "importance": "share of R² (0-1) from LMG when there are at most 15 drivers, else from "
    "relative weights",
    "bootstrap": "percentile intervals from B resamples of the complete customer rows "
    "(numpy default_rng(seed): each row weighted by how often n draws with replacement "
    "picked it), weights carried along",
    "performance": "customers' weighted mean (t interval) or agree share (Wilson interval), "
    "over every customer answer of the driver",
    "quadrant": "importance at or above the average share 1/k, performance at or above the "
    "mean of the drivers' performances: keep up / concentrate here / low priority / "
    "possible overkill",
    "gap": "self minus customer performance from cxkit gap (Welch interval for means, "
    "Newcombe for agree shares)",
    "priority": "rank of importance x gap (largest first): important drivers that customers "
    "rate low and the company rates high come first",
}


def _role_masks(survey: Survey, self_roles, customer_roles):
    n = len(survey.frame)
    if survey.role_col is None:
        return np.ones(n, dtype=bool), np.zeros(n, dtype=bool), []
    raw = survey.frame[survey.role_col].to_numpy(dtype=object)
    norm = np.array([None if v is None else str(v).casefold() for v in raw], dtype=object)
    cust = np.isin(norm, [r.strip().casefold() for r in customer_roles])
    slf = np.isin(norm, [r.strip().casefold() for r in self_roles])
    file = survey.sources[0].path if survey.sources else "input"
    if not cust.any():
        seen = sorted({v for v in norm if v})
        raise InputError(
            f"{file}: no customer responses: column {survey.role_col!r} has none of "
            f"{', '.join(customer_roles)} (values seen: {', '.join(seen[:10]) or 'none'}); "
            "pass --customer VALUE"
        )
    notes = []
    other = ~cust & ~slf
    if other.any():
        notes.append(
            f"{int(other.sum())} rows are neither customer nor self responses and are not used"
        )
    return cust, slf, notes


def _fisher(r: np.ndarray, n: float, confidence: float):
    z = stats.z_crit(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        fz = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
        se = 1.0 / np.sqrt(n - 3.0) if n > 3 else np.nan
        return np.tanh(fz - z * se), np.tanh(fz + z * se)


def _importances(corr: np.ndarray, use_lmg: bool) -> tuple[np.ndarray, np.ndarray]:
    rw = relative_weights(corr)
    lm = lmg(corr) if use_lmg else np.full(rw.shape, np.nan)
    return rw, lm


#: most resample-by-row counts held at once by :func:`_bootstrap`
_RESAMPLE_CELLS = 20_000_000


def _bootstrap(data, w, n_boot, seed, use_lmg, confidence):
    """Percentile intervals of relative weights, LMG, importance shares and R²."""
    rng = np.random.default_rng(seed)
    n, p = data.shape
    k = p - 1
    rw_all = np.full((n_boot, k), np.nan)
    lmg_all = np.full((n_boot, k), np.nan)
    # resamples formed together: their moments share one pass over the rows (at most
    # 20M counts, 160 MB, at a time)
    chunk = max(1, min(n_boot, _RESAMPLE_CELLS // max(n, 1)))
    block = np.empty((chunk, n))  # reused: fresh pages for every chunk cost more than a pass
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        counts = block[:b]
        for i in range(b):
            # how often each row is drawn in n draws with replacement: multinomial counts
            # (rng.multinomial over n equal cells took 27 ms a resample at 580,000 rows)
            counts[i] = np.bincount(rng.integers(0, n, size=n), minlength=n)
        counts *= w[None, :]
        corr = weighted_corr(data, counts)
        ok = np.isfinite(corr).all(axis=(1, 2))
        if ok.any():
            rw_all[done : done + b][ok] = relative_weights(corr[ok])
            if use_lmg:
                for i in np.flatnonzero(ok):
                    lmg_all[done + i] = lmg(corr[i])
        done += b
    main = lmg_all if use_lmg else rw_all
    with np.errstate(invalid="ignore", divide="ignore"):
        share = main / main.sum(axis=1, keepdims=True)
    r2 = main.sum(axis=1)
    alpha = (1.0 - confidence) / 2.0
    q = [alpha * 100.0, (1.0 - alpha) * 100.0]
    valid = np.isfinite(r2)

    def pct(a):
        if not valid.any():
            return np.full((2, a.shape[1] if a.ndim > 1 else 1), np.nan)
        return np.percentile(a[valid], q, axis=0)

    return {
        "relative_weight": pct(rw_all),
        "lmg": pct(lmg_all) if use_lmg else np.full((2, k), np.nan),
        "importance": pct(share),
        "r2": np.percentile(r2[valid], q) if valid.any() else np.array([np.nan, np.nan]),
        "failed": int((~valid).sum()),
    }


@one_thread
def drivers(
    survey: Survey,
    outcome: str,
    drivers: Sequence[str] | None = None,
    *,
    self_roles: Sequence[str] | None = None,
    customer_roles: Sequence[str] | None = None,
    performance: str = "mean",
    agree_at: float | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    small_base: int = 30,
) -> Result:
    """Key drivers of a customer outcome: correlation, relative importance, performance, gap.

    Parameters
    ----------
    survey : Survey
        Driver items as survey items and the outcome as a numeric column of ``survey.frame``
        (``nan`` = no answer).
    outcome : str
        The outcome column (e.g. the 0-10 likelihood to recommend).
    drivers : sequence of str, optional
        Driver items; default every item except the outcome.
    self_roles, customer_roles : sequence of str, optional
        Role values of self-raters and customers (default from the config). The model uses
        customer rows only; self rows give the self-vs-customer gap. Without a role column
        every row is a customer and there is no gap.
    performance : {"mean", "agree"}
        Driver performance as the customers' mean or their share answering ``>= agree_at``.
    agree_at : float, optional
        Agree threshold; default the scale's top-2 box.
    bootstrap : int
        Resamples for the importance intervals (0 = no intervals).
    seed : int
        Seed of ``numpy.random.default_rng``; same seed, same intervals.
    confidence : float
        Confidence level of every interval.
    small_base : int
        Fewer complete customer rows than this is flagged in the notes.

    Returns
    -------
    Result
        One row per driver, most important first:

        - ``driver``, ``label``; ``n``: complete customer rows (outcome and every driver).
        - ``r`` with Fisher ``r_ci_low`` / ``r_ci_high``: correlation with the outcome.
        - ``relative_weight`` (Johnson) and ``lmg`` (exact Shapley; ``nan`` above 15
          drivers), each in R² units with bootstrap ``*_ci_low`` / ``*_ci_high``.
        - ``importance``: share of R² (0-1, sums to 1) from LMG, else relative weights, with
          bootstrap interval; ``importance_rank`` (1 = most important).
        - ``n_performance``, ``performance`` with ``performance_ci_low`` / ``_high``:
          customers' mean (t) or agree share (Wilson) over all their answers to the driver.
        - ``quadrant``: ``keep up`` (important, performing), ``concentrate here`` (important,
          under-performing), ``low priority``, ``possible overkill``.
        - ``self_performance``, ``gap`` (self - customer) with ``gap_ci_low`` / ``_high``,
          ``priority_score`` (importance x gap) and ``priority`` (1 = fix first); ``nan``
          without self-ratings.

        Constant drivers get ``nan`` importance and a note. ``summary`` holds ``r2`` with
        its bootstrap interval.

    Raises
    ------
    InputError
        The outcome is constant or binary, or there are too few complete customer rows.

    Notes
    -----
    Checked against R (``lm`` on every subset, the Johnson formula in base R, ``cor.test``)
    in ``tests/test_drivers_reference.py``.

    References
    ----------
    Johnson (2000) Multivariate Behav Res 35:1; Lindeman, Merenda & Gold (1980); Groemping
    (2006) J Stat Softw 17(1); Martilla & James (1977) J Marketing 41:77 (importance-
    performance analysis).
    """
    check_arg(survey, Survey, "drivers() takes a Survey from cxkit.read_survey(...)")
    if not isinstance(outcome, str):
        raise UsageError(f"outcome takes one column name, not {type(outcome).__name__}")
    drivers = None if drivers is None else as_names(drivers, "drivers")
    self_roles = None if self_roles is None else as_names(self_roles, "self_roles")
    customer_roles = None if customer_roles is None else as_names(customer_roles, "customer_roles")
    check_seed(seed)
    check_small_base(small_base)
    check_confidence(confidence)
    if performance not in ("mean", "agree"):
        raise UsageError(f"--performance {performance!r}: choose mean or agree")
    if bootstrap < 0:
        raise UsageError(f"--bootstrap must be 0 or more, not {bootstrap}")
    if outcome not in survey.frame.columns:
        raise UsageError(f"outcome {outcome!r} was not read with the survey")
    chosen = [d for d in (drivers or survey.items) if d != outcome]
    unknown = [d for d in chosen if d not in survey.items]
    if unknown:
        raise UsageError(f"not an item of this survey: {', '.join(unknown)}")
    if not chosen:
        raise UsageError("no drivers: name them with --drivers")
    file = survey.sources[0].path if survey.sources else "input"
    scale = survey.scale
    agree = survey.scale.agree_at if agree_at is None else float(agree_at)
    scale.check_agree(agree)
    self_roles = tuple(self_roles) if self_roles else survey.self_roles
    customer_roles = tuple(customer_roles) if customer_roles else survey.customer_roles
    cust, slf, notes = _role_masks(survey, self_roles, customer_roles)
    frame = survey.frame
    w_all = weights_of(survey)
    w_all = np.ones(len(frame)) if w_all is None else w_all
    x = frame[chosen].to_numpy(float)[cust]
    y = frame[outcome].to_numpy(float)[cust]
    w = w_all[cust]
    answered = np.isfinite(x).all(axis=1) & np.isfinite(y)
    complete = answered & (w > 0)
    n_cust = int(cust.sum())
    n_answered = int(answered.sum())
    n = int(complete.sum())
    if n_answered < n_cust:
        notes.append(
            f"{n_cust - n_answered} of {n_cust} customer rows lack the outcome or a driver "
            "answer and are left out of the importance model (complete rows only)"
        )
    if n < n_answered:
        notes.append(
            f"{n_answered - n} complete customer rows weigh 0 in {survey.weight_col!r} and "
            "add nothing to the importance model"
        )
    x, y, w = x[complete], y[complete], w[complete]
    if n == 0 and n_answered:
        check_weighted_base(survey, [n_answered], [0.0], "customer")
    if n == 0:
        raise InputError(
            f"{file}: no customer row answers {outcome!r} and every driver; check --outcome, "
            "--drivers and --customer"
        )
    distinct = np.unique(y)
    if distinct.size <= 1:
        raise InputError(
            f"{file}: outcome {outcome!r} does not vary among the {n} complete customer rows "
            "(nothing to explain); check --outcome"
        )
    if distinct.size == 2:
        raise InputError(
            f"{file}: outcome {outcome!r} is binary ({distinct[0]:g}/{distinct[1]:g}); key "
            "driver R² decomposition needs a scored outcome (e.g. 0-10 likelihood to "
            "recommend) and logistic importance is not supported: pass a scored --outcome"
        )
    sd = np.sqrt(np.average((x - np.average(x, axis=0, weights=w)) ** 2, axis=0, weights=w))
    varying = sd > 1e-12
    if not varying.all():
        names = [d for d, v in zip(chosen, varying, strict=True) if not v]
        notes.append(
            f"{len(names)} drivers do not vary among the complete customer rows and get no "
            f"importance: {', '.join(names)}"
        )
    used = [d for d, v in zip(chosen, varying, strict=True) if v]
    k = len(used)
    if k == 0:
        raise InputError(f"{file}: no driver varies among the {n} complete customer rows")
    if n < k + 2:
        raise InputError(
            f"{file}: only {n} complete customer rows (an answer to {outcome!r} and every "
            f"driver) for {k} drivers; need at least {k + 2}: use fewer --drivers or rows "
            "with fewer missing answers"
        )
    neff = float(stats.kish_neff(w.sum(), (w * w).sum()))
    if n < max(small_base, 10 * k):
        notes.append(
            f"only {n} complete customer rows for {k} drivers (fewer than "
            f"{max(small_base, 10 * k)}): importances are unstable, read the intervals"
        )
    data = np.column_stack([x[:, varying], y])
    corr = weighted_corr(data, w)
    notes += _collinearity_notes(corr[:-1, :-1], used)
    use_lmg = k <= MAX_LMG
    if not use_lmg:
        notes.append(
            f"{k} drivers: exact LMG needs at most {MAX_LMG}; importance is from relative weights"
        )
    rw, lm = _importances(corr, use_lmg)
    main = lm if use_lmg else rw
    r2 = float(main.sum())
    share = main / r2 if r2 > 0 else np.full(k, np.nan)
    if bootstrap > 0:
        boot = _bootstrap(data, w, bootstrap, seed, use_lmg, confidence)
        if boot["failed"]:
            notes.append(
                f"{boot['failed']} of {bootstrap} bootstrap resamples had a constant driver or "
                "outcome and were skipped"
            )
    else:
        nan2 = np.full((2, k), np.nan)
        boot = {"relative_weight": nan2, "lmg": nan2, "importance": nan2, "r2": [np.nan] * 2}
        notes.append("--bootstrap 0: importance intervals are not computed")

    r = corr[:-1, -1]
    rlo, rhi = _fisher(r, neff, confidence)
    table = pd.DataFrame({"driver": chosen, "label": [survey.label_of(d) for d in chosen]})
    table["n"] = n
    pos = {d: i for i, d in enumerate(used)}

    def spread(values) -> list[float]:
        return [float(values[pos[d]]) if d in pos else np.nan for d in chosen]

    table["r"], table["r_ci_low"], table["r_ci_high"] = spread(r), spread(rlo), spread(rhi)
    for name, est in (("relative_weight", rw), ("lmg", lm), ("importance", share)):
        table[name] = spread(est)
        table[f"{name}_ci_low"] = spread(boot[name][0])
        table[f"{name}_ci_high"] = spread(boot[name][1])
    order = table["importance"].rank(ascending=False, method="first")
    table["importance_rank"] = order

    perf = _performance(survey, chosen, cust, w_all, performance, agree, confidence)
    for c, v in perf.items():
        table[c] = v
    mean_perf = np.nanmean(table.loc[table["importance"].notna(), "performance"])
    table["quadrant"] = [
        QUADRANTS[(bool(i >= 1.0 / k - 1e-12), bool(p >= mean_perf))] if np.isfinite(i) else None
        for i, p in zip(table["importance"], table["performance"], strict=True)
    ]
    gap_cols, gap_notes = _gap(survey, chosen, slf, self_roles, customer_roles, performance, agree)
    notes += gap_notes
    for c, v in gap_cols.items():
        table[c] = v
    score = table["importance"] * table["gap"]
    table["priority_score"] = score
    table["priority"] = score.rank(ascending=False, method="first")
    table = table.sort_values(["importance_rank", "driver"], na_position="last", kind="stable")
    table = table.reset_index(drop=True)[COLUMNS]
    table["n"] = table["n"].astype("int64")
    table["n_performance"] = table["n_performance"].astype("int64")

    summary = _summary(table, r2, boot["r2"], n, neff, confidence)
    methods = dict(METHODS)
    if not use_lmg:
        methods.pop("lmg")
    if bootstrap == 0:
        methods.pop("bootstrap")
    if not slf.any():
        methods.pop("gap")
        methods.pop("priority")
    if survey.weight_col is not None:
        methods["weights"] = (
            "weighted correlations, means and shares; Kish effective n in the intervals"
        )
    params = {
        "outcome": outcome,
        "drivers": chosen,
        "self_roles": list(self_roles),
        "customer_roles": list(customer_roles),
        "role_col": survey.role_col,
        "weight_col": survey.weight_col,
        "performance": performance,
        "agree_at": agree,
        "scale": [scale.min, scale.max],
        "bootstrap": bootstrap,
        "confidence": confidence,
        "small_base": small_base,
    }
    return Result(
        command="drivers",
        table=table,
        summary=summary,
        notes=survey.notes + notes,
        provenance=make_provenance(
            survey.sources, params, methods, seed if bootstrap else None, _config(survey)
        ),
        view=_view(performance, bool(slf.any())),
    )


def _collinearity_notes(rxx: np.ndarray, names: list[str]) -> list[str]:
    notes = []
    k = len(names)
    pairs = [
        (names[i], names[j], rxx[i, j])
        for i in range(k)
        for j in range(i + 1, k)
        if abs(rxx[i, j]) >= 0.9
    ]
    if pairs:
        text = "; ".join(f"{a} and {b} (r = {v:.2f})" for a, b, v in pairs[:6])
        notes.append(
            f"nearly collinear drivers: {text}; they share their importance, so read their "
            "importances together or combine them"
        )
    if k > 1:
        lam = np.linalg.eigvalsh(rxx)
        if lam.min() < 1e-8 * lam.max() and not any(abs(v) > 0.999 for *_, v in pairs):
            notes.append(
                "the drivers are linearly dependent (one is a combination of others); "
                "importances are split among them"
            )
    return notes


def _performance(survey, chosen, cust, w_all, performance, agree, confidence):
    out: dict[str, list[float]] = {
        "n_performance": [],
        "performance": [],
        "performance_ci_low": [],
        "performance_ci_high": [],
    }
    group = np.where(cust, 0, -1)
    weights = None if survey.weight_col is None else w_all
    key = "mean" if performance == "mean" else "agree"
    for d in chosen:
        st = _metric_stats(
            survey.frame[d].to_numpy(float), group, 1, weights, survey.scale, agree, confidence
        )
        out["n_performance"].append(int(st["n"][0]))
        out["performance"].append(float(st[key][0]))
        out["performance_ci_low"].append(float(st[f"{key}_ci_low"][0]))
        out["performance_ci_high"].append(float(st[f"{key}_ci_high"][0]))
    return out


def _gap(survey, chosen, slf, self_roles, customer_roles, performance, agree):
    nan = [np.nan] * len(chosen)
    empty = dict.fromkeys(("self_performance", "gap", "gap_ci_low", "gap_ci_high"), nan)
    if not slf.any():
        return empty, []
    from .gap import gap

    res = gap(
        survey,
        self_roles=self_roles,
        customer_roles=customer_roles,
        items=chosen,
        agree_at=agree,
        drop_unknown_roles=True,
    )
    t = res.table[res.table["level"] == "item"].set_index("item")
    pre = "mean" if performance == "mean" else "agree"
    gap_col = f"{pre}_gap"
    return {
        "self_performance": [float(t.loc[d, f"{pre}_self"]) for d in chosen],
        "gap": [float(t.loc[d, gap_col]) for d in chosen],
        "gap_ci_low": [float(t.loc[d, f"{gap_col}_ci_low"]) for d in chosen],
        "gap_ci_high": [float(t.loc[d, f"{gap_col}_ci_high"]) for d in chosen],
    }, []


def _summary(table, r2, r2_ci, n, neff, confidence):
    level = f"{confidence * 100:g}%"
    top = table.iloc[0]

    def pct(x: float) -> str:
        return f"{x * 100:.0f}"

    text = f"R² {num_text(r2, '{:.2f}'.format)}"
    if np.isfinite(r2_ci[0]) and np.isfinite(r2_ci[1]):
        text += f" ({ci_text(r2_ci[0], r2_ci[1], '{:.2f}'.format, level)})"
    text += f"; top driver: {top['label']} ({num_text(top['importance'], pct)}% of R²"
    if np.isfinite(top["importance_ci_low"]) and np.isfinite(top["importance_ci_high"]):
        text += (
            f", {ci_text(top['importance_ci_low'], top['importance_ci_high'], pct, '', '–', '%')}"
        )
    text += ")"
    first = table[table["priority"] == 1]
    if len(first):
        text += f"; fix first: {first.iloc[0]['label']}"
    text += f"; n = {n:,}"
    return {
        "headline": text,
        "r2": _f(r2),
        "r2_ci_low": _f(r2_ci[0]),
        "r2_ci_high": _f(r2_ci[1]),
        "top_driver": top["driver"],
        "fix_first": None if not len(first) else first.iloc[0]["driver"],
        "n": n,
        "neff": _f(neff),
    }


def _view(performance: str, has_gap: bool) -> list[ViewColumn]:
    kind = "mean" if performance == "mean" else "pct"
    gap_kind = "num" if performance == "mean" else "pp"
    view = [
        ViewColumn("Driver", ("label",), "text"),
        ViewColumn("r (CI)", ("r", "r_ci_low", "r_ci_high"), "mean"),
        ViewColumn(
            "Share of R² (CI)", ("importance", "importance_ci_low", "importance_ci_high"), "pct"
        ),
        ViewColumn(
            "Performance (CI)", ("performance", "performance_ci_low", "performance_ci_high"), kind
        ),
        ViewColumn("Quadrant", ("quadrant",), "text"),
    ]
    if has_gap:
        view += [
            ViewColumn("Gap self−cust. (CI)", ("gap", "gap_ci_low", "gap_ci_high"), gap_kind),
            ViewColumn("Priority", ("priority",), "int"),
        ]
    return view
