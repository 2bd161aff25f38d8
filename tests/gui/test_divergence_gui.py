"""Divergence in the full window: training pauses with a message naming the step and the layer,
no inf or NaN reaches any plot, and Reset brings back a working run."""

from __future__ import annotations

import re
from operator import attrgetter

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QMessageBox

from core.experiment import LayerConfig
from gui.main_window import MainWindow

MESSAGE = re.compile(r"step (\d+) in layer '(hidden \d+|output)'")
NUMBER_WORD = re.compile(r"\b(nan|inf|-inf)\b", re.IGNORECASE)

DIVERGING = {
    "sigmoid-lr-50": dict(
        network={"hidden": (LayerConfig(8, "sigmoid"),), "output_activation": "identity"},
        training={"lr": 50.0, "optimizer": "sgd", "loss": "mse", "batch_size": 40}),
    "exploding-relu": dict(
        network={"hidden": (LayerConfig(32, "relu"),) * 6, "output_activation": "identity",
                 "init": "he_normal"},
        training={"lr": 3.0, "optimizer": "sgd", "loss": "mse", "batch_size": 10}),
}


def plotted_arrays(item) -> list[np.ndarray]:
    """Every number array a graphics item draws from (empty for decoration)."""
    if isinstance(item, pg.PlotDataItem | pg.PlotCurveItem):
        return [a for a in item.getData() if a is not None]
    if isinstance(item, pg.ScatterPlotItem):
        return [item.data["x"], item.data["y"]]
    if isinstance(item, pg.ImageItem):
        return [] if item.image is None else [item.image]
    if isinstance(item, pg.BarGraphItem):
        return [np.asarray(v) for k, v in item.opts.items()
                if k in ("x", "x0", "x1", "y", "y0", "y1", "height", "width") and v is not None]
    return []


def bad_items(window: MainWindow, texts: bool = False) -> tuple[list[str], int]:
    """(descriptions of items holding inf, or NaN outside the gaps panels mark on purpose;
    number of arrays inspected). With ``texts``: plot texts showing 'nan' or 'inf' instead."""
    bad, seen = [], 0
    for pid, panel in window.panels.items():
        for view in panel.findChildren(pg.GraphicsView):
            for item in view.scene().items():
                for a in [] if texts else plotted_arrays(item):
                    a = np.asarray(a)
                    if a.dtype.kind not in "fc" or a.size == 0:
                        continue
                    seen += 1
                    if np.isinf(a).any():
                        bad.append(f"{pid}: {type(item).__name__} holds inf")
                    elif np.isnan(a).all():
                        bad.append(f"{pid}: {type(item).__name__} holds only NaN")
                    elif np.isnan(a).any() and isinstance(item, pg.ImageItem):
                        bad.append(f"{pid}: image holds NaN")
                text = None
                if not texts:
                    pass
                elif isinstance(item, pg.TextItem):
                    text = item.toPlainText()
                elif isinstance(item, pg.LabelItem):
                    text = item.text
                if text and NUMBER_WORD.search(re.sub(r"<[^>]+>", " ", text)):
                    bad.append(f"{pid}: text shows {text!r}")
    return bad, seen


def draw_every_panel(window: MainWindow, view) -> None:
    for pid, panel in window.panels.items():
        window.docks[pid].raise_()
        panel.update_view(view)


@pytest.fixture
def lab(make_lab):
    """The window as the app wires it at 1366×768, in its own theme, shown and started."""
    return make_lab(theme=None)


def test_the_walker_sees_plots_and_finds_planted_inf(window, qtbot):
    s = window.session
    with qtbot.waitSignal(s.viewChanged, timeout=10000):
        s.step(20)
    draw_every_panel(window, s.last_view)
    bad, seen = bad_items(window)
    assert bad == [] and seen >= 10
    curve = next(it for v in window.panels["training_curves"].findChildren(pg.GraphicsView)
                 for it in v.scene().items() if isinstance(it, pg.PlotDataItem))
    curve.setData([0.0, 1.0], [1.0, np.inf])
    assert any("inf" in b for b in bad_items(window)[0])


def diverge(window: MainWindow, qtbot, case: str) -> str:
    s = window.session
    assert s.update(**DIVERGING[case])
    with qtbot.waitSignal(s.problem, timeout=30000) as blocker:
        s.play()
    qtbot.waitUntil(lambda: not s.running, timeout=5000)
    with qtbot.waitSignal(s.viewChanged, timeout=5000):
        s.refresh()
    draw_every_panel(window, s.last_view)
    return blocker.args[0]


@pytest.mark.parametrize("case", sorted(DIVERGING))
def test_divergence_pauses_names_step_and_layer_and_plots_stay_finite(window, qtbot, case):
    s = window.session
    message = diverge(window, qtbot, case)
    found = MESSAGE.search(message)
    assert found, message
    assert "learning rate" in message  # the remedy
    assert window.transport.play.text() == "Play"
    assert window.statusBar().currentMessage() == message
    box = window.findChild(QMessageBox, "activation-lab-warning")
    assert box is not None and box.isVisible() and box.text() == message
    # the run stopped before the failed step, and the weights are the last finite ones
    step_count = s.call(attrgetter("step_count")).result(timeout=5)
    assert step_count == int(found.group(1)) - 1
    assert np.isfinite(s.call(attrgetter("net.flat")).result(timeout=5)).all()
    # the frame after the pause, drawn on every panel: nothing non-finite is plotted
    assert s.last_view.snapshot.step == step_count
    bad, seen = bad_items(window)
    assert bad == [], bad
    assert seen >= 10
    assert not NUMBER_WORD.search(window.status_metrics.text())

    # Reset: a fresh run from the seed, and with a sane rate it trains without a problem
    with qtbot.waitSignal(s.viewChanged, timeout=10000):
        assert s.reset()
    qtbot.waitUntil(lambda: s.last_view.snapshot.step == 0, timeout=5000)
    problems: list[str] = []
    s.problem.connect(problems.append)
    assert s.update(training={"lr": 0.01})
    s.play()
    qtbot.waitUntil(lambda: s.last_view.snapshot.step >= 200, timeout=20000)
    with qtbot.waitSignal(s.runningChanged, timeout=5000):
        s.pause()
    assert problems == []
    draw_every_panel(window, s.last_view)
    assert bad_items(window)[0] == []


@pytest.mark.parametrize("case", sorted(DIVERGING))
def test_after_divergence_no_plot_text_reads_nan_or_inf(window, qtbot, case):
    diverge(window, qtbot, case)
    bad, _ = bad_items(window, texts=True)
    assert bad == [], bad
    assert all(len(t) < 400 for t in _plot_texts(window)), "a number printed in full"


def _plot_texts(window: MainWindow) -> list[str]:
    return [item.text if isinstance(item, pg.LabelItem) else item.toPlainText()
            for panel in window.panels.values() for view in panel.findChildren(pg.GraphicsView)
            for item in view.scene().items() if isinstance(item, pg.LabelItem | pg.TextItem)]
