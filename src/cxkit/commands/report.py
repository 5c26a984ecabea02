"""``cxkit report``: gap, trend, NPS, obstacles and roi in one shareable HTML or Markdown file."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..cli_common import (
    ConfidenceOpt,
    ConfigOpt,
    NoConfigOpt,
    check_not_input,
    guarded,
    note,
    state,
    writing_stdout,
)
from ..errors import UsageError, check_confidence, check_seed

_FORMATS = {"html": "html", "markdown": "markdown", "md": "markdown"}
_EXTENSIONS = {".html": "html", ".htm": "html", ".md": "markdown"}


def report_format(fmt: str | None, output: Path | None) -> str:
    """The report format from ``--format`` and the output's extension (default html).

    >>> report_format(None, Path("r.md")), report_format("html", None)
    ('markdown', 'html')
    """
    if fmt is not None and fmt not in _FORMATS:
        raise UsageError(f"--format {fmt!r}: choose html or markdown")
    chosen = _FORMATS[fmt] if fmt else None
    if output is not None:
        ext = output.suffix.lower()
        if ext not in _EXTENSIONS:
            raise UsageError(
                f"--output {output}: unknown extension {ext or '(none)'!r}; use .html or .md"
            )
        if chosen and chosen != _EXTENSIONS[ext]:
            raise UsageError(f"--format {fmt} contradicts --output {output}: drop one")
        chosen = _EXTENSIONS[ext]
    chosen = chosen or "html"
    if chosen == "markdown" and output is None:
        raise UsageError("a Markdown report needs --output report.md (its charts go beside it)")
    return chosen


def report(
    file: Annotated[
        str | None,
        typer.Argument(help="Survey file, or a folder of drops (one file per wave)."),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples (obstacles, roi).")
    ] = 2000,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
    confidence: ConfidenceOpt = 0.95,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="html|markdown (default: from --output, else html)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Report file: .html (self-contained) or .md (PNGs beside it)."
        ),
    ] = None,
) -> None:
    """One shareable report: headline findings, then gap, trend, NPS by segment,
    obstacles and roi, each with its chart, table and notes, and a provenance footer.

    Analyses whose inputs are missing are skipped with a note. Set the finance file, the
    obstacle file and more in the [report] table of cxkit.toml (see the README). Without
    --output the HTML goes to stdout.
    """

    def body() -> None:
        if file is None:
            raise UsageError(
                "name the survey file or drop folder: cxkit report FILE -o report.html"
            )
        if file == "-":
            raise UsageError(
                "cxkit report reads its input more than once: save stdin to a file and name it"
            )
        check_confidence(confidence)
        check_seed(seed)
        if bootstrap < 0:
            raise UsageError(f"--bootstrap must be 0 or more, not {bootstrap}")
        if not Path(file).is_dir():
            from ..read import read_table

            # a missing, unreadable or empty input is exit 3 before the output checks
            read_table(file)
        chosen = report_format(fmt, output)
        if output is not None:
            check_not_input(output, [file])
        if output is not None:
            from ..report_render import check_report_paths

            check_report_paths(output, chosen)  # exit 4 before any work, not after it

        from ..report import build_report
        from ..report_render import to_html, write_report

        rep = build_report(
            file,
            config=config,
            use_config=not no_config,
            confidence=confidence,
            bootstrap=bootstrap,
            seed=seed,
        )
        for s in rep.sections:
            if s.skipped:
                note(f"{s.key} skipped: {s.skipped}")
        if output is None:
            with writing_stdout():
                sys.stdout.write(to_html(rep))
            return
        written = write_report(rep, output, chosen)
        if not state["quiet"]:
            ran = sum(s.result is not None for s in rep.sections)
            sys.stderr.write(f"wrote {written[-1]} ({ran} of {len(rep.sections)} analyses)\n")

    guarded(body)
