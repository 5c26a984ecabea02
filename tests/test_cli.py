"""The command line: output formats, round trips, and every documented error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cxkit.cli import app
from cxkit.errors import EXIT_INPUT

from .conftest import EXAMPLES
from .imports import loaded_by

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_table_output_has_rows_and_headline(example_csv):
    res = run("gap", example_csv)
    assert res.exit_code == 0, res.output
    assert "We act on what customers tell us" in res.stdout
    assert "Overall" in res.stdout
    headline = res.stdout.strip().splitlines()[-1]
    assert "of self-raters agree vs" in headline and "× as many (95% CI" in headline
    assert "largest gap: We act on what customers tell us" in headline


def test_json_is_one_object_with_documented_keys(example_csv):
    res = run("gap", example_csv, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) == {"command", "summary", "table", "notes", "provenance"}
    assert doc["command"] == "gap"
    prov = doc["provenance"]
    assert {"cxkit_version", "inputs", "parameters", "methods", "seed"} <= set(prov)
    sha = prov["inputs"][0]["sha256"]
    import hashlib

    assert sha == hashlib.sha256(example_csv.read_bytes()).hexdigest()
    assert prov["inputs"][0]["rows"] == 1000
    assert "Newcombe" in prov["methods"]["agree_gap_ci"]
    assert len(doc["table"]) == 20 + 5 + 1
    assert doc["table"][0]["level"] == "item"


def test_json_and_parquet_round_trip_the_same_numbers(example_csv, tmp_path):
    out = tmp_path / "gap.parquet"
    res = run("gap", example_csv, "-f", "json", "-o", out)
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["table"]
    table = pq.read_table(out)
    meta = json.loads(table.schema.metadata[b"cxkit"])
    assert meta["provenance"]["inputs"][0]["path"].endswith("centricity_survey.csv")
    frame = table.to_pandas()
    assert list(frame.columns) == list(rows[0])
    for got, want in zip(frame.to_dict("records"), rows, strict=True):
        for key, value in want.items():
            if isinstance(value, float):
                assert got[key] == pytest.approx(value, rel=1e-15)
            elif value is None:
                assert got[key] is None or got[key] != got[key]
            else:
                assert got[key] == value


def test_csv_and_markdown_outputs(example_csv, tmp_path):
    res = run("gap", example_csv, "-f", "csv")
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0].startswith("level,item,pillar,label,n_self,n_customer")
    md_path = tmp_path / "gap.md"
    res = run("gap", example_csv, "-o", md_path)
    assert res.exit_code == 0 and res.stdout == ""
    md = md_path.read_text()
    assert md.startswith("**") and "| Statement |" in md


def test_reruns_are_byte_identical(example_csv, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert run("gap", example_csv, "-o", a).exit_code == 0
    assert run("gap", example_csv, "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_two_files_give_the_same_numbers_as_one(example_csv):
    one = json.loads(run("gap", example_csv, "-f", "json").stdout)["table"]
    res = run(
        "gap",
        "--self-file",
        EXAMPLES / "self_ratings.csv",
        "--customer-file",
        EXAMPLES / "customer_ratings.csv",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    two = json.loads(res.stdout)["table"]
    assert len(one) == len(two)
    for a, b in zip(one, two, strict=True):
        assert a.keys() == b.keys()
        for key, value in a.items():
            if isinstance(value, float):  # weighted sums in another row order: last-bit noise
                assert b[key] == pytest.approx(value, rel=1e-12), key
            else:
                assert b[key] == value, key


def test_by_region_adds_cells_after_the_total(example_csv):
    res = run("gap", example_csv, "--by", "region", "-f", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["table"]
    assert next(iter(rows[0])) == "region"
    assert [r["region"] for r in rows][::26] == ["(all)", "AMER", "APAC", "EMEA"]
    emea = next(r for r in rows if r["region"] == "EMEA" and r["level"] == "overall")
    amer = next(r for r in rows if r["region"] == "AMER" and r["level"] == "overall")
    assert emea["agree_customer"] < amer["agree_customer"]  # planted in the example


def test_items_glob_and_agree_threshold(example_csv):
    res = run("gap", example_csv, "--items", "ci_*", "--agree", "5", "-f", "json")
    rows = json.loads(res.stdout)["table"]
    assert [r["item"] for r in rows if r["level"] == "item"] == ["ci_1", "ci_2", "ci_3", "ci_4"]
    assert json.loads(res.stdout)["provenance"]["parameters"]["agree_at"] == 5


def test_stdin_dash(example_csv):
    res = run(
        "gap", "-", "--config", EXAMPLES / "cxkit.toml", "-f", "json", input=example_csv.read_text()
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["provenance"]["inputs"][0]["path"] == "<stdin>"


def test_zero_customer_agreement_is_infinite_ratio_with_note(tmp_path):
    rows = ["role,q1"] + ["executive,5"] * 40 + ["customer,2"] * 40
    f = write(tmp_path / "s.csv", "\n".join(rows) + "\n")
    res = run("gap", f, "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    item = doc["table"][0]
    assert item["agree_ratio"] is None or item["agree_ratio"] > 1e300
    assert item["agree_ratio_ci_low"] is None
    assert any("no agreeing customers" in n for n in doc["notes"])
    assert "ratio is undefined" in doc["summary"]["headline"]


def test_small_bases_are_noted(tmp_path):
    f = write(tmp_path / "s.csv", "role,q1\nexecutive,5\nexecutive,4\ncustomer,2\ncustomer,4\n")
    res = run("gap", f, "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert any("fewer than 30" in n for n in doc["notes"])


# --- errors: (args, exit code, text in the one-line message) -------------------------------
def _bad(tmp_path: Path):
    ok = write(tmp_path / "ok.csv", "role,q1\nexecutive,4\ncustomer,2\n")
    return {
        "missing file": (["gap", tmp_path / "nope.csv"], 3, "nope.csv: file not found"),
        "empty file": (["gap", write(tmp_path / "e.csv", "")], 3, "is empty"),
        "header only": (["gap", write(tmp_path / "h.csv", "role,q1\n")], 3, "no responses"),
        "missing role column": (["gap", ok, "--role-col", "team"], 3, "no role column 'team'"),
        "no role column": (
            ["gap", write(tmp_path / "nr.csv", "team,q1\nexecutive,4\ncustomer,2\n")],
            3,
            "no role column 'role' to tell self from customer answers; pass --role-col",
        ),
        "non-numeric answer": (
            [
                "gap",
                write(tmp_path / "t.csv", "role,q1\nexecutive,4\ncustomer,lots\n"),
                "--items",
                "q1",
            ],
            3,
            "column 'q1', data row 2: 'lots' is neither a number nor a known answer label",
        ),
        "unknown role": (
            ["gap", write(tmp_path / "r.csv", "role,q1\nexecutive,4\ncustomer,2\npartner,3\n")],
            3,
            "'partner'; classify them with --self/--customer",
        ),
        "self value absent": (["gap", ok, "--self", "board"], 3, "'executive'"),
        "outside scale": (
            [
                "gap",
                write(tmp_path / "o.csv", "role,q1\nexecutive,4\ncustomer,7\n"),
                "--items",
                "q1",
            ],
            3,
            "'7' is outside the scale 1-5",
        ),
        "missing item column": (["gap", ok, "--items", "zz_*"], 3, "no column matches"),
        "bad confidence": (["gap", ok, "--confidence", "95"], 2, "--confidence must be"),
        "bad format": (["gap", ok, "-f", "xml"], 2, "--format 'xml'"),
        "bad output extension": (["gap", ok, "-o", tmp_path / "x.xlsx"], 2, "unknown extension"),
        "output is input": (["gap", ok, "-o", ok], 2, "is also an input"),
        "bad scale": (["gap", ok, "--scale", "5-1"], 2, "--scale"),
        "output folder missing": (
            ["gap", ok, "-o", tmp_path / "no" / "x.json"],
            4,
            "does not exist",
        ),
        "only one of two files": (["gap", "--self-file", ok], 2, "go together"),
        "no input": (["gap"], 2, "missing survey file"),
        "xlsx named csv": (
            ["gap", (tmp_path / "x.csv").write_bytes(b"PK\x03\x04rest") and tmp_path / "x.csv"],
            3,
            "Excel workbook",
        ),
        "ragged": (
            ["gap", write(tmp_path / "g.csv", "role,q1\nexecutive,4,9\ncustomer,2\n")],
            3,
            "line 2 has 3 fields",
        ),
        "bad config": (
            ["gap", ok, "--config", write(tmp_path / "c.toml", "[scale]\nmin = 1\nmaxx = 5\n")],
            3,
            "scale.maxx: unknown key",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing file",
        "empty file",
        "header only",
        "missing role column",
        "no role column",
        "non-numeric answer",
        "unknown role",
        "self value absent",
        "outside scale",
        "missing item column",
        "bad confidence",
        "bad format",
        "bad output extension",
        "output is input",
        "bad scale",
        "output folder missing",
        "only one of two files",
        "no input",
        "xlsx named csv",
        "ragged",
        "bad config",
    ],
)
def test_errors_are_one_line_with_documented_exit_code(case, tmp_path):
    args, code, text = _bad(tmp_path)[case]
    res = run(*args)
    assert res.exit_code == code, (res.exit_code, res.output)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("cxkit: error: ")
    assert text in lines[0], lines[0]
    assert "Traceback" not in res.output


def test_every_bad_input_case_is_exercised(tmp_path):
    listed = test_errors_are_one_line_with_documented_exit_code.pytestmark[0].args[1]
    assert sorted(listed) == sorted(_bad(tmp_path))


def test_failed_run_leaves_existing_output_intact(tmp_path):
    out = write(tmp_path / "keep.json", '{"old": true}')
    bad = write(tmp_path / "b.csv", "role,q1\nexecutive,4\ncustomer,zz\n")
    res = run("gap", bad, "--items", "q1", "-o", out)
    assert res.exit_code == 3
    assert out.read_text() == '{"old": true}'
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".keep.json")]


def test_debug_shows_the_traceback(tmp_path):
    res = run("--debug", "gap", tmp_path / "nope.csv")
    assert res.exit_code != 0
    assert res.exception is not None and "file not found" in str(res.exception)


def test_help_for_every_command():
    for args in (["--help"], ["gap", "--help"]):
        res = run(*args)
        assert res.exit_code == 0 and "Usage" in res.stdout


def _cxkit_exe() -> str:
    exe = Path(sys.executable).with_name("cxkit")
    return str(exe) if exe.exists() else shutil.which("cxkit") or "cxkit"


def test_installed_console_script_runs_the_example(example_csv):
    proc = subprocess.run(
        [_cxkit_exe(), "gap", str(example_csv), "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["largest_gap_item"] == "ci_2"


def test_python_dash_m_and_exit_code_of_real_process(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "cxkit", "gap", str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 3
    assert proc.stderr.startswith("cxkit: error: ") and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["gap", "--help"],
        ["gap", "x.csv", "--confidence", "2"],
        ["gap", "x.csv", "--format", "xml"],
    ],
)
def test_help_and_option_errors_do_not_import_heavy_modules(args):
    assert loaded_by(args) == []


@pytest.mark.parametrize("width", [100, 200])
def test_terminal_view_fits_its_width(example_csv, width):
    import io

    from rich.console import Console

    import cxkit
    from cxkit.output import print_table

    buf = io.StringIO()
    result = cxkit.gap(cxkit.read_survey(example_csv))
    print_table(result, console=Console(file=buf, width=width, force_terminal=False))
    lines = buf.getvalue().splitlines()
    assert max(len(line) for line in lines) <= width
    header = next(line for line in lines if "Statement" in line)
    assert "p adj" in header and "Ratio (CI)" in header
    assert ("Mean gap (CI)" in header) == (width == 200)  # optional: dropped when narrow


#: the environment with Python's output buffered (this machine sets PYTHONUNBUFFERED)
BUFFERED = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def _leave_in_child(code: str) -> subprocess.CompletedProcess:
    body = f"import sys\nfrom cxkit.__main__ import _leave\nsys.stdout.write('out')\n{code}\n"
    return subprocess.run(
        [sys.executable, "-c", body], capture_output=True, text=True, env=BUFFERED
    )


@pytest.mark.parametrize(
    ("code", "status", "stderr"),
    [("_leave(None)", 0, ""), ("_leave(3)", 3, ""), ("_leave('boom')", 1, "boom\n")],
)
def test_leaving_flushes_and_keeps_systemexit_codes(code, status, stderr):
    """The entry point ends the process without the interpreter's teardown: buffered
    output still arrives, and the code means what SystemExit's would."""
    done = _leave_in_child(code)
    assert (done.returncode, done.stdout, done.stderr) == (status, "out", stderr)


def test_leaving_after_the_reader_went_away_exits_120():
    """As Python does when its last flush meets a closed pipe (`cxkit ... | head -1`)."""
    body = (
        "import sys\nfrom cxkit.__main__ import _leave\n"
        "sys.stdout.write('x' * 10)\nsys.stdin.readline()\n_leave(0)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", body], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=BUFFERED,
    )  # fmt: skip
    proc.stdout.close()
    proc.stdin.write(b"go\n")
    proc.stdin.close()
    assert proc.wait(timeout=60) == 120
    proc.stderr.close()


def test_console_entry_point_output_and_exit_codes(example_csv, tmp_path):
    """python -m cxkit: the whole JSON on stdout with 0, an input error with its code."""
    ok = subprocess.run(
        [sys.executable, "-m", "cxkit", "gap", str(example_csv), "-f", "json"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["command"] == "gap"
    bad = subprocess.run(
        [sys.executable, "-m", "cxkit", "gap", str(tmp_path / "nope.csv")],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert bad.returncode == EXIT_INPUT and "file not found" in bad.stderr
