"""Write the bundled CX-ROI example (seeded, so every run writes the same bytes).

    python examples/make_roi.py

Writes, in ``examples/roi/``:

- ``responses.csv``: survey answers, several respondents per account and quarter: the
  0-10 recommend question (``nps``) and three centricity statements on 1-5 (``ci_1``-``ci_3``);
- ``finance.csv``: one row per account and quarter: segment, revenue, revenue growth over the
  quarter (a fraction: 0.02 = 2%) and whether the account churned during the quarter (yes/no);
- ``accounts.csv``: ``finance.csv`` plus the account's NPS that quarter (computed from
  ``responses.csv``) and its respondent count, the account-level input of ``cxkit roi``;
- ``cxkit.toml``: the study config (the 1-5 scale and the three statements).

The planted truth: an account's revenue growth in the *next* quarter rises by 0.0014 (0.14 pp)
per NPS point of this quarter, i.e. 1.4 pp per 10 NPS points, on top of a segment effect and a
stable account effect that is unrelated to NPS; the log-odds of churning next quarter (about
-2.4 at NPS 0) fall by 0.025 per NPS point. Churned accounts leave the panel.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent / "roi"
SEED = 20261124
N_ACCOUNTS = 160
QUARTERS = ("2025Q3", "2025Q4", "2026Q1", "2026Q2")
SEGMENTS = ("SMB", "Mid-market", "Enterprise")
SEGMENT_GROWTH = {"SMB": 0.01, "Mid-market": 0.015, "Enterprise": 0.005}
#: planted effects
GROWTH_PER_POINT = 0.0014
CHURN_LOGODDS_PER_POINT = -0.025


def _nps(answers: np.ndarray) -> float:
    return float(100.0 * (np.mean(answers >= 9) - np.mean(answers <= 6)))


def simulate(rng: np.random.Generator):
    responses: list[dict[str, object]] = []
    finance: list[dict[str, object]] = []
    nps_of: dict[tuple[str, str], tuple[float, int]] = {}
    rid = 0
    for a in range(N_ACCOUNTS):
        account = f"A{a + 1:04d}"
        segment = SEGMENTS[int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
        loyalty = rng.normal(0.0, 1.2)  # the account's stable CX level
        stable_growth = rng.normal(0.0, 0.01)  # unrelated to CX
        revenue = float(np.exp(rng.normal(5.0 if segment == "SMB" else 6.5, 0.5)))
        previous_nps: float | None = None
        for quarter in QUARTERS:
            k = int(rng.integers(3, 11))
            level = loyalty + rng.normal(0.0, 0.6)
            answers = np.clip(np.rint(7.3 + 1.6 * level + rng.normal(0.0, 1.6, k)), 0, 10)
            for ans in answers:
                rid += 1
                row: dict[str, object] = {
                    "respondent_id": f"R{rid:05d}",
                    "account_id": account,
                    "quarter": quarter,
                    "nps": int(ans),
                }
                for i in (1, 2, 3):
                    latent = 3.0 + 0.45 * level + 0.15 * (ans - 7) + rng.normal(0.0, 0.8)
                    row[f"ci_{i}"] = int(np.clip(np.rint(latent), 1, 5))
                responses.append(row)
            nps = _nps(answers)
            nps_of[(account, quarter)] = (nps, k)
            if previous_nps is None:
                growth = SEGMENT_GROWTH[segment] + stable_growth + rng.normal(0.0, 0.05)
                churn = False
            else:
                growth = (
                    SEGMENT_GROWTH[segment]
                    + stable_growth
                    + GROWTH_PER_POINT * previous_nps
                    + rng.normal(0.0, 0.05)
                )
                eta = -2.4 + CHURN_LOGODDS_PER_POINT * previous_nps
                churn = bool(rng.random() < 1.0 / (1.0 + np.exp(-eta)))
            revenue *= 1.0 + growth
            finance.append(
                {
                    "account_id": account,
                    "quarter": quarter,
                    "segment": segment,
                    "revenue": round(revenue, 2),
                    "revenue_growth": round(float(growth), 5),
                    "churned": "yes" if churn else "no",
                }
            )
            previous_nps = nps
            if churn:
                break
    accounts = []
    for row in finance:
        nps, k = nps_of[(str(row["account_id"]), str(row["quarter"]))]
        accounts.append({**row, "nps": round(nps, 2), "respondents": k})
    return responses, finance, accounts


def write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


CONFIG = """\
# Study config for the CX-ROI example (written by make_roi.py).
[scale]
min = 1
max = 5
agree = 4

[pillars]
ci = "Customer insights"

[items.ci_1]
pillar = "ci"
label = "They understand what we value most"

[items.ci_2]
pillar = "ci"
label = "They act on what we tell them"

[items.ci_3]
pillar = "ci"
label = "They anticipate our needs before we ask"
"""


def main() -> None:
    rng = np.random.default_rng(SEED)
    responses, finance, accounts = simulate(rng)
    HERE.mkdir(exist_ok=True)
    write_csv(HERE / "responses.csv", responses)
    write_csv(HERE / "finance.csv", finance)
    write_csv(HERE / "accounts.csv", accounts)
    (HERE / "cxkit.toml").write_text(CONFIG, encoding="utf-8")


if __name__ == "__main__":
    main()
