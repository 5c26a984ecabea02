"""Mean, top-box, top-2-box, bottom-box, CSAT and CES with honest uncertainty.

Also the helpers the metric analyses share (breakdown cells, role selection, weights).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import stats
from .aggregate import cells, factorize, histograms, summarise
from .answers import Coded, respondent_mean
from .errors import (
    MAX_BY_GROUPS,
    InputError,
    UsageError,
    as_names,
    check_arg,
    check_confidence,
    check_small_base,
)
from .result import Result, ViewColumn, ci_text, make_provenance, num_text
from .survey import Survey
from .table import ColumnTable

if TYPE_CHECKING:
    import pandas as pd

ALL = "(all)"
#: tolerance for box thresholds on respondent means such as 11/3
_TOL = 1e-9

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
def require_answers(
    survey: Survey, items: Sequence[str], answered: int, hint: str, whose: str = ""
) -> None:
    """Refuse a survey in which nobody answered any of ``items`` (every cell blank).

    ``metric`` and ``gap`` (so ``trend`` and ``report`` too) call this rather than show a
    table of n = 0 and empty estimates.

    Parameters
    ----------
    survey : Survey
        The survey analysed; its sources name the file in the message.
    items : sequence of str
        The items analysed.
    answered : int
        How many answers (or answered rows) the analysis found.
    hint : str
        What to check, e.g. ``"check --item / --role"``.
    whose : str, optional
        Whose answers are missing, e.g. ``"customer"`` (all rows' when empty).

    Raises
    ------
    InputError
        When ``answered`` is 0.
    """
    if answered:
        return
    files = ", ".join(s.path for s in survey.sources) or "input"
    shown = ", ".join(items[:10]) + (f" and {len(items) - 10} more" if len(items) > 10 else "")
    raise InputError(f"{files}: no {whose + ' ' if whose else ''}answers in {shown}; {hint}")


def select_roles(survey: Survey, roles: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """Boolean mask of the rows whose role is one of ``roles`` (all rows when none given),
    and the note on the rows left out."""
    n = survey.n_rows
    if not roles:
        return np.ones(n, dtype=bool), []
    file = survey.sources[0].path if survey.sources else "input"
    if survey.role_col is None:
        raise InputError(
            f"{file}: no role column 'role' to select --role {roles[0]!r}; pass --role-col NAME "
            "(or set columns.role in cxkit.toml)"
        )
    index, norm = role_codes(survey)
    wanted = {r.strip().casefold() for r in roles}
    hit = np.array([v in wanted for v in norm] + [False])  # index -1: no role
    keep = hit[index]
    if not keep.any():
        seen = sorted(set(norm))
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


def role_codes(survey: Survey) -> tuple[np.ndarray, list[str]]:
    """Each row's index into the distinct roles, case-folded (``-1``: no role), without
    pandas: the role column is factorised where it is stored."""
    index, uniques = factorize(survey.grouping(survey.role_col))  # type: ignore[arg-type]
    return index, [str(v).casefold() for v in uniques]


def weights_of(survey: Survey) -> np.ndarray | None:
    if survey.weight_col is None:
        return None
    return np.asarray(survey.column(survey.weight_col), dtype=float)


def check_weighted_base(survey: Survey, n: Any, neff: Any, who: str = "") -> None:
    """Refuse a weighted estimate whose answers all weigh 0.

    ``n`` and ``neff`` are a result's counts and Kish effective sizes, row by row. When
    rows have answers but none of them an effective size above 0, every weight behind
    them is 0 and no weighted share or mean exists: an :class:`InputError`, not a table
    of NaN. A single group weighing 0 is left to its row (NaN, like an empty cell).
    """
    if survey.weight_col is None:
        return
    n, neff = np.asarray(n, dtype=float), np.asarray(neff, dtype=float)
    answered = n > 0
    if answered.any() and not (neff[answered] > 0).any():
        file = ", ".join(s.path for s in survey.sources) or "input"
        whom = f"every {who} response" if who else "every response"
        raise InputError(
            f"{file}: weight column {survey.weight_col!r} is 0 for {whom} with an answer, "
            "so no weighted estimate exists; fix the weights, or pass --no-weight to count "
            "each response once"
        )


def _check_by(survey: Survey, by: Sequence[str]) -> None:
    for b in by:
        if not survey.has_column(b):
            raise UsageError(f"--by {b!r} was not read with the survey; pass it to read_survey")


def _config(survey: Survey) -> dict[str, object] | None:
    s = survey.study
    return {"path": s.path, "sha256": s.sha256} if s.sha256 else None


def _cell_label(key: tuple[str, ...]) -> str:
    return ", ".join(key)


def _cell_text(row: pd.Series | Mapping[str, Any], by: Sequence[str]) -> str:
    return ", ".join(f"{b}={row[b]}" for b in by) if by else "all"


def _f(x: object) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


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
    h = histograms(values, group, n_groups, w)
    s = summarise(h, agree_at)
    neff = s.neff
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(s.var / neff)
        ok = neff > 1
        tq = stats.t_crit(np.where(ok, neff - 1.0, 1.0), confidence)
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


def metric(
    survey: Survey,
    items: str | Sequence[str] | None = None,
    *,
    by: str | Sequence[str] = (),
    roles: str | Sequence[str] | None = None,
    preset: str | None = None,
    agree_at: float | None = None,
    index: bool = False,
    confidence: float = 0.95,
    small_base: int = 30,
    max_groups: int = MAX_BY_GROUPS,
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
    max_groups : int
        Most distinct values a ``by`` column may have; more is a
        :class:`~cxkit.errors.UsageError` (the command line's ``--max-groups``).

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
    check_arg(survey, Survey, "metric() takes a Survey from cxkit.read_survey(...)")
    items = None if items is None else as_names(items, "items")
    by = as_names(by, "by")
    roles = None if roles is None else as_names(roles, "roles")
    check_small_base(small_base)
    check_confidence(confidence)
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
    scale.check_agree(agree)
    chosen = list(items) if items else list(survey.items)
    unknown = [i for i in chosen if i not in survey.items]
    if unknown:
        raise UsageError(f"not an item of this survey: {', '.join(unknown)}")
    _check_by(survey, by)
    keep, notes = select_roles(survey, roles)
    w = weights_of(survey)
    # the answers as codes: counted as they are stored, no float copy per item
    coded = {it: survey.coded(it) for it in chosen}
    variables: list[tuple[str, str | None, str, Coded]] = [
        ("item", it, survey.label_of(it), coded[it]) for it in chosen
    ]
    if index:
        variables.append(("index", None, "Index", respondent_mean([coded[it] for it in chosen])))
    group0 = np.where(keep, 0, -1)
    keys: list[tuple[str, ...]] = [tuple([ALL] * len(by))]
    groups = [(group0, 1)]
    if by:
        cell, labels = cells({b: survey.grouping(b) for b in by}, by, max_groups)
        groups.append((np.where(keep, cell, -1), len(labels)))
        keys += labels
    stacked: dict[str, list[np.ndarray]] = {}
    for _, _, _, values in variables:
        for group, n_groups in groups:
            st = _metric_stats(values, group, n_groups, w, scale, agree, confidence)
            for k, v in st.items():
                stacked.setdefault(k, []).append(np.asarray(v, dtype=float))
    # rows cell by cell, the variables in order within each cell; cells nobody answered out
    n_keys = len(keys)
    cell_of = np.tile(np.arange(n_keys), len(variables))
    var_of = np.repeat(np.arange(len(variables)), n_keys)
    order = np.argsort(cell_of, kind="stable")
    counts = np.concatenate(stacked["n"])[order]
    order = order[counts > 0]
    require_answers(survey, chosen, int(order.size), "check --item / --role")
    data: dict[str, object] = {
        b: [keys[c][j] for c in cell_of[order].tolist()] for j, b in enumerate(by)
    }
    for j, name in ((0, "level"), (1, "item"), (2, "label")):
        data[name] = [variables[v][j] for v in var_of[order].tolist()]
    for k, parts in stacked.items():
        data[k] = np.concatenate(parts)[order]
    data["n"] = data["n"].astype(np.int64)  # type: ignore[attr-defined]
    table = ColumnTable({c: data[c] for c in [*by, *METRIC_COLUMNS]})
    check_weighted_base(survey, table["n"], table["neff"])

    n_of, item_of = table["n"], table["item"]
    small = [i for i in range(len(table)) if n_of[i] < small_base]
    if small:
        names = "; ".join(
            (item_of[i] or "index") + (f" [{_cell_text(table.row(i), by)}]" if by else "")
            for i in small[:6]
        )
        notes.append(
            f"{len(small)} rows have fewer than {small_base} answers (small base, wide "
            f"intervals): {names}"
        )
    first = table.row(0)
    level = f"{confidence * 100:g}%"
    name = first["label"]

    def pct(x: float) -> str:
        return f"{x * 100:.0f}"

    def mean(x: float) -> str:
        return f"{x:.2f}"

    mean_ci = ci_text(first["mean_ci_low"], first["mean_ci_high"], mean, level)
    if preset == "csat":
        top2_ci = ci_text(first["top2_box_ci_low"], first["top2_box_ci_high"], pct, level, "–", "%")
        head = f"CSAT {num_text(first['top2_box'], pct)}% ({top2_ci}) answered 4-5"
    elif preset == "ces":
        head = (
            f"CES {num_text(first['mean'], mean)} of 7 ({mean_ci}); "
            f"{num_text(first['agree'], pct)}% answered 5-7"
        )
    else:
        head = (
            f"mean {num_text(first['mean'], mean)} ({mean_ci}), "
            f"top-2 box {num_text(first['top2_box'], pct)}%"
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
