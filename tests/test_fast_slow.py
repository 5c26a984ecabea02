"""The fast way in equals the plain one: one aggregation path, whatever the reader did.

``read_survey`` reads only the columns a survey needs, small integers as integers and
Parquet text as dictionaries, and codes answers as one-byte codes. The reference is the
plain route: every column read as text (``read_table`` defaults), recoded, and the gap
computed from the float frame (``Survey.from_frame``). Tables must be identical, not close.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxkit.gap import gap
from cxkit.read import read_table
from cxkit.study import Study, find_config, load_study
from cxkit.survey import Survey, SurveySpec, read_survey, survey_of

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures"


def _plain(path: Path, spec: SurveySpec) -> Survey:
    """All text, every column, then the float frame: the reference route."""
    cfg = find_config(None, path)
    study = load_study(cfg) if cfg is not None else Study()
    raw = read_table(path, **spec.read_options(study))
    coded = survey_of(raw, study, spec)
    fields = {
        k: getattr(coded, k)
        for k in ("study", "scale", "role_col", "weight_col", "sources", "notes", "self_roles",
                  "customer_roles", "wave_col", "labels")
    }  # fmt: skip
    return Survey.from_frame(coded.frame, coded.items, **fields)


def _same(path: Path, spec: SurveySpec, **options) -> None:
    fast = read_survey(path, spec=spec)
    plain = _plain(path, spec)
    assert fast.items == plain.items
    assert fast.notes == plain.notes
    a, b = gap(fast, **options), gap(plain, **options)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    assert a.summary == b.summary
    assert a.notes == b.notes


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("examples/centricity_survey.csv", {}),
        ("examples/centricity_survey.csv", {"by": ["region"]}),
        ("examples/drops/2026Q1.csv", {}),
        ("tests/fixtures/qualtrics_choice.csv", {"role": "Q1", "items": "Q3_*"}),
        ("tests/fixtures/study.parquet", {"items": "q3_*", "by": ["region"]}),
        ("tests/fixtures/plain_semicolon.csv", {"items": "q3_*"}),
        ("tests/fixtures/plain_utf16.csv", {"items": "q3_*"}),
    ],
)
def test_bundled_files(name, options):
    by = tuple(options.get("by", ()))
    items = (options["items"],) if "items" in options else ()
    spec = SurveySpec(by=by, role_col=options.get("role"), items=items)
    _same(ROOT / name, spec, by=by)


def _survey_table(n: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    role = rng.choice(["executive", "employee", "customer", " Customer "], n)
    cols: dict[str, pa.Array] = {
        "respondent_id": pa.array([f"R{i:05d}" for i in range(n)]),
        "role": pa.array(role),
        "segment": pa.array(rng.choice(["SMB", "Enterprise", ""], n)),
        "wave": pa.array(rng.choice(["2026Q1"], n)),
        "weight": pa.array(np.round(rng.uniform(0.5, 2.0, n), 3)),
        "nps": pa.array(rng.integers(0, 11, n).astype(np.int8)),
    }
    for j in range(6):
        x = rng.integers(1, 6, n).astype(np.int8)
        cols[f"q{j}"] = pa.array(x, mask=rng.random(n) < 0.1)
    cols["q_missing"] = pa.array(np.where(rng.random(n) < 0.1, 99, rng.integers(1, 6, n)))
    return pa.table(cols)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize(
    "options",
    [{}, {"by": ["segment"]}, {"weight": "weight"}, {"by": ["segment"], "weight": "weight"}],
)
def test_generated_survey(tmp_path, fmt, options):
    """Integer items with blanks and a 99 missing code, padded role labels, a blank
    segment: the typed CSV and dictionary Parquet routes against all-text."""
    table = _survey_table(3000, seed=len(str(options)))
    path = tmp_path / f"s.{fmt}"
    if fmt == "csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    spec = SurveySpec(
        by=tuple(options.get("by", ())), weight_col=options.get("weight"), missing=("99",)
    )
    _same(path, spec, by=spec.by)


@pytest.mark.parametrize(
    ("late", "error"),
    [
        (None, None),
        ("1e-3", None),  # both parse it
        ("", "data row 2501: missing"),
        ("-0.5", "data row 2501: -0.5 is not allowed"),
        ("n/a", "data row 2501: 'n/a' is not a number"),  # pyarrow cannot: text read
        ("inf", "data row 2501: inf is not allowed"),
    ],
)
def test_weights_read_as_numbers_equal_weights_read_as_text(tmp_path, late, error):
    """The weight column of a CSV is read as float64 when its first records are decimals;
    later cells give the same weights or the same error as the text read."""
    table = _survey_table(3000, seed=5)
    if late is not None:
        w = table.column("weight").to_pylist()
        w[2500] = late
        table = table.set_column(4, "weight", pa.array([str(x) for x in w]))
    path = tmp_path / "w.csv"
    import pyarrow.csv as pacsv

    pacsv.write_csv(table, path)
    spec = SurveySpec(weight_col="weight", missing=("99",))
    if error is not None:
        with pytest.raises(Exception) as fast:
            read_survey(path, spec=spec)
        with pytest.raises(Exception) as plain:
            _plain(path, spec)
        assert str(fast.value) == str(plain.value)
        assert error in str(fast.value)
        return
    _same(path, spec)
