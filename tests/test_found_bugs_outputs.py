"""Outputs and check paths a QA sweep (2026-12-04) found wanting: every output of a run is
written whole or none is, and a typo in a ``--fail-if`` path or an output name is a usage
error (exit 2), never a failed gate (exit 1) or a file with a strange name."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_CHECK_FAILED, EXIT_USAGE

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()
DROPS = EXAMPLES / "drops"
Q3 = DROPS / "2026Q3.csv"
ROI = EXAMPLES / "roi"


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _one_line_error(res, code: int, *texts: str) -> None:
    message = one_line_error(res, code)
    for text in texts:
        assert text in message, message


# --fail-if paths: a name the data does not have is a usage error --------------------------


@pytest.mark.parametrize(
    ("expr", "texts", "fixed"),
    [
        (
            "gap[regionx=EMEA].overall.agree_gap <= 1",
            ["gap[regionx=EMEA]: no column 'regionx' in", "(did you mean 'region'?)", "wave"],
            "gap[region=EMEA].overall.agree_gap <= 1",
        ),
        (
            "gap[region=EMEAx].overall.agree_gap <= 1",
            ["no row has region 'EMEAx' (did you mean 'EMEA'?); known: AMER, APAC, EMEA"],
            "gap[region=EMEA].overall.agree_gap <= 1",
        ),
        (
            "nps[region=emea].nps >= -100",
            ["no row has region 'emea' (did you mean 'EMEA'?)"],
            "nps[region=EMEA].nps >= -100",
        ),
        ("drivers[outcome=nope].importance >= 0", ["no column 'nope' in", "columns: "], None),
    ],
    ids=["by-column", "group-value", "group-value-case", "column-option"],
)
def test_an_unknown_name_in_a_fail_if_path_is_a_usage_error(expr, texts, fixed, tmp_path):
    out = tmp_path / "r.json"
    res = _run("check", Q3, "--no-config", "--fail-if", expr, "-o", out)
    _one_line_error(res, EXIT_USAGE, *texts)
    assert not out.exists()
    if fixed:  # with the right names it is a real comparison: it holds, or fails the gate
        assert _run("check", Q3, "--no-config", "--fail-if", fixed).exit_code == 0
        failing = fixed.replace("<= 1", "<= -1").replace(">= -100", ">= 101")
        res = _run("check", Q3, "--no-config", "--fail-if", failing)
        assert res.exit_code == EXIT_CHECK_FAILED, res.output


def test_an_unknown_column_of_an_account_table_in_a_roi_path_is_a_usage_error():
    res = _run(
        "check", ROI / "accounts.csv", "--config", ROI / "cxkit.toml",
        "--fail-if", "roi[cx=nps, outcome=revenue_growht].per_10 >= 0",
    )  # fmt: skip
    _one_line_error(
        res, EXIT_USAGE, "roi[outcome=revenue_growht]: no column 'revenue_growht'",
        "(did you mean 'revenue_growth'?)",
    )  # fmt: skip


def test_a_change_on_a_group_the_previous_wave_lacks_still_fails_the_gate(tmp_path):
    # a value that one wave holds is data, not a typo: the check runs and fails
    old = tmp_path / "2026Q2.csv"
    lines = (DROPS / "2026Q2.csv").read_text().splitlines(keepends=True)
    old.write_text("".join([lines[0], *(x for x in lines[1:] if ",EMEA," not in x)]))
    res = _run(
        "check", old, Q3, "--no-config", "-f", "json",
        "--fail-if", "gap.overall.agree_gap <= 1",
        "--fail-if", "gap[region=EMAE].overall.agree_gap <= 1",
    )  # fmt: skip
    _one_line_error(res, EXIT_USAGE, "no row has region 'EMAE'")
    cfg = tmp_path / "cxkit.toml"
    cfg.write_text('[[check]]\nchange = "gap[region=EMEA].overall.agree_customer"\n')
    res = _run("check", old, Q3, "--config", cfg, "-f", "json")
    assert res.exit_code == EXIT_CHECK_FAILED, res.output
    assert "no row of the path exists in both waves" in res.stdout


def test_a_threshold_too_large_to_be_a_number_is_a_usage_error():
    res = _run("check", Q3, "--no-config", "--fail-if", "gap.overall.agree_gap <= 1e999")
    _one_line_error(res, EXIT_USAGE, "the number 1e999 is too large to compare with")


# Output names: only the known placeholders -------------------------------------------------


@pytest.mark.parametrize(
    ("option", "name", "text"),
    [
        ("-o", "x-{nope}.json", "--output {path}: unknown placeholder {nope}; known: {date}"),
        ("--plot", "x-{Wave}.png", "--plot {path}: unknown placeholder {Wave}; known: {date}"),
        ("-o", "x-{wave.json", "--output {path}: an unmatched brace; braces mark placeholders"),
    ],
    ids=["output", "plot", "unmatched"],
)
def test_an_unknown_placeholder_in_an_output_name_is_a_usage_error(option, name, text, tmp_path):
    path = tmp_path / name
    res = _run("gap", Q3, option, path)
    _one_line_error(
        res, EXIT_USAGE, text.replace("{path}", str(path)), "{wave} (the wave analysed)"
    )
    assert list(tmp_path.iterdir()) == []
    res = _run("gap", Q3, "-o", tmp_path / "x-{wave}.json", "--plot", tmp_path / "p-{wave}.png")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p-2026Q3.png", "x-2026Q3.json"]


# Every output of a run, or none ---------------------------------------------------------


def _fail_rename_of(monkeypatch, suffix: str) -> None:
    """Make renaming a finished file into place fail for the target named ``*suffix``
    (what a target turned folder, a full quota or a vanished mount would do)."""
    from cxkit import output

    real = output.os.replace

    def replace(src, dst):
        if str(dst).endswith(suffix) and str(src).endswith(".tmp"):
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)


def test_check_junit_and_output_are_checked_before_any_work(tmp_path, monkeypatch):
    from cxkit import checks

    def not_run(*args, **kwargs):
        raise AssertionError("the checks ran before the output paths were checked")

    monkeypatch.setattr(checks, "run_checks", not_run)
    junit = tmp_path / "missing" / "j.xml"
    res = _run("check", Q3, "--no-config", "--junit", junit, "-o", tmp_path / "r.json")
    _one_line_error(res, 4, f"--junit {junit}: folder {junit.parent} does not exist")
    (tmp_path / "j.xml").mkdir()
    res = _run("check", Q3, "--no-config", "--junit", tmp_path / "j.xml")
    _one_line_error(res, 4, f"--junit {tmp_path / 'j.xml'}: cannot be written: it is a folder")
    assert [p.name for p in tmp_path.iterdir()] == ["j.xml"]


def test_check_writes_its_junit_file_only_with_its_output(tmp_path, monkeypatch):
    junit, out = tmp_path / "j.xml", tmp_path / "r.json"
    # -o fails after the run ({wave}: a check result has none): no JUnit file either
    res = _run("check", Q3, "--no-config", "--junit", junit, "-o", tmp_path / "r-{wave}.json")
    _one_line_error(res, EXIT_USAGE, "uses {wave}, but this result has no wave")
    assert list(tmp_path.iterdir()) == []
    # the JUnit file cannot be put in place: the -o file written before it is taken back,
    # and one from an earlier run keeps its content
    out.write_text("earlier run\n")
    _fail_rename_of(monkeypatch, "j.xml")
    res = _run("check", Q3, "--no-config", "--junit", junit, "-o", out)
    _one_line_error(res, 4, f"--junit {junit}: cannot be written (Input/output error)")
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
    assert out.read_text() == "earlier run\n"


def test_a_plot_that_cannot_be_placed_takes_back_the_output(tmp_path, monkeypatch):
    out, plot = tmp_path / "g.json", tmp_path / "g.png"
    _fail_rename_of(monkeypatch, "g.png")
    res = _run("gap", Q3, "-o", out, "--plot", plot)
    _one_line_error(res, 4, f"--plot {plot}: cannot be written (Input/output error)")
    assert list(tmp_path.iterdir()) == []
    accounts = ROI / "accounts.csv"
    res = _run("roi", accounts, "--cx", "nps", "--outcome", "revenue_growth", "--bootstrap", "100",
               "-o", out, "--plot", plot)  # fmt: skip
    _one_line_error(res, 4, f"--plot {plot}: cannot be written (Input/output error)")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def small_survey(tmp_path):
    """A two-wave survey with an NPS column: gap, trend and nps sections have charts."""
    src = EXAMPLES / "centricity_survey.csv"
    data = tmp_path / "data"
    data.mkdir()
    lines = src.read_text().splitlines(keepends=True)
    (data / "s.csv").write_text("".join(lines[:400]))
    (data / "cxkit.toml").write_text((EXAMPLES / "cxkit.toml").read_text())
    return data / "s.csv"


def test_report_paths_are_checked_before_any_work(small_survey, tmp_path, monkeypatch):
    from cxkit import report

    def not_run(*args, **kwargs):
        raise AssertionError("the report was built before its paths were checked")

    monkeypatch.setattr(report, "build_report", not_run)
    out = tmp_path / "out"
    res = _run("report", small_survey, "-o", out / "r.html")
    _one_line_error(res, 4, f"--output {out / 'r.html'}: folder {out} does not exist")
    out.mkdir()
    (out / "r-nps.png").mkdir()  # a chart's name is taken by a folder
    res = _run("report", small_survey, "-o", out / "r.md")
    _one_line_error(res, 4, f"--output {out / 'r-nps.png'}: cannot be written: it is a folder")
    assert [p.name for p in out.iterdir()] == ["r-nps.png"]


@pytest.mark.parametrize("failing", ["-nps.png", "r.md"])
def test_a_markdown_report_is_written_whole_or_not_at_all(
    failing, small_survey, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    out.mkdir()
    report = out / "r.md"
    res = _run("report", small_survey, "-o", report, "--bootstrap", "0")
    assert res.exit_code == 0, res.output
    written = sorted(p.name for p in out.iterdir())
    assert {"r-gap.png", "r-trend.png", "r-nps.png", "r.md"} <= set(written), written
    for name in ("r-gap.png", "r-trend.png"):  # a re-run must not keep half of its files
        (out / name).unlink()
    (out / "r.md").write_text("the previous report\n")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _fail_rename_of(monkeypatch, failing)
    res = _run("-q", "report", small_survey, "-o", report, "--bootstrap", "0")
    _one_line_error(res, 4, "cannot be written (Input/output error)")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
