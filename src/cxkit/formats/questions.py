"""Multi-select and rank questions -> one boolean / rank column per option.

Platforms write a multi-select answer either as one column per option (Qualtrics "split",
SurveyMonkey: the cell holds the option text or 1 when ticked) or as one cell joining the
chosen options (Qualtrics ``,``; Google Forms ``, ``). Joined answers are split against the
known option list (from the config, else inferred: a piece that never starts an answer, always
follows the same piece and starts in lower case continues that option, as in "Time, staff").
Rank questions are one column per option holding the rank (1 = first).
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa

from .. import arrow_compute as pc
from ..arrow_values import bools, column_array, masked_array, numbers
from .meta import TableMeta

_INT = re.compile(r"^\s*\d+\s*$")
_CODES = re.compile(r"^\s*\d+(\s*,\s*\d+)+\s*$")
_TICK = {"1", "true", "yes", "x", "checked", "selected"}
_SEPARATOR = {"qualtrics": ",", "qualtrics-legacy": ",", "google-forms": ", "}
MAX_OPTIONS = 30
#: an "Other" option's free-text column beside the option columns
_OTHER = re.compile(r"please specify|open-ended response|other \(|_text$", re.I)


def _is_text(col: pa.ChunkedArray) -> bool:
    return pa.types.is_string(col.type) or pa.types.is_large_string(col.type)


def _trimmed(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text with blanks as null (the two scalars taken from arrays: turning Python values
    into Arrow scalars would import pandas through pyarrow's shim)."""
    t = pc.trim(col)
    return pc.if_else(pc.equal(t, _BLANK), _NULL_TEXT, t)


_BLANK = column_array([""])[0]
_NULL_TEXT = pa.nulls(1, pa.string())[0]


def _groups(table: pa.Table, meta: TableMeta) -> list[tuple[str, list[str]]]:
    """Runs of adjacent columns that share a question (``Q5_1``, ``Q5_2`` …)."""
    out: list[tuple[str, list[str]]] = []
    for name in table.column_names:
        if name in meta.metadata:
            continue
        m = re.match(r"^(.+?)_(\d+)$", name)
        key = m.group(1) if m else None
        if key and out and out[-1][0] == key:
            out[-1][1].append(name)
        elif key:
            out.append((key, [name]))
    return [(k, cols) for k, cols in out if len(cols) > 1]


def _as_multi(table: pa.Table, cols: list[str], meta: TableMeta) -> list[np.ndarray] | None:
    """Per option column, whether each cell is ticked; ``None`` if not a multi-select."""
    ticked = []
    for c in cols:
        col = table.column(c)
        if not _is_text(col):
            return None
        t = _trimmed(col)
        distinct = {x.casefold() for x in pc.unique(t).to_pylist() if x is not None}
        label = meta.labels.get(c, "").casefold()
        if len(distinct) > 1 or (distinct and not (distinct <= _TICK or distinct == {label})):
            return None
        ticked.append(bools(pc.is_valid(t)))
    return ticked if any(t.any() for t in ticked) else None


def _as_rank(table: pa.Table, cols: list[str]) -> np.ndarray | None:
    """Rows x options ranks (0 = not ranked); ``None`` unless every row is a partial ranking."""
    k = len(cols)
    if k < 3 or table.num_rows == 0:
        return None
    block = np.zeros((table.num_rows, k), dtype=np.int64)
    for j, c in enumerate(cols):
        col = table.column(c)
        if pa.types.is_integer(col.type):
            ints = col
        elif pa.types.is_floating(col.type):
            if pc.all(pc.equal(pc.floor(col), col)).as_py() is False:  # nulls pass
                return None
            ints = pc.cast(col, pa.int64())
        elif _is_text(col):
            t = _trimmed(col)
            if pc.all(pc.match_substring_regex(t, r"^\d{1,3}$")).as_py() is False:
                return None
            ints = pc.cast(t, pa.int64())
        else:
            return None
        block[:, j] = numbers(ints, 0)  # no Python scalars: they would load pandas
    if (block < 0).any() or (block > k).any():
        return None
    ranked = np.sort(block, axis=1)
    dup = (ranked[:, 1:] == ranked[:, :-1]) & (ranked[:, 1:] > 0)
    if dup.any():
        return None
    return block if ((block > 0).sum(axis=1) > 1).any() else None


def _bool_columns(ticked: list[np.ndarray]) -> list[pa.Array]:
    answered = np.logical_or.reduce(ticked)
    return [masked_array(t, ~answered) for t in ticked]


def _split_pieces(cell: str, platform: str) -> list[str]:
    if platform == "google-forms":
        return [p.strip() for p in cell.split(", ")]
    pieces: list[str] = []
    for raw in cell.split(","):
        if pieces and raw.startswith(" "):
            pieces[-1] += "," + raw
        else:
            pieces.append(raw)
    return [p.strip() for p in pieces if p.strip()]


def _infer_options(cells: list[list[str]]) -> list[str]:
    """Merge pieces that continue an option with a comma in it; keep answer order."""
    preds: dict[str, set[str | None]] = {}
    for pieces in cells:
        for i, p in enumerate(pieces):
            preds.setdefault(p, set()).add(pieces[i - 1] if i else None)
    joins = {
        p: next(iter(s))
        for p, s in preds.items()
        if None not in s and len(s) == 1 and p[:1].islower()
    }
    merged_cells = []
    for pieces in cells:
        out: list[str] = []
        for p in pieces:
            if p in joins and out and pieces[pieces.index(p) - 1] == joins[p]:
                out[-1] = f"{out[-1]}, {p}"
            else:
                out.append(p)
        merged_cells.append(out)
    return _order(merged_cells)


def _order(cells: list[list[str]]) -> list[str]:
    """Options in the order answers list them (topological; ties by first appearance)."""
    first: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    for pieces in cells:
        for i, p in enumerate(pieces):
            first.setdefault(p, len(first))
            after.setdefault(p, set()).update(pieces[:i])
    out: list[str] = []
    left = sorted(first, key=first.get)
    while left:
        ready = [p for p in left if not (after[p] - set(out) - {p})] or left
        out.append(ready[0])
        left.remove(ready[0])
    return out


def _split_known(cell: str, options: list[str], sep: str) -> list[str]:
    by_len = sorted(options, key=len, reverse=True)
    out, rest = [], cell.strip()
    while rest:
        hit = next((o for o in by_len if rest == o or rest.startswith(o + sep.strip())), None)
        if hit is None:
            piece, _, rest = rest.partition(sep.strip())
            out.append(piece.strip())
        else:
            out.append(hit)
            rest = rest[len(hit) :]
        rest = rest.lstrip(sep.strip()).strip()
    return out


def _joined(
    table: pa.Table, name: str, meta: TableMeta, known: list[str] | None
) -> tuple[list[str], pa.Array, dict[str, list[str]]] | None:
    """(options, dictionary-encoded cells, cell -> its options) of a joined multi-select."""
    sep = _SEPARATOR.get(meta.platform)
    col = table.column(name)
    if (sep is None and known is None) or not _is_text(col):
        return None
    sep = sep or ", "
    t = _trimmed(col)
    if known is None and not pc.any(pc.match_substring(t, sep.strip())).as_py():
        return None
    enc = pc.dictionary_encode(t).combine_chunks()
    distinct = [c for c in enc.dictionary.to_pylist() if c is not None]
    if not distinct:
        return None
    if known is not None:
        split = {c: _split_known(c, known, sep) for c in distinct}
        extra = sorted({p for ps in split.values() for p in ps} - set(known))
        return known + extra, enc, split
    if all(_CODES.match(c) or _INT.match(c) for c in distinct):
        split = {c: [p.strip() for p in c.split(",")] for c in distinct}
        options = sorted({p for ps in split.values() for p in ps}, key=int)
        return options, enc, split
    pieces = {c: _split_pieces(c, meta.platform) for c in distinct}
    if sum(len(p) > 1 for p in pieces.values()) < 2:
        return None
    options = _infer_options([pieces[c] for c in sorted(distinct)])
    if len(options) > MAX_OPTIONS or len(options) >= len(distinct) or max(map(len, options)) > 80:
        return None
    split = {c: _split_known(c, options, sep) for c in distinct}
    return options, enc, split


def expand(
    table: pa.Table, meta: TableMeta, options: dict[str, list[str]] | None = None, file: str = ""
) -> tuple[pa.Table, list[str]]:
    """Replace multi-select and rank answers by one column per option; notes say which."""
    options = options or {}
    notes: list[str] = []
    for key, cols in _groups(table, meta):
        if key in options:
            continue
        cols = [c for c in cols if not _OTHER.search(meta.labels.get(c, ""))]
        if len(cols) < 2:
            continue
        multi = _as_multi(table, cols, meta)
        if multi is not None:
            for c, arr in zip(cols, _bool_columns(multi), strict=True):
                table = table.set_column(table.column_names.index(c), c, arr)
            meta.multi[key] = cols
            continue
        ranks = _as_rank(table, cols)
        if ranks is not None:
            for j, c in enumerate(cols):
                arr = masked_array(ranks[:, j], ranks[:, j] == 0)
                table = table.set_column(table.column_names.index(c), c, arr)
            meta.rank[key] = cols
    grouped = meta.grouped()
    for name in list(table.column_names):
        if name in meta.metadata or name in grouped or name == meta.id_col:
            continue
        found = _joined(table, name, meta, options.get(name))
        if found is None:
            continue
        opts, enc, split = found
        dictionary = enc.dictionary.to_pylist()
        indices = numbers(enc.indices, len(dictionary))
        answered = indices < len(dictionary)
        new_names = [f"{name}_{o}" if o.isdigit() else f"{name}_{k}" for k, o in enumerate(opts, 1)]
        if any(n in table.column_names for n in new_names):
            new_names = [f"{name}__{k}" for k in range(1, len(opts) + 1)]
        question = meta.labels.pop(name, name)
        at = table.column_names.index(name)
        table = table.remove_column(at)
        for k, (new, opt) in enumerate(zip(new_names, opts, strict=True)):
            has = np.array([c is not None and opt in split[c] for c in dictionary] + [False])
            arr = masked_array(has[indices], ~answered)
            table = table.add_column(at + k, new, arr)
            meta.labels[new] = opt
            meta.questions[new] = question
        meta.multi[name] = new_names
        meta.joined[name] = list(opts)
        notes.append(
            f"{file}: {name}: multi-select split into {len(opts)} option columns "
            f"({', '.join(new_names)}); {int(answered.sum())} answered"
        )
    return table, notes


def decimal_comma(table: pa.Table, file: str) -> tuple[pa.Table, list[str]]:
    """Columns written with a decimal comma (``4,5``) in a ``;`` file -> ``4.5``."""
    changed = []
    for i, name in enumerate(table.column_names):
        col = table.column(i)
        if not _is_text(col) or col.null_count == len(col):
            continue
        trimmed = pc.trim(col)
        ok = pc.match_substring_regex(trimmed, r"^-?\d+(,\d+)?$")
        if pc.all(ok).as_py() is False:  # nulls pass (no Python scalars: they load pandas)
            continue
        if not pc.any(pc.match_substring(trimmed, ",")).as_py():  # nulls: no comma
            continue
        table = table.set_column(i, name, pc.replace_substring(trimmed, ",", "."))
        changed.append(name)
    notes = []
    if changed:
        notes.append(f"{file}: read decimal commas in {', '.join(changed)}")
    return table, notes
