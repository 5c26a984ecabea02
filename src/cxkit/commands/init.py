"""``cxkit init``: write a starter ``cxkit.toml`` for a survey file."""

from pathlib import Path
from typing import Annotated

import typer

from ..cli_common import (
    EncodingOpt,
    FinishedOnlyOpt,
    IncludePreviewOpt,
    SheetOpt,
    check_not_input,
    guarded,
    note,
    writing_stdout,
)
from ..errors import UsageError


def init(
    file: Annotated[str, typer.Argument(help="Survey file or folder of drops ('-' = stdin).")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write the config (default ./cxkit.toml)."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Same as --output: the config to write.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing config file.")
    ] = False,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="Also print the config to stdout: toml."),
    ] = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    finished_only: FinishedOnlyOpt = False,
    include_preview: IncludePreviewOpt = False,
) -> None:
    """Write a starter cxkit.toml from what `cxkit inspect` sees, so `cxkit gap FILE` works.

    Refuses to overwrite an existing file unless --force.
    """

    def body() -> None:
        if fmt not in (None, "toml"):
            raise UsageError(f"--format {fmt!r}: init prints only toml")
        if output is not None and config is not None and output != config:
            raise UsageError("--output and --config both name the config to write: pass one")
        target = output or config or Path("cxkit.toml")
        check_not_input(target, [file])
        if target.exists() and not force:
            raise UsageError(
                f"{target} exists; pass --force to overwrite it, or --output another path"
            )
        from ..output import atomic_write
        from ..read import read_table
        from ..starter import starter_toml
        from ..study import parse_study

        raw = read_table(
            file,
            encoding=encoding,
            sheet=sheet,
            finished_only=finished_only,
            include_preview=include_preview,
        )
        text = starter_toml(raw)
        import tomllib

        parse_study(tomllib.loads(text), str(target))  # what init writes, load_study reads
        atomic_write(target, text.encode("utf-8"))
        if fmt == "toml":
            with writing_stdout():
                typer.echo(text, nl=False)
        for n in raw.notes:
            note(n)
        note(f"wrote {target}; check it, then run: cxkit gap {file}")

    guarded(body)
