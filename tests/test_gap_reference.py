"""cxkit.gap against R (tests/reference/gap_reference.R -> gap_reference.json).

The fixture is a frozen copy of the bundled example; the R script recodes it on its own
(base R read.csv, t.test, prop.test, p.adjust; survey::svymean for weighted estimates).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import cxkit
from cxkit.survey import SurveySpec

from .conftest import EXAMPLES

ITEMS = [f"{p}_{i}" for p in ("sa", "sl", "ci", "ee", "mr") for i in range(1, 5)]


def _config(tmp_path, *, weighted: bool):
    text = (EXAMPLES / "cxkit.toml").read_text()
    if not weighted:
        text = text.replace('weight = "weight"\n', "")
    path = tmp_path / "study.toml"
    path.write_text(text)
    return path


def _rows(result):
    t = result.table
    rows = {r["item"]: r for _, r in t[t["level"] == "item"].iterrows()}
    rows["pillar_ci"] = t[(t["level"] == "pillar") & (t["pillar"] == "ci")].iloc[0]
    rows["overall"] = t[t["level"] == "overall"].iloc[0]
    return rows


def _compare(row, ref, name):
    for key, expected in ref.items():
        if key.startswith("agree_self_ci"):
            continue
        got = row[key]
        if isinstance(expected, int) and key.startswith("n"):
            assert got == expected, (name, key)
        else:
            assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12), (
                name,
                key,
                got,
                expected,
            )


@pytest.mark.parametrize("var", [*ITEMS, "pillar_ci", "overall"])
def test_unweighted_gap_matches_r(var, fixture_csv, r_reference, tmp_path):
    survey = cxkit.read_survey(fixture_csv, config=_config(tmp_path, weighted=False))
    result = cxkit.gap(survey)
    row = _rows(result)[var]
    _compare(row, r_reference["unweighted"][var], var)
    assert row["neff_self"] == row["n_self"]


@pytest.mark.parametrize("var", [*ITEMS, "pillar_ci", "overall"])
def test_weighted_gap_matches_r_survey(var, fixture_csv, r_reference, tmp_path):
    survey = cxkit.read_survey(fixture_csv, config=_config(tmp_path, weighted=True))
    result = cxkit.gap(survey)
    row = _rows(result)[var]
    _compare(row, r_reference["weighted"][var], var)


def test_item_p_adj_is_holm_over_items_only(fixture_csv, r_reference, tmp_path):
    survey = cxkit.read_survey(fixture_csv, config=_config(tmp_path, weighted=False))
    t = cxkit.gap(survey).table
    overall = t[t["level"] == "overall"].iloc[0]
    # the overall row is a family of one: its p_adj is its own p-value
    assert overall["p_adj"] == overall["agree_p"]


def test_weights_of_one_reproduce_unweighted_exactly(fixture_csv, tmp_path):
    import pandas as pd

    data = pd.read_csv(fixture_csv, dtype=str, keep_default_na=False)
    data["weight"] = "1"
    path = tmp_path / "ones.csv"
    data.to_csv(path, index=False)
    cfg = _config(tmp_path, weighted=True)
    weighted = cxkit.gap(cxkit.read_survey(path, config=cfg)).table
    plain = cxkit.gap(cxkit.read_survey(path, config=cfg, spec=SurveySpec(unweighted=True))).table
    num = weighted.select_dtypes("number").columns
    np.testing.assert_array_equal(weighted[num].to_numpy(), plain[num].to_numpy())


def test_wilson_limits_of_agree_share_match_r(fixture_csv, r_reference):
    from cxkit.stats import wilson_interval

    ref = r_reference["unweighted"]["sa_1"]
    lo, hi = wilson_interval(ref["agree_self"] * ref["n_self"], ref["n_self"])
    assert float(lo) == pytest.approx(ref["agree_self_ci_low"], rel=1e-12)
    assert float(hi) == pytest.approx(ref["agree_self_ci_high"], rel=1e-12)
