"""The result of an analysis: a tidy table, headline numbers, notes and provenance."""

from __future__ import annotations

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
        Tidy rows with fixed snake_case columns, documented by the analysis function.
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
