"""``cxkit inspect``: what cxkit sees in a survey file."""

from typing import Annotated

import typer

from ..cli_common import (
    ConfigOpt,
    EncodingOpt,
    FinishedOnlyOpt,
    FormatOpt,
    IncludePreviewOpt,
    NoConfigOpt,
    OutputOpt,
    SheetOpt,
    check_output_options,
    emit,
    guarded,
)


def inspect(
    file: Annotated[str, typer.Argument(help="Survey file or folder of drops ('-' = stdin).")],
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    finished_only: FinishedOnlyOpt = False,
    include_preview: IncludePreviewOpt = False,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Show what cxkit sees: format, encoding, rows, exclusions, and every column's guess.

    Each column's type, answer labels and the scale guessed, and which columns look like
    id, role, weight, wave, segment, NPS, Likert items, multi-select or rank questions.
    """

    def body() -> None:
        stdout_fmt = check_output_options(fmt, output, [file])
        from ..read import read_table
        from ..starter import inspect_table
        from ..study import find_config, load_study

        cfg = find_config(config, file) if not no_config else None
        multi = load_study(cfg).multi if cfg is not None else {}
        raw = read_table(
            file,
            encoding=encoding,
            sheet=sheet,
            finished_only=finished_only,
            include_preview=include_preview,
            options={k: list(v) for k, v in multi.items()},
        )
        emit(inspect_table(raw), stdout_fmt, output)

    guarded(body)
