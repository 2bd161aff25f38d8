"""Training curves: train and test loss and accuracy / R² per epoch, smoothed like TensorBoard,
with earlier runs of the session drawn behind as labelled ghosts."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from core import diagnostics

from ..live_view import LiveView
from ..theme import Theme, series_color
from ._axis import axis_items
from ._log_axis import LogTicksAxis
from ._stable_range import StableViewBox
from .base import CsvTable, EmptyNote, Panel
from .registry import describe

__all__ = ["TrainingCurvesPanel"]

KINDS = ("train_loss", "test_loss", "train_metric", "test_metric")
#: theme series used for ghosts (index 6, yellow, is unreadable on white)
GHOST_SERIES = (2, 3, 4, 5, 7)


def _fmt(v: float) -> str:
    return "—" if not np.isfinite(v) else f"{v:.4g}"


class TrainingCurvesPanel(Panel):
    """Loss (left) and accuracy / R² (right) against epoch; hover for the values."""

    panel_id = "training_curves"
    title, tooltip = describe(panel_id)

    #: the user asked to forget the earlier runs (the main window tells the session)
    clearGhostsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.smoothing = 0.0
        self.log_y = False
        self._metric_name = "accuracy"
        self._loss_name = ""
        self._ghost_labels: list[str | None] = []
        self._table: dict[str, np.ndarray] = {}  # column → drawn values, for hover and CSV
        self._ghost_tables: list[tuple] = []
        self._few = False  # curves of fewer than three epochs get dots
        self._build_options()
        self.loss_plot = self.canvas.addPlot(axisItems=axis_items(left=LogTicksAxis("left")),
                                             viewBox=StableViewBox())
        self.metric_plot = self.canvas.addPlot(axisItems=axis_items(), viewBox=StableViewBox())
        self.metric_plot.setXLink(self.loss_plot)
        self.plots = {"loss": self.loss_plot, "metric": self.metric_plot}
        self.raw: dict[str, pg.PlotDataItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        # the legends sit under their plots, not inside them: the labels of earlier runs
        # ("relu, sgd lr 0.03 (train)") are long, and inside a narrow plot they were cut off
        # at its edge or hid the curves
        self.legends = {key: pg.LegendItem(offset=None, verSpacing=-6, colCount=1)
                        for key in ("loss", "metric")}
        self.vlines: dict[str, pg.InfiniteLine] = {}
        for key, plot in self.plots.items():
            plot.setMenuEnabled(False)
            plot.setLabel("bottom", "epoch")
            for split in ("train", "test"):
                kind = f"{split}_{key}"
                self.raw[kind] = self._curve(plot, None)
                self.curves[kind] = self._curve(plot, split)
            for split in ("train", "test"):
                self.legends[key].addItem(self.curves[f"{split}_{key}"], split)
            line = pg.InfiniteLine(angle=90, movable=False)
            line.setVisible(False)
            line.setZValue(20)
            plot.addItem(line, ignoreBounds=True)
            self.vlines[key] = line
        # the read-out sits in its own row: a label inside a plot would hide curves or legend
        self.canvas.addItem(self.legends["loss"], row=1, col=0)
        self.canvas.addItem(self.legends["metric"], row=1, col=1)
        self.readout = pg.LabelItem(justify="left")
        self.canvas.addItem(self.readout, row=2, col=0, colspan=2)
        self.empty = {key: EmptyNote(plot) for key, plot in self.plots.items()}
        self.ghosts: list[tuple[pg.PlotDataItem, pg.PlotDataItem]] = []
        self.loss_plot.setLabel("left", "loss")
        self.loss_plot.getAxis("left").enableAutoSIPrefix(False)  # "x0.001" confuses on log axes
        self.loss_plot.setTitle("Loss")
        self.metric_plot.setTitle("Accuracy")
        self._set_metric_axis("accuracy")
        self.hide_hover()
        self._hover = pg.SignalProxy(self.canvas.scene().sigMouseMoved, rateLimit=60,
                                     slot=self._on_mouse_moved)
        self._style()

    def _build_options(self) -> None:
        row = QHBoxLayout(self.options)
        row.setContentsMargins(0, 0, 0, 0)
        self.log_box = QCheckBox("Log loss axis")
        self.log_box.setToolTip("Show the loss on a logarithmic axis: late, slow progress "
                                "(0.01 → 0.001) becomes as visible as the first drop.")
        self.log_box.toggled.connect(self._on_log)
        row.addWidget(self.log_box)
        row.addSpacing(12)
        row.addWidget(QLabel("Smoothing"))
        self.smooth_slider = QSlider(Qt.Orientation.Horizontal)
        self.smooth_slider.setRange(0, 99)
        self.smooth_slider.setMaximumWidth(160)
        self.smooth_slider.setToolTip(
            "Exponential moving average of the curves, like TensorBoard's (0 = raw, 0.99 = very "
            "smooth). The raw curves stay visible, faint, behind the smoothed ones.")
        self.smooth_slider.valueChanged.connect(self._on_smoothing)
        row.addWidget(self.smooth_slider)
        self.smooth_label = QLabel("0.00")
        self.smooth_label.setMinimumWidth(32)
        row.addWidget(self.smooth_label)
        row.addStretch(1)
        self.clear_button = QPushButton("Clear earlier runs")
        self.clear_button.setToolTip("Forget the faint dashed curves of earlier runs of this "
                                     "session.")
        self.clear_button.setEnabled(False)
        self.clear_button.clicked.connect(self.clearGhostsRequested)
        row.addWidget(self.clear_button)

    @staticmethod
    def _curve(plot: pg.PlotItem, name: str | None) -> pg.PlotDataItem:
        item = pg.PlotDataItem(name=name)
        plot.addItem(item)  # PlotItem.addItem imposes the plot's own settings: set ours after
        item.setClipToView(True)
        item.setDownsampling(auto=True, method="peak")
        return item

    # --- options ----------------------------------------------------------------------------
    def _on_log(self, on: bool) -> None:
        self.log_y = bool(on)
        self.loss_plot.setLogMode(y=self.log_y)
        self._redraw()

    def _on_smoothing(self, value: int) -> None:
        self.smoothing = value / 100.0
        self.smooth_label.setText(f"{self.smoothing:.2f}")
        self._redraw()

    def _redraw(self) -> None:
        if self.view is not None:
            self.update_view(self.view)

    def _set_metric_axis(self, name: str) -> None:
        self._metric_name = name
        if name == "R²":
            self.metric_plot.setLabel("left", "R² (1 = perfect fit)")
            self.metric_plot.setTitle("R² (coefficient of determination)")
        else:
            self.metric_plot.setLabel("left", f"{name} (fraction correct)")
            self.metric_plot.setTitle(name.capitalize())
        style_title = self.metric_plot.titleLabel
        style_title.setText(style_title.text, color=self.theme.foreground)

    # --- drawing ----------------------------------------------------------------------------
    def _drawn(self, x: np.ndarray, y: np.ndarray, kind: str, smooth: bool = True) -> np.ndarray:
        """What is drawn for column ``kind``: smoothed (or not), NaN where not plottable."""
        y = diagnostics.ema(y, self.smoothing if smooth else 0.0)
        bad = ~np.isfinite(y) | ~np.isfinite(x)
        if self.log_y and kind.endswith("loss"):
            bad |= ~(y > 0)  # nothing ≤ 0 on a log axis
        return np.where(bad, np.nan, y)

    def _set(self, item: pg.PlotDataItem, x: np.ndarray, y: np.ndarray) -> None:
        ok = np.isfinite(y) & np.isfinite(x)
        item.setData(x[ok], y[ok], skipFiniteCheck=True, antialias=self.smooth)

    def update_view(self, view: LiveView) -> None:
        super().update_view(view)
        snap = view.snapshot
        if snap is None:
            return
        hist = snap.history
        x = np.asarray(hist["epoch"], dtype=float)
        if snap.metric_name != self._metric_name:
            self._set_metric_axis(snap.metric_name)
        if snap.loss_name != self._loss_name:
            self._loss_name = snap.loss_name
            self.loss_plot.setTitle(f"Loss ({snap.loss_name})", color=self.theme.foreground)
        smooth = self.smoothing > 0
        self._table = {"epoch": x}
        for kind in KINDS:
            raw = np.asarray(hist[kind], dtype=float)
            drawn = self._drawn(x, raw, kind)
            self._set(self.curves[kind], x, drawn)
            self._table[kind] = drawn
            self.raw[kind].setVisible(smooth)
            if smooth:
                raw_drawn = self._drawn(x, raw, kind, smooth=False)
                self._set(self.raw[kind], x, raw_drawn)
                self._table[kind + "_raw"] = raw_drawn
            else:
                self.raw[kind].setData([], [])
        self._draw_ghosts(view.ghosts)
        self._fit_metric_range()
        self._mark_few(x)
        for key, note in self.empty.items():
            if len(x):
                note.hide_note()
            else:  # before the first epoch: words, not an axis from -400 to 400 (×0.001)
                note.show_note("no epoch finished yet:\npress Play, Step or Epoch")
                self.plots[key].setXRange(0, 1, padding=0)

    def _mark_few(self, x: np.ndarray) -> None:
        """A curve of one or two epochs is drawn with dots (one point makes no line)."""
        few = len(x) < 3
        if few == self._few:
            return
        self._few = few
        for item in self.curves.values():
            item.setSymbol("o" if few else None)
            if few:
                item.setSymbolSize(6)
                item.setSymbolPen(None)
                item.setSymbolBrush(item.opts["pen"].color())

    def _fit_metric_range(self) -> None:
        """Accuracy on a fixed 0–1 axis; R² from min(0, worst drawn) but never below −1."""
        lo = 0.0
        if self._metric_name == "R²":
            vals = np.concatenate([self._table[k] for k in ("train_metric", "test_metric")])
            vals = vals[np.isfinite(vals)]
            if vals.size:
                lo = max(-1.0, min(0.0, float(vals.min())))
        self.metric_plot.setYRange(lo, 1.0, padding=0.03)

    def _draw_ghosts(self, ghosts) -> None:
        while len(self.ghosts) < len(ghosts):  # grows once per new ghost, never rebuilt
            pair = (self._curve(self.loss_plot, None), self._curve(self.metric_plot, None))
            self.ghosts.append(pair)
            self._ghost_labels.append(None)
            self._style_ghost(len(self.ghosts) - 1)
        self._ghost_tables = []
        for i, (loss_item, metric_item) in enumerate(self.ghosts):
            ghost = ghosts[i] if i < len(ghosts) else None
            label = None if ghost is None else f"{ghost.label} (train)"
            if label != self._ghost_labels[i]:
                for key, item in (("loss", loss_item), ("metric", metric_item)):
                    self.legends[key].removeItem(item)
                    if label is not None:
                        self.legends[key].addItem(item, label)
                self._ghost_labels[i] = label
            for item in (loss_item, metric_item):
                item.setVisible(ghost is not None)
            if ghost is None:
                loss_item.setData([], [])
                metric_item.setData([], [])
                continue
            gx = np.asarray(ghost.history["epoch"], dtype=float)
            loss = self._drawn(gx, np.asarray(ghost.history["train_loss"], dtype=float),
                               "train_loss")
            metric = self._drawn(gx, np.asarray(ghost.history["train_metric"], dtype=float),
                                 "train_metric")
            self._set(loss_item, gx, loss)
            self._set(metric_item, gx, metric)
            self._ghost_tables.append((ghost.label, gx, loss, metric))
        self.clear_button.setEnabled(bool(ghosts))

    # --- hover read-out -----------------------------------------------------------------
    def _on_mouse_moved(self, event) -> None:
        self.hover_at(event[0])

    def hover_at(self, scene_pos: QPointF) -> None:
        """What the mouse at ``scene_pos`` (scene coordinates) shows: the epoch nearest to
        it read out (see :meth:`show_hover`) when it is over a plot, the hint otherwise."""
        inside = [p for p in self.plots.values() if p.sceneBoundingRect().contains(scene_pos)]
        x = self._table.get("epoch")
        if not inside or x is None or x.size == 0:
            self.hide_hover()
            return
        xv = inside[0].getViewBox().mapSceneToView(scene_pos).x()
        self.show_hover(int(np.argmin(np.abs(x - xv))))

    def show_hover(self, i: int) -> None:
        """Mark row ``i`` of the drawn data in both plots and read out its values."""
        t = self._table
        epoch = t["epoch"][i]
        parts = [f"<b>epoch {epoch:g}</b>"]
        for key in self.plots:
            name = "loss" if key == "loss" else self._metric_name
            parts.append(f"train {name} {_fmt(t['train_' + key][i])}, "
                         f"test {name} {_fmt(t['test_' + key][i])}")
            self.vlines[key].setPos(epoch)
            self.vlines[key].setVisible(True)
        smoothed = " (smoothed)" if self.smoothing > 0 else ""
        self.readout.setText(" · ".join(parts) + smoothed, color=self.theme.foreground)

    def hide_hover(self) -> None:
        for line in self.vlines.values():
            line.setVisible(False)
        self.readout.setText("Point at a plot to read the values of an epoch.",
                             color=self.theme.foreground)

    def set_exporting(self, on: bool) -> None:
        """A figure shows no hover hint and no hover line: its read-out row is left out."""
        super().set_exporting(on)
        if on:
            self._shown_readout = self.readout.text
            for line in self.vlines.values():
                line.setVisible(False)
            self.readout.setText("")
            self.readout.setVisible(False)
            self.canvas.ci.layout.setRowMaximumHeight(2, 0)
        else:
            self.canvas.ci.layout.setRowMaximumHeight(2, 10_000)
            self.readout.setVisible(True)
            self.hide_hover()

    # --- export, state, theme ---------------------------------------------------------------
    def csv_tables(self) -> list[CsvTable]:
        if self.view is None:
            return []
        t = self._table
        cols = ["epoch", *KINDS]
        if self.smoothing > 0:
            cols += [k + "_raw" for k in KINDS]
        tables = [CsvTable("training_curves", tuple(cols), np.column_stack([t[c] for c in cols]))]
        for label, gx, loss, metric in self._ghost_tables:
            slug = "".join(ch if ch.isalnum() else "_" for ch in label)
            tables.append(CsvTable(f"earlier_run_{slug}", ("epoch", "train_loss", "train_metric"),
                                   np.column_stack([gx, loss, metric])))
        return tables

    def view_state(self) -> dict:
        return {"log_y": self.log_y, "smoothing": self.smoothing}

    def restore_view_state(self, state: dict) -> None:
        if isinstance(state.get("log_y"), bool):
            self.log_box.setChecked(state["log_y"])
        s = state.get("smoothing")
        if isinstance(s, (int, float)) and not isinstance(s, bool) and 0 <= s <= 0.99:
            self.smooth_slider.setValue(round(100 * s))

    def _style(self) -> None:
        theme = self.theme
        for i, split in enumerate(("train", "test")):
            color = series_color(theme, i)
            faint = pg.mkColor(color)
            faint.setAlpha(70)
            for key in self.plots:
                self.curves[f"{split}_{key}"].setPen(pg.mkPen(color, width=2))
                self.raw[f"{split}_{key}"].setPen(pg.mkPen(faint, width=1))
        for line in self.vlines.values():
            line.setPen(pg.mkPen(theme.foreground, width=1, style=Qt.PenStyle.DotLine))
        self.readout.setText(self.readout.text, color=theme.foreground)
        for i in range(len(self.ghosts)):
            self._style_ghost(i)

    def _style_ghost(self, i: int) -> None:
        color = pg.mkColor(series_color(self.theme, GHOST_SERIES[i % len(GHOST_SERIES)]))
        color.setAlpha(200 if self.theme.name == "dark" else 160)  # faint, yet readable
        for item in self.ghosts[i]:
            item.setPen(pg.mkPen(color, width=1, style=Qt.PenStyle.DashLine))

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._style()
        super().apply_theme(theme)
