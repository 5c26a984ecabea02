"""Time the entity bootstrap of Spearman's rho: cxkit's count-weighted mid-ranks against
what a user would otherwise write (expand each resample, ``scipy.stats.spearmanr``).

    python benchmarks/roi_spearman_bootstrap.py [--boot 2000]

Prints one line per panel size with both times and their ratio; checks they agree.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats

from cxkit.roi_models import spearman_bootstrap


def naive(x, y, groups, n_boot, seed):
    uniq = np.unique(groups)
    members = [np.flatnonzero(groups == g) for g in uniq]
    draws = np.random.default_rng(seed).integers(0, uniq.size, size=(n_boot, uniq.size))
    out = np.empty(n_boot)
    for b, d in enumerate(draws):
        rows = np.concatenate([members[g] for g in d])
        out[b] = stats.spearmanr(x[rows], y[rows]).statistic
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--boot", type=int, default=2000)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'accounts x periods':>20} {'naive s':>9} {'cxkit s':>9} {'ratio':>7}")
    for accounts, periods in ((160, 1), (160, 4), (1000, 4), (2000, 8)):
        groups = np.repeat(np.arange(accounts), periods)
        x = np.round(rng.normal(0, 40, groups.size))
        y = 0.01 * x + rng.normal(0, 1, groups.size)
        t0 = time.perf_counter()
        ref = naive(x, y, groups, args.boot, 1)
        t1 = time.perf_counter()
        got, _ = spearman_bootstrap(x, y, groups, args.boot, 1, 0.95)
        t2 = time.perf_counter()
        assert np.allclose(got, ref, rtol=1e-9, atol=1e-12)
        label = f"{accounts} x {periods}"
        print(f"{label:>20} {t1 - t0:9.2f} {t2 - t1:9.2f} {(t1 - t0) / (t2 - t1):6.1f}x")


if __name__ == "__main__":
    main()
