"""Formula activations: the same numbers as the built-ins they spell out, the README's kink
convention, the numerical checks and their messages, and use wherever a built-in goes
(registry names, networks, experiments, .alab files, pickles)."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

pytest.importorskip("sympy")

import core  # noqa: E402
import core.activations as acts  # noqa: E402
import core.presets  # noqa: E402
from core.activations import FormulaError, formula  # noqa: E402
from core.archive import capture, read_archive, write_archive  # noqa: E402
from core.experiment import Experiment, LayerConfig  # noqa: E402

Z = np.linspace(-20.0, 20.0, 4001)


def _same(a, b, z, tol=1e-12):
    for m in ("f", "df", "d2f"):
        np.testing.assert_allclose(getattr(a, m)(z), getattr(b, m)(z), rtol=tol, atol=tol,
                                   err_msg=m)


# --- the same numbers as the built-ins -------------------------------------------------------
def test_x_sigmoid_x_is_silu():
    _same(formula("x*sigmoid(x)"), acts.get("silu"), Z)
    beta = formula("x*sigmoid(beta*x)", {"beta": (1.0, 0.1, 10.0)}, values={"beta": 2.5})
    _same(beta, acts.get("silu", beta=2.5), Z)


def test_the_scaled_tanh_is_lecun_tanh():
    assert "lecun_tanh" in acts.names()
    _same(formula("1.7159*tanh(2*x/3)"), acts.get("lecun_tanh"), Z)


@pytest.mark.parametrize("text", ["max(0, x)", "max(x, 0)", "relu(x)", "where(x > 0, x, 0)"])
def test_relu_spelled_four_ways_is_relu_with_zero_slope_at_zero(text):
    act, relu = formula(text), acts.get("relu")
    z = Z[np.abs(Z) > 1e-9]
    _same(act, relu, z)
    assert act.df(np.array([0.0]))[0] == 0.0 == relu.df(np.array([0.0]))[0]
    assert act.f(np.array([0.0]))[0] == 0.0
    (k,) = act.info.kinks
    assert (k.x, k.df_used) == (0.0, 0.0)


@pytest.mark.parametrize(("a", "b"), [(0.0, 1.0), (0.5, 2.0), (-1.5, 0.3)])
def test_the_window_formula_is_the_window(a, b):
    act = formula("where(abs(x - a) < b, 1, 0)", {"a": (0.0, -3.0, 3.0), "b": (1.0, 0.1, 3.0)},
                  values={"a": a, "b": b})
    window = acts.get("window", a=a, b=b)
    z = np.concatenate([Z, [a - b, a + b]])  # the jumps themselves: f = 0, f′ = 0 there
    _same(act, window, z)
    assert not act.df(Z).any()
    assert sorted(k.x for k in act.info.kinks) == pytest.approx([a - b, a + b])
    assert act.info.smoothness == "discontinuous"


def test_log_one_plus_exp_is_softplus_and_is_computed_without_overflow():
    act = formula("log(1 + exp(x))")
    z = np.linspace(-15.0, 15.0, 3001)  # the built-in switches to f = z above 20 (PyTorch)
    _same(act, acts.get("softplus"), z)
    assert act.derivative_text == "f′(x) = sigmoid(x)"
    big = np.array([-1000.0, 1000.0])
    np.testing.assert_allclose(act.f(big), [0.0, 1000.0])
    np.testing.assert_allclose(act.df(big), [0.0, 1.0])
    assert not act.problems


def test_other_kinks_follow_the_built_ins():
    leaky = formula("max(x, alpha*x)", {"alpha": (0.01, 0.0, 1.0)}, values={"alpha": 0.1})
    _same(leaky, acts.get("leaky_relu", alpha=0.1), np.concatenate([Z, [0.0]]))
    _same(formula("min(max(0, x), 6)"), acts.get("relu6"), np.concatenate([Z, [0.0, 6.0]]))
    _same(formula("clip(x, -1, 1)"), acts.get("hardtanh"), np.concatenate([Z, [-1.0, 1.0]]))
    elu = formula("where(x > 0, x, alpha*(exp(x) - 1))", {"alpha": (1.0, 0.05, 3.0)})
    _same(elu, acts.get("elu"), np.concatenate([Z, [0.0]]))
    sign = formula("sign(x)")
    _same(sign, acts.get("sign"), np.concatenate([Z, [0.0]]))
    assert formula("abs(x)").df(np.array([0.0]))[0] == 0.0  # PyTorch's sign(0)


# --- derivatives shown, kinks, properties ---------------------------------------------------------
def test_derivatives_are_written_in_the_language_with_the_users_parameter_names():
    act = formula("x*sigmoid(beta*x)", {"beta": (1.0, 0.1, 10.0)}, name="swish-b")
    assert act.info.display_name == "swish-b"
    assert act.info.formula == "f(x) = x*sigmoid(beta*x)"
    assert "beta" in act.derivative_text and "p0" not in act.derivative_text
    assert act.second_derivative_text.startswith("f″(x) = ")
    # what is shown can be typed back and means the same function
    again = formula(act.derivative_text.removeprefix("f′(x) = "), {"beta": (1.0, 0.1, 10.0)})
    np.testing.assert_allclose(again.f(Z), act.df(Z), rtol=1e-12, atol=1e-12)


def test_estimated_properties():
    tanh = formula("1.7159*tanh(2*x/3)").info
    assert tanh.output_range == pytest.approx((-1.7159, 1.7159))
    assert (tanh.monotonic, tanh.bounded, tanh.zero_centred, tanh.smoothness) == (
        True, True, True, "C∞")
    silu = formula("x*sigmoid(x)").info
    assert silu.output_range[0] == pytest.approx(-0.278464542761074, rel=1e-6)
    assert silu.output_range[1] == np.inf
    assert (silu.monotonic, silu.bounded, silu.zero_centred) == (False, False, True)
    elu = formula("where(x > 0, x, exp(x) - 1)").info
    assert elu.smoothness == "C1" and elu.breakpoints == (0.0,) and not elu.kinks
    assert formula("x**2").info.output_range == (0.0, np.inf)
    assert set(acts.FormulaActivation.estimated) >= {"output_range", "monotonic"}


@pytest.mark.parametrize(("text", "message"), [
    ("log(x)", "log(x) is undefined for x ≤ 0"),
    ("1/x", "1/x is undefined at x = 0"),
    ("sqrt(x)", "sqrt(x) is undefined for x < 0"),
    ("1/(x - 0.3337)", "1/(x - 0.3337) is undefined at x = 0.3337"),
    ("sin(x)/x", "sin(x)/x is undefined at x = 0"),
    ("exp(x)", "the formula is not a finite number for x ≥ 709.783"),
    ("sqrt(abs(x))", "its slope f′ is not a finite number at x = 0"),
])
def test_where_a_formula_is_not_finite_the_student_is_told(text, message):
    curve = formula(text, network=False)
    assert curve.problems[0].startswith(message)
    with pytest.raises(FormulaError, match="a network needs a function that is finite"):
        formula(text)
    with pytest.raises(ValueError):
        acts.get(curve.name)
    with np.errstate(all="raise"):  # the curve is drawn where finite, with no warnings
        f = curve.f(Z)
    assert np.isfinite(f).any()


def test_a_formula_finite_everywhere_because_of_its_pieces_is_usable():
    act = formula("where(x > 0, log(1 + x), 0)")
    assert not act.problems


# --- names, registry, networks, files, pickles ------------------------------------------------
def test_the_spec_is_the_name_and_get_rebuilds_it():
    act = formula("x*sigmoid(beta*x)", {"beta": (1.0, 0.1, 10.0)}, name="swish-b")
    assert act.name == "formula:x*sigmoid(beta*x); beta = 1 in [0.1, 10]; name = swish-b"
    again = acts.get(act.name, beta=2.0)
    assert again.params == {"beta": 2.0} and type(again) is type(act)
    assert acts.activation_class(act.name).PARAMS[0].hi == 10.0
    assert acts.is_formula(act) and acts.is_formula(act.name) and not acts.is_formula("relu")
    assert act.name not in acts.names()  # the built-in menu is unchanged
    with pytest.raises(ValueError, match="must lie in"):
        acts.get(act.name, beta=20.0)
    assert acts.formula_name("x*sigmoid(x)") == "formula:x*sigmoid(x)"


@pytest.mark.parametrize("name", [
    "formula:x; beta = 1 in [0, 2]; beta = 1 in [0, 2]",
    "formula:x; 1 + 1",
    "formula:x; x = 1 in [0, 2]",
    "formula:x; b = 3 in [0, 2]",
    "formula:x; name = a;b",
    "formula:" + "x+" * 600 + "x",
])
def test_bad_specs_are_refused_with_a_formula_error(name):
    with pytest.raises(FormulaError):
        acts.get(name)


def test_a_network_of_formula_layers_trains_and_pickles_as_text():
    swish = acts.formula_name("x*sigmoid(beta*x)", {"beta": (1.0, 0.1, 10.0)})
    exp = core.presets.get("circles-tanh").experiment
    exp = exp.with_(network=dataclasses.replace(
        exp.network, hidden=(LayerConfig(8, swish, {"beta": 1.5}), LayerConfig(8, swish))))
    trainer = exp.build_trainer()
    trainer.run(steps=20)
    blob = pickle.dumps(trainer)
    assert b"lambdify" not in blob and b"sympy" not in blob
    assert swish.encode() in blob
    twin = pickle.loads(blob)
    a = [trainer.step() for _ in range(10)]
    b = [twin.step() for _ in range(10)]
    assert a == b
    assert twin.net.layers[0].act.params == {"beta": 1.5}
    assert core.gradcheck(trainer.net, trainer.dataset.x_train[:8],
                          trainer.dataset.y_train[:8], "bce").passed()


def test_an_alab_stores_the_formula_text_and_reopens_it(tmp_path):
    spec = acts.formula_name("where(x > 0, x, alpha*x)", {"alpha": (0.1, 0.0, 1.0)}, "my leaky")
    exp = core.presets.get("circles-tanh").experiment
    exp = exp.with_(network=dataclasses.replace(
        exp.network, hidden=(LayerConfig(8, spec, {"alpha": 0.2}),), output_activation="sigmoid"))
    trainer = exp.build_trainer()
    trainer.run(steps=15)
    path = write_archive(tmp_path / "f.alab", capture(exp, trainer))
    saved = read_archive(path)
    assert saved.experiment.network.hidden[0].activation == spec
    again = saved.build_trainer()
    np.testing.assert_array_equal(again.net.flat, trainer.net.flat)
    assert again.net.layers[0].act.params == {"alpha": 0.2}


def test_a_lesson_or_an_experiment_may_name_a_formula_for_the_output_too():
    exp = Experiment.from_dict({"network": {
        "hidden": [{"units": 4, "activation": "formula:tanh(x)"}],
        "output_activation": "formula:sigmoid(x); name = my sigmoid"}})
    trainer = exp.build_trainer()
    assert trainer.net.layers[-1].act.info.display_name == "my sigmoid"
    with pytest.raises(ValueError, match="the formula of the output layer is refused"):
        Experiment.from_dict({"network": {"output_activation": "formula:__import__('os')"}})


def test_float32_in_float32_out_and_constants_broadcast():
    act = formula("2*x + 1")
    z = np.linspace(-1, 1, 5, dtype=np.float32)
    assert act.f(z).dtype == np.float32 and act.d2f(z).dtype == np.float32
    np.testing.assert_array_equal(act.d2f(z), np.zeros(5, np.float32))
    np.testing.assert_array_equal(act.df(np.zeros((2, 3))), np.full((2, 3), 2.0))


def test_the_max_slope_ignores_points_where_the_slope_is_not_finite():
    assert formula("x*sigmoid(x)").max_abs_df == pytest.approx(acts.get("silu").max_abs_df)
    assert np.isfinite(formula("log(x)", network=False).max_abs_df)


# --- hostile text all the way through (parse, SymPy, NumPy) ----------------------------------
@pytest.mark.parametrize("text", [
    "__import__('os').system('touch {sentinel}')", "().__class__.__bases__[0].__subclasses__()",
    "9**9**9", "x**(10**10)", "1<<10**9", "sqrt(-1)", "log(x)", "1/x", "x**10**1",
    "exp(exp(exp(x)))", "where(x > 0, 1/(x - x), 0)", "tan(x)", "x**-3",
])
def test_hostile_or_undefined_formulas_never_reach_a_network(text, tmp_path):
    sentinel = tmp_path / "pwned"
    text = text.format(sentinel=sentinel)
    try:
        act = formula(text)
    except FormulaError as e:
        assert str(e)
    else:  # accepted as the maths it is: then it is finite everywhere
        z = np.linspace(-1000, 1000, 20001)
        assert all(np.isfinite(getattr(act, m)(z)).all() for m in ("f", "df", "d2f"))
    assert not sentinel.exists()


def test_a_hostile_formula_inside_an_alab_refuses_the_file_with_one_message(tmp_path):
    import json
    import zipfile

    from core.archive import ArchiveError

    exp = core.presets.get("circles-tanh").experiment
    exp = exp.with_(network=dataclasses.replace(
        exp.network, hidden=(LayerConfig(4, "formula:tanh(x)"),)))
    trainer = exp.build_trainer()
    good = write_archive(tmp_path / "good.alab", capture(exp, trainer))
    bad = tmp_path / "bad.alab"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "experiment.json":
                data = data.decode().replace(
                    "formula:tanh(x)", "formula:().__class__.__bases__[0]").encode()
                assert b"__class__" in data
            dst.writestr(info, data)
    with pytest.raises(ArchiveError) as e:
        read_archive(bad)
    msg = str(e.value)
    assert "`__class__` is not allowed" in msg and "\n" not in msg
    json.loads(zipfile.ZipFile(good).read("experiment.json"))  # the good file is untouched
    assert read_archive(good).experiment.network.hidden[0].activation == "formula:tanh(x)"


def test_deriving_imports_nothing_the_bundle_leaves_out():
    # packaging/activation_lab.spec excludes unittest and sympy.testing; lambdify given the
    # module "numpy" ran `from numpy import *`, which imports numpy.testing and unittest, and
    # the frozen app failed on its first formula
    import subprocess
    import sys

    code = ("import sys, core.activations as a; a.formula('x*sigmoid(beta*x)', "
            "{'beta': (1, 0.1, 10)}).info; a.formula('where(abs(x) < 1, 1, 0)').info; "
            "print(sorted(m for m in ('unittest', 'numpy.testing', 'sympy.testing', 'tkinter')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout.strip()
    assert out == "[]"


def test_from_formula_is_the_issues_spelling_and_refusals_say_where():
    act = acts.from_formula("x*sigmoid(beta*x)", "swish-b", beta=(1.0, 0.1, 10.0))
    assert act == formula("x*sigmoid(beta*x)", {"beta": (1.0, 0.1, 10.0)}, "swish-b")
    with pytest.raises(FormulaError) as e:
        acts.from_formula("x + ().__class__")
    assert isinstance(e.value, ValueError)
    assert (e.value.column, e.value.fragment) == (8, "__class__")


def test_sympys_own_steps_and_deltas_follow_the_convention():
    # SymPy writes d/dx max(0, x) as Heaviside(x), which is 1/2 at 0, and d/dx of that as a
    # DiracDelta: formula_sym turns the first into a step that is 0 at 0 (ReLU′(0) = 0) and
    # the second into 0 with the point listed as a kink
    import sympy as sp

    from core.activations.formula_sym import X, _clean

    sources = []
    step = _clean(sp.Heaviside(X), sources)
    assert step.subs(X, 0) == 0 and step.subs(X, 1) == 1 and step.subs(X, -1) == 0
    assert sp.Heaviside(X).subs(X, 0) == sp.S.Half  # what would have leaked
    assert _clean(sp.DiracDelta(X - 2) + X, sources) == X
    assert [(s.kind, s.g) for s in sources] == [("boundary", X - 2)]


def test_a_comparison_may_vary_the_activation_over_formulas():
    from core.compare import settings

    spec = "formula:x*sigmoid(beta*x); beta = 1 in [0.1, 10]"
    name, values = settings.parse_vary(f"activation=relu,{spec},formula:max(0, x)")
    assert name == "activation"
    assert settings.split_values(f"relu,{spec},formula:max(0, x)") == [
        "relu", spec, "formula:max(0, x)"]
    exp = core.presets.get("circles-tanh").experiment
    setting = settings.get("activation")
    parsed = [setting.parse(v, exp) for v in settings.split_values(
        f"relu,{spec},formula:max(0, x)")]
    assert [p[0] for p in parsed] == ["relu", spec, "formula:max(0, x)"]
    changed = setting.apply(exp, parsed[1])
    assert {h.activation for h in changed.network.hidden} == {spec}
    with pytest.raises(settings.SettingError, match="`__class__` is not allowed"):
        setting.parse("formula:().__class__", exp)
