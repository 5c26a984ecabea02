"""Time the exact all-subsets R² behind LMG against what a user would otherwise write.

    .venv/bin/python benchmarks/bench_drivers.py

For k predictors (2^k subsets) and n rows, side by side in one run:

- ``cxkit``: :func:`cxkit.importance.subset_r2`, grouped sweeps on the correlation matrix;
- ``solve``: a Python loop solving ``R_SS b = r_S`` for every subset (correlation matrix);
- ``lstsq``: a Python loop fitting every subset regression on the raw rows with
  ``numpy.linalg.lstsq`` (what a plain script does);
- ``drivers B=1000``: the whole analysis with 1000 bootstrap resamples (LMG each time).

Ratios are relative to ``cxkit``. Results differ by machine; the ratios are the point.
"""

from __future__ import annotations

import time
from itertools import combinations

import numpy as np

from cxkit.drivers import drivers
from cxkit.importance import subset_r2, weighted_corr
from cxkit.read import SourceInfo
from cxkit.study import Scale, Study
from cxkit.survey import Survey


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def by_solve(r: np.ndarray) -> None:
    k = r.shape[0] - 1
    for size in range(1, k + 1):
        for s in combinations(range(k), size):
            idx = list(s)
            b = np.linalg.solve(r[np.ix_(idx, idx)], r[idx, k])
            float(b @ r[idx, k])


def by_lstsq(x: np.ndarray, y: np.ndarray) -> None:
    k = x.shape[1]
    ones = np.ones((len(y), 1))
    for size in range(1, k + 1):
        for s in combinations(range(k), size):
            a = np.hstack([ones, x[:, list(s)]])
            np.linalg.lstsq(a, y, rcond=None)


def survey_of(x: np.ndarray, y: np.ndarray) -> Survey:
    import pandas as pd

    names = [f"d{j}" for j in range(x.shape[1])]
    frame = pd.DataFrame(x, columns=names)
    frame["y"] = y
    src = SourceInfo(path="bench", sha256="", rows=len(y), format="memory")
    return Survey(frame, names, Study(), Scale(-10, 10), None, None, [src])


def main() -> None:
    rng = np.random.default_rng(0)
    n = 500
    print(f"n = {n} rows; seconds (best of runs) and ratio to cxkit")
    print(
        f"{'k':>3} {'subsets':>8} {'cxkit':>9} {'solve':>9} {'ratio':>7} {'lstsq':>9} {'ratio':>7}"
        f" {'drivers B=1000':>15}"
    )
    for k in (6, 10, 12, 15):
        x = rng.normal(size=(n, k))
        x[:, 1:] += 0.5 * x[:, :1]
        y = x @ rng.uniform(0.1, 1.0, size=k) + rng.normal(size=n)
        r = weighted_corr(np.column_stack([x, y]), np.ones(n))
        ours = best_of(lambda r=r: subset_r2(r), 5)
        solve = best_of(lambda r=r: by_solve(r), 1 if k > 10 else 3)
        lst = best_of(lambda x=x, y=y: by_lstsq(x, y), 1)
        survey = survey_of(x, y)
        full = best_of(lambda s=survey: drivers(s, "y", bootstrap=1000, seed=1), 1)
        print(
            f"{k:>3} {1 << k:>8} {ours:>9.5f} {solve:>9.4f} {solve / ours:>6.0f}x "
            f"{lst:>9.4f} {lst / ours:>6.0f}x {full:>14.2f}s"
        )


if __name__ == "__main__":
    main()
