"""Arrow columns as the arrays a :class:`~cxkit.survey.Survey` keeps beside its answers.

Text (role, breakdown, wave and id columns) becomes :class:`Text`, which keeps the column in
Arrow and gives codes without pandas, or trimmed pandas text on demand; a weight column
becomes checked floats. Errors name the file, the column and the data row (1 = first row
after the header). Nothing here converts through pyarrow's pandas shim (``to_numpy``,
``pa.array``), which would import pandas.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from . import arrow_compute as pc
from .answers import code_dtype
from .errors import InputError


def one_dictionary(col: pa.ChunkedArray) -> pa.DictionaryArray:
    """A dictionary-encoded column as one array over one dictionary (chunks unified)."""
    return col.unify_dictionaries().combine_chunks() if col.num_chunks != 1 else col.chunk(0)


#: fewest rows for which :func:`pooled` takes Arrow's pool. Smaller arrays, made again for
#: every batch of a stream, came back as fresh pages from the pool every time (5M rows
#: streamed in batches of 200,000 with --by --weight: 274,000 page faults instead of
#: 58,000, 2.16 s instead of 1.79), where numpy's allocator reuses its own.
POOLED_ROWS = 500_000


def pooled(n: int, dtype: np.dtype | type) -> np.ndarray:
    """``np.empty(n, dtype)`` in memory from Arrow's pool, for a column-length array made
    right after a read.

    The pool keeps the pages the Parquet and CSV decoders have freed, so such an array
    reuses memory the process has touched already; ``np.empty`` would take fresh pages
    from the kernel, which must clear each one on first touch (``perf``: a quarter to a
    half of a 5M-row ``gap``'s CPU time went to clearing pages). Below
    :data:`POOLED_ROWS`, ``np.empty``.
    """
    dtype = np.dtype(dtype)
    if n < POOLED_ROWS:
        return np.empty(n, dtype)
    return np.frombuffer(pa.allocate_buffer(n * dtype.itemsize), dtype, count=n)


def chunk_values(
    col: pa.Array | pa.ChunkedArray,
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """Each non-empty chunk of a fixed-width numeric column as ``(values, valid)``: a numpy
    view of its data buffer (a null's slot holds anything) and its validity as ``int8``
    zeros and ones, or None when the chunk has no nulls. No copy of the values."""
    dtype = np.dtype(col.type.to_pandas_dtype())
    for chunk in col.chunks if isinstance(col, pa.ChunkedArray) else [col]:
        n = len(chunk)
        if n == 0:
            continue
        validity, data = chunk.buffers()[:2]
        x = np.frombuffer(data, dtype, count=chunk.offset + n)[chunk.offset :]
        valid = None
        if chunk.null_count:
            bits = np.frombuffer(validity, np.uint8)
            valid = np.unpackbits(bits, count=chunk.offset + n, bitorder="little")
            valid = valid[chunk.offset :].view(np.int8)
        yield x, valid


def numbers(col: pa.Array | pa.ChunkedArray, null: object = None) -> np.ndarray:
    """A fixed-width numeric Arrow column as one numpy array, null slots set to ``null``.

    Read from the chunks' buffers: pyarrow's own ``to_numpy`` (like every conversion of a
    numpy or Python object into Arrow) imports pandas on first use, 0.45 s that the ``gap``
    path does not otherwise pay. ``null=None`` requires a column without nulls.

    >>> import pyarrow.csv as pv, io
    >>> t = pv.read_csv(io.BytesIO(b"a,b\\n1,x\\n,y\\n3,z\\n"))
    >>> numbers(t.column("a"), -1).tolist()
    [1, -1, 3]
    """
    out = pooled(len(col), col.type.to_pandas_dtype())
    at = 0
    for x, valid in chunk_values(col):
        out[at : at + x.size] = x
        if valid is not None:
            if null is None:
                raise ValueError("the column has nulls: pass the value that stands for them")
            out[at : at + x.size][valid == 0] = null
        at += x.size
    return out


def bool_array(mask: np.ndarray) -> pa.BooleanArray:
    """A boolean numpy mask as an Arrow array, from its packed bits (``pa.array`` would
    import pandas)."""
    mask = np.asarray(mask, dtype=bool)
    return masked_array(mask, np.zeros(mask.size, dtype=bool))


def column_array(values: object) -> pa.Array:
    """A result column (a numpy array, or a list of Python values with ``None`` missing)
    as Arrow, typed as ``pa.Table.from_pandas`` types the pandas column, built from
    buffers (``pa.array`` would import pandas).

    As in pandas: ``nan`` and ``None`` are missing (null); whole numbers with a gap are
    float64; text is ``string``. A list of other values (mixed kinds) goes through
    ``pa.array`` after all.
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        return _numeric_array(values)
    items = list(values)  # type: ignore[call-overload]
    present = [v for v in items if v is not None]
    if not present:
        return pa.nulls(len(items))
    valid = np.array([v is not None for v in items], dtype=bool)
    if all(isinstance(v, str) for v in present):
        data = [v.encode("utf-8") if v is not None else b"" for v in items]
        offsets = np.zeros(len(items) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in data], out=offsets[1:])
        if offsets[-1] < 2**31:
            buffers = [_validity(valid), pa.py_buffer(offsets.astype(np.int32)),
                       pa.py_buffer(b"".join(data))]  # fmt: skip
            return pa.Array.from_buffers(pa.string(), len(items), buffers)
    elif all(isinstance(v, bool | np.bool_) for v in present):
        full = np.zeros(len(items), dtype=bool)
        full[valid] = [bool(v) for v in present]
        return masked_array(full, ~valid)
    elif all(isinstance(v, int | float | np.integer | np.floating) for v in present):
        whole = all(isinstance(v, int | np.integer) for v in present)
        try:
            if whole and valid.all():
                return _numeric_array(np.array(items, dtype=np.int64))
            return _numeric_array(np.array([np.nan if v is None else v for v in items], float))
        except OverflowError:  # past int64: pyarrow's own inference
            pass
    return pa.array(items, from_pandas=True)


def masked_array(values: np.ndarray, missing: np.ndarray) -> pa.Array:
    """``pa.array(values, mask=missing)`` for a boolean or numeric numpy array, built from
    buffers (``pa.array`` would import pandas through pyarrow's shim); every builder here
    ends in it."""
    valid = ~np.asarray(missing, dtype=bool)
    x = np.ascontiguousarray(values)
    if x.dtype.kind == "b":
        bits = pa.py_buffer(np.packbits(x, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), x.size, [_validity(valid), bits])
    return pa.Array.from_buffers(
        pa.from_numpy_dtype(x.dtype), x.size, [_validity(valid), pa.py_buffer(x)]
    )


def bools(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow column as numpy booleans, null as False (``to_numpy`` would import
    pandas)."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return _bools(col)


def _numeric_array(x: np.ndarray) -> pa.Array:
    """A numeric or boolean numpy array as Arrow (``nan`` as null, as ``from_pandas``)."""
    missing = np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.size, dtype=bool)
    return masked_array(x, missing)


def _validity(valid: np.ndarray) -> pa.Buffer | None:
    """A validity bitmap, or None when nothing is missing."""
    return None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


#: most dictionary labels, over all chunks, that :meth:`Text.codes` numbers in Python
_PYTHON_LABELS = 1 << 14


def _label_tables(chunks: list[pa.DictionaryArray]):
    """Per chunk, its dictionary's codes into the distinct trimmed labels (``-1``: a null
    label); the labels; and how many distinct untrimmed labels there are (the code type
    unifying would give)."""
    first: dict[str, int] = {}
    tables = []
    for chunk in chunks:
        labels = pc.trim(chunk.dictionary).to_pylist()
        tables.append(
            np.array([-1 if t is None else first.setdefault(t, len(first)) for t in labels])
        )
    distinct = dict.fromkeys(v for chunk in chunks for v in chunk.dictionary.to_pylist())
    return tables, list(first), len(distinct)


def _label_tables_arrow(chunks: list[pa.DictionaryArray]):
    """:func:`_label_tables` in Arrow: the chunks' dictionaries laid end to end, trimmed and
    numbered by one ``dictionary_encode`` (which numbers values in the order they first
    appear, as the Python loop does); the labels stay an Arrow array. The code type comes
    from the trimmed labels, which holds every code as well."""
    enc = pc.dictionary_encode(pc.trim(pa.concat_arrays([c.dictionary for c in chunks])))
    numbered = numbers(enc.indices, -1)
    bounds = np.cumsum([0, *(len(c.dictionary) for c in chunks)])
    tables = [numbered[a:b] for a, b in itertools.pairwise(bounds)]
    return tables, enc.dictionary, len(enc.dictionary)


def _maybe_padded(arr: pa.Array) -> bool:
    """Whether trimming might change a value of a plain text array: some value's first or
    last byte is a control character, a space or not ASCII (Unicode spaces are too).

    An empty value's "first" byte is the next value's and its "last" the one before: a
    byte too many looked at, never one too few.
    """
    if not len(arr):
        return False
    _, offsets_buf, data_buf = arr.buffers()[:3]
    if data_buf is None or not data_buf.size:
        return False
    wide = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(offsets_buf, wide, count=arr.offset + len(arr) + 1)[arr.offset :]
    data = np.frombuffer(data_buf, np.uint8)
    for ends in (offsets[:-1], offsets[1:] - 1):  # first bytes, last bytes
        edge = np.take(data, ends, mode="clip")
        edge -= 33  # printable ASCII (33-126) becomes 0-93, all else wraps past it
        if np.count_nonzero(edge >= 94):
            return True
    return False


def _bools(arr: pa.BooleanArray) -> np.ndarray:
    """A boolean Arrow array as numpy booleans, null as False."""
    validity, data = arr.buffers()[:2]
    count = arr.offset + len(arr)
    out = np.unpackbits(np.frombuffer(data, np.uint8), count=count, bitorder="little")
    out = out[arr.offset :].astype(bool)
    if arr.null_count:
        bits = np.unpackbits(np.frombuffer(validity, np.uint8), count=count, bitorder="little")
        out &= bits[arr.offset :].astype(bool)
    return out


def run_starts(same: np.ndarray) -> np.ndarray:
    """Where runs of repeated values start in :meth:`Text.sorted_runs`' order: the positions
    ``i`` with ``same[i]`` true and ``same[i - 1]`` false (one per value that repeats).

    >>> run_starts(np.array([True, True, False, True])).tolist()
    [0, 3]
    """
    return np.flatnonzero(same & ~np.append(False, same[:-1]))


class Text:
    """A text column (role, breakdown, wave, id) kept in Arrow until pandas is wanted.

    :meth:`factorize` gives codes and the distinct trimmed values without pandas (the
    ``gap`` path needs no more); :meth:`to_pandas` gives trimmed pandas text, or a
    categorical when the column arrived dictionary-encoded (Parquet text is read that way).
    """

    __slots__ = ("arrow",)

    def __init__(self, col: pa.ChunkedArray) -> None:
        labelled = pa.types.is_dictionary(col.type) and _is_text(col.type.value_type)
        self.arrow = col if labelled or _is_text(col.type) else col.cast(pa.string())

    def __len__(self) -> int:
        return len(self.arrow)

    def filter(self, mask: np.ndarray) -> Text:
        """The rows where the boolean ``mask`` is true."""
        return Text(pc.filter(self.arrow, bool_array(mask)))

    def factorize(self) -> tuple[np.ndarray, list[str]]:
        """``(codes, uniques)``: an index per row into the distinct trimmed values (``-1`` =
        missing), like ``pandas.factorize`` but in the smallest signed integer type; values
        equal once trimmed share one code, numbered in the order they first appear.
        """
        codes, uniques = self.codes()
        return codes, uniques if isinstance(uniques, list) else uniques.to_pylist()

    def codes(self) -> tuple[np.ndarray, list[str] | pa.Array]:
        """:meth:`factorize`, the uniques left in Arrow when there are many of them (a
        million respondent ids are 0.1 s as Python strings, and checking them for
        duplicates needs none of them).

        Chunk by chunk: each chunk's dictionary indices are looked up in a small table of
        codes straight into the one-byte result. Unifying the chunks first wrote every
        row's index twice more as 32-bit integers (45 MB for a 5M-row role column), whose
        fresh pages cost more than the lookup. Few labels in all (a role, a segment) are
        numbered in Python; many (ids) in Arrow, by one hash of the chunks' dictionaries
        laid end to end. Text not yet dictionary-encoded is encoded whole, not chunk by
        chunk: ``dictionary_encode`` gives each chunk every value seen so far, so a million
        ids in 17 chunks made nine million labels to number (22 s). When it has many labels
        and some may be padded, its trimmed rows are encoded instead.
        """
        col = self.arrow
        if pa.types.is_dictionary(col.type):
            chunks = col.chunks
        else:
            whole = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
            enc = pc.dictionary_encode(whole)  # values in order of first appearance
            many = len(enc.dictionary) > _PYTHON_LABELS
            if many and _maybe_padded(enc.dictionary):  # many labels, some padded: one
                enc = pc.dictionary_encode(pc.trim(whole))  # hash of the trimmed rows
            chunks = [enc]
        if sum(len(c.dictionary) for c in chunks) <= _PYTHON_LABELS:
            tables, uniques, distinct = _label_tables(chunks)
        elif len(chunks) == 1 and not pa.types.is_dictionary(col.type):
            uniques = chunks[0].dictionary  # distinct, and trimmed where it mattered
            tables, distinct = [np.arange(len(uniques))], len(uniques)
        else:
            tables, uniques, distinct = _label_tables_arrow(chunks)
        if len(uniques) <= _PYTHON_LABELS and not isinstance(uniques, list):
            uniques = uniques.to_pylist()
        small = code_dtype(distinct)  # one byte per row for a role or a segment
        codes = pooled(len(col), small)
        at = 0
        for chunk, table in zip(chunks, tables, strict=True):
            lookup = np.append(table, -1).astype(small)
            for index, valid in chunk_values(chunk.indices):
                out = codes[at : at + index.size]
                np.take(lookup, index, out=out, mode="clip")  # a null's slot holds anything
                if valid is not None:
                    out[valid == 0] = -1
                at += index.size
        return codes, uniques

    def sorted_runs(self) -> tuple[np.ndarray, np.ndarray, pa.Array]:
        """The rows in order of their trimmed values, and where that order repeats a value.

        Returns ``(order, same, values)``: ``order`` holds the row positions of a stable
        sort (equal values keep their row order; missing values come last), ``same[i]``
        tells whether rows ``order[i]`` and ``order[i + 1]`` hold the same value (never for
        missing ones), and ``values`` are the trimmed values in that order.

        Sorting finds repeated values without a hash table: for 5M respondent ids the
        sort, the take and the comparison took about 0.75 s where ``dictionary_encode``
        took 2.8 s. Values are trimmed only when some value might need it.
        """
        col = self.arrow
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        arr = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
        if _maybe_padded(arr):
            arr = pc.trim(arr)
        order = pc.sort_indices(arr)
        values = pc.take(arr, order)
        n = len(arr)
        same = _bools(pc.equal(values.slice(1), values.slice(0, n - 1))) if n > 1 else None
        rows = next(chunk_values(order))[0] if n else np.zeros(0, np.int64)  # no copy
        return rows, np.zeros(0, bool) if same is None else same, values

    def to_pandas(self):
        """Trimmed text, converted by pyarrow (pandas' own string array where it has one)
        rather than through a million Python strings; a dictionary-encoded column becomes a
        categorical (only its distinct values are trimmed, and grouping needs no hashing)."""
        import pandas as pd

        col = self.arrow
        if pa.types.is_dictionary(col.type):
            enc = one_dictionary(col)
            labels = pc.trim(enc.dictionary)
            if labels.null_count == 0 and len(pc.unique(labels)) == len(labels):
                return pd.Categorical.from_codes(numbers(enc.indices, -1), labels.to_pylist())
            col = col.cast(pa.string())
        return pc.trim(col).to_pandas().array


def repeated_text(runs: list[tuple[str, int]]) -> Text:
    """A text column of ``value`` repeated ``n`` times for each ``(value, n)``, built from
    Arrow buffers (``pa.array`` would import pandas).

    >>> repeated_text([("self", 2), ("customer", 1)]).factorize()[1]
    ['self', 'customer']
    """
    sizes = [len(v.encode("utf-8")) for v, _ in runs]
    counts = [n for _, n in runs]
    offsets = np.zeros(sum(counts) + 1, dtype=np.int32)
    np.cumsum(np.repeat(sizes, counts), out=offsets[1:])
    data = b"".join(v.encode("utf-8") * n for v, n in runs)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    return Text(pa.chunked_array([pa.Array.from_buffers(pa.string(), sum(counts), buffers)]))


def concat_text(parts: list[Text | None], lengths: list[int]) -> Text:
    """Text columns one after another; ``None`` stands for a part without the column (all
    missing, ``lengths`` rows)."""
    chunks: list[pa.Array] = []
    for part, n in zip(parts, lengths, strict=True):
        col = pa.chunked_array([pa.nulls(n, pa.string())]) if part is None else part.arrow
        if not pa.types.is_string(col.type):
            col = col.cast(pa.string())
        chunks.extend(col.chunks)
    return Text(pa.chunked_array(chunks, type=pa.string()))


def as_text(col: pa.ChunkedArray) -> Text:
    """The column as :class:`Text` (trimmed, pandas only on demand)."""
    return Text(col)


def materialized(column: object) -> object:
    """A stored column as analyses outside ``gap`` expect it: :class:`Text` becomes pandas."""
    return column.to_pandas() if isinstance(column, Text) else column


def plain_text(col: pa.ChunkedArray, text_type: pa.DataType | None = None) -> pa.ChunkedArray:
    """``col`` as plain text of ``text_type`` (``string`` by default): a dictionary becomes
    its values, numbers their text. Chunks of several files or batches then share a type."""
    text_type = text_type or pa.string()
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    return col if col.type == text_type else col.cast(text_type)


def checked_weights(col: pa.ChunkedArray, column: str, file: str, first_row: int = 0) -> np.ndarray:
    """The weights as floats; a cell that is not a finite number >= 0 is an InputError
    naming its data row (``first_row``: the file's data rows before the column's first)."""
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        try:  # pyarrow parses decimal text as Python's float() does (correctly rounded)
            out = pc.trim(col).cast(pa.float64())
            return _finite_weights(numbers(out, np.nan), column, file, first_row)
        except (pa.ArrowInvalid, InputError):
            pass  # find and name the bad cell the slow way
        text = col.to_pylist()
        out = np.empty(len(text))
        for i, t in enumerate(text):
            try:
                out[i] = float(t) if t is not None and t.strip() else np.nan
            except ValueError:
                raise InputError(
                    f"{file}: weight column {column!r}, data row {first_row + i + 1}: {t!r} is "
                    "not a number"
                ) from None
    else:
        # even a no-op cast imports pyarrow.compute (20-30 ms)
        as_float = col if col.type == pa.float64() else col.cast(pa.float64())
        out = numbers(as_float, np.nan)
    return _finite_weights(out, column, file, first_row)


def _finite_weights(out: np.ndarray, column: str, file: str, first_row: int = 0) -> np.ndarray:
    out = np.asarray(out, dtype=float)
    # min and max carry a nan through: two passes and no column-length masks
    if out.size and not (out.min() >= 0 and out.max() < np.inf):
        row = int(np.flatnonzero(~np.isfinite(out) | (out < 0))[0])
        raise InputError(
            f"{file}: weight column {column!r}, data row {first_row + row + 1}: "
            f"{_weight_repr(out[row])}; "
            "every response needs a finite weight >= 0"
        )
    return out


def _weight_repr(x: float) -> str:
    return "missing" if np.isnan(x) else f"{float(x)!r} is not allowed"  # not np.float64(…)
