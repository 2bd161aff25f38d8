"""The activations' API: dtype and shape, extreme inputs, softmax, PReLU and RReLU, the
registry and parameter checks, the vectorized erf, and property tests with hypothesis.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from core.activations import (
    ALIASES,
    Activation,
    Info,
    ParamSpec,
    activation_class,
    get,
    names,
    register,
    unregister,
)
from core.activations._erf import erf, erfc, ndtr

DTYPES = [np.float32, np.float64]
#: sin(±inf) is undefined; every other function has a limit at ±inf and must return it
NO_LIMIT_AT_INF = {"sine"}
EXTREMES = {
    np.float64: [0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0, 1e4, -1e4, 1e150, -1e150, 1e300, -1e300],
    np.float32: [0.0, 1e-38, -1e-38, 1.0, -1.0, 1e4, -1e4, 1e37, -1e37],
}


def _methods(act):
    return act.f, act.df, act.d2f


# --- dtype, shape, extremes --------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", names())
def test_dtype_and_shape_are_preserved(name, dtype):
    act = get(name)
    for shape in [(), (5,), (2, 3, 4)]:
        z = np.linspace(-3, 3, math.prod(shape)).reshape(shape).astype(dtype)
        outs = [fn(z) for fn in _methods(act)] + [act.df_from_output(act.f(z))]
        for out in outs:
            if out is not None:
                assert out.dtype == dtype and out.shape == shape
    assert act.f([1, -2, 3]).dtype == np.float64  # lists and integers come in as float64


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", names())
def test_extreme_inputs_give_no_warning_and_no_nan(name, dtype):
    act = get(name)
    z = np.array(EXTREMES[dtype], dtype=dtype)
    inf = np.array([np.inf, -np.inf], dtype=dtype)
    with np.errstate(all="raise", under="ignore"):
        for fn in _methods(act):
            assert np.isfinite(fn(z)).all(), fn
            if name not in NO_LIMIT_AT_INF:
                assert not np.isnan(fn(inf)).any(), fn
        d = act.df_from_output(act.f(z))
        assert d is None or np.isfinite(d).all()




# --- softmax -------------------------------------------------------------------------------------
def test_softmax_rows_sum_to_one_and_keep_dtype():
    sm = get("softmax")
    assert sm.vector
    for dtype in DTYPES:
        z = np.random.default_rng(1).normal(size=(4, 3, 5)).astype(dtype)
        s = sm.f_vector(z)
        assert s.dtype == dtype and s.shape == z.shape
        np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-6)
        assert (s > 0).all()


def test_softmax_jacobian_matches_finite_differences():
    sm = get("softmax")
    z = np.random.default_rng(2).normal(size=(3, 4))
    jac = sm.jacobian(z)
    assert jac.shape == (3, 4, 4)
    h = 1e-6
    for j in range(4):
        e = np.zeros(4)
        e[j] = h
        col = (sm.f_vector(z + e) - sm.f_vector(z - e)) / (2 * h)  # ∂s/∂z_j, (3, 4)
        np.testing.assert_allclose(jac[:, :, j], col, rtol=1e-6, atol=1e-9)


def test_softmax_vjp_is_g_times_jacobian():
    sm = get("softmax")
    rng = np.random.default_rng(3)
    z, g = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
    expected = np.einsum("ni,nij->nj", g, sm.jacobian(z))
    np.testing.assert_allclose(sm.vjp(z, g), expected, rtol=1e-12, atol=1e-15)


def test_softmax_is_stable_for_huge_logits():
    sm = get("softmax")
    z = np.array([[1e4, 0.0, -1e4], [1e300, 1e300, -1e300], [-1e4, -1e4, -1e4]])
    with np.errstate(all="raise", under="ignore"):
        s = sm.f_vector(z)
        sm.vjp(z, np.ones_like(z))
    np.testing.assert_allclose(s, [[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]])
    z = np.random.default_rng(4).normal(size=(2, 4))
    np.testing.assert_allclose(sm.f_vector(z + 1000.0), sm.f_vector(z), rtol=1e-12)


def test_softmax_curve_is_the_two_class_case():
    sm = get("softmax")
    z = np.linspace(-8, 8, 41)
    pair = np.stack([z, np.zeros_like(z)], axis=-1)
    np.testing.assert_allclose(sm.f(z), sm.f_vector(pair)[:, 0], rtol=1e-14)
    np.testing.assert_allclose(sm.df(z), sm.jacobian(pair)[:, 0, 0], rtol=1e-12, atol=1e-300)



def test_softmax_curve_is_the_sigmoid_bit_for_bit():
    # both come from LogisticCurve; a copy that drifted would show here first
    sm, sig = get("softmax"), get("sigmoid")
    for dtype in DTYPES:
        z = np.concatenate([np.linspace(-60, 60, 1201), [0.0, -0.0, np.inf, -np.inf]]).astype(dtype)
        for m in ("f", "df", "d2f"):
            a, b = getattr(sm, m)(z), getattr(sig, m)(z)
            assert a.dtype == b.dtype == dtype and np.array_equal(a, b), m
        a = sig.f(z)
        assert np.array_equal(sm.df_from_output(a), sig.df_from_output(a))

# --- PReLU and RReLU -----------------------------------------------------------------------------
def test_prelu_grad_alpha_matches_finite_differences_in_alpha():
    pr = get("prelu")
    assert pr.learnable == ("alpha",)
    rng = np.random.default_rng(5)
    z, alpha = rng.normal(size=(7, 3)), rng.uniform(0.0, 0.5, size=3)
    h = 1e-6
    fd = (pr.f_alpha(z, alpha + h) - pr.f_alpha(z, alpha - h)) / (2 * h)
    np.testing.assert_allclose(pr.grad_alpha(z, alpha), fd, rtol=1e-8, atol=1e-10)
    dz = (pr.f_alpha(z + h, alpha) - pr.f_alpha(z - h, alpha)) / (2 * h)
    np.testing.assert_allclose(pr.df_alpha(z, alpha), dz, rtol=1e-8)
    assert pr.grad_alpha(np.zeros((2, 3)), alpha).tolist() == [[0.0] * 3] * 2


def test_prelu_per_unit_slopes_and_dtype():
    pr = get("prelu")
    z = np.array([[-1.0, -1.0], [2.0, 0.0]], dtype=np.float32)
    alpha = np.array([0.1, 0.5])
    np.testing.assert_allclose(pr.f_alpha(z, alpha), [[-0.1, -0.5], [2.0, 0.0]], rtol=1e-7)
    assert pr.f_alpha(z, alpha).dtype == np.float32
    np.testing.assert_allclose(pr.df_alpha(z, alpha), [[0.1, 0.5], [1.0, 0.5]], rtol=1e-7)
    np.testing.assert_array_equal(pr.f_alpha(z, 0.25), pr.f(z))


def test_rrelu_evaluation_uses_the_mean_slope():
    rr = get("rrelu")
    assert rr.stochastic
    mean = (1 / 8 + 1 / 3) / 2
    assert rr.f(np.array(-2.0)) == pytest.approx(-2 * mean)
    assert rr.df(np.array(-1.0)) == pytest.approx(mean)
    assert rr.f(np.array(3.0)) == 3.0


def test_rrelu_training_slopes_are_uniform_in_range_and_seeded():
    rr = get("rrelu", lower=0.1, upper=0.3)
    a = rr.sample_slopes((200, 50), np.random.default_rng(7), np.float32)
    b = rr.sample_slopes((200, 50), np.random.default_rng(7), np.float32)
    c = rr.sample_slopes((200, 50), np.random.default_rng(8), np.float32)
    assert a.dtype == np.float32 and a.shape == (200, 50)
    assert a.min() >= np.float32(0.1) and a.max() <= np.float32(0.3)
    assert a.mean() == pytest.approx(0.2, abs=0.005)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    z = np.array([[-2.0, 3.0]])
    slopes = np.array([[0.2, 0.25]])
    assert rr.f_slopes(z, slopes).tolist() == [[-0.4, 3.0]]
    assert rr.df_slopes(z, slopes).tolist() == [[0.2, 1.0]]


# --- registry and parameters --------------------------------------------------------------------
def test_out_of_range_parameter_names_the_range():
    with pytest.raises(ValueError, match=r"alpha must lie in \[0, 1\]"):
        get("leaky_relu", alpha=5e9)
    with pytest.raises(ValueError, match="no parameter gamma"):
        get("leaky_relu", gamma=0.1)
    with pytest.raises(ValueError, match="must be a number"):
        get("elu", alpha="big")
    with pytest.raises(ValueError, match="lower"):
        get("rrelu", lower=0.5, upper=0.2)
    with pytest.raises(ValueError, match="min_val"):
        get("hardtanh", min_val=0.0, max_val=0.0)


def test_parameter_defaults_lie_in_their_ranges():
    for name in names():
        for p in activation_class(name).PARAMS:
            assert p.lo <= p.default <= p.hi, (name, p)
    assert get("leaky_relu").params == {"alpha": 0.01}
    assert get("softplus").params == {"beta": 1.0, "threshold": 20.0}
    assert get("rrelu").params == {"lower": 1 / 8, "upper": 1 / 3}


def test_aliases_and_spellings():
    assert type(get("swish")) is type(get("silu"))
    assert get("logistic").name == "sigmoid" and get("linear").name == "identity"
    assert get("heaviside").name == "step" and get("Leaky-ReLU", alpha=0.1).params["alpha"] == 0.1
    for alias, target in ALIASES.items():
        assert target in names() and alias not in names(), alias
    with pytest.raises(KeyError, match="unknown activation"):
        get("no_such_function")


def test_run_time_registration():
    class Cube(Activation):
        name = "cube_test"
        PARAMS = (ParamSpec("k", 1.0, 0.0, 2.0),)

        def f(self, z):
            return self.params["k"] * z**3

        def df(self, z):
            return 3 * self.params["k"] * z**2

        def d2f(self, z):
            return 6 * self.params["k"] * z

        @property
        def info(self):
            return Info("Cube", "kz³", "3kz²", (-np.inf, np.inf), True, True, False, "C∞")

    register(Cube)
    try:
        assert "cube_test" in names()
        act = get("cube_test", k=2.0)
        assert act.f(np.float32([2.0])).dtype == np.float32
        assert act.df(np.array([1])).tolist() == [6.0]
        with pytest.raises(ValueError, match="already registered"):
            register(Cube)
    finally:
        unregister("cube_test")
    assert "cube_test" not in names()



@pytest.mark.parametrize("name", names())
def test_each_method_is_wrapped_exactly_once(name):
    # the dtype wrapper goes on where a method is written; a method inherited from a shared
    # base (PiecewiseConstant, DeadZoneShrink, LogisticCurve, AlphaSlope) must not be
    # wrapped again, since every extra layer costs time on each call of the trainer's hot path
    cls = activation_class(name)
    for meth in ("f", "df", "d2f", "df_from_output"):
        fn = getattr(cls, meth)
        if fn is Activation.df_from_output:
            continue  # the base's "no such form", never wrapped
        assert hasattr(fn, "__wrapped__") and not hasattr(fn.__wrapped__, "__wrapped__"), meth


def test_shared_bases_are_not_registered_and_serve_a_new_subclass():
    from core.activations.elementary import PiecewiseConstant
    from core.activations.rectifiers import AlphaSlope
    from core.activations.shrinks import DeadZoneShrink
    from core.activations.sigmoids import LogisticCurve

    registered = {activation_class(n) for n in names()}
    assert not {PiecewiseConstant, DeadZoneShrink, LogisticCurve, AlphaSlope} & registered
    assert activation_class("prelu").f is activation_class("leaky_relu").f is AlphaSlope.f
    assert activation_class("step").df is PiecewiseConstant.df
    assert activation_class("hardshrink").df is activation_class("softshrink").df
    assert activation_class("softmax").f is activation_class("sigmoid").f

    class Ramp(PiecewiseConstant):  # only f is written; the zero derivatives are inherited
        name = "ramp_steps_test"

        def f(self, z):
            return np.floor(z)

    act = Ramp()
    assert act.df([1, 2]).dtype == np.float64 and act.df([1, 2]).tolist() == [0.0, 0.0]
    z32 = np.float32([-1.5, 0.0, 2.5])
    for out in (act.f(z32), act.df(z32), act.d2f(z32), act.df_from_output(z32)):
        assert out.dtype == np.float32
    assert act.d2f(z32).tolist() == act.df_from_output(z32).tolist() == [0.0, 0.0, 0.0]

# --- erf ------------------------------------------------------------------------------------------
def test_erf_matches_math_erf_at_10k_points():
    x = np.linspace(-7.0, 7.0, 10_000)
    ref = np.array([math.erf(v) for v in x])
    assert np.abs(erf(x) - ref).max() < 1e-14


def test_erfc_and_ndtr_are_accurate_in_the_tails():
    x = np.linspace(-5.0, 26.0, 3001)
    ref = np.array([math.erfc(v) for v in x])
    assert (np.abs(erfc(x) - ref) / ref).max() < 1e-13
    assert ndtr(np.array(-30.0)) == pytest.approx(0.5 * math.erfc(30 / math.sqrt(2)), rel=1e-12)
    out = erf(np.array([np.inf, -np.inf, np.nan, 0.0]))
    assert out[:2].tolist() == [1.0, -1.0] and np.isnan(out[2]) and out[3] == 0.0
    assert erf(np.float32([0.5])).dtype == np.float32


# --- properties -----------------------------------------------------------------------------------
@st.composite
def _activation_and_input(draw, name):
    cls = activation_class(name)
    params = {p.name: draw(st.floats(p.lo, p.hi)) for p in cls.PARAMS}
    try:
        act = cls(params=params)
    except ValueError:  # clashing parameters, e.g. lower > upper
        assume(False)
    dtype = draw(st.sampled_from(DTYPES))
    big = float(dtype(1e30))  # exactly representable in the drawn width
    elements = st.floats(-big, big, width=np.finfo(dtype).bits)
    z = draw(
        hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), elements=elements)
    )
    return act, z


@pytest.mark.parametrize("name", names())
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_finite_input_and_valid_parameters_give_finite_output(name, data):
    act, z = data.draw(_activation_and_input(name))
    with np.errstate(all="raise", under="ignore"):
        for fn in _methods(act):
            out = fn(z)
            assert out.shape == z.shape and out.dtype == z.dtype
            assert np.isfinite(out).all()
        d = act.df_from_output(act.f(z))
        assert d is None or (d.shape == z.shape and np.isfinite(d).all())
