"""Typed account panels for ``cxkit roi``: from an account table, or from survey answers
joined to a finance table.

The account table is read with :func:`cxkit.read.read_table` (CSV columns arrive as text) and
only the columns an analysis needs are typed here. Every problem names the file, the column,
the data row (1 = first row after the header) and the value, and says how to fix it; rows
excluded by ``drop_invalid`` are counted in the panel's notes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import InputError, UsageError, as_names
from .read import RawTable, SourceInfo, read_table

ENTITY = "\x00entity"
PERIOD = "\x00period"
ROW = "\x00row"
LABEL = "\x00period_label"

_TRUE = {"1", "yes", "y", "true", "t"}
_FALSE = {"0", "no", "n", "false", "f"}
_QUARTER = re.compile(r"^(\d{4})\s*[-_ /]?\s*Q([1-4])$", re.IGNORECASE)
_QUARTER_FIRST = re.compile(r"^Q([1-4])\s*[-_ /]?\s*(\d{4})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_INT = re.compile(r"^-?\d+$")
#: cells that mean "no value" in a numeric column (case-insensitive), like a blank
MISSING_TOKENS = {"na", "n/a", "nan", "null", "none", "-", "#n/a"}


@dataclass
class Panel:
    """Accounts (or units), optionally over periods, ready for :func:`cxkit.roi.roi`.

    Attributes
    ----------
    frame : DataFrame
        One row per account (and period): the CX and outcome columns as float (binary
        outcomes as 0.0/1.0, ``nan`` = no value), controls as float or text, plus the
        internal entity, period and source-row columns.
    cx, outcomes, controls : list of str
        Column names in ``frame``.
    binary : set of str
        Outcomes that are 0/1 (read from 0/1, yes/no, true/false).
    categorical : set of str
        Controls that are categories (they become dummies in the regressions).
    entity_col, time_col, weight_col, revenue_col : str or None
        The columns named on the command line (``None`` when not given).
    period_unit : str
        ``quarter``, ``month``, ``year`` or ``period``: what one step of ``lag`` means.
    cx_ranges : dict
        The valid range checked for each CX column (absent: no range known).
    sources : list of SourceInfo
        The files read.
    notes : list of str
        Rows and values excluded, and anything else a reader needs.
    config : dict, optional
        ``path`` and ``sha256`` of the study config used, for provenance.
    """

    frame: pd.DataFrame
    cx: list[str]
    outcomes: list[str]
    controls: list[str] = field(default_factory=list)
    binary: set[str] = field(default_factory=set)
    categorical: set[str] = field(default_factory=set)
    entity_col: str | None = None
    time_col: str | None = None
    weight_col: str | None = None
    revenue_col: str | None = None
    period_unit: str = "period"
    cx_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    sources: list[SourceInfo] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    config: dict[str, object] | None = None


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _text(col: pa.ChunkedArray) -> np.ndarray:
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = col.cast(pa.string())
    arr = pc.utf8_trim_whitespace(col).to_numpy(zero_copy_only=False)
    return np.array([None if v is None or v == "" else v for v in arr], dtype=object)


def numbers(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(values, bad, raw)``: floats (``nan`` for blanks and ``NA``-like cells), a mask of
    non-numeric cells, and the cells as read.

    >>> v, bad, _ = numbers(pa.chunked_array([["1", " 2.5", "", "x", None, "NA"]]))
    >>> v.tolist()[:3], bad.tolist()
    ([1.0, 2.5, nan], [False, False, False, True, False, False])
    """
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        values = col.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(float)
        bad = np.isinf(values)
        return np.where(bad, np.nan, values), bad, values.astype(object)
    if pa.types.is_boolean(col.type):
        values = col.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(float)
        return values, np.zeros(values.size, bool), values.astype(object)
    text = _text(col)
    values = np.full(text.size, np.nan)
    bad = np.zeros(text.size, bool)
    cache: dict[str, float | None] = {}
    for i, t in enumerate(text):
        if t is None or t.casefold() in MISSING_TOKENS:
            continue
        if t not in cache:
            try:
                v = float(t)
                cache[t] = v if np.isfinite(v) else None
            except ValueError:
                cache[t] = None
        v = cache[t]
        if v is None:
            bad[i] = True
        else:
            values[i] = v
    return values, bad, text


def _binary(col: pa.ChunkedArray) -> np.ndarray | None:
    """0/1 floats when every non-blank value is 0/1, yes/no or true/false; else ``None``."""
    text = _text(col)
    text = np.array(
        [None if t is None or str(t).casefold() in MISSING_TOKENS else t for t in text],
        dtype=object,
    )
    seen = {str(t).casefold() for t in text if t is not None}
    if pa.types.is_floating(col.type) or pa.types.is_integer(col.type):
        seen = {"1" if float(t) == 1 else "0" if float(t) == 0 else t for t in seen}
    if not seen or not seen <= (_TRUE | _FALSE):
        return None
    return np.array(
        [np.nan if t is None else float(str(t).casefold() in _TRUE or _is_one(t)) for t in text]
    )


def _is_one(t: object) -> bool:
    try:
        return float(str(t)) == 1.0
    except ValueError:
        return False


def parse_periods(values: Sequence[str]) -> tuple[np.ndarray, str, str | None]:
    """Period labels to integer steps: ``(steps, unit, note)``.

    ``2026Q1`` / ``2026-Q1`` / ``Q1 2026`` are quarters, ``2026-03`` months, integers are
    years (four digits) or plain periods; anything else is ordered as text (with a note).

    >>> s, unit, _ = parse_periods(["2025Q4", "2026Q1", "2026-Q3"])
    >>> (s - s.min()).tolist(), unit
    ([0, 1, 3], 'quarter')
    """
    vals = [str(v) for v in values]
    uniq = sorted(set(vals))
    quarters = [_QUARTER.match(v) or _QUARTER_FIRST.match(v) for v in uniq]
    if all(quarters):
        out = {}
        for v, m in zip(uniq, quarters, strict=True):
            year, q = m.group(1, 2) if m.re is _QUARTER else m.group(2, 1)  # type: ignore[union-attr]
            out[v] = int(year) * 4 + int(q) - 1
        return np.array([out[v] for v in vals], dtype=np.int64), "quarter", None
    months = [_MONTH.match(v) for v in uniq]
    if all(m and 1 <= int(m.group(2)) <= 12 for m in months):
        out = {
            v: int(m.group(1)) * 12 + int(m.group(2)) - 1  # type: ignore[union-attr]
            for v, m in zip(uniq, months, strict=True)
        }
        return np.array([out[v] for v in vals], dtype=np.int64), "month", None
    if all(_INT.match(v) for v in uniq):
        unit = "year" if all(len(v.lstrip("-")) == 4 for v in uniq) else "period"
        return np.array([int(v) for v in vals], dtype=np.int64), unit, None
    rank = {v: i for i, v in enumerate(uniq)}
    note = (
        f"periods are not quarters (2026Q1), months (2026-03) or integers, so they are "
        f"ordered as text ({', '.join(uniq[:4])}{' …' if len(uniq) > 4 else ''}) and a lag "
        "of 1 means the next value present in the file"
    )
    return np.array([rank[v] for v in vals], dtype=np.int64), "period", note


def default_cx_range(name: str, scale: tuple[float, float] | None) -> tuple[float, float] | None:
    """Valid range of an account-level CX column: −100…100 for an NPS, else the config scale."""
    if "nps" in name.casefold():
        return (-100.0, 100.0)
    return scale


@dataclass
class AccountSpec:
    """Which columns of an account table mean what (the command-line choices)."""

    cx: Sequence[str]
    outcomes: Sequence[str]
    entity: str | None = None
    time: str | None = None
    controls: Sequence[str] = ()
    weight: str | None = None
    revenue: str | None = None
    cx_range: tuple[float, float] | None = None
    scale: tuple[float, float] | None = None
    drop_invalid: bool = False

    def __post_init__(self) -> None:
        # a single column name is one name, not its characters (AccountSpec(cx="nps"))
        self.cx = as_names(self.cx, "cx")
        self.outcomes = as_names(self.outcomes, "outcomes")
        self.controls = as_names(self.controls, "controls")


def _require(table: pa.Table, column: str, file: str, option: str) -> None:
    if column not in table.column_names:
        cols = ", ".join(table.column_names[:15])
        more = " …" if table.num_columns > 15 else ""
        raise InputError(
            f"{file}: no column {column!r} (named by {option}); columns are: {cols}{more}"
        )


class _Typer:
    """Types the columns of one table, excluding or refusing bad cells."""

    def __init__(self, raw: RawTable, drop_invalid: bool) -> None:
        self.table = raw.table
        self.file = raw.source.path
        self.drop_invalid = drop_invalid
        self.drop_rows = np.zeros(raw.table.num_rows, bool)
        self.notes: list[str] = []

    def numeric(self, name: str, what: str, valid: tuple[float, float] | None = None):
        values, bad, raw = numbers(self.table.column(name))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            if not self.drop_invalid:
                also = " (nor 0/1, yes/no, true/false)" if what == "outcome" else ""
                raise InputError(
                    f"{self.file}: {what} column {name!r}, data row {row + 1}: {raw[row]!r} is "
                    f"not a number{also}; fix the cell, or pass --drop-invalid to exclude such "
                    "values"
                )
            self.notes.append(
                f"{self.file}: excluded {int(bad.sum())} non-numeric values of {name!r} "
                f"(--drop-invalid; first at data row {row + 1}: {raw[row]!r})"
            )
        if valid is not None:
            lo, hi = valid
            off = (values < lo) | (values > hi)
            if off.any():
                row = int(np.flatnonzero(off)[0])
                if not self.drop_invalid:
                    raise InputError(
                        f"{self.file}: {what} column {name!r}, data row {row + 1}: "
                        f"{_num(values[row])} is outside its valid range {_num(lo)}..{_num(hi)}; "
                        "fix the value, set the range with --cx-range MIN,MAX, or pass "
                        "--drop-invalid to exclude such values"
                    )
                self.notes.append(
                    f"{self.file}: excluded {int(off.sum())} values of {name!r} outside "
                    f"{_num(lo)}..{_num(hi)} (--drop-invalid; first at data row {row + 1}: "
                    f"{_num(values[row])})"
                )
                values = np.where(off, np.nan, values)
        return values

    def key(self, name: str, option: str) -> np.ndarray:
        text = _text(self.table.column(name))
        blank = np.array([t is None for t in text])
        if blank.any():
            row = int(np.flatnonzero(blank)[0])
            if not self.drop_invalid:
                raise InputError(
                    f"{self.file}: {option} column {name!r}, data row {row + 1}: is blank; "
                    "fill it in, or pass --drop-invalid to exclude such rows"
                )
            self.notes.append(
                f"{self.file}: excluded {int(blank.sum())} rows with no {name!r} (--drop-invalid)"
            )
            self.drop_rows |= blank
        return text


def _outcome(ty: _Typer, name: str) -> tuple[np.ndarray, bool]:
    col = ty.table.column(name)
    b = _binary(col)
    if b is not None:
        return b, True
    text = _text(col)
    words = (_TRUE | _FALSE) - {"0", "1"}
    norm = [None if t is None or t.casefold() in MISSING_TOKENS else t.casefold() for t in text]
    if any(t in words for t in norm):  # a yes/no column with some other values
        bad = np.array([t is not None and t not in _TRUE | _FALSE for t in norm])
        row = int(np.flatnonzero(bad)[0])
        if not ty.drop_invalid:
            raise InputError(
                f"{ty.file}: outcome column {name!r}, data row {row + 1}: {text[row]!r} is not "
                "0/1, yes/no or true/false; fix the cell, or pass --drop-invalid to exclude "
                "such values"
            )
        ty.notes.append(
            f"{ty.file}: excluded {int(bad.sum())} values of {name!r} that are not 0/1, yes/no "
            f"or true/false (--drop-invalid; first at data row {row + 1}: {text[row]!r})"
        )
        values = [
            np.nan if t is None or b_ else float(t in _TRUE)
            for t, b_ in zip(norm, bad, strict=True)
        ]
        return np.array(values), True
    return ty.numeric(name, "outcome"), False


def _control(ty: _Typer, name: str) -> tuple[np.ndarray, bool]:
    col = ty.table.column(name)
    values, bad, _ = numbers(col)
    text = _text(col)
    if not bad.any() and not (pa.types.is_string(col.type) and _binary(col) is not None):
        return values, False
    return text, True


def _check_duplicates(frame: pd.DataFrame, spec: AccountSpec, file: str, drop: bool):
    keys = [ENTITY, PERIOD] if spec.time else [ENTITY]
    dup = frame.duplicated(keys, keep=False).to_numpy()
    if not dup.any() or not spec.time:
        return frame, None
    first = frame[dup].iloc[0]
    rows = frame.loc[
        (frame[ENTITY] == first[ENTITY]) & (frame[PERIOD] == first[PERIOD]), ROW
    ].tolist()
    where = f"{spec.entity}={first[ENTITY]!r}, {spec.time}={first[LABEL]!r}"
    if not drop:
        raise InputError(
            f"{file}: {int(dup.sum())} rows share their ({spec.entity}, {spec.time}) with "
            f"another row, first {where} at data rows {', '.join(str(r + 1) for r in rows[:5])}; "
            "keep one row per account and period (aggregate them first), or pass "
            "--drop-invalid to exclude every duplicated row"
        )
    note = (
        f"{file}: excluded {int(dup.sum())} rows whose ({spec.entity}, {spec.time}) occurs "
        f"more than once (--drop-invalid; first {where})"
    )
    return frame[~dup].reset_index(drop=True), note


def panel_from_table(raw: RawTable, spec: AccountSpec, extra: dict | None = None) -> Panel:
    """Type the columns of an account table named by ``spec`` into a :class:`Panel`.

    Raises
    ------
    InputError
        A named column is missing, or a cell is non-numeric, out of range, blank in the
        entity/time column, or duplicated, and ``spec.drop_invalid`` is false.
    """
    file = raw.source.path
    table = raw.table
    if not spec.outcomes:
        raise UsageError(
            "name the outcome column with --outcome (repeatable); columns are: "
            + ", ".join(table.column_names[:15])
        )
    if not spec.cx:
        raise UsageError(
            "name the CX score column with --cx (repeatable); columns are: "
            + ", ".join(table.column_names[:15])
        )
    if spec.time and not spec.entity:
        raise UsageError("--time needs --entity: name the account column too")
    named = [
        *[(c, "--cx") for c in spec.cx],
        *[(c, "--outcome") for c in spec.outcomes],
        *[(c, "--control") for c in spec.controls],
    ]
    for opt, col in (
        ("--entity", spec.entity),
        ("--time", spec.time),
        ("--weight", spec.weight),
        ("--revenue", spec.revenue),
    ):
        if col:
            named.append((col, opt))
    for col, opt in named:
        _require(table, col, file, opt)
    for opt, cols in (
        ("--cx", spec.cx),
        ("--outcome", spec.outcomes),
        ("--control", spec.controls),
    ):
        twice = [c for i, c in enumerate(cols) if c in cols[:i]]
        if twice:
            raise UsageError(f"{opt} {twice[0]!r} is given twice: name each column once")
    overlap = set(spec.cx) & set(spec.outcomes)
    if overlap:
        raise UsageError(f"{sorted(overlap)[0]!r} is given as both --cx and --outcome")

    ty = _Typer(raw, spec.drop_invalid)
    data: dict[str, object] = {ROW: np.arange(table.num_rows)}
    ranges: dict[str, tuple[float, float]] = {}
    for c in spec.cx:
        rng_ = spec.cx_range or default_cx_range(c, spec.scale)
        if rng_ is not None:
            ranges[c] = rng_
        data[c] = ty.numeric(c, "CX", rng_)
    binary: set[str] = set()
    for o in spec.outcomes:
        data[o], is_bin = _outcome(ty, o)
        if is_bin:
            binary.add(o)
    categorical: set[str] = set()
    for c in spec.controls:
        if c in data:
            raise UsageError(f"--control {c!r} is also the CX score or an outcome")
        data[c], is_cat = _control(ty, c)
        if is_cat:
            categorical.add(c)
    if spec.weight:
        w = ty.numeric(spec.weight, "weight")
        bad = np.isnan(w) | (w < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{file}: weight column {spec.weight!r}, data row {row + 1}: "
                f"{'missing' if np.isnan(w[row]) else _num(w[row])}; every row needs a "
                "finite weight >= 0"
            )
        data[spec.weight] = w
    if spec.revenue and spec.revenue not in data:
        r = ty.numeric(spec.revenue, "revenue")
        neg = r < 0
        if neg.any():
            row = int(np.flatnonzero(neg)[0])
            raise InputError(
                f"{file}: revenue column {spec.revenue!r}, data row {row + 1}: {_num(r[row])} is "
                "negative; --revenue is each account's revenue (a level, >= 0), by which --improve "
                "converts a rate into currency: pass a revenue column, not a revenue change"
            )
        data[spec.revenue] = r
    notes = list(raw.notes)
    if spec.entity:
        data[ENTITY] = ty.key(spec.entity, "--entity")
    else:
        data[ENTITY] = np.array([f"row {i + 1}" for i in range(table.num_rows)], dtype=object)
    unit = "period"
    if spec.time:
        labels = ty.key(spec.time, "--time")
        data[LABEL] = labels
    if extra:
        data.update(extra)
    frame = pd.DataFrame(data)
    frame = frame[~ty.drop_rows].reset_index(drop=True)
    if spec.time:
        steps, unit, note = parse_periods(frame[LABEL].tolist())
        frame[PERIOD] = steps
        if note:
            notes.append(f"{file}: {note}")
    else:
        frame[PERIOD] = 0
    frame, dup_note = _check_duplicates(frame, spec, file, spec.drop_invalid)
    notes += ty.notes
    if dup_note:
        notes.append(dup_note)
    return Panel(
        frame=frame,
        cx=list(spec.cx),
        outcomes=list(spec.outcomes),
        controls=list(spec.controls),
        binary=binary,
        categorical=categorical,
        entity_col=spec.entity,
        time_col=spec.time,
        weight_col=spec.weight,
        revenue_col=spec.revenue,
        period_unit=unit,
        cx_ranges=ranges,
        sources=[raw.source],
        notes=notes,
    )


def read_accounts(path: str | Path, spec: AccountSpec, *, encoding: str | None = None) -> Panel:
    """Read an account- (or account-and-period-) level table into a :class:`Panel`."""
    return panel_from_table(read_table(path, encoding=encoding), spec)
