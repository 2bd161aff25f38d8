"""TrainingCurvesPanel draws the history as given, smooths like TensorBoard and keeps ghosts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QApplication

from gui.live_view import Ghost
from gui.panels.training_curves import KINDS, TrainingCurvesPanel
from gui.theme import DARK, LIGHT, series_color


@pytest.fixture
def panel(qtbot):
    p = TrainingCurvesPanel()
    qtbot.addWidget(p)
    return p


def _data(item):
    return np.asarray(item.xData), np.asarray(item.yData)


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


def _item_counts(panel):
    return [len(plot.items) for plot in panel.plot_items()]


def test_curves_are_the_history_arrays(panel, make_view):
    view = make_view("circles-tanh", steps=300)
    panel.update_view(view)
    hist = view.snapshot.history
    assert len(hist["epoch"]) > 5
    for kind in KINDS:
        x, y = _data(panel.curves[kind])
        np.testing.assert_array_equal(x, hist["epoch"])
        np.testing.assert_array_equal(y, hist[kind])
        assert not panel.raw[kind].isVisible()  # no smoothing: the raw curve is the curve
    assert panel.metric_plot.getAxis("left").labelText.startswith("accuracy")
    assert "bce" in panel.loss_plot.titleLabel.text
    names = [label.text for _, label in panel.legends["loss"].items]
    assert names == ["train", "test"]


def test_regression_shows_r2(panel, make_view):
    view = make_view("sine-regression")
    panel.update_view(view)
    assert view.snapshot.metric_name == "R²"
    assert panel.metric_plot.getAxis("left").labelText.startswith("R²")
    np.testing.assert_array_equal(_data(panel.curves["test_metric"])[1],
                                  view.snapshot.history["test_metric"])


def test_log_toggle_sets_log_mode_on_the_loss_axis_only(panel, make_view):
    panel.update_view(make_view("circles-tanh"))
    panel.log_box.setChecked(True)
    assert panel.loss_plot.getViewBox().state["logMode"][1]
    assert panel.curves["train_loss"].opts["logMode"] == [False, True]
    assert not panel.metric_plot.getViewBox().state["logMode"][1]
    assert panel.view_state()["log_y"] is True
    panel.log_box.setChecked(False)
    assert not panel.loss_plot.getViewBox().state["logMode"][1]


def test_log_axis_skips_values_that_are_not_positive(panel, make_view):
    view = make_view("circles-tanh", steps=90)
    hist = dict(view.snapshot.history)
    loss = np.array(hist["train_loss"])
    loss[1], loss[2] = 0.0, np.inf
    hist["train_loss"] = loss
    panel.log_box.setChecked(True)
    panel.update_view(dataclasses.replace(
        view, snapshot=dataclasses.replace(view.snapshot, history=hist)))
    x, y = _data(panel.curves["train_loss"])
    assert (y > 0).all() and np.isfinite(y).all()
    assert 1 not in x and 2 not in x and len(x) == len(loss) - 2


def test_smoothing_draws_the_ema_with_raw_behind(panel, make_view):
    view = make_view("circles-relu", steps=600)
    panel.update_view(view)
    panel.smooth_slider.setValue(60)
    assert panel.smoothing == pytest.approx(0.6)
    assert panel.smooth_label.text() == "0.60"
    hist = view.snapshot.history
    for kind in KINDS:
        np.testing.assert_allclose(_data(panel.curves[kind])[1],
                                   _ema_reference(hist[kind], 0.6), rtol=1e-12)
        raw = panel.raw[kind]
        assert raw.isVisible()
        np.testing.assert_array_equal(_data(raw)[1], hist[kind])
        assert raw.opts["pen"].color().alpha() < 255  # faint
        assert raw.name() is None  # not in the legend


def test_ghosts_are_labelled_and_go_when_the_view_has_none(qtbot, panel, make_view):
    view = make_view("circles-tanh", ghosts=2)
    panel.update_view(view)
    assert len(panel.ghosts) == 2
    labels = [label.text for _, label in panel.legends["loss"].items]
    assert labels == ["train", "test", "earlier run 1 (train)", "earlier run 2 (train)"]
    pens = [panel.ghosts[i][0].opts["pen"] for i in range(2)]
    assert pens[0].color().name() != pens[1].color().name()  # one colour each
    assert all(p.style() != pens[0].style().SolidLine for p in pens)  # dashed
    for ghost, (loss_item, metric_item) in zip(view.ghosts, panel.ghosts):
        assert loss_item.isVisible()
        np.testing.assert_array_equal(_data(loss_item)[1], ghost.history["train_loss"])
        np.testing.assert_array_equal(_data(metric_item)[1], ghost.history["train_metric"])
    assert panel.clear_button.isEnabled()
    with qtbot.waitSignal(panel.clearGhostsRequested, timeout=1000):
        panel.clear_button.click()
    counts = _item_counts(panel)
    panel.update_view(dataclasses.replace(view, ghosts=()))
    assert not any(item.isVisible() for pair in panel.ghosts for item in pair)
    assert [label.text for _, label in panel.legends["loss"].items] == ["train", "test"]
    assert not panel.clear_button.isEnabled()
    assert [t.name for t in panel.csv_tables()] == ["training_curves"]
    # ghosts coming back reuse the items they had
    panel.update_view(dataclasses.replace(view, ghosts=(Ghost("relu", view.snapshot.history),)))
    assert _item_counts(panel) == counts
    assert [label.text for _, label in panel.legends["metric"].items][-1] == "relu (train)"


def test_many_frames_add_no_items_and_long_runs_are_downsampled(panel, make_view):
    view = make_view("circles-tanh", ghosts=1)
    panel.update_view(view)
    counts = _item_counts(panel)
    for _ in range(20):
        panel.update_view(view)
    assert _item_counts(panel) == counts
    n = 5000
    hist = {k: np.linspace(1.0, 0.1, n) for k in KINDS}
    hist["epoch"] = np.arange(n, dtype=float)
    snap = dataclasses.replace(view.snapshot, history=hist)
    panel.update_view(dataclasses.replace(view, snapshot=snap))
    item = panel.curves["train_loss"]
    assert len(item.xData) == n
    assert item.opts["clipToView"] and item.opts["autoDownsample"]
    assert item.opts["downsampleMethod"] == "peak"


def test_hover_shows_epoch_and_values(qtbot, panel, make_view):
    view = make_view("circles-tanh", steps=300)
    panel.resize(900, 600)
    panel.update_view(view)
    hist = view.snapshot.history
    i = len(hist["epoch"]) // 2
    panel.show_hover(i)
    text = panel.readout.text
    assert f"epoch {hist['epoch'][i]:g}" in text
    assert f"train loss {hist['train_loss'][i]:.4g}" in text
    assert f"test loss {hist['test_loss'][i]:.4g}" in text
    assert f"test accuracy {hist['test_metric'][i]:.4g}" in text
    assert panel.vlines["metric"].value() == hist["epoch"][i]
    assert panel.vlines["loss"].isVisible()
    # smoothed values are read out as drawn
    panel.smooth_slider.setValue(50)
    panel.show_hover(i)
    drawn = panel.curves["train_loss"].yData[i]
    assert f"train loss {drawn:.4g}" in panel.readout.text and "(smoothed)" in panel.readout.text
    # a real mouse position over the loss plot picks the nearest epoch
    panel.canvas.ci.setGeometry(QRectF(0, 0, 880, 540))  # lay out without showing a window
    panel.canvas.ci.layout.activate()
    vb = panel.loss_plot.getViewBox()
    vb.setRange(xRange=(hist["epoch"][0], hist["epoch"][-1]), yRange=(0, 1), padding=0)
    target = hist["epoch"][2]
    assert panel.loss_plot.sceneBoundingRect().width() > 100
    panel.hover_at(vb.mapViewToScene(QPointF(target, 0.5)))
    assert panel.vlines["loss"].isVisible() and panel.vlines["loss"].value() == target
    assert f"epoch {target:g}" in panel.readout.text
    panel.hover_at(QPointF(-50, -50))
    assert not panel.vlines["loss"].isVisible()
    assert "Point at a plot" in panel.readout.text
    # the scene's mouse moves reach it (through a rate-limiting proxy)
    panel.canvas.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF(target, 0.5)))
    qtbot.waitUntil(panel.vlines["loss"].isVisible)


def test_csv_tables_round_trip(panel, make_view):
    view = make_view("circles-tanh", steps=300, ghosts=1)
    panel.update_view(view)
    (table, ghost) = panel.csv_tables()
    assert table.header == ("epoch", *KINDS)
    np.testing.assert_array_equal(table.rows[:, 0], _data(panel.curves["train_loss"])[0])
    for j, kind in enumerate(KINDS, start=1):
        np.testing.assert_array_equal(table.rows[:, j], _data(panel.curves[kind])[1])
    np.testing.assert_array_equal(ghost.rows[:, 1], _data(panel.ghosts[0][0])[1])
    assert ghost.header == ("epoch", "train_loss", "train_metric")
    panel.smooth_slider.setValue(90)
    table = panel.csv_tables()[0]
    assert table.header[5:] == tuple(k + "_raw" for k in KINDS)
    for j, kind in enumerate(KINDS, start=1):
        np.testing.assert_array_equal(table.rows[:, j], _data(panel.curves[kind])[1])
        np.testing.assert_array_equal(table.rows[:, j + 4], _data(panel.raw[kind])[1])


def test_theme_and_view_state(qtbot, panel, make_view):
    panel.update_view(make_view("circles-tanh", ghosts=1))
    counts = _item_counts(panel)
    panel.apply_theme(DARK)
    pen = panel.curves["test_loss"].opts["pen"]
    assert pen.color().name().upper() == series_color(DARK, 1).upper()
    assert _item_counts(panel) == counts
    panel.apply_theme(LIGHT)
    panel.smooth_slider.setValue(25)
    panel.log_box.setChecked(True)
    state = panel.view_state()
    assert state == {"log_y": True, "smoothing": 0.25}
    other = TrainingCurvesPanel()
    qtbot.addWidget(other)
    other.restore_view_state(state)
    assert other.view_state() == state
    other.restore_view_state({"log_y": "yes", "smoothing": 7})
    assert other.view_state() == state


def test_the_epoch_axis_starts_at_zero_and_moves_in_steps(qtbot):
    """Auto-range in steps (see _stable_range): never a band of negative epochs (the curves'
    pixel padding once pushed the range below 0) and only a few changes over a run."""
    import core
    import core.presets
    from gui.live_view import make_live_view

    panel = TrainingCurvesPanel()
    qtbot.addWidget(panel)
    panel.resize(470, 650)
    panel.show()
    exp = core.presets.get("circles-tanh").experiment
    trainer, ranges = exp.build_trainer(), []
    for _ in range(40):
        trainer.run(steps=100)
        view = dataclasses.replace(make_live_view(trainer, exp), running=True)
        panel.update_view(view)
        QApplication.processEvents()
        x0, x1 = panel.loss_plot.vb.viewRange()[0]
        assert x0 >= 0 and x1 >= trainer.epoch
        ranges.append((x0, x1))
    assert len(set(ranges)) <= 8  # 160 epochs: a handful of steps, not one per frame
    # paused: a still picture fits the data closely (no headroom to waste)
    panel.update_view(dataclasses.replace(view, running=False))
    QApplication.processEvents()
    x0, x1 = panel.loss_plot.vb.viewRange()[0]
    assert x0 >= 0 and trainer.epoch <= x1 <= trainer.epoch * 1.05
