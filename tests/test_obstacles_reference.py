"""cxkit.obstacles against R (tests/reference/obstacles_reference.R -> obstacles_reference.json).

The fixture is a frozen copy of examples/obstacles_ranked.csv; the R script parses it on its
own (label normalisation, invalid rows) and computes each number with base R:
shares and Wilson limits with ``prop.test(k, n, correct = FALSE)$conf.int``, the change
2012 - 2011 with Newcombe's method 10 written out from those Wilson limits, its p-value with
``prop.test(c(k1, k0), c(n1, n0), correct = FALSE)$p.value`` and ``p.adjust(method = "holm")``.
"""

from __future__ import annotations

import json
import math

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from cxkit.obstacles import obstacles
from cxkit.read import read_table
from cxkit.study import normalise_label

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "obstacles_reference.json").read_text())


@pytest.fixture(scope="module")
def table():
    raw = read_table(REFERENCE / "obstacles_fixture.csv")
    result = obstacles(raw, by="wave", top=[1, 2, 5], bootstrap=0)
    t = result.table
    t["key"] = t["obstacle"].map(normalise_label)
    return result, t


CASES = [(w, o) for w in ("2011", "2012") for o in REF["waves"][w]]


@pytest.mark.parametrize(("wave", "key"), CASES)
def test_shares_changes_and_ranks_match_r(table, wave, key):
    _, t = table
    row = t[(t["wave"] == wave) & (t["key"] == key)].iloc[0]
    ref = REF["waves"][wave][key]
    assert row["status"] == "asked"
    assert row["n_respondents"] == ref["n"]
    assert row["n_named"] == ref["n_named"]
    for name, expected in ref.items():
        if name.startswith(("k_", "n")):
            continue
        assert math.isclose(row[name], expected, rel_tol=1e-12, abs_tol=1e-14), (name, expected)


def test_r_compared_every_change_column(table):
    ref = REF["waves"]["2012"]["budget restrictions"]
    for lvl in ("named", "top1", "top2", "top5"):
        for suffix in ("", "_ci_low", "_ci_high", "_p_value", "_p_adj"):
            assert f"change_{lvl}{suffix}" in ref


def test_excluded_rows_are_counted_as_r_counts_them(table):
    result, _ = table
    ex = REF["excluded"]
    assert f"excluded {ex['blank']} rows: no answer" in result.notes
    assert f"excluded {ex['twice']} rows: the same obstacle twice" in result.notes
    assert f"excluded {ex['gap']} rows: gap in the ranks" in result.notes


def test_not_asked_obstacle_matches_r_absence(table):
    _, t = table
    assert "data privacy rules" not in REF["waves"]["2011"]
    row = t[(t["wave"] == "2011") & (t["key"] == "data privacy rules")].iloc[0]
    assert row["status"] == "not asked"
    assert math.isnan(row["share_top5"]) and math.isnan(row["n_named"])
    row12 = t[(t["wave"] == "2012") & (t["key"] == "data privacy rules")].iloc[0]
    assert math.isnan(row12["change_top2"]) and math.isnan(row12["change_top2_p_adj"])


def test_statsmodels_agrees_on_one_row(table):
    # a second, independent implementation: statsmodels' Wilson and Newcombe intervals
    _, t = table
    ref11 = REF["waves"]["2011"]["budget restrictions"]
    ref12 = REF["waves"]["2012"]["budget restrictions"]
    row = t[(t["wave"] == "2012") & (t["key"] == "budget restrictions")].iloc[0]
    lo, hi = proportion_confint(ref12["k_top2"], ref12["n"], method="wilson")
    assert row["share_top2_ci_low"] == pytest.approx(lo, rel=1e-12)
    assert row["share_top2_ci_high"] == pytest.approx(hi, rel=1e-12)
    lo, hi = confint_proportions_2indep(
        ref12["k_top2"], ref12["n"], ref11["k_top2"], ref11["n"], compare="diff", method="newcomb"
    )
    assert row["change_top2_ci_low"] == pytest.approx(lo, rel=1e-9)
    assert row["change_top2_ci_high"] == pytest.approx(hi, rel=1e-9)
