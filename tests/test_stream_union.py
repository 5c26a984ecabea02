"""``gap --stream`` sees the columns the in-memory read of a folder sees.

The first batch fixes the items of a stream. A question blank in the first rows, or one a
later drop adds, used to be left out without a word, and a ``key=value`` partition folder
gave no column (a panel's waves then read as repeated ids). The in-memory read stacks
every file's columns (nulls where a file lacks one) and adds the partition keys; the
stream must give the same table, or say why it cannot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import InputError
from cxkit.gap import gap
from cxkit.stream import stream_gap
from cxkit.survey import SurveySpec, read_survey

from .conftest import one_line_error


def _drop(path, n, seed, **extra):
    rng = np.random.default_rng(seed)
    cols = {
        "role": pa.array(rng.choice(["executive", "customer"], n).tolist()),
        "q1": pa.array(rng.integers(1, 6, n).astype(np.int8)),
        **extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(cols), path)
    return path


def _same(path, spec=None, batch_rows=100, config=None):
    options = {"use_config": config is not None, "config": config}
    memory = gap(read_survey(path, spec=spec, **options))
    streamed = stream_gap(path, spec=spec, batch_rows=batch_rows, **options)
    pd.testing.assert_frame_equal(streamed.table, memory.table, check_exact=True)
    return memory


def _same_error(path, batch_rows=100) -> str:
    """The error the in-memory read stops with, checked to be the stream's too."""
    with pytest.raises(InputError) as in_memory:
        read_survey(path, use_config=False)
    with pytest.raises(InputError) as streamed:
        stream_gap(path, use_config=False, batch_rows=batch_rows)
    assert str(streamed.value) == str(in_memory.value)
    return str(in_memory.value)


def _answers(n, seed, blank_first=0):
    rng = np.random.default_rng(seed)
    mask = np.arange(n) < blank_first
    return pa.array(rng.integers(1, 6, n).astype(np.int8), mask=mask)


def test_a_question_blank_in_the_first_batch_is_still_an_item(tmp_path):
    path = _drop(tmp_path / "s.parquet", 500, 1, q2=_answers(500, 2, blank_first=150))
    memory = _same(path, batch_rows=100)
    assert list(memory.table["item"][:2]) == ["q1", "q2"]


def test_a_question_a_later_drop_adds_is_an_item(tmp_path):
    _drop(tmp_path / "d" / "2026Q1.parquet", 300, 1)
    _drop(tmp_path / "d" / "2026Q2.parquet", 300, 2, q2=_answers(300, 3))
    memory = _same(tmp_path / "d")
    assert list(memory.table["item"][:2]) == ["q1", "q2"]
    # named by a pattern, the items are matched against every file's columns too
    _same(tmp_path / "d", spec=SurveySpec(items=("q*",)))


def test_columns_blank_everywhere_or_never_on_the_scale_stay_out(tmp_path):
    n = 400
    comments = pa.array([None] * 200 + ["too slow"] * 200, pa.string())
    blank = pa.array([None] * n, pa.int8())
    path = _drop(tmp_path / "s.parquet", n, 4, comment=comments, q9=blank)
    memory = _same(path, batch_rows=100)
    assert list(memory.table["item"][:1]) == ["q1"] and "comment" not in set(memory.table["item"])
    assert "q9" not in set(memory.table["item"])


def _late(path, blank, on, off, seed):
    """A file whose ``q2`` is blank in its first rows, then 3s, then 9s (off the scale)."""
    x = np.r_[np.zeros(blank), np.full(on, 3), np.full(off, 9)].astype(np.int8)
    return _drop(path, x.size, seed, q2=pa.array(x, mask=x == 0))


def test_a_column_partly_off_the_scale_after_a_blank_start_is_judged_on_all_its_answers(
    tmp_path,
):
    # 60% on the scale: not an item, with a note, as in memory
    path = _late(tmp_path / "s.parquet", 150, 150, 100, 5)
    memory = _same(path, batch_rows=100)
    streamed = stream_gap(path, use_config=False, batch_rows=100)
    assert "q2" not in set(memory.table["item"])
    note = [n for n in memory.notes if "'q2'" in n]
    assert note and "only 60%" in note[0] and note == [n for n in streamed.notes if "'q2'" in n]
    # 92% on it: an item with bad answers, an error naming the first, as in memory
    path = _late(tmp_path / "t.parquet", 150, 230, 20, 5)
    assert "data row 381: '9' is outside the scale" in _same_error(path)


def test_the_command_judges_a_late_column_over_every_batch(tmp_path):
    path = _late(tmp_path / "big.parquet", 200_000, 3000, 100, 6)  # 200,000 rows a batch
    res = CliRunner().invoke(app, ["gap", str(path), "--stream", "--no-config"])
    assert "data row 203001: '9' is outside the scale" in one_line_error(res, 3)


def test_partition_folders_give_the_wave_column_as_in_memory(tmp_path):
    """A panel in ``wave=…`` folders: the same ids in each wave are not repeats."""
    ids = pa.array([f"r{i}" for i in range(200)])
    for wave in ("2026Q1", "2026Q2"):
        _drop(tmp_path / "p" / f"wave={wave}" / "part.parquet", 200, len(wave), id=ids)
    config = tmp_path / "cxkit.toml"
    config.write_text('[columns]\nid = "id"\n')
    memory = _same(tmp_path / "p", config=config, batch_rows=64)
    assert memory.summary["n_self"] + memory.summary["n_customer"] == 400


def test_a_column_named_like_its_partition_key_is_refused_as_in_memory(tmp_path):
    _drop(tmp_path / "p" / "wave=2026Q1" / "a.parquet", 50, 1, wave=pa.array(["x"] * 50))
    with pytest.raises(InputError, match=r"has a column 'wave' and sits in a wave="):
        read_survey(tmp_path / "p", use_config=False)
    with pytest.raises(InputError, match=r"has a column 'wave' and sits in a wave="):
        stream_gap(tmp_path / "p", use_config=False)


def test_a_weight_missing_from_a_later_drop_is_the_error_it_is_in_memory(tmp_path):
    weight = pa.array(np.full(300, 1.5))
    _drop(tmp_path / "d" / "a.parquet", 300, 1, weight=weight)
    _drop(tmp_path / "d" / "b.parquet", 300, 2)
    spec = SurveySpec(weight_col="weight")
    with pytest.raises(InputError, match="data row 301: missing; every response needs"):
        read_survey(tmp_path / "d", use_config=False, spec=spec)
    with pytest.raises(InputError) as streamed:
        stream_gap(tmp_path / "d", spec=spec, use_config=False, batch_rows=100)
    message = str(streamed.value)
    assert message.endswith("b.parquet: weight column 'weight', data row 1: missing; every "
                            "response needs a finite weight >= 0")  # fmt: skip


def _own_notes(streamed) -> list[str]:
    """A streamed result's notes but its first, which says how it was streamed."""
    assert "streamed" in streamed.notes[0], streamed.notes
    return streamed.notes[1:]


def _off_first(path, off, on, seed, **extra):
    """A file whose ``q2`` has ``off`` answers off the scale (9s) in its first rows, then
    ``on`` answers on it (3s): the first batch alone judges it worse than the whole file."""
    x = np.r_[np.full(off, 9), np.full(on, 3)].astype(np.int8)
    return _drop(path, x.size, seed, q2=pa.array(x), **extra)


def test_the_note_on_a_column_off_the_scale_gives_its_share_over_every_batch(tmp_path):
    # first batch of 100: 50% on the scale; the whole file: 70%
    path = _off_first(tmp_path / "s.parquet", 50, 117, 3)
    memory = _same(path, batch_rows=100)
    streamed = stream_gap(path, use_config=False, batch_rows=100)
    note = [n for n in memory.notes if "'q2'" in n]
    assert note and "only 70%" in note[0], memory.notes
    assert _own_notes(streamed) == memory.notes


def test_a_column_mostly_on_the_scale_over_every_batch_is_the_error_it_is_in_memory(tmp_path):
    # first batch of 100: 40% on the scale (a note, alone); the whole file: 90% (an error)
    path = _off_first(tmp_path / "t.parquet", 60, 540, 4)
    assert "data row 1: '9' is outside the scale" in _same_error(path)


def test_notes_on_columns_off_the_scale_survive_a_late_item(tmp_path):
    # q3 is blank in the first batch and an item later (the first batch's survey is built
    # again with the items named); the note on q2 must not be lost with it
    x = np.r_[np.zeros(100), np.full(100, 4)].astype(np.int8)
    path = _off_first(tmp_path / "u.parquet", 50, 150, 5, q3=pa.array(x, mask=x == 0))
    memory = _same(path, batch_rows=100)
    streamed = stream_gap(path, use_config=False, batch_rows=100)
    assert "q3" in set(memory.table["item"])
    assert [n for n in memory.notes if "'q2'" in n], memory.notes
    assert _own_notes(streamed) == memory.notes
