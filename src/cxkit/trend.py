"""A metric wave by wave, with its interval and the change from the previous wave."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from . import compare, stats
from .errors import InputError, UsageError
from .result import Result, ViewColumn, ci_text, make_provenance, num_text
from .survey import Survey
from .table import ColumnTable

#: metric name -> (description, column of the gap result, how rows are picked)
_GAP_METRICS = {
    "agree": ("customers agreeing, overall", "agree_customer"),
    "agree_self": ("self-raters agreeing, overall", "agree_self"),
    "gap": ("agreement gap (self - customer), overall", "agree_gap"),
}


#: advice the readers and analyses trend runs give, naming options of other commands ->
#: the fix trend offers (its config, ``--metric``): ``trend_hints`` rewords their messages
_HINTS = (
    (
        "classify them with --self/--customer or exclude them with --drop-unknown-roles",
        "list them in roles.self or roles.customer in cxkit.toml",
    ),
    (
        "pass --self VALUE",
        "list the self-raters' role values in roles.self in cxkit.toml, or choose --metric "
        "agree or item:NAME (customers only)",
    ),
    (
        "pass --customer VALUE",
        "list the customers' role values in roles.customer in cxkit.toml, or choose --metric "
        "agree_self (self-raters only)",
    ),
    (
        "pass --role-col NAME (or set columns.role in cxkit.toml), or give --self-file and "
        "--customer-file",
        "set columns.role in cxkit.toml",
    ),
    ("pass --role-col NAME or set columns.role", "set columns.role in cxkit.toml"),
    (
        "check --items / --self / --customer",
        "check [items] and roles.self / roles.customer in cxkit.toml",
    ),
    ("check --self", "check roles.self in cxkit.toml"),
    ("check --customer", "check roles.customer in cxkit.toml"),
    ("pass --weight NAME or fix columns.weight", "fix columns.weight in cxkit.toml"),
    ("pass --no-weight to count", "remove columns.weight from cxkit.toml to count"),
    ("name them with --items or in cxkit.toml [items]", "name them in cxkit.toml [items]"),
    ("name it with --items to analyse it", "name it in cxkit.toml [items] to analyse it"),
    ("fix [items] in the config or pass --items", "fix [items] in the config"),
    (" (or pass --missing CODE)", ""),
    (", or pass --missing", ""),
    ("no --col given and no column named", "--metric nps found no column named"),
    ("pass --col NAME", "name the NPS column with --metric nps:NAME"),
    ("check --col", "check --metric nps:NAME"),
    (
        "pass --dedupe first or --dedupe last to keep one response per id",
        "remove the repeated responses (ids are unique within each wave)",
    ),
    ("; keep one with --role", ""),
    ("; pass --finished-only to exclude them", ""),
    ("re-export it or pass --encoding", "re-export it as UTF-8"),
    ("pass --encoding utf-16-le", "re-save it as UTF-8"),
    ("pass --encoding NAME (e.g. latin-1, utf-16)", "re-save it as UTF-8"),
    ("; pass --encoding to choose another", "; re-save it as UTF-8 if that is wrong"),
    ("pass --sheet to choose another", "put the responses on the first sheet"),
)


def trend_hints(message: str) -> str:
    """``message`` (an error or a note from reading a wave or analysing it) with advice
    naming options trend lacks (``--self``, ``--col``, ``--items`` …) replaced by the fix
    trend offers: the config's key, or ``--metric``.

    >>> trend_hints("no rows; check --self")
    'no rows; check roles.self in cxkit.toml'
    """
    for old, new in _HINTS:
        message = message.replace(old, new)
    return message


def _metric(metric: str) -> tuple[str, str, str | None]:
    if metric == "nps" or metric.startswith("nps:"):
        if metric.startswith("nps:") and not metric[4:].strip():
            raise UsageError(f"--metric {metric!r} names no column: write nps:NAME, e.g. nps:ltr")
        return "NPS", "nps", None
    if metric.startswith("item:"):
        item = metric.split(":", 1)[1]
        if not item.strip():
            raise UsageError(f"--metric {metric!r} names no item: write item:NAME, e.g. item:sa_1")
        return f"customers agreeing with {item}", "agree_customer", item
    if metric not in _GAP_METRICS:
        raise UsageError(
            f"--metric {metric!r}: choose nps, nps:NAME, agree, agree_self, gap or item:NAME "
            "(e.g. item:sa_1)"
        )
    text, column = _GAP_METRICS[metric]
    return text, column, None


def gap_sides(metric: str) -> tuple[str, ...]:
    """The groups a gap metric's waves need answers from (see ``gap(sides=...)``): a wave
    without self-raters still has its customers' share.

    >>> gap_sides("agree"), gap_sides("item:sa_1"), gap_sides("agree_self"), gap_sides("gap")
    (('customer',), ('customer',), ('self',), ('self', 'customer'))
    """
    if metric == "gap":
        return ("self", "customer")
    return ("self",) if metric == "agree_self" else ("customer",)


def trend(
    waves: Sequence[tuple[str, Survey]],
    metric: str,
    *,
    analyse: Callable[[Survey], Result],
    confidence: float = 0.95,
) -> Result:
    """Tabulate ``metric`` per wave with its CI and the change from the previous wave.

    Parameters
    ----------
    waves : sequence of (label, Survey)
        In time order (see :func:`cxkit.waves.split_waves`).
    metric : str
        ``nps`` (Net Promoter Score, -100..100, adjusted-Wald interval, changes by its
        standard error; ``nps:NAME`` names the NPS column), ``agree`` (customers' overall
        agree share), ``agree_self``, ``gap`` (overall self - customer agree gap) or
        ``item:NAME`` (customers' agree share on one item). ``agree`` and ``item:NAME``
        need no self-raters in a wave, ``agree_self`` no customers.
    analyse : callable
        Runs the gap (the nps for ``metric="nps"``) on one wave's survey.

    Returns
    -------
    Result
        ``notes`` are the waves' survey notes (answers read as missing, rows with no
        wave). ``table`` columns: ``wave, metric, n, estimate, ci_low, ci_high, change,
        change_ci_low, change_ci_high, change_p, change_p_adj``. Shares use Wilson
        intervals, their changes Newcombe's interval and the pooled z-test; the gap's change
        uses a normal approximation from each wave's Newcombe interval. ``change_p_adj`` is
        Holm across the wave-to-wave changes.

    Raises
    ------
    UsageError
        A bad ``metric``, ``item:NAME`` naming no item of a wave, fewer than two waves.
    InputError
        A wave ``analyse`` refuses (the message names the wave), or a wave with no answers
        to compute the metric from.
    """
    if len(waves) < 2:
        raise UsageError(
            f"trend needs at least two waves; found {len(waves)} ({', '.join(w for w, _ in waves)})"
        )
    text, column, item = _metric(metric)
    rows = []
    for label, survey in waves:
        if item and item not in survey.items:
            shown = ", ".join(survey.items[:10]) + (" ..." if len(survey.items) > 10 else "")
            raise UsageError(
                f"--metric item:{item}: {item!r} is not an item of wave {label}; items: {shown}"
            )
        try:
            result = analyse(survey)
        except InputError as exc:  # e.g. a wave nobody answered: say which
            raise type(exc)(f"wave {label}: {exc.message}") from None
        names, cells = result.columns_and_rows()  # no DataFrame for gap's or nps's
        for values in cells:
            row = dict(zip(names, values, strict=True))
            if column == "nps":
                hit = row["level"] == "all"
            elif item:
                hit = row["level"] == "item" and row["item"] == item
            else:
                hit = row["level"] == "overall"
            if hit:
                break
        else:
            if item:
                raise UsageError(f"--metric item:{item}: not an item of wave {label}")
            raise UsageError(f"--metric {metric}: wave {label} has no result row")
        rows.append(row)
    frame = ColumnTable({c: [r[c] for r in rows] for c in rows[0]})

    def floats(name: str) -> np.ndarray:
        return np.asarray(frame[name], dtype=float)

    if column == "nps":
        est, lo, hi = floats("nps"), floats("nps_ci_low"), floats("nps_ci_high")
        n = np.asarray(frame["n"], dtype=int)
    elif column == "agree_gap":
        est, lo, hi = floats("agree_gap"), floats("agree_gap_ci_low"), floats("agree_gap_ci_high")
        n = np.asarray(frame["n_customer"], dtype=int)
    else:
        base = compare.SHARE_BASE[column]
        est, neff = floats(column), floats(base)
        lo, hi = stats.wilson_interval(est * neff, neff, confidence)
        n = np.asarray(frame["n_customer" if column == "agree_customer" else "n_self"], dtype=int)
    for (label, survey), value in zip(waves, est, strict=True):
        if np.isnan(value):  # a wave whose answers to this metric are all blank
            files = ", ".join(x.path for x in survey.sources) or "input"
            raise InputError(
                f"wave {label}: {files}: no answers to compute --metric {metric} from; "
                "choose another --metric"
            )
    k = len(rows)
    d, dlo, dhi, p, method = compare.change_between(
        frame.slice(None, -1), frame.slice(1, None), column, confidence
    )
    pad = np.array([np.nan])
    labels = [str(w) for w, _ in waves]
    table = ColumnTable(
        {
            "wave": labels,
            "metric": [metric] * k,
            "n": n,
            "estimate": est,
            "ci_low": lo,
            "ci_high": hi,
            "change": np.concatenate([pad, d]),
            "change_ci_low": np.concatenate([pad, dlo]),
            "change_ci_high": np.concatenate([pad, dhi]),
            "change_p": np.concatenate([pad, p]),
            "change_p_adj": np.concatenate([pad, stats.holm(p)]),
        }
    )
    last = table.row(-1)
    level = f"{confidence:.0%}"
    scale, est_fmt, unit = (1.0, "{:+.0f}", "points") if column == "nps" else (100, "{:.0f}", "pp")
    est_ci = ci_text(
        last["ci_low"] * scale, last["ci_high"] * scale, est_fmt.format, level,
        " to " if column == "nps" else "–", "" if column == "nps" else "%",
    )  # fmt: skip
    change_ci = ci_text(
        last["change_ci_low"] * scale, last["change_ci_high"] * scale, "{:+.1f}".format, "", " to "
    )
    estimate = num_text(last["estimate"] * scale, est_fmt.format)
    change = num_text(last["change"] * scale, "{:+.1f}".format)
    p_adj = num_text(last["change_p_adj"], "{:.3g}".format)
    if column == "nps":
        headline = f"NPS {estimate} in {last['wave']} ({est_ci}), "
    else:
        headline = f"{text}: {estimate}% in {last['wave']} ({est_ci}), "
    headline += f"{change} {unit} since {labels[-2]} ({change_ci}, Holm p {p_adj})"
    share_kind = "score" if column == "nps" else "pct"
    sources, notes = [], []
    for _, s in waves:
        sources += [x for x in s.sources if x not in sources]
        notes += [x for x in s.notes if x not in notes]  # reading notes, rows in no wave
    return Result(
        command="trend",
        table=table,
        summary={"headline": headline, "wave": str(last["wave"]), "metric": metric},
        notes=notes,
        provenance=make_provenance(
            sources,
            {"metric": metric, "waves": [w for w, _ in waves], "confidence": confidence},
            {
                "estimate_ci": {
                    "agree_gap": "Newcombe hybrid score interval",
                    "nps": "adjusted Wald interval (Rocks 2016)",
                }.get(column, "Wilson score interval"),
                "change": method,
                "change_p_adj": "Holm across wave-to-wave changes",
            },
        ),
        view=[
            ViewColumn("Wave", ("wave",), "text"),
            ViewColumn("n", ("n",), "int"),
            ViewColumn("Estimate (CI)", ("estimate", "ci_low", "ci_high"), share_kind),
            ViewColumn(
                "Change (CI)" if column == "nps" else "Change pp (CI)",
                ("change", "change_ci_low", "change_ci_high"),
                "score" if column == "nps" else "pp",
            ),
            ViewColumn("p adj", ("change_p_adj",), "p"),
        ],
    )
