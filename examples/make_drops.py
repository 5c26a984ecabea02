"""Write the example drop folder used by ``cxkit check`` (seeded: same bytes every run).

    python examples/make_drops.py

``examples/drops/`` gets one file per quarter and a ``cxkit.toml`` with the checks:

- ``2026Q1.csv``, ``2026Q2.csv``: good quarters, no real change;
  (``cxkit check`` passes on Q1 -> Q2, fails on Q2 -> Q3 and on Q3 -> Q4)
- ``2026Q3.csv``: planted: EMEA customers turn against the company (NPS falls by about 35
  points, agreement roughly halves) while other regions hold steady;
- ``2026Q4_broken.csv``: a broken drop: ``region`` renamed ``Region`` and a new answer label
  ("Sorta agree") that no scale knows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent / "drops"
SEED = 2026
ITEMS = ["sa_1", "sa_2", "ci_1", "ci_2", "ee_1", "ee_2"]
REGIONS = ("AMER", "EMEA", "APAC")


def quarter(rng: np.random.Generator, wave: str, *, emea_shock: bool) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    roles = ["executive"] * 40 + ["employee"] * 80 + ["customer"] * 480
    for i, role in enumerate(roles):
        region = REGIONS[i % 3]
        is_self = role != "customer"
        base = 4.0 if is_self else 3.05
        nps_mean = 7.2
        if emea_shock and region == "EMEA" and not is_self:
            base -= 0.6
            nps_mean -= 1.5
        person = rng.normal(0.0, 0.8)
        row: dict[str, object] = {
            "respondent_id": f"{wave}-{i + 1:04d}",
            "role": role,
            "region": region,
            "wave": wave,
        }
        for item in ITEMS:
            answer: object = int(np.clip(np.rint(base + person + rng.normal(0, 0.7)), 1, 5))
            if rng.random() < 0.03:
                answer = ""
            row[item] = answer
        nps = int(np.clip(np.rint(rng.normal(nps_mean + person * 1.5, 1.9)), 0, 10))
        row["nps"] = "" if is_self else nps
        rows.append(row)
    return rows


def write(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


CONFIG = """\
# Checks for the example drops (written by make_drops.py). Run, e.g.:
#   cxkit check examples/drops/2026Q1.csv examples/drops/2026Q2.csv
[columns]
id = "respondent_id"
role = "role"
wave = "wave"
segment = "region"

[roles]
self = ["executive", "employee"]
customer = ["customer"]

[scale]
min = 1
max = 5
agree = 4

[checks]
adjust = "holm"
alpha = 0.05

[[check]]
require_columns = ["respondent_id", "role", "region", "nps"]

[[check]]
min_responses = 100
per = "region"

[[check]]
unique_ids = true

[[check]]
valid_answers = true

[[check]]
max_missing_share = 0.2

[[check]]
drift = true

[[check]]
name = "self-raters at most 8x as likely to agree as customers"
expr = "gap.overall.agree_ratio <= 8"

[[check]]
name = "EMEA NPS did not fall"
change = "nps[region=EMEA].nps"
direction = "decrease"

[[check]]
name = "EMEA customer agreement did not fall"
change = "gap[region=EMEA].overall.agree_customer"
direction = "decrease"

[[check]]
name = "AMER customer agreement did not fall"
change = "gap[region=AMER].overall.agree_customer"
direction = "decrease"
"""


def main() -> None:
    rng = np.random.default_rng(SEED)
    HERE.mkdir(exist_ok=True)
    write(HERE / "2026Q1.csv", quarter(rng, "2026Q1", emea_shock=False))
    write(HERE / "2026Q2.csv", quarter(rng, "2026Q2", emea_shock=False))
    write(HERE / "2026Q3.csv", quarter(rng, "2026Q3", emea_shock=True))
    broken = quarter(rng, "2026Q4", emea_shock=True)
    for row in broken:
        row["Region"] = row.pop("region")
    for row in broken[::37]:
        row["ci_2"] = "Sorta agree"
    write(HERE / "2026Q4_broken.csv", broken)
    (HERE / "cxkit.toml").write_text(CONFIG, encoding="utf-8")


if __name__ == "__main__":
    main()
