"""An axis that draws its ticks and labels once into a pixmap and reuses it on every repaint.

pyqtgraph's ``AxisItem`` records its drawing in a ``QPicture`` and replays it on each paint; the
replay re-renders every label (about 3 ms an axis here, measured with
``benchmarks/bench_gui.py``), and a live panel repaints its plots up to 30 times a second while
the axes stay the same. A pixmap of the finished axis costs a single blit instead.

Exports are different: when the scene is rendered into an image or an SVG (``widget`` is None)
the axis is drawn directly, as vectors, at whatever scale the export uses.
"""

from __future__ import annotations

import logging

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter, QPixmap

__all__ = ["CachedAxis", "axis_items"]

_log = logging.getLogger("activation_lab")


class CachedAxis(pg.AxisItem):
    """``pg.AxisItem`` with a pixmap cache for on-screen painting (see the module note).

    pyqtgraph sets ``self.picture = None`` whenever the axis must be drawn anew (range, size,
    style, label changes); the cache follows that same signal.
    """

    def paint(self, p, opt, widget):
        # an exception escaping a paint() override can crash Qt's next paint: log it instead
        try:
            self._paint(p, widget)
        except Exception:
            _log.exception("drawing an axis failed")
            self.picture = None

    def _paint(self, p, widget) -> None:
        if widget is None:  # an export: draw vectors, never the screen's pixels
            self._draw(p)
            return
        rect = self.boundingRect()
        # the view's own scale too (presentation zoom; a panel drawn smaller to fit, see
        # Panel._view_scale): a pixmap blitted at another scale blurs its labels or, shrunk,
        # drops the 1-px minus signs ("−4" read "4")
        t = p.worldTransform()
        dpr = widget.devicePixelRatioF() * max(abs(t.m11()), abs(t.m22()), 1e-3)
        key = (rect.x(), rect.y(), rect.width(), rect.height(), dpr)
        cached = self.picture
        if not (isinstance(cached, tuple) and cached[0] == key):
            w, h = int(rect.width() * dpr + 0.999), int(rect.height() * dpr + 0.999)
            if w <= 0 or h <= 0:
                return
            pixmap = QPixmap(w, h)
            pixmap.setDevicePixelRatio(dpr)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            try:
                painter.translate(-rect.topLeft())
                self._draw(painter)
            finally:
                painter.end()
            self.picture = cached = (key, pixmap)
        p.drawPixmap(QPointF(rect.x(), rect.y()), cached[1])

    def show(self):
        # PlotItem.setLabel calls show() each time; pyqtgraph's show() re-measures the axis and
        # throws the drawn one away even when it was visible already
        if not self.isVisible():
            super().show()

    def setLabel(self, text=None, units=None, unitPrefix=None, **args):  # noqa: N802
        # Panels set their labels on every frame; pyqtgraph re-lays the label out and throws
        # the drawn axis away each time, so an unchanged label is let through only once.
        key = (text, units, unitPrefix, tuple(sorted(args.items())))
        if key == getattr(self, "_label_key", None):
            return
        self._label_key = key
        super().setLabel(text, units, unitPrefix, **args)

    def _draw(self, p) -> None:
        p.save()
        try:
            if self.style["tickFont"]:
                p.setFont(self.style["tickFont"])
            specs = self.generateDrawSpecs(p)
            if specs is not None:
                self.drawPicture(p, *specs)
        finally:
            p.restore()


def axis_items(**special: pg.AxisItem) -> dict[str, pg.AxisItem]:
    """``axisItems`` for a ``PlotItem``: a ``CachedAxis`` left and bottom unless given, and
    ``special`` (e.g. ``top=CachedAxis("top")``) as given.

    pyqtgraph shows every axis passed in ``axisItems``, so the top and right axes are passed
    only by a plot that shows them; the others keep pyqtgraph's own, hidden ones.
    """
    return {"left": CachedAxis("left"), "bottom": CachedAxis("bottom"), **special}
