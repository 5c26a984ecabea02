"""Charts for results: headless matplotlib, PNG or SVG by extension, same bytes every run.

Colours are the Okabe-Ito colour-blind-safe palette; every chart has a title, labelled axes
with units and the base (n) in a caption.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import UsageError
from .result import ratio_text

if TYPE_CHECKING:
    from .result import Result

SELF = "#0072B2"  # blue
CUSTOMER = "#E69F00"  # orange
NEUTRAL = "#666666"
BAND = "#56B4E9"  # sky blue
FORMATS = (".png", ".svg")
WIDTH_IN = 10.0
DPI = 100


def check_plot_path(path: str | Path) -> None:
    """A usage error unless the chart path ends in .png or .svg."""
    if Path(path).suffix.lower() not in FORMATS:
        raise UsageError(f"--plot {path}: name a .png or .svg file")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "cxkit",
            "font.family": "DejaVu Sans",
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    import matplotlib.pyplot as plt

    return plt


def figure_bytes(fig, fmt: str) -> bytes:
    """Serialise a figure as PNG or SVG with no timestamps, then close it."""
    plt = _pyplot()
    buf = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    fig.savefig(buf, format=fmt, dpi=DPI, metadata=metadata)
    plt.close(fig)
    return buf.getvalue()


def _wilson(p, n, confidence: float = 0.95):
    from .stats import wilson_interval

    p, n = np.asarray(p, float), np.asarray(n, float)
    return wilson_interval(p * n, n, confidence)


def _level(result: Result) -> float:
    """The result's confidence level (its provenance), for intervals drawn and labelled."""
    return float(result.provenance.get("parameters", {}).get("confidence", 0.95))


def gap_chart(result: Result):
    """Dumbbell chart: self vs customer agreement per item, grouped by pillar, with CIs."""
    plt = _pyplot()
    level = _level(result)
    t = result.table
    for col in t.columns[: list(t.columns).index("level")]:
        t = t[t[col] == "(all)"]  # breakdowns: the chart shows the total
    items = t[t["level"] == "item"]
    pillars = list(dict.fromkeys(p for p in items["pillar"] if isinstance(p, str)))
    labels_by_pillar = {
        p: lab
        for p, lab in zip(
            t.loc[t["level"] == "pillar", "pillar"],
            t.loc[t["level"] == "pillar", "label"],
            strict=True,
        )
    }
    rows: list[tuple[str, object]] = []
    for p in pillars:
        rows.append(("header", labels_by_pillar.get(p, p)))
        rows += [("item", r) for _, r in items[items["pillar"] == p].iterrows()]
    rows += [("item", r) for _, r in items[~items["pillar"].isin(pillars)].iterrows()]
    height = 1.6 + 0.3 * len(rows)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, height))
    y = np.arange(len(rows))[::-1]
    ticks, names = [], []
    for yi, (kind, r) in zip(y, rows, strict=True):
        if kind == "header":
            ax.text(
                -0.01,
                yi,
                str(r),
                transform=ax.get_yaxis_transform(),
                ha="right",
                va="center",
                fontweight="bold",
                fontsize=9,
            )
            continue
        s, c = r["agree_self"] * 100, r["agree_customer"] * 100
        ax.plot([c, s], [yi, yi], color=NEUTRAL, lw=1.5, zorder=1)
        for share, n, colour in (
            (r["agree_self"], r["neff_self"], SELF),
            (r["agree_customer"], r["neff_customer"], CUSTOMER),
        ):
            lo, hi = _wilson(share, n, level)
            ax.errorbar(
                share * 100,
                yi,
                xerr=[[share * 100 - lo * 100], [hi * 100 - share * 100]],
                fmt="o",
                color=colour,
                ms=6,
                capsize=2,
                lw=1,
                zorder=2,
            )
        ticks.append(yi)
        label = str(r["label"])
        names.append(label if len(label) <= 48 else label[:47] + "…")
    ax.set_yticks(ticks, names, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.8, len(rows) - 0.2)
    ax.set_xlabel(f"Share agreeing (%), with {level:.0%} Wilson intervals")
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    ax.plot([], [], "o", color=SELF, label="Self-raters")
    ax.plot([], [], "o", color=CUSTOMER, label="Customers")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False, fontsize=9)
    overall = t[t["level"] == "overall"].iloc[0]
    ratio = overall["agree_ratio"]
    subtitle = (
        f"Overall {ratio_text(ratio, 1)}× as many self-raters as customers agree ({level:.0%} CI "
        f"{ratio_text(overall['agree_ratio_ci_low'], 1)}–"
        f"{ratio_text(overall['agree_ratio_ci_high'], 1)})"
        if np.isfinite(ratio) and np.isfinite(overall["agree_ratio_ci_low"])
        else "Overall ratio undefined (no agreeing customers)"
    )
    fig.suptitle(
        "Self-rated vs customer-rated customer-centricity\n" + subtitle,
        x=0.01,
        ha="left",
        fontsize=11,
    )
    fig.text(
        0.01,
        0.005,
        f"Base: {int(overall['n_self'])} self-raters, "
        f"{int(overall['n_customer'])} customers (overall). Agree = answer >= "
        f"{result.provenance.get('parameters', {}).get('agree_at', 4):g}.",
        fontsize=8,
        color=NEUTRAL,
    )
    fig.tight_layout(rect=(0.12, 0.02, 1, 0.98))
    return fig


def trend_chart(result: Result):
    """The metric by wave with its CI band."""
    plt = _pyplot()
    t = result.table
    fig, ax = plt.subplots(figsize=(WIDTH_IN * 0.75, 4.2))
    x = np.arange(len(t))
    metric = str(t["metric"].iloc[0])
    pct = 1.0 if metric == "nps" else 100.0
    ax.fill_between(
        x,
        t["ci_low"] * pct,
        t["ci_high"] * pct,
        color=BAND,
        alpha=0.35,
        lw=0,
        label=f"{_level(result):.0%} interval",
    )
    ax.plot(x, t["estimate"] * pct, "o-", color=SELF, label="Estimate")
    ax.set_xticks(x, [str(w) for w in t["wave"]])
    ax.set_xlabel("Wave")
    unit = {"gap": "percentage points", "nps": "NPS points, -100 to 100"}.get(metric, "%")
    ax.set_ylabel(f"{metric} ({unit})")
    import textwrap

    fig.suptitle(
        textwrap.fill(str(result.summary.get("headline", metric)), 95),
        x=0.01,
        ha="left",
        fontsize=10,
    )
    ax.set_xlim(-0.4, len(t) - 0.6)
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    ax.legend(frameon=False, fontsize=9)
    fig.text(
        0.01,
        0.01,
        "Base per wave: "
        + ", ".join(f"{w} n={int(n)}" for w, n in zip(t["wave"], t["n"], strict=True)),
        fontsize=8,
        color=NEUTRAL,
    )
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    return fig


def _extra(name: str):
    def draw(result: Result):
        from . import charts_extra

        return getattr(charts_extra, name)(result)

    return draw


CHARTS = {
    "gap": gap_chart,
    "trend": trend_chart,
    "roi": _extra("roi_chart"),
    "obstacles": _extra("obstacles_chart"),
    "nps": _extra("nps_chart"),
    "metric": _extra("metric_chart"),
}


def chart_for(result: Result):
    """The natural chart of a result (by its command)."""
    if result.command not in CHARTS:
        raise UsageError(f"no chart for {result.command!r} results")
    return CHARTS[result.command](result)
