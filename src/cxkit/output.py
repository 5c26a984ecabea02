"""Render a :class:`~cxkit.result.Result` for people (rich table, Markdown) or programs
(JSON, CSV, Parquet), and write files atomically.

One renderer serves every command. Files are written to a temporary file in the target
folder and renamed over the target, so a failed run never leaves a half-written file or
truncates an existing one.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OutputError, UsageError, one_line
from .result import num_text, ratio_text

if TYPE_CHECKING:
    from .result import Result, ViewColumn

FORMATS = ("table", "json", "csv", "markdown")
EXTENSIONS = {".json": "json", ".csv": "csv", ".md": "markdown", ".parquet": "parquet"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def format_for_path(path: str | Path) -> str:
    """The output format implied by a file name's extension."""
    ext = Path(path).suffix.lower()
    if ext not in EXTENSIONS:
        raise UsageError(
            f"--output {path}: unknown extension {ext or '(none)'!r}; use one of "
            + ", ".join(EXTENSIONS)
        )
    return EXTENSIONS[ext]


def _clean(value: Any) -> Any:
    """JSON-safe scalar: NaN and infinities become null, numpy scalars Python ones."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _records(result: Result, *, shown: bool = False) -> list[dict[str, Any]]:
    """The table's rows as dicts of JSON-safe values (no DataFrame built for them).

    ``shown``: rows for people (terminal, Markdown, HTML), where an infinite value stays
    infinite so that :func:`_fmt_cell` shows it as ``∞``, as the headline does, not as a
    missing ``–``.
    """
    cols, rows = result.columns_and_rows()
    if shown:
        return [
            {c: v if _is_inf(v) else _clean(v) for c, v in zip(cols, row, strict=True)}
            for row in rows
        ]
    return [{c: _clean(v) for c, v in zip(cols, row, strict=True)} for row in rows]


def _is_inf(v: Any) -> bool:
    return isinstance(v, float) and math.isinf(v)


def to_json(result: Result) -> str:
    """One JSON object: command, summary, table (list of rows), notes, provenance."""
    doc = {
        "command": result.command,
        "summary": _clean(result.summary),
        "table": _records(result),
        "notes": list(result.notes),
        "provenance": _clean(result.provenance),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def inert(text: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with ``'``.

    >>> inert("=HYPERLINK(1)"), inert("plain")
    ("'=HYPERLINK(1)", 'plain')
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_cell(value: Any) -> Any:
    """A cell as pandas' ``to_csv(float_format="%.17g")`` writes it, blank for missing and
    for infinite values (as JSON writes both as null)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:.17g}"
    return inert(value) if isinstance(value, str) else value


def _inert_finite(v: Any) -> Any:
    if isinstance(v, str):
        return inert(v)
    return None if isinstance(v, float) and math.isinf(v) else v


def to_csv(result: Result) -> str:
    """The tidy table as CSV (floats in full precision, text cells made formula-inert).

    A missing or infinite number is a blank cell, as it is null in JSON (an infinite
    ``agree_ratio`` is explained in the notes); Parquet keeps ``inf`` as the float it is.

    A table still held as columns is written with the csv module, cell by cell as pandas
    would write it (``tests/test_pandas_free.py`` compares the two), so ``-f csv`` needs no
    pandas either.
    """
    if result.holds_columns():
        import csv
        import io

        cols, rows = result.columns_and_rows()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        writer.writerows([_csv_cell(v) for v in row] for row in rows)
        return buf.getvalue()
    table = result.table.copy()
    for col in table.columns:
        if table[col].dtype == object or str(table[col].dtype) in ("str", "string"):
            table[col] = table[col].map(_inert_finite)
        elif table[col].dtype.kind == "f":
            table[col] = table[col].where(~table[col].isin([math.inf, -math.inf]))
    return table.to_csv(index=False, lineterminator="\n", float_format="%.17g")


def _fmt_cell(row: dict[str, Any], col: ViewColumn) -> str:
    vals = [row.get(c) for c in col.columns]
    est = vals[0]
    if col.kind == "text":
        return "" if est is None else str(est)
    if est is None or (isinstance(est, float) and math.isnan(est)):
        return "–"
    fmt = _FORMATTERS[col.kind]

    def one(x: Any) -> str:  # an infinite value as the headline shows it (num_text): ∞
        return num_text(x, fmt)

    text = one(est)
    if len(vals) == 3:
        lo, hi = vals[1], vals[2]
        if (
            lo is None
            or hi is None
            or any(isinstance(v, float) and math.isnan(v) for v in (lo, hi))
        ):
            return f"{text} (–)"
        return (
            f"{text} ({one(lo)} to {one(hi)})"
            if col.kind != "ratio"
            else (f"{text} ({ratio_text(lo)}–{ratio_text(hi)})")
        )
    return text


def _fmt_ratio(x: float) -> str:
    return "∞" if math.isinf(x) else f"{ratio_text(x)}×"


def _fmt_p(x: float) -> str:
    return "<0.001" if x < 0.001 else f"{x:.3f}"


_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "int": lambda x: f"{int(x):,}",
    "num": lambda x: f"{x:+.2f}" if x else "0.00",
    "pct": lambda x: f"{x * 100:.0f}%",
    "pp": lambda x: f"{x * 100:+.0f}",
    "ratio": _fmt_ratio,
    "p": _fmt_p,
    "g": lambda x: f"{x:.4g}",
    "score": lambda x: f"{x:+.0f}",
    "mean": lambda x: f"{x:.2f}",
}


def _view(result: Result) -> list[ViewColumn]:
    from .result import ViewColumn

    if result.view:
        return result.view
    return [ViewColumn(c, (c,), "text") for c in result.columns_and_rows()[0]]


def to_markdown(result: Result) -> str:
    """A headline paragraph, a Markdown table of the view columns, and the notes."""
    view = _view(result)
    rows = _records(result, shown=True)

    def esc(s: str) -> str:
        s = s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")
        return one_line(s)  # no raw control character reaches a terminal or a viewer

    lines = [f"**{esc(result.headline)}**", ""] if result.headline else []
    lines.append("| " + " | ".join(esc(c.header) for c in view) + " |")
    lines.append("|" + "|".join("---" if c.kind == "text" else "---:" for c in view) + "|")
    for row in rows:
        cells = [esc(_fmt_cell(row, c)) for c in view]
        if result.emphasis_col and row.get(result.emphasis_col) != result.emphasis_plain:
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    if result.notes:
        lines += ["", "Notes:", ""] + [f"- {esc(n)}" for n in result.notes]
    return "\n".join(lines) + "\n"


def _fit(view: list[ViewColumn], records: list[dict[str, Any]], width: int) -> list[ViewColumn]:
    """Drop optional columns (last first) until the numeric columns fit beside the text."""

    def need(cols: list[ViewColumn]) -> int:
        total = 0
        for c in cols:
            cells = [len(_fmt_cell(r, c)) for r in records[:200]]
            if c.kind == "text":
                widest = 18
            elif len(c.columns) == 3:  # estimate and interval may sit on two lines
                halves = [len(h) for r in records[:200] for h in _fmt_cell(r, c).split(" (")]
                widest = max([min(len(c.header), 12), *halves])
            else:
                widest = max([len(c.header), *cells])
            total += widest + 2
        return total

    kept = list(view)
    for c in reversed(view):
        if need(kept) <= width:
            break
        if c.optional:
            kept.remove(c)
    return kept


def _one_line_width(view: list[ViewColumn], records: list[dict[str, Any]]) -> int:
    return (
        sum(
            max([len(c.header), *[len(_fmt_cell(r, c)) for r in records[:200]]]) + 2
            for c in view
            if c.kind != "text"
        )
        + 44
    )


def print_table(result: Result, *, console: Any = None, max_rows: int | None = None) -> int:
    """Print the headline and a rich table to stdout (notes go to stderr).

    At most ``max_rows`` rows are drawn (all when ``None``): rich lays out about 600 rows
    a second, so a 20,000-row breakdown would hold a terminal for half a minute. Returns
    the number of rows left out.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    from rich import box

    records = _records(result, shown=True)
    left_out = max(0, len(records) - max_rows) if max_rows is not None else 0
    if left_out:
        records = records[:max_rows]
    view = _fit(_view(result), records, console.width)
    # too narrow for "estimate (interval)" on one line: the interval goes below its estimate
    two_lines = _one_line_width(view, records) > console.width
    table = Table(show_lines=False, header_style="bold", pad_edge=False, box=box.SIMPLE_HEAD)
    for c in view:
        # an estimate with its interval may break before "(" but never inside a number
        parts = [_fmt_cell(r, c).partition(" (") for r in records[:200]]
        narrowest = max([len(p) for part in parts for p in (part[0], "(" + part[2])] or [1])
        if not two_lines:
            narrowest = max([len(_fmt_cell(r, c)) for r in records[:200]] or [1])
        table.add_column(
            Text(one_line(c.header)),
            justify="left" if c.kind == "text" else "right",
            overflow="fold",
            no_wrap=c.kind != "text" and len(c.columns) == 1,
            min_width=14 if c.kind == "text" else min(narrowest, len(c.header) + 6),
            max_width=42 if c.kind == "text" else None,
        )
    previous_level = None
    for row in records:
        emph = bool(result.emphasis_col) and row.get(result.emphasis_col) != result.emphasis_plain
        level = row.get(result.emphasis_col) if result.emphasis_col else None
        end_section = previous_level is not None and level != previous_level
        if end_section:
            table.rows[-1].end_section = True
        # Text(), not str: data such as "[region=EMEA]" must not be read as rich markup;
        # one_line: a label holding ESC or BEL is shown as "\x1b", "\x07", not run by the
        # terminal (the files written keep the data as it is)
        cells = [one_line(_fmt_cell(row, c)) for c in view]
        if two_lines:
            cells = [
                t.replace(" (", "\n(", 1) if len(c.columns) == 3 else t
                for t, c in zip(cells, view, strict=True)
            ]
        table.add_row(*[Text(t) for t in cells], style="bold" if emph else None)
        previous_level = level
    console.print(table)
    if result.headline:
        console.print(one_line(result.headline), markup=False, highlight=False)
    return left_out


def render(result: Result, fmt: str) -> str:
    """Render as ``json``, ``csv`` or ``markdown`` text."""
    if fmt == "json":
        return to_json(result)
    if fmt == "csv":
        return to_csv(result)
    if fmt == "markdown":
        return to_markdown(result)
    raise UsageError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")


def _parquet_bytes(result: Result) -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    if result.holds_columns():  # gap's columns go to Arrow as they are: no pandas import
        table = result.__dict__["_table"].to_arrow()
    else:
        table = pa.Table.from_pandas(result.table, preserve_index=False)
        # text as string whatever pandas' version (pandas 3 hands Arrow large_string)
        table = table.cast(
            pa.schema(
                [f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f
                 for f in table.schema],
                metadata=table.schema.metadata,
            )
        )  # fmt: skip
    meta = dict(table.schema.metadata or {})
    meta[b"cxkit"] = json.dumps(
        {
            "command": result.command,
            "summary": _clean(result.summary),
            "notes": result.notes,
            "provenance": _clean(result.provenance),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    table = table.replace_schema_metadata(meta)
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _new_file_mode(target: Path) -> int:
    """An existing file keeps its mode; a new one gets 0666 less the umask, like open()."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def check_folder(path: Path, option: str = "--output") -> Path:
    """The folder ``path`` goes in; an :class:`OutputError` naming ``option`` when it is
    missing or when ``path`` itself is a folder (checked before any work, so no other output
    is written first)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist; create it first"
        raise OutputError(f"{option} {path}: folder {folder} {what}")
    if path.is_dir():
        raise OutputError(f"{option} {path}: cannot be written: it is a folder; name a file")
    return folder


def _stage(target: Path, data: bytes, option: str) -> str:
    """Write ``data`` whole to a new temporary file beside ``target``; return its name."""
    folder = check_folder(target, option)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{option} {target}: cannot write in {folder} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _new_file_mode(target))  # mkstemp makes 0600: give the usual mode
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{option} {target}: cannot be written ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _keep_previous(target: Path, option: str) -> str | None:
    """A hard link to the file at ``target`` (so it can be put back), or None if none is."""
    if not os.path.lexists(target):
        return None
    folder = target.parent if str(target.parent) else Path(".")
    keep = None
    try:
        fd, keep = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".old", dir=folder)
        os.close(fd)
        os.unlink(keep)
        try:
            os.link(target, keep, follow_symlinks=False)
        except OSError:  # a file system without hard links: a copy does as well
            import shutil

            shutil.copy2(target, keep, follow_symlinks=False)
    except OSError as exc:
        if keep is not None:
            Path(keep).unlink(missing_ok=True)
        raise OutputError(
            f"{option} {target}: cannot keep the previous file while writing the new one "
            f"({exc.strerror or exc})"
        ) from None
    return keep


def write_all(files: Sequence[tuple[str | Path, bytes, str]]) -> None:
    """Write several files as one: all of them appear whole, or none does.

    ``files`` holds ``(path, data, option)``; ``option`` names the file in messages
    (``--output``, ``--plot``, ``--junit``). Every file is first written whole to a temporary
    file in its folder; only then are they renamed into place, one by one. If a rename fails
    (or the run is interrupted), the files already placed are undone: a file that existed
    before gets its previous content back, a new one is removed. So a failed run leaves
    every target as it was, and no temporary file behind.

    Raises
    ------
    OutputError
        A folder is missing, a target is a folder, or a file cannot be written (exit 4).
    """
    staged: list[tuple[Path, str, str]] = []
    placed: list[tuple[Path, str | None]] = []  # target, its previous file's copy
    try:
        for path, data, option in files:
            target = Path(path)
            staged.append((target, _stage(target, data, option), option))
        for i, (target, tmp, option) in enumerate(staged):
            last = i == len(staged) - 1  # nothing can fail after the last rename
            previous = None if last else _keep_previous(target, option)
            try:
                os.replace(tmp, target)
            except OSError as exc:
                if previous is not None:
                    Path(previous).unlink(missing_ok=True)
                raise OutputError(
                    f"{option} {target}: cannot be written ({exc.strerror or exc})"
                ) from None
            placed.append((target, previous))
    except BaseException:
        for target, previous in reversed(placed):
            with contextlib.suppress(OSError):  # the first error is the one to report
                if previous is not None:
                    os.replace(previous, target)
                else:
                    target.unlink(missing_ok=True)
        for _, tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for _, previous in placed:
        if previous is not None:
            Path(previous).unlink(missing_ok=True)


def atomic_write(path: str | Path, data: bytes, option: str = "--output") -> None:
    """Write ``data`` to ``path`` whole or not at all (temp file in the same folder + rename)."""
    write_all([(path, data, option)])


def result_bytes(result: Result, path: str | Path) -> bytes:
    """A result as the bytes of a file in the format ``path``'s extension names."""
    fmt = format_for_path(path)
    return _parquet_bytes(result) if fmt == "parquet" else render(result, fmt).encode("utf-8")


def write_result(result: Result, path: str | Path) -> None:
    """Write a result to ``path`` in the format its extension names."""
    atomic_write(path, result_bytes(result, path))
