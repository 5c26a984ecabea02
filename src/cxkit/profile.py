"""What cxkit sees in a file: each column's type, answers and role (shared by inspect/init).

The guesses are heuristics, written down so ``cxkit init`` can turn them into a starter
``cxkit.toml`` that a person then checks:

- ``metadata``: platform bookkeeping (dates, status, progress) - never answers.
- ``id``: the platform's respondent id, or a column named like one whose values are unique.
- ``role``: a text column whose answers are role words (executive, employee, customer …).
- ``multi`` / ``rank``: option columns of a multi-select / rank question.
- ``likert``: text answers of a built-in scale, or whole numbers 1…k in a matrix question
  (sibling columns ``q3_1``, ``q3_2`` …) or with scale value labels (SPSS).
- ``nps``: whole numbers 0…10 whose question mentions recommending (or values above 7).
- ``weight`` / ``wave``: named so; ``segment``: the first other short category list.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .formats import questions
from .read import RawTable
from .scales import SCALES, match_scale
from .study import BUILTIN_MISSING, BUILTIN_MISSING_NUMBERS, normalise_label

SELF_WORDS = {"executive", "employee", "manager", "staff", "leader", "leadership", "director"}
CUSTOMER_WORDS = {"customer", "client", "consumer", "buyer", "user"}
_ID_NAME = re.compile(r"(^|_|\s)(respondent|response)?_?\s?id$", re.I)
_MISSING = {normalise_label(m) for m in BUILTIN_MISSING}


@dataclass
class ColumnInfo:
    """One column as seen: type, how many answers, its labels and the guess."""

    name: str
    type: str
    label: str
    answered: int
    distinct: int
    values: list[str]
    kind: str = "text"
    scale: str | None = None


@dataclass
class Profile:
    """Every column's :class:`ColumnInfo` and the study-level guesses."""

    columns: list[ColumnInfo]
    id_col: str | None = None
    role_col: str | None = None
    self_roles: list[str] = field(default_factory=list)
    customer_roles: list[str] = field(default_factory=list)
    weight_col: str | None = None
    wave_col: str | None = None
    segment_col: str | None = None
    items: list[str] = field(default_factory=list)
    scale: tuple[int, int] | None = None
    nps: list[str] = field(default_factory=list)

    def by_kind(self, kind: str) -> list[str]:
        return [c.name for c in self.columns if c.kind == kind]


def _short(text: str, width: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _type_name(t: pa.DataType) -> str:
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    return "text"


def _counts(col: pa.ChunkedArray, tally: pa.StructArray | None = None) -> Counter:
    """Answers and how often each occurs (text stripped, blanks and nulls left out), in the
    order they first occur (``tally``: :func:`_value_counts` of ``col``, if already made).

    pyarrow counts the distinct cells (``value_counts`` keeps first-occurrence order), so
    only those become Python values, and only padded text is stripped one value at a time:
    a million-row column took 0.4 s as a Python loop over every cell (``cxkit inspect`` on
    26 such columns: 7.8 s). ``nan`` is one answer.
    """
    if pa.types.is_null(col.type):
        return Counter()
    if tally is None:
        tally = _value_counts(col)
    values, counts = tally.field("values").to_pylist(), tally.field("counts").to_pylist()
    found = dict(zip(values, counts, strict=True))  # each distinct cell once, in order
    if len(found) < len(values):  # cells Arrow tells apart but Python does not (0.0, -0.0)
        found = Counter()
        for v, n in zip(values, counts, strict=True):
            found[v] += n
    found.pop(None, None)
    cells = list(found)
    if cells and isinstance(cells[0], str):  # text (one type per column)
        if list(map(str.strip, cells)) != cells:  # padded text: merge what strips alike
            out: Counter = Counter()
            for v, n in found.items():
                out[v.strip()] += n
            found = out
        found.pop("", None)
    return Counter(found)


class _Tally:
    """A column's answers summarised (how many, how many distinct, the most common four)
    from Arrow's counts of its distinct cells; :func:`_counts` (``counter``) only when
    the column's kind needs the answers themselves.

    A respondent id column is a million distinct texts: turning each into a Python string,
    a dict entry and a heap entry took 0.9 s of a 1.5 s ``cxkit inspect``, and its name
    alone settles its kind.
    """

    def __init__(self, col: pa.ChunkedArray) -> None:
        self._col = col
        self._counter: Counter | None = None
        self._tally = None if pa.types.is_null(col.type) else _value_counts(col)
        summary = _text_summary(self._tally) if self._tally is not None else None
        if summary is None:
            counts = self.counter
            summary = sum(counts.values()), len(counts), [k for k, _ in counts.most_common(4)]
        self.answered, self.distinct, self.top = summary

    @property
    def counter(self) -> Counter:
        """:func:`_counts` of the column (computed on first use)."""
        if self._counter is None:
            self._counter = _counts(self._col, self._tally)
        return self._counter


def _value_counts(col: pa.ChunkedArray) -> pa.StructArray:
    """Arrow's ``value_counts`` of a column (dictionaries counted as their text)."""
    import pyarrow.compute as pc

    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    return pc.value_counts(col)


def _text_summary(tally: pa.StructArray) -> tuple[int, int, list[str]] | None:
    """``(answered, distinct, most common four)`` of a text column from its
    :func:`_value_counts`, as :func:`_counts` and ``Counter.most_common`` give them; None
    for other columns and for text that stripping would change or that holds blanks (the
    Counter route merges those)."""
    import pyarrow.compute as pc

    from .arrow_values import numbers

    values, counts = tally.field("values"), tally.field("counts")
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return None
    if values.null_count:
        present = pc.is_valid(values)
        values, counts = values.filter(present), counts.filter(present)
    ends = pc.utf8_slice_codeunits(values, 0, 1).unique().to_pylist()
    ends += pc.utf8_slice_codeunits(values, -1).unique().to_pylist()
    if any(not ch or ch.isspace() for ch in ends):  # "" or what str.strip would remove
        return None
    n = numbers(counts)
    first = np.argsort(-n, kind="stable")[:4]  # most_common: ties in first-seen order
    return int(n.sum()), len(values), [values[int(i)].as_py() for i in first]


def _as_numbers(values: list) -> list[float] | None:
    out = []
    for v in values:
        if isinstance(v, bool):
            return None
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            if isinstance(v, str) and normalise_label(v) in _MISSING:
                continue
            return None
    return out


def _item_like(col: pa.ChunkedArray) -> bool:
    """Every answer is a whole number from 1 to 7 (missing codes aside), as an item's are.

    >>> _item_like(pa.chunked_array([["1", "5", "3"]])), _item_like(pa.chunked_array([[1, 9]]))
    (True, False)
    """
    numbers = _as_numbers(list(_counts(col)))
    answered = [x for x in numbers or [] if x not in BUILTIN_MISSING_NUMBERS]
    return bool(answered) and all(float(x).is_integer() and 1 <= x <= 7 for x in answered)


def _siblings(names: list[str]) -> set[str]:
    prefix = Counter(m.group(1) for n in names if (m := re.match(r"^(.+?)_\d+$", n)))
    return {n for n in names if (m := re.match(r"^(.+?)_\d+$", n)) and prefix[m.group(1)] > 1}


def profile(raw: RawTable) -> Profile:
    """Look at every column of ``raw`` and guess what it is."""
    table, meta = raw.table, raw.meta
    names = table.column_names
    grouped = meta.grouped()
    matrix = _siblings([n for n in names if n not in grouped and n not in meta.metadata])
    cols: list[ColumnInfo] = []
    for name in names:
        col = table.column(name)
        tally = _Tally(col)
        info = ColumnInfo(
            name=name,
            type=_type_name(col.type),
            label=meta.labels.get(name, ""),
            answered=tally.answered,
            distinct=tally.distinct,
            values=[_short(str(k)) for k in tally.top],
        )
        info.kind, info.scale = _kind(name, info, tally, raw, matrix)
        cols.append(info)
    prof = Profile(columns=cols)
    _plain_groups(prof, table, meta)
    _study_guesses(prof, raw)
    return prof


def _kind(name, info, tally, raw, matrix) -> tuple[str, str | None]:
    meta = raw.meta
    lname = name.casefold()
    if name == meta.id_col:
        return "id", None
    if name in meta.metadata:
        return "metadata", None
    for q, group in meta.multi.items():
        if name in group:
            return "multi", q
    for q, group in meta.rank.items():
        if name in group:
            return "rank", q
    if "weight" in lname:
        return "weight", None
    if lname in ("wave", "quarter", "period") or lname.startswith("wave"):
        return "wave", None
    if info.answered == 0:
        return "empty", None
    if _ID_NAME.search(name) and info.distinct == info.answered:
        return "id", None
    counts = tally.counter
    words = {normalise_label(str(k)) for k in counts}
    words -= _MISSING
    if words and words <= SELF_WORDS | CUSTOMER_WORDS and words & CUSTOMER_WORDS:
        return "role", None
    numbers = _as_numbers(list(counts))
    if numbers is None:
        text_labels = [str(k) for k in counts if normalise_label(str(k)) not in _MISSING]
        scale = match_scale(text_labels)
        if scale is not None and len(text_labels) >= 2:
            return "likert", scale
        if re.fullmatch(r"\d+\s*-\s*\D.*", text_labels[0] if text_labels else "x"):
            return "nps", "0-10"
        long = any("\n" in str(k) or len(str(k)) > 60 for k in counts)
        mean = sum(len(str(k)) for k in counts) / len(counts)
        return ("category" if info.distinct <= 12 and not long and mean <= 30 else "text"), None
    answered = [x for x in numbers if x not in BUILTIN_MISSING_NUMBERS]
    if not answered or any(not float(x).is_integer() for x in answered):
        return "number", None
    lo, hi = min(answered), max(answered)
    label = (info.label or name).casefold()
    if lo >= 0 and hi <= 10 and ("recommend" in label or "nps" in lname or (hi > 7 and lo < 1)):
        return "nps", "0-10"
    labels = meta.value_labels.get(name, {})
    scaled = bool(labels) and match_scale(labels.values()) is not None
    if lo >= 1 and hi <= 7 and info.distinct >= 2 and (name in matrix or scaled):
        return "likert", f"1-{5 if hi <= 5 else 7}"
    return ("category" if info.distinct <= 12 else "number"), None


def _plain_groups(prof: Profile, table: pa.Table, meta) -> None:
    """Sibling columns of 0/1 answers (multi-select) or permutations (rank) in tidy files."""
    by_prefix: dict[str, list[ColumnInfo]] = {}
    for c in prof.columns:
        m = re.match(r"^(.+?)_\d+$", c.name)
        if m and c.kind in ("likert", "category", "number"):
            by_prefix.setdefault(m.group(1), []).append(c)
    for prefix, group in by_prefix.items():
        if len(group) < 2:
            continue
        names = [c.name for c in group]
        vals = set().union(*({normalise_label(v) for v in c.values} for c in group))
        if vals <= {"0", "1", "true", "false", "yes", "no", "0.0", "1.0"}:
            for c in group:
                c.kind, c.scale = "multi", prefix
            continue
        if questions._as_rank(table, names) is not None:
            for c in group:
                c.kind, c.scale = "rank", prefix


def _study_guesses(prof: Profile, raw: RawTable) -> None:
    cols = {c.name: c for c in prof.columns}
    prof.id_col = next((c.name for c in prof.columns if c.kind == "id"), None)
    roles = [c for c in prof.columns if c.kind == "role"]
    if roles:
        role = roles[0]
        prof.role_col = role.name
        counts = _counts(raw.table.column(role.name))
        for value in sorted(map(str, counts)):
            word = normalise_label(value)
            if word in CUSTOMER_WORDS:
                prof.customer_roles.append(value)
            elif word in SELF_WORDS:
                prof.self_roles.append(value)
    else:
        for c in prof.columns:
            text = f"{c.name} {c.label}".casefold()
            if c.kind == "category" and ("role" in text or "describes you" in text):
                c.kind, prof.role_col = "role", c.name
                break
    prof.weight_col = next((c.name for c in prof.columns if c.kind == "weight"), None)
    prof.wave_col = next((c.name for c in prof.columns if c.kind == "wave"), None)
    segments = (c for c in prof.columns if c.kind == "category")
    # a column of whole numbers on a small scale is an item to `gap` (which finds items by
    # their answers): naming it the segment would leave it out of the analysis
    prof.segment_col = next(
        (c.name for c in segments if not _item_like(raw.table.column(c.name))), None
    )
    if prof.segment_col:
        cols[prof.segment_col].kind = "segment"
    prof.items = prof.by_kind("likert")
    prof.nps = prof.by_kind("nps")
    points = Counter()
    for name in prof.items:
        s = cols[name].scale or ""
        points[len(SCALES[s]) if s in SCALES else int(s.split("-")[1])] += 1
    if points:
        prof.scale = (1, points.most_common(1)[0][0])
