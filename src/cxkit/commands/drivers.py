"""``cxkit drivers``: options in, :func:`cxkit.drivers.drivers` out."""

from pathlib import Path
from typing import Annotated

import typer

from ..cli_common import (
    CompareToOpt,
    ConfidenceOpt,
    ConfigOpt,
    CustomerRolesOpt,
    EncodingOpt,
    FormatOpt,
    MissingOpt,
    NoConfigOpt,
    NoWeightOpt,
    OutputOpt,
    RoleColOpt,
    ScaleOpt,
    SelfRolesOpt,
    WaveColOpt,
    WaveOpt,
    WeightOpt,
    by_wave,
    check_inputs,
    check_output_options,
    emit,
    guarded,
    parse_scale,
)
from ..errors import InputError, UsageError, check_confidence, check_seed
from .nps import DEFAULT_COLS


def drivers_survey(
    file,
    *,
    outcome: str | None = None,
    config=None,
    use_config: bool = True,
    encoding: str | None = None,
    role_col: str | None = None,
    driver_items=(),
    scale_range=None,
    out_range=(0.0, 10.0),
    weight: str | None = None,
    missing=(),
    no_weight: bool = False,
    wave_col: str | None = None,
    self_file=None,
    customer_file=None,
):
    """Read drivers (on their scale) and the outcome (on its own) into one Survey.

    Returns ``(survey, outcome column, two_files)``; shared by the command and check paths.
    """
    two = self_file is not None or customer_file is not None
    import numpy as np

    from ..columns import open_survey
    from ..study import Scale
    from ..survey import FILE_ROLE_COL, SurveySpec, read_survey

    opened = open_survey(
        customer_file if two else file,
        config=config,
        use_config=use_config,
        encoding=encoding,
        role_col=role_col,
    )
    if two:
        opened.role_col = None  # every row of the customer file is a customer
    names = opened.raw.table.column_names
    path = opened.raw.source.path
    name = outcome
    if name is None:
        found = [c for c in names if c.casefold() in DEFAULT_COLS]
        if not found:
            raise InputError(
                f"{path}: no --outcome given and no column named "
                f"{' or '.join(DEFAULT_COLS[:2])}; pass --outcome NAME"
            )
        name = found[0]
    elif name not in names:
        raise InputError(
            f"{path}: no outcome column {name!r} (columns: {', '.join(names[:15])}); "
            "check --outcome"
        )
    common = {
        "weight_col": weight,
        "missing": missing or (),
        "encoding": encoding,
        "unweighted": no_weight,
        "wave_col": wave_col,
    }
    driver_spec = SurveySpec(
        items=driver_items or (),
        items_option="--drivers",
        scale=Scale(*scale_range) if scale_range else None,
        **common,
    )
    target = opened.part(
        SurveySpec(items=[name], scale=Scale(*out_range), scale_option="--outcome-scale", **common)
    )
    values = target.frame[name].to_numpy(float)
    if two:
        survey = read_survey(
            config=config,
            use_config=use_config,
            self_file=self_file,
            customer_file=customer_file,
            spec=driver_spec,
        )
        n_self = int((survey.frame[FILE_ROLE_COL] == "self").sum())
        values = np.concatenate([np.full(n_self, np.nan), values])
    else:
        survey = opened.part(driver_spec)
    survey.frame[name] = values
    survey.notes += [n for n in target.notes if n not in survey.notes]

    return survey, name, two


def drivers(
    file: Annotated[
        str | None, typer.Argument(help="Survey file with every role ('-' = stdin).")
    ] = None,
    self_file: Annotated[
        Path | None, typer.Option("--self-file", help="Self-ratings in their own file.")
    ] = None,
    customer_file: Annotated[
        Path | None,
        typer.Option("--customer-file", help="Customer ratings and the outcome in their own file."),
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option("--outcome", help="Outcome column (default: a column named nps or ltr)."),
    ] = None,
    driver_items: Annotated[
        list[str] | None,
        typer.Option(
            "--drivers", help="Driver column or glob such as 'sa_*' (repeatable; default items)."
        ),
    ] = None,
    outcome_scale: Annotated[
        str, typer.Option("--outcome-scale", help="Outcome answer scale MIN-MAX.")
    ] = "0-10",
    scale: ScaleOpt = None,
    performance: Annotated[
        str, typer.Option("--performance", help="Driver performance: mean or agree (share).")
    ] = "mean",
    agree: Annotated[
        float | None,
        typer.Option("--agree", help="Answers >= this agree (default top-2 box)."),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples for importance CIs (0 = none).")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the bootstrap.")] = 0,
    self_roles: SelfRolesOpt = None,
    customer_roles: CustomerRolesOpt = None,
    role_col: RoleColOpt = None,
    weight: WeightOpt = None,
    no_weight: NoWeightOpt = False,
    missing: MissingOpt = None,
    wave: WaveOpt = None,
    compare_to: CompareToOpt = None,
    wave_col: WaveColOpt = None,
    confidence: ConfidenceOpt = 0.95,
    encoding: EncodingOpt = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Key drivers of a customer outcome, and which gaps to fix first.

    On customer responses: each driver's correlation with the outcome, its relative
    importance (Johnson's relative weights; exact LMG/Shapley R² shares for up to 15 drivers)
    with bootstrap intervals, its performance and importance-performance quadrant. With
    self-ratings in the file: the self-vs-customer gap and a priority rank.
    """

    def body() -> None:
        check_confidence(confidence)
        check_seed(seed)
        if no_weight and weight:
            raise UsageError("--weight and --no-weight contradict each other: pass one")
        if performance not in ("mean", "agree"):
            raise UsageError(f"--performance {performance!r}: choose mean or agree")
        if bootstrap < 0:
            raise UsageError(f"--bootstrap must be 0 or more, not {bootstrap}")
        two = self_file is not None or customer_file is not None
        if two and (self_file is None or customer_file is None):
            raise UsageError("--self-file and --customer-file go together: pass both")
        if two and file is not None:
            raise UsageError("pass either a survey FILE or --self-file/--customer-file, not both")
        if not two and file is None:
            raise UsageError(
                "missing survey file: cxkit drivers FILE (or --self-file/--customer-file)"
            )
        if str(customer_file) == "-" and str(self_file) != "-":
            raise UsageError(
                "cxkit drivers reads --customer-file more than once: save stdin to a file and "
                "name it"
            )
        stdout_fmt = check_output_options(fmt, output, [file, self_file, customer_file])
        out_range = parse_scale(outcome_scale, "--outcome-scale")
        scale_range = parse_scale(scale) if scale is not None else None
        check_inputs({"--self-file": self_file, "--customer-file": customer_file})

        from ..drivers import drivers as run_drivers

        survey, name, two = drivers_survey(
            file,
            outcome=outcome,
            config=config,
            use_config=not no_config,
            encoding=encoding,
            role_col=role_col,
            driver_items=driver_items,
            scale_range=scale_range,
            out_range=out_range,
            weight=weight,
            missing=missing,
            no_weight=no_weight,
            wave_col=wave_col,
            self_file=self_file,
            customer_file=customer_file,
        )

        def analyse(part):
            return run_drivers(
                part,
                name,
                [d for d in part.items if d != name],
                self_roles=None if two else self_roles,
                customer_roles=None if two else customer_roles,
                performance=performance,
                agree_at=agree,
                bootstrap=bootstrap,
                seed=seed,
                confidence=confidence,
            )

        result = by_wave(
            survey,
            analyse,
            wave,
            compare_to,
            keys=["driver"],
            family=[],
            metrics=("importance", "performance"),
            confidence=confidence,
        )
        emit(result, stdout_fmt, output)

    guarded(body)
