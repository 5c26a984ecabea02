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

from . import arrow_compute as pc
from .aggregate import bincounts
from .answers import DIRECT_RANGE, Coded, code_dtype
from .arrow_values import chunk_values, numbers, one_dictionary, pooled
from .errors import InputError
from .scales import SCALES, closest_scale, match_scale, scale_map
from .study import Scale, normalise_label


class NotOnScaleError(Exception):
    """Probing found answers off the scale; ``share`` of the ``answered`` answers were on
    it, and ``error`` is what recoding the column would raise (None, with ``answered`` 0,
    for a column with no answer on the scale)."""

    def __init__(
        self, share: float = 0.0, error: InputError | None = None, answered: int = 0
    ) -> None:
        super().__init__(share)
        self.share = share
        self.error = error
        self.answered = answered


@dataclass
class Recoder:
    """Recodes one column's answers to numbers on the scale."""

    scale: Scale
    labels: dict[str, float]
    missing: set[str]
    missing_numbers: set[float]
    file: str
    auto: bool = False
    #: where the user sets the scale, for the off-scale message; None: the scale is fixed
    scale_hint: str | None = "[scale] / --scale"
    #: the file's data rows before the column's first (a streamed batch's offset)
    first_row: int = 0
    _unknown: str | None = None

    def _fail(self, column: str, row: int, value: object, why: str) -> InputError:
        row += self.first_row + 1
        return InputError(f"{self.file}: column {column!r}, data row {row}: {value!r} {why}")

    def recode(
        self, col: pa.ChunkedArray, column: str, *, probe: bool = False
    ) -> tuple[Coded, Counter[str]]:
        """Return ``(answers, missing_code_counts)``; raise (or ``NotOnScaleError`` if probing).

        The column is dictionary-encoded, so each distinct cell (number or text) is
        interpreted once and the answers come out as codes into the values that occur.
        """
        numeric = (
            pa.types.is_integer(col.type)
            or pa.types.is_floating(col.type)
            or pa.types.is_decimal(col.type)
        )
        labelled = pa.types.is_dictionary(col.type) and _is_text(col.type.value_type)
        if not (numeric or labelled or _is_text(col.type)):
            col = col.cast(pa.string())
        if pa.types.is_decimal(col.type):
            col = col.cast(pa.float64())
        if probe and pa.types.is_float64(col.type):
            self._probe_floats(col, column)  # raises for a weight or a score: no hashing
        if pa.types.is_integer(col.type):
            fast = self._whole_numbers(col)
            if fast is not None:
                if probe and not fast.values.size:
                    raise NotOnScaleError
                return fast, Counter()
        offsets = _offsets(col) if pa.types.is_integer(col.type) else None
        if offsets is not None:  # whole numbers in a small range: no hashing needed
            dictionary, indices = offsets
            entries = self._numbers(dictionary)
        else:
            if probe and labelled and col.num_chunks > 1:
                self._probe_labels(col, column)
            # a Parquet file's text already is labels and an index per row
            enc = one_dictionary(col) if labelled else pc.dictionary_encode(col).combine_chunks()
            dictionary = enc.dictionary
            if numeric:
                entries = self._numbers(numbers(dictionary).astype(float))
            else:
                entries = self._texts(dictionary.to_pylist(), column, probe)
        codes, missing_of, bad, off = entries
        if probe and np.isnan(codes).all():
            raise NotOnScaleError  # no value is an answer on the scale: no rows to count
        if offsets is None:
            indices = numbers(enc.indices, len(dictionary))
        tally = bincounts(indices, [None], len(dictionary) + 1)[0]  # blockwise
        missing_counts: Counter[str] = Counter()
        for i, label in missing_of.items():
            if tally[i]:
                missing_counts[label] += int(tally[i])
        n_bad = int(tally[bad].sum()) + int(tally[list(off)].sum())
        answered = int(tally[:-1][~np.isnan(codes)].sum()) + n_bad
        if probe and answered == 0:
            raise NotOnScaleError
        for hit, why in (([i for i in bad if tally[i]], None), ([i for i in off if tally[i]], 0)):
            if hit:
                row = _first_row(indices, hit)
                i = int(indices[row])
                value = off[i] if why is not None else dictionary[i].as_py()
                error = self._bad(column, row, value, off_scale=why is not None)
                if probe:
                    raise NotOnScaleError(1.0 - n_bad / answered, error, answered)
                raise error
        valid = ~np.isnan(codes) & (tally[:-1] > 0)
        values = np.unique(codes[valid])
        entry_code = np.full(codes.size + 1, -1, dtype=code_dtype(values.size))
        entry_code[:-1][valid] = np.searchsorted(values, codes[valid])
        out = pooled(indices.size, entry_code.dtype)  # every index is an entry: clip is a no-op
        return Coded(np.take(entry_code, indices, out=out, mode="clip"), values), missing_counts

    def _whole_numbers(self, col: pa.ChunkedArray) -> Coded | None:
        """Integer answers all on the scale and none a missing code: codes by subtraction.

        None when the general path is needed (a missing code, an answer off the scale, or
        a range too wide to code in one step).
        """
        scaled = _scale_codes(col, math.ceil(self.scale.min), math.floor(self.scale.max))
        if scaled is not _UNSURE:
            if scaled is None:
                return None
            codes, lo, hi = scaled
            if any(lo <= m <= hi for m in self.missing_numbers):
                return None
            return Coded(codes, np.arange(lo, hi + 1, dtype=float))
        bounds = pc.min_max(col).as_py()
        lo, hi = bounds["min"], bounds["max"]
        if lo is None:
            return Coded(np.full(len(col), -1, dtype=np.int8), np.empty(0))
        if lo < self.scale.min or hi > self.scale.max or hi - lo >= DIRECT_RANGE:
            return None
        if any(lo <= m <= hi for m in self.missing_numbers):
            return None
        dtype = code_dtype(hi - lo + 1)
        codes = pooled(len(col), dtype)
        at = 0
        for x, valid in chunk_values(col):  # one pass over each chunk's buffers: no copy
            out = codes[at : at + x.size]
            if hi - lo <= np.iinfo(x.dtype).max:  # x - lo cannot overflow x's own type
                np.subtract(x, x.dtype.type(lo), out=out, casting="unsafe")
            else:
                np.subtract(x, lo, out=out, dtype=np.int64, casting="unsafe")
            if valid is not None:  # a null slot holds anything: code * 0 + 0 - 1 = -1
                out *= valid  # three passes of byte arithmetic beat one masked store
                out += valid
                out -= 1
            at += x.size
        return Coded(codes, np.arange(lo, hi + 1, dtype=float))

    def _probe_floats(self, col: pa.ChunkedArray, column: str) -> None:
        """Raise ``NotOnScaleError`` for a float64 column that cannot be an item, as the
        dictionary route would (same share, same first bad row), without hashing it.

        The dictionary route hashes every row to interpret each distinct value once; a
        weight or score column has thousands of them, and its probe took 30-120 ms of a
        5M-row run. Here each block of rows is classified by comparisons: no answer (null,
        ``nan``, a missing code), not finite, off the scale, or on it. Returns when every
        answer is on the scale, for the caller to recode the column the usual way.
        """
        lo, hi = self.scale.min, self.scale.max
        missing = list(self.missing_numbers)
        on = n_inf = n_off = 0
        first_inf = first_off = None
        at = 0
        for x, valid in chunk_values(col):
            for start in range(0, x.size, _PROBE_BLOCK):
                xb = x[start : start + _PROBE_BLOCK]
                answer = ~np.isnan(xb)
                if valid is not None:
                    answer &= valid[start : start + _PROBE_BLOCK].view(bool)
                for m in missing:
                    answer &= xb != m
                inf = answer & np.isinf(xb)
                with np.errstate(invalid="ignore"):
                    off = answer & ~inf & ((xb < lo) | (xb > hi))
                k_inf, k_off = int(np.count_nonzero(inf)), int(np.count_nonzero(off))
                if k_inf and first_inf is None:
                    first_inf = at + start + int(np.argmax(inf))
                if k_off and first_off is None:
                    first_off = at + start + int(np.argmax(off))
                on += int(np.count_nonzero(answer)) - k_inf - k_off
                n_inf, n_off = n_inf + k_inf, n_off + k_off
            at += x.size
        if on == 0:
            raise NotOnScaleError  # no value is an answer on the scale
        if first_inf is not None or first_off is not None:
            row = first_inf if first_inf is not None else first_off
            value = float(col[row].as_py())  # type: ignore[index]
            error = self._bad(column, row, value, off_scale=first_inf is None)
            answered = on + n_inf + n_off
            raise NotOnScaleError(1.0 - (n_inf + n_off) / answered, error, answered)

    def _probe_labels(self, col: pa.ChunkedArray, column: str) -> None:
        """Raise ``NotOnScaleError`` when no label in any chunk's dictionary is an answer on
        the scale (a segment or a wave column), before the chunks are unified.

        Unifying rewrites every row's index into one fresh array (20 MB at 5M rows, and the
        first such array of a run costs 50-70 ms in page faults here); the union of the
        chunks' dictionaries, in the order unifying gives it, decides the same."""
        seen = dict.fromkeys(v for chunk in col.chunks for v in chunk.dictionary.to_pylist())
        if len(seen) <= _FEW_LABELS:
            codes = self._texts(list(seen), column, probe=True)[0]
            if np.isnan(codes).all():
                raise NotOnScaleError

    def _numbers(self, dictionary: np.ndarray):
        """Per distinct number: its value (``nan`` = no answer), missing codes, bad entries."""
        codes = dictionary.copy()
        missing_of: dict[int, str] = {}
        for i in np.flatnonzero(np.isin(dictionary, list(self.missing_numbers))).tolist():
            missing_of[i] = _num(dictionary[i])
            codes[i] = np.nan
        bad = np.flatnonzero(np.isinf(dictionary)).tolist()
        codes[bad] = np.nan
        return (codes, missing_of, bad, self._off_scale(codes))

    def _texts(self, dictionary: list[str], column: str, probe: bool):
        """Per distinct text: its code (``nan`` = no answer), missing labels, bad entries."""
        self._unknown = None
        labels = self._labels_for(dictionary, column, probe)
        codes = np.empty(len(dictionary))
        missing_of: dict[int, str] = {}
        bad: list[int] = []
        for i, raw in enumerate(dictionary):
            code, missing_label = self._code_of(raw, labels)
            codes[i] = np.nan if code is None else code
            if missing_label is not None:
                missing_of[i] = missing_label
            elif code is None or math.isnan(code):
                bad.append(i)
        return codes, missing_of, bad, self._off_scale(codes)

    def _off_scale(self, codes: np.ndarray) -> dict[int, float]:
        """Entries whose value lies off the scale (their value; set to ``nan`` in ``codes``)."""
        with np.errstate(invalid="ignore"):
            hit = np.flatnonzero((codes < self.scale.min) | (codes > self.scale.max))
        off = {int(i): float(codes[i]) for i in hit}
        codes[hit] = np.nan
        return off

    def _bad(self, column: str, row: int, raw: object, *, off_scale: bool) -> InputError:
        """The error for the first bad answer: not a number or label, or off the scale."""
        if off_scale:
            fix = f", or set the scale with {self.scale_hint}" if self.scale_hint else ""
            return self._fail(
                column,
                row,
                _num(float(raw)),  # type: ignore[arg-type]
                f"is outside the scale {_num(self.scale.min)}-{_num(self.scale.max)}; if it "
                "is a missing code add it to answers.missing in cxkit.toml (or pass --missing "
                f"CODE){fix}",
            )
        if isinstance(raw, (int, float)):
            return self._fail(column, row, float(raw), "is not a finite number")
        if _is_float(raw):
            return self._fail(column, row, raw, "is not a finite number; fix the answer")
        known = self._unknown or "known: " + ", ".join(repr(k) for k in list(self.labels)[:8])
        return self._fail(
            column,
            row,
            raw,
            "is neither a number nor a known answer label ("
            f"{known}); add it to [answers.labels] or answers.missing in cxkit.toml, or "
            "pass --missing",
        )

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


#: most distinct labels :meth:`Recoder._probe_labels` reads before unifying (more: free text,
#: which the dictionary route reads once)
_FEW_LABELS = 4096

#: rows per block of :meth:`Recoder._probe_floats` (its masks stay in cache)
_PROBE_BLOCK = 1 << 16

#: :func:`_scale_codes` could not tell cheaply; the caller measures the column's bounds
_UNSURE = object()


def _scale_codes(col: pa.ChunkedArray, base: int, top: int):
    """Integer answers as codes from their lowest value, checked against the whole-number
    scale points ``base … top``, without a separate min/max pass.

    ``pc.min_max`` took 5 of the 6 ms an item of 5M rows cost; here each chunk is
    subtracted from ``base - 1`` (answers on the scale become ``1 … top - base + 1``) and
    multiplied by its validity (nulls become 0), and numpy's min, max and count of zeros
    over the codes tell whether every answer is on the scale. A null slot holds anything,
    so the subtraction is done only where no slot's value can wrap around the code type.

    Returns ``(codes, lo, hi)`` (``-1`` = no answer), None when an answer lies off the
    scale, or ``_UNSURE`` when the type or the scale needs the caller's exact bounds.
    """
    if top < base or top - base >= DIRECT_RANGE:
        return _UNSURE
    dtype = code_dtype(top - base + 2)
    limits = np.iinfo(dtype)
    codes = pooled(len(col), dtype)
    at = 0
    for x, valid in chunk_values(col):
        lowest, highest = int(x.min()), int(x.max())  # null slots included
        if lowest - (base - 1) < limits.min or highest - (base - 1) > limits.max:
            return _UNSURE  # some slot would wrap: let the exact bounds decide
        out = codes[at : at + x.size]
        kind = x.dtype
        wide = np.promote_types(kind, dtype) if kind.kind == "i" else np.dtype(np.int64)
        if not np.iinfo(wide).min <= base - 1 <= np.iinfo(wide).max:
            wide = np.dtype(np.int64)  # a scale far from the type's values, e.g. int8 and 200
        np.subtract(x, base - 1, out=out, dtype=wide, casting="unsafe")
        if valid is not None:
            out *= valid
        at += x.size
    if not codes.size:
        return codes.astype(np.int8), 0, -1
    zeros = codes.size - int(np.count_nonzero(codes))  # nulls, and answers of base - 1
    if int(codes.min()) < 0 or int(codes.max()) > top - base + 1 or zeros > col.null_count:
        return None
    if zeros == codes.size:
        return np.full(codes.size, -1, dtype=np.int8), 0, -1
    hi = base - 1 + int(codes.max())
    codes -= 1  # nulls -1, answers their offset from base
    first = int(codes.view(np.dtype(dtype.str.replace("i", "u"))).min())  # -1 sorts last
    if first:  # nobody gave the lowest scale point: count from the lowest answer
        np.subtract(codes, dtype.type(first), out=codes, where=codes >= 0)
    lo = base + first
    narrow = code_dtype(hi - lo + 1)
    return (codes if narrow == dtype else codes.astype(narrow)), lo, hi


def _offsets(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
    """An integer column as ``(dictionary, indices)`` without hashing: the dictionary is
    every whole number from the lowest to the highest slot, the index of a row its value's
    offset, and a null's index ``len(dictionary)`` (as ``dictionary_encode`` gives, with
    entries nobody answered). None when the slots span too wide a range.

    A probe of a 0-10 NPS column on a 1-5 scale: 8 ms instead of 25 for 5M rows.
    """
    kind = np.dtype(col.type.to_pandas_dtype())
    views = list(chunk_values(col))
    if not views:
        return None
    lo = min(int(x.min()) for x, _ in views)  # null slots included: a wider dictionary
    hi = max(int(x.max()) for x, _ in views)
    if hi - lo >= DIRECT_RANGE:
        return None
    indices = pooled(len(col), code_dtype(hi - lo + 2))
    # x - lo lies in 0 … hi - lo: unsigned types hold it, signed ones may need the index type
    wide = kind if kind.kind == "u" else np.promote_types(kind, indices.dtype)
    at = 0
    for x, valid in views:
        out = indices[at : at + x.size]
        np.subtract(x, lo, out=out, dtype=wide, casting="unsafe")
        if valid is not None:
            out[valid == 0] = hi - lo + 1
        at += x.size
    return np.arange(lo, hi + 1, dtype=float), indices


def _first_row(indices: np.ndarray, entries: list[int]) -> int:
    """The first row whose dictionary index is one of ``entries`` (which occur), searched
    block by block: a bad answer is usually found long before the end of the column."""
    step = 1 << 16
    for start in range(0, indices.size, step):
        hit = np.isin(indices[start : start + step], entries)
        if hit.any():
            return start + int(np.argmax(hit))
    raise ValueError("no row holds the entries")  # pragma: no cover - callers pass seen ones


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


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
