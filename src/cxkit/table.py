"""A result table held as named columns, built and rendered without pandas.

``cxkit gap`` on a million-row file spends less time on its statistics than on importing
pandas (about 0.45 s), so its rows are assembled here as plain columns: numpy arrays for
numbers, lists for text. :attr:`cxkit.result.Result.table` turns it into a DataFrame on
first use, and the JSON, CSV, Markdown and terminal renderers read it directly, as does the
Parquet writer (through :meth:`ColumnTable.to_arrow`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


class ColumnTable:
    """Named columns of equal length, in order.

    Parameters
    ----------
    data : dict of str to sequence
        Column name to values: a 1-D numpy array (numbers) or a list (text, ``None`` =
        missing).

    Examples
    --------
    >>> t = ColumnTable({"item": ["q1", "q2"], "n": np.array([3, 4])})
    >>> len(t), t.columns, list(t.rows())
    (2, ['item', 'n'], [('q1', 3), ('q2', 4)])
    """

    __slots__ = ("_data", "_n")

    def __init__(self, data: dict[str, Sequence[Any]]) -> None:
        lengths = {len(v) for v in data.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self._data = dict(data)
        self._n = lengths.pop() if lengths else 0

    def __len__(self) -> int:
        return self._n

    @property
    def columns(self) -> list[str]:
        """The column names, in order."""
        return list(self._data)

    def __getitem__(self, name: str) -> Sequence[Any]:
        return self._data[name]

    def select(self, names: Sequence[str]) -> ColumnTable:
        """The named columns, in that order."""
        return ColumnTable({n: self._data[n] for n in names})

    def row(self, i: int) -> dict[str, Any]:
        """Row ``i`` (negative counts from the end) as column name -> value."""
        return {name: values[i] for name, values in self._data.items()}

    def slice(self, start: int | None, stop: int | None) -> ColumnTable:
        """Rows ``start:stop``, as a list slice takes them."""
        return ColumnTable({name: values[start:stop] for name, values in self._data.items()})

    def take(self, rows: np.ndarray) -> ColumnTable:
        """The rows at positions ``rows``, in that order.

        >>> ColumnTable({"item": ["q1", "q2", "q3"], "n": np.array([3, 4, 5])}).take(
        ...     np.array([2, 0])).rows().__next__()
        ('q3', 5)
        """
        return ColumnTable(
            {
                name: values[rows] if isinstance(values, np.ndarray) else [values[i] for i in rows]
                for name, values in self._data.items()
            }
        )

    def with_first(self, name: str, value: object) -> ColumnTable:
        """A copy with a constant column ``name`` put first."""
        return ColumnTable({name: [value] * self._n, **self._data})

    @staticmethod
    def concat(tables: Sequence[ColumnTable]) -> ColumnTable:
        """The rows of tables with the same columns, one after the other."""
        names = tables[0].columns
        out: dict[str, Sequence[Any]] = {}
        for n in names:
            parts = [t._data[n] for t in tables]
            if all(isinstance(p, np.ndarray) for p in parts):
                out[n] = np.concatenate(parts)
            else:
                out[n] = [v for p in parts for v in _as_list(p)]
        return ColumnTable(out)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Each row as a tuple of Python values (numpy scalars become ``int``/``float``)."""
        return zip(*(_as_list(v) for v in self._data.values()), strict=True)

    def to_pandas(self) -> pd.DataFrame:
        """The table as a DataFrame (numbers keep their numpy dtype, text is pandas text)."""
        import pandas as pd

        return pd.DataFrame(self._data)

    def to_arrow(self) -> pa.Table:
        """The table as Arrow, typed as ``pa.Table.from_pandas(self.to_pandas())`` types it
        (without pandas' schema metadata, and text as ``string`` whatever pandas' version).

        Built from Arrow buffers (:func:`cxkit.arrow_values.column_array`): pyarrow's own
        conversions import pandas.
        """
        import pyarrow as pa

        from .arrow_values import column_array

        names = list(self._data)
        return pa.Table.from_arrays([column_array(v) for v in self._data.values()], names=names)


def _as_list(values: Sequence[Any]) -> list[Any]:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)
