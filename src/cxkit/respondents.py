"""Respondent ids: what must be unique per response, and the first repeat.

An id is unique within a wave when the survey has a wave column (a panel asks the same
respondents every wave), else in the whole table. Repeats are found by sorting
(:meth:`cxkit.arrow_values.Text.sorted_runs`), not hashing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .arrow_values import Text, plain_text, run_starts

#: joins a wave and an id into one key: a character no survey export puts in either, and
#: not whitespace, which the sort trims (Python and Arrow count U+001F as whitespace)
KEY_SEP = "\x00"


def respondent_keys(table: pa.Table, id_col: str, wave_col: str | None) -> pa.ChunkedArray:
    """What must be unique per response: the id, or with a wave column the pair (wave, id).

    A panel asks the same respondents every wave, so one id in two waves is two responses;
    the same id twice in one wave (or a drop read twice) is not. Both parts are trimmed; a
    missing id stays missing (never a repeat), a missing wave is the empty one.
    """
    ids = table.column(id_col)
    if wave_col is None or wave_col == id_col:
        return ids
    from . import arrow_compute as ac

    wave = ac.coalesce(ac.trim(plain_text(table.column(wave_col))), "")
    return ac.join_pairs(wave, ac.trim(plain_text(ids)), KEY_SEP)


def repeat_text(key: object, id_col: str) -> str:
    """``respondent id 'X'`` (``… in wave 'W'`` for a key of :func:`respondent_keys`)."""
    wave, sep, rid = str(key).rpartition(KEY_SEP)
    if not sep:
        return f"column {id_col!r}: respondent id {key!r}"
    return f"column {id_col!r}: respondent id {rid!r} in wave {wave!r}"


def first_repeat(ids: pa.ChunkedArray) -> tuple[object, int, int, int] | None:
    """The id that repeats first in row order: ``(id, first row, its next row, ids that
    repeat)``, rows counted from 0; ``None`` when every id is unique.

    Ids are compared trimmed; missing ids never count as repeats.
    """
    order, same, values = Text(ids).sorted_runs()
    if not same.any():
        return None
    # a repeated id's rows sit together in the sort, in row order: runs of ``same``
    starts = run_starts(same)
    firsts = order[starts]
    j = int(np.argmin(firsts))  # the repeated id met first
    value = values[int(starts[j])].as_py()
    return value, int(firsts[j]), int(order[starts[j] + 1]), int(starts.size)


def respondent_repeat(
    table: pa.Table, id_col: str, wave_col: str | None
) -> tuple[object, int, int, int] | None:
    """:func:`first_repeat` over :func:`respondent_keys`, at the cost of one sort of the ids
    when they are unique (most files): the (wave, id) pairs, dearer to build and to sort
    (0.13 s more on 1M rows), are made only when some id repeats."""
    repeat = first_repeat(table.column(id_col))
    if repeat is None or wave_col is None or wave_col == id_col:
        return repeat
    return first_repeat(respondent_keys(table, id_col, wave_col))
