"""``cxkit metric``: options in, :func:`cxkit.metrics.metric` out."""

from typing import Annotated

import typer

from ..cli_common import (
    CompareToOpt,
    ConfidenceOpt,
    ConfigOpt,
    EncodingOpt,
    FormatOpt,
    MaxGroupsOpt,
    MissingOpt,
    NoConfigOpt,
    NoWeightOpt,
    OutputOpt,
    PlotOpt,
    RoleColOpt,
    RoleFilterOpt,
    ScaleOpt,
    WaveColOpt,
    WaveOpt,
    WeightOpt,
    by_wave,
    check_output_options,
    emit,
    guarded,
    parse_scale,
)
from ..errors import MAX_BY_GROUPS, UsageError, check_confidence, check_max_groups

_PRESET_SCALES = {"csat": (1.0, 5.0), "ces": (1.0, 7.0)}


def metric(
    file: Annotated[str, typer.Argument(help="Survey file ('-' = stdin).")],
    item: Annotated[
        list[str] | None,
        typer.Option(
            "--item", help="Item column or glob such as 'sa_*' (repeatable; default all items)."
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option("--preset", help="csat (top-2 box of 1-5) or ces (mean of 1-7, share 5-7)."),
    ] = None,
    index: Annotated[
        bool, typer.Option("--index", help="Add a row for each respondent's mean of the items.")
    ] = False,
    agree: Annotated[
        float | None,
        typer.Option("--agree", help="Answers >= this count in 'agree' (default top-2 box)."),
    ] = None,
    scale: ScaleOpt = None,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="Breakdown column (repeatable).")
    ] = None,
    roles: RoleFilterOpt = None,
    role_col: RoleColOpt = None,
    weight: WeightOpt = None,
    no_weight: NoWeightOpt = False,
    missing: MissingOpt = None,
    wave: WaveOpt = None,
    compare_to: CompareToOpt = None,
    wave_col: WaveColOpt = None,
    confidence: ConfidenceOpt = 0.95,
    max_groups: MaxGroupsOpt = MAX_BY_GROUPS,
    encoding: EncodingOpt = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Mean, top-box, top-2-box and bottom-box of scored items, each with its interval.

    Presets: --preset csat (1-5, CSAT = share answering 4-5) and --preset ces (1-7 Customer
    Effort Score: the mean, and the share answering 5-7).
    """

    def body() -> None:
        check_confidence(confidence)
        check_max_groups(max_groups)
        if no_weight and weight:
            raise UsageError("--weight and --no-weight contradict each other: pass one")
        if preset is not None and preset not in _PRESET_SCALES:
            raise UsageError(f"--preset {preset!r}: choose one of {', '.join(_PRESET_SCALES)}")
        stdout_fmt = check_output_options(fmt, output, [file], plot)
        scale_range = parse_scale(scale) if scale is not None else None
        if preset is not None:
            want = _PRESET_SCALES[preset]
            if scale_range is not None and scale_range != want:
                raise UsageError(
                    f"--preset {preset} uses the scale {want[0]:g}-{want[1]:g}; drop --scale "
                    f"{scale} or the preset"
                )
            scale_range = want

        from ..metrics import metric as run_metric
        from ..study import Scale
        from ..survey import SurveySpec, read_survey

        spec = SurveySpec(
            items=item or (),
            items_option="--item",
            role_col=role_col,
            weight_col=weight,
            by=by or (),
            scale=Scale(*scale_range) if scale_range else None,
            missing=missing or (),
            encoding=encoding,
            unweighted=no_weight,
            wave_col=wave_col,
        )
        survey = read_survey(file, config=config, use_config=not no_config, spec=spec)

        def analyse(part):
            return run_metric(
                part,
                by=by or (),
                roles=roles,
                preset=preset,
                agree_at=agree,
                index=index,
                confidence=confidence,
                max_groups=max_groups,
            )

        result = by_wave(
            survey,
            analyse,
            wave,
            compare_to,
            keys=[*(by or ()), "level", "item"],
            family=[*(by or ()), "level"],
            metrics=("mean", "top2_box", "agree"),
            confidence=confidence,
        )
        emit(result, stdout_fmt, output, [file], plot)

    guarded(body)
