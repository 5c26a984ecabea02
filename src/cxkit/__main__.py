"""``python -m cxkit`` and the ``cxkit`` console script.

The command-line modules are imported inside :func:`run`, so Ctrl-C while they load (a
second or so on a busy machine) still exits 130 with a one-line message, not a traceback.
"""

from __future__ import annotations

import sys


def _freed_memory_goes_back() -> None:
    """Fix glibc's mmap threshold at 128 KiB.

    glibc raises the threshold each time a large block is freed, after which freed numpy
    arrays (tens of MB on a large survey) stay in the heap and the peak only grows. With a
    fixed threshold they are handed back (about 50 MB less at the peak of a weighted 5M-row
    ``gap``; ``benchmarks/RESULTS.md``). Elsewhere, or if it fails, nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


def run() -> None:
    """Entry point: import the CLI, then run it."""
    _freed_memory_goes_back()
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("cxkit: interrupted\n")
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
