"""Time `cxkit obstacles` on 10,000 respondents x 2,000 bootstrap resamples.

    python benchmarks/bench_obstacles.py [--respondents 10000] [--bootstrap 2000] [--naive 3]

Writes a synthetic top-5-of-10 ranking file (seeded) to a temporary folder, then times side by
side, in one run:

- floor: pyarrow reading the answer columns;
- cxkit: the whole analysis (parse, shares, choix point estimate, bootstrap of Plackett-Luce
  worths and ranks), and the bootstrap alone;
- naive: what a user would otherwise write: resample respondents with replacement and refit
  with ``choix.ilsr_top1`` each time; a few replicates are timed and scaled to the full count.

The cxkit bootstrap draws multinomial counts of the distinct answer patterns and refits all
replicates of a chunk at once from sufficient statistics (wins per obstacle, choices per
distinct choice set), so its cost grows with the number of distinct patterns and choice sets,
not with the number of respondents.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

# as `cxkit obstacles` does: one BLAS thread for the many tiny matrices of the bootstrap
# (not OMP_NUM_THREADS, which would also leave pyarrow one thread)
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

OBSTACLES = [f"Obstacle {chr(65 + i)}" for i in range(10)]


def write_data(path: Path, n: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    worth = np.exp(np.linspace(1.2, -1.2, len(OBSTACLES)))
    # Gumbel trick: sorting log-worth + Gumbel noise draws a Plackett-Luce ranking
    keys = np.log(worth) + rng.gumbel(size=(n, len(OBSTACLES)))
    order = np.argsort(-keys, axis=1)[:, :5]
    with path.open("w", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["id", *[f"obstacle_{j}" for j in range(1, 6)]])
        for i, row in enumerate(order):
            out.writerow([i + 1, *[OBSTACLES[k] for k in row]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--respondents", type=int, default=10_000)
    ap.add_argument("--bootstrap", type=int, default=2_000)
    ap.add_argument("--naive", type=int, default=3, help="naive replicates to time")
    args = ap.parse_args()

    import choix
    import pyarrow.csv as pacsv

    from cxkit import plackett_luce as pl
    from cxkit.obstacles import obstacles
    from cxkit.read import read_table

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ranks.csv"
        write_data(path, args.respondents)

        t0 = time.perf_counter()
        pacsv.read_csv(path)
        floor = time.perf_counter() - t0

        t0 = time.perf_counter()
        raw = read_table(path)
        result = obstacles(raw, bootstrap=args.bootstrap, seed=1)
        total = time.perf_counter() - t0
        t0 = time.perf_counter()
        obstacles(raw, bootstrap=0, seed=1)
        no_boot = time.perf_counter() - t0
        boot = total - no_boot

        # naive: resample respondents, refit with choix each time
        rankings = [
            tuple(OBSTACLES.index(v) for v in r)
            for r in zip(
                *[raw.table.column(f"obstacle_{j}").to_pylist() for j in range(1, 6)], strict=True
            )
        ]
        rng = np.random.default_rng(1)
        m = len(OBSTACLES)
        t0 = time.perf_counter()
        for _ in range(args.naive):
            idx = rng.integers(0, len(rankings), size=len(rankings))
            sample = [rankings[i] for i in idx]
            choix.ilsr_top1(m, pl.top1_data(sample, [1] * len(sample), m))
        per_naive = (time.perf_counter() - t0) / args.naive
        naive = per_naive * args.bootstrap

    patterns = len(set(rankings))
    print(
        f"respondents {args.respondents:,}, resamples {args.bootstrap:,}, "
        f"distinct answer patterns {patterns:,}"
    )
    print(f"floor   pyarrow read_csv                 {floor:8.3f} s")
    print(f"cxkit   whole analysis                   {total:8.3f} s")
    print(f"cxkit   of which bootstrap               {boot:8.3f} s")
    print(
        f"naive   resample rows + choix refit      {naive:8.2f} s  "
        f"(estimated from {args.naive} replicates at {per_naive:.2f} s)"
    )
    print(f"ratio   naive / cxkit bootstrap          {naive / boot:8.0f}x")
    print(f"ratio   cxkit whole / floor              {total / floor:8.0f}x")
    print(result.headline)


if __name__ == "__main__":
    main()
