"""Results that cannot reach stdout (a full disk) end with exit 4 and one line, not with a
crash reported as a bug in cxkit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cxkit.errors import EXIT_OUTPUT

from .conftest import EXAMPLES

SURVEY = str(EXAMPLES / "centricity_survey.csv")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
@pytest.mark.parametrize(
    "argv",
    [
        ["gap", SURVEY, "-f", "json"],
        ["gap", SURVEY],  # the rich table
        ["nps", SURVEY, "-f", "csv"],
        ["report", SURVEY, "--bootstrap", "0"],  # HTML to stdout
        ["check", str(EXAMPLES / "drops" / "2026Q3.csv"), "--github"],
    ],
    ids=lambda a: " ".join(a[:1] + a[2:]),
)
def test_a_full_disk_on_stdout_is_exit_4_with_one_line(argv):
    with open("/dev/full", "w") as full:
        res = subprocess.run(
            [sys.executable, "-m", "cxkit", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=EXAMPLES,
            check=False,
        )
    errors = [line for line in res.stderr.splitlines() if not line.startswith("note:")]
    assert res.returncode == EXIT_OUTPUT, res.stderr
    assert errors == [
        "cxkit: error: cannot write the results to standard output (No space left on device)"
    ]
