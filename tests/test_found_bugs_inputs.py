"""Inputs a QA sweep turned up that ran on silently (exit 0 with an empty result, rows left
out unsaid) or failed with the wrong error: each now says what happened."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_INPUT, EXIT_USAGE

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()
SURVEY = EXAMPLES / "centricity_survey.csv"


def _run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


@pytest.mark.parametrize("metric", ["item:", "item: "])
def test_trend_metric_item_without_a_name_is_a_usage_error(metric):
    message = one_line_error(_run("trend", SURVEY, "--metric", metric), EXIT_USAGE)
    assert "names no item" in message and "item:NAME" in message, message


def test_trend_metric_item_unknown_lists_the_items():
    res = _run("trend", SURVEY, "--metric", "item:nonexistent", "--no-config")
    message = one_line_error(res, EXIT_USAGE)
    assert "'nonexistent' is not an item of wave 2026Q2" in message, message
    assert "items: sa_1, sa_2" in message, message


def test_gap_both_sides_from_stdin_is_a_usage_error():
    res = _run(
        "gap",
        "--self-file",
        "-",
        "--customer-file",
        "-",
        input=(EXAMPLES / "self_ratings.csv").read_text(),
    )
    message = one_line_error(res, EXIT_USAGE)
    assert "--self-file and --customer-file both read stdin" in message, message
    assert "only one input can be read from stdin" in message, message


def test_gap_same_file_for_both_sides_warns(tmp_path):
    ratings = tmp_path / "ratings.csv"
    ratings.write_bytes((EXAMPLES / "self_ratings.csv").read_bytes())
    res = _run(
        "gap", "--self-file", ratings, "--customer-file", "./ratings.csv", "--no-config", "-f",
        "json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    warnings = [ln for ln in res.stderr.splitlines() if ln.startswith("cxkit: warning: ")]
    assert len(warnings) == 1, res.stderr
    assert "--self-file and --customer-file name the same file" in warnings[0], warnings
    assert json.loads(res.stdout)["table"]  # a warning, not an error: the result is printed
    quiet = _run(
        "-q", "gap", "--self-file", ratings, "--customer-file", ratings, "--no-config", "-f",
        "json",
    )  # fmt: skip
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr, quiet.stderr


def test_same_file_warning_shows_a_newline_in_the_name_escaped(tmp_path):
    odd = tmp_path / "drop\nQ3\x1b[31m.csv"
    odd.write_bytes((EXAMPLES / "self_ratings.csv").read_bytes())
    res = _run(
        "gap", "--self-file", odd, "--customer-file", odd, "--no-config", "-f", "json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stderr.splitlines() if "same file" in ln]
    assert len(lines) == 1 and lines[0].startswith("cxkit: warning: "), res.stderr
    assert "drop\\nQ3\\x1b[31m.csv" in lines[0] and "\x1b" not in res.stderr, res.stderr


def _blank_answers(tmp_path):
    """The example survey with every item cell (and the NPS) blank."""
    import pyarrow as pa
    import pyarrow.csv as pv

    table = pv.read_csv(SURVEY)
    for i, name in enumerate(table.column_names):
        if name[:3] in ("sa_", "sl_", "ci_", "ee_", "mr_") or name == "nps":
            table = table.set_column(i, name, pa.nulls(table.num_rows, pa.int64()))
    path = tmp_path / "blank.csv"
    pv.write_csv(table, path)
    (tmp_path / "cxkit.toml").write_bytes((EXAMPLES / "cxkit.toml").read_bytes())
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["metric"],  # refused before the fix: the pattern followed
        ["gap"],
        ["gap", "--by", "region"],
        ["trend"],
        ["report", "-o", "report.html"],
    ],
    ids=lambda a: " ".join(a),
)
def test_a_file_nobody_answered_is_an_input_error(argv, tmp_path):
    blank = _blank_answers(tmp_path)
    message = one_line_error(_run(argv[0], blank, *argv[1:]), EXIT_INPUT)
    assert f"{blank}: no answers in sa_1, sa_2" in message, message
    fix = "check [items]" if argv[0] == "trend" else "check --item"  # trend has no --items
    assert f"and 10 more; {fix}" in message, message
    assert not (tmp_path / "report.html").exists()


def test_gap_streamed_file_nobody_answered_is_an_input_error(tmp_path):
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    path = tmp_path / "blank.parquet"
    pq.write_table(pv.read_csv(_blank_answers(tmp_path)), path)
    message = one_line_error(_run("gap", "--stream", path), EXIT_INPUT)
    assert f"{path}: no answers in sa_1" in message, message


@pytest.mark.parametrize(("side", "roles"), [("customer", {"customer"}),
                                             ("self", {"executive", "employee"})])  # fmt: skip
def test_gap_with_one_side_that_never_answered_is_an_input_error(side, roles, tmp_path):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pv

    table = pv.read_csv(SURVEY)
    role = pc.utf8_lower(pc.utf8_trim_whitespace(table.column("role"))).to_pylist()
    blank = pa.array([r in roles for r in role])
    for i, name in enumerate(table.column_names):
        if name[:3] in ("sa_", "sl_", "ci_", "ee_", "mr_"):
            col = pc.if_else(blank, pa.scalar(None, table.schema.field(i).type), table.column(i))
            table = table.set_column(i, name, col)
    path = tmp_path / "one_side.csv"
    pv.write_csv(table, path)
    (tmp_path / "cxkit.toml").write_bytes((EXAMPLES / "cxkit.toml").read_bytes())
    message = one_line_error(_run("gap", path), EXIT_INPUT)
    assert f"{path}: no {side} answers in sa_1, sa_2" in message, message
    assert message.endswith(f"and 10 more; check --{side}"), message


@pytest.mark.parametrize(
    ("blanked", "metric", "expected"),
    [
        (("sa_", "sl_", "ci_", "ee_", "mr_"), "agree", "no answers in sa_1, sa_2"),
        (("sa_1",), "item:sa_1", "no answers to compute --metric item:sa_1 from"),
        (("sa_1",), "agree", None),  # the other items answered: the trend runs
    ],
    ids=["every-item", "the-item", "another-item"],
)
def test_trend_names_the_wave_nobody_answered(blanked, metric, expected, tmp_path):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from pyarrow import csv as pv

    table = pv.read_csv(SURVEY)
    q2 = pc.equal(table["wave"], "2026Q2")
    for i, name in enumerate(table.column_names):
        if name.startswith(blanked):
            blank = pa.nulls(table.num_rows, table.schema.field(i).type)
            table = table.set_column(i, name, pc.if_else(q2, blank, table[name]))
    path = tmp_path / "q2blank.parquet"
    pq.write_table(table, path)
    res = _run("trend", path, "--metric", metric, "--no-config")
    if expected is None:
        assert res.exit_code == 0, res.output
        return
    message = one_line_error(res, EXIT_INPUT)
    assert message.startswith(f"wave 2026Q2: {path}: {expected}"), message


def _blank_waves(tmp_path, rows=(0, 5, 9)):
    """The example survey with the wave of ``rows`` blank."""
    lines = SURVEY.read_text().splitlines()
    wave = lines[0].split(",").index("wave")
    for r in rows:
        cells = lines[r + 1].split(",")
        cells[wave] = ""
        lines[r + 1] = ",".join(cells)
    path = tmp_path / "blankwave.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("metric", ["agree", "nps"])
def test_trend_counts_the_rows_with_no_wave(metric, tmp_path):
    path = _blank_waves(tmp_path)
    res = _run("trend", path, "--metric", metric, "--no-config", "-f", "json")
    assert res.exit_code == 0, res.output
    assert "excluded 3 rows with no value in 'wave'" in json.loads(res.stdout)["notes"]
    table = _run("trend", path, "--metric", metric, "--no-config")
    assert table.exit_code == 0, table.output
    assert "note: excluded 3 rows with no value in 'wave'" in table.stderr.splitlines()


def test_report_trend_section_counts_the_rows_with_no_wave(tmp_path):
    from cxkit.report import build_report

    rep = build_report(str(_blank_waves(tmp_path)), use_config=False, bootstrap=0)
    trend = next(s for s in rep.sections if s.key == "trend")
    assert trend.result is not None, trend.skipped
    assert "excluded 3 rows with no value in 'wave'" in trend.result.notes


def test_drivers_customer_file_from_stdin_is_a_usage_error():
    stdin = (EXAMPLES / "customer_ratings.csv").read_text()
    args = ["drivers", "--self-file", EXAMPLES / "self_ratings.csv", "--customer-file", "-"]
    res = runner.invoke(app, [str(a) for a in args], input=stdin)
    assert "reads --customer-file more than once" in one_line_error(res, EXIT_USAGE)
    both = _run("drivers", "--self-file", "-", "--customer-file", "-")
    assert "both read stdin" in one_line_error(both, EXIT_USAGE)
    # the self file is read once: from stdin it works
    stdin = (EXAMPLES / "self_ratings.csv").read_text()
    args = ["drivers", "--self-file", "-", "--customer-file", EXAMPLES / "customer_ratings.csv"]
    args += ["--config", EXAMPLES / "cxkit.toml", "--bootstrap", "0", "-f", "json"]
    ok = runner.invoke(app, [str(a) for a in args], input=stdin)
    assert ok.exit_code == 0, ok.output
