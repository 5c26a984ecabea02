"""``cxkit report``: run the standard analyses on one survey and gather a shareable report.

Pure assembly: files and options in, a :class:`Report` (sections holding each analysis's
:class:`~cxkit.result.Result`, its chart as PNG bytes, or the reason it was skipped) out.
:mod:`cxkit.report_render` turns it into one self-contained HTML file or Markdown with PNGs.

The ``[report]`` table of ``cxkit.toml`` (every key optional; paths relative to the config
file):

========================  ===================================================================
``title``                 the report's title
``obstacles``             survey file with the obstacle rankings (default: the report's FILE)
``obstacles_by``          group column for the obstacles, e.g. ``"wave"`` (changes by wave)
``finance``               account table for ``roi`` (one row per account, or account × period)
``cx``, ``outcome``       its CX score and outcome columns (lists of names; needed with finance)
``entity``, ``time``      its account and period columns
``cx_range``              valid CX range ``[min, max]``, e.g. ``[-100, 100]`` for NPS
``nps``                   the 0-10 likelihood-to-recommend column (default: ``nps`` or ``ltr``)
``segment``               NPS breakdown column (default: ``[columns] segment``)
``trend_metric``          metric of the trend section: agree, agree_self, gap (default agree)
========================  ===================================================================

A key that names a file or a column that does not exist is a
:class:`~cxkit.errors.ConfigError` naming the key and the file (exit 3), not a skipped section.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import ConfigError, InputError, UsageError, check_confidence
from .result import Result

REPORT_KEYS = {
    "title": "text",
    "obstacles": "path",
    "obstacles_by": "text",
    "finance": "path",
    "cx": "list",
    "outcome": "list",
    "entity": "text",
    "time": "text",
    "cx_range": "range",
    "nps": "text",
    "segment": "text",
    "trend_metric": "text",
}
#: the metrics the report's trend section can show (the gap metrics of ``cxkit trend``)
TREND_METRICS = ("agree", "agree_self", "gap")
DEFAULT_TITLE = "Customer-experience report"
#: the report's sections, in order (a Markdown report's charts are named after them)
SECTION_KEYS = ("gap", "trend", "nps", "obstacles", "roi")


@dataclass
class ReportSpec:
    """The validated ``[report]`` table (paths resolved against the config's folder)."""

    title: str = DEFAULT_TITLE
    obstacles: str | None = None
    obstacles_by: str | None = None
    finance: str | None = None
    cx: list[str] = field(default_factory=list)
    outcome: list[str] = field(default_factory=list)
    entity: str | None = None
    time: str | None = None
    cx_range: tuple[float, float] | None = None
    nps: str | None = None
    segment: str | None = None
    trend_metric: str = "agree"


def _inside(folder: Path, value: str, where: str) -> str:
    """A config path, relative to the config's folder and never outside it (SECURITY.md:
    a config cannot make cxkit read files other than those beside or below it)."""
    if Path(value).is_absolute():
        raise ConfigError(f"{where}: must be a path relative to the config's folder, not {value!r}")
    full = os.path.normpath(folder / value)
    base = os.path.normpath(folder)
    if os.path.commonpath([os.path.abspath(full), os.path.abspath(base)]) != os.path.abspath(base):
        raise ConfigError(
            f"{where}: {value!r} leads outside the config's folder; move the file "
            "beside the config or below it"
        )
    return full


def parse_report_config(doc: dict[str, Any], path: str) -> ReportSpec:
    """Validate a ``[report]`` table; errors name the file and the key.

    >>> doc = {"finance": "data/a.csv", "cx": ["nps"], "outcome": "growth"}
    >>> parse_report_config(doc, "cfg/sub/cxkit.toml").finance
    'cfg/sub/data/a.csv'
    """
    spec = ReportSpec()
    folder = Path(path).parent
    for key, value in doc.items():
        kind = REPORT_KEYS.get(key)
        where = f"{path}: report.{key}"
        if kind is None:
            known = ", ".join(sorted(REPORT_KEYS))
            raise ConfigError(f"{where}: unknown key; expected one of {known}")
        if kind in ("text", "path"):
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: must be a non-empty string")
            if kind == "path":
                value = _inside(folder, value, where)
            if key == "trend_metric" and value not in TREND_METRICS:
                raise ConfigError(
                    f"{where}: {value!r} is not a trend metric; choose one of "
                    + ", ".join(TREND_METRICS)
                )
        elif kind == "list":
            if isinstance(value, str):
                value = [value]
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) and v for v in value)
            ):
                raise ConfigError(f'{where}: must be a list of column names, e.g. ["nps"]')
        elif kind == "range":
            ok = (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
                and value[0] < value[1]
            )
            if not ok:
                raise ConfigError(f"{where}: must be [min, max] with min < max, e.g. [-100, 100]")
            value = (float(value[0]), float(value[1]))
        setattr(spec, key, value)
    if spec.finance and not (spec.cx and spec.outcome):
        raise ConfigError(
            f"{path}: report.finance needs report.cx and report.outcome (the CX score and "
            'outcome columns of the finance file, e.g. cx = ["nps"], outcome = ["revenue_growth"])'
        )
    return spec


@dataclass
class Section:
    """One analysis in the report: its result and chart, or why it was skipped."""

    key: str
    title: str
    result: Result | None = None
    chart: bytes | None = None
    skipped: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    """Everything a renderer needs: sections in order and the provenance of the run."""

    title: str
    source: str
    sections: list[Section]
    inputs: list[dict[str, Any]]
    config: dict[str, Any] | None
    options: dict[str, Any]
    version: str = __version__
    date: str = ""

    @property
    def headlines(self) -> list[tuple[str, str]]:
        return [
            (s.title, s.result.headline) for s in self.sections if s.result and s.result.headline
        ]


def _now() -> str:
    """UTC now, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        if epoch and epoch.isdigit()
        else dt.datetime.now(dt.UTC)
    )
    return when.strftime("%Y-%m-%d %H:%M UTC")


def _png(fig) -> bytes:
    from .charts import figure_bytes

    return figure_bytes(fig, "png")


def _config_table(path: str, key: str, cfg: object) -> Any:
    """The file a ``[report]`` key names, read; a file that cannot be read is a
    :class:`ConfigError` naming the key (not a skipped section: the user asked for it)."""
    from .read import read_table

    try:
        return read_table(path)
    except InputError as exc:
        raise ConfigError(f"{cfg}: report.{key}: {exc.message}") from exc


def _config_columns(raw: Any, cfg: object, **keys: str | list[str] | None) -> None:
    """A :class:`ConfigError` naming the key and the file when a ``[report]`` key names a
    column that ``raw`` lacks."""
    names = raw.table.column_names
    for key, value in keys.items():
        for column in [value] if isinstance(value, str) else value or []:
            if column not in names:
                shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
                raise ConfigError(
                    f"{cfg}: report.{key} = {column!r}: {raw.source.path} has no such column "
                    f"(columns: {shown}); fix the key or the file"
                )


def _attempt(key: str, title: str, run: Callable[[Section], None]) -> Section:
    """Run one analysis; a problem with its inputs skips it with the message as the note
    (but a ``[report]`` key naming a file or column that does not exist stops the report)."""
    section = Section(key, title)
    try:
        run(section)
    except ConfigError:
        raise
    except (InputError, UsageError) as exc:
        section.result, section.chart = None, None
        section.skipped = exc.message
    return section


def build_report(
    source: str,
    *,
    config: str | Path | None = None,
    use_config: bool = True,
    confidence: float = 0.95,
    bootstrap: int = 2000,
    seed: int | None = None,
) -> Report:
    """Run gap, trend, NPS by segment, obstacles and roi on ``source`` (a file or drop folder).

    Analyses whose inputs are missing (no items, no NPS column, no obstacle answers, no
    finance file configured, a single wave) are skipped with a note saying why. A missing or
    unreadable ``source``, an invalid config, or a file on which no analysis can run is an
    :class:`InputError` / :class:`ConfigError`.
    """
    from .commands.check import expand_drops
    from .read import read_table
    from .study import find_config, load_study

    check_confidence(confidence)
    files = expand_drops([source]) if Path(source).is_dir() else [source]
    current = files[-1]
    raw = read_table(current)  # a missing or empty file is an input error, not a skip
    cfg = find_config(config, near=current) if use_config else None
    study = load_study(cfg) if cfg is not None else None
    spec = parse_report_config(study.report, str(cfg)) if study is not None else ReportSpec()
    cfg_args = {"config": cfg, "use_config": use_config}
    sections: list[Section] = []

    def gap_section(sec: Section) -> None:
        from .charts import gap_chart
        from .gap import gap
        from .survey import read_survey

        survey = _latest_wave(read_survey(current, **cfg_args), sec)
        sec.result = gap(survey, confidence=confidence)
        sec.chart = _png(gap_chart(sec.result))

    def trend_section(sec: Section) -> None:
        from .charts import trend_chart
        from .gap import gap
        from .survey import read_survey
        from .trend import _metric, gap_sides, trend
        from .waves import split_waves, wave_labels

        _metric(spec.trend_metric)
        if len(files) > 1:
            waves = []
            for f in files:
                s = read_survey(f, **cfg_args)
                labels = wave_labels(s) if s.wave_col else []
                waves.append((labels[0] if len(labels) == 1 else Path(f).stem, s))
        else:
            s = read_survey(current, **cfg_args)
            if s.wave_col is None:
                raise InputError(f"{current}: no wave column, so there is no trend to show")
            waves = split_waves(s)
        if len(waves) < 2:
            raise InputError(f"{current}: one wave only; a trend needs at least two")
        sec.result = trend(
            waves,
            spec.trend_metric,
            analyse=lambda s: gap(s, confidence=confidence, sides=gap_sides(spec.trend_metric)),
            confidence=confidence,
        )
        sec.chart = _png(trend_chart(sec.result))

    def nps_section(sec: Section) -> None:
        from .commands.nps import nps_survey
        from .nps import nps

        _config_columns(raw, cfg, nps=spec.nps, segment=spec.segment)
        segment = spec.segment or (study.segment_col if study else None)
        survey, name = nps_survey(
            current, col=spec.nps, by=[segment] if segment else [], **cfg_args
        )
        survey = _latest_wave(survey, sec)
        sec.result = nps(survey, name, by=[segment] if segment else [], confidence=confidence)
        sec.chart = _png(_chart(sec.result))

    def obstacles_section(sec: Section) -> None:
        from .obstacle_config import ObstacleConfig, parse_config
        from .obstacles import obstacles

        table = _config_table(spec.obstacles, "obstacles", cfg) if spec.obstacles else raw
        _config_columns(table, cfg, obstacles_by=spec.obstacles_by)
        ob_config = parse_config(study.obstacles, str(cfg)) if study else ObstacleConfig()
        info = {"path": study.path, "sha256": study.sha256} if study else None
        sec.result = obstacles(
            table,
            by=spec.obstacles_by,
            bootstrap=bootstrap,
            seed=seed,
            confidence=confidence,
            config=ob_config,
            config_info=info,
        )
        sec.chart = _png(_chart(sec.result))

    def roi_section(sec: Section) -> None:
        from .charts_extra import roi_chart
        from .roi import roi
        from .roi_data import AccountSpec, panel_from_table

        if not spec.finance:
            raise InputError(
                "no finance file configured: set finance, cx and outcome in the [report] "
                "table of cxkit.toml to link CX scores to business results"
            )
        account_spec = AccountSpec(
            cx=spec.cx,
            outcomes=spec.outcome,
            entity=spec.entity,
            time=spec.time,
            cx_range=spec.cx_range,
        )
        finance = _config_table(spec.finance, "finance", cfg)
        _config_columns(
            finance, cfg, cx=spec.cx, outcome=spec.outcome, entity=spec.entity, time=spec.time
        )
        panel = panel_from_table(finance, account_spec)
        kwargs = {"seed": seed} if seed is not None else {}
        sec.result = roi(panel, confidence=confidence, n_boot=max(bootstrap, 100), **kwargs)
        sec.chart = _png(roi_chart(sec.result, panel))

    sections.append(_attempt("gap", "Self-rated vs customer-rated centricity", gap_section))
    sections.append(_attempt("trend", "Trend across waves", trend_section))
    sections.append(_attempt("nps", "Net Promoter Score by segment", nps_section))
    sections.append(_attempt("obstacles", "Obstacles to CX success", obstacles_section))
    sections.append(_attempt("roi", "CX and business results", roi_section))
    if all(s.result is None for s in sections):
        raise InputError(
            f"{current}: no analysis could run on this file (gap: {sections[0].skipped})"
        )
    inputs: dict[str, dict[str, Any]] = {}
    for f in files:
        inputs.setdefault(str(f), {"path": str(f)})
    inputs[str(current)] = raw.source.provenance()
    for s in sections:
        for item in (s.result.provenance.get("inputs") or []) if s.result else []:
            inputs[str(item.get("path"))] = dict(item)
    return Report(
        title=spec.title,
        source=str(source),
        sections=sections,
        inputs=list(inputs.values()),
        config={"path": study.path, "sha256": study.sha256} if study else None,
        options={
            "confidence": confidence,
            "bootstrap": bootstrap,
            "seed": seed,
            "config": str(cfg) if cfg is not None else None,
        },
        date=_now(),
    )


def _latest_wave(survey, sec: Section):
    """With several waves in one file, analyse the latest (the trend section shows them all)."""
    from .waves import select_wave, wave_labels

    if survey.wave_col is None:
        return survey
    labels = wave_labels(survey)
    if len(labels) < 2:
        return survey
    sec.notes.append(
        f"the file holds {len(labels)} waves ({', '.join(labels)}); this section shows the "
        f"latest, {labels[-1]}"
    )
    return select_wave(survey, labels[-1])


def _chart(result: Result):
    from .charts import chart_for

    return chart_for(result)
