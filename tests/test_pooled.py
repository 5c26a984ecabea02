"""Column-length arrays made in Arrow's memory pool (``arrow_values.pooled``, taken from
500,000 rows up) hold exactly what ``np.empty`` arrays would: the same survey, the same
gap table, whichever allocator the codes, weights and text codes came from."""

from __future__ import annotations

import gc

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxkit import arrow_values
from cxkit.arrow_values import Text, pooled
from cxkit.gap import gap
from cxkit.output import to_json
from cxkit.survey import SurveySpec, read_survey

from .conftest import EXAMPLES

EXAMPLE = EXAMPLES / "centricity_survey.csv"
SPEC = SurveySpec(role_col="role", weight_col="weight", by=("region",))


@pytest.mark.parametrize("n", [0, 3, 1000])
@pytest.mark.parametrize("dtype", [np.int8, np.uint16, np.float64])
def test_pooled_is_a_writable_array_that_outlives_its_maker(monkeypatch, n, dtype):
    monkeypatch.setattr(arrow_values, "POOLED_ROWS", 0)
    x = pooled(n, dtype)
    assert x.shape == (n,) and x.dtype == np.dtype(dtype) and x.flags.writeable
    assert n == 0 or isinstance(x.base, pa.Buffer)  # from the pool, not numpy's allocator
    x[:] = np.arange(n) % 100
    gc.collect()
    pa.allocate_buffer(max(n, 1) * 8).to_pybytes()  # the pool hands out other memory
    assert x.tolist() == (np.arange(n) % 100).astype(dtype).tolist()


def test_small_arrays_stay_with_numpy():
    assert not isinstance(pooled(arrow_values.POOLED_ROWS - 1, np.int8).base, pa.Buffer)


def _read(path):
    return read_survey(str(path), use_config=False, spec=SPEC)


def _state(survey):
    codes = {i: survey.coded(i).codes for i in survey.items}
    text = {k: v.codes()[0] for k, v in survey.columns.items() if isinstance(v, Text)}
    return codes, text, survey


def _clean_parquet(path):
    """Whole-number answers with blanks, as Parquet: the items take the subtraction route."""
    rng = np.random.default_rng(7)
    n = 2000
    cols = {
        "role": rng.choice(["executive", "customer", "Customer "], n),
        "region": rng.choice(["EMEA", "AMER", None], n),
        "weight": rng.uniform(0.2, 3, n),
    }
    for k in range(1, 5):
        answers = rng.integers(1, 6, n).astype(np.int8)
        cols[f"q{k}"] = pa.array(answers, mask=rng.random(n) < 0.1)
    pq.write_table(pa.table(cols), path)
    return path


@pytest.fixture(params=["csv", "parquet"])
def example(request, tmp_path):
    # the example's answers hold missing codes and text: the dictionary route
    return EXAMPLE if request.param == "csv" else _clean_parquet(tmp_path / "s.parquet")


def test_pooled_arrays_give_the_same_survey_and_gap(monkeypatch, example):
    monkeypatch.setattr(arrow_values, "POOLED_ROWS", 10**12)
    codes, text, survey = _state(_read(example))
    expected = to_json(gap(survey, by=["region"]))
    monkeypatch.setattr(arrow_values, "POOLED_ROWS", 0)
    codes_p, text_p, survey_p = _state(_read(example))
    # the pooled route was taken: item codes, weights and text codes live in Arrow buffers
    assert all(isinstance(c.base, pa.Buffer) for c in codes_p.values())
    assert isinstance(survey_p.columns["weight"].base, pa.Buffer)
    assert text_p and all(isinstance(c.base, pa.Buffer) for c in text_p.values())
    assert survey_p.items == survey.items and survey_p.notes == survey.notes
    for item, c in codes.items():
        np.testing.assert_array_equal(codes_p[item], c)
        np.testing.assert_array_equal(survey_p.coded(item).values, survey.coded(item).values)
    for name, c in text.items():
        np.testing.assert_array_equal(text_p[name], c)
    np.testing.assert_array_equal(survey_p.columns["weight"], survey.columns["weight"])
    assert to_json(gap(survey_p, by=["region"])) == expected
