"""``cxkit check`` without pandas: rows are picked, matched between drops and tabled from the
analyses' own columns.

pandas costs 0.3-0.45 s to import, about half of checking a small drop. gap, nps and metric
hand over their tables as columns; the checks select rows and match the two drops' rows from
those columns, and the outcome table is columns too. Results held as DataFrames (drivers,
roi, obstacles) take the pandas route. The reference for the column route is that pandas
route on the same results, and the DataFrame the outcome table used to be.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from cxkit import check_config, checks
from cxkit.output import to_json
from cxkit.study import load_study

from .conftest import EXAMPLES
from .imports import loaded_by

DROPS = EXAMPLES / "drops"
#: the example drops' settings (columns, roles, scale) without their checks
PLAIN = (DROPS / "cxkit.toml").read_text().split("[[check]]")[0]

#: threshold and change checks over every level, key and breakdown filter, passing, failing
#: and undefined, on gap, nps and metric
EXPRESSIONS = [
    "gap.item.agree_ratio <= 1.2",
    "gap[region=EMEA].item.agree_ratio >= 1.2",
    "gap.item[ci_1].agree_gap > 0",
    "gap.overall.agree_gap < 0.05",
    "gap[region=AMER].overall.mean_customer >= 3",
    "gap.overall.hedges_g == 0.1",
    "nps.nps >= 0",
    "nps[region=EMEA].nps < 90",
    "metric.mean >= 2",
    "metric.item.mean > 3.5",
]
CHANGES = [
    "nps[region=EMEA].nps",
    "gap.item.agree_customer",
    "gap[region=AMER].item.mean_gap",
    "gap.overall.agree_gap",
    "metric.item.mean",
]


GET, TABLE = checks._Runs.get, checks._outcome_table  # before any test patches them


def _config(tmp_path, changes: list[str]) -> object:
    text = PLAIN + "".join(f'\n[[check]]\nchange = "{c}"\n' for c in changes)
    path = tmp_path / "cxkit.toml"
    path.write_text(text)
    return path


def _run(drops, config, fail_if, *, frames: bool, monkeypatch) -> tuple[str, list]:
    """The check's JSON and its outcomes; with ``frames``, every analysis result is made a
    DataFrame before a check reads it (the pandas route)."""
    real_get, real_table = GET, TABLE
    seen: list = []

    def get(self, path, drop):
        result = real_get(self, path, drop)
        if frames:
            result.table  # noqa: B018 - reading it turns the columns into a DataFrame
        return result

    def table(outcomes):
        seen.extend(outcomes)
        return real_table(outcomes)

    monkeypatch.setattr(checks._Runs, "get", get)
    monkeypatch.setattr(checks, "_outcome_table", table)
    study = load_study(config)
    specs = check_config.parse_checks(study, fail_if)
    result = checks.run_checks([str(d) for d in drops], study, specs, config)
    return to_json(result), seen


@pytest.mark.parametrize(
    "drops",
    [("2026Q1.csv", "2026Q2.csv"), ("2026Q2.csv", "2026Q3.csv"), ("2026Q1.csv", "2026Q3.csv")],
)
def test_columns_give_the_outcomes_the_pandas_route_gives(drops, tmp_path, monkeypatch):
    files = [DROPS / d for d in drops]
    config = _config(tmp_path, CHANGES)
    by_columns, outcomes = _run(files, config, EXPRESSIONS, frames=False, monkeypatch=monkeypatch)
    by_frames, _ = _run(files, config, EXPRESSIONS, frames=True, monkeypatch=monkeypatch)
    assert by_columns == by_frames
    statuses = {o.status for o in outcomes}
    assert statuses >= {"pass", "fail"}, statuses  # both kinds of outcome are compared
    assert any(o.kind == "change" and o.value is not None for o in outcomes)


def test_outcome_table_is_typed_as_the_dataframe_of_the_outcomes(tmp_path, monkeypatch):
    """The columns become exactly ``pd.DataFrame([vars(o) for o in outcomes])`` (dtypes
    too: numbers with a None are floats with nan, a column of only None stays object)."""
    files = [DROPS / "2026Q2.csv", DROPS / "2026Q3.csv"]
    _, outcomes = _run(
        files, _config(tmp_path, CHANGES), EXPRESSIONS, frames=False, monkeypatch=monkeypatch
    )
    thresholds = [o for o in outcomes if o.kind != "change"]
    for part in (outcomes, outcomes[:1], thresholds, thresholds[:1]):
        want = pd.DataFrame([vars(o) for o in part])
        pd.testing.assert_frame_equal(TABLE(part).to_pandas(), want)
    assert pd.DataFrame([vars(o) for o in thresholds])["p_adj"].dtype == object  # all None


def test_repeated_keys_take_the_pandas_merge(monkeypatch):
    """Keys that repeat in the previous drop's rows would make the merge repeat rows: that
    case is left to pandas (``matched_rows`` says so)."""
    from cxkit.compare import matched_rows
    from cxkit.table import ColumnTable

    prev = ColumnTable({"item": ["a", "a"], "x": pd.Series([1.0, 2.0]).to_numpy()})
    cur = ColumnTable({"item": ["a"], "x": pd.Series([3.0]).to_numpy()})
    assert matched_rows(prev, cur, ["item"]) is None
    assert matched_rows(prev, cur, []) is None
    one = matched_rows(prev.take(pd.Series([1]).to_numpy()), cur, ["item"])
    assert one is not None and list(one["x"]) == [2.0]


def test_check_of_the_example_drops_imports_no_pandas(tmp_path):
    args = ["check", str(DROPS / "2026Q2.csv"), str(DROPS / "2026Q3.csv"), "-f", "json"]
    args += ["--fail-if", "gap.item.agree_ratio <= 1.2", "--fail-if", "metric.item.mean > 3"]
    assert loaded_by(args, ("pandas", "scipy"), cwd=tmp_path) == []


def test_outcome_fields_are_the_table_columns():
    names = [f.name for f in dataclasses.fields(checks.Outcome)]
    table = checks._outcome_table([checks.Outcome("c", "data", "t", None, None, None, "pass", "")])
    assert table.columns == names


def test_rows_missing_from_a_drop_and_undefined_values(tmp_path, monkeypatch):
    """An item the previous drop lacks has no change (nan, as pandas' merge leaves it), and
    an item no customer answered has an undefined gap; both routes say so alike."""
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    prev = pacsv.read_csv(DROPS / "2026Q2.csv")
    prev = prev.drop_columns(["ee_2"])
    pacsv.write_csv(prev, tmp_path / "prev.csv")
    cur = pacsv.read_csv(DROPS / "2026Q3.csv")
    customer = pc.equal(cur.column("role"), "customer")
    blanked = pc.if_else(customer, None, cur.column("ee_1"))
    cur = cur.set_column(cur.schema.get_field_index("ee_1"), "ee_1", blanked)
    pacsv.write_csv(cur, tmp_path / "cur.csv")
    files = [tmp_path / "prev.csv", tmp_path / "cur.csv"]
    config = _config(tmp_path, ["gap.item.agree_self"])
    fail_if = ["gap.item.mean_gap > 0"]
    by_columns, outcomes = _run(files, config, fail_if, frames=False, monkeypatch=monkeypatch)
    by_frames, _ = _run(files, config, fail_if, frames=True, monkeypatch=monkeypatch)
    assert by_columns == by_frames
    change, threshold = outcomes
    assert "ee_2" not in change.reason  # no counterpart: no change to report
    assert threshold.status == "fail"
    assert threshold.reason.startswith("mean_gap is undefined for 1 of 6 row(s): ee_1")


@pytest.mark.parametrize("frames", [False, True], ids=["columns", "dataframe"])
def test_a_breakdown_nobody_filters_on_keeps_its_all_rows(frames):
    """A result broken down by region, asked for without a region filter, gives the
    all-respondents rows only; with ``[region=EMEA]``, EMEA's rows only. Expected rows are
    picked from the DataFrame by hand."""
    from cxkit.analyses import ALL, select
    from cxkit.expr import parse
    from cxkit.gap import gap
    from cxkit.survey import SurveySpec, read_survey

    survey = read_survey(
        DROPS / "2026Q2.csv", config=DROPS / "cxkit.toml", spec=SurveySpec(by=("region",))
    )
    result = gap(survey, by=("region",))
    frame = result.table.reset_index(drop=True)  # the reference, read before any selection
    if not frames:  # the same result, its table still columns
        result = gap(survey, by=("region",))
    assert set(frame["region"]) > {ALL, "EMEA"}  # the rule has rows to drop
    for text, region in [
        ("gap.item[ci_1].agree_gap > 0", ALL),
        ("gap.item.agree_gap > 0", ALL),
        ("gap[region=EMEA].item[ci_1].agree_gap > 0", "EMEA"),
        ("gap[region=EMEA].overall.agree_gap > 0", "EMEA"),
    ]:
        path = parse(text).path
        rows = frame[(frame["level"] == path.levels[0]) & (frame["region"] == region)]
        if path.key_filters:
            rows = rows[rows["item"] == path.key_filters[0][1]]
        got = select(result, path)
        assert isinstance(got, pd.DataFrame) == frames
        got = got if frames else got.to_pandas()
        assert list(got["region"]) == [region] * len(rows), text
        assert list(got["agree_gap"]) == list(rows["agree_gap"]), text
