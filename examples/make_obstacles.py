"""Write the bundled obstacle-ranking example (seeded, so every run writes the same bytes).

    python examples/make_obstacles.py

Two waves (2011, 2012) of CX leaders ranking their top 5 obstacles to CX success, written in
two layouts holding the same answers:

- ``obstacles_ranked.csv``: ``obstacle_1 ... obstacle_5`` hold the obstacle names (typed by
  hand: varying case, spacing and curly quotes, "Other: ..." answers);
- ``obstacles_qualtrics.csv``: a Qualtrics rank-order export, one column per obstacle holding
  its rank (``Q7_1 ... Q7_11``), with Qualtrics' two extra header rows.

The planted truth: budget restrictions are named in the top 2 far less often in 2012 than in
2011 (about 55% -> 30%) yet stay in the top 5 for more than half of the respondents;
difficulty correlating CX to business results becomes the top obstacle in 2012; "Data
privacy rules" is offered only in 2012 (not asked in 2011). About 2% of the rows are invalid
(an obstacle twice, a gap in the ranks) and a few are blank.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20111212
K = 5

OBSTACLES = [
    "Budget restrictions",
    "Difficulty correlating CX to business results",
    "Siloed organisation",
    "Lack of executive sponsorship",
    "Data integration across channels",
    "Lack of CX skills and staff",
    "Competing priorities",
    "Inadequate technology",
    "Difficulty acting on customers' feedback",
    "Other (please specify)",
    "Data privacy rules",
]
# log-worths per wave; None = not offered that wave
THETA = {
    "2011": [1.6, 0.9, 0.7, 0.5, 0.3, 0.0, 0.0, -0.3, -0.4, -1.6, None],
    "2012": [0.75, 1.4, 0.8, 0.4, 0.5, 0.0, 0.1, -0.2, -0.3, -1.6, 0.2],
}
N = {"2011": 360, "2012": 420}
SPELLINGS = {
    "Lack of executive sponsorship": [
        "lack of executive sponsorship",
        "Lack of executive  sponsorship",
    ],
    "Siloed organisation": ["Siloed Organisation", "siloed organisation "],
    "Budget restrictions": ["budget restrictions", "BUDGET RESTRICTIONS"],
    "Difficulty correlating CX to business results": [
        "Difficulty correlating CX to business results",
        "Difficulty correlating CX to business results ",
    ],
    "Difficulty acting on customers' feedback": ["Difficulty acting on customers\u2019 feedback"],
}
OTHER_TEXT = ["Other: legal review", "Other (please specify)", "other - unions", "Other"]


def answers(rng: np.random.Generator) -> list[dict[str, object]]:
    rows = []
    rid = 0
    for wave, theta in THETA.items():
        offered = [i for i, t in enumerate(theta) if t is not None]
        w = np.exp([theta[i] for i in offered])
        for _ in range(N[wave]):
            rid += 1
            k = K if rng.random() > 0.08 else int(rng.integers(1, K))  # a few rank fewer
            order = list(rng.choice(offered, size=k, replace=False, p=w / w.sum()))
            kind = "ok"
            u = rng.random()
            if u < 0.01:
                kind = "blank"
            elif u < 0.02:
                kind = "twice"
            elif u < 0.03 and k >= 3:
                kind = "gap"
            rows.append({"id": rid, "wave": wave, "order": [int(i) for i in order], "kind": kind})
    return rows


def spell(rng: np.random.Generator, i: int) -> str:
    name = OBSTACLES[i]
    if name.startswith("Other"):
        return OTHER_TEXT[int(rng.integers(len(OTHER_TEXT)))]
    variants = SPELLINGS.get(name)
    if variants and rng.random() < 0.3:
        return variants[int(rng.integers(len(variants)))]
    return name


def write_ranked(rows, rng, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["respondent_id", "wave", *[f"obstacle_{j}" for j in range(1, K + 1)]])
        for r in rows:
            cells = [spell(rng, i) for i in r["order"]]
            if r["kind"] == "blank":
                cells = []
            elif r["kind"] == "twice":
                cells = [*cells[:-1], cells[0]] if len(cells) > 1 else [cells[0], cells[0]]
            elif r["kind"] == "gap":
                cells[1] = ""
            cells += [""] * (K - len(cells))
            out.writerow([f"R{r['id']:04d}", r["wave"], *cells[:K]])


def write_qualtrics(rows, path: Path) -> None:
    cols = [f"Q7_{i + 1}" for i in range(len(OBSTACLES))]
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["ResponseId", "wave", *cols, "Q7_10_TEXT"])
        question = "Rank your top 5 obstacles to CX success - "
        out.writerow(["Response ID", "Wave", *[question + o for o in OBSTACLES], "Other - Text"])
        out.writerow(
            [
                '{"ImportId":"_recordId"}',
                '{"ImportId":"wave"}',
                *[f'{{"ImportId":"QID7_{i + 1}"}}' for i in range(len(OBSTACLES))],
                '{"ImportId":"QID7_10_TEXT"}',
            ]
        )
        for r in rows:
            ranks = [""] * len(OBSTACLES)
            order = r["order"]
            for pos, i in enumerate(order, start=1):
                ranks[i] = str(pos)
            if r["kind"] == "blank":
                ranks = [""] * len(OBSTACLES)
            elif r["kind"] == "twice":  # the same rank twice
                ranks[order[-1] if len(order) > 1 else order[0]] = "1"
                if len(order) == 1:
                    ranks[(order[0] + 1) % 10] = "1"
            elif r["kind"] == "gap":
                ranks[order[1]] = ""
            other = "legal review" if ranks[9] else ""
            out.writerow([f"R_{r['id']:04d}", r["wave"], *ranks, other])


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = answers(rng)
    write_ranked(rows, rng, HERE / "obstacles_ranked.csv")
    write_qualtrics(rows, HERE / "obstacles_qualtrics.csv")


if __name__ == "__main__":
    main()
