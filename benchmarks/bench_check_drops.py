"""Time ``cxkit check`` on the bundled quarterly drops, the gate a CI job runs on each drop.

    python benchmarks/bench_check_drops.py [--repeat 9] [--old OLD_SRC]

The drops are small (600 responses each), so the run is start-up, imports and the ten
checks of ``examples/drops/cxkit.toml`` (data, drift, a threshold and three change checks
on gap and nps). The floor is pyarrow reading both drops in a fresh interpreter. ``OLD_SRC``
is the ``src`` folder of an older checkout, timed as "before" (interleaved with the rest).
Prints a Markdown table: median seconds, peak RSS, ratio to the floor.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import compiled, timed  # noqa: E402

DROPS = HERE.parent / "examples" / "drops"
FILES = [str(DROPS / "2026Q1.csv"), str(DROPS / "2026Q2.csv")]  # every check passes
FLOOR = "import sys, pyarrow.csv as c; [c.read_csv(f) for f in sys.argv[1:]]"


def argv_for(who: str, old: str | None) -> list[str]:
    if who == "floor":
        return [sys.executable, "-c", FLOOR, *FILES]
    env = ["env", f"PYTHONPATH={old}"] if who == "before" else ["env"]
    return [*env, sys.executable, "-m", "cxkit", "check", *FILES, "-f", "json"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--old", help="an older checkout's src folder, timed as 'before'")
    args = ap.parse_args(argv)
    compiled()
    who = ["floor", "cxkit", *(["before"] if args.old else [])]
    if args.old:
        compiled(Path(args.old) / "cxkit")
    times: dict[str, list[tuple[float, float]]] = {w: [] for w in who}
    for i in range(args.repeat):
        for w in who if i % 2 == 0 else who[::-1]:
            times[w].append(timed(argv_for(w, args.old)))
    med = {w: statistics.median(t for t, _ in times[w]) for w in who}
    rss = {w: max(m for _, m in times[w]) for w in who}
    print(f"cxkit check on two example drops, median of {args.repeat} (seconds, peak RSS)\n")
    print("| run | seconds | peak RSS | ratio to the floor |")
    print("|---|---|---|---|")
    for w in who:
        print(f"| {w} | {med[w]:.3f} | {rss[w]:.0f} MB | {med[w] / med['floor']:.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
