"""``pyarrow.compute``, imported on first use, and the kernels ``cxkit gap`` needs.

Importing ``pyarrow.compute`` builds a Python wrapper, with its docstring, for each of
several hundred kernels: 20-30 ms, a twentieth of a ``gap`` run on 1M rows. The gap path
only dictionary-encodes, trims, filters (``--wave``) and sorts (respondent ids, for
duplicates) text, so these few functions call the kernels through ``pyarrow._compute``
directly; any other attribute of this module is
the ``pyarrow.compute`` function of that name (importing it then).
"""

from __future__ import annotations

from typing import Any

from pyarrow import _compute


def dictionary_encode(values: Any) -> Any:
    """``pyarrow.compute.dictionary_encode`` with its defaults (nulls stay null)."""
    return _compute.call_function("dictionary_encode", [values])


def trim(values: Any) -> Any:
    """``pyarrow.compute.utf8_trim_whitespace``."""
    return _compute.call_function("utf8_trim_whitespace", [values])


def sort_indices(values: Any) -> Any:
    """``pyarrow.compute.array_sort_indices`` with its defaults: a stable ascending sort,
    nulls last."""
    return _compute.call_function("array_sort_indices", [values])


def take(values: Any, indices: Any) -> Any:
    """``pyarrow.compute.take``."""
    return _compute.call_function("take", [values, indices])


def equal(left: Any, right: Any) -> Any:
    """``pyarrow.compute.equal`` (null where either side is null)."""
    return _compute.call_function("equal", [left, right])


def filter(values: Any, mask: Any) -> Any:
    """``pyarrow.compute.filter`` with its defaults (a null in the mask drops the row);
    ``ChunkedArray.filter`` would import ``pyarrow.compute``."""
    return _compute.call_function("filter", [values, mask])


def text_scalar(text: str) -> Any:
    """A ``string`` scalar built from its buffers: ``pa.scalar`` and ``pa.array`` import
    pandas to look at their argument (0.15 s on a path that needs none of it)."""
    import numpy as np
    import pyarrow as pa

    data = text.encode("utf-8")
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32).tobytes())
    return pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(data)])[0]


def coalesce(values: Any, fallback: str) -> Any:
    """``pyarrow.compute.coalesce`` of ``string`` values: nulls become ``fallback``."""
    return _compute.call_function("coalesce", [values, text_scalar(fallback)])


def join_pairs(left: Any, right: Any, separator: str) -> Any:
    """``pyarrow.compute.binary_join_element_wise`` of two ``string`` columns:
    ``left + separator + right`` row by row (null where either is null)."""
    return _compute.call_function("binary_join_element_wise", [left, right, text_scalar(separator)])


def __getattr__(name: str) -> Any:
    import pyarrow.compute

    return getattr(pyarrow.compute, name)
