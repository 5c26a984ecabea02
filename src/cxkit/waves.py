"""Waves (survey rounds): finding the wave column and ordering wave labels correctly."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

WAVE_NAMES = ("wave", "quarter", "period", "year", "round")

_QUARTER = [
    re.compile(r"^(?P<y>\d{4})\s*[-_/ ]?\s*Q(?P<q>[1-4])$", re.IGNORECASE),  # 2026Q3, 2026-Q3
    re.compile(r"^Q(?P<q>[1-4])\s*[-_/ ]?\s*(?P<y>\d{4})$", re.IGNORECASE),  # Q3 2026
]
_YEAR_MONTH = re.compile(r"^(?P<y>\d{4})[-_/.](?P<m>\d{1,2})(?:[-_/.]\d{1,2})?$")
_YEAR = re.compile(r"^(?P<y>\d{4})$")
_NUM_RUN = re.compile(r"(\d+)")


def wave_key(label: str) -> tuple:
    """Sort key that orders quarters, months and years in time, other labels naturally.

    >>> sorted(["Q1 2027", "2026-Q4", "2026Q3"], key=wave_key)
    ['2026Q3', '2026-Q4', 'Q1 2027']
    >>> sorted(["wave 10", "wave 9"], key=wave_key)
    ['wave 9', 'wave 10']
    """
    text = str(label).strip()
    for pattern in _QUARTER:
        m = pattern.match(text)
        if m:
            return (0, int(m.group("y")), (int(m.group("q")) - 1) * 3 + 1, text)
    m = _YEAR_MONTH.match(text)
    if m:
        return (0, int(m.group("y")), int(m.group("m")), text)
    m = _YEAR.match(text)
    if m:
        return (0, int(m.group("y")), 0, text)
    parts = tuple(int(p) if p.isdigit() else p.casefold() for p in _NUM_RUN.split(text))
    return (1, parts, text)


def order_waves(labels: Iterable[str]) -> list[str]:
    """Distinct wave labels in time order."""
    return sorted({str(v) for v in labels if v is not None and str(v) != ""}, key=wave_key)


def guess_wave_column(columns: Sequence[str], configured: str | None = None) -> str | None:
    """The configured wave column, else the first column named like a wave."""
    if configured:
        return configured
    lower = {c.casefold(): c for c in columns}
    return next((lower[n] for n in WAVE_NAMES if n in lower), None)


def _wave_codes(survey):
    """``(code per row, distinct values)`` of the survey's wave column, encoded once."""
    from .errors import InputError

    if survey.wave_col is None:
        files = ", ".join(s.path for s in survey.sources)
        raise InputError(
            f"{files}: no wave column (looked for {', '.join(WAVE_NAMES)}); pass --wave-col "
            "NAME or set columns.wave in cxkit.toml"
        )
    from .aggregate import factorize

    return factorize(survey.grouping(survey.wave_col))


def _rows_of(survey, codes, uniques, wave: str):
    """The survey restricted to the rows whose wave is ``wave``."""
    import numpy as np

    hits = [i for i, v in enumerate(uniques) if str(v) == str(wave)]
    return survey.subset(np.isin(codes, hits))


def wave_labels(survey) -> list[str]:
    """The survey's waves in time order (``survey.wave_col`` must be set)."""
    return order_waves(_wave_codes(survey)[1])


def select_wave(survey, wave: str):
    """The survey restricted to one wave (an unknown wave is a usage error listing them)."""
    from .errors import UsageError

    codes, uniques = _wave_codes(survey)
    labels = order_waves(uniques)
    if str(wave) not in labels:
        raise UsageError(
            f"wave {wave!r} is not in column {survey.wave_col!r}; waves: {', '.join(labels)}"
        )
    return _rows_of(survey, codes, uniques, wave)


def split_waves(survey) -> list[tuple[str, object]]:
    """``(wave, survey of that wave)`` for every wave, in time order.

    Rows with a blank wave are in no wave: each wave's survey notes count them (``trend``
    reports its waves' notes), so they are not left out unsaid.
    """
    codes, uniques = _wave_codes(survey)
    waves = [(w, _rows_of(survey, codes, uniques, w)) for w in order_waves(uniques)]
    n_blank = survey.n_rows - sum(part.n_rows for _, part in waves)
    if n_blank:
        note = f"excluded {n_blank} rows with no value in {survey.wave_col!r}"
        for _, part in waves:
            part.notes = [*survey.notes, note]
    return waves


def raw_waves(raw, wave_col: str | None, configured: str | None = None):
    """``(wave column, waves in order)`` of a raw table; an input error when there is none."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .errors import InputError

    col = guess_wave_column(raw.table.column_names, wave_col or configured)
    if col is None or col not in raw.table.column_names:
        raise InputError(
            f"{raw.source.path}: no wave column (looked for {wave_col or configured or ''} "
            f"{', '.join(WAVE_NAMES)}); pass --wave-col NAME or set columns.wave in cxkit.toml"
        )
    # the distinct values first: a million rows hold a handful of waves (a set built row
    # by row in Python took 0.3 s per 600,000-row drop in `cxkit check`)
    distinct = pc.unique(raw.table.column(col)).cast(pa.string()).to_pylist()
    return col, order_waves(v.strip() for v in distinct if v)


def keep_waves(raw, wave_col: str, waves: Sequence[str]):
    """The raw table restricted to the rows of the given waves (unknown waves: usage error)."""
    import dataclasses

    import pyarrow as pa
    import pyarrow.compute as pc

    from .errors import UsageError

    _, labels = raw_waves(raw, wave_col)
    for w in waves:
        if str(w) not in labels:
            raise UsageError(
                f"wave {w!r} is not in column {wave_col!r}; waves: {', '.join(labels)}"
            )
    text = pc.utf8_trim_whitespace(raw.table.column(wave_col).cast(pa.string()))
    mask = pc.is_in(text, value_set=pa.array([str(w) for w in waves]))
    return dataclasses.replace(raw, table=raw.table.filter(pc.fill_null(mask, False)))
