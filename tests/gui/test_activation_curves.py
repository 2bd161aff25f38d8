"""The activation-curves panel draws exactly the core's functions, shades saturation by the
|f′| < 1% rule, states kink conventions, refuses bad x-ranges and reads out f and f′."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

import core.activations as acts
from core.diagnostics import saturated_intervals
from gui.panels.activation_curves import ActivationCurvesPanel
from gui.theme import DARK, LIGHT

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def panel(qtbot):
    p = ActivationCurvesPanel()
    qtbot.addWidget(p)
    return p


def _xy(item):
    x, y = item.getData()
    return np.asarray(x), np.asarray(y)


def _item_count(p) -> int:
    return len(p.plot.items) + len(p.plot.vb.addedItems) + len(p.canvas.scene().items())


def test_default_curves_equal_core_values(panel):
    assert panel.picker.selected() == ["sigmoid", "tanh", "relu"]
    for name in ("sigmoid", "tanh", "relu"):
        x, y = _xy(panel.curve(name))
        assert x[0] == -5.0 and x[-1] == 5.0 and 0.0 in x
        np.testing.assert_array_equal(y, acts.get(name).f(x))


def test_parameter_slider_changes_curve(panel, qtbot):
    panel.picker.set_selected(["leaky_relu"])
    panel.picker.set_current("leaky_relu")
    slider = panel.picker.slider("alpha")
    assert slider is not None
    slider.slider.setValue(30)  # a keyboard-like step: applied at once
    alpha = slider.value_at(30)
    assert alpha == pytest.approx(0.3)
    x, y = _xy(panel.curve("leaky_relu"))
    np.testing.assert_array_equal(y, acts.get("leaky_relu", alpha=alpha).f(x))
    assert y[0] == pytest.approx(-5.0 * alpha)
    # and the legend names the parameter value
    labels = [lab.text for _sample, lab in panel.legend.items]
    assert any("α=0.3" in t for t in labels)
    # the table exports the same numbers
    (table,) = panel.csv_tables()
    np.testing.assert_array_equal(table.rows[:, 1], y)
    # dragging redraws live, before the slider is released
    slider.slider.setSliderDown(True)
    slider.slider.setValue(50)
    _, y = _xy(panel.curve("leaky_relu"))
    assert y[0] == pytest.approx(-2.5)
    slider.slider.setSliderDown(False)
    assert panel.picker.activation("leaky_relu").params["alpha"] == 0.5


def test_ticking_a_function_draws_it(panel):
    item = panel.picker.list.item(panel.picker.names().index("gelu"))
    item.setCheckState(Qt.CheckState.Checked)
    x, y = _xy(panel.curve("gelu"))
    np.testing.assert_array_equal(y, acts.get("gelu").f(x))
    item.setCheckState(Qt.CheckState.Unchecked)
    assert not panel.curve("gelu").isVisible()
    assert len(panel.csv_tables()[0].header) == 4


def test_relu_kink_marker_and_convention(panel):
    spots = panel.kink_points.data
    pos = [(float(s["x"]), float(s["y"])) for s in spots]
    assert (0.0, 0.0) in pos
    texts = [t.toPlainText() for t in panel.kink_notes()]
    assert any("ReLU′(0) = 0" in t and "PyTorch" in t for t in texts)


def test_tanh_saturation_shading_follows_the_one_percent_rule(panel):
    panel.picker.set_current("tanh")
    z = panel.sample_points
    sat = np.abs(1.0 - np.tanh(z) ** 2) < 0.01
    edge = np.arctanh(np.sqrt(0.99))  # |f′| = 1% of max|f′| = 1 here (≈ 2.993)
    regions = panel.saturation_regions()
    assert len(regions) == 2
    (a0, a1), (b0, b1) = sorted(regions)
    assert a0 == -5.0 and b1 == 5.0
    step = z[1] - z[0]
    assert -edge - step <= a1 < -edge and edge < b0 <= edge + step
    assert a1 == z[sat & (z < 0)].max() and b0 == z[sat & (z > 0)].min()
    assert regions == [tuple(r) for r in saturated_intervals(z, 1 - np.tanh(z) ** 2, 1.0)]


def test_step_function_is_saturated_everywhere(panel):
    panel.picker.set_selected(["step"])
    regions = panel.saturation_regions()
    assert regions == [(-5.0, 5.0)]
    assert "no gradient" in panel.caption.text


@pytest.mark.parametrize("field,text", [("lo", "7"), ("lo", "nan"), ("lo", "1e9"),
                                        ("hi", "-6"), ("hi", "abc"), ("hi", "inf")])
def test_bad_x_range_is_refused(panel, qtbot, field, text):
    edit = getattr(panel.xrange, field)
    edit.clear()
    qtbot.keyClicks(edit, text)
    assert edit.isInvalid()
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.isInvalid()
    assert not edit.commit()
    assert "Enter a number" in edit.toolTip()
    assert panel.xrange.range() == (-5.0, 5.0)
    x, _ = _xy(panel.curve("tanh"))
    assert (x[0], x[-1]) == (-5.0, 5.0)


def test_good_x_range_redraws(panel, qtbot):
    panel.xrange.lo.clear()
    qtbot.keyClicks(panel.xrange.lo, "-2")
    with qtbot.waitSignal(panel.xrange.rangeChanged):
        qtbot.keyClick(panel.xrange.lo, Qt.Key.Key_Return)
    x, y = _xy(panel.curve("tanh"))
    assert (x[0], x[-1]) == (-2.0, 5.0)
    np.testing.assert_array_equal(y, np.tanh(x))
    assert not panel.xrange.set_range(3, 1) and panel.xrange.range() == (-2.0, 5.0)
    panel.xrange.hi.setText("\u22122")  # a typographic minus is a minus too, but not > lo
    assert not panel.xrange.hi.commit()
    panel.xrange.hi.setText("\u22121.5")
    assert panel.xrange.hi.commit() and panel.xrange.range() == (-2.0, -1.5)


def test_hover_readout_reads_f_and_df(panel, qtbot):
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    vb = panel.plot.vb
    panel.hover_at(vb.mapViewToScene(QPointF(1.3, 0.5)))
    x = panel.readout_x
    assert x == pytest.approx(1.3, abs=0.05)
    text = panel.readout.textItem.toPlainText()
    assert f"z = {x:.4g}" in text
    for name in ("sigmoid", "tanh", "relu"):
        act = acts.get(name)
        fx, dfx = act.f(np.array([x]))[0], act.df(np.array([x]))[0]
        assert f"{act.info.display_name}: f = {fx:.4g}, f′ = {dfx:.4g}" in text
    assert panel.readout.isVisible() and panel.hover_line.value() == pytest.approx(x)
    panel.hover_at(QPointF(-50, -50))  # outside the plot
    assert not panel.readout.isVisible()
    # the scene's mouse moves reach it (through a rate-limiting proxy)
    panel.canvas.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF(1.3, 0.5)))
    qtbot.waitUntil(panel.readout.isVisible)


def test_histogram_under_the_curve_uses_snapshot_counts(panel, make_view):
    view = make_view("circles-tanh", steps=30)
    panel.data_box.setChecked(True)
    panel.update_view(view)
    names = [panel.layer_combo.itemData(i) for i in range(panel.layer_combo.count())]
    assert names == [layer.name for layer in view.snapshot.layers]
    panel.layer_combo.setCurrentIndex(1)
    layer = view.snapshot.layers[1]
    x, y = _xy(panel.hist_item)
    np.testing.assert_array_equal(x, layer.z_hist.edges)
    heights = y - y.min()
    counts = np.asarray(layer.z_hist.counts, dtype=float)
    np.testing.assert_allclose(heights / heights.max(), counts / counts.max(), atol=1e-12)
    tables = panel.csv_tables()
    np.testing.assert_array_equal(tables[1].rows[:, 2], counts)
    # the choice survives new frames; the bars follow the new snapshot
    view2 = make_view("circles-tanh", steps=60)
    panel.update_view(view2)
    assert panel.layer_combo.currentData() == layer.name
    _, y2 = _xy(panel.hist_item)
    c2 = np.asarray(view2.snapshot.layers[1].z_hist.counts, dtype=float)
    np.testing.assert_allclose((y2 - y2.min()) / np.ptp(y2), c2 / c2.max(), atol=1e-12)
    panel.data_box.setChecked(False)
    assert not panel.hist_item.isVisible() and len(panel.csv_tables()) == 1


def test_repeated_frames_add_no_items(panel, make_view):
    view = make_view("circles-relu", steps=9)
    panel.data_box.setChecked(True)
    panel.update_view(view)
    before = _item_count(panel)
    curve_before = _xy(panel.curve("relu"))
    for i in range(25):
        panel.update_view(dataclasses.replace(view, steps_per_second=float(i)))
    assert _item_count(panel) == before
    np.testing.assert_array_equal(_xy(panel.curve("relu"))[1], curve_before[1])


def test_csv_table_is_what_is_plotted(panel):
    (table,) = panel.csv_tables()
    assert table.header == ("z", "f(z) Logistic sigmoid", "f(z) Hyperbolic tangent", "f(z) ReLU")
    x, _ = _xy(panel.curve("sigmoid"))
    np.testing.assert_array_equal(table.rows[:, 0], x)
    for col, name in enumerate(("sigmoid", "tanh", "relu"), start=1):
        np.testing.assert_array_equal(table.rows[:, col], _xy(panel.curve(name))[1])


def test_softmax_uses_its_scalar_curve_with_a_note(panel):
    panel.picker.set_selected(["softmax"])
    x, y = _xy(panel.curve("softmax"))
    np.testing.assert_allclose(y, 1.0 / (1.0 + np.exp(-x)), rtol=1e-12)
    assert "softmax([z, 0])" in panel.caption.text


def test_theme_switch_recolours_without_new_items(panel, make_view):
    panel.update_view(make_view())
    before = _item_count(panel)
    panel.apply_theme(DARK)
    assert panel.curve("sigmoid").opts["pen"].color().name().upper() == DARK.series[0]
    assert panel.caption.opts["color"] == DARK.foreground
    panel.apply_theme(LIGHT)
    assert panel.curve("sigmoid").opts["pen"].color().name().upper() == LIGHT.series[0]
    assert _item_count(panel) == before


def test_view_state_round_trip_and_validation(qtbot, panel):
    panel.picker.set_selected(["elu", "tanh"])
    panel.picker.set_param("elu", "alpha", 2.0)
    panel.xrange.set_range(-3, 8)
    panel.xrange.rangeChanged.emit(-3.0, 8.0)
    state = panel.view_state()
    other = ActivationCurvesPanel()
    qtbot.addWidget(other)
    other.restore_view_state(state)
    assert other.view_state() == state
    x, y = _xy(other.curve("elu"))
    assert (x[0], x[-1]) == (-3.0, 8.0)
    np.testing.assert_array_equal(y, acts.get("elu", alpha=2.0).f(x))
    bad = {"functions": {"selected": ["nope", "relu", 3], "current": "nope",
                         "params": {"elu": {"alpha": 99.0}, "relu": {"x": 1}}},
           "x_range": [5, -5], "show_data": "yes", "layer": 7}
    other.restore_view_state(bad)
    assert other.picker.selected() == ["relu"]
    assert other.picker.activation("elu").params["alpha"] == 2.0
    assert other.xrange.range() == (-3.0, 8.0)
    other.restore_view_state("garbage")  # type: ignore[arg-type]


def test_kink_note_stays_inside_a_narrow_plot(panel, qtbot):
    from PySide6.QtWidgets import QApplication

    panel.resize(590, 330)  # the default layout's tab area on a 1366×768 laptop
    panel.show()
    QApplication.sendPostedEvents()
    panel.canvas.ci.layout.activate()
    panel.redraw()
    notes = panel.kink_notes()
    assert notes and "ReLU" in notes[0].textItem.toPlainText()
    view = panel.plot.vb.sceneBoundingRect()
    for t in notes:  # a TextItem keeps its pixel size: place its box by its anchor
        at = panel.plot.vb.mapViewToScene(t.pos())
        size = t.textItem.boundingRect().size()
        left, top = at.x() - t.anchor[0] * size.width(), at.y() - t.anchor[1] * size.height()
        assert view.left() - 1 <= left and left + size.width() <= view.right() + 1
        assert view.top() - 1 <= top and top + size.height() <= view.bottom() + 1


def test_the_sample_points_are_read_only(panel):
    z = panel.sample_points
    np.testing.assert_array_equal(z, panel.csv_tables()[0].rows[:, 0])
    with pytest.raises(ValueError):
        z[0] = 1.0
    with pytest.raises(AttributeError):
        panel.sample_points = np.zeros(3)
