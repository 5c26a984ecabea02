"""``cxkit trend``: a metric wave by wave with CIs and the change from the previous wave."""

from typing import Annotated

import typer

from ..cli_common import (
    ConfidenceOpt,
    ConfigOpt,
    FormatOpt,
    NoConfigOpt,
    OutputOpt,
    PlotOpt,
    WaveColOpt,
    check_output_options,
    emit,
    guarded,
)
from ..errors import CxkitError, UsageError, check_confidence


def trend(
    source: Annotated[
        str | None,
        typer.Argument(help="Survey file with a wave column, or a folder of drops."),
    ] = None,
    metric: Annotated[
        str, typer.Option("--metric", help="nps | nps:NAME | agree | agree_self | gap | item:NAME")
    ] = "agree",
    wave_col: WaveColOpt = None,
    confidence: ConfidenceOpt = 0.95,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Tabulate a metric per wave with its CI and the change from the previous wave."""

    def body() -> None:
        if source is None:
            raise UsageError("name the survey file or drop folder: cxkit trend FILE")
        check_confidence(confidence)
        stdout_fmt = check_output_options(fmt, output, [source], plot)
        from pathlib import Path

        from ..gap import gap
        from ..survey import SurveySpec, read_survey
        from ..trend import _metric, gap_sides, trend_hints
        from ..trend import trend as run_trend
        from ..waves import split_waves, wave_labels

        _metric(metric)  # a bad --metric is a usage error before reading anything
        use_config = not no_config
        if metric == "nps" or metric.startswith("nps:"):
            from ..nps import nps as run_nps
            from .nps import nps_survey

            col = metric[4:].strip() or None

            def read(f):
                return nps_survey(
                    f, col=col, config=config, use_config=use_config, wave_col=wave_col
                )[0]

            def analyse(s):
                return run_nps(s, s.items[0], confidence=confidence)  # items: [the NPS column]
        else:
            # trend has no --scale: an off-scale answer's message points at the config
            spec = SurveySpec(wave_col=wave_col, scale_option="[scale] in cxkit.toml")

            def read(f):
                return read_survey(f, config=config, use_config=use_config, spec=spec)

            def analyse(s):
                return gap(s, confidence=confidence, sides=gap_sides(metric))

        try:
            if Path(source).is_dir():
                from .check import expand_drops

                waves = []
                for f in expand_drops([source]):
                    s = read(f)
                    labels = wave_labels(s) if s.wave_col else []
                    waves.append((labels[0] if len(labels) == 1 else Path(f).stem, s))
            else:
                waves = split_waves(read(source))
            result = run_trend(waves, metric, analyse=analyse, confidence=confidence)
        except CxkitError as exc:  # advice naming other commands' options: trend's own fix
            raise type(exc)(trend_hints(exc.message)) from None
        result.notes = [trend_hints(n) for n in result.notes]
        emit(result, stdout_fmt, output, [source], plot)

    guarded(body)
