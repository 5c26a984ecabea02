"""``cxkit check`` bugs a QA sweep turned up: CI output that did not parse, typos in a check's
keys that read as a passed or failed gate, drops given in the wrong order or twice, and a
change check's error quoting text the user never wrote."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_INPUT, EXIT_USAGE

from .conftest import EXAMPLES, one_line_error

runner = CliRunner()
DROPS = EXAMPLES / "drops"
Q2, Q3 = DROPS / "2026Q2.csv", DROPS / "2026Q3.csv"
HEAD = "[columns]\nid = 'respondent_id'\nrole = 'role'\nwave = 'wave'\n"


def _check(*args):
    return runner.invoke(app, ["check", *map(str, args)])


def _config(tmp_path, text: str):
    cfg = tmp_path / "c.toml"
    cfg.write_text(HEAD + text, encoding="utf-8")
    return cfg


def test_a_change_check_with_a_comparison_says_it_takes_a_path(tmp_path):
    cfg = _config(tmp_path, "[[check]]\nchange = 'gap.overall.agree_customer >= 3'\n")
    message = one_line_error(_check(Q2, Q3, "--config", cfg), EXIT_INPUT)
    assert "check[1].change: takes a metric PATH only" in message
    assert "change = 'gap.overall.agree_customer'" in message
    assert "expr = 'gap.overall.agree_customer >= 3'" in message
    assert "!=" not in message


def test_a_malformed_change_path_quotes_only_what_was_written(tmp_path):
    cfg = _config(tmp_path, "[[check]]\nchange = 'gap.overall.agree_customer >'\n")
    message = one_line_error(_check(Q2, Q3, "--config", cfg), EXIT_USAGE)
    assert "'gap.overall.agree_customer >'" in message and "!=" not in message
    assert "a PATH only" in message


def _drop(path, wave: str, columns: list[str]):
    """A small drop: 20 respondents answering every item column (1-5) in ``columns``."""
    rows = [",".join(["respondent_id", "role", "wave", *columns])]
    for i in range(20):
        role = "customer" if i % 2 else "executive"
        cells = ["EMEA" if c == "region" else str(1 + (i + j) % 5) for j, c in enumerate(columns)]
        rows.append(",".join([f"r{i}", role, wave, *cells]))
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_typo_in_max_missing_share_items_is_a_config_error(tmp_path):
    cfg = _config(tmp_path, "[[check]]\nmax_missing_share = 0.01\nitems = ['sa_1x']\n")
    message = one_line_error(_check(Q2, Q3, "--config", cfg), EXIT_INPUT)
    assert message.startswith(f"{cfg}: check[1].items: 'sa_1x' matches no column in {Q3}")
    assert "(did you mean 'sa_1'?)" in message and "columns: respondent_id" in message


def test_max_missing_share_items_as_a_string_is_one_pattern(tmp_path):
    cfg = _config(tmp_path, "[[check]]\nmax_missing_share = 0.01\nitems = 'sa_1x'\n")
    message = one_line_error(_check(Q3, "--config", cfg), EXIT_INPUT)
    assert "check[1].items: 'sa_1x' matches no column" in message
    cfg = _config(tmp_path, "[[check]]\nmax_missing_share = 0.5\nitems = 'ee_*'\n")
    res = _check(Q3, "--config", cfg, "-f", "json")
    assert res.exit_code == 0, res.output
    cfg = _config(tmp_path, "[[check]]\nmax_missing_share = 0.5\nitems = [1]\n")
    message = one_line_error(_check(Q3, "--config", cfg), EXIT_INPUT)
    assert "check[1].items: must be a list of item names or patterns" in message


def test_an_item_only_the_previous_drop_has_fails_the_gate(tmp_path):
    prev = _drop(tmp_path / "2026Q1.csv", "2026Q1", ["sa_1", "sa_9"])
    cur = _drop(tmp_path / "2026Q2.csv", "2026Q2", ["sa_1"])
    cfg = _config(tmp_path, "[[check]]\nmax_missing_share = 0.5\nitems = ['sa_9']\n")
    res = _check(prev, cur, "--config", cfg, "-f", "json")
    assert res.exit_code == 1, res.output
    assert json.loads(res.stdout)["table"][0]["reason"] == (
        "no item of the drop matches 'sa_9' (check 'items')"
    )
    message = one_line_error(_check(cur, "--config", cfg), EXIT_INPUT)  # no drop has it
    assert "check[1].items: 'sa_9' matches no column" in message


def test_a_typo_in_per_is_a_config_error_not_a_failed_gate(tmp_path):
    cfg = _config(tmp_path, "[[check]]\nmin_responses = 100\nper = 'regoin'\n")
    message = one_line_error(_check(Q2, Q3, "--config", cfg), EXIT_INPUT)
    assert message.startswith(f"{cfg}: check[1].per: no column 'regoin' in {Q3}")
    assert "(did you mean 'region'?)" in message


def test_a_per_column_only_the_previous_drop_has_fails_the_gate(tmp_path):
    prev = _drop(tmp_path / "2026Q1.csv", "2026Q1", ["region", "sa_1"])
    cur = _drop(tmp_path / "2026Q2.csv", "2026Q2", ["sa_1"])
    cfg = _config(tmp_path, "[[check]]\nmin_responses = 1\nper = 'region'\n")
    res = _check(prev, cur, "--config", cfg, "-f", "json")
    assert res.exit_code == 1, res.output
    assert (
        "'region' (check 'per') is not in the drop" in json.loads(res.stdout)["table"][0]["reason"]
    )


@pytest.mark.parametrize(
    ("check", "text"),
    [
        ("min_responses = 1\nper = ['region']", "check[1].per: must be one column name"),
        ("min_responses = 1\nper = ''", "check[1].per: must be one column name"),
        (
            "expr = 'gap.overall.agree_ratio <= 8'\nper = 'region'",
            "check[1].per: only a min_responses check takes per, not expr",
        ),
        ("unique_ids = true\nitems = ['sa_1']", "check[1].items: only a max_missing_share"),
        ("drift = true\ndirection = 'decrease'", "check[1].direction: only a change check"),
    ],
)
def test_a_check_key_of_the_wrong_type_or_check_is_a_config_error(check, text, tmp_path):
    cfg = _config(tmp_path, f"[[check]]\n{check}\n")
    assert text in one_line_error(_check(Q2, Q3, "--config", cfg), EXIT_INPUT)


def test_drops_in_the_wrong_order_are_a_usage_error():
    message = one_line_error(_check(Q3, Q2), EXIT_USAGE)
    assert message.startswith("the drops are in the wrong order")
    assert f"{Q3} holds wave 2026Q3 in column 'wave', later than {Q2}'s 2026Q2" in message
    assert message.endswith(f"pass the previous drop first: cxkit check {Q2} {Q3}")


def test_the_same_drop_twice_is_a_usage_error(tmp_path):
    message = one_line_error(_check(Q3, Q3), EXIT_USAGE)
    assert message.startswith(f"{Q3}: the same drop is given twice; name each drop once")
    spelled = DROPS / ".." / "drops" / "2026Q3.csv"
    assert "given twice (as" in one_line_error(_check(Q3, spelled), EXIT_USAGE)
    copy = tmp_path / "copy.csv"
    copy.write_bytes(Q3.read_bytes())
    message = one_line_error(_check(Q3, copy, "--config", DROPS / "cxkit.toml"), EXIT_USAGE)
    assert f"{Q3} and {copy} are the same drop (same sha256)" in message


def test_drops_without_waves_or_in_order_still_run(tmp_path):
    res = _check(Q2, Q3)
    assert res.exit_code == 1 and "2 of 10 checks failed" in res.stdout  # the planted fall
    prev, cur = tmp_path / "a.csv", tmp_path / "b.csv"
    prev.write_text("role,q1\ncustomer,4\nexecutive,5\n")
    cur.write_text("role,q1\ncustomer,5\nexecutive,5\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text("[[check]]\ndrift = true\n")
    assert _check(prev, cur, "--config", cfg).exit_code == 0


ODD = "AP\x01AC <&>"  # a control character and XML's special characters in a cell


def _odd_drops(tmp_path):
    out = []
    for drop in (Q2, Q3):
        path = tmp_path / drop.name
        path.write_text(drop.read_text().replace(",APAC,", f",{ODD},", 1))
        out.append(path)
    return out


def test_junit_and_github_output_hold_control_characters_from_the_data(tmp_path):
    import xml.dom.minidom
    import xml.etree.ElementTree as ET

    prev, cur = _odd_drops(tmp_path)
    cfg = _config(
        tmp_path,
        "[roles]\nself = ['executive', 'employee']\ncustomer = ['customer']\n"
        "[[check]]\nmin_responses = 1\nper = 'region'\n",
    )
    junit = tmp_path / "junit.xml"
    gate = f'gap[region="{ODD}"].overall.agree_self >= 2'
    res = _check(prev, cur, "--config", cfg, "--fail-if", gate, "--junit", junit, "--github")
    assert res.exit_code == 1, res.output
    xml.dom.minidom.parse(str(junit))  # a strict reader: no invalid token
    cases = ET.parse(junit).getroot().iter("testcase")
    names = [c.get("name") for c in cases]
    assert names[1] == 'gap[region="AP\\x01AC <&>"].overall.agree_self >= 2'
    failure = ET.parse(junit).getroot().find(".//failure")
    assert failure.get("message").endswith("region=AP\\x01AC <&>")
    assert failure.text.endswith("region=AP\\x01AC <&>")
    annotations = [line for line in res.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 1 and "\x01" not in annotations[0]
    assert annotations[0].endswith("row(s): region=AP\\x01AC <&>")
    summary = next(line for line in res.stdout.splitlines() if "checks failed" in line)
    assert summary.endswith('gap[region="AP\\x01AC <&>"].overall.agree_self >= 2')


def test_junit_and_annotations_of_any_table_stay_valid_and_one_line():
    import xml.etree.ElementTree as ET

    import pandas as pd

    from cxkit.junit import github_annotations, junit_xml

    table = pd.DataFrame(
        [
            {"check": "a\x01b\nc", "kind": "threshold", "status": "fail", "reason": "x\x0by"},
            {"check": "d\u2028e", "kind": "data", "status": "skipped", "reason": "z\x1f\ufffe"},
        ]
    )
    root = ET.fromstring(junit_xml(table))
    assert [c.get("name") for c in root.iter("testcase")] == ["a\\x01b\nc", "d\u2028e"]
    assert root.find(".//skipped").get("message") == "z\\x1f\\ufffe"
    lines = github_annotations(table).splitlines()
    assert lines == [
        "::error title=cxkit check%3A a\\x01b%0Ac::x\\x0by",
        "::warning title=cxkit check%3A d\\u2028e::z\\x1f\ufffe",
    ]


@pytest.mark.parametrize(
    ("name", "found"),
    [("7", 'a number (7); quote it: name = "7"'), ("true", "true/false"), ("[1]", "a list")],
)
def test_a_check_name_must_be_text(name, found, tmp_path):
    cfg = _config(tmp_path, f"[[check]]\nname = {name}\nmin_responses = 1\n")
    message = one_line_error(_check(Q3, "--config", cfg), EXIT_INPUT)
    assert message == f"{cfg}: check[1].name: must be a text string, not {found}"


@pytest.mark.parametrize("name", ["two\\nlines", "bell\\u0007", "tab\\there"])
def test_a_check_name_must_be_one_line(name, tmp_path):
    cfg = _config(tmp_path, f'[[check]]\nname = "{name}"\nmin_responses = 1\n')
    message = one_line_error(_check(Q3, "--config", cfg), EXIT_INPUT)
    assert message.startswith(f"{cfg}: check[1].name: must be one line of text; found")
