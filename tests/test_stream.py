"""``gap --stream`` (record batches, merged histograms) equals the in-memory ``gap``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.gap import gap
from cxkit.stream import stream_gap
from cxkit.survey import SurveySpec, read_survey


@pytest.fixture(scope="module")
def drops(tmp_path_factory):
    """Three Parquet drops with blanks, a blank role, unknown roles and a weight."""
    folder = tmp_path_factory.mktemp("drops")
    rng = np.random.default_rng(3)
    for d, n in enumerate((700, 450, 520)):
        role = rng.choice(["executive", "Employee", "customer", "partner", None], n,
                          p=[0.2, 0.2, 0.5, 0.08, 0.02])  # fmt: skip
        cols = {
            "role": pa.array(role.tolist(), pa.string()),
            "segment": pa.array(rng.choice(["SMB", "Enterprise", "Public"], n).tolist()),
            "weight": pa.array(np.round(rng.uniform(0.2, 3.0, n), 3)),
        }
        for k in range(1, 6):
            x = rng.integers(1, 6, n).astype(float)
            cols[f"q{k}"] = pa.array(x, mask=rng.random(n) < 0.1)
        pq.write_table(pa.table(cols), folder / f"drop-{d}.parquet")
    return folder


CASES = [((), None), (("segment",), None), ((), "weight"), (("segment",), "weight")]


@pytest.mark.parametrize(("by", "weight"), CASES)
def test_streamed_equals_in_memory(drops, by, weight):
    spec = SurveySpec(role_col="role", weight_col=weight, by=by)
    options = {"by": by, "drop_unknown_roles": True}
    memory = gap(read_survey(drops, use_config=False, spec=spec), **options)
    streamed = stream_gap(drops, spec=spec, use_config=False, batch_rows=97, **options)
    if weight is None:  # counts only: the merged histograms give the same bits
        pd.testing.assert_frame_equal(streamed.table, memory.table, check_exact=True)
    else:  # weighted sums are added in another order
        pd.testing.assert_frame_equal(streamed.table, memory.table, rtol=1e-12)
    role_notes = [n for n in memory.notes if n.startswith("excluded")]
    assert role_notes and all(n in streamed.notes for n in role_notes)
    assert streamed.summary["n_self"] == memory.summary["n_self"]


def test_stream_unknown_roles_are_an_error_over_all_batches(drops):
    from cxkit.errors import InputError

    with pytest.raises(InputError, match="'partner'"):
        stream_gap(drops, spec=SurveySpec(role_col="role"), use_config=False, batch_rows=97)


def test_stream_cli(drops, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["gap", str(drops), "--stream", "--drop-unknown-roles", "-f", "json"])
    assert ok.exit_code == 0, ok.output
    assert '"n_self"' in ok.stdout
    bad = runner.invoke(app, ["gap", str(drops), "--stream", "--wave", "2026Q1"])
    assert bad.exit_code == 2
    assert "--stream cannot be combined with --wave" in bad.stderr
    csv = tmp_path / "s.csv"
    csv.write_text("role,q1\nexecutive,4\ncustomer,2\n")
    wrong = runner.invoke(app, ["gap", str(csv), "--stream"])
    assert wrong.exit_code == 3
    assert "--stream reads Parquet files only" in wrong.stderr
