"""``inspect`` and ``init`` as pure functions: a read file in, a Result / TOML text out."""

from __future__ import annotations

import json

import numpy as np

from .profile import Profile, profile
from .read import RawTable
from .result import Result, ViewColumn, make_provenance
from .table import ColumnTable

#: columns of the inspect table, in order
COLUMNS = ["column", "type", "kind", "scale", "label", "answered", "distinct", "values"]


def inspect_table(raw: RawTable, prof: Profile | None = None) -> Result:
    """What cxkit sees in a file: format, rows, exclusions and one row per column.

    Returns
    -------
    Result
        ``table`` columns: ``column`` (name as cxkit uses it), ``type`` (text, number, bool),
        ``kind`` (id, role, segment, wave, weight, likert, nps, multi, rank, category, text,
        number, metadata, empty), ``scale`` (the built-in scale or range guessed; for multi
        and rank columns the question they belong to), ``label`` (question text),
        ``answered`` (non-blank cells), ``distinct`` (distinct answers), ``values`` (the most
        common answers, at most four, each cut to 28 characters, joined by " | ").
    """
    prof = prof or profile(raw)
    src = raw.source
    table = ColumnTable(  # no pandas: it would be most of inspect's start-up
        {
            "column": [c.name for c in prof.columns],
            "type": [c.type for c in prof.columns],
            "kind": [c.kind for c in prof.columns],
            "scale": [c.scale for c in prof.columns],
            "label": [c.label for c in prof.columns],
            "answered": np.array([c.answered for c in prof.columns], dtype=np.int64),
            "distinct": np.array([c.distinct for c in prof.columns], dtype=np.int64),
            "values": [" | ".join(c.values) for c in prof.columns],
        }
    ).select(COLUMNS)
    fmt = src.format + (f", {src.encoding}" if src.encoding else "")
    fmt += f", {src.delimiter}-separated" if src.delimiter else ""
    fmt += f", sheet {src.sheet!r}" if src.sheet else ""
    excluded = [{"reason": r, "rows": n} for r, n in raw.meta.excluded]
    excl = "; ".join(f"excluded {n} ({r})" for r, n in raw.meta.excluded)
    guesses = _guesses(prof)
    seen = ", ".join(f"{k} {v}" for k, v in guesses.items() if v and not isinstance(v, list))
    n_items = len(prof.items)
    headline = (
        f"{src.path}: {fmt}; {src.rows} responses"
        + (f"; {excl}" if excl else "")
        + f"; {n_items} Likert items"
        + (f" on {prof.scale[0]}-{prof.scale[1]}" if prof.scale else "")
        + (f"; {seen}" if seen else "")
    )
    summary = {
        "headline": headline,
        "format": src.format,
        "platform": raw.meta.platform,
        "encoding": src.encoding,
        "delimiter": src.delimiter,
        "sheet": src.sheet,
        "rows": src.rows,
        "excluded": excluded,
        **guesses,
    }
    return Result(
        command="inspect",
        table=table,
        summary=summary,
        notes=list(raw.notes),
        provenance=make_provenance([src], {}, {"guesses": "cxkit.profile heuristics"}),
        view=[
            ViewColumn("column", ("column",), "text"),
            ViewColumn("type", ("type",), "text"),
            ViewColumn("kind", ("kind",), "text"),
            ViewColumn("scale", ("scale",), "text"),
            ViewColumn("answered", ("answered",), "int"),
            ViewColumn("label", ("label",), "text"),
            ViewColumn("values", ("values",), "text"),
        ],
    )


def _guesses(prof: Profile) -> dict[str, object]:
    return {
        "id": prof.id_col,
        "role": prof.role_col,
        "weight": prof.weight_col,
        "wave": prof.wave_col,
        "segment": prof.segment_col,
        "items": prof.items,
        "nps": prof.nps,
        "multi": prof.by_kind("multi"),
        "rank": prof.by_kind("rank"),
    }


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def starter_toml(raw: RawTable, prof: Profile | None = None) -> str:
    """A starter ``cxkit.toml`` for this file, from the same guesses as ``inspect``."""
    prof = prof or profile(raw)
    lines = [
        f"# Starter study config written by `cxkit init` from {raw.source.path}",
        f"# ({raw.source.format}, {raw.source.rows} responses). Check every guess; "
        "`cxkit inspect FILE` shows the evidence.",
        "",
        "[columns]",
    ]
    for key, value in (
        ("id", prof.id_col),
        ("role", prof.role_col),
        ("weight", prof.weight_col),
        ("wave", prof.wave_col),
        ("segment", prof.segment_col),
    ):
        lines.append(f"{key} = {_q(value)}" if value else f'# {key} = "COLUMN"')
    lines += ["", "[roles]"]
    if prof.self_roles and prof.customer_roles:
        lines.append(f"self = [{', '.join(map(_q, prof.self_roles))}]")
        lines.append(f"customer = [{', '.join(map(_q, prof.customer_roles))}]")
    else:
        lines.append("# the role answers were not recognised: list them here, e.g.")
        lines.append('# self = ["1", "2"]')
        lines.append('# customer = ["3"]')
    if prof.scale:
        lines += ["", "[scale]", f"min = {prof.scale[0]}", f"max = {prof.scale[1]}"]
    lines += ["", "[answers]", 'missing = ["Don\'t know", "N/A", "Prefer not to say", 99]']
    if raw.meta.joined:
        lines += ["", "# options of multi-select answers joined in one cell, in order", "[multi]"]
        for name, options in raw.meta.joined.items():
            lines.append(f"{_q(name)} = [{', '.join(map(_q, options))}]")
    labels = {c.name: c.label for c in prof.columns}
    for item in prof.items:
        lines += ["", f"[items.{_q(item)}]"]
        lines.append(f"label = {_q(labels.get(item) or item)}")
    if not prof.items:
        lines += ["", "# no Likert items recognised: add [items.NAME] tables"]
    return "\n".join(lines) + "\n"
