"""Write the key-driver example (seeded, so every run writes the same bytes).

    python examples/make_drivers.py

Writes ``examples/drivers/drivers_survey.csv`` and its study config
``examples/drivers/cxkit.toml``: 480 customers and 72 self-raters (executives and employees)
rating six service practices on 1-5, and the customers' 0-10 likelihood to recommend (``ltr``).

The planted truth: "My issue was fixed the first time" (``fix_first_time``) drives the
customers' likelihood to recommend far more than anything else, customers rate it lowest, and
the company rates itself highest on it, so ``cxkit drivers`` ranks it first both in
importance and in priority. Staff friendliness is rated well but barely matters (possible
overkill).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent / "drivers"
SEED = 20261124

DRIVERS = {
    "fix_first_time": "My issue was fixed the first time",
    "speed": "You respond quickly",
    "knowledge": "Your staff know their products",
    "friendly": "Your staff are friendly",
    "billing": "Bills are clear and correct",
    "website": "Your website is easy to use",
}
# customers: mean answer (on the latent 1-5 line) and effect on likelihood to recommend
CUSTOMER_MEAN = {
    "fix_first_time": 2.4,
    "speed": 3.1,
    "knowledge": 3.3,
    "friendly": 4.1,
    "billing": 3.0,
    "website": 3.2,
}
EFFECT = {
    "fix_first_time": 1.6,
    "speed": 0.45,
    "knowledge": 0.35,
    "friendly": 0.1,
    "billing": 0.3,
    "website": 0.2,
}
SELF_MEAN = {
    "fix_first_time": 4.5,
    "speed": 4.0,
    "knowledge": 4.3,
    "friendly": 4.3,
    "billing": 3.6,
    "website": 3.5,
}
REGIONS = ("AMER", "EMEA", "APAC")


def rows(rng: np.random.Generator) -> list[dict[str, object]]:
    roles = ["customer"] * 480 + ["executive"] * 24 + ["employee"] * 48
    out = []
    for i, role in enumerate(roles):
        is_self = role != "customer"
        mood = rng.normal(0.0, 0.6)
        row: dict[str, object] = {
            "respondent_id": f"D{i + 1:04d}",
            "role": role,
            "region": REGIONS[int(rng.integers(3))],
            "weight": 1.0 if is_self else round(float(rng.uniform(0.7, 1.4)), 3),
        }
        latent = {}
        for name in DRIVERS:
            centre = (SELF_MEAN if is_self else CUSTOMER_MEAN)[name]
            latent[name] = centre + mood + rng.normal(0.0, 0.8)
            answer: object = int(np.clip(np.rint(latent[name]), 1, 5))
            if rng.random() < 0.02:
                answer = ""
            row[name] = answer
        if is_self:
            row["ltr"] = ""
        else:
            score = 6.0 + sum(EFFECT[d] * (latent[d] - CUSTOMER_MEAN[d]) for d in DRIVERS)
            row["ltr"] = int(np.clip(np.rint(score + rng.normal(0.0, 1.2)), 0, 10))
        out.append(row)
    return out


def config_text() -> str:
    lines = [
        "# Study config for the key-driver example (written by make_drivers.py).",
        "[columns]",
        'id = "respondent_id"',
        'role = "role"',
        'weight = "weight"',
        'segment = "region"',
        "",
        "[roles]",
        'self = ["executive", "employee"]',
        'customer = ["customer"]',
        "",
        "[scale]",
        "min = 1",
        "max = 5",
        "agree = 4",
    ]
    for name, label in DRIVERS.items():
        lines += ["", f"[items.{name}]", f'label = "{label}"']
    return "\n".join(lines) + "\n"


def main() -> None:
    rng = np.random.default_rng(SEED)
    data = rows(rng)
    HERE.mkdir(exist_ok=True)
    with (HERE / "drivers_survey.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(data[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    (HERE / "cxkit.toml").write_text(config_text(), encoding="utf-8")


if __name__ == "__main__":
    main()
