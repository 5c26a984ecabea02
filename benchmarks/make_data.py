"""Write the benchmark survey: 26 columns, seeded, as CSV and Parquet under ``benchmarks/data/``.

    python benchmarks/make_data.py                 # 1M rows: survey_1m.csv, survey_1m.parquet
    python benchmarks/make_data.py --rows 5000000  # also 5M rows (about 455 MB of CSV)
    python benchmarks/make_data.py --drops 20 --rows 1000000  # a folder of 20 Parquet drops

Columns: ``respondent_id``, ``role`` (executive / employee / customer), ``segment`` (four),
``wave`` (three), ``weight`` (0.5-2.0), twenty Likert items ``q01`` … ``q20`` (1-5, about 3%
blank) and ``nps`` (0-10). Self-raters answer about half a point higher than customers, so
the gap is real. ``benchmarks/data/`` is git-ignored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ITEMS = [f"q{k:02d}" for k in range(1, 21)]
ROLES = ["executive", "employee", "customer"]
SEGMENTS = ["Enterprise", "Mid-market", "SMB", "Public"]
WAVES = ["2026Q1", "2026Q2", "2026Q3"]
CHUNK = 500_000


def chunk_table(start: int, n: int, seed: int) -> pa.Table:
    """Rows ``start`` … ``start + n - 1`` of the survey (same rows whatever the chunking)."""
    rng = np.random.default_rng([seed, start])
    role = rng.choice(3, n, p=[0.15, 0.25, 0.60])
    shift = np.where(role < 2, 0.6, 0.0)
    cols: dict[str, pa.Array] = {
        "respondent_id": pa.array(np.char.add("R", np.arange(start, start + n).astype(str))),
        "role": pa.DictionaryArray.from_arrays(role.astype(np.int8), ROLES).cast(pa.string()),
        "segment": pa.DictionaryArray.from_arrays(
            rng.integers(0, 4, n).astype(np.int8), SEGMENTS
        ).cast(pa.string()),
        "wave": pa.DictionaryArray.from_arrays(rng.integers(0, 3, n).astype(np.int8), WAVES).cast(
            pa.string()
        ),
        "weight": pa.array(np.round(rng.uniform(0.5, 2.0, n), 3)),
    }
    for j, name in enumerate(ITEMS):
        latent = rng.normal(3.0 + 0.05 * (j % 5) + shift, 1.1, n)
        answers = np.clip(np.rint(latent), 1, 5).astype(np.int8)
        cols[name] = pa.array(answers, mask=rng.random(n) < 0.03)
    cols["nps"] = pa.array(rng.integers(0, 11, n).astype(np.int8))
    return pa.table(cols)


def write(rows: int, csv_path: Path | None, parquet_path: Path | None, seed: int = 1) -> None:
    """Write ``rows`` rows to a CSV and/or a Parquet file, chunk by chunk."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    csv_writer = pq_writer = None
    try:
        for start in range(0, rows, CHUNK):
            t = chunk_table(start, min(CHUNK, rows - start), seed)
            if csv_path is not None:
                if csv_writer is None:
                    csv_path.parent.mkdir(parents=True, exist_ok=True)
                    csv_writer = pacsv.CSVWriter(
                        csv_path, t.schema, write_options=pacsv.WriteOptions(quoting_style="none")
                    )
                csv_writer.write_table(t)
            if parquet_path is not None:
                if pq_writer is None:
                    parquet_path.parent.mkdir(parents=True, exist_ok=True)
                    pq_writer = pq.ParquetWriter(parquet_path, t.schema)
                pq_writer.write_table(t)
    finally:
        for w in (csv_writer, pq_writer):
            if w is not None:
                w.close()


def write_drops(folder: Path, drops: int, rows: int, seed: int = 1) -> None:
    """A folder of ``drops`` Parquet files of ``rows`` rows each (continuing row numbers)."""
    folder.mkdir(parents=True, exist_ok=True)
    import pyarrow.parquet as pq

    for d in range(drops):
        path = folder / f"drop-{d:03d}.parquet"
        if path.exists():
            continue
        with pq.ParquetWriter(path, chunk_table(0, 1, seed).schema) as w:
            for start in range(d * rows, (d + 1) * rows, CHUNK):
                w.write_table(chunk_table(start, min(CHUNK, (d + 1) * rows - start), seed))


def name_of(rows: int) -> str:
    return f"survey_{rows // 1_000_000}m" if rows % 1_000_000 == 0 else f"survey_{rows}"


def ensure(rows: int) -> tuple[Path, Path]:
    """The CSV and Parquet files of ``rows`` rows, written if missing."""
    csv_path = DATA / f"{name_of(rows)}.csv"
    pq_path = DATA / f"{name_of(rows)}.parquet"
    if not csv_path.exists() or not pq_path.exists():
        print(f"writing {csv_path.name} and {pq_path.name} ...", file=sys.stderr)
        write(rows, csv_path, pq_path)
    return csv_path, pq_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--drops", type=int, default=0, help="write a folder of this many drops")
    args = ap.parse_args(argv)
    if args.drops:
        folder = DATA / f"drops_{args.drops}x{name_of(args.rows)[7:]}"
        write_drops(folder, args.drops, args.rows)
        print(folder)
    else:
        for p in ensure(args.rows):
            print(f"{p} ({p.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
