"""Draw the README's example chart (same bytes on every run with the same matplotlib).

    python docs/make_chart.py

Writes ``docs/obstacles_by_wave.png``: the obstacles chart of
``examples/obstacles_ranked.csv`` by wave (2011 vs 2012), as ``cxkit obstacles
examples/obstacles_ranked.csv --by wave --plot docs/obstacles_by_wave.png`` draws it.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "obstacles_by_wave.png"


def chart_bytes() -> bytes:
    """The chart as PNG bytes."""
    from cxkit import charts
    from cxkit.obstacles import obstacles
    from cxkit.read import read_table

    raw = read_table(str(ROOT / "examples" / "obstacles_ranked.csv"))
    result = obstacles(raw, by="wave", bootstrap=2000)
    return charts.figure_bytes(charts.chart_for(result), "png")


def main() -> None:
    OUT.write_bytes(chart_bytes())


if __name__ == "__main__":
    main()
