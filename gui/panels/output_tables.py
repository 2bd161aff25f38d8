"""Output panel modes for tables of answers: the ten 7-segment digits as the network lights them,
and the confusion matrix of a one-of-N classifier.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QPolygonF
from PySide6.QtWidgets import QGraphicsPolygonItem

from ..theme import Theme, series_color, style_plot
from ._axis import axis_items
from .base import CsvTable, set_title, title_over_axes
from .output_map import mix, style_bar, target_pair

__all__ = ["ConfusionView", "SegmentView", "is_seven_segment"]

SEGMENT_NAMES = "abcdefg"
#: segment centre (x, y) and orientation in a digit cell 1 wide and 2 high, y up
_SEGMENTS = {"a": (0.5, 2.0, "h"), "b": (1.0, 1.5, "v"), "c": (1.0, 0.5, "v"),
             "d": (0.5, 0.0, "h"), "e": (0.0, 0.5, "v"), "f": (0.0, 1.5, "v"),
             "g": (0.5, 1.0, "h")}
_THICK, _GAP = 0.2, 0.1
_PITCH_X, _PITCH_Y = 1.9, 3.5  # distance between digits


def is_seven_segment(dataset) -> bool:
    return dataset.name == "seven_segment" or (
        dataset.n_outputs == 7 and tuple(dataset.output_names) == tuple(SEGMENT_NAMES))


def _segment_polygon(cx: float, cy: float, kind: str) -> QPolygonF:
    """A hexagonal bar, as on a real display, centred at (cx, cy)."""
    h, t = (1.0 - _GAP) / 2, _THICK / 2
    pts = [(-h, 0), (-h + t, t), (h - t, t), (h, 0), (h - t, -t), (-h + t, -t)]
    if kind == "v":
        pts = [(y, x) for x, y in pts]
    return QPolygonF([QPointF(cx + x, cy + y) for x, y in pts])


class SegmentView:
    """Ten seven-segment displays, each segment lit as bright as the network's output says."""

    def __init__(self) -> None:
        self.plot = pg.PlotItem(axisItems=axis_items())
        title_over_axes(self.plot)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        for side in ("left", "bottom"):
            self.plot.hideAxis(side)
        self.plot.setAspectLocked(True)
        #: digits[d] holds the seven QGraphicsPolygonItems of digit d, in order a..g
        self.digits: list[list[QGraphicsPolygonItem]] = []
        self.labels: list[pg.TextItem] = []
        for d in range(10):
            ox, oy = (d % 5) * _PITCH_X, -(d // 5) * _PITCH_Y
            segs = []
            for name in SEGMENT_NAMES:
                cx, cy, kind = _SEGMENTS[name]
                item = QGraphicsPolygonItem(_segment_polygon(ox + cx, oy + cy, kind))
                item.setToolTip(f"digit {d}, segment {name}")
                self.plot.addItem(item)
                segs.append(item)
            self.digits.append(segs)
            label = pg.TextItem(anchor=(0.5, 0))
            label.setPos(ox + 0.5, oy - 0.3)
            self.plot.addItem(label)
            self.labels.append(label)
        self.plot.setRange(xRange=(-0.4, 4 * _PITCH_X + 1.4), yRange=(-_PITCH_Y - 1.0, 2.3),
                           padding=0)
        #: (10, 7) network outputs per digit (NaN where the digit is not in the test set)
        self.outputs = np.full((10, 7), np.nan)
        #: (10, 7) outputs mapped from [negative, positive] onto [0, 1]
        self.brightness = np.zeros((10, 7))
        #: per digit: True right, False wrong, None not shown
        self.correct: list[bool | None] = [None] * 10
        self._state = None

    def layout_items(self):
        return [(self.plot, 0, 0)]

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self.plot, theme)
        self._state = None

    def update(self, view, theme: Theme, discretize: bool, show_test: bool,
               write: bool = True) -> None:
        snap, ds = view.snapshot, view.dataset
        neg, pos = target_pair(snap, ds)
        pred = np.asarray(snap.predictions_test, dtype=np.float64)
        raw = ds.raw_test if ds.raw_test is not None else ds.x_test
        # the BCD bits (8, 4, 2, 1) of each test row name its digit; inputs are 0/1 or ±1
        digit = (np.asarray(raw[:, :4]) > 0.5).astype(int) @ np.array([8, 4, 2, 1])
        outputs = np.full((10, 7), np.nan)
        truth = np.zeros((10, 7), dtype=bool)
        ds_mid = 0.5 * (ds.negative + ds.positive)
        for row, d in enumerate(digit):
            if 0 <= d < 10 and row < len(pred):
                outputs[d] = pred[row, :7]
                truth[d] = ds.y_test[row, :7] > ds_mid
        self.outputs = outputs
        bright = np.clip((outputs - neg) / (pos - neg), 0.0, 1.0)
        self.brightness = np.where(np.isfinite(bright), bright, 0.0)
        mid = 0.5 * (neg + pos)
        shown = np.isfinite(outputs).all(axis=1)
        lit = outputs > mid
        self.correct = [bool((lit[d] == truth[d]).all()) if shown[d] else None for d in range(10)]
        self._paint(theme, truth, shown)
        right = sum(c is True for c in self.correct)
        if write:  # numbers at TEXT_INTERVAL while training runs
            set_title(self.plot, f"The network's display of the {shown.sum()} test digits — "
                      f"{right} right", color=theme.foreground)

    def _paint(self, theme: Theme, truth: np.ndarray, shown: np.ndarray) -> None:
        key = (theme.name, np.round(self.brightness, 3).tobytes(), truth.tobytes(),
               tuple(self.correct))
        if key == self._state:
            return
        self._state = key
        off = mix(theme.background, theme.foreground, 0.07)
        on = QColor(theme.positive)
        should = pg.mkPen(theme.foreground, width=1)
        should_not = pg.mkPen(mix(theme.background, theme.foreground, 0.25), width=1)
        good, bad = series_color(theme, 2), series_color(theme, 1)
        for d, segs in enumerate(self.digits):
            for s, item in enumerate(segs):
                item.setBrush(pg.mkBrush(mix(off, on, float(self.brightness[d, s]))))
                item.setPen(should if truth[d, s] else should_not)
            ok = self.correct[d]
            mark, colour = ("✓", good) if ok else ("✗", bad) if ok is False else ("", bad)
            note = "" if shown[d] else " (not in test set)"
            self.labels[d].setHtml(
                f'<span style="color:{theme.foreground}; font-size:14pt">{d}</span>'
                f'<span style="color:{colour}; font-size:14pt; font-weight:bold"> {mark}</span>'
                f'<span style="color:{theme.foreground}; font-size:8pt">{note}</span>')

    def csv_tables(self) -> list[CsvTable]:
        rows = np.column_stack([np.arange(10), self.outputs])
        return [CsvTable("seven_segment_outputs", ("digit", *SEGMENT_NAMES), rows)]


class ConfusionView:
    """Counts of (true class, predicted class) on the test set, coloured by share of the row."""

    def __init__(self) -> None:
        self.plot = pg.PlotItem(axisItems=axis_items())
        title_over_axes(self.plot)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.invertY(True)
        self.plot.setLabel("bottom", "predicted class")
        self.plot.setLabel("left", "true class")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.bar = pg.ColorBarItem(values=(0, 1), width=16, interactive=False,
                                   colorMapMenu=False)
        self.bar.axis.setLabel("share of the true class")
        self.texts: list[pg.TextItem] = []
        self._cells_shown: list[tuple[str, str] | None] = []  # (count, colour) in each cell
        self.counts = np.zeros((0, 0), dtype=np.int64)
        self.class_names: tuple[str, ...] = ()

    def layout_items(self):
        return [(self.plot, 0, 0), (self.bar, 0, 1)]

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self.plot, theme)
        self.plot.showGrid(x=False, y=False)
        style_bar(self.bar, theme)

    def update(self, view, theme: Theme, discretize: bool, show_test: bool,
               write: bool = True) -> None:
        snap, ds = view.snapshot, view.dataset
        counts = np.asarray(snap.confusion, dtype=np.int64)
        k = counts.shape[0]
        names = tuple(ds.class_names) if len(ds.class_names) == k else tuple(
            str(i) for i in range(k))
        if k != len(self.texts) or names != self.class_names:
            self._build(k, names)
        self.counts = counts
        totals = counts.sum(axis=1, keepdims=True)
        share = counts / np.maximum(totals, 1)
        cmap = pg.ColorMap([0.0, 1.0], [QColor(theme.background), QColor(series_color(theme, 0))])
        self.image.setImage(share, levels=(0, 1), lut=cmap.getLookupTable(nPts=256),
                            autoLevels=False)
        # after setImage: a rect set for an earlier (or no) image scales the new one wrongly
        self.image.setRect(QRectF(-0.5, -0.5, k, k))
        self.bar.setColorMap(cmap)
        for idx, text in enumerate(self.texts):
            r, c = divmod(idx, k)
            shown = (str(counts[r, c]), theme.background if share[r, c] > 0.55
                     else theme.foreground)
            if self._cells_shown[idx] != shown:  # counts change rarely: set text only then
                text.setText(shown[0])
                text.setColor(shown[1])
                self._cells_shown[idx] = shown
        n = int(counts.sum())
        if write:  # numbers at TEXT_INTERVAL while training runs
            set_title(self.plot, f"Confusion matrix, test set ({n} rows) — accuracy "
                      f"{100 * snap.test_metric:.1f} %", color=theme.foreground)

    def _build(self, k: int, names: tuple[str, ...]) -> None:
        for text in self.texts:
            self.plot.removeItem(text)
        self.texts = []
        font = QFont()
        font.setPointSize(13 if k <= 5 else 10)
        for idx in range(k * k):
            r, c = divmod(idx, k)
            text = pg.TextItem(anchor=(0.5, 0.5))
            text.setFont(font)
            text.setPos(c, r)
            self.plot.addItem(text)
            self.texts.append(text)
        self._cells_shown = [None] * len(self.texts)
        self.class_names = names
        ticks = [[(i, n) for i, n in enumerate(names)]]
        self.plot.getAxis("bottom").setTicks(ticks)
        self.plot.getAxis("left").setTicks(ticks)
        self.image.setRect(QRectF(-0.5, -0.5, k, k))
        self.plot.setRange(xRange=(-0.5, k - 0.5), yRange=(-0.5, k - 0.5), padding=0)

    def csv_tables(self) -> list[CsvTable]:
        k = self.counts.shape[0]
        rows = np.empty((k, k + 1), dtype=object)
        rows[:, 0] = self.class_names
        rows[:, 1:] = self.counts
        header = ("true class", *(f"predicted {n}" for n in self.class_names))
        return [CsvTable("confusion_matrix_test", header, rows)]
