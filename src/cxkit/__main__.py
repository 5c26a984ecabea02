"""``python -m cxkit`` and the ``cxkit`` console script.

The command-line modules are imported inside :func:`run`, so Ctrl-C while they load (a
second or so on a busy machine) still exits 130 with a one-line message, not a traceback.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Entry point: import the CLI, then run it."""
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("cxkit: interrupted\n")
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
