"""Sufficient statistics that merge: per-group histograms of answer values.

Survey answers take a handful of distinct values, so a histogram per group (count, sum of
weights and sum of squared weights per distinct value) holds everything the analyses need:
n, effective n, weighted mean and variance, and any top-box share. Histograms of two
partitions of the same data merge by adding counts over the union of their values, so the
same numbers come from a whole table, from record batches, or from partitions computed
elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from .answers import Coded, code_dtype, distinct
from .errors import MAX_BY_GROUPS, check_by_groups
from .stats import kish_neff

#: label of a breakdown cell whose value is blank or missing
MISSING = "(missing)"

#: most possible breakdown cells (product of the columns' distinct values) counted directly
_DIRECT_CELLS = 1 << 20

#: tolerance for "answer >= agree threshold" on respondent means such as 11/3
_AGREE_TOL = 1e-9


@dataclass(frozen=True)
class Histograms:
    """Histograms of one variable for ``G`` groups over ``U`` distinct values.

    Attributes
    ----------
    values : ndarray, shape (U,)
        Sorted distinct non-missing values.
    count, wsum, w2sum : ndarray, shape (G, U)
        Number of answers, sum of weights and sum of squared weights per group and value.
    """

    values: np.ndarray
    count: np.ndarray
    wsum: np.ndarray
    w2sum: np.ndarray

    @property
    def n_groups(self) -> int:
        return int(self.count.shape[0])

    def merge(self, other: Histograms) -> Histograms:
        """Add another partition's histograms for the same groups."""
        if other.n_groups != self.n_groups:
            raise ValueError("cannot merge histograms of different group counts")
        values = np.union1d(self.values, other.values)
        out = [np.zeros((self.n_groups, values.size)) for _ in range(3)]
        for h in (self, other):
            pos = np.searchsorted(values, h.values)
            for acc, part in zip(out, (h.count, h.wsum, h.w2sum), strict=True):
                acc[:, pos] += part
        return Histograms(values, out[0].astype(np.int64), out[1], out[2])


def stack(parts: list[Histograms]) -> Histograms:
    """Put the groups of several histograms one after another, over the union of values."""
    values = np.unique(np.concatenate([h.values for h in parts])) if parts else np.empty(0)
    rows = sum(h.n_groups for h in parts)
    out = [np.zeros((rows, values.size)) for _ in range(3)]
    start = 0
    for h in parts:
        pos = np.searchsorted(values, h.values)
        end = start + h.n_groups
        for acc, part in zip(out, (h.count, h.wsum, h.w2sum), strict=True):
            acc[start:end, pos] = part
        start = end
    return Histograms(values, out[0].astype(np.int64), out[1], out[2])


def split(h: Histograms, size: int) -> list[Histograms]:
    """The inverse of :func:`stack` for parts of ``size`` groups each."""
    return [
        Histograms(h.values, h.count[i : i + size], h.wsum[i : i + size], h.w2sum[i : i + size])
        for i in range(0, h.n_groups, size)
    ]


class Groups:
    """Rows' group codes (``-1`` = in no group) and weights, shared by every variable
    histogrammed over them."""

    def __init__(self, group: np.ndarray, n_groups: int, weights: np.ndarray | None = None) -> None:
        self.group = np.asarray(group)
        self.n_groups = n_groups
        self.weights = None if weights is None else np.asarray(weights, dtype=float)


#: most bins :func:`bincounts` counts by comparing the keys with each value
_FEW_BINS = 16

#: rows per block of :func:`bincounts` (its intp keys take 2 MiB)
_BLOCK = 1 << 18


def bincounts(key: np.ndarray, weights: list[np.ndarray | None], size: int) -> list[np.ndarray]:
    """``np.bincount(key, w, size)`` for each ``w`` of ``weights`` (None: counts); every key
    lies in ``0 … size - 1``.

    Over a block of rows at a time: bincount widens narrow keys to intp, and a block's
    widened keys stay in cache and serve every weight, instead of one full-length copy per
    call (a weighted 5M-row histogram takes 22 ms instead of 31). Weighted sums are added
    block by block: the same bits on every run, but not those of one unblocked bincount.
    """
    if size <= _FEW_BINS and key.itemsize <= 2 and all(w is None for w in weights):
        # a handful of values (roles, segments): one vectorised comparison per value
        # beats widening every key to intp (4 bins of 5M rows: 1.5 ms instead of 8)
        counts = np.array([np.count_nonzero(key == v) for v in range(size)], dtype=np.int64)
        return [counts.copy() for _ in weights]
    if key.size <= _BLOCK:
        return [np.bincount(key, weights=w, minlength=size) for w in weights]
    out = [np.zeros(size, np.int64 if w is None else float) for w in weights]
    wide = np.empty(_BLOCK, np.intp)
    for lo in range(0, key.size, _BLOCK):
        block = wide[: min(_BLOCK, key.size - lo)]
        np.copyto(block, key[lo : lo + _BLOCK], casting="unsafe")
        for acc, w in zip(out, weights, strict=True):
            part = None if w is None else w[lo : lo + _BLOCK]
            acc += np.bincount(block, weights=part, minlength=size)
    return out


def histograms(
    x: np.ndarray | Coded, group: np.ndarray | Groups, n_groups: int | None = None,
    weights: np.ndarray | None = None,
) -> Histograms:  # fmt: skip
    """Histogram ``x`` (floats with ``nan`` = missing, or :class:`Coded` answers) by integer
    ``group`` codes ``0..n_groups-1`` (or a :class:`Groups` holding codes and weights).
    Rows with ``group < 0`` are ignored.

    Only values that occur in some group are kept, so coded and float input give the
    same histograms.
    """
    coded = x if isinstance(x, Coded) else Coded.from_floats(x)
    groups = group if isinstance(group, Groups) else Groups(group, int(n_groups), weights)  # type: ignore[arg-type]
    return _joint([coded], groups)[0]


#: most bins of one joint histogram in :func:`histograms_of` (its counts stay in cache)
_JOINT_BINS = 1 << 14

#: fewest rows for which the steps after the read run two at a time (probes, histogram
#: packs, role codes beside respondent means). Below it new threads cost more than they
#: save: each takes fresh memory for its buffers, and at 100,000 the streamed batches of
#: 200,000 rows paid it a hundred times (20M rows with --by --weight: 7.1-7.5 s, system
#: time 1.6-1.9 s, against 6.3-6.5 s and 0.4-0.5 s one at a time)
THREADED_ROWS = 500_000


def histograms_of(xs: Sequence[Coded], groups: Groups) -> list[Histograms]:
    """:func:`histograms` of several variables over the same groups, several at a time.

    ``np.bincount`` costs per row, not per bin, so variables with few values are counted
    together: a row's key holds its group and each variable's code in mixed radix (in one
    or two bytes), and each variable's histogram is the joint one summed over the others.
    Twenty five-point items of 5M rows: 70 ms instead of 140. Counts are the same
    integers; weighted sums are added in another order, so their last bits may differ
    from :func:`histograms`.
    """
    packs: list[list[Coded]] = []
    pack: list[Coded] = []
    for coded in [*xs, None]:
        joint = (groups.n_groups + 1) * np.prod([c.values.size + 1 for c in pack], dtype=float)
        if coded is not None and joint * (coded.values.size + 1) <= _JOINT_BINS:
            pack.append(coded)
            continue
        if pack:
            packs.append(pack)
        pack = [] if coded is None else [coded]
    if groups.group.size < THREADED_ROWS or len(packs) < 2:
        counted = [_joint(p, groups) for p in packs]
    else:  # bincount and the key arithmetic release the GIL: two packs at a time
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            counted = list(pool.map(lambda p: _joint(p, groups), packs))
    return [h for part in counted for h in part]


def _key_type(size: int) -> type:
    """The narrowest key type for keys ``0 … size - 1``: unsigned, so its arithmetic wraps."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if size <= np.iinfo(dtype).max + 1:
            return dtype
    return np.int64


def _joint(pack: Sequence[Coded], groups: Groups) -> list[Histograms]:
    """Histograms of the variables in ``pack`` from one joint count (see :func:`histograms_of`;
    a pack of one is :func:`histograms`).

    A row's key is ``(group + 1) * prod(radix) + sum((code_j + 1) * place_j)``, where
    ``radix_j`` is variable ``j``'s value count plus one; bin row and columns 0 collect the
    rows in no group and the unanswered. The keys are built and counted one block of
    :data:`_BLOCK` rows at a time, in buffers that are reused: full-length keys, code
    copies and squared weights cost fresh memory (page faults) on every call, which took
    longer than the counting. Blocks are those of :func:`bincounts`, so weighted sums are
    added in the same order whatever the pack.
    """
    radix = [c.values.size + 1 for c in pack]
    scale = int(np.prod(radix))
    size = (groups.n_groups + 1) * scale
    dtype = _key_type(size)
    place = [int(np.prod(radix[j + 1 :])) for j in range(len(pack))]
    # the +1s of every variable are one constant; the arithmetic wraps modulo the key type
    # (group -1 and code -1 wrap), whose range holds every true key
    constant = dtype(sum(place))
    weights = groups.weights
    totals = [
        np.zeros(size, np.int64 if i == 0 else float) for i in range(1 if weights is None else 3)
    ]
    n = groups.group.size
    key, term = np.empty(min(n, _BLOCK), dtype), np.empty(min(n, _BLOCK), dtype)
    square = None if weights is None else np.empty(min(n, _BLOCK))
    for lo in range(0, n, _BLOCK):
        k, t = key[: min(_BLOCK, n - lo)], term[: min(_BLOCK, n - lo)]
        np.copyto(k, groups.group[lo : lo + _BLOCK], casting="unsafe")
        k += dtype(1)
        k *= dtype(scale)
        k += constant
        for c, step in zip(pack, place, strict=True):
            np.copyto(t, c.codes[lo : lo + _BLOCK], casting="unsafe")
            if step != 1:
                t *= dtype(step)
            k += t
        part: list[np.ndarray | None] = [None]
        if weights is not None:
            w = weights[lo : lo + _BLOCK]
            part += [w, np.multiply(w, w, out=square[: w.size])]  # type: ignore[index]
        for acc, counted in zip(totals, bincounts(k, part, size), strict=True):
            acc += counted
    shape = (groups.n_groups + 1, *radix)
    binned = [b.reshape(shape) for b in totals]
    weighted = weights is not None
    out = []
    for j, c in enumerate(pack):
        others = tuple(1 + i for i in range(len(pack)) if i != j)
        out.append(_kept(c.values, [b.sum(axis=others) for b in binned], weighted))
    return out


def _kept(values: np.ndarray, binned: list[np.ndarray], weighted: bool) -> Histograms:
    """Histograms from ``(G + 1, U + 1)`` bins (row and column 0: no group, no answer),
    keeping the values that occur."""
    count = binned[0][1:, 1:]
    if weighted:
        wsum, w2sum = binned[1][1:, 1:], binned[2][1:, 1:]
    else:
        wsum = count.astype(float)
        w2sum = wsum.copy()
    used = count.sum(axis=0) > 0
    return Histograms(
        values[used],
        np.ascontiguousarray(count[:, used], dtype=np.int64),
        np.ascontiguousarray(wsum[:, used]),
        np.ascontiguousarray(w2sum[:, used]),
    )


@dataclass(frozen=True)
class Summary:
    """Per-group summaries derived from :class:`Histograms` (arrays of shape ``(G,)``).

    ``var`` is the weighted sample variance with the Kish effective n:
    ``s^2 = (neff / W) * sum_v W_v (v - mean)^2 / (neff - 1)``, which is the ordinary
    sample variance when all weights are 1. ``agree`` is the weighted share of answers
    ``>= agree_at``.
    """

    n: np.ndarray
    neff: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    agree: np.ndarray


def summarise(h: Histograms, agree_at: float) -> Summary:
    """Counts, effective n, weighted mean, variance and agree share per group."""
    n = h.count.sum(axis=1)
    sw = h.wsum.sum(axis=1)
    sw2 = h.w2sum.sum(axis=1)
    neff = kish_neff(sw, sw2)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (h.wsum * h.values).sum(axis=1) / sw
        ss = (h.wsum * (h.values[None, :] - mean[:, None]) ** 2).sum(axis=1)
        var = np.where(neff > 1, (neff / sw) * ss / (neff - 1.0), np.nan)
        agree_mask = h.values >= agree_at - _AGREE_TOL
        agree = h.wsum[:, agree_mask].sum(axis=1) / sw
    empty = sw <= 0
    mean = np.where(empty, np.nan, mean)
    agree = np.where(empty, np.nan, agree)
    return Summary(n=n, neff=np.where(empty, 0.0, neff), mean=mean, var=var, agree=agree)


def factorize(column: object) -> tuple[np.ndarray, object]:
    """``pandas.factorize`` (codes, uniques; ``-1`` = missing), reading a categorical's own
    small codes instead of hashing its values again; :class:`~cxkit.arrow_values.Text` is
    encoded in Arrow, without pandas."""
    from .arrow_values import Text

    if isinstance(column, Text):
        return column.factorize()
    import pandas as pd

    cat = column.array if isinstance(column, pd.Series) else column
    if isinstance(cat, pd.Categorical):
        return cat.codes, cat.categories
    return pd.factorize(column, use_na_sentinel=True)


def _cell_label(value: object) -> str:
    """A breakdown value as its cell label (blank or missing -> ``(missing)``)."""
    if isinstance(value, str):
        return value or MISSING
    import pandas as pd  # a number or NA from a pandas column: pandas is loaded already

    return MISSING if pd.isna(value) else str(value)


def cells(
    frame: pd.DataFrame | Mapping[str, object],
    by: Sequence[str],
    max_groups: int = MAX_BY_GROUPS,
) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Cell index per row (in the smallest integer type that holds the possible cells) and
    the cells' labels, sorted (blank or missing -> ``(missing)``).

    ``frame`` is a DataFrame, or (when ``by`` is not empty) any mapping of column name to
    column, such as a Survey's ``columns``; with no ``by`` every row is in the cell ``()``.

    Each column is factorised and only its distinct values are turned into labels, so a
    million rows cost a hash pass, not a million Python strings. A column with more than
    ``max_groups`` distinct values raises a usage error (:func:`cxkit.errors.check_by_groups`).
    """
    if not by:
        return np.zeros(len(frame), dtype=np.int64), [()]  # type: ignore[arg-type]
    columns = []
    names_of: list[list[str]] = []
    for b in by:
        index, uniques = factorize(frame[b])
        text = [_cell_label(v) for v in uniques]
        check_by_groups(b, len(set(text) - {MISSING}), max_groups)
        names = sorted(set(text) | ({MISSING} if (index < 0).any() else set()))
        pos = {n: i for i, n in enumerate(names)}
        columns.append((index, [pos[t] for t in text] + [pos.get(MISSING, 0)]))
        names_of.append(names)
    size = int(np.prod([len(n) for n in names_of], dtype=np.int64))
    dtype = code_dtype(size)  # one byte per row for a segment: the passes below are cheap
    combined = np.zeros(len(columns[0][0]), dtype=dtype)
    for (index, code), names in zip(columns, names_of, strict=True):
        combined *= dtype.type(len(names))
        combined += np.array(code, dtype=dtype)[index]  # index -1 takes the last: missing
    if size <= _DIRECT_CELLS:  # count the possible cells directly: no float copy, no sort
        present = np.flatnonzero(bincounts(combined, [None], size)[0])
        if present.size == size:  # every combination occurs: the codes are the ranks
            cell = combined
        else:
            rank = np.zeros(size, dtype=dtype)
            rank[present] = np.arange(present.size)
            cell = rank[combined]
    else:
        present, cell = distinct(combined.astype(float))
    labels = []
    for c in present.astype(np.int64).tolist():
        key = []
        for names in reversed(names_of):
            c, r = divmod(c, len(names))
            key.append(names[r])
        labels.append(tuple(reversed(key)))
    return cell, labels
