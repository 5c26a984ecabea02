"""Net Promoter Score with its intervals, group shares and pairwise group differences."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import stats
from .aggregate import cells, histograms
from .errors import (
    MAX_BY_GROUPS,
    InputError,
    UsageError,
    as_names,
    check_arg,
    check_confidence,
    check_small_base,
)
from .metrics import (
    ALL,
    _cell_label,
    _cell_text,
    _check_by,
    _config,
    _f,
    check_weighted_base,
    role_codes,
    select_roles,
    weights_of,
)
from .result import Result, ViewColumn, ci_text, make_provenance, num_text
from .survey import Survey
from .table import ColumnTable

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
    "(Rocks 2016, The American Statistician 70:365; Lewis & Sauro 2021, MeasuringU); where "
    "the pseudo-respondents pull it past the observed NPS (near-unanimous answers at n of 1 "
    "or 2, or below 84% confidence) it is extended to the observed NPS",
    "shares_ci": "Wilson score interval (Wilson 1927)",
    "difference": "NPS_a - NPS_b; SE = 100 sqrt(V_a/n_a + V_b/n_b); nps_wald_ci and a two-sided "
    "z-test p_value from it; nps_ci from the adjusted shares of each group",
    "p_adj": "Holm step-down over every pair of groups (Holm 1979)",
    "weights": "weighted shares; Kish effective n = (sum w)^2 / sum w^2 used as n in every "
    "interval and test (Kish 1965)",
}


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

    The adjusted centre is pulled towards 0, so an interval can end short of a near-unanimous
    observed NPS (at n of 1 or 2 at 95%; at any n below 84% confidence, where an NPS of +100
    needs ``z^2 V' (n + 3) >= 9``). An interval that leaves out its own estimate reads as a bug, so
    it is extended to the observed NPS there; everywhere else it is Rocks' interval as is.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The American
    Statistician 70(4), 365-372. Lewis, J. R., Sauro, J. (2021). Confidence intervals for Net
    Promoter Scores. MeasuringU.

    >>> lo, hi = nps_interval_adjusted(0.5, 0.2, 100)
    >>> round(float(lo), 3), round(float(hi), 3)
    (14.051, 44.201)
    >>> [round(float(v), 1) for v in nps_interval_adjusted(1.0, 0.0, 1)]  # one promoter
    [-48.5, 100.0]
    """
    p, d, n = (np.asarray(a, dtype=float) for a in (p, d, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        n_adj = n + 3.0
        pa = (n * p + 0.75) / n_adj
        da = (n * d + 0.75) / n_adj
    _, _, lo, hi = nps_interval_wald(pa, da, n_adj, confidence)
    lo, hi = _reaching(100.0 * (p - d), lo, hi)
    ok = n > 0
    return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)


def _reaching(estimate, lo, hi):
    """``(lo, hi)`` extended, where needed, to reach ``estimate`` (NaN stays NaN)."""
    with np.errstate(invalid="ignore"):
        return np.where(lo > estimate, estimate, lo), np.where(hi < estimate, estimate, hi)


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


def nps_labels_seen(values: Sequence[object]) -> bool:
    """True when some value is an NPS group label (Promoter/Passive/Detractor).

    Such a column is read with :data:`NPS_LABELS`, so that a stray value in it (a typo, an
    unknown label) is reported as itself, with its row, rather than as the first label.

    >>> nps_labels_seen(["Promoter", "Maybe", None])
    True
    >>> nps_labels_seen(["Agree", "Disagree"])
    False
    """
    from .study import normalise_label

    return any(v is not None and normalise_label(str(v)) in NPS_LABELS for v in values)


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

    ``a`` and ``b`` hold ``promoters``, ``detractors`` (shares) and ``neff``, as numbers or as
    arrays (one difference per element, so every pair of groups is one vectorised call). The
    Wald interval and the two-sided z-test use ``SE = 100 sqrt(V_a / n_a + V_b / n_b)``; the
    adjusted interval uses each group's adjusted-Wald shares (3 pseudo-respondents per group).

    >>> a = {"promoters": 0.5, "detractors": 0.2, "neff": 100}
    >>> b = {"promoters": 0.3, "detractors": 0.3, "neff": 100}
    >>> [round(float(v), 3) for v in nps_difference(a, b)]
    [30.0, 11.0, 8.44, 51.56, 7.914, 50.338, 0.006]
    """
    from .distributions import ndtr

    z = stats.z_crit(confidence)

    def parts(g, adjust):
        n, p, d = (np.asarray(g[k], dtype=float) for k in ("neff", "promoters", "detractors"))
        if adjust:
            p, d, n = (n * p + 0.75) / (n + 3.0), (n * d + 0.75) / (n + 3.0), n + 3.0
        with np.errstate(divide="ignore", invalid="ignore"):
            return p - d, np.where(n > 0, (p + d - (p - d) ** 2) / n, np.nan)

    (ea, va), (eb, vb) = parts(a, False), parts(b, False)
    diff = 100.0 * (ea - eb)
    se = 100.0 * np.sqrt(va + vb)
    (ea2, va2), (eb2, vb2) = parts(a, True), parts(b, True)
    adj, se2 = 100.0 * (ea2 - eb2), 100.0 * np.sqrt(va2 + vb2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(se > 0, 2.0 * ndtr(-np.abs(diff / se)), np.nan)
    adj_lo, adj_hi = _reaching(
        diff, np.maximum(adj - z * se2, -200.0), np.minimum(adj + z * se2, 200.0)
    )
    return (
        diff,
        se,
        np.maximum(diff - z * se, -200.0),
        np.minimum(diff + z * se, 200.0),
        adj_lo,
        adj_hi,
        p,
    )


def nps(
    survey: Survey,
    col: str | None = None,
    *,
    by: str | Sequence[str] = (),
    roles: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    small_base: int = 30,
    max_groups: int = MAX_BY_GROUPS,
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
    max_groups : int
        Most distinct values a ``by`` column may have; more is a
        :class:`~cxkit.errors.UsageError` (the command line's ``--max-groups``).

    Returns
    -------
    Result
        ``table`` has the ``by`` columns, then:

        - ``level``: ``all``, ``group`` (one ``by`` cell) or ``difference`` (the row's cell
          minus the cell in ``versus``); ``versus``: the other cell of a difference.
        - ``n``: answers; ``neff``: Kish effective n; ``n_promoters``, ``n_passives``,
          ``n_detractors``: answers 9-10, 7-8, 0-6 (difference rows: both groups summed).
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
    check_arg(survey, Survey, "nps() takes a Survey from cxkit.read_survey(...)")
    by = as_names(by, "by")
    roles = None if roles is None else as_names(roles, "roles")
    check_small_base(small_base)
    if col is not None and not isinstance(col, str):
        raise UsageError(f"col takes one column name, not {type(col).__name__} {col!r}")
    check_confidence(confidence)
    if col is None:
        if len(survey.items) != 1:
            raise UsageError("name the NPS column: nps(survey, col=...) / --col NAME")
        col = survey.items[0]
    if not survey.has_column(col):
        raise UsageError(
            f"{col!r} was not read with the survey as an answer on 0-10: read it with "
            f"read_survey(path, spec=SurveySpec(items=[{col!r}], scale=Scale(0, 10))) "
            "(cxkit.survey.SurveySpec, cxkit.study.Scale)"
        )
    _check_by(survey, by)
    file = survey.sources[0].path if survey.sources else "input"
    declared = survey.study.scale
    if col in survey.study.items and declared and (declared.min, declared.max) != (0, 10):
        # a rated statement, not the recommend question: every answer would be a detractor
        where = f" in {survey.study.path}" if survey.study.path else ""
        raise InputError(
            f"{file}: column {col!r} is an item{where} on the {declared.min:g}-{declared.max:g} "
            "scale; NPS needs the 0-10 likelihood-to-recommend answer: name that column "
            "(--col NAME)"
        )
    keep, notes = select_roles(survey, roles)
    x = np.array(survey.column(col), dtype=float)  # a copy: excluded roles become nan
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
    if np.nanmin(x) >= 1 and np.nanmax(x) <= 5:
        notes.append(
            f"every answer in {col!r} lies within 1-5: it looks like a 1-5 scale, not the 0-10 "
            "likelihood-to-recommend question, and on a 1-5 scale every answer counts as a "
            "detractor; check --col"
        )
    code = np.where(x >= 9, 1.0, np.where(x >= 7, 0.0, -1.0))
    code[~answered] = np.nan
    w = weights_of(survey)

    total = _nps_groups(code, np.zeros(len(x), dtype=np.int64), 1, w, confidence)
    rows = [{**dict.fromkeys(by, ALL), "level": "all", "versus": None} | _row(total, 0)]
    check_weighted_base(survey, [rows[0]["n"]], [rows[0]["neff"]])
    differences = None
    if by:
        cell, labels = cells({b: survey.grouping(b) for b in by}, by, max_groups)
        g = _nps_groups(code, cell, len(labels), w, confidence)
        present = np.flatnonzero(g["n"] > 0)
        g = {k: v[present] for k, v in g.items()}
        labels = [labels[i] for i in present.tolist()]
        rows += [
            {**dict(zip(by, key, strict=True)), "level": "group", "versus": None} | _row(g, i)
            for i, key in enumerate(labels)
        ]
        differences = _differences(g, labels, by, confidence)
    table = _table(rows, by, differences)
    level_of = table["level"]
    diff = np.array([v == "difference" for v in level_of], dtype=bool)
    if diff.any():
        table["p_adj"][diff] = stats.holm(table["p_value"][diff])

    n_of = table["n"]
    small = [i for i, v in enumerate(level_of) if v != "difference" and n_of[i] < small_base]
    if small:
        names = "; ".join(_cell_text(table.row(i), by) for i in small[:6])
        notes.append(
            f"{len(small)} groups have fewer than {small_base} answers (small base, wide "
            f"intervals): {names}"
        )
    if survey.role_col is not None and not roles:
        index, norm = role_codes(survey)
        present = np.unique(index[answered])
        seen = {norm[i] for i in present.tolist() if i >= 0}
        if len(seen) > 1:
            notes.append(
                f"answers from every role are included ({', '.join(sorted(seen)[:6])}); "
                "keep one with --role"
            )
    t0 = table.row(0)
    level = f"{confidence * 100:g}%"

    def score(x: float) -> str:
        return f"{x:+.0f}"

    def pct(x: float) -> str:
        return f"{x * 100:.0f}%"

    headline = (
        f"NPS {num_text(t0['nps'], score)} "
        f"({ci_text(t0['nps_ci_low'], t0['nps_ci_high'], score, level, ' to ')}): "
        f"{num_text(t0['promoters'], pct)} promoters, {num_text(t0['detractors'], pct)} "
        f"detractors, n = {int(t0['n']):,}"
    )
    if diff.any():
        sig = int(np.count_nonzero(table["p_adj"][diff] < 1 - confidence))
        headline += f"; {sig} of {int(diff.sum())} group differences significant after Holm"
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


_COUNTS = ("n", "n_promoters", "n_passives", "n_detractors")


def _table(
    rows: list[dict[str, object]],
    by: Sequence[str],
    differences: dict[str, object] | None = None,
) -> ColumnTable:
    """The rows, then the difference columns (if any), as columns: ``by``, level and versus
    as text, counts as int64, the rest as float64 (``nan`` where a row has none), in the
    documented order."""
    data: dict[str, object] = {}
    for c in [*by, *NPS_COLUMNS]:
        values = [r[c] for r in rows]
        if c in (*by, "level", "versus"):
            data[c] = values + (list(differences[c]) if differences else [])  # type: ignore[call-overload]
        else:
            column = np.array(values, dtype=np.int64 if c in _COUNTS else float)
            if differences:
                column = np.concatenate([column, np.asarray(differences[c], dtype=column.dtype)])
            data[c] = column
    return ColumnTable(data)


def _row(g: dict[str, np.ndarray], i: int) -> dict[str, object]:
    row: dict[str, object] = {k: v[i].item() for k, v in g.items()}
    row["p_value"] = np.nan
    row["p_adj"] = np.nan
    return row


def _differences(
    g: dict[str, np.ndarray], labels: list[tuple[str, ...]], by: Sequence[str], confidence: float
) -> dict[str, object]:
    """Every pair of groups (``a`` before ``b`` in ``labels``' order) as columns: the
    difference ``a - b`` with its intervals and p, computed for all pairs at once."""
    a, b = np.triu_indices(len(labels), k=1)
    diff, se, wlo, whi, alo, ahi, p = nps_difference(
        {k: g[k][a] for k in ("neff", "promoters", "detractors")},
        {k: g[k][b] for k in ("neff", "promoters", "detractors")},
        confidence,
    )
    none = np.full(a.size, np.nan)
    out: dict[str, object] = {k: [labels[i][j] for i in a.tolist()] for j, k in enumerate(by)}
    out.update(
        level=["difference"] * a.size,
        versus=[_cell_label(labels[i]) for i in b.tolist()],
        nps=diff,
        nps_se=se,
        nps_wald_ci_low=wlo,
        nps_wald_ci_high=whi,
        nps_ci_low=alo,
        nps_ci_high=ahi,
        p_value=p,
        p_adj=none,
    )
    for name in ("n", "neff", "n_promoters", "n_passives", "n_detractors"):
        out[name] = g[name][a] + g[name][b]
    for name in ("promoters", "passives", "detractors"):
        out[name] = out[f"{name}_ci_low"] = out[f"{name}_ci_high"] = none
    return out
