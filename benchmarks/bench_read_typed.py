"""Time ``read_table(typed=True, columns=...)`` against pyarrow reading the needed columns.

    python benchmarks/bench_read_typed.py [--rows 1000000] [--repeat 5] [--imports]

The data are ``benchmarks/data/survey_<N>.{csv,parquet}`` from ``benchmarks/make_data.py``
(written on first use). The needed columns are those of ``cxkit gap --role-col role``: role
and the twenty items q01..q20. In one process, runs interleaved, median of ``--repeat``:

CSV
- ``floor``: ``pyarrow.csv.read_csv(include_columns=needed)``, types inferred;
- ``read_table``: every column as text (today's default);
- ``read_table(typed, columns)``: only the needed columns, items as int8.

Parquet
- ``floor``: ``pq.read_table(path, columns=needed)``;
- ``read_table``: every column;
- ``read_table(columns)``: only the needed columns (``ParquetFile.read``).

Each time is printed with its ratio to the floor of the same file. ``--imports`` also times
whole processes that read the Parquet columns with ``pq.read_table`` (which imports
``pyarrow.dataset``), with ``pq.ParquetFile`` and with ``read_table(columns=...)`` (which
also hashes the whole file for provenance), median of ``--repeat``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

NEEDED = ["role", *(f"q{i:02d}" for i in range(1, 21))]


def needed(names: list[str]) -> list[str]:
    return [n for n in names if n in NEEDED]


def median_of(runs, repeat: int) -> dict[str, float]:
    """Median time of each run (runs interleaved, as in ``bench_read.py``)."""
    from bench_read import interleaved

    return {name: statistics.median(t) for name, t in interleaved(runs, repeat).items()}


def report(title: str, best: dict[str, float], floor: str) -> None:
    print(title)
    for name, t in best.items():
        print(f"  {name:<32} {t:7.3f} s {t / best[floor]:6.2f}x floor")


def process_time(code: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--imports", action="store_true", help="also time the Parquet imports")
    args = ap.parse_args(argv)

    import make_data
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyarrow import csv as pacsv

    from cxkit.read import read_table

    csv_path, pq_path = make_data.ensure(args.rows)

    typed = read_table(csv_path, typed=True, columns=needed)
    assert typed.table.column_names == NEEDED, typed.table.column_names
    kinds = {str(t) for t in typed.table.schema.types[1:]}
    print(f"{csv_path.name}: {typed.source.rows:,} rows; typed read gives items as {kinds}")
    assert kinds == {"int8"}, "the typed read fell back to text"

    csv_runs = [
        ("floor (pyarrow, inferred)", lambda: pacsv.read_csv(
            csv_path, convert_options=pacsv.ConvertOptions(include_columns=NEEDED))),
        ("read_table", lambda: read_table(csv_path)),
        ("read_table(typed, columns)", lambda: read_table(csv_path, typed=True, columns=needed)),
    ]  # fmt: skip
    report(csv_path.name, median_of(csv_runs, args.repeat), "floor (pyarrow, inferred)")

    pq_runs = [
        ("floor (pq.read_table columns)", lambda: pq.read_table(pq_path, columns=NEEDED)),
        ("read_table", lambda: read_table(pq_path)),
        ("read_table(columns)", lambda: read_table(pq_path, columns=needed)),
    ]
    report(pq_path.name, median_of(pq_runs, args.repeat), "floor (pq.read_table columns)")
    del pa

    if args.imports:
        cols = repr(NEEDED)
        lean = f"import pyarrow.parquet as pq; pq.ParquetFile({str(pq_path)!r}).read({cols})"
        full = f"import pyarrow.parquet as pq; pq.read_table({str(pq_path)!r}, columns={cols})"
        ours = (
            "from cxkit.read import read_table; "
            f"read_table({str(pq_path)!r}, columns=lambda names: {cols})"
        )
        t_full = process_time(full, args.repeat)
        t_lean = process_time(lean, args.repeat)
        t_ours = process_time(ours, args.repeat)
        print("whole process (start-up and imports included), Parquet needed columns")
        print(f"  {'floor: pq.read_table columns':<32} {t_full:7.3f} s   1.00x floor")
        print(f"  {'pq.ParquetFile.read':<32} {t_lean:7.3f} s {t_lean / t_full:6.2f}x floor")
        print(f"  {'read_table(columns)':<32} {t_ours:7.3f} s {t_ours / t_full:6.2f}x floor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
