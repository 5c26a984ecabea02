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

import numpy as np
import pandas as pd

from . import stats
from .errors import UsageError

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


def change_between(
    prev: pd.DataFrame, cur: pd.DataFrame, column: str, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """``cur - prev`` for aligned rows: ``(change, ci_low, ci_high, p_value, method)``."""
    base = SHARE_BASE.get(column, "neff" if column in SHARES else None)
    if base is not None and base in cur.columns:
        n1, n2 = prev[base].to_numpy(float), cur[base].to_numpy(float)
        p1, p2 = prev[column].to_numpy(float), cur[column].to_numpy(float)
        d, lo, hi = stats.newcombe_diff_interval(p2 * n2, n2, p1 * n1, n1, confidence)
        return d, lo, hi, stats.pooled_z_test(p2 * n2, n2, p1 * n1, n1), METHOD_SHARE
    if f"{column}_se" in cur.columns:  # a standard error is given: use it as it is
        from .distributions import ndtr

        z = stats.z_crit(confidence)
        d = cur[column].to_numpy(float) - prev[column].to_numpy(float)
        se = np.hypot(cur[f"{column}_se"].to_numpy(float), prev[f"{column}_se"].to_numpy(float))
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
    se1 = (prev[high].to_numpy(float) - prev[low].to_numpy(float)) / (2 * z)
    se2 = (cur[high].to_numpy(float) - cur[low].to_numpy(float)) / (2 * z)
    d = cur[column].to_numpy(float) - prev[column].to_numpy(float)
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

    prev, cur = align(previous.table, result.table, keys)
    table = cur.copy()
    table["compare_wave"] = compare_wave
    methods = {}
    for m in metrics:
        d, lo, hi, p, method = change_between(prev, cur, m, confidence)
        methods[f"change_{m}"] = method
        table[f"change_{m}"] = d
        table[f"change_{m}_ci_low"] = lo
        table[f"change_{m}_ci_high"] = hi
        table[f"change_{m}_p"] = p
        adj = np.full(len(table), np.nan)
        groups = (
            table.groupby(list(family), sort=False, dropna=False).indices
            if family
            else {None: np.arange(len(table))}
        )
        for idx in groups.values():
            adj[idx] = stats.holm(p[idx])
        table[f"change_{m}_p_adj"] = adj
    notes = list(result.notes)
    unmatched = int(prev[metrics[0]].isna().sum() - cur[metrics[0]].isna().sum())
    if unmatched > 0:
        notes.append(f"{unmatched} rows have no counterpart in wave {compare_wave}: no change")
    provenance = dict(result.provenance)
    provenance["methods"] = {**provenance.get("methods", {}), **methods}
    provenance["parameters"] = {**provenance.get("parameters", {}), "compare_to": compare_wave}
    return dataclasses.replace(result, table=table, notes=notes, provenance=provenance)
