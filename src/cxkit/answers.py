"""An item's answers as small integer codes into the answer values that occur.

A survey item takes a handful of distinct values, so each answer is stored as a one-byte
code (``-1`` = no answer) into a short sorted array of values. Five million answers take
5 MB instead of the 40 MB of a float column, histograms count codes directly (no sort, no
float comparisons), and a respondent's mean over whole-number answers is summed in
integers. :meth:`Coded.floats` gives the familiar float column (``nan`` = no answer) for
analyses that want one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: widest range of whole-number answers counted directly instead of sorted
DIRECT_RANGE = 4096


def code_dtype(n_values: int) -> np.dtype:
    """The smallest signed integer type holding codes ``-1 … n_values - 1``."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_values <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


@dataclass(frozen=True)
class Coded:
    """Answers as codes into ``values``.

    Attributes
    ----------
    codes : ndarray of signed int, shape (N,)
        Index into ``values`` per response; ``-1`` where there is no answer.
    values : ndarray of float, shape (U,)
        Sorted distinct answer values (a value may have no response pointing to it).
    """

    codes: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return int(self.codes.size)

    def floats(self) -> np.ndarray:
        """The answers as floats, ``nan`` where there is no answer (a new array)."""
        return np.append(self.values, np.nan)[self.codes]

    def take(self, rows: np.ndarray) -> Coded:
        """The answers of some responses (a boolean mask or row positions)."""
        return Coded(self.codes[rows], self.values)

    def reversed(self, lo: float, hi: float) -> Coded:
        """Reverse-coded answers: ``lo + hi - value`` (codes re-ordered to keep values sorted)."""
        top = self.values.size - 1
        codes = np.where(self.codes >= 0, top - self.codes, -1).astype(self.codes.dtype)
        return Coded(codes, (lo + hi - self.values)[::-1].copy())

    def whole(self) -> np.ndarray | None:
        """The values as int64 when they are all whole numbers in a small range, else None."""
        v = self.values
        if v.size and np.array_equal(np.trunc(v), v) and v.max() - v.min() < DIRECT_RANGE:
            return v.astype(np.int64)
        return None

    @classmethod
    def from_floats(cls, x: np.ndarray) -> Coded:
        """Code a float column (``nan`` = no answer)."""
        x = np.asarray(x, dtype=float)
        answered = ~np.isnan(x)
        values, inverse = distinct(x[answered])
        codes = np.full(x.size, -1, dtype=code_dtype(values.size))
        codes[answered] = inverse
        return cls(codes, values)

    @classmethod
    def concat(cls, parts: Sequence[Coded]) -> Coded:
        """The answers of several parts one after another, over the union of their values."""
        values = np.unique(np.concatenate([p.values for p in parts]))
        dtype = code_dtype(values.size)
        out = []
        for p in parts:
            remap = np.append(np.searchsorted(values, p.values), -1).astype(dtype)
            out.append(remap[p.codes])
        return cls(np.concatenate(out), values)


def distinct(xv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(xv, return_inverse=True)``; whole numbers in a small range skip the sort.

    >>> v, i = distinct(np.array([3.0, 1.0, 3.0, 5.0]))
    >>> v.tolist(), i.tolist()
    ([1.0, 3.0, 5.0], [1, 0, 1, 2])
    """
    if xv.size:
        lo, hi = float(xv.min()), float(xv.max())
        if hi - lo < DIRECT_RANGE and lo.is_integer() and np.array_equal(np.trunc(xv), xv):
            offset = (xv - lo).astype(np.int64)  # exact: whole numbers in a small range
            present = np.bincount(offset, minlength=int(hi - lo) + 1) > 0
            values = np.flatnonzero(present) + lo
            rank = np.cumsum(present) - 1
            return values.astype(float), rank[offset]
    return np.unique(xv, return_inverse=True)


#: most (sum, count) pairs counted directly when averaging whole-number answers
_MAX_PAIRS = 1 << 24

#: rows summed over every item before the next block (a 2**16-row block of each running sum
#: stays in cache: 25 ms instead of 37-140 ms for 20 items of 5M rows)
_SUM_BLOCK = 1 << 16


def respondent_mean(items: Sequence[Coded]) -> Coded:
    """Each response's mean over its answered items, coded.

    Whole-number answers are summed in integers and only the distinct (sum, count) pairs
    are divided, giving the same floats as dividing row by row; other answers are averaged
    as floats.
    """
    whole = [c.whole() for c in items]
    if any(w is None for w in whole):
        return Coded.from_floats(_float_mean(items))
    n = len(items[0])
    if n == 0:
        return Coded(np.empty(0, dtype=np.int8), np.empty(0))
    from .aggregate import bincounts  # blockwise: no full-length intp copy of the keys

    packed = _byte_sums(items, whole)  # type: ignore[arg-type]
    if packed is not None:
        key, lo = packed
        k = len(items)
        present = np.flatnonzero(bincounts(key, [None], k * 255 + 1)[0])
        counts = k - present // 255  # each unanswered item added 255
        sums = present % 255 + lo * counts
    else:
        total, count = _whole_sums(items, whole)  # type: ignore[arg-type]
        k = len(items) + 1
        lo_t = int(total.min())
        pairs = (int(total.max()) - lo_t + 1) * k
        if pairs > _MAX_PAIRS:
            return Coded.from_floats(_float_mean(items))
        key = (total - lo_t).astype(np.int32) * k + count.astype(np.int32)  # < _MAX_PAIRS
        present = np.flatnonzero(bincounts(key, [None], pairs)[0])
        sums, counts = present // k + lo_t, present % k
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums.astype(float) / counts, np.nan)
    # np.unique's first call imports numpy.ma (7 ms, a twentieth of a small gap run)
    values = np.sort(means[~np.isnan(means)])
    values = values[np.append(True, values[1:] != values[:-1])] if values.size else values
    code_of = np.where(np.isnan(means), -1, np.searchsorted(values, means))
    lut = np.full(present.max() + 1, -1, dtype=code_dtype(values.size))
    lut[present] = code_of
    return Coded(lut[key], values)


def _byte_sums(items: Sequence[Coded], whole: Sequence[np.ndarray]):
    """Per response, one number that holds both its sum and its count: ``(key, lo)``, or
    None when the answers do not allow it.

    When every item's values are the run ``lo, lo + 1, …`` in one-byte codes, the codes
    read as unsigned bytes (no answer: 255) are added up. With ``k`` items, ``m`` of them
    unanswered and code sum ``S``, the key is ``S + 255 m``; as long as ``S`` stays below
    255 the key gives ``m = key // 255`` and ``S = key % 255``, and the response's sum is
    ``S + lo * (k - m)``. One addition per item and row: 20 items of 5M rows take 17 ms
    where summing and counting apart took 33.
    """
    k, lo = len(items), int(whole[0][0])
    size = max(w.size for w in whole)
    if (
        k * (size - 1) >= 255
        or k * 255 >= 2**16
        or any(c.codes.dtype != np.int8 for c in items)
        or not all(np.array_equal(w, np.arange(lo, lo + w.size)) for w in whole)
    ):
        return None
    n = len(items[0])
    key = np.zeros(n, dtype=np.uint16)
    for start in range(0, n, _SUM_BLOCK):  # the block of sums stays in cache over the items
        part = key[start : start + _SUM_BLOCK]
        for c in items:
            part += c.codes[start : start + _SUM_BLOCK].view(np.uint8)
    return key, lo


def _whole_sums(items: Sequence[Coded], whole: Sequence[np.ndarray]):
    """Per response: the sum of its answers and how many it gave, in integers.

    When every item's values are the same run ``lo, lo + 1, …`` an answer is ``lo + code``,
    so the one-byte codes are summed as they are and corrected at the end (each of the
    ``k - count`` unanswered items added ``-1``); otherwise each item goes through a lookup
    table of its values.
    """
    k, n = len(items), len(items[0])
    count = np.zeros(n, dtype=np.int16 if k < 2**15 else np.int32)
    lo = int(whole[0][0])
    size = max(w.size for w in whole)
    if all(np.array_equal(w, np.arange(lo, lo + w.size)) for w in whole) and k * size < 2**15:
        codes_sum = np.zeros(n, dtype=np.int16)
        unanswered = np.zeros(n, dtype=count.dtype)  # minus the count of -1 codes
        for start in range(0, n, _SUM_BLOCK):  # both sums stay in cache over the items
            part = codes_sum[start : start + _SUM_BLOCK]
            missing = unanswered[start : start + _SUM_BLOCK]
            for c in items:
                x = c.codes[start : start + _SUM_BLOCK]
                part += x
                missing += x >> (8 * x.itemsize - 1)  # -1 where unanswered, else 0
        count += k
        count += unanswered
        wide = count.astype(np.int32)  # |total| <= k * (|lo| + size) < 2**31
        return codes_sum + (k - wide) + lo * wide, count
    total = np.zeros(n, dtype=np.int64)
    for c, w in zip(items, whole, strict=True):
        total += np.append(w, 0)[c.codes]  # no answer adds 0
        count += c.codes >= 0
    return total, count


def _float_mean(items: Sequence[Coded]) -> np.ndarray:
    n = len(items[0])
    total = np.zeros(n)
    count = np.zeros(n, dtype=np.int64)
    for c in items:
        x = c.floats()
        answered = ~np.isnan(x)
        total += np.where(answered, x, 0.0)
        count += answered
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)
