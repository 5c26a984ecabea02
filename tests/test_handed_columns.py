"""Item columns leave the table once recoded (``build_parts(consume=True)``).

A caller that owns its :class:`~cxkit.read.RawTable` (``read_survey``) lets each item's Arrow
column go as soon as it is coded, so the next codes reuse its memory. What is built must be
the same as when the table keeps every column, the columns read after the items must stay,
and an error half-way must leave the table whole."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxkit.errors import InputError
from cxkit.read import HandedColumns, RawTable, SourceInfo, read_table
from cxkit.study import Study, load_study
from cxkit.survey import SurveySpec, build_parts, survey_of

from .conftest import EXAMPLES, ROOT

FIXTURES = ROOT / "tests" / "fixtures"


def _raw(table: pa.Table) -> RawTable:
    return RawTable(table, SourceInfo("t.parquet", "", table.num_rows, "parquet"))


def test_handed_columns_come_back_in_their_places_unless_done():
    field = pa.field("c", pa.int8(), metadata={b"label": b"kept"})
    schema = pa.schema([("a", pa.string()), ("b", pa.int8()), field, ("d", pa.float64())])
    table = pa.table({"a": ["x", "y"], "b": [1, 2], "c": [3, None], "d": [0.5, 1.0]}, schema)
    raw = _raw(table)
    handed = HandedColumns(raw, ["b", "c"])
    assert raw.table.column_names == ["a", "d"] and raw.table.num_rows == 2
    assert handed.names() == ["a", "b", "c", "d"] and handed.rows == 2
    assert handed.column("b").to_pylist() == [1, 2]
    assert handed.column("a").to_pylist() == ["x", "y"]  # still in the table
    handed.done("b")
    handed.close()
    assert raw.table.column_names == ["a", "c", "d"]
    assert raw.table.schema.field("c").metadata == {b"label": b"kept"}
    assert raw.table.column("c").to_pylist() == [3, None]


def test_nothing_handed_leaves_the_table_alone():
    table = pa.table({"a": [1]})
    raw = _raw(table)
    HandedColumns(raw).close()
    assert raw.table is table


def _survey_table(n: int = 3000) -> pa.Table:
    rng = np.random.default_rng(11)
    blank = rng.random(n) < 0.05
    q1 = pa.array(rng.integers(1, 6, n).astype(np.int8), mask=blank)
    return pa.table(
        {
            "respondent_id": [f"r{i}" for i in range(n)],
            "role": rng.choice(["executive", "customer"], n),
            "q1": q1,
            "segment": rng.choice(["SMB", "Enterprise"], n),
            "q2": rng.choice(["Agree", "Disagree", "Neutral", "Strongly agree"], n),
            "weight": rng.uniform(0.5, 2, n),
            "nps": rng.integers(0, 11, n).astype(np.int8),
            "wave": rng.choice(["2026Q1", "2026Q2"], n),
            "q3": rng.integers(1, 6, n).astype(np.int8),
        }
    )


def _state(parts):
    answers = {k: (v.codes.tolist(), v.values.tolist()) for k, v in parts.answers.items()}
    columns = {}
    for k, v in parts.columns.items():
        columns[k] = v.tolist() if isinstance(v, np.ndarray) else v.codes()[0].tolist()
    return answers, parts.items, parts.notes, columns, parts.n_rows


# what stays in the table: the columns read after the items (role, weight, --by, wave) and
# those never recoded (an id column, or any column when the items are named)
CASES = [
    ("found", SurveySpec(weight_col="weight"), None, "respondent_id role weight wave"),
    (
        "named",
        SurveySpec(weight_col="weight", by=("segment",)),
        ["q1", "q2", "q3"],
        "respondent_id role segment weight nps wave",
    ),
    ("weight as item", SurveySpec(), ["q1", "weight"], "respondent_id role segment q2 nps wave q3"),
]


@pytest.mark.parametrize(("label", "spec", "items", "stay"), CASES, ids=[c[0] for c in CASES])
def test_consumed_table_builds_the_same_parts_and_keeps_the_other_columns(label, spec, items, stay):
    table = _survey_table()
    if label == "weight as item":  # a weight column on the scale can be named as an item
        table = table.set_column(5, "weight", pa.array(np.ones(table.num_rows)))
    study = Study()
    kept_raw, owned_raw = _raw(table), _raw(table)
    kept = build_parts(kept_raw, study, spec, items, "role")
    owned = build_parts(owned_raw, study, spec, items, "role", consume=True)
    assert _state(owned) == _state(kept)
    assert kept_raw.table is table  # without consume the table is left alone
    assert owned_raw.table.column_names == stay.split()


def test_consumed_item_columns_give_their_memory_back(tmp_path):
    path = tmp_path / "s.parquet"
    pq.write_table(_survey_table(200_000), path)
    # two reads of the file, each in Arrow's pool and held by its RawTable alone
    kept_raw, owned_raw = (read_table(str(path), typed=True) for _ in range(2))
    items = ["q1", "q3"]
    item_bytes = sum(owned_raw.table.column(n).nbytes for n in items)
    # both builds make the same role, weight and id columns in the pool; only the owned
    # table's item columns are let go
    start = pa.total_allocated_bytes()
    kept = build_parts(kept_raw, Study(), SurveySpec(), items, "role")
    grown_kept = pa.total_allocated_bytes() - start
    start = pa.total_allocated_bytes()
    owned = build_parts(owned_raw, Study(), SurveySpec(), items, "role", consume=True)
    grown_owned = pa.total_allocated_bytes() - start
    assert "q1" not in owned_raw.table.column_names and "q3" not in owned_raw.table.column_names
    assert grown_owned <= grown_kept - item_bytes
    assert _state(owned) == _state(kept)


def test_an_error_half_way_leaves_the_columns_not_probed():
    table = _survey_table()
    bad = table.column("q3").to_numpy().copy()
    bad[7] = 9  # one answer off the 1-5 scale: an item with a bad answer is an error
    table = table.set_column(8, "q3", pa.array(bad))
    raw = _raw(table)
    with pytest.raises(InputError, match="q3"):
        build_parts(raw, Study(), SurveySpec(), None, "role", consume=True)
    # every candidate is probed before q3's error is raised: the columns never probed stay
    assert raw.table.column_names == ["respondent_id", "role", "wave"]


@pytest.mark.parametrize(
    ("path", "spec", "config"),
    [
        (EXAMPLES / "centricity_survey.csv", SurveySpec(by=("region",)), EXAMPLES / "cxkit.toml"),
        (FIXTURES / "study.sav", SurveySpec(), None),
        (FIXTURES / "qualtrics_numeric.csv", SurveySpec(), None),
        (FIXTURES / "study.parquet", SurveySpec(sheet="2"), None),
    ],
)
def test_real_files_give_the_same_survey_either_way(path, spec, config):
    study = load_study(config) if config else Study()
    raw = read_table(str(path), **spec.read_options(study), typed=True)
    copy = dataclasses.replace(raw)
    a = survey_of(raw, study, spec, consume=True)
    b = survey_of(copy, study, spec)
    assert a.items == b.items and a.notes == b.notes and a.wave_col == b.wave_col
    for item in a.items:
        assert a.coded(item).codes.tolist() == b.coded(item).codes.tolist()
        assert a.coded(item).values.tolist() == b.coded(item).values.tolist()
    assert list(a.columns) == list(b.columns)


def test_parquet_file_read_whole_gives_the_same_gap(tmp_path):
    from cxkit.gap import gap
    from cxkit.output import to_json
    from cxkit.survey import read_survey

    path = tmp_path / "s.parquet"
    pq.write_table(_survey_table(), path, row_group_size=1000)
    spec = SurveySpec(weight_col="weight", by=("segment",))
    raw = read_table(str(path), typed=True)
    kept = survey_of(raw, Study(), spec)
    read = read_survey(str(path), use_config=False, spec=spec)
    assert to_json(gap(read)) == to_json(gap(kept))
