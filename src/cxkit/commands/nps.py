"""``cxkit nps``: options in, :func:`cxkit.metrics.nps` out."""

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
    WaveColOpt,
    WaveOpt,
    WeightOpt,
    by_wave,
    check_output_options,
    emit,
    guarded,
)
from ..errors import (
    MAX_BY_GROUPS,
    InputError,
    UsageError,
    check_confidence,
    check_max_groups,
)

#: column names taken as the NPS question when --col is not given (case-insensitive)
DEFAULT_COLS = ("nps", "ltr", "likelihood_to_recommend", "recommend")


def nps_survey(
    file,
    *,
    col: str | None = None,
    config=None,
    use_config: bool = True,
    encoding: str | None = None,
    role_col: str | None = None,
    weight: str | None = None,
    by=(),
    missing=(),
    no_weight: bool = False,
    wave_col: str | None = None,
    raw=None,
):
    """Read ``file`` for the NPS: find the 0-10 (or Promoter/Passive/Detractor) column.

    Returns ``(survey, column name)``; shared by the command and by check expressions
    (which pass the drop's ``raw`` table when they have read it already).
    """
    from ..columns import open_survey
    from ..nps import NPS_LABELS, nps_labels_only, nps_labels_seen
    from ..study import Scale
    from ..survey import SurveySpec

    opened = open_survey(
        file, config=config, use_config=use_config, encoding=encoding, role_col=role_col, raw=raw
    )
    names = opened.raw.table.column_names
    path = opened.raw.source.path
    name = col
    if name is None:
        found = [c for c in names if c.casefold() in DEFAULT_COLS]
        if not found:
            raise InputError(
                f"{path}: no --col given and no column named {' or '.join(DEFAULT_COLS[:2])}"
                f"; pass --col NAME (columns: {', '.join(names[:15])})"
            )
        name = found[0]
    elif name not in names:
        raise InputError(
            f"{path}: no NPS column {name!r} (columns: {', '.join(names[:15])}); check --col"
        )
    if name in (by or ()):
        raise UsageError(
            f"--by {name!r} is the NPS column itself: break the score down by another "
            "column (segment, region, wave)"
        )
    import pyarrow as pa

    values = opened.raw.table.column(name)
    kind = values.type
    numeric = pa.types.is_integer(kind) or pa.types.is_floating(kind)
    labels = None
    only_labels = False
    if not (numeric or pa.types.is_decimal(kind)):
        distinct = values.unique().to_pylist()
        if nps_labels_seen(distinct):
            # read with the NPS labels: any other value is reported as itself, with its row
            labels = NPS_LABELS
            only_labels = nps_labels_only(distinct)
    spec = SurveySpec(
        items=[name],
        weight_col=weight,
        by=by or (),
        scale=Scale(0.0, 10.0),
        scale_option=None,  # the NPS question is 0-10
        missing=missing or (),
        encoding=encoding,
        unweighted=no_weight,
        wave_col=wave_col,
    )
    survey = opened.part(spec, labels=labels)
    if labels is not None:
        survey.notes.append(
            f"{name!r} holds NPS group labels: Promoter, Passive and Detractor counted as "
            "such" + (" (no 0-10 answers)" if only_labels else ", beside 0-10 answers")
        )
    return survey, name


def nps(
    file: Annotated[str, typer.Argument(help="Survey file ('-' = stdin).")],
    col: Annotated[
        str | None,
        typer.Option(
            "--col",
            help="0-10 likelihood-to-recommend column, or a Promoter/Passive/Detractor "
            "column (default: a column named nps or ltr).",
        ),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option("--by", help="Breakdown column (repeatable); adds pairwise differences."),
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
    """Net Promoter Score with its confidence intervals and group differences.

    NPS (-100..100) with the recode-variance Wald interval and the adjusted-Wald interval,
    promoter / passive / detractor shares with Wilson intervals, and with --by every pair of
    groups compared (difference, interval, p, Holm p_adj). Weighted with the Kish effective n.
    """

    def body() -> None:
        check_confidence(confidence)
        check_max_groups(max_groups)
        if no_weight and weight:
            raise UsageError("--weight and --no-weight contradict each other: pass one")
        stdout_fmt = check_output_options(fmt, output, [file], plot)

        from ..nps import nps as run_nps

        survey, name = nps_survey(
            file,
            col=col,
            config=config,
            use_config=not no_config,
            encoding=encoding,
            role_col=role_col,
            weight=weight,
            by=by or (),
            missing=missing or (),
            no_weight=no_weight,
            wave_col=wave_col,
        )
        result = by_wave(
            survey,
            lambda part: run_nps(
                part, name, by=by or (), roles=roles, confidence=confidence, max_groups=max_groups
            ),
            wave,
            compare_to,
            keys=[*(by or ()), "level", "versus"],
            family=["level"],
            metrics=("nps", "promoters", "detractors"),
            confidence=confidence,
        )
        emit(result, stdout_fmt, output, [file], plot)

    guarded(body)
