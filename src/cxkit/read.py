"""Read survey files into an Arrow table, exactly as written, plus where it came from.

The format is detected from the content, not the file name: Parquet, ``.xlsx``, SPSS
``.sav``, or text. Text is decoded (BOM, UTF-16, UTF-8, Windows-1252), its delimiter sniffed,
and its header records recognised as a Qualtrics (current or legacy), SurveyMonkey or Google
Forms export, or a plain CSV (see :mod:`cxkit.formats`). Text columns are read as text
(nothing is reinterpreted: ids keep their leading zeros, labels their spelling, a cell that
starts with ``=`` stays text); ``survey.py`` types and recodes the columns it needs. A folder
is read as one survey with its ``key=value`` partition folders as columns. ``-`` reads stdin.

Two options make large files cheap without changing any answer: ``columns=`` (a projection:
unneeded columns of a plain CSV/TSV are never converted, of a Parquet file never read) and
``typed=True`` (a plain CSV/TSV's canonical small-integer columns arrive as int8/int16; see
:mod:`cxkit.formats.fast`, which falls back to the all-text read whenever it cannot be sure).
"""

from __future__ import annotations

import hashlib
import mmap
import sys
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from . import prehash
from .errors import InputError, UsageError
from .formats.meta import TableMeta
from .startup import release_gc

#: ``columns=`` of :func:`read_table`: the column names (file order) -> the names to keep
Projection = Callable[[list[str]], Collection[str]]


_TEXT_ONLY_SUFFIXES = {".xlsx": "an Excel workbook", ".xls": "an Excel workbook",
                       ".sav": "an SPSS .sav file", ".parquet": "a Parquet file"}  # fmt: skip


@dataclass(frozen=True)
class SourceInfo:
    """Where a table came from: recorded in every result's provenance."""

    path: str
    sha256: str
    rows: int
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def provenance(self) -> dict[str, object]:
        return {"path": self.path, "sha256": self.sha256, "rows": self.rows, "format": self.format}


@dataclass
class RawTable:
    """An input file as read: ``table`` holds every column, ``notes`` what was noticed,
    ``meta`` what the columns mean (labels, multi-select/rank groups, excluded rows).

    ``first_row`` is the number of the file's data rows before the table's first: 0 for a
    whole file, the batch's offset for a record batch of a stream, so that an error names
    the row of the file."""

    table: pa.Table
    source: SourceInfo
    notes: list[str] = field(default_factory=list)
    meta: TableMeta = field(default_factory=TableMeta)
    first_row: int = 0


class HandedColumns:
    """Columns taken out of a :class:`RawTable` for a caller that owns it and recodes them
    one at a time.

    :meth:`column` gives a column; :meth:`done` forgets one the caller is through with, so
    its memory returns to Arrow's pool, where the next column's codes find it
    (``pooled``). While the table held every column, a 5M-row survey's codes took 100 MB
    of fresh pages, which the kernel clears on first touch: a third of the run's system
    time. :meth:`close` puts the columns not done back in the table, in their places.

    With ``names`` empty nothing is taken, and every column is read from the table.
    """

    def __init__(self, raw: RawTable, names: Collection[str] = ()) -> None:
        self._raw = raw
        self._order = raw.table.column_names
        table = raw.table
        self._held = {n: (table.schema.field(n), table.column(n)) for n in names}
        if self._held:
            raw.table = table.drop_columns(list(self._held))

    @property
    def rows(self) -> int:
        return self._raw.table.num_rows

    def names(self) -> list[str]:
        """Every column's name, in the table's order (taken out or not)."""
        return list(self._order)

    def column(self, name: str) -> pa.ChunkedArray:
        """The column ``name`` (taken out, or still in the table)."""
        held = self._held.get(name)
        return self._raw.table.column(name) if held is None else held[1]

    def done(self, name: str) -> None:
        """Forget the column ``name``: the caller has what it needs of it."""
        self._held.pop(name, None)

    def close(self) -> None:
        """Put the columns not done back in the table, each in its place."""
        if not self._held:
            return
        table = self._raw.table
        for f, col in self._held.values():
            table = table.append_column(f, col)
        self._held = {}
        self._raw.table = table.select([n for n in self._order if n in table.column_names])


#: reading a file into a table needs about this many times its size in memory
MEMORY_FACTOR = 3.0


def available_memory() -> int | None:
    """Bytes of memory the system can still give (Linux ``MemAvailable``), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _check_memory(p: Path) -> None:
    """Refuse, with a clear message, a file that cannot fit in memory (instead of the OOM
    killer ending the process mid-run)."""
    try:
        size = p.stat().st_size
    except OSError:
        return
    free = available_memory()
    if free is not None and size * MEMORY_FACTOR > free:
        raise InputError(
            f"{p}: {size / 2**30:.1f} GiB is too large to read here (about "
            f"{MEMORY_FACTOR:g}x its size is needed, {free / 2**30:.1f} GiB is available); "
            "split it, or convert it to a folder of Parquet drops"
        )


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
    _check_memory(p)
    try:
        return p.read_bytes(), path
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read ({exc.strerror or exc}); check permissions"
        ) from None


def _mapped(path: str) -> mmap.mmap | None:
    """A regular, non-empty file mapped read-only with its pages loaded up front, or None
    (stdin, an empty or special file, a file that cannot be mapped: the byte read applies).

    On a 400 MB CSV mapping costs about a tenth of copying the bytes into memory, and the
    page cache is shared instead of duplicated. Only the plain-CSV fast path takes a map.
    The trade-off: a file truncated by another process while it is parsed ends the process
    with SIGBUS, where the byte read took a snapshot; files replaced by rename are safe.
    """
    if path == "-":
        return None
    p = Path(path)
    try:
        if not p.is_file() or p.stat().st_size == 0:
            return None
        _check_memory(p)
        with p.open("rb") as fh:
            flags = mmap.MAP_PRIVATE | getattr(mmap, "MAP_POPULATE", 0)
            return mmap.mmap(fh.fileno(), 0, flags=flags, prot=mmap.PROT_READ)
    except (OSError, ValueError, AttributeError):  # no mmap.MAP_PRIVATE off POSIX
        return None


def _sniff_kind(data: bytes | mmap.mmap) -> str:
    data = data[:4]
    if data.startswith(b"PAR1"):
        return "parquet"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if data.startswith((b"$FL2", b"$FL3")):
        return "sav"
    return "text"


def _sha(data: bytes | mmap.mmap) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse_text(data: bytes, name: str, encoding: str | None, delimiter: str | None):
    """Records of a text file: the fast path hands UTF-8 bytes straight to pyarrow."""
    from .formats import text

    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    plain = encoding is None and not body.startswith((b"\xff\xfe", b"\xfe\xff"))
    if plain and b"\x00" not in body[:65536]:
        head = body[: 1 << 20].decode("utf-8", errors="ignore")
        if head.strip():
            text.check_is_text(head, name)
            try:
                records, delim = text.parse_records(
                    body, head, name, delimiter, lambda: body.decode("utf-8", errors="replace")
                )
                return records, delim, "utf-8-sig" if bom else "utf-8", []
            except text.NotUtf8Error:
                pass
    decoded, used, notes = text.decode(data, name, encoding)
    if not decoded.strip():
        raise InputError(f"{name}: is empty; expected a header row and at least one response")
    text.check_is_text(decoded, name)
    body = data if used == "utf-8" else decoded.encode("utf-8")
    records, delim = text.parse_records(body, decoded[: 1 << 20], name, delimiter, lambda: decoded)
    return records, delim, used, notes


def _project(
    table: pa.Table, columns: Projection | None, meta: TableMeta | None = None
) -> pa.Table:
    """Keep the columns ``columns`` names (file order) and a platform's respondent id
    column (duplicates are found by it); unknown names are ignored."""
    if columns is None:
        return table
    keep = set(columns(list(table.column_names))) | {meta.id_col if meta else None}
    return table.select([i for i, c in enumerate(table.column_names) if c in keep])


def _read_text(
    data: bytes | mmap.mmap, name: str, encoding: str | None, delimiter: str | None, opts: dict
) -> RawTable:
    from .formats import platforms, questions, text

    suffix = Path(name).suffix.lower()
    if suffix in _TEXT_ONLY_SUFFIXES and data.strip():
        raise InputError(
            f"{name}: is named {suffix} but holds text, not {_TEXT_ONLY_SUFFIXES[suffix]}; "
            "rename it to .csv (or re-export it)"
        )
    columns, typed = opts["columns"], opts["typed"]
    fast = None
    # hashing releases the GIL: overlap it with the parse on large files (or take the
    # digest the entry point started while the interpreter was importing)
    early = prehash.lookup(name)
    with ThreadPoolExecutor(max_workers=1) as pool:
        sha = None if early is not None else pool.submit(_sha, data)
        if _fast_text(encoding, opts):
            from .formats import fast as plain

            fast = plain.read_plain(
                data,
                name,
                delimiter,
                columns=columns,
                typed=typed,
                finished_only=opts["finished_only"],
                decimals=opts["decimals"],
            )
        if fast is None:
            if not isinstance(data, bytes):
                data = data[:]  # the text read needs the bytes themselves
            records, delim, used, notes = _parse_text(data, name, encoding, delimiter)
        # a file changed since it was hashed ahead (or unreadable then) is hashed now
        digest = (early() or _sha(data)) if sha is None else sha.result()  # type: ignore[misc]
    if fast is not None:
        table, notes, delim, used = fast
        info = SourceInfo(
            path=name,
            sha256=digest,
            rows=table.num_rows,
            format="tsv" if delim == "\t" else "csv",
            encoding=used,
            delimiter=text.DELIM_NAMES[delim],
        )
        return RawTable(table, info, notes, TableMeta(platform="plain"))
    table, meta, more = platforms.shape(
        records, name, finished_only=opts["finished_only"], include_preview=opts["include_preview"]
    )
    notes += more
    if delim == ";" and meta.platform == "plain":
        table, more = questions.decimal_comma(table, name)
        notes += more
    if meta.platform != "plain" or opts["options"]:
        table, more = questions.expand(table, meta, opts["options"], name)
        notes += more
    fmt = meta.platform if meta.platform != "plain" else ("tsv" if delim == "\t" else "csv")
    if meta.platform != "plain" and delim == "\t":
        fmt += "-tsv"
    rows = table.num_rows
    table = _project(table, columns, meta)
    info = SourceInfo(
        path=name,
        sha256=digest,
        rows=rows,
        format=fmt,
        encoding=used,
        delimiter=text.DELIM_NAMES[delim],
    )
    return RawTable(table, info, notes, meta)


def _row_groups(pf, columns: list[str] | None) -> pa.Table:
    """The file's row groups read one after another (each with pyarrow's threads): on a
    5M-row survey a third of the time and 100 MB less at the peak than all at once."""
    if pf.num_row_groups < 2:
        return pf.read(columns=columns)
    return pa.concat_tables(
        [pf.read_row_group(i, columns=columns) for i in range(pf.num_row_groups)]
    )


def _read_parquet(
    data: bytes | Path,
    name: str,
    columns: Projection | None = None,
    typed: bool = False,
    plain_text: Collection[str] = (),
) -> RawTable:
    """A Parquet file's columns (the projected ones only, if ``columns``).

    ``data`` is the file's bytes (stdin) or its path: a path is read column by column by
    pyarrow while a thread hashes the file, so the whole file is never held in memory.
    ``ParquetFile``, not ``pq.read_table``: a single file needs no ``pyarrow.dataset``
    (whose import alone costs a good part of a small read).
    """
    import pyarrow.parquet as pq

    with ThreadPoolExecutor(max_workers=1) as pool:
        is_path = isinstance(data, Path)
        early = prehash.lookup(data) if is_path else None
        # beside the decode, unless the entry point started it during the imports
        sha = None if early is not None else pool.submit(_sha_file if is_path else _sha, data)

        def source():
            return str(data) if is_path else pa.BufferReader(data)

        try:
            pf = pq.ParquetFile(source())
            schema = pf.schema_arrow
            keep = set(schema.names if columns is None else columns(list(schema.names)))
            wanted = [c for c in schema.names if c in keep]
            if typed:
                # text as dictionaries: a role column is a few labels and an index per row,
                # not five million strings
                text = [
                    f.name
                    for f in schema
                    if f.name in keep and f.name not in plain_text and pa.types.is_string(f.type)
                ]
                if text:
                    pf = pq.ParquetFile(source(), read_dictionary=text)
            table = _row_groups(pf, wanted if columns is not None else None)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{name}: is not a readable Parquet file ({exc})") from None
        try:
            # hashed ahead (a file changed since then is hashed again), or beside the decode
            digest = (early() or _sha_file(data)) if sha is None else sha.result()  # type: ignore[misc, arg-type]
        except OSError as exc:
            raise InputError(
                f"{name}: cannot be read ({exc.strerror or exc}); check permissions"
            ) from None
    rows = pf.metadata.num_rows
    if rows == 0:
        raise InputError(f"{name}: has columns but no responses")
    info = SourceInfo(name, digest, rows, "parquet")
    return RawTable(table, info, [], TableMeta(platform="parquet"))


def _sha_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 23):
            digest.update(chunk)
    return digest.hexdigest()


def _is_parquet_file(path: str) -> bool:
    """Whether ``path`` is a readable file that starts like Parquet (else the ordinary
    byte read applies, with its own messages for missing or unreadable files)."""
    if path == "-":
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def _read_xlsx(data: bytes, name: str, opts: dict) -> RawTable:
    from .formats import excel, platforms, questions

    records, title = excel.read_records(data, name, opts["sheet"])
    table, meta, notes = platforms.shape(
        records, name, finished_only=opts["finished_only"], include_preview=opts["include_preview"]
    )
    if meta.platform != "plain" or opts["options"]:
        table, more = questions.expand(table, meta, opts["options"], name)
        notes += more
    fmt = "xlsx" if meta.platform == "plain" else f"{meta.platform}-xlsx"
    if meta.platform == "plain":
        meta.platform = "excel"
    info = SourceInfo(name, _sha(data), table.num_rows, fmt, sheet=title)
    table = _project(table, opts["columns"], meta)
    return RawTable(table, info, notes, meta)


def _read_sav(data: bytes, name: str, columns: Projection | None = None) -> RawTable:
    from .formats import spss

    table, meta, notes = spss.read_sav(data, name)
    info = SourceInfo(name, _sha(data), table.num_rows, "spss")
    return RawTable(_project(table, columns, meta), info, notes, meta)


def _read_folder(folder: Path, opts: dict, encoding, delimiter) -> RawTable:
    from .formats import folder as fold

    table, info, notes, raws = fold.read_folder(
        folder,
        lambda f, cols: read_table(
            f, encoding=encoding, delimiter=delimiter, **{**opts, "columns": cols}
        ),
        opts["columns"],
    )
    meta = raws[0].meta
    for r in raws[1:]:
        for k, v in r.meta.labels.items():
            meta.labels.setdefault(k, v)
        meta.excluded += r.meta.excluded
    meta.platform = f"folder:{meta.platform}"
    rows = sum(r.source.rows for r in raws)  # a projection may keep no column
    source = SourceInfo(str(folder), info["sha256"], rows, info["format"])
    return RawTable(table, source, notes, meta)


def _fast_text(encoding: str | None, opts: dict) -> bool:
    """Whether a text file may take the plain-CSV fast path (:mod:`cxkit.formats.fast`):
    any read with the encoding detected and no multi-select options, whatever it keeps.
    The fast path gives up (and the general text read runs) whenever it cannot give the
    same table; on 1M rows, every column as text took 0.64 s the general way and 0.47 s
    through pyarrow's reader."""
    return encoding is None and not opts["options"]


def read_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    finished_only: bool = False,
    include_preview: bool = False,
    options: dict[str, list[str]] | None = None,
    columns: Projection | None = None,
    typed: bool = False,
    decimals: Collection[str] = (),
    plain_text: Collection[str] = (),
) -> RawTable:
    """Read one survey file, or a folder of drops, whatever platform exported it.

    Parameters
    ----------
    path : str or Path
        A file (CSV/TSV, Qualtrics, SurveyMonkey, Google Forms, ``.xlsx``, ``.sav``,
        Parquet), a folder of such files, or ``"-"`` for standard input.
    encoding : str, optional
        Force a text encoding; by default a byte-order mark, then UTF-8, then Windows-1252.
    delimiter : str, optional
        Force the field delimiter; by default sniffed from the header among ``, ; TAB |``.
    sheet : str, optional
        The workbook sheet (name or 1-based number); the first by default.
    finished_only : bool
        Drop Qualtrics responses with ``Finished`` = False (counted in the notes).
    include_preview : bool
        Keep Qualtrics survey-preview responses (excluded by default, counted in the notes).
    options : dict, optional
        Multi-select column -> its known options, for splitting joined answers.
    columns : callable, optional
        A projection: given the column names (after header and platform handling, in file
        order; a folder's partition keys included) it returns the names to keep. The table
        then holds only those, in file order; unknown names are ignored (the caller reports
        missing columns). A plain CSV/TSV converts only the kept columns and a Parquet file
        reads only them; other formats are read whole, then selected. ``source.rows``,
        ``source.sha256``, notes and meta are as without it.
    typed : bool
        For a plain CSV/TSV (not a platform export, not ``;``-delimited): read the columns
        whose first records are all blank or canonical integers (``0``, ``-3``, never
        ``007``) as ``int8``/``int16``, the rest as text. If any later cell does not fit,
        the file is read all as text, exactly as with ``typed=False``. A Parquet file's
        text columns arrive dictionary-encoded. Other formats ignore it.
    decimals : collection of str
        With ``typed``, these columns of a plain CSV/TSV are read as float64 when their first
        records are all blank or plain decimals (for weights: pyarrow parses a number as
        Python's ``float`` does; any cell it cannot parse sends the file to the text read).
    plain_text : collection of str
        With ``typed``, these text columns of a Parquet file arrive as plain strings, not
        dictionaries: respondent ids, every one different, for which a dictionary is only
        extra work (5M ids: 1.2-1.5 s instead of 0.16-0.19 s).

    Returns
    -------
    RawTable
        Every (kept) column, its :class:`SourceInfo`, notes, and the column meanings found.

    Raises
    ------
    InputError
        The file is missing, empty, binary, malformed, or has duplicate column names.
    """
    opts = {
        "sheet": sheet,
        "finished_only": finished_only,
        "include_preview": include_preview,
        "options": options or {},
        "columns": columns,
        "typed": typed,
        "decimals": decimals,
        "plain_text": plain_text,
    }
    release_gc()  # the command has loaded its modules (see cxkit.startup)
    if str(path) != "-" and Path(path).is_dir():
        return _read_folder(Path(path), opts, encoding, delimiter)
    before = prehash.file_version(path)
    raw = _read_file(path, opts, encoding, delimiter)
    if before is not None and prehash.file_version(path) != before:
        raise InputError(
            f"{path}: changed while it was being read; run again once whatever writes it has "
            "finished (or read a copy)"
        )
    if sheet is not None and raw.source.sheet is None:
        raw.notes.append(f"{raw.source.path}: --sheet {sheet} ignored: the file is not a workbook")
    return raw


def _read_file(
    path: str | Path, opts: dict, encoding: str | None, delimiter: str | None
) -> RawTable:
    """One file (or stdin) read whole: the format found from its bytes."""
    columns, typed = opts["columns"], opts["typed"]
    if _is_parquet_file(str(path)):
        _check_memory(Path(path))
        return _read_parquet(Path(path), str(path), columns, typed, opts["plain_text"])
    # a text file named .xlsx & co. is refused from its bytes (_read_text): never map it
    mappable = Path(path).suffix.lower() not in _TEXT_ONLY_SUFFIXES
    mapped = _mapped(str(path)) if mappable and _fast_text(encoding, opts) else None
    if mapped is not None and _sniff_kind(mapped) == "text":
        return _read_text(mapped, str(path), encoding, delimiter, opts)
    del mapped
    data, name = _read_bytes(str(path))
    if not data:
        raise InputError(f"{name}: is empty; expected a header row and at least one response")
    kind = _sniff_kind(data)
    if kind == "parquet":
        return _read_parquet(data, name, columns, typed, opts["plain_text"])
    if kind == "sav":
        return _read_sav(data, name, columns)
    if kind == "zip":
        from .formats.excel import is_xlsx

        if is_xlsx(data):
            return _read_xlsx(data, name, opts)
        raise InputError(
            f"{name}: is a zip archive but not an Excel workbook (.xlsx); unzip it and pass the "
            "survey file inside"
        )
    if kind == "ole":
        raise InputError(
            f"{name}: is an old-style Excel .xls (or password-protected) workbook; save it as "
            ".xlsx or CSV (UTF-8) and pass that file"
        )
    return _read_text(data, name, encoding, delimiter, opts)
