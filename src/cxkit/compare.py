"""Change between two waves of the same analysis: estimates, intervals and p-values.

Shares that carry an effective n (``agree_self``/``agree_customer`` with ``neff_self``/
``neff_customer``) use Newcombe's interval for the difference and the pooled two-proportion
z-test, exactly as the gap itself does. Any other column with an interval (``x_ci_low``/
``x_ci_high``, or ``ci_low``/``ci_high`` for ``estimate``) uses a normal approximation
(with the column's own standard error ``x_se`` when the result has one, e.g. ``nps_se``):
each wave's standard error is its interval's half-width divided by z, and the change's
standard error is the root sum of squares (the waves are independent samples).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import stats
from .errors import UsageError
from .table import ColumnTable

if TYPE_CHECKING:
    import pandas as pd

SHARE_BASE = {"agree_self": "neff_self", "agree_customer": "neff_customer"}
#: share columns whose base is the result's ``neff`` column (metric, nps)
SHARES = {"top_box", "top2_box", "bottom_box", "agree", "promoters", "passives", "detractors"}
METHOD_SHARE = "Newcombe interval, pooled z-test"
METHOD_NORMAL = "normal approximation from each wave's interval"
METHOD_SE = "normal approximation with each wave's standard error (z-test)"


def interval_columns(column: str) -> tuple[str, str]:
    return (
        ("ci_low", "ci_high")
        if column == "estimate"
        else (
            f"{column}_ci_low",
            f"{column}_ci_high",
        )
    )


def _floats(table: Any, column: str) -> np.ndarray:
    """A column of a DataFrame or a :class:`~cxkit.table.ColumnTable` as float64."""
    return np.asarray(table[column], dtype=float)


def change_between(
    prev: Any, cur: Any, column: str, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """``cur - prev`` for aligned rows (DataFrames or ColumnTables): ``(change, ci_low,
    ci_high, p_value, method)``."""
    base = SHARE_BASE.get(column, "neff" if column in SHARES else None)
    if base is not None and base in cur.columns:
        n1, n2 = _floats(prev, base), _floats(cur, base)
        p1, p2 = _floats(prev, column), _floats(cur, column)
        d, lo, hi = stats.newcombe_diff_interval(p2 * n2, n2, p1 * n1, n1, confidence)
        return d, lo, hi, stats.pooled_z_test(p2 * n2, n2, p1 * n1, n1), METHOD_SHARE
    if f"{column}_se" in cur.columns:  # a standard error is given: use it as it is
        from .distributions import ndtr

        z = stats.z_crit(confidence)
        d = _floats(cur, column) - _floats(prev, column)
        se = np.hypot(_floats(cur, f"{column}_se"), _floats(prev, f"{column}_se"))
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(se > 0, 2 * ndtr(-np.abs(d / se)), np.nan)
        return d, d - z * se, d + z * se, p, METHOD_SE
    low, high = interval_columns(column)
    if low not in cur.columns or high not in cur.columns:
        raise UsageError(
            f"column {column!r} has no confidence interval, so its change cannot be tested; "
            "use a share (agree_self, agree_customer) or a column with _ci_low/_ci_high"
        )
    from .distributions import ndtr

    z = stats.z_crit(confidence)
    se1 = (_floats(prev, high) - _floats(prev, low)) / (2 * z)
    se2 = (_floats(cur, high) - _floats(cur, low)) / (2 * z)
    d = _floats(cur, column) - _floats(prev, column)
    se = np.sqrt(se1**2 + se2**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(se > 0, 2 * ndtr(-np.abs(d / se)), np.nan)
    return d, d - z * se, d + z * se, p, METHOD_NORMAL


def align(
    prev: pd.DataFrame, cur: pd.DataFrame, keys: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of ``cur`` with their match in ``prev`` (same key values), in ``cur``'s order."""
    left = cur.reset_index(drop=True)
    right = prev.copy()
    for k in keys:
        left[k] = left[k].astype(object).where(left[k].notna(), None)
        right[k] = right[k].astype(object).where(right[k].notna(), None)
    merged = left[list(keys)].merge(
        right.assign(_row=np.arange(len(right))), on=list(keys), how="left"
    )
    matched = merged["_row"].notna().to_numpy()
    out_prev = right.iloc[merged["_row"].fillna(0).astype(int).to_numpy()].reset_index(drop=True)
    num = out_prev.select_dtypes("number").columns
    out_prev.loc[~matched, num] = np.nan
    return out_prev, left


def add_change_columns(
    result,
    previous,
    *,
    metrics: Sequence[str],
    keys: Sequence[str],
    family: Sequence[str],
    compare_wave: str,
    confidence: float,
):
    """A copy of ``result`` with the change of each metric since ``previous`` (another wave).

    Adds ``compare_wave`` and, per metric ``m``: ``change_m``, ``change_m_ci_low``,
    ``change_m_ci_high``, ``change_m_p`` and ``change_m_p_adj`` (Holm across the rows of one
    ``family``, e.g. one level of one breakdown cell). Rows with no match in the other wave
    get nulls and a note.
    """
    import dataclasses

    columns = _aligned_columns(previous, result, keys)
    if columns is not None:  # gap's columns: matched and extended without pandas
        prev, cur = columns
        n = len(cur)
        family_of = [_key(r) for r in cur.select(list(family)).rows()] if family else [()] * n
        added: dict[str, Any] = {"compare_wave": [compare_wave] * n}
    else:
        prev, cur = align(previous.table, result.table, keys)
        n = len(cur)
        family_of = None
        table = cur.copy()
        table["compare_wave"] = compare_wave
        added = table
    # the rows of each Holm family (the same for every metric)
    if family_of is not None:
        groups: dict[tuple, list[int]] = {}
        for i, k in enumerate(family_of):
            groups.setdefault(k, []).append(i)
        indices = [np.array(g) for g in groups.values()]
    elif family:
        indices = list(cur.groupby(list(family), sort=False, dropna=False).indices.values())
    else:
        indices = [np.arange(n)]
    methods = {}
    for m in metrics:
        d, lo, hi, p, method = change_between(prev, cur, m, confidence)
        methods[f"change_{m}"] = method
        added[f"change_{m}"] = d
        added[f"change_{m}_ci_low"] = lo
        added[f"change_{m}_ci_high"] = hi
        added[f"change_{m}_p"] = p
        adj = np.full(n, np.nan)
        for idx in indices:
            adj[idx] = stats.holm(p[idx])
        added[f"change_{m}_p_adj"] = adj
    if family_of is not None:
        table = ColumnTable({**{c: cur[c] for c in cur.columns}, **added})
    notes = list(result.notes)
    m0 = metrics[0]
    unmatched = int(np.isnan(_floats(prev, m0)).sum() - np.isnan(_floats(cur, m0)).sum())
    if unmatched > 0:
        notes.append(f"{unmatched} rows have no counterpart in wave {compare_wave}: no change")
    provenance = dict(result.provenance)
    provenance["methods"] = {**provenance.get("methods", {}), **methods}
    provenance["parameters"] = {**provenance.get("parameters", {}), "compare_to": compare_wave}
    return dataclasses.replace(result, table=table, notes=notes, provenance=provenance)


def _key(values: Sequence[Any]) -> tuple:
    """A row's key values, every kind of missing (``None``, ``nan``) as ``None``: pandas'
    merge and groupby (``dropna=False``) treat them all as one value."""
    return tuple(None if v is None or (isinstance(v, float) and v != v) else v for v in values)


def _aligned_columns(
    previous: Any, result: Any, keys: Sequence[str]
) -> tuple[ColumnTable, ColumnTable] | None:
    """For two results still held as columns: :func:`matched_rows` of their tables and
    ``result``'s own columns; None otherwise (DataFrames, or keys that repeat in
    ``previous``), for :func:`align`."""
    if not (result.holds_columns() and previous.holds_columns()):
        return None
    cur, prev = result.__dict__["_table"], previous.__dict__["_table"]
    matched = matched_rows(prev, cur, keys)
    return None if matched is None else (matched, cur)


def matched_rows(prev: ColumnTable, cur: ColumnTable, keys: Sequence[str]) -> ColumnTable | None:
    """``prev``'s numeric columns with its rows matched to ``cur``'s by ``keys`` (``nan``
    where there is no match): :func:`align` without pandas. None when keys repeat in
    ``prev`` (a merge would repeat rows of ``cur``) or there are no keys."""
    if not keys:
        return None
    row_of: dict[tuple, int] = {}
    for i, k in enumerate(prev.select(list(keys)).rows()):
        if row_of.setdefault(_key(k), i) != i:
            return None
    rows = np.array([row_of.get(_key(k), -1) for k in cur.select(list(keys)).rows()], dtype=int)
    matched = rows >= 0
    numeric = {}
    for c in prev.columns:
        values = prev[c]
        if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
            taken = values[np.where(matched, rows, 0)] if values.size else np.zeros(rows.size)
            numeric[c] = np.where(matched, taken, np.nan)
    return ColumnTable(numeric)
