"""core.diagnostics: EMA, the saturation rule, depth product, gradient verdict, unit re-binning
and the decision grid, by hand-computed cases and properties (no Qt needed)."""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import core
import core.activations as acts
from core import diagnostics as d


def _ema_reference(values, w):
    """TensorBoard's smoothing, written as its loop: debiased, non-finite values passed over."""
    out, last, n = [], 0.0, 0
    for v in values:
        if not np.isfinite(v):
            out.append(v)
            continue
        last = last * w + (1 - w) * v
        n += 1
        out.append(last / (1 - w ** n))
    return np.array(out)


# --- ema -------------------------------------------------------------------------------------
def test_ema_by_hand():
    # s1 = 0.5·1 → 0.5 / (1 − 0.5) = 1; s2 = 0.5·0.5 + 0.5·3 = 1.75 → 1.75 / 0.75 = 7/3
    np.testing.assert_allclose(d.ema(np.array([1.0, 3.0]), 0.5), [1.0, 7.0 / 3.0], rtol=1e-15)
    np.testing.assert_allclose(d.ema(np.full(5, 4.0), 0.9), np.full(5, 4.0), rtol=1e-12)


def test_ema_without_smoothing_is_a_copy():
    v = np.array([1.0, 2.0])
    out = d.ema(v, 0.0)
    np.testing.assert_array_equal(out, v)
    assert out is not v and out.dtype == np.float64
    assert d.ema(np.zeros(0), 0.6).shape == (0,)


@given(st.lists(st.floats(-1e3, 1e3), min_size=0, max_size=700), st.floats(0.0, 0.99))
def test_ema_is_tensorboards_formula(values, w):
    values = np.array(values, dtype=float)
    np.testing.assert_allclose(d.ema(values, w), _ema_reference(values, w), rtol=1e-9,
                               atol=1e-9)


@given(st.lists(st.floats(-1e307, 1e307), min_size=1, max_size=700), st.floats(0.0, 0.99))
def test_ema_of_huge_finite_values_is_finite(values, w):
    # a loss on its way to diverging: no overflow (and no RuntimeWarning) inside the average
    out = d.ema(np.array(values), w)
    assert np.isfinite(out).all()
    assert np.abs(out).max() <= np.abs(values).max() * (1 + 1e-9)


def test_ema_passes_over_non_finite_values():
    v = np.array([1.0, np.nan, 3.0, np.inf, 5.0])
    out = d.ema(v, 0.5)
    np.testing.assert_allclose(out, _ema_reference(v, 0.5))
    assert np.isnan(out[1]) and np.isinf(out[3])
    np.testing.assert_array_equal(d.ema(v, 0.0), v)


# --- saturation ------------------------------------------------------------------------------
def test_saturation_rule_by_hand():
    assert d.SATURATION_FRACTION == 0.01
    df_abs = np.array([0.0, 0.005, 0.01, 0.02, np.nan])
    np.testing.assert_array_equal(d.saturated(df_abs, 1.0), [True, True, False, False, False])
    np.testing.assert_array_equal(d.saturated(df_abs, 0.25), [True, False, False, False, False])
    # strict: with max |f′| = 0 (the step) nothing counts as saturated here
    assert not d.saturated(np.zeros(3), 0.0).any()
    assert d.saturated(np.zeros((4, 3)), 1.0).shape == (4, 3)


def test_saturated_intervals_by_hand():
    z = np.arange(-3.0, 4.0)
    df = np.array([0.0, -0.001, 1.0, 1.0, 0.0, 1.0, 0.0])
    assert d.saturated_intervals(z, df, 1.0) == [(-3.0, -2.0), (1.0, 1.0), (3.0, 3.0)]
    assert d.saturated_intervals(z, np.ones(7), 1.0) == []
    # a derivative that is zero everywhere: saturated everywhere
    assert d.saturated_intervals(z, np.zeros(7), 0.0) == [(-3.0, 3.0)]


def test_tanh_saturates_beyond_the_one_percent_edge():
    z = np.linspace(-5.0, 5.0, 801)
    edge = np.arctanh(np.sqrt(0.99))  # |f′| = 1% of max|f′| = 1 here (≈ 2.993)
    (a0, a1), (b0, b1) = d.saturated_intervals(z, 1 - np.tanh(z) ** 2, 1.0)
    step = z[1] - z[0]
    assert a0 == -5.0 and b1 == 5.0
    assert -edge - step <= a1 < -edge and edge < b0 <= edge + step


@given(st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=60), st.floats(0.01, 2.0))
def test_saturated_intervals_cover_exactly_the_saturated_points(df, max_df):
    df = np.array(df)
    z = np.arange(len(df), dtype=np.float64)
    sat = d.saturated(np.abs(df), max_df)
    covered = np.zeros(len(z), dtype=bool)
    runs = d.saturated_intervals(z, df, max_df)
    for lo, hi in runs:
        assert lo <= hi
        covered |= (z >= lo) & (z <= hi)
    np.testing.assert_array_equal(covered, sat)
    # runs are separate: a non-saturated point between neighbours
    for (_, hi), (lo, _) in zip(runs, runs[1:]):
        assert lo - hi >= 2


def test_max_abs_df_of_known_functions():
    assert d.max_abs_df(acts.get("sigmoid")) == 0.25
    assert d.max_abs_df(acts.get("tanh")) == 1.0
    assert d.max_abs_df(acts.get("relu")) == 1.0
    assert d.max_abs_df(acts.get("step")) == 0.0
    # cached per parameters, not per name
    assert d.max_abs_df(acts.get("elu", alpha=2.0)) == 2.0
    assert d.max_abs_df(acts.get("elu")) == 1.0


# --- depth product -----------------------------------------------------------------------------
def test_depth_product_by_hand():
    np.testing.assert_array_equal(d.DEPTHS, np.arange(1, 51))
    assert d.VANISHED == 1e-18
    np.testing.assert_allclose(d.depth_product(acts.get("sigmoid")), 0.25 ** d.DEPTHS,
                               rtol=1e-12)
    np.testing.assert_array_equal(d.depth_product(acts.get("relu")), np.ones(50))
    np.testing.assert_array_equal(d.depth_product(acts.get("step")), np.zeros(50))
    np.testing.assert_array_equal(d.depth_product(acts.get("sigmoid"), [0, 1, 2]),
                                  [1.0, 0.25, 0.0625])
    assert d.depth_product(acts.get("tanh")).dtype == np.float64


def test_vanished_at():
    prod = d.depth_product(acts.get("sigmoid"))
    k = d.vanished_at(prod)
    assert k == 29 and d.DEPTHS[k] == 30  # 0.25^29 > 1e-18 > 0.25^30
    assert d.vanished_at(d.depth_product(acts.get("relu"))) is None
    assert d.vanished_at(np.zeros(5)) is None  # 0 is not drawn, so it does not "vanish"
    assert d.vanished_at(np.array([np.inf, np.nan, 2e-18, 1e-19])) == 3
    assert d.vanished_at(np.zeros(0)) is None


@given(st.floats(0.0, 2.0))
def test_vanished_at_is_the_first_depth_below_the_level(m):
    prod = m ** d.DEPTHS.astype(np.float64)
    k = d.vanished_at(prod)
    ok = (prod > 0) & (prod < d.VANISHED)
    if k is None:
        assert not ok.any()
    else:
        assert ok[k] and not ok[:k].any()


def test_from_output_fn():
    a = np.linspace(0.0, 1.0, 11)
    np.testing.assert_allclose(d.from_output_fn(acts.get("sigmoid"))(a), a * (1 - a))
    a = np.linspace(-1.0, 1.0, 11)
    np.testing.assert_allclose(d.from_output_fn(acts.get("tanh"))(a), 1 - a ** 2)
    assert d.from_output_fn(acts.get("gelu")) is None
    assert d.from_output_fn(acts.get("swish")) is None


# --- gradient verdict --------------------------------------------------------------------------
@pytest.mark.parametrize("norms, kind", [
    ([1.0, 3412.0], "vanishing"),
    ([1.0, 12.0], "smaller"),
    ([2.0, 2.2], "similar"),
    ([50.0, 1.0], "larger"),
    ([4.2e5, 1.0], "exploding"),
    ([0.0, 1.0], "first zero"),
    ([1.0, 0.0], "last zero"),
    ([0.0, 0.0], "all zero"),
    ([0.0, 0.0, 0.0], "all zero"),
    ([0.0, 2.0, 0.0], "last zero"),
    ([math.nan, 1.0], "not finite"),
    ([1.0, math.inf], "not finite"),
    ([3.0], "one layer"),
    ([], "one layer"),
    ([1.0, 1e9, 1.0], "similar"),  # only the first and the last layer are compared
])
def test_gradient_verdict_kinds(norms, kind):
    assert d.gradient_verdict(norms).kind == kind


def test_gradient_verdict_thresholds_by_hand():
    assert d.SIMILAR_RATIO == (0.67, 1.5)
    assert (d.VANISHING_RATIO, d.EXPLODING_RATIO) == (1e-2, 1e2)
    assert d.HEALTHY_UPDATE_RATIO == 1e-3
    for first, kind in ((0.67, "similar"), (1.5, "similar"), (0.669, "smaller"),
                        (1.51, "larger"), (1e-2, "smaller"), (0.0099, "vanishing"),
                        (1e2, "larger"), (100.01, "exploding")):
        assert d.gradient_verdict([first, 1.0]).kind == kind, first


def test_gradient_verdict_fields():
    v = d.gradient_verdict(np.array([1.0, 0.5, 4.0]))
    assert (v.kind, v.ratio, v.first, v.last) == ("smaller", 0.25, 1.0, 4.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.kind = "healthy"  # type: ignore[misc]
    for norms in ([0.0, 1.0], [1.0, 0.0], [np.nan, 1.0], [2.0]):
        assert math.isnan(d.gradient_verdict(norms).ratio)
    # before the first backward pass the numbers mean nothing, whatever they are
    untrained = d.gradient_verdict([np.nan, np.nan], trained=False)
    assert untrained.kind == "no gradient yet" and math.isnan(untrained.ratio)
    assert d.gradient_verdict([5.0], trained=False).kind == "no gradient yet"


def test_gradient_verdict_of_an_overflowing_ratio_is_exploding():
    v = d.gradient_verdict([1e300, 1e-10])  # no RuntimeWarning (an error in these tests)
    assert v.kind == "exploding" and v.ratio == math.inf


_NORM = st.floats(1e-30, 1e30)


@given(_NORM, st.lists(_NORM, max_size=3), _NORM)
def test_gradient_verdict_follows_the_ratio(first, middle, last):
    v = d.gradient_verdict([first, *middle, last])
    r = first / last
    assert v.ratio == r and (v.first, v.last) == (first, last)
    lo, hi = d.SIMILAR_RATIO
    if lo <= r <= hi:
        assert v.kind == "similar"
    elif r < d.VANISHING_RATIO:
        assert v.kind == "vanishing"
    elif r < 1:
        assert v.kind == "smaller"
    elif r > d.EXPLODING_RATIO:
        assert v.kind == "exploding"
    else:
        assert v.kind == "larger"


# --- per-unit histograms -----------------------------------------------------------------------
def test_unit_histogram_by_hand():
    sample = np.array([[0.1, 5.0], [0.9, np.nan], [-3.0, 0.5], [0.5, np.inf]])
    edges = np.array([0.0, 0.5, 1.0])
    # unit 0: 0.1 and −3 (→ 0) in the first bin, 0.9 and 0.5 in the last
    np.testing.assert_array_equal(d.unit_histogram(sample, 0, edges), [2.0, 2.0])
    # unit 1: 5 (→ 1) and 0.5 in the last bin; NaN and inf are left out
    out = d.unit_histogram(sample, 1, edges)
    np.testing.assert_array_equal(out, [0.0, 2.0])
    assert out.dtype == np.float64


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=1,
                max_size=80), st.integers(1, 12), st.floats(-5.0, 0.0), st.floats(0.1, 5.0))
def test_unit_histogram_counts_every_finite_value_once(values, bins, lo, width):
    sample = np.array(values, dtype=np.float64)[:, None]
    edges = np.linspace(lo, lo + width, bins + 1)
    counts = d.unit_histogram(sample, 0, edges)
    assert counts.shape == (bins,)
    assert counts.sum() == np.isfinite(sample).sum()


def test_unit_histograms_of_a_layer_add_up_to_its_histogram_total():
    ds = core.datasets.load("circles", n=200, seed=0, standardize=True)
    net = core.Network.build(2, [(5, "tanh")], (1, "sigmoid"), seed=0)
    t = core.Trainer(net, ds, lr=0.03, batch_size=10)
    t.run(steps=20)
    layer = t.snapshot(grid=None).layers[0]
    total = sum(d.unit_histogram(layer.a_sample, u, layer.a_hist.edges)
                for u in range(layer.units))
    assert total.sum() == layer.a_hist.counts.sum() == layer.a_sample.size


# --- decision grid -----------------------------------------------------------------------------
def test_decision_grid():
    assert d.DECISION_GRID == 60
    assert d.decision_grid(SimpleNamespace(raw_train=np.zeros((5, 2)))) == 60
    assert d.decision_grid(SimpleNamespace(raw_train=np.zeros((5, 1)))) == 0
    assert d.decision_grid(SimpleNamespace(raw_train=np.zeros((5, 4)))) == 0
    assert d.decision_grid(SimpleNamespace(raw_train=None)) == 0
    assert d.decision_grid(core.datasets.load("circles", n=100, seed=0)) == 60
    assert d.decision_grid(core.datasets.load("sine", seed=0)) == 0
    assert d.decision_grid(core.datasets.load("iris", seed=0)) == 0
