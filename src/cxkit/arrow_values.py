"""Arrow columns as the arrays a :class:`~cxkit.survey.Survey` keeps beside its answers.

Text (role, breakdown, wave and id columns) becomes trimmed pandas text, or a categorical
when it arrives dictionary-encoded; a weight column becomes checked floats. Errors name the
file, the column and the data row (1 = first row after the header).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import InputError


def one_dictionary(col: pa.ChunkedArray) -> pa.DictionaryArray:
    """A dictionary-encoded column as one array over one dictionary (chunks unified)."""
    return col.unify_dictionaries().combine_chunks() if col.num_chunks != 1 else col.chunk(0)


def as_text(col: pa.ChunkedArray):
    """Trimmed text, converted by pyarrow (pandas' own string array where it has one)
    rather than through a million Python strings.

    A dictionary-encoded column (Parquet text is read that way) becomes a categorical:
    only its distinct values are trimmed, and grouping by it needs no hashing.
    """
    if pa.types.is_dictionary(col.type) and pa.types.is_string(col.type.value_type):
        import pandas as pd

        enc = one_dictionary(col)
        labels = pc.utf8_trim_whitespace(enc.dictionary)
        if labels.null_count == 0 and len(pc.unique(labels)) == len(labels):
            idx = enc.indices
            codes = (idx.fill_null(-1) if idx.null_count else idx).to_numpy(zero_copy_only=False)
            return pd.Categorical.from_codes(codes, labels.to_pylist())
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = col.cast(pa.string())
    return pc.utf8_trim_whitespace(col).to_pandas().array


def checked_weights(col: pa.ChunkedArray, column: str, file: str) -> np.ndarray:
    """The weights as floats; a cell that is not a finite number >= 0 is an InputError
    naming its data row."""
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        try:  # pyarrow parses decimal text as Python's float() does (correctly rounded)
            out = pc.utf8_trim_whitespace(col).cast(pa.float64())
            return _finite_weights(out.to_numpy(zero_copy_only=False), column, file)
        except (pa.ArrowInvalid, InputError):
            pass  # find and name the bad cell the slow way
        text = col.to_pylist()
        out = np.empty(len(text))
        for i, t in enumerate(text):
            try:
                out[i] = float(t) if t is not None and t.strip() else np.nan
            except ValueError:
                raise InputError(
                    f"{file}: weight column {column!r}, data row {i + 1}: {t!r} is not a number"
                ) from None
    else:
        out = col.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(float)
    return _finite_weights(out, column, file)


def _finite_weights(out: np.ndarray, column: str, file: str) -> np.ndarray:
    out = np.asarray(out, dtype=float)
    bad = np.isnan(out) | ~np.isfinite(out) | (out < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{file}: weight column {column!r}, data row {row + 1}: {_weight_repr(out[row])}; "
            "every response needs a finite weight >= 0"
        )
    return out


def _weight_repr(x: float) -> str:
    return "missing" if np.isnan(x) else f"{float(x)!r} is not allowed"  # not np.float64(…)
