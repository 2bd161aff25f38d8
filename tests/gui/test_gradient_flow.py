"""GradientFlowPanel draws the timeline's norms and ratios per layer and the current norms."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from core.diagnostics import HEALTHY_UPDATE_RATIO, gradient_verdict
from gui.panels.gradient_flow import FLOOR, GradientFlowPanel, verdict_text
from gui.theme import DARK, LIGHT


@pytest.fixture
def panel(qtbot):
    p = GradientFlowPanel()
    qtbot.addWidget(p)
    return p


def _data(item):
    return np.asarray(item.xData), np.asarray(item.yData)


def _item_counts(panel):
    return [len(plot.items) for plot in panel.plot_items()]


class _Timeline:
    """The columns the panel reads, with values a real run can produce (0, NaN, inf)."""

    def __init__(self, step, grad_norm_w, update_ratio):
        self.step, self.grad_norm_w, self.update_ratio = step, grad_norm_w, update_ratio

    def __len__(self):
        return len(self.step)


def test_lines_are_the_timeline_per_layer(panel, make_view):
    view = make_view("deep-sigmoid")
    panel.update_view(view)
    tl = view.timeline
    n = len(view.snapshot.layers)
    assert len(panel.norm_lines) == len(panel.ratio_lines) == n == 11
    # the timeline starts with the row of step 0 (the history's first row), where no backward
    # pass has been made yet: the lines leave it out
    assert tl.step[0] == 0 and len(tl) >= 3
    trained = tl.step > 0
    for i in range(n):
        x, y = _data(panel.norm_lines[i])
        np.testing.assert_array_equal(x, tl.step[trained])
        np.testing.assert_array_equal(y, tl.grad_norm_w[trained, i])
        x, y = _data(panel.ratio_lines[i])
        np.testing.assert_array_equal(x, tl.step[trained])
        np.testing.assert_array_equal(y, np.maximum(tl.update_ratio[trained, i], FLOOR))
    assert panel.norm_plot.getViewBox().state["logMode"][1]
    assert panel.ratio_plot.getViewBox().state["logMode"][1]
    # eleven layers: the legend uses the bars' short names (h1 … h10, output)
    assert [label.text for _, label in panel.legend.items] == [
        l.name.replace("hidden ", "h") for l in view.snapshot.layers]
    # colours repeat only with a different dash
    pens = [line.opts["pen"] for line in panel.norm_lines]
    styles = {(p.color().name(), p.style()) for p in pens}
    assert len(styles) == n
    assert panel.norm_lines[0].opts["clipToView"] and panel.norm_lines[0].opts["autoDownsample"]


def test_zero_and_non_finite_values_never_reach_the_log_plots(panel, make_view):
    view = make_view("circles-tanh")
    norms = np.array([[1e-3, 0.0, 2.0], [np.nan, 1e-2, np.inf], [1e-4, 1e-3, 1e-1]])
    ratios = np.array([[0.0, 0.0, 0.0], [1e-3, 1e-3, 1e-3], [2e-3, np.nan, 1e-3]])
    tl = _Timeline(np.array([10.0, 20.0, 30.0]), norms, ratios)
    panel.update_view(dataclasses.replace(view, timeline=tl))
    x, y = _data(panel.norm_lines[0])
    np.testing.assert_array_equal(x, [10.0, 30.0])  # NaN skipped
    x, y = _data(panel.norm_lines[1])
    np.testing.assert_array_equal(y, [FLOOR, 1e-2, 1e-3])  # 0 drawn at the floor
    x, y = _data(panel.norm_lines[2])
    np.testing.assert_array_equal(x, [10.0, 30.0])  # inf skipped
    for line in (*panel.norm_lines, *panel.ratio_lines):
        assert np.isfinite(line.yData).all() and (line.yData > 0).all()
    norms_table = panel.csv_tables()[0]
    assert np.isnan(norms_table.rows[1, 1]) and norms_table.rows[0, 2] == FLOOR


def test_bars_are_the_current_gradient_norms_first_layer_left(panel, make_view):
    view = make_view("deep-sigmoid")
    panel.update_view(view)
    layers = view.snapshot.layers
    current = np.array([layer.grad_norm_w for layer in layers])
    # spanning more than 100×, the bars went on a log axis by themselves (and say so)
    assert panel.bar_plot.getAxis("left").logMode
    assert "(log)" in panel.bar_plot.getAxis("left").labelText
    panel.auto_box.setChecked(False)  # linear bars, as chosen
    assert not panel.bar_plot.getAxis("left").logMode
    np.testing.assert_array_equal(panel.bars.opts["x"], np.arange(len(layers)))
    np.testing.assert_array_equal(panel.bars.opts["height"], current)
    np.testing.assert_array_equal(current, view.timeline.grad_norm_w[-1])
    ticks = panel.bar_plot.getAxis("bottom")._tickLevels[0]
    assert ticks[0] == (0, "h1") and ticks[-1] == (len(layers) - 1, "output")
    assert panel.bar_labels[-1].toPlainText() == f"{current[-1]:.2g}"
    # vanishing gradients: the first layer's bar is far below the last one's
    assert current[0] < current[-1] / 100
    expected = verdict_text(gradient_verdict(current))
    assert panel.summary == expected and expected in panel.bar_plot.titleLabel.text
    assert expected.startswith("first layer's gradient is 1/") and "vanishing" in expected
    panel.auto_box.setChecked(True)
    panel.log_box.setChecked(True)
    heights = panel.bars.opts["height"] + panel.bars.opts["y0"]
    np.testing.assert_allclose(heights, np.log10(current))
    assert panel.view_state() == {"log_bars": True}


@pytest.mark.parametrize("first, last, text", [
    (1.0, 3412.0, "first layer's gradient is 1/3,400 of the last layer's — vanishing"),
    (1.0, 12.0, "first layer's gradient is 1/12 of the last layer's"),
    (2.0, 2.2, "about the size of the last layer's (×0.91)"),
    (50.0, 1.0, "first layer's gradient is 50× the last layer's"),
    (4.2e5, 1.0, "is 420,000× the last layer's — exploding"),
    (1.0, 3.4e7, "1/3.4×10⁷ of the last layer's"),
    (0.0, 1.0, "the first layer's gradient is zero"),
    (1.0, 0.0, "the last layer's gradient is zero"),
    (math.nan, 1.0, "not finite"),
    # ratios beyond a float's range: first / last overflows to inf, or underflows to 0
    (1e300, 1e-10, "first layer's gradient is 1.0×10³¹⁰× the last layer's — exploding"),
    (1e-300, 1e300, "first layer's gradient is 1/1.0×10⁶⁰⁰ of the last layer's — vanishing"),
    (1e-300, 1e10, "first layer's gradient is 1/1.0×10³¹⁰ of the last layer's — vanishing"),
])
def test_gradient_summary_wording(first, last, text):
    assert text in verdict_text(gradient_verdict([first, last]))


@pytest.mark.parametrize("norms, trained, text", [
    ([0.0, 0.0], True, "every layer's gradient is zero: no layer learns"),
    ([0.0, 0.0, 0.0, 0.0], True, "every layer's gradient is zero: no layer learns"),
    ([0.0, 2.0, 0.0], True, "the gradients of the first and the last layer are both zero: "
                            "they do not learn"),
    ([0.0, 0.0, 0.0], False, "no gradient yet: train a step (Play or Step)"),
    ([0.7], True, "only one layer: there is no first and last layer to compare"),
    ([0.0], True, "only one layer, and its gradient is zero: it does not learn"),
    ([math.nan], True, "a gradient is not finite: training diverged"),
    ([math.inf], True, "a gradient is not finite: training diverged"),
    ([0.7], False, "no gradient yet: train a step (Play or Step)"),
    ([0.0], False, "no gradient yet: train a step (Play or Step)"),
])
def test_all_zero_gradients_and_a_single_layer_read_correctly(norms, trained, text):
    """Nothing to compare is said plainly: not 'the last layer's gradient is zero' when the
    first one is zero too, nor a ratio for one layer."""
    assert verdict_text(gradient_verdict(norms, trained=trained)) == text


_EXTREMES = (0.0, 5e-324, 1e-300, 1e-10, 0.5, 1.0, 3412.0, 1e10, 1e300, 1.7e308, math.inf,
             math.nan)


def test_every_verdict_reads_without_inf_nan_or_a_warning():
    import warnings

    kinds = set()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for first in _EXTREMES:
            for norms in ([first], *([first, last] for last in _EXTREMES)):
                for trained in (True, False):
                    v = gradient_verdict(norms, trained=trained)
                    text = verdict_text(v)
                    kinds.add(v.kind)
                    assert text and "inf" not in text and "nan" not in text.lower(), norms
    assert kinds == {"no gradient yet", "one layer", "not finite", "all zero", "last zero",
                     "first zero", "similar", "smaller", "vanishing", "larger", "exploding"}


@pytest.mark.parametrize("norms, text", [
    ((0.0, 0.0, 0.0), "every layer's gradient is zero: no layer learns"),
    ((1e150, 1.0, 1e-170), "first layer's gradient is 1.0×10³²⁰× the last layer's"),
    ((1e-170, 1.0, 1e150), "first layer's gradient is 1/1.0×10³²⁰ of the last layer's"),
])
def test_the_panel_titles_degenerate_gradients(panel, make_view, norms, text):
    view = make_view("circles-tanh")
    snap = view.snapshot
    layers = tuple(dataclasses.replace(layer, grad_norm_w=n)
                   for layer, n in zip(snap.layers, norms, strict=True))
    panel.update_view(dataclasses.replace(view, snapshot=dataclasses.replace(snap,
                                                                             layers=layers)))
    assert panel.summary.startswith(text) and text in panel.bar_plot.titleLabel.text


def test_a_one_layer_network_has_nothing_to_compare(panel, make_view):
    view = make_view("circles-tanh", network={"hidden": ()})
    assert len(view.snapshot.layers) == 1
    panel.update_view(view)
    assert panel.summary == "only one layer: there is no first and last layer to compare"
    assert panel.summary in panel.bar_plot.titleLabel.text


def test_reference_line_marks_the_healthy_ratio(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    x, y = _data(panel.ref_line)
    np.testing.assert_array_equal(x, view.timeline.step[[0, -1]])
    np.testing.assert_array_equal(y, [HEALTHY_UPDATE_RATIO, HEALTHY_UPDATE_RATIO])
    assert panel.ref_line.opts["pen"].style() != panel.norm_lines[0].opts["pen"].style()
    assert panel.ref_label.toPlainText() == "typical healthy ratio ≈ 1e-3"
    assert panel.ref_label.pos().y() == pytest.approx(-3.0)  # log10 view coordinates


def test_csv_tables_round_trip(panel, make_view):
    view = make_view("circles-relu")
    panel.update_view(view)
    norms, ratios, bars = panel.csv_tables()
    names = tuple(layer.name for layer in view.snapshot.layers)
    assert norms.header == ratios.header == ("step", *names)
    # step 0 (no gradient yet) is a row of empty cells; every other row is what is drawn
    assert norms.rows[0, 0] == 0 and np.isnan(norms.rows[0, 1:]).all()
    assert np.isnan(ratios.rows[0, 1:]).all()
    for i in range(len(names)):
        x, y = _data(panel.norm_lines[i])
        np.testing.assert_array_equal(norms.rows[1:, 0], x)
        np.testing.assert_array_equal(norms.rows[1:, 1 + i], y)
        np.testing.assert_array_equal(ratios.rows[1:, 1 + i], _data(panel.ratio_lines[i])[1])
    assert bars.header == ("layer", "grad_norm_w")
    np.testing.assert_array_equal(bars.rows[:, 1], panel.bars.opts["height"])


def test_frames_add_no_items_and_a_new_network_rebuilds(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    lines = list(panel.norm_lines)
    counts = _item_counts(panel)
    later = make_view("circles-tanh", steps=60)
    for frame in (later, view) * 5:
        panel.update_view(frame)
    assert panel.norm_lines == lines and _item_counts(panel) == counts
    panel.update_view(make_view("deep-sigmoid"))
    assert len(panel.norm_lines) == 11 and len(panel.legend.items) == 11
    panel.update_view(view)
    assert _item_counts(panel) == counts and len(panel.legend.items) == 3


def test_theme_switch_and_view_state(qtbot, panel, make_view):
    panel.update_view(make_view("circles-tanh"))
    counts = _item_counts(panel)
    panel.apply_theme(DARK)
    assert panel.norm_lines[0].opts["pen"].color().name().upper() == DARK.series[0].upper()
    assert panel.ref_line.opts["pen"].color().name().upper() == DARK.foreground.upper()
    assert _item_counts(panel) == counts
    panel.apply_theme(LIGHT)
    assert panel.view_state() == {"log_bars": False}
    other = GradientFlowPanel()
    qtbot.addWidget(other)
    other.restore_view_state({"log_bars": True})
    assert other.log_bars and other.log_box.isChecked()
    other.restore_view_state({"log_bars": "no"})
    assert other.log_bars


def test_log_axis_labels_stay_sparse(qtbot):
    from gui.panels._log_axis import LogTicksAxis

    axis = LogTicksAxis("left")
    axis.setLogMode(False, True)
    values = [math.log10(v) for v in (5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 2e-2, 3e-2)]
    axis.setRange(-3.5, -1.2)  # two decades: 1-2-5
    assert axis.logTickStrings(values, 1, None) == [
        "0.0005", "0.001", "0.002", "", "0.005", "0.01", "0.02", ""]
    axis.setRange(-8, -1)  # many decades: decades only
    assert [s for s in axis.logTickStrings(values, 1, None) if s] == ["0.001", "0.01"]
    short = [math.log10(v) for v in (0.3, 0.4)]
    axis.setRange(math.log10(0.28), math.log10(0.45))  # no 1-2-5 tick: label them all
    assert axis.logTickStrings(short, 1, None) == ["0.3", "0.4"]


def test_before_the_first_step_there_is_no_gradient_to_draw(panel):
    """Step 0 has run no backward pass: no point at a zero (the log floor), no zero bars."""
    import core
    import core.presets
    from gui.live_view import make_live_view

    exp = core.presets.get("circles-tanh").experiment
    trainer = exp.build_trainer()
    fresh = make_live_view(trainer, exp)
    panel.update_view(fresh)
    assert "no gradient yet" in panel.bar_plot.titleLabel.text
    assert [lab.textItem.toPlainText() for lab in panel.bar_labels] == [""] * 3
    assert all(line.xData is None or len(line.xData) == 0
               for line in panel.norm_lines + panel.ratio_lines)
    trainer.run(steps=20)
    panel.update_view(make_live_view(trainer, exp))
    for line in panel.norm_lines + panel.ratio_lines:
        x, y = _data(line)
        assert list(x) == [20.0] and np.all(y > math.log10(FLOOR))  # the step-0 row is left out
    assert all(lab.textItem.toPlainText() not in ("", "n/a") for lab in panel.bar_labels)
    gn = panel.csv_tables()[0]
    assert np.isnan(gn.rows[0, 1:]).all() and np.isfinite(gn.rows[1, 1:]).all()


def test_a_deep_network_reads_in_a_laptop_dock(panel, make_view, qtbot):
    """Eleven layers in a 590×300 tab: the verdict wraps, the legend and the bars stay in
    the panel, the bars get real height and the tallest one's number stays in view."""
    from PySide6.QtWidgets import QApplication

    panel.resize(590, 300)
    panel.show()
    qtbot.waitExposed(panel)
    panel.update_view(make_view("deep-sigmoid"))
    QApplication.sendPostedEvents()
    panel.canvas.ci.layout.activate()
    QApplication.sendPostedEvents()
    width = panel.canvas.width()
    for item in (panel.norm_plot, panel.ratio_plot, panel.bar_plot, panel.legend):
        assert item.sceneBoundingRect().right() <= width + 0.5
    assert panel.bar_plot.vb.height() > 40
    top = int(np.nanargmax(panel.bar_values))
    label, (y0, y1) = panel.bar_labels[top], panel.bar_plot.vb.viewRange()[1]
    px_per_unit = panel.bar_plot.vb.height() / (y1 - y0)
    label_top = label.pos().y() + label.textItem.boundingRect().height() / px_per_unit
    assert label_top <= y1


def test_bar_values_are_the_bars_drawn_read_only(panel, make_view):
    panel.update_view(make_view("circles-tanh"))
    np.testing.assert_array_equal(panel.bar_values, panel.bars.opts["height"])
    with pytest.raises(ValueError):
        panel.bar_values[0] = 1.0
