"""cxkit check: the expression grammar, the example drops, JUnit and GitHub output."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from typer.testing import CliRunner

import cxkit
from cxkit import stats
from cxkit.cli import app
from cxkit.errors import UsageError
from cxkit.expr import parse
from cxkit.waves import order_waves

from .conftest import EXAMPLES

runner = CliRunner()
DROPS = EXAMPLES / "drops"


def check(*args):
    return runner.invoke(app, ["check", *map(str, args)])


def test_good_quarters_pass():
    res = check(DROPS / "2026Q1.csv", DROPS / "2026Q2.csv")
    assert res.exit_code == 0, res.output
    assert "all 10 checks passed" in res.stdout


def test_planted_emea_drop_fails_with_a_readable_reason():
    res = check(DROPS / "2026Q2.csv", DROPS / "2026Q3.csv", "-f", "json")
    assert res.exit_code == 1, res.output
    rows = {r["check"]: r for r in json.loads(res.stdout)["table"]}
    emea = rows["EMEA customer agreement did not fall"]
    assert emea["status"] == "fail"
    assert "significant change since the previous wave; region=EMEA" in emea["reason"]
    assert emea["value"] < 0 and emea["ci_high"] < 0 and emea["p_adj"] < 0.05
    assert rows["AMER customer agreement did not fall"]["status"] == "pass"
    nps = rows["EMEA NPS did not fall"]
    assert nps["status"] == "fail" and nps["value"] < -20 and nps["ci_high"] < 0


def test_change_check_numbers_match_statsmodels():
    # the change in EMEA customers' overall agreement, recomputed from each wave's gap result
    # with statsmodels' Newcombe interval and pooled z-test, then Holm across both checks
    def emea(drop):
        survey = cxkit.read_survey(drop, spec=cxkit.SurveySpec(by=("region",)))
        t = cxkit.gap(survey, by=["region"]).table
        return t[(t["region"] == "EMEA") & (t["level"] == "overall")].iloc[0]

    def amer(drop):
        survey = cxkit.read_survey(drop, spec=cxkit.SurveySpec(by=("region",)))
        t = cxkit.gap(survey, by=["region"]).table
        return t[(t["region"] == "AMER") & (t["level"] == "overall")].iloc[0]

    res = check(DROPS / "2026Q2.csv", DROPS / "2026Q3.csv", "-f", "json")
    rows = {r["check"]: r for r in json.loads(res.stdout)["table"]}
    p_raw = []
    for name, pick in (("EMEA", emea), ("AMER", amer)):
        a, b = pick(DROPS / "2026Q2.csv"), pick(DROPS / "2026Q3.csv")
        k1, n1 = round(b["agree_customer"] * b["n_customer"]), b["n_customer"]
        k0, n0 = round(a["agree_customer"] * a["n_customer"]), a["n_customer"]
        lo, hi = confint_proportions_2indep(k1, n1, k0, n0, compare="diff", method="newcomb")
        p = proportions_ztest([k1, k0], [n1, n0])[1]
        p_raw.append(p)
        row = rows[f"{name} customer agreement did not fall"]
        assert row["ci_low"] == pytest.approx(lo, rel=1e-9)
        assert row["ci_high"] == pytest.approx(hi, rel=1e-9)
        assert row["p_value"] == pytest.approx(p, rel=1e-9)
    adj = multipletests(p_raw, method="holm")[1]
    assert rows["EMEA customer agreement did not fall"]["p_adj"] == pytest.approx(adj[0])


def test_broken_drop_fails_data_checks_and_skips_statistics(tmp_path):
    xml_path = tmp_path / "checks.xml"
    res = check(
        DROPS / "2026Q3.csv", DROPS / "2026Q4_broken.csv", "--junit", xml_path, "-f", "json"
    )
    assert res.exit_code == 1, res.output
    reasons = {r["check"]: r["reason"] for r in json.loads(res.stdout)["table"]}
    assert "column(s) disappeared: 'region' (renamed to 'Region'?)" in reasons["drift"]
    assert "new answer label(s) in 'ci_2': 'Sorta agree'" in reasons["drift"]
    root = ET.parse(xml_path).getroot()
    suite = root.find("testsuite")
    assert suite.get("tests") == "10" and int(suite.get("failures")) >= 3
    names = {c.get("name"): c for c in suite.iter("testcase")}
    assert names["drift"].find("failure") is not None
    assert names["unique ids"].find("failure") is None
    assert names["EMEA customer agreement did not fall"].find("skipped") is not None


def test_folder_argument_checks_the_last_drop_in_wave_order():
    res = check(DROPS, "-f", "json")
    assert res.exit_code == 1
    assert json.loads(res.stdout)["summary"]["drop"].endswith("2026Q4_broken.csv")


def test_fail_if_without_config_and_github_annotations(example_csv):
    res = check(example_csv, "--no-config", "--fail-if", "gap.overall.agree_ratio <= 2", "--github")
    assert res.exit_code == 1
    assert "::error title=cxkit check%3A gap.overall.agree_ratio <= 2::agree_ratio is not" in (
        res.stdout
    )


def test_fail_if_every_pillar_and_breakdown(example_csv):
    res = check(
        example_csv,
        "--fail-if",
        "gap.pillar.agree_customer >= 0.10",
        "--fail-if",
        "gap[region=EMEA].item[ci_2].agree_self >= 50%",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["table"]
    assert rows[0]["reason"] == "agree_customer >= 0.1 in all 5 row(s)"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("__import__('os').system('ls') > 1", "the path must end in a column"),
        ("gap.overall.agree_ratio > 3; rm -rf /", "unexpected ';'"),
        ("gap.overall.agree_ratio > exit()", "expected a number"),
        ("gap.overall.agree_ratio", "expected one of"),
        ("lambda: 1 > 0", "the path must end in a column"),
        ("gap.overall.agree_ratio >= 1 or 1", "unexpected 'o'"),
        ("gap.overall.agree_ratio >= [1]", "expected a number"),
        ("gap[region='EMEA].overall.agree_gap < 1", "unclosed quote"),
        ("x" * 600 + " > 1", "longer than 500"),
        (
            "nosuch.overall.x > 1",
            "unknown analysis 'nosuch' in a check; valid: drivers, gap, metric, nps, obstacles",
        ),
        ("gap.overall.agree_rati > 1", "gap has no column 'agree_rati'; valid: n_self"),
        ("gap.pilar.agree_self > 1", "gap has no level 'pilar'; valid: item, pillar, overall"),
        ("gap.item[zz_9].agree_self > 1", "gap has no item 'zz_9'; valid: sa_1"),
    ],
)
def test_expressions_outside_the_grammar_are_usage_errors(expression, message, example_csv):
    res = check(example_csv, "--fail-if", expression)
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_grammar_parses_percent_quotes_and_filters():
    e = parse("gap['region'=\"EMEA, North\"].pillar[ci].agree_gap != 12.5%")
    assert e.path.filters == (("'region'", "EMEA, North"),) or e.path.filters[0][1] == "EMEA, North"
    assert e.limit == 0.125 and e.op == "!="
    assert e.holds(0.2) and not e.holds(float("nan"))
    with pytest.raises(UsageError):
        parse("gap.overall.agree_ratio <> 3")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[[check]]\nexpr = 3\n", "check[1].expr: must be a string"),
        ("[[check]]\nmin_responses = 0\n", "check[1].min_responses: must be a whole number"),
        ("[[check]]\nfoo = 1\n", "check[1].foo: unknown key"),
        ("[[check]]\nname = 'x'\n", "check[1]: give exactly one of"),
        ("[[check]]\ndrift = false\n", "check[1].drift: must be true"),
        (
            "[[check]]\nchange = 'gap.overall.agree_self'\ndirection = 'down'\n",
            "check[1].direction: must be decrease, increase or any",
        ),
        (
            "[checks]\nadjust = 'bonferroni'\n[[check]]\nexpr = 'gap.overall.agree_self > 0'\n",
            "checks.adjust: must be 'holm' or 'bh'",
        ),
    ],
)
def test_check_config_errors_name_the_key(toml, message, tmp_path, example_csv):
    cfg = tmp_path / "c.toml"
    cfg.write_text(toml)
    res = check(example_csv, "--config", cfg)
    assert res.exit_code == 3, res.output
    assert message in res.stderr


def test_drift_and_change_need_two_drops(example_csv, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[[check]]\ndrift = true\n")
    res = check(example_csv, "--config", cfg)
    assert res.exit_code == 2 and "compare two drops" in res.stderr


def test_no_checks_runs_the_default_data_check(example_csv, tmp_path):
    res = check(example_csv, "--no-config", "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [r["check"] for r in doc["table"]] == ["valid answers"]
    assert "no checks configured" in doc["notes"][0]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "role,q1,q2\nexecutive,4,5\ncustomer,5,Sorta agree\ncustomer,4,4\n"
        "customer,4,3\ncustomer,4,2\n"
    )
    res = check(bad, "--no-config")
    assert res.exit_code == 1 and "'Sorta agree'" in res.stdout


def test_benjamini_hochberg_matches_statsmodels():
    p = np.random.default_rng(4).uniform(0, 0.3, 30)
    assert stats.benjamini_hochberg(p) == pytest.approx(multipletests(p, method="fdr_bh")[1])


def test_quarters_sort_in_time():
    assert order_waves(["Q1 2027", "2026Q3", "2026-Q4", "2025Q4"]) == [
        "2025Q4",
        "2026Q3",
        "2026-Q4",
        "Q1 2027",
    ]


def test_drop_generator_reproduces_the_bundled_files(tmp_path):
    import shutil
    import subprocess
    import sys

    shutil.copy(EXAMPLES / "make_drops.py", tmp_path / "make_drops.py")
    subprocess.run([sys.executable, str(tmp_path / "make_drops.py")], check=True)
    for f in sorted(DROPS.iterdir()):
        assert (tmp_path / "drops" / f.name).read_bytes() == f.read_bytes(), f.name


def test_nps_change_check_matches_a_hand_computation():
    # NPS and its SE by the formula (Reichheld recode; Var = pP + pD - (pP - pD)^2), computed
    # here with pandas from the raw drops; change SE = root sum of squares; two-sided z-test.
    import pandas as pd
    from scipy.stats import norm

    def emea_nps(name):
        d = pd.read_csv(DROPS / name)
        x = d.loc[(d["region"] == "EMEA") & (d["role"] == "customer"), "nps"].dropna()
        p, q = (x >= 9).mean(), (x <= 6).mean()
        return 100 * (p - q), 100 * np.sqrt((p + q - (p - q) ** 2) / len(x))

    (n0, s0), (n1, s1) = emea_nps("2026Q2.csv"), emea_nps("2026Q3.csv")
    change, se = n1 - n0, np.hypot(s0, s1)
    res = check(DROPS / "2026Q2.csv", DROPS / "2026Q3.csv", "-f", "json")
    row = {r["check"]: r for r in json.loads(res.stdout)["table"]}["EMEA NPS did not fall"]
    assert row["value"] == pytest.approx(change, rel=1e-12)
    assert row["ci_low"] == pytest.approx(change - norm.ppf(0.975) * se, rel=1e-9)
    assert row["p_value"] == pytest.approx(2 * norm.sf(abs(change / se)), rel=1e-6)


def test_roi_and_metric_results_are_addressable(example_csv, tmp_path):
    cfg = tmp_path / "roi.toml"
    cfg.write_text('[report]\nentity = "account_id"\ntime = "quarter"\ncx_range = [-100, 100]\n')
    accounts = EXAMPLES / "roi" / "accounts.csv"
    res = check(
        accounts,
        "--config",
        cfg,
        "--fail-if",
        "roi[cx=nps, outcome=revenue_growth, lag=1, model=ols].per_10 >= 0.02",
        "-f",
        "json",
    )
    assert res.exit_code == 1, res.output
    row = json.loads(res.stdout)["table"][0]
    direct = runner.invoke(
        app,
        [
            "roi",
            str(accounts),
            "--cx",
            "nps",
            "--outcome",
            "revenue_growth",
            "--entity",
            "account_id",
            "--time",
            "quarter",
            "--lag",
            "1",
            "--model",
            "ols",
            "--config",
            str(cfg),
            "-f",
            "json",
        ],
    )
    assert row["value"] == pytest.approx(json.loads(direct.stdout)["table"][0]["per_10"])
    res = check(accounts, "--config", cfg, "--fail-if", "roi[outcome=churned].estimate < 0")
    assert res.exit_code == 2 and "roi paths name the CX score and the outcome" in res.stderr
    res = check(example_csv, "--fail-if", "metric.item[ci_2].top2_box >= 0.2", "-f", "json")
    assert res.exit_code == 0, res.output


def test_drivers_results_are_addressable():
    survey = EXAMPLES / "drivers" / "drivers_survey.csv"
    res = check(
        survey,
        "--fail-if",
        "drivers[fix_first_time].importance_rank <= 1",
        "--fail-if",
        "drivers[outcome=ltr, friendly].importance >= 0.5",
        "-f",
        "json",
    )
    assert res.exit_code == 1, res.output
    rows = json.loads(res.stdout)["table"]
    assert [r["status"] for r in rows] == ["pass", "fail"]  # the planted driver ranks first
    direct = json.loads(runner.invoke(app, ["drivers", str(survey), "-f", "json"]).stdout)
    friendly = next(r for r in direct["table"] if r["driver"] == "friendly")
    assert rows[1]["value"] == pytest.approx(friendly["importance"])


def test_max_missing_share_counts_blank_and_coded_answers(tmp_path):
    """By hand: item a lacks 1 of 4 answers (25%), item b 3 of 4 (a blank and 99, a
    missing code, count alike: 75%)."""
    src = tmp_path / "s.csv"
    src.write_text("role,a,b\ncustomer,1,\ncustomer,,99\nexecutive,3,\ncustomer,4,5\n")
    cfg = tmp_path / "cxkit.toml"
    cfg.write_text(
        '[answers]\nmissing = ["99"]\n\n[[check]]\nmax_missing_share = 0.5\n\n'
        '[[check]]\nmax_missing_share = 0.5\nitems = ["a"]\n'
    )
    res = check(src, "--config", cfg, "-f", "json")
    assert res.exit_code == 1, res.output
    every, only_a = json.loads(res.stdout)["table"]
    assert (every["status"], every["value"]) == ("fail", 0.75)
    assert every["reason"] == "1 item(s) missing more than 50%: b 75%"
    assert (only_a["status"], only_a["value"]) == ("pass", 0.25)


def test_each_drop_is_read_whole_once_for_the_data_checks_and_nps(monkeypatch):
    """The data checks and each nps check of a drop share one whole read of it (the nps
    change check reads both drops): on a 600,000-row drop an extra read cost 0.3 s."""
    import cxkit.checks
    import cxkit.columns

    whole: list[str] = []

    def counting(real):
        def read(path, **kw):
            if not kw.get("typed") and kw.get("columns") is None:
                whole.append(str(path))
            return real(path, **kw)

        return read

    for module in (cxkit.checks, cxkit.columns):
        monkeypatch.setattr(module, "read_table", counting(module.read_table))
    res = check(DROPS / "2026Q1.csv", DROPS / "2026Q2.csv", "-f", "json")
    assert res.exit_code == 0, res.output
    rows = {r["check"]: r for r in json.loads(res.stdout)["table"]}
    assert rows["EMEA NPS did not fall"]["status"] == "pass"
    assert sorted(whole) == sorted([str(DROPS / "2026Q1.csv"), str(DROPS / "2026Q2.csv")])


def test_each_drop_is_read_once_for_every_check_that_needs_its_survey(monkeypatch):
    """The data checks (valid answers, missing shares) and each gap or metric check of a
    drop share one read of it per set of breakdown columns: on a 1M-row file every extra
    read cost about 0.3 s."""
    import cxkit.survey

    real = cxkit.survey.read_survey
    reads: list[tuple[str, str]] = []

    def counting(path=None, **kw):
        spec = kw.get("spec") or cxkit.SurveySpec()
        reads.append((str(path), repr(spec)))
        return real(path, **kw)

    monkeypatch.setattr(cxkit.survey, "read_survey", counting)
    res = check(DROPS / "2026Q1.csv", DROPS / "2026Q2.csv", "-f", "json")
    assert res.exit_code == 0, res.output
    assert len(reads) == len(set(reads)), reads
    # the plain survey of the current drop served valid_answers, max_missing_share and
    # the gap.overall threshold
    assert reads.count((str(DROPS / "2026Q2.csv"), repr(cxkit.SurveySpec()))) == 1
