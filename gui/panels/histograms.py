"""Activation histograms: one small plot per layer of z, a, the weights or the gradients, live
with the core's fixed bins, or the spread of z / a over training time as percentile bands."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QWidget

from core.activations.formula import label as act_label

from ..live_view import LiveView
from ..theme import Theme, series_color
from ._axis import axis_items
from .base import CsvTable, Panel, set_title, title_over_axes
from .registry import describe

__all__ = ["HistogramsPanel", "LayerCell", "SOURCES", "MODES"]

#: source key → (combo text, LayerSnapshot histogram field, axis label)
SOURCES: dict[str, tuple[str, str, str]] = {
    "z": ("pre-activations z", "z_hist", "z = W·x + b"),
    "a": ("activations a", "a_hist", "a = f(z)"),
    "weights": ("weights W", "w_hist", "weight value"),
    "gradients": ("gradients ∂L/∂W", "grad_hist", "∂L/∂W"),
}
MODES = {"histogram": "Histogram now", "distribution": "Distribution over time"}
MAX_COLS = 4
#: the smallest cell that stays readable (px): room for a three-line title, a plot and its axis.
#: Fewer columns when the panel is narrow; a vertical scroll bar when the rows need more height
#: than the dock has (ten-layer lessons in a laptop's tab area).
CELL_MIN_WIDTH, CELL_MIN_HEIGHT = 170, 150
#: pairs of indices into core.timeline.PERCENTILES (0,7,16,31,50,69,84,93,100), outer first
BANDS = ((0, 8), (1, 7), (2, 6), (3, 5))
BAND_ALPHA = (45, 75, 110, 150)
MEDIAN = 4
_DEAD_RED = {"light": "#C62828", "dark": "#FF6B6B"}


@dataclass
class LayerCell:
    """The items of one layer's plot, created once per grid build (read them through
    ``HistogramsPanel.cells``)."""

    plot: pg.PlotItem
    hist: pg.PlotDataItem
    lows: list[pg.PlotCurveItem]
    highs: list[pg.PlotCurveItem]
    fills: list[pg.FillBetweenItem]
    median: pg.PlotDataItem
    ymax: float = 0.0
    xrange: tuple[float, float] | None = None


def _source_color(theme: Theme, source: str) -> str:
    return series_color(theme, {"z": 0, "a": 2, "weights": 4, "gradients": 3}[source])


def _pct(x: float) -> str:
    return "—" if not np.isfinite(x) else f"{100 * x:.0f}%"


def _num(v: float) -> str:
    """Two decimals for ordinary values; huge ones in short form; no 'nan' or 'inf' shown."""
    if not np.isfinite(v):
        return "too large to show"
    return f"{v:.2f}" if abs(v) < 1e4 else f"{v:.3g}"


class HistogramsPanel(Panel):
    """Per-layer histograms (fixed bins, stable axes) and percentile bands over time."""

    panel_id = "histograms"
    title, tooltip = describe(panel_id)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = "z"
        self.mode = "histogram"
        self._cells: list[LayerCell] = []
        self._untitled = False  # cells just built, titles not yet written
        self._last_step = -1
        self._styled: tuple[str, str] | None = None
        self._labelled: tuple[str, str, int] | None = None
        row = QHBoxLayout(self.options)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Show"))
        self.source_box = QComboBox()
        for key, (text, _, _) in SOURCES.items():
            self.source_box.addItem(text, key)
        self.source_box.setToolTip(
            "Which numbers of each layer to histogram: z (the weighted sum before the activation), "
            "a = f(z) (the layer's output), its weights W, or the gradient ∂L/∂W of the last step.")
        self.source_box.currentIndexChanged.connect(self._on_source)
        row.addWidget(self.source_box)
        self.mode_box = QComboBox()
        for key, text in MODES.items():
            self.mode_box.addItem(text, key)
        self.mode_box.setToolTip(
            "Histogram now: the current spread, in fixed bins.\nDistribution over time: "
            "percentile bands of z or a at every snapshot (darkest = middle 38%, then 68%, 86%, "
            "all values; line = median), like TensorBoard's distributions.")
        self.mode_box.currentIndexChanged.connect(self._on_mode)
        row.addWidget(self.mode_box)
        self.note = QLabel("")
        self.note.setToolTip("Saturated: |f′(z)| below 1% of its largest value, so almost no "
                             "gradient passes. Dead: units with f′(z) = 0 on every sample row.")
        row.addWidget(self.note, 1)
        # the plots scroll when they need more height than the dock has (see CELL_MIN_HEIGHT)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.layout().removeWidget(self.canvas)
        self.scroll.setWidget(self.canvas)
        self.layout().addWidget(self.scroll, 1)
        self._cols = 0
        self._export_width: float | None = None  # set while an export lays the plots out
        self.fit_to_size_of(self.scroll.viewport())

    @property
    def cells(self) -> tuple[LayerCell, ...]:
        """One cell per layer drawn, first layer first: its plot and its items."""
        return tuple(self._cells)

    @property
    def columns(self) -> int:
        """How many plots stand side by side in the grid (as many as the width allows)."""
        return self._cols

    def _columns(self, n: int) -> int:
        width = self._export_width or self.scroll.viewport().width()
        return max(1, min(MAX_COLS, n, int(width) // CELL_MIN_WIDTH))

    def fit_to(self, size) -> None:
        """Re-flow the cells when the width changes their column count (the dock's, or an
        export's), and on screen let the canvas grow taller than the dock (a scroll bar)
        when its rows would be squeezed."""
        self._export_width = None if size is None else float(size.width())
        n = len(self._cells)
        if not n:
            return
        if self._columns(n) != self._cols:
            self._build_grid(n)
            if self.view is not None:
                self.update_view(self.view)

    # --- options ----------------------------------------------------------------------------
    def _on_source(self, _index: int) -> None:
        self.source = self.source_box.currentData()
        self._reset_ranges()
        self._redraw()

    def _on_mode(self, _index: int) -> None:
        self.mode = self.mode_box.currentData()
        model = self.source_box.model()
        over_time = self.mode == "distribution"
        for i in range(self.source_box.count()):  # the timeline keeps percentiles of z and a only
            if self.source_box.itemData(i) in ("weights", "gradients"):
                model.item(i).setEnabled(not over_time)
        if over_time and self.source not in ("z", "a"):
            self.source_box.setCurrentIndex(0)  # → _on_source
        self._reset_ranges()
        self._redraw()

    def _reset_ranges(self) -> None:
        for cell in self._cells:
            cell.ymax, cell.xrange = 0.0, None

    def _redraw(self) -> None:
        if self.view is not None:
            self.update_view(self.view)

    # --- the grid of plots ------------------------------------------------------------------
    def _build_grid(self, n: int) -> None:
        """One plot per layer, up to MAX_COLS per row. Only called when the layer count changes."""
        self.canvas.clear()
        self._cells = []
        self._cols = cols = self._columns(n)
        self._labelled = None  # new cells: axis labels, titles and (on screen) the height
        self._untitled = True
        if self._export_width is None:  # rows that would be squeezed scroll instead
            self.canvas.setMinimumHeight(-(-n // cols) * CELL_MIN_HEIGHT)
        for i in range(n):
            if i and i % cols == 0:
                self.canvas.nextRow()
            plot = self.canvas.addPlot(axisItems=axis_items())
            plot.setMenuEnabled(False)
            plot.hideButtons()
            # the first column also holds the axis title ("count" beside a 5-digit tick label)
            plot.getAxis("left").setWidth(58 if i % cols == 0 else 44)
            title_over_axes(plot)
            hist = pg.PlotDataItem(stepMode="center", fillLevel=0)
            plot.addItem(hist)
            lows, highs, fills = [], [], []
            for _ in BANDS:
                lo, hi = pg.PlotCurveItem(pen=pg.mkPen(None)), pg.PlotCurveItem(pen=pg.mkPen(None))
                fill = pg.FillBetweenItem(lo, hi)
                for item in (lo, hi, fill):
                    plot.addItem(item)
                lows.append(lo)
                highs.append(hi)
                fills.append(fill)
            median = pg.PlotDataItem()
            plot.addItem(median)
            self._cells.append(LayerCell(plot, hist, lows, highs, fills, median))
        self._style_cells()

    def _style_cells(self) -> None:
        theme = self.theme
        self._styled = (theme.name, self.source)
        color = _source_color(theme, self.source)
        brush = pg.mkColor(color)
        brush.setAlpha(150 if theme.name == "dark" else 110)  # a dark background needs more
        for cell in self._cells:
            cell.hist.setPen(pg.mkPen(color, width=1))
            cell.hist.setBrush(brush)
            cell.median.setPen(pg.mkPen(color, width=2))
            for fill, alpha in zip(cell.fills, BAND_ALPHA):
                c = pg.mkColor(color)
                c.setAlpha(alpha)
                fill.setBrush(c)

    def _label_axes(self) -> None:
        n = len(self._cells)
        self._labelled = (self.mode, self.source, n)
        cols = self._cols
        over_time = self.mode == "distribution"
        what = SOURCES[self.source][2]
        for i, cell in enumerate(self._cells):
            left = ("value of " + what) if over_time else "count"
            bottom = "training step" if over_time else what
            for side, text, shown in (("left", left, i % cols == 0),
                                      ("bottom", bottom, i + cols >= n)):
                if shown:  # only the outer plots carry axis labels, to leave room for data
                    cell.plot.setLabel(side, text)
                else:
                    cell.plot.getAxis(side).showLabel(False)

    # --- drawing ----------------------------------------------------------------------------
    def update_view(self, view: LiveView) -> None:
        super().update_view(view)
        snap = view.snapshot
        if snap is None or not snap.layers:
            return
        if len(snap.layers) != len(self._cells):
            self._build_grid(len(snap.layers))
            self._last_step = -1
        write, self._untitled = self.text_due or self._untitled, False
        if snap.step < self._last_step:  # a new run: let the y-axes start small again
            self._reset_ranges()
        self._last_step = snap.step
        if self._styled != (self.theme.name, self.source):
            self._style_cells()
        if self._labelled != (self.mode, self.source, len(self._cells)):
            self._label_axes()
        over_time = self.mode == "distribution"
        for layer, cell in zip(snap.layers, self._cells):
            cell.hist.setVisible(not over_time)
            for item in (*cell.fills, cell.median):
                item.setVisible(over_time)
            if write:
                set_title(cell.plot, self._title(layer), size="9pt", color=self.theme.foreground)
            if over_time:
                self._draw_bands(cell, layer.index, view.timeline)
            else:
                self._draw_hist(cell, getattr(layer, SOURCES[self.source][1]))
        if write:
            band_note = " · bands: middle 38%, 68%, 86%, all values; line: median"
            self.note.setText(self._summary(snap.layers) + (band_note if over_time else ""))

    def _draw_hist(self, cell: LayerCell, hist) -> None:
        edges = np.asarray(hist.edges, dtype=float)
        counts = np.asarray(hist.counts, dtype=float)
        if not (np.isfinite(edges).all() and np.isfinite(counts).all()):
            cell.hist.setData([], [])
            return
        cell.hist.setData(edges, counts, skipFiniteCheck=True, antialias=self.smooth)
        vb = cell.plot.getViewBox()
        xr = (float(edges[0]), float(edges[-1]))
        if cell.xrange != xr:  # the core's edges only change when the range must grow
            cell.xrange = xr
            vb.disableAutoRange()
            vb.setXRange(*xr, padding=0.02)
        top = float(counts.max()) if counts.size else 0.0
        if top > cell.ymax or cell.ymax == 0.0:  # only grows within a run, with headroom
            cell.ymax = max(top * 1.25, 1.0)
            vb.disableAutoRange()
            vb.setYRange(0.0, cell.ymax, padding=0)

    def _draw_bands(self, cell: LayerCell, index: int, timeline) -> None:
        pct = timeline.z_percentiles if self.source == "z" else timeline.a_percentiles
        steps = np.asarray(timeline.step, dtype=float)
        if len(timeline) == 0 or pct.ndim != 3 or index >= pct.shape[1]:
            x, p = np.zeros(0), np.zeros((0, 9))
        else:
            p = np.asarray(pct[:, index, :], dtype=float)
            ok = np.isfinite(p).all(axis=1) & np.isfinite(steps)
            x, p = steps[ok], p[ok]
        for (lo_i, hi_i), lo, hi in zip(BANDS, cell.lows, cell.highs):
            lo.setData(x, p[:, lo_i], skipFiniteCheck=True, antialias=self.smooth)
            hi.setData(x, p[:, hi_i], skipFiniteCheck=True, antialias=self.smooth)
        cell.median.setData(x, p[:, MEDIAN], skipFiniteCheck=True, antialias=self.smooth)
        cell.xrange, cell.ymax = None, 0.0  # back in histogram mode, the fixed ranges are re-set
        cell.plot.getViewBox().enableAutoRange()

    def _title(self, layer) -> str:
        head = f"<b>{layer.name}</b> · {act_label(layer.activation)}"
        if self.source == "gradients":
            stats = f"‖∂L/∂W‖ {layer.grad_norm_w:.2g}"
        elif self.source == "weights":
            w = np.asarray(layer.weights, dtype=float)
            stats = f"mean {_num(w.mean())}, std {_num(w.std())}" if w.size else ""
        else:
            mean = layer.z_mean if self.source == "z" else layer.a_mean
            std = layer.z_std if self.source == "z" else layer.a_std
            stats = f"mean {_num(mean)}, std {_num(std)}"
        dead = f"{layer.dead_units}/{layer.units} dead"
        if layer.dead_units > 0:
            dead = f"<span style='color:{_DEAD_RED.get(self.theme.name, '#C62828')}'>{dead}</span>"
        return f"{head}<br>{stats}<br>{_pct(layer.frac_saturated)} saturated · {dead}"

    @staticmethod
    def _summary(layers) -> str:
        dead = sum(layer.dead_units for layer in layers)
        units = sum(layer.units for layer in layers)
        return f"dead units: {dead} of {units}" if dead else "no dead units"

    # --- export and state -------------------------------------------------------------------
    def csv_tables(self) -> list[CsvTable]:
        snap = self.view.snapshot if self.view is not None else None
        if snap is None:
            return []
        tables = []
        for layer, cell in zip(snap.layers, self._cells):
            slug = layer.name.replace(" ", "_")
            if self.mode == "distribution":
                x, median = cell.median.getData()
                cols = {MEDIAN: median}
                for (lo_i, hi_i), lo, hi in zip(BANDS, cell.lows, cell.highs):
                    cols[lo_i], cols[hi_i] = lo.getData()[1], hi.getData()[1]
                levels = snap.percentile_levels
                if x is None or len(x) == 0:
                    rows = np.zeros((0, 1 + len(levels)))
                else:
                    rows = np.column_stack([x, *(cols[k] for k in range(len(levels)))])
                header = ("step", *(f"{self.source}_p{q}" for q in levels))
                tables.append(CsvTable(f"distribution_{self.source}_{slug}", header, rows))
            else:
                edges, counts = cell.hist.getData()
                if edges is None or len(edges) < 2:
                    rows = np.zeros((0, 3))
                else:
                    rows = np.column_stack([edges[:-1], edges[1:], counts])
                tables.append(CsvTable(f"histogram_{self.source}_{slug}",
                                       ("edge_left", "edge_right", "count"), rows))
        return tables

    def view_state(self) -> dict:
        return {"source": self.source, "mode": self.mode}

    def restore_view_state(self, state: dict) -> None:
        mode = state.get("mode")
        if mode in MODES:
            self.mode_box.setCurrentIndex(list(MODES).index(mode))
        source = state.get("source")
        if source in SOURCES and (self.mode == "histogram" or source in ("z", "a")):
            self.source_box.setCurrentIndex(list(SOURCES).index(source))

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._style_cells()
        super().apply_theme(theme)
