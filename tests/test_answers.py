"""Coded answers: every fast route equals the plain float computation it replaces.

The float versions (``numpy.unique``, row-by-row means, float columns recoded as text) are
the independent references: the codes must give bit-identical floats and histograms.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import aggregate
from cxkit import answers as answers_module
from cxkit import recode as recode_module
from cxkit.aggregate import histograms
from cxkit.answers import Coded, _float_mean, code_dtype, respondent_mean
from cxkit.recode import NotOnScaleError, Recoder
from cxkit.study import Scale

answers = st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=1, max_size=60)


def _floats(xs: list[int | None]) -> np.ndarray:
    return np.array([np.nan if x is None else float(x) for x in xs])


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


@settings(deadline=None)
@given(answers)
def test_from_floats_round_trips(xs):
    x = _floats(xs)
    c = Coded.from_floats(x)
    assert _same(c.floats(), x)
    assert np.array_equal(c.values, np.unique(x[~np.isnan(x)]))  # numpy is the reference


@settings(deadline=None)
@given(answers)
def test_reversed_is_lo_plus_hi_minus_value(xs):
    x = _floats(xs)
    r = Coded.from_floats(x).reversed(1, 5)
    assert _same(r.floats(), 6 - x)
    assert np.all(np.diff(r.values) > 0)


@settings(deadline=None)
@given(st.lists(answers, min_size=1, max_size=3))
def test_concat_is_the_floats_one_after_another(parts):
    coded = [Coded.from_floats(_floats(p)) for p in parts]
    assert _same(Coded.concat(coded).floats(), np.concatenate([_floats(p) for p in parts]))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.integers(1, 40), st.data())
def test_respondent_mean_in_integers_equals_float_mean(k, n, data):
    items = [
        Coded.from_floats(_floats(data.draw(st.lists(
            st.one_of(st.none(), st.integers(0, 10)), min_size=n, max_size=n))))
        for _ in range(k)
    ]  # fmt: skip
    fast = respondent_mean(items)
    reference = _float_mean(items)  # row by row: sum of floats / count
    assert _same(fast.floats(), reference)
    assert np.array_equal(fast.values, np.unique(reference[~np.isnan(reference)]))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 70), st.integers(1, 40), st.integers(-3, 3), st.sampled_from([5, 11]),
       st.sampled_from([3, 1 << 16]), st.data())  # fmt: skip
def test_respondent_mean_of_runs_sums_codes(k, n, lo, size, block, data):
    """Items coded over a whole run of values (as integer columns are) take a code-sum
    route, block by block: one key of unsigned bytes while the code sum stays below 255,
    else separate sums and counts. The row-by-row float mean is the reference."""
    items = []
    for _ in range(k):
        codes = data.draw(st.lists(st.integers(-1, size - 1), min_size=n, max_size=n))
        values = np.arange(lo, lo + size, dtype=float)
        items.append(Coded(np.array(codes, dtype=np.int8), values))
    apart = []
    real = answers_module._whole_sums
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(answers_module, "_SUM_BLOCK", block)
        mp.setattr(answers_module, "_whole_sums", lambda *a: apart.append(1) or real(*a))
        fast = respondent_mean(items)
    assert _same(fast.floats(), _float_mean(items))
    assert bool(apart) == (k * (size - 1) >= 255)


def test_respondent_mean_of_halves_uses_floats():
    a = Coded.from_floats(np.array([1.5, 2.0, np.nan]))
    b = Coded.from_floats(np.array([2.0, np.nan, np.nan]))
    assert a.whole() is None
    assert _same(respondent_mean([a, b]).floats(), np.array([1.75, 2.0, np.nan]))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 50), st.integers(1, 4), st.booleans(), st.sampled_from([3, 1 << 18]),
       st.data())  # fmt: skip
def test_histograms_of_codes_equal_histograms_of_floats(n, groups, weighted, block, data):
    """Counts and weight sums by a plain loop, whether or not the rows come in blocks."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(aggregate, "_BLOCK", block)
        _check_histograms(n, groups, weighted, data)


def _check_histograms(n, groups, weighted, data):
    x = _floats(data.draw(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=n,
                                   max_size=n)))  # fmt: skip
    group = np.array(data.draw(st.lists(st.integers(-1, groups - 1), min_size=n, max_size=n)))
    w = np.array(data.draw(st.lists(st.floats(0.1, 3.0), min_size=n, max_size=n)))
    w = w if weighted else None
    h = histograms(Coded.from_floats(x), group, groups, w)
    # the reference: counts and weight sums per group and value, by a plain loop
    keep = ~np.isnan(x) & (group >= 0)
    values = np.unique(x[keep])
    assert np.array_equal(h.values, values)
    for g in range(groups):
        for j, v in enumerate(values):
            hit = keep & (group == g) & (x == v)
            ww = np.ones(n) if w is None else w
            assert h.count[g, j] == hit.sum()
            assert h.wsum[g, j] == pytest.approx(ww[hit].sum(), rel=1e-12)
            assert h.w2sum[g, j] == pytest.approx((ww[hit] ** 2).sum(), rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 60), st.integers(1, 40), st.booleans(),
       st.lists(st.sampled_from([1, 2, 5, 7, 11, 200]), min_size=1, max_size=6),
       st.sampled_from([3, 1 << 18]), st.data())  # fmt: skip
def test_histograms_counted_together_equal_a_plain_loop(n, groups, weighted, sizes, block, data):
    """Several variables counted in one joint key (one or two bytes, wrapping arithmetic)
    give each variable's counts and weight sums, as a plain loop over the rows does."""
    variables = []
    for size in sizes:  # 200 values: int16 codes and a variable too wide to pack
        xs = data.draw(st.lists(st.one_of(st.none(), st.integers(0, size - 1)), min_size=n,
                                max_size=n))  # fmt: skip
        variables.append(_floats(xs))
    group = np.array(data.draw(st.lists(st.integers(-1, groups - 1), min_size=n, max_size=n)))
    w = np.array(data.draw(st.lists(st.floats(0.1, 3.0), min_size=n, max_size=n)))
    w = w if weighted else None
    joint_calls = []
    real_joint = aggregate._joint
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(aggregate, "_BLOCK", block)
        mp.setattr(aggregate, "_joint", lambda *a: joint_calls.append(1) or real_joint(*a))
        hists = aggregate.histograms_of(
            [Coded.from_floats(x) for x in variables], aggregate.Groups(group, groups, w)
        )
    ww = np.ones(n) if w is None else w
    for x, h in zip(variables, hists, strict=True):
        keep = ~np.isnan(x) & (group >= 0)
        assert np.array_equal(h.values, np.unique(x[keep]))
        for g in range(groups):
            for j, v in enumerate(h.values):
                hit = keep & (group == g) & (x == v)
                assert h.count[g, j] == hit.sum()
                assert h.wsum[g, j] == pytest.approx(ww[hit].sum(), rel=1e-12)
                assert h.w2sum[g, j] == pytest.approx((ww[hit] ** 2).sum(), rel=1e-12)
    small = [len(np.unique(x[~np.isnan(x)])) + 1 for x in variables]
    if groups < 8 and len(small) >= 2 and max(small[:2]) <= 6:
        assert joint_calls  # the first two variables share a key


def _recoder(missing=(99.0,)) -> Recoder:
    return Recoder(Scale(1, 5), {}, {"n/a"}, set(missing), "f.csv", auto=True)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(1, 5), st.just(99)), min_size=1, max_size=40),
    st.sampled_from([pa.int8(), pa.int16(), pa.int64(), pa.uint8()]),
    st.lists(st.integers(0, 40), max_size=4),
)
def test_integer_columns_recode_as_their_text_does(xs, kind, cuts):
    """The subtraction route for integer columns equals the text route of the same cells,
    whatever the chunks: slices of one array (buffers with an offset), nulls anywhere."""
    whole = pa.array([0, *xs, 0], type=kind)  # sliced below: every chunk has an offset
    bounds = sorted({0, len(xs), *(c for c in cuts if c <= len(xs))})
    numbers = pa.chunked_array(
        [whole.slice(1 + a, b - a) for a, b in itertools.pairwise(bounds)], type=kind
    )
    assert numbers.to_pylist() == xs
    text = pa.chunked_array([pa.array([None if x is None else str(x) for x in xs])])
    fast, fast_missing = _recoder().recode(numbers, "q")
    slow, slow_missing = _recoder().recode(text, "q")
    assert _same(fast.floats(), slow.floats())
    assert fast_missing == slow_missing == Counter({"99": xs.count(99)} if 99 in xs else {})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(-128, 127)), min_size=1, max_size=40),
    st.lists(st.integers(-128, 127), min_size=42, max_size=42),
    st.sampled_from(
        [(1, 5), (0, 10), (1, 7), (-3, 3), (-128, 127), (120, 127), (1.5, 4.5), (200, 204)]
    ),
    st.integers(0, 1),
)
def test_integer_codes_ignore_whatever_null_slots_hold(xs, junk, scale, offset):
    """A null's slot in an Arrow buffer holds anything (pyarrow's readers leave old bytes
    there): the codes, the bounds and the error for an off-scale answer must not depend on
    it. Reference: the same cells recoded as text."""
    data = np.array(junk[: len(xs) + offset], dtype=np.int8)
    data[offset:][[x is not None for x in xs]] = [x for x in xs if x is not None]
    valid = np.zeros(len(xs) + offset, dtype=bool)
    valid[offset:] = [x is not None for x in xs]
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    numbers = pa.Array.from_buffers(
        pa.int8(), len(xs), [bitmap, pa.py_buffer(data.tobytes())], offset=offset
    )
    assert numbers.to_pylist() == xs
    text = pa.array([None if x is None else str(x) for x in xs])
    rec = lambda: Recoder(Scale(*scale), {}, set(), {99.0}, "f.csv")  # noqa: E731
    try:
        slow, _ = rec().recode(pa.chunked_array([text]), "q")
    except Exception as exc:
        with pytest.raises(type(exc)) as fast_error:
            rec().recode(pa.chunked_array([numbers]), "q")
        assert str(fast_error.value) == str(exc)
        return
    fast, _ = rec().recode(pa.chunked_array([numbers]), "q")
    assert _same(fast.floats(), slow.floats())
    answered = [x for x in xs if x is not None]
    lo, hi = (min(answered), max(answered)) if answered else (0, -1)
    if lo <= 99 <= hi:
        return  # the missing code could occur: the general route keeps only what does
    assert fast.values.tolist() == list(range(lo, hi + 1))  # the answers' own bounds
    assert fast.codes.dtype == code_dtype(max(hi - lo + 1, 1))


def test_int8_codes_over_the_whole_int8_range():
    """-128 … 127 on a scale that wide: codes 0 … 255 need int16 arithmetic, not int8."""
    xs = [-128, None, 127, 0]
    rec = Recoder(Scale(-128, 127), {}, set(), set(), "f.csv")
    coded, _ = rec.recode(pa.chunked_array([pa.array(xs, type=pa.int8())]), "q")
    assert coded.codes.tolist() == [0, -1, 255, 128]
    assert _same(coded.floats(), _floats(xs))


@pytest.mark.parametrize("kind", [pa.int8(), pa.uint8(), pa.int64()])
def test_integer_edges_of_the_type(kind):
    lo = -128 if kind == pa.int8() else 0
    xs = [lo, None, lo + 3] if kind != pa.uint8() else [0, None, 3]
    rec = Recoder(Scale(lo, lo + 5), {}, set(), set(), "f.csv")
    coded, _ = rec.recode(pa.chunked_array([pa.array(xs, type=kind)]), "q")
    assert _same(coded.floats(), _floats(xs))


def test_off_scale_integer_is_the_same_error_as_text():
    rec = _recoder()
    with pytest.raises(Exception) as number:
        rec.recode(pa.chunked_array([pa.array([1, 2, 7], type=pa.int8())]), "q")
    with pytest.raises(Exception) as text:
        rec.recode(pa.chunked_array([pa.array(["1", "2", "7"])]), "q")
    assert (
        str(number.value)
        == str(text.value)
        == (
            "f.csv: column 'q', data row 3: '7' is outside the scale 1-5; if it is a missing code "
            "add it to answers.missing in cxkit.toml (or pass --missing CODE), or set the scale "
            "with [scale] / --scale"
        )
    )


def test_probe_carries_the_share_and_the_error():
    col = pa.chunked_array([pa.array([1, 2, 3, 9], type=pa.int8())])
    with pytest.raises(NotOnScaleError) as probe:
        _recoder().recode(col, "q", probe=True)
    assert probe.value.share == 0.75
    assert "data row 4: '9' is outside the scale" in str(probe.value.error)


@pytest.mark.parametrize("far", [9, 100_000])
def test_probe_of_integers_near_and_far_apart(far):
    """Integers within a small range are indexed by offset, far apart ones hashed: the
    share on the scale and the first off-scale row are the same either way, nulls aside."""
    col = pa.chunked_array(
        [pa.array([1, None, 2], type=pa.int64()), pa.array([far, 3, None, far], type=pa.int64())]
    )
    with pytest.raises(NotOnScaleError) as probe:
        _recoder().recode(col, "q", probe=True)
    assert probe.value.share == 0.6
    assert f"data row 4: '{far}' is outside the scale" in str(probe.value.error)


def test_code_dtype_grows_with_the_values():
    assert code_dtype(5) == np.int8 and code_dtype(127) == np.int8
    assert code_dtype(128) == np.int16 and code_dtype(40_000) == np.int32


def _probe(recoder: Recoder, col: pa.ChunkedArray):
    """What probing ``col`` gives: ('item', codes as floats) or ('not', share, error text)."""
    try:
        coded, _ = recoder.recode(col, "w", probe=True)
    except NotOnScaleError as exc:
        return ("not", exc.share, None if exc.error is None else str(exc.error))
    return ("item", coded.floats().tolist())


FLOAT_CELLS = st.one_of(
    st.none(),
    st.sampled_from([1.0, 2.0, 5.0, 2.5, 0.5, 0.0, -0.0, 6.0, 99.0, -99.0, 1e9]),
    st.sampled_from([float("inf"), float("-inf"), float("nan")]),
    st.floats(-10, 10, allow_nan=False),
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(FLOAT_CELLS, min_size=1, max_size=40),
    st.lists(st.integers(0, 40), max_size=3),
    st.sampled_from([(1, 5), (0, 10), (1.5, 4.5)]),
    st.sampled_from([1 << 16, 3]),
)
def test_probing_a_float_column_gives_what_the_dictionary_route_gives(xs, cuts, scale, block):
    """Weights and scores are turned down by comparisons, not by hashing every row: the
    same verdict, share on the scale and first bad row (a non-finite answer before an
    off-scale one) as the dictionary route, whatever the chunks and blocks."""
    whole = pa.array([0.0, *xs, 0.0], type=pa.float64())
    bounds = sorted({0, len(xs), *(c for c in cuts if c <= len(xs))})
    col = pa.chunked_array(
        [whole.slice(1 + a, b - a) for a, b in itertools.pairwise(bounds)], type=pa.float64()
    )
    rec = lambda: Recoder(Scale(*scale), {}, set(), {99.0, -99.0}, "f.csv")  # noqa: E731
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(recode_module, "_PROBE_BLOCK", block)
        fast = _probe(rec(), col)
        mp.setattr(Recoder, "_probe_floats", lambda self, col, column: None)
        reference = _probe(rec(), col)
    _same_probe(fast, reference)


def test_a_float_probe_names_the_row_in_the_whole_column():
    """An off-scale answer in a later chunk and block is named by its row in the column."""
    col = pa.chunked_array([[1.0, 2.0, None], [3.0, 4.0, 0.5, 7.0]], type=pa.float64())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(recode_module, "_PROBE_BLOCK", 2)
        with pytest.raises(NotOnScaleError) as caught:
            _recoder().recode(col, "w", probe=True)
    assert caught.value.share == pytest.approx(4 / 6)
    assert "data row 6: '0.5' is outside the scale 1-5" in str(caught.value.error)


LABELS = ["Enterprise", "SMB", "2026Q1", "Agree", "Strongly agree", "Disagree", "Neutral",
          "3", "7", "n/a", "", " 5 "]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(LABELS), min_size=1, max_size=5, unique=True),
            st.lists(st.one_of(st.none(), st.integers(0, 4)), max_size=8),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_probing_labels_chunk_by_chunk_gives_what_the_unified_column_gives(chunks):
    """A column of labels per chunk (a Parquet file's text, one dictionary per row group,
    entries nobody uses included) is turned down from the union of the dictionaries only
    when the unified column would be: same verdict, share and error."""
    arrays = []
    for labels, picks in chunks:
        idx = [None if p is None else p % len(labels) for p in picks]
        arrays.append(pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()), labels))
    col = pa.chunked_array(arrays, type=pa.dictionary(pa.int32(), pa.string()))
    rec = lambda: Recoder(Scale(1, 5), {}, {"n/a"}, {99.0}, "f.csv", auto=True)  # noqa: E731
    fast = _probe(rec(), col)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Recoder, "_probe_labels", lambda self, col, column: None)
        reference = _probe(rec(), col)
    _same_probe(fast, reference)


def _same_probe(fast, reference) -> None:
    assert fast[0] == reference[0]
    if fast[0] == "item":
        assert _same(np.array(fast[1]), np.array(reference[1]))
    else:
        assert fast == reference
