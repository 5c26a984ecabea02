"""Turn raw tables into a typed, recoded :class:`Survey` (the study step of the data flow).

Answers are recoded once here: text labels to codes, missing codes to ``nan``, reverse-coded
items flipped, every answer checked against the scale. Errors name the file, the column, the
data row (1 = first row after the header) and the value, and say how to fix it.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from .answers import Coded
from .arrow_values import (
    Text,
    as_text,
    bool_array,
    checked_weights,
    concat_text,
    materialized,
    repeated_text,
)
from .errors import InputError, UsageError, as_names
from .item_columns import ID_NAME, coded_items, recoder_for
from .read import RawTable, SourceInfo, read_table
from .respondents import repeat_text, respondent_keys, respondent_repeat
from .study import (
    Scale,
    Study,
    find_config,
    load_study,
)

if TYPE_CHECKING:
    import pandas as pd

#: role column used when self and customer answers come in two files
FILE_ROLE_COL = "source_file_role"


@dataclass
class Survey:
    """A survey ready for analysis.

    Attributes
    ----------
    columns : dict of str to array
        The role, weight, breakdown, id and wave columns as read: text as
        :class:`~cxkit.arrow_values.Text` (pandas text once :meth:`column` asked for it),
        weights as float.
    answers : dict of str to Coded
        Each item's answers as small integer codes (reverse-coded items already flipped).
    items : list of str
        The rated items, in file order (or config order).
    study : Study
        The config in force (defaults where no config was found).
    scale : Scale
        The answer scale and agree threshold.
    role_col, weight_col : str or None
        Column names in ``columns``.
    sources : list of SourceInfo
        The files read, with their sha256.
    notes : list of str
        What was noticed while reading: missing codes, encodings, dropped columns.
    frame : DataFrame
        (Built on first use.) One row per response: ``columns``, then the items as float
        (``nan`` = no answer).
    """

    columns: dict[str, object]
    answers: dict[str, Coded]
    items: list[str]
    study: Study
    scale: Scale
    role_col: str | None
    weight_col: str | None
    sources: list[SourceInfo]
    notes: list[str] = field(default_factory=list)
    self_roles: tuple[str, ...] = ()
    customer_roles: tuple[str, ...] = ()
    wave_col: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    n_rows: int = -1

    def __post_init__(self) -> None:
        if self.n_rows < 0:
            first = next(iter(self.answers.values()), None) or next(iter(self.columns.values()))
            self.n_rows = len(first)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        """One short line (the generated one printed every answer array: ~100 KB)."""

        def few(names: Sequence[str], limit: int = 6) -> str:
            shown = ", ".join(names[:limit])
            return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")

        roles = f"self={list(self.self_roles)}, customer={list(self.customer_roles)}"
        others = [c for c in self.columns if c not in (self.role_col, self.weight_col)]
        return (
            f"<Survey: {self.n_rows} rows, {len(self.items)} items [{few(self.items)}], "
            f"role column {self.role_col!r} ({roles}), weight {self.weight_col!r}, "
            f"other columns [{few(others)}], "
            f"sources [{few([s.path for s in self.sources], 3)}]>"
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, items: Sequence[str], **fields: object) -> Survey:
        """A survey from a DataFrame whose ``items`` columns hold numeric answers (``nan`` =
        no answer); ``fields`` are the other attributes (study, scale, role_col, …)."""
        answers = {it: Coded.from_floats(frame[it].to_numpy(float)) for it in items}
        columns = {c: frame[c].array for c in frame.columns if c not in answers}
        return cls(columns=columns, answers=answers, items=list(items), n_rows=len(frame), **fields)  # type: ignore[arg-type]

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """Every column as one DataFrame (the items as float, ``nan`` = no answer)."""
        return _frame_of(
            {k: materialized(v) for k, v in self.columns.items()}, self.answers, self.n_rows
        )

    def column(self, name: str) -> object:
        """One column without building :attr:`frame` (an item as float, text as pandas)."""
        if "frame" in self.__dict__:
            return self.frame[name]
        if name in self.columns:
            if isinstance(self.columns[name], Text):
                self.columns[name] = materialized(self.columns[name])
            return self.columns[name]
        return self.answers[name].floats()

    def grouping(self, name: str) -> object:
        """A column as stored, for grouping: text still held in Arrow stays there
        (:func:`cxkit.aggregate.factorize` encodes it without pandas)."""
        stored = self.columns.get(name)
        if "frame" not in self.__dict__ and isinstance(stored, Text):
            return stored
        return self.column(name)

    def has_column(self, name: str) -> bool:
        """Whether ``name`` was read with the survey."""
        if "frame" in self.__dict__:
            return name in self.frame.columns
        return name in self.columns or name in self.answers

    def coded(self, item: str) -> Coded:
        """An item's answers as codes (from :attr:`frame` if that was changed since)."""
        if "frame" in self.__dict__:
            return Coded.from_floats(self.frame[item].to_numpy(float))
        return self.answers[item]

    def subset(self, rows: np.ndarray) -> Survey:
        """The survey of the responses where the boolean mask ``rows`` is true."""
        out = dataclasses.replace(
            self,
            columns={
                k: v.filter(rows) if isinstance(v, Text) else v[rows]  # type: ignore[index]
                for k, v in self.columns.items()
            },
            answers={k: v.take(rows) for k, v in self.answers.items()},
            n_rows=int(np.count_nonzero(rows)),
        )
        if "frame" in self.__dict__:
            out.__dict__["frame"] = self.frame[rows].reset_index(drop=True)
        return out

    def pillar_of(self, item: str) -> str | None:
        spec = self.study.items.get(item)
        return spec.pillar if spec else None

    def label_of(self, item: str) -> str:
        spec = self.study.items.get(item)
        if spec and spec.label:
            return spec.label
        return self.labels.get(item) or item


def _require(table: pa.Table, column: str, file: str, what: str, fix: str) -> None:
    if column not in table.column_names:
        cols = ", ".join(table.column_names[:15])
        more = " …" if table.num_columns > 15 else ""
        raise InputError(f"{file}: no {what} column {column!r} (columns: {cols}{more}); {fix}")


def _resolve_items(
    table: pa.Table, study: Study, patterns: Sequence[str], file: str, option: str = "--items"
) -> list[str] | None:
    """Items named by patterns or config; ``None`` means "detect from the answers".

    ``option`` is the command's option that named the patterns, for the messages."""
    cols = table.column_names
    if patterns:
        chosen: list[str] = []
        for pat in patterns:
            hits = [c for c in cols if fnmatch.fnmatchcase(c, pat)]
            if not hits:
                raise InputError(
                    f"{file}: no column matches {option} {pat!r}; columns are: "
                    + ", ".join(cols[:20])
                )
            chosen.extend(h for h in hits if h not in chosen)
        return chosen
    if study.items:
        missing = [i for i in study.items if i not in cols]
        if missing:
            raise InputError(
                f"{file}: items in {study.path} not found in the file: {', '.join(missing)}; "
                f"fix [items] in the config or pass {option}"
            )
        return list(study.items)
    return None


def _wave_col(table: pa.Table, study: Study, spec: SurveySpec, file: str) -> str | None:
    """The wave column: the option, the config's, else one named like a wave (or None)."""
    from .waves import guess_wave_column

    if spec.wave_col is not None:
        _require(table, spec.wave_col, file, "--wave-col", "check the column name")
    found = guess_wave_column(table.column_names, spec.wave_col or study.wave_col)
    return found if found in table.column_names else None


@dataclass
class SurveySpec:
    """How to read a survey: options from the command line, overriding the config."""

    items: Sequence[str] = ()
    role_col: str | None = None
    weight_col: str | None = None
    by: Sequence[str] = ()
    scale: Scale | None = None
    missing: Sequence[str] = ()
    encoding: str | None = None
    unweighted: bool = False
    wave_col: str | None = None
    sheet: str | None = None
    finished_only: bool = False
    include_preview: bool = False
    dedupe: str | None = None
    #: the option that names the items, as messages call it (metric: --item)
    items_option: str = "--items"
    #: the option that sets the answer scale, as messages call it; None: the scale is fixed
    scale_option: str | None = "--scale"

    def __post_init__(self) -> None:
        # a single name is one name, not its characters (SurveySpec(items="nps"))
        self.items = as_names(self.items, "items")
        self.by = as_names(self.by, "by")
        if isinstance(self.missing, str | int | float):
            self.missing = (self.missing,)

    def scale_hint(self) -> str | None:
        """Where the user sets the scale, for an off-scale answer's message (None: fixed).

        >>> SurveySpec().scale_hint(), SurveySpec(scale_option="--outcome-scale").scale_hint()
        ('[scale] / --scale', '--outcome-scale')
        """
        if self.scale_option == "--scale":
            return "[scale] / --scale"  # the config's [scale] applies too
        return self.scale_option

    def read_options(self, study: Study) -> dict[str, object]:
        """Keyword arguments for :func:`cxkit.read.read_table`."""
        return {
            "encoding": self.encoding,
            "sheet": self.sheet,
            "finished_only": self.finished_only,
            "include_preview": self.include_preview,
            "options": {k: list(v) for k, v in study.multi.items()},
        }

    def projection(self, study: Study, *, role: bool = True) -> Callable[[list[str]], list[str]]:
        """The columns a survey is built from, given a file's column names (for the
        ``columns=`` of :func:`cxkit.read.read_table`): items (named, configured, or every
        column that could be one), role, weight, breakdown, id, segment and wave columns.

        A named column that is missing keeps every column, so the error about it lists
        the file's columns as without the projection.
        """

        def wanted(names: list[str]) -> list[str]:
            from .waves import guess_wave_column

            role_col = (self.role_col or study.role_col or "role") if role else None
            named = [self.weight(study), *self.by, self.wave_col]
            if self.role_col or study.role_col:
                named.append(role_col)
            if any(n is not None and n not in names for n in named):
                return names
            keep = {role_col, *named, study.id_col, study.segment_col}
            keep.add(guess_wave_column(names, self.wave_col or study.wave_col))
            if self.items:
                hits = [[c for c in names if fnmatch.fnmatchcase(c, p)] for p in self.items]
                if not all(hits):
                    return names
                keep.update(c for h in hits for c in h)
            elif study.items:
                keep.update(study.items)
            else:
                keep.update(c for c in names if not ID_NAME.search(c))
            return [c for c in names if c in keep]

        return wanted

    def weight(self, study: Study) -> str | None:
        """The weight column in force: the option, else the config's, unless unweighted."""
        return None if self.unweighted else (self.weight_col or study.weight_col)


@dataclass
class Parts:
    """What :func:`build_parts` makes of a table: the pieces of a :class:`Survey`."""

    columns: dict[str, object]
    answers: dict[str, Coded]
    items: list[str]
    notes: list[str]
    scale: Scale
    n_rows: int


def build_parts(
    raw: RawTable,
    study: Study,
    spec: SurveySpec,
    items: list[str] | None,
    role_col: str | None,
    *,
    consume: bool = False,
) -> Parts:
    """Recode the items (found in the answers when ``items`` is None) and keep the role,
    weight, breakdown, id and wave columns.

    ``consume``: the caller owns ``raw`` and reads only the role, weight, breakdown, id and
    wave columns of it afterwards, so every other column leaves ``raw.table`` once probed
    or recoded (:class:`~cxkit.read.HandedColumns`)."""
    table, file = raw.table, raw.source.path
    weight_col = spec.weight(study)
    if role_col is not None:
        _require(table, role_col, file, "role", "pass --role-col NAME or set columns.role")
    if weight_col is not None:
        _require(table, weight_col, file, "weight", "pass --weight NAME or fix columns.weight")
    for b in spec.by:
        _require(table, b, file, "--by", "check the column name")
    recoder = recoder_for(study, spec, file, raw.first_row)
    scale = recoder.scale
    from .waves import guess_wave_column

    # the columns read after the items never leave the table
    wave = guess_wave_column(table.column_names, spec.wave_col or study.wave_col)
    kept = {role_col, weight_col, *spec.by, study.id_col, study.segment_col, wave}
    del table  # raw.table from here on: it may lose the item columns
    handed = kept if consume else None
    answers, items, notes = coded_items(recoder, raw, study, spec, items, role_col, handed)
    table = raw.table
    extra: dict[str, object] = {}
    if role_col is not None:
        extra[role_col] = as_text(table.column(role_col))
    if weight_col is not None:
        extra[weight_col] = checked_weights(
            table.column(weight_col), weight_col, file, raw.first_row
        )
    keep = [*spec.by, study.id_col, study.segment_col, _wave_col(table, study, spec, file)]
    for b in keep:
        if b is not None and b not in extra and b not in answers and b in table.column_names:
            extra[b] = as_text(table.column(b))
    return Parts(extra, answers, items, notes, scale, table.num_rows)


def _frame_of(extra: dict[str, object], answers: dict[str, Coded], rows: int) -> pd.DataFrame:
    """``DataFrame({**extra, **items as float})`` with the item columns written once into one
    block (pandas would otherwise copy every item column again to consolidate them)."""
    import pandas as pd

    items = [k for k in answers if k not in extra]
    block = np.empty((rows, len(items)), order="F")
    for j, name in enumerate(items):
        block[:, j] = answers[name].floats()
    frame = pd.DataFrame(block, columns=items, copy=False)
    for i, (name, values) in enumerate(extra.items()):
        # a role or weight column that is also an item holds the item's answers
        frame.insert(i, name, answers[name].floats() if name in answers else values)
    return frame


def _joined(parts: list[object | None], lengths: list[int]) -> object:
    """One column of two files' parts, one after the other (``None``: that file lacks it).

    :func:`build_parts` keeps text as :class:`Text` and weights as floats (a weight column
    is required in both files), so those are the two cases.
    """
    if any(isinstance(p, np.ndarray) for p in parts):
        return np.concatenate(parts)  # type: ignore[arg-type]
    return concat_text(parts, lengths)  # type: ignore[arg-type]


def _dedupe(raw: RawTable, study: Study, spec: SurveySpec) -> RawTable:
    """Duplicate respondent ids (within a wave, when there is a wave column): an error, or
    keep the ``first`` / ``last`` of each (``spec.dedupe``)."""
    keep = spec.dedupe
    if keep not in (None, "first", "last"):
        raise UsageError(f"--dedupe {keep!r}: choose first or last")
    id_col = study.id_col or raw.meta.id_col
    table, file = raw.table, raw.source.path
    if id_col is None or id_col not in table.column_names:
        return raw
    wave_col = _wave_col(table, study, spec, file)
    if keep is None:
        repeat = respondent_repeat(table, id_col, wave_col)
        if repeat is None:
            return raw
        value, first, second, n_ids = repeat
        raise InputError(
            f"{file}: {repeat_text(value, id_col)} appears in data rows {first + 1} and "
            f"{second + 1} ({n_ids} ids repeated); pass --dedupe first or --dedupe last to "
            "keep one response per id"
        )
    order, same, _ = Text(table.column(id_col)).sorted_runs()  # trimmed; nulls apart
    if not same.any():
        return raw
    if wave_col is not None and wave_col != id_col:  # a repeat: is it within a wave?
        order, same, _ = Text(respondent_keys(table, id_col, wave_col)).sorted_runs()
        if not same.any():
            return raw
    # the first (last) row of each run of equal ids; every row without an id stays
    ends = ~np.append(False, same) if keep == "first" else ~np.append(same, False)
    kept = np.zeros(order.size, dtype=bool)
    kept[order[ends]] = True
    n = int(kept.size - kept.sum())
    table = table.filter(bool_array(kept))
    note = f"{file}: excluded {n} duplicate responses by {id_col!r} (--dedupe {keep})"
    source = dataclasses.replace(raw.source, rows=table.num_rows)
    return RawTable(table, source, [*raw.notes, note], raw.meta)


def survey_of(raw: RawTable, study: Study, spec: SurveySpec, *, consume: bool = False) -> Survey:
    """The :class:`Survey` of one table already read (a file, or one batch of a stream);
    ``consume`` as in :func:`build_parts`."""
    role_col = spec.role_col or study.role_col
    if role_col is None and "role" in raw.table.column_names:
        role_col = "role"
    items = _resolve_items(raw.table, study, spec.items, raw.source.path, spec.items_option)
    parts = build_parts(raw, study, spec, items, role_col, consume=consume)
    return Survey(
        columns=parts.columns,
        answers=parts.answers,
        items=parts.items,
        study=study,
        scale=parts.scale,
        role_col=role_col,
        weight_col=spec.weight(study),
        sources=[raw.source],
        notes=raw.notes + parts.notes,
        n_rows=parts.n_rows,
        self_roles=study.default_self(),
        customer_roles=study.default_customer(),
        wave_col=_wave_col(raw.table, study, spec, raw.source.path),
        labels=raw.meta.labels,
    )


def read_survey(
    path: str | Path | None = None,
    *,
    config: str | Path | None = None,
    use_config: bool = True,
    self_file: str | Path | None = None,
    customer_file: str | Path | None = None,
    spec: SurveySpec | None = None,
) -> Survey:
    """Read a survey file (or a self file and a customer file) into a :class:`Survey`.

    Parameters
    ----------
    path : str or Path, optional
        One file holding every role (``-`` for standard input).
    config : str or Path, optional
        A ``cxkit.toml``; by default ``./cxkit.toml``, else one beside the data file.
    use_config : bool
        ``False`` ignores any config file found.
    self_file, customer_file : str or Path, optional
        Two files instead of ``path``: the company's self-ratings and the customers'.
    spec : SurveySpec, optional
        Command-line choices (items, role/weight/breakdown columns, scale, missing codes).

    Returns
    -------
    Survey

    Raises
    ------
    InputError
        A file cannot be read, a column is missing, or an answer is invalid.
    """
    for name, value in (("path", path), ("self_file", self_file), ("customer_file", customer_file)):
        if value is not None and not isinstance(value, str | os.PathLike):
            raise UsageError(
                f"read_survey() takes {name} as a file path (str or Path), "
                f"not {type(value).__name__}"
            )
    spec = spec or SurveySpec()
    two_files = self_file is not None or customer_file is not None
    if two_files and (self_file is None or customer_file is None):
        raise UsageError("--self-file and --customer-file go together: pass both")
    if two_files and path is not None:
        raise UsageError("pass either a survey FILE or --self-file/--customer-file, not both")
    if not two_files and path is None:
        raise UsageError("missing survey file: cxkit gap FILE (or --self-file/--customer-file)")
    cfg_path = find_config(config, path if path is not None else self_file) if use_config else None
    study = load_study(cfg_path) if cfg_path is not None else Study()

    if not two_files:
        options = {
            **spec.read_options(study),
            "columns": spec.projection(study),
            "typed": True,
            "decimals": {spec.weight(study)} - {None},
            "plain_text": {study.id_col} - {None},
        }
        raw = _dedupe(read_table(path, **options), study, spec)
        return survey_of(raw, study, spec, consume=True)  # nothing else reads raw

    options = {
        **spec.read_options(study),
        "columns": spec.projection(study, role=False),
        "typed": True,
        "decimals": {spec.weight(study)} - {None},
        "plain_text": {study.id_col} - {None},
    }
    raws = [_dedupe(read_table(p, **options), study, spec) for p in (self_file, customer_file)]
    items = _resolve_items(raws[0].table, study, spec.items, raws[0].source.path, spec.items_option)
    parts: list[Parts] = []
    notes = []
    for raw in raws:
        if items is not None:
            for it in items:
                _require(raw.table, it, raw.source.path, "item", "both files need the same items")
        part = build_parts(raw, study, spec, items, None, consume=True)
        if items is None:
            items = part.items
        parts.append(part)
        notes += raw.notes + part.notes
    n_self, n_cust = parts[0].n_rows, parts[1].n_rows
    columns: dict[str, object] = {
        FILE_ROLE_COL: repeated_text([("self", n_self), ("customer", n_cust)])
    }
    for name in dict.fromkeys([*parts[0].columns, *parts[1].columns]):
        columns[name] = _joined([p.columns.get(name) for p in parts], [n_self, n_cust])
    return Survey(
        columns=columns,
        answers={it: Coded.concat([p.answers[it] for p in parts]) for it in items},
        items=list(items),
        study=study,
        scale=parts[-1].scale,
        role_col=FILE_ROLE_COL,
        weight_col=spec.weight(study),
        sources=[r.source for r in raws],
        notes=notes,
        n_rows=n_self + n_cust,
        self_roles=("self",),
        customer_roles=("customer",),
        wave_col=_wave_col(raws[-1].table, study, spec, raws[-1].source.path),
        labels={k: v for r in raws for k, v in r.meta.labels.items()},
    )
