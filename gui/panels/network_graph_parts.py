"""Pieces of the Network graph panel: where nodes and edges sit, which edges fall in which
colour/thickness bucket, and the side plots of the selected unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from core.diagnostics import unit_histogram

from ..theme import Theme, style_plot
from ._axis import axis_items
from ._stable_range import StableViewBox
from .base import CsvTable, set_title
from .output_map import diverging_map, mix

__all__ = ["EDGE_CAP", "LEVELS", "Geometry", "UnitDetail", "bucket_edges", "build_geometry",
           "unit_name"]

#: most edges drawn between two layers (the strongest ones); the rest are left out
EDGE_CAP = 400
#: thickness buckets of |w| / (largest |w| of the layer): widths and opacities
LEVELS = 4
WIDTHS = (0.7, 1.3, 2.2, 3.4)
ALPHAS = (80, 130, 190, 255)


@dataclass(frozen=True)
class Geometry:
    """Node positions (column = layer, 0 = inputs) and where each layer's edges start.

    Edge k of weight layer l is entry k of ``W.ravel()`` (W is (fan_in, fan_out)): it joins
    unit k // fan_out of column l to unit k % fan_out of column l + 1. Edges are numbered
    layer after layer; ``edge_starts[l]`` is the number of the first edge of layer l.
    Per-edge arrays are never stored: a big network has millions of weights.
    """

    sizes: tuple[int, ...]
    node_x: np.ndarray
    node_y: np.ndarray
    node_layer: np.ndarray
    node_unit: np.ndarray
    starts: np.ndarray  # index of each column's first node
    spacing: np.ndarray  # vertical distance between units, per column
    edge_starts: np.ndarray  # (n_columns,): first edge of each weight layer, then the total

    @property
    def edge_slices(self) -> list[slice]:
        e = self.edge_starts
        return [slice(int(e[l]), int(e[l + 1])) for l in range(len(e) - 1)]

    def edges(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(weight layer, from unit, to unit) of the edges numbered ``idx``."""
        layer = np.searchsorted(self.edge_starts, idx, side="right") - 1
        k = idx - self.edge_starts[layer]
        fan_out = np.asarray(self.sizes)[layer + 1]
        return layer, k // fan_out, k % fan_out


def build_geometry(sizes: tuple[int, ...], spread: float = 3.0) -> Geometry:
    """Columns 1 apart, each centred on y = 0 (unit 0 on top). The tallest column has units
    1 apart; shorter ones spread out, up to ``spread`` apart, so they are easy to tell apart."""
    tallest = max(sizes)
    xs, ys, layer, unit, starts, gaps = [], [], [], [], [], []
    n = 0
    for col, units in enumerate(sizes):
        gap = 1.0 if units < 2 else float(np.clip((tallest - 1) / (units - 1), 1.0, spread))
        starts.append(n)
        gaps.append(gap)
        xs.append(np.full(units, float(col)))
        ys.append(((units - 1) / 2 - np.arange(units, dtype=np.float64)) * gap)
        layer.append(np.full(units, col))
        unit.append(np.arange(units))
        n += units
    counts = [sizes[l] * sizes[l + 1] for l in range(len(sizes) - 1)]
    return Geometry(tuple(sizes), np.concatenate(xs), np.concatenate(ys), np.concatenate(layer),
                    np.concatenate(unit), np.array(starts), np.array(gaps),
                    np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))


def bucket_edges(geom: Geometry, weights: list[np.ndarray], cap: int = EDGE_CAP):
    """Which edges to draw, and in which bucket.

    Returns (buckets, w) where ``buckets[(positive, level)]`` is an index array into the edges
    and ``w`` all weights in edge order. Per layer, strength = |w| / the layer's largest |w|;
    a layer with more than ``cap`` weights keeps only its ``cap`` strongest. Weights that are
    exactly 0 have no sign and connect nothing: they are not drawn.
    """
    w = np.concatenate([np.asarray(W, dtype=np.float64).ravel() for W in weights])
    w = np.where(np.isfinite(w), w, 0.0)
    strength = np.zeros_like(w)
    keep = np.zeros(w.size, dtype=bool)
    for sl in geom.edge_slices:
        a = np.abs(w[sl])
        top = a.max() if a.size else 0.0
        if top > 0:
            strength[sl] = a / top
        if a.size > cap:
            keep[sl.start + np.argpartition(a, a.size - cap)[a.size - cap:]] = True
        else:
            keep[sl] = True
    keep &= w != 0
    level = np.minimum((strength * LEVELS).astype(np.intp), LEVELS - 1)
    positive = w >= 0
    buckets = {}
    for sign in (True, False):
        for lv in range(LEVELS):
            buckets[(sign, lv)] = np.flatnonzero(keep & (positive == sign) & (level == lv))
    return buckets, w


def pairs(geom: Geometry, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x, y arrays for ``connect="pairs"``: start, end, start, end, ..."""
    layer, f, t = geom.edges(idx)
    src, dst = geom.starts[layer] + f, geom.starts[layer + 1] + t
    x = np.column_stack([geom.node_x[src], geom.node_x[dst]]).ravel()
    y = np.column_stack([geom.node_y[src], geom.node_y[dst]]).ravel()
    return x, y


def unit_colours(lo: float, hi: float, theme: Theme) -> tuple[pg.ColorMap, tuple[float, float]]:
    """Colour map and levels for a unit's activation: diverging around 0 if the range spans
    0, else from the background to the positive colour."""
    if lo < 0 < hi:
        m = max(-lo, hi)
        return diverging_map(theme), (-m, m)
    return pg.ColorMap([0.0, 1.0], [theme.background, theme.positive]), (lo, hi)


def unit_name(snap, dataset, layer: int, unit: int) -> str:
    """'hidden 2, unit 3', or 'output c' when the outputs have names."""
    ls = snap.layers[layer]
    if layer == len(snap.layers) - 1:
        names = dataset.class_names if snap.task == "multiclass" else dataset.output_names
        if len(names) == ls.units and ls.units > 1:
            return f"output {names[unit]}"
    return f"{ls.name}, unit {unit + 1}"


class UnitDetail:
    """The selected unit: its activation over the input plane and its activation histogram."""

    def __init__(self) -> None:
        self.map_plot = pg.PlotItem(axisItems=axis_items())
        self.map_plot.setAspectLocked(True)
        self.map_plot.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.map_plot.addItem(self.image)
        self.map_note = pg.TextItem(anchor=(0.5, 0.5))
        self.map_plot.addItem(self.map_note)
        self.hist_plot = pg.PlotItem(axisItems=axis_items(), viewBox=StableViewBox())
        self.hist_plot.setMenuEnabled(False)
        self.hist = pg.PlotDataItem(stepMode="center", fillLevel=0)
        self.hist_plot.addItem(self.hist)
        self.hist_plot.setLabel("bottom", "activation a")
        self.hist_plot.setLabel("left", "sample rows")
        self.hist_plot.getAxis("left").enableAutoSIPrefix(False)  # counts: no "(x0.001)"
        self.grid_values: np.ndarray | None = None
        self.grid_xy: tuple[np.ndarray, np.ndarray] | None = None
        self.edges = np.zeros(0)
        self.counts = np.zeros(0)
        self._cleared: tuple[str, str] | None = None  # what clear() last showed

    def apply_theme(self, theme: Theme) -> None:
        self._cleared = None  # style_plot re-colours the titles: clear() must set them again
        for p in (self.map_plot, self.hist_plot):
            style_plot(p, theme)
        self.map_plot.showGrid(x=False, y=False)
        self.map_note.setColor(theme.foreground)
        self.hist.setPen(pg.mkPen(theme.series[0], width=1.5))
        self.hist.setBrush(pg.mkBrush(mix(theme.background, theme.series[0], 0.45)))

    def clear(self, message: str, theme: Theme) -> None:
        if self._cleared == (message, theme.name):
            return  # nothing selected, frame after frame
        self._cleared = (message, theme.name)
        self.image.clear()
        self.image.setVisible(False)
        self.grid_values, self.grid_xy = None, None
        self._note(message)
        set_title(self.map_plot, "Selected unit", color=theme.foreground)
        # nothing to count: an empty plot with a plain 0–1 frame, not an axis around zero
        self.hist.setData([0.0, 1.0], [0.0])
        self.hist.setVisible(False)
        self.hist_plot.disableAutoRange()
        self.hist_plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self.edges, self.counts = np.zeros(0), np.zeros(0)
        set_title(self.hist_plot, "Its activations", color=theme.foreground)

    def _note(self, message: str) -> None:
        """Show ``message`` instead of a map (a short, axis-less box), or '' for the map."""
        if message == getattr(self, "_message", None):
            return  # unchanged: re-showing the axes and grid would redraw them every frame
        self._message = message
        self.map_note.setText(message)
        self.map_note.setVisible(bool(message))
        for side in ("left", "bottom"):
            self.map_plot.showAxis(side, not message)
        self.map_plot.showGrid(x=False, y=False)
        self.map_plot.setMaximumHeight(90 if message else 10_000)
        if message:
            self.map_plot.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
            self.map_note.setPos(0, 0)

    def update(self, snap, dataset, layer: int, unit: int, grid, theme: Theme) -> None:
        """``grid`` is the unit's (res, res) activation over the plane, or None."""
        self._cleared = None
        ls = snap.layers[layer]
        name = unit_name(snap, dataset, layer, unit)
        edges = np.asarray(ls.a_hist.edges, dtype=np.float64)
        self.edges, self.counts = edges, unit_histogram(ls.a_sample, unit, edges)
        self.hist.setData(edges, self.counts)
        if not self.hist.isVisible():  # after clear()
            self.hist.setVisible(True)
            self.hist_plot.enableAutoRange()
        rows = int(self.counts.sum())  # every finite value is counted (outside → end bins)
        set_title(self.hist_plot, f"{name}: activations on {rows} training rows",
                  color=theme.foreground)
        set_title(self.map_plot, f"{name} over the input plane", color=theme.foreground)
        if grid is None or snap.grid is None and getattr(dataset, "extent", None) is None:
            self.image.setVisible(False)
            self.grid_values = self.grid_xy = None
            self._note("The map over the input plane\nis available for 2-D data")
            return
        g = np.asarray(grid, dtype=np.float64)
        cmap, levels = unit_colours(edges[0], edges[-1], theme)
        g = np.where(np.isfinite(g), g, 0.5 * (levels[0] + levels[1]))
        if snap.grid is not None:
            xs, ys = snap.grid.xs, snap.grid.ys
        else:
            (x0, x1), (y0, y1) = dataset.extent
            xs, ys = np.linspace(x0, x1, g.shape[1]), np.linspace(y0, y1, g.shape[0])
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.setImage(g, levels=levels, lut=cmap.getLookupTable(nPts=256),
                            autoLevels=False)
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx,
                                  ys[-1] - ys[0] + dy))
        self.image.setVisible(True)
        self._note("")
        self.map_plot.setRange(xRange=(xs[0], xs[-1]), yRange=(ys[0], ys[-1]), padding=0.02)
        names = dataset.input_names
        self.map_plot.setLabel("bottom", names[0] if names else "x1")
        self.map_plot.setLabel("left", names[1] if len(names) > 1 else "x2")
        self.grid_values, self.grid_xy = g, (np.asarray(xs), np.asarray(ys))

    def csv_tables(self) -> list[CsvTable]:
        tables = []
        if self.counts.size:
            tables.append(CsvTable("unit_histogram", ("bin start", "bin end", "rows"),
                                   np.column_stack([self.edges[:-1], self.edges[1:],
                                                    self.counts])))
        if self.grid_values is not None:
            gx, gy = np.meshgrid(*self.grid_xy)
            tables.append(CsvTable("unit_map", ("x", "y", "activation"),
                                   np.column_stack([gx.ravel(), gy.ravel(),
                                                    self.grid_values.ravel()])))
        return tables
