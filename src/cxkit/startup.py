"""The console entry point's start-up: memory committed as used, and no cyclic garbage
collection while the modules load.

Loading the command-line and analysis modules (numpy, pyarrow, typer, rich, cxkit's own)
allocates about 60,000 objects that live as long as the process, and Python's cyclic
collector walks them again and again as they pile up: 84 collections and 11-13 ms of a
5M-row Parquet ``cxkit gap`` run, all on the main thread before the read starts. The entry
point holds the collector off (:func:`hold_gc`); the reader lets it go (:func:`release_gc`)
once a command has loaded what it needs and starts on its input, after moving the objects
loaded so far out of its sight (``gc.freeze``). The same run then spends 1.9 ms in 14
collections (modules a command loads beside its read come after the release). Code that
imports cxkit as a library never calls :func:`hold_gc`, so its collector is left alone.

Before anything loads pyarrow, the entry point also asks pyarrow's allocator (mimalloc) to
commit memory as it is used rather than a whole arena at once (:func:`commit_on_use`);
library callers keep the allocator as they set it.
"""

from __future__ import annotations

import gc
import os

_held = False

#: mimalloc's switch for committing a whole arena (1 GiB) as soon as it is reserved
EAGER_COMMIT = "MIMALLOC_ARENA_EAGER_COMMIT"


def commit_on_use() -> None:
    """Have pyarrow's mimalloc commit memory as it is used (a user's own setting wins).

    Call it before pyarrow loads: mimalloc reads its options once. By default on Linux it
    commits each 1 GiB arena when it reserves it and asks for transparent huge pages, so
    a process's memory arrives 2 MiB at a time, each cleared by the kernel whether used
    or not: a 5M-row Parquet ``cxkit gap`` held 392 MB of its 513 MB in huge pages, and
    4 MB of 443 MB with this setting. Measured on a virtual machine whose host takes back
    the memory a guest frees (a run after a few seconds idle, as from cron): that run took
    0.96 s with 0.81 s of system time by default and 0.68 s with 0.25 s committed as
    used; the 5M-row CSV 2.44 -> 1.81 s. Run back to back, when the pages the previous
    process freed are still mapped by the host, the two are within a few percent (the
    5M-row files level, the 1M-row CSV 3-4% slower: 4 KiB page faults instead of 2 MiB
    ones), and the peak memory is 10-20% lower either way (``benchmarks/RESULTS.md``).
    """
    os.environ.setdefault(EAGER_COMMIT, "0")


def hold_gc() -> None:
    """Turn the cyclic collector off until :func:`release_gc` (if it is on at all)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release_gc() -> None:
    """Freeze what is loaded so far and turn the collector back on, if :func:`hold_gc`
    turned it off; otherwise do nothing.

    >>> release_gc()  # nothing held: the collector is as it was
    """
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
