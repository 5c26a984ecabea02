"""Import heavy modules in a background thread while the main thread reads the input.

A command that needs a heavy module (``cxkit obstacles``: pandas and choix, about 1 s)
would otherwise pay for it before or after the read; pyarrow's readers release the GIL, so
the imports run while pyarrow parses (``cxkit gap`` needs neither pandas nor scipy and
preloads only its own analysis modules). numpy and pyarrow, which both threads need, are
imported first in the caller's thread, so the two threads never import the same extension
module at once.
"""

from __future__ import annotations

import importlib
import os
import threading


def preload(*modules: str) -> threading.Thread | None:
    """Start importing ``modules`` in a thread; a failure is left for the real import to raise.

    ``CXKIT_NO_PRELOAD=1`` turns it off (``benchmarks/ab_env.py preload`` measures both ways).

    >>> preload("json").join()
    """
    if os.environ.get("CXKIT_NO_PRELOAD"):
        return None
    import numpy  # noqa: F401
    import pyarrow  # noqa: F401

    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # pragma: no cover - the caller's own import reports it
                return

    thread = threading.Thread(target=run, name="cxkit-preload")
    thread.start()
    return thread
