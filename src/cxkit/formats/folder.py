"""A folder of drops read as one survey: one file per quarter, or hive-style partitions.

Files (``.parquet``, ``.csv``, ``.tsv``, ``.txt``, ``.xlsx``, ``.sav``) are read in sorted path
order, each with the same detection as a single file. Folder names ``key=value`` between the
top folder and a file (``wave=2026Q3/part-0.parquet``) become a column ``key`` holding
``value``. When any file is text, every column is kept as text, so the same answer reads the
same whichever file it came from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from ..errors import InputError

SUFFIXES = (".parquet", ".csv", ".tsv", ".txt", ".xlsx", ".sav")


def list_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "_"))
    )


def partitions(folder: Path, file: Path) -> dict[str, str]:
    out = {}
    for part in file.relative_to(folder).parts[:-1]:
        key, eq, value = part.partition("=")
        if eq and key:
            out[key] = value
    return out


def partition_clash(file: Path, key: str) -> InputError:
    """The error for a file with a column named like the ``key=…`` folder it sits in."""
    return InputError(
        f"{file}: has a column {key!r} and sits in a {key}=… partition folder; rename one of them"
    )


def read_folder(
    folder: Path, read_one: Callable, columns: Callable | None = None
) -> tuple[pa.Table, dict, list[str], list]:
    """Read and stack every file; returns (table, info, notes, raws).

    ``read_one(file, projection)`` reads one file. With ``columns`` (names -> names to
    keep), each file is read with a projection that sees its own column names followed by
    the partition keys, so a partition column is kept only if ``columns`` keeps it.
    """
    files = list_files(folder)
    if not files:
        raise InputError(
            f"{folder}: folder holds no survey files ({', '.join(SUFFIXES)}); name a file or "
            "a folder of drops"
        )
    keys: list[str] = []
    for f in files:
        keys += [k for k in partitions(folder, f) if k not in keys]
    seen: dict[Path, list[str]] = {}
    kept_keys: dict[Path, set[str]] = {}

    def projection(f: Path) -> Callable | None:
        if columns is None:
            return None

        def project(names: list[str]) -> set[str]:
            seen[f] = list(names)
            keep = set(columns([*names, *(k for k in keys if k not in names)]))
            kept_keys[f] = {k for k in keys if k in keep}
            return keep

        return project

    raws = [read_one(f, projection(f)) for f in files]
    any_text = any(r.source.format not in ("parquet",) for r in raws)
    tables = []
    notes: list[str] = []
    for f, raw in zip(files, raws, strict=True):
        t = raw.table
        if any_text:
            t = pa.table({c: t.column(c).cast(pa.string()) for c in t.column_names})
        names = seen.get(f, t.column_names)
        for k in keys:
            if k in names:
                raise partition_clash(f, k)
            if columns is not None and k not in kept_keys.get(f, ()):
                continue
            value = partitions(folder, f).get(k)
            t = t.append_column(k, pa.array([value] * t.num_rows, pa.string()))
        tables.append(t)
        notes += raw.notes
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InputError(f"{folder}: the files' columns do not line up ({exc})") from None
    digest = hashlib.sha256()
    for f, raw in zip(files, raws, strict=True):
        digest.update(f"{f.relative_to(folder).as_posix()}\0{raw.source.sha256}\n".encode())
    formats = sorted({r.source.format for r in raws})
    info = {
        "sha256": digest.hexdigest(),
        "format": f"folder({'+'.join(formats)})",
        "files": len(files),
        "partitions": keys,
    }
    notes.insert(
        0,
        f"{folder}: read {len(files)} files as one survey"
        + (f" (partition columns: {', '.join(keys)})" if keys else ""),
    )
    return table, info, notes, raws
