"""``cxkit obstacles``: options in, :func:`cxkit.obstacles.obstacles` out."""

import sys
from typing import Annotated

import typer

from ..cli_common import (
    CompareToOpt,
    ConfidenceOpt,
    ConfigOpt,
    EncodingOpt,
    FormatOpt,
    MaxGroupsOpt,
    NoConfigOpt,
    OutputOpt,
    PlotOpt,
    WaveColOpt,
    WaveOpt,
    check_output_options,
    emit,
    guarded,
    latest_wave_note,
    one_blas_thread,
    state,
)
from ..errors import MAX_BY_GROUPS, UsageError, check_confidence, check_max_groups, check_seed
from ..obstacle_config import LAYOUTS


def parse_top(text: str) -> list[int]:
    """``"1,2,5"`` -> ``[1, 2, 5]``.

    >>> parse_top("5, 1,2")
    [1, 2, 5]
    """
    try:
        levels = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        levels = []
    if not levels or levels[0] < 1:
        raise UsageError(
            f"--top {text!r}: write whole numbers >= 1 separated by commas, e.g. 1,2,5"
        )
    return levels


def obstacles(
    file: Annotated[
        str | None, typer.Argument(help="Survey file with the obstacle answers ('-' = stdin).")
    ] = None,
    columns: Annotated[
        list[str] | None,
        typer.Option("--columns", help="Answer column or glob such as 'Q7_*' (repeatable)."),
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option(
            "--layout", help="rank-columns | rank-numbers | multi-select (default: detect)."
        ),
    ] = None,
    ranks: Annotated[
        int | None, typer.Option("--ranks", help="Ranks respondents were asked to give (k).")
    ] = None,
    sep: Annotated[
        str | None, typer.Option("--sep", help="Separator of picks joined in one cell, e.g. ';'.")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Group column, e.g. wave: changes between waves.")
    ] = None,
    top: Annotated[
        str | None,
        typer.Option("--top", help="Top levels for the shares, e.g. 1,2,5 (default 1,2,k)."),
    ] = None,
    bootstrap: Annotated[
        int,
        typer.Option("--bootstrap", help="Bootstrap resamples for worth and rank CIs (0 = none)."),
    ] = 2000,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default 2012).")] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Stop at the first invalid answer instead of excluding it."),
    ] = False,
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
    """Rank the obstacles to CX success, with uncertainty and change between waves.

    Share naming each obstacle first, in the top 2, ..., top k (Wilson CIs), mean rank,
    Borda score, Plackett-Luce worth and rank with bootstrap CIs and tiers; with --by, the
    change in each share since the previous group (Newcombe CI, Holm-adjusted p).
    """

    def body() -> None:
        check_confidence(confidence)
        check_max_groups(max_groups)
        check_seed(seed)
        if layout is not None and layout not in LAYOUTS:
            raise UsageError(f"--layout {layout!r}: choose one of {', '.join(LAYOUTS)}")
        if bootstrap < 0:
            raise UsageError(f"--bootstrap must be 0 or more, not {bootstrap}")
        if ranks is not None and ranks < 1:
            raise UsageError(f"--ranks must be 1 or more, not {ranks}")
        if sep is not None and not sep:
            raise UsageError("--sep must not be empty; e.g. --sep ';'")
        levels = parse_top(top) if top is not None else None
        # the bootstrap multiplies many tiny matrices: BLAS threads only add overhead there
        # (and stall on a busy machine)
        one_blas_thread()
        stdout_fmt = check_output_options(fmt, output, [file], plot)
        if file is None:
            raise UsageError("name the survey file: cxkit obstacles FILE ('-' reads stdin)")

        from ..preload import preload

        # choix (and the scipy.stats it imports, about 0.3 s) loads while the file is read
        # and the answers are parsed; it is first needed for the Plackett-Luce fit
        preload("pandas", "choix")
        from ..obstacle_config import ObstacleConfig, parse_config
        from ..obstacles import obstacles as run
        from ..read import read_table
        from ..study import find_config, load_study

        raw = read_table(file, encoding=encoding)
        ob_config, info, study = ObstacleConfig(), None, None
        path = None if no_config else find_config(config, near=file)
        if path is not None:
            study = load_study(path)
            ob_config = parse_config(study.obstacles, str(path))
            info = {"path": study.path, "sha256": study.sha256}
        group = by
        current = None
        if wave is not None or compare_to is not None:
            from ..waves import keep_waves, raw_waves

            wcol, labels = raw_waves(raw, wave_col, study.wave_col if study else None)
            current = wave if wave is not None else labels[-1]
            if compare_to is not None and str(compare_to) == str(current):
                raise UsageError(f"--compare-to {compare_to} is the wave being analysed")
            if compare_to is not None and by is not None and by != wcol:
                raise UsageError(f"--compare-to groups by the wave column {wcol!r}: drop --by {by}")
            raw = keep_waves(raw, wcol, [w for w in (current, compare_to) if w is not None])
            group = wcol if compare_to is not None else by
        with _Progress() as progress:
            result = run(
                raw,
                columns=columns or (),
                layout=layout,
                ranks=ranks,
                separator=sep,
                by=group,
                top=levels,
                bootstrap=bootstrap,
                seed=seed,
                confidence=confidence,
                strict=strict,
                config=ob_config,
                config_info=info,
                progress=progress,
                max_groups=max_groups,
            )
        if current is not None:
            result.summary["wave"] = str(current)
        if wave is None and compare_to is not None:
            result.notes.insert(0, latest_wave_note(current, compare_to))
        emit(result, stdout_fmt, output, [file], plot)

    guarded(body)


class _Progress:
    """A rich progress bar on stderr, only when stderr is a terminal (else a no-op)."""

    def __enter__(self):
        if state["quiet"] or not sys.stderr.isatty():
            self.bar = None
            return None
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.__enter__()
        self.task = None
        return self.advance

    def advance(self, done: int, total: int) -> None:
        if self.task is None:
            self.task = self.bar.add_task("bootstrap", total=total)
        self.bar.advance(self.task, done)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False
