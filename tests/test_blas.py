"""Analyses that multiply matrices give the same bits from the Python API (numpy with one
BLAS thread per core) as from the command line (one BLAS thread): ``cxkit.blas``."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np

import cxkit

from .conftest import EXAMPLES


def test_obstacles_from_the_api_equals_the_command_line_to_the_last_bit():
    raw = cxkit.read_table(EXAMPLES / "obstacles_ranked.csv")
    api = cxkit.obstacles(raw, by="wave", bootstrap=200).table
    cli = subprocess.run(
        [sys.executable, "-m", "cxkit", "obstacles", str(EXAMPLES / "obstacles_ranked.csv"),
         "--by", "wave", "--bootstrap", "200", "-f", "json", "--no-config"],
        capture_output=True, text=True, check=True, cwd=EXAMPLES,
    )  # fmt: skip
    rows = json.loads(cli.stdout)["table"]
    assert len(rows) == len(api)
    compared = 0
    for i, row in enumerate(rows):
        for col, value in row.items():
            if isinstance(value, float):
                got = float(api.loc[i, col])
                assert got == value or (math.isnan(got) and value is None), (i, col, got, value)
                compared += 1
    assert compared > 500


def test_the_blas_thread_setting_is_given_back():
    from threadpoolctl import threadpool_info

    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    raw = cxkit.read_table(EXAMPLES / "obstacles_ranked.csv")
    cxkit.obstacles(raw, bootstrap=20)
    after = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    assert before == after and np.ones(2) @ np.ones(2) == 2
