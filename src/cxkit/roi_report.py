"""How ``cxkit roi`` reports: the terminal view, notes, headline and the projection table.

Kept apart from :mod:`cxkit.roi` (which fits the models) so each module stays small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .result import ViewColumn, ci_text
from .roi_data import Panel

#: Result columns, in order.
COLUMNS = [
    "cx",
    "outcome",
    "model",
    "lag",
    "n",
    "n_entities",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adj",
    "per_10",
    "per_10_ci_low",
    "per_10_ci_high",
    "r_squared",
    "cov_type",
]
#: Columns of the ``improve`` projection table.
PROJECTION_COLUMNS = [
    "cx",
    "outcome",
    "model",
    "lag",
    "improve",
    "n",
    "n_entities",
    "change",
    "change_ci_low",
    "change_ci_high",
    "revenue_per_entity",
    "revenue_change",
    "revenue_change_ci_low",
    "revenue_change_ci_high",
]
REGRESSIONS = ("ols", "ols_fe", "logit")
NOT_CAUSAL = (
    "an association in observational data, not a causal effect: raising CX by this much "
    "need not change the outcome by this much"
)


def fraction_like(values: np.ndarray) -> bool:
    """True when every value lies within ±1.5: a rate given as a fraction (0.02 = 2%).

    >>> fraction_like(np.array([0.01, -0.2, np.nan])), fraction_like(np.array([2.0]))
    (True, False)
    """
    v = values[np.isfinite(values)]
    return v.size > 0 and bool(np.all(np.abs(v) <= 1.5))


VIEW = [
    ViewColumn("CX", ("cx",), "text"),
    ViewColumn("Outcome", ("outcome",), "text"),
    ViewColumn("Model", ("model",), "text"),
    ViewColumn("Lag", ("lag",), "int"),
    ViewColumn("n", ("n",), "int"),
    ViewColumn("Entities", ("n_entities",), "int"),
    ViewColumn("Estimate (CI)", ("estimate", "ci_low", "ci_high"), "g"),
    ViewColumn("Per 10 pts (CI)", ("per_10", "per_10_ci_low", "per_10_ci_high"), "g"),
    ViewColumn("p adj", ("p_adj",), "p"),
    ViewColumn("R²", ("r_squared",), "g"),
    ViewColumn("SE", ("cov_type",), "text"),
]
PROJECTION_VIEW = [
    ViewColumn("CX", ("cx",), "text"),
    ViewColumn("Outcome", ("outcome",), "text"),
    ViewColumn("Model", ("model",), "text"),
    ViewColumn("Lag", ("lag",), "int"),
    ViewColumn("+CX", ("improve",), "g"),
    ViewColumn("Entities", ("n_entities",), "int"),
    ViewColumn("Change (CI)", ("change", "change_ci_low", "change_ci_high"), "g"),
    ViewColumn(
        "Revenue / entity (CI)",
        ("revenue_change", "revenue_change_ci_low", "revenue_change_ci_high"),
        "g",
    ),
]


def notes_for(table: pd.DataFrame, panel: Panel, small_base: int, within: bool) -> list[str]:
    """Notes on the finished table: small bases, few clusters, Pearson with repeated rows,
    and what ``--weight`` applies to."""
    notes = []
    small = table[table["n_entities"] < small_base]
    if len(small):
        pairs = sorted({f"{r.cx} vs {r.outcome} (lag {r.lag})" for r in small.itertuples()})
        notes.append(
            f"{len(small)} rows rest on fewer than {small_base} entities (small base, wide "
            f"intervals): {'; '.join(pairs[:6])}{' …' if len(pairs) > 6 else ''}"
        )
    cl = table[(table["cov_type"] == "cluster") & (table["n_entities"] < 30)]
    if len(cl):
        notes.append(
            f"{len(cl)} cluster-robust rows have fewer than 30 entities; cluster-robust "
            "intervals can be too narrow with few clusters"
        )
    repeated = table[(table["model"] == "pearson") & (table["n"] > table["n_entities"])]
    if len(repeated):
        notes.append(
            "pearson intervals treat every row as independent, but some entities have several "
            "rows: trust the cluster-robust ols/logit rows (and the entity-bootstrap spearman "
            "interval) for uncertainty"
        )
    if panel.weight_col and not within:
        notes.append(
            f"--weight {panel.weight_col}: used by ols only (correlations, logit unweighted)"
        )
    return notes


def _label(cx: str) -> str:
    return "NPS" if "nps" in cx.casefold() else cx


def _later(lag: int, unit: str) -> str:
    if lag == 0:
        return " in the same period" if unit != "period" else ""
    word = {"quarter": "quarter", "month": "month", "year": "year"}.get(unit, "period")
    return f" a {word} later" if lag == 1 else f" {lag} {word}s later"


def _headline_row(table: pd.DataFrame, panel: Panel) -> pd.Series | None:
    reg = table[table["model"].isin(REGRESSIONS)]
    if reg.empty:
        reg = table
    first = reg[(reg["cx"] == panel.cx[0]) & (reg["outcome"] == panel.outcomes[0])]
    if first.empty:
        return None
    defined = first[first["p_value"].notna()]
    if defined.empty:
        return first.iloc[0]
    return defined.loc[defined["p_value"].idxmin()]


def summarise(
    table: pd.DataFrame,
    panel: Panel,
    subs: dict[tuple, pd.DataFrame],
    confidence: float,
    within: bool,
) -> dict[str, object]:
    """Headline numbers: the headline row (the first CX and outcome's regression at its
    lag with the smallest p-value), its sentence, and every OLS row's standardised slope
    (slope · sd(cx) / sd(outcome) over the rows used)."""
    row = _headline_row(table, panel)
    level = f"{confidence * 100:g}%"
    std = []
    for r in table[table["model"].isin(("ols", "ols_fe"))].itertuples():
        sub = subs[(r.cx, r.outcome, r.lag)]
        sy = float(sub[r.outcome].std(ddof=1)) if len(sub) > 1 else float("nan")
        sx = float(sub[r.cx].std(ddof=1)) if len(sub) > 1 else float("nan")
        value = r.estimate * sx / sy if sy > 0 else float("nan")
        std.append(
            {
                "cx": r.cx,
                "outcome": r.outcome,
                "model": r.model,
                "lag": int(r.lag),
                "standardised_slope": _f(value),
            }
        )
    summary: dict[str, object] = {"headline": "", "rows": len(table), "standardised_slopes": std}
    if row is None:
        summary["headline"] = "No model could be fitted; see the notes"
        return summary
    summary.update({k: (_f(row[k]) if isinstance(row[k], float) else row[k]) for k in COLUMNS})
    summary["n"] = int(row["n"])
    summary["n_entities"] = int(row["n_entities"])
    summary["lag"] = int(row["lag"])
    summary["headline"] = _headline(row, panel, subs, level, within)
    return summary


def _step(cx: str, panel: Panel, x: np.ndarray) -> float:
    """CX points the headline speaks of: 10 on wide scores (NPS, % top box), else 1."""
    rng = panel.cx_ranges.get(cx)
    if rng is not None:
        return 10.0 if rng[1] - rng[0] >= 50 else 1.0
    sd = float(np.nanstd(x)) if x.size > 1 else 0.0
    return 10.0 if sd > 5 else 1.0


def _headline(row, panel, subs, level, within) -> str:
    cx, outcome, model = row["cx"], row["outcome"], row["model"]
    later = _later(int(row["lag"]), panel.period_unit)
    base = f"n = {int(row['n_entities'])} {'accounts' if panel.entity_col else 'rows'}"
    if not np.isfinite(row["estimate"]):
        return f"No estimate for {cx} vs {outcome}{later}: see the notes"
    if model in ("pearson", "spearman"):
        name = "r" if model == "pearson" else "rho"
        ci = ci_text(row["ci_low"], row["ci_high"], "{:.2f}".format, level, " to ")
        return f"{_label(cx)} and {outcome}{later}: {name} = {row['estimate']:.2f} ({ci}, {base})"
    sub = subs[(cx, outcome, int(row["lag"]))]
    step = _step(cx, panel, sub[cx].to_numpy(float))
    est, lo, hi = (step * row[k] for k in ("estimate", "ci_low", "ci_high"))
    pp = outcome in panel.binary or fraction_like(sub[outcome].to_numpy(float))
    scale, unit = (100.0, " pp") if pp else (1.0, "")
    up = est >= 0
    mag = abs(est) * scale
    # the interval in the direction the sentence reads (a negative effect reads "less")
    lo_s, hi_s = (lo * scale, hi * scale) if up else (-hi * scale, -lo * scale)
    digits = 1 if not abs(hi_s - lo_s) < 0.5 else 2  # (a missing interval: 1)
    fmt = (lambda v: f"{v:.{digits}f}") if pp else (lambda v: f"{v:.3g}")
    name = outcome.replace("_", " ")
    one = within  # the sentence is about one account over time
    if outcome in panel.binary:
        verb = name.removesuffix("ed") if name.endswith("churned") else f"be {name}"
        what = (
            f"{'is' if one else 'are'} {fmt(mag)}{unit} {'more' if up else 'less'} likely to {verb}"
        )
    elif name.endswith(" growth"):
        what = (
            f"{'grows' if one else 'grow'} {name.removesuffix(' growth')} {fmt(mag)}{unit} "
            f"{'faster' if up else 'slower'}"
        )
    else:
        what = f"{'has' if one else 'have'} {fmt(mag)}{unit} {'higher' if up else 'lower'} {name}"
    points = f"{step:g} {_label(cx)} point{'s' if step != 1 else ''}"
    if within:
        who = f"When an account's {_label(cx)} is {points.split(' ', 1)[0]} point"
        who += f"{'s' if step != 1 else ''} above its own average, it"
    else:
        who = f"{'Accounts' if panel.entity_col else 'Rows'} {points} higher"
    sep = "–" if lo_s >= 0 else " to "
    text = f"{who} {what}{later} ({ci_text(lo_s, hi_s, fmt, level, sep)}, {base})"
    if row["ci_low"] <= 0 <= row["ci_high"]:
        text += "; the interval includes no difference"
    return text


def projection(
    table: pd.DataFrame,
    panel: Panel,
    improve: float,
    revenue: dict[tuple, float],
    summary: dict[str, object],
) -> tuple[pd.DataFrame, list[str], dict[str, object]]:
    """The ``--improve`` table (columns :data:`PROJECTION_COLUMNS`), its notes and summary."""
    reg = table[table["model"].isin(REGRESSIONS)].reset_index(drop=True)
    out = pd.DataFrame(
        {
            "cx": reg["cx"],
            "outcome": reg["outcome"],
            "model": reg["model"],
            "lag": reg["lag"],
            "improve": float(improve),
            "n": reg["n"],
            "n_entities": reg["n_entities"],
            "change": improve * reg["estimate"],
            "change_ci_low": improve * reg["ci_low"] if improve >= 0 else improve * reg["ci_high"],
            "change_ci_high": improve * reg["ci_high"] if improve >= 0 else improve * reg["ci_low"],
        }
    )
    notes = [f"--improve {improve:g}: {NOT_CAUSAL}"]
    if (reg["model"] == "logit").any():
        notes.append(
            "--improve on a binary outcome uses the average marginal effect × the CX change, a "
            "linear approximation that is close for small changes"
        )
    rev = np.full(len(out), np.nan)
    scale = np.full(len(out), np.nan)
    no_rev = []
    for i, r in out.iterrows():
        key = (r["cx"], r["outcome"], int(r["lag"]))
        if panel.revenue_col is None:
            continue
        rev[i] = revenue.get(key, np.nan)
        if r["outcome"] == panel.revenue_col:
            scale[i] = 1.0 / rev[i] if rev[i] else np.nan
        elif r["outcome"] in panel.binary or fraction_like(
            panel.frame[r["outcome"]].to_numpy(float)
        ):
            scale[i] = 1.0
        else:
            no_rev.append(r["outcome"])
    out["revenue_per_entity"] = rev
    factor = rev * scale
    out["revenue_change"] = out["change"] * factor
    lo, hi = out["change_ci_low"] * factor, out["change_ci_high"] * factor
    swap = factor < 0  # a negative mean revenue turns the interval round
    out["revenue_change_ci_low"] = np.where(swap, hi, lo)
    out["revenue_change_ci_high"] = np.where(swap, lo, hi)
    if (out["outcome"].isin(list(panel.binary))).any() and panel.revenue_col:
        notes.append(
            "revenue_change for a binary outcome is the change in probability × mean revenue "
            "per entity (e.g. revenue kept when fewer accounts churn: read the sign accordingly)"
        )
    if no_rev:
        notes.append(
            f"no revenue figure for {', '.join(sorted(set(no_rev)))}: only rates given as "
            "fractions (0.02 = 2%), binary outcomes and the revenue column itself convert"
        )
    row = out.iloc[0] if len(out) else None
    summary = {**summary, "improve": float(improve)}
    if row is not None and np.isfinite(row["change"]):
        summary["headline"] = (
            f"Raising {_label(row['cx'])} by {improve:g} points is associated with a change in "
            f"{row['outcome']} of {row['change']:.3g} "
            f"({ci_text(row['change_ci_low'], row['change_ci_high'], '{:.3g}'.format, '', ' to ')})"
            f"{_later(int(row['lag']), panel.period_unit)}: an "
            "association, not a causal effect"
        )
    else:
        summary["headline"] = "No projection could be made; see the notes"
    return out[PROJECTION_COLUMNS], notes, summary


def _f(x: object) -> float | None:
    x = float(x)  # type: ignore[arg-type]
    return x if np.isfinite(x) else None
