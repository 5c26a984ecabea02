"""``cxkit gap --stream``: Parquet drops larger than memory, in bounded memory.

The files are read record batch by record batch (only the columns the analysis needs); each
batch becomes a small :class:`~cxkit.survey.Survey` through the same reading and recoding
code as a whole file, its per-group histograms (:mod:`cxkit.aggregate`) are merged into the
running ones, and the batch is dropped. The statistics then come from the merged histograms
through the same code as the in-memory path, so the two give the same table (unweighted
counts exactly; weighted sums up to floating-point summation order).
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .aggregate import MISSING, Histograms, cells, split, stack
from .errors import MAX_BY_GROUPS, InputError, UsageError, check_by_groups
from .formats.meta import TableMeta
from .gap import (
    _assemble,
    _finish,
    _histograms_for,
    _options,
    _role_notes,
    _role_sets,
    _role_tally,
    _variables,
)
from .read import RawTable, SourceInfo
from .result import Result
from .startup import release_gc
from .study import Study, find_config, load_study
from .survey import SurveySpec, survey_of

#: rows per record batch: bounds the memory of one batch (about 0.2 GB for 26 columns)
BATCH_ROWS = 200_000


def parquet_files(path: Path) -> list[Path]:
    """The Parquet file, or every Parquet file of a folder (sorted); others are an error."""
    from .formats.folder import list_files

    if not path.exists():
        raise InputError(f"{path}: file not found; check the path")
    files = list_files(path) if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path}: folder holds no Parquet files to stream")
    other = [f for f in files if f.suffix.lower() != ".parquet"]
    if other:
        raise InputError(
            f"{other[0]}: --stream reads Parquet files only; convert it, or drop --stream"
        )
    return files


def _union(files: list[Path], root: Path) -> dict[str, object]:
    """Every column of the files, in order of first appearance, with its Arrow type (from
    the footers alone), then the partition keys of ``key=value`` folders: the columns the
    in-memory read of the folder stacks (a column a file lacks is null in its rows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .formats.folder import partition_clash, partitions

    union: dict[str, object] = {}
    for f in files:
        try:
            schema = pq.read_schema(f)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{f}: is not a readable Parquet file ({exc})") from None
        for field in schema:
            union.setdefault(field.name, field.type)
        if root.is_dir():
            for key in partitions(root, f):
                if key in schema.names:
                    raise partition_clash(f, key)
    if root.is_dir():
        for f in files:
            for key in partitions(root, f):
                union.setdefault(key, pa.string())
    return union


def _batches(
    files: list[Path],
    columns: list[str] | None,
    batch_rows: int,
    root: Path,
    union: dict[str, object],
):
    """``(file, first row, table)`` for each record batch of ``columns`` (None: all of
    ``union``), a column the file lacks filled with nulls and a partition key with the
    file's folder value, as the in-memory read of the folder does."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .formats.folder import partitions

    wanted = list(union) if columns is None else columns
    for f in files:
        try:
            pf = pq.ParquetFile(f)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{f}: is not a readable Parquet file ({exc})") from None
        names = pf.schema_arrow.names
        keys = partitions(root, f) if root.is_dir() else {}
        missing = [c for c in wanted if c not in names and c not in keys and c not in union]
        if missing:
            raise InputError(f"{f}: no column {missing[0]!r} (the files' columns do not line up)")
        batches = pf.iter_batches(batch_size=batch_rows, columns=[c for c in wanted if c in names])
        first_row = 0  # the file's rows before this batch: errors name the file's row
        while True:
            try:  # a file damaged past its footer fails only when that batch is decoded
                batch = next(batches)
            except StopIteration:
                break
            except (pa.ArrowException, OSError) as exc:
                reason = " ".join(str(exc).split())  # pyarrow's message may span lines
                raise InputError(f"{f}: is not a readable Parquet file ({reason})") from None
            table = _filled(pa.Table.from_batches([batch]), wanted, batch.num_rows, keys, union)
            yield f, first_row, table
            first_row += batch.num_rows


def _filled(table, wanted: list[str], n: int, keys: dict[str, str], union: dict[str, object]):
    """``table`` with the columns of ``wanted`` in that order: a partition key's value, or
    nulls for a column the file lacks."""
    import pyarrow as pa

    out = {}
    for c in wanted:
        if c in table.column_names:
            out[c] = table.column(c)
        elif c in keys:
            out[c] = pa.array([keys[c]] * n, pa.string())
        else:
            out[c] = pa.nulls(n, union[c])
    return pa.table(out) if out else table


def _fingerprint(files: list[Path], root: Path) -> str:
    """sha256 over the files' relative paths and contents (read in chunks)."""
    import hashlib

    digest = hashlib.sha256()
    for f in files:
        h = hashlib.sha256()
        with f.open("rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 24), b""):
                h.update(chunk)
        rel = f.relative_to(root).as_posix() if root.is_dir() else f.name
        digest.update(f"{rel}\0{h.hexdigest()}\n".encode())
    return digest.hexdigest()


def stream_gap(
    path: str | Path,
    *,
    spec: SurveySpec | None = None,
    config: str | Path | None = None,
    use_config: bool = True,
    self_roles: Sequence[str] | None = None,
    customer_roles: Sequence[str] | None = None,
    by: Sequence[str] = (),
    agree_at: float | None = None,
    confidence: float = 0.95,
    drop_unknown_roles: bool = False,
    small_base: int = 30,
    batch_rows: int = BATCH_ROWS,
    max_groups: int = MAX_BY_GROUPS,
) -> Result:
    """:func:`cxkit.gap.gap` over a Parquet file or folder of drops, one record batch at a time.

    Parameters are those of :func:`cxkit.survey.read_survey` and :func:`cxkit.gap.gap`;
    ``batch_rows`` bounds the rows held at once.

    Returns
    -------
    Result
        The table of :func:`cxkit.gap.gap` (same columns and rows). Notes found while
        reading (missing codes) are those of each batch, not summed over batches.
    """
    release_gc()  # the command has loaded its modules (see cxkit.startup)
    spec = spec or SurveySpec()
    root = Path(path)
    files = parquet_files(root)
    cfg = find_config(config, root) if use_config else None
    study = load_study(cfg) if cfg is not None else Study()
    by = tuple(by)
    columns: list[str] | None = None
    options = None
    self_set: set[str] = set()
    cust_set: set[str] = set()
    tally: dict[str | None, int] = {}
    total: list[Histograms] | None = None
    by_cell: dict[tuple[str, ...], list[Histograms]] = {}
    template = None
    notes: list[str] = []
    rows = 0
    ids = _Ids(study.id_col)
    detected = not (spec.items or study.items)
    union = _union(files, root)
    for f, first_row, table in _batches(files, columns, batch_rows, root, union):
        source = SourceInfo(str(f), "", table.num_rows, "parquet")
        raw = RawTable(table, source, [], TableMeta(platform="parquet"), first_row)
        try:
            survey = survey_of(raw, study, spec)
        except InputError as exc:
            if not detected or options is None or not _about_items(exc, spec.items):
                raise
            # the whole-file reader would have seen this column's other answers too
            raise InputError(
                f"{exc}; --stream took the items from the first {batch_rows} rows: name them "
                "with --items or in cxkit.toml [items]"
            ) from None
        batch_notes = survey.notes  # the first batch's survey may be built again below
        if options is None and detected:
            # a column with no answers in the first batch (or not in the first file) may
            # be an item all the same, and one off the scale there is judged on all its
            # answers: the later batches decide, as the whole read would
            read = (files, batch_rows, root, union)
            later, judged = _items_later(table, survey, study, spec, by, read)
            batch_notes = _with_judged(survey.notes, judged)
            if later:
                items = [c for c in union if c in {*survey.items, *later}]
                spec = dataclasses.replace(spec, items=tuple(items))
                survey = survey_of(raw, study, spec)
        if options is None:
            # the first batch fixes the items and the columns read from then on
            spec = _fixed(spec, survey)
            options = _options(survey, self_roles, customer_roles, None, by, agree_at, confidence)
            self_set, cust_set = _role_sets(options[1], options[2])
            columns = _columns(survey, by)
            columns += [c for c in ids.wanted(table, survey.wave_col) if c not in columns]
            template = survey
        notes += [n for n in batch_notes if n not in notes]
        ids.add(f, first_row, table)
        rows += table.num_rows
        codes, part = _role_tally(survey, self_set, cust_set)
        for k, v in part.items():
            tally[k] = tally.get(k, 0) + v
        chosen = options[0]
        variables = _variables(survey, chosen)
        weights = (
            np.asarray(survey.column(survey.weight_col), dtype=float)
            if survey.weight_col is not None
            else None
        )
        h = _histograms_for(variables, codes, None, 1, weights)
        total = h if total is None else [a.merge(b) for a, b in zip(total, h, strict=True)]
        if by:
            cell, labels = cells({b: survey.grouping(b) for b in by}, by, max_groups)
            per_var = [split(x, 2) for x in _histograms_for(
                variables, codes, cell, len(labels), weights)]  # fmt: skip
            for ci, key in enumerate(labels):
                mine = [parts[ci] for parts in per_var]
                old = by_cell.get(key)
                by_cell[key] = mine if old is None else [
                    a.merge(b) for a, b in zip(old, mine, strict=True)]  # fmt: skip
            for j, b in enumerate(by):  # each batch passed; their union may not
                check_by_groups(b, len({k[j] for k in by_cell} - {MISSING}), max_groups)
    if template is None or total is None:  # pragma: no cover - Parquet readers give a batch
        raise InputError(f"{root}: has columns but no responses")
    ids.check(root)
    chosen, roles_self, roles_cust, agree = options
    role_notes = _role_notes(
        tally, self_set, cust_set, template.role_col, str(root), drop_unknown_roles
    )
    variables = _variables(template, chosen)
    total_table = _assemble(variables, total, (), [()], agree, confidence)
    cells_table = None
    if by:
        labels = sorted(by_cell)
        stacked = [stack([by_cell[k][v] for k in labels]) for v in range(len(variables))]
        cells_table = _assemble(variables, stacked, by, labels, agree, confidence)
    info = SourceInfo(
        str(root), _fingerprint(files, root), rows, f"parquet-stream({len(files)} files)"
    )
    template.sources = [info]
    template.notes = [
        f"{root}: streamed {rows} responses from {len(files)} files in batches of "
        f"{batch_rows} rows",
        *notes,
    ]
    opts = (chosen, roles_self, roles_cust, agree, confidence, small_base)
    return _finish(template, by, total_table, cells_table, role_notes, opts)


class _Ids:
    """The respondent ids of every batch, checked for repeats once all are read.

    The in-memory reader refuses an id that appears twice in a wave (``--dedupe`` picks
    one), so a stream must too, or a folder holding the same drop twice would count it
    twice. Only the keys are kept (about 8 bytes plus the id's and wave's length per
    response), trimmed, as Arrow text (:func:`cxkit.respondents.respondent_keys`).
    """

    def __init__(self, column: str | None) -> None:
        self.column = column
        self.wave: str | None = None
        self.chunks: list = []
        self.waves: list = []
        self.where: list[tuple[int, Path, int]] = []  # (first row, file, its row in the file)
        self.rows = 0

    def wanted(self, table, wave_col: str | None) -> list[str]:
        """The id column (and the wave column), when the study names one the files have."""
        if self.column is None or self.column not in table.column_names:
            self.column = None
            return []
        self.wave = wave_col
        return [self.column, *([wave_col] if wave_col is not None else [])]

    def add(self, file: Path, first_row: int, table) -> None:
        if self.column is None:
            return
        import pyarrow as pa

        from .arrow_values import plain_text

        # large_string: the ids of a whole stream may pass the 2 GB of one string array
        self.chunks += plain_text(table.column(self.column), pa.large_string()).chunks
        if self.wave is not None:
            self.waves += plain_text(table.column(self.wave), pa.large_string()).chunks
        self.where.append((self.rows, file, first_row))
        self.rows += table.num_rows

    def check(self, root: Path) -> None:
        """An :class:`InputError` naming the first repeated id and where it appears."""
        if self.column is None or not self.chunks:
            return
        import pyarrow as pa

        from .respondents import repeat_text, respondent_repeat

        columns = {"id": pa.chunked_array(self.chunks, pa.large_string())}
        if self.wave is not None:
            columns["wave"] = pa.chunked_array(self.waves, pa.large_string())
        repeat = respondent_repeat(pa.table(columns), "id", "wave" if self.waves else None)
        self.chunks, self.waves = [], []
        if repeat is None:
            return
        value, first, second, n_ids = repeat
        raise InputError(
            f"{root}: {repeat_text(value, self.column)} appears in "
            f"{self._place(first, root)} and {self._place(second, root)} ({n_ids} ids repeated); "
            "remove the repeated responses (a drop given twice?), or read without --stream "
            "and pass --dedupe first or --dedupe last"
        )

    def _place(self, row: int, root: Path) -> str:
        starts = [w[0] for w in self.where]
        start, file, file_row = self.where[bisect.bisect_right(starts, row) - 1]
        name = file.relative_to(root).as_posix() if root.is_dir() else file.name
        return f"{name} data row {file_row + row - start + 1}"


def _about_items(error: InputError, items: Sequence[str]) -> bool:
    """Whether ``error`` is a recode error of one of ``items`` (not of the weight, say)."""
    return any(f": column {item!r}, data row " in str(error) for item in items)


def _fixed(spec: SurveySpec, survey) -> SurveySpec:
    return dataclasses.replace(spec, items=tuple(survey.items))


def _items_later(
    table, survey, study: Study, spec: SurveySpec, by: Sequence[str], read
) -> tuple[list[str], dict[str, str]]:
    """The columns that are items over the whole stream though the first batch (``table``,
    built into ``survey``) has no answer in them (a question blank in the first rows, or
    one that a later drop adds), and the notes on the columns that are not items because
    of answers off the scale, by column, judged over the whole stream.

    Each column the first batch could not judge alone is read on its own from every batch
    and judged on all its answers, as the whole-file reader judges a column: an item when
    every answer lies on the scale (and there is one); an error when at least 80% do (an
    item with bad answers); else a note when some do. A column partly off the scale in
    the first batch is never an item, but the share its note gives, and whether it is the
    error of an item with bad answers instead, depend on all its answers too.
    """
    from .item_columns import ID_NAME, MOSTLY_ON_SCALE, off_scale_note, recoder_for

    files, batch_rows, root, union = read
    taken = {survey.role_col, survey.weight_col, *by, study.id_col, study.segment_col}
    taken |= {survey.wave_col, *survey.items}
    recoder = recoder_for(study, spec, str(files[0]))
    first = {
        c: _tally(recoder, table.column(c), c)
        for c in table.column_names
        if c not in taken and not ID_NAME.search(c)
    }
    open_ = [c for c, (n, _, _) in first.items() if n == 0]
    noted = {c for c, (n, k, error) in first.items() if n and k and error is not None}
    judge = [c for c in first if c in noted or c in open_]
    if not judge:
        return [], {}
    answered = dict.fromkeys(judge, 0)
    on = dict.fromkeys(judge, 0)
    first_error: dict[str, InputError] = {}
    for f, first_row, part in _batches(files, judge, batch_rows, root, union):
        batch_recoder = dataclasses.replace(recoder, file=str(f), first_row=first_row)
        for c in judge:
            n, k, error = _tally(batch_recoder, part.column(c), c)
            answered[c] += n
            on[c] += k
            if error is not None:
                first_error.setdefault(c, error)
    items, judged = [], {}
    for c in judge:
        if not answered[c] or not on[c]:
            continue  # no answer, or none on the scale: not an item, as in memory
        if c not in first_error:
            items.append(c)
            continue
        share = on[c] / answered[c]
        if share >= MOSTLY_ON_SCALE:
            raise first_error[c]
        judged[c] = off_scale_note(c, share, first_error[c], spec.items_option)
    return items, judged


def _with_judged(notes: list[str], judged: dict[str, str]) -> list[str]:
    """The first batch's notes with its notes on columns off the scale replaced by the
    whole stream's (``judged``, in column order), where the first of them stood (at the
    end if the first batch had none)."""
    from .item_columns import is_off_scale_note

    def about_judged(note: str) -> bool:
        return any(is_off_scale_note(note, c) for c in judged)

    at = next((i for i, n in enumerate(notes) if about_judged(n)), len(notes))
    kept = [n for n in notes if not about_judged(n)]
    return kept[:at] + list(judged.values()) + kept[at:]


def _tally(recoder, col, name: str) -> tuple[int, int, InputError | None]:
    """``(answers, answers on the scale, the first off it as an error)`` of a column."""
    from .recode import NotOnScaleError

    try:
        coded, _ = dataclasses.replace(recoder).recode(col, name, probe=True)
    except NotOnScaleError as exc:
        if exc.error is not None:
            return exc.answered, round(exc.share * exc.answered), exc.error
        try:  # the probe says the same of no answer and of no answer on the scale
            dataclasses.replace(recoder).recode(col, name)
        except InputError as error:
            return _answers(recoder, col), 0, error
        return 0, 0, None
    n = int((coded.codes >= 0).sum())
    return n, n, None


def _answers(recoder, col) -> int:
    """How many cells of ``col`` are answers: not null, not blank, not a missing code."""
    from .study import normalise_label

    n = 0
    for entry in col.value_counts().to_pylist():
        value, count = entry["values"], entry["counts"]
        if isinstance(value, str):
            label = normalise_label(value)
            n += count if label and label not in recoder.missing else 0
        elif value is not None and value == value and value not in recoder.missing_numbers:
            n += count  # a number, not nan
    return n


def _columns(survey, by: Sequence[str]) -> list[str]:
    cols = [survey.role_col, survey.weight_col, *by, *survey.items]
    out: list[str] = []
    for c in cols:
        if c is not None and c not in out:
            out.append(c)
    return out


def check_stream_options(**options: object) -> None:
    """Options that need the whole table at once are usage errors with --stream."""
    for name, value in options.items():
        if value:
            raise UsageError(f"--stream cannot be combined with {name}: drop one of them")
