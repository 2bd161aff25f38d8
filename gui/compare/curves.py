"""The comparison's curves: per value the median over seeds with its interquartile band, every
run on request, and below them how many runs each epoch's median is taken over.

The numbers are ``core.compare.curves``'; this widget only smooths them for the eye (the
training curves' EMA, ``core.diagnostics.ema``) and draws them. It has a panel's export hooks
(``canvas``, ``theme``, ``csv_tables``, ``exportRequested``/``copyRequested``, …) so that
``gui.export`` writes it as PNG, SVG and CSV like any panel.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from core import compare, diagnostics
from core.experiment import Experiment

from ..theme import LIGHT, Theme, series_color, style_plot

__all__ = ["CompareCurves", "CurveTable", "METRIC_CHOICES", "metric_name"]

#: what the metric menu offers, in its order (core.compare.METRICS names)
METRIC_CHOICES = ("test_loss", "test_metric", "train_loss")


@dataclass(frozen=True)
class CurveTable:
    """One CSV table of what is drawn (as ``gui.panels.base.CsvTable``: name, header, rows)."""

    name: str
    header: tuple[str, ...]
    rows: np.ndarray


@dataclass
class _Items:
    """The plot items of one value, made once and updated with setData."""

    median: pg.PlotDataItem
    q1: pg.PlotDataItem
    q3: pg.PlotDataItem
    band: pg.FillBetweenItem
    runs: pg.PlotDataItem
    n: pg.PlotDataItem


class CompareCurves(QWidget):
    """Median and interquartile band per value, against epoch; N per epoch below.

    Signals
    -------
    exportRequested() : the user asked to export the curves (right-click menu).
    copyRequested() : the user asked to copy their image.
    """

    exportRequested = Signal()
    copyRequested = Signal()

    panel_id: ClassVar[str] = "comparison"
    title: ClassVar[str] = "Comparison"
    tooltip: ClassVar[str] = ("Each value's median over its seeds (line) and the middle half "
                              "of its runs (band); below, how many runs each epoch counts.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self.view = None  # a panel's frame: the curves draw a comparison, not a frame
        self.exporting = False
        self.shown_metric = "test_loss"
        self.smoothing = 0.0
        self.log_y = False
        self.every_run = False
        self._result: compare.ComparisonResult | None = None
        self._metric_word = "accuracy"
        self._curves: list[compare.Curve] = []
        self._drawn: dict[str, np.ndarray] = {}
        self._items: list[_Items] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.options = QWidget(self)
        layout.addWidget(self.options)
        self._build_options()
        self.canvas = pg.GraphicsLayoutWidget(self)
        self.canvas.setMinimumSize(240, 260)
        layout.addWidget(self.canvas, 1)
        # N per epoch in a strip above the curves (x-linked, no axis of its own), the legend
        # and the notes below them, outside the data (a small dock's plot would be covered)
        self.header = pg.LabelItem(justify="center")
        self.canvas.addItem(self.header, row=0, col=0)
        self.n_plot = self.canvas.addPlot(row=1, col=0)
        self.plot = self.canvas.addPlot(row=2, col=0)
        self.goal_line = pg.InfiniteLine(angle=0, movable=False)
        self.goal_line.setVisible(False)
        self.plot.addItem(self.goal_line, ignoreBounds=True)
        self.legend = pg.LegendItem(colCount=3, offset=None)
        self.canvas.addItem(self.legend, row=3, col=0)
        self.note = pg.LabelItem(justify="left")
        self.canvas.addItem(self.note, row=4, col=0)
        self.n_plot.setXLink(self.plot)
        self.n_plot.setFixedHeight(64)
        self.n_plot.hideAxis("bottom")
        for plot in (self.plot, self.n_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.setLabel("bottom", "epoch")
        self.n_plot.setLabel("left", "N")
        # the two left axes line up: the same width whatever their labels
        for plot in (self.plot, self.n_plot):
            plot.getAxis("left").setWidth(54)
        export = QAction("Export…", self)
        export.triggered.connect(lambda _checked=False: self.exportRequested.emit())
        copy = QAction("Copy image", self)
        copy.triggered.connect(lambda _checked=False: self.copyRequested.emit())
        self.canvas.scene().contextMenu = [export, copy]
        self.setToolTip(self.tooltip)
        self.apply_theme(self.theme)
        self._redraw()

    def _build_options(self) -> None:
        row = QHBoxLayout(self.options)
        row.setContentsMargins(0, 0, 0, 0)
        self.metric_box = QComboBox()
        for key in METRIC_CHOICES:
            self.metric_box.addItem(key.replace("_", " ").replace("metric", "accuracy"), key)
        self.metric_box.setToolTip("Which number to plot for every epoch.")
        self.metric_box.currentIndexChanged.connect(
            lambda _i: self.set_metric(self.metric_box.currentData()))
        row.addWidget(self.metric_box)
        self.log_box = QCheckBox("Log axis")
        self.log_box.setToolTip("Losses on a logarithmic axis: the slow late progress becomes "
                                "as visible as the first drop.")
        self.log_box.toggled.connect(self._on_log)
        row.addWidget(self.log_box)
        self.runs_box = QCheckBox("Every run")
        self.runs_box.setToolTip("Draw every seed's run faintly behind the median.")
        self.runs_box.toggled.connect(self._on_runs)
        row.addWidget(self.runs_box)
        row.addSpacing(8)
        row.addWidget(QLabel("Smoothing"))
        self.smooth_slider = QSlider(Qt.Orientation.Horizontal)
        self.smooth_slider.setRange(0, 99)
        self.smooth_slider.setMaximumWidth(120)
        self.smooth_slider.setToolTip("Exponential moving average, as in the training curves "
                                      "(0 = raw, 0.99 = very smooth).")
        self.smooth_slider.valueChanged.connect(self._on_smoothing)
        row.addWidget(self.smooth_slider)
        self.smooth_label = QLabel("0.00")
        self.smooth_label.setMinimumWidth(30)
        row.addWidget(self.smooth_label)
        row.addStretch(1)

    # --- what to draw -----------------------------------------------------------------------
    def show_result(self, result: compare.ComparisonResult | None) -> None:
        """Draw ``result`` (a finished comparison, or the runs ended so far; None: empty)."""
        if result is not None and (self._result is None or result.plan is not self._result.plan):
            self._metric_word = metric_name(result.plan.experiment)
            self.metric_box.setItemText(METRIC_CHOICES.index("test_metric"),
                                        f"test {self._metric_word}")
        self._result = result
        # what an export's title band says (gui.export reads a panel's title)
        self.title = ("Comparison" if result is None else
                      f"Comparison: {result.plan.setting} = {', '.join(result.plan.values)}")
        self._redraw()

    def set_metric(self, metric: str) -> None:
        if metric not in METRIC_CHOICES:
            raise ValueError(f"the curves show {', '.join(METRIC_CHOICES)}, not {metric!r}")
        self.shown_metric = metric
        i = self.metric_box.findData(metric)
        if i != self.metric_box.currentIndex():
            self.metric_box.setCurrentIndex(i)  # comes back here once, and draws
            return
        self._redraw()

    def curves(self) -> list[compare.Curve]:
        """The core's curves now drawn (before smoothing)."""
        return list(self._curves)

    def _on_log(self, on: bool) -> None:
        self.log_y = bool(on)
        self._redraw()

    def _on_runs(self, on: bool) -> None:
        self.every_run = bool(on)
        self._redraw()

    def _on_smoothing(self, value: int) -> None:
        self.smoothing = value / 100.0
        self.smooth_label.setText(f"{self.smoothing:.2f}")
        self._redraw()

    # --- drawing ----------------------------------------------------------------------------
    def _items_for(self, i: int) -> _Items:
        while len(self._items) <= i:  # grows once per value, never rebuilt
            q1, q3 = pg.PlotDataItem(), pg.PlotDataItem()
            band = pg.FillBetweenItem(q1, q3)
            runs = pg.PlotDataItem(connect="finite")
            median = pg.PlotDataItem()
            for item in (band, q1, q3, runs, median):
                self.plot.addItem(item)
            band.setZValue(-10)
            runs.setZValue(-5)
            n = pg.PlotDataItem(stepMode="center")
            self.n_plot.addItem(n)
            self._items.append(_Items(median, q1, q3, band, runs, n))
            self._style(len(self._items) - 1)
        return self._items[i]

    def _smooth(self, y: np.ndarray) -> np.ndarray:
        out = diagnostics.ema(y, self.smoothing)
        if self.log_y and self._is_loss:
            out = np.where(out > 0, out, np.nan)  # nothing ≤ 0 on a log axis
        return out

    @property
    def _is_loss(self) -> bool:
        return self.shown_metric.endswith("loss")

    def _set(self, item: pg.PlotDataItem, x: np.ndarray, y: np.ndarray) -> None:
        ok = np.isfinite(y)
        item.setData(x[ok], y[ok], skipFiniteCheck=True)

    def _redraw(self) -> None:
        result = self._result
        self._curves = [] if result is None else compare.curves(result, self.shown_metric)
        self.log_box.setEnabled(self._is_loss)
        log = self.log_y and self._is_loss
        self.plot.setLogMode(y=log)
        self._drawn = {}
        for i in range(max(len(self._items), len(self._curves))):
            items = self._items_for(i)
            self.legend.removeItem(items.median)
            if i >= len(self._curves):
                for it in (items.median, items.q1, items.q3, items.band, items.runs, items.n):
                    it.setVisible(False)
                continue
            c = self._curves[i]
            x = c.epochs.astype(float)
            med, lo, hi = (self._smooth(a) for a in (c.median, c.q1, c.q3))
            self._set(items.median, x, med)
            self._set(items.q1, x, lo)
            self._set(items.q3, x, hi)
            for it in (items.median, items.q1, items.q3, items.band, items.n):
                it.setVisible(True)
            self.legend.addItem(items.median, html.escape(result.plan.label(i)))
            runs = np.array([self._smooth(r) for r in c.runs]) if len(c.runs) else c.runs
            if self.every_run and runs.size:
                # all of a value's runs as one item, NaN between them: one path, not K items
                xs = np.concatenate([np.append(x, np.nan) for _ in runs])
                ys = np.concatenate([np.append(r, np.nan) for r in runs])
                items.runs.setData(xs, ys)
                items.runs.setVisible(True)
            else:
                items.runs.setData([], [])
                items.runs.setVisible(False)
            if x.size:  # steps centred on the epochs: len(edges) == len(n) + 1
                items.n.setData(np.append(x - 0.5, x[-1] + 0.5), c.n.astype(float))
            else:
                items.n.setData([], [])
            key = _slug(c.value)
            self._drawn[f"{key}_n"] = c.n.astype(float)
            self._drawn[f"{key}_median"] = med
            self._drawn[f"{key}_q1"] = lo
            self._drawn[f"{key}_q3"] = hi
            if self.every_run:
                for seed, r in zip(c.seeds, runs):
                    self._drawn[f"run_{key}_seed{seed}"] = r
        goal = None if result is None else result.plan.goal
        shown = goal is not None and goal.metric == self.shown_metric
        if shown:
            y = goal.threshold
            self.goal_line.setPos(np.log10(y) if log and y > 0 else y)
        self.goal_line.setVisible(shown and not (log and goal.threshold <= 0))
        k = len(result.plan.seeds) if result is not None else 1
        # room above and below: the axis drops a label that would stick out of it
        self.n_plot.setYRange(-0.35 * k, 1.35 * k, padding=0)
        self.n_plot.getAxis("left").setTicks([[(v, str(v)) for v in sorted({0, k})]])
        self._titles()

    def _titles(self) -> None:
        fg = self.theme.foreground
        result = self._result
        if result is None:
            self.header.setText("Set up a comparison and press Run", color=fg, size="9pt")
            self.plot.setLabel("left", "")
            self.note.setText("", color=fg)
            return
        plan = result.plan
        name = self._metric_label(result)
        k = len(plan.seeds)
        smoothed = f", smoothed {self.smoothing:.2f}" if self.smoothing > 0 else ""
        self.header.setText(f"{name}: median of {k} seeds, band = middle half{smoothed}",
                            color=fg, size="9pt")
        self.plot.setLabel("left", name)
        notes = []
        for c in self._curves:
            runs = f"of {len(c.seeds)} runs of {plan.label(c.value_index)}"
            if c.dropped_diverged:
                notes.append(f"{c.dropped_diverged} {runs} diverged and drop out after their "
                             "last epoch")
            if c.dropped_at_goal:
                notes.append(f"{c.dropped_at_goal} {runs} stopped at the goal")
        missing = sum(not r.counted for r in result.runs)
        if missing:
            notes.append(f"{missing} of {len(result.runs)} runs are not in yet or missing")
        if not notes:
            notes.append("N above: the runs each epoch's median is taken over")
        if plan.goal is not None and plan.goal.metric == self.shown_metric:
            notes.append(f"dashed: the goal, {plan.goal}")
        # a line each: one long line would be cut off in a narrow dock
        lines = [html.escape(n[0].upper() + n[1:] + ".") for n in notes]
        self.note.setText("<br>".join(lines), color=fg, size="9pt")

    def _metric_label(self, result: compare.ComparisonResult) -> str:
        if self.shown_metric.endswith("metric"):
            return f"test {self._metric_word}"
        return self.shown_metric.replace("_", " ")

    # --- a panel's hooks for gui.export ---------------------------------------------------
    def csv_tables(self) -> list[CurveTable]:
        """What is drawn: epoch, then per value N, median, q1 and q3 (smoothed as shown);
        with "Every run", each run's column too."""
        if not self._curves:
            return []
        cols = ["epoch", *self._drawn]
        epochs = self._curves[0].epochs.astype(float)
        return [CurveTable("comparison_curves", tuple(cols),
                           np.column_stack([epochs, *self._drawn.values()]))]

    def catch_up(self) -> None:
        """Nothing is ever kept for later: the curves are drawn when given."""

    def fit_to(self, size) -> None:
        """One arrangement at every size."""

    def set_exporting(self, on: bool) -> None:
        """An export is drawing the curves (nothing here is for the screen only)."""
        self.exporting = on

    def arrange_texts(self) -> None:
        """The legend and the notes have rows of their own: nothing to place."""

    def plot_items(self) -> list[pg.PlotItem]:
        return [self.plot, self.n_plot]

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        pg.setConfigOptions(foreground=theme.foreground, background=theme.background)
        self.canvas.setBackground(theme.background)
        for plot in self.plot_items():
            style_plot(plot, theme)
        self.goal_line.setPen(pg.mkPen(theme.foreground, width=1, style=Qt.PenStyle.DashLine))
        self.legend.setLabelTextColor(theme.foreground)
        self.legend.setBrush(pg.mkBrush(theme.background + "00"))
        self.legend.setPen(None)
        for i in range(len(self._items)):
            self._style(i)
        self._titles()

    def _style(self, i: int) -> None:
        items = self._items[i]
        color = pg.mkColor(series_color(self.theme, i))
        items.median.setPen(pg.mkPen(color, width=2))
        edge = pg.mkColor(color)
        edge.setAlpha(90)
        for it in (items.q1, items.q3):
            it.setPen(pg.mkPen(edge, width=1))
        fill = pg.mkColor(color)
        fill.setAlpha(45)
        items.band.setBrush(pg.mkBrush(fill))
        faint = pg.mkColor(color)
        faint.setAlpha(60)
        items.runs.setPen(pg.mkPen(faint, width=1))
        items.n.setPen(pg.mkPen(color, width=1.5))


def metric_name(experiment: Experiment) -> str:
    """"accuracy", or "R²" for a regression: what the experiment's metric is."""
    from core import datasets

    ds = experiment.dataset
    try:
        task = (experiment.build_dataset().task if ds.csv_path
                else datasets.describe(ds.name).task)
    except (ValueError, KeyError, OSError, TypeError):
        task = "binary"
    return "R²" if task == "regression" else "accuracy"


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in text)
