"""Hash the input files while the interpreter imports the command-line modules.

Every input's sha256 goes into the provenance. It used to be computed beside the parse,
where pyarrow already keeps both cores busy; at start-up the second core is idle for the
0.2 s the imports take. So the console entry point (:func:`start`, before it imports
anything heavy) hashes each argument that names a regular file of 1 MiB or more in a
background thread, and the reader (:func:`lookup`) takes the digest when the file is the
same one: same device, inode, size and modification time when the hash began as when it
is read (``read_table`` refuses a file that changed during its read).

Library callers never start it: :func:`lookup` then finds nothing and the reader hashes
as before. Only the standard library is imported here.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import threading
from collections.abc import Callable, Sequence

#: smaller files hash in well under a millisecond beside the parse
MIN_SIZE = 1 << 20

#: at most this many files are hashed ahead (a command reads one or two)
MOST_FILES = 4

#: options whose value names a file that is written or is not a survey
_NOT_INPUT = frozenset({"-o", "--output", "--config", "--plot"})

_jobs: dict[tuple[int, int, int, int], _Hash] = {}


class _Hash(threading.Thread):
    """sha256 of one file, mapped into memory: no copy of its bytes (measured: copying
    400 MB through read() cost 0.3-0.5 s of system time here), and hashing releases the GIL."""

    def __init__(self, path: str) -> None:
        super().__init__(name="cxkit-prehash", daemon=True)
        self.path = path
        self.digest: str | None = None

    def run(self) -> None:
        try:
            with (
                open(self.path, "rb") as fh,
                mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m,
            ):
                self.digest = hashlib.sha256(m).hexdigest()
        except (OSError, ValueError):  # the reader reports what is wrong with the file
            return


def file_version(path: str | os.PathLike[str]) -> tuple[int, int, int, int] | None:
    """(device, inode, size, modification time) of a file: when it differs, the file is
    another one or has changed. None for standard input (``-``) or a path that cannot be
    looked at. ``read_table`` compares it before and after a read, as :func:`lookup` does
    before and after a hash."""
    if str(path) == "-":
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def start(args: Sequence[str]) -> None:
    """Start hashing every argument in ``args`` that names a regular file of at least
    :data:`MIN_SIZE` bytes (not an option's name, nor the value of ``--output``,
    ``--config`` or ``--plot``).

    >>> start(["gap", "no-such-file.csv"]); _jobs
    {}
    """
    skip = False
    for arg in args:
        if skip or arg.startswith("-"):
            skip = arg in _NOT_INPUT
            continue
        version = file_version(arg) if os.path.isfile(arg) else None
        if version is None or version[2] < MIN_SIZE or version in _jobs:
            continue
        if len(_jobs) >= MOST_FILES:
            return
        job = _jobs[version] = _Hash(arg)
        job.start()


def lookup(path: str | os.PathLike[str]) -> Callable[[], str | None] | None:
    """For a file hashed ahead, a function that waits for its digest (None if the hash
    failed or the file is no longer the one hashed); None when it was not hashed ahead.
    Call it once the file has been read, so the read is not held up."""
    if not _jobs:
        return None
    version = file_version(path)
    job = _jobs.get(version) if version is not None else None
    if job is None:
        return None

    def result() -> str | None:
        job.join()
        return job.digest if file_version(path) == version else None

    return result
