"""read_table's plain-CSV path: the same answer as the general all-text read, only faster.

Every read of a plain text file tries pyarrow's reader first (:mod:`cxkit.formats.fast`);
the reference here is the general text read (:func:`general_read`). A typed read may differ
from it in one way only: columns of canonical integers arrive as int8/int16. Everything
else (names, rows, notes, meta, errors) must be identical, an untyped read identical in
every way, and a projection must equal reading everything and then selecting.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import read as reader
from cxkit.errors import CxkitError
from cxkit.formats import fast
from cxkit.formats.fast import lenient_ints
from cxkit.read import read_table

from .data.make_bad_corpus import write

ROOT = Path(__file__).resolve().parents[1]
TEXT_FILES = sorted(
    p
    for folder in (ROOT / "tests" / "fixtures", ROOT / "examples")
    for p in folder.rglob("*")
    if p.suffix.lower() in (".csv", ".tsv", ".txt")
)


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("bad")
    write(folder)
    return sorted(p for p in folder.iterdir() if p.is_file())


def as_text(col: pa.ChunkedArray) -> list:
    """Values as the text read gives them: integers as text, dictionaries decoded."""
    if pa.types.is_integer(col.type) or pa.types.is_dictionary(col.type):
        col = pc.cast(col, pa.string())
    return col.to_pylist()


def typed_as(typed: pa.DataType, text: pa.DataType) -> bool:
    """A typed read may give integers for text, and (Parquet) dictionary-encoded text."""
    if typed == text:
        return True
    if pa.types.is_dictionary(typed):
        return typed.value_type == text
    return pa.types.is_integer(typed) and text == pa.string()


def general_read(path: Path, **kw):
    """``read_table`` through the general text read alone (no plain-CSV path)."""
    with mock.patch.object(reader, "_fast_text", lambda *a: False):
        return read_table(path, **kw)


def assert_same_as_text(path: Path, **kw) -> pa.Table | None:
    """The typed read equals the general text read up to integer columns, and the untyped
    read equals it exactly; returns the typed table."""
    try:
        text = general_read(path, **kw)
    except CxkitError as exc:
        for typed in (True, False):
            with pytest.raises(type(exc)) as fast_exc:
                read_table(path, typed=typed, **kw)
            assert str(fast_exc.value) == str(exc)
        return None
    untyped = read_table(path, **kw)
    assert untyped.table.equals(text.table)
    assert (untyped.source, untyped.notes, untyped.meta) == (text.source, text.notes, text.meta)
    typed = read_table(path, typed=True, **kw)
    assert typed.table.column_names == text.table.column_names
    assert typed.table.num_rows == text.table.num_rows
    assert typed.source == text.source
    assert typed.notes == text.notes
    assert typed.meta == text.meta
    for name in text.table.column_names:
        t = typed.table.column(name)
        was = text.table.column(name)
        assert typed_as(t.type, was.type), (name, t.type, was.type)
        assert as_text(t) == as_text(was), name
    return typed.table


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_typed_read_of_every_fixture_and_example_matches_the_text_read(path):
    assert_same_as_text(path)


@pytest.mark.parametrize(
    "folder", ["tests/fixtures/drops_csv", "tests/fixtures/drops_parquet", "examples/drops"]
)
def test_typed_read_of_a_folder_matches_the_text_read(folder):
    assert_same_as_text(ROOT / folder)


def test_typed_read_of_the_bad_corpus_matches_the_text_read(bad_files):
    for path in bad_files:
        assert_same_as_text(path)


def write_csv(tmp_path: Path, text: str | bytes, name: str = "s.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


HEAD = "id,role,q1,q2\n"
ROWS = "".join(f"{i},customer,{1 + i % 5},{i % 3}\n" for i in range(1, 2101))


def test_a_plain_survey_arrives_with_small_integer_columns(tmp_path):
    p = write_csv(tmp_path, HEAD + "-300,executive,,300\n" + ROWS)
    table = assert_same_as_text(p)
    labels = pa.dictionary(pa.int32(), pa.string())  # few distinct texts: a dictionary
    assert table.schema.types == [pa.int16(), labels, pa.int8(), pa.int16()]


def test_many_distinct_texts_stay_strings(tmp_path):
    rows = "".join(f"{i},comment {i},3,1\n" for i in range(200))
    p = write_csv(tmp_path, "id,comment,q1,q2\n" + rows)
    table = assert_same_as_text(p)
    assert table.schema.field("comment").type == pa.string()


@pytest.mark.parametrize(
    "late",
    [
        "Agree",  # a word after thousands of numbers
        "4.5",
        " 4",  # pyarrow would trim it to 4
        "4 ",
        "\t4",
        '" 4"',
        "NA",
        "40000",  # out of int16 range
        "007",  # pyarrow would read 7
        "-0",  # pyarrow would read 0
        "00",
        "0x7",  # pyarrow would read 7
        "+4",
    ],
)
def test_a_late_cell_that_is_not_a_canonical_small_integer_gives_the_text_read(tmp_path, late):
    p = write_csv(tmp_path, HEAD + ROWS + f"2101,executive,{late},1\n" + ROWS)
    table = assert_same_as_text(p)
    assert table.column("q1").type == pa.string()


@pytest.mark.parametrize(
    "body",
    [
        HEAD + ROWS + "9,customer,1\n",  # ragged row (error: same message)
        HEAD + ROWS + "9,customer,1,2,3\n",
        HEAD + '1,customer,"4","2"\n2,"employee",5,""\n',  # quoted numbers and a quoted blank
        HEAD.replace("\n", "\r\n") + ROWS.replace("\n", "\r\n"),  # CRLF
        "\ufeff" + HEAD + ROWS,  # byte-order mark
        HEAD,  # header only
        "id,role,q1,q2",  # header only, no line end
        HEAD + "1,,,\n2,customer,,\n",  # blank cells
        "id,q1,q1\n1,2,3\n",  # duplicate names
        "id,q1,\n1,2,\n3,4,\n",  # trailing delimiter: empty unnamed column dropped
        "id,q1,\n1,2,5\n3,4,\n",  # unnamed column with answers
        "id,,q1\n1,,2\n",
        "id,q1\n\n1,2\n\n3,4\n",  # blank lines
        '"id","q\n1"\n1,2\n',  # quoted line break in the header
        'id,comment\n1,"line one\nline two"\n2,ok\n',  # and in a value
        "id\tq1\tq2\n1\t2\t3\n4\t5\t\n",  # TSV
        "id;q1\n1;2,5\n2;3\n",  # semicolon: decimal comma, never typed
        "id|q1\n1|2\n",
        "Timestamp,Q\n2026-01-01,3\n",  # Google Forms: never typed
        "id,q1\n-1,-128\n2,127\n",
        "id,q1\n1,2\n0,3\n",
        "id,q1\n1,2\n3,4",  # no final line end
        "id,q1\r1,2\r3,4\r",  # old Mac line ends
    ],
)
def test_awkward_files_read_typed_as_they_read_as_text(tmp_path, body):
    assert_same_as_text(write_csv(tmp_path, body))


def test_invalid_utf8_in_an_unread_column_still_gives_the_windows_1252_read(tmp_path):
    p = write_csv(tmp_path, b"id,comment,q1\n1,caf\xe9,4\n2,ok,5\n")
    pick = lambda names: ["q1"]  # noqa: E731
    typed = read_table(p, typed=True, columns=pick)
    text = read_table(p).table.select(["q1"])
    assert typed.source.encoding == "cp1252"
    assert typed.notes == read_table(p).notes
    assert as_text(typed.table.column("q1")) == text.column("q1").to_pylist()


def test_finished_only_note_is_kept_on_a_plain_file(tmp_path):
    assert_same_as_text(write_csv(tmp_path, HEAD + ROWS), finished_only=True)


def test_lenient_integer_scan():
    for ok in (b"1,2,3\n4,5,6\n", b"10,0,20\n0,0\n", b"a b,c\n", b"x,0.5\n", b"x,2026-01-05\n"):
        assert not lenient_ints(ok, ","), ok
    for bad in (b"1,007\n", b"1,-0\n", b"1,0x1\n", b"1, 4\n", b"1,4 \n", b'1," 4"\n', b"07,1\n"):
        assert lenient_ints(bad, ","), bad
    for bad in (b"1|007\n", b"1|-0\n", b"x|0x1|2\n"):  # a delimiter above the sign, `-`
        assert lenient_ints(bad, "|"), bad
    assert not lenient_ints(b"1|0|20\n0|0.5\n", "|")


def lenient_reference(body: bytes, delim: str) -> bool:
    """The rule of :func:`lenient_ints`, byte by byte (a line end stands outside the buffer)."""
    n = len(body)

    def b(i: int) -> int:
        return 10 if i < 0 or i >= n else body[i]

    bound = {ord(delim), 10, 13, 34}
    follow, signed = set(b"0123456789xX"), set(b"0123456789- \t")
    blanks = {32} if delim == "\t" else {32, 9}
    for i, x in enumerate(body):
        if x == 48 and b(i - 1) in bound and b(i + 1) in follow:
            return True
        if x == 48 and b(i - 1) == 45 and b(i - 2) in bound:
            return True
        if x in blanks and (
            (b(i - 1) in bound and b(i + 1) in signed) or (b(i - 1) in signed and b(i + 1) in bound)
        ):
            return True
        if delim == "\t" and x == 9 and 34 in (b(i - 1), b(i + 1)):
            return True
    return False


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet='0123456789x-.,| \t\n\r"ab', max_size=120),
    st.sampled_from([",", "\t", "|"]),
    st.sampled_from([3, 7, 1 << 22]),
)
def test_lenient_scan_follows_its_rule(text, delim, chunk):
    """Whatever the bytes and wherever the scan's chunks end."""
    body = text.encode()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fast, "_CHUNK", chunk)
        assert lenient_ints(body, delim) == lenient_reference(body, delim)


# --- the sample's column types --------------------------------------------------------


def int_type_reference(values: list[str]) -> pa.DataType | None:
    """The rule cell by cell: every cell blank or canonical (``0``, ``-12``; not ``007``,
    ``-0``, ``+1`` or six digits), one at least not blank, the range with 0 in int16."""
    seen = [int(v) for v in values if v]
    if not seen or not all(v == "" or re.fullmatch(r"0|-?[1-9][0-9]{0,4}", v) for v in values):
        return None
    lo, hi = min(0, *seen), max(0, *seen)
    if lo < -32768 or hi > 32767:
        return None
    return pa.int8() if lo >= -128 and hi <= 127 else pa.int16()


def decimal_reference(values: list[str]) -> bool:
    return any(values) and all(v == "" or re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", v) for v in values)


CELLS = st.one_of(
    st.sampled_from(["", "0", "-0", "007", "1", "-1", "5", "127", "128", "-128", "-129",
                     "32767", "32768", "-32768", "-32769", "99999", "100000", "1.5", "-2.25",
                     ".5", "1.", "1\n2", "\n", "3\r", " 4", "x"]),
    st.text(alphabet="0123456789-.\n ", max_size=7),
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(CELLS, max_size=30))
def test_sample_column_types_follow_the_cell_by_cell_rule(values):
    """Checking the sample's distinct values decides as checking each cell would."""
    try:
        expected = int_type_reference(values)
    except ValueError:  # int() of a non-canonical cell such as "1.5": not an integer column
        expected = None
    assert fast._int_type(set(values)) == expected
    assert fast._decimal(set(values)) == decimal_reference(values)


# --- projection ------------------------------------------------------------------------


def items(names: list[str]) -> list[str]:
    return [n for n in names if n.startswith("q") or n in ("role", "wave", "nope")]


def assert_projection(path: Path, **kw) -> None:
    whole = general_read(path, **kw)
    seen: list[list[str]] = []

    def pick(names):
        seen.append(names)
        return items(names)

    part = read_table(path, columns=pick, **kw)
    assert seen and seen[-1] == whole.table.column_names
    # a platform's respondent id column is kept: duplicates are found by it
    kept = [c for c in whole.table.column_names if items([c]) or c == whole.meta.id_col]
    assert part.table.column_names == kept
    assert part.table.equals(whole.table.select(kept))
    assert part.source == whole.source
    assert part.notes == whole.notes
    assert part.meta == whole.meta


def test_projection_of_a_csv_and_a_tsv(tmp_path):
    assert_projection(write_csv(tmp_path, HEAD + ROWS))
    assert_projection(write_csv(tmp_path, HEAD.replace(",", "\t") + ROWS.replace(",", "\t")))
    assert_projection(write_csv(tmp_path, "id,q1,\n1,2,\n", "blank.csv"))
    assert_projection(ROOT / "tests" / "fixtures" / "plain_semicolon.csv")


def test_projection_with_typed_keeps_only_the_chosen_columns(tmp_path):
    p = write_csv(tmp_path, HEAD + ROWS)
    raw = read_table(p, typed=True, columns=lambda names: ["q2", "role", "unknown"])
    assert raw.table.column_names == ["role", "q2"]
    assert raw.table.column("q2").type == pa.int8()
    assert raw.source == read_table(p).source
    assert read_table(p, columns=lambda names: []).source.rows == 2100


def test_projection_of_parquet_file_and_partitioned_folder(tmp_path):
    table = read_table(HEAD_FILE(tmp_path)).table
    pq.write_table(table, tmp_path / "s.parquet")
    assert_projection(tmp_path / "s.parquet")
    raw = read_table(tmp_path / "s.parquet", columns=items)
    assert raw.source.sha256 == hashlib.sha256((tmp_path / "s.parquet").read_bytes()).hexdigest()
    assert raw.source.rows == 2100
    assert_projection(ROOT / "tests" / "fixtures" / "drops_parquet")
    assert_projection(ROOT / "tests" / "fixtures" / "drops_csv")
    raw = read_table(ROOT / "tests" / "fixtures" / "drops_parquet", columns=lambda n: ["q1"])
    assert "wave" not in raw.table.column_names


def HEAD_FILE(tmp_path: Path) -> Path:  # noqa: N802
    return write_csv(tmp_path, HEAD + ROWS, "for_parquet.csv")


@pytest.mark.parametrize(
    "name", ["qualtrics_numeric.csv", "surveymonkey.csv", "study.xlsx", "study.sav"]
)
def test_projection_of_platform_exports(name):
    assert_projection(ROOT / "tests" / "fixtures" / name)


def test_a_single_parquet_file_is_read_without_pyarrow_dataset():
    code = (
        "import sys; from cxkit.read import read_table; "
        f"read_table({str(ROOT / 'tests' / 'fixtures' / 'study.parquet')!r}); "
        "print('pyarrow.dataset' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _opts(**kw) -> dict:
    base = {"sheet": None, "finished_only": False, "include_preview": False, "options": {},
            "columns": None, "typed": True, "decimals": ()}  # fmt: skip
    return {**base, **kw}


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_mapped_file_reads_as_its_bytes_do(path):
    """A named file is mapped, stdin arrives as bytes: the two give the same read (the
    bytes route is the one the fast path had before files were mapped)."""
    from cxkit.read import _mapped, _read_text

    mapped = _mapped(str(path))
    assert mapped is not None
    for opts in (_opts(), _opts(columns=lambda names: names[1:])):
        try:
            want = _read_text(path.read_bytes(), str(path), None, None, opts)
        except CxkitError as exc:
            with pytest.raises(type(exc), match=re.escape(str(exc))):
                _read_text(mapped, str(path), None, None, opts)
            continue
        got = _read_text(mapped, str(path), None, None, opts)
        assert got.table.equals(want.table)
        assert (got.source, got.notes, got.meta) == (want.source, want.notes, want.meta)


def test_what_is_not_mapped(tmp_path):
    from cxkit.read import _mapped

    (tmp_path / "empty.csv").write_bytes(b"")
    assert _mapped("-") is None
    assert _mapped(str(tmp_path)) is None
    assert _mapped(str(tmp_path / "empty.csv")) is None
    assert _mapped(str(tmp_path / "missing.csv")) is None


def test_a_mapped_file_that_needs_the_text_read_gets_it(tmp_path):
    """A late ``007`` sends a mapped file to the all-text read, which needs real bytes."""
    p = write_csv(tmp_path, HEAD + ROWS + "9999,customer,007,1\n")
    table = assert_same_as_text(p)
    assert table.column("q1").type == pa.string()


def test_parse_blocks_are_about_a_sixteenth_of_the_file_within_bounds():
    """Few enough chunks per column for the steps that walk them, enough to parse on every
    core: 1 MiB at least, 16 MiB at most."""
    assert fast._block_size(1000) == 1 << 20
    assert fast._block_size(80 << 20) == 5 << 20
    assert fast._block_size(400 << 20) == 16 << 20
