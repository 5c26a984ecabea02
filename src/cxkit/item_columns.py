"""Find and recode the item columns of a table: the probe of every column that may be an
item, the recode of the named ones, and the notes on columns left out.

A column is an item when every answer lies on the scale; one with at least
:data:`MOSTLY_ON_SCALE` of its answers on it is an item with bad answers (an error that
names the first); one with fewer is left out with a note. Columns are probed two at a time,
and a caller that owns its table lets each go once probed (:class:`~cxkit.read.HandedColumns`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pyarrow as pa

from . import aggregate
from .answers import Coded
from .errors import InputError
from .read import HandedColumns, RawTable
from .recode import NotOnScaleError, Recoder
from .study import BUILTIN_MISSING_NUMBERS, Scale, Study, normalise_label

if TYPE_CHECKING:
    from .survey import SurveySpec

#: a column whose answers are at least this share on the scale is an item with bad values
MOSTLY_ON_SCALE = 0.8
#: names of respondent-id columns: never probed as items
ID_NAME = re.compile(r"(^|[_\s-])id$|^id[_\s-]|respondent|response_?id|^uuid$", re.IGNORECASE)


def off_scale_note(name: str, share: float, error: Exception, option: str) -> str:
    """The note on a column left out of the items because only ``share`` of its answers
    lie on the scale (``error`` names the first that does not)."""
    return (
        f"column {name!r} was not analysed as an item: only {share:.0%} of its answers lie "
        f"on the scale ({error}); name it with {option} to analyse it"
    )


def is_off_scale_note(note: str, name: str) -> bool:
    """Whether ``note`` is :func:`off_scale_note`'s note on column ``name``."""
    return note.startswith(f"column {name!r} was not analysed as an item: only ")


def rank_blocks(table: pa.Table, raw: RawTable) -> set[str]:
    """Columns of tidy rank questions (``rank_1`` … holding a ranking per row): not items."""
    from .formats.questions import _as_rank, _groups

    if raw.meta.rank:
        return set()
    return {c for _, cols in _groups(table, raw.meta) if _as_rank(table, cols) is not None
            for c in cols}  # fmt: skip


def recoder_for(study: Study, spec: SurveySpec, file: str, first_row: int = 0) -> Recoder:
    """The :class:`~cxkit.recode.Recoder` of a file's answers: the scale, labels and
    missing codes of the config and the command line.

    ``first_row`` is the file's data rows before the table's first (a streamed batch)."""
    scale = spec.scale or study.scale or Scale()
    missing_numbers = {m for m in BUILTIN_MISSING_NUMBERS if not scale.min <= m <= scale.max}
    for m in (*study.missing, *spec.missing):
        with contextlib.suppress(ValueError):
            missing_numbers.add(float(m))
    return Recoder(
        scale=scale,
        labels=study.label_map(),
        missing=study.missing_set() | {normalise_label(m) for m in spec.missing},
        missing_numbers=missing_numbers,
        file=file,
        auto=not study.labels,
        scale_hint=spec.scale_hint(),
        first_row=first_row,
    )


def coded_items(
    recoder: Recoder,
    raw: RawTable,
    study: Study,
    spec: SurveySpec,
    items: list[str] | None,
    role_col: str | None,
    kept: set[str | None] | None,
) -> tuple[dict[str, Coded], list[str], list[str]]:
    """The items' codes, the items (found in the answers when ``items`` is None) and the
    notes. Unless ``kept`` is None, every column that may be an item (none of ``kept``)
    leaves ``raw.table`` for good once probed or recoded."""
    names = raw.table.column_names
    columns = HandedColumns(raw)  # nothing taken out yet
    notes: list[str] = []
    candidates: list[str] = []
    if items is None:
        reserved = {*spec.by, raw.meta.id_col, *raw.meta.metadata, *raw.meta.grouped()}
        reserved |= rank_blocks(raw.table, raw)
        in_force = {"role": role_col, "weight": spec.weight(study), "id": study.id_col}
        in_force |= {"wave": study.wave_col, "segment": study.segment_col}
        notes += _reserved_items(recoder, columns, names, study, in_force, reserved)
        reserved |= set(in_force.values())
        candidates = [n for n in names if n not in reserved and not ID_NAME.search(n)]
    if kept is not None:
        wanted = set(candidates if items is None else items) - kept
        columns = HandedColumns(raw, [n for n in names if n in wanted])
    try:
        return _recoded(recoder, raw, columns, spec, study, items, candidates, notes)
    finally:
        columns.close()


def _recoded(
    recoder: Recoder,
    raw: RawTable,
    columns: HandedColumns,
    spec: SurveySpec,
    study: Study,
    items: list[str] | None,
    candidates: list[str],
    notes: list[str],
) -> tuple[dict[str, Coded], list[str], list[str]]:
    """:func:`_coded_items` once the candidates are known: each column probed or recoded
    is ``done`` in ``columns``."""
    file, scale = raw.source.path, recoder.scale
    answers: dict[str, Coded] = {}
    coded_total: Counter[str] = Counter()
    coded_items = 0
    probed: dict[str, tuple] = {}  # a probe that passes is the recode: keep it
    if items is None:
        items = []
        outcomes = _probe_all(recoder, columns, candidates, done=True)
        for name, outcome in zip(candidates, outcomes, strict=True):
            try:
                if isinstance(outcome, BaseException):
                    raise outcome
                probed[name] = outcome
            except NotOnScaleError as exc:
                if exc.share >= MOSTLY_ON_SCALE and exc.error is not None:
                    # an item with a few bad answers: say which, rather than drop the column
                    raise exc.error from None
                if exc.share > 0 and exc.error is not None:
                    notes.append(off_scale_note(name, exc.share, exc.error, spec.items_option))
                continue
            items.append(name)
        if not items:
            raise InputError(
                f"{file}: no item columns found (no column's answers all lie on the scale "
                f"{scale.describe()}); name them with {spec.items_option} or in cxkit.toml "
                "[items]"
            )
    for name in items:
        if name in probed:
            values, missing_counts = probed.pop(name)
        else:
            values, missing_counts = _recode_named(recoder, raw, columns.column(name), name, notes)
            columns.done(name)
        if study.is_reverse(name):
            values = values.reversed(scale.min, scale.max)
        answers[name] = values
        coded = {k: v for k, v in missing_counts.items() if k != "(blank)"}
        coded_total.update(coded)
        coded_items += bool(coded)
    if coded_total:
        detail = ", ".join(f"{k!r}: {v}" for k, v in sorted(coded_total.items()))
        notes.append(
            f"{file}: {sum(coded_total.values())} answers in {coded_items} items were missing "
            f"codes ({detail}), excluded from each item's n"
        )
    return answers, items, notes


def _reserved_items(
    recoder: Recoder,
    columns: HandedColumns,
    names: list[str],
    study: Study,
    in_force: dict[str, str | None],
    reserved: set[str | None],
) -> list[str]:
    """A note for each column the config reserves (``[columns]`` role, weight, id, wave or
    segment, when no option overrides it) that would otherwise be an item: its answers all
    lie on the scale."""
    named = [
        (key, name)
        for key, name in in_force.items()
        if name is not None
        and name == getattr(study, f"{key}_col")
        and name in names
        and name not in reserved
        and not ID_NAME.search(name)
    ]
    outcomes = _probe_all(recoder, columns, [name for _, name in named])
    return [
        f"column {name!r} is the config's columns.{key}, so it is not analysed as an item"
        for (key, name), outcome in zip(named, outcomes, strict=True)
        if not isinstance(outcome, BaseException)
    ]


def _recode_named(
    recoder: Recoder, raw: RawTable, column: pa.ChunkedArray, name: str, notes: list[str]
) -> tuple[Coded, Counter[str]]:
    """Recode ``column``, the item ``name`` the user named; an SPSS variable read as its
    value labels (labels of its own, not answer labels) is recoded from its numeric codes,
    with a note."""
    from .formats.spss import label_codes

    try:
        return recoder.recode(column, name)
    except InputError:
        codes = label_codes(column, raw.meta.value_labels.get(name, {}))
        if codes is None:
            raise
    coded = recoder.recode(codes, name)
    notes.append(
        f"{raw.source.path}: the SPSS value labels of {name} are not answer labels cxkit "
        "knows: its numeric codes are read as the answers"
    )
    return coded


def _probe_all(
    recoder: Recoder, columns: HandedColumns, names: list[str], done: bool = False
) -> list[object]:
    """Each column's probe (its recode, or the exception it raised), two columns at a
    time: numpy and pyarrow release the GIL while they work on a column. ``done``: once
    probed, a column is let go (its codes, or why it is not an item, are all that is
    needed of it)."""

    def one(name: str) -> object:
        try:
            return dataclasses.replace(recoder).recode(columns.column(name), name, probe=True)
        except Exception as exc:  # handed back to the caller, raised there in column order
            return exc
        finally:
            if done:
                columns.done(name)

    if columns.rows < aggregate.THREADED_ROWS or len(names) < 2:
        return [one(n) for n in names]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, names))
