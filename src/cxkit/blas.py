"""One BLAS thread while an analysis multiplies matrices, so its last bits do not depend
on the machine.

A multi-threaded matrix product splits each sum over its threads, so the same bootstrap
gave results one unit in the last place apart with one OpenBLAS thread (the command line,
see :func:`cxkit.cli_common.one_blas_thread`) and with one per core (a notebook): 0.0616571403004592
against 0.06165714030045918 for one Plackett-Luce worth bound. The analyses that multiply
matrices run under :func:`one_thread`, on every route and every machine.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def one_thread(fn: F) -> F:
    """Run ``fn`` with the BLAS libraries numpy loaded limited to one thread
    (``threadpoolctl``), restoring their setting afterwards."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
