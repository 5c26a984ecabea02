"""cxkit nps / metric against R (tests/reference/metrics_reference.R -> metrics_reference.json)
and against published NPS figures.

NPS fixture: tests/reference/nps_fixture.csv (77 rows, groups A/B/C, weights, 4 blanks; group C
has no detractors). The R script recodes it on its own and computes every interval by formula
(variance as mean(r^2) - mean(r)^2), Wilson limits with prop.test, Holm with p.adjust and the
weighted NPS with survey::svymean.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import cxkit
from cxkit.metrics import metric
from cxkit.nps import nps, nps_interval_adjusted, nps_interval_wald
from cxkit.study import Scale
from cxkit.survey import SurveySpec

from .conftest import EXAMPLES, REFERENCE


@pytest.fixture(scope="module")
def ref() -> dict:
    return json.loads((REFERENCE / "metrics_reference.json").read_text())


def _nps_result(weighted: bool):
    spec = SurveySpec(
        items=["ltr"],
        scale=Scale(0.0, 10.0),
        by=["group"],
        weight_col="weight" if weighted else None,
    )
    survey = cxkit.read_survey(REFERENCE / "nps_fixture.csv", spec=spec, use_config=False)
    return nps(survey, "ltr", by=["group"])


def _rows(result):
    rows = {}
    for _, r in result.table.iterrows():
        if r["level"] == "all":
            rows["all"] = r
        elif r["level"] == "group":
            rows[r["group"]] = r
        else:
            rows[f"{r['group']}-{r['versus']}"] = r
    return rows


def _close(got, want, name):
    assert math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-10), (name, got, want)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("row", ["all", "A", "B", "C", "A-B", "A-C", "B-C"])
def test_nps_matches_r(weighted, row, ref):
    # R: tests/reference/metrics_reference.R, nps_ref(weighted) (formula, prop.test, p.adjust)
    want = ref["nps"]["weighted" if weighted else "unweighted"][row]
    got = _rows(_nps_result(weighted))[row]
    for key, value in want.items():
        if key in ("var_r", "var_a", "nps_svymean"):
            continue
        if key == "n":
            assert int(got["n"]) == value
        else:
            _close(got[key], value, (row, key))


def test_weighted_nps_point_estimate_matches_svymean(ref):
    # R: 100 * coef(svymean(~r, svydesign(ids = ~1, weights = ~weight)))
    got = _rows(_nps_result(True))["all"]["nps"]
    _close(got, ref["nps"]["weighted"]["all"]["nps_svymean"], "svymean")


def test_no_detractors_group_keeps_bounded_intervals():
    c = _rows(_nps_result(False))["C"]
    assert c["n_detractors"] == 0 and c["detractors"] == 0.0
    assert c["nps_wald_ci_high"] <= 100.0 and c["nps_ci_high"] <= 100.0
    # the adjusted interval does not collapse at the boundary the way Wald does near 100
    assert c["nps_ci_low"] < c["nps_wald_ci_low"]


def test_weights_of_one_reproduce_unweighted_exactly(tmp_path):
    text = (REFERENCE / "nps_fixture.csv").read_text().splitlines()
    rows = [text[0]] + [
        ",".join([*line.split(",")[:2], "1", line.split(",")[3]]) for line in text[1:]
    ]
    path = tmp_path / "ones.csv"
    path.write_text("\n".join(rows) + "\n")
    spec = dict(items=["ltr"], scale=Scale(0.0, 10.0), by=["group"])
    a = nps(
        cxkit.read_survey(path, spec=SurveySpec(**spec, weight_col="weight"), use_config=False),
        "ltr",
        by=["group"],
    ).table
    b = nps(
        cxkit.read_survey(path, spec=SurveySpec(**spec), use_config=False), "ltr", by=["group"]
    ).table
    num = a.select_dtypes("number").columns
    np.testing.assert_array_equal(a[num].to_numpy(), b[num].to_numpy())


def test_published_nps_figures():
    # jdmaturen, "Two methods of estimating confidence and error in NPS results" (gist, 2014):
    # 250 promoters and 75 detractors of 1000 -> NPS 17.5.
    est, *_ = nps_interval_wald(0.25, 0.075, 1000)
    assert float(est) == pytest.approx(17.5)
    # Engelhardt (2016), "Net Promoter Score confidence intervals 2: maths and stats"
    # (cybaea.net): with p = d = 1/3 the 95% interval is about 320 / sqrt(n) wide.
    for n in (100, 1200, 10_000):
        _, _, lo, hi = nps_interval_wald(1 / 3, 1 / 3, n)
        assert float(hi - lo) == pytest.approx(320 / math.sqrt(n), rel=1e-3)


def test_nps_se_by_hand():
    # p = 0.5, d = 0.2, n = 100: V = 0.5 + 0.2 - 0.3^2 = 0.61, SE = 100 sqrt(0.0061) = 7.8102
    est, se, lo, hi = nps_interval_wald(0.5, 0.2, 100)
    assert float(est) == pytest.approx(30.0)
    assert float(se) == pytest.approx(100 * math.sqrt(0.61 / 100), rel=1e-12)
    assert (float(lo), float(hi)) == pytest.approx(
        (30 - 1.959964 * 7.81025, 30 + 1.959964 * 7.81025), rel=1e-6
    )
    # adjusted Wald by hand: n' = 103, p' = 50.75/103, d' = 20.75/103
    pa, da = 50.75 / 103, 20.75 / 103
    half = 1.959963985 * 100 * math.sqrt((pa + da - (pa - da) ** 2) / 103)
    alo, ahi = nps_interval_adjusted(0.5, 0.2, 100)
    assert (float(alo), float(ahi)) == pytest.approx(
        (100 * (pa - da) - half, 100 * (pa - da) + half)
    )


def _adjusted_by_hand(p, d, n, z):
    """Rocks' adjusted Wald interval written out (scipy's z), clipped to -100..100."""
    n2 = n + 3
    pa, da = (n * p + 0.75) / n2, (n * d + 0.75) / n2
    half = z * 100 * math.sqrt((pa + da - (pa - da) ** 2) / n2)
    return max(100 * (pa - da) - half, -100.0), min(100 * (pa - da) + half, 100.0)


@pytest.mark.parametrize("conf", [0.8, 0.9, 0.95])
@pytest.mark.parametrize("n", [1, 2, 5, 30, 400])
@pytest.mark.parametrize(("p", "d"), [(1.0, 0.0), (0.0, 1.0), (0.5, 0.2), (0.9, 0.1), (0.2, 0.0)])
def test_adjusted_interval_is_rocks_and_always_holds_the_estimate(p, d, n, conf):
    from scipy.stats import norm

    lo_hand, hi_hand = _adjusted_by_hand(p, d, n, norm.isf((1 - conf) / 2))
    lo, hi = (float(v) for v in nps_interval_adjusted(p, d, n, conf))
    est = 100 * (p - d)
    assert lo <= est <= hi
    if lo_hand <= est <= hi_hand:  # Rocks' interval as it is
        assert (lo, hi) == pytest.approx((lo_hand, hi_hand), abs=1e-9)
    else:  # near-unanimous at tiny n, or low confidence: extended to the estimate only
        assert n <= 2 or conf < 0.84
        assert (lo, hi) == pytest.approx((min(lo_hand, est), max(hi_hand, est)), abs=1e-9)


def test_one_promoter_gets_an_interval_that_reaches_plus_100(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("nps\n10\n")
    res = nps(cxkit.read_survey(path, use_config=False, spec=SurveySpec(items=["nps"],
              scale=Scale(0, 10))), "nps")  # fmt: skip
    assert res.summary["nps"] == 100 and res.summary["nps_ci_high"] == 100
    assert res.headline.startswith("NPS +100 (95% CI -48 to +100)")
    # a difference whose adjusted interval would miss it is extended the same way
    from cxkit.nps import nps_difference

    a = {"promoters": np.array([1.0]), "detractors": np.array([0.0]), "neff": np.array([1.0])}
    b = {"promoters": np.array([0.0]), "detractors": np.array([1.0]), "neff": np.array([1.0])}
    diff, _, _, _, adj_lo, adj_hi, _ = nps_difference(a, b, 0.8)
    assert adj_lo[0] <= diff[0] == 200 <= adj_hi[0]


def _metric_survey(tmp_path):
    cfg = (EXAMPLES / "cxkit.toml").read_text().replace('weight = "weight"\n', "")
    path = tmp_path / "study.toml"
    path.write_text(cfg)
    return cxkit.read_survey(REFERENCE / "gap_fixture.csv", config=path)


@pytest.mark.parametrize("who", ["all", "customer"])
def test_metric_matches_r(who, ref, tmp_path):
    # R: t.test(x)$conf.int, prop.test(k, n, correct = FALSE)$conf.int, sd(x)
    survey = _metric_survey(tmp_path)
    res = metric(survey, ["sa_1"], roles=["customer"] if who == "customer" else None)
    row = res.table.iloc[0]
    for key, value in ref["metric"][who].items():
        if key == "n":
            assert int(row["n"]) == value
        else:
            _close(row[key], value, (who, key))


def test_weighted_metric_mean_interval_matches_statsmodels(tmp_path):
    # statsmodels DescrStatsW with the weights rescaled to sum to the Kish effective n: its
    # tconfint_mean is then the t interval with neff - 1 df used by cxkit.
    from statsmodels.stats.weightstats import DescrStatsW

    survey = cxkit.read_survey(REFERENCE / "gap_fixture.csv", config=EXAMPLES / "cxkit.toml")
    assert survey.weight_col == "weight"
    row = metric(survey, ["sa_1"], roles=["customer"]).table.iloc[0]
    frame = survey.frame
    keep = (frame["role"].str.casefold() == "customer") & frame["sa_1"].notna()
    x, w = frame.loc[keep, "sa_1"].to_numpy(), frame.loc[keep, "weight"].to_numpy()
    neff = w.sum() ** 2 / (w**2).sum()
    d = DescrStatsW(x, weights=w * neff / w.sum())
    assert row["neff"] == pytest.approx(neff, rel=1e-12)
    assert row["mean"] == pytest.approx(d.mean, rel=1e-12)
    assert (row["mean_ci_low"], row["mean_ci_high"]) == pytest.approx(d.tconfint_mean(), rel=1e-10)
    assert row["sd"] == pytest.approx(d.std * math.sqrt(neff / (neff - 1)), rel=1e-10)


def test_published_example_matches_r(ref, tmp_path):
    # 250 promoters, 675 passives, 75 detractors (jdmaturen's gist): NPS 17.5; every interval
    # from R (metrics_reference.R, nps_published: formula and prop.test)
    answers = ["10"] * 250 + ["8"] * 675 + ["3"] * 75
    path = tmp_path / "pub.csv"
    path.write_text("ltr\n" + "\n".join(answers) + "\n")
    survey = cxkit.read_survey(path, spec=SurveySpec(items=["ltr"], scale=Scale(0.0, 10.0)))
    row = nps(survey, "ltr").table.iloc[0]
    assert row["nps"] == pytest.approx(17.5)
    for key, value in ref["nps"]["published"].items():
        if key not in ("var_r", "var_a"):
            _close(row[key], value, key)
