"""Every bad input the readers meet: one line naming the file, exit 3, nothing written."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from cxkit.cli import app

from .test_formats import FIXTURES

runner = CliRunner()

QUALTRICS_HEAD = (FIXTURES / "qualtrics_choice.csv").read_bytes().split(b'{"ImportId"')[0]


def _random_bytes() -> bytes:
    data = np.random.default_rng(7).integers(1, 256, 4000, dtype=np.uint8).tobytes()
    return data


def _qualtrics_header_only() -> bytes:
    text = (FIXTURES / "qualtrics_choice.csv").read_bytes()
    lines = text.split(b"\r\n")
    # header records hold quoted line breaks: keep records up to the ImportId line
    end = next(i for i, line in enumerate(lines) if line.startswith(b'"{""ImportId'))
    return b"\r\n".join(lines[: end + 1]) + b"\r\n"


def _qualtrics_only_preview() -> bytes:
    return (
        _qualtrics_header_only()
        + (FIXTURES / "qualtrics_choice.csv")
        .read_bytes()
        .split(b"\r\n")[_qualtrics_header_only().count(b"\r\n")]
        + b"\r\n"
    )


CASES = {
    "empty": ("e.csv", b"", "is empty"),
    "blank lines": ("b.csv", b"\r\n\r\n", "is empty"),
    "header only": ("h.csv", b"role,q1\n", "has a header row but no responses"),
    "qualtrics header only": ("qh.csv", _qualtrics_header_only(), "header row but no responses"),
    "qualtrics only preview": ("qp.csv", _qualtrics_only_preview(), "every response was excluded"),
    "truncated last line": (
        "t.csv",
        b"role,q1,q2\nexecutive,4,5\ncustomer,2",
        "line 3 has 2 fields but the header has 3",
    ),
    "truncated inside quotes": ("tq.csv", b'role,q1\ncustomer,"Agr', "unclosed quote"),
    "ragged": ("r.csv", b"role,q1\nexecutive,4\ncustomer,2,3\n", "line 3 has 3 fields"),
    "random bytes named csv": ("rand.csv", _random_bytes(), "holds binary data"),
    "NUL bytes": ("n.csv", b"role,q1\nexec\x00utive,4\n", "contains NUL bytes"),
    "csv named xlsx": ("x.xlsx", b"role,q1\nexecutive,4\n", "is named .xlsx but holds text"),
    "csv named sav": ("x.sav", b"role,q1\nexecutive,4\n", "is named .sav but holds text"),
    "old xls": ("o.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old-style Excel .xls"),
    "broken sav": ("s.sav", b"$FL2" + b"\x00" * 60, "is not a readable SPSS .sav file"),
    "broken parquet": ("p.parquet", b"PAR1garbage", "is not a readable Parquet file"),
    "zip not xlsx": ("z.csv", b"PK\x03\x04garbage", "is a zip archive but not an Excel"),
    "duplicate columns": ("d.csv", b"role,q1,q1\nexecutive,4,5\n", "duplicate column names 'q1'"),
    "unknown encoding": (
        "u.csv",
        b"role,q1\nexecutive,4\ncustomer,\x81\x8d\n",
        "unknown encoding: neither UTF-8 (invalid byte at offset 29) nor Windows-1252",
    ),
    "bad utf-16": ("w.csv", b"\xff\xfer\x00o\x00\x00\xd8", "not valid UTF-16"),
    "text in numeric item": (
        "i.csv",
        b"role,q1\nexecutive,4\ncustomer,lots\n",
        "column 'q1', data row 2: 'lots' is neither a number",
    ),
}


@pytest.mark.parametrize("command", ["gap", "inspect", "init"])
@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_exit_3_and_writes_nothing(tmp_path, command, case):
    name, data, message = CASES[case]
    if case == "text in numeric item" and command != "gap":
        pytest.skip("only an analysis recodes answers")
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / ("out.toml" if command == "init" else "out.json")
    extra = ["--items", "q1"] if case == "text in numeric item" else []
    res = runner.invoke(app, [command, str(path), "-o", str(out), *extra])
    assert res.exit_code == 3, (res.exit_code, res.output)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("cxkit: error: ") and name in lines[0]
    assert message in lines[0], lines[0]
    assert "Traceback" not in res.output
    assert not out.exists()


def test_a_sheet_that_does_not_exist(tmp_path):
    res = runner.invoke(app, ["inspect", str(FIXTURES / "study.xlsx"), "--sheet", "Nope"])
    assert res.exit_code == 3
    assert "study.xlsx: has no sheet 'Nope' (sheets: Responses, About)" in res.stderr
    other = runner.invoke(app, ["inspect", str(FIXTURES / "study.xlsx"), "--sheet", "About"])
    assert other.exit_code == 3 and "has a header row but no responses" in other.stderr
    by_number = runner.invoke(app, ["inspect", str(FIXTURES / "study.xlsx"), "--sheet", "1"])
    assert by_number.exit_code == 0, by_number.output


def test_an_empty_folder(tmp_path):
    (tmp_path / "drops").mkdir()
    res = runner.invoke(app, ["inspect", str(tmp_path / "drops")])
    assert res.exit_code == 3
    assert "drops: folder holds no survey files" in res.stderr


def test_unknown_encoding_name_is_a_usage_error(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"role,q1\nexecutive,4\n")
    res = runner.invoke(app, ["inspect", str(path), "--encoding", "klingon"])
    assert res.exit_code == 2
    assert "--encoding 'klingon' is not an encoding Python knows" in res.stderr
