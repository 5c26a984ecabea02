"""Every command over every file of the bad-input corpus (tests/data/make_bad_corpus.py).

Each run must end with a documented exit code; a failure must be one line on stderr that
names the file, with no traceback and nothing written to --output.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cxkit.cli import COMMANDS, app
from cxkit.errors import EXIT_INTERNAL

from .data.make_bad_corpus import corpus, write

runner = CliRunner()
DOCUMENTED = {0, 1, 2, 3, 4}
#: options a command needs besides FILE to get as far as reading it
EXTRA_ARGS: dict[str, list[str]] = {
    "roi": ["--cx", "q1", "--outcome", "q2", "--entity", "respondent_id"],
}


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    write(folder)
    return folder


@pytest.mark.parametrize("name", sorted(corpus()))
@pytest.mark.parametrize("command", [c for c, _ in COMMANDS])
def test_command_meets_bad_file_with_a_documented_exit(command, name, bad_dir, tmp_path):
    path = bad_dir / name
    out = tmp_path / "out.json"
    res = runner.invoke(app, [command, str(path), *EXTRA_ARGS.get(command, []), "-o", str(out)])
    assert res.exit_code != EXIT_INTERNAL, res.stderr
    assert res.exit_code in DOCUMENTED, (res.exit_code, res.stderr)
    assert "Traceback" not in res.output
    if res.exit_code not in (0, 1):  # 1: a check ran and failed, its result is written
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1, res.stderr
        assert lines[0].startswith("cxkit: error: ")
        if res.exit_code != 2:  # a usage error is about the options, not the file
            assert name in lines[0]
        assert not out.exists()
        assert not list(tmp_path.glob(".out.json*"))
    else:
        assert out.exists()


def test_corpus_covers_the_listed_cases():
    names = set(corpus())
    for case in (
        "empty.csv",
        "header_only.csv",
        "truncated_quote.csv",
        "ragged.csv",
        "nul_bytes.csv",
        "random_bytes.csv",
        "xlsx_named.csv",
        "csv_named.xlsx",
        "invalid_utf8_middle.csv",
        "one_mb_field.csv",
        "ten_thousand_columns.csv",
        "duplicate_headers.csv",
        "formula_cells.csv",
        "control_and_rtl_labels.csv",
        "number_1e309.csv",
        "number_nan.csv",
        "number_inf.csv",
        "number_thousands.csv",
        "arabic_digits.csv",
    ):
        assert case in names


@pytest.mark.parametrize(
    "name",
    [
        "number_1e309.csv",
        "number_inf.csv",
        "number_nan.csv",
        "number_thousands.csv",
        "arabic_digits.csv",
    ],
)
def test_bad_numbers_in_a_named_item_are_errors_naming_row_and_value(name, bad_dir):
    res = runner.invoke(app, ["gap", str(bad_dir / name), "--items", "q*"])
    assert res.exit_code == 3
    assert "column 'q1', data row 2" in res.stderr


def test_bad_numbers_in_a_detected_item_are_not_dropped_silently(bad_dir):
    res = runner.invoke(app, ["gap", str(bad_dir / "number_1e309.csv"), "-f", "json"])
    assert res.exit_code == 0
    assert "'q1' was not analysed as an item" in res.stdout


def test_formula_cells_come_out_inert_in_csv(bad_dir):
    res = runner.invoke(
        app, ["gap", str(bad_dir / "formula_cells.csv"), "--by", "region", "-f", "csv"]
    )
    assert res.exit_code == 0, res.stderr
    for line in res.stdout.splitlines()[1:]:
        assert not line.startswith(("=", "+", "@")), line
    assert "'=HYPERLINK" in res.stdout and "'@SUM" in res.stdout and "'+cmd" in res.stdout


def test_markdown_escapes_data_labels(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("role,seg,q1\nexecutive,<script>|x,4\ncustomer,<script>|x,2\n")
    res = runner.invoke(app, ["gap", str(f), "--by", "seg", "-f", "markdown"])
    assert res.exit_code == 0, res.stderr
    assert "<script>" not in res.stdout and "&lt;script>\\|x" in res.stdout


def test_fuzz_finding_role_value_with_newline_stays_one_line(tmp_path):
    # found by `make fuzz` (atheris): a quoted role cell spanning lines, echoed in the error
    f = tmp_path / "fz.csv"
    f.write_bytes(b'role,q1,q2\n"executive,,5\ncusto"mer\xa2,2,\n')
    res = runner.invoke(app, ["gap", str(f)])
    assert res.exit_code == 3
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "\\n" in lines[0]


def test_control_characters_in_messages_are_escaped():
    from cxkit.errors import InputError

    assert str(InputError("bad\nvalue\x1b[2J")) == "bad\\nvalue\\x1b[2J"
