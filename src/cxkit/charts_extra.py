"""Charts for ``roi``, ``obstacles`` and ``nps`` results (see :mod:`cxkit.charts`).

Same conventions as :mod:`cxkit.charts`: headless matplotlib, Okabe-Ito colours, a title,
axis labels with units, the base (n) in a caption, and identical bytes on every run.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

from .charts import BAND, CUSTOMER, NEUTRAL, SELF, WIDTH_IN, _pyplot
from .errors import UsageError

if TYPE_CHECKING:
    from .result import Result
    from .roi_data import Panel

PREVIOUS = "#56B4E9"  # Okabe-Ito sky blue: the earlier wave
TIER_SHADE = "#EEEEEE"
MAX_PANELS = 4


def _title(fig, title: str, subtitle: str = "") -> None:
    chars = int(fig.get_figwidth() * 11)  # about 11 characters of 11 pt text per inch
    text = title if not subtitle else title + "\n" + textwrap.fill(subtitle, chars)
    fig.suptitle(text, x=0.01, ha="left", fontsize=11)


def _caption(fig, text: str) -> None:
    chars = int(fig.get_figwidth() * 15)
    fig.text(0.01, 0.005, textwrap.fill(text, chars), fontsize=8, color=NEUTRAL, va="bottom")


def _short(label: object, width: int = 44) -> str:
    text = str(label)
    return text if len(text) <= width else text[: width - 1] + "…"


# roi -----------------------------------------------------------------------------------------
def _pairs(table) -> list[tuple[str, str]]:
    return list(dict.fromkeys(zip(table["cx"], table["outcome"], strict=True)))


def roi_chart(result: Result, panel: Panel | None = None):
    """CX against an outcome: a scatter with the least-squares line and its band, or by lag.

    With the ``panel`` the result was computed from and a single lag of 0, one scatter per
    (cx, outcome) pair (at most four): the points, the least-squares line of the outcome on
    the CX score alone and its confidence band. Otherwise (a lag scan, or no panel) the
    regression estimate (or Pearson r when no regression was fitted) by lag with its CI.
    """
    t = result.table
    if "improve" in t.columns:
        raise UsageError("no chart for the --improve projection: drop --improve to draw one")
    level = float(result.provenance.get("parameters", {}).get("confidence", 0.95))
    lags = sorted({int(v) for v in t["lag"]})
    pairs = _pairs(t)
    shown = pairs[:MAX_PANELS]
    plt = _pyplot()
    ncols = 1 if len(shown) == 1 else 2
    nrows = int(np.ceil(len(shown) / ncols))
    width = WIDTH_IN * (0.75 if ncols == 1 else 1.0)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, 1.4 + 3.4 * nrows), squeeze=False)
    for ax in axes.flat[len(shown) :]:
        ax.set_visible(False)
    scatter = panel is not None and lags == [0]
    bases = []
    for ax, (cx, outcome) in zip(axes.flat, shown, strict=False):
        binary = outcome in result.provenance.get("parameters", {}).get("binary_outcomes", [])
        if scatter:
            n = _roi_scatter(ax, panel, cx, outcome, binary, level)
            bases.append(f"{cx} vs {outcome}: n={n}")
        else:
            bases.append(_roi_lags(ax, t, cx, outcome, lags))
    what = (
        f"Line: least-squares fit of the outcome on the CX score alone; band: its {level:.0%} "
        "confidence interval (the table's estimates add controls and robust errors)."
        if scatter
        else f"Whiskers: {level:.0%} confidence intervals from the table."
    )
    more = f" Showing {len(shown)} of {len(pairs)} pairs." if len(pairs) > len(shown) else ""
    _title(fig, "CX scores and business outcomes", result.headline)
    _caption(fig, "Base: " + "; ".join(bases) + ". " + what + more)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return fig


def _roi_scatter(ax, panel: Panel, cx: str, outcome: str, binary: bool, level: float) -> int:
    from scipy import stats as sps

    frame = panel.frame
    ok = frame[cx].notna() & frame[outcome].notna()
    x = frame.loc[ok, cx].to_numpy(float)
    y = frame.loc[ok, outcome].to_numpy(float)
    n = len(x)
    shown_y = y
    if binary:  # spread the 0/1 points a little so they do not hide each other
        shown_y = y + np.random.default_rng(0).uniform(-0.04, 0.04, n)
    ax.scatter(x, shown_y, s=10, color=SELF, alpha=0.45, lw=0, label="Account (row)")
    if n >= 3 and np.ptp(x) > 0:
        slope, intercept = np.polyfit(x, y, 1)
        grid = np.linspace(x.min(), x.max(), 100)
        fit = intercept + slope * grid
        resid = y - (intercept + slope * x)
        s = np.sqrt(resid @ resid / (n - 2))
        sxx = ((x - x.mean()) ** 2).sum()
        half = sps.t.ppf(0.5 + level / 2, n - 2) * s * np.sqrt(1 / n + (grid - x.mean()) ** 2 / sxx)
        ax.fill_between(grid, fit - half, fit + half, color=BAND, alpha=0.35, lw=0)
        ax.plot(grid, fit, color=CUSTOMER, lw=2, label="Least-squares line")
    ax.set_xlabel(f"{_short(cx, 30)} (CX score, points)")
    ax.set_ylabel(f"{_short(outcome, 30)} ({'1 = yes, 0 = no' if binary else 'units as given'})")
    ax.set_title(f"{_short(cx, 24)} vs {_short(outcome, 24)}", fontsize=10, loc="left")
    ax.grid(color="#dddddd", lw=0.6)
    ax.legend(frameon=False, fontsize=8, loc="best")
    return n


def _roi_lags(ax, t, cx: str, outcome: str, lags: list[int]) -> str:
    sub = t[(t["cx"] == cx) & (t["outcome"] == outcome)]
    regression = sub[sub["model"].isin(["ols", "ols_fe", "logit"])]
    rows = regression if len(regression) else sub[sub["model"] == "pearson"]
    if not len(rows):
        rows = sub
    model = str(rows["model"].iloc[0])
    rows = rows[rows["model"] == model].sort_values("lag")
    x = rows["lag"].to_numpy(int)
    est = rows["estimate"].to_numpy(float)
    lo, hi = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float)
    ax.axhline(0, color=NEUTRAL, lw=0.8)
    ax.errorbar(x, est, yerr=[est - lo, hi - est], fmt="o-", color=SELF, capsize=3, lw=1.2)
    ax.set_xticks(lags)
    ax.set_xlabel("Lag (periods between the CX score and the outcome)")
    unit = {
        "pearson": "Pearson r",
        "spearman": "Spearman rho",
        "logit": "change in probability per CX point",
    }.get(model, f"change in {_short(outcome, 20)} per CX point")
    ax.set_ylabel(unit)
    ax.set_title(f"{_short(cx, 24)} vs {_short(outcome, 24)} ({model})", fontsize=10, loc="left")
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    return f"{cx} vs {outcome}: " + ", ".join(
        f"lag {k} n={int(n)}" for k, n in zip(rows["lag"], rows["n"], strict=True)
    )


# obstacles -----------------------------------------------------------------------------------
def _share_column(t) -> tuple[str, str]:
    tops = sorted(
        (int(c[len("share_top") :]), c)
        for c in t.columns
        if c.startswith("share_top") and c[len("share_top") :].isdigit() and t[c].notna().any()
    )
    if tops:
        k, col = tops[-1]
        return col, f"Share ranking it in their top {k} (%)"
    return "share_named", "Share naming it (%)"


def obstacles_chart(result: Result):
    """Horizontal bars of the top-k share with CIs, ordered by rank, tiers shaded.

    With a ``by`` column (waves), paired bars: the last two groups side by side, ordered
    by the rank in the last group.
    """
    plt = _pyplot()
    t = result.table
    by = next((c for c in t.columns[: list(t.columns).index("obstacle")]), None)
    col, label = _share_column(t)
    level = float(result.provenance.get("parameters", {}).get("confidence", 0.95))
    t = t[t["status"] == "asked"]
    groups = list(dict.fromkeys(t[by])) if by else [None]
    shown = groups[-2:]
    current = t[t[by] == shown[-1]] if by else t
    order = current.sort_values(["rank", "obstacle"], na_position="last")
    names = list(order["obstacle"])
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 1.8 + 0.42 * len(names)))
    y = np.arange(len(names))[::-1].astype(float)
    tiers = order["tier"].to_numpy()
    for i, tier in enumerate(tiers):
        if np.isfinite(tier) and int(tier) % 2 == 0:
            ax.axhspan(y[i] - 0.5, y[i] + 0.5, color=TIER_SHADE, lw=0, zorder=0)
    height = 0.7 / len(shown)
    colours = [PREVIOUS, SELF] if len(shown) == 2 else [SELF]
    bases = []
    for j, (group, colour) in enumerate(zip(shown, colours, strict=True)):
        part = t[t[by] == group] if by else t
        part = part.set_index("obstacle").reindex(names)
        est = part[col].to_numpy(float) * 100
        lo = part[f"{col}_ci_low"].to_numpy(float) * 100
        hi = part[f"{col}_ci_high"].to_numpy(float) * 100
        offset = (j - (len(shown) - 1) / 2) * height
        ax.barh(
            y - offset,
            np.nan_to_num(est),
            height=height * 0.9,
            color=colour,
            label=str(group) if by else None,
            zorder=2,
        )
        ax.errorbar(
            est,
            y - offset,
            xerr=[est - lo, hi - est],
            fmt="none",
            ecolor="#222222",
            capsize=2,
            lw=0.9,
            zorder=3,
        )
        n = part["n_respondents"].dropna()
        bases.append((f"{group}: " if by else "") + (f"n={int(n.iloc[0])}" if len(n) else "n=0"))
    for i, tier in enumerate(tiers):
        if np.isfinite(tier):
            ax.text(
                1.0,
                y[i],
                f" tier {int(tier)}",
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize=8,
                color=NEUTRAL,
            )
    ax.set_yticks(y, [_short(n, 48) for n in names], fontsize=9)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"{label}, with {level:.0%} Wilson intervals")
    ax.grid(axis="x", color="#dddddd", lw=0.6, zorder=1)
    if by:
        ax.legend(frameon=False, fontsize=9, loc="lower right", title=by)
    sub = result.headline
    _title(fig, "Obstacles to CX success, by rank", sub)
    _caption(
        fig,
        "Base: respondents with a valid ranking (" + "; ".join(bases) + "). Ordered by "
        "Plackett-Luce rank" + (f" in {shown[-1]}" if by else "") + "; shaded bands and "
        "tier numbers group obstacles whose rank intervals overlap (statistically tied).",
    )
    fig.tight_layout(rect=(0, 0.04, 0.96, 0.97))
    return fig


# nps -----------------------------------------------------------------------------------------
def nps_chart(result: Result):
    """NPS overall and per group, with the adjusted-Wald interval, on -100..100."""
    plt = _pyplot()
    t = result.table
    by = list(t.columns[: list(t.columns).index("level")])
    rows = t[t["level"].isin(["all", "group"])]
    labels = []
    for _, r in rows.iterrows():
        if r["level"] == "all":
            labels.append("All respondents")
        else:
            labels.append(", ".join(f"{c}={r[c]}" for c in by if r[c] != "(all)") or "group")
    level = float(result.provenance.get("parameters", {}).get("confidence", 0.95))
    fig, ax = plt.subplots(figsize=(WIDTH_IN * 0.75, 1.8 + 0.4 * len(rows)))
    y = np.arange(len(rows))[::-1].astype(float)
    est = rows["nps"].to_numpy(float)
    lo, hi = rows["nps_ci_low"].to_numpy(float), rows["nps_ci_high"].to_numpy(float)
    colours = [SELF if lev == "all" else CUSTOMER for lev in rows["level"]]
    ax.axvline(0, color=NEUTRAL, lw=0.8)
    for yi, e, a, b, c in zip(y, est, lo, hi, colours, strict=True):
        ax.errorbar(e, yi, xerr=[[e - a], [b - e]], fmt="o", color=c, capsize=3, ms=7)
    ax.set_yticks(y, [_short(s, 40) for s in labels], fontsize=9)
    ax.set_xlim(-100, 100)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel(f"Net Promoter Score (points, -100 to 100), {level:.0%} adjusted-Wald interval")
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    _title(fig, "Net Promoter Score", result.headline)
    _caption(
        fig,
        "Base: "
        + ", ".join(f"{s} n={int(n)}" for s, n in zip(labels, rows["n"], strict=True))
        + " (respondents with an answer).",
    )
    fig.tight_layout(rect=(0, 0.05, 1, 0.95))
    return fig


# metric --------------------------------------------------------------------------------------
def metric_chart(result: Result):
    """Share answering at or above the agree point per item (all respondents), with CIs."""
    plt = _pyplot()
    t = result.table
    for col in t.columns[: list(t.columns).index("level")]:
        t = t[t[col] == "(all)"]  # breakdowns: the chart shows the total
    params = result.provenance.get("parameters", {})
    level = float(params.get("confidence", 0.95))
    agree = params.get("agree_at")
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 1.8 + 0.4 * len(t)))
    y = np.arange(len(t))[::-1].astype(float)
    est = t["agree"].to_numpy(float) * 100
    lo, hi = t["agree_ci_low"].to_numpy(float) * 100, t["agree_ci_high"].to_numpy(float) * 100
    colours = [SELF if lev == "item" else CUSTOMER for lev in t["level"]]
    ax.barh(y, np.nan_to_num(est), height=0.6, color=colours, zorder=2)
    ax.errorbar(
        est, y, xerr=[est - lo, hi - est], fmt="none", ecolor="#222222", capsize=2, lw=0.9, zorder=3
    )
    ax.set_yticks(y, [_short(s, 48) for s in t["label"]], fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(t) - 0.4)
    at = f" (answer >= {agree:g})" if isinstance(agree, int | float) else ""
    ax.set_xlabel(f"Share agreeing{at} (%), with {level:.0%} intervals")
    ax.grid(axis="x", color="#dddddd", lw=0.6, zorder=1)
    _title(fig, "Item scores", result.headline)
    _caption(
        fig,
        "Base: "
        + ", ".join(f"{_short(s, 24)} n={int(n)}" for s, n in zip(t["label"], t["n"], strict=True))
        + " (respondents with an answer).",
    )
    fig.tight_layout(rect=(0, 0.05, 1, 0.96))
    return fig
