"""Plumbing shared by every command: option types, error handling, output.

Each command module under ``cxkit.commands`` declares its options with these annotated types,
checks them, imports its heavy modules only then, and hands its Result to :func:`emit`.
Nothing here imports pandas, scipy, statsmodels or pyarrow at module level.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from .errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    CxkitError,
    OutputError,
    UsageError,
    one_line,
)

#: set by the root callback in cli.py
state = {"debug": False, "quiet": False}


def err(message: str) -> None:
    sys.stderr.write(f"cxkit: error: {message}\n")


@contextlib.contextmanager
def writing_stdout() -> Iterator[None]:
    """Results written to stdout inside this block either reach it, or the run ends with
    exit 4 and one line: a full disk (``> /dev/full``) or a reader that closed the pipe is
    an output error, not a crash. stdout then points at the null device, so the flush at
    exit does not fail a second time."""
    try:
        yield
        sys.stdout.flush()
    except OSError as exc:
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if isinstance(exc, BrokenPipeError):
            reason = "the reading end of the pipe was closed"
        else:
            reason = exc.strerror or str(exc)
        raise OutputError(f"cannot write the results to standard output ({reason})") from None


def one_blas_thread() -> None:
    """Ask numpy's BLAS for one thread (a user's own setting wins); call it before numpy
    loads, in a command that multiplies only small matrices or none.

    OpenBLAS starts a thread per core when numpy loads, and that thread spins for about
    0.1 s waiting for work: on two cores, the core the start-up leaves to hashing the
    input. ``cxkit gap`` never calls BLAS; measured on a 1M-row CSV, one thread saved
    0.09 s of CPU and 24 MB per run (the wall time did not move).

    Not ``OMP_NUM_THREADS``: pyarrow sizes its own thread pool from it, and with it at 1
    a 5M-row Parquet read ran on one core (0.68 -> 0.95 s). numpy's OpenBLAS threads
    are its own (pthreads), so the two variables below suffice.
    """
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


#: most rows drawn as a table on a terminal (a pipe or a file gets them all)
TERMINAL_ROWS = 1000


def _is_terminal() -> bool:
    return sys.stdout.isatty()


def note(message: str) -> None:
    """One ``note:`` line on stderr (silenced by --quiet); control characters a note quotes
    from the data are shown escaped (:func:`cxkit.errors.one_line`)."""
    if not state["quiet"]:
        sys.stderr.write(f"note: {one_line(message)}\n")


def warn(message: str) -> None:
    """One ``cxkit: warning:`` line on stderr: the run goes on (silenced by --quiet); a
    file name with a newline or escape in it is shown escaped, as in notes."""
    if not state["quiet"]:
        sys.stderr.write(f"cxkit: warning: {one_line(message)}\n")


def check_inputs(inputs: dict[str, Any]) -> None:
    """Check the input paths given to several options (``None`` = not given) before reading.

    Standard input can be read once, so two inputs named ``-`` are a usage error (``cxkit
    report``, which reads its one input more than once, refuses ``-`` outright); two options
    naming the same file get a warning, since both sides then read the same rows.
    """
    given = {opt: str(p) for opt, p in inputs.items() if p is not None}
    stdin = [opt for opt, p in given.items() if p == "-"]
    if len(stdin) > 1:
        raise UsageError(
            f"{' and '.join(stdin)} both read stdin ('-'), but only one input can be read "
            "from stdin: save the other to a file and name it"
        )
    seen: dict[Path, str] = {}
    for opt, p in given.items():
        if p == "-":
            continue
        path = Path(p).resolve()
        if path in seen:
            warn(f"{seen[path]} and {opt} name the same file ({p}): both sides read its rows")
        seen.setdefault(path, opt)


def guarded(fn: Callable[[], None]) -> None:
    """Run a command body: errors become one line on stderr and their exit code."""
    try:
        fn()
    except CxkitError as exc:
        if state["debug"]:
            raise
        err(exc.message.replace("\n", " "))
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        if state["debug"]:
            raise
        err("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if state["debug"]:
            raise
        err(
            f"internal error ({type(exc).__name__}: {str(exc)[:200]}); this is a bug in cxkit: "
            "rerun with --debug and report the traceback"
        )
        raise typer.Exit(EXIT_INTERNAL) from None


_SCALE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|\.\.|:|–)\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_scale(text: str, option: str = "--scale") -> tuple[float, float]:
    """``"1-5"`` -> ``(1.0, 5.0)``; also ``1..5``, ``0:10``. ``option`` is the option that
    gave ``text``, for the message.

    >>> parse_scale("0-10")
    (0.0, 10.0)
    """
    m = _SCALE.match(text)
    if not m or float(m.group(2)) <= float(m.group(1)):
        raise UsageError(f"{option} {text!r}: write it as MIN-MAX with MIN < MAX, e.g. 1-5 or 0-10")
    return float(m.group(1)), float(m.group(2))


# Input options shared by the analysis commands -----------------------------------------
RoleColOpt = Annotated[
    str | None, typer.Option("--role-col", help="Role column (default: config, else 'role').")
]
WeightOpt = Annotated[str | None, typer.Option("--weight", help="Respondent weight column.")]
NoWeightOpt = Annotated[
    bool, typer.Option("--no-weight", help="Ignore the config's weight column.")
]
MissingOpt = Annotated[
    list[str] | None,
    typer.Option("--missing", help="Answer meaning no answer, e.g. 99 (repeatable)."),
]
SelfRolesOpt = Annotated[
    list[str] | None,
    typer.Option("--self", help="Role value counted as self (repeatable; case-insensitive)."),
]
CustomerRolesOpt = Annotated[
    list[str] | None,
    typer.Option("--customer", help="Role value counted as customer (repeatable)."),
]
RoleFilterOpt = Annotated[
    list[str] | None,
    typer.Option("--role", help="Keep only rows with this role value (repeatable)."),
]
ScaleOpt = Annotated[
    str | None, typer.Option("--scale", help="Answer scale MIN-MAX (default config, else 1-5).")
]


# Options shared by every analysis command --------------------------------------------------
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="stdout format: table|json|csv|markdown (default table; none with --output).",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write the result to a file: .parquet .csv .json .md (atomic)."
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", help="Study config; default ./cxkit.toml, else one beside the data file."
    ),
]
NoConfigOpt = Annotated[bool, typer.Option("--no-config", help="Ignore any cxkit.toml.")]
PlotOpt = Annotated[
    Path | None,
    typer.Option("--plot", help="Also draw the result's chart: .png or .svg (atomic)."),
]
WaveOpt = Annotated[
    str | None, typer.Option("--wave", help="Analyse one wave (default: all rows).")
]
CompareToOpt = Annotated[
    str | None,
    typer.Option("--compare-to", help="Add change columns against this wave (with CIs, p)."),
]
WaveColOpt = Annotated[
    str | None,
    typer.Option("--wave-col", help="Wave column (default: config, else wave/quarter/period)."),
]
SheetOpt = Annotated[
    str | None,
    typer.Option("--sheet", help="Workbook sheet, by name or number (default the first)."),
]
EncodingOpt = Annotated[
    str | None, typer.Option("--encoding", help="Force the file encoding, e.g. cp1252.")
]
FinishedOnlyOpt = Annotated[
    bool,
    typer.Option("--finished-only", help="Exclude unfinished responses (Qualtrics Finished)."),
]
IncludePreviewOpt = Annotated[
    bool,
    typer.Option("--include-preview", help="Keep Qualtrics survey-preview responses."),
]
DedupeOpt = Annotated[
    str | None,
    typer.Option("--dedupe", help="Duplicate respondent ids: keep first|last (default: error)."),
]
ConfidenceOpt = Annotated[
    float, typer.Option("--confidence", help="Confidence level of every interval.")
]
MaxGroupsOpt = Annotated[
    int,
    typer.Option(
        "--max-groups",
        help="Most distinct values a --by column may have (a guard against breaking down by "
        "an id or a weight).",
    ),
]


#: what ``{name}`` in an --output or --plot path becomes (see :func:`expand_output`)
PLACEHOLDERS = {"date": "today's date, UTC", "wave": "the wave analysed"}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check_placeholders(path: Path, option: str = "--output") -> None:
    """A usage error for a ``{name}`` in ``path`` that is not one of :data:`PLACEHOLDERS`,
    or an unmatched brace (the file would be named with it literally).

    >>> check_placeholders(Path("gap-{wave}-{date}.json"))
    >>> check_placeholders(Path("gap-{nope}.json"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    cxkit.errors.UsageError: --output gap-{nope}.json: unknown placeholder {nope}; known: ...
    """
    text = str(path)
    known = ", ".join(f"{{{k}}} ({v})" for k, v in PLACEHOLDERS.items())
    for m in _PLACEHOLDER.finditer(text):
        if m.group(1) not in PLACEHOLDERS:
            raise UsageError(f"{option} {path}: unknown placeholder {m.group(0)}; known: {known}")
    if any(b in _PLACEHOLDER.sub("", text) for b in "{}"):
        raise UsageError(
            f"{option} {path}: an unmatched brace; braces mark placeholders, known: {known}"
        )


def check_not_input(path: Path, inputs: Any, option: str = "--output") -> None:
    """A usage error when writing ``path`` would overwrite an input, or would put a file
    into an input folder where the next run would read it as one more drop."""
    target = path.resolve()
    for p in inputs:
        if p is None or str(p) == "-":
            continue
        source = Path(p).resolve()
        if source == target:
            raise UsageError(f"{option} {path} is also an input file; choose another path")
        if source.is_dir() and target.is_relative_to(source):
            from .formats.folder import SUFFIXES  # what a folder's reader takes for a drop

            if target.suffix.lower() in SUFFIXES and not target.name.startswith((".", "_")):
                raise UsageError(
                    f"{option} {path} is inside the input folder {p}, where it would replace "
                    "or join its drops; choose a path outside the folder"
                )


def check_output_options(
    fmt: str | None, output: Path | None, inputs: list[Any], plot: Path | None = None
) -> str | None:
    """Validate --format/--output/--plot before any work; return the stdout format (or None)."""
    from .output import FORMATS, check_folder, format_for_path

    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise UsageError(f"--plot {plot}: name a .png or .svg file")
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if output is not None:
        format_for_path(output)
    for option, path in (("--output", output), ("--plot", plot)):
        if path is not None:
            check_not_input(path, inputs, option)
            check_placeholders(path, option)
            if "{" not in str(path.parent):  # {wave}: known after the run
                check_folder(path, option)
    if fmt is None and output is None:
        return "table"
    return fmt


def expand_output(
    output: Path, result: Any, inputs: list[Any] = (), option: str = "--output"
) -> Path:
    """Fill ``{date}`` (UTC, YYYY-MM-DD) and ``{wave}`` (the result's wave) in an output path;
    any other ``{name}`` is a usage error (:func:`check_placeholders`).

    >>> from types import SimpleNamespace as NS
    >>> str(expand_output(Path("gap-{wave}.json"), NS(summary={"wave": "2026Q3"})))
    'gap-2026Q3.json'
    """
    check_placeholders(output, option)
    text = str(output)
    if "{wave}" in text:
        wave = (getattr(result, "summary", None) or {}).get("wave")
        if not wave:
            raise UsageError(
                f"{option} {output} uses {{wave}}, but this result has no wave: pass --wave"
            )
        text = text.replace("{wave}", re.sub(r"[^A-Za-z0-9._-]+", "_", str(wave)))
    if "{date}" in text:
        import datetime as dt

        text = text.replace("{date}", dt.datetime.now(dt.UTC).date().isoformat())
    path = Path(text)
    check_not_input(path, inputs, option)
    return path


def emit(
    result: Any,
    fmt: str | None,
    output: Path | None,
    inputs: list[Any] = (),
    plot: Path | None = None,
    *,
    chart: Callable[[], Any] | None = None,
    also: list[tuple[Path, bytes, str]] = (),
) -> None:
    """Send a result to stdout in ``fmt`` and/or to ``output`` (and its chart to ``plot``);
    notes go to stderr. Paths may hold ``{wave}`` and ``{date}`` (:func:`expand_output`).

    ``chart`` makes the figure for ``plot`` (default: the result's own chart); ``also`` holds
    more files, ``(path, data, option)``, such as check's ``--junit``. Every file is
    written, or none is (:func:`cxkit.output.write_all`).
    """
    from .output import print_table, render, result_bytes, write_all

    files = []
    if output is not None:
        output = expand_output(output, result, list(inputs))
        files.append((output, result_bytes(result, output), "--output"))
    if plot is not None:
        from . import charts

        plot = expand_output(plot, result, list(inputs), "--plot")
        charts.check_plot_path(plot)
        figure = chart() if chart is not None else charts.chart_for(result)
        files.append((plot, charts.figure_bytes(figure, plot.suffix.lower()[1:]), "--plot"))
    files.extend(also)
    if files:
        write_all(files)
    if plot is not None and not state["quiet"]:
        sys.stderr.write(f"wrote {plot}\n")
    left_out = 0
    if fmt == "table":
        from rich.console import Console

        terminal = _is_terminal()
        width = None if terminal else 200
        shown = TERMINAL_ROWS if terminal else None  # a file or a pipe gets every row
        with writing_stdout():
            left_out = print_table(
                result, console=Console(width=width, soft_wrap=False), max_rows=shown
            )
        if left_out:
            note(
                f"the terminal shows the first {TERMINAL_ROWS:,} of {TERMINAL_ROWS + left_out:,} "
                "rows; -f csv, -f json or -o FILE give every row"
            )
    elif fmt is not None:
        with writing_stdout():
            sys.stdout.write(render(result, fmt))
    if fmt in ("table", "csv", None):
        for n in result.notes:
            note(n)
    if output is not None and not state["quiet"]:
        sys.stderr.write(f"wrote {output} ({result.n_rows} rows)\n")


def latest_wave_note(current: object, compare_to: object) -> str:
    """The note that ``--compare-to`` without ``--wave`` analysed the latest wave."""
    return f"analysed wave {current} (the latest) against {compare_to}; pass --wave to choose"


def by_wave(
    survey: Any,
    analyse: Callable[[Any], Any],
    wave: str | None,
    compare_to: str | None,
    *,
    keys: list[str],
    family: list[str],
    metrics: tuple[str, ...],
    confidence: float,
) -> Any:
    """Run ``analyse`` on the chosen wave (or every row) and add changes against another.

    ``keys`` match a row to its counterpart in the other wave, ``family`` groups the rows
    whose change p-values are Holm-adjusted together, ``metrics`` are the columns compared.
    """
    from .waves import select_wave, wave_labels

    if wave is None and compare_to is None:
        result = analyse(survey)
        if survey.wave_col is not None:
            labels = wave_labels(survey)
            if len(labels) == 1:
                result.summary["wave"] = labels[0]
        return result
    current = wave if wave is not None else wave_labels(survey)[-1]
    if compare_to is not None and str(compare_to) == str(current):
        raise UsageError(f"--compare-to {compare_to} is the wave being analysed: pick another")
    result = analyse(select_wave(survey, current))
    if compare_to is not None:
        from .compare import add_change_columns

        previous = analyse(select_wave(survey, compare_to))
        result = add_change_columns(
            result,
            previous,
            metrics=metrics,
            keys=keys,
            family=family,
            compare_wave=str(compare_to),
            confidence=confidence,
        )
        if wave is None:
            result.notes.insert(0, latest_wave_note(current, compare_to))
    result.summary["wave"] = str(current)
    result.provenance.setdefault("parameters", {})["wave"] = str(current)
    return result
