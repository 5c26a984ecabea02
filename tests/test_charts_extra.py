"""roi, obstacles and nps charts: valid, non-empty images of the expected size, same bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from cxkit import charts, charts_extra
from cxkit.cli import app

from .test_charts import png_size

runner = CliRunner()


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch):
    from .conftest import ROOT

    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def roi_parts():
    from cxkit.read import read_table
    from cxkit.roi import roi
    from cxkit.roi_data import AccountSpec, panel_from_table

    from .conftest import ROOT

    spec = AccountSpec(
        cx=["nps"],
        outcomes=["revenue_growth", "churned"],
        entity="account_id",
        time="quarter",
    )
    panel = panel_from_table(read_table(ROOT / "examples/roi/accounts.csv"), spec)
    return panel, roi(panel, n_boot=100), roi(panel, n_boot=100, lags=[0, 1, 2])


@pytest.fixture(scope="module")
def obstacle_results():
    from cxkit.obstacles import obstacles
    from cxkit.read import read_table

    from .conftest import ROOT

    raw = read_table(ROOT / "examples/obstacles_ranked.csv")
    return obstacles(raw, bootstrap=50), obstacles(raw, bootstrap=50, by="wave")


def _twice(draw) -> bytes:
    a, b = charts.figure_bytes(draw(), "png"), charts.figure_bytes(draw(), "png")
    assert a == b, "chart bytes differ between runs"
    assert len(a) > 15_000
    return a


def test_roi_scatter_chart(roi_parts):
    panel, result, _ = roi_parts
    png = _twice(lambda: charts_extra.roi_chart(result, panel))
    # two (cx, outcome) panels side by side: 10 in wide, 1.4 + 3.4 in tall, at 100 dpi
    assert png_size(png) == (1000, 480)


def test_roi_lag_chart_without_panel(roi_parts):
    _, _, lagged = roi_parts
    png = _twice(lambda: charts.chart_for(lagged))
    assert png_size(png) == (1000, 480)


def test_roi_projection_has_no_chart(roi_parts):
    from cxkit.errors import UsageError
    from cxkit.roi import roi

    panel = roi_parts[0]
    with pytest.raises(UsageError, match="drop --improve"):
        charts_extra.roi_chart(roi(panel, n_boot=100, improve=10), panel)


def test_obstacles_chart_single_and_by_wave(obstacle_results):
    single, by_wave = obstacle_results
    # 11 obstacles: 1.8 in + 0.42 in per bar row
    assert png_size(_twice(lambda: charts.chart_for(single))) == (
        1000,
        int((1.8 + 0.42 * 11) * 100),
    )
    png = _twice(lambda: charts.chart_for(by_wave))
    assert png_size(png) == (1000, int((1.8 + 0.42 * 11) * 100))


def test_nps_chart():
    from cxkit.commands.nps import nps_survey
    from cxkit.nps import nps

    survey, name = nps_survey("examples/centricity_survey.csv", by=["region"])
    result = nps(survey, name, by=["region"])
    groups = int((result.table["level"] == "group").sum())
    png = _twice(lambda: charts.chart_for(result))
    assert png_size(png) == (750, round((1.8 + 0.4 * (groups + 1)) * 100))


def test_cli_plot_for_roi_obstacles_nps(tmp_path):
    cases = [
        [
            "roi",
            "examples/roi/accounts.csv",
            "--cx",
            "nps",
            "--outcome",
            "revenue_growth",
            "--entity",
            "account_id",
            "--bootstrap",
            "100",
            "--plot",
            str(tmp_path / "roi.svg"),
        ],
        [
            "obstacles",
            "examples/obstacles_ranked.csv",
            "--bootstrap",
            "20",
            "--plot",
            str(tmp_path / "obstacles.png"),
        ],
        ["nps", "examples/centricity_survey.csv", "--plot", str(tmp_path / "nps.png")],
    ]
    for args in cases:
        res = runner.invoke(app, [*args, "-f", "json"])
        assert res.exit_code == 0, res.output
    ET.parse(tmp_path / "roi.svg")
    assert png_size((tmp_path / "obstacles.png").read_bytes())[0] == 1000
    assert png_size((tmp_path / "nps.png").read_bytes())[0] == 750


def test_roi_plot_with_improve_is_a_usage_error_before_work(tmp_path):
    out = tmp_path / "r.json"
    args = ["roi", "examples/roi/accounts.csv", "--cx", "nps", "--outcome", "revenue_growth"]
    res = runner.invoke(app, [*args, "--improve", "10", "--plot", "x.png", "-o", str(out)])
    assert res.exit_code == 2 and not out.exists()
    assert "--plot draws the association, not the --improve projection" in res.stderr


def test_metric_chart_and_cli_plot(tmp_path):
    from cxkit.metrics import metric
    from cxkit.survey import read_survey

    survey = read_survey("examples/centricity_survey.csv")
    result = metric(survey, ["sa_1", "sa_2", "sa_3", "sa_4"], by=["region"], index=True)
    png = _twice(lambda: charts.chart_for(result))
    # the total's 4 items and the index: 1.8 in + 0.4 in per bar
    assert png_size(png) == (1000, round((1.8 + 0.4 * 5) * 100))
    out = tmp_path / "m.svg"
    res = runner.invoke(app, ["metric", "examples/centricity_survey.csv", "--plot", str(out)])
    assert res.exit_code == 0, res.output
    ET.parse(out)
