"""Every export format of one study (tests/fixtures, written by make_fixtures.py) reads the same."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.read import read_table

from .conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
runner = CliRunner()

#: fixture -> (detected format, item columns)
QCOLS = [f"Q3_{k}" for k in range(1, 7)]
LCOLS = [f"q3_{k}" for k in range(1, 7)]
FORMATS = {
    "qualtrics_choice.csv": ("qualtrics", QCOLS),
    "qualtrics_numeric.csv": ("qualtrics", QCOLS),
    "qualtrics_legacy.csv": ("qualtrics-legacy", QCOLS),
    "qualtrics_unicode.tsv": ("qualtrics-tsv", QCOLS),
    "surveymonkey.csv": ("surveymonkey", LCOLS),
    "surveymonkey.xlsx": ("surveymonkey-xlsx", LCOLS),
    "google_forms.csv": ("google-forms", LCOLS),
    "study.sav": ("spss", LCOLS),
    "study.xlsx": ("xlsx", LCOLS),
    "study.parquet": ("parquet", LCOLS),
    "plain_semicolon.csv": ("csv", LCOLS),
    "plain_utf16.csv": ("csv", LCOLS),
    "drops_parquet": ("folder(parquet)", LCOLS),
    "drops_csv": ("folder(csv)", LCOLS),
}
#: formats whose columns carry the question text (the others are tidy files)
LABELLED = [
    f for f in FORMATS if not f.startswith(("study.xlsx", "study.parquet", "plain", "drops"))
]
#: the numeric export holds role codes, not labels: 1, 2 = Executive, Employee; 3 = Customer
ROLE_CODES = ["--self", "1", "--self", "2", "--customer", "3"]


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_generator_reproduces_the_committed_fixtures(tmp_path):
    script = tmp_path / "make_fixtures.py"
    shutil.copy(FIXTURES / "make_fixtures.py", script)
    subprocess.run([sys.executable, str(script), str(tmp_path / "out")], check=True)
    committed = sorted(p.relative_to(FIXTURES) for p in FIXTURES.rglob("*") if p.is_file())
    committed = [p for p in committed if p.suffix != ".py" and "__pycache__" not in p.parts]
    made = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*"))
    assert [p for p in made if (tmp_path / "out" / p).is_file()] == committed
    for rel in committed:
        assert (tmp_path / "out" / rel).read_bytes() == (FIXTURES / rel).read_bytes(), rel
        assert (FIXTURES / rel).stat().st_size < 100_000


def test_awkward_bytes_are_really_in_the_fixtures():
    choice = (FIXTURES / "qualtrics_choice.csv").read_bytes()
    assert choice.startswith(b"\xef\xbb\xbf") and b"\r\n" in choice
    assert b'"Which best describes\nyour role?"' in choice  # line break in a quoted header
    assert (FIXTURES / "qualtrics_unicode.tsv").read_bytes().startswith(b"\xff\xfe")
    legacy = (FIXTURES / "qualtrics_legacy.csv").read_bytes()
    assert b"\x93Excellent\x94" in legacy  # cp1252 smart quotes
    assert legacy.split(b"\r\n")[0].endswith(b",")  # trailing comma
    assert b"1037,5" in (FIXTURES / "plain_semicolon.csv").read_bytes()  # decimal comma
    assert b"Time, staff and skills" in (FIXTURES / "google_forms.csv").read_bytes()


@pytest.mark.parametrize("name", list(FORMATS))
def test_format_is_detected_from_content(name):
    raw = read_table(FIXTURES / name)
    fmt, items = FORMATS[name]
    assert raw.source.format == fmt
    assert raw.table.num_rows == 48  # the survey-preview row is excluded
    assert set(items) <= set(raw.table.column_names)


def test_format_does_not_come_from_the_file_name(tmp_path):
    disguised = tmp_path / "export.dat"
    shutil.copy(FIXTURES / "surveymonkey.xlsx", disguised)
    assert read_table(disguised).source.format == "surveymonkey-xlsx"
    shutil.copy(FIXTURES / "qualtrics_choice.csv", tmp_path / "export.txt")
    assert read_table(tmp_path / "export.txt").source.format == "qualtrics"


def _gap(name: str, tmp_path: Path) -> pd.DataFrame:
    cfg = tmp_path / f"{name}.toml"
    res = run("init", FIXTURES / name, "--output", cfg)
    assert res.exit_code == 0, res.output
    extra = ROLE_CODES if name == "qualtrics_numeric.csv" else []
    res = run("gap", FIXTURES / name, "--config", cfg, "-f", "json", *extra)
    assert res.exit_code == 0, res.output
    return pd.DataFrame(json.loads(res.stdout)["table"])


def test_gap_is_identical_on_every_export_of_the_study(tmp_path):
    tables = {name: _gap(name, tmp_path) for name in FORMATS}
    ref = tables["qualtrics_choice.csv"]
    assert len(ref) == 6 + 1 and (ref["n_self"] > 0).all()
    numeric = [c for c in ref.columns if c not in ("item", "label", "pillar", "level")]
    for name, table in tables.items():
        assert table["level"].tolist() == ref["level"].tolist(), name
        pd.testing.assert_frame_equal(
            table[numeric], ref[numeric], check_exact=False, rtol=1e-12, obj=name
        )
    for name in LABELLED:
        assert tables[name]["label"].tolist() == ref["label"].tolist(), name


def _options(name: str) -> pd.DataFrame:
    raw = read_table(FIXTURES / name)
    multi = next(iter(raw.meta.multi.values()))
    rank = next(iter(raw.meta.rank.values()))
    frame = raw.table.select(multi + rank).to_pandas()
    frame.columns = [f"multi_{k}" for k in range(len(multi))] + [f"rank_{k}" for k in range(4)]
    labels = [raw.meta.labels.get(c) for c in multi]
    return frame, labels


@pytest.mark.parametrize(
    "name",
    [
        "qualtrics_choice.csv",
        "qualtrics_numeric.csv",
        "qualtrics_legacy.csv",
        "qualtrics_unicode.tsv",
        "surveymonkey.csv",
        "surveymonkey.xlsx",
        "google_forms.csv",
    ],
)
def test_multi_select_and_rank_answers_match_across_platforms(name):
    frame, labels = _options(name)
    ref, ref_labels = _options("surveymonkey.csv")  # one column per option in the export
    pd.testing.assert_frame_equal(frame.astype(object), ref.astype(object), check_dtype=False)
    if name != "qualtrics_numeric.csv":  # the numeric export names options by code
        assert labels == ref_labels
    assert ref_labels[-1] == "Time, staff and skills"  # an option with a comma in it
    assert frame["multi_3"].sum() > 0


def test_qualtrics_preview_and_unfinished_rows():
    raw = read_table(FIXTURES / "qualtrics_choice.csv")
    assert raw.meta.excluded == [("survey preview (Status)", 1)]
    assert any("kept 2 unfinished" in n for n in raw.notes)
    assert read_table(FIXTURES / "qualtrics_choice.csv", include_preview=True).source.rows == 49
    fin = read_table(FIXTURES / "qualtrics_numeric.csv", finished_only=True)
    assert fin.source.rows == 46
    assert ("unfinished (Finished = False, --finished-only)", 2) in fin.meta.excluded
    res = run("gap", FIXTURES / "qualtrics_legacy.csv", "--role-col", "Q1", "--items", "Q3_*",
              "--finished-only", "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    notes = json.loads(res.stdout)["notes"]
    assert any("excluded 2 rows: unfinished" in n for n in notes)
    assert any("excluded 1 rows: survey preview" in n for n in notes)


def test_spss_labels_and_user_missing():
    raw = read_table(FIXTURES / "study.sav")
    assert set(raw.table.column("role").to_pylist()) == {"Executive", "Employee", "Customer"}
    assert raw.meta.labels["q3_3"] == "We act on what customers tell us"
    (note,) = [n for n in raw.notes if "user-missing" in n]
    # the choice-text export has the same "Don't know" answers as text
    choice = read_table(FIXTURES / "qualtrics_choice.csv").table
    dk = sum(choice.column(c).to_pylist().count("Don't know") for c in QCOLS)
    assert f"{dk} SPSS user-missing answers" in note


def test_hive_partition_value_becomes_a_column():
    raw = read_table(FIXTURES / "drops_parquet")
    waves = raw.table.column("wave").to_pylist()
    assert waves == ["2026Q2"] * 24 + ["2026Q3"] * 24


def test_decimal_comma_and_formula_like_text_stay_data():
    raw = read_table(FIXTURES / "plain_semicolon.csv")
    assert raw.table.column("spend").to_pylist()[1] == "1037.5"
    comments = read_table(FIXTURES / "qualtrics_choice.csv").table.column("Q7").to_pylist()
    assert {"=SUM(A1:A9)", "+1 for the new portal", "-nothing to add-"} <= set(comments)
    assert (
        "@support please call me"
        in read_table(FIXTURES / "study.xlsx").table.column("comment").to_pylist()
    )


def test_formula_like_text_is_written_out_inert(tmp_path):
    out = tmp_path / "cols.csv"
    res = run("inspect", FIXTURES / "qualtrics_choice.csv", "-o", out)
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(out, dtype=str)
    q7 = frame.loc[frame["column"] == "Q7", "values"].iloc[0]
    assert q7.startswith("'=SUM(A1:A9) | ")  # the most common comment, made inert


@pytest.mark.parametrize("name", list(FORMATS))
def test_inspect_reports_what_it_sees(name):
    res = run("inspect", FIXTURES / name, "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    summary = doc["summary"]
    assert summary["format"] == FORMATS[name][0]
    assert summary["rows"] == 48
    assert summary["items"] == FORMATS[name][1]
    assert summary["role"] in ("Q1", "q1", "role")
    assert len(summary["multi"]) == 4 and len(summary["rank"]) == 4
    assert len(summary["nps"]) == 1
    kinds = {row["column"]: row["kind"] for row in doc["table"]}
    assert kinds[summary["nps"][0]] == "nps"


@pytest.mark.parametrize("name", list(FORMATS))
def test_init_writes_a_config_that_loads(name, tmp_path):
    from cxkit.study import load_study

    res = run("init", FIXTURES / name, "-o", tmp_path / "c.toml")
    assert res.exit_code == 0, res.output
    study = load_study(tmp_path / "c.toml")
    assert list(study.items) == FORMATS[name][1]
    assert study.role_col in ("Q1", "q1", "role")


def test_init_then_gap_with_no_edits_on_a_qualtrics_export(tmp_path):
    data = tmp_path / "export.csv"
    shutil.copy(FIXTURES / "qualtrics_choice.csv", data)
    res = run("init", data)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "cxkit.toml").is_file()  # tests run in tmp_path
    res = run("gap", data, "-f", "json")
    assert res.exit_code == 0, res.output
    table = json.loads(res.stdout)["table"]
    assert table[0]["label"] == "Our strategy is built around customers\u2019 needs"
    again = run("init", data)
    assert again.exit_code == 2
    assert "cxkit.toml exists; pass --force" in again.stderr
    assert run("init", data, "--force").exit_code == 0


def test_inspect_reads_stdin():
    data = (FIXTURES / "qualtrics_choice.csv").read_bytes()
    res = runner.invoke(app, ["inspect", "-", "-f", "json"], input=data)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["summary"]["format"] == "qualtrics"


def test_duplicate_ids_are_an_error_unless_dedupe(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("respondent_id,role,q1\nA,executive,4\nB,customer,2\nA,executive,5\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text('[columns]\nid = "respondent_id"\n')
    res = run("gap", path, "--config", cfg)
    assert res.exit_code == 3
    assert "respondent id 'A' appears in data rows 1 and 3" in res.stderr
    assert "--dedupe first" in res.stderr
    for keep, mean in (("first", 4.0), ("last", 5.0)):
        res = run("gap", path, "--config", cfg, "--dedupe", keep, "-f", "json")
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        assert doc["table"][0]["mean_self"] == mean
        assert any("excluded 1 duplicate responses" in n for n in doc["notes"])
    assert run("gap", path, "--config", cfg, "--dedupe", "middle").exit_code == 2


def test_builtin_scales_recode_text_labels(tmp_path):
    import cxkit

    path = tmp_path / "s.csv"
    path.write_text(
        "role,sat,likely,nps\n"
        "executive,Very satisfied,Extremely likely,10 - Extremely likely\n"
        "customer,Dissatisfied,Somewhat unlikely,0 - Not at all likely\n"
        "customer,Neither satisfied nor dissatisfied,N/A,7\n"
    )
    survey = cxkit.read_survey(path, spec=cxkit.SurveySpec(items=["sat", "likely"]))
    assert survey.frame["sat"].tolist() == [5.0, 2.0, 3.0]
    assert np.allclose(survey.frame["likely"].tolist(), [5.0, 2.0, np.nan], equal_nan=True)
    from cxkit.study import Scale

    nps = cxkit.read_survey(path, spec=cxkit.SurveySpec(items=["nps"], scale=Scale(0, 10)))
    assert nps.frame["nps"].tolist() == [10.0, 0.0, 7.0]


def test_unknown_label_lists_labels_seen_and_expected(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("role,q1\nexecutive,Agree\ncustomer,Kinda agree\n")
    res = run("gap", path, "--items", "q1")
    assert res.exit_code == 3
    line = res.stderr.strip()
    assert "'Kinda agree' is neither a number nor a known answer label" in line
    assert "labels seen in the column: 'Agree', 'Kinda agree'" in line
    assert "expected the labels of one scale, e.g. agree-5: Strongly disagree, Disagree" in line


def test_surveymonkey_other_text_column_stays_text(tmp_path):
    path = tmp_path / "sm.csv"
    path.write_text(
        "Respondent ID,Collector ID,Which obstacles?,,,Role\n"
        ",,Budget,Data,Other (please specify),Response\n"
        "1,9,Budget,,slow IT,customer\n"
        "2,9,,Data,,executive\n"
        "3,9,Budget,Data,,customer\n",
        encoding="utf-8",
    )
    raw = read_table(path)
    assert raw.source.format == "surveymonkey"
    assert raw.meta.multi == {"q1": ["q1_1", "q1_2"]}
    assert raw.table.column("q1_1").to_pylist() == [True, False, True]
    assert raw.table.column("q1_3").to_pylist() == ["slow IT", None, None]
    assert raw.meta.labels["q2"] == "Role"


def test_csv_drops_in_hive_folders_are_read_as_text_with_the_partition(tmp_path):
    for wave, rows in (("2026Q2", "A,executive,4\n"), ("2026Q3", "B,customer,02\n")):
        (tmp_path / f"wave={wave}").mkdir()
        (tmp_path / f"wave={wave}" / "part.csv").write_text("id,role,q1\n" + rows)
    raw = read_table(tmp_path)
    assert raw.table.column("wave").to_pylist() == ["2026Q2", "2026Q3"]
    assert raw.table.column("q1").to_pylist() == ["4", "02"]  # text kept exactly
    assert raw.source.format == "folder(csv)" and raw.source.rows == 2


def test_config_option_list_splits_joined_answers(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text(
        "Timestamp,Role,Obstacles\n"
        't1,customer,"Budget, Time"\n'
        't2,customer,"Budget, Time, Data"\n'
        "t3,executive,Data\n"
        't4,executive,"Data, Budget"\n',
        encoding="utf-8",
    )
    # inferred: "Time" starts in upper case, so it reads as an option of its own
    assert [read_table(path).meta.labels[c] for c in ("q2_1", "q2_2", "q2_3")] == [
        "Budget",
        "Time",
        "Data",
    ]
    raw = read_table(path, options={"q2": ["Budget, Time", "Data", "Budget"]})
    assert raw.meta.joined == {"q2": ["Budget, Time", "Data", "Budget"]}
    assert raw.table.column("q2_1").to_pylist() == [True, True, False, False]
    assert raw.table.column("q2_3").to_pylist() == [False, False, False, True]
    cfg = tmp_path / "cxkit.toml"
    cfg.write_text('[multi]\nq2 = ["Budget, Time", "Data", "Budget"]\n', encoding="utf-8")
    res = run("inspect", path, "--config", cfg, "-f", "json")
    assert res.exit_code == 0, res.output
    labels = {r["column"]: r["label"] for r in json.loads(res.stdout)["table"]}
    assert labels["q2_1"] == "Budget, Time"


def test_tidy_rank_columns_are_not_taken_for_items_and_sheet_is_noted():
    import cxkit

    survey = cxkit.read_survey(FIXTURES / "study.parquet", spec=cxkit.SurveySpec(sheet="2"))
    assert survey.items == LCOLS  # rank_1..rank_4 hold 1-4 too, but a ranking per row
    assert any("--sheet 2 ignored: the file is not a workbook" in n for n in survey.notes)


def _counts_cell_by_cell(col) -> Counter:
    """The reference: every cell as a Python value, stripped if text, blanks and nulls left
    out (``cxkit.profile._counts`` before it counted in Arrow)."""
    out: Counter = Counter()
    for v in col.to_pylist():
        key = v.strip() if isinstance(v, str) else v
        if v is not None and key != "":
            out[key] += 1
    return out


@settings(max_examples=200, deadline=None)
@given(
    chunks=st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.sampled_from(["a", " a", "a ", "", "  ", "b", "\tb\n", "c\x1c", "\u00a0c", "b"]),
                st.text(max_size=3),
            ),
            max_size=12,
        ),
        max_size=4,
    ),
    numbers=st.lists(st.one_of(st.none(), st.integers(-3, 3)), max_size=20),
    reals=st.lists(st.one_of(st.none(), st.floats(allow_nan=False)), max_size=20),
    encoded=st.booleans(),
)
def test_profile_counts_equal_a_count_of_every_cell(chunks, numbers, reals, encoded):
    """Same answers, same counts, same first-occurrence order (``most_common`` breaks ties
    by it) as counting cell by cell; and the summary ``inspect`` shows (counted in Arrow
    for text that needs no stripping) is that count's."""
    from cxkit.profile import _counts, _Tally

    text = pa.chunked_array([pa.array(c, pa.string()) for c in chunks], type=pa.string())
    if encoded:
        text = pa.chunked_array([c.dictionary_encode() for c in text.chunks],
                                type=pa.dictionary(pa.int32(), pa.string()))  # fmt: skip
    columns = [
        text,
        pa.chunked_array([pa.array(numbers, pa.int64())]),
        pa.chunked_array([pa.array(reals, pa.float64())]),
        pa.chunked_array([pa.array([x is not None and x > 0 for x in numbers])]),
        pa.chunked_array([pa.nulls(3)]),
        pa.chunked_array([pa.array([0.0, -0.0, None, 0.0])]),
    ]  # Python: one zero
    for col in columns:
        got, want = _counts(col), _counts_cell_by_cell(col)
        assert list(got.items()) == list(want.items())
        assert got.most_common(4) == want.most_common(4)
        tally = _Tally(col)
        top = [k for k, _ in want.most_common(4)]
        assert (tally.answered, tally.distinct, tally.top) == (sum(want.values()), len(want), top)
        assert list(tally.counter.items()) == list(want.items())
    clean = [x for c in chunks for x in c if x is None or (x and x.strip() == x)]
    if clean:  # text that needs no stripping is summarised in Arrow: no Counter made
        assert _Tally(pa.chunked_array([pa.array(clean, pa.string())]))._counter is None


def test_inspect_summary_breaks_ties_in_first_seen_order():
    """Many answers with equal counts: the most common four are the first seen, as
    ``Counter.most_common`` gives them (an unstable sort would pick others)."""
    from cxkit.profile import _Tally

    rng = np.random.default_rng(3)
    labels = [f"L{i}" for i in rng.permutation(300)]
    cells = labels * 2 + labels[150:152] * 3
    want = Counter(cells)
    tally = _Tally(pa.chunked_array([pa.array(cells, pa.string())]))
    assert tally.top == [k for k, _ in want.most_common(4)]
    assert (tally.answered, tally.distinct) == (len(cells), 300)
