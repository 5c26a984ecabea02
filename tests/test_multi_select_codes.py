"""Multi-select questions exported as one number per option column (``cxkit.rankings``).

Qualtrics' numeric export writes ``1`` in ``Q5_j`` when option j is ticked and leaves it
blank otherwise; other tools write the option's own number (``3`` in ``Q5_3``). Both used
to be read as rank numbers, so every respondent who ticked two options was excluded as
"the same rank twice" or "a gap in the ranks" and the rest were ranked by column order.
The expected shares below are counted from the file with the ``csv`` module alone.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pandas as pd
import pytest

from cxkit.obstacles import obstacles
from cxkit.rankings import detect_layout
from cxkit.read import read_table

OPTIONS = ["Q5_1", "Q5_2", "Q5_3", "Q5_4"]


def _survey(
    path: Path, code, rows: int = 60, seed: int = 1, most: int = 4, unticked: str = ""
) -> Path:
    """``rows`` respondents ticking up to ``most`` options each; ``code(j)`` is what a
    tick of option j (1-based) looks like in the file, ``unticked`` what no tick does."""
    rng = random.Random(seed)
    lines = ["id," + ",".join(OPTIONS)]
    for i in range(rows):
        ticked = set(rng.sample(range(1, 5), rng.randint(0, most)))
        cells = (code(j) if j in ticked else unticked for j in range(1, 5))
        lines.append(f"{i}," + ",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _counted(path: Path) -> tuple[dict[str, int], int]:
    """Ticks per option and respondents who ticked anything, counted straight from the file."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    answered = [r for r in rows if any(r[c] for c in OPTIONS)]  # "0" is an answer: no tick
    ticked = {c: sum(r[c] not in ("", "0") for r in answered) for c in OPTIONS}
    return ticked, len(answered)


def _analyse(path: Path, **kw):
    return obstacles(read_table(path), columns=["Q5_*"], bootstrap=0, **kw)


@pytest.mark.parametrize(
    ("code", "unticked"),
    [(lambda j: "1", ""), (str, ""), (str, "0")],
    ids=["ones", "option-numbers", "option-numbers-and-zeros"],
)
def test_ticks_coded_as_numbers_are_picks_and_no_row_is_dropped(tmp_path, code, unticked):
    f = _survey(tmp_path / "m.csv", code, unticked=unticked)
    ticks, answered = _counted(f)
    res = _analyse(f)
    assert res.provenance["parameters"]["layout"] == "multi-select"
    assert not [n for n in res.notes if "excluded" in n and "no answer" not in n]
    table = res.table.set_index("obstacle")
    for c in OPTIONS:
        assert table.loc[c, "n_named"] == ticks[c]
        assert table.loc[c, "n_respondents"] == answered
        assert table.loc[c, "share_named"] == pytest.approx(ticks[c] / answered, rel=1e-12)


def test_both_codings_give_the_same_table(tmp_path):
    ones = _analyse(_survey(tmp_path / "a.csv", lambda j: "1")).table
    numbers = _analyse(_survey(tmp_path / "b.csv", str)).table
    pd.testing.assert_frame_equal(ones, numbers)


def test_a_forced_multi_select_layout_reads_option_numbers(tmp_path):
    f = _survey(tmp_path / "m.csv", str, most=1)  # one tick each: could be ranks
    ticks, answered = _counted(f)
    res = _analyse(f, layout="multi-select")
    table = res.table.set_index("obstacle")
    assert [table.loc[c, "n_named"] for c in OPTIONS] == [ticks[c] for c in OPTIONS]
    assert (table["n_respondents"] == answered).all()


def test_numbers_that_can_be_rankings_stay_ranks():
    # every column holds one number and every row is a ranking (1, or 1 and 2, ...):
    # respondents who all ranked alike, or one tick each that is also a top-1 choice
    alike = {"Q5_1": ["1", "1", "1"], "Q5_2": ["2", None, "2"], "Q5_3": ["3", None, None]}
    one_each = {"Q5_1": ["1", None, None], "Q5_2": [None, "1", None], "Q5_3": [None, None, "1"]}
    assert detect_layout(alike, None) == "rank-numbers"
    assert detect_layout(one_each, None) == "rank-numbers"
    # a rank given twice or skipped, in columns of one number each: ticks
    assert detect_layout({**alike, "Q5_3": ["3", "3", None]}, None) == "multi-select"
    assert detect_layout({**one_each, "Q5_3": ["1", None, "1"]}, None) == "multi-select"
    # ranks that differ between respondents stay ranks, invalid rows and all
    varied = {"Q5_1": ["1", "2", "1"], "Q5_2": ["2", "1", "1"], "Q5_3": ["3", None, None]}
    assert detect_layout(varied, None) == "rank-numbers"
