"""Peak memory of ``cxkit gap --stream`` over a folder of Parquet drops (20M rows by default).

    python benchmarks/stream.py [--drops 20] [--rows 1000000] [--delete]

Writes ``benchmarks/data/drops_<D>x<R>/`` (git-ignored; ``--delete`` removes it afterwards),
then runs, each as a whole process: ``cxkit gap FOLDER --stream --role-col role -f json``
(plain and ``--by segment --weight weight``), and DuckDB and polars on the same folder when
installed. Prints wall time and peak RSS, and the Arrow size of the columns used (what an
in-memory read would have to hold at least).
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_data  # noqa: E402
import variants  # noqa: E402
from run import timed  # noqa: E402


def arrow_mb(folder: Path, columns: list[str]) -> float:
    import pyarrow.parquet as pq

    files = sorted(folder.glob("*.parquet"))
    one = pq.read_table(files[0], columns=columns).nbytes
    return one * len(files) / 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--drops", type=int, default=20)
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows per drop")
    ap.add_argument("--delete", action="store_true", help="remove the folder afterwards")
    args = ap.parse_args(argv)
    folder = make_data.DATA / f"drops_{args.drops}x{make_data.name_of(args.rows)[7:]}"
    make_data.write_drops(folder, args.drops, args.rows)
    total = args.drops * args.rows
    size = sum(f.stat().st_size for f in folder.glob("*.parquet")) / 1e6
    runs = [
        ("cxkit gap --stream", None, None),
        ("cxkit gap --stream --by segment --weight weight", "segment", "weight"),
    ]
    lines = [
        f"{total:,} rows in {args.drops} Parquet drops ({size:.0f} MB on disk; Arrow size of "
        f"the columns used: {arrow_mb(folder, variants.needed('segment', 'weight')):.0f} MB)",
        "",
        "| run | seconds | peak RSS |",
        "|---|---|---|",
    ]
    for name, by, weight in runs:
        argv_ = [sys.executable, "-m", "cxkit", *variants.cxkit_argv(str(folder), by, weight)]
        wall, mem = timed([*argv_, "--stream"])
        lines.append(f"| `{name}` | {wall:.1f} | {mem:.0f} MB |")
    for impl in ("duckdb", "polars"):
        if importlib.util.find_spec(impl) is not None:
            argv_ = [sys.executable, str(HERE / "variants.py"), impl, str(folder)]
            wall, mem = timed(argv_)
            lines.append(f"| {impl} (plain task) | {wall:.1f} | {mem:.0f} MB |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.delete:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
