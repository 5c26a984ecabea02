"""Python API and report-config bugs a QA sweep turned up: a name given as one string was
split into characters, bad arguments raised plain Python exceptions, the API and the CLI
differed by one ULP, one-respondent rank columns read as multi-select, and `[report]` keys
naming nothing skipped a section with exit 0."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import cxkit
from cxkit.cli import app
from cxkit.errors import EXIT_INPUT, UsageError

from .conftest import EXAMPLES, one_line_error

SURVEY = EXAMPLES / "centricity_survey.csv"
ACCOUNTS = EXAMPLES / "roi" / "accounts.csv"
OBSTACLES = EXAMPLES / "obstacles_ranked.csv"
runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def survey():
    return cxkit.read_survey(SURVEY)


@pytest.fixture(scope="module")
def panel():
    spec = cxkit.AccountSpec(
        cx=["nps"], outcomes=["revenue_growth"], entity="account_id", time="quarter"
    )
    return cxkit.read_accounts(ACCOUNTS, spec)


@pytest.fixture(scope="module")
def raw():
    return cxkit.read_table(OBSTACLES)


# --- 1. one string is one name, not its characters ---------------------------------------


def test_gap_by_as_a_string_is_one_column(survey):
    assert cxkit.gap(survey, by="region").table.equals(cxkit.gap(survey, by=["region"]).table)


def test_items_and_roles_as_a_string_are_one_name(survey):
    one = cxkit.metric(survey, "sa_1", roles="customer")
    listed = cxkit.metric(survey, ["sa_1"], roles=["customer"])
    assert one.table.equals(listed.table)
    assert cxkit.gap(survey, items="sa_1").table["item"].dropna().tolist() == ["sa_1"]


def test_account_spec_takes_one_column_as_a_string():
    spec = cxkit.AccountSpec(
        cx="nps", outcomes="revenue_growth", entity="account_id", time="quarter", controls="segment"
    )
    panel = cxkit.read_accounts(ACCOUNTS, spec)
    assert list(panel.cx) == ["nps"] and list(panel.outcomes) == ["revenue_growth"]
    assert list(panel.controls) == ["segment"]


def test_roi_models_and_lags_take_a_single_value(panel):
    one = cxkit.roi(panel, models="ols", lags=1)
    listed = cxkit.roi(panel, models=["ols"], lags=[1])
    assert one.table.equals(listed.table)


def test_survey_spec_takes_one_item_as_a_string():
    spec = cxkit.SurveySpec(items="sa_1", by="region")
    assert cxkit.read_survey(SURVEY, spec=spec).items == ["sa_1"]


def test_obstacles_columns_by_and_top_take_a_single_value(raw):
    one = cxkit.obstacles(raw, columns="obstacle_*", by=["wave"], top=2, bootstrap=0)
    listed = cxkit.obstacles(raw, columns=["obstacle_*"], by="wave", top=[2], bootstrap=0)
    assert one.table.equals(listed.table)
    with pytest.raises(UsageError, match="groups by one column"):
        cxkit.obstacles(raw, by=["wave", "respondent_id"], bootstrap=0)


# --- 2. bad arguments are usage errors that say what to pass -------------------------------


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (lambda s, p, r: cxkit.gap(str(SURVEY)), "gap() takes a Survey from cxkit.read_survey"),
        (lambda s, p, r: cxkit.gap(s.frame), "not DataFrame"),
        (lambda s, p, r: cxkit.metric(r), "metric() takes a Survey"),
        (lambda s, p, r: cxkit.obstacles(str(OBSTACLES)), "takes a table from cxkit.read_table"),
        (lambda s, p, r: cxkit.obstacles(s), "not Survey"),
        (lambda s, p, r: cxkit.roi(s), "roi() takes a Panel"),
        (lambda s, p, r: cxkit.gap(s, confidence="0.9"), "confidence must be a number"),
        (lambda s, p, r: cxkit.gap(s, by=3), "by takes a name or a list of names"),
        (lambda s, p, r: cxkit.roi(p, seed=-1), "--seed must be 0 or more"),
        (lambda s, p, r: cxkit.obstacles(r, seed=-1), "--seed must be 0 or more"),
        (lambda s, p, r: cxkit.roi(p, lags="1"), "lags takes a whole number"),
        (lambda s, p, r: cxkit.read_survey(s.frame), "read_survey() takes path as a file path"),
        # 6. checked at the entry point, as the CLI checks --ranks
        (lambda s, p, r: cxkit.gap(s, small_base=-1), "small_base must be"),
        (lambda s, p, r: cxkit.obstacles(r, ranks=0), "--ranks must be 1 or more"),
    ],
)
def test_bad_api_arguments_are_usage_errors(survey, panel, raw, call, text):
    with pytest.raises(UsageError) as info:
        call(survey, panel, raw)
    assert text in str(info.value)


def test_gap_by_none_is_no_breakdown(survey):
    assert cxkit.gap(survey, by=None).table.equals(cxkit.gap(survey).table)


def test_survey_repr_is_one_short_line(survey):
    text = repr(survey)
    assert len(text) < 400 and "\n" not in text
    assert "1000 rows" in text and "20 items" in text and "weight 'weight'" in text


# --- 4. rank columns in which every respondent gave the same order -------------------------


@pytest.mark.parametrize("rows", [1, 3], ids=["one-respondent", "same-order"])
def test_rank_columns_with_one_value_each_stay_ranked(tmp_path, rows):
    path = tmp_path / "obs.csv"
    path.write_text(
        "id,obstacle_1,obstacle_2\n" + "".join(f"R{i},Budget,Silos\n" for i in range(rows))
    )
    res = _run("obstacles", path, "--bootstrap", "0", "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["provenance"]["parameters"]["layout"] == "rank-columns"
    assert not any("multi-select" in n for n in doc["notes"])
    top1 = {r["obstacle"]: r["share_top1"] for r in doc["table"]}
    assert top1 == {"Budget": 1.0, "Silos": 0.0}


def test_one_column_per_option_is_still_multi_select(tmp_path):
    # named by option, or numbered but a row skips a column: picks, not ranks
    path = tmp_path / "obs.csv"
    path.write_text("id,obstacle_1,obstacle_2\nR1,Budget,Silos\nR2,,Silos\nR3,Budget,\n")
    res = _run("obstacles", path, "--bootstrap", "0", "-f", "json")
    assert json.loads(res.stdout)["provenance"]["parameters"]["layout"] == "multi-select"


# --- 5. [report] keys naming what does not exist stop the report -------------------------


@pytest.mark.parametrize(
    ("keys", "text"),
    [
        ('trend_metric = "bogus"', "report.trend_metric: 'bogus' is not a trend metric"),
        ('nps = "nope"', "report.nps = 'nope': "),
        ('segment = "nope"', "report.segment = 'nope': "),
        ('obstacles = "nope.csv"', "report.obstacles: "),
        ('obstacles = "obs.csv"\nobstacles_by = "nope"', "report.obstacles_by = 'nope': "),
        (
            'finance = "accounts.csv"\ncx = ["nps"]\noutcome = ["revenue_growth"]\nentity = "acct"',
            "report.entity = 'acct': ",
        ),
    ],
    ids=["trend_metric", "nps", "segment", "obstacles", "obstacles_by", "entity"],
)
def test_report_keys_naming_nothing_are_input_errors(tmp_path, keys, text):
    import shutil

    shutil.copy(SURVEY, tmp_path / "survey.csv")
    shutil.copy(OBSTACLES, tmp_path / "obs.csv")
    shutil.copy(ACCOUNTS, tmp_path / "accounts.csv")
    config = (EXAMPLES / "cxkit.toml").read_text()
    (tmp_path / "cxkit.toml").write_text(f"{config}\n[report]\n{keys}\n")
    out = tmp_path / "r.html"
    res = _run("report", tmp_path / "survey.csv", "--bootstrap", "100", "-o", out)
    message = one_line_error(res, EXIT_INPUT)
    assert text in message and "cxkit.toml" in message, message
    if "=" in text:  # a missing column: the message names the file that lacks it
        assert ".csv has no such column" in message, message
    assert not out.exists()
