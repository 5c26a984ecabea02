"""Input files hashed during start-up give the digest the reader would compute, and only
when the file is still the one that was hashed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from cxkit import prehash, read
from cxkit.read import read_table


@pytest.fixture(autouse=True)
def fresh_jobs(monkeypatch):
    monkeypatch.setattr(prehash, "_jobs", {})
    monkeypatch.setattr(prehash, "MIN_SIZE", 10)


def _survey(path, rows=50):
    lines = ["role,q1,q2"] + [f"{'customer' if i % 2 else 'executive'},{i % 5 + 1},3"
                              for i in range(rows)]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    return path


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_only_input_files_are_hashed_ahead(tmp_path):
    survey, out, config = (_survey(tmp_path / n) for n in ("s.csv", "out.csv", "c.toml"))
    small = tmp_path / "small.csv"
    small.write_text("a\n")
    prehash.start(["gap", str(survey), "-o", str(out), "--config", str(config),
                   str(small), "--role-col", str(tmp_path), "-"])  # fmt: skip
    assert [job.path for job in prehash._jobs.values()] == [str(survey)]
    assert prehash.lookup(survey)() == _sha(survey)
    assert prehash.lookup(out) is None and prehash.lookup(small) is None


def test_the_reader_takes_the_digest_hashed_ahead(tmp_path, monkeypatch):
    survey = _survey(tmp_path / "s.csv")
    prehash.start([str(survey)])
    next(iter(prehash._jobs.values())).join()

    def refuse(*_):
        raise AssertionError("hashed again")

    monkeypatch.setattr(read, "_sha", refuse)
    assert read_table(survey).source.sha256 == _sha(survey)


def test_a_file_changed_after_it_was_hashed_is_hashed_again(tmp_path):
    survey = _survey(tmp_path / "s.csv")
    prehash.start([str(survey)])
    next(iter(prehash._jobs.values())).join()
    _survey(survey, rows=60)  # another size: another file
    assert prehash.lookup(survey) is None
    assert read_table(survey).source.sha256 == _sha(survey)


def test_a_file_changed_while_it_was_hashed_gives_no_digest(tmp_path):
    survey = _survey(tmp_path / "s.csv")
    prehash.start([str(survey)])
    wait = prehash.lookup(survey)
    st = survey.stat()
    os.utime(survey, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert wait() is None


def test_the_console_entry_point_reports_the_files_sha256(tmp_path):
    """A file past the real threshold, through ``python -m cxkit`` (which hashes ahead)."""
    survey = _survey(tmp_path / "big.csv", rows=120_000)
    assert survey.stat().st_size >= 1 << 20
    out = subprocess.run(
        [sys.executable, "-m", "cxkit", "gap", str(survey), "-f", "json", "--no-config"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    sources = json.loads(out.stdout)["provenance"]["inputs"]
    assert [s["sha256"] for s in sources] == [_sha(survey)]
