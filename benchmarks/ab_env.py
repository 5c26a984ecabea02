"""``cxkit gap`` with and without one of its start-up settings, as whole processes.

    python benchmarks/ab_env.py allocator [--repeat 9] [--pause 3] [FILE]
    python benchmarks/ab_env.py preload [--repeat 9] [FILE]

``allocator``: pyarrow's mimalloc committing memory as used (cxkit's entry point sets
``MIMALLOC_ARENA_EAGER_COMMIT=0``) against its default (a whole arena at once, ``=2``).
``preload``: the analysis modules imported in a thread during the read, or not
(``CXKIT_NO_PRELOAD=1``). Runs ``cxkit gap FILE --role-col role -f json`` both ways,
alternating which goes first, and prints the median wall, user and system time and the
largest peak memory. ``--pause`` idles before every run, so that each starts as a cron
job does, with no memory freed a moment ago to reuse (see ``benchmarks/RESULTS.md``).
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

#: setting -> {label: environment variables for that side}
SETTINGS = {
    "allocator": {"commit as used": {}, "whole arena": {"MIMALLOC_ARENA_EAGER_COMMIT": "2"}},
    "preload": {"preload": {}, "no preload": {"CXKIT_NO_PRELOAD": "1"}},
}


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, float]:
    """(wall s, user s, system s, peak MB) of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed")
    return wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("setting", choices=sorted(SETTINGS))
    ap.add_argument("file", nargs="?")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--pause", type=float, default=0.0, metavar="SECONDS")
    args = ap.parse_args(argv)
    if args.pause < 0:
        ap.error(f"--pause {args.pause:g}: give the seconds to idle, 0 or more")
    path = args.file or str(make_data.ensure(1_000_000)[0])
    argv_ = [sys.executable, "-m", "cxkit", *variants.cxkit_argv(path, None, None)]
    sides = SETTINGS[args.setting]
    runs: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in sides}
    for k in range(args.repeat):
        for name in list(sides) if k % 2 == 0 else list(sides)[::-1]:
            env = {**os.environ, **sides[name]}
            if not sides[name]:  # cxkit's own choice: no inherited override either
                for var in (v for other in sides.values() for v in other):
                    env.pop(var, None)
            time.sleep(args.pause)
            runs[name].append(run_once(argv_, env))
    med = statistics.median
    for name, r in runs.items():
        print(
            f"{name:<15} wall {med(x[0] for x in r):.3f} s (min {min(x[0] for x in r):.3f})"
            f"  user {med(x[1] for x in r):.3f}  sys {med(x[2] for x in r):.3f}"
            f"  peak {max(x[3] for x in r):.0f} MB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
