from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
REFERENCE = ROOT / "tests" / "reference"


@pytest.fixture
def example_csv() -> Path:
    return EXAMPLES / "centricity_survey.csv"


@pytest.fixture
def example_config() -> Path:
    return EXAMPLES / "cxkit.toml"


@pytest.fixture
def r_reference() -> dict:
    return json.loads((REFERENCE / "gap_reference.json").read_text())


@pytest.fixture
def fixture_csv() -> Path:
    return REFERENCE / "gap_fixture.csv"


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    """Run every test in an empty folder, so no stray cxkit.toml is picked up."""
    monkeypatch.chdir(tmp_path)


def one_line_error(res, code: int) -> str:
    """The message of a CLI run that failed with ``code`` and one ``cxkit: error:`` line."""
    assert res.exit_code == code, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cxkit: error: "), res.stderr
    assert "Traceback" not in res.output
    return lines[0].removeprefix("cxkit: error: ")
