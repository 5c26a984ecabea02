"""The ``cxkit`` command line: the Typer app and its commands. Thin by design.

Heavy modules (pandas, scipy, statsmodels, pyarrow) are imported inside the commands, after
the options are checked, so ``cxkit --help`` and option errors stay fast. Each command lives
in ``cxkit/commands/<name>.py`` and is registered in :data:`COMMANDS`.
"""

import sys
from typing import Annotated

import typer

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
from .errors import EXIT_INTERRUPTED

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
