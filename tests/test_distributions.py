"""``cxkit.distributions`` against ``scipy.special``, the functions it replaces.

The references are ``scipy.special.ndtr``, ``stdtr`` and ``stdtrit``, except where scipy
is known to be inaccurate; there the reference is an exact closed form, and the test says
so. Against 60-digit mpmath (checked outside these tests), scipy's own relative error is
below 1e-13 on the grids and below 7e-13 at random points, and ours below 2.5e-13, so a
tolerance of 1e-12 holds for the comparison.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import special

from cxkit.distributions import ndtr, stdtr, stdtrit

from .conftest import ROOT

RTOL = 1e-12
TINY = np.finfo(float).tiny  # smallest normal double

DFS = [1, 1.5, 2, 2.7, 5, 10, 29.3, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8]
TS = sorted({s * t for t in (0.0, 1e-8, 0.1, 1.0, 1.96, 3.0, 10.0, 40.0, 1e3) for s in (1, -1)})
PS = [0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995, 1e-10, 0.025]


def _assert_close(got: np.ndarray, want: np.ndarray, rtol: float = RTOL) -> None:
    """Relative error at most ``rtol`` where ``want`` is a normal double; below, both tiny."""
    got, want = np.broadcast_arrays(np.asarray(got, float), np.asarray(want, float))
    normal = np.abs(want) >= TINY
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(normal, np.abs(got - want) / np.abs(want), 0.0)
    worst = int(np.argmax(rel))
    assert rel.max() <= rtol, f"{got.flat[worst]!r} vs {want.flat[worst]!r}: {rel.max():.3g}"
    assert np.all(np.abs(got[~normal] - want[~normal]) <= TINY)


def _assert_same_or_close(got: np.ndarray, want: np.ndarray) -> None:
    """``nan`` and infinities exactly where ``want`` has them; finite values close."""
    finite = np.isfinite(want)
    np.testing.assert_array_equal(got[~finite], want[~finite])
    _assert_close(got[finite], want[finite])


def _cauchy_cdf(t: np.ndarray) -> np.ndarray:
    """Exact Student t CDF for df = 1 (Cauchy), with the lower tail as atan2(1, |t|)/pi."""
    lower = np.arctan2(1.0, np.abs(t)) / np.pi
    return np.where(t < 0, lower, 1.0 - lower)


def _t2_cdf(t: np.ndarray) -> np.ndarray:
    """Exact Student t CDF for df = 2: lower tail 1 / (s (s + |t|)), s = sqrt(2 + t^2)."""
    s = np.hypot(math.sqrt(2.0), t)
    with np.errstate(over="ignore"):
        lower = 1.0 / (s * (s + np.abs(t)))
    return np.where(t < 0, lower, 1.0 - lower)


def _t_pdf(df: float, t: float) -> float:
    """Student t density (only to size an allowance: its own accuracy does not matter)."""
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))


def test_importing_it_loads_neither_scipy_nor_pandas():
    # reference: sys.modules of a fresh interpreter (the point of the module)
    code = (
        "import cxkit.distributions, sys; "
        "assert 'scipy' not in sys.modules and 'pandas' not in sys.modules, "
        "sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'pandas'))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


def test_ndtr_matches_scipy():
    # reference: scipy.special.ndtr, down to the smallest normal lower tail (x ~ -37.5)
    x = np.concatenate([np.linspace(-38.5, 9.0, 2001), [-1e-8, 1e-8, 0.0, 1.96, -1.96, 40.0]])
    _assert_close(ndtr(x), special.ndtr(x))


def test_stdtr_matches_scipy_on_the_grid():
    # reference: scipy.special.stdtr; df = 1, |t| = 1e-8 is in the closed-form test below
    df, t = np.meshgrid(DFS, TS)
    scipy_wrong = (df == 1) & (np.abs(t) == 1e-8)
    _assert_close(stdtr(df, t)[~scipy_wrong], special.stdtr(df, t)[~scipy_wrong])


def test_stdtr_closed_forms_for_df_1_and_2():
    # reference: the exact CDFs for df = 1 (Cauchy) and df = 2. Not scipy: its
    # scipy.special.stdtr(1, 1e-8) is wrong by 3e-9 relative (integer-df branch)
    t = np.array([*TS, -1e-12, 1e-5, -1e5, 1e150, -1e200])
    _assert_close(stdtr(1.0, t), _cauchy_cdf(t))
    _assert_close(stdtr(2.0, t), _t2_cdf(t))


@pytest.mark.parametrize("df", [3.0, 10.0, 30.0, 100.0, 1e3, 1e4, 1e5, 1e6, 1e8])
def test_deep_lower_tail_keeps_relative_precision(df):
    # reference: scipy.special.stdtr at the t where our quantile puts p = 1e-300 .. 1e-10
    p = np.array([1e-300, 1e-250, 1e-200, 1e-100, 1e-30, 1e-10])
    t = stdtrit(df, p)
    assert np.all(np.isfinite(t)) and np.all(t < 0)
    _assert_close(stdtr(df, t), special.stdtr(df, t))
    _assert_close(special.stdtr(df, t), p)  # so the quantile is right too


@settings(max_examples=500, deadline=None)
@given(
    st.floats(0.0, 8.0).map(lambda e: 10.0**e),
    st.floats(-50.0, 50.0, allow_subnormal=False),
)
def test_stdtr_property_against_scipy(df, t):
    # reference: scipy.special.stdtr; for df == 1 the exact Cauchy CDF (scipy is off for
    # small |t| there, see above)
    want = _cauchy_cdf(np.array(t)) if df == 1.0 else special.stdtr(df, t)
    _assert_close(stdtr(df, t), want)


def test_stdtrit_matches_scipy_on_the_grid():
    # reference: scipy.special.stdtrit
    df, p = np.meshgrid(DFS, PS)
    got, want = stdtrit(df, p), special.stdtrit(df, p)
    assert np.all(got[p == 0.5] == 0.0)
    _assert_close(got, want)


@pytest.mark.parametrize("delta", [1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.2])
def test_stdtrit_near_one_half_closed_forms(delta):
    # reference: the exact quantiles for df = 1, tan(pi (p - 1/2)), and df = 2,
    # (2p - 1) / sqrt(2 p (1 - p)). Not scipy: scipy.special.stdtrit(1, 0.5 + 1e-12) is
    # off by 8e-6 relative
    p = np.array([0.5 + delta, 0.5 - delta])
    _assert_close(stdtrit(1.0, p), np.tan(np.pi * (p - 0.5)))
    _assert_close(stdtrit(2.0, p), (2.0 * p - 1.0) / np.sqrt(2.0 * p * (1.0 - p)))


@settings(max_examples=300, deadline=None)
@given(
    st.floats(0.0, 8.0).map(lambda e: 10.0**e),
    st.floats(-12.0, math.log10(0.499)).map(lambda e: 10.0**e),
    st.booleans(),
)
def test_stdtrit_property_against_scipy(df, q, upper):
    # reference: scipy.special.stdtrit, away from p = 1/2 (where scipy loses digits for
    # df = 1) and from tiny p (where it returns inf for small df)
    p = 1.0 - q if upper else q
    _assert_close(stdtrit(df, p), special.stdtrit(df, p))


@settings(max_examples=500, deadline=None)
@given(
    st.floats(0.0, 8.0).map(lambda e: 10.0**e),
    st.floats(-50.0, 0.0, allow_subnormal=False, exclude_max=True),
)
def test_stdtrit_inverts_stdtr(df, t):
    # reference: the t we started from. The lower tail is used because p = stdtr(df, t)
    # keeps all its digits there; the allowance is the error that rounding p to a double
    # causes in any inverse, spacing(p) / pdf(t), which matters only near t = 0
    p = float(stdtr(df, t))
    assume(p >= TINY)
    back = float(stdtrit(df, p))
    assert abs(back - t) <= RTOL * abs(t) + 4.0 * np.spacing(p) / _t_pdf(df, t)


def test_special_values_like_scipy():
    # reference: scipy.special for nan, infinite and out-of-range inputs
    nan, inf = np.nan, np.inf
    df = np.array([nan, 5.0, 5.0, 5.0, -1.0, 0.0, inf, inf, inf, 1e300, 1e300])
    t = np.array([1.0, nan, inf, -inf, 1.0, 1.0, 1.5, -inf, nan, 1.0, -37.0])
    _assert_same_or_close(stdtr(df, t), special.stdtr(df, t))
    x = np.array([nan, inf, -inf, 0.0])
    np.testing.assert_array_equal(ndtr(x), special.ndtr(x))
    df = np.array([nan, 5.0, 5.0, 5.0, -1.0, 0.0, 5.0, 5.0, inf, inf, inf])
    p = np.array([0.9, nan, -0.1, 1.5, 0.9, 0.9, 0.5, 1.0, 0.975, 0.5, 1e-300])
    _assert_same_or_close(stdtrit(df, p), special.stdtrit(df, p))
    # p = 0: scipy.special.stdtrit gives +inf, which is wrong; the quantile is -inf
    assert stdtrit(5.0, 0.0) == -inf


def test_shapes_and_scalars_like_scipy():
    # reference: scipy.special's broadcasting and scalar results
    df = np.array([[2.0], [30.0], [1e6]])
    t = np.array([-2.0, 0.0, 3.0, 7.0])
    assert stdtr(df, t).shape == special.stdtr(df, t).shape == (3, 4)
    assert stdtrit(df, [0.9, 0.975]).shape == (3, 2)
    for value in (stdtr(3.0, 1.0), stdtrit(3.0, 0.9), ndtr(1.0)):
        assert isinstance(value, np.float64)
    assert ndtr([[0.0]]).shape == (1, 1)
    assert stdtr([], []).shape == stdtrit([], []).shape == (0,)


def test_fractional_df_below_one():
    # reference: scipy.special.stdtr and stdtrit; df < 1 is outside the Welch range but
    # allowed (df > 0)
    df = np.array([0.1, 0.3, 0.5, 0.9])[:, None]
    t = np.array([-1e6, -40.0, -3.0, -0.5, 0.0, 0.5, 3.0, 40.0])
    _assert_close(stdtr(df, t), special.stdtr(df, t))
    p = np.array([1e-6, 0.025, 0.3, 0.8, 0.975])
    _assert_close(stdtrit(df, p), special.stdtrit(df, p))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(1.0, 1e8), min_size=1, max_size=30),
    st.floats(-60.0, 60.0),
    st.floats(0.5, 0.9999),
)
def test_each_element_is_the_same_alone_or_in_a_batch(dfs, t, q):
    """gap evaluates every variable and cell in one call: an element's bits must not
    depend on what else is in the batch (else a row could differ with and without --by)."""
    df = np.array(dfs)
    ts = np.full(df.size, t)
    alone_t = [stdtr(np.array([d]), np.array([t]))[0] for d in dfs]
    alone_q = [stdtrit(np.array([d]), q)[0] for d in dfs]
    assert np.array_equal(stdtr(df, ts), alone_t)
    assert np.array_equal(stdtrit(df, q), alone_q)
