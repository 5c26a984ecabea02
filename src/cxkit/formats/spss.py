"""SPSS ``.sav`` files (pyreadstat): value labels, user-missing values, variable labels.

User-missing values (e.g. 99 = "Don't know") become no answer and are counted in the notes.
A labelled variable whose every answer has a label that is not an answer-scale label (a role
or region code) is read as its labels; rating variables keep their numeric codes.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter

import numpy as np
import pyarrow as pa

from ..errors import InputError
from ..scales import match_scale
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
        if labels and answered and answered <= set(labels) and not scale_like:
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
    return pa.table(columns), meta, notes


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))
