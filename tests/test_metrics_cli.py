"""cxkit nps / metric / drivers on the command line: outputs, examples, every error."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxkit.cli import app

from .conftest import EXAMPLES
from .imports import loaded_by

runner = CliRunner()
DRIVERS_CSV = EXAMPLES / "drivers" / "drivers_survey.csv"


def run(*args: object, input: str | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def as_json(res) -> dict:
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


# --- nps ---------------------------------------------------------------------------------------
def test_nps_on_the_example_matches_a_pandas_count(example_csv):
    doc = as_json(run("nps", example_csv, "--no-weight", "-f", "json"))
    raw = pd.read_csv(example_csv)["nps"].dropna()
    want = 100 * ((raw >= 9).mean() - (raw <= 6).mean())
    row = doc["table"][0]
    assert row["nps"] == pytest.approx(want, rel=1e-12)
    assert row["n"] == len(raw) == row["n_promoters"] + row["n_passives"] + row["n_detractors"]
    assert "adjusted Wald" in doc["provenance"]["methods"]["nps_ci"]
    assert "Rocks 2016" in doc["provenance"]["methods"]["nps_ci"]
    assert any("360 rows have no answer in 'nps'" in n for n in doc["notes"])
    assert doc["summary"]["headline"].startswith("NPS ")


def test_nps_by_region_has_groups_then_holm_adjusted_pairs(example_csv):
    doc = as_json(run("nps", example_csv, "--by", "region", "-f", "json"))
    levels = [r["level"] for r in doc["table"]]
    assert levels == ["all", "group", "group", "group", "difference", "difference", "difference"]
    diffs = [r for r in doc["table"] if r["level"] == "difference"]
    groups = {r["region"]: r for r in doc["table"] if r["level"] == "group"}
    for d in diffs:
        assert d["nps"] == pytest.approx(groups[d["region"]]["nps"] - groups[d["versus"]]["nps"])
        assert d["p_adj"] >= d["p_value"]
    assert "Kish" in doc["provenance"]["methods"]["weights"]


def test_nps_group_label_column_equals_the_numeric_answers(tmp_path):
    answers = [10, 9, 9, 8, 7, 6, 3, 0, 10, 5, 8, 9]
    label = {10: "Promoter", 9: "promoter", 8: "Passive", 7: "Passive"}
    num = write(tmp_path / "n.csv", "q\n" + "\n".join(map(str, answers)) + "\n")
    lab = write(
        tmp_path / "l.csv", "q\n" + "\n".join(label.get(a, "Detractor") for a in answers) + "\n"
    )
    a = as_json(run("nps", num, "--col", "q", "-f", "json"))
    b = as_json(run("nps", lab, "--col", "q", "-f", "json"))
    for key in ("nps", "nps_ci_low", "nps_ci_high", "promoters", "detractors"):
        assert a["table"][0][key] == b["table"][0][key]
    assert any("NPS group labels" in n for n in b["notes"])
    assert any("fewer than 30" in n for n in a["notes"])


def test_nps_role_filter_counts_the_excluded_rows(example_csv):
    doc = as_json(run("nps", example_csv, "--role", "customer", "-f", "json"))
    assert doc["table"][0]["n"] == 640
    assert any("excluded 360 rows whose 'role' is not customer" in n for n in doc["notes"])


def test_nps_roles_with_blanks_leave_the_blanks_out(tmp_path):
    """A blank role is no role: never kept by --role, never listed among the roles seen
    (it used to appear as 'nan' under pandas' text)."""
    # a vendor gave no score: not among the roles whose answers are included
    rows = [("Customer", 10), ("customer ", 9), ("", 0), ("Partner", 7), ("", 8), ("Vendor", "")]
    src = write(tmp_path / "s.csv", "role,nps\n" + "".join(f"{r},{x}\n" for r, x in rows))
    doc = as_json(run("nps", src, "--no-config", "-f", "json"))
    assert doc["table"][0]["n"] == 5
    assert "answers from every role are included (customer, partner)" in " ".join(doc["notes"])
    doc = as_json(run("nps", src, "--no-config", "-f", "json", "--role", "CUSTOMER"))
    assert doc["table"][0]["n"] == 2 and doc["table"][0]["nps"] == 100.0  # by hand: 2 of 2
    assert any("excluded 4 rows" in n for n in doc["notes"])
    res = run("nps", src, "--no-config", "--role", "buyer")
    assert res.exit_code == 3, res.output
    assert "values seen: customer, partner, vendor);" in res.output


def test_nps_gives_the_same_table_once_pandas_holds_the_survey(example_csv):
    """The columns are factorised where they are stored: in Arrow, or in the DataFrame
    once something built it. Both give the same result."""
    import cxkit
    from cxkit.nps import nps
    from cxkit.output import to_json
    from cxkit.study import Scale
    from cxkit.survey import SurveySpec

    spec = SurveySpec(
        items=("nps",), role_col="role", weight_col="weight", by=("region",), scale=Scale(0, 10)
    )
    for roles in (None, ["customer"]):
        fresh = cxkit.read_survey(example_csv, spec=spec)
        framed = cxkit.read_survey(example_csv, spec=spec)
        assert len(framed.frame)  # pandas now holds every column
        a = nps(fresh, "nps", by=["region"], roles=roles)
        b = nps(framed, "nps", by=["region"], roles=roles)
        assert a.holds_columns() and to_json(a) == to_json(b)


@pytest.mark.parametrize(
    "extra",
    [[], ["--by", "region", "--weight", "weight"], ["--role", "customer"],
     ["--wave", "2026Q3", "--compare-to", "2026Q2", "--by", "region"]],
)  # fmt: skip
def test_nps_imports_neither_pandas_nor_scipy(extra, example_csv, tmp_path):
    """pandas alone took half of a 1M-row nps run (0.75 -> 0.37 s without it)."""
    args = ["nps", str(example_csv), "--no-config", "-f", "json", *extra]
    env = {"CXKIT_NO_PRELOAD": "1"}
    loaded = loaded_by(args, ("pandas", "scipy"), cwd=tmp_path, env=env, must_succeed=True)
    assert loaded == [], f"nps {extra} imported {loaded}"


@pytest.mark.parametrize(
    "extra",
    [
        ["--index", "--by", "region", "--weight", "weight"],
        ["--preset", "csat", "--role", "customer"],
        ["--wave", "2026Q3", "--compare-to", "2026Q2", "--index"],
    ],
)
def test_metric_imports_neither_pandas_nor_scipy(extra, example_csv, tmp_path):
    """metric counts the stored codes (1M rows, --index --by: 1.53 -> 0.42 s)."""
    args = ["metric", str(example_csv), "--no-config", "-f", "json", *extra]
    env = {"CXKIT_NO_PRELOAD": "1"}
    loaded = loaded_by(args, ("pandas", "scipy"), cwd=tmp_path, env=env, must_succeed=True)
    assert loaded == [], f"metric {extra} imported {loaded}"


def test_metric_gives_the_same_table_once_pandas_holds_the_survey(example_csv):
    """Codes and breakdowns read from Arrow, or from the DataFrame once something built
    it (and changed an answer there): the same statistics."""
    import cxkit
    from cxkit.metrics import metric
    from cxkit.output import to_json
    from cxkit.survey import SurveySpec

    spec = SurveySpec(role_col="role", weight_col="weight", by=("region",))
    fresh = cxkit.read_survey(example_csv, spec=spec)
    framed = cxkit.read_survey(example_csv, spec=spec)
    a = metric(fresh, by=["region"], roles=["customer"], index=True)
    b = metric(framed, by=["region"], roles=["customer"], index=True)
    assert len(framed.frame) and a.holds_columns() and to_json(a) == to_json(b)
    # cell by cell, (all) first, the items then the index in order within each cell
    regions = sorted(set(fresh.column("region").dropna()))
    names = [*fresh.items, None]
    want = [(r, it) for r in ["(all)", *regions] for it in names]
    got = [(r, it if isinstance(it, str) else None) for r, it in a.table[["region", "item"]].values]
    assert got == want
    item = framed.items[0]
    framed.frame.loc[framed.frame[item] == 5, item] = 1  # every top answer moved to the bottom
    before, after = metric(fresh, items=[item]).table, metric(framed, items=[item]).table
    assert after.loc[0, "top_box"] == 0.0
    moved = before.loc[0, "top_box"] + before.loc[0, "bottom_box"]
    assert after.loc[0, "bottom_box"] == pytest.approx(moved, rel=1e-12)


# --- metric ------------------------------------------------------------------------------------
def test_metric_csat_preset_and_index(example_csv):
    doc = as_json(
        run("metric", example_csv, "--item", "ci_*", "--preset", "csat", "--index", "-f", "json")
    )
    rows = doc["table"]
    assert [r["level"] for r in rows] == ["item"] * 4 + ["index"]
    first = rows[0]
    assert first["agree"] == first["top2_box"]
    assert doc["summary"]["headline"].startswith("We understand what customers value most: CSAT")
    assert first["mean_ci_low"] < first["mean"] < first["mean_ci_high"]


def test_metric_ces_preset_reads_a_1_to_7_scale(tmp_path):
    f = write(tmp_path / "ces.csv", "effort\n" + "\n".join("1234567" * 5) + "\n")
    doc = as_json(run("metric", f, "--preset", "ces", "-f", "json"))
    row = doc["table"][0]
    assert row["mean"] == pytest.approx(4.0)
    assert row["agree"] == pytest.approx(3 / 7)  # answers 5-7
    assert row["top_box"] == pytest.approx(1 / 7) and row["bottom_box"] == pytest.approx(1 / 7)
    assert doc["summary"]["headline"].startswith("effort: CES 4.00 of 7")


def test_metric_by_region_and_weights(example_csv):
    doc = as_json(run("metric", example_csv, "--item", "sa_1", "--by", "region", "-f", "json"))
    assert [r["region"] for r in doc["table"]] == ["(all)", "AMER", "APAC", "EMEA"]
    assert doc["table"][0]["neff"] < doc["table"][0]["n"]


# --- drivers -----------------------------------------------------------------------------------
def test_drivers_rank_the_planted_driver_first():
    doc = as_json(run("drivers", DRIVERS_CSV, "--bootstrap", "200", "-f", "json"))
    top = doc["table"][0]
    assert top["driver"] == "fix_first_time" and top["importance_rank"] == 1
    assert top["priority"] == 1 and top["quadrant"] == "concentrate here"
    others = doc["table"][1:]
    # clearly first: its lower bound beats every other driver's upper bound
    assert top["importance_ci_low"] > max(r["importance_ci_high"] for r in others)
    friendly = next(r for r in doc["table"] if r["driver"] == "friendly")
    assert friendly["quadrant"] == "possible overkill"
    assert doc["summary"]["fix_first"] == "fix_first_time"
    assert doc["provenance"]["seed"] == 0


def test_drivers_are_reproducible_byte_for_byte(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (a, b):
        res = run("drivers", DRIVERS_CSV, "--bootstrap", "50", "--seed", "3", "-o", out)
        assert res.exit_code == 0, res.output
    assert a.read_bytes() == b.read_bytes()


def test_drivers_without_self_ratings_have_no_gap(tmp_path):
    data = pd.read_csv(DRIVERS_CSV, dtype=str, keep_default_na=False)
    f = tmp_path / "cust.csv"
    data[data["role"] == "customer"].drop(columns="role").to_csv(f, index=False)
    doc = as_json(
        run("drivers", f, "--no-config", "--outcome", "ltr", "--bootstrap", "0", "-f", "json")
    )
    assert all(r["gap"] is None and r["priority"] is None for r in doc["table"])
    assert "priority" not in doc["provenance"]["methods"]
    assert any("--bootstrap 0" in n for n in doc["notes"])


def test_drivers_constant_and_collinear_drivers_are_notes(tmp_path):
    rows = ["y,a,b,c,k"]
    for i in range(60):
        a = 1 + i % 5
        b = 1 + (i * 7 // 3) % 5
        rows.append(f"{(a * 2 + b + i % 3) % 11},{a},{b},{a},3")
    f = write(tmp_path / "d.csv", "\n".join(rows) + "\n")
    doc = as_json(run("drivers", f, "--outcome", "y", "--bootstrap", "20", "-f", "json"))
    notes = " ".join(doc["notes"])
    assert "do not vary" in notes and "k" in notes
    assert "nearly collinear drivers: a and c (r = 1.00)" in notes
    k_row = next(r for r in doc["table"] if r["driver"] == "k")
    assert k_row["importance"] is None and k_row["quadrant"] is None


# --- errors: (args, exit code, text in the one-line message) -------------------------------
def _bad(tmp_path: Path):
    ok = write(tmp_path / "ok.csv", "role,q1,nps\ncustomer,4,9\ncustomer,2,3\ncustomer,3,7\n")
    few = write(tmp_path / "few.csv", "y,a,b\n1,2,3\n5,4,1\n9,3,3\n")
    binary = write(
        tmp_path / "bin.csv",
        "y,a,b\n" + "".join(f"{i % 2},{1 + i % 5},{1 + i % 3}\n" for i in range(40)),
    )
    flat = write(
        tmp_path / "flat.csv",
        "y,a,b\n" + "".join(f"7,{1 + i % 5},{1 + i % 3}\n" for i in range(40)),
    )
    return {
        "nps missing file": (["nps", tmp_path / "nope.csv"], 3, "nope.csv: file not found"),
        "nps no column": (
            ["nps", write(tmp_path / "nn.csv", "q1\n4\n")],
            3,
            "no --col given and no column named nps or ltr; pass --col NAME",
        ),
        "nps unknown col": (["nps", ok, "--col", "ltr"], 3, "no NPS column 'ltr'"),
        "nps not whole": (
            ["nps", write(tmp_path / "half.csv", "nps\n9\n6.5\n")],
            3,
            "column 'nps', data row 2: 6.5 is not a whole number 0-10",
        ),
        "nps off scale": (
            ["nps", write(tmp_path / "big.csv", "nps\n9\n12\n")],
            3,
            "'12' is outside the scale 0-10",
        ),
        "nps role absent": (
            ["nps", write(tmp_path / "nr.csv", "nps\n9\n"), "--role", "customer"],
            3,
            "no role column 'role' to select --role 'customer'",
        ),
        "nps role value absent": (["nps", ok, "--role", "partner"], 3, "no rows with role partner"),
        "nps bad confidence": (["nps", ok, "--confidence", "95"], 2, "--confidence must be"),
        "metric bad preset": (["metric", ok, "--preset", "nps"], 2, "--preset 'nps'"),
        "metric preset vs scale": (
            ["metric", ok, "--preset", "ces", "--scale", "1-5"],
            2,
            "--preset ces uses the scale 1-7",
        ),
        "metric agree off scale": (["metric", ok, "--item", "q1", "--agree", "9"], 2, "--agree 9"),
        "metric no answers": (
            ["metric", write(tmp_path / "blank.csv", "q1,q2\n,4\n,5\n"), "--item", "q1"],
            3,
            "no answers in q1",
        ),
        "drivers no complete rows": (
            ["drivers", write(tmp_path / "nc.csv", "y,a,b\n5,,2\n6,3,\n"), "--outcome", "y"],
            3,
            "no customer row answers 'y' and every driver",
        ),
        "drivers one of two files": (
            ["drivers", "--self-file", ok],
            2,
            "--self-file and --customer-file go together",
        ),
        "drivers no input": (["drivers"], 2, "missing survey file: cxkit drivers FILE"),
        "metric bad item": (["metric", ok, "--item", "zz"], 3, "no column matches --item 'zz'"),
        "drivers binary outcome": (["drivers", binary, "--outcome", "y"], 3, "is binary (0/1)"),
        "drivers constant outcome": (["drivers", flat, "--outcome", "y"], 3, "does not vary"),
        "drivers too few rows": (
            ["drivers", few, "--outcome", "y", "--outcome-scale", "0-10"],
            3,
            "only 3 complete customer rows",
        ),
        "drivers no outcome": (["drivers", few], 3, "no --outcome given"),
        "drivers unknown outcome": (
            ["drivers", ok, "--outcome", "zz"],
            3,
            "no outcome column 'zz'",
        ),
        "drivers bad performance": (["drivers", ok, "--performance", "x"], 2, "--performance 'x'"),
        "drivers negative bootstrap": (["drivers", ok, "--bootstrap", "-1"], 2, "--bootstrap must"),
        "drivers no customers": (
            ["drivers", ok, "--outcome", "nps", "--customer", "buyer"],
            3,
            "no customer responses",
        ),
    }


CASES = [
    "nps missing file",
    "nps no column",
    "nps unknown col",
    "nps not whole",
    "nps off scale",
    "nps role absent",
    "nps role value absent",
    "nps bad confidence",
    "metric bad preset",
    "metric preset vs scale",
    "metric agree off scale",
    "metric no answers",
    "drivers no complete rows",
    "drivers one of two files",
    "drivers no input",
    "metric bad item",
    "drivers binary outcome",
    "drivers constant outcome",
    "drivers too few rows",
    "drivers no outcome",
    "drivers unknown outcome",
    "drivers bad performance",
    "drivers negative bootstrap",
    "drivers no customers",
]


@pytest.mark.parametrize("case", CASES)
def test_errors_are_one_line_with_documented_exit_code(case, tmp_path):
    args, code, text = _bad(tmp_path)[case]
    out = tmp_path / "out.json"
    res = run(*args, "-o", out) if code != 2 else run(*args)
    assert res.exit_code == code, (case, res.output)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cxkit: error: "), res.stderr
    assert text in lines[0], lines[0]
    assert not out.exists()
    assert "Traceback" not in res.output


def test_every_bad_input_case_is_exercised(tmp_path):
    assert sorted(CASES) == sorted(_bad(tmp_path))


# --- project -----------------------------------------------------------------------------------
def test_drivers_example_generator_reproduces_the_bundled_files(tmp_path):
    script = tmp_path / "make_drivers.py"
    shutil.copy(EXAMPLES / "make_drivers.py", script)
    subprocess.run([sys.executable, str(script)], check=True, cwd=tmp_path)
    for name in ("drivers_survey.csv", "cxkit.toml"):
        made = (tmp_path / "drivers" / name).read_bytes()
        assert made == (EXAMPLES / "drivers" / name).read_bytes(), name
        assert len(made) < 1_000_000


@pytest.mark.parametrize(
    "args",
    [
        ["nps", "--help"],
        ["metric", "x.csv", "--preset", "zz"],
        ["drivers", "x.csv", "--bootstrap", "-2"],
    ],
)
def test_help_and_option_errors_do_not_import_heavy_modules(args):
    assert loaded_by(args) == []


def test_nps_reads_typed_parquet_columns(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    answers = [10, 9, 8, 7, 6, 0, 9, 10]
    groups = ["Promoter" if a >= 9 else "Passive" if a >= 7 else "Detractor" for a in answers]
    path = tmp_path / "s.parquet"
    table = pa.table({"ltr": pa.array(answers, pa.int64()), "grp": pa.array(groups)})
    pq.write_table(table.append_column("cat", table["grp"].dictionary_encode()), path)
    rows = [
        as_json(run("nps", path, "--col", c, "-f", "json"))["table"][0]
        for c in ("ltr", "grp", "cat")
    ]
    assert rows[0]["nps"] == rows[1]["nps"] == rows[2]["nps"] == pytest.approx(100 * (4 - 2) / 8)


def test_metric_index_is_the_mean_of_respondent_means(example_csv):
    doc = as_json(
        run("metric", example_csv, "--item", "sa_*", "--index", "--no-weight", "-f", "json")
    )
    data = pd.read_csv(example_csv, dtype=str, keep_default_na=False)
    items = data[[f"sa_{i}" for i in range(1, 5)]].apply(pd.to_numeric, errors="coerce")
    items = items.where(items <= 5)  # 99 and "Don't know" are missing
    means = items.mean(axis=1).dropna()
    index = doc["table"][-1]
    assert index["level"] == "index" and index["n"] == len(means)
    assert index["mean"] == pytest.approx(means.mean(), rel=1e-12)
    assert index["top2_box"] == pytest.approx((means >= 4 - 1e-9).mean(), rel=1e-12)


def test_drivers_from_two_files_equal_one_file():
    args = ["--drivers", "ci_*", "--bootstrap", "30", "-f", "json"]
    one = as_json(run("drivers", EXAMPLES / "centricity_survey.csv", *args))
    two = as_json(
        run(
            "drivers",
            "--self-file",
            EXAMPLES / "self_ratings.csv",
            "--customer-file",
            EXAMPLES / "customer_ratings.csv",
            *args,
        )
    )
    assert two["table"] == one["table"]
    assert two["table"][0]["gap"] is not None
