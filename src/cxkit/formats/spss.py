"""SPSS ``.sav`` files (pyreadstat): value labels, user-missing values, variable labels.

User-missing values (e.g. 99 = "Don't know") become no answer and are counted in the notes.
A labelled variable whose every answer has a label that is not an answer-scale label (a role
or region code) is read as its labels; rating variables keep their numeric codes. A rating
variable's labels need not be ones cxkit knows ("Very poor" … "Excellent"): a variable the file
marks as ordinal, or one of a battery sharing one set of labels on 3-11 consecutive whole-number
codes from 0 or 1, keeps its codes too, with a note that its labels were set aside.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter

import numpy as np
import pyarrow as pa

from ..errors import InputError
from ..scales import match_scale
from ..study import normalise_label
from .meta import TableMeta


def _is_missing(value: float, ranges: list[dict]) -> bool:
    return any(r["lo"] <= value <= r["hi"] for r in ranges)


def read_sav(data: bytes, name: str) -> tuple[pa.Table, TableMeta, list[str]]:
    """Read a ``.sav`` file's bytes into typed columns and its labels."""
    import pyreadstat

    fd, tmp = tempfile.mkstemp(suffix=".sav")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            frame, info = pyreadstat.read_sav(tmp, user_missing=True)
        except Exception as exc:  # pyreadstat.ReadstatError and friends
            raise InputError(f"{name}: is not a readable SPSS .sav file ({exc})") from None
    finally:
        os.unlink(tmp)
    if len(frame) == 0:
        raise InputError(f"{name}: has variables but no responses")
    meta = TableMeta(platform="spss")
    meta.labels = {k: v for k, v in info.column_names_to_labels.items() if v}
    ranges = info.missing_ranges or {}
    value_labels = info.variable_value_labels or {}
    missing: Counter[str] = Counter()
    columns: dict[str, pa.Array] = {}
    batteries = _batteries(value_labels, ranges)
    measure = getattr(info, "variable_measure", None) or {}
    set_aside: dict[str, dict[float, str]] = {}
    for col in frame.columns:
        series = frame[col]
        labels = {float(k): str(v) for k, v in value_labels.get(col, {}).items()}
        meta.value_labels[col] = labels
        if series.dtype.kind not in "fiu":
            columns[col] = pa.array(series.astype(object).where(series.notna(), None), pa.string())
            continue
        values = series.to_numpy(dtype=float, na_value=np.nan)
        miss = ranges.get(col, [])
        if miss:
            hit = np.array([not np.isnan(v) and _is_missing(v, miss) for v in values])
            for v in values[hit]:
                missing[labels.get(float(v), _num(v))] += 1
            values = np.where(hit, np.nan, values)
        answered = {float(v) for v in values[~np.isnan(values)]}
        scale_like = match_scale(labels.values()) is not None
        as_labels = bool(labels and answered and answered <= set(labels) and not scale_like)
        if as_labels and (
            col in batteries or (measure.get(col) == "ordinal" and _run(labels, miss))
        ):
            # a rating whose labels are its own (not a known scale's, a "Don't know" code
            # aside, which the recoder reads from the text): its codes are the answers
            as_labels = (
                match_scale(v for c, v in labels.items() if not _is_missing(c, miss)) is not None
            )
            if not as_labels:
                set_aside[col] = labels
        if as_labels:
            text = [None if np.isnan(v) else labels[float(v)] for v in values]
            columns[col] = pa.array(text, pa.string())
        else:
            columns[col] = pa.array(values, pa.float64(), mask=np.isnan(values))
    notes = []
    if missing:
        detail = ", ".join(f"{k!r}: {v}" for k, v in sorted(missing.items()))
        notes.append(
            f"{name}: {sum(missing.values())} SPSS user-missing answers ({detail}) read as no "
            "answer, excluded from each item's n"
        )
    if set_aside:
        notes.append(_set_aside_note(name, set_aside, ranges))
    return pa.table(columns), meta, notes


def _run(labels: dict[float, str], miss: list[dict]) -> bool:
    """The labelled codes (user-missing ones aside) are 3-11 consecutive whole numbers from
    0 or 1, as a rating scale's are.

    >>> _run({1.0: "Very poor", 2.0: "OK", 3.0: "Excellent", 99.0: "DK"}, [{"lo": 99, "hi": 99}])
    True
    >>> _run({1.0: "No", 2.0: "Yes"}, [])
    False
    """
    codes = sorted(c for c in labels if not _is_missing(c, miss))
    return (
        3 <= len(codes) <= 11
        and codes[0] in (0.0, 1.0)
        and codes == [codes[0] + i for i in range(len(codes))]
    )


def _batteries(value_labels: dict[str, dict], ranges: dict[str, list[dict]]) -> set[str]:
    """Variables sharing one set of value labels with another variable, on a rating scale's
    codes (a battery of rating questions; a role or region variable has labels of its own)."""
    by_set: dict[tuple, list[str]] = {}
    for col, labels in value_labels.items():
        miss = ranges.get(col, [])
        cut = {float(k): str(v) for k, v in labels.items()}
        if _run(cut, miss):
            key = tuple(sorted((k, normalise_label(v)) for k, v in cut.items()))
            by_set.setdefault(key, []).append(col)
    return {c for cols in by_set.values() if len(cols) > 1 for c in cols}


def _set_aside_note(name: str, set_aside: dict[str, dict[float, str]], ranges: dict) -> str:
    """Which variables' labels were set aside for their codes, and what the codes mean."""
    cols = list(set_aside)
    shown = ", ".join(cols[:6]) + (f" and {len(cols) - 6} more" if len(cols) > 6 else "")
    first = set_aside[cols[0]]
    codes = sorted(c for c in first if not _is_missing(c, ranges.get(cols[0], [])))
    meaning = f"{_num(codes[0])} = {first[codes[0]]!r} … {_num(codes[-1])} = {first[codes[-1]]!r}"
    return (
        f"{name}: the SPSS value labels of {shown} are not answer labels cxkit knows "
        f"({meaning}): their numeric codes are read as the answers"
    )


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def label_codes(column: pa.ChunkedArray, labels: dict[float, str]) -> pa.ChunkedArray | None:
    """A variable read as its value labels, as its numeric codes again (None when it has
    no labels, is not text, or holds a text that is not exactly one code's label).

    >>> col = pa.chunked_array([["Good", None, "Poor"]])
    >>> label_codes(col, {1.0: "Poor", 2.0: "Good"}).to_pylist()
    [2.0, None, 1.0]
    """
    if not labels or not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return None
    code_of: dict[str, float] = {}
    for code, label in labels.items():
        if label in code_of:
            return None  # two codes share the label: the text cannot tell which
        code_of[label] = float(code)
    out = []
    for v in column.to_pylist():
        if v is not None and v not in code_of:
            return None
        out.append(None if v is None else code_of[v])
    return pa.chunked_array([pa.array(out, pa.float64())])
