"""``cxkit gap`` before and after, same run: two source trees, whole processes, interleaved.

    python benchmarks/before_after.py OLD_SRC [--repeat 5] [--rows 5000000] [--only csv]

``OLD_SRC`` is the ``src`` folder of an older checkout (``git archive REV src | tar -x -C
DIR``); it is put first on ``PYTHONPATH`` for the "before" runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_data  # noqa: E402
import variants  # noqa: E402
from run import TASKS, compiled, timed  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old_src")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rows", type=int, default=1_000_000, help="survey size (default 1M)")
    ap.add_argument("--only", choices=["csv", "parquet"], help="one of the two files")
    ap.add_argument("--task", choices=list(TASKS), action="append", help="repeatable; all")
    args = ap.parse_args(argv)
    files = [f for f in make_data.ensure(args.rows) if args.only in (None, f.suffix[1:])]
    compiled()
    compiled(Path(args.old_src) / "cxkit")
    print("| file | task | before | after | speed-up |\n|---|---|---|---|---|")
    for f in files:
        for task, (by, weight) in TASKS.items():
            if args.task and task not in args.task:
                continue
            argv_ = [sys.executable, "-m", "cxkit", *variants.cxkit_argv(str(f), by, weight)]
            res: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
            for _ in range(args.repeat):
                os.environ["PYTHONPATH"] = args.old_src
                res["before"].append(timed(argv_))
                os.environ.pop("PYTHONPATH")
                res["after"].append(timed(argv_))
            b = statistics.median(t for t, _ in res["before"])
            a = statistics.median(t for t, _ in res["after"])
            bm = max(m for _, m in res["before"])
            am = max(m for _, m in res["after"])
            print(
                f"| {f.name} | {task} | {b:.2f} s, {bm:.0f} MB | {a:.2f} s, {am:.0f} MB "
                f"| {b / a:.1f}× |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
