"""Properties the gap statistics must have whatever the data (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit.errors import InputError
from cxkit.gap import gap
from cxkit.read import SourceInfo
from cxkit.study import ItemSpec, Scale, Study
from cxkit.survey import Survey

SRC = [SourceInfo("generated.csv", "0" * 64, 0, "csv")]
answer = st.one_of(st.integers(1, 5).map(float), st.just(np.nan))


@st.composite
def surveys(draw, min_size=2):
    n_self = draw(st.integers(min_size, 40))
    n_cust = draw(st.integers(min_size, 40))
    items = ["q1", "q2", "q3"]
    rows = n_self + n_cust
    data = {it: draw(st.lists(answer, min_size=rows, max_size=rows)) for it in items}
    # each side answers something: a side with no answers at all is an input error
    for row in (0, n_self):
        data["q1"][row] = float(draw(st.integers(1, 5)))
    data["role"] = ["executive"] * n_self + ["customer"] * n_cust
    data["w"] = draw(st.lists(st.floats(0.2, 5.0), min_size=rows, max_size=rows))
    return pd.DataFrame(data)


FIVE = Scale(1, 5)


def make(frame: pd.DataFrame, *, weighted=False, scale=FIVE) -> Survey:
    study = Study(pillars={"p": "Pillar"})
    study.items = {it: ItemSpec(it, "p") for it in ("q1", "q2", "q3")}
    return Survey.from_frame(
        frame,
        ["q1", "q2", "q3"],
        study=study,
        scale=scale,
        role_col="role",
        weight_col="w" if weighted else None,
        sources=SRC,
        self_roles=("executive",),
        customer_roles=("customer",),
    )


def run(frame, **kw):
    weighted = kw.pop("weighted", False)
    scale = kw.pop("scale", FIVE)
    return gap(make(frame, weighted=weighted, scale=scale), **kw).table


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(surveys(), st.booleans())
def test_swapping_roles_negates_gaps_and_inverts_ratio(frame, weighted):
    a = run(frame, weighted=weighted)
    b = run(frame, weighted=weighted, self_roles=["customer"], customer_roles=["executive"])
    np.testing.assert_allclose(a["mean_gap"], -b["mean_gap"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a["agree_gap"], -b["agree_gap"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a["agree_gap_ci_low"], -b["agree_gap_ci_high"], atol=1e-12)
    ok = np.isfinite(a["agree_ratio"]) & (a["agree_ratio"] > 0)
    np.testing.assert_allclose(a["agree_ratio"][ok], 1 / b["agree_ratio"][ok], rtol=1e-12)
    np.testing.assert_allclose(
        a["agree_ratio_ci_low"][ok], 1 / b["agree_ratio_ci_high"][ok], rtol=1e-9
    )
    np.testing.assert_allclose(a["mean_gap_p"], b["mean_gap_p"], rtol=1e-9)


@FAST
@given(surveys(), st.booleans())
def test_intervals_contain_the_estimate_and_stay_in_range(frame, weighted):
    t = run(frame, weighted=weighted)
    for est, lo, hi in (
        ("mean_gap", "mean_gap_ci_low", "mean_gap_ci_high"),
        ("agree_gap", "agree_gap_ci_low", "agree_gap_ci_high"),
        ("agree_ratio", "agree_ratio_ci_low", "agree_ratio_ci_high"),
    ):
        ok = t[lo].notna()
        assert (t.loc[ok, lo] <= t.loc[ok, est] + 1e-12).all()
        assert (t.loc[ok, est] <= t.loc[ok, hi] + 1e-12).all()
    assert ((t["agree_gap_ci_low"] >= -1 - 1e-12) | t["agree_gap_ci_low"].isna()).all()
    assert ((t["agree_gap_ci_high"] <= 1 + 1e-12) | t["agree_gap_ci_high"].isna()).all()
    assert ((t["agree_ratio_ci_low"] > 0) | t["agree_ratio_ci_low"].isna()).all()
    for p in ("mean_gap_p", "agree_p", "p_adj"):
        assert t[p].dropna().between(0, 1).all()


@FAST
@given(surveys(), st.integers(-3, 10))
def test_shifting_every_answer_and_the_scale_leaves_gaps_unchanged(frame, c):
    shifted = frame.copy()
    for it in ("q1", "q2", "q3"):
        shifted[it] = shifted[it] + c
    a = run(frame)
    b = run(shifted, scale=Scale(1 + c, 5 + c))
    for col in ("mean_gap", "mean_gap_ci_low", "agree_gap", "agree_ratio", "hedges_g", "agree_p"):
        np.testing.assert_allclose(a[col], b[col], rtol=1e-9, atol=1e-9)


@FAST
@given(surveys())
def test_duplicating_rows_keeps_estimates_and_narrows_intervals(frame):
    a = run(frame)
    b = run(pd.concat([frame, frame], ignore_index=True))
    for col in ("mean_gap", "agree_gap", "agree_ratio", "agree_self", "agree_customer"):
        np.testing.assert_allclose(a[col], b[col], rtol=1e-12, atol=1e-12)
    width_a = a["agree_gap_ci_high"] - a["agree_gap_ci_low"]
    width_b = b["agree_gap_ci_high"] - b["agree_gap_ci_low"]
    ok = width_a.notna() & (width_a > 0)
    assert (width_b[ok] < width_a[ok]).all()


@FAST
@given(surveys(), st.randoms(use_true_random=False), st.booleans())
def test_row_order_does_not_matter(frame, rnd, weighted):
    order = list(range(len(frame)))
    rnd.shuffle(order)
    a = run(frame, weighted=weighted)
    b = run(frame.iloc[order].reset_index(drop=True), weighted=weighted)
    num = a.select_dtypes("number").columns
    np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), rtol=1e-10)


@pytest.mark.parametrize("n_cust", [1, 2])
@pytest.mark.parametrize("n_self", [1, 2])
def test_tiny_groups_give_nulls_and_a_note(n_self, n_cust):
    frame = pd.DataFrame(
        {
            "q1": [4.0] * n_self + [2.0] * n_cust,
            "q2": [np.nan] * (n_self + n_cust),
            "q3": [5.0] * (n_self + n_cust),
            "role": ["executive"] * n_self + ["customer"] * n_cust,
            "w": 1.0,
        }
    )
    res = gap(make(frame))
    q2 = res.table[res.table["item"] == "q2"].iloc[0]
    assert q2["n_self"] == 0 and np.isnan(q2["mean_gap"]) and np.isnan(q2["agree_ratio"])
    assert any("fewer than 30" in n for n in res.notes)
    if n_self == 1 or n_cust == 1:
        q1 = res.table[res.table["item"] == "q1"].iloc[0]
        assert np.isnan(q1["mean_gap_ci_low"]) and np.isnan(q1["mean_gap_p"])


def test_a_group_with_no_responses_at_all_is_an_input_error():
    frame = pd.DataFrame({"q1": [4.0], "q2": [4.0], "q3": [4.0], "role": ["executive"], "w": 1.0})
    with pytest.raises(InputError, match="no customer responses"):
        gap(make(frame))
