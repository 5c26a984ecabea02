"""The study config: parsing, validation messages, and its effect on recoding."""

from __future__ import annotations

import pytest

import cxkit
from cxkit.errors import ConfigError
from cxkit.study import load_study
from cxkit.survey import SurveySpec


def _cfg(tmp_path, text):
    p = tmp_path / "cxkit.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_example_config_loads(example_config):
    st = load_study(example_config)
    assert st.role_col == "role" and st.weight_col == "weight"
    assert st.self_roles == ("executive", "employee")
    assert len(st.items) == 20 and st.items["ci_2"].pillar == "ci"
    assert st.scale.agree_at == 4
    assert "99" in st.missing


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[colums]\nrole = 'r'\n", "colums: unknown key"),
        ("[columns]\nrole = 3\n", "columns.role: must be a non-empty string"),
        ("[scale]\nmin = 5\nmax = 1\n", "scale: max (1) must be above min (5)"),
        ("[scale]\nagree = 9\n", "scale.agree: must lie in (1, 5]"),
        ("[items.q1]\npillar = 'zz'\n", "items.q1.pillar: 'zz' is not in [pillars]"),
        ("[items.q1]\nreverse = 'yes'\n", "items.q1.reverse: must be true or false"),
        ("[roles]\nself = ['a']\ncustomer = ['A']\n", "listed as both self and customer"),
        ("[answers.labels]\nAgree = 'four'\n", "must be a finite number"),
        ("this is = = not toml", "invalid TOML"),
    ],
)
def test_config_errors_name_the_key(tmp_path, text, message):
    with pytest.raises(
        ConfigError,
        match=message.replace("(", r"\(")
        .replace(")", r"\)")
        .replace("[", r"\[")
        .replace("]", r"\]"),
    ) as info:
        load_study(_cfg(tmp_path, text))
    assert "cxkit.toml" in str(info.value)


def test_labels_missing_codes_and_reverse_items(tmp_path):
    data = tmp_path / "s.csv"
    data.write_text(
        "role,q1,q2\n"
        "executive,Strongly agree,1\n"
        "executive,Agree,2\n"
        "customer,Disagree,N/A\n"
        "customer,Don\u2019t know,5\n",
        encoding="utf-8",
    )
    cfg = _cfg(
        tmp_path,
        "[items.q1]\nlabel = 'Q one'\n[items.q2]\nreverse = true\n"
        '[answers]\nmissing = ["Don\'t know"]\n',
    )
    survey = cxkit.read_survey(data, config=cfg)
    assert survey.frame["q1"].tolist()[:3] == [5.0, 4.0, 2.0]
    assert survey.frame["q1"].isna().tolist() == [False, False, False, True]
    assert survey.frame["q2"].tolist()[:2] == [5.0, 4.0]  # reverse-coded: 6 - x
    assert survey.frame["q2"].isna().tolist() == [False, False, True, False]
    assert survey.label_of("q1") == "Q one"
    assert any("missing codes" in n for n in survey.notes)


def test_cli_options_override_the_config(tmp_path):
    data = tmp_path / "s.csv"
    data.write_text("team,q1\nboss,10\ncustomer,3\nboss,9\ncustomer,9\n", encoding="utf-8")
    cfg = _cfg(tmp_path, "[columns]\nrole = 'team'\n[roles]\nself = ['boss']\n")
    survey = cxkit.read_survey(data, config=cfg, spec=SurveySpec(scale=cxkit_scale(0, 10)))
    assert survey.scale.agree_at == 9  # 0-10 scale default: 9-10
    result = cxkit.gap(survey)
    row = result.table.iloc[0]
    assert row["agree_self"] == 1.0 and row["agree_customer"] == 0.5


def cxkit_scale(lo, hi):
    from cxkit.study import Scale

    return Scale(lo, hi)


def test_config_beside_the_data_file_is_found(tmp_path, monkeypatch, example_csv):
    survey = cxkit.read_survey(example_csv)
    assert survey.study.path.endswith("cxkit.toml")
    bare = cxkit.read_survey(example_csv, use_config=False)
    assert bare.study.path is None and bare.weight_col is None
    # detected from the answers: the 20 statements (99 read as a missing code, noted), not
    # the 0-10 NPS question, the weights or the ids
    assert bare.items == list(survey.study.items)
    assert any("'99'" in n and "missing codes" in n for n in bare.notes)
