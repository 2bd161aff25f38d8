"""The comparison's statistics: hand-computed cases, then properties (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.compare.stats import (
    BOOTSTRAP_B,
    auc,
    bootstrap_interval,
    column_quantiles,
    paired_probability,
    paired_scores,
    quantile,
    spread,
)

INF = math.inf


# --- by hand -----------------------------------------------------------------------------------
def test_quantiles_are_type_7_linear_interpolation():
    x = [4.0, 1.0, 3.0, 2.0]  # sorted 1 2 3 4; h = 3q
    assert quantile(x, 0.5) == 2.5
    assert quantile(x, 0.25) == 1.75  # h = 0.75: 1 + 0.75·(2 − 1)
    assert quantile(x, 0.75) == 3.25  # h = 2.25
    assert quantile(x, 0.0) == 1.0 and quantile(x, 1.0) == 4.0
    assert quantile([7.0], 0.3) == 7.0
    assert math.isnan(quantile([], 0.5))


def test_never_reached_is_infinite_and_the_median_says_so():
    # odd count: the middle run reached it
    assert quantile([10, 20, INF], 0.5) == 20
    # even count with the upper middle run never reaching: "> N"
    assert quantile([10, 20, INF, INF], 0.5) == INF
    assert quantile([10, 20, 30, INF], 0.5) == 25
    assert quantile([10, 20, INF, INF], 0.25) == 17.5  # h = 0.75 between 10 and 20
    assert quantile([10, 20, INF, INF], 0.75) == INF
    assert quantile([INF, INF], 0.5) == INF


def test_quantile_refuses_nan_and_bad_q():
    with pytest.raises(ValueError):
        quantile([1.0, math.nan], 0.5)
    with pytest.raises(ValueError):
        quantile([1.0], 1.5)


def test_spread_leaves_missing_values_out():
    s = spread([3.0, math.nan, 1.0, 2.0])
    assert (s.median, s.q1, s.q3, s.lo, s.hi, s.n) == (2.0, 1.5, 2.5, 1.0, 3.0, 3)
    assert s.iqr == 1.0
    empty = spread([math.nan])
    assert empty.n == 0 and math.isnan(empty.median)


def test_paired_scores_count_ties_half():
    a = [1, 2, 3, INF, INF, math.nan]
    b = [2, 2, 1, INF, 5, 1]
    assert paired_scores(a, b).tolist() == [1.0, 0.5, 0.0, 0.5, 0.0]  # NaN pair left out
    assert paired_probability(a, b) == pytest.approx(2 / 5)
    assert paired_probability(b, a) == pytest.approx(3 / 5)
    assert math.isnan(paired_probability([math.nan], [1.0]))
    with pytest.raises(ValueError):
        paired_scores([1, 2], [1])


def test_bootstrap_of_constant_scores_is_a_point_and_is_seeded():
    assert bootstrap_interval([1.0, 1.0, 1.0]) == (1.0, 1.0)
    assert bootstrap_interval([0.5]) == (0.5, 0.5)
    s = [1, 0, 1, 1, 0.5, 1, 0, 1]
    assert bootstrap_interval(s) == bootstrap_interval(s)
    assert bootstrap_interval(s, b=20, seed=1) != bootstrap_interval(s, b=20, seed=2)
    assert all(math.isnan(v) for v in bootstrap_interval([]))


def test_bootstrap_of_two_scores_by_hand():
    # resampled means of (0, 1) are 0, ½, 1 with chances ¼, ½, ¼: the 2.5 % and 97.5 %
    # quantiles of 2000 draws are 0 and 1
    assert bootstrap_interval([0.0, 1.0]) == (0.0, 1.0)
    assert BOOTSTRAP_B == 2000


def test_auc_is_the_trapezoid():
    assert auc([1.0, 2.0, 3.0]) == 4.0  # ½·1 + 2 + ½·3
    assert auc([2.0, 2.0]) == 2.0
    assert math.isnan(auc([1.0]))
    assert math.isnan(auc([1.0, math.nan, 2.0]))


def test_column_quantiles_skip_missing_entries():
    m = np.array([[1.0, 1.0, np.nan],
                  [2.0, np.nan, np.nan],
                  [4.0, 3.0, np.nan]])
    med = column_quantiles(m, 0.5)
    assert med[0] == 2.0 and med[1] == 2.0 and math.isnan(med[2])
    assert column_quantiles(m, 0.25)[0] == 1.5


# --- properties --------------------------------------------------------------------------------
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
samples = st.lists(finite, min_size=1, max_size=25)
outcomes = st.lists(st.one_of(st.integers(0, 50).map(float), st.just(INF)), min_size=1,
                    max_size=20)


@given(samples, st.floats(0, 1))
def test_quantile_agrees_with_numpys_default(x, q):
    assert quantile(x, q) == pytest.approx(float(np.quantile(x, q)), rel=1e-9, abs=1e-6)


@given(samples, finite, st.floats(0.01, 100))
def test_median_and_iqr_follow_shifts_and_scales(x, c, k):
    s = spread(x)
    shifted = spread([v + c for v in x])
    scaled = spread([v * k for v in x])
    tol = 1e-6 * (1 + max(abs(v) for v in x) + abs(c))
    assert shifted.median == pytest.approx(s.median + c, abs=tol)
    assert shifted.iqr == pytest.approx(s.iqr, abs=2 * tol)
    assert scaled.median == pytest.approx(s.median * k, rel=1e-9, abs=tol * k)
    assert scaled.iqr == pytest.approx(s.iqr * k, rel=1e-9, abs=2 * tol * k)


@given(samples, st.randoms(use_true_random=False))
def test_spread_ignores_order(x, rnd):
    y = list(x)
    rnd.shuffle(y)
    assert spread(x) == spread(y)


@given(samples)
def test_quartiles_are_ordered_inside_the_range(x):
    s = spread(x)
    assert s.lo <= s.q1 <= s.median <= s.q3 <= s.hi


@given(outcomes, st.floats(0, 1), st.floats(0, 1))
def test_quantile_is_monotone_with_infinities(x, q1, q2):
    lo, hi = sorted((q1, q2))
    assert quantile(x, lo) <= quantile(x, hi)


@given(st.data())
def test_paired_probability_is_symmetric(data):
    n = data.draw(st.integers(1, 20))
    pair = st.lists(st.one_of(st.integers(0, 5).map(float), st.just(INF)), min_size=n,
                    max_size=n)
    a, b = data.draw(pair), data.draw(pair)
    assert paired_probability(a, b) + paired_probability(b, a) == pytest.approx(1.0)
    assert paired_probability(a, a) == 0.5


@given(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=1, max_size=20))
def test_bootstrap_interval_contains_the_point_estimate(scores):
    lo, hi = bootstrap_interval(scores)
    p = float(np.mean(scores))
    assert 0.0 <= lo <= p <= hi <= 1.0


@given(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=2, max_size=20))
def test_bootstrap_interval_mirrors_when_the_sides_swap(scores):
    assume(len(set(scores)) > 1)
    lo, hi = bootstrap_interval(scores)
    lo2, hi2 = bootstrap_interval([1.0 - s for s in scores])
    # the same resamples, mirrored: the interval of 1 − s is 1 − the interval of s
    assert lo2 == pytest.approx(1.0 - hi) and hi2 == pytest.approx(1.0 - lo)


@given(st.lists(st.lists(st.one_of(finite, st.just(math.nan)), min_size=3, max_size=3),
                min_size=1, max_size=8), st.floats(0, 1))
def test_column_quantiles_equal_quantile_per_column(rows, q):
    m = np.array(rows)
    got = column_quantiles(m, q)
    for j in range(m.shape[1]):
        col = m[:, j][~np.isnan(m[:, j])]
        want = quantile(col, q)
        if math.isnan(want):
            assert math.isnan(got[j])
        else:
            assert got[j] == pytest.approx(want, rel=1e-9, abs=1e-6)
