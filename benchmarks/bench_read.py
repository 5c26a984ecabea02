"""Time cxkit's reader against pyarrow alone on a 1M-row, 26-column survey CSV.

    python benchmarks/bench_read.py [--rows 1000000] [--repeat 3]

Writes ``benchmarks/data/survey_1m.csv`` (git-ignored) once, then times, best of
``--repeat`` runs each:

- ``pyarrow``: ``pyarrow.csv.read_csv`` with default options (types inferred) - the floor;
- ``pyarrow (text)``: the same, every column as text;
- ``pyarrow (text, nulls)``: every column as text and blanks as null, exactly what cxkit
  asks pyarrow for;
- ``cxkit read_table``: format detection, decoding check, header handling, the parse;
- ``cxkit read_survey``: the reader plus recoding every item (for information).

Prints each best time and its ratio to ``pyarrow`` and to ``pyarrow (text, nulls)``; the
target is read_table <= 1.5x pyarrow. Runs are interleaved, so a busy machine slows all alike.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ITEMS = [f"{p}_{k}" for p in ("sa", "sl", "ci", "ee", "mr") for k in range(1, 5)]
HEADER = ["respondent_id", "role", "region", "wave", "weight", *ITEMS, "nps"]


def make_csv(path: Path, rows: int, seed: int = 1) -> None:
    """A survey CSV like the bundled example, written in chunks (seeded)."""
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    roles = np.array(["executive", "employee", "customer"])
    regions = np.array(["AMER", "EMEA", "APAC", "LATAM"])
    waves = np.array(["2026Q1", "2026Q2", "2026Q3"])
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        chunk = 100_000
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            cols = [
                np.char.add("R", np.char.zfill(np.arange(start, start + n).astype(str), 7)),
                roles[rng.integers(0, 3, n)],
                regions[rng.integers(0, 4, n)],
                waves[rng.integers(0, 3, n)],
                np.round(rng.uniform(0.5, 2.0, n), 3).astype(str),
            ]
            for _ in ITEMS:
                answers = rng.integers(1, 6, n).astype(str)
                answers[rng.random(n) < 0.03] = ""
                cols.append(answers)
            cols.append(rng.integers(0, 11, n).astype(str))
            lines = cols[0]
            for c in cols[1:]:
                lines = np.char.add(np.char.add(lines, ","), c)
            fh.write("\n".join(lines.tolist()) + "\n")


def interleaved(runs, repeat: int) -> dict[str, list[float]]:
    """Seconds of every run of each, the runs interleaved so machine load hits them alike."""
    times: dict[str, list[float]] = {name: [] for name, _ in runs}
    for _ in range(repeat):
        for name, fn in runs:
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return times


def best_of(runs, repeat: int) -> dict[str, float]:
    """Best time of each run (see :func:`interleaved`)."""
    return {name: min(t) for name, t in interleaved(runs, repeat).items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-survey", action="store_true", help="skip the read_survey timing")
    args = ap.parse_args(argv)

    import pyarrow as pa
    from pyarrow import csv as pacsv

    from cxkit.read import read_table
    from cxkit.survey import SurveySpec, read_survey

    path = (
        HERE / "data" / ("survey_1m.csv" if args.rows == 1_000_000 else f"survey_{args.rows}.csv")
    )
    if not path.exists():
        print(f"writing {path.name} ({args.rows:,} rows) ...", file=sys.stderr)
        make_csv(path, args.rows)
    size = path.stat().st_size / 1e6

    def arrow_default():
        return pacsv.read_csv(path)

    def arrow_text():
        return pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(HEADER, pa.string())),
        )

    def arrow_same():
        return pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(HEADER, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )

    def cxkit_read():
        return read_table(path)

    def cxkit_survey():
        spec = SurveySpec(role_col="role", items=ITEMS)
        return read_survey(path, use_config=False, spec=spec)

    assert cxkit_read().table.num_rows == args.rows
    runs = [("pyarrow", arrow_default), ("pyarrow (text)", arrow_text)]
    runs.append(("pyarrow (text, nulls)", arrow_same))
    runs.append(("cxkit read_table", cxkit_read))
    if not args.no_survey:
        runs.append(("cxkit read_survey", cxkit_survey))
    print(f"{path.name}: {args.rows:,} rows x {len(HEADER)} columns, {size:.0f} MB")
    best = best_of(runs, args.repeat)
    floor, same = best["pyarrow"], best["pyarrow (text, nulls)"]
    for name, t in best.items():
        print(f"{name:<22} {t:7.3f} s {t / floor:6.2f}x pyarrow {t / same:6.2f}x (text, nulls)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
