"""Obstacle answers in any common layout, turned into one ranking (or set of picks) per row.

Layouts (detected from the chosen columns, or named with ``layout=``):

- ``rank-columns``: ``obstacle_1 ... obstacle_k`` hold obstacle names; position = rank.
- ``rank-numbers``: one column per obstacle holding its rank (Qualtrics rank order ``Q7_1``...).
- ``multi-select``: picked, not ranked: one column per option (``1``/``0``, ``true``, ``yes``,
  ``x``, the option's label, or one number per column such as the option's own number when
  picked), or one column joining the picks (``a; b``).

Labels are normalised (case, spacing, curly quotes), merged through the ``[obstacles.aliases]``
map of ``cxkit.toml``, and "Other (please specify)" and its variants become ``Other``: a row
with several write-ins counts ``Other`` once, at its best (smallest) rank, and a note counts
such rows. Invalid rows (another obstacle twice, a rank above k, a gap in the ranks, an
unreadable value) are excluded and counted, or raise :class:`~cxkit.errors.InputError` with
``strict=True``.

The ``[obstacles]`` table of ``cxkit.toml`` is read by :mod:`cxkit.obstacle_config`.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from .errors import InputError, UsageError
from .obstacle_config import LAYOUTS, ObstacleConfig
from .study import normalise_label

OTHER = "Other"
_OTHER = re.compile(r"^other(\s*$|\s*[(:\-–,/]|\s+\(|\s+please\b)")
_TRUE = {"1", "1.0", "true", "yes", "y", "x", "selected", "checked", "picked"}
_FALSE = {"0", "0.0", "false", "no", "n", "not selected", "unchecked"}
_NUMBERED = re.compile(r"^(.*?)[_. -]?(\d+)$")


def clean_label(text: str) -> str:
    """Straighten quotes and collapse spaces, keeping case (the displayed spelling)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u00a0", " ")
    return " ".join(text.split())


class Labeller:
    """Map raw answers to obstacle keys; remember the spellings seen for display.

    >>> lab = Labeller({"budget": "Budget restrictions"})
    >>> [lab.key(t) for t in ("BUDGET", "Budget  restrictions", "Other (please specify)")]
    ['budget restrictions', 'budget restrictions', 'other']
    >>> lab.display("other")
    'Other'
    """

    def __init__(self, aliases: dict[str, str] | None = None) -> None:
        self.aliases = {normalise_label(k): clean_label(v) for k, v in (aliases or {}).items()}
        self.fixed: dict[str, str] = {normalise_label(v): v for v in self.aliases.values()}
        self.fixed["other"] = OTHER
        self.seen: Counter[str] = Counter()  # raw answers, in first-seen order
        self._keys: dict[str, str] = {}

    def key(self, raw: str) -> str:
        self.seen[raw] += 1
        k = self._keys.get(raw)
        if k is None:
            norm = normalise_label(raw)
            if norm in self.aliases:
                k = normalise_label(self.aliases[norm])
            elif _OTHER.match(norm):
                k = "other"
            else:
                k = norm
            self._keys[raw] = k
        return k

    def display(self, key: str) -> str:
        if key in self.fixed:
            return self.fixed[key]
        spellings: Counter[str] = Counter()
        for raw, count in self.seen.items():
            if self._keys[raw] == key:
                spellings[clean_label(raw)] += count
        if not spellings:
            return key
        return spellings.most_common(1)[0][0]  # the commonest spelling; on a tie the first seen


@dataclass
class Rankings:
    """One answer per kept row: the obstacles named, in rank order (or sorted picks).

    Attributes
    ----------
    obstacles : list of str
        Obstacle labels, in alphabetical order of their keys; answers index into this list.
    answers : list of tuple of int
        Per kept row, the obstacles named (rank order when ``ranked``).
    rows : ndarray of int
        The kept rows' positions in the table.
    ranked : bool
        ``False`` for multi-select answers.
    k : int
        The number of ranks asked: answers ranking more are invalid (the most picks for
        multi-select). :attr:`depth` is the deepest rank actually given.
    present : ndarray of bool, shape (n_rows_table, m) or None
        For one-column-per-obstacle layouts: which rows had any value in each obstacle's
        column(s) (used to tell an obstacle not offered in a wave).
    layout, columns, notes, excluded
        The layout used, the columns read, notes, and excluded rows per reason.
    """

    obstacles: list[str]
    answers: list[tuple[int, ...]]
    rows: np.ndarray
    ranked: bool
    k: int
    present: np.ndarray | None
    layout: str
    columns: list[str]
    notes: list[str] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)
    labeller: Labeller | None = None

    @property
    def depth(self) -> int:
        """The most obstacles any kept answer names (the deepest rank given)."""
        return max((len(a) for a in self.answers), default=0)

    def key_index(self, label: str) -> int | None:
        """Index of an obstacle given any spelling (through the same aliases)."""
        lab = self.labeller or Labeller()
        keys = [normalise_label(o) for o in self.obstacles]
        k = lab.key(label)
        return keys.index(k) if k in keys else None


class _InvalidAnswerError(Exception):
    def __init__(self, column: str, value: str, problem: str) -> None:
        super().__init__(problem)
        self.column, self.value, self.problem = column, value, problem


def _text(values: list[Any]) -> list[str | None]:
    out: list[str | None] = []
    for v in values:
        if v is None or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            s = str(v).strip()
            out.append(s or None)
    return out


def select_columns(
    names: Sequence[str],
    patterns: Sequence[str],
    file: str,
    first_row: dict[str, Any] | None = None,
    option: str = "--columns",
) -> list[str]:
    """Columns named by ``patterns`` (names or globs), in rank/number order.

    Without patterns: every column whose name contains "obstacle", else every column whose
    first row (Qualtrics' question-text header row) contains it. A pattern that matches no
    column is an input error (exit 3, as for any named column the file lacks) that names
    ``option``, where the patterns came from.
    """
    if patterns:
        chosen: list[str] = []
        for pat in patterns:
            hits = [c for c in names if fnmatch.fnmatchcase(c, pat) and c not in chosen]
            if not hits:
                raise InputError(
                    f"{option} {pat!r} matches no column of {file} (columns: "
                    f"{', '.join(list(names)[:12])}); check the name or glob"
                )
            chosen += [c for c in hits if not c.upper().endswith("_TEXT")]
    else:
        chosen = [
            c for c in names if "obstacle" in c.casefold() and not c.upper().endswith("_TEXT")
        ]
        if not chosen and first_row:
            chosen = [
                c
                for c in names
                if "obstacle" in str(first_row.get(c) or "").casefold()
                and not c.upper().endswith("_TEXT")
                and not str(first_row.get(c)).casefold().endswith(" - text")
            ]
        if not chosen:
            raise InputError(
                f"{file}: no column name contains 'obstacle', so the answers cannot be found; "
                "pass --columns 'Q7_*' (names or globs) or set obstacles.columns in cxkit.toml"
            )
    numbers = [_NUMBERED.match(c) for c in chosen]
    if len(chosen) > 1 and all(numbers):
        keys = [int(m.group(2)) for m in numbers if m is not None]
        chosen = [c for _, c in sorted(zip(keys, chosen, strict=True))]
    return chosen


def _is_int(s: str) -> bool:
    try:
        return float(s).is_integer()
    except ValueError:
        return False


def _rank_positions(names: Sequence[str]) -> bool:
    """Whether the column names number positions ``1 .. k`` after one shared stem
    (``obstacle_1, obstacle_2``; ``rank1, rank2``), as rank columns are named.

    >>> _rank_positions(["obstacle_1", "obstacle_2"]), _rank_positions(["budget", "silos"])
    (True, False)
    """
    parts = [re.fullmatch(r"(.*?)(\d+)", n) for n in names]
    if not all(parts):
        return False
    stems = {p.group(1) for p in parts if p}
    numbers = sorted(int(p.group(2)) for p in parts if p)
    return len(stems) == 1 and numbers == list(range(1, len(names) + 1))


def _has_gap(cells: dict[str, list[str | None]]) -> bool:
    """Whether some row leaves a column blank but fills a later one: picks, not a ranking
    (ranks fill from the first column on)."""
    for row in zip(*cells.values(), strict=True):
        filled = [v is not None for v in row]
        if any(not a and b for a, b in pairwise(filled)):
            return True
    return False


def _is_zero(v: str) -> bool:
    return _is_int(v) and float(v) == 0


def _tick_codes(cells: dict[str, list[str | None]]) -> dict[str, str] | None:
    """Each column's one number other than 0, when no column holds two and none holds
    text: how a multi-select export codes a tick (Qualtrics: ``1``; others: the option's
    number), 0 or a blank meaning not ticked."""
    codes: dict[str, str] = {}
    for c, col in cells.items():
        distinct = {v.strip() for v in col if v is not None and not _is_zero(v)}
        if len(distinct) > 1:
            return None
        if distinct:
            (v,) = distinct
            if not _is_int(v):
                return None
            codes[c] = v
    return codes or None


def _not_rankings(cells: dict[str, list[str | None]]) -> bool:
    """Whether some row's numbers (0 read as blank) cannot be a ranking: a number twice,
    or a gap (1 and 3 but no 2)."""
    for row in zip(*cells.values(), strict=True):
        got = sorted(float(v) for v in row if v is not None and not _is_zero(v))
        if got != [float(r) for r in range(1, len(got) + 1)]:
            return True
    return False


def detect_layout(cells: dict[str, list[str | None]], separator: str | None) -> str:
    """Guess the layout from the values of the chosen columns.

    Columns that each hold one label (``Budget`` in one, ``Silos`` in the next) are one
    column per option of a multi-select question, unless they are named as rank positions
    (``obstacle_1, obstacle_2``) and no row skips a column: then they are rank columns in
    which every respondent gave the same order (or there is one respondent). Likewise
    columns that each hold one number (``1`` wherever ticked, as Qualtrics exports a
    multi-select, or the option's number) are a multi-select once some row holds a number
    twice or skips one (``1`` and ``3`` but no ``2``), which no ranking does; otherwise
    they are ranks that every respondent gave alike.
    """
    values = [v for col in cells.values() for v in col if v is not None]
    if len(cells) == 1:
        seps = (separator,) if separator else (";", "|")
        if any(s in v for v in values for s in seps):
            return "multi-select"
        return "rank-columns"
    if not values:
        return "rank-columns"
    ints = [v for v in values if _is_int(v)]
    if len(ints) * 2 > len(values):
        if all(float(v) in (0.0, 1.0) for v in ints) and any(float(v) == 0.0 for v in ints):
            return "multi-select"
        if len(ints) == len(values) and _tick_codes(cells) and _not_rankings(cells):
            return "multi-select"
        return "rank-numbers"
    if all(normalise_label(v) in _TRUE | _FALSE for v in values):
        return "multi-select"
    distinct = [{normalise_label(v) for v in col if v is not None} for col in cells.values()]
    one_label_each = all(len(d) <= 1 for d in distinct)
    if (
        one_label_each
        and len({next(iter(d)) for d in distinct if d}) > 1
        and (not _rank_positions(list(cells)) or _has_gap(cells))
    ):
        return "multi-select"
    return "rank-columns"


def _qualtrics_labels(cells: dict[str, list[str | None]]) -> dict[str, str] | None:
    """Labels from Qualtrics' second header row ('Question - Option'), if present."""
    first = next(iter(cells.values()))
    if len(first) < 2 or first[1] is None or not first[1].startswith('{"ImportId"'):
        return None
    labels = {}
    for col, vals in cells.items():
        text = vals[0] or col
        labels[col] = text.rsplit(" - ", 1)[-1].strip() if " - " in text else text
    return labels


def parse_rankings(
    data: dict[str, list[Any]],
    columns: Sequence[str],
    *,
    file: str = "input",
    layout: str | None = None,
    ranks: int | None = None,
    separator: str | None = None,
    config: ObstacleConfig | None = None,
    strict: bool = False,
    first_line: int = 2,
    labels: dict[str, str] | None = None,
) -> Rankings:
    """Parse the obstacle answers of every row.

    Parameters
    ----------
    data : dict of column -> list of values
        The table's columns (text, or Parquet values).
    columns : sequence of str
        The answer columns, in rank order for ``rank-columns`` (see :func:`select_columns`).
    layout : str, optional
        One of :data:`LAYOUTS`; default detected (:func:`detect_layout`).
    ranks : int, optional
        The number of ranks asked (k); default the number of rank columns or of obstacles.
    strict : bool
        Raise on the first invalid row instead of excluding and counting it.
    first_line : int
        The file line of the first row (2 for a CSV with one header line).
    labels : dict, optional
        Column -> option label from the export's header rows (as the reader found them).

    Returns
    -------
    Rankings
    """
    config = config or ObstacleConfig()
    cells = {c: _text(list(data[c])) for c in columns}
    n_rows = len(next(iter(cells.values())))
    notes: list[str] = []
    skip = 0
    qualtrics = _qualtrics_labels(cells)
    if qualtrics is not None:
        skip = 2
        cells = {c: v[2:] for c, v in cells.items()}
        notes.append(f"{file}: skipped Qualtrics' 2 extra header rows (question text, ImportId)")
    layout = layout or config.layout or detect_layout(cells, separator or config.separator)
    if layout not in LAYOUTS:
        raise UsageError(f"--layout {layout!r}: choose one of {', '.join(LAYOUTS)}")
    if layout == "multi-select" and len(columns) > 1 and _tick_codes(cells):
        # one number per column marks a tick (the option's own number, say): a plain tick
        cells = {
            c: [None if v is None else "0" if _is_zero(v) else "1" for v in col]
            for c, col in cells.items()
        }
    lab = Labeller(config.aliases)
    keys: list[str] = []

    def index(raw: str, add: bool = True) -> int:
        k = lab.key(raw)
        if k not in keys:
            if not add:
                return -1
            keys.append(k)
        return keys.index(k)

    per_column = layout == "rank-numbers" or (layout == "multi-select" and len(columns) > 1)
    col_index: dict[str, int] = {}
    if per_column:
        for c in columns:
            label = config.labels.get(c) or (qualtrics or labels or {}).get(c)
            if label is None and layout == "multi-select":
                seen = [
                    v
                    for v in cells[c]
                    if v is not None and normalise_label(v) not in _TRUE | _FALSE
                ]
                label = Counter(seen).most_common(1)[0][0] if seen else c
            col_index[c] = index(label or c)
    # each write-in column folded into Other is an option a respondent can rank on its own
    write_ins = sum(keys[i] == "other" for i in col_index.values())
    k_default = (
        len(columns)
        if layout == "rank-columns"
        else len(set(col_index.values())) + max(write_ins - 1, 0)
    )
    k = ranks or config.ranks or k_default
    sep = separator or config.separator or _sniff_separator(cells[columns[0]])
    answers: list[tuple[int, ...]] = []
    rows: list[int] = []
    excluded: Counter[str] = Counter()
    parse = {
        "rank-columns": _row_rank_columns,
        "rank-numbers": _row_rank_numbers,
        "multi-select": _row_multi,
    }[layout]

    def is_other(i: int) -> bool:  # write-ins all fold into Other: several are no error
        return keys[i] == "other"

    folded = 0
    for r in range(n_rows - skip):
        row = {c: cells[c][r] for c in columns}
        if all(v is None for v in row.values()):
            excluded["no answer"] += 1
            continue
        try:
            answer = parse(row, columns, k, index, col_index, sep, is_other)
        except _InvalidAnswerError as bad:
            if strict:
                raise InputError(
                    f"{file}: line {r + skip + first_line}, column {bad.column!r}: "
                    f"{bad.problem} ({bad.value!r}); fix the answer, or drop --strict to "
                    "exclude such rows (they are counted in the notes)"
                ) from None
            excluded[bad.problem.split(" (")[0]] += 1
            continue
        if len(set(answer)) < len(answer):  # Other twice or more: once, at its first rank
            folded += 1
            answer = tuple(dict.fromkeys(answer))
        answers.append(answer)
        rows.append(r + skip)
    # alphabetical order, so that every layout of the same answers gives the same indices;
    # spellings seen only in excluded rows are dropped
    used = range(len(keys)) if per_column else {i for a in answers for i in a}
    order = sorted(used, key=lambda i: keys[i])
    remap = {old: new for new, old in enumerate(order)}
    answers = [tuple(remap[i] for i in a) for a in answers]
    if layout == "multi-select":
        answers = [tuple(sorted(a)) for a in answers]
    col_index = {c: remap[i] for c, i in col_index.items()}
    keys = [keys[i] for i in order]
    obstacles = [lab.display(key) for key in keys]
    present = None
    if per_column:
        present = np.zeros((n_rows, len(keys)), dtype=bool)
        for c, i in col_index.items():
            present[skip:, i] |= np.array([v is not None for v in cells[c]], dtype=bool)
    if layout == "multi-select":
        k = max((len(a) for a in answers), default=0)
    if folded:
        at = "at the best rank given (what was ranked below a later write-in moves up a place)"
        notes.append(
            f"{folded} respondents gave several write-ins that all count as {OTHER} "
            f"(e.g. two 'Other (please specify)' answers); {OTHER} is counted once for each, "
            + (at if layout != "multi-select" else "as one pick")
        )
    return Rankings(
        obstacles=obstacles,
        answers=answers,
        rows=np.array(rows, dtype=np.int64),
        ranked=layout != "multi-select",
        k=k,
        present=present,
        layout=layout,
        columns=list(columns),
        notes=notes,
        excluded=dict(excluded),
        labeller=lab,
    )


def _sniff_separator(values: list[str | None]) -> str:
    for s in (";", "|", ","):
        if any(v is not None and s in v for v in values):
            return s
    return ";"


def _row_rank_columns(row, columns, k, index, _col_index, _sep, is_other) -> tuple[int, ...]:
    named: list[int] = []
    gap_at: str | None = None
    for pos, c in enumerate(columns, start=1):
        v = row[c]
        if v is None:
            gap_at = gap_at or c
            continue
        if gap_at is not None:
            raise _InvalidAnswerError(
                c, v, f"gap in the ranks ({gap_at} is blank but {c} is filled)"
            )
        if pos > k:
            raise _InvalidAnswerError(c, v, f"rank above k (rank {pos} but k = {k})")
        i = index(v)
        if i in named and not is_other(i):
            raise _InvalidAnswerError(c, v, "the same obstacle twice")
        named.append(i)
    return tuple(named)


def _row_rank_numbers(row, columns, k, _index, col_index, _sep, is_other) -> tuple[int, ...]:
    by_rank: dict[int, int] = {}
    seen: set[int] = set()
    for c in columns:
        v = row[c]
        if v is None:
            continue
        if not _is_int(v):
            raise _InvalidAnswerError(c, v, "not a rank number")
        r = int(float(v))
        if r < 1 or r > k:
            raise _InvalidAnswerError(
                c, v, f"rank above k (ranks run 1-{k})" if r > k else "rank below 1"
            )
        if r in by_rank:
            raise _InvalidAnswerError(c, v, f"the same rank twice (rank {r})")
        i = col_index[c]
        if i in seen and not is_other(i):
            raise _InvalidAnswerError(c, v, "the same obstacle twice")
        seen.add(i)
        by_rank[r] = i
    top = max(by_rank)
    if len(by_rank) != top:
        missing = min(set(range(1, top + 1)) - set(by_rank))
        raise _InvalidAnswerError(
            columns[0], str(sorted(by_rank)), f"gap in the ranks (no rank {missing})"
        )
    return tuple(by_rank[r] for r in range(1, top + 1))


def _row_multi(row, columns, _k, index, col_index, sep, is_other) -> tuple[int, ...]:
    picked: list[int] = []
    if len(columns) == 1:
        c = columns[0]
        for part in row[c].split(sep):
            if not part.strip():
                continue
            i = index(part)
            if i in picked and not is_other(i):
                raise _InvalidAnswerError(c, row[c], "the same obstacle twice")
            picked.append(i)
        return tuple(sorted(picked))
    for c in columns:
        v = row[c]
        if v is None:
            continue
        norm = normalise_label(v)
        if norm in _FALSE:
            continue
        i = col_index[c]
        if norm in _TRUE or index(v, add=False) == i:
            if i not in picked or is_other(i):  # Other twice is folded (and counted) later
                picked.append(i)
            continue
        raise _InvalidAnswerError(c, v, "not a yes/no pick")
    return tuple(sorted(picked))
