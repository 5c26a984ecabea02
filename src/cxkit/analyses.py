"""Analyses addressable by name, for check expressions and reports: run one with defaults on
a drop, and pick the rows and column a metric path names.

A path such as ``gap[region=EMEA].item[sa_1].agree_customer`` runs ``gap`` with
``by=["region"]`` and selects the row whose ``level`` is ``item``, whose ``item`` is ``sa_1``
and whose ``region`` is ``EMEA``. Unknown names are usage errors listing the valid ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import UsageError
from .expr import Path
from .table import ColumnTable

if TYPE_CHECKING:
    import pandas as pd

    from .result import Result

ALL = "(all)"

Runner = Callable[..., "Result"]


@dataclass(frozen=True)
class Analysis:
    """How to run an analysis by name and how its rows are addressed.

    ``runner(files, config, by, options)`` returns a Result (``config``: a path, ``None`` to
    look for one, ``False`` for none; ``options``: the path's filters on ``run_options``
    columns, which choose what to run rather than which rows to keep); ``intrinsic`` are the
    result columns that are not breakdowns; ``key`` is the column a bare ``[value]`` filter
    matches. A runner that ``shares_reads`` also takes ``read=``, a function of a drop and
    the breakdown columns that gives the survey (see :func:`_survey`); one that
    ``shares_raw`` takes ``raw=``, a function of a drop that gives its table as
    ``read_table`` reads it (every column, as text). ``column_options``
    are the run options whose value names a column of the drop (``drivers[outcome=ltr]``).
    """

    name: str
    runner: Runner
    intrinsic: frozenset[str]
    key: str
    run_options: frozenset[str] = frozenset()
    shares_reads: bool = False
    column_options: frozenset[str] = frozenset()
    shares_raw: bool = False


def _survey(files: Sequence[str], config, by: Sequence[str], read=None):
    """The survey of the last drop with the ``by`` columns: ``read(path, by)`` when the
    caller shares its reads (``cxkit check`` reads a drop once for its data checks and for
    every gap or metric check of it), else read here."""
    if read is not None:
        return read(files[-1], tuple(by))
    from .survey import SurveySpec, read_survey

    return read_survey(
        files[-1],
        config=config or None,
        use_config=config is not False,
        spec=SurveySpec(by=tuple(by)),
    )


def _run_gap(files: Sequence[str], config, by: Sequence[str], options=None, read=None) -> Result:
    from .gap import gap

    return gap(_survey(files, config, by, read), by=tuple(by))


def _run_nps(files: Sequence[str], config, by: Sequence[str], options=None, raw=None) -> Result:
    from .commands.nps import nps_survey
    from .nps import nps

    survey, name = nps_survey(
        files[-1], config=config or None, use_config=config is not False, by=tuple(by),
        raw=raw(files[-1]) if raw is not None else None,
    )  # fmt: skip
    return nps(survey, name, by=tuple(by))


def _run_obstacles(files: Sequence[str], config, by: Sequence[str], options=None) -> Result:
    from .errors import UsageError
    from .obstacle_config import ObstacleConfig, parse_config
    from .obstacles import obstacles
    from .read import read_table
    from .study import find_config, load_study

    if len(by) > 1:
        raise UsageError("obstacles paths take one breakdown column, e.g. obstacles[wave=2012]")
    path = None if config is False else find_config(config or None, near=files[-1])
    ob_config = ObstacleConfig()
    if path is not None:
        ob_config = parse_config(load_study(path).obstacles, str(path))
    # ranks need the bootstrap; the default seed keeps a gate's verdict reproducible
    return obstacles(read_table(files[-1]), by=by[0] if by else None, config=ob_config)


def _study(config, near: str):
    from .study import Study, find_config, load_study

    path = None if config is False else find_config(config or None, near=near)
    return load_study(path) if path is not None else Study()


def _run_metric(files: Sequence[str], config, by: Sequence[str], options=None, read=None) -> Result:
    from .metrics import metric

    return metric(_survey(files, config, by, read), by=tuple(by))


def _run_drivers(files: Sequence[str], config, by: Sequence[str], options=None) -> Result:
    """Key drivers with the command's defaults; ``drivers[outcome=ltr]`` picks the outcome."""
    from .commands.drivers import drivers_survey
    from .drivers import drivers

    survey, name, _ = drivers_survey(
        files[-1],
        outcome=(options or {}).get("outcome"),
        config=config or None,
        use_config=config is not False,
    )
    return drivers(survey, name, [d for d in survey.items if d != name])


def _run_roi(files: Sequence[str], config, by: Sequence[str], options=None) -> Result:
    """roi on an account table: cx and outcome (and lag, model) from the path's filters,
    entity and time from the config's ``[report]`` table."""
    from .errors import UsageError
    from .read import read_table
    from .roi import roi
    from .roi_data import AccountSpec, panel_from_table

    options = options or {}
    if "cx" not in options or "outcome" not in options:
        raise UsageError(
            "roi paths name the CX score and the outcome, e.g. "
            "roi[cx=nps, outcome=revenue_growth, lag=1].per_10 >= 0"
        )
    report = _study(config, files[-1]).report or {}
    rng = report.get("cx_range")
    spec = AccountSpec(
        cx=[options["cx"]],
        outcomes=[options["outcome"]],
        entity=report.get("entity"),
        time=report.get("time"),
        cx_range=tuple(rng) if rng else None,
    )
    try:
        lag = int(options.get("lag", 0))
    except ValueError:
        raise UsageError(f"roi[lag={options['lag']}]: lag must be a whole number") from None
    if lag and not spec.time:
        raise UsageError(
            "roi paths with a lag need the period column: set time (and entity) in the "
            "[report] table of cxkit.toml"
        )
    panel = panel_from_table(read_table(files[-1]), spec)
    return roi(panel, lags=[lag], models=[options["model"]] if "model" in options else None)


ANALYSES: dict[str, Analysis] = {}


def register(analysis: Analysis) -> None:
    """Make an analysis addressable in check expressions."""
    ANALYSES[analysis.name] = analysis


register(
    Analysis(
        "gap", _run_gap, frozenset({"level", "item", "pillar", "label"}), "item", shares_reads=True
    )
)
register(Analysis("nps", _run_nps, frozenset({"level", "versus"}), key="versus", shares_raw=True))
register(Analysis("obstacles", _run_obstacles, frozenset({"obstacle", "status"}), key="obstacle"))
register(
    Analysis(
        "metric", _run_metric, frozenset({"level", "item", "label"}), "item", shares_reads=True
    )
)
register(
    Analysis(
        "drivers",
        _run_drivers,
        frozenset({"driver", "label", "quadrant", "outcome"}),
        key="driver",
        run_options=frozenset({"outcome"}),
        column_options=frozenset({"outcome"}),
    )
)
register(
    Analysis(
        "roi",
        _run_roi,
        frozenset({"cx", "outcome", "model", "lag", "cov_type"}),
        key="cx",
        run_options=frozenset({"cx", "outcome", "lag", "model"}),
        column_options=frozenset({"cx", "outcome"}),
    )
)


def analysis_for(path: Path) -> Analysis:
    if path.analysis not in ANALYSES:
        raise UsageError(
            f"unknown analysis {path.analysis!r} in a check; valid: {', '.join(sorted(ANALYSES))}"
        )
    return ANALYSES[path.analysis]


def by_columns(path: Path) -> list[str]:
    """Breakdown columns the path filters on (the analysis must be run with them)."""
    a = analysis_for(path)
    return [k for k, _ in path.filters if k is not None and k not in a.intrinsic]


def _listing(values: Sequence[str], limit: int = 12) -> str:
    """Up to ``limit`` names, comma-separated, with how many there are in all when cut.

    >>> _listing(["a", "b", "c"], limit=2)
    'a, b, … (3 in all)'
    """
    shown = ", ".join(values[:limit]) or "none"
    return shown + (f", … ({len(values)} in all)" if len(values) > limit else "")


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for a close match among ``known``, else nothing.

    >>> _did_you_mean("emea", ["AMER", "EMEA"]), _did_you_mean("zz", ["AMER"])
    (" (did you mean 'EMEA'?)", '')
    """
    import difflib

    same_case = [k for k in known if k.casefold() == name.casefold()]
    close = same_case or difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_drop_columns(path: Path, columns: Sequence[str], drop: str) -> None:
    """A usage error when the path names a column that none of ``columns`` (the columns of
    the drops checked) is: a breakdown (``gap[region=EMEA]``) or a column option
    (``drivers[outcome=ltr]``).

    Checked before the analysis runs, so a typo in a ``--fail-if`` path is exit 2 naming the
    known columns, not a check that failed because its analysis could not run. (A column
    that only the previous drop has is a data problem: the check runs and fails.)
    """
    a = analysis_for(path)
    by = set(by_columns(path))
    for key, value in path.filters:
        name = key if key in by else value if key in a.column_options else None
        if name is not None and name not in columns:
            raise UsageError(
                f"{path.analysis}[{key}={value}]: no column {name!r} in {drop}"
                f"{_did_you_mean(name, columns)}; columns: {_listing(list(columns))}"
            )


def select(result: Result, path: Path, *, strict: bool = True) -> ColumnTable | pd.DataFrame:
    """The rows of the result's table a path names (possibly none), with its column valid:
    a :class:`~cxkit.table.ColumnTable` while the analysis' table is one (gap, nps and
    metric: no pandas), else the DataFrame's rows.

    With ``strict`` (the default) a row key or group value that no row of the result holds
    (``item[sa_9]``, ``[region=EMAE]``) is a usage error; without it, it selects no rows (a
    previous wave may lack a group the current one has).

    Raises
    ------
    UsageError
        The level or column does not exist in this analysis, or (``strict``) no row holds a
        value the path names (the message lists valid names).
    """
    a = analysis_for(path)
    table = result.__dict__["_table"]
    columns = list(table.columns)
    numeric = [c for c in columns if dtype_name(table, c).startswith(("float", "int", "bool"))]
    if path.column not in numeric:
        what = "no column" if path.column not in columns else "no numbers in column"
        raise UsageError(f"{path.analysis} has {what} {path.column!r}; valid: {', '.join(numeric)}")
    rows = list(range(len(table)))
    if path.levels:
        if "level" not in columns or len(path.levels) > 1:
            raise UsageError(f"{path.analysis} rows have no level {'.'.join(path.levels)!r}")
        level = list(table["level"])
        levels = list(dict.fromkeys(level))
        if path.levels[0] not in levels:
            raise UsageError(
                f"{path.analysis} has no level {path.levels[0]!r}; valid: {', '.join(levels)}"
            )
        rows = [i for i in rows if level[i] == path.levels[0]]
    for level_name, value in path.key_filters:
        column = level_name if level_name in columns else a.key
        cells = list(table[column])
        keys = list(dict.fromkeys(str(cells[i]) for i in rows if isinstance(cells[i], str)))
        if value not in keys and strict:
            raise UsageError(
                f"{path.analysis} has no {column} {value!r}; valid: {', '.join(keys[:30])}"
            )
        rows = [i for i in rows if str(cells[i]) == value]
    filtered = set()
    for key, value in path.filters:
        column = key if key is not None else a.key
        if key in a.run_options and column not in columns:
            continue  # it chose what to run (e.g. drivers[outcome=ltr]), not which rows
        if column not in columns:
            raise UsageError(f"{path.analysis} has no column {column!r} to filter on")
        filtered.add(column)
        cells = list(table[column])
        known = _values(cells)
        if strict and value not in known and value != ALL:
            raise UsageError(
                f"{path.analysis}[{f'{key}=' if key else ''}{value}]: no row has {column} "
                f"{value!r}"
                f"{_did_you_mean(value, known)}; known: {_listing(known)}"
            )
        rows = [i for i in rows if str(cells[i]) == value]
    for col in columns:
        cells = list(table[col])
        if col not in a.intrinsic and col not in filtered and any(_is_all(v) for v in cells):
            rows = [i for i in rows if _is_all(cells[i])]
    taken = np.array(rows, dtype=np.intp)
    return table.take(taken) if isinstance(table, ColumnTable) else table.iloc[taken]


def _values(cells: Sequence[object]) -> list[str]:
    """The distinct values of a column as a path names them (text), without blanks and the
    all-respondents marker."""
    out = (str(c) for c in cells if c is not None and not (isinstance(c, float) and c != c))
    return [v for v in dict.fromkeys(out) if v not in ("", ALL)]


def _is_all(value: object) -> bool:
    """Whether a cell is the all-respondents row's marker (only text can be)."""
    return isinstance(value, str) and value == ALL


def dtype_name(table: ColumnTable | pd.DataFrame, column: str) -> str:
    """A column's numpy or pandas dtype name; ``object`` for a ColumnTable's text (a list)."""
    return str(getattr(table[column], "dtype", "object"))


def describe_row(row: Mapping[str, Any], result: Result, path: Path) -> str:
    """A short name for a selected row: its key and breakdown values."""
    a = analysis_for(path)
    parts = []
    for col in result.__dict__["_table"].columns:  # the table as it is: no DataFrame built
        if col == "label" or col == "level":
            continue
        value = row[col]
        if isinstance(value, str) and value not in ("", ALL):
            parts.append(value if col in a.intrinsic else f"{col}={value}")
    return ", ".join(parts) or str(row.get("level", "row"))
