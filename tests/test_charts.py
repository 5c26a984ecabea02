"""Charts: valid, non-empty images of the expected size; identical bytes on every run."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

import cxkit
from cxkit import charts
from cxkit.cli import app

runner = CliRunner()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def gap_result():
    return cxkit.gap(cxkit.read_survey("examples/centricity_survey.csv"))


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch):
    from .conftest import ROOT

    monkeypatch.chdir(ROOT)


def test_gap_chart_png_size_and_determinism(gap_result):
    a = charts.figure_bytes(charts.gap_chart(gap_result), "png")
    b = charts.figure_bytes(charts.gap_chart(gap_result), "png")
    w, h = png_size(a)
    # 10 in wide at 100 dpi; 1.6 in + 0.3 in per row (20 items + 5 pillar headers)
    assert (w, h) == (1000, int((1.6 + 0.3 * 25) * 100))
    assert len(a) > 20_000 and a == b


def test_gap_chart_svg_is_valid_xml_without_dates(gap_result):
    svg = charts.figure_bytes(charts.gap_chart(gap_result), "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert b"<dc:date>" not in svg
    assert svg == charts.figure_bytes(charts.gap_chart(gap_result), "svg")


def test_cli_plot_for_gap_and_trend(tmp_path):
    res = runner.invoke(
        app,
        [
            "gap",
            "examples/centricity_survey.csv",
            "--by",
            "region",
            "--plot",
            str(tmp_path / "gap.svg"),
            "-f",
            "csv",
        ],
    )
    assert res.exit_code == 0, res.output
    ET.parse(tmp_path / "gap.svg")
    res = runner.invoke(
        app,
        [
            "trend",
            "examples/centricity_survey.csv",
            "--plot",
            str(tmp_path / "trend-{wave}.png"),
            "-f",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert png_size((tmp_path / "trend-2026Q3.png").read_bytes()) == (750, 420)


def test_bad_plot_extension_is_a_usage_error_before_work(tmp_path):
    res = runner.invoke(app, ["gap", str(tmp_path / "missing.csv"), "--plot", "x.jpg"])
    assert res.exit_code == 2 and "--plot x.jpg: name a .png or .svg file" in res.stderr


def test_gap_chart_draws_and_labels_the_results_confidence(gap_result):
    at80 = cxkit.gap(cxkit.read_survey("examples/centricity_survey.csv"), confidence=0.8)
    fig = charts.gap_chart(at80)
    assert fig.axes[0].get_xlabel() == "Share agreeing (%), with 80% Wilson intervals"
    assert "agree (80% CI " in fig._suptitle.get_text()
    # the whiskers are the 80% Wilson intervals, not the 95% ones
    png80 = charts.figure_bytes(fig, "png")
    png95 = charts.figure_bytes(charts.gap_chart(gap_result), "png")
    assert png80 != png95
    drawn = fig.axes[0].collections[0].get_segments()[0][:, 0]  # the first item's self bar
    from cxkit.stats import wilson_interval

    row = at80.table[at80.table["level"] == "item"].iloc[0]
    k, n = row["agree_self"] * row["neff_self"], row["neff_self"]
    for level, equal in ((0.8, True), (0.95, False)):
        want = [100 * float(v) for v in wilson_interval(k, n, level)]
        assert (list(drawn) == pytest.approx(want)) is equal
