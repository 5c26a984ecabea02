"""Plumbing shared by every command: option types, error handling, output.

Each command module under ``cxkit.commands`` declares its options with these annotated types,
checks them, imports its heavy modules only then, and hands its Result to :func:`emit`.
Nothing here imports pandas, scipy, statsmodels or pyarrow at module level.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from .errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    CxkitError,
    UsageError,
)

#: set by the root callback in cli.py
state = {"debug": False, "quiet": False}


def err(message: str) -> None:
    sys.stderr.write(f"cxkit: error: {message}\n")


def note(message: str) -> None:
    if not state["quiet"]:
        sys.stderr.write(f"note: {message}\n")


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
            note(n)
    if output is not None and not state["quiet"]:
        sys.stderr.write(f"wrote {output} ({len(result.table)} rows)\n")
