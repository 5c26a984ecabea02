"""``cxkit check``: run the config's checks and ``--fail-if`` gates on a drop; exit 1 on failure."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..cli_common import (
    ConfigOpt,
    FormatOpt,
    NoConfigOpt,
    OutputOpt,
    check_output_options,
    emit,
    guarded,
    writing_stdout,
)
from ..errors import EXIT_CHECK_FAILED, InputError, UsageError

_DROP_SUFFIXES = {".csv", ".tsv", ".txt", ".parquet"}


def expand_drops(drops: list[str]) -> list[str]:
    """Files named, with each folder replaced by its survey files in wave order."""
    from ..waves import wave_key

    out: list[str] = []
    for d in drops:
        p = Path(d)
        if p.is_dir():
            files = [f for f in p.iterdir() if f.suffix.lower() in _DROP_SUFFIXES]
            if not files:
                raise InputError(f"{d}: folder holds no .csv, .tsv or .parquet drop")
            out.extend(str(f) for f in sorted(files, key=lambda f: wave_key(f.stem)))
        else:
            out.append(d)
    return out


def check(
    drops: Annotated[
        list[str] | None,
        typer.Argument(
            help="Drop file(s) or folder(s) in wave order; the last is checked, the one "
            "before it is the previous wave for drift and change checks."
        ),
    ] = None,
    fail_if: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-if",
            help="Threshold that must hold, e.g. 'gap.overall.agree_ratio <= 3' (repeatable).",
        ),
    ] = None,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Write JUnit XML for CI systems.")
    ] = None,
    github: Annotated[
        bool, typer.Option("--github", help="Print GitHub Actions annotations for failures.")
    ] = False,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Gate a data drop: data, drift, threshold and change checks (exit 1 if any fails).

    Checks come from [[check]] tables in cxkit.toml and from --fail-if. Paths name an
    analysis, a row and a column: gap.overall.agree_ratio, gap.item[sa_1].agree_customer,
    gap[region=EMEA].pillar.agree_gap.
    """

    def body() -> None:
        if not drops:
            raise UsageError("name the drop to check: cxkit check DROP [DROP ...]")
        from ..expr import parse

        for text in fail_if or []:
            parse(text)  # grammar errors are usage errors before any file is read
        if github and fmt not in (None, "table"):
            raise UsageError("--github prints annotations on stdout: use -o for the result")
        stdout_fmt = check_output_options(fmt, output, [*drops, junit])
        if junit is not None and junit.suffix.lower() != ".xml":
            raise UsageError(f"--junit {junit}: name an .xml file")

        if junit is not None:
            from ..output import check_folder

            check_folder(junit, "--junit")  # before any work, like -o's folder

        from ..check_config import parse_checks
        from ..checks import run_checks
        from ..study import Study, find_config, load_study

        files = expand_drops(list(drops))
        cfg_path = None if no_config else find_config(config, files[-1])
        study = load_study(cfg_path) if cfg_path is not None else Study()
        specs = parse_checks(study, fail_if or [])
        result = run_checks(files, study, specs, False if no_config else cfg_path)
        also = []
        if junit is not None:
            from ..junit import junit_xml

            also.append((junit, junit_xml(result.table), "--junit"))
        emit(result, stdout_fmt, output, list(drops), also=also)  # both files, or neither
        if github:
            from ..junit import github_annotations

            with writing_stdout():
                sys.stdout.write(github_annotations(result.table))
        if result.summary["failed"]:
            raise typer.Exit(EXIT_CHECK_FAILED)

    guarded(body)
