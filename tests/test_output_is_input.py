"""An output never overwrites an input: not the input file, and not a drop inside an input
folder (nor a new file there that the next run would read as one more drop)."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_USAGE

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()


@pytest.fixture
def drops(tmp_path):
    folder = tmp_path / "drops"
    shutil.copytree(EXAMPLES / "drops", folder)
    (folder / "2026Q4_broken.csv").unlink()
    return folder


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "argv",
    [
        ["trend", "{d}", "--metric", "gap", "-o", "{d}/2026Q3.csv"],
        ["gap", "{d}", "-o", "{d}/2026Q3.csv"],
        ["nps", "{d}", "-o", "{d}/2026Q1.csv"],
        ["inspect", "{d}", "-o", "{d}/2026Q1.csv"],
        ["check", "{d}/2026Q2.csv", "{d}/2026Q3.csv", "-o", "{d}/2026Q2.csv"],
        ["gap", "{d}", "-o", "{d}/new_result.parquet"],  # would join the drops
        ["gap", "{d}", "-o", "{d}/sub/{{wave}}.csv"],  # known only after the run
        ["init", "{d}", "-o", "{d}/2026Q1.csv", "--force"],
    ],
    ids=lambda a: " ".join(a[:1] + a[-2:]),
)
def test_an_output_into_the_input_folder_is_refused_and_the_drops_stay(drops, argv):
    (drops / "sub").mkdir()
    before = _snapshot(drops)
    args = [a.format(d=drops) for a in argv]
    message = one_line_error(runner.invoke(app, args), EXIT_USAGE)
    assert "input" in message and "choose" in message, message
    assert _snapshot(drops) == before


def test_results_beside_the_drops_or_in_the_folder_under_another_name_are_fine(drops, tmp_path):
    out = tmp_path / "gap.csv"  # beside the folder
    assert runner.invoke(app, ["gap", str(drops), "-o", str(out)]).exit_code == 0
    assert out.exists()
    # a file the folder reader skips (JSON, or a name starting with "_") may sit inside it
    for name in ("gap.json", "_gap.csv"):
        res = runner.invoke(app, ["gap", str(drops), "-o", str(drops / name)])
        assert res.exit_code == 0, res.output


def test_init_refuses_the_input_file_by_another_spelling(tmp_path):
    survey = tmp_path / "survey.csv"
    shutil.copy(EXAMPLES / "centricity_survey.csv", survey)
    before = survey.read_bytes()
    res = runner.invoke(app, ["init", "survey.csv", "-o", "./survey.csv", "--force"])
    assert "is also an input file" in one_line_error(res, EXIT_USAGE)
    assert survey.read_bytes() == before
