"""The maths of every registered activation: f′ and f″ against central differences, every
claim of its Info checked numerically, PyTorch's conventions and known values.

The API side (dtype, extremes, softmax, PReLU/RReLU, registry, properties) is in
test_activations_api.py.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from core.activations import get, names, numerical_derivative
from core.activations.smooth import SELU_ALPHA, SELU_LAMBDA

#: non-default parameter sets; each activation with parameters has at least one
CUSTOM: dict[str, list[dict[str, float]]] = {
    "window": [{"a": 0.5, "b": 1.5}],
    "hardtanh": [{"min_val": -2.0, "max_val": 0.5}],
    "leaky_relu": [{"alpha": 0.2}, {"alpha": 1.0}],  # α = 1 is the identity: no corner
    "prelu": [{"alpha": 0.6}],
    "rrelu": [{"lower": 0.05, "upper": 0.45}],
    "threshold": [{"threshold": 1.0, "value": 2.0}, {"threshold": -0.5, "value": -0.5}],
    "elu": [{"alpha": 1.7}],  # α ≠ 1: a corner at 0 (α = 1, the default, is C1)
    "celu": [{"alpha": 0.4}],
    "softplus": [{"beta": 5.0, "threshold": 20.0}],  # the switch to z lands at z = 4
    "squareplus": [{"b": 0.5}],
    "silu": [{"beta": 2.5}],
    "softshrink": [{"lambd": 1.2}],
    "hardshrink": [{"lambd": 0.3}],
}

CASES = [
    pytest.param(name, params, id=f"{name}-{i}" if i else f"{name}-default")
    for name in names()
    for i, params in enumerate([{}, *CUSTOM.get(name, [])])
]

SMOOTHNESS = ("discontinuous", "C0", "C1", "C2", "C∞")
H = 1e-5  # central-difference step
GAP = 1e-4  # grid points this close to a kink or breakpoint are skipped (> H)
D = 1e-8  # half-width of the two-sided probes for jumps


def _special_points(act) -> tuple[np.ndarray, np.ndarray]:
    info = act.info
    return np.array([k.x for k in info.kinks]), np.array(info.breakpoints, dtype=float)


def _away(z: np.ndarray, points: np.ndarray, gap: float = GAP) -> np.ndarray:
    for x in points:
        z = z[np.abs(z - x) > gap]
    return z


def _jumps(fn, z: np.ndarray) -> np.ndarray:
    return np.abs(fn(z + D) - fn(z - D))


def _wide_grid(act) -> np.ndarray:
    """[−60, 60] at 1e-3, out to ±1e6 geometrically, plus every kink and its two sides."""
    kinks, brk = _special_points(act)
    far = np.geomspace(60.0, 1e6, 300)
    special = np.concatenate([kinks, kinks - 1e-9, kinks + 1e-9, brk])
    return np.unique(np.concatenate([np.linspace(-60, 60, 120001), far, -far, special]))


def test_at_least_32_activations_are_registered():
    assert len(names()) >= 32
    assert len(set(names())) == len(names())


def test_every_activation_with_parameters_has_a_custom_case():
    for name in names():
        act = get(name)
        if act.PARAMS:
            assert name in CUSTOM, name
            for params in CUSTOM[name]:
                assert get(name, **params).params != act.params


def test_menu_groups_are_contiguous():
    cats = [get(n).info.category for n in names()]
    seen: list[str] = []
    for c in cats:
        if not seen or seen[-1] != c:
            assert c not in seen, f"category {c!r} is split in the menu order"
            seen.append(c)


# --- derivatives ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, params", CASES)
def test_df_matches_central_differences(name, params):
    act = get(name, **params)
    kinks, brk = _special_points(act)
    z = _away(np.linspace(-6, 6, 2401), np.concatenate([kinks, brk]))
    np.testing.assert_allclose(act.df(z), numerical_derivative(act.f, z, H), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name, params", CASES)
def test_d2f_matches_central_differences_of_df(name, params):
    act = get(name, **params)
    kinks, brk = _special_points(act)
    z = _away(np.linspace(-6, 6, 2401), np.concatenate([kinks, brk]))
    np.testing.assert_allclose(act.d2f(z), numerical_derivative(act.df, z, H), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, params", CASES)
def test_kinks_use_the_stated_derivative_exactly(name, params):
    act = get(name, **params)
    for k in act.info.kinks:
        z = np.array([k.x])
        assert act.df(z)[0] == k.df_used, (k, act.df(z))
        assert np.isfinite(act.d2f(z)).all()
        assert k.note


# --- Info claims ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, params", CASES)
def test_output_range_holds_and_is_approached(name, params):
    act = get(name, **params)
    info = act.info
    y = act.f(_wide_grid(act))
    lo, hi = info.output_range
    assert lo < hi
    assert y.min() >= lo - 1e-12 and y.max() <= hi + 1e-12
    for end, reached in ((lo, y.min()), (hi, y.max())):
        if np.isinf(end):
            assert abs(reached) > 1e3 and np.sign(reached) == np.sign(end)
        else:
            assert reached == pytest.approx(end, abs=1e-5)
    assert info.bounded == bool(np.isfinite(lo) and np.isfinite(hi))


@pytest.mark.parametrize("name, params", CASES)
def test_monotonic_claim(name, params):
    act = get(name, **params)
    steps = np.diff(act.f(_wide_grid(act)))
    if act.info.monotonic:
        assert steps.min() >= -1e-15
    else:
        assert steps.min() < -1e-9


@pytest.mark.parametrize("name, params", CASES)
def test_zero_centred_claim(name, params):
    act = get(name, **params)
    y = act.f(_wide_grid(act))
    f0 = act.f(np.array(0.0))
    assert act.info.zero_centred == bool(f0 == 0 and y.min() < 0 < y.max())


@pytest.mark.parametrize("name, params", CASES)
def test_smoothness_claim_and_the_listed_points_are_where_things_jump(name, params):
    act = get(name, **params)
    info = act.info
    level = SMOOTHNESS.index(info.smoothness)
    kinks, brk = _special_points(act)
    z = np.concatenate([np.linspace(-6, 6, 2401), kinks, brk])
    not_kinks = _away(z, kinks, 1e-3)
    # away from the listed kinks f and f′ are continuous, away from breakpoints also f″
    assert _jumps(act.f, not_kinks).max() < 1e-6
    assert _jumps(act.df, not_kinks).max() < 1e-5
    assert _jumps(act.d2f, _away(not_kinks, brk, 1e-3)).max() < 1e-4
    if level == 0:  # discontinuous: f jumps at a listed point
        assert _jumps(act.f, kinks).max() > 1e-3
    elif level == 1:  # C0: continuous, and f′ jumps at every listed kink
        assert _jumps(act.f, kinks).max() < 1e-6
        assert _jumps(act.df, kinks).min() > 1e-3
    else:  # C1 or better: no kinks at all
        assert len(kinks) == 0
        if level == 2:  # C1: f″ jumps at every breakpoint
            assert len(brk) and _jumps(act.d2f, brk).min() > 1e-3
        else:
            assert len(brk) == 0 or _jumps(act.d2f, brk).max() < 1e-4


@pytest.mark.parametrize("name, params", CASES)
def test_derivative_from_output_matches_df(name, params):
    act = get(name, **params)
    kinks, _ = _special_points(act)
    z = np.concatenate([np.linspace(-30, 30, 6001), kinks])
    d = act.df_from_output(act.f(z))
    if act.info.derivative_from_output is None:
        assert d is None
    else:
        assert d is not None
        np.testing.assert_allclose(d, act.df(z), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("name", names())
def test_info_text_is_complete(name):
    info = get(name).info
    assert info.display_name and info.formula and info.derivative and info.category
    assert info.smoothness in SMOOTHNESS
    # a summary of two or three sentences
    assert info.summary.endswith(".")
    assert 2 <= len(re.findall(r"[.!?](?:\s|$)", info.summary)) <= 3, info.summary


# --- known values and PyTorch's conventions -----------------------------------------------------
def test_known_values():
    x = np.array([-1.0, 0.0, 1.0])
    assert get("sigmoid").f(np.array(0.0)) == 0.5
    assert get("gelu").f(np.array(1.0)) == pytest.approx(0.8413447460685429, abs=1e-12)
    np.testing.assert_allclose(
        get("gelu").f(x), x * 0.5 * (1 + np.array([math.erf(v / 2**0.5) for v in x])), rtol=1e-15
    )
    assert get("tanh").df(np.array(0.0)) == 1.0
    assert get("relu").df(np.array(0.0)) == 0.0
    assert get("lecun_tanh").f(np.array(1.0)) == pytest.approx(1.7159 * math.tanh(2 / 3), rel=1e-15)
    assert get("step").f(np.array(0.0)) == 1.0 and get("sign").f(np.array(0.0)) == 0.0
    assert get("hardshrink").f(np.array([-0.5, 0.5])).tolist() == [0.0, 0.0]
    assert get("softshrink").f(np.array([-2.0, 0.2, 2.0])).tolist() == [-1.5, 0.0, 1.5]
    assert get("threshold").f(np.array([-1.0, 0.0, 0.5])).tolist() == [-1.0, -1.0, 0.5]
    assert get("bent_identity").f(np.array(1.0)) == pytest.approx((math.sqrt(2) - 1) / 2 + 1)
    assert get("squareplus").f(np.array(0.0)) == 1.0  # √4 / 2
    assert get("window").f(np.array([-1.0, -0.99, 0.99, 1.0])).tolist() == [0, 1, 1, 0]


def test_selu_constants_are_exact():
    assert SELU_ALPHA == 1.6732632423543772 and SELU_LAMBDA == 1.0507009873554805
    selu = get("selu")
    assert selu.f(np.array(1.0)) == SELU_LAMBDA
    assert selu.f(np.array(-1e4)) == pytest.approx(-SELU_LAMBDA * SELU_ALPHA, rel=1e-15)


def test_softplus_switches_to_z_above_the_threshold_like_pytorch():
    sp = get("softplus")  # beta 1, threshold 20
    z = np.array([19.0, 20.0, 20.5, 25.0])
    y = sp.f(z)
    assert y[0] == pytest.approx(math.log1p(math.exp(19.0)), rel=1e-15)
    assert y[1] == pytest.approx(math.log1p(math.exp(20.0)), rel=1e-15)  # βz = threshold: not yet
    assert y[2] == 20.5 and y[3] == 25.0
    assert sp.df(z)[2:].tolist() == [1.0, 1.0]
    sp2 = get("softplus", beta=2.0, threshold=20.0)
    assert sp2.f(np.array(10.5)) == 10.5  # βz = 21 > 20
    assert sp2.f(np.array(9.0)) == pytest.approx(math.log1p(math.exp(18.0)) / 2, rel=1e-15)


def _relu6(x):
    return np.minimum(np.maximum(x, 0.0), 6.0)


def test_hardswish_and_hard_sigmoid_follow_pytorch_formulas():
    z = np.array([-5.0, -3.0, -1.5, -0.3, 0.0, 0.7, 2.9, 3.0, 4.0])
    np.testing.assert_array_equal(get("hardswish").f(z), z * _relu6(z + 3) / 6)
    np.testing.assert_array_equal(get("hard_sigmoid").f(z), _relu6(z + 3) / 6)
    # PyTorch's backward formulas, including the points ±3
    dhs = np.where(z < -3, 0.0, np.where(z <= 3, z / 3 + 0.5, 1.0))
    np.testing.assert_array_equal(get("hardswish").df(z), dhs)
    np.testing.assert_array_equal(get("hard_sigmoid").df(z), np.where(abs(z) < 3, 1 / 6, 0.0))


def test_kink_conventions_of_the_rectifiers():
    zero = np.array(0.0)
    assert get("leaky_relu").df(zero) == 0.01
    assert get("prelu").df(zero) == 0.25
    assert get("rrelu").df(zero) == pytest.approx((1 / 8 + 1 / 3) / 2)
    assert get("elu", alpha=2.0).df(zero) == 2.0
    assert get("selu").df(zero) == SELU_LAMBDA * SELU_ALPHA
    assert get("relu6").df(np.array([0.0, 6.0])).tolist() == [0.0, 0.0]
    assert get("hardtanh").df(np.array([-1.0, 1.0])).tolist() == [0.0, 0.0]
    assert get("softshrink").df(np.array([-0.5, 0.5])).tolist() == [0.0, 0.0]
    assert get("step").df(np.array([-1.0, 0.0, 1.0])).tolist() == [0.0, 0.0, 0.0]


def test_numerical_derivative_disagrees_at_a_kink_as_the_gui_shows():
    z = np.array([0.0])
    assert numerical_derivative(get("relu").f, z)[0] == pytest.approx(0.5)
    assert get("relu").df(z)[0] == 0.0


def test_derivatives_keep_their_relative_accuracy_in_the_tails():
    # a log-scale plot of vanishing gradients needs σ′(40) ≈ 4.2e-18 on both sides, not 0
    e = math.exp(-40.0)
    sig = get("sigmoid").df(np.array([-40.0, 40.0]))
    np.testing.assert_allclose(sig, e / (1 + e) ** 2, rtol=1e-14)
    tanh_slope = get("tanh").df(np.array([-20.0, 20.0]))
    np.testing.assert_allclose(tanh_slope, 1 / math.cosh(20.0) ** 2, rtol=1e-13)
    assert get("softplus").d2f(np.array(19.0)) == pytest.approx(math.exp(-19.0), rel=1e-7)
    assert get("gelu").f(np.array(-10.0)) == pytest.approx(-10 * 0.5 * math.erfc(10 / 2**0.5))


@pytest.mark.parametrize("name", names())
def test_float32_results_agree_with_float64_to_a_few_ulps(name):
    act = get(name)
    z32 = np.linspace(-10, 10, 4001, dtype=np.float32)
    z64 = z32.astype(np.float64)  # the same points, so both sides of every jump agree
    for fn in (act.f, act.df, act.d2f):
        exact = fn(z64)
        err = np.abs(fn(z32).astype(np.float64) - exact) / (1.0 + np.abs(exact))
        assert err.max() < 5e-7, fn
