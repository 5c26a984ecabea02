"""Results a QA sweep (2026-12) found wrong or unclear: warnings leaking to the user, "nan"
in headlines, notes giving the wrong reason, options whose message misstates the rule."""

from __future__ import annotations

import csv
import io
import json
import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_USAGE

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()
SURVEY = EXAMPLES / "centricity_survey.csv"
ROI = EXAMPLES / "roi"


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_check_headline_counts_the_failures_it_does_not_name():
    expressions = [f"gap.overall.agree_self >= {x}" for x in (0.97, 0.98, 0.99, 0.995, 0.999)]
    argv = ["check", SURVEY, "--no-config"]
    for e in expressions:
        argv += ["--fail-if", e]
    res = _run(*argv, "-f", "json")
    assert res.exit_code == 1, res.output
    headline = json.loads(res.stdout)["summary"]["headline"]
    assert headline.startswith("5 of 5 checks failed"), headline
    assert headline.endswith(" and 1 more"), headline


@pytest.mark.parametrize("command", ["gap", "metric", "drivers"])
@pytest.mark.parametrize(
    ("options", "rule"),
    [
        (["--agree", "1"], "(1, 5]: above the scale's minimum 1"),
        (["--agree", "0", "--scale", "0-10"], "(0, 10]: above the scale's minimum 0"),
        (["--agree", "6"], "(1, 5]"),
    ],
)
def test_agree_at_the_scale_minimum_states_the_real_rule(command, options, rule):
    message = one_line_error(_run(command, SURVEY, "--no-config", *options), EXIT_USAGE)
    assert f"--agree {options[1]} must lie in {rule}" in message, message
    assert "outside the scale" not in message


ROI_ARGS = ["--entity", "account_id", "--time", "quarter", "--no-config"]


@pytest.mark.parametrize(
    ("option", "extra"),
    [
        ("--control", ["--cx", "nps", "--outcome", "revenue_growth"]),
        ("--cx", ["--outcome", "revenue_growth"]),
        ("--outcome", ["--cx", "nps"]),
    ],
)
def test_a_repeated_roi_column_option_says_it_is_given_twice(option, extra):
    column = {"--control": "segment", "--cx": "nps", "--outcome": "revenue_growth"}[option]
    res = _run("roi", ROI / "accounts.csv", *ROI_ARGS, *extra, option, column, option, column)
    message = one_line_error(res, EXIT_USAGE)
    assert message == f"{option} {column!r} is given twice: name each column once"


@pytest.mark.parametrize(
    ("model", "outcome", "needs"),
    [
        ("logit", "revenue_growth", "'revenue_growth' is continuous: use --model ols"),
        ("ols", "churned", "'churned' is binary: use --model logit"),
    ],
)
def test_roi_with_no_model_that_fits_is_a_usage_error(model, outcome, needs):
    res = _run("roi", ROI / "accounts.csv", *ROI_ARGS, "--cx", "nps", "--outcome", outcome,
               "--model", model)  # fmt: skip
    message = one_line_error(res, EXIT_USAGE)
    assert message.startswith(f"--model {model} fits none of the outcomes"), message
    assert needs in message, message


def test_roi_notes_each_outcome_a_chosen_model_skips():
    both = ["--outcome", "churned", "--outcome", "revenue_growth"]
    twice = ["--model", "ols", "--model", "ols"]  # a repeat is fitted once
    res = _run("roi", ROI / "accounts.csv", *ROI_ARGS, "--cx", "nps", *both, *twice, "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [(r["outcome"], r["model"]) for r in doc["table"]] == [("revenue_growth", "ols")]
    assert "--model ols is not fitted to binary outcome 'churned'" in " ".join(doc["notes"])
    # the default, every model that applies, skips without a note
    res = _run("roi", ROI / "accounts.csv", *ROI_ARGS, "--cx", "nps", "--outcome", "churned",
               "-f", "json")  # fmt: skip
    assert "is not fitted" not in " ".join(json.loads(res.stdout)["notes"])


@pytest.mark.parametrize(
    ("command", "file", "earlier", "latest"),
    [
        ("gap", SURVEY, "2026Q2", "2026Q3"),
        ("nps", SURVEY, "2026Q2", "2026Q3"),
        ("metric", SURVEY, "2026Q2", "2026Q3"),
        ("drivers", SURVEY, "2026Q2", "2026Q3"),
        ("obstacles", EXAMPLES / "obstacles_ranked.csv", "2011", "2012"),
    ],
)
def test_compare_to_without_wave_says_which_wave_it_analysed(command, file, earlier, latest):
    note = f"analysed wave {latest} (the latest) against {earlier}; pass --wave to choose"
    res = _run(command, file, "--compare-to", earlier, "-f", "json")
    assert res.exit_code == 0, res.output
    assert note in json.loads(res.stdout)["notes"]
    res = _run(command, file, "--compare-to", earlier, "--wave", latest, "-f", "json")
    assert not any("(the latest)" in n for n in json.loads(res.stdout)["notes"])


@pytest.mark.parametrize(
    ("options", "start"),
    [([], "q1: mean 4.00 (95% CI –), top-2 box 100%"), (["--preset", "ces", "--scale", "1-7"],
     "q1: CES 4.00 of 7 (95% CI –)")],
)  # fmt: skip
def test_a_metric_headline_never_prints_nan(options, start, tmp_path):
    one = _csv(tmp_path, "one.csv", "id,q1,q2\n1,4,5\n")
    res = _run("metric", one, "--no-config", *options)
    assert res.exit_code == 0, res.output
    assert " nan" not in res.stdout.lower() and start in res.stdout, res.stdout
    res = _run("metric", one, "--no-config", *options, "-f", "json")
    assert json.loads(res.stdout)["summary"]["headline"].startswith(start)


def test_headline_numbers_show_a_missing_value_as_a_dash():
    from cxkit.result import ci_text, num_text

    two = "{:.2f}".format
    assert ci_text(float("nan"), 1.0, two, "95%") == "95% CI –"
    assert ci_text(None, None, two, "", " to ") == "CI –"
    assert ci_text(0.5, float("inf"), two, "90%") == "90% CI 0.50–∞"
    assert ci_text(1, 2, "{:.0f}".format, "95%", "–", "%") == "95% CI 1–2%"
    assert [num_text(x, two) for x in (np.nan, -np.inf, 3)] == ["–", "-∞", "3.00"]


def test_a_side_with_no_answers_makes_the_ratio_undefined_not_infinite(tmp_path):
    text = "role,q1,q2,q3\nexecutive,5,4,1\nexecutive,4,5,2\n" + "customer,3,,1\n" * 3
    res = _run("gap", _csv(tmp_path, "s.csv", text), "--no-config", "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    q2 = next(r for r in doc["table"] if r["item"] == "q2")
    assert q2["n_customer"] == 0 and q2["agree_ratio"] is None
    notes = doc["notes"]
    assert "1 rows have no answers from customers (nobody answered), so agree_ratio is " \
        "undefined, not infinite: q2" in notes  # fmt: skip
    assert "2 rows have no agreement in either group (0 / 0), so agree_ratio is undefined: " \
        "q3; Overall" in notes  # fmt: skip
    assert not any("infinite and" in n and "q2" in n for n in notes), notes
    ratio, lo, hi = stats_katz(2, 2, 0, 0)
    assert np.isnan(ratio) and np.isnan(lo) and np.isnan(hi)


def stats_katz(*counts):
    from cxkit import stats

    return stats.katz_ratio_interval(*counts)


def test_by_role_cells_without_customers_get_the_no_answers_wording():
    res = _run("gap", SURVEY, "--by", "role", "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    notes = doc["notes"]
    assert not any("agree_ratio is infinite" in n for n in notes), notes
    n_empty = sum(r["n_customer"] == 0 for r in doc["table"])
    assert n_empty > 6
    cust = next(n for n in notes if "no answers from customers" in n)
    assert cust.startswith(f"{n_empty} rows") and cust.endswith(f"and {n_empty - 6} more")
    assert "[role=Employee]" in cust
    n_no_self = sum(r["n_self"] == 0 for r in doc["table"])
    assert any(n.startswith(f"{n_no_self} rows have no answers from self-raters") for n in notes)


HUGE_WEIGHTS = (
    "id,role,w,q1,q2\n1,executive,1e9,5,4\n2,executive,1e-9,1,1\n3,executive,1e-9,2,1\n"
    "4,customer,1e-9,5,5\n5,customer,1e9,2,1\n6,customer,1e-9,4,4\n7,customer,1e-9,5,5\n"
)


def test_extreme_weights_give_no_warning_and_a_readable_ratio(tmp_path):
    path = _csv(tmp_path, "hugew.csv", HUGE_WEIGHTS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = _run("gap", path, "--no-config", "--weight", "w")
        doc = json.loads(_run("gap", path, "--no-config", "--weight", "w", "-f", "json").stdout)
    assert res.exit_code == 0, res.output
    assert not caught, [str(w.message) for w in caught]
    assert "Warning" not in res.stderr
    headline = doc["summary"]["headline"]
    assert ": 3.3e+17× as many (95% CI 0.0–∞)" in headline, headline
    assert "3.3e+17×" in res.stdout and "333333" not in res.stdout


def test_csv_writes_an_infinite_value_as_blank_as_json_writes_null(tmp_path):
    path = _csv(tmp_path, "s.csv", "role,q1\n" + "executive,5\n" * 3 + "customer,4\n" * 3)
    rows = json.loads(_run("gap", path, "--no-config", "--agree", "5", "-f", "json").stdout)
    text = _run("gap", path, "--no-config", "--agree", "5", "-f", "csv").stdout
    table = list(csv.DictReader(io.StringIO(text)))
    assert "inf" not in text
    for row, want in zip(table, rows["table"], strict=True):
        for col in ("agree_ratio", "agree_ratio_ci_low", "agree_ratio_ci_high"):
            assert want[col] is None and row[col] == ""


def test_everyone_agreeing_on_both_sides_gets_a_ratio_interval_of_some_width(tmp_path):
    from statsmodels.stats.proportion import confint_proportions_2indep

    text = "role,q1\n" + "executive,5\n" * 3 + "customer,5\n" * 4
    doc = json.loads(_run("gap", _csv(tmp_path, "s.csv", text), "--no-config", "-f", "json").stdout)
    row = doc["table"][0]
    # the Katz log interval of the table with 0.5 added to each cell (Haldane-Anscombe)
    want = confint_proportions_2indep(3.5, 4, 4.5, 5, compare="ratio", method="log")
    assert row["agree_ratio"] == 1.0
    assert (row["agree_ratio_ci_low"], row["agree_ratio_ci_high"]) == pytest.approx(want)
    assert row["agree_ratio_ci_low"] < 1 < row["agree_ratio_ci_high"]
    assert any("everyone agreeing in both groups" in n and n.endswith(": q1; Overall")
               for n in doc["notes"]), doc["notes"]  # fmt: skip
    assert "Haldane-Anscombe" in doc["provenance"]["methods"]["agree_ratio_ci"]


def test_the_all_agree_fix_leaves_every_other_ratio_interval_alone():
    from cxkit import stats

    n = np.arange(1, 41, dtype=float)
    k1, n1 = np.meshgrid(n, n)  # every k <= n of 1..40 in group 1 ...
    keep = k1 <= n1
    k1, n1 = k1[keep], n1[keep]
    for k2, n2 in ((7.0, 9.0), (9.0, 9.0), (1.0, 30.0)):  # ... against a few of group 2
        plain = stats.katz_ratio_interval(k1, n1, k2, n2)
        fixed = stats.katz_ratio_interval(k1, n1, k2, n2, all_agree_fix=True)
        changed = ~np.isclose(plain[1], fixed[1]) | ~np.isclose(plain[2], fixed[2])
        assert np.array_equal(changed, (k1 == n1) & (k2 == n2))
        assert np.array_equal(plain[0], fixed[0])
