"""``cxkit gap``: options in, :func:`cxkit.gap.gap` out."""

from pathlib import Path
from typing import Annotated

import typer

from ..cli_common import (
    CompareToOpt,
    ConfidenceOpt,
    ConfigOpt,
    CustomerRolesOpt,
    DedupeOpt,
    EncodingOpt,
    FinishedOnlyOpt,
    FormatOpt,
    IncludePreviewOpt,
    MaxGroupsOpt,
    MissingOpt,
    NoConfigOpt,
    NoWeightOpt,
    OutputOpt,
    PlotOpt,
    RoleColOpt,
    ScaleOpt,
    SelfRolesOpt,
    SheetOpt,
    WaveColOpt,
    WaveOpt,
    WeightOpt,
    by_wave,
    check_inputs,
    check_output_options,
    emit,
    guarded,
    one_blas_thread,
    parse_scale,
)
from ..errors import MAX_BY_GROUPS, UsageError, check_confidence, check_max_groups

#: gap columns whose change --compare-to reports
CHANGE_METRICS = ("agree_self", "agree_customer", "agree_gap", "mean_gap")


def gap(
    file: Annotated[
        str | None, typer.Argument(help="Survey file with every role ('-' = stdin).")
    ] = None,
    self_file: Annotated[
        Path | None, typer.Option("--self-file", help="Self-ratings in their own file.")
    ] = None,
    customer_file: Annotated[
        Path | None, typer.Option("--customer-file", help="Customer ratings in their own file.")
    ] = None,
    role_col: RoleColOpt = None,
    self_roles: SelfRolesOpt = None,
    customer_roles: CustomerRolesOpt = None,
    drop_unknown_roles: Annotated[
        bool,
        typer.Option("--drop-unknown-roles", help="Exclude (and count) other role values."),
    ] = False,
    items: Annotated[
        list[str] | None,
        typer.Option("--items", help="Item column or glob such as 'sa_*' (repeatable)."),
    ] = None,
    agree: Annotated[
        float | None,
        typer.Option("--agree", help="Answers >= this agree (default top-2 box; 9 on 0-10)."),
    ] = None,
    scale: ScaleOpt = None,
    missing: MissingOpt = None,
    weight: WeightOpt = None,
    no_weight: NoWeightOpt = False,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="Breakdown column (repeatable).")
    ] = None,
    wave: WaveOpt = None,
    compare_to: CompareToOpt = None,
    wave_col: WaveColOpt = None,
    confidence: ConfidenceOpt = 0.95,
    max_groups: MaxGroupsOpt = MAX_BY_GROUPS,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    finished_only: FinishedOnlyOpt = False,
    include_preview: IncludePreviewOpt = False,
    dedupe: DedupeOpt = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    plot: PlotOpt = None,
    stream: Annotated[
        bool,
        typer.Option(
            "--stream",
            help="Read a Parquet file or folder of drops in record batches (bounded memory).",
        ),
    ] = False,
) -> None:
    """Self-versus-customer centricity gap per item, pillar and overall.

    Difference and ratio of the share agreeing (with Newcombe and Katz intervals) and the
    mean gap (Welch), one row per item, pillar and overall, for each --by cell.
    """

    def body() -> None:
        check_confidence(confidence)
        check_max_groups(max_groups)
        if no_weight and weight:
            raise UsageError("--weight and --no-weight contradict each other: pass one")
        if dedupe not in (None, "first", "last"):
            raise UsageError(f"--dedupe {dedupe!r}: choose first or last")
        stdout_fmt = check_output_options(fmt, output, [file, self_file, customer_file], plot)
        scale_range = parse_scale(scale) if scale is not None else None

        if stream:
            from ..stream import check_stream_options

            check_stream_options(
                **{
                    "--self-file/--customer-file": self_file or customer_file,
                    "--wave": wave,
                    "--compare-to": compare_to,
                    "--dedupe": dedupe,
                    "standard input ('-')": file == "-",
                }
            )
        # after the option checks: a same-file warning is not followed by an option error
        check_inputs({"--self-file": self_file, "--customer-file": customer_file})
        one_blas_thread()  # before numpy loads: gap multiplies no matrices
        from ..preload import preload

        # the analysis modules load while pyarrow reads the file
        preload("cxkit.gap")
        from ..study import Scale
        from ..survey import SurveySpec, read_survey

        spec = SurveySpec(
            items=items or (),
            role_col=role_col,
            weight_col=weight,
            by=by or (),
            scale=Scale(*scale_range) if scale_range else None,
            missing=missing or (),
            encoding=encoding,
            unweighted=no_weight,
            wave_col=wave_col,
            sheet=sheet,
            finished_only=finished_only,
            include_preview=include_preview,
            dedupe=dedupe,
        )
        if stream:
            from ..stream import stream_gap

            result = stream_gap(
                file,
                spec=spec,
                config=config,
                use_config=not no_config,
                self_roles=self_roles,
                customer_roles=customer_roles,
                by=by or (),
                agree_at=agree,
                confidence=confidence,
                drop_unknown_roles=drop_unknown_roles,
                max_groups=max_groups,
            )
            emit(result, stdout_fmt, output, [file], plot)
            return
        survey = read_survey(
            file,
            config=config,
            use_config=not no_config,
            self_file=self_file,
            customer_file=customer_file,
            spec=spec,
        )

        from ..gap import gap as run_gap

        def analyse(part):
            return run_gap(
                part,
                self_roles=self_roles,
                customer_roles=customer_roles,
                by=by or (),
                agree_at=agree,
                confidence=confidence,
                drop_unknown_roles=drop_unknown_roles,
                max_groups=max_groups,
            )

        result = by_wave(
            survey,
            analyse,
            wave,
            compare_to,
            keys=[*(by or ()), "level", "item", "pillar"],
            family=[*(by or ()), "level"],
            metrics=CHANGE_METRICS,
            confidence=confidence,
        )
        emit(result, stdout_fmt, output, [file, self_file, customer_file], plot)

    guarded(body)
