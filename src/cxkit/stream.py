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


def _batches(files: list[Path], columns: list[str] | None, batch_rows: int):
    import pyarrow as pa
    import pyarrow.parquet as pq

    for f in files:
        try:
            pf = pq.ParquetFile(f)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{f}: is not a readable Parquet file ({exc})") from None
        names = pf.schema_arrow.names
        if columns is not None:
            missing = [c for c in columns if c not in names]
            if missing:
                raise InputError(
                    f"{f}: no column {missing[0]!r} (the files' columns do not line up)"
                )
        batches = pf.iter_batches(batch_size=batch_rows, columns=columns)
        first_row = 0  # the file's rows before this batch: errors name the file's row
        while True:
            try:  # a file damaged past its footer fails only when that batch is decoded
                batch = next(batches)
            except StopIteration:
                break
            except (pa.ArrowException, OSError) as exc:
                reason = " ".join(str(exc).split())  # pyarrow's message may span lines
                raise InputError(f"{f}: is not a readable Parquet file ({reason})") from None
            yield f, first_row, pa.Table.from_batches([batch])
            first_row += batch.num_rows


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
    for f, first_row, table in _batches(files, columns, batch_rows):
        source = SourceInfo(str(f), "", table.num_rows, "parquet")
        raw = RawTable(table, source, [], TableMeta(platform="parquet"), first_row)
        try:
            survey = survey_of(raw, study, spec)
        except InputError as exc:
            if not detected or options is None:
                raise
            # the whole-file reader would have seen this column's other answers too
            raise InputError(
                f"{exc}; --stream took the items from the first {batch_rows} rows: name them "
                "with --items or in cxkit.toml [items]"
            ) from None
        if options is None:
            # the first batch fixes the items and the columns read from then on
            spec = _fixed(spec, survey)
            options = _options(survey, self_roles, customer_roles, None, by, agree_at, confidence)
            self_set, cust_set = _role_sets(options[1], options[2])
            columns = _columns(survey, by)
            columns += [c for c in ids.wanted(table, survey.wave_col) if c not in columns]
            template = survey
        notes += [n for n in survey.notes if n not in notes]
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


def _fixed(spec: SurveySpec, survey) -> SurveySpec:
    import dataclasses

    return dataclasses.replace(spec, items=tuple(survey.items))


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
