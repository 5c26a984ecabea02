"""A weight column is checked cell by cell: every weight a finite number >= 0, and the first
one that is not named by its data row, whatever its chunk."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from cxkit.arrow_values import checked_weights
from cxkit.errors import InputError


def _column(values, chunk=4):
    """Weights as a float64 column of chunks of ``chunk`` cells (None = null)."""
    parts = [values[i : i + chunk] for i in range(0, len(values), chunk)] or [[]]
    return pa.chunked_array([pa.array(p, pa.float64()) for p in parts], pa.float64())


def _first_bad(values) -> int | None:
    """The 0-based position of the first weight that is not a finite number >= 0: written
    out in Python, cell by cell."""
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v) or v < 0:
            return i
    return None


OK = [1.0, 0.5, 0.0, -0.0, 2.25, 1e-300, 3.0, 1e300, 0.75]
BAD = [float("nan"), None, -1.0, float("inf"), -float("inf"), -1e-300]


@pytest.mark.parametrize("bad", BAD, ids=repr)
@pytest.mark.parametrize("at", [0, 3, 4, 7])
def test_the_first_bad_weight_is_named_by_its_data_row(bad, at):
    values = list(OK)
    values[at] = bad
    values[-1] = -5.0  # a later bad weight is not the one named
    row = _first_bad(values)
    assert row == at
    with pytest.raises(InputError) as err:
        checked_weights(_column(values), "w", "f.parquet")
    what = "missing" if bad is None or bad != bad else f"{bad!r} is not allowed"
    assert f"f.parquet: weight column 'w', data row {row + 1}: {what};" in str(err.value)


@pytest.mark.parametrize("values", [OK, [], [0.0], [-0.0, 7.0]], ids=["ok", "empty", "zero", "-0"])
def test_finite_weights_at_or_above_zero_pass_unchanged(values):
    out = checked_weights(_column(values), "w", "f.parquet")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.array(values, dtype=float))


@pytest.mark.parametrize("bad", BAD, ids=repr)
@pytest.mark.parametrize("before", [0, 1, 5])
def test_a_lone_bad_weight_is_found(bad, before):
    """The only bad weight in the column, after ``before`` good ones (none: a column of one)."""
    values = [*OK[:before], bad]
    with pytest.raises(InputError, match=f"data row {before + 1}: "):
        checked_weights(_column(values), "w", "f.parquet")


# --- weights that are all 0 ---------------------------------------------------------------
# A weighted share or mean over answers that all weigh 0 is 0/0: a one-line input error
# (exit 3), not a table of NaN with exit 0. One group weighing 0 stays a row of its own.


def _weighted_survey(folder, weight_of):
    """The bundled example with its weights replaced by ``weight_of(role, region)``."""
    import pandas as pd

    from .conftest import EXAMPLES

    frame = pd.read_csv(EXAMPLES / "centricity_survey.csv")
    role = frame["role"].str.strip().str.casefold()
    frame["weight"] = [weight_of(r, g) for r, g in zip(role, frame["region"], strict=True)]
    path = folder / "w.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _cli(*args):
    from typer.testing import CliRunner

    from cxkit.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


ZERO = "weight column 'weight' is 0 for every {}response with an answer"


@pytest.mark.parametrize(
    ("command", "who"),
    [
        (["gap", "--role-col", "role"], "self "),
        (["nps", "--col", "nps"], ""),
        (["metric"], ""),
        (["drivers", "--outcome", "nps", "--role-col", "role"], "customer "),
    ],
)
def test_all_zero_weights_are_an_input_error(tmp_path, command, who):
    from .conftest import one_line_error

    path, _ = _weighted_survey(tmp_path, lambda role, region: 0.0)
    res = _cli(command[0], path, *command[1:], "--weight", "weight", "--no-config", "-f", "json")
    message = one_line_error(res, 3)
    assert ZERO.format(who) in message and "--no-weight" in message, message
    assert not res.stdout


def test_zero_weight_for_every_customer_is_named(tmp_path):
    from .conftest import one_line_error

    path, _ = _weighted_survey(tmp_path, lambda role, region: 0.0 if role == "customer" else 1.0)
    res = _cli("gap", path, "--weight", "weight", "--no-config", "--role-col", "role")
    assert ZERO.format("customer ") in one_line_error(res, 3)


def test_stream_with_all_zero_weights_is_refused(tmp_path):
    import pyarrow.parquet as pq
    from pyarrow import csv

    from .conftest import one_line_error

    path, _ = _weighted_survey(tmp_path, lambda role, region: 0.0)
    pq.write_table(csv.read_csv(path), tmp_path / "w.parquet")
    res = _cli("gap", tmp_path / "w.parquet", "--stream", "--weight", "weight", "--no-config")
    assert ZERO.format("self ") in one_line_error(res, 3)


def test_one_region_weighing_zero_is_a_row_not_an_error(tmp_path):
    import json

    path, frame = _weighted_survey(tmp_path, lambda role, region: 0.0 if region == "EMEA" else 1.5)
    assert (frame["region"] == "EMEA").any()
    args = ["--weight", "weight", "--no-config", "-f", "json", "--by", "region"]
    res = _cli("gap", path, "--role-col", "role", *args)
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["table"]
    emea = [r for r in rows if r["region"] == "EMEA" and r["level"] == "item"]
    assert emea and all(r["neff_self"] == 0 and r["mean_self"] is None for r in emea)
    assert _cli("nps", path, "--col", "nps", *args).exit_code == 0
    assert _cli("metric", path, *args).exit_code == 0


def test_drivers_counts_zero_weight_rows_apart_from_missing_answers(tmp_path):
    import json

    path, _ = _weighted_survey(tmp_path, lambda role, region: 0.0 if region == "EMEA" else 1.0)
    res = _cli("drivers", path, "--outcome", "nps", "--role-col", "role", "--weight", "weight",
               "--no-config", "-f", "json", "--bootstrap", "0")  # fmt: skip
    assert res.exit_code == 0, res.output
    notes = json.loads(res.stdout)["notes"]
    zero = [n for n in notes if "weigh 0 in 'weight'" in n]
    assert len(zero) == 1 and zero[0].split()[0].isdigit(), notes
