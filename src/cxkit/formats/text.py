"""Text files to records: encoding, delimiter, and a pyarrow parse with every cell as text.

The parse keeps the header rows as records (``f0`` … ``fN`` columns), so platform exports with
two or three header records, and question text holding quoted line breaks, are handled by the
same fast path as a plain CSV; ``platforms`` then decides how many records are header.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pyarrow as pa

from ..errors import InputError, UsageError

DELIMITERS = (",", ";", "\t", "|")
DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str, list[str]]:
    """Bytes -> text: a forced encoding, else a BOM, else UTF-8, else Windows-1252."""
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
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", notes
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: has a UTF-8 byte-order mark but is not valid UTF-8 (byte "
                f"{exc.start}); re-export it or pass --encoding"
            ) from None
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
        check_is_text(data[:65536].decode("latin-1"), name)
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(
                f"{name}: is in an unknown encoding: neither UTF-8 (invalid byte at offset "
                f"{exc.start}) nor Windows-1252; pass --encoding NAME (e.g. latin-1, utf-16)"
            ) from None
        notes.append(
            f"{name}: not valid UTF-8 (first bad byte at offset {exc.start}), read as "
            "Windows-1252; pass --encoding to choose another"
        )
        return text, "cp1252", notes


def check_is_text(text: str, name: str) -> None:
    """Refuse binary data that happened to decode (a random file named .csv)."""
    sample = text[:65536]
    bad = len(_CONTROL.findall(sample))
    if bad > max(2, len(sample) // 200):
        raise InputError(
            f"{name}: holds binary data ({bad} control characters in the first "
            f"{len(sample)}), not CSV text; check that it is the survey export"
        )


def sniff_delimiter(text: str) -> str:
    """The most frequent of ``, ; TAB |`` outside quotes in the first record."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in text[:65536]:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            if ch == "\n":
                break
            if ch in counts:
                counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _locate_problem(text: str, delimiter: str, name: str, n_cols: int) -> str:
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


class NotUtf8Error(Exception):
    """pyarrow met invalid UTF-8 on the fast path: decode the file and parse again."""


def convert_options(types: dict[str, pa.DataType], include: list[str] | None = None):
    """pyarrow CSV conversion as cxkit reads text: the given column types, only empty cells
    (quoted or not) are missing."""
    from pyarrow import csv as pacsv

    return pacsv.ConvertOptions(
        column_types=types,
        include_columns=include or [],
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )


def parse_records(
    body: bytes, head: str, name: str, delimiter: str | None, text: Callable[[], str]
) -> tuple[pa.Table, str]:
    """Parse every record (header rows included) into string columns ``f0`` … ``fN``.

    ``body`` is UTF-8; ``head`` its first megabyte as text (for the delimiter and the header);
    ``text()`` gives the whole text, only needed to locate a problem on the error path.
    Raises :class:`NotUtf8Error` if ``body`` is not valid UTF-8.
    """
    from pyarrow import csv as pacsv

    delim = delimiter or sniff_delimiter(head)
    try:
        first = next(csv.reader(io.StringIO(head, newline=""), delimiter=delim))
    except (csv.Error, StopIteration) as exc:
        raise InputError(f"{name}: the header row cannot be parsed ({exc})") from None
    n = len(first)
    quotes = body.count(b'"') if b'"' in body else 0  # `in` is a memchr: fast when none
    if quotes % 2:
        raise InputError(
            f"{name}: has an unclosed quote, so the file looks truncated or mis-quoted; "
            "re-export it"
        )
    names = [f"f{i}" for i in range(n)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names),
            # quoted line breaks are only possible where there are quotes
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=quotes > 0),
            convert_options=convert_options(dict.fromkeys(names, pa.string())),
        )
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "UTF-8" in str(exc):
            raise NotUtf8Error from None
        raise InputError(_locate_problem(text(), delim, name, n)) from None
    return table, delim
