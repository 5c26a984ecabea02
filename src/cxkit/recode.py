"""Recode one column's answers to numbers on the scale (text labels, missing codes, checks).

Used by :mod:`cxkit.survey` while it builds a Survey; errors name the file, the column, the
data row (1 = first row after the header) and the value.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import InputError
from .scales import SCALES, closest_scale, match_scale, scale_map
from .study import Scale, normalise_label


class NotOnScaleError(Exception):
    """Probing found answers off the scale; ``share`` of the answers were on it."""

    def __init__(self, share: float = 0.0) -> None:
        super().__init__(share)
        self.share = share


@dataclass
class Recoder:
    """Recodes one column's answers to numbers on the scale."""

    scale: Scale
    labels: dict[str, float]
    missing: set[str]
    missing_numbers: set[float]
    file: str
    auto: bool = False
    _unknown: str | None = None

    def _fail(self, column: str, row: int, value: object, why: str) -> InputError:
        return InputError(f"{self.file}: column {column!r}, data row {row + 1}: {value!r} {why}")

    def recode(self, col: pa.ChunkedArray, column: str, *, probe: bool = False):
        """Return ``(values, missing_code_counts)``; raise (or ``NotOnScaleError`` if probing)."""
        missing_counts: Counter[str] = Counter()
        if (
            pa.types.is_integer(col.type)
            or pa.types.is_floating(col.type)
            or pa.types.is_decimal(col.type)
        ):
            import pandas as pd  # pandas is imported lazily: see cxkit.preload

            # asarray: no second copy of a fresh float64 array (nothing writes into it)
            values = np.asarray(col.cast(pa.float64()).to_numpy(zero_copy_only=False), float)
            # the checks below need only the distinct values: skip the row passes when
            # none is a missing code, infinite or off the scale (the common case)
            d = pc.unique(col).cast(pa.float64()).to_numpy(zero_copy_only=False)
            d = d[~np.isnan(d)]
            if (
                np.isfinite(d).all()
                and not np.isin(d, list(self.missing_numbers)).any()
                and ((d >= self.scale.min) & (d <= self.scale.max)).all()
            ):
                if probe and d.size == 0:
                    raise NotOnScaleError
                return values, missing_counts
            values = np.where(pd.isna(values), np.nan, values)
            for code in self.missing_numbers:
                hit = values == code
                if hit.any():
                    missing_counts[_num(code)] += int(hit.sum())
                    values = np.where(hit, np.nan, values)
            bad = ~np.isfinite(values) & ~np.isnan(values)
            if bad.any():
                if probe:
                    raise NotOnScaleError(1.0 - bad.sum() / max((~np.isnan(values)).sum(), 1))
                row = int(np.flatnonzero(bad)[0])
                raise self._fail(column, row, values[row], "is not a finite number")
        else:
            if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
                col = col.cast(pa.string())
            enc = pc.dictionary_encode(col).combine_chunks()
            dictionary = enc.dictionary.to_pylist()
            self._unknown = None
            labels = self._labels_for(dictionary, column, probe)
            codes = np.empty(len(dictionary) + 1)
            codes[-1] = np.nan  # null answers
            bad_idx: list[int] = []
            missing_of: dict[int, str] = {}
            for i, raw in enumerate(dictionary):
                code, missing_label = self._code_of(raw, labels)
                codes[i] = code
                if missing_label is not None:
                    missing_of[i] = missing_label
                elif code is None or math.isnan(code):
                    bad_idx.append(i)
            indices = enc.indices.fill_null(len(dictionary)).to_numpy(zero_copy_only=False)
            if bad_idx:
                if probe:
                    tally = np.bincount(indices, minlength=len(dictionary) + 1)
                    answered = tally[:-1].sum() - sum(tally[i] for i in missing_of)
                    raise NotOnScaleError(1.0 - tally[bad_idx].sum() / max(answered, 1))
                row = int(np.flatnonzero(np.isin(indices, bad_idx))[0])
                raw = dictionary[int(indices[row])]
                if _is_float(raw):
                    raise self._fail(column, row, raw, "is not a finite number; fix the answer")
                known = self._unknown or "known: " + ", ".join(repr(k) for k in list(labels)[:8])
                raise self._fail(
                    column,
                    row,
                    raw,
                    f"is neither a number nor a known answer label ({known}); add it "
                    "to [answers.labels] or answers.missing in cxkit.toml, or pass --missing",
                )
            tally = np.bincount(indices, minlength=len(dictionary) + 1)
            for i, label in missing_of.items():
                missing_counts[label] += int(tally[i])
            values = codes[indices]
            # the scale checks below need only the distinct codes that occur
            used = codes[(tally > 0) & ~np.isnan(codes)]
            if (used >= self.scale.min).all() and (used <= self.scale.max).all():
                if probe and used.size == 0:
                    raise NotOnScaleError
                return values, missing_counts
        answered = values[~np.isnan(values)]
        off = (answered < self.scale.min) | (answered > self.scale.max)
        if off.any():
            if probe:
                raise NotOnScaleError(1.0 - off.sum() / answered.size)
            row = int(np.flatnonzero((values < self.scale.min) | (values > self.scale.max))[0])
            raise self._fail(
                column,
                row,
                _num(values[row]),
                f"is outside the scale {_num(self.scale.min)}-{_num(self.scale.max)}; if it "
                "is a missing code add it to answers.missing in cxkit.toml (or pass --missing "
                "CODE), or set the scale with [scale] / --scale",
            )
        if probe and answered.size == 0:
            raise NotOnScaleError
        return values, missing_counts

    def _labels_for(self, dictionary: list[str], column: str, probe: bool) -> dict[str, float]:
        """The config's labels, or the built-in scale that holds every label in the column."""
        if not self.auto:
            return self.labels
        words = []
        for raw in dictionary:
            norm = normalise_label(raw)
            if not norm or norm in self.missing or _number(raw) is not None:
                continue
            words.append(raw.strip())
        if not words:
            return self.labels
        span = self.scale.max - self.scale.min
        size = int(span) + 1 if float(span).is_integer() else None
        name = match_scale(words, size)
        if name is not None:
            return scale_map(name)
        if probe:
            return self.labels  # unknown words count against the column's share on the scale
        near = closest_scale(words, size)
        self._unknown = (
            f"labels seen in the column: {', '.join(repr(w) for w in sorted(set(words))[:10])}; "
            f"expected the labels of one scale, e.g. {near}: {', '.join(SCALES[near])}"
        )
        return self.labels

    def _code_of(self, raw: str, labels: dict[str, float]) -> tuple[float, str | None]:
        text = raw.strip()
        norm = normalise_label(text)
        if not norm or norm in self.missing:
            return np.nan, text or "(blank)"
        if norm in labels:
            return labels[norm], None
        value = _number(text)
        if value is None:
            return np.nan, None
        if value in self.missing_numbers:
            return np.nan, text
        if not math.isfinite(value):
            return np.nan, None
        return value, None


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_ANCHORED = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|=|:)\s*\D.*$", re.S)


def _number(text: str) -> float | None:
    """``"4"`` -> 4.0; an anchored label ``"10 - Extremely likely"`` -> 10.0; else None."""
    try:
        return float(text)
    except ValueError:
        m = _ANCHORED.match(text)
        return float(m.group(1)) if m else None


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))
