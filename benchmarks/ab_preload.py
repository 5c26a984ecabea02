"""Does importing pandas/scipy.special in a thread during the read pay? Whole processes.

    python benchmarks/ab_preload.py [--repeat 7] [FILE]

Times ``cxkit gap FILE --role-col role -f json`` with and without ``CXKIT_NO_PRELOAD=1``,
interleaved, and prints the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_data  # noqa: E402
import variants  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    path = args.file or str(make_data.ensure(1_000_000)[0])
    argv_ = [sys.executable, "-m", "cxkit", *variants.cxkit_argv(path, None, None)]
    times: dict[str, list[float]] = {"preload": [], "no preload": []}
    for _ in range(args.repeat):
        for name in times:
            env = dict(os.environ)
            if name == "no preload":
                env["CXKIT_NO_PRELOAD"] = "1"
            t0 = time.perf_counter()
            subprocess.run(argv_, env=env, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - t0)
    for name, t in times.items():
        print(f"{name:<11} median {statistics.median(t):.3f} s (min {min(t):.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
