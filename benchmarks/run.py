"""Time ``cxkit gap`` against the floor, DuckDB, polars and a pandas script, in one run.

    python benchmarks/run.py                 # 1M rows, CSV and Parquet, median of 5
    python benchmarks/run.py --big           # also 5M rows
    python benchmarks/run.py --repeat 3 --out benchmarks/RESULTS.md

Every implementation runs as a whole process (interpreter start-up and imports included),
the runs interleaved so machine load hits them alike; the median wall time of ``--repeat``
runs and the peak resident memory (``ru_maxrss`` of the child, from ``os.wait4``) are
reported, with the ratio to the floor (pyarrow reading the needed columns) of the same task
measured in the same run.

Each round runs in its own seeded order (:func:`round_order`), not always the same one: a
process runs faster when the one before it has just freed as much memory as it needs (on
a virtual machine whose host takes freed memory back, fresh pages cost several times as
much), so in a fixed order the implementation after a small one pays for it in every
round. ``--pause SECONDS`` idles before every run instead, so that each starts as a cron
job does, with no freshly freed memory to reuse. DuckDB and polars are the ``bench`` extra
(``pip install -e '.[bench]'``); a missing one is skipped. The data come from
``benchmarks/make_data.py`` (written on first use under the git-ignored ``benchmarks/data/``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_data  # noqa: E402
import variants  # noqa: E402

TASKS = {"plain": (None, None), "--by segment": ("segment", None), "--weight": (None, "weight")}
IMPLEMENTATIONS = ["floor", "cxkit", "duckdb", "polars", "pandas"]


def argv_of(impl: str, path: Path, by: str | None, weight: str | None) -> list[str]:
    if impl == "cxkit":
        return [sys.executable, "-m", "cxkit", *variants.cxkit_argv(str(path), by, weight)]
    extra = (["--by", by] if by else []) + (["--weight", weight] if weight else [])
    return [sys.executable, str(HERE / "variants.py"), impl, str(path), *extra]


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {err[-500:]}")
    return wall, usage.ru_maxrss / 1024


def available(impl: str) -> bool:
    return impl not in ("duckdb", "polars") or importlib.util.find_spec(impl) is not None


def compiled(package_dir: Path | None = None) -> None:
    """Write cxkit's bytecode before timing, as its first run does on most machines.

    An editable install under ``PYTHONDONTWRITEBYTECODE=1`` (set on some CI and sandbox
    machines) would otherwise compile every cxkit module on every run (about 0.1 s), a cost
    the installed libraries it is compared with never pay.
    """
    import compileall

    if package_dir is None:
        import cxkit

        package_dir = Path(cxkit.__file__).parent
    compileall.compile_dir(str(package_dir), quiet=1)


def round_order(runs: list, k: int) -> list:
    """The runs of round ``k`` in an order of their own, the same for the same ``k``.

    >>> round_order([1, 2, 3], 0) == round_order([1, 2, 3], 0)
    True
    """
    order = list(runs)
    random.Random(k).shuffle(order)
    return order


def measure(files: list[Path], repeat: int, impls: list[str], pause: float = 0.0) -> dict:
    """{(file, task, impl): (median s, max peak MB, fastest s, slowest s)}, runs
    interleaved, each round in its own order, ``pause`` seconds idle before every run."""
    runs = [
        (f, task, impl, argv_of(impl, f, *TASKS[task])) for f in files for task in TASKS
        for impl in impls
    ]  # fmt: skip
    times: dict[tuple, list[tuple[float, float]]] = {r[:3]: [] for r in runs}
    for k in range(repeat):
        for f, task, impl, argv in round_order(runs, k):
            time.sleep(pause)
            times[(f, task, impl)].append(timed(argv))
        print(f"round {k + 1}/{repeat} done", file=sys.stderr)
    return {
        key: (
            statistics.median(t for t, _ in v), max(m for _, m in v),
            min(t for t, _ in v), max(t for t, _ in v),
        )
        for key, v in times.items()
    }  # fmt: skip


def startup(repeat: int) -> tuple[float, float]:
    """Median seconds of ``cxkit --help`` and of ``python -c 'import typer'``."""
    help_t, typer_t = [], []
    for _ in range(repeat):
        help_t.append(timed([sys.executable, "-m", "cxkit", "--help"])[0])
        typer_t.append(timed([sys.executable, "-c", "import typer"])[0])
    return statistics.median(help_t), statistics.median(typer_t)


def arrow_mb(path: Path, columns: list[str]) -> float:
    """Arrow size (MB) of the columns the task uses, as pyarrow reads them."""
    variants_table = None
    if variants.is_parquet(str(path)):
        import pyarrow.parquet as pq

        variants_table = pq.read_table(path, columns=columns)
    else:
        import pyarrow.csv as pacsv

        variants_table = pacsv.read_csv(
            path, convert_options=pacsv.ConvertOptions(include_columns=columns)
        )
    return variants_table.nbytes / 1e6


def markdown(
    results: dict, files: list[Path], impls: list[str], repeat: int, pause: float = 0.0
) -> str:
    lines = []
    for f in files:
        size = f.stat().st_size / 1e6
        lines += [
            f"### {f.name} ({size:.0f} MB; Arrow size of the columns used: "
            f"{arrow_mb(f, variants.needed('segment', 'weight')):.0f} MB)",
            "",
            "| implementation | " + " | ".join(TASKS) + " |",
            "|---|" + "---|" * len(TASKS),
        ]
        for impl in impls:
            cells = []
            for task in TASKS:
                t, mem = results[(f, task, impl)][:2]
                fl = results[(f, task, "floor")][0]
                ratio = "1.00" if impl == "floor" else f"{t / fl:.2f}×"
                cells.append(f"{ratio} ({t:.2f} s, {mem:.0f} MB)")
            lines.append(f"| {impl} | " + " | ".join(cells) + " |")
        plain = results[(f, "plain", "cxkit")][0]
        extra = ", ".join(
            f"`{task}` {results[(f, task, 'cxkit')][0] / plain - 1:+.0%}"
            for task in TASKS
            if task != "plain"
        )
        spread = "; ".join(
            f"{impl} " + ", ".join(
                "{:.2f}–{:.2f}".format(*results[(f, task, impl)][2:]) for task in TASKS
            )
            for impl in impls
        )  # fmt: skip
        lines += [
            "",
            f"cxkit cost of the options over the plain run: {extra}.",
            "",
            f"Fastest–slowest run (s), by task: {spread}.",
            "",
        ]
    idle = f", each after {pause:g} s idle" if pause else ", back to back in shuffled order"
    lines.insert(0, f"Median of {repeat} whole-process runs{idle}; ratio to the floor of the "
                    "same task (seconds, peak RSS). Machine: "
                    f"{platform.machine()}, {os.cpu_count()} cores, Python "
                    f"{platform.python_version()}.\n")  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--big", action="store_true", help="also the 5M-row files")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, help="write the Markdown table here too")
    ap.add_argument(
        "--impl", action="append", help="time only these (repeatable; the floor always runs)"
    )
    ap.add_argument("--no-small", action="store_true", help="with --big: only the 5M files")
    ap.add_argument(
        "--pause", type=float, default=0.0, metavar="SECONDS",
        help="idle this long before every run (cold starts, as from cron)",
    )  # fmt: skip
    args = ap.parse_args(argv)
    if args.pause < 0:
        ap.error(f"--pause {args.pause:g}: give the seconds to idle, 0 or more")
    files = [] if args.big and args.no_small else list(make_data.ensure(args.rows))
    if args.big:
        files += list(make_data.ensure(5_000_000))
    wanted = set(args.impl or IMPLEMENTATIONS) | {"floor"}
    impls = [i for i in IMPLEMENTATIONS if available(i) and i in wanted]
    skipped = [i for i in IMPLEMENTATIONS if i in wanted and i not in impls]
    compiled()
    results = measure(files, args.repeat, impls, args.pause)
    help_t, typer_t = startup(args.repeat)
    text = markdown(results, files, impls, args.repeat, args.pause)
    text += (
        f"\n`cxkit --help`: {help_t:.3f} s = {help_t / typer_t:.2f}× "
        f"`python -c 'import typer'` ({typer_t:.3f} s).\n"
    )
    if skipped:
        text += f"\nSkipped (not installed): {', '.join(skipped)}.\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
