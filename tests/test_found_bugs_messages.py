"""Error messages a QA sweep turned up that named the wrong cell, the wrong option or took
the wrong form: each now names what the user typed, as one line with the documented code."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_INPUT, EXIT_USAGE, MAX_BY_GROUPS

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()
SURVEY = EXAMPLES / "centricity_survey.csv"


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_nps_labels_with_an_unknown_label_name_that_label_and_its_row(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("id,nps\n1,Promoter\n2,passive\n3,Detractor\n4,Promoter\n5,Maybe\n6,Passive\n")
    message = one_line_error(_run("nps", path, "--no-config"), EXIT_INPUT)
    assert "data row 5: 'Maybe' is neither a number nor a known answer label" in message, message
    assert "'promoter'" in message


def test_nps_differences_of_every_pair_come_from_one_vectorised_call():
    import numpy as np

    from cxkit.nps import nps_difference

    a = {"promoters": np.array([0.5, 0.2, 1.0]), "detractors": np.array([0.2, 0.6, 0.0])}
    b = {"promoters": np.array([0.3, 0.2, 1.0]), "detractors": np.array([0.3, 0.1, 0.0])}
    a["neff"], b["neff"] = np.array([100.0, 12.5, 3.0]), np.array([80.0, 0.0, 4.0])
    together = nps_difference(a, b)
    for i in range(3):
        one = nps_difference({k: v[i] for k, v in a.items()}, {k: v[i] for k, v in b.items()})
        np.testing.assert_array_equal([v[i] for v in together], one)
    diff, se, *_, p = together
    assert diff[0] == 30.0 and round(float(se[0]), 6) == 11.661904
    assert np.isnan(se[1]) and np.isnan(p[1])  # a group with no base: no interval, no test
    assert se[2] == 0 and np.isnan(p[2])  # all promoters on both sides: nothing to test


def _parquet(tmp_path):
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    path = tmp_path / "survey.parquet"
    pq.write_table(pv.read_csv(SURVEY), path)
    return path


TOO_MANY = "--by 'weight' has 467 distinct values, more than the 200 groups a breakdown"
RAISE = "or raise the limit with --max-groups 467"


@pytest.mark.parametrize("command", ["gap", "metric", "nps", "gap --stream"])
def test_a_by_column_of_too_many_values_is_a_usage_error(command, tmp_path):
    data = _parquet(tmp_path) if "--stream" in command else SURVEY
    out = tmp_path / "out.json"
    res = _run(*command.split(), data, "--by", "weight", "-o", out)
    message = one_line_error(res, EXIT_USAGE)
    assert message.startswith(TOO_MANY) and "pick a categorical column" in message, message
    assert message.endswith(RAISE), message
    assert not out.exists()
    # the limit is the user's to raise: the same run goes through
    res = _run(*command.split(), data, "--by", "weight", "-o", out, "--max-groups", "467")
    assert res.exit_code == 0, res.output
    assert out.exists()


def test_obstacles_by_a_column_of_too_many_values_is_a_usage_error():
    res = _run(
        "obstacles", EXAMPLES / "obstacles_ranked.csv", "--by", "respondent_id", "--bootstrap", "0"
    )
    message = one_line_error(res, EXIT_USAGE)
    assert message.startswith("--by 'respondent_id' has 751 distinct values, more than"), message


def test_streamed_batches_are_checked_together_for_too_many_groups(tmp_path):
    from cxkit.errors import UsageError
    from cxkit.stream import stream_gap
    from cxkit.survey import SurveySpec

    spec = SurveySpec(by=("weight",))
    with pytest.raises(UsageError, match=r"--by 'weight' has 2[0-9][0-9] distinct values"):
        stream_gap(_parquet(tmp_path), spec=spec, by=["weight"], batch_rows=100)


def test_the_limit_is_200_groups(tmp_path):
    def stores(k):
        path = tmp_path / f"stores{k}.csv"
        lines = [f"{i},store{i % k:03d},{i % 11}" for i in range(2 * k)]
        path.write_text("id,store,nps\n" + "\n".join(lines) + "\n")
        return path

    res = _run("nps", stores(MAX_BY_GROUPS + 1), "--by", "store", "-f", "csv")
    assert one_line_error(res, EXIT_USAGE).startswith("--by 'store' has 201 distinct values")
    res = _run("nps", stores(MAX_BY_GROUPS + 1), "--by", "store", "--max-groups", "201")
    assert res.exit_code == 0, res.output
    res = _run("gap", SURVEY, "--by", "region", "--max-groups", "2")
    assert "has 3 distinct values, more than the 2 groups" in one_line_error(res, EXIT_USAGE)
    res = _run("nps", stores(MAX_BY_GROUPS), "--by", "store", "-f", "csv")
    assert res.exit_code == 0, res.output
    n_pairs = MAX_BY_GROUPS * (MAX_BY_GROUPS - 1) // 2
    assert len(res.stdout.strip().splitlines()) == 1 + 1 + MAX_BY_GROUPS + n_pairs


ROI = EXAMPLES / "roi"
ROI_SURVEY = [
    "roi", "--survey", ROI / "responses.csv", "--finance", ROI / "finance.csv",
    "--config", ROI / "cxkit.toml", "--key", "account_id", "--time", "quarter",
]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (["drivers", SURVEY, "--outcome-scale", "5-1"], EXIT_USAGE, "--outcome-scale '5-1': "),
        (
            ["drivers", SURVEY, "--outcome", "sa_1", "--outcome-scale", "0-3"],
            EXIT_INPUT,
            "or set the scale with --outcome-scale",
        ),
        (["metric", SURVEY, "--item", "nope"], EXIT_INPUT, "no column matches --item 'nope'"),
        (["drivers", SURVEY, "--drivers", "nope"], EXIT_INPUT, "no column matches --drivers"),
        ([*ROI_SURVEY, "--cx", "mean:nope", "--outcome", "churned"], EXIT_INPUT, "--cx 'nope'"),
    ],
    ids=["outcome-scale", "outcome-off-scale", "metric-item", "drivers", "roi-cx"],
)
def test_an_error_names_the_option_as_the_command_spells_it(argv, code, says):
    message = one_line_error(_run(*argv), code)
    assert says in message and "--items" not in message and " --scale" not in message, message


def test_an_nps_answer_off_0_10_does_not_point_to_a_scale_option_nps_lacks(tmp_path):
    path = tmp_path / "nps.csv"
    path.write_text("id,nps\n1,10\n2,11\n3,4\n")
    message = one_line_error(_run("nps", path), EXIT_INPUT)
    assert "data row 2: '11' is outside the scale 0-10" in message, message
    assert "--scale" not in message and "[scale]" not in message, message


def test_winsorize_0_caps_nothing_and_the_range_is_stated_exactly():
    argv = [*ROI_SURVEY, "--cx", "mean:ci_1", "--outcome", "revenue_growth", "-f", "csv"]
    plain = _run(*argv)
    zero = _run(*argv, "--winsorize", "0")
    assert zero.exit_code == 0, zero.output
    assert zero.stdout == plain.stdout and zero.stderr == plain.stderr
    message = one_line_error(_run(*argv, "--winsorize", "0.5"), EXIT_USAGE)
    assert (
        message
        == "--winsorize must be 0 or more and below 0.5 (e.g. 0.01; 0 caps nothing), not 0.5"
    )


def test_obstacles_an_unknown_column_in_an_option_is_an_input_error():
    # as gap, metric and nps do for --by, --items and --col: the file lacks a named column
    for option in ("--by", "--columns"):
        res = _run("obstacles", EXAMPLES / "obstacles_ranked.csv", option, "nope")
        assert "'nope'" in one_line_error(res, EXIT_INPUT)


def test_obstacles_columns_from_the_config_are_named_as_such(tmp_path):
    config = tmp_path / "cxkit.toml"
    config.write_text('[obstacles]\ncolumns = ["Q9_*"]\n')
    res = _run("obstacles", EXAMPLES / "obstacles_ranked.csv", "--config", config)
    assert one_line_error(res, EXIT_INPUT).startswith("obstacles.columns 'Q9_*' matches no column")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nps"], "Missing argument 'file'; try 'cxkit nps --help'"),
        (
            ["nps", "x.csv", "--confidence", "abc"],
            "Invalid value for '--confidence': 'abc' is not a valid float; try 'cxkit nps --help'",
        ),
        (["gap", "x.csv", "--bogus"], "No such option: --bogus; try 'cxkit gap --help'"),
        (["--bogus"], "No such option: --bogus; try 'cxkit --help'"),
        (["bogus"], "No such command 'bogus'; try 'cxkit --help'"),
        (["gpa"], "No such command 'gpa'. Did you mean 'gap'? Try 'cxkit --help'"),
        (["nps", "x.csv", "--by"], "Option '--by' requires an argument"),
    ],
    ids=[
        "missing-argument",
        "bad-float",
        "unknown-option",
        "root-option",
        "command",
        "typo",
        "no-value",
    ],
)
def test_click_usage_errors_are_one_cxkit_line(argv, message):
    res = _run(*argv)
    assert one_line_error(res, EXIT_USAGE) == message
    assert "Usage:" not in res.output


def test_help_is_still_click_help_beside_one_line_usage_errors():
    assert one_line_error(_run("metric"), EXIT_USAGE).startswith("Missing argument")
    for argv in (["--help"], ["metric", "--help"]):
        res = _run(*argv)
        assert res.exit_code == 0 and res.stdout.startswith("Usage: ") and not res.stderr
    res = _run()  # no command: the help, as before
    assert res.exit_code == EXIT_USAGE and "Commands" in res.output


@pytest.mark.parametrize("command", ["gap", "metric", "nps", "obstacles"])
def test_max_groups_must_be_positive(command):
    res = _run(command, SURVEY, "--max-groups", "0")
    assert one_line_error(res, EXIT_USAGE) == "--max-groups must be 1 or more, not 0"


def test_obstacles_and_stream_take_a_raised_limit(tmp_path):
    from cxkit.stream import stream_gap
    from cxkit.survey import SurveySpec

    ranked = EXAMPLES / "obstacles_ranked.csv"
    args = ["--by", "respondent_id", "--bootstrap", "0", "-f", "csv", "--max-groups", "800"]
    assert _run("obstacles", ranked, *args).exit_code == 0
    spec = SurveySpec(by=("weight",))
    got = stream_gap(_parquet(tmp_path), spec=spec, by=["weight"], batch_rows=100, max_groups=467)
    assert len({r for r in got.table["weight"]}) == 468  # 467 weights and (all)


def test_a_terminal_table_stops_at_terminal_rows_and_says_so(monkeypatch):
    """rich draws about 600 rows a second: a terminal gets the first TERMINAL_ROWS rows and a
    note; a pipe or a file (here, the runner's stdout) gets every row."""
    from cxkit import cli_common

    args = ["nps", SURVEY, "--by", "region", "--no-config"]
    piped = _run(*args)
    assert piped.exit_code == 0 and piped.stdout.count("difference ") == 3
    assert "the terminal shows" not in piped.stderr
    monkeypatch.setattr(cli_common, "_is_terminal", lambda: True)
    monkeypatch.setattr(cli_common, "TERMINAL_ROWS", 5)
    shown = _run(*args)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.count("difference ") == 1  # all, 3 groups, the first difference
    assert "note: the terminal shows the first 5 of 7 rows; -f csv" in shown.stderr
    assert "NPS -32 (95% CI" in shown.stdout  # the headline stays
    csv = _run(*args, "-f", "csv")
    assert len(csv.stdout.strip().splitlines()) == 1 + 7
