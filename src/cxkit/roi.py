"""CX ROI: do accounts with better CX grow, retain and churn differently, by how much?

Pure analysis: a :class:`~cxkit.roi_data.Panel` and options in, a :class:`Result` out. The
panel comes from :func:`cxkit.roi_data.read_accounts` (an account table) or
:func:`cxkit.roi_survey.panel_from_survey` (respondents' answers joined to finance data).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import roi_models, stats
from .blas import one_thread
from .errors import (
    UsageError,
    as_ints,
    as_names,
    check_arg,
    check_confidence,
    check_number,
    check_seed,
    check_small_base,
    check_winsorize,
)
from .result import Result, make_provenance
from .roi_data import ENTITY, LABEL, PERIOD, Panel
from .roi_report import (
    COLUMNS,
    PROJECTION_COLUMNS,
    PROJECTION_VIEW,
    VIEW,
    notes_for,
    projection,
    summarise,
)

MODELS = ("pearson", "spearman", "ols", "logit")
DEFAULT_SEED = 20261124


def _winsorize(frame: pd.DataFrame, panel: Panel, p: float | None) -> list[str]:
    notes = []
    for o in panel.outcomes:
        if o in panel.binary:
            continue
        v = frame[o].to_numpy(float)
        ok = np.isfinite(v)
        if ok.sum() < 4:
            continue
        if p:  # 0 caps at the minimum and maximum: nothing
            lo, hi = np.quantile(v[ok], [p, 1 - p])
            capped = int(((v < lo) | (v > hi)).sum())
            frame[o] = np.where(ok, np.clip(v, lo, hi), np.nan)
            notes.append(
                f"--winsorize {p:g}: capped {capped} values of {o!r} at its {p:g} and "
                f"{1 - p:g} quantiles ({lo:.4g}, {hi:.4g})"
            )
            continue
        q1, q3 = np.quantile(v[ok], [0.25, 0.75])
        iqr = q3 - q1
        far = int(((v < q1 - 3 * iqr) | (v > q3 + 3 * iqr)).sum()) if iqr > 0 else 0
        if far:
            notes.append(
                f"{far} values of {o!r} lie more than 3 IQR beyond its quartiles (extreme); "
                "they are used as they are: check them, or cap them with --winsorize 0.01"
            )
    return notes


def _lagged(frame: pd.DataFrame, panel: Panel, lag: int) -> tuple[pd.DataFrame, int]:
    if lag == 0:
        return frame, 0
    later = frame[[ENTITY, PERIOD, *panel.outcomes]].copy()
    later[PERIOD] = later[PERIOD] - lag
    now = frame.drop(columns=panel.outcomes)
    joined = now.merge(later, on=[ENTITY, PERIOD], how="inner", validate="one_to_one")
    return joined, len(now) - len(joined)


def _design(sub: pd.DataFrame, cx: str, panel: Panel, within: bool):
    """The design matrix (constant, cx, controls, entity dummies), the cx column's index, and
    for each column what it comes from: ``None`` for the constant, ``cx``, the control's
    name (each of its dummies too), or ``ENTITY`` for the fixed effects."""
    parts = [pd.Series(1.0, index=sub.index, name="const"), sub[cx].astype(float)]
    sources: list[str | None] = [None, cx]
    for c in panel.controls:
        if within and (sub.groupby(ENTITY)[c].nunique(dropna=False) <= 1).all():
            continue  # constant within every entity: absorbed by the fixed effects
        if c in panel.categorical:
            dummies = pd.get_dummies(sub[c].astype(str), prefix=c, drop_first=True, dtype=float)
            parts.append(dummies)
            sources += [c] * dummies.shape[1]
        else:
            parts.append(sub[c].astype(float))
            sources.append(c)
    if within:
        dummies = pd.get_dummies(sub[ENTITY], prefix="e", drop_first=True, dtype=float)
        parts.append(dummies)
        sources += [ENTITY] * dummies.shape[1]
    exog = pd.concat(parts, axis=1)
    return exog.to_numpy(float), 1, sources


def _collinear_note(cx: str, sources: list[str | None], cols: list[int]) -> str:
    """The note for a design whose columns ``cols`` are exactly collinear."""
    involved = list(dict.fromkeys(sources[i] for i in cols))
    controls = [repr(c) for c in involved if c not in (None, cx, ENTITY)]
    others = [
        {None: "the constant", cx: f"CX {cx!r}", ENTITY: "the account fixed effects"}[c]
        for c in involved
        if c in (None, cx, ENTITY)
    ]
    if len(controls) == 1 and not others:
        return (
            f"control {controls[0]} is zero in every row used, so the estimates are undefined; "
            "drop that control"
        )
    items = controls + others
    names = ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]
    label = "controls " if len(controls) > 1 else "control " if controls else ""
    return (
        f"{label}{names} are exactly collinear (one is a linear combination of the others), "
        "so the estimates are undefined; drop the redundant control"
    )


def _fit(model, sub, cx, outcome, panel, within, confidence, n_boot, seed):
    x = sub[cx].to_numpy(float)
    y = sub[outcome].to_numpy(float)
    ent = sub[ENTITY].to_numpy(object)
    repeated = len(np.unique(ent)) < len(ent)
    what = f"{cx} vs {outcome}"
    if len(sub) < 3:
        return roi_models._row(cov_type="", note=f"fewer than 3 usable rows for {what}")
    if np.ptp(x) == 0:
        return roi_models._row(cov_type="", note=f"{cx!r} is constant over the rows of {what}")
    if np.ptp(y) == 0:
        return roi_models._row(cov_type="", note=f"{outcome!r} is constant over the rows of {what}")
    if model == "pearson":
        return roi_models.pearson(x, y, confidence)
    if model == "spearman":
        return roi_models.spearman(x, y, ent, confidence, n_boot, seed)
    exog, j, sources = _design(sub, cx, panel, within)
    if exog.shape[0] <= exog.shape[1]:
        return roi_models._row(
            cov_type="", note=f"{what}: {exog.shape[0]} rows for {exog.shape[1]} coefficients"
        )
    if within:
        demeaned = x - sub.groupby(ENTITY)[cx].transform("mean").to_numpy(float)
        if np.allclose(demeaned, 0):
            return roi_models._row(
                cov_type="cluster",
                note=f"{cx!r} never changes within an account, so --within has nothing to use",
            )
    groups = ent if (repeated or within) else None
    if groups is not None and len(np.unique(ent)) < 2:
        return roi_models._row(
            cov_type="cluster", note=f"{what}: cluster-robust errors need at least 2 accounts"
        )
    w = sub[panel.weight_col].to_numpy(float) if panel.weight_col else None
    collinear = roi_models.collinear_columns(exog, w)
    if collinear:
        return roi_models._row(
            cov_type="cluster" if groups is not None else ("HC3" if model == "ols" else ""),
            note=_collinear_note(cx, sources, collinear),
        )
    try:
        if model == "logit":
            return roi_models.logit(y, exog, j, groups, confidence)
        return roi_models.ols(y, exog, j, groups, w, confidence)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, FloatingPointError) as exc:
        return roi_models._row(
            cov_type="",
            note=f"{what}: the model could not be fitted ({type(exc).__name__}: {str(exc)[:120]})",
        )


def _models_for(outcome: str, panel: Panel, models: Sequence[str], within: bool) -> list[str]:
    if within:
        return ["ols_fe"]
    out = []
    for m in models:
        if m == "ols" and outcome in panel.binary:
            continue
        if m == "logit" and outcome not in panel.binary:
            continue
        out.append(m)
    return out


def _kind(outcome: str, panel: Panel) -> str:
    return "binary" if outcome in panel.binary else "continuous"


def _skipped_pairs(panel: Panel, models: Sequence[str], within: bool) -> list[str]:
    """A note per (outcome, --model) pair left out because the model does not fit that kind
    of outcome (ols: continuous, logit: binary); a usage error when no pair is left."""
    if within:
        return []
    notes = []
    for o in panel.outcomes:
        for m in models:
            if m not in _models_for(o, panel, [m], within):
                other = "logit" if m == "ols" else "ols"
                notes.append(
                    f"--model {m} is not fitted to {_kind(o, panel)} outcome {o!r} "
                    f"({m} is for {'continuous' if m == 'ols' else 'binary'} outcomes; "
                    f"{other}, pearson and spearman fit it)"
                )
    if not any(_models_for(o, panel, models, within) for o in panel.outcomes):
        needs = "; ".join(
            f"{o!r} is {_kind(o, panel)}: use --model {'logit' if o in panel.binary else 'ols'}"
            for o in panel.outcomes
        )
        raise UsageError(
            f"--model {', '.join(models)} fits none of the outcomes (ols is "
            f"for continuous outcomes, logit for binary ones): {needs}, or pearson/spearman"
        )
    return notes


@one_thread
def roi(
    panel: Panel,
    *,
    models: str | Sequence[str] | None = None,
    lags: int | Sequence[int] = (0,),
    within: bool = False,
    confidence: float = 0.95,
    winsorize: float | None = None,
    improve: float | None = None,
    n_boot: int = 2000,
    seed: int = DEFAULT_SEED,
    small_base: int = 30,
    period: str | None = None,
) -> Result:
    """Association of CX scores with business outcomes, one row per (cx, outcome, model, lag).

    Parameters
    ----------
    panel : Panel
        From :func:`cxkit.roi_data.read_accounts` or :func:`cxkit.roi_survey.panel_from_survey`.
    models : str or sequence of str, optional
        Any of ``pearson``, ``spearman``, ``ols`` (continuous outcomes) and ``logit`` (binary
        outcomes); default all that apply.
    lags : int or sequence of int
        CX at period t against the outcome at period t + lag of the same entity (needs the
        panel's time column); rows without that later period are dropped and counted.
    period : str, optional
        Only CX measured in this period (a label of the time column, e.g. ``2026Q2``):
        ``--wave``. Outcomes still come from period t + lag.
    within : bool
        Entity fixed effects: only ``ols_fe`` rows (a linear probability model for binary
        outcomes), so stable differences between accounts cannot pass for a CX effect.
    confidence : float
        Confidence level of every interval.
    winsorize : float, optional
        Cap continuous outcomes at their ``winsorize`` and ``1 - winsorize`` quantiles
        (``0 <= winsorize < 0.5``; 0, like None, caps nothing).
    improve : float, optional
        Return the projection table for raising CX by this many points instead.
    n_boot, seed : int
        Bootstrap resamples of entities for the Spearman interval (at least 100 when a
        spearman row is fitted; other models use none), and the seed.
    small_base : int
        Rows with fewer entities than this are flagged in the notes.

    Returns
    -------
    Result
        ``table`` columns:

        - ``cx``, ``outcome``, ``model`` (``pearson``, ``spearman``, ``ols``, ``ols_fe``,
          ``logit``), ``lag``;
        - ``n`` rows used and ``n_entities`` distinct entities among them;
        - ``estimate`` with ``ci_low``/``ci_high``: r (pearson), rho (spearman), the slope per
          CX point (ols, ols_fe), or the average marginal effect of one CX point on the
          probability (logit);
        - ``p_value`` (H0: no association) and ``p_adj`` (Holm over every row of the run);
        - ``per_10`` with ``per_10_ci_low``/``_high``: the change for 10 CX points (ols,
          ols_fe) or the odds ratio for 10 points (logit); null for correlations;
        - ``r_squared``: R² of the regression (with its controls and fixed effects), or
          McFadden's pseudo-R² for logit; null for correlations;
        - ``cov_type``: ``fisher_z``, ``bootstrap_entities``, ``HC3``, ``cluster`` or
          ``nonrobust``.

        Undefined estimates (fewer than 3 rows, a constant column, perfect separation,
        exactly collinear controls) are null with a note. With ``improve`` the table is the
        projection instead:
        ``cx, outcome, model, lag, improve, n, n_entities, change, change_ci_low,
        change_ci_high, revenue_per_entity, revenue_change, revenue_change_ci_low,
        revenue_change_ci_high`` (``improve`` × slope, or × the marginal effect for logit;
        revenue = change × mean revenue per entity, for rate outcomes given as fractions and
        binary outcomes).

    Notes
    -----
    Checked in ``tests/test_roi_reference.py`` against R (``cor.test``, ``lm`` with
    ``sandwich::vcovHC(type = "HC3")`` and ``sandwich::vcovCL(type = "HC1")`` via
    ``lmtest::coeftest``, ``glm(family = binomial)``), script ``tests/reference/roi_reference.R``.

    References
    ----------
    Fisher (1921) Metron 1:3; MacKinnon & White (1985) J Econometrics 29:305 (HC3);
    Cameron & Miller (2015) J Human Resources 50:317 (cluster-robust); Efron & Tibshirani
    (1993) An Introduction to the Bootstrap; Holm (1979) Scand J Stat 6:65.
    """
    check_arg(panel, Panel, "roi() takes a Panel from cxkit.read_accounts(...)")
    models = None if models is None else as_names(models, "models")
    lags = as_ints(lags, "lags")
    check_seed(seed)
    check_small_base(small_base)
    if improve is not None:
        check_number(improve, "improve")
    check_confidence(confidence)
    if within and models and set(models) != {"ols"}:
        raise UsageError("--within fits fixed-effects OLS only; drop --model or use --model ols")
    chosen = bool(models)
    models = list(dict.fromkeys(models)) if models else list(MODELS)  # a repeat: once
    for m in models:
        if m not in MODELS:
            raise UsageError(f"--model {m!r}: choose from {', '.join(MODELS)}")
    skipped = _skipped_pairs(panel, models, within) if chosen else []
    lags = sorted({int(k) for k in lags})
    if not lags or lags[0] < 0:
        raise UsageError("--lag must be 0 or more (CX at t against the outcome at t + lag)")
    if lags != [0] and not panel.time_col:
        raise UsageError("--lag needs --time: name the period column (e.g. --time quarter)")
    if within and not panel.entity_col:
        raise UsageError("--within needs --entity (the account column) and several periods")
    check_winsorize(winsorize)
    if n_boot < 100 and not within and "spearman" in models:
        # only the spearman interval resamples (pearson, ols and logit use none)
        raise UsageError(f"--bootstrap must be at least 100, not {n_boot}")

    frame = panel.frame.copy()
    notes = list(panel.notes) + skipped
    notes += _winsorize(frame, panel, winsorize)
    unranged = [c for c in panel.cx if c not in panel.cx_ranges]
    if unranged:
        notes.append(
            f"no valid range is known for CX column {', '.join(map(repr, unranged))}, so its "
            "values are not range-checked; pass --cx-range MIN,MAX (or set [scale] in cxkit.toml)"
        )
    binary_fe = [o for o in panel.outcomes if within and o in panel.binary]
    if binary_fe:
        notes.append(
            f"--within: {', '.join(binary_fe)} is binary, so ols_fe is a linear probability "
            "model: its estimate is the change in probability per CX point"
        )
    if within:
        absorbed = [c for c in panel.controls if (frame.groupby(ENTITY)[c].nunique() <= 1).all()]
        if absorbed:
            notes.append(
                f"--within: control {', '.join(absorbed)} never changes within an account, so "
                "the fixed effects absorb it and it is left out of the model"
            )
    rows: list[dict[str, object]] = []
    revenue: dict[tuple, float] = {}
    subs: dict[tuple, pd.DataFrame] = {}
    row_notes: list[str] = []
    unit = panel.period_unit
    if period is not None:
        if not panel.time_col:
            raise UsageError("--wave needs --time: name the period column (e.g. --time quarter)")
        known = list(dict.fromkeys(str(v) for v in frame[LABEL]))
        if str(period) not in known:
            raise UsageError(
                f"wave {period!r} is not in column {panel.time_col!r}; waves: {', '.join(known)}"
            )
    for lag in lags:
        lagged, dropped = _lagged(frame, panel, lag)
        if period is not None:
            lagged = lagged[lagged[LABEL].astype(str) == str(period)]
        if dropped:
            notes.append(
                f"lag {lag}: {dropped} rows have no row {lag} {unit}{'s' if lag > 1 else ''} "
                "later for the same account and are dropped"
            )
        for cx in panel.cx:
            for outcome in panel.outcomes:
                need = [cx, outcome, *panel.controls]
                if panel.weight_col:
                    need.append(panel.weight_col)
                complete = lagged[need].notna().all(axis=1)
                sub = lagged[complete]
                missing = int((~complete).sum())
                if missing:
                    notes.append(
                        f"{cx} vs {outcome}, lag {lag}: {missing} rows lack a value of "
                        f"{', '.join(c for c in need if lagged.loc[~complete, c].isna().any())} "
                        "and are left out"
                    )
                subs[(cx, outcome, lag)] = sub
                if panel.revenue_col:
                    revenue[(cx, outcome, lag)] = float(sub[panel.revenue_col].mean())
                for model in _models_for(outcome, panel, models, within):
                    fit = _fit(model, sub, cx, outcome, panel, within, confidence, n_boot, seed)
                    note = fit.pop("note", None)
                    if note:
                        row_notes.append(f"{model} {cx} vs {outcome} (lag {lag}): {note}")
                    rows.append(
                        {
                            "cx": cx,
                            "outcome": outcome,
                            "model": model,
                            "lag": lag,
                            "n": len(sub),
                            "n_entities": int(sub[ENTITY].nunique()),
                            **fit,
                        }
                    )
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "p_adj"])
    table.insert(COLUMNS.index("p_adj"), "p_adj", np.nan)
    ok = table["p_value"].notna().to_numpy()
    if ok.any():
        table.loc[ok, "p_adj"] = stats.holm(table.loc[ok, "p_value"].to_numpy(float))
    for c in ("lag", "n", "n_entities"):
        table[c] = table[c].astype("int64")
    table = table[COLUMNS]
    notes += row_notes + notes_for(table, panel, small_base, within)
    summary = summarise(table, panel, subs, confidence, within)
    params = {
        "cx": panel.cx,
        "outcomes": panel.outcomes,
        "binary_outcomes": sorted(panel.binary),
        "entity": panel.entity_col,
        "time": panel.time_col,
        "period_unit": panel.period_unit,
        "controls": panel.controls,
        "categorical_controls": sorted(panel.categorical),
        "weight": panel.weight_col,
        "revenue": panel.revenue_col,
        "cx_ranges": {k: list(v) for k, v in panel.cx_ranges.items()},
        "models": models,
        "lags": lags,
        "within": within,
        "confidence": confidence,
        "winsorize": winsorize,
        "improve": improve,
        "bootstrap": n_boot,
        "small_base": small_base,
    }
    used = {m for m in table["model"]}
    methods = {k: v for k, v in roi_models.METHODS.items() if k in used or k == "p_adj"}
    uses_seed = "spearman" in used
    view = VIEW
    if improve is not None:
        table, extra_notes, summary = projection(table, panel, improve, revenue, summary)
        notes += extra_notes
        view = PROJECTION_VIEW
    return Result(
        command="roi",
        table=table,
        summary=summary,
        notes=notes,
        provenance=make_provenance(
            panel.sources, params, methods, seed if uses_seed else None, panel.config
        ),
        view=view,
    )


__all__ = ["COLUMNS", "MODELS", "PROJECTION_COLUMNS", "roi"]
