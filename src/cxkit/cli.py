"""The ``cxkit`` command line: options in, results out. Thin by design.

Heavy modules (pandas, scipy, statsmodels, pyarrow) are imported inside the commands, after
the options are checked, so ``cxkit --help`` and option errors stay fast.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ._version import __version__
from .errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    CxkitError,
    UsageError,
)

app = typer.Typer(
    name="cxkit",
    help="Voice-of-customer survey analysis: centricity gaps, CX ROI, obstacles.\n\n"
    "Exit codes: 0 ok, 1 check failed, 2 usage error, 3 input problem, 4 cannot write "
    "output, 70 internal error, 130 interrupted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_state = {"debug": False, "quiet": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cxkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only errors on stderr.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Voice-of-customer survey analysis."""
    _state["debug"] = debug
    _state["quiet"] = quiet


def _err(message: str) -> None:
    sys.stderr.write(f"cxkit: error: {message}\n")


def _note(message: str) -> None:
    if not _state["quiet"]:
        sys.stderr.write(f"note: {message}\n")


def _guarded(fn: Callable[[], None]) -> None:
    """Run a command body: errors become one line on stderr and their exit code."""
    try:
        fn()
    except CxkitError as exc:
        if _state["debug"]:
            raise
        _err(exc.message.replace("\n", " "))
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        if _state["debug"]:
            raise
        _err("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if _state["debug"]:
            raise
        _err(
            f"internal error ({type(exc).__name__}: {str(exc)[:200]}); this is a bug in cxkit: "
            "rerun with --debug and report the traceback"
        )
        raise typer.Exit(EXIT_INTERNAL) from None


_SCALE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|\.\.|:|–)\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_scale(text: str) -> tuple[float, float]:
    """``"1-5"`` -> ``(1.0, 5.0)``; also ``1..5``, ``0:10``.

    >>> parse_scale("0-10")
    (0.0, 10.0)
    """
    m = _SCALE.match(text)
    if not m or float(m.group(2)) <= float(m.group(1)):
        raise UsageError(f"--scale {text!r}: write it as MIN-MAX with MIN < MAX, e.g. 1-5 or 0-10")
    return float(m.group(1)), float(m.group(2))


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
ConfidenceOpt = Annotated[
    float, typer.Option("--confidence", help="Confidence level of every interval.")
]


def check_output_options(fmt: str | None, output: Path | None, inputs: list[Any]) -> str | None:
    """Validate --format/--output before any work; return the stdout format (or None)."""
    from .output import FORMATS, format_for_path

    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if output is not None:
        format_for_path(output)
        out = output.resolve()
        for p in inputs:
            if p is not None and str(p) != "-" and Path(p).resolve() == out:
                raise UsageError(f"--output {output} is also an input file; choose another path")
    if fmt is None and output is None:
        return "table"
    return fmt


def emit(result: Any, fmt: str | None, output: Path | None) -> None:
    """Send a result to stdout in ``fmt`` and/or to ``output``; notes go to stderr."""
    from .output import print_table, render, write_result

    if output is not None:
        write_result(result, output)
    if fmt == "table":
        from rich.console import Console

        width = None if sys.stdout.isatty() else 200
        print_table(result, console=Console(width=width, soft_wrap=False))
    elif fmt is not None:
        sys.stdout.write(render(result, fmt))
        sys.stdout.flush()
    if fmt in ("table", "csv", None):
        for n in result.notes:
            _note(n)
    if output is not None and not _state["quiet"]:
        sys.stderr.write(f"wrote {output} ({len(result.table)} rows)\n")


@app.command()
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
    role_col: Annotated[
        str | None, typer.Option("--role-col", help="Role column (default: config, else 'role').")
    ] = None,
    self_roles: Annotated[
        list[str] | None,
        typer.Option("--self", help="Role value counted as self (repeatable; case-insensitive)."),
    ] = None,
    customer_roles: Annotated[
        list[str] | None,
        typer.Option("--customer", help="Role value counted as customer (repeatable)."),
    ] = None,
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
    scale: Annotated[
        str | None, typer.Option("--scale", help="Answer scale MIN-MAX (default config, else 1-5).")
    ] = None,
    missing: Annotated[
        list[str] | None,
        typer.Option("--missing", help="Answer meaning no answer, e.g. 99 (repeatable)."),
    ] = None,
    weight: Annotated[
        str | None, typer.Option("--weight", help="Respondent weight column.")
    ] = None,
    no_weight: Annotated[
        bool, typer.Option("--no-weight", help="Ignore the config's weight column.")
    ] = False,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="Breakdown column (repeatable).")
    ] = None,
    confidence: ConfidenceOpt = 0.95,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Force the file encoding, e.g. cp1252.")
    ] = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Self-versus-customer centricity gap per item, pillar and overall.

    Difference and ratio of the share agreeing (with Newcombe and Katz intervals) and the
    mean gap (Welch), one row per item, pillar and overall, for each --by cell.
    """

    def body() -> None:
        if not 0 < confidence < 1:
            raise UsageError(f"--confidence must be between 0 and 1, e.g. 0.95, not {confidence}")
        if no_weight and weight:
            raise UsageError("--weight and --no-weight contradict each other: pass one")
        stdout_fmt = check_output_options(fmt, output, [file, self_file, customer_file])
        scale_range = parse_scale(scale) if scale is not None else None

        from .gap import gap as run_gap
        from .study import Scale
        from .survey import SurveySpec, read_survey

        spec = SurveySpec(
            items=items or (),
            role_col=role_col,
            weight_col=weight,
            by=by or (),
            scale=Scale(*scale_range) if scale_range else None,
            missing=missing or (),
            encoding=encoding,
            unweighted=no_weight,
        )
        survey = read_survey(
            file,
            config=config,
            use_config=not no_config,
            self_file=self_file,
            customer_file=customer_file,
            spec=spec,
        )
        result = run_gap(
            survey,
            self_roles=self_roles,
            customer_roles=customer_roles,
            by=by or (),
            agree_at=agree,
            confidence=confidence,
            drop_unknown_roles=drop_unknown_roles,
        )
        emit(result, stdout_fmt, output)

    _guarded(body)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - outside a command body
        _err("interrupted")
        sys.exit(EXIT_INTERRUPTED)
