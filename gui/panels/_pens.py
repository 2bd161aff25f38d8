"""Cosmetic pens widened in place, with a way back: for exports at 2–4× (lines stay
proportionally thick) and for presentation mode on screen (thicker lines for a projector).

Pens are swapped in the items' own option dicts rather than through ``setPen`` where a setter
would also re-range the view (pen width is part of a curve's bounds) or recolour axis labels.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QAbstractGraphicsShapeItem, QGraphicsLineItem

__all__ = ["Thickener", "widen"]


def _wide(pen, scale: float) -> QPen | None:
    """``pen`` widened ``scale`` times, or None when it is not a visible cosmetic pen."""
    if not isinstance(pen, QPen) or pen.style() == Qt.PenStyle.NoPen or not pen.isCosmetic():
        return None
    wide = QPen(pen)
    wide.setWidthF(max(pen.widthF(), 1.0) * scale)
    return wide


def _swap(obj, key: str, scale: float, on_change: Callable[[], None] | None = None
          ) -> list[Callable[[], None]]:
    """Widen ``obj[key]`` (a dict entry) or ``obj.key`` (an attribute) in place; return undo."""
    is_dict = isinstance(obj, dict)
    old = obj.get(key) if is_dict else getattr(obj, key, None)
    wide = _wide(old, scale)
    if wide is None:
        return []

    def put(value) -> None:
        if is_dict:
            obj[key] = value
        else:
            setattr(obj, key, value)
        if on_change is not None:
            on_change()

    put(wide)
    return [lambda: put(old)]


def widen(item, scale: float) -> list[Callable[[], None]]:
    """Widen the cosmetic pens one scene item paints with.

    Pens are swapped in the items' own option dicts rather than through ``setPen`` where a
    setter would also re-range the view (pen width is part of a curve's bounds) or recolour
    axis labels; each swap returns the function that puts the original back.
    """
    undo: list[Callable[[], None]] = []
    if isinstance(item, pg.PlotDataItem):  # the legend's sample line is drawn from these
        undo += _swap(item.opts, "pen", scale)
    elif isinstance(item, pg.PlotCurveItem):
        undo += _swap(item.opts, "pen", scale)
        undo += _swap(item.opts, "shadowPen", scale)
    elif isinstance(item, pg.ScatterPlotItem):
        undo += _swap(item.opts, "pen", scale)
        pens = item.data["pen"]
        old = pens.copy()
        widened = [_wide(p, scale) for p in old]
        if any(w is not None for w in widened):
            for i, w in enumerate(widened):
                if w is not None:
                    pens[i] = w

            def restore(pens=pens, old=old) -> None:
                pens[:] = old

            undo.append(restore)
    elif isinstance(item, pg.AxisItem):  # axis line, ticks and grid
        def redraw(ax=item) -> None:
            ax.picture = None

        undo += _swap(item, "_pen", scale, redraw)
        undo += _swap(item, "_tickPen", scale, redraw)
    elif isinstance(item, pg.InfiniteLine):
        undo += _swap(item, "pen", scale)
        undo += _swap(item, "currentPen", scale)
    elif isinstance(item, pg.BarGraphItem):
        def repaint(bars=item) -> None:
            bars.picture = None

        undo += _swap(item.opts, "pen", scale, repaint)
        undo += _swap(item, "_sharedPen", scale, repaint)
    elif isinstance(item, pg.LegendItem):
        undo += _swap(item.opts, "pen", scale)
    elif isinstance(item, pg.IsocurveItem):
        undo += _swap(item, "pen", scale)
    elif isinstance(item, pg.ViewBox):
        undo += _swap(item, "border", scale)
    elif isinstance(item, QAbstractGraphicsShapeItem | QGraphicsLineItem):
        old = item.pen()
        wide = _wide(old, scale)
        if wide is not None:
            item.setPen(wide)
            undo.append(lambda it=item, pen=old: it.setPen(pen))
    return undo


class Thickener:
    """Keeps a scene's cosmetic pens ``line`` times wider and its scatter symbols ``marker``
    times larger (presentation mode on screen), whatever pens the panel sets later.

    :meth:`apply` runs before each paint: a pen or size it did not make itself (the panel
    set a new one) is scaled then, so panels keep setting their usual pens. With both
    factors 1 it puts back what it changed and does nothing more.
    """

    def __init__(self) -> None:
        self.line = 1.0
        self.marker = 1.0
        # item → {slot: (original, ours)}; symbol sizes under the slot "size"
        self._made: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def set_factors(self, line: float, marker: float) -> None:
        if (line, marker) != (self.line, self.marker):
            self.restore()
            self.line, self.marker = line, marker

    def restore(self) -> None:
        for item, slots in list(self._made.items()):
            for slot, (original, ours) in slots.items():
                if slot == "size":
                    if np.array_equal(item.data["size"], ours):
                        item.setSize(original)
                elif _get(item, slot) is ours or slot == "setPen" and item.pen() == ours:
                    _put(item, slot, original)
        self._made = weakref.WeakKeyDictionary()

    def apply(self, items) -> None:
        if self.line == 1 and self.marker == 1:
            return
        for item in items:
            for slot in _slots(item):
                self._pen(item, slot)
            if self.marker != 1 and isinstance(item, pg.ScatterPlotItem) and len(item.data):
                self._size(item)

    def _pen(self, item, slot: str) -> None:
        made = self._made.setdefault(item, {})
        current = _get(item, slot)
        # item.pen() hands out a copy each time: that one is ours when it equals ours (an
        # identity test widened it again before every paint, until Qt refused the width)
        if slot in made and (made[slot][1] is current
                             or slot == "setPen" and made[slot][1] == current):
            return
        wide = _wide(current, self.line)
        if wide is not None:
            made[slot] = (current, wide)
            # no update(): the paint this runs before draws the new pen; asking for another
            # would paint every frame twice
            _put(item, slot, wide, repaint=False)

    def _size(self, item) -> None:
        made = self._made.setdefault(item, {})
        sizes = item.data["size"]
        if "size" in made and np.array_equal(made["size"][1], sizes):
            return
        # -1 means "the item's default size" (opts["size"]) to pyqtgraph: scale that one
        ours = np.where(sizes < 0, item.opts["size"], sizes) * self.marker
        made["size"] = (sizes.copy(), ours)
        item.setSize(ours)


def _slots(item) -> tuple[str, ...]:
    """Where ``item`` keeps its cosmetic pens (as in :func:`widen`)."""
    if isinstance(item, pg.PlotCurveItem):
        return ("opts.pen", "opts.shadowPen")
    if isinstance(item, pg.ScatterPlotItem):
        return ("opts.pen",)
    if isinstance(item, pg.InfiniteLine):
        return ("pen", "currentPen")
    if isinstance(item, pg.BarGraphItem):
        return ("opts.pen", "_sharedPen")
    if isinstance(item, pg.IsocurveItem):
        return ("pen",)
    if isinstance(item, QAbstractGraphicsShapeItem | QGraphicsLineItem):
        return ("setPen",)
    return ()


def _get(item, slot: str):
    if slot == "setPen":
        return item.pen()
    if slot.startswith("opts."):
        return item.opts.get(slot[5:])
    return getattr(item, slot, None)


def _put(item, slot: str, pen, repaint: bool = True) -> None:
    if slot == "setPen":
        item.setPen(pen)
    elif slot.startswith("opts."):
        item.opts[slot[5:]] = pen
    else:
        setattr(item, slot, pen)
    if isinstance(item, pg.BarGraphItem):
        item.picture = None
    if repaint:
        item.update()
