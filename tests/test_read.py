"""Readers: encodings, delimiters and the malformed files analysts actually receive."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.errors import InputError
from cxkit.read import read_table

ROWS = [["id", "role", "q1"], ["007", "executive", "4"], ["008", "customer", "2"]]


def _text(delim: str = ",", newline: str = "\n") -> str:
    return newline.join(delim.join(r) for r in ROWS) + newline


@pytest.mark.parametrize(
    ("name", "data", "encoding", "delimiter"),
    [
        ("utf8.csv", _text().encode(), "utf-8", "comma"),
        ("bom.csv", b"\xef\xbb\xbf" + _text().encode(), "utf-8-sig", "comma"),
        ("crlf.csv", _text(newline="\r\n").encode(), "utf-8", "comma"),
        ("semi.csv", _text(";").encode(), "utf-8", "semicolon"),
        ("tab.tsv", _text("\t").encode("utf-16"), "utf-16", "tab"),
        ("pipe.csv", _text("|").encode("cp1252"), "utf-8", "pipe"),
    ],
)
def test_encodings_and_delimiters_read_the_same_table(tmp_path, name, data, encoding, delimiter):
    path = tmp_path / name
    path.write_bytes(data)
    raw = read_table(path)
    assert raw.table.column_names == ["id", "role", "q1"]
    assert raw.table.column("id").to_pylist() == ["007", "008"]  # text kept exactly
    assert raw.source.encoding == encoding
    assert raw.source.delimiter == delimiter
    assert raw.source.rows == 2


def test_cp1252_smart_quotes_fall_back_with_a_note(tmp_path):
    path = tmp_path / "win.csv"
    path.write_bytes("role,comment\ncustomer,\u201cgreat\u201d service\n".encode("cp1252"))
    raw = read_table(path)
    assert raw.table.column("comment").to_pylist() == ["\u201cgreat\u201d service"]
    assert raw.source.encoding == "cp1252"
    assert any("Windows-1252" in n for n in raw.notes)


def test_quoted_newlines_in_header_and_cells(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('role,"How likely\nto recommend?"\ncustomer,"9"\n', encoding="utf-8")
    raw = read_table(path)
    assert raw.table.column_names == ["role", "How likely\nto recommend?"]


def test_parquet_keeps_types(tmp_path):
    path = tmp_path / "s.parquet"
    pq.write_table(pa.table({"role": ["customer"], "q1": [3]}), path)
    raw = read_table(path)
    assert raw.source.format == "parquet"
    assert raw.table.column("q1").type == pa.int64()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b"role,q1\n", "no responses"),
        (b'role,q1\ncustomer,4\nexecutive,"5\n', "unclosed quote"),
        (b"role,q1\ncustomer,4,4\n", "line 2 has 3 fields"),
        (b"role,q1\ncus\x00tomer,4\n", "NUL bytes"),
        (b"role,role\ncustomer,4\n", "duplicate column names 'role'"),
        (b"PK\x03\x04\x14\x00", "Excel workbook"),
        (b"PAR1garbage", "not a readable Parquet file"),
        (b"role,,q1\ncustomer,x,4\n", "column 2 has answers but no name"),
    ],
)
def test_malformed_files_raise_input_errors(tmp_path, data, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as info:
        read_table(path)
    assert "bad.csv" in str(info.value)
    assert "\n" not in str(info.value)


def test_trailing_delimiter_column_is_dropped_with_a_note(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"role,q1,\ncustomer,4,\n")
    raw = read_table(path)
    assert raw.table.column_names == ["role", "q1"]
    assert raw.notes and "trailing delimiter" in raw.notes[0]


_CELL = st.text(
    alphabet=st.sampled_from(list("ab ,;\t|\"'\n=+-@é’“”0123456789")), min_size=0, max_size=8
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(_CELL, _CELL, _CELL), min_size=1, max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_any_text_round_trips_through_the_reader(tmp_path_factory, rows, encoding, newline):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(["id", "answer", "comment"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("rt") / "t.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    raw = read_table(path)
    got = list(zip(*(raw.table.column(c).to_pylist() for c in raw.table.column_names), strict=True))
    assert [tuple(v or "" for v in r) for r in got] == [tuple(r) for r in rows]


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("typed", [False, True])  # the byte read and the mapped fast read
def test_a_file_that_changes_while_it_is_read_is_an_error(tmp_path, monkeypatch, typed):
    """A drop still being written (or rewritten) is refused, not half-analysed."""
    import cxkit.read as read

    p = tmp_path / "s.csv"
    p.write_text("id,q1\n1,4\n2,5\n")
    real = read._read_file

    def writer_appends(*args, **kw):
        raw = real(*args, **kw)
        with p.open("a") as fh:
            fh.write("3,1\n")
        return raw

    monkeypatch.setattr(read, "_read_file", writer_appends)
    with pytest.raises(InputError, match=r"s\.csv: changed while it was being read"):
        read_table(p, typed=typed)
    monkeypatch.setattr(read, "_read_file", real)
    assert read_table(p, typed=typed).table.num_rows == 3  # once written, it reads


@pytest.mark.parametrize(
    ("name", "typed", "noted"),
    [("plain_semicolon.csv", False, True), ("google_forms.csv", True, True),
     ("study.parquet", True, True), ("study.sav", False, True), ("study.xlsx", False, False)],
)  # fmt: skip
def test_sheet_is_noted_wherever_the_file_is_not_a_workbook(name, typed, noted):
    raw = read_table(FIXTURES / name, sheet="1", typed=typed)
    note = f"{FIXTURES / name}: --sheet 1 ignored: the file is not a workbook"
    assert (note in raw.notes) == noted
