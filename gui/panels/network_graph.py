"""The Network graph panel: the layers as columns of units, joined by their weights.

Edges are coloured by the weight's sign and drawn thicker for larger |w| (relative to the
layer's largest); units are coloured by their mean activation on the sample rows. Hover a unit
for its numbers; click it to see its activation over the input plane and its histogram.
Geometry is rebuilt only when the architecture changes; each frame only recolours.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from core.activations.formula import label as act_label

from ..live_view import LiveView
from ..theme import Theme
from ._axis import CachedAxis, axis_items
from .base import CsvTable, Panel
from .network_graph_parts import (
    ALPHAS,
    EDGE_CAP,
    LEVELS,
    WIDTHS,
    Geometry,
    UnitDetail,
    bucket_edges,
    build_geometry,
    pairs,
    unit_name,
)
from .output_map import diverging_map, style_bar
from .registry import describe

__all__ = ["NetworkGraphPanel"]

_MAX_LABELS = 24  # name every unit of a column only up to this many units


class NetworkGraphPanel(Panel):
    """Layers, weights and mean activations at a glance; one unit in detail on the side."""

    panel_id = "network_graph"
    title, tooltip = describe(panel_id)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self.options)
        row.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel("", self.options)
        self.caption.setWordWrap(True)
        self.caption.setToolTip("How to read the graph, and which weights are left out")
        row.addWidget(self.caption, 1)
        #: set by the main window when per-unit maps need the trainer: (layer, unit) -> array
        self.request_unit_grid: Callable[[int, int], np.ndarray | None] | None = None

        ci = self.canvas.ci
        self.graph = pg.PlotItem(axisItems=axis_items(top=CachedAxis("top"),
                                                   right=CachedAxis("right")))
        self.graph.setMenuEnabled(False)
        self.graph.hideButtons()
        for side in ("left", "bottom", "right", "top"):
            self.graph.showAxis(side)
            # labels only: no tick marks (the tick pen's alpha is overridden by tickAlpha)
            self.graph.getAxis(side).setStyle(tickLength=0, tickAlpha=0)
        self.edge_items: dict[tuple[bool, int], pg.PlotDataItem] = {}
        for sign in (True, False):
            for lv in range(LEVELS):
                item = pg.PlotDataItem(connect="pairs")
                # each edge its own line (QPainter.drawLines), not one path of thousands of
                # pieces: stroking such a path with a wide pen took 4-6 s in a PNG export of
                # a 4×64 network; crossings of two translucent edges now look darker, as
                # two lines on paper would
                item.curve.setSegmentedLineMode("on")
                item.setZValue(lv)
                self.graph.addItem(item)
                self.edge_items[(sign, lv)] = item
        self.nodes = pg.ScatterPlotItem(pxMode=True)
        self.nodes.setZValue(20)
        self.nodes.sigClicked.connect(self._on_click)
        self.dead = pg.ScatterPlotItem(pxMode=True, symbol="x", brush=None)
        self.dead.setZValue(21)
        self.ring = pg.ScatterPlotItem(pxMode=True, brush=None)
        self.ring.setZValue(22)
        for item in (self.nodes, self.dead, self.ring):
            self.graph.addItem(item)
        self.bar = pg.ColorBarItem(values=(-1, 1), width=14, interactive=False,
                                   colorMapMenu=False)
        self.bar.axis.setLabel("mean activation of a unit")
        self.readout = pg.LabelItem(justify="left")
        self.detail = UnitDetail()
        ci.addItem(self.graph, 0, 0, rowspan=2)
        ci.addItem(self.bar, 0, 1, rowspan=2)
        ci.addItem(self.detail.map_plot, 0, 2)
        ci.addItem(self.detail.hist_plot, 1, 2)
        ci.addItem(self.readout, 2, 0, colspan=3)
        ci.layout.setColumnStretchFactor(0, 4)
        ci.layout.setColumnStretchFactor(2, 2)
        self._hover = pg.SignalProxy(self.canvas.scene().sigMouseMoved, rateLimit=30,
                                     slot=self._on_mouse)

        self.geometry: Geometry | None = None
        self._node_size: float | None = None
        self.graph.vb.sigResized.connect(self._size_nodes)
        self._arch = None
        self.rebuilds = 0  # how often the geometry was rebuilt (architecture changes)
        self.buckets: dict[tuple[bool, int], np.ndarray] = {}
        self.weights = np.zeros(0)
        self.scale = 1.0  # colour scale of mean activations: ±scale, only grows
        self._brush_lut: np.ndarray | None = None
        self.selected: tuple[int, int] | None = None  # (snapshot layer index, unit)
        self.apply_theme(self.theme)
        self.detail.clear("Click a unit to see it here", self.theme)

    @property
    def node_size(self) -> float | None:
        """The diameter of the unit circles now (px, 5–18), None before the first network."""
        return self._node_size

    # --- geometry (architecture changes only) ---------------------------------------------
    def _rebuild(self, view: LiveView) -> None:
        snap, ds = view.snapshot, view.dataset
        sizes = (ds.n_inputs, *(l.units for l in snap.layers))
        self.geometry = g = build_geometry(sizes)
        self.rebuilds += 1
        self.scale = 1.0
        if self.selected is not None and not self._valid(*self.selected):
            self.selected = None
        self._label_axes(snap, ds, sizes)
        self.nodes.setData(g.node_x, g.node_y, data=np.arange(g.node_x.size))
        self._size_nodes()
        top = float(np.abs(g.node_y).max()) + 0.5
        self.graph.setRange(xRange=(-0.3, len(sizes) - 0.7), yRange=(-top, top), padding=0.03)

    def _size_nodes(self, *_) -> None:
        """Circles as large as the tallest column leaves room for (5–18 px): sixteen units
        in a laptop's 290-px tab would otherwise overlap."""
        if self.geometry is None:
            return
        height = self.graph.vb.height() or 260.0
        size = float(np.clip(0.8 * height / max(self.geometry.sizes), 5, 18))
        if size != self._node_size:
            self._node_size = size
            self.nodes.setSize(size)
            self.ring.setSize(size + 8)
            self.dead.setSize(size * 0.8)

    def _label_axes(self, snap, ds, sizes: tuple[int, ...]) -> None:
        """Layer names on top, activations below, unit names left (inputs) and right
        (outputs): axes make room for their labels whatever the panel's size."""
        g, short = self.geometry, len(sizes) > 6
        heads = ["inputs"] + [l.name for l in snap.layers]
        acts = [f"{ds.n_inputs}"] + [f"{act_label(l.activation)} · {l.units}" for l in snap.layers]
        if short:  # deep networks: narrow columns, activations go to the caption
            heads = ["in"] + [f"h{i + 1}" for i in range(len(snap.layers) - 1)] + ["out"]
            acts = [str(n) for n in sizes]
        self.graph.getAxis("top").setTicks([list(enumerate(heads))])
        self.graph.getAxis("bottom").setTicks([list(enumerate(acts))])
        outs = ds.class_names if snap.task == "multiclass" else ds.output_names
        for side, col, names in (("left", 0, ds.input_names), ("right", len(sizes) - 1, outs)):
            ticks = []
            # a name per unit only when the units are far enough apart for text
            room = sizes[col] <= _MAX_LABELS and max(sizes) / g.spacing[col] <= 40
            if room and len(names) == sizes[col]:
                ys = g.node_y[g.starts[col]:g.starts[col] + sizes[col]]
                ticks = [(float(y), str(n)) for y, n in zip(ys, names)]
            self.graph.getAxis(side).setTicks([ticks])

    def _valid(self, layer: int, unit: int) -> bool:
        g = self.geometry
        return g is not None and 0 <= layer < len(g.sizes) - 1 and 0 <= unit < g.sizes[layer + 1]

    # --- frames ----------------------------------------------------------------------------
    def update_view(self, view: LiveView) -> None:
        super().update_view(view)
        snap, ds = view.snapshot, view.dataset
        arch = ((ds.n_inputs, *(l.units for l in snap.layers)),
                tuple(l.activation for l in snap.layers), tuple(ds.input_names),
                tuple(ds.output_names), tuple(ds.class_names))
        if arch != self._arch:
            self._arch = arch
            self._rebuild(view)
        g = self.geometry
        self.buckets, self.weights = bucket_edges(g, [l.weights for l in snap.layers])
        # smooth edges were more than half of this panel's drawing time (see Panel.smooth)
        for key, item in self.edge_items.items():
            x, y = pairs(g, self.buckets[key])
            item.setData(x, y, connect="pairs", skipFiniteCheck=True, antialias=self.smooth)
        self._colour_nodes(snap)
        self._update_caption(g)
        self._update_detail()

    def _colour_nodes(self, snap) -> None:
        g = self.geometry
        means = np.concatenate([np.asarray(l.unit_mean_activation, dtype=np.float64)
                                for l in snap.layers])
        means = np.where(np.isfinite(means), means, 0.0)
        biggest = float(np.abs(means).max()) if means.size else 0.0
        if biggest > self.scale:  # a power of two, growing only, so colours stay comparable
            self.scale = 2.0 ** math.ceil(math.log2(biggest))
        cmap = diverging_map(self.theme)
        if self._brush_lut is None:  # 65 brushes, indexed: fast for thousands of units
            lut = [pg.mkBrush(cmap.map(i / 64, mode="qcolor")) for i in range(65)]
            self._brush_lut = np.array(lut + [pg.mkBrush(self.theme.shade)], dtype=object)
        t = np.clip(0.5 + 0.5 * means / self.scale, 0, 1)
        idx = np.concatenate([np.full(g.sizes[0], 65), np.rint(t * 64).astype(np.intp)])
        self.nodes.setBrush(self._brush_lut[idx])
        if self._bar_key != (self.theme.name, self.scale):  # rebuilding the bar: 0.8 ms
            self._bar_key = (self.theme.name, self.scale)
            self.bar.setColorMap(cmap)
            self.bar.setLevels((-self.scale, self.scale))
        dead = np.concatenate([np.asarray(l.dead_mask, dtype=bool) for l in snap.layers])
        idx = g.sizes[0] + np.flatnonzero(dead)
        self.dead.setData(g.node_x[idx], g.node_y[idx])
        if self.selected is not None:
            i = g.starts[self.selected[0] + 1] + self.selected[1]
            self.ring.setData([g.node_x[i]], [g.node_y[i]])
        else:
            self.ring.setData([], [])

    def _update_caption(self, g: Geometry) -> None:
        parts = [] if len(g.sizes) <= 6 else [
            "Columns: inputs (in), hidden layers h1, h2, … and the output layer (out), with "
            f"their units below; activations: {self._activation_runs()}."]
        parts += ["Lines: weights, orange = positive, blue = negative, thicker = larger |w| "
                 "(relative to the layer's largest). Circles: units, coloured by mean activation; "
                 "× = dead unit (zero slope on every sample row)."]
        zeros = int((self.weights == 0).sum())
        if zeros:
            parts.append(f"{zeros} of {self.weights.size} weights are exactly 0 and not drawn.")
        names = ["inputs"] + [l.name for l in self.view.snapshot.layers]
        for l, sl in enumerate(g.edge_slices):
            n = sl.stop - sl.start
            if n > EDGE_CAP:
                parts.append(f"Between {names[l]} and {names[l + 1]} only the {EDGE_CAP} "
                             f"strongest of {n} weights are drawn.")
        text = " ".join(parts)
        if text != self.caption.text():  # mostly the same from frame to frame
            self.caption.setText(text)

    def _activation_runs(self) -> str:
        """'h1–h10 sigmoid, out sigmoid': the layers' activations, runs grouped."""
        layers = self.view.snapshot.layers
        tags = [f"h{i + 1}" for i in range(len(layers) - 1)] + ["out"]
        runs, i = [], 0
        while i < len(layers):
            j = i
            while j + 1 < len(layers) - 1 and layers[j + 1].activation == layers[i].activation:
                j += 1
            span = tags[i] if i == j else f"{tags[i]}–{tags[j]}"
            runs.append(f"{span} {act_label(layers[i].activation)}")
            i = j + 1
        return ", ".join(runs)

    def _update_detail(self) -> None:
        view = self.view
        if view is None:
            return
        if self.selected is None:
            self.detail.clear("Click a unit to see it here", self.theme)
            return
        layer, unit = self.selected
        snap = view.snapshot
        grid = None
        if snap.grid is not None and layer < len(snap.grid.unit_grids):
            grid = snap.grid.unit_grids[layer][:, :, unit]
        elif self.request_unit_grid is not None:
            try:
                grid = self.request_unit_grid(layer, unit)
            except (ValueError, IndexError):  # not 2-D data, or the network just changed
                grid = None
        self.detail.update(snap, view.dataset, layer, unit, grid, self.theme)

    # --- interaction -------------------------------------------------------------------------
    def select_node(self, layer: int, unit: int) -> None:
        """Select unit ``unit`` of snapshot layer ``layer`` (0 = first hidden); -1 = inputs."""
        self.selected = (layer, unit) if self._valid(layer, unit) else None
        if self.view is not None and self.geometry is not None:
            # a frame may have been stored while the panel was hidden (and not drawn): draw
            # it fully, so the node layout matches that frame's network before colouring
            self.update_view(self.view)

    def _on_click(self, _item, points, _ev) -> None:
        if len(points) and self.geometry is not None:
            i = int(points[0].data())
            self.select_node(int(self.geometry.node_layer[i]) - 1,
                             int(self.geometry.node_unit[i]))

    def node_at(self, x: float, y: float, radius_px: float = 12.0) -> int | None:
        """Index of the node within ``radius_px`` pixels of view point (x, y), if any."""
        g = self.geometry
        if g is None:
            return None
        px, py = self.graph.vb.viewPixelSize()
        d = np.hypot((g.node_x - x) / max(px, 1e-12), (g.node_y - y) / max(py, 1e-12))
        i = int(d.argmin())
        return i if d[i] <= radius_px else None

    def node_text(self, i: int) -> str:
        """What hovering node ``i`` tells: layer, unit, activation, mean and bias."""
        g, snap, ds = self.geometry, self.view.snapshot, self.view.dataset
        col, unit = int(g.node_layer[i]), int(g.node_unit[i])
        if col == 0:
            name = ds.input_names[unit] if unit < len(ds.input_names) else f"x{unit + 1}"
            return f"input {unit + 1} ({name})"
        ls = snap.layers[col - 1]
        text = (f"{unit_name(snap, ds, col - 1, unit)} · activation "
                f"{act_label(ls.activation)} · mean activation "
                f"{ls.unit_mean_activation[unit]:.3g} · bias {ls.bias[unit]:.3g}")
        if ls.dead_mask[unit]:
            text += " · dead (zero slope on every sample row)"
        return text

    def _on_mouse(self, event) -> None:
        if self.view is None or self.geometry is None:
            return
        pos = event[0]
        if not self.graph.sceneBoundingRect().contains(pos):
            return
        p = self.graph.vb.mapSceneToView(pos)
        i = self.node_at(p.x(), p.y())
        self.readout.setText("" if i is None else self.node_text(i),
                             color=self.theme.foreground)

    # --- theme, export, state ----------------------------------------------------------------
    def plot_items(self) -> list[pg.PlotItem]:
        # the graph has no grid and invisible axis lines; colour bars get no grid either
        return [p for p in super().plot_items()
                if p is not self.graph and not isinstance(p, pg.ColorBarItem)]

    def apply_theme(self, theme: Theme) -> None:
        self._brush_lut = None
        self._bar_key = None  # the colour bar is drawn anew
        for (sign, lv), item in self.edge_items.items():
            c = pg.mkColor(theme.positive if sign else theme.negative)
            c.setAlpha(ALPHAS[lv])
            item.setPen(pg.mkPen(c, width=WIDTHS[lv]))
        self.nodes.setPen(pg.mkPen(theme.foreground, width=1))
        self.dead.setPen(pg.mkPen(theme.foreground, width=2))
        self.ring.setPen(pg.mkPen(theme.foreground, width=2.5))
        style_bar(self.bar, theme)
        self.detail.apply_theme(theme)
        for side in ("left", "bottom", "right", "top"):  # labels only, no axis lines
            ax = self.graph.getAxis(side)
            ax.setPen(pg.mkPen(None))
            ax.setTextPen(pg.mkPen(theme.foreground))
        super().apply_theme(theme)

    def set_exporting(self, on: bool) -> None:
        """A figure shows the selected unit if there is one; without a selection its empty
        "Click a unit" area is left out (the graph takes the width), and so is the hover
        read-out."""
        super().set_exporting(on)
        ci, detail = self.canvas.ci, self.detail
        left_out = on and self.selected is None
        for plot, row in ((detail.map_plot, 0), (detail.hist_plot, 1)):
            inside = plot in ci.items
            if left_out and inside:
                ci.removeItem(plot)
                plot.setVisible(False)
            elif not left_out and not inside:
                ci.addItem(plot, row, 2)
                plot.setVisible(True)
        ci.layout.setColumnStretchFactor(2, 0 if left_out else 2)
        if on:
            self.readout.setText("")
        self.readout.setVisible(not on)
        ci.layout.setRowMaximumHeight(2, 0 if on else 10_000)

    def csv_tables(self) -> list[CsvTable]:
        g = self.geometry
        if g is None or self.view is None:
            return []
        names = [l.name for l in self.view.snapshot.layers]
        idx = np.sort(np.concatenate(list(self.buckets.values())))
        layer, src, dst = g.edges(idx)
        edges = np.empty((idx.size, 4), dtype=object)
        edges[:, 0] = [names[l] for l in layer]
        edges[:, 1] = src + 1  # units counted from 1, as in the read-out
        edges[:, 2] = dst + 1
        edges[:, 3] = self.weights[idx]
        rows = [(l.name, u + 1, float(l.unit_mean_activation[u]), float(l.bias[u]))
                for l in self.view.snapshot.layers for u in range(l.units)]
        nodes = np.array(rows, dtype=object).reshape(-1, 4)
        return [CsvTable("edges", ("layer", "from unit", "to unit", "weight"), edges),
                CsvTable("nodes", ("layer", "unit", "mean activation", "bias"), nodes),
                *(self.detail.csv_tables() if self.selected is not None else [])]

    def view_state(self) -> dict:
        return {"selected": list(self.selected) if self.selected is not None else None}

    def restore_view_state(self, state: dict) -> None:
        sel = state.get("selected") if isinstance(state, dict) else None
        if (isinstance(sel, list) and len(sel) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in sel)):
            self.selected = (sel[0], sel[1])
            if self.geometry is not None:
                self.select_node(*sel)
