"""``gap --stream`` (record batches, merged histograms) equals the in-memory ``gap``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.gap import gap
from cxkit.stream import stream_gap
from cxkit.survey import SurveySpec, read_survey

from .conftest import one_line_error


@pytest.fixture(scope="module")
def drops(tmp_path_factory):
    """Three Parquet drops with blanks, a blank role, unknown roles and a weight."""
    folder = tmp_path_factory.mktemp("drops")
    rng = np.random.default_rng(3)
    for d, n in enumerate((700, 450, 520)):
        role = rng.choice(["executive", "Employee", "customer", "partner", None], n,
                          p=[0.2, 0.2, 0.5, 0.08, 0.02])  # fmt: skip
        cols = {
            "role": pa.array(role.tolist(), pa.string()),
            "segment": pa.array(rng.choice(["SMB", "Enterprise", "Public"], n).tolist()),
            "weight": pa.array(np.round(rng.uniform(0.2, 3.0, n), 3)),
        }
        for k in range(1, 6):
            x = rng.integers(1, 6, n).astype(float)
            cols[f"q{k}"] = pa.array(x, mask=rng.random(n) < 0.1)
        pq.write_table(pa.table(cols), folder / f"drop-{d}.parquet")
    return folder


CASES = [((), None), (("segment",), None), ((), "weight"), (("segment",), "weight")]


@pytest.mark.parametrize(("by", "weight"), CASES)
def test_streamed_equals_in_memory(drops, by, weight):
    spec = SurveySpec(role_col="role", weight_col=weight, by=by)
    options = {"by": by, "drop_unknown_roles": True}
    memory = gap(read_survey(drops, use_config=False, spec=spec), **options)
    streamed = stream_gap(drops, spec=spec, use_config=False, batch_rows=97, **options)
    if weight is None:  # counts only: the merged histograms give the same bits
        pd.testing.assert_frame_equal(streamed.table, memory.table, check_exact=True)
    else:  # weighted sums are added in another order
        pd.testing.assert_frame_equal(streamed.table, memory.table, rtol=1e-12)
    role_notes = [n for n in memory.notes if n.startswith("excluded")]
    assert role_notes and all(n in streamed.notes for n in role_notes)
    assert streamed.summary["n_self"] == memory.summary["n_self"]


def test_stream_unknown_roles_are_an_error_over_all_batches(drops):
    from cxkit.errors import InputError

    with pytest.raises(InputError, match="'partner'"):
        stream_gap(drops, spec=SurveySpec(role_col="role"), use_config=False, batch_rows=97)


def test_stream_cli(drops, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["gap", str(drops), "--stream", "--drop-unknown-roles", "-f", "json"])
    assert ok.exit_code == 0, ok.output
    assert '"n_self"' in ok.stdout
    bad = runner.invoke(app, ["gap", str(drops), "--stream", "--wave", "2026Q1"])
    assert bad.exit_code == 2
    assert "--stream cannot be combined with --wave" in bad.stderr
    csv = tmp_path / "s.csv"
    csv.write_text("role,q1\nexecutive,4\ncustomer,2\n")
    wrong = runner.invoke(app, ["gap", str(csv), "--stream"])
    assert wrong.exit_code == 3
    assert "--stream reads Parquet files only" in wrong.stderr


def _id_drops(folder, ids_per_drop):
    """Parquet drops with an id column (ids as given, ``None`` = blank) and one item."""
    folder.mkdir()
    for d, ids in enumerate(ids_per_drop):
        n = len(ids)
        pq.write_table(
            pa.table({
                "rid": pa.array(ids, pa.string()),
                "role": ["executive" if i % 3 == 0 else "customer" for i in range(n)],
                "q1": pa.array([float(1 + i % 5) for i in range(n)]),
            }),
            folder / f"drop-{d}.parquet",
        )  # fmt: skip
    (folder.parent / "cxkit.toml").write_text('[columns]\nid = "rid"\nrole = "role"\n')
    return folder


def test_stream_refuses_a_drop_given_twice_like_the_in_memory_read(tmp_path):
    from cxkit.errors import InputError

    ids = [f"R{i:03d}" for i in range(50)]
    folder = _id_drops(tmp_path / "twice", [ids, ids])
    with pytest.raises(InputError, match=r"R000.* appears in data rows 1 and 51"):
        read_survey(folder)
    message = (
        r"'rid': respondent id 'R000' appears in drop-0.parquet data row 1 and "
        r"drop-1.parquet data row 1 \(50 ids repeated\)"
    )
    with pytest.raises(InputError, match=message):
        stream_gap(folder, batch_rows=7)
    res = CliRunner().invoke(app, ["gap", str(folder), "--stream", "-f", "json"])
    assert res.exit_code == 3 and not res.stdout
    assert "drop-1.parquet data row 1" in one_line_error(res, 3)


def test_stream_names_a_repeat_inside_one_file_across_batches(tmp_path):
    from cxkit.errors import InputError

    # ' R010' repeats 'R010' once trimmed, 30 rows later, in another batch of 7 rows
    ids = [f"R{i:03d}" for i in range(40)] + [" R010 ", None, None]
    folder = _id_drops(tmp_path / "inside", [[f"S{i}" for i in range(9)], ids])
    with pytest.raises(InputError, match=r"'R010' appears in drop-1.parquet data row 11 "
                       r"and drop-1.parquet data row 41 \(1 ids repeated\)"):  # fmt: skip
        stream_gap(folder, batch_rows=7)


def test_stream_with_unique_ids_and_blank_ids_equals_in_memory(tmp_path):
    # blank ids are never repeats (the in-memory reader agrees)
    folder = _id_drops(tmp_path / "unique", [["A", None, "B"], [None, "C", "D", "E"]])
    memory = gap(read_survey(folder))
    streamed = stream_gap(folder, batch_rows=2)
    pd.testing.assert_frame_equal(streamed.table, memory.table, check_exact=True)
    # without an id column in the config there is nothing to check
    twice = _id_drops(tmp_path / "noid", [["A", "B", "C"], ["A", "B", "C"]])
    (twice.parent / "cxkit.toml").write_text('[columns]\nrole = "role"\n')
    assert stream_gap(twice, batch_rows=2).summary["n_self"] == 2


def _drifting(path, n=1000):
    """q2 answers 1-5 in the first half of the file and 0-10 in the second."""
    rng = np.random.default_rng(1)
    q2 = rng.integers(1, 6, n).astype(float)
    q2[n // 2 :] = rng.integers(6, 11, n - n // 2)
    weight = np.full(n, 0.5)  # off the scale: not taken for an item
    pq.write_table(
        pa.table({
            "role": ["customer" if i % 2 else "executive" for i in range(n)],
            "weight": weight,
            "q1": rng.integers(1, 6, n).astype(float),
            "q2": q2,
        }),
        path,
    )  # fmt: skip
    return path


def test_a_later_batch_names_the_row_of_the_file_and_how_to_fix_the_items(tmp_path):
    from cxkit.errors import InputError

    path = _drifting(tmp_path / "drift.parquet")
    # the whole file: q2 is mostly off the scale, so not an item (a note says so)
    memory = gap(read_survey(path, use_config=False))
    assert list(memory.table["item"][:1]) == ["q1"] and any("'q2'" in n for n in memory.notes)
    # streamed in batches of 200 rows: the first batch took q2 for an item
    message = r"column 'q2', data row 501: '10' is outside .*--stream took the items from the first"
    with pytest.raises(InputError, match=message):
        stream_gap(path, use_config=False, batch_rows=200)
    # named items: the plain error, at the file's row
    with pytest.raises(InputError, match=r"data row 501: '10' is outside the scale 1-5; if") as e:
        stream_gap(path, spec=SurveySpec(items=("q2",)), use_config=False, batch_rows=200)
    assert "--stream took" not in str(e.value)


def test_a_bad_weight_in_a_later_batch_names_the_row_of_the_file(tmp_path):
    from cxkit.errors import InputError

    path = _drifting(tmp_path / "w.parquet")
    table = pq.read_table(path)
    weight = table.column("weight").to_numpy().copy()
    weight[733] = -1.0
    pq.write_table(table.set_column(1, "weight", pa.array(weight)), path)
    spec = SurveySpec(items=("q1",), weight_col="weight")
    with pytest.raises(InputError, match=r"weight column 'weight', data row 734: -1.0 is not"):
        stream_gap(path, spec=spec, use_config=False, batch_rows=200)


def test_a_panel_answers_once_per_wave_in_memory_and_streamed(tmp_path):
    """The same respondents in two waves are two responses each; twice in one wave is not."""
    from cxkit.errors import InputError

    folder = _id_drops(tmp_path / "panel", [["A", "B", "C", "D"], ["A", "B", "C", "D"]])
    for d, wave in enumerate(("2026Q1", "2026Q2")):
        path = folder / f"drop-{d}.parquet"
        table = pq.read_table(path)
        pq.write_table(table.append_column("wave", pa.array([wave] * table.num_rows)), path)
    memory = gap(read_survey(folder))
    streamed = stream_gap(folder, batch_rows=3)
    pd.testing.assert_frame_equal(streamed.table, memory.table, check_exact=True)
    assert memory.summary["n_self"] + memory.summary["n_customer"] == 8
    # one respondent twice in the second wave
    path = folder / "drop-1.parquet"
    table = pq.read_table(path)
    pq.write_table(table.set_column(0, "rid", pa.array(["A", "B", "C", "A"])), path)
    with pytest.raises(InputError, match=r"respondent id 'A' in wave '2026Q2' appears in data "
                       r"rows 5 and 8 \(1 ids repeated\)"):  # fmt: skip
        read_survey(folder)
    with pytest.raises(InputError, match=r"respondent id 'A' in wave '2026Q2' appears in "
                       r"drop-1.parquet data row 1 and drop-1.parquet data row 4"):  # fmt: skip
        stream_gap(folder, batch_rows=3)
