"""Data checks of ``cxkit check`` counted in Arrow, against the same counts in plain Python.

The group, id and label checks used to turn every cell into a Python string and sort them
as objects (``np.unique``): 0.8 s for one 1M-row column. The references below are those
Python counts, written out.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import datachecks
from cxkit.read import RawTable, SourceInfo

from .chunks import text_chunks

CELLS = st.one_of(
    st.none(), st.sampled_from(["A", " A", "B ", "b", "", " ", "(missing)", "é", "Z"])
)


def _raw(values: list, cuts: list[int]) -> RawTable:
    col = text_chunks(values, cuts)
    return RawTable(pa.table({"c": col}), SourceInfo("f.csv", "", len(values), "csv"))


def _trim(values: list) -> list:
    return [None if v is None else v.strip() for v in values]


@settings(max_examples=150, deadline=None)
@given(values=st.lists(CELLS, max_size=30), cuts=st.lists(st.integers(0, 30), max_size=3))
def test_min_responses_per_group_counts_as_python_does(values, cuts):
    groups = Counter(v if v else "(missing)" for v in _trim(values))
    for minimum in (1, 2, 3):
        ok, worst, reason = datachecks.min_responses(_raw(values, cuts), minimum, "c")
        low = [(g, n) for g, n in sorted(groups.items()) if n < minimum]
        assert ok == (not low)
        assert worst == (float(min(groups.values())) if groups else 0.0)
        if low:
            detail = ", ".join(f"{g}: {n}" for g, n in low[:8])
            assert reason == f"{len(low)} c group(s) under {minimum} responses ({detail})"


@settings(max_examples=150, deadline=None)
@given(values=st.lists(CELLS, max_size=30), cuts=st.lists(st.integers(0, 30), max_size=3))
def test_unique_ids_counts_as_python_does(values, cuts):
    ids = [v for v in _trim(values) if v]
    dupes = sorted(v for v, n in Counter(ids).items() if n > 1)
    ok, value, reason = datachecks.unique_ids(_raw(values, cuts), "c")
    assert ok == (not dupes)
    if dupes:
        assert value == float(len(dupes))
        assert reason == f"{len(dupes)} duplicate id(s) in 'c': {datachecks._show(dupes)}"
    else:
        assert reason == f"{len(ids)} ids, all distinct"


@settings(max_examples=100, deadline=None)
@given(values=st.lists(CELLS, max_size=30), cuts=st.lists(st.integers(0, 30), max_size=3))
def test_labels_are_the_distinct_trimmed_cells(values, cuts):
    assert datachecks._labels(_raw(values, cuts), "c") == {v for v in _trim(values) if v}


def test_numbers_are_checked_as_their_text():
    raw = RawTable(pa.table({"c": [1, 1, 2, None]}), SourceInfo("f.parquet", "", 4, "parquet"))
    assert datachecks.min_responses(raw, 2, "c")[2] == (
        "2 c group(s) under 2 responses ((missing): 1, 2: 1)"
    )
    assert datachecks._labels(raw, "c") == {"1", "2"}


def _int_chunk(xs: list, junk: list[int], offset: int, typ: pa.DataType) -> pa.Array:
    """``xs`` as an integer Arrow array starting ``offset`` into its buffers, each null's
    slot holding junk (pyarrow's readers leave old bytes there)."""
    dtype = np.dtype(typ.to_pandas_dtype())
    data = np.array(junk[: len(xs) + offset], dtype=np.int64).astype(dtype)
    data[offset:][[x is not None for x in xs]] = [x for x in xs if x is not None]
    valid = np.zeros(len(xs) + offset, dtype=bool)
    valid[offset:] = [x is not None for x in xs]
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    buffers = [bitmap, pa.py_buffer(data.tobytes())]
    return pa.Array.from_buffers(typ, len(xs), buffers, offset=offset)


#: integer types and the number the drawn 0 ... 299 are shifted by (to fit, or to test a base)
TYPES = [
    (pa.int8(), -128),
    (pa.uint8(), 0),
    (pa.int16(), -150),
    (pa.int32(), 1_000),
    (pa.int64(), -(2**40)),
    (pa.uint16(), 7),
]


@settings(max_examples=400, deadline=None)
@given(
    parts=st.lists(
        st.tuples(
            st.lists(st.one_of(st.none(), st.integers(0, 299)), max_size=20),
            st.lists(st.integers(-128, 255), min_size=22, max_size=22),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=3,
    ),
    kind=st.sampled_from(TYPES),
)
def test_integer_columns_are_counted_as_python_counts_their_text(parts, kind):
    """Integer columns spanning at most 256 numbers (items) are counted one byte per cell,
    wider ones by Arrow's hashing; either way the reference is Python's ``Counter`` of the
    cells as text (Arrow's own ``to_pylist`` says what the cells are)."""
    typ, shift = kind
    top = 255 if typ.bit_width == 8 else 299
    chunks = [
        _int_chunk([None if x is None else min(x, top) + shift for x in xs], junk, off, typ)
        for xs, junk, off in parts
    ]
    col = pa.chunked_array(chunks, type=typ)
    cells = col.to_pylist()
    values, counts = datachecks._distinct(
        RawTable(pa.table({"c": col}), SourceInfo("f.parquet", "", len(cells), "parquet")), "c"
    )
    assert dict(zip(values, counts, strict=True)) == Counter(
        None if x is None else str(x) for x in cells
    )
    numbers = [int(v) for v in values if v is not None]
    if datachecks._integer_counts(col) is not None:  # the byte route: numbers ascending
        assert numbers == sorted(numbers)
        assert None not in values[:-1]
    else:
        assert max(numbers) - min(numbers) > 255


def test_drift_hashes_in_two_threads_as_in_one(monkeypatch):
    """Big drops hash their items' labels two at a time; the outcome is the sequential
    one (the example drops, whose last one has a new label and a changed scale)."""
    from cxkit.read import read_table
    from cxkit.study import load_study

    from .conftest import EXAMPLES

    drops = EXAMPLES / "drops"
    study = load_study(drops / "cxkit.toml")
    raws = [read_table(drops / f"2026Q{q}.csv") for q in ("1", "2", "3", "4_broken")]
    items = ["sa_1", "sa_2", "ci_1", "ci_2", "ee_1", "ee_2", "nps"]
    alone = [datachecks.drift(a, b, items, study) for a, b in itertools.pairwise(raws)]
    monkeypatch.setattr(datachecks, "_THREADED_CELLS", 0)
    assert [datachecks.drift(a, b, items, study) for a, b in itertools.pairwise(raws)] == alone
    assert not alone[-1][0] and "new answer label" in alone[-1][2]
