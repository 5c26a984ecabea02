"""``cxkit check``: data, drift, threshold and change checks on a drop, as a gate.

Checks come from the config (``[[check]]`` tables) and from ``--fail-if`` expressions::

    [checks]
    adjust = "holm"          # or "bh": multiplicity correction across change checks
    alpha = 0.05

    [[check]]
    require_columns = ["respondent_id", "role", "region"]
    [[check]]
    min_responses = 30
    per = "region"           # optional: every group of this column
    [[check]]
    max_missing_share = 0.2  # per item; optional items = ["sa_*"]
    [[check]]
    unique_ids = true        # columns.id must be unique
    [[check]]
    valid_answers = true     # every answer is a known label on the scale
    [[check]]
    drift = true             # against the previous drop
    [[check]]
    expr = "gap.overall.agree_ratio <= 6"
    [[check]]
    change = "gap.overall.agree_customer"
    direction = "decrease"   # fail when it fell significantly (or "increase", "any")

Data and drift checks run first; when one fails, statistics from that drop are not trusted
and the threshold and change checks are skipped.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import analyses, compare, datachecks, expr, stats
from .check_config import CheckSpec
from .drop_guards import KnownColumns, check_distinct, check_order
from .errors import ConfigError, CxkitError, UsageError, one_line
from .read import RawTable, read_table
from .result import Result, ViewColumn, make_provenance
from .study import Study
from .table import ColumnTable

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Outcome:
    check: str
    kind: str
    target: str
    value: float | None
    op: str | None
    limit: float | None
    status: str
    reason: str
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    p_adj: float | None = None


class _Runs:
    """Runs each (analysis, breakdown, drop) once, remembering results and errors."""

    def __init__(self, config: Any, read: Any = None, raw: Any = None) -> None:
        self.config = config
        self.read = read  # (drop, by) -> Survey, shared with the data checks
        self.raw = raw  # drop -> its table read whole, shared with the data checks
        self.cache: dict[tuple, Result | CxkitError] = {}

    def get(self, path: expr.Path, drop: str) -> Result:
        a = analyses.analysis_for(path)
        by = tuple(analyses.by_columns(path))
        options = tuple((k, v) for k, v in path.filters if k in a.run_options)
        key = (a.name, by, options, drop)
        if key not in self.cache:
            try:
                shared = {"read": self.read} if a.shares_reads and self.read else {}
                if a.shares_raw and self.raw:
                    shared["raw"] = self.raw
                self.cache[key] = a.runner([drop], self.config, by, dict(options), **shared)
            except UsageError:
                raise
            except CxkitError as exc:
                self.cache[key] = exc
        got = self.cache[key]
        if isinstance(got, CxkitError):
            raise got
        return got


def _binding(values: np.ndarray, op: str) -> float:
    if np.isnan(values).any():
        return math.nan
    if op in (">=", ">"):
        return float(values.min())
    if op in ("<=", "<"):
        return float(values.max())
    return float(values[0])


def _row(rows: ColumnTable | pd.DataFrame, i: int) -> Mapping[str, Any]:
    """Row ``i`` of selected rows, as column name -> value."""
    return rows.row(i) if isinstance(rows, ColumnTable) else rows.iloc[i]


def _threshold(spec: CheckSpec, runs: _Runs, drop: str) -> Outcome:
    parsed = spec.parsed
    try:
        result = runs.get(parsed.path, drop)
    except UsageError:
        raise
    except CxkitError as exc:
        return Outcome(
            spec.name,
            spec.kind,
            parsed.source,
            None,
            parsed.op,
            parsed.limit,
            "fail",
            f"the analysis could not run: {exc}",
        )
    rows = analyses.select(result, parsed.path)
    if not len(rows):
        return Outcome(
            spec.name,
            spec.kind,
            parsed.source,
            None,
            parsed.op,
            parsed.limit,
            "fail",
            "no row of the result matches the path",
        )
    values = np.asarray(rows[parsed.path.column], dtype=float)
    failing = [
        analyses.describe_row(_row(rows, i), result, parsed.path)
        for i, v in enumerate(values.tolist())
        if not parsed.holds(v)
    ]
    value = _binding(values, parsed.op)
    if failing:
        undefined = np.isnan(values).any()
        why = "is undefined for" if undefined else f"is not {parsed.op} {parsed.limit:g} for"
        reason = f"{parsed.path.column} {why} {len(failing)} of {len(rows)} row(s): " + ", ".join(
            failing[:6]
        )
        return Outcome(
            spec.name, spec.kind, parsed.source, value, parsed.op, parsed.limit, "fail", reason
        )
    reason = f"{parsed.path.column} {parsed.op} {parsed.limit:g} in all {len(rows)} row(s)"
    return Outcome(
        spec.name, spec.kind, parsed.source, value, parsed.op, parsed.limit, "pass", reason
    )


def _changes(specs, runs: _Runs, previous: str, current: str, settings) -> list[Outcome]:
    confidence = 1 - settings["alpha"]
    rows: list[dict[str, Any]] = []
    outcomes: dict[int, Outcome] = {}
    for i, spec in enumerate(specs):
        path = spec.path
        try:
            prev_res, cur_res = runs.get(path, previous), runs.get(path, current)
        except UsageError:
            raise
        except CxkitError as exc:
            outcomes[i] = Outcome(
                spec.name,
                "change",
                spec.params["change"],
                None,
                None,
                0.0,
                "fail",
                f"the analysis could not run: {exc}",
            )
            continue
        # a value that neither wave holds is a typo (exit 2); one that a wave lacks is data
        prev = analyses.select(prev_res, path, strict=False)
        cur = analyses.select(cur_res, path, strict=not len(prev))
        keys = [c for c in cur.columns if analyses.dtype_name(cur, c) in ("object", "str")]
        prev_part = None
        if isinstance(prev, ColumnTable) and isinstance(cur, ColumnTable):
            prev_part, merged = compare.matched_rows(prev, cur, keys), cur
        if prev_part is None:  # DataFrames, or keys that repeat: pandas' merge
            prev, cur = (t.to_pandas() if isinstance(t, ColumnTable) else t for t in (prev, cur))
            prev_part, merged = compare.align(prev, cur, keys)
        if not len(merged) or np.isnan(np.asarray(prev_part[path.column], dtype=float)).all():
            outcomes[i] = Outcome(
                spec.name,
                "change",
                spec.params["change"],
                None,
                None,
                0.0,
                "fail",
                "no row of the path exists in both waves",
            )
            continue
        d, lo, hi, p, method = compare.change_between(prev_part, merged, path.column, confidence)
        for j in range(len(merged)):
            rows.append(
                {
                    "spec": i,
                    "row": analyses.describe_row(_row(merged, j), cur_res, path),
                    "d": d[j],
                    "lo": lo[j],
                    "hi": hi[j],
                    "p": p[j],
                    "method": method,
                }
            )
    if rows:
        p_all = np.array([r["p"] for r in rows], dtype=float)
        adj = stats.holm(p_all) if settings["adjust"] == "holm" else stats.benjamini_hochberg(p_all)
        for r, a in zip(rows, adj, strict=True):
            r["p_adj"] = a
    for i, spec in enumerate(specs):
        if i in outcomes:
            continue
        mine = [r for r in rows if r["spec"] == i]
        direction = spec.params.get("direction", "any")
        bad = [
            r
            for r in mine
            if r["p_adj"] < settings["alpha"]
            and (direction == "any" or (direction == "decrease") == (r["d"] < 0))
        ]
        worst = min(mine, key=lambda r: r["p_adj"] if not math.isnan(r["p_adj"]) else 2.0)
        shown = bad[0] if bad else worst
        detail = (
            f"{shown['row']}: {shown['d']:+.3g} ({confidence:.0%} CI {shown['lo']:+.3g} to "
            f"{shown['hi']:+.3g}), p_adj {shown['p_adj']:.3g} ({settings['adjust']}; "
            f"{shown['method']})"
        )
        status = "fail" if bad else "pass"
        lead = "significant change" if bad else "no significant change"
        outcomes[i] = Outcome(
            spec.name,
            "change",
            spec.params["change"],
            float(shown["d"]),
            direction,
            0.0,
            status,
            f"{lead} since the previous wave; {detail}",
            float(shown["lo"]),
            float(shown["hi"]),
            float(shown["p"]),
            float(shown["p_adj"]),
        )
    return [outcomes[i] for i in range(len(specs))]


def _settings(study: Study) -> dict[str, Any]:
    where = study.path or "cxkit.toml"
    raw = dict(study.check_settings)
    unknown = [k for k in raw if k not in ("adjust", "alpha")]
    if unknown:
        raise ConfigError(f"{where}: checks.{unknown[0]}: unknown key; expected adjust, alpha")
    adjust = raw.get("adjust", "holm")
    if adjust not in ("holm", "bh"):
        raise ConfigError(f"{where}: checks.adjust: must be 'holm' or 'bh', not {adjust!r}")
    alpha = raw.get("alpha", 0.05)
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 0.5:
        raise ConfigError(f"{where}: checks.alpha: must be a number in (0, 0.5)")
    return {"adjust": adjust, "alpha": float(alpha)}


def run_checks(
    drops: Sequence[str], study: Study, specs: Sequence[CheckSpec], config: Any = None
) -> Result:
    """Run every check on the last drop (against the one before it for drift and change).

    Returns
    -------
    Result
        ``table`` columns: ``check, kind, target, value, op, limit, status, reason, ci_low,
        ci_high, p_value, p_adj`` (the last four for change checks: the change's interval, its
        p-value and the p-value adjusted across all change checks); status is ``pass``,
        ``fail`` or ``skipped``; ``summary["failed"]`` counts failures.
    """
    notes: list[str] = []
    if not specs:
        specs = [CheckSpec("data", "valid_answers", "valid answers", {"valid_answers": True})]
        notes.append(
            "no checks configured: ran the default data check (every answer a known label on "
            "the scale); add [[check]] tables to cxkit.toml or pass --fail-if EXPR"
        )
    settings = _settings(study)
    current = drops[-1]
    previous = drops[-2] if len(drops) > 1 else None
    raws: dict[str, RawTable] = {current: read_table(current)}
    needs_previous = any(s.kind in ("drift", "change") for s in specs)
    if needs_previous and previous is None:
        raise UsageError(
            "drift and change checks compare two drops: pass the previous drop first, "
            "e.g. cxkit check 2026Q2.csv 2026Q3.csv"
        )
    check_distinct(drops)
    if previous is not None and needs_previous:
        raws[previous] = read_table(previous)
        check_order(raws[previous], raws[current], study)

    surveys: dict[tuple, Any] = {}

    def read_shared(drop: str, by: tuple[str, ...]):
        """Each drop's survey (with breakdown columns ``by``) read once, for the data checks
        and every analysis that reads one; a read that failed fails the same way again."""
        if (drop, by) not in surveys:
            from .survey import SurveySpec, read_survey

            try:
                surveys[drop, by] = read_survey(
                    drop, config=config or None, use_config=config is not False,
                    spec=SurveySpec(by=by),
                )  # fmt: skip
            except CxkitError as exc:
                surveys[drop, by] = exc
        got = surveys[drop, by]
        if isinstance(got, CxkitError):
            raise got
        return got

    def read_current():
        return read_shared(current, ())

    def raw_of(drop: str) -> RawTable:
        """A drop's table read whole: the one the data checks read, else read now (once)."""
        if drop not in raws:
            raws[drop] = read_table(drop)
        return raws[drop]

    known = KnownColumns(raws, current, previous)
    for spec in specs:  # a name no drop has is a typo in the config: exit 3 before any check
        if spec.rule == "min_responses" and spec.params.get("per") is not None:
            known.require(spec.params["per"], f"{spec.key}.per")
    outcomes: list[Outcome | None] = [None] * len(specs)
    for i, spec in enumerate(specs):
        p = spec.params
        if spec.rule == "require_columns":
            res = datachecks.require_columns(raws[current], p["require_columns"])
        elif spec.rule == "min_responses":
            res = datachecks.min_responses(raws[current], p["min_responses"], p.get("per"))
        elif spec.rule == "unique_ids":
            res = datachecks.unique_ids(raws[current], study.id_col)
        elif spec.rule == "valid_answers":
            res = datachecks.valid_answers(read_current)
        elif spec.rule == "max_missing_share":
            for pattern in p.get("items", []):
                known.require(pattern, f"{spec.key}.items", pattern=True)
            try:
                items = read_current().items
            except CxkitError:  # an unreadable drop: the check fails, saying why
                items = None
            for pattern in p.get("items", []) if items is not None else ():
                known.require_item(
                    pattern,
                    f"{spec.key}.items",
                    items,
                    lambda: _detected_items(read_shared, previous) if previous else [],
                )
            res = datachecks.max_missing_share(
                read_current, p["max_missing_share"], p.get("items", [])
            )
        elif spec.rule == "drift":
            items = list(study.items) or _detected_items(read_shared, previous)
            res = datachecks.drift(raws[previous], raws[current], items, study)
        else:
            continue
        ok, value, reason = res
        outcomes[i] = Outcome(
            spec.name, spec.kind, spec.rule, value, None, None, "pass" if ok else "fail", reason
        )
    data_failed = any(o is not None and o.status == "fail" for o in outcomes)
    if not data_failed:  # a column no drop has is a typo in a path: exit 2 before any run
        columns = list(dict.fromkeys(c for d in raws for c in raws[d].table.column_names))
        for spec in specs:
            if spec.path is not None:
                analyses.check_drop_columns(spec.path, columns, current)
    runs = _Runs(config, read_shared, raw_of)
    change_idx = [i for i, s in enumerate(specs) if s.kind == "change"]
    for i, spec in enumerate(specs):
        if spec.kind != "threshold":
            continue
        if data_failed:
            outcomes[i] = Outcome(
                spec.name,
                spec.kind,
                spec.parsed.source,
                None,
                spec.parsed.op,
                spec.parsed.limit,
                "skipped",
                "data checks failed",
            )
        else:
            outcomes[i] = _threshold(spec, runs, current)
    if change_idx:
        if data_failed:
            for i in change_idx:
                outcomes[i] = Outcome(
                    specs[i].name,
                    "change",
                    specs[i].params["change"],
                    None,
                    None,
                    0.0,
                    "skipped",
                    "data checks failed",
                )
        else:
            got = _changes([specs[i] for i in change_idx], runs, previous, current, settings)
            for i, o in zip(change_idx, got, strict=True):
                outcomes[i] = o
    table = _outcome_table(outcomes)
    failed = table["status"].count("fail")
    skipped = table["status"].count("skipped")
    total = len(table)
    if failed:
        failing = [o.check for o in outcomes if o.status == "fail"]
        names = "; ".join(one_line(name) for name in failing[:4])
        more = f" and {len(failing) - 4} more" if len(failing) > 4 else ""
        headline = f"{failed} of {total} checks failed on {current}: {names}{more}"
    else:
        headline = f"all {total} checks passed on {current}"
    if skipped:
        headline += f" ({skipped} skipped)"
    from .read import SourceInfo

    sources: list[SourceInfo] = [raws[d].source for d in raws]
    return Result(
        command="check",
        table=table,
        summary={
            "headline": headline,
            "failed": failed,
            "passed": total - failed - skipped,
            "skipped": skipped,
            "drop": current,
            "previous": previous,
        },
        notes=notes,
        provenance=make_provenance(
            sources,
            {"drops": list(drops), **settings, "checks": [s.name for s in specs]},
            {
                "change": "Holm or Benjamini-Hochberg adjusted p across all change checks; "
                "shares: Newcombe interval and pooled z-test; other metrics: normal "
                "approximation from each wave's interval"
            },
            None,
            {"path": study.path, "sha256": study.sha256} if study.sha256 else None,
        ),
        view=[
            ViewColumn("Check", ("check",), "text"),
            ViewColumn("Status", ("status",), "text"),
            ViewColumn("Value", ("value",), "g"),
            ViewColumn("Reason", ("reason",), "text"),
        ],
        emphasis_col="status",
        emphasis_plain="pass",
    )


def _outcome_table(outcomes: Sequence[Outcome]) -> ColumnTable:
    """One row per outcome, typed as ``pd.DataFrame([vars(o) for o in outcomes])`` types
    them: numbers (with None as ``nan``) as floats, anything else, or only None, as a list."""
    data: dict[str, Any] = {}
    for f in dataclasses.fields(Outcome):
        cells = [getattr(o, f.name) for o in outcomes]
        given = [c for c in cells if c is not None]
        if given and all(isinstance(c, float) for c in given):
            data[f.name] = np.array([math.nan if c is None else c for c in cells], dtype=float)
        else:
            data[f.name] = cells
    return ColumnTable(data)


def _detected_items(read: Any, previous: str | None) -> list[str]:
    """The items found in the previous drop (``read``: the drops' shared survey reads)."""
    try:
        return read(previous, ()).items
    except CxkitError:
        return []
