"""The result of an analysis: a tidy table, headline numbers, notes and provenance."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    import pandas as pd

    from .read import SourceInfo


@dataclass(frozen=True)
class ViewColumn:
    """How the terminal and Markdown views show one or more table columns.

    ``kind`` is one of ``text``, ``int``, ``num``, ``pct`` (proportion shown as %),
    ``pp`` (proportion difference shown in percentage points), ``ratio``, ``p``, ``g``
    (general number, four significant digits), ``score`` (signed whole number, e.g. an
    NPS), ``mean`` (two decimals).
    With three ``columns`` the first is the estimate and the others its CI. ``optional``
    columns are left out of the terminal view when it is too narrow for every column
    (they stay in every file format).
    """

    header: str
    columns: tuple[str, ...]
    kind: str = "num"
    optional: bool = False


@dataclass
class Result:
    """What every analysis returns.

    Attributes
    ----------
    command : str
        The analysis name (``gap``, ...).
    table : DataFrame
        Tidy rows with fixed snake_case columns, documented by the analysis function. An
        analysis may pass a :class:`~cxkit.table.ColumnTable` instead: it becomes a
        DataFrame on first access (so pandas is imported only when something reads it),
        and the JSON, Markdown and terminal renderers read it as it is
        (:meth:`columns_and_rows`), as do CSV and Parquet output.
    summary : dict
        Headline numbers, with the one-line ``headline`` text.
    notes : list of str
        Warnings a reader needs: small bases, excluded rows, undefined estimates.
    provenance : dict
        ``cxkit_version``, ``inputs`` (path, sha256, rows), ``parameters``, ``methods``,
        ``seed``.
    view : list of ViewColumn
        The columns worth showing on a terminal, in order.
    emphasis_col : str, optional
        Rows whose value here differs from ``emphasis_plain`` are shown bold.
    """

    command: str
    table: pd.DataFrame
    summary: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    view: list[ViewColumn] = field(default_factory=list)
    emphasis_col: str | None = None
    emphasis_plain: str | None = None

    @property
    def headline(self) -> str:
        return str(self.summary.get("headline", ""))

    def columns_and_rows(self) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
        """The table's column names and its rows as tuples, without building a DataFrame
        when the analysis gave a :class:`~cxkit.table.ColumnTable`."""
        from .table import ColumnTable

        t = self.__dict__["_table"]
        if isinstance(t, ColumnTable):
            return t.columns, t.rows()
        return list(t.columns), t.itertuples(index=False, name=None)

    def holds_columns(self) -> bool:
        """Whether the table is still the analysis' :class:`~cxkit.table.ColumnTable` (no
        DataFrame built yet)."""
        from .table import ColumnTable

        return isinstance(self.__dict__["_table"], ColumnTable)

    @property
    def n_rows(self) -> int:
        """The number of table rows (no DataFrame is built for it)."""
        return len(self.__dict__["_table"])


def _get_table(self: Result) -> pd.DataFrame:
    from .table import ColumnTable

    t = self.__dict__["_table"]
    if isinstance(t, ColumnTable):
        t = self.__dict__["_table"] = t.to_pandas()
    return t


def _set_table(self: Result, value: Any) -> None:
    self.__dict__["_table"] = value


# The dataclass field ``table`` is served by a property (set in __init__, read lazily):
# ``dataclasses.replace`` and equality keep working, and a ColumnTable becomes a DataFrame
# only when someone reads ``result.table``.
Result.table = property(_get_table, _set_table, doc="The tidy table (a DataFrame).")  # type: ignore[assignment,method-assign]


def make_provenance(
    sources: list[SourceInfo],
    parameters: dict[str, Any],
    methods: dict[str, str],
    seed: int | None = None,
    config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Provenance block shared by every command (no clock time: re-runs stay identical)."""
    return {
        "cxkit_version": __version__,
        "inputs": [s.provenance() for s in sources],
        "config": config,
        "parameters": parameters,
        "methods": methods,
        "seed": seed,
    }


def num_text(x: object, fmt: Callable[[float], str]) -> str:
    """A number for a headline: ``fmt(x)``, ``–`` when missing (None, nan), ``∞`` when
    infinite, so that a headline never reads ``nan`` or ``inf``.

    >>> num_text(float("nan"), "{:.2f}".format), num_text(2.5, "{:.2f}".format)
    ('–', '2.50')
    """
    if x is None:
        return "–"
    v = float(x)  # type: ignore[arg-type]
    if math.isnan(v):
        return "–"
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    return fmt(v)


def ratio_text(x: float, digits: int = 2) -> str:
    """A ratio for people, without the ``×``: fixed ``digits`` below 10,000, then two
    significant digits in scientific notation (extreme weights can give 1e17); ``∞``, ``–``.

    >>> ratio_text(4.567), ratio_text(3.3e17, 1), ratio_text(float("inf"))
    ('4.57', '3.3e+17', '∞')
    """
    return num_text(x, lambda v: f"{v:.2g}" if abs(v) >= 1e4 else f"{v:.{digits}f}")


def ci_text(
    lo: object,
    hi: object,
    fmt: Callable[[float], str],
    level: str = "",
    sep: str = "–",
    suffix: str = "",
) -> str:
    """An interval for a headline, ``"95% CI 1.20–3.40"``; ``"95% CI –"`` when either limit
    is missing, as the tables show it (``level`` "" gives just ``"CI …"``; ``suffix``, such
    as ``%``, follows the upper limit).

    >>> ci_text(1.2, 3.4, "{:.2f}".format, "95%"), ci_text(float("nan"), 1, str, "95%")
    ('95% CI 1.20–3.40', '95% CI –')
    """
    head = f"{level} CI" if level else "CI"
    if num_text(lo, fmt) == "–" or num_text(hi, fmt) == "–":
        return f"{head} –"
    return f"{head} {num_text(lo, fmt)}{sep}{num_text(hi, fmt)}{suffix}"
