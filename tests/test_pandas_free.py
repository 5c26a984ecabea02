"""The ``gap`` path without pandas or scipy: Arrow columns to numpy, text codes, the table.

pandas costs about 0.45 s to import, more than reading a million-row file, so ``cxkit gap``
reads, recodes, groups and renders (JSON, Markdown, terminal) without it. Each helper here
is checked against the pandas or pyarrow conversion it stands in for.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxkit
from cxkit import arrow_values
from cxkit.arrow_values import Text, bool_array, concat_text, numbers, repeated_text
from cxkit.survey import SurveySpec, read_survey
from cxkit.table import ColumnTable

from .imports import loaded_by

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "centricity_survey.csv"


def _chunked(values: list, type_: pa.DataType, cuts: list[int], offset: int) -> pa.ChunkedArray:
    """``values`` cut into chunks at ``cuts``, each chunk a slice (non-zero buffer offset)."""
    bounds = [0, *sorted(c for c in cuts if 0 < c < len(values)), len(values)]
    pad = [values[0] if values else None] * offset
    chunks = [
        pa.array(pad + values[a:b], type=type_).slice(offset) for a, b in itertools.pairwise(bounds)
    ]
    return pa.chunked_array(chunks, type=type_)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-128, 127)), max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=4),
    offset=st.integers(0, 9),
    kind=st.sampled_from([pa.int8(), pa.int32(), pa.int64(), pa.float64()]),
)
def test_numbers_matches_pyarrow_to_numpy(values, cuts, offset, kind):
    col = _chunked(values, kind, cuts, offset)
    got = numbers(col, -1)
    # reference: pyarrow's own conversion (through pandas' shim), nulls filled first
    want = col.fill_null(-1).to_numpy()
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_numbers_refuses_nulls_without_a_fill_value():
    with pytest.raises(ValueError, match="nulls"):
        numbers(pa.chunked_array([pa.array([1, None])]))


TEXT = st.one_of(st.none(), st.sampled_from(["a", " a", "a ", "b", "", " ", "Ab", "é "]))


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(TEXT, max_size=40),
    cuts=st.lists(st.integers(0, 40), max_size=3),
    offset=st.integers(0, 5),
    encoded=st.booleans(),
    in_arrow=st.booleans(),
)
def test_text_factorize_matches_pandas(values, cuts, offset, encoded, in_arrow):
    col = _chunked(values, pa.string(), cuts, offset)
    if encoded:  # Parquet text arrives dictionary-encoded, one dictionary per chunk
        col = pa.chunked_array(
            [c.dictionary_encode() for c in col.chunks],
            type=pa.dictionary(pa.int32(), pa.string()),
        )
    # in_arrow: the route for many labels (ids), taken here for a handful
    with mock.patch.object(arrow_values, "_PYTHON_LABELS", -1 if in_arrow else 1 << 14):
        codes, uniques = Text(col).factorize()
    # reference: pandas.factorize of the trimmed text (the conversion Text.to_pandas makes)
    trimmed = pd.Series([None if v is None else v.strip() for v in values], dtype=object)
    want_codes, want_uniques = pd.factorize(trimmed, use_na_sentinel=True)
    assert isinstance(uniques, list)
    assert uniques == list(want_uniques)  # numbered in the order they first appear
    np.testing.assert_array_equal(codes, want_codes)
    labels = np.array([*uniques, None], dtype=object)
    mask = np.arange(len(values)) % 3 == 1
    kept = Text(col).filter(mask).factorize()
    np.testing.assert_array_equal(
        np.array([*kept[1], None], dtype=object)[kept[0]], labels[codes][mask]
    )


def _labels_handled(col: pa.ChunkedArray) -> tuple[int, tuple]:
    """``Text(col).codes()`` and how many labels it hashed in Arrow or numbered in Python."""
    handled: list[int] = []
    real_encode, real_tables = arrow_values.pc.dictionary_encode, arrow_values._label_tables

    def encode(values):
        handled.append(len(values))
        return real_encode(values)

    def tables(chunks):
        handled.append(sum(len(c.dictionary) for c in chunks))
        return real_tables(chunks)

    with (
        mock.patch.object(arrow_values.pc, "dictionary_encode", encode),
        mock.patch.object(arrow_values, "_label_tables", tables),
    ):
        got = Text(col).codes()
    return sum(handled), got


def test_text_codes_number_each_label_once():
    """A plain text column in many chunks is encoded whole: ``dictionary_encode`` per chunk
    hands each chunk every value seen so far, and numbering those labels was quadratic in
    the ids (a million ids in 17 chunks: nine million labels, 22 s). Now each row is hashed
    once, or twice when some ids are padded (once more, trimmed)."""
    plain = [f"R{i}" for i in range(40_000)]
    padded = [f" R{i} " if i % 7 else f"R{i}" for i in range(40_000)]
    for ids, passes in ((plain, 1), (padded, 2)):
        ids[5] = None
        col = pa.chunked_array([pa.array(ids[i : i + 5_000]) for i in range(0, 40_000, 5_000)])
        handled, (codes, uniques) = _labels_handled(col)
        assert handled <= passes * len(ids)
        assert isinstance(uniques, pa.Array)  # many labels stay in Arrow
        assert len(uniques) == 39_999
        assert codes.dtype == np.int32
        assert codes[5] == -1 and uniques[int(codes[8])].as_py() == "R8"
        # a Parquet id column: one dictionary per row group, hashed once end to end
        parts = pa.chunked_array(
            [c.dictionary_encode() for c in col.chunks],
            type=pa.dictionary(pa.int32(), pa.string()),
        )
        handled, (again, labels) = _labels_handled(parts)
        assert handled <= len(ids)
        np.testing.assert_array_equal(again, codes)
        assert labels.equals(uniques)
        assert Text(parts).factorize()[1] == uniques.to_pylist()


def test_text_to_pandas_is_the_trimmed_text():
    col = pa.chunked_array([pa.array([" x", None, "y "])])
    assert list(Text(col).to_pandas().fillna("NA")) == ["x", "NA", "y"]
    cat = Text(col.dictionary_encode()).to_pandas()
    assert isinstance(cat, pd.Categorical)
    assert list(pd.Series(cat).astype(object).fillna("NA")) == ["x", "NA", "y"]


def test_two_files_text_joins_as_pandas_concat_does():
    plain = Text(pa.chunked_array([pa.array([" a", None])]))
    coded = Text(pa.chunked_array([pa.array(["b ", "a"]).dictionary_encode()]))
    joined = concat_text([plain, None, coded], [2, 3, 2])
    # reference: pandas.concat of the parts as pandas text (the two-file route before)
    want = pd.concat(
        [pd.Series(plain.to_pandas()), pd.Series([None] * 3), pd.Series(coded.to_pandas())],
        ignore_index=True,
    ).astype(object)
    got = pd.Series(joined.to_pandas()).astype(object)
    assert got.where(got.notna(), None).tolist() == want.where(want.notna(), None).tolist()
    role = repeated_text([("self", 2), ("customer", 3), ("é", 1)]).to_pandas()
    assert list(role) == ["self"] * 2 + ["customer"] * 3 + ["é"]


def test_bool_array_round_trips():
    mask = np.arange(21) % 4 == 0
    assert bool_array(mask).to_pylist() == mask.tolist()


def test_column_table_select_concat_and_pandas():
    a = ColumnTable({"item": ["q1", None], "n": np.array([3, 4]), "x": np.array([0.5, np.nan])})
    b = a.with_first("segment", "(all)")
    assert b.columns == ["segment", "item", "n", "x"]
    both = ColumnTable.concat([b, b.select(b.columns)])
    assert len(both) == 4 and both["segment"] == ["(all)"] * 4
    row = list(both.rows())[1]
    assert row[:3] == ("(all)", None, 4) and type(row[2]) is int and np.isnan(row[3])
    assert a.row(-1)["item"] is None and a.row(0) == {"item": "q1", "n": 3, "x": 0.5}
    tail = both.slice(1, None)
    assert len(tail) == 3 and tail["item"] == [None, "q1", None] and list(tail["n"]) == [4, 3, 4]
    frame = both.to_pandas()
    # reference: the DataFrame pandas builds from the same columns directly
    want = pd.DataFrame(
        {
            "segment": ["(all)"] * 4,
            "item": ["q1", None] * 2,
            "n": [3, 4] * 2,
            "x": [0.5, np.nan] * 2,
        }
    )
    pd.testing.assert_frame_equal(frame, want)
    with pytest.raises(ValueError, match="different lengths"):
        ColumnTable({"a": [1], "b": [1, 2]})


def _gap_results(tmp_path: Path) -> list:
    odd = tmp_path / "odd.csv"  # no customer agrees on q1 (ratio inf); nobody on q2 (nan)
    odd.write_text(
        "role,region,q1,q2,q3\n"
        + "executive,=EMEA,5,1,4\n" * 3
        + "customer,=EMEA,1,2,\n" * 4
        + 'customer,"North, ""x""",2,1,5\n'
    )
    example = cxkit.read_survey(EXAMPLE)
    by_region = SurveySpec(by=("region",))
    return [
        cxkit.gap(example),
        cxkit.gap(example, by=["region", "wave"]),
        cxkit.gap(read_survey(odd, use_config=False, spec=by_region), by=["region"]),
    ]


def test_csv_of_the_column_table_is_what_pandas_writes(tmp_path):
    from cxkit.output import to_csv

    for result in _gap_results(tmp_path):
        assert result.holds_columns()
        fast = to_csv(result)
        # reference: the same table written by pandas (DataFrame.to_csv, the route before)
        slow = to_csv(dataclasses.replace(result, table=result.table))
        assert fast == slow
    # an infinite ratio is a blank cell, as it is null in JSON
    assert "inf" not in fast and "'=EMEA" in fast and '"North, ""x"""' in fast


def _pandas_route(table: ColumnTable) -> pa.Table:
    """The reference: ``pa.Table.from_pandas`` of the DataFrame (the route before), its
    text as ``string`` and without pandas' schema metadata."""
    ref = pa.Table.from_pandas(table.to_pandas(), preserve_index=False)
    fields = [
        f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in ref.schema
    ]
    return ref.cast(pa.schema(fields)).replace_schema_metadata(None)


_cells = {
    "text": st.one_of(st.none(), st.text(max_size=4)),
    "whole": st.one_of(st.none(), st.integers(-(2**40), 2**40)),
    "float": st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
    "flag": st.one_of(st.none(), st.booleans()),
    "nothing": st.none(),
}


@settings(max_examples=200, deadline=None)
@given(data=st.data(), n=st.integers(1, 8))
def test_column_table_to_arrow_types_as_pandas_does(data, n):
    kinds = data.draw(st.lists(st.sampled_from([*_cells, "f8", "i8", "b1"]), min_size=1))
    columns = {}
    for i, kind in enumerate(kinds):
        if kind == "f8":
            xs = data.draw(st.lists(st.floats(), min_size=n, max_size=n))
            columns[f"c{i}"] = np.array(xs, dtype=float)
        elif kind in ("i8", "b1"):
            xs = data.draw(st.lists(st.integers(0, 1) if kind == "b1" else st.integers(-9, 9),
                                    min_size=n, max_size=n))  # fmt: skip
            columns[f"c{i}"] = np.array(xs, dtype=np.int64 if kind == "i8" else bool)
        else:
            columns[f"c{i}"] = data.draw(st.lists(_cells[kind], min_size=n, max_size=n))
    table = ColumnTable(columns)
    got, want = table.to_arrow(), _pandas_route(table)
    assert got.schema == want.schema
    assert got.equals(want)


def test_parquet_output_of_the_column_table_is_what_the_pandas_route_writes(tmp_path):
    import io

    from cxkit.output import _parquet_bytes

    for result in _gap_results(tmp_path):
        assert result.holds_columns()
        fast = pq.read_table(io.BytesIO(_parquet_bytes(result)))
        assert result.holds_columns()  # written without building the DataFrame
        slow = pq.read_table(
            io.BytesIO(_parquet_bytes(dataclasses.replace(result, table=result.table)))
        )
        assert fast.schema.metadata[b"cxkit"] == slow.schema.metadata[b"cxkit"]
        assert b"pandas" not in fast.schema.metadata and b"pandas" in slow.schema.metadata
        assert fast.replace_schema_metadata(None).equals(slow.replace_schema_metadata(None))
        assert fast.schema.field("item").type == pa.string()


def test_compare_to_on_the_column_table_is_what_the_pandas_route_gives():
    """Changes between waves, added to gap's columns as they are, against the DataFrame
    route (pandas' merge and groupby): same JSON and CSV, same notes. The earlier wave
    lacks one region, so some rows have no counterpart."""
    from cxkit.commands.gap import CHANGE_METRICS
    from cxkit.compare import add_change_columns
    from cxkit.output import to_csv, to_json
    from cxkit.waves import select_wave

    survey = cxkit.read_survey(EXAMPLE, spec=SurveySpec(by=("region",)))
    regions = survey.column("region")
    dropped = sorted(set(regions.dropna()))[0]
    for by in ([], ["region"]):
        cur = cxkit.gap(select_wave(survey, "2026Q3"), by=by)
        earlier = select_wave(survey.subset(np.asarray(regions != dropped)), "2026Q2")
        prev = cxkit.gap(earlier, by=by)
        options = {
            "metrics": CHANGE_METRICS,
            "keys": [*by, "level", "item", "pillar"],
            "family": [*by, "level"],
            "compare_wave": "2026Q2",
            "confidence": 0.95,
        }
        fast = add_change_columns(cur, prev, **options)
        assert fast.holds_columns()
        slow = add_change_columns(
            dataclasses.replace(cur, table=cur.table),
            dataclasses.replace(prev, table=prev.table),
            **options,
        )
        assert not slow.holds_columns()
        assert to_json(fast) == to_json(slow)
        assert to_csv(fast) == to_csv(slow)
        assert fast.notes == slow.notes
        assert any("no counterpart" in n for n in fast.notes) == bool(by)


def test_compare_to_matches_missing_keys_as_pandas_merge_does():
    """``None`` and ``nan`` in a key are one value to pandas' merge and groupby."""
    from cxkit.compare import add_change_columns
    from cxkit.output import to_json
    from cxkit.result import Result

    def result(cells: list, agree: list[float], ci: float) -> Result:
        a = np.array(agree)
        table = ColumnTable(
            {"cell": cells, "level": ["item"] * len(a), "mean_gap": a,
             "mean_gap_ci_low": a - ci, "mean_gap_ci_high": a + ci}
        )  # fmt: skip
        return Result("gap", table, {})

    options = {"metrics": ["mean_gap"], "keys": ["cell", "level"], "family": ["cell"],
               "compare_wave": "W1", "confidence": 0.9}  # fmt: skip
    cur = result(["a", float("nan"), "b", "c"], [0.5, 0.1, -0.2, 0.3], 0.2)
    prev = result(["b", None, "a"], [0.1, 0.4, 0.3], 0.1)
    fast = add_change_columns(cur, prev, **options)
    slow = add_change_columns(
        dataclasses.replace(cur, table=cur.table), dataclasses.replace(prev, table=prev.table),
        **options,
    )  # fmt: skip
    assert fast.holds_columns() and not slow.holds_columns()
    assert to_json(fast) == to_json(slow) and fast.notes == slow.notes
    assert json.loads(to_json(fast))["table"][1]["change_mean_gap"] == pytest.approx(-0.3)


def test_gap_result_table_is_built_on_first_use():
    survey = cxkit.read_survey(EXAMPLE)
    result = cxkit.gap(survey, by=["region"])
    assert isinstance(result.__dict__["_table"], ColumnTable)
    assert result.n_rows == len(result.__dict__["_table"])
    table = result.table
    assert isinstance(table, pd.DataFrame) and result.table is table
    assert table["n_self"].dtype == np.int64 and len(table) == result.n_rows
    again = dataclasses.replace(result, notes=[])
    pd.testing.assert_frame_equal(again.table, table)


@pytest.mark.parametrize(
    "extra",
    [
        ["-f", "json"],
        ["-f", "markdown", "--by", "region", "--weight", "weight"],
        ["-f", "table", "--by", "region", "--by", "wave"],
        ["-f", "json", "--wave", "2026Q3"],
        ["-f", "json", "--parquet"],
        ["-f", "json", "--two-files", "--by", "region", "--weight", "weight"],
        ["-f", "csv", "--by", "region"],
        ["-o", "gap.parquet", "--by", "region"],
        ["-f", "json", "--by", "region", "--wave", "2026Q3", "--compare-to", "2026Q2"],
    ],
)
def test_gap_imports_neither_pandas_nor_scipy(extra, tmp_path):
    src = EXAMPLE
    if "--parquet" in extra:
        extra = [e for e in extra if e != "--parquet"]
        src = tmp_path / "survey.parquet"
        pq.write_table(pa.Table.from_pandas(pd.read_csv(EXAMPLE), preserve_index=False), src)
    files = [str(src)]
    if "--two-files" in extra:
        extra = [e for e in extra if e != "--two-files"]
        files = ["--self-file", str(ROOT / "examples" / "self_ratings.csv")]
        files += ["--customer-file", str(ROOT / "examples" / "customer_ratings.csv")]
    config = ROOT / "examples" / "cxkit.toml"
    args = ["gap", *files, "--config", str(config), *extra]
    no_preload = {"CXKIT_NO_PRELOAD": "1"}
    loaded = loaded_by(args, ("pandas", "scipy"), cwd=tmp_path, env=no_preload, must_succeed=True)
    assert loaded == [], f"gap {extra} imported {loaded}"


def test_gap_on_integer_answers_loads_neither_numpy_ma_nor_pyarrow_compute(tmp_path):
    """np.unique's first call imports numpy.ma (7 ms), pyarrow.compute builds hundreds of
    wrappers (20-30 ms): the integer route, with --by and --weight, needs neither."""
    rng = np.random.default_rng(1)
    n = 200
    columns = {"role": pa.array(rng.choice(["executive", "customer"], n))}
    for i in range(4):
        answers = rng.integers(1, 6, n).astype(np.int8)
        columns[f"q{i}"] = pa.array(answers, mask=rng.random(n) < 0.1)
    columns["segment"] = pa.array(rng.choice(["SMB", "Enterprise"], n))
    columns["weight"] = pa.array(rng.uniform(0.5, 2.0, n))
    columns["wave"] = pa.array(rng.choice(["2026Q1", "2026Q2"], n))
    pq.write_table(pa.table(columns), tmp_path / "s.parquet")
    modules = ("pandas", "scipy", "numpy.ma", "pyarrow.compute")
    wave = ["--wave", "2026Q2", "--compare-to", "2026Q1"]
    for extra in ([], ["--by", "segment", "--weight", "weight"], wave):
        args = ["gap", str(tmp_path / "s.parquet"), "--no-config", "-f", "json", *extra]
        assert loaded_by(args, modules, cwd=tmp_path, must_succeed=True) == [], extra


@pytest.mark.parametrize("chunks", [[["a ", None, " b"]], [["a", "a"], [], [" c ", None, "a"]]])
def test_arrow_compute_kernels_equal_pyarrow_compute(chunks):
    """The two kernels called without importing pyarrow.compute give its results, and any
    other name is pyarrow.compute's own function."""
    import pyarrow.compute as reference

    from cxkit import arrow_compute

    col = pa.chunked_array(chunks, type=pa.string())
    assert arrow_compute.trim(col).equals(reference.utf8_trim_whitespace(col))
    assert arrow_compute.dictionary_encode(col).equals(reference.dictionary_encode(col))
    assert arrow_compute.utf8_lower is reference.utf8_lower


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.sampled_from(["a", " b", "c "])), max_size=30),
    cuts=st.lists(st.integers(0, 30), max_size=3),
    data=st.data(),
)
def test_text_filter_is_pyarrows_filter(values, cuts, data):
    """``Text.filter`` calls the filter kernel without importing pyarrow.compute."""
    col = _chunked(values, pa.string(), cuts, 0)
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values))),
                    dtype=bool)  # fmt: skip
    got = Text(col).filter(mask).arrow
    assert got.equals(col.filter(pa.array(mask, pa.bool_())))


def test_text_factorize_ignores_what_a_null_index_slot_holds():
    """pyarrow leaves anything in a null's index slot, even an index past the dictionary."""
    junk = np.array([1, 7_000, 0, -3], dtype=np.int32)
    valid = pa.py_buffer(np.packbits([1, 0, 1, 0], bitorder="little").tobytes())
    index = pa.Array.from_buffers(pa.int32(), 4, [valid, pa.py_buffer(junk.tobytes())])
    col = pa.chunked_array(
        [
            pa.DictionaryArray.from_arrays(index, pa.array(["x", " y", "z"])),
            pa.DictionaryArray.from_arrays(pa.array([0, None], pa.int32()), pa.array(["y"])),
            # a null inside the dictionary is missing too
            pa.DictionaryArray.from_arrays(pa.array([1, 0], pa.int32()), pa.array(["z", None])),
        ]
    )
    codes, uniques = Text(col).factorize()
    assert uniques == ["x", "y", "z"]  # unused labels too, as unifying the chunks gives
    assert codes.tolist() == [1, -1, 0, -1, 1, -1, -1, 2]
    assert codes.dtype == np.int8


@pytest.mark.parametrize(
    "name", ["centricity_survey.csv", "obstacles_ranked.csv", "drops/2026Q2.csv"]
)
def test_inspect_and_init_import_no_pandas(name, tmp_path):
    """``inspect`` builds its table as columns and the rank check reads Arrow without
    Python scalars (pyarrow turns those into Arrow through its pandas shim): pandas would
    be 0.4 s of a 1.1 s inspect on a million rows. (Qualtrics exports still load it.)"""
    path = str(ROOT / "examples" / name)
    for args in (["inspect", path, "-f", "json"], ["init", path, "-o", str(tmp_path / "c.toml")]):
        assert loaded_by(args, ("pandas", "scipy"), cwd=tmp_path, must_succeed=True) == [], args


@pytest.mark.parametrize(
    "name",
    ["qualtrics_numeric.csv", "qualtrics_choice.csv", "surveymonkey.csv", "google_forms.csv"],
)
def test_platform_exports_import_no_pandas(name, tmp_path):
    """Qualtrics, SurveyMonkey and Google Forms exports are shaped (preview and unfinished
    rows, multi-select and rank questions) without Python values turned into Arrow, which
    pyarrow does through its pandas shim."""
    path = str(ROOT / "tests" / "fixtures" / name)
    for args in (["metric", path, "--no-config", "-f", "json"], ["inspect", path, "-f", "json"]):
        assert loaded_by(args, ("pandas", "scipy"), cwd=tmp_path, must_succeed=True) == [], args


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.tuples(st.integers(-5, 5), st.booleans()), max_size=40),
    kind=st.sampled_from([np.bool_, np.int64, np.int32]),
)
def test_masked_array_is_pyarrows_masked_array(values, kind):
    x = np.array([v for v, _ in values], dtype=kind)
    missing = np.array([m for _, m in values], dtype=bool)
    want = pa.array(x, pa.from_numpy_dtype(x.dtype), mask=missing)
    assert arrow_values.masked_array(x[::1], missing).equals(want)
    strided = np.repeat(x, 2)[::2]  # a column of a 2-D block, as the rank split takes it
    assert arrow_values.masked_array(strided, missing).equals(want)
    assert arrow_values.bools(pa.chunked_array([want.is_valid()])).tolist() == (~missing).tolist()
