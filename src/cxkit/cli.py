"""The ``cxkit`` command line: the Typer app and its commands. Thin by design.

Heavy modules (pandas, scipy, statsmodels, pyarrow) are imported inside the commands, after
the options are checked, so ``cxkit --help`` and option errors stay fast. Each command lives
in ``cxkit/commands/<name>.py`` and is registered in :data:`COMMANDS`.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

try:  # typer 0.2x carries its own copy of click
    from typer._click import exceptions as _click_errors
except ImportError:  # pragma: no cover - older typer, on click itself
    from click import exceptions as _click_errors

from ._version import __version__
from .cli_common import err, state
from .commands import (
    check,
    drivers,
    gap,
    init,
    inspect,
    metric,
    nps,
    obstacles,
    report,
    roi,
    trend,
)
from .errors import EXIT_INTERRUPTED, EXIT_USAGE


class _OneLineUsageError(_click_errors.ClickException):
    """Click's usage error, shown as cxkit shows every error: one ``cxkit: error:`` line."""

    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        err(self.message)


def _command_path(ctx: Any) -> str:
    """``cxkit`` and the subcommand of ``ctx``, however the program was started."""
    names = []
    while ctx is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(["cxkit", *reversed(names[:-1])])


@contextmanager
def _one_line_usage() -> Iterator[None]:
    """Turn click's usage errors (a missing argument, a bad option value, an unknown option
    or command) into one line naming the fix, exit 2; ``cxkit`` alone still shows the help."""
    try:
        yield
    except _click_errors.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            raise
        text = " ".join(exc.format_message().split()).rstrip(".")
        if exc.ctx is not None:  # "Did you mean 'gap'?" ends a sentence
            text += " Try" if text.endswith("?") else "; try"
            text += f" '{_command_path(exc.ctx)} --help'"
        raise _OneLineUsageError(text) from None


class _Group(TyperGroup):
    """The ``cxkit`` command group: its own and its commands' usage errors are one line."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _one_line_usage():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _one_line_usage():
            return super().invoke(ctx)


app = typer.Typer(
    cls=_Group,
    name="cxkit",
    help="Voice-of-customer survey analysis: centricity gaps, CX ROI, obstacles.\n\n"
    "Exit codes: 0 ok, 1 check failed, 2 usage error, 3 input problem, 4 cannot write "
    "output, 70 internal error, 130 interrupted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

#: (name, function) of every command, in the order ``cxkit --help`` lists them.
COMMANDS = [
    ("gap", gap.gap),
    ("inspect", inspect.inspect),
    ("init", init.init),
    ("nps", nps.nps),
    ("metric", metric.metric),
    ("drivers", drivers.drivers),
    ("roi", roi.roi),
    ("obstacles", obstacles.obstacles),
    ("trend", trend.trend),
    ("check", check.check),
    ("report", report.report),
]
for _name, _fn in COMMANDS:
    app.command(_name)(_fn)


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
    state["debug"] = debug
    state["quiet"] = quiet


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - outside a command body
        err("interrupted")
        sys.exit(EXIT_INTERRUPTED)
