"""Every analytic f′ and f″ of a formula against central differences, over formulas generated
from the language (Hypothesis): smooth functions, pieces, parameters.

A point is checked where the function is smooth: away from its listed kinks and breakpoints,
and where two central differences (steps h and h/4) agree with each other, so that a piece
boundary the probe cannot list (a double zero) does not make a false alarm.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

pytest.importorskip("sympy")

from core.activations import FormulaError, formula  # noqa: E402
from core.activations.formula import _derived  # noqa: E402

SMOOTH = ["tanh({})", "sin({})", "cos({})", "arctan({})", "sigmoid({})", "softplus({})",
          "erf({})", "exp(tanh({}))", "sqrt(1 + ({})**2)", "log(1 + ({})**2)",
          "log1p(({})**2)", "cosh(tanh({}))", "sinh(tanh({}))", "expm1(tanh({}))", "-({})",
          "({})**2", "({})**3"]
PIECES = ["relu({})", "abs({})", "sign({})*({})", "max({}, {})", "min({}, {})",
          "where({} > {}, {}, {})", "clip({}, -1, 1)", "where({} > 0 and {} < 1, {}, {})"]
CONSTANTS = ["0.5", "1", "2", "1.5", "3", "0.25", "pi", "e"]


def _fill(template: str, parts: list[str]) -> str:
    return template.format(*parts[:template.count("{}")])


@st.composite
def expressions(draw, depth: int = 3) -> str:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(["x", "x", "a*x", "x + a", *CONSTANTS]))
    kind = draw(st.sampled_from(["smooth", "smooth", "binop", "binop", "piece"]))
    sub = [draw(expressions(depth - 1)) for _ in range(4)]
    if kind == "smooth":
        return _fill(draw(st.sampled_from(SMOOTH)), sub)
    if kind == "piece":
        return _fill(draw(st.sampled_from(PIECES)), sub)
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    if op == "/":
        return f"({sub[0]})/(1 + ({sub[1]})**2)"
    return f"({sub[0]}) {op} ({sub[1]})"


def _central(fn, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return (fn(x + h) - fn(x - h)) / (2.0 * h)


def _on_a_boundary(act, x: np.ndarray) -> np.ndarray:
    """Where a piece's boundary g (of relu, max, where, …) is 0 in floating point: the kink
    convention decides the value there, whether or not the pieces cross (a double zero such
    as relu(0.5 + x/(1 + x²)) at x = −1 touches 0 and is not a kink the probe can see)."""
    d = _derived(act.spec)
    out = np.zeros(x.shape, bool)
    if d.source_fn is None:
        return out
    with np.errstate(all="ignore"):
        gs = d.source_fn(x, *act._values)
    for src, g in zip(d.sources, gs):
        if src.kind == "boundary":
            out |= np.abs(np.broadcast_to(np.asarray(g, float), x.shape)) <= 1e-6
    return out


def _check(fn, dfn, x: np.ndarray, avoid: np.ndarray, skip: np.ndarray | None = None) -> int:
    """Compare dfn to the central difference of fn at the smooth points of x; returns how
    many points were compared."""
    h = 1e-5 * np.maximum(1.0, np.abs(x))
    ok = np.ones(x.shape, bool) if skip is None else ~skip
    if avoid.size:
        ok &= np.min(np.abs(x[:, None] - avoid[None, :]), axis=1) > 1e-3
    num, num4 = _central(fn, x, h), _central(fn, x, h / 4)
    exact = dfn(x)
    with np.errstate(all="ignore"):
        f = fn(x)
        scale = 1.0 + np.abs(exact) + np.abs(f)
        ok &= np.isfinite(num) & np.isfinite(num4) & np.isfinite(exact) & np.isfinite(f)
        ok &= np.abs(num - num4) <= 1e-6 * scale  # the function is smooth around x
    bad = ok & ~(np.abs(exact - num) <= 1e-5 * scale)
    assert not bad.any(), (x[bad][:5], exact[bad][:5], num[bad][:5])
    return int(ok.sum())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                  HealthCheck.filter_too_much])
@given(text=expressions(), a=st.floats(-2.0, 2.0), xs=st.lists(
    st.floats(-4.0, 4.0, allow_nan=False), min_size=8, max_size=8))
def test_exact_derivatives_agree_with_central_differences(text, a, xs):
    try:
        act = formula(text, {"a": (0.0, -2.0, 2.0)} if "a" in text.replace("arctan", "") else
                      None, values={"a": a} if "a" in text.replace("arctan", "") else None,
                      network=False)
    except FormulaError as e:
        assume("too many parts" not in str(e) and "characters long" not in str(e)
               and "nested too deeply" not in str(e))
        raise
    info = act.info
    avoid = np.array([k.x for k in info.kinks] + list(info.breakpoints), dtype=np.float64)
    x = np.array(sorted(set(xs)) + list(np.linspace(-3.0, 3.0, 25)))
    skip = _on_a_boundary(act, x)
    _check(act.f, act.df, x, avoid, skip)
    _check(act.df, act.d2f, x, avoid, skip)


@pytest.mark.parametrize("text", ["x*sigmoid(x)", "x*tanh(softplus(x))", "x*(1 + erf(x/sqrt(2)))/2",
                                  "where(x > 0, x, exp(x) - 1)", "abs(x)**3", "sqrt(x**2 + 4)",
                                  "1.0507*where(x > 0, x, 1.6733*(exp(x) - 1))", "x/(1 + abs(x))"])
def test_named_formulas_agree_with_central_differences(text):
    act = formula(text)
    avoid = np.array([k.x for k in act.info.kinks] + list(act.info.breakpoints))
    x = np.linspace(-6.0, 6.0, 241) + 1e-3
    assert _check(act.f, act.df, x, avoid) > 200
    assert _check(act.df, act.d2f, x, avoid) > 200


@pytest.mark.parametrize("text", [
    # and/or of a parameter's scalar condition with an array one: SymPy's printer stacked
    # them into one ragged array and NumPy raised on every call
    "max(x, tanh(max(x, a*x)))",
    "where(log(1 + (e)**2) > 0 and clip(exp(tanh(a*x)), -1, 1) < 1, 0.5, x)",
    # pieces holding tanh: tidying their text ran SymPy's trigsimp for over a minute
    "(exp(tanh(0.25 + a*x)))*(where(pi + 3 > a*x, erf(2), a*x/(1 + pi**2)))",
    "max(relu(x)*0.25, sinh(tanh(sin(x))))",
])
def test_formulas_that_once_failed_or_hung_work_on_arrays(text):
    params = {"a": (0.5, -2.0, 2.0)} if "a*x" in text else None
    act = formula(text, params, network=False)
    x = np.linspace(-3.0, 3.0, 121) + 1e-3
    avoid = np.array([k.x for k in act.info.kinks] + list(act.info.breakpoints))
    skip = _on_a_boundary(act, x)
    # (at least the half of the points off a clip's boundary)
    assert _check(act.f, act.df, x, avoid, skip) >= 50
    assert _check(act.df, act.d2f, x, avoid, skip) >= 50


def test_a_formula_sympy_cannot_work_through_is_refused_with_a_sentence():
    # a condition that is a constant: SymPy's Piecewise raised KeyError inside itself
    text = "relu(where(pi + pi > 0 and softplus(1.5) < 1, x/(1 + 3**2), a*x))"
    try:
        act = formula(text, {"a": (0.0, -2.0, 2.0)}, network=False)
    except FormulaError as e:
        assert "SymPy could not work out" in str(e) or "cannot be computed" in str(e)
    else:  # or it works: then its derivatives are right
        x = np.linspace(-3.0, 3.0, 61) + 1e-3
        _check(act.f, act.df, x, np.array([0.0]))
