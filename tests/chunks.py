"""Text columns cut into Arrow chunks, as readers hand them over (shared by tests)."""

from __future__ import annotations

import itertools

import pyarrow as pa


def text_chunks(values: list, cuts: list[int], encoded: bool = False) -> pa.ChunkedArray:
    """``values`` as a string column cut at ``cuts`` (out-of-range cuts ignored); with
    ``encoded``, each chunk dictionary-encoded on its own, as Parquet row groups arrive."""
    bounds = [0, *sorted(c for c in cuts if 0 < c < len(values)), len(values)]
    chunks = [pa.array(values[a:b], pa.string()) for a, b in itertools.pairwise(bounds)]
    if encoded:
        return pa.chunked_array(
            [c.dictionary_encode() for c in chunks], type=pa.dictionary(pa.int32(), pa.string())
        )
    return pa.chunked_array(chunks, type=pa.string())
