"""Write the config of the bundled report example (same bytes on every run).

    python examples/make_report.py

Writes ``examples/report.toml``: the study config of ``examples/cxkit.toml`` plus a
``[report]`` table that adds the obstacle rankings (``examples/obstacles_ranked.csv``, by wave)
and the CX-ROI account table (``examples/roi/accounts.csv``). Then:

    cxkit report examples/centricity_survey.csv --config examples/report.toml \\
        -o report.html
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "report.toml"  # not cxkit.toml: examples/cxkit.toml is the gap example's

REPORT = """
# `cxkit report` settings (paths are relative to this file and may not leave its folder).
[report]
title = "Customer-centricity report, 2026Q3"
obstacles = "obstacles_ranked.csv"
obstacles_by = "wave"
finance = "roi/accounts.csv"
cx = ["nps"]
outcome = ["revenue_growth", "churned"]
entity = "account_id"
time = "quarter"
cx_range = [-100, 100]
"""


def main() -> None:
    study = (HERE / "cxkit.toml").read_text(encoding="utf-8")
    head = "# Study config of the report example (written by make_report.py).\n"
    body = "".join(line for line in study.splitlines(keepends=True) if not line.startswith("#"))
    OUT.write_text(head + body.lstrip("\n") + REPORT, encoding="utf-8")


if __name__ == "__main__":
    main()
