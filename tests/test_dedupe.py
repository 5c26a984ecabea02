"""Duplicate respondent ids (``columns.id``): found by sorting, checked against pandas.

Every run with an id column checks it for repeats, so the check must cost about a sort of
the ids; it used to hash them (2.8 s for 5M ids, and in a quadratic Python loop before
that). The reference is pandas' ``duplicated`` on the trimmed ids, as the column reads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.arrow_values import Text, _maybe_padded
from cxkit.errors import InputError
from cxkit.read import RawTable, SourceInfo, read_table
from cxkit.study import Study
from cxkit.survey import SurveySpec, _dedupe

from .chunks import text_chunks

IDS = st.one_of(st.none(), st.sampled_from(["A", " A", "A ", "B", "b", "", "  ", "é", "é\u00a0"]))


def _raw(col: pa.ChunkedArray, waves: list | None = None) -> RawTable:
    n = len(col)
    table = pa.table({"id": col, "row": pa.array(np.arange(n))})
    if waves is not None:
        table = table.append_column("wave", pa.array(waves, pa.string()))
    return RawTable(table, SourceInfo("f.csv", "", n, "csv"))


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(IDS, max_size=30),
    cuts=st.lists(st.integers(0, 30), max_size=3),
    encoded=st.booleans(),
    keep=st.sampled_from([None, "first", "last"]),
)
def test_dedupe_matches_pandas(values, cuts, encoded, keep):
    raw = _raw(text_chunks(values, cuts, encoded))
    study = Study(id_col="id")
    # reference: pandas on the ids as Python strips them (what str.strip and Arrow's
    # utf8_trim_whitespace both remove here: spaces and the no-break space)
    ids = pd.Series([None if v is None else v.strip() for v in values], dtype=object)
    repeated = ids.duplicated(keep=False) & ids.notna()
    if not repeated.any():
        assert _dedupe(raw, study, SurveySpec(dedupe=keep)) is raw
        return
    if keep is None:
        first = int(np.flatnonzero(repeated)[0])
        same = np.flatnonzero((ids == ids[first]).to_numpy())
        with pytest.raises(InputError) as err:
            _dedupe(raw, study, SurveySpec(dedupe=keep))
        assert (
            f"respondent id {ids[first]!r} appears in data rows {same[0] + 1} and "
            f"{same[1] + 1} ({ids[repeated].nunique()} ids repeated)"
        ) in str(err.value)
        return
    kept = _dedupe(raw, study, SurveySpec(dedupe=keep))
    want = np.flatnonzero((~ids.duplicated(keep=keep) | ids.isna()).to_numpy())
    assert kept.table.column("row").to_pylist() == want.tolist()
    assert kept.source.rows == want.size
    assert f"excluded {len(values) - want.size} duplicate responses" in kept.notes[-1]


WAVES = st.one_of(st.none(), st.sampled_from(["W1", " W1", "W2", ""]))


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(st.tuples(IDS, WAVES), max_size=30),
    keep=st.sampled_from([None, "first", "last"]),
)
def test_with_a_wave_column_ids_repeat_only_within_a_wave(pairs, keep):
    """A panel: one respondent per wave. The reference is pandas' ``duplicated`` over the
    trimmed (wave, id) pairs, a blank or missing wave being one wave of its own."""
    values = [v for v, _ in pairs]
    raw = _raw(text_chunks(values, [], False), [w for _, w in pairs])
    study = Study(id_col="id")
    ids = pd.Series([None if v is None else v.strip() for v in values], dtype=object)
    waves = pd.Series([(w or "").strip() for _, w in pairs], dtype=object)
    frame = pd.DataFrame({"wave": waves, "id": ids})
    repeated = frame.duplicated(keep=False) & ids.notna()
    spec = SurveySpec(dedupe=keep)
    if not repeated.any():
        assert _dedupe(raw, study, spec) is raw
        return
    if keep is None:
        first = int(np.flatnonzero(repeated)[0])
        same = np.flatnonzero(((ids == ids[first]) & (waves == waves[first])).to_numpy())
        with pytest.raises(InputError) as err:
            _dedupe(raw, study, spec)
        assert (
            f"respondent id {ids[first]!r} in wave {waves[first]!r} appears in data rows "
            f"{same[0] + 1} and {same[1] + 1}"
        ) in str(err.value)
        return
    kept = _dedupe(raw, study, spec)
    want = np.flatnonzero((~frame.duplicated(keep=keep) | ids.isna()).to_numpy())
    assert kept.table.column("row").to_pylist() == want.tolist()


def test_sorted_runs_is_a_stable_sort_with_missing_last():
    order, same, values = Text(text_chunks(["b", None, " a", "b", "a "], [2])).sorted_runs()
    assert order.tolist() == [2, 4, 0, 3, 1]
    assert same.tolist() == [True, False, True, False]
    assert values.to_pylist() == ["a", "a", "b", "b", None]
    order, same, _ = Text(text_chunks([], [])).sorted_runs()
    assert order.size == 0 and same.size == 0


@pytest.mark.parametrize(
    ("values", "padded"),
    [
        (["R1", "R22", "x"], False),
        (["R1", "", "R3"], False),  # an empty value looks at its neighbours' bytes
        (["R1", " R2"], True),
        (["R1", "R2\t"], True),
        (["R1", "\u00a0R2"], True),  # a no-break space starts with a byte past ASCII
        (["é"], True),  # not ASCII: trimmed to be sure
        ([None, None], False),
    ],
)
def test_maybe_padded_never_misses_what_trimming_changes(values, padded):
    arr = pa.array(values, pa.string())
    assert _maybe_padded(arr) is padded
    assert _maybe_padded(arr.slice(1)) is _maybe_padded(pa.array(values[1:], pa.string()))


def test_a_parquet_id_column_is_read_as_plain_text(tmp_path):
    path = tmp_path / "s.parquet"
    pq.write_table(pa.table({"id": ["A", "B"], "role": ["x", "y"]}), path)
    raw = read_table(path, typed=True, plain_text={"id"})
    assert raw.table.schema.field("id").type == pa.string()
    assert pa.types.is_dictionary(raw.table.schema.field("role").type)
