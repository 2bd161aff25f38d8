"""Axis ranges that move in steps: they always show the data, and stay put while they can."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui.panels._stable_range import MIN_FILL, RangeKeeper, nice_step, stable_range

finite = st.floats(-1e9, 1e9, allow_nan=False)


@given(st.floats(1e-12, 1e12))
def test_nice_step_is_round_and_just_above(x):
    s = nice_step(x)
    assert s >= x * (1 - 1e-9)
    assert s <= 2.5 * x * (1 + 1e-9)  # the next of 1, 2, 2.5, 5, 10 is at most 2.5× away
    mantissa = s / 10 ** math.floor(math.log10(s) + 1e-9)
    assert any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 2.5, 5, 10))


@given(finite, finite, st.none() | st.tuples(finite, finite).map(sorted).map(tuple))
def test_the_range_always_contains_the_data(a, b, current):
    lo, hi = min(a, b), max(a, b)
    r0, r1 = stable_range(lo, hi, current)
    assert r0 <= lo and hi <= r1 and r0 < r1


@given(finite, finite)
def test_a_fitted_range_is_kept_for_the_same_data(a, b):
    lo, hi = min(a, b), max(a, b)
    first = stable_range(lo, hi, None)
    assert stable_range(lo, hi, first) == first


def test_data_filling_less_than_half_shrink_it_and_growth_gets_headroom():
    assert stable_range(0.0, 0.4, (0.0, 1.0)) != (0.0, 1.0)  # fills 40 %: refitted
    assert stable_range(0.0, 0.6, (0.0, 1.0)) == (0.0, 1.0)  # fills 60 %: kept
    lo, hi = stable_range(0.0, 12.0, (0.0, 10.0))  # grew out at the top
    assert lo == 0.0 and hi >= 12.0 + 0.25 * 12.0
    assert MIN_FILL == 0.5


def test_non_negative_data_never_get_a_negative_axis():
    assert stable_range(0.0, 3.0, (0.0, 2.0))[0] == 0.0
    assert stable_range(0.001, 7.3, None)[0] == 0.0


def test_the_keeper_grows_at_once_but_shrinks_only_after_patience():
    k = RangeKeeper(patience=5)
    assert k.update(0.0, 10.0) == (0.0, 10.0)
    grown = k.update(0.0, 30.0)
    assert grown[1] >= 30.0
    for _ in range(4):  # small values for a few frames: the range waits
        assert k.update(0.0, 1.0) == grown
    shrunk = k.update(0.0, 1.0)
    assert shrunk[1] < grown[1] and shrunk[1] >= 1.0
    # a noisy series changes the range a handful of times, not on every update
    import random

    rnd, k, changes, last = random.Random(0), RangeKeeper(), 0, None
    for _ in range(1000):
        r = k.update(0.0, 10 ** rnd.uniform(-2.5, -1.0))
        changes += r != last
        last = r
    assert changes < 60


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_data_leave_the_range_alone(bad):
    assert stable_range(0.0, bad, (0.0, 5.0)) == (0.0, 5.0)
    assert stable_range(bad, 1.0, None) == (0.0, 1.0)
