"""The console entry point's start-up: no cyclic garbage collection while the modules load.

Loading the command-line and analysis modules (numpy, pyarrow, typer, rich, cxkit's own)
allocates about 60,000 objects that live as long as the process, and Python's cyclic
collector walks them again and again as they pile up: 84 collections and 11-13 ms of a
5M-row Parquet ``cxkit gap`` run, all on the main thread before the read starts. The entry
point holds the collector off (:func:`hold_gc`); the reader lets it go (:func:`release_gc`)
once a command has loaded what it needs and starts on its input, after moving the objects
loaded so far out of its sight (``gc.freeze``). The same run then spends 1.9 ms in 14
collections (modules a command loads beside its read come after the release). Code that
imports cxkit as a library never calls :func:`hold_gc`, so its collector is left alone.
"""

from __future__ import annotations

import gc

_held = False


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
