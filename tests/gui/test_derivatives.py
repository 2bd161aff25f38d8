"""The derivatives panel draws the core's f′ and f″, the central difference beside them (and
their disagreement at a kink), f′ in terms of the output, and max|f′|^L against depth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import core.activations as acts
from core.diagnostics import DEPTHS
from gui.panels.derivatives import COMPACT_HEIGHT, COMPACT_MIN_HEIGHT, DerivativesPanel
from gui.theme import DARK, LIGHT

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def panel(qtbot):
    p = DerivativesPanel()
    qtbot.addWidget(p)
    return p


def _xy(item):
    """The data as given to the item (the depth plot's log axis transforms getData())."""
    x, y = item.getOriginalDataset() if hasattr(item, "getOriginalDataset") else item.getData()
    if x is None:
        return np.zeros(0), np.zeros(0)
    return np.asarray(x), np.asarray(y)


def _item_count(p) -> int:
    return sum(len(pl.items) for pl in p.plot_items()) + len(p.canvas.scene().items())


def test_analytic_first_and_second_derivatives(panel):
    for name in ("sigmoid", "tanh", "relu"):
        act = acts.get(name)
        x, d1 = _xy(panel.item("d1", name))
        assert (x[0], x[-1]) == (-5.0, 5.0) and 0.0 in x
        np.testing.assert_array_equal(d1, act.df(x))
        x2, d2 = _xy(panel.item("d2", name))
        np.testing.assert_array_equal(d2, act.d2f(x2))


def test_numerical_overlay_is_the_central_difference(panel):
    for name in ("sigmoid", "tanh", "relu"):
        act = acts.get(name)
        x, num = _xy(panel.item("num", name))
        np.testing.assert_array_equal(num, (act.f(x + 1e-5) - act.f(x - 1e-5)) / 2e-5)
        np.testing.assert_array_equal(num, acts.numerical_derivative(act.f, x))


def test_relu_kink_analytic_and_numerical_disagree(panel):
    x, d1 = _xy(panel.item("d1", "relu"))
    _, num = _xy(panel.item("num", "relu"))
    k = int(np.flatnonzero(x == 0.0)[0])
    assert d1[k] == 0.0 and num[k] == pytest.approx(0.5)
    # away from the kink they agree
    assert np.abs(np.delete(d1 - num, k)).max() < 1e-6
    pos = [(float(s["x"]), float(s["y"])) for s in panel.kink_points.data]
    assert (0.0, 0.0) in pos and any(px == 0.0 and py == pytest.approx(0.5) for px, py in pos)
    texts = panel.notes()
    assert any("f′ = 0 is used" in t and "central difference gives 0.5" in t for t in texts)


def test_toggles_hide_f2_and_numerical(panel):
    n_cols = panel.csv_tables()[0].rows.shape[1]
    assert n_cols == 1 + 3 * 3
    panel.num_box.setChecked(False)
    panel.d2_box.setChecked(False)
    assert not panel.item("num", "relu").isVisible()
    assert not panel.item("num marks", "relu").isVisible()
    assert not panel.item("d2", "tanh").isVisible()
    table = panel.csv_tables()[0]
    assert table.header == ("z", "f′ Logistic sigmoid", "f′ Hyperbolic tangent", "f′ ReLU")
    assert len(panel.kink_points.data) == 1  # only the analytic point at the kink
    panel.num_box.setChecked(True)
    assert panel.item("num", "relu").isVisible()


def test_csv_tables_are_what_is_plotted(panel):
    deriv, depth, from_a = panel.csv_tables()
    x, _ = _xy(panel.item("d1", "tanh"))
    np.testing.assert_array_equal(deriv.rows[:, 0], x)
    col = {h: i for i, h in enumerate(deriv.header)}
    for kind, word in (("d1", "f′"), ("d2", "f″"), ("num", "numerical f′")):
        for name, label in (("sigmoid", "Logistic sigmoid"), ("relu", "ReLU")):
            np.testing.assert_array_equal(deriv.rows[:, col[f"{word} {label}"]],
                                          _xy(panel.item(kind, name))[1])
    np.testing.assert_array_equal(depth.rows[:, 0], DEPTHS)
    np.testing.assert_array_equal(depth.rows[:, 1], _xy(panel.item("depth", "sigmoid"))[1])
    assert from_a.header[:2] == ("a Logistic sigmoid", "f′ Logistic sigmoid")


def _laid_out(panel, w, h):
    from PySide6.QtWidgets import QApplication

    panel.resize(w, h)
    panel.show()
    for _ in range(3):
        QApplication.processEvents()
        panel.canvas.ci.layout.activate()


def test_depth_product(panel):
    L, p = _xy(panel.item("depth", "sigmoid"))
    np.testing.assert_array_equal(L, DEPTHS)
    np.testing.assert_allclose(p, 0.25 ** DEPTHS, rtol=1e-12)
    _, r = _xy(panel.item("depth", "relu"))
    np.testing.assert_array_equal(r, np.ones(50))
    assert panel.plot_depth.ctrl.logYCheck.isChecked()
    # the 1e-18 crossing of the sigmoid is labelled at L = 30 (where the plot has room)
    _laid_out(panel, 1100, 800)
    texts = panel.notes()
    assert any("0.25^30" in t for t in texts)
    assert 0.25 ** 29 > 1e-18 > 0.25 ** 30
    (spot,) = panel.depth_marks.data
    assert spot["x"] == 30 and spot["y"] == pytest.approx(np.log10(0.25 ** 30))
    assert "vanishes" in panel.caption_depth.text


def test_step_has_no_drawable_depth_product(panel):
    panel.picker.set_selected(["step", "sigmoid"])
    x, _ = _xy(panel.item("depth", "step"))
    assert x.size == 0  # 0^L cannot be drawn on a log axis
    assert "product 0" in panel.caption_depth.text


def test_derivative_from_output(panel):
    a, da = _xy(panel.item("a", "sigmoid"))
    assert (a[0], a[-1]) == (0.0, 1.0)
    np.testing.assert_allclose(da, a * (1 - a), rtol=1e-12)
    a, da = _xy(panel.item("a", "tanh"))
    assert (a[0], a[-1]) == (-1.0, 1.0)
    np.testing.assert_allclose(da, 1 - a * a, rtol=1e-12)
    # the parametric cross-check (f(z), f′(z)) lies on the same curve
    pa, pd = _xy(panel.item("a marks", "tanh"))
    np.testing.assert_allclose(pd, 1 - pa * pa, atol=1e-12)
    assert "computed from" in panel.caption_a.text and "a(1 − a)" in panel.caption_a.text
    panel.picker.set_selected(["gelu"])  # no such form
    assert not panel.item("a", "sigmoid").isVisible()
    assert "None of the ticked" in panel.caption_a.text


def test_parameters_change_the_derivative(panel):
    panel.picker.set_selected(["leaky_relu"])
    panel.picker.set_current("leaky_relu")
    panel.picker.slider("alpha").slider.setValue(20)
    x, d1 = _xy(panel.item("d1", "leaky_relu"))
    np.testing.assert_array_equal(d1, acts.get("leaky_relu", alpha=0.2).df(x))
    _, p = _xy(panel.item("depth", "leaky_relu"))
    np.testing.assert_array_equal(p, np.ones(50))


def test_frames_and_themes_add_no_items(panel, make_view):
    view = make_view("deep-sigmoid", steps=6)
    panel.update_view(view)
    before = _item_count(panel)
    d1 = _xy(panel.item("d1", "tanh"))[1].copy()
    for i in range(20):
        panel.update_view(dataclasses.replace(view, steps_per_second=float(i)))
    panel.apply_theme(DARK)
    assert panel.item("d1", "sigmoid").opts["pen"].color().name().upper() == DARK.series[0]
    panel.apply_theme(LIGHT)
    assert _item_count(panel) == before
    np.testing.assert_array_equal(_xy(panel.item("d1", "tanh"))[1], d1)


def test_view_state_round_trip_and_validation(qtbot, panel):
    panel.picker.set_selected(["softplus"])
    panel.picker.set_param("softplus", "beta", 3.0)
    panel.d2_box.setChecked(False)
    panel.xrange.set_range(-1, 1)
    state = panel.view_state()
    other = DerivativesPanel()
    qtbot.addWidget(other)
    other.restore_view_state(state)
    assert other.view_state() == state
    x, d1 = _xy(other.item("d1", "softplus"))
    assert (x[0], x[-1]) == (-1.0, 1.0)
    np.testing.assert_array_equal(d1, acts.get("softplus", beta=3.0).df(x))
    other.restore_view_state({"x_range": [0, float("nan")], "show_d2": 1,
                              "functions": {"params": {"softplus": {"beta": -4}}}})
    assert other.view_state() == state


def test_captions_give_way_to_the_plots_in_a_small_dock(panel, qtbot):
    """A laptop's tab area: the captions become tooltips, the plots keep their height."""
    from PySide6.QtWidgets import QApplication

    def laid_out(w, h):
        panel.resize(w, h)
        panel.show()
        QApplication.sendPostedEvents()
        panel.canvas.ci.layout.activate()

    laid_out(600, 330)
    assert panel.scroll.viewport().height() < COMPACT_HEIGHT
    assert not panel.caption_a.isVisible() and not panel.caption_depth.isVisible()
    assert "Backprop multiplies" in panel.plot_depth.toolTip()
    assert panel.plot_a.toolTip().startswith("<p>")
    # the plots keep a readable height and scroll, rather than squeeze flat
    assert panel.canvas.height() >= COMPACT_MIN_HEIGHT
    assert panel.plot.vb.height() > 120 and panel.plot_a.vb.height() > 60
    right = max(p.geometry().right() for p in (panel.plot, panel.plot_a, panel.plot_depth))
    assert right <= panel.canvas.width() + 0.5  # and nothing is cut off at the right
    laid_out(900, 700)
    assert panel.caption_a.isVisible() and panel.caption_depth.isVisible()
    assert panel.plot_a.toolTip() == ""


def test_a_narrow_dock_stacks_the_lower_plots_at_full_size(panel):
    """A laptop's middle column with the Lessons dock open (~430 px, the list beside): side
    by side the plots would be drawn at 60%; one under the other nearly at full size."""
    _laid_out(panel, 430, 330)
    a, depth = (p.sceneBoundingRect() for p in (panel.plot_a, panel.plot_depth))
    assert depth.top() >= a.bottom() - 1  # one under the other
    assert panel._view_scale() > 0.9  # side by side: 0.62 (their titles and axes need more)
    assert panel.canvas.height() >= 700  # and they scroll, not squeezed
    _laid_out(panel, 1100, 800)
    a, depth = (p.sceneBoundingRect() for p in (panel.plot_a, panel.plot_depth))
    assert depth.left() >= a.right() - 1 and abs(depth.top() - a.top()) < 2  # side by side
