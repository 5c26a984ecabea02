"""Semantic bugs a QA sweep (2026-12-04) turned up: answers read wrongly, columns dropped
without a word, advice naming options the command lacks."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_INPUT

from .conftest import one_line_error

runner = CliRunner()

POOR_TO_EXCELLENT = {1.0: "Very poor", 2.0: "Poor", 3.0: "OK", 4.0: "Good", 5.0: "Excellent"}


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _json(res) -> dict:
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _sav(path, *, labels: dict[float, str]) -> None:
    """A .sav of 2 self-raters and 4 customers: a role and a region read as their labels,
    a battery q1, q2 and a lone item csat labelled ``labels`` (99 = user-missing)."""
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(
        {
            "role": [1.0, 1.0, 2.0, 2.0, 2.0, 2.0],
            "region": [1.0, 2.0, 1.0, 2.0, 1.0, 2.0],
            "q1": [5.0, 4.0, 2.0, 99.0, 1.0, 4.0],
            "q2": [4.0, 5.0, 3.0, 2.0, 4.0, 1.0],
            "csat": [5.0, 5.0, 2.0, 1.0, 3.0, 99.0],
        }
    )
    rating = {**labels, 99.0: "Don't know"}
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={
            "role": {1.0: "executive", 2.0: "customer"},
            "region": {1.0: "North", 2.0: "South"},
            "q1": rating,
            "q2": rating,
            "csat": {k: f"{v}!" for k, v in rating.items()},  # labels of its own
        },
        missing_ranges={c: [99.0] for c in ("q1", "q2", "csat")},
    )


def test_a_sav_battery_with_labels_of_its_own_is_read_as_its_codes(tmp_path):
    path = tmp_path / "custom.sav"
    _sav(path, labels=POOR_TO_EXCELLENT)
    out = _json(_run("gap", path, "--no-config", "-f", "json"))
    rows = {r["item"]: r for r in out["table"] if r["level"] == "item"}
    assert sorted(rows) == ["q1", "q2"]  # the lone csat stays text: not detected
    assert rows["q1"]["n_customer"] == 3  # 99 is user-missing
    assert rows["q1"]["mean_self"] == pytest.approx(4.5)
    notes = " | ".join(out["notes"])
    assert "the SPSS value labels of q1, q2 are not answer labels cxkit knows" in notes
    assert "1 = 'Very poor' … 5 = 'Excellent'" in notes
    # labels of a known scale are read as before, with no such note
    agree = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree")
    _sav(path, labels={float(i): v for i, v in enumerate((*agree, "Strongly agree"), 1)})
    out = _json(_run("gap", path, "--no-config", "-f", "json"))
    assert not any("SPSS value labels" in n for n in out["notes"])
    assert [r["mean_self"] for r in out["table"] if r["item"] == "q1"] == [pytest.approx(4.5)]


def test_a_named_sav_item_with_labels_of_its_own_is_read_as_its_codes(tmp_path):
    path = tmp_path / "custom.sav"
    _sav(path, labels=POOR_TO_EXCELLENT)
    out = _json(_run("gap", path, "--no-config", "--items", "csat", "--by", "region", "-f", "json"))
    rows = [r for r in out["table"] if r["level"] == "item" and r["region"] != "(all)"]
    assert {r["region"] for r in rows} == {"North", "South"}  # a category keeps its labels
    assert sum(r["n_customer"] for r in rows) == 3
    assert any("SPSS value labels of csat are not answer labels" in n for n in out["notes"])


def _one_self(tmp_path):
    data = tmp_path / "one_self.csv"
    data.write_text("id,role,q1,q2\n1,executive,5,4\n2,customer,3,2\n3,customer,4,4\n")
    return data


def test_a_config_segment_that_looks_like_an_item_is_named_in_a_note(tmp_path):
    data = _one_self(tmp_path)
    config = tmp_path / "seg.toml"
    config.write_text('[columns]\nsegment = "q1"\n')
    out = _json(_run("gap", data, "--config", config, "-f", "json"))
    assert {r["item"] for r in out["table"] if r["level"] == "item"} == {"q2"}
    note = "column 'q1' is the config's columns.segment, so it is not analysed as an item"
    assert note in out["notes"]
    # a reserved column that could not be an item anyway gets no such note
    config.write_text('[columns]\nsegment = "role"\n')
    out = _json(_run("gap", data, "--config", config, "-f", "json"))
    assert not any("columns.segment" in n for n in out["notes"])


def test_init_does_not_make_an_item_looking_column_the_segment(tmp_path):
    data = tmp_path / "small.csv"
    rows = [
        f"{i},{'executive' if i % 3 else 'customer'},{i % 5 + 1},{i % 4 + 1},A{i % 2}"
        for i in range(12)
    ]
    data.write_text("id,role,q1,q2,site\n" + "\n".join(rows) + "\n")
    config = tmp_path / "c.toml"
    res = _run("init", data, "-o", config)
    assert res.exit_code == 0, res.output
    assert 'segment = "site"' in config.read_text()  # not q1, which gap analyses as an item
    data.write_text("id,role,q1,q2\n" + "\n".join(r.rsplit(",", 1)[0] for r in rows) + "\n")
    res = _run("init", data, "-o", config, "--force")
    assert res.exit_code == 0, res.output
    assert '# segment = "COLUMN"' in config.read_text()


def _trend_options() -> set[str]:
    res = _run("trend", "--help")
    return set(re.findall(r"--[a-z][a-z-]+", res.stdout))


WAVES = "id,role,wave,q1\n1,executive,W1,5\n2,customer,W1,2\n3,customer,W2,4\n4,customer,W2,3\n"


def test_trend_of_the_customers_share_needs_no_self_raters_in_a_wave(tmp_path):
    data = tmp_path / "waves.csv"
    data.write_text(WAVES)
    for metric in ("agree", "item:q1"):
        out = _json(_run("trend", data, "--no-config", "--metric", metric, "-f", "json"))
        assert [r["n"] for r in out["table"]] == [1, 2]
        assert [r["estimate"] for r in out["table"]] == [0.0, 0.5]
    res = _run("trend", data, "--no-config", "--metric", "gap")  # a gap needs both sides
    message = one_line_error(res, EXIT_INPUT)
    assert message.startswith("wave W2: ") and "no self responses" in message


@pytest.mark.parametrize(
    ("csv", "config", "metric", "fix"),
    [
        (WAVES, None, "agree_self", "roles.self in cxkit.toml, or choose --metric agree"),
        (WAVES, None, "nps", "name the NPS column with --metric nps:NAME"),
        (WAVES.replace("4,customer,W2", "4,partner,W2"), None, "agree", "roles.customer in"),
        (
            WAVES + WAVES.split("\n", 1)[1] * 5 + "9,customer,W2,8\n",
            None,
            "agree",
            "[scale] in cxkit.toml",
        ),
        (WAVES, '[columns]\nrole = "who"\n', "agree", "set columns.role in cxkit.toml"),
        (WAVES, '[columns]\nweight = "w"\n', "agree", "fix columns.weight in cxkit.toml"),
        (WAVES.replace("q1", "note").replace(",5\n", ",x\n"), None, "agree", "cxkit.toml [items]"),
    ],
    ids=["no-self", "no-nps", "unknown-role", "off-scale", "role-col", "weight", "no-items"],
)
def test_trend_errors_suggest_only_fixes_trend_has(tmp_path, csv, config, metric, fix):
    data = tmp_path / "waves.csv"
    data.write_text(csv)
    args = ["--no-config"]
    if config is not None:
        (tmp_path / "c.toml").write_text(config)
        args = ["--config", tmp_path / "c.toml"]
    message = one_line_error(_run("trend", data, *args, "--metric", metric), EXIT_INPUT)
    assert fix in message, message
    assert set(re.findall(r"--[a-z][a-z-]+", message)) <= _trend_options(), message


def test_trend_reads_a_named_nps_column(tmp_path):
    data = tmp_path / "waves.csv"
    data.write_text("role,wave,q12\ncustomer,W1,10\ncustomer,W1,3\ncustomer,W2,9\ncustomer,W2,9\n")
    out = _json(_run("trend", data, "--no-config", "--metric", "nps:q12", "-f", "json"))
    assert [r["estimate"] for r in out["table"]] == [0.0, 100.0]
