"""Texts in a figure: where each one is, whether it is cut off or runs into another, and a
place for a note or a legend that keeps it clear of the data and of the other texts.

One module for both sides of the same question: the panels place their notes and legends
with :func:`place_note` and :func:`place_legend` (at every resize, and for an export's own
size), and :func:`problems` checks a finished layout (the export gallery, the laptop-size
tests). Everything is measured in scene coordinates on the laid-out scene: the ink of each
text (its box less the document margin), each view box's rectangle, and the curves and
symbols drawn in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsTextItem

__all__ = ["TextBox", "arrange", "crossings", "data_segments", "place_legend", "place_note",
           "problems", "view_corners",
           "scale_legends", "text_boxes"]

#: overlaps and overhangs smaller than this (px) are not counted: anti-aliasing, rounding
SLACK = 1.5


@dataclass(frozen=True)
class TextBox:
    """One text as drawn: ``kind`` is "note" (inside a plot), "legend" (a whole legend),
    "title", "axis" (an axis title), "tick" (a tick label) or "caption"; ``area`` is where it
    must stay (its view box for notes and legends, the figure for the rest)."""

    kind: str
    text: str
    rect: QRectF
    area: QRectF
    item: object
    view: pg.ViewBox | None = None


# --- measuring -------------------------------------------------------------------------------
def _ink(text_item: QGraphicsTextItem) -> QRectF:
    """The scene rectangle of a text item's text, without its document margin."""
    m = text_item.document().documentMargin()
    r = text_item.boundingRect().adjusted(m, m, -m, -m)
    return text_item.mapRectToScene(r)


def _owner(item) -> object | None:
    """The nearest legend, view box or plot above ``item``."""
    p = item.parentItem()
    while p is not None:
        if isinstance(p, pg.LegendItem | pg.ViewBox | pg.PlotItem | pg.AxisItem):
            return p
        p = p.parentItem()
    return None


def scale_legends(scene) -> None:
    """Let legends grow with the figure: pyqtgraph draws them at a fixed pixel size
    (ItemIgnoresTransformations), so a zoomed figure (presentation mode, presentation
    styling of an export) would keep them small."""
    flag = QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
    for item in scene.items():
        if isinstance(item, pg.LegendItem) and item.flags() & flag:
            item.setFlag(flag, False)


def _legend_box(legend: pg.LegendItem) -> QRectF:
    return legend.mapRectToScene(legend.boundingRect())


def _tick_boxes(axis: pg.AxisItem, area: QRectF) -> list[TextBox]:
    if not axis.isVisible() or axis.style.get("showValues") is False:
        return []
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        if axis.style["tickFont"]:
            painter.setFont(axis.style["tickFont"])
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    if not specs:
        return []
    return [TextBox("tick", text, axis.mapRectToScene(QRectF(rect)), area, axis)
            for rect, _flags, text in specs[2] if text.strip()]


def text_boxes(scene, area: QRectF) -> list[TextBox]:
    """Every visible text of ``scene`` (see :class:`TextBox`); ``area``: the figure."""
    boxes: list[TextBox] = []
    for item in scene.items():
        if isinstance(item, pg.LegendItem):
            if item.isVisible() and item.items:
                vb = item.parentItem() if isinstance(item.parentItem(), pg.ViewBox) else None
                boxes.append(TextBox("legend", " / ".join(lab.text for _, lab in item.items),
                                     _legend_box(item),
                                     vb.sceneBoundingRect() if vb is not None else area,
                                     item, vb))
            continue
        if isinstance(item, pg.AxisItem):
            boxes += _tick_boxes(item, area)
            continue
        if not isinstance(item, QGraphicsTextItem) or not item.isVisible():
            continue
        text = item.toPlainText().strip()
        if not text or item.effectiveOpacity() == 0:
            continue
        owner = _owner(item)
        if isinstance(owner, pg.LegendItem):
            continue  # the legend is measured as a whole
        parent = item.parentItem()
        if isinstance(parent, pg.TextItem):
            vb = parent.getViewBox()
            boxes.append(TextBox("note", text, _ink(item),
                                 vb.sceneBoundingRect() if vb is not None else area,
                                 parent, vb))
        elif isinstance(owner, pg.AxisItem):
            boxes.append(TextBox("axis", text, _ink(item), area, item))
        elif isinstance(owner, pg.PlotItem) and parent is owner.titleLabel:
            boxes.append(TextBox("title", text, _ink(item), area, item))
        else:
            boxes.append(TextBox("caption", text, _ink(item), area, item))
    return boxes


def _to_scene(vb: pg.ViewBox, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = vb.childGroup.sceneTransform()
    return (t.m11() * x + t.m21() * y + t.dx(), t.m12() * x + t.m22() * y + t.dy())


def data_segments(vb: pg.ViewBox) -> np.ndarray:
    """The curves and symbols drawn in ``vb`` as (n, 4) scene segments x0, y0, x1, y1 (a
    symbol is its box's diagonals). Fills, bars and images are not counted: texts may sit
    on those."""
    parts = []
    for item in vb.addedItems:
        if not item.isVisible():
            continue
        curves = [item.curve] if isinstance(item, pg.PlotDataItem) else [item]
        if isinstance(item, pg.PlotDataItem) and item.scatter.isVisible():
            curves.append(item.scatter)
        for c in curves:
            if isinstance(c, pg.PlotCurveItem) and c.isVisible():
                parts.append(_curve_segments(vb, c))
            elif isinstance(c, pg.ScatterPlotItem) and c.isVisible():
                parts.append(_symbol_segments(vb, c))
    parts = [p for p in parts if len(p)]
    return np.concatenate(parts) if parts else np.zeros((0, 4))


def _curve_segments(vb, curve: pg.PlotCurveItem) -> np.ndarray:
    x, y = curve.getData()
    pen = curve.opts.get("pen")
    if x is None or len(x) < 2 or pen is None or pg.mkPen(pen).style() == 0:
        return np.zeros((0, 4))
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) == len(y) + 1:  # stepMode="center": the outline of the steps
        x, y = np.repeat(x, 2)[1:-1], np.repeat(y, 2)
    sx, sy = _to_scene(vb, x[: len(y)], y[: len(x)])
    seg = np.column_stack([sx[:-1], sy[:-1], sx[1:], sy[1:]])
    connect = curve.opts.get("connect")
    if isinstance(connect, str) and connect == "pairs":
        seg = seg[::2]
    return seg[np.isfinite(seg).all(axis=1)]


def _symbol_segments(vb, scatter: pg.ScatterPlotItem) -> np.ndarray:
    if len(scatter.data) == 0:
        return np.zeros((0, 4))
    sx, sy = _to_scene(vb, scatter.data["x"].astype(float), scatter.data["y"].astype(float))
    r = np.asarray(scatter.data["size"], dtype=float)
    r = np.where(r < 0, scatter.opts["size"], r) / 2
    ok = np.isfinite(sx) & np.isfinite(sy)
    sx, sy, r = sx[ok], sy[ok], r[ok]
    return np.concatenate([np.column_stack([sx - r, sy - r, sx + r, sy + r]),
                           np.column_stack([sx - r, sy + r, sx + r, sy - r])])


def crossings(rect: QRectF, segments: np.ndarray, inset: float = 2.0) -> int:
    """How many of ``segments`` pass through ``rect`` (shrunk by ``inset``): Liang–Barsky."""
    if not len(segments):
        return 0
    left, top = rect.left() + inset, rect.top() + inset
    right, bottom = rect.right() - inset, rect.bottom() - inset
    if right <= left or bottom <= top:
        return 0
    x0, y0, x1, y1 = segments.T
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = np.zeros(len(x0)), np.ones(len(x0))
    ok = np.ones(len(x0), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0)):
            flat = p == 0
            ok &= ~(flat & (q < 0))
            t = q / p
            t0 = np.where((p < 0) & ~flat, np.maximum(t0, t), t0)
            t1 = np.where((p > 0) & ~flat, np.minimum(t1, t), t1)
    return int((ok & (t0 <= t1)).sum())


def _overlap(a: QRectF, b: QRectF) -> bool:
    r = a.intersected(b)
    return r.width() > SLACK and r.height() > SLACK


def _inside(rect: QRectF, area: QRectF) -> bool:
    return (rect.left() >= area.left() - SLACK and rect.top() >= area.top() - SLACK
            and rect.right() <= area.right() + SLACK and rect.bottom() <= area.bottom() + SLACK)


# --- checking ---------------------------------------------------------------------------------
def problems(scene, area: QRectF, *, data_kinds: Sequence[str] = ()) -> list[str]:
    """What is wrong with the texts of a laid-out ``scene`` whose figure is ``area``: a text
    that leaves its area (cut off at a plot's or the figure's edge), two texts that overlap
    (tick labels of one axis excepted), and for the kinds in ``data_kinds`` ("note",
    "legend") a text drawn across the curves or symbols of its plot. One sentence each."""
    boxes = text_boxes(scene, area)
    out = []
    for b in boxes:
        if not _inside(b.rect, b.area):
            where = "its plot" if b.area != area else "the figure"
            out.append(f"{b.kind} {b.text[:40]!r} leaves {where} ({_fmt(b.rect)} outside "
                       f"{_fmt(b.area)})")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a.kind == b.kind == "tick" and a.item is b.item:
                continue
            if _overlap(a.rect, b.rect):
                out.append(f"{a.kind} {a.text[:40]!r} overlaps {b.kind} {b.text[:40]!r}")
    segments: dict[int, np.ndarray] = {}
    for b in boxes:
        if b.kind in data_kinds and b.view is not None:
            seg = segments.setdefault(id(b.view), data_segments(b.view))
            n = crossings(b.rect, seg)
            if n:
                out.append(f"{b.kind} {b.text[:40]!r} is drawn across the data ({n} pieces)")
    return out


def _fmt(r: QRectF) -> str:
    return f"[{r.left():.0f}, {r.top():.0f}, {r.right():.0f}, {r.bottom():.0f}]"


# --- placing -----------------------------------------------------------------------------------
def _score(rect: QRectF, vb: pg.ViewBox, segments: np.ndarray, avoid: Iterable[QRectF]
           ) -> float:
    area = vb.sceneBoundingRect()
    outside = 0.0 if _inside(rect, area) else 1e6
    hits = sum(1 for r in avoid if _overlap(rect, r))
    return outside + 1e4 * hits + crossings(rect, segments)


def place_note(note: pg.TextItem, candidates: Sequence[tuple[QPointF | tuple, tuple]],
               avoid: Iterable[QRectF] = (), segments: np.ndarray | None = None) -> QRectF:
    """Put ``note`` at the first of ``candidates`` ((view position, anchor) pairs) where it
    stays inside its plot, clear of ``avoid`` (other texts' scene rectangles) and of the
    plot's curves, or else where it does least harm. Returns its scene rectangle."""
    vb = note.getViewBox()
    if vb is None or not candidates:
        return QRectF()
    if segments is None:
        segments = data_segments(vb)
    avoid = list(avoid)
    best, best_score = candidates[0], None
    for pos, anchor in candidates:
        note.setAnchor(anchor)
        note.setPos(*pos) if isinstance(pos, tuple) else note.setPos(pos)
        note.updateTransform(force=True)
        score = _score(_ink(note.textItem), vb, segments, avoid)
        if best_score is None or score < best_score:
            best, best_score = (pos, anchor), score
        if score == 0:
            break
    pos, anchor = best
    note.setAnchor(anchor)
    note.setPos(*pos) if isinstance(pos, tuple) else note.setPos(pos)
    note.updateTransform(force=True)
    return _ink(note.textItem)


def place_legend(legend: pg.LegendItem, avoid: Iterable[QRectF] = (),
                 corners: Sequence[tuple[float, float]] = ((1, 0), (0, 0), (1, 1), (0, 1)),
                 margin: float = 6.0) -> QRectF:
    """Anchor ``legend`` (inside a view box) in the corner where it covers the fewest curve
    pieces and symbols and no text of ``avoid``; the first corner wins ties."""
    vb = legend.parentItem()
    if not isinstance(vb, pg.ViewBox) or not legend.items:
        return _legend_box(legend)
    segments = data_segments(vb)
    avoid = list(avoid)
    best, best_score = corners[0], None
    for corner in corners:
        _anchor(legend, corner, margin)
        score = _score(_legend_box(legend), vb, segments, avoid)
        if best_score is None or score < best_score:
            best, best_score = corner, score
        if score == 0:
            break
    _anchor(legend, best, margin)
    return _legend_box(legend)


def _anchor(legend: pg.LegendItem, corner: tuple[float, float], margin: float) -> None:
    cx, cy = corner
    legend.anchor(itemPos=corner, parentPos=corner,
                  offset=(margin if cx == 0 else -margin, margin if cy == 0 else -margin))


def view_corners(vb: pg.ViewBox) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(view position, anchor) candidates for :func:`place_note` that put a note just inside
    each corner of ``vb``, then the middle of its top and bottom edges."""
    (x0, x1), (y0, y1) = vb.viewRange()
    inverted = vb.yInverted()
    top, bottom = (y0, y1) if inverted else (y1, y0)
    xm = 0.5 * (x0 + x1)
    return [((x0, top), (-0.03, -0.08)), ((x1, top), (1.03, -0.08)),
            ((x0, bottom), (-0.03, 1.08)), ((x1, bottom), (1.03, 1.08)),
            ((xm, top), (0.5, -0.08)), ((xm, bottom), (0.5, 1.08))]


def arrange(vb: pg.ViewBox, legend: pg.LegendItem | None,
            notes: Sequence[tuple[pg.TextItem, Sequence]]) -> list[QRectF]:
    """The legend into its best corner, then each visible note at the best of its own
    candidates (see :func:`place_note`) or of the view's corners, clear of the legend and
    of the notes placed before it. Returns the texts' scene rectangles."""
    taken: list[QRectF] = []
    if legend is not None and legend.isVisible() and legend.items:
        taken.append(place_legend(legend))
    segments = data_segments(vb)
    corners = view_corners(vb)
    for note, candidates in notes:
        if note.isVisible():
            taken.append(place_note(note, [*candidates, *corners], taken, segments))
    return taken
