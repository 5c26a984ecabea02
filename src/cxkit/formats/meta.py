"""What a reader learned about the columns it read, beyond their values."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TableMeta:
    """Column meanings found in an export.

    Attributes
    ----------
    platform : str
        ``plain``, ``qualtrics``, ``qualtrics-legacy``, ``surveymonkey``, ``google-forms``,
        ``spss``, ``excel`` or ``parquet``.
    labels : dict
        Column -> question text (matrix columns: the statement).
    questions : dict
        Column -> the question text above it, for matrix statements and options.
    multi : dict
        Multi-select question -> its boolean option columns, in option order.
    rank : dict
        Rank question -> its rank columns (1 = first), in option order.
    joined : dict
        Multi-select column whose answers were joined in one cell -> its option list.
    metadata : list of str
        Platform bookkeeping columns (dates, status, progress): never answers.
    id_col : str or None
        The respondent id column the platform defines.
    excluded : list of (str, int)
        Rows left out while reading, with the reason and the count.
    value_labels : dict
        Column -> {code: label} (SPSS value labels).
    """

    platform: str = "plain"
    labels: dict[str, str] = field(default_factory=dict)
    questions: dict[str, str] = field(default_factory=dict)
    multi: dict[str, list[str]] = field(default_factory=dict)
    rank: dict[str, list[str]] = field(default_factory=dict)
    joined: dict[str, list[str]] = field(default_factory=dict)
    metadata: list[str] = field(default_factory=list)
    id_col: str | None = None
    excluded: list[tuple[str, int]] = field(default_factory=list)
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)

    def grouped(self) -> set[str]:
        """Columns that belong to a multi-select or rank question."""
        return {c for cols in (*self.multi.values(), *self.rank.values()) for c in cols}
