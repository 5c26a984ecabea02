"""Read survey files into an Arrow table, exactly as written, plus where it came from.

CSV/TSV text is read with every column as text (nothing is reinterpreted: ids keep their
leading zeros, labels their spelling); ``survey.py`` types and recodes the columns it needs.
Parquet keeps its own column types. ``-`` reads standard input.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .errors import InputError, UsageError

_DELIMITERS = (",", ";", "\t", "|")
_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(frozen=True)
class SourceInfo:
    """Where a table came from: recorded in every result's provenance."""

    path: str
    sha256: str
    rows: int
    format: str
    encoding: str | None = None
    delimiter: str | None = None

    def provenance(self) -> dict[str, object]:
        return {"path": self.path, "sha256": self.sha256, "rows": self.rows, "format": self.format}


@dataclass
class RawTable:
    """An input file as read: ``table`` holds every column, ``notes`` what was noticed."""

    table: pa.Table
    source: SourceInfo
    notes: list[str] = field(default_factory=list)


def _read_bytes(path: str) -> tuple[bytes, str]:
    if path == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError(
                "'-' means read standard input, but it is a terminal: pipe a file in "
                "(cxkit gap - < survey.csv) or name the file"
            )
        return sys.stdin.buffer.read(), "<stdin>"
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: file not found; check the path (cwd is {Path.cwd().name}/)")
    if p.is_dir():
        raise InputError(f"{path}: is a folder; name a survey file inside it")
    try:
        return p.read_bytes(), path
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read ({exc.strerror or exc}); check permissions"
        ) from None


def _sniff_kind(data: bytes) -> str:
    if data.startswith(b"PAR1"):
        return "parquet"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if data.startswith(b"$FL2") or data.startswith(b"$FL3"):
        return "sav"
    return "text"


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str, list[str]]:
    notes: list[str] = []
    if encoding:
        try:
            return data.decode(encoding), encoding, notes
        except LookupError:
            raise UsageError(f"--encoding {encoding!r} is not an encoding Python knows") from None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: is not valid {encoding} (byte {exc.start}); try another --encoding"
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig", notes
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", notes
        except UnicodeDecodeError:
            raise InputError(
                f"{name}: has a UTF-16 byte-order mark but is not valid UTF-16"
            ) from None
    if b"\x00" in data[:65536]:
        raise InputError(
            f"{name}: contains NUL bytes, so it is not a text CSV (binary data, or UTF-16 "
            "without a byte-order mark: pass --encoding utf-16-le)"
        )
    try:
        return data.decode("utf-8"), "utf-8", notes
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(
                f"{name}: is neither UTF-8 (invalid byte at offset {exc.start}) nor "
                "Windows-1252; pass --encoding"
            ) from None
        notes.append(
            f"{name}: not valid UTF-8 (first bad byte at offset {exc.start}), read as "
            "Windows-1252; pass --encoding to choose another"
        )
        return text, "cp1252", notes


def _sniff_delimiter(text: str) -> str:
    first = text[:65536].split("\n", 1)[0]
    counts = {d: 0 for d in _DELIMITERS}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _locate_csv_problem(text: str, delimiter: str, name: str, n_cols: int) -> str:
    """Find the first malformed record with the standard library (error path only)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for record in reader:
            if reader.line_num == 1:
                continue
            if len(record) != n_cols and record:
                return (
                    f"{name}: line {reader.line_num} has {len(record)} fields but the header "
                    f"has {n_cols} (ragged row); fix that line or re-export the file"
                )
    except csv.Error as exc:
        return (
            f"{name}: malformed CSV near line {reader.line_num} ({exc}); the file may be "
            "truncated or have an unclosed quote"
        )
    return f"{name}: malformed CSV; re-export the file"


def _read_text_csv(data: bytes, name: str, encoding: str | None, delimiter: str | None) -> RawTable:
    from pyarrow import csv as pacsv

    text, used_encoding, notes = _decode(data, name, encoding)
    if not text.strip():
        raise InputError(f"{name}: is empty; expected a header row and at least one response")
    delim = delimiter or _sniff_delimiter(text)
    header_reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        header = next(header_reader)
    except (csv.Error, StopIteration) as exc:
        raise InputError(f"{name}: the header row cannot be parsed ({exc})") from None
    header_raw = header
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        raise InputError(
            f"{name}: duplicate column names {', '.join(map(repr, dupes))}; rename them so "
            "each column has one name"
        )
    body = text.encode("utf-8") if used_encoding != "utf-8" else data
    if body.count(b'"') % 2:
        raise InputError(
            f"{name}: has an unclosed quote, so the file looks truncated or mis-quoted; "
            "re-export it"
        )
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in header_raw},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid:
        raise InputError(_locate_csv_problem(text, delim, name, len(header))) from None
    if table.num_columns != len(header):  # pragma: no cover - pyarrow and csv disagree
        raise InputError(f"{name}: the header could not be parsed consistently; re-export it")
    names = [h if h else f"\x00unnamed_{i}" for i, h in enumerate(header)]
    table = _drop_unnamed(table.rename_columns(names), name, notes)
    if table.num_rows == 0:
        raise InputError(f"{name}: has a header row but no responses")
    info = SourceInfo(
        path=name,
        sha256=hashlib.sha256(data).hexdigest(),
        rows=table.num_rows,
        format="csv" if delim != "\t" else "tsv",
        encoding=used_encoding,
        delimiter=_DELIM_NAMES[delim],
    )
    return RawTable(table, info, notes)


def _drop_unnamed(table: pa.Table, name: str, notes: list[str]) -> pa.Table:
    keep = []
    for i, col in enumerate(table.column_names):
        if not col.startswith("\x00unnamed_"):
            keep.append(i)
            continue
        if table.column(i).null_count != table.num_rows:
            raise InputError(
                f"{name}: column {i + 1} has answers but no name in the header; give it a name"
            )
        notes.append(f"{name}: dropped empty column {i + 1} with no name (trailing delimiter)")
    return table.select(keep)


def _read_parquet(data: bytes, name: str) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{name}: is not a readable Parquet file ({exc})") from None
    if table.num_rows == 0:
        raise InputError(f"{name}: has columns but no responses")
    info = SourceInfo(name, hashlib.sha256(data).hexdigest(), table.num_rows, "parquet")
    return RawTable(table, info, [])


def read_table(
    path: str | Path, *, encoding: str | None = None, delimiter: str | None = None
) -> RawTable:
    """Read one survey file (CSV/TSV in any common encoding, or Parquet).

    Parameters
    ----------
    path : str or Path
        The file, or ``"-"`` for standard input.
    encoding : str, optional
        Force a text encoding; by default a byte-order mark, then UTF-8, then Windows-1252.
    delimiter : str, optional
        Force the field delimiter; by default sniffed from the header among ``, ; TAB |``.

    Returns
    -------
    RawTable
        Every column of the file and its :class:`SourceInfo`.

    Raises
    ------
    InputError
        The file is missing, empty, binary, malformed, or has duplicate column names.
    """
    data, name = _read_bytes(str(path))
    if not data:
        raise InputError(f"{name}: is empty; expected a header row and at least one response")
    kind = _sniff_kind(data)
    if kind == "parquet":
        return _read_parquet(data, name)
    if kind in ("zip", "ole"):
        raise InputError(
            f"{name}: is an Excel workbook or zip archive, not CSV; save it as CSV (UTF-8) "
            "and pass that file"
        )
    if kind == "sav":
        raise InputError(f"{name}: is an SPSS .sav file; export it as CSV and pass that file")
    return _read_text_csv(data, name, encoding, delimiter)
