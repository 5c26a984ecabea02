"""``cxkit roi``: link CX scores to revenue, growth, retention and churn."""

import math
from pathlib import Path
from typing import Annotated

import typer

from ..cli_common import (
    CompareToOpt,
    ConfidenceOpt,
    ConfigOpt,
    EncodingOpt,
    FormatOpt,
    NoConfigOpt,
    OutputOpt,
    PlotOpt,
    WaveOpt,
    check_output_options,
    emit,
    guarded,
)
from ..errors import UsageError, check_confidence, check_seed, check_winsorize

_MODELS = ("pearson", "spearman", "ols", "logit")


def parse_lags(lag: int | None, lags: str | None) -> list[int]:
    """``--lag K`` or ``--lags 0,1,2`` -> a sorted list of lags (default ``[0]``).

    >>> parse_lags(None, "2, 0,1")
    [0, 1, 2]
    """
    if lag is not None and lags is not None:
        raise UsageError("--lag and --lags contradict each other: pass one")
    if lags is None:
        values = [0 if lag is None else lag]
    else:
        try:
            values = [int(v) for v in lags.split(",") if v.strip()]
        except ValueError:
            raise UsageError(
                f"--lags {lags!r}: write whole numbers separated by commas, e.g. 0,1,2"
            ) from None
        if not values:
            raise UsageError("--lags is empty: write whole numbers separated by commas, e.g. 0,1")
    if any(v < 0 for v in values):
        raise UsageError(
            f"--lag {min(values)}: lags must be 0 or more (CX at t against the outcome at t + lag)"
        )
    return sorted(set(values))


def parse_range(text: str) -> tuple[float, float]:
    """``"-100,100"`` -> ``(-100.0, 100.0)``.

    >>> parse_range("0, 10")
    (0.0, 10.0)
    """
    parts = text.split(",")
    try:
        lo, hi = (float(p) for p in parts)
    except ValueError:
        lo = hi = math.nan
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise UsageError(f"--cx-range {text!r}: write it as MIN,MAX with MIN < MAX, e.g. -100,100")
    return lo, hi


def roi(
    file: Annotated[
        str | None,
        typer.Argument(help="Account table: one row per account, or per account and period."),
    ] = None,
    cx: Annotated[
        list[str] | None,
        typer.Option(
            "--cx",
            help="CX score column (repeatable). With --survey: nps:COL, mean:COL, top:COL or "
            "index (default index).",
        ),
    ] = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option("--outcome", help="Outcome column: continuous, or 0/1 yes/no (repeatable)."),
    ] = None,
    entity: Annotated[str | None, typer.Option("--entity", help="Account (entity) column.")] = None,
    time: Annotated[
        str | None, typer.Option("--time", help="Period column (2026Q1, 2026-03 or integers).")
    ] = None,
    control: Annotated[
        list[str] | None,
        typer.Option("--control", help="Control column; text becomes dummies (repeatable)."),
    ] = None,
    weight: Annotated[str | None, typer.Option("--weight", help="Row weight (ols only).")] = None,
    revenue: Annotated[
        str | None, typer.Option("--revenue", help="Revenue column, for --improve in currency.")
    ] = None,
    survey: Annotated[
        Path | None, typer.Option("--survey", help="Respondent answers, scored per account.")
    ] = None,
    finance: Annotated[
        Path | None, typer.Option("--finance", help="Finance table joined to --survey scores.")
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key", help="Account column in --survey and --finance.")
    ] = None,
    min_responses: Annotated[
        int, typer.Option("--min-responses", help="Fewest answers for an account's score.")
    ] = 5,
    lag: Annotated[
        int | None, typer.Option("--lag", help="CX at t vs outcome at t+K (default 0).")
    ] = None,
    lags: Annotated[str | None, typer.Option("--lags", help="Several lags, e.g. 0,1,2.")] = None,
    within: Annotated[
        bool, typer.Option("--within", help="Entity fixed effects: within-account change only.")
    ] = False,
    improve: Annotated[
        float | None,
        typer.Option("--improve", help="Projection table for raising CX by D points."),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", help="pearson|spearman|ols|logit (repeatable; default all)."),
    ] = None,
    cx_range: Annotated[
        str | None,
        typer.Option(
            "--cx-range", help="Valid CX range MIN,MAX (default: NPS -100,100, else scale)."
        ),
    ] = None,
    drop_invalid: Annotated[
        bool,
        typer.Option("--drop-invalid", help="Exclude (and count) invalid values and rows."),
    ] = False,
    winsorize: Annotated[
        float | None,
        typer.Option("--winsorize", help="Cap outcomes at the P and 1-P quantiles, e.g. 0.01."),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Entity resamples for the Spearman interval.")
    ] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 20261124,
    wave: WaveOpt = None,
    compare_to: CompareToOpt = None,
    confidence: ConfidenceOpt = 0.95,
    encoding: EncodingOpt = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    plot: PlotOpt = None,
) -> None:
    """CX and business results: correlation, regression, lags, fixed effects, projection.

    One row per (cx, outcome, model, lag): Pearson and Spearman correlations, OLS slopes
    (HC3 or cluster-robust by account) for continuous outcomes and logit odds ratios and
    marginal effects for binary ones, with Holm-adjusted p-values. Associations, not causes.
    """

    def body() -> None:
        check_confidence(confidence)
        check_seed(seed)
        lag_list = parse_lags(lag, lags)
        check_winsorize(winsorize)
        if min_responses < 1:
            raise UsageError(f"--min-responses must be 1 or more, not {min_responses}")
        if bootstrap < 100 and not within and (not model or "spearman" in model):
            # only the spearman interval resamples (pearson, ols and logit use none)
            raise UsageError(f"--bootstrap must be at least 100, not {bootstrap}")
        if improve is not None and not math.isfinite(improve):
            raise UsageError(f"--improve must be a finite number of CX points, not {improve}")
        for m in model or ():
            if m not in _MODELS:
                raise UsageError(f"--model {m!r}: choose from {', '.join(_MODELS)}")
        if within and model and set(model) != {"ols"}:
            raise UsageError(
                "--within fits fixed-effects OLS only; drop --model or use --model ols"
            )
        if plot is not None and improve is not None:
            raise UsageError("--plot draws the association, not the --improve projection: drop one")
        rng_ = parse_range(cx_range) if cx_range is not None else None
        survey_mode = survey is not None or finance is not None
        if survey_mode:
            if file is not None:
                raise UsageError("pass either an account FILE or --survey/--finance, not both")
            if survey is None or finance is None:
                raise UsageError("--survey and --finance go together: pass both")
            if key is None:
                raise UsageError("--survey needs --key: the account column in both files")
            if entity is not None:
                raise UsageError("with --survey the account column is --key; drop --entity")
            if rng_ is not None:
                raise UsageError(
                    "--cx-range applies to an account table; survey scores are "
                    "checked on their own scale"
                )
        elif file is None:
            raise UsageError(
                "missing input: cxkit roi ACCOUNTS.csv --cx COL --outcome COL "
                "(or --survey FILE --finance FILE --key COL)"
            )
        elif key is not None:
            raise UsageError("--key goes with --survey/--finance; for an account FILE use --entity")
        stdout_fmt = check_output_options(fmt, output, [file, survey, finance], plot)

        from ..roi import roi as run_roi

        if survey_mode:
            from ..roi_survey import panel_from_survey, parse_scores

            scores = parse_scores(cx or ())
            panel = panel_from_survey(
                survey,  # type: ignore[arg-type]
                finance,  # type: ignore[arg-type]
                key=key,  # type: ignore[arg-type]
                scores=scores,
                outcomes=outcome or (),
                time=time,
                controls=control or (),
                weight=weight,
                revenue=revenue,
                min_responses=min_responses,
                drop_invalid=drop_invalid,
                config=config,
                use_config=not no_config,
                encoding=encoding,
            )
        else:
            from ..read import read_table
            from ..roi_data import AccountSpec, panel_from_table
            from ..study import find_config, load_study

            raw = read_table(file, encoding=encoding)  # type: ignore[arg-type]
            cfg = find_config(config, file) if not no_config else None
            study = load_study(cfg) if cfg is not None else None
            scale = (study.scale.min, study.scale.max) if study and study.scale else None
            spec = AccountSpec(
                cx=cx or (),
                outcomes=outcome or (),
                entity=entity,
                time=time,
                controls=control or (),
                weight=weight,
                revenue=revenue,
                cx_range=rng_,
                scale=scale,
                drop_invalid=drop_invalid,
            )
            panel = panel_from_table(raw, spec)
            if study is not None:
                panel.config = {"path": study.path, "sha256": study.sha256}

        def analyse(period):
            return run_roi(
                panel,
                models=model or None,
                lags=lag_list,
                within=within,
                confidence=confidence,
                winsorize=winsorize,
                improve=improve,
                n_boot=bootstrap,
                seed=seed,
                period=period,
            )

        if compare_to is not None and improve is not None:
            raise UsageError("--compare-to compares models, not projections: drop --improve")
        if compare_to is not None and wave is None:
            raise UsageError("--compare-to needs --wave: the period whose CX is compared")
        result = analyse(wave)
        if compare_to is not None:
            from ..compare import add_change_columns

            result = add_change_columns(
                result,
                analyse(compare_to),
                metrics=("estimate", "per_10"),
                keys=["cx", "outcome", "model", "lag"],
                family=[],
                compare_wave=str(compare_to),
                confidence=confidence,
            )
        if wave is not None:
            result.summary["wave"] = str(wave)

        def chart():  # the roi chart needs the panel's data points
            from ..charts_extra import roi_chart

            return roi_chart(result, panel)

        emit(result, stdout_fmt, output, [file, survey, finance], plot, chart=chart)

    guarded(body)
