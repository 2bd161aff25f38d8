"""48×48 pictures of the data sets for the dataset menu: the 2-D points, coloured by class.

Data sets without a 2-D input plane get a glyph for their task instead (bars for classes, a
curve for regression). Pictures are drawn once per name and kept.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

import core.datasets as datasets

from ..theme import LIGHT

__all__ = ["SIZE", "dataset_icon", "dataset_pixmap"]

SIZE = 48
_PAD = 3.0
_cache: dict[str, QPixmap] = {}

#: class colours: negative, positive, then the rest of the cycle for more classes
_CLASS_COLORS = (LIGHT.negative, LIGHT.positive) + tuple(
    c for c in LIGHT.series if c not in (LIGHT.negative, LIGHT.positive, "#000000")
)


def dataset_icon(name: str) -> QIcon:
    return QIcon(dataset_pixmap(name))


def dataset_pixmap(name: str) -> QPixmap:
    """The thumbnail of data set ``name`` (drawn on first use, then cached)."""
    pix = _cache.get(name)
    if pix is None:
        pix = _draw(name)
        _cache[name] = pix
    return pix


def _draw(name: str) -> QPixmap:
    pix = QPixmap(SIZE, SIZE)
    pix.fill(QColor("#FFFFFF"))
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor("#B0B0B0"), 1))
    p.drawRect(QRectF(0.5, 0.5, SIZE - 1, SIZE - 1))
    try:
        info = datasets.describe(name)
        if info.is_2d or (info.task == "regression" and not info.whole_table):
            n = None if info.whole_table else min(200, info.n_range[1])
            _points(p, datasets.load(name, n=n, seed=0))
        elif name == "digits":
            _digit(p, datasets.load(name, seed=0))
        elif name == "seven_segment":
            _seven_segment(p)
        else:
            _glyph(p, info.task)
    except Exception:  # a broken generator must not break the menu: draw a plain glyph
        _glyph(p, "table")
    p.end()
    return pix


def _points(p: QPainter, ds) -> None:
    """2-D inputs coloured by class (or by target value); 1-D regression as x against y."""
    raw = np.concatenate([ds.raw_train, ds.raw_test])
    y = np.concatenate([ds.y_train, ds.y_test])
    if raw.shape[1] == 1:  # a curve: plot the target against the input
        xy, colors = np.concatenate([raw, y[:, :1]], axis=1), None
    else:
        xy = raw[:, :2]
        if ds.task == "regression":
            v = y[:, 0]
            t = (v - v.min()) / (np.ptp(v) or 1.0)
            colors = [_ramp(float(a)) for a in t]
        else:
            cls = datasets.labels(y, ds.negative, ds.positive)
            colors = [QColor(_CLASS_COLORS[c % len(_CLASS_COLORS)]) for c in cls]
    few = len(xy) < 30
    pad = 8.0 if few else _PAD + 1
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    xy = (xy - lo) / span * (SIZE - 2 * pad) + pad
    r = 4.0 if few else 1.6
    p.setPen(Qt.PenStyle.NoPen)
    for i, (x, yy) in enumerate(xy):
        p.setBrush(colors[i] if colors is not None else QColor(LIGHT.series[0]))
        p.drawEllipse(QPointF(x, SIZE - yy), r, r)  # y up, as on the plots


def _ramp(t: float) -> QColor:
    """Blue → pink → orange: a vivid ramp for target values (no muddy middle)."""
    a, b, c = (QColor(LIGHT.negative), QColor("#CC79A7"), QColor(LIGHT.positive))
    return _mix(a, b, 2 * t) if t < 0.5 else _mix(b, c, 2 * t - 1)


def _digit(p: QPainter, ds) -> None:
    """The first handwritten digit as its 8×8 grey pixels."""
    img = ds.raw_train[0].reshape(8, 8)
    img = img / (img.max() or 1.0)
    cell = (SIZE - 8) / 8
    p.setPen(Qt.PenStyle.NoPen)
    for (i, j), v in np.ndenumerate(img):
        g = int(255 * (1 - v))
        p.setBrush(QColor(g, g, g))
        p.drawRect(QRectF(4 + j * cell, 4 + i * cell, cell, cell))


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(a.redF() + t * (b.redF() - a.redF()),
                           a.greenF() + t * (b.greenF() - a.greenF()),
                           a.blueF() + t * (b.blueF() - a.blueF()))


def _seven_segment(p: QPainter) -> None:
    """A seven-segment "4": lit segments orange, dark ones pale."""
    x0, x1, y0, y1, y2 = 14.0, 34.0, 7.0, 24.0, 41.0
    segments = {"a": (x0, y0, x1, y0), "b": (x1, y0, x1, y1), "c": (x1, y1, x1, y2),
                "d": (x0, y2, x1, y2), "e": (x0, y1, x0, y2), "f": (x0, y0, x0, y1),
                "g": (x0, y1, x1, y1)}
    lit = {"b", "c", "f", "g"}
    for key, (ax, ay, bx, by) in segments.items():
        pen = QPen(QColor(LIGHT.positive if key in lit else "#E4E4E4"), 4.5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.drawLine(QPointF(ax, ay), QPointF(bx, by))


def _glyph(p: QPainter, task: str) -> None:
    if task == "regression":  # a sine curve
        path = QPainterPath()
        xs = np.linspace(6, SIZE - 6, 40)
        ys = SIZE / 2 - 14 * np.sin((xs - 6) / (SIZE - 12) * 2 * np.pi)
        path.moveTo(xs[0], ys[0])
        for x, y in zip(xs[1:], ys[1:]):
            path.lineTo(x, y)
        p.setPen(QPen(QColor(LIGHT.series[0]), 2.5))
        p.drawPath(path)
        return
    if task == "table":  # a table of numbers (CSV files)
        p.setPen(QPen(QColor("#808080"), 1))
        for k in range(5):
            y = 8 + k * 8
            p.drawLine(QPointF(6, y), QPointF(SIZE - 6, y))
        for x in (6, 20, 34, SIZE - 6):
            p.drawLine(QPointF(x, 8), QPointF(x, 40))
        return
    # classes: a small bar chart, one bar per class colour
    heights = (22, 32, 16, 26) if task == "multiclass" else (30, 18)
    p.setPen(Qt.PenStyle.NoPen)
    width = (SIZE - 12) / len(heights)
    for i, h in enumerate(heights):
        p.setBrush(QColor(_CLASS_COLORS[i % len(_CLASS_COLORS)]))
        p.drawRect(QRectF(6 + i * width + 1, SIZE - 7 - h, width - 2, h))
