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
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

from .meta import TableMeta

_INT = re.compile(r"^\s*\d+\s*$")
_CODES = re.compile(r"^\s*\d+(\s*,\s*\d+)+\s*$")
_TICK = {"1", "true", "yes", "x", "checked", "selected"}
_SEPARATOR = {"qualtrics": ",", "qualtrics-legacy": ",", "google-forms": ", "}
MAX_OPTIONS = 30


def _is_text(col: pa.ChunkedArray) -> bool:
    return pa.types.is_string(col.type) or pa.types.is_large_string(col.type)


def _values(col: pa.ChunkedArray) -> list[str | None]:
    return [None if v is None or not v.strip() else v.strip() for v in col.to_pylist()]


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


def _as_multi(table: pa.Table, cols: list[str], meta: TableMeta) -> list[list[str | None]] | None:
    vals = []
    for c in cols:
        col = table.column(c)
        if not _is_text(col):
            return None
        v = _values(col)
        distinct = {x.casefold() for x in v if x is not None}
        label = meta.labels.get(c, "").casefold()
        if len(distinct) > 1 or (distinct and not (distinct <= _TICK or distinct == {label})):
            return None
        vals.append(v)
    return vals if any(x is not None for v in vals for x in v) else None


def _as_rank(table: pa.Table, cols: list[str]) -> list[list[int | None]] | None:
    vals: list[list[int | None]] = []
    for c in cols:
        col = table.column(c)
        if pa.types.is_integer(col.type):
            vals.append(col.to_pylist())
            continue
        if not _is_text(col):
            return None
        v = _values(col)
        if any(x is not None and not _INT.match(x) for x in v):
            return None
        vals.append([None if x is None else int(x) for x in v])
    k = len(cols)
    multi_answer = False
    for row in zip(*vals, strict=True):
        got = [x for x in row if x is not None]
        if len(set(got)) != len(got) or any(not 1 <= x <= k for x in got):
            return None
        multi_answer |= len(got) > 1
    return vals if multi_answer and k >= 3 else None


def _bool_columns(vals: list[list[str | None]]) -> list[pa.Array]:
    rows = list(zip(*vals, strict=True))
    answered = [any(x is not None for x in r) for r in rows]
    return [
        pa.array([(x is not None) if a else None for x, a in zip(v, answered, strict=True)])
        for v in vals
    ]


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
) -> tuple[list[str], list[list[str] | None]] | None:
    sep = _SEPARATOR.get(meta.platform)
    col = table.column(name)
    if (sep is None and known is None) or not _is_text(col):
        return None
    sep = sep or ", "
    values = _values(col)
    cells = [v for v in values if v is not None]
    if not cells:
        return None
    if known is not None:
        split = {c: _split_known(c, known, sep) for c in set(cells)}
        extra = sorted({p for ps in split.values() for p in ps} - set(known))
        return known + extra, [None if v is None else split[v] for v in values]
    if all(_CODES.match(c) or _INT.match(c) for c in cells):
        if not any(_CODES.match(c) for c in cells):
            return None
        split = {c: [p.strip() for p in c.split(",")] for c in set(cells)}
        options = sorted({p for ps in split.values() for p in ps}, key=int)
        return options, [None if v is None else split[v] for v in values]
    distinct = sorted(set(cells))
    pieces = {c: _split_pieces(c, meta.platform) for c in distinct}
    if sum(len(p) > 1 for p in pieces.values()) < 2:
        return None
    options = _infer_options([pieces[c] for c in distinct])
    if len(options) > MAX_OPTIONS or len(options) >= len(distinct) or max(map(len, options)) > 80:
        return None
    split = {c: _split_known(c, options, sep) for c in distinct}
    return options, [None if v is None else split[v] for v in values]


def expand(
    table: pa.Table, meta: TableMeta, options: dict[str, list[str]] | None = None
) -> tuple[pa.Table, list[str]]:
    """Replace multi-select and rank answers by one column per option; notes say which."""
    options = options or {}
    notes: list[str] = []
    for key, cols in _groups(table, meta):
        if key in options:
            continue
        multi = _as_multi(table, cols, meta)
        if multi is not None:
            for c, arr in zip(cols, _bool_columns(multi), strict=True):
                table = table.set_column(table.column_names.index(c), c, arr)
            meta.multi[key] = cols
            continue
        ranks = _as_rank(table, cols)
        if ranks is not None:
            for c, v in zip(cols, ranks, strict=True):
                table = table.set_column(table.column_names.index(c), c, pa.array(v, pa.int64()))
            meta.rank[key] = cols
    grouped = meta.grouped()
    for name in list(table.column_names):
        if name in meta.metadata or name in grouped or name == meta.id_col:
            continue
        found = _joined(table, name, meta, options.get(name))
        if found is None:
            continue
        opts, chosen = found
        new_names = [f"{name}_{o}" if o.isdigit() else f"{name}_{k}" for k, o in enumerate(opts, 1)]
        if any(n in table.column_names for n in new_names):
            new_names = [f"{name}__{k}" for k in range(1, len(opts) + 1)]
        question = meta.labels.pop(name, name)
        at = table.column_names.index(name)
        table = table.remove_column(at)
        for k, (new, opt) in enumerate(zip(new_names, opts, strict=True)):
            arr = pa.array([None if c is None else opt in c for c in chosen], pa.bool_())
            table = table.add_column(at + k, new, arr)
            meta.labels[new] = opt
            meta.questions[new] = question
        meta.multi[name] = new_names
        meta.joined[name] = list(opts)
        counts = Counter(len(c) for c in chosen if c is not None)
        notes.append(
            f"{name}: multi-select split into {len(opts)} option columns "
            f"({', '.join(new_names)}); {sum(counts.values())} answered"
        )
    return table, notes


def decimal_comma(table: pa.Table, file: str) -> tuple[pa.Table, list[str]]:
    """Columns written with a decimal comma (``4,5``) in a ``;`` file -> ``4.5``."""
    changed = []
    for i, name in enumerate(table.column_names):
        col = table.column(i)
        if not _is_text(col) or col.null_count == len(col):
            continue
        trimmed = pc.utf8_trim_whitespace(col)
        ok = pc.match_substring_regex(trimmed, r"^-?\d+(,\d+)?$")
        if not pc.all(pc.fill_null(ok, True)).as_py():
            continue
        if not pc.any(pc.fill_null(pc.match_substring(trimmed, ","), False)).as_py():
            continue
        table = table.set_column(i, name, pc.replace_substring(trimmed, ",", "."))
        changed.append(name)
    notes = []
    if changed:
        notes.append(f"{file}: read decimal commas in {', '.join(changed)}")
    return table, notes
