"""Write the bundled example files (seeded, so every run writes the same bytes).

    python examples/make_examples.py

Writes ``examples/centricity_survey.csv`` (every role in one file),
``examples/self_ratings.csv`` and ``examples/customer_ratings.csv`` (the same study split by
role) and ``examples/cxkit.toml``.

The planted truth: self-raters (executives and employees) agree with the centricity
statements far more often than customers (about 5x as many overall), the gap is widest on
"We act on what customers tell us" (ci_2) and narrowest on "Our staff are friendly and
courteous" (ee_1), and EMEA customers are the least convinced.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20261123

PILLARS = {
    "sa": "Strategic alignment",
    "sl": "Senior leadership",
    "ci": "Customer insights",
    "ee": "Employee engagement",
    "mr": "Measurement and rewards",
}
ITEMS = {
    "sa_1": "Our strategy is built around customers' needs",
    "sa_2": "Customer goals are part of every business plan",
    "sa_3": "Product decisions start from customer problems",
    "sa_4": "We put long-term relationships before short-term sales",
    "sl_1": "Senior leaders talk to customers regularly",
    "sl_2": "Leaders act as role models for customer focus",
    "sl_3": "Customer issues reach the top quickly",
    "sl_4": "Leadership funds customer-experience improvements",
    "ci_1": "We understand what customers value most",
    "ci_2": "We act on what customers tell us",
    "ci_3": "Customer feedback is shared across teams",
    "ci_4": "We anticipate customers' needs before they ask",
    "ee_1": "Our staff are friendly and courteous",
    "ee_2": "Employees are empowered to solve customer problems",
    "ee_3": "Staff know how their work affects customers",
    "ee_4": "Teams work together to serve customers",
    "mr_1": "We measure customer experience consistently",
    "mr_2": "Pay and bonuses reward customer outcomes",
    "mr_3": "Customer metrics are reviewed at every level",
    "mr_4": "We track whether customers come back",
}
# item effects on the latent answer for self-raters and for customers
SELF_SHIFT = dict.fromkeys(ITEMS, 0.0) | {"ci_2": 0.35, "mr_2": -0.2, "ee_1": -0.25}
CUST_SHIFT = dict.fromkeys(ITEMS, 0.0) | {"ci_2": -0.55, "ee_1": 1.05, "mr_4": 0.2}
REGIONS = ("AMER", "EMEA", "APAC")
WAVES = ("2026Q2", "2026Q3")


def survey_rows(rng: np.random.Generator) -> list[dict[str, object]]:
    roles = ["executive"] * 120 + ["employee"] * 240 + ["customer"] * 640
    rows = []
    for i, role in enumerate(roles):
        region = REGIONS[rng.choice(3, p=[0.45, 0.3, 0.25])]
        is_self = role != "customer"
        base = (4.15 if role == "executive" else 4.0) if is_self else 2.95
        if not is_self and region == "EMEA":
            base -= 0.3
        person = rng.normal(0.0, 0.8)
        row: dict[str, object] = {
            "respondent_id": f"R{i + 1:05d}",
            "role": role.capitalize() if rng.random() < 0.1 else role,
            "region": region,
            "wave": WAVES[int(rng.random() < 0.5)],
            "weight": round(float(rng.uniform(0.6, 1.6)), 3) if not is_self else 1.0,
        }
        for item in ITEMS:
            shift = (SELF_SHIFT if is_self else CUST_SHIFT)[item]
            latent = base + shift + person + rng.normal(0.0, 0.7)
            answer: object = int(np.clip(np.rint(latent), 1, 5))
            u = rng.random()
            if u < 0.04:
                answer = ""
            elif u < 0.05:
                answer = "Don't know"
            elif u < 0.055:
                answer = 99
            row[item] = answer
        if is_self:
            row["nps"] = ""
        else:
            row["nps"] = int(np.clip(np.rint(rng.normal(6.3 + person * 2.2, 2.0)), 0, 10))
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def config_text() -> str:
    lines = [
        "# Study config for the bundled example (written by make_examples.py).",
        "[columns]",
        'id = "respondent_id"',
        'role = "role"',
        'weight = "weight"',
        'wave = "wave"',
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
        "",
        "[answers]",
        'missing = ["Don\'t know", 99]',
        "",
        "[answers.labels]",
        '"Strongly disagree" = 1',
        '"Disagree" = 2',
        '"Neither agree nor disagree" = 3',
        '"Agree" = 4',
        '"Strongly agree" = 5',
        "",
        "[pillars]",
        *[f'{k} = "{v}"' for k, v in PILLARS.items()],
    ]
    for item, label in ITEMS.items():
        lines += ["", f"[items.{item}]", f'pillar = "{item[:2]}"', f'label = "{label}"']
    return "\n".join(lines) + "\n"


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = survey_rows(rng)
    write_csv(HERE / "centricity_survey.csv", rows)
    self_rows = [
        {k: v for k, v in r.items() if k != "role"}
        for r in rows
        if str(r["role"]).lower() != "customer"
    ]
    cust_rows = [
        {k: v for k, v in r.items() if k != "role"}
        for r in rows
        if str(r["role"]).lower() == "customer"
    ]
    write_csv(HERE / "self_ratings.csv", self_rows)
    write_csv(HERE / "customer_ratings.csv", cust_rows)
    (HERE / "cxkit.toml").write_text(config_text(), encoding="utf-8")


if __name__ == "__main__":
    main()
