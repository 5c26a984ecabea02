"""Standard VoC metrics with honest uncertainty: NPS, and mean / top-box / CSAT / CES."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from . import stats
from .aggregate import histograms, summarise
from .errors import InputError, UsageError
from .result import Result, ViewColumn, make_provenance
from .survey import Survey

ALL = "(all)"
MISSING = "(missing)"
#: tolerance for box thresholds on respondent means such as 11/3
_TOL = 1e-9

#: NPS group labels a survey platform may export instead of the 0-10 answer (normalised).
NPS_LABELS: dict[str, float] = {
    "promoter": 10.0,
    "promoters": 10.0,
    "passive": 8.0,
    "passives": 8.0,
    "neutral": 8.0,
    "detractor": 0.0,
    "detractors": 0.0,
}

NPS_METHODS = {
    "nps": "Net Promoter Score = 100 x (share answering 9-10 - share answering 0-6) "
    "(Reichheld 2003)",
    "nps_se": "standard error of the -1/0/+1 recode: 100 x sqrt((pP + pD - (pP - pD)^2) / n)",
    "nps_wald_ci": "Wald interval NPS -/+ z SE, clipped to -100..100",
    "nps_ci": "adjusted Wald interval: add 3 pseudo-respondents (3/4 promoter, 3/4 detractor, "
    "3/2 passive) and use the Wald interval of the adjusted shares, clipped to -100..100 "
    "(Rocks 2016, The American Statistician 70:365; Lewis & Sauro 2021, MeasuringU)",
    "shares_ci": "Wilson score interval (Wilson 1927)",
    "difference": "NPS_a - NPS_b; SE = 100 sqrt(V_a/n_a + V_b/n_b); nps_wald_ci and a two-sided "
    "z-test p_value from it; nps_ci from the adjusted shares of each group",
    "p_adj": "Holm step-down over every pair of groups (Holm 1979)",
    "weights": "weighted shares; Kish effective n = (sum w)^2 / sum w^2 used as n in every "
    "interval and test (Kish 1965)",
}

METRIC_METHODS = {
    "mean_ci": "t interval mean -/+ t(neff - 1) sd / sqrt(neff) (= R t.test), clipped to the "
    "answer scale",
    "box_ci": "Wilson score interval (Wilson 1927)",
    "weights": "weighted means and shares; Kish effective n = (sum w)^2 / sum w^2 used as n "
    "(Kish 1965); variance (neff / W) sum w (x - mean)^2 / (neff - 1)",
}

#: metric presets: scale, agree threshold and the headline statistic
PRESETS = {
    "csat": {"min": 1.0, "max": 5.0, "agree": 4.0, "name": "CSAT (top-2 box of 1-5)"},
    "ces": {"min": 1.0, "max": 7.0, "agree": 5.0, "name": "CES (mean of 1-7)"},
}


# --- shared helpers ---------------------------------------------------------------------------
def cells(frame: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Integer cell code per row and the cell labels, for the ``by`` columns."""
    if not by:
        return np.zeros(len(frame), dtype=np.int64), [()]
    keys = frame[list(by)].astype(object)
    keys = keys.where(keys.notna() & (keys != ""), MISSING).astype(str)
    grouped = keys.groupby(list(by), sort=True)
    index = grouped.ngroup().to_numpy(dtype=np.int64)
    labels = [k if isinstance(k, tuple) else (k,) for k in grouped.size().index]
    return index, labels


def select_roles(survey: Survey, roles: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """Boolean mask of the rows whose role is one of ``roles`` (all rows when none given)."""
    n = len(survey.frame)
    if not roles:
        return np.ones(n, dtype=bool), []
    file = survey.sources[0].path if survey.sources else "input"
    if survey.role_col is None:
        raise InputError(
            f"{file}: no role column 'role' to select --role {roles[0]!r}; pass --role-col NAME "
            "(or set columns.role in cxkit.toml)"
        )
    raw = survey.frame[survey.role_col].to_numpy(dtype=object)
    norm = np.array([None if v is None else str(v).casefold() for v in raw], dtype=object)
    wanted = {r.strip().casefold() for r in roles}
    keep = np.isin(norm, list(wanted))
    if not keep.any():
        seen = sorted({v for v in norm if v})
        raise InputError(
            f"{file}: no rows with role {', '.join(sorted(wanted))} in column "
            f"{survey.role_col!r} (values seen: {', '.join(seen[:10]) or 'none'}); check --role"
        )
    notes = []
    if (~keep).any():
        notes.append(
            f"excluded {int((~keep).sum())} rows whose {survey.role_col!r} is not "
            f"{' / '.join(sorted(wanted))}"
        )
    return keep, notes


def weights_of(survey: Survey) -> np.ndarray | None:
    if survey.weight_col is None:
        return None
    return survey.frame[survey.weight_col].to_numpy(float)


def _check_by(survey: Survey, by: Sequence[str]) -> None:
    for b in by:
        if b not in survey.frame.columns:
            raise UsageError(f"--by {b!r} was not read with the survey; pass it to read_survey")


def _config(survey: Survey) -> dict[str, object] | None:
    s = survey.study
    return {"path": s.path, "sha256": s.sha256} if s.sha256 else None


def _cell_label(key: tuple[str, ...]) -> str:
    return ", ".join(key)


def _f(x: object) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


# --- NPS --------------------------------------------------------------------------------------
def nps_interval_wald(
    p: np.ndarray, d: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NPS, its standard error and Wald interval, all on -100..100.

    ``p`` and ``d`` are the promoter and detractor shares, ``n`` the (effective) base.

    Notes
    -----
    The -1/0/+1 recode has mean ``p - d`` and variance ``V = p + d - (p - d)^2``, so
    ``SE = 100 sqrt(V / n)``; limits are clipped to -100..100.

    >>> nps_, se, lo, hi = nps_interval_wald(0.5, 0.2, 100)
    >>> round(float(nps_), 6), round(float(se), 4), round(float(lo), 3), round(float(hi), 3)
    (30.0, 7.8102, 14.692, 45.308)
    """
    p, d, n = (np.asarray(a, dtype=float) for a in (p, d, n))
    z = stats.z_crit(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = 100.0 * (p - d)
        var = np.maximum(p + d - (p - d) ** 2, 0.0)
        se = np.where(n > 0, 100.0 * np.sqrt(var / n), np.nan)
    lo = np.clip(est - z * se, -100.0, 100.0)
    hi = np.clip(est + z * se, -100.0, 100.0)
    return est, se, lo, hi


def nps_interval_adjusted(
    p: np.ndarray, d: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Adjusted-Wald interval for the NPS on -100..100 (better coverage at small n).

    Adds three pseudo-respondents, 3/4 promoter, 3/4 detractor and 3/2 passive, and takes
    the Wald interval of the adjusted shares ``p' = (n p + 3/4) / (n + 3)``,
    ``d' = (n d + 3/4) / (n + 3)`` around ``100 (p' - d')``; clipped to -100..100.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The American
    Statistician 70(4), 365-372. Lewis, J. R., Sauro, J. (2021). Confidence intervals for Net
    Promoter Scores. MeasuringU.

    >>> lo, hi = nps_interval_adjusted(0.5, 0.2, 100)
    >>> round(float(lo), 3), round(float(hi), 3)
    (14.051, 44.201)
    """
    p, d, n = (np.asarray(a, dtype=float) for a in (p, d, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        n_adj = n + 3.0
        pa = (n * p + 0.75) / n_adj
        da = (n * d + 0.75) / n_adj
    _, _, lo, hi = nps_interval_wald(pa, da, n_adj, confidence)
    ok = n > 0
    return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)


def nps_labels_only(values: Sequence[object]) -> bool:
    """True when every non-blank value is an NPS group label (Promoter/Passive/Detractor)."""
    from .study import normalise_label

    seen = False
    for v in values:
        if v is None:
            continue
        text = normalise_label(str(v))
        if not text:
            continue
        if text not in NPS_LABELS:
            return False
        seen = True
    return seen


NPS_COLUMNS = [
    "level",
    "versus",
    "n",
    "neff",
    "n_promoters",
    "n_passives",
    "n_detractors",
    "promoters",
    "promoters_ci_low",
    "promoters_ci_high",
    "passives",
    "passives_ci_low",
    "passives_ci_high",
    "detractors",
    "detractors_ci_low",
    "detractors_ci_high",
    "nps",
    "nps_se",
    "nps_wald_ci_low",
    "nps_wald_ci_high",
    "nps_ci_low",
    "nps_ci_high",
    "p_value",
    "p_adj",
]


def _nps_groups(code: np.ndarray, group: np.ndarray, n_groups: int, w, confidence: float):
    """Per group: counts, weighted shares, Wilson CIs, NPS with both intervals."""
    h = histograms(code, group, n_groups, w)
    full = {-1.0: 0, 0.0: 1, 1.0: 2}
    cnt = np.zeros((n_groups, 3), dtype=np.int64)
    ws = np.zeros((n_groups, 3))
    w2 = np.zeros((n_groups, 3))
    for j, v in enumerate(h.values):
        k = full[float(v)]
        cnt[:, k], ws[:, k], w2[:, k] = h.count[:, j], h.wsum[:, j], h.w2sum[:, j]
    sw, sw2 = ws.sum(axis=1), w2.sum(axis=1)
    neff = np.where(sw > 0, stats.kish_neff(sw, sw2), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(sw[:, None] > 0, ws / sw[:, None], np.nan)
    out: dict[str, np.ndarray] = {
        "n": cnt.sum(axis=1),
        "neff": neff,
        "n_promoters": cnt[:, 2],
        "n_passives": cnt[:, 1],
        "n_detractors": cnt[:, 0],
    }
    for name, k in (("promoters", 2), ("passives", 1), ("detractors", 0)):
        lo, hi = stats.wilson_interval(share[:, k] * neff, neff, confidence)
        out[name], out[f"{name}_ci_low"], out[f"{name}_ci_high"] = share[:, k], lo, hi
    est, se, wlo, whi = nps_interval_wald(share[:, 2], share[:, 0], neff, confidence)
    alo, ahi = nps_interval_adjusted(share[:, 2], share[:, 0], neff, confidence)
    out.update(nps=est, nps_se=se, nps_wald_ci_low=wlo, nps_wald_ci_high=whi)
    out.update(nps_ci_low=alo, nps_ci_high=ahi)
    return out


def nps_difference(a: dict[str, float], b: dict[str, float], confidence: float = 0.95):
    """Difference of two groups' NPS: ``(diff, se, wald_lo, wald_hi, adj_lo, adj_hi, p)``.

    ``a`` and ``b`` hold ``promoters``, ``detractors`` (shares) and ``neff``. The Wald interval
    and the two-sided z-test use ``SE = 100 sqrt(V_a / n_a + V_b / n_b)``; the adjusted
    interval uses each group's adjusted-Wald shares (3 pseudo-respondents per group).
    """
    from scipy import special

    z = stats.z_crit(confidence)

    def parts(g, adjust):
        n, p, d = g["neff"], g["promoters"], g["detractors"]
        if adjust:
            p, d, n = (n * p + 0.75) / (n + 3.0), (n * d + 0.75) / (n + 3.0), n + 3.0
        return p - d, (p + d - (p - d) ** 2) / n if n > 0 else np.nan

    (ea, va), (eb, vb) = parts(a, False), parts(b, False)
    diff = 100.0 * (ea - eb)
    se = 100.0 * np.sqrt(va + vb)
    (ea2, va2), (eb2, vb2) = parts(a, True), parts(b, True)
    adj, se2 = 100.0 * (ea2 - eb2), 100.0 * np.sqrt(va2 + vb2)
    p = 2.0 * special.ndtr(-abs(diff / se)) if se > 0 else np.nan
    return (
        diff,
        se,
        max(diff - z * se, -200.0),
        min(diff + z * se, 200.0),
        max(adj - z * se2, -200.0),
        min(adj + z * se2, 200.0),
        p,
    )


def nps(
    survey: Survey,
    col: str | None = None,
    *,
    by: Sequence[str] = (),
    roles: Sequence[str] | None = None,
    confidence: float = 0.95,
    small_base: int = 30,
) -> Result:
    """Net Promoter Score with its intervals, group shares and pairwise group differences.

    Parameters
    ----------
    survey : Survey
        Read with the NPS column as an item on the 0-10 scale (a Promoter / Passive /
        Detractor label column is read with those labels coded 10 / 8 / 0).
    col : str, optional
        The 0-10 likelihood-to-recommend column; default the survey's only item.
    by : sequence of str
        Breakdown columns: one row per cell after the ``(all)`` row, then one row per pair of
        cells with their difference.
    roles : sequence of str, optional
        Keep only rows with these role values (case-insensitive); default every row.
    confidence : float
        Confidence level of every interval.
    small_base : int
        Groups with fewer answers are flagged in the notes.

    Returns
    -------
    Result
        ``table`` has the ``by`` columns, then:

        - ``level``: ``all``, ``group`` (one ``by`` cell) or ``difference`` (the row's cell
          minus the cell in ``versus``); ``versus``: the other cell of a difference.
        - ``n``: answers (for a difference, both groups'); ``neff``: Kish effective n;
          ``n_promoters``, ``n_passives``, ``n_detractors``: answers 9-10, 7-8, 0-6.
        - ``promoters``, ``passives``, ``detractors``: weighted shares (0-1) with Wilson
          ``*_ci_low`` / ``*_ci_high`` (``nan`` on difference rows).
        - ``nps`` (-100..100; difference rows: the difference), ``nps_se`` (recode SE),
          ``nps_wald_ci_low`` / ``_high`` (Wald), ``nps_ci_low`` / ``_high`` (adjusted Wald,
          the recommended interval).
        - ``p_value`` (z-test of the difference) and ``p_adj`` (Holm over all pairs), on
          difference rows only.

    Notes
    -----
    Recode 9-10 to +1, 7-8 to 0, 0-6 to -1; ``NPS = 100 mean``,
    ``V = pP + pD - (pP - pD)^2``, ``SE = 100 sqrt(V / neff)``. Checked against R by formula
    and a published rule of thumb in ``tests/test_metrics_reference.py``.

    References
    ----------
    Reichheld (2003) HBR 81(12):46; Rocks (2016) Am Stat 70:365; Wilson (1927) JASA 22:209;
    Holm (1979) Scand J Stat 6:65; Kish (1965) Survey Sampling.
    """
    if not 0 < confidence < 1:
        raise UsageError(f"--confidence must be between 0 and 1 (e.g. 0.95), not {confidence}")
    if col is None:
        if len(survey.items) != 1:
            raise UsageError("name the NPS column: nps(survey, col=...) / --col NAME")
        col = survey.items[0]
    if col not in survey.frame.columns:
        raise UsageError(f"{col!r} was not read with the survey")
    _check_by(survey, by)
    file = survey.sources[0].path if survey.sources else "input"
    keep, notes = select_roles(survey, roles)
    x = survey.frame[col].to_numpy(float).copy()
    x[~keep] = np.nan
    answered = ~np.isnan(x)
    frac = answered & (x != np.round(x))
    if frac.any():
        row = int(np.flatnonzero(frac)[0])
        raise InputError(
            f"{file}: column {col!r}, data row {row + 1}: {x[row]:g} is not a whole number "
            "0-10; NPS needs the 0-10 likelihood-to-recommend answer"
        )
    if not answered.any():
        raise InputError(f"{file}: column {col!r} has no answers to compute an NPS from")
    blank = int((keep & ~answered).sum())
    if blank:
        notes.append(f"{blank} rows have no answer in {col!r} and are excluded")
    code = np.where(x >= 9, 1.0, np.where(x >= 7, 0.0, -1.0))
    code[~answered] = np.nan
    w = weights_of(survey)

    total = _nps_groups(code, np.zeros(len(x), dtype=np.int64), 1, w, confidence)
    rows = [{**dict.fromkeys(by, ALL), "level": "all", "versus": None} | _row(total, 0)]
    if by:
        cell, labels = cells(survey.frame, by)
        g = _nps_groups(code, cell, len(labels), w, confidence)
        group_rows = [
            {**dict(zip(by, key, strict=True)), "level": "group", "versus": None} | _row(g, i)
            for i, key in enumerate(labels)
        ]
        group_rows = [r for r in group_rows if r["n"] > 0]
        rows += group_rows
        rows += _differences(group_rows, by, confidence)
    table = pd.DataFrame(rows)
    table = table[[*by, *NPS_COLUMNS]] if by else table[NPS_COLUMNS]
    diff = (table["level"] == "difference").to_numpy()
    if diff.any():
        table.loc[diff, "p_adj"] = stats.holm(table.loc[diff, "p_value"].to_numpy(float))
    for c in ("n", "n_promoters", "n_passives", "n_detractors"):
        table[c] = table[c].astype("int64")

    groups = table[table["level"] != "difference"]
    small = groups[groups["n"] < small_base]
    if len(small):
        names = "; ".join(_nps_where(r, by) for _, r in small.head(6).iterrows())
        notes.append(
            f"{len(small)} groups have fewer than {small_base} answers (small base, wide "
            f"intervals): {names}"
        )
    if survey.role_col is not None and not roles:
        seen = survey.frame.loc[answered, survey.role_col].astype(str).str.casefold().unique()
        if len(seen) > 1:
            notes.append(
                f"answers from every role are included ({', '.join(sorted(seen)[:6])}); "
                "keep one with --role"
            )
    t0 = table.iloc[0]
    level = f"{confidence * 100:g}%"
    headline = (
        f"NPS {t0['nps']:+.0f} ({level} CI {t0['nps_ci_low']:+.0f} to {t0['nps_ci_high']:+.0f}): "
        f"{t0['promoters'] * 100:.0f}% promoters, {t0['detractors'] * 100:.0f}% detractors, "
        f"n = {int(t0['n']):,}"
    )
    if diff.any():
        d = table[diff]
        sig = d[d["p_adj"] < 1 - confidence]
        headline += f"; {len(sig)} of {len(d)} group differences significant after Holm"
    summary = {
        "headline": headline,
        "nps": _f(t0["nps"]),
        "nps_ci_low": _f(t0["nps_ci_low"]),
        "nps_ci_high": _f(t0["nps_ci_high"]),
        "promoters": _f(t0["promoters"]),
        "detractors": _f(t0["detractors"]),
        "n": int(t0["n"]),
        "neff": _f(t0["neff"]),
    }
    methods = dict(NPS_METHODS)
    if w is None:
        methods.pop("weights")
    if not by:
        methods.pop("difference")
        methods.pop("p_adj")
    params = {
        "col": col,
        "by": list(by),
        "roles": list(roles) if roles else None,
        "role_col": survey.role_col,
        "weight_col": survey.weight_col,
        "confidence": confidence,
        "small_base": small_base,
        "promoter": "9-10",
        "passive": "7-8",
        "detractor": "0-6",
    }
    view = [ViewColumn(b, (b,), "text") for b in by] + [
        ViewColumn("Level", ("level",), "text"),
        ViewColumn("vs", ("versus",), "text"),
        ViewColumn("n", ("n",), "int"),
        ViewColumn("Promoters", ("promoters", "promoters_ci_low", "promoters_ci_high"), "pct"),
        ViewColumn("Detractors", ("detractors", "detractors_ci_low", "detractors_ci_high"), "pct"),
        ViewColumn("NPS (adj. Wald CI)", ("nps", "nps_ci_low", "nps_ci_high"), "score"),
        ViewColumn("Wald CI", ("nps", "nps_wald_ci_low", "nps_wald_ci_high"), "score"),
        ViewColumn("p adj", ("p_adj",), "p"),
    ]
    return Result(
        command="nps",
        table=table,
        summary=summary,
        notes=survey.notes + notes,
        provenance=make_provenance(survey.sources, params, methods, None, _config(survey)),
        view=view if by else [v for v in view if v.header not in ("Level", "vs", "p adj")],
        emphasis_col="level",
        emphasis_plain="group",
    )


def _row(g: dict[str, np.ndarray], i: int) -> dict[str, object]:
    row: dict[str, object] = {k: v[i].item() for k, v in g.items()}
    row["p_value"] = np.nan
    row["p_adj"] = np.nan
    return row


def _differences(group_rows, by, confidence):
    out = []
    for a, b in combinations(group_rows, 2):
        diff, se, wlo, whi, alo, ahi, p = nps_difference(a, b, confidence)
        row = {k: a[k] for k in by}
        row.update(
            level="difference",
            versus=_cell_label(tuple(b[k] for k in by)),
            n=a["n"] + b["n"],
            neff=a["neff"] + b["neff"],
            n_promoters=a["n_promoters"] + b["n_promoters"],
            n_passives=a["n_passives"] + b["n_passives"],
            n_detractors=a["n_detractors"] + b["n_detractors"],
            nps=diff,
            nps_se=se,
            nps_wald_ci_low=wlo,
            nps_wald_ci_high=whi,
            nps_ci_low=alo,
            nps_ci_high=ahi,
            p_value=p,
            p_adj=np.nan,
        )
        for name in ("promoters", "passives", "detractors"):
            row[name] = row[f"{name}_ci_low"] = row[f"{name}_ci_high"] = np.nan
        out.append(row)
    return out


def _nps_where(row: pd.Series, by: Sequence[str]) -> str:
    return ", ".join(f"{b}={row[b]}" for b in by) if by else "all"


# --- mean, boxes, CSAT, CES -------------------------------------------------------------------
METRIC_COLUMNS = [
    "level",
    "item",
    "label",
    "n",
    "neff",
    "mean",
    "mean_ci_low",
    "mean_ci_high",
    "sd",
    "top_box",
    "top_box_ci_low",
    "top_box_ci_high",
    "top2_box",
    "top2_box_ci_low",
    "top2_box_ci_high",
    "bottom_box",
    "bottom_box_ci_low",
    "bottom_box_ci_high",
    "agree",
    "agree_ci_low",
    "agree_ci_high",
]


def _box_share(h, mask_values: np.ndarray) -> np.ndarray:
    sw = h.wsum.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sw > 0, h.wsum[:, mask_values].sum(axis=1) / sw, np.nan)


def _metric_stats(values, group, n_groups, w, scale, agree_at, confidence):
    from scipy import special

    h = histograms(values, group, n_groups, w)
    s = summarise(h, agree_at)
    neff = s.neff
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(s.var / neff)
        ok = neff > 1
        tq = special.stdtrit(np.where(ok, neff - 1.0, 1.0), 0.5 + confidence / 2.0)
    out = {
        "n": s.n,
        "neff": neff,
        "mean": s.mean,
        "mean_ci_low": np.where(ok, np.clip(s.mean - tq * se, scale.min, scale.max), np.nan),
        "mean_ci_high": np.where(ok, np.clip(s.mean + tq * se, scale.min, scale.max), np.nan),
        "sd": np.sqrt(s.var),
    }
    v = h.values
    boxes = {
        "top_box": v >= scale.max - _TOL,
        "top2_box": v >= scale.max - 1.0 - _TOL,
        "bottom_box": v <= scale.min + _TOL,
        "agree": v >= agree_at - _TOL,
    }
    for name, mask in boxes.items():
        share = _box_share(h, mask)
        lo, hi = stats.wilson_interval(share * neff, neff, confidence)
        out[name], out[f"{name}_ci_low"], out[f"{name}_ci_high"] = share, lo, hi
    return out


def _respondent_mean(block: np.ndarray) -> np.ndarray:
    answered = ~np.isnan(block)
    count = answered.sum(axis=1)
    total = np.where(answered, block, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def metric(
    survey: Survey,
    items: Sequence[str] | None = None,
    *,
    by: Sequence[str] = (),
    roles: Sequence[str] | None = None,
    preset: str | None = None,
    agree_at: float | None = None,
    index: bool = False,
    confidence: float = 0.95,
    small_base: int = 30,
) -> Result:
    """Mean, top-box, top-2-box, bottom-box and agree share of scored items, with CIs.

    Parameters
    ----------
    survey : Survey
        From :func:`cxkit.read_survey` (the scale decides the boxes).
    items : sequence of str, optional
        A subset of ``survey.items``; default all.
    by : sequence of str
        Breakdown columns: rows per cell after the ``(all)`` rows.
    roles : sequence of str, optional
        Keep only rows with these role values; default every row.
    preset : {"csat", "ces"}, optional
        ``csat``: 1-5 scale, headline = top-2 box (answers 4-5). ``ces``: 1-7 scale (CES 2.0
        agreement), headline = mean, ``agree`` = answers 5-7. The survey's scale must match.
    agree_at : float, optional
        Answers ``>=`` this count in ``agree``; default the preset's, else the scale's.
    index : bool
        Add an ``index`` row: each respondent's mean over the answered items.
    confidence : float
        Confidence level of every interval.
    small_base : int
        Rows with fewer answers are flagged in the notes.

    Returns
    -------
    Result
        ``table`` has the ``by`` columns, then ``level`` (``item`` or ``index``), ``item``,
        ``label``, ``n``, ``neff`` (Kish), ``mean`` with t interval ``mean_ci_low`` /
        ``mean_ci_high``, ``sd``, and shares (0-1) each with Wilson ``*_ci_low`` /
        ``*_ci_high``: ``top_box`` (answer = scale max), ``top2_box`` (>= max - 1),
        ``bottom_box`` (= scale min), ``agree`` (>= the agree threshold).

    Notes
    -----
    Checked against R ``t.test`` / ``prop.test`` and scipy / statsmodels in
    ``tests/test_metrics_reference.py``.

    References
    ----------
    Wilson (1927) JASA 22:209; Kish (1965) Survey Sampling; Dixon & Toman (2010) "Stop trying
    to delight your customers", HBR (CES).
    """
    if not 0 < confidence < 1:
        raise UsageError(f"--confidence must be between 0 and 1 (e.g. 0.95), not {confidence}")
    scale = survey.scale
    if preset is not None:
        if preset not in PRESETS:
            raise UsageError(f"--preset {preset!r}: choose one of {', '.join(PRESETS)}")
        p = PRESETS[preset]
        if (scale.min, scale.max) != (p["min"], p["max"]):
            raise UsageError(
                f"--preset {preset} needs the scale {p['min']:g}-{p['max']:g}, not "
                f"{scale.min:g}-{scale.max:g}; drop --scale or the preset"
            )
    agree = float(agree_at) if agree_at is not None else None
    if agree is None:
        agree = PRESETS[preset]["agree"] if preset else scale.agree_at
    if not scale.min < agree <= scale.max:
        raise UsageError(f"--agree {agree:g} is outside the scale {scale.min:g}-{scale.max:g}")
    chosen = list(items) if items else list(survey.items)
    unknown = [i for i in chosen if i not in survey.items]
    if unknown:
        raise UsageError(f"not an item of this survey: {', '.join(unknown)}")
    _check_by(survey, by)
    keep, notes = select_roles(survey, roles)
    w = weights_of(survey)
    frame = survey.frame
    variables = [("item", it, survey.label_of(it), frame[it].to_numpy(float)) for it in chosen]
    if index:
        variables.append(("index", None, "Index", _respondent_mean(frame[chosen].to_numpy(float))))
    group0 = np.where(keep, 0, -1)
    parts = []
    keys: list[tuple[str, ...]] = [tuple([ALL] * len(by))]
    groups = [(group0, 1)]
    if by:
        cell, labels = cells(frame, by)
        groups.append((np.where(keep, cell, -1), len(labels)))
        keys += labels
    for level, item, label, values in variables:
        stacked: dict[str, list[np.ndarray]] = {}
        for group, n_groups in groups:
            st = _metric_stats(values, group, n_groups, w, scale, agree, confidence)
            for k, v in st.items():
                stacked.setdefault(k, []).append(np.asarray(v, dtype=float))
        data = {k: np.concatenate(v) for k, v in stacked.items()}
        part = pd.DataFrame(data)
        for j, b in enumerate(by):
            part.insert(j, b, [k[j] for k in keys])
        part.insert(len(by), "level", level)
        part.insert(len(by) + 1, "item", item)
        part.insert(len(by) + 2, "label", label)
        part["_cell"] = np.arange(len(keys))
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table = table.sort_values("_cell", kind="stable").drop(columns="_cell")
    table = table[table["n"] > 0].reset_index(drop=True)
    if table.empty:
        file = survey.sources[0].path if survey.sources else "input"
        raise InputError(f"{file}: no answers in {', '.join(chosen[:10])}; check --item / --role")
    table["n"] = table["n"].astype("int64")
    table = table[[*by, *METRIC_COLUMNS]]

    small = table[table["n"] < small_base]
    if len(small):
        names = "; ".join(
            (r["item"] or "index") + (f" [{_nps_where(r, by)}]" if by else "")
            for _, r in small.head(6).iterrows()
        )
        notes.append(
            f"{len(small)} rows have fewer than {small_base} answers (small base, wide "
            f"intervals): {names}"
        )
    first = table.iloc[0]
    level = f"{confidence * 100:g}%"
    name = first["label"]
    if preset == "csat":
        head = (
            f"CSAT {first['top2_box'] * 100:.0f}% ({level} CI {first['top2_box_ci_low'] * 100:.0f}"
            f"–{first['top2_box_ci_high'] * 100:.0f}%) answered 4-5"
        )
    elif preset == "ces":
        head = (
            f"CES {first['mean']:.2f} of 7 ({level} CI {first['mean_ci_low']:.2f}–"
            f"{first['mean_ci_high']:.2f}); {first['agree'] * 100:.0f}% answered 5-7"
        )
    else:
        head = (
            f"mean {first['mean']:.2f} ({level} CI {first['mean_ci_low']:.2f}–"
            f"{first['mean_ci_high']:.2f}), top-2 box {first['top2_box'] * 100:.0f}%"
        )
    headline = f"{name}: {head}, n = {int(first['n']):,}"
    if len(chosen) > 1 or index:
        headline += f" (first of {len(variables)} rows per group)"
    summary = {
        "headline": headline,
        "item": first["item"],
        "mean": _f(first["mean"]),
        "mean_ci_low": _f(first["mean_ci_low"]),
        "mean_ci_high": _f(first["mean_ci_high"]),
        "top2_box": _f(first["top2_box"]),
        "agree": _f(first["agree"]),
        "n": int(first["n"]),
    }
    if preset:
        summary["preset"] = preset
    methods = dict(METRIC_METHODS)
    if w is None:
        methods.pop("weights")
    params = {
        "items": chosen,
        "index": index,
        "by": list(by),
        "roles": list(roles) if roles else None,
        "preset": preset,
        "scale": [scale.min, scale.max],
        "agree_at": agree,
        "top_box": scale.max,
        "top2_box_at": scale.max - 1.0,
        "bottom_box": scale.min,
        "weight_col": survey.weight_col,
        "confidence": confidence,
        "small_base": small_base,
    }
    view = [ViewColumn(b, (b,), "text") for b in by] + [
        ViewColumn("Item", ("label",), "text"),
        ViewColumn("n", ("n",), "int"),
        ViewColumn("Mean (CI)", ("mean", "mean_ci_low", "mean_ci_high"), "mean"),
        ViewColumn("Top box", ("top_box", "top_box_ci_low", "top_box_ci_high"), "pct"),
        ViewColumn("Top-2 box", ("top2_box", "top2_box_ci_low", "top2_box_ci_high"), "pct"),
        ViewColumn("Bottom box", ("bottom_box", "bottom_box_ci_low", "bottom_box_ci_high"), "pct"),
        ViewColumn(f"≥ {agree:g}", ("agree", "agree_ci_low", "agree_ci_high"), "pct"),
    ]
    return Result(
        command="metric",
        table=table,
        summary=summary,
        notes=survey.notes + notes,
        provenance=make_provenance(survey.sources, params, methods, None, _config(survey)),
        view=view,
        emphasis_col="level",
        emphasis_plain="item",
    )
