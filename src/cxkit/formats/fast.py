"""A plain CSV/TSV read that converts only the columns asked for, small integers as integers.

Used by ``read_table(..., columns=..., typed=True)`` on a plain UTF-8 file (one header record,
not a platform export, not ``;``-delimited). It returns ``None`` whenever it cannot be sure
to give the same answer as the all-text reader (:func:`cxkit.formats.text.parse_records`):
the caller then reads the file the ordinary way, which gives today's table or today's error.

Integer columns are chosen from a sample of the first records: a column whose sample values
are blank or canonical integers (``0``, ``-12``; never ``007``) fitting int16 is read as
``int8``/``int16``. pyarrow's integer parser is more lenient than that (it accepts ``007``,
``-0``, ``0x7`` and surrounding blanks), so the bytes are scanned for any cell that could
parse to an integer without being written canonically; if one exists the fast read gives up.
"""

from __future__ import annotations

import csv
import io
import mmap
import re
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from itertools import zip_longest

import numpy as np
import pyarrow as pa

from ..errors import InputError
from .text import check_is_text, convert_options, sniff_delimiter

_CANONICAL = re.compile(r"(0|-?[1-9][0-9]{0,4})")
_SAMPLE = 2000
_CHUNK = 1 << 22
#: a text column with at most this many distinct values in the sample is read as a dictionary
_FEW = 64
_LABELS = pa.dictionary(pa.int32(), pa.string())

Projection = Callable[[list[str]], Collection[str]]


def _sample(head: str, delim: str, complete: bool) -> list[list[str]] | None:
    """Header record and the first data records of ``head`` (``None`` if unparseable)."""
    records: list[list[str]] = []
    try:
        for rec in csv.reader(io.StringIO(head, newline=""), delimiter=delim, strict=True):
            if rec:  # pyarrow skips empty lines
                records.append(rec)
            if len(records) > _SAMPLE + 1:
                break
    except csv.Error:
        return None
    if not complete and len(records) <= _SAMPLE + 1 and len(records) > 1:
        records.pop()  # the last record of a cut-off head may be partial
    return records


_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _decimal(distinct: Collection[str]) -> bool:
    """Every distinct sample value blank or a plain decimal number, one at least not blank."""
    return any(distinct) and all(v == "" or _DECIMAL.fullmatch(v) for v in distinct)


def _int_type(distinct: Collection[str]) -> pa.DataType | None:
    """``int8``/``int16`` if every distinct sample value is blank or a canonical integer of
    that range (and one at least is not blank), else ``None``.

    The sample's distinct values, not its cells, are checked: an item column holds a
    handful of them, however long the sample.
    """
    ints = []
    for v in distinct:
        if v:
            if not _CANONICAL.fullmatch(v):
                return None
            ints.append(int(v))
    if not ints:
        return None
    lo, hi = min(ints), max(ints)
    if lo < -32768 or hi > 32767:
        return None
    return pa.int8() if lo >= -128 and hi <= 127 else pa.int16()


def _lut(chars: str) -> np.ndarray:
    table = np.zeros(256, bool)
    table[[ord(c) for c in chars]] = True
    return table


def lenient_ints(body: bytes | memoryview, delim: str) -> bool:
    """Whether any cell could parse to an integer without being written canonically.

    Conservative: true for a cell that starts with ``0`` or ``-0`` followed by more
    characters (``007``, ``-0``, ``0x7``), or that starts or ends with a space or tab
    next to a digit or sign (pyarrow trims those), wherever it is: a text column may cause
    a false alarm, which only costs the all-text read.
    """
    a = np.frombuffer(body, np.uint8)
    n = len(a)
    bounds = _lut(delim + '\n\r"')  # what can stand before a cell or after it
    follow = _lut("0123456789xX")
    signed = _lut("0123456789- \t")
    if delim == "\t":
        blanks = (32,)
        tab_in_quotes = _lut('"')
    else:
        blanks, tab_in_quotes = (32, 9), None

    def at(idx: np.ndarray) -> np.ndarray:
        """Bytes at ``idx``, a line end outside the buffer (a cell starts the file)."""
        out = a[np.clip(idx, 0, max(n - 1, 0))] if n else np.zeros(len(idx), np.uint8)
        out[(idx < 0) | (idx >= n)] = 10
        return out

    mask, more = np.empty(min(n, _CHUNK), bool), np.empty(min(n, _CHUNK), bool)
    before = np.empty(min(n, _CHUNK), np.uint8)
    for lo in range(0, n, _CHUNK):
        c = a[lo : lo + _CHUNK]
        hit, other = mask[: len(c)], more[: len(c)]  # reused: no page faults per chunk
        if lo:
            prev = a[lo - 1 : lo - 1 + len(c)]
        else:  # a line end before the first byte
            prev = before[: len(c)]
            prev[0], prev[1:] = 10, c[:-1]
        # a zero that starts a cell or follows a sign: every boundary byte and the sign
        # are <= 45 (`-`), bar a delimiter such as `|`; most zeros are inside numbers
        np.less_equal(prev, 45, out=hit)
        if ord(delim) > 45:
            hit |= np.equal(prev, ord(delim), out=other)
        hit &= np.equal(c, 48, out=other)
        z = np.flatnonzero(hit) + lo
        before_z = at(z - 1)
        if np.any(follow[at(z[bounds[before_z]] + 1)]):
            return True  # 0…
        if np.any(bounds[at(z[before_z == 45] - 2)]):
            return True  # -0…
        np.equal(c, blanks[0], out=hit)
        for b in blanks[1:]:
            hit |= np.equal(c, b, out=other)
        w = np.flatnonzero(hit) + lo
        prev, nxt = at(w - 1), at(w + 1)
        if np.any((bounds[prev] & signed[nxt]) | (signed[prev] & bounds[nxt])):
            return True  # a blank that pyarrow would trim off a number
        if tab_in_quotes is not None:
            t = np.flatnonzero(c == 9) + lo
            if np.any(tab_in_quotes[at(t - 1)] | tab_in_quotes[at(t + 1)]):
                return True  # a tab inside a quoted cell of a TSV
    return False


def read_plain(
    data: bytes | mmap.mmap,
    name: str,
    delimiter: str | None,
    *,
    columns: Projection | None,
    typed: bool,
    finished_only: bool,
    decimals: Collection[str] = (),
) -> tuple[pa.Table, list[str], str, str] | None:
    """(table, notes, delimiter, encoding) of a plain text file, or ``None`` to read it the
    ordinary way. Only kept columns are converted; with ``typed``, small-integer columns
    arrive as ``int8``/``int16``. ``data`` may be the file mapped into memory."""
    from pyarrow import csv as pacsv

    from . import platforms

    bom = data[:3] == b"\xef\xbb\xbf"
    body = memoryview(data)[3:] if bom else memoryview(data)
    if bytes(body[:2]) in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in bytes(body[:65536]):
        return None
    if not (_is_ascii(data) or _valid_utf8(body)):
        return None
    cut = len(body) > 1 << 20
    head = bytes(body[: 1 << 20]).decode("utf-8", errors="ignore")
    if not head.strip() or head[0] in "\r\n":
        return None
    try:
        check_is_text(head, name)
    except InputError:
        return None
    delim = delimiter or sniff_delimiter(head)
    if delim == ";":
        return None
    first_nl = bytes(body[: 1 << 20]).find(b"\n")
    if first_nl < 0 or bytes(body[:first_nl]).count(b'"') % 2:
        return None  # header without a line end, or with a quoted line break
    sample = _sample(head, delim, not cut)
    if not sample or len(sample) < 2:
        return None
    if platforms.detect(sample[:3]) != "plain":
        return None
    names = [c.strip() for c in sample[0]]
    start = len(data) - len(body) + first_nl + 1  # the first data byte
    # find is a memchr: counting is only paid when the data (not the header) hold quotes
    quotes = _count_quotes(data, start) if data.find(b'"', start) >= 0 else 0
    if quotes % 2:
        return None
    n = len(names)
    fields = [f"f{i}" for i in range(n)]
    plain_header = all(names) and len(set(names)) == n
    wanted = None if columns is None else set(columns([h for h in names if h]))
    include = [
        f for f, h in zip(fields, names, strict=True) if wanted is None or h in wanted or not h
    ]
    if not plain_header:
        include = fields  # name_columns sees every column, with its real position
    types = dict.fromkeys(include, pa.string())
    if typed:
        # the sample's columns (a short record's missing cells count as blank)
        by_column = list(zip_longest(*sample[1:], fillvalue=""))
        for i, f in enumerate(fields):
            if f in types:
                distinct = set(by_column[i]) if i < len(by_column) else {""}
                t = _int_type(distinct)
                if t is not None:
                    types[f] = t
                elif names[i] in decimals and _decimal(distinct):
                    types[f] = pa.float64()  # a weight: parsed as float() would parse it
                elif len(distinct) <= _FEW:
                    types[f] = _LABELS  # a role or segment: labels and an index per row
    ints = any(pa.types.is_integer(t) for t in types.values())
    rest = pa.py_buffer(body).slice(first_nl + 1)
    if not include:
        include = fields[:1]  # an empty include list means "every column" to pyarrow
    # the scan for integers pyarrow would accept but text would not runs beside the parse
    pool = ThreadPoolExecutor(max_workers=1) if ints else None
    lenient = pool.submit(lenient_ints, rest, delim) if pool else None
    try:
        table = pacsv.read_csv(
            pa.BufferReader(rest),
            read_options=pacsv.ReadOptions(column_names=fields, block_size=_block_size(len(rest))),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=quotes > 0),
            convert_options=convert_options(types, include),
        )
    except (pa.ArrowException, ValueError):
        return None
    finally:
        if pool is not None:
            pool.shutdown(wait=False)
    if table.num_rows == 0 or (lenient is not None and lenient.result()):
        return None
    notes: list[str] = []
    if plain_header:
        table = table.rename_columns([names[int(f[1:])] for f in table.column_names])
    else:
        table = platforms.name_columns(table, names, name, notes)
    if wanted is not None:
        table = table.select([c for c in table.column_names if c in wanted])
    if finished_only:
        notes.append(f"{name}: --finished-only ignored: a plain export has no Finished column")
    return table, notes, delim, "utf-8-sig" if bom else "utf-8"


def _block_size(n: int) -> int:
    """pyarrow's parse block for ``n`` bytes: about 16 blocks, 1-16 MiB each.

    A block becomes one chunk of every column, and each later step walks the chunks in
    Python: pyarrow's 1 MiB default gives 76 chunks per column on an 80 MB file (1,600
    chunk steps for the items alone). Sixteen blocks still keep both cores parsing.
    """
    return min(16 << 20, max(1 << 20, n // 16))


def _is_ascii(data: bytes | mmap.mmap) -> bool:
    if isinstance(data, bytes):
        return data.isascii()
    return int(np.frombuffer(data, np.uint8).max(initial=0)) < 128


def _count_quotes(data: bytes | mmap.mmap, start: int) -> int:
    if isinstance(data, bytes):
        return data.count(b'"', start)
    return int(np.count_nonzero(np.frombuffer(data, np.uint8, offset=start) == 34))


def _valid_utf8(body: memoryview) -> bool:
    try:
        str(body, "utf-8")
    except UnicodeDecodeError:
        return False
    return True
