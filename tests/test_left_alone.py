"""Problems an earlier session noticed and left alone: an infinite interval bound shown as
missing in the terminal table, raw control characters from the data printed into the
terminal, a check name that is a number, an ``items`` pattern naming a column that is not an
item, and several "Other" write-ins that dropped their respondent from ``cxkit obstacles``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_INPUT

from .conftest import one_line_error

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- 1. an infinite interval bound reads as the headline writes it -----------------------

#: one agreeing customer with a weight near 0: the Katz limit exp(log r + z SE) overflows
TINY_AGREE = (
    "id,role,w,q1\n1,executive,1,5\n2,executive,1,5\n3,executive,1,2\n"
    "4,customer,1,2\n5,customer,1,2\n6,customer,1e-300,5\n"
)


def test_an_infinite_ratio_bound_shows_as_infinity_in_the_table_as_in_the_headline(tmp_path):
    path = _csv(tmp_path, "w.csv", TINY_AGREE)
    doc = json.loads(_run("gap", path, "--no-config", "--weight", "w", "-f", "json").stdout)
    assert "(95% CI 0.0–∞)" in doc["summary"]["headline"]
    res = _run("gap", path, "--no-config", "--weight", "w")
    assert res.exit_code == 0, res.output
    rows = [line for line in res.stdout.splitlines() if line.strip().startswith(("q1", "Overall"))]
    assert len(rows) == 2 and all("1.3e+300× (0.00–∞)" in r for r in rows), res.stdout
    assert "(–)" not in res.stdout.split("Ratio")[1].split("Mean gap")[0]
    markdown = _run("gap", path, "--no-config", "--weight", "w", "-f", "markdown").stdout
    assert "| 1.3e+300× (0.00–∞) |" in markdown
    # files keep an infinite value as JSON and CSV write it: null, a blank cell
    assert doc["table"][0]["agree_ratio_ci_high"] is None


# --- 2. control characters in the data are shown escaped, not run by the terminal ----------


def _segments_csv(tmp_path):
    """Segment labels holding ESC (a colour sequence) and BEL, among enough plain rows that
    the reader does not take the file for binary data."""
    rows = ["id,role,segment,q1"]
    labels = ["\x1b[31mred", "bell\x07"]
    for i in range(120):
        seg = labels[i % 2] if i < 8 else "plain"
        rows.append(f"{i},{'executive' if i % 3 else 'customer'},{seg},{1 + i % 5}")
    return _csv(tmp_path, "seg.csv", "\n".join(rows) + "\n")


def test_control_characters_in_table_cells_are_escaped_but_files_keep_them(tmp_path):
    import pyarrow.parquet as pq

    path = _segments_csv(tmp_path)
    res = _run("gap", path, "--no-config", "--by", "segment")
    assert res.exit_code == 0, res.output
    for stream in (res.stdout, res.stderr):  # the table, and the notes naming the cells
        assert "\x1b" not in stream and "\x07" not in stream
    assert "\\x1b[31mred" in res.stdout and "bell\\x07" in res.stdout
    assert "segment=\\x1b[31mred" in res.stderr
    markdown = _run("gap", path, "--no-config", "--by", "segment", "-f", "markdown").stdout
    assert "\x1b" not in markdown and "| \\x1b[31mred |" in markdown
    # what is written for programs keeps the data as it is
    out = [tmp_path / f"o.{ext}" for ext in ("json", "csv", "parquet")]
    for o in out:
        assert _run("gap", path, "--no-config", "--by", "segment", "-o", o).exit_code == 0
    segments = {row["segment"] for row in json.loads(out[0].read_text())["table"]}
    assert {"\x1b[31mred", "bell\x07"} <= segments
    assert "\x1b[31mred,item" in out[1].read_text(encoding="utf-8")
    assert "bell\x07" in pq.read_table(out[2]).column("segment").to_pylist()


def test_one_line_is_shared_by_messages_and_github_annotations():
    import pandas as pd

    from cxkit.errors import InputError, one_line
    from cxkit.junit import github_annotations

    assert one_line("a\x1b[2J\x07\x9b\u2028b") == "a\\x1b[2J\\x07\\x9b\\u2028b"
    assert str(InputError("bad \x9b2J")) == "bad \\x9b2J"
    table = pd.DataFrame(
        [{"check": "c\x9b", "kind": "data", "status": "fail", "reason": "r\x1b[0m"}]
    )
    assert github_annotations(table) == "::error title=cxkit check%3A c\\x9b::r\\x1b[0m\n"


# --- 3. check config: a name is text; items name items --------------------------------------


def _drop(path, wave: str, text_col: str = "region"):
    """A drop with items q1, q2 and a text column ``text_col``; ``q2`` text in ``wave``
    ``2026Q2`` (so there it is a column, not an item)."""
    rows = [f"id,role,wave,{text_col},q1,q2"]
    for i in range(40):
        q2 = "n/a" if wave == "2026Q2" else str(1 + i % 5)
        rows.append(f"{i},{'executive' if i % 2 else 'customer'},{wave},AMER,{1 + i % 5},{q2}")
    return _csv(path.parent, path.name, "\n".join(rows) + "\n")


def _config(tmp_path, text: str):
    head = "[columns]\nid = 'id'\nrole = 'role'\nwave = 'wave'\n"
    return _csv(tmp_path, "c.toml", head + text)


def _check(*args):
    return _run("check", *args)


def test_a_check_name_that_is_a_number_is_a_config_error(tmp_path):
    cur = _drop(tmp_path / "2026Q1.csv", "2026Q1")
    cfg = _config(tmp_path, "[[check]]\nname = 7\nmin_responses = 1\n")
    message = one_line_error(_check(cur, "--config", cfg), EXIT_INPUT)
    assert message == (
        f'{cfg}: check[1].name: must be a text string, not a number (7); quote it: name = "7"'
    )
    cfg = _config(tmp_path, "[[check]]\nname = ['a']\nmin_responses = 1\n")
    message = one_line_error(_check(cur, "--config", cfg), EXIT_INPUT)
    assert message == f"{cfg}: check[1].name: must be a text string, not a list"
    cfg = _config(tmp_path, "[[check]]\nname = '7'\nmin_responses = 1\n")
    res = _check(cur, "--config", cfg, "-f", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["table"][0]["check"] == "7"


def test_items_naming_a_column_that_is_no_item_is_a_config_error_like_a_typo(tmp_path):
    cur = _drop(tmp_path / "2026Q1.csv", "2026Q1")
    cfg = _config(tmp_path, "[[check]]\nmax_missing_share = 0.5\nitems = ['q1', 'region']\n")
    message = one_line_error(_check(cur, "--config", cfg), EXIT_INPUT)
    assert message.startswith(
        f"{cfg}: check[1].items: 'region' matches region but no item of {cur} (a column not "
        "rated on the scale"
    ), message
    assert message.endswith("; items: q1, q2")
    # a glob that reaches an item is fine: it checks the items it matches
    cfg = _config(tmp_path, "[[check]]\nmax_missing_share = 0.5\nitems = ['q*']\n")
    assert _check(cur, "--config", cfg).exit_code == 0


def test_an_item_the_current_drop_no_longer_rates_still_fails_the_gate(tmp_path):
    """q2 is an item of the previous drop and text in the current one: data, not config."""
    prev = _drop(tmp_path / "2026Q1.csv", "2026Q1")
    cur = _drop(tmp_path / "2026Q2.csv", "2026Q2")
    cfg = _config(tmp_path, "[[check]]\nmax_missing_share = 0.5\nitems = ['q2']\n")
    res = _check(prev, cur, "--config", cfg, "-f", "json")
    assert res.exit_code == 1, res.output
    assert json.loads(res.stdout)["table"][0]["reason"] == (
        "no item of the drop matches 'q2' (check 'items')"
    )
    message = one_line_error(_check(cur, "--config", cfg), EXIT_INPUT)  # no drop rates it
    assert f"check[1].items: 'q2' matches q2 but no item of {cur} " in message


# --- 4. several "Other" write-ins: the respondent stays, Other counts once ------------------

FOLDED = "1 respondents gave several write-ins that all count as Other"


def _obstacles(path, *args):
    res = _run("obstacles", path, "--bootstrap", "0", "-f", "json", *args)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    return {r["obstacle"]: r for r in doc["table"]}, doc["notes"], doc["provenance"]


def test_two_other_write_ins_in_rank_columns_keep_the_respondent(tmp_path):
    path = _csv(
        tmp_path,
        "o.csv",
        "id,obstacle_1,obstacle_2,obstacle_3,obstacle_4\n"
        "1,Budget,Other: legal,Silos,Other (please specify): politics\n"
        "2,Silos,Budget,Tech,\n"
        "3,Budget,Tech,Silos,Other: x\n"
        "4,Tech,Silos,,\n"
        "5,Budget,Budget,,\n",  # one obstacle twice is still an invalid answer
    )
    rows, notes, _ = _obstacles(path, "--no-config")
    # README: n_respondents = valid answers, n_named = respondents naming the obstacle
    assert {r["n_respondents"] for r in rows.values()} == {4}
    other = rows["Other"]
    assert other["n_named"] == 2 and other["share_named"] == 0.5
    assert other["share_top2"] == 0.25  # respondent 1's best rank for Other is 2
    assert other["mean_rank"] == 3.0  # ranks 2 and 4, each respondent once
    assert any(n.startswith(FOLDED) and "at the best rank given" in n for n in notes), notes
    assert "excluded 1 rows: the same obstacle twice" in notes  # respondent 5 only


def test_two_other_columns_ranked_keep_the_respondent_and_every_rank(tmp_path):
    path = _csv(
        tmp_path,
        "o.csv",
        "id,obstacle_budget,obstacle_silos,obstacle_tech,obstacle_other1,obstacle_other2\n"
        "1,1,3,5,2,4\n2,2,1,3,,\n3,1,2,3,,\n",
    )
    cfg = _csv(
        tmp_path,
        "c.toml",
        "[obstacles.labels]\nobstacle_budget = 'Budget'\nobstacle_silos = 'Silos'\n"
        "obstacle_tech = 'Tech'\nobstacle_other1 = 'Other (please specify)'\n"
        "obstacle_other2 = 'Other (please specify)'\n",
    )
    rows, notes, prov = _obstacles(path, "--config", cfg)
    assert prov["parameters"]["ranks"] == 5  # five options to rank, two of them write-ins
    assert {r["n_respondents"] for r in rows.values()} == {3}
    assert rows["Other"]["n_named"] == 1 and rows["Other"]["share_top2"] == 1 / 3
    # Budget 1, Other 2, Silos 3, Tech 5: Tech is the fourth obstacle named
    assert rows["Tech"]["mean_rank"] == (4 + 3 + 3) / 3
    assert any(n.startswith(FOLDED) for n in notes) and not any("excluded" in n for n in notes)


def test_two_other_picks_count_once_with_a_note(tmp_path):
    path = _csv(
        tmp_path,
        "o.csv",
        "id,obstacles\n1,Budget; Other: legal; Other - politics\n2,Silos; Budget\n3,Tech\n",
    )
    rows, notes, _ = _obstacles(path, "--no-config")
    assert {r["n_respondents"] for r in rows.values()} == {3}
    assert rows["Other"]["n_named"] == 1 and rows["Budget"]["n_named"] == 2
    assert any(n.startswith(FOLDED) and n.endswith("as one pick") for n in notes), notes
