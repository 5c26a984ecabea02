"""Data checks on a drop (before any statistic is trusted) and drift against the previous drop.

Each function returns ``(passed, value, reason)``; ``reason`` says what is wrong in words a
person on call can act on.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import CxkitError

if TYPE_CHECKING:
    from .read import RawTable
    from .study import Study

Outcome = tuple[bool, float | None, str]
_MAX_LABELS = 50


def _show(values: Sequence[object], limit: int = 6) -> str:
    shown = ", ".join(repr(v) for v in list(values)[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def require_columns(raw: RawTable, columns: Sequence[str]) -> Outcome:
    missing = [c for c in columns if c not in raw.table.column_names]
    if missing:
        return False, float(len(missing)), f"missing column(s): {_show(missing)}"
    return True, 0.0, f"all {len(columns)} required columns present"


def _distinct(raw: RawTable, column: str) -> tuple[list[str | None], list[int]]:
    """The column's distinct cells as trimmed text, and how many rows hold each (two cells
    may be equal once trimmed: callers add them up).

    Counted in Arrow before anything becomes text: turning a million cells into Python
    strings and sorting them as objects (``np.unique``) took 0.8 s a column, and casting a
    million numbers to text before counting them 13 ms."""
    col = raw.table.column(column)
    if pa.types.is_integer(col.type):
        counted = _integer_counts(col)
        if counted is not None:
            return counted
    counted = pc.value_counts(col)  # nulls too
    return _trimmed(counted.field("values")), counted.field("counts").to_pylist()


def _trimmed(values: pa.Array) -> list[str | None]:
    """Distinct cells as trimmed Python text (numbers cast to text after counting)."""
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.string())
    return pc.utf8_trim_whitespace(values).to_pylist()


def _integer_counts(col: pa.ChunkedArray) -> tuple[list[str | None], list[int]] | None:
    """:func:`_distinct` of an integer column whose numbers span at most 256 values (an
    item), counted as one byte each: the numbers as text in ascending order, then the
    nulls as None. None for a wider column.

    Hashing every answer (``value_counts``) took 6 ms a million-row column, and drift
    counts every item of both drops."""
    from .arrow_values import chunk_values

    wraps = col.type.bit_width == 8 and pa.types.is_signed_integer(col.type)
    order = np.r_[128:256, 0:128] if wraps else np.arange(256)  # the numbers ascending
    if col.type.bit_width == 8:  # the bytes themselves: no bounds needed
        lo = 0
    else:
        bounds = pc.min_max(col).as_py()
        lo, hi = bounds["min"], bounds["max"]
        if lo is None:
            lo = hi = 0  # no number: only nulls
        if hi - lo > 255:
            return None
    counts = np.zeros(256, np.int64)
    for x, valid in chunk_values(col):
        if lo:
            x = np.subtract(x, x.dtype.type(lo))  # 0 ... 255: no overflow
        at = x.view(np.uint8) if x.itemsize == 1 else x.astype(np.uint8)
        if valid is not None:  # a null's slot holds anything: count it as 0, then take it off
            at = at * valid.view(np.uint8)
        counts += np.bincount(at, minlength=256)
    counts[0] -= col.null_count
    seen = [int(i) for i in order if counts[i]]
    values: list[str | None] = [str(i - 256 if wraps and i >= 128 else lo + i) for i in seen]
    tally = [int(counts[i]) for i in seen]
    if col.null_count:
        values.append(None)
        tally.append(col.null_count)
    return values, tally


def min_responses(raw: RawTable, minimum: int, per: str | None) -> Outcome:
    if per is None:
        n = raw.table.num_rows
        ok = n >= minimum
        return ok, float(n), f"{n} responses ({'>=' if ok else '<'} {minimum})"
    if per not in raw.table.column_names:
        return False, None, f"column {per!r} (check 'per') is not in the drop"
    tally: dict[str, int] = {}
    for v, c in zip(*_distinct(raw, per), strict=True):
        key = v if v else "(missing)"
        tally[key] = tally.get(key, 0) + c
    values = sorted(tally)
    counts = np.array([tally[v] for v in values], dtype=np.int64)
    low = [(v, int(c)) for v, c in zip(values, counts, strict=True) if c < minimum]
    worst = float(counts.min()) if counts.size else 0.0
    if low:
        detail = ", ".join(f"{v}: {c}" for v, c in low[:8])
        return False, worst, f"{len(low)} {per} group(s) under {minimum} responses ({detail})"
    return True, worst, f"every {per} group has >= {minimum} responses (smallest {int(worst)})"


def unique_ids(raw: RawTable, id_col: str | None) -> Outcome:
    if id_col is None:
        return False, None, "no id column: set columns.id in cxkit.toml"
    if id_col not in raw.table.column_names:
        return False, None, f"id column {id_col!r} is not in the drop"
    from .arrow_values import Text, column_array, numbers, run_starts

    # sorted, repeats sit together: the first value of each run of equal ids is a duplicate
    _, same, values = Text(raw.table.column(id_col)).sorted_runs()  # trimmed, nulls last
    starts = column_array(run_starts(same).astype(np.int64))  # pa.array would load pandas
    dupes = [v for v in pc.take(values, starts).to_pylist() if v]
    blank = int((numbers(pc.binary_length(values), -1) == 0).sum())  # no pandas for a scalar
    n_ids = len(values) - values.null_count - blank
    if dupes:
        return (
            False,
            float(len(dupes)),
            f"{len(dupes)} duplicate id(s) in {id_col!r}: {_show(dupes)}",
        )
    return True, 0.0, f"{n_ids} ids, all distinct"


def valid_answers(read) -> Outcome:
    """Every answer recodes: known labels, on the scale (``read`` builds the survey)."""
    try:
        survey = read()
    except CxkitError as exc:
        return False, None, str(exc)
    return True, 0.0, f"all answers of {len(survey.items)} items are known and on the scale"


def max_missing_share(read, limit: float, patterns: Sequence[str]) -> Outcome:
    try:
        survey = read()
    except CxkitError as exc:
        return False, None, str(exc)
    items = [
        i for i in survey.items if not patterns or any(fnmatch.fnmatch(i, p) for p in patterns)
    ]
    unmatched = [p for p in patterns if not any(fnmatch.fnmatch(i, p) for i in survey.items)]
    if unmatched:  # an item the drop lost (no drop's item at all is a config error)
        return False, None, f"no item of the drop matches {_show(unmatched)} (check 'items')"
    # the codes say which answers are missing: no DataFrame of float columns for it
    shares = {i: float((survey.coded(i).codes < 0).mean()) for i in items}
    over = {i: s for i, s in shares.items() if s > limit}
    worst = max(shares.values()) if shares else 0.0
    if over:
        detail = ", ".join(f"{i} {s:.0%}" for i, s in sorted(over.items(), key=lambda x: -x[1])[:6])
        return False, worst, f"{len(over)} item(s) missing more than {limit:.0%}: {detail}"
    return True, worst, f"every item's missing share <= {limit:.0%} (worst {worst:.0%})"


def _labels(raw: RawTable, column: str) -> set[str]:
    """The column's distinct non-blank cells, trimmed (no counts: a text column is only
    hashed, 7.5 ms a million cells against 11.5 ms counting them)."""
    col = raw.table.column(column)
    if pa.types.is_integer(col.type):
        return {v for v in _distinct(raw, column)[0] if v}
    return {v for v in _trimmed(pc.unique(col)) if v}


def _labels_of(columns: list[tuple[RawTable, str]]) -> list[set[str]]:
    """:func:`_labels` of each (drop, column), two at a time: Arrow's hashing releases the
    GIL, and drift hashes every item of both drops (0.2 s of a million-row check)."""
    if sum(raw.table.num_rows for raw, _ in columns) < _THREADED_CELLS or len(columns) < 2:
        return [_labels(raw, c) for raw, c in columns]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda rc: _labels(*rc), columns))


#: fewest cells :func:`_labels_of` hashes in two threads (fewer: a thread costs more)
_THREADED_CELLS = 200_000


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def drift(previous: RawTable, current: RawTable, items: Sequence[str], study: Study) -> Outcome:
    """Columns that disappeared (or were renamed), answer labels or scales that changed, role
    values that vanished, since the previous drop."""
    prev_cols, cur_cols = previous.table.column_names, current.table.column_names
    removed = [c for c in prev_cols if c not in cur_cols]
    added = [c for c in cur_cols if c not in prev_cols]
    problems: list[str] = []
    if removed:
        guess = f" (renamed to {_show(added)}?)" if added and len(added) == len(removed) else ""
        problems.append(f"column(s) disappeared: {_show(removed)}{guess}")
    shared = [i for i in items if i in prev_cols and i in cur_cols]
    labels = _labels_of([(raw, i) for i in shared for raw in (previous, current)])
    for before, after, item in zip(labels[::2], labels[1::2], shared, strict=True):
        new_text = sorted(v for v in after - before if not _is_number(v))
        if new_text:
            problems.append(f"new answer label(s) in {item!r}: {_show(new_text)}")
        nb = [float(v) for v in before if _is_number(v)]
        na = [float(v) for v in after if _is_number(v)]
        if nb and na and (min(na) < min(nb) or max(na) > max(nb)):
            problems.append(
                f"scale of {item!r} changed: {min(nb):g}-{max(nb):g} before, "
                f"{min(na):g}-{max(na):g} now"
            )
    role = study.role_col or ("role" if "role" in prev_cols else None)
    if role and role in prev_cols and role in cur_cols:
        gone = sorted(_labels(previous, role) - _labels(current, role))
        if gone and len(gone) <= _MAX_LABELS:
            problems.append(f"role value(s) vanished from {role!r}: {_show(gone)}")
    if problems:
        return False, float(len(problems)), "; ".join(problems)
    return True, 0.0, "same columns, answer labels, scales and roles as the previous drop"
