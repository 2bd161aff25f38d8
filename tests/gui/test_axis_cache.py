"""Axes are drawn once and then blitted; a frame that changes nothing redraws no axis.

Redrawing every axis on every frame (the tick text) was most of the window's drawing time, so
each thing that silently threw the drawn axis away is a test here.
"""

from __future__ import annotations

import dataclasses

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from gui.panels import _axis
from gui.panels._axis import CachedAxis, axis_items
from gui.panels.registry import panel_classes


@pytest.fixture
def draws(monkeypatch):
    """Counts full axis drawings (tick layout + text), per axis."""
    counts: dict[int, int] = {}
    original = CachedAxis._draw

    def counting(self, p):
        counts[id(self)] = counts.get(id(self), 0) + 1
        return original(self, p)

    monkeypatch.setattr(_axis.CachedAxis, "_draw", counting)
    return counts


def _plot(qtbot):
    w = pg.PlotWidget(axisItems=axis_items())
    qtbot.addWidget(w)
    w.resize(300, 200)
    w.show()
    qtbot.waitExposed(w)
    w.plot([0, 1, 2], [3, 1, 2])
    return w


def test_repaints_reuse_the_drawn_axis(qtbot, draws):
    w = _plot(qtbot)
    w.grab()
    first = sum(draws.values())
    assert first >= 2  # left and bottom
    for _ in range(3):
        w.grab()
    assert sum(draws.values()) == first


def test_a_new_range_label_or_size_redraws_it(qtbot, draws):
    w = _plot(qtbot)
    w.grab()
    n = sum(draws.values())
    w.setXRange(0, 50, padding=0)
    w.grab()
    assert sum(draws.values()) > n
    n = sum(draws.values())
    w.getPlotItem().setLabel("bottom", "epoch")
    w.grab()
    assert sum(draws.values()) > n
    n = sum(draws.values())
    w.getPlotItem().setLabel("bottom", "epoch")  # the same label again: nothing to redraw
    w.grab()
    assert sum(draws.values()) == n


def test_a_scaled_view_draws_its_axis_at_its_own_scale(qtbot):
    """A panel drawn smaller to fit its dock (or larger, in presentation mode): the axis is
    drawn at that scale, not blitted from a 1:1 pixmap, which lost its 1-px minus signs."""
    w = _plot(qtbot)
    w.setXRange(-5, 5, padding=0)
    bottom = w.getPlotItem().getAxis("bottom")
    w.grab()
    assert bottom.picture[1].devicePixelRatio() == pytest.approx(w.devicePixelRatioF())
    # the view shrinks the scene, as Panel._view_scale does
    pg.GraphicsView.setRange(w, QRectF(0, 0, w.width() / 0.75, w.height() / 0.75),
                             padding=0, disableAutoPixel=True)
    w.grab()
    assert bottom.picture[1].devicePixelRatio() == pytest.approx(0.75 * w.devicePixelRatioF(),
                                                                 abs=0.02)


def test_exports_draw_the_axis_as_vectors(qtbot, draws):
    w = _plot(qtbot)
    w.grab()
    n = sum(draws.values())
    image = QImage(600, 400, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    w.scene().render(painter, QRectF(0, 0, 600, 400), w.sceneRect())
    painter.end()
    assert sum(draws.values()) > n  # drawn afresh for the export, not blitted
    assert sum(draws.values()) - n == sum(1 for it in w.scene().items()
                                          if isinstance(it, CachedAxis) and it.isVisible())


@pytest.mark.parametrize("cls", panel_classes(), ids=lambda c: c.panel_id)
def test_an_unchanged_frame_redraws_no_axis(qtbot, make_view, draws, cls):
    panel = cls()
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    panel.show()
    qtbot.waitExposed(panel)
    still = make_view("circles-tanh", steps=60)
    panel.update_view(still)
    if hasattr(panel, "select_node"):  # the network graph's side plots show a selected unit
        panel.select_node(0, 3)
    for view in (still, dataclasses.replace(still, running=True)):  # paused, then training
        panel.update_view(view)
        panel.canvas.grab()
        panel.update_view(view)  # the same frame once more settles sizes that depend on text
        panel.canvas.grab()
        n = dict(draws)
        for _ in range(3):
            panel.update_view(view)
            panel.canvas.grab()
        assert draws == n, "an axis was thrown away by a frame that changed nothing"


def test_only_left_and_bottom_axes_show_unless_asked_for(qtbot):
    # pyqtgraph shows every axis handed to it: handing all four drew stray top/right labels
    plot = pg.PlotItem(axisItems=axis_items())
    shown = {side for side in ("left", "bottom", "top", "right")
             if plot.getAxis(side).isVisible()}
    assert shown == {"left", "bottom"}
    assert isinstance(plot.getAxis("left"), CachedAxis)
    framed = pg.PlotItem(axisItems=axis_items(top=CachedAxis("top")))
    assert framed.getAxis("top").isVisible() and not framed.getAxis("right").isVisible()
