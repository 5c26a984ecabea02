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
