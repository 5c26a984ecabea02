"""Bad inputs a QA sweep (2026-12-04) turned up that ended in "internal error": each is now a
one-line error with the documented exit code."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_INPUT, EXIT_USAGE

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()
SURVEY = EXAMPLES / "centricity_survey.csv"
ROI = EXAMPLES / "roi"


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _one_line_error(res, code: int, text: str) -> None:
    message = one_line_error(res, code)
    assert text in message and "internal error" not in message, message


@pytest.mark.parametrize(
    "argv",
    [
        ["drivers", SURVEY],
        ["obstacles", EXAMPLES / "obstacles_ranked.csv"],
        ["roi", ROI / "accounts.csv", "--config", ROI / "cxkit.toml"],
        ["report", SURVEY],
    ],
    ids=lambda a: a[0],
)
def test_a_negative_seed_is_a_usage_error(argv, tmp_path):
    out = tmp_path / "out.json"
    res = _run(*argv, "--seed", "-1", "-o", out)
    _one_line_error(res, EXIT_USAGE, "--seed must be 0 or more, not -1")
    assert not out.exists()


def test_a_check_on_a_text_column_is_a_usage_error():
    drops = EXAMPLES / "drops"
    res = _run(
        "check", drops / "2026Q2.csv", drops / "2026Q3.csv", "--fail-if", "gap.item.label <= 1"
    )
    _one_line_error(res, EXIT_USAGE, "gap has no numbers in column 'label'; valid: n_self")


def test_a_parquet_file_damaged_inside_is_an_input_error_when_streamed(tmp_path):
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    path = tmp_path / "damaged.parquet"
    pq.write_table(pv.read_csv(SURVEY), path)
    data = bytearray(path.read_bytes())
    third = len(data) // 3
    data[third : third + 400] = b"\xab" * 400  # the footer stays whole: the file opens
    path.write_bytes(bytes(data))
    for target in (path, tmp_path):  # the file, and a folder holding it
        res = _run("gap", target, "--stream")
        _one_line_error(res, EXIT_INPUT, f"{path}: is not a readable Parquet file (")


def test_nps_broken_down_by_its_own_column_is_a_usage_error(tmp_path):
    small = tmp_path / "m.csv"
    small.write_text("id,nps\n1,10\n2,10\n3,9\n4,3\n5,7\n")
    for path in (small, SURVEY):
        res = _run("nps", path, "--by", "nps")
        _one_line_error(res, EXIT_USAGE, "--by 'nps' is the NPS column itself")


@pytest.mark.parametrize("command", ["gap", "nps", "metric"])
def test_a_plot_in_a_missing_folder_fails_before_anything_is_written(command, tmp_path):
    out = tmp_path / "good.json"
    plot = tmp_path / "missing" / "x.png"
    res = _run(command, SURVEY, "-o", out, "--plot", plot)
    _one_line_error(res, 4, f"--plot {plot}: folder {plot.parent} does not exist")
    assert not out.exists()
    (tmp_path / "a_file").write_text("")
    res = _run(command, SURVEY, "-o", tmp_path / "a_file" / "x.json")
    assert res.exit_code == 4 and "is a file, not a folder" in res.stderr, res.stderr
