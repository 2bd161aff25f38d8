"""Activation curves: any set of functions overlaid, with saturation shading, kink conventions,
a hover read-out of f and f′, the property card and, optionally, the live histogram of a
layer's pre-activations under the curve."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QSplitter, QTextBrowser

from core.activations.formula import label as act_label
from core.diagnostics import SATURATION_FRACTION, max_abs_df, saturated_intervals

from ..live_view import LiveView
from ..reference import info_html
from ..theme import Theme, series_color
from ._axis import axis_items
from ._placement import arrange
from .base import CsvTable, Panel
from .function_picker import (
    Caption,
    FunctionPicker,
    FunctionViewState,
    XRangeEdit,
    curve_fns,
    kink_owner,
    label_of,
    put_beside,
    sample_z,
    vector_note,
)
from .registry import describe

__all__ = ["ActivationCurvesPanel"]

#: share of the plot's height the data histogram may fill
_HIST_SHARE = 0.3


#: a canvas lower than this (px) hides the caption (see ActivationCurvesPanel.fit_to)
COMPACT_HEIGHT = 330


class ActivationCurvesPanel(FunctionViewState, Panel):
    """The chosen functions a = f(z) overlaid, with saturation shading, kink notes and a
    hover read-out; read what is drawn through :meth:`curve`, :meth:`kink_notes`,
    :attr:`sample_points` and :meth:`saturation_regions`."""

    panel_id = "activation_curves"
    title, tooltip = describe(panel_id)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # --- options row and side column --------------------------------------------------
        self.xrange = XRangeEdit(-5.0, 5.0)
        # short, and the layer list narrow: with the Lessons dock open a laptop's middle
        # column is ~440 px, and a wider row would push the window off the screen
        self.data_box = QCheckBox("Show data")
        self.data_box.setToolTip("Draw the histogram of a layer's pre-activations z (live, from "
                                 "training) under the curves: where on the curve does the data "
                                 "sit?")
        self.layer_combo = QComboBox()
        self.layer_combo.setToolTip("The layer whose pre-activations z are drawn under the curve.")
        self.layer_combo.setEnabled(False)
        self.layer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.layer_combo.setMinimumContentsLength(9)
        row = QHBoxLayout(self.options)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.xrange)
        row.addStretch(1)
        row.addWidget(self.data_box)
        row.addWidget(self.layer_combo)  # its items name the layer: "hidden 1 · tanh"
        self.picker = FunctionPicker(("sigmoid", "tanh", "relu"), current="tanh")
        self.card = QTextBrowser()
        self.card.setToolTip("Properties of the highlighted function.")
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.picker)
        side.addWidget(self.card)
        side.setSizes([300, 260])
        put_beside(self, side, 250)

        # --- plot items, created once ------------------------------------------------------
        self.plot = self.canvas.addPlot(row=0, col=0, title="Activation functions a = f(z)",
                                        axisItems=axis_items())
        self.plot.setLabel("bottom", "pre-activation z")
        self.plot.setLabel("left", "output a = f(z)")
        # under the plot, not in it: in a laptop's dock three names covered half the curves
        self.legend = pg.LegendItem(offset=None, verSpacing=-6, colCount=3)
        self.canvas.addItem(self.legend, row=1, col=0)
        self.caption = Caption()
        self.canvas.addItem(self.caption, row=2, col=0)
        self.hist_item = pg.PlotDataItem(stepMode="center", fillLevel=0.0)
        self.hist_item.setZValue(-5)
        self.kink_points = pg.ScatterPlotItem(size=11, symbol="o")
        self.kink_points.setZValue(20)
        self.hover_line = pg.InfiniteLine(angle=90, movable=False)
        self.hover_points = pg.ScatterPlotItem(size=8)
        self.hover_points.setZValue(21)
        for item in (self.hist_item, self.kink_points, self.hover_line, self.hover_points):
            self.plot.addItem(item, ignoreBounds=True)
        self.hist_item.setVisible(False)
        self.readout = pg.TextItem(anchor=(1, 1))
        self.readout.setParentItem(self.plot.vb)  # fixed in the view's corner, not in data
        self.readout.setZValue(30)
        self.plot.vb.sigResized.connect(self._place_readout)
        self.plot.vb.sigResized.connect(self._fit_kink_texts)
        self.plot.vb.sigResized.connect(self.arrange_texts)
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._regions: list[pg.LinearRegionItem] = []
        self._kink_texts: list[pg.TextItem] = []
        # each note's share of the plot's width on its side of the kink (see _fit_kink_texts)
        self._kink_room: dict[pg.TextItem, float] = {}
        self._kink_at: dict[pg.TextItem, tuple[float, float]] = {}  # its kink (z, f(z))
        self._z = np.zeros(0)
        self._table: dict[str, np.ndarray] = {}  # label → f(z) as plotted (NaN if not finite)
        self._labels: list[str] = []
        self._ylim = (-1.0, 1.0)
        self._hist: tuple[np.ndarray, np.ndarray] | None = None
        self.readout_x: float | None = None
        self._hide_hover()

        self._proxy = pg.SignalProxy(self.canvas.scene().sigMouseMoved, rateLimit=30,
                                     slot=self._on_mouse_moved)
        self.picker.changed.connect(self._redraw)
        self.xrange.rangeChanged.connect(lambda *_: self._redraw())
        self.data_box.toggled.connect(self._on_data_toggled)
        self.layer_combo.currentIndexChanged.connect(lambda *_: self._draw_hist())
        self._redraw()

    # --- what is drawn (read-only hooks for tests and tools) ------------------------------
    def curve(self, name: str) -> pg.PlotDataItem:
        """The curve of the function ``name`` (a registry name): its data is f at the
        finite points of :attr:`sample_points`. Curves are created on first use and then
        kept (hidden when unticked): KeyError for one never drawn."""
        return self._curves[name]

    def kink_notes(self) -> list[pg.TextItem]:
        """The kink notes shown now (the f′ convention at each kink of one function), as
        their text items: their text, position and anchor are as drawn."""
        return [t for t in self._kink_texts if t.isVisible()]

    @property
    def sample_points(self) -> np.ndarray:
        """The z values the curves are sampled at (a read-only view): the x range, with
        every kink in it included."""
        z = self._z.view()
        z.flags.writeable = False
        return z

    def saturation_regions(self) -> list[tuple[float, float]]:
        """The shaded intervals (lo, hi) where the focused function saturates, left to
        right as drawn."""
        return [r.getRegion() for r in self._regions if r.isVisible()]

    def redraw(self) -> None:
        """Draw the curves, notes and shading again for the current options and size
        (the panel does this itself whenever an option changes)."""
        self._redraw()

    # --- the curves (only when an option changes) --------------------------------------------
    def _redraw(self) -> None:
        th = self.theme
        shown = self.picker.shown()
        lo, hi = self.xrange.range()
        kinks = [k.x for a in shown for k in a.info.kinks]
        z = self._z = sample_z(lo, hi, kinks)
        self.legend.clear()
        self._table, self._labels = {}, []
        ys: list[np.ndarray] = []
        spots = []
        for i, act in enumerate(shown):
            colour = series_color(th, i)
            f = np.asarray(curve_fns(act)[0](z), dtype=np.float64)
            ok = np.isfinite(f)
            curve = self._curve(act.name)
            curve.setPen(pg.mkPen(colour, width=2))
            curve.setData(z[ok], f[ok], skipFiniteCheck=True)
            curve.setVisible(True)
            label = label_of(act)
            self.legend.addItem(curve, label)
            self._table[label] = np.where(ok, f, np.nan)
            self._labels.append(label)
            ys.append(f[ok])
            for k in act.info.kinks:
                if not lo <= k.x <= hi:
                    continue
                fk = float(curve_fns(act)[0](np.array([k.x]))[0])
                spots.append({"pos": (k.x, fk), "brush": pg.mkBrush(colour),
                              "pen": pg.mkPen(th.foreground, width=1)})
        for name, curve in self._curves.items():
            if name not in {a.name for a in shown}:
                curve.setVisible(False)
        self.kink_points.setData(spots)
        if ys and any(len(y) for y in ys):
            ymin = min(float(y.min()) for y in ys if len(y))
            ymax = max(float(y.max()) for y in ys if len(y))
        else:
            ymin, ymax = -1.0, 1.0
        if ymax - ymin < 1e-9:
            ymin, ymax = ymin - 1.0, ymax + 1.0
        self._ylim = (ymin, ymax)
        self._fit_legend(self.room().width())
        self._label_kinks(shown, lo, hi)
        self.plot.vb.setRange(xRange=(lo, hi), yRange=(ymin, ymax), padding=0.05)
        self._shade(shown)
        self._show_card()
        self._draw_hist()
        self._hide_hover()

    def _label_kinks(self, shown: list, lo: float, hi: float) -> None:
        """State the f′ convention at each kink of one function (see ``kink_owner``)."""
        pick = kink_owner(shown, self.picker.focus(), lo, hi)
        used = 0
        if pick is not None:
            act, name = shown[pick], shown[pick].info.display_name
            for k in (k for k in act.info.kinks if lo <= k.x <= hi):
                text = self._kink_text(used)
                note = k.note or f"{name}′({k.x:g}) = {k.df_used:g} is used here"
                text.setText(note if note.startswith(name) else f"{name}: {note}",
                             color=series_color(self.theme, pick))
                # keep the text inside the plot: on the wider side of the kink, and above
                # it when the kink sits in the lower half
                y = float(act.f(np.array([k.x]))[0])
                right = k.x > 0.5 * (lo + hi)
                ylo, yhi = self._ylim
                above = y < 0.5 * (ylo + yhi)
                text.setAnchor((1.03 if right else -0.03, 1.15 if above else -0.15))
                text.setPos(k.x, y)
                self._kink_at[text] = (k.x, y)
                # the share of the plot's width on the text's side of the kink
                self._kink_room[text] = ((k.x - lo) / (hi - lo) if right
                                         else (hi - k.x) / (hi - lo))
                text.setVisible(True)
                used += 1
        for text in self._kink_texts[used:]:
            text.setVisible(False)
        self._fit_kink_texts()
        self.arrange_texts()

    def _fit_legend(self, width: float) -> None:
        """As many columns of names as ``width`` (the canvas's) holds, three at most. Asked
        before the plots are laid out: a legend given new columns puts itself at (0, 0)."""
        room = width - 8
        n = len(self.legend.items)
        for cols in range(min(3, max(n, 1)), 0, -1):
            if self.legend.columnCount != cols:
                self.legend.setColumnCount(cols)
            if self.legend.boundingRect().width() <= room:
                break

    def arrange_texts(self, *_: Any) -> None:
        """Each kink note beside its kink (or else in a free corner), apart from each other
        and from the curves."""
        notes = []
        for text in self.kink_notes():
            x, y = self._kink_at.get(text, (0.0, 0.0))
            notes.append((text, [((x, y), (a, b)) for a, b in
                                 ((-0.03, 1.15), (1.03, 1.15), (-0.03, -0.15), (1.03, -0.15))]))
        for text, _ in notes:
            text.setOpacity(1.0)
        placed = arrange(self.plot.vb, None, notes)
        # a plot too low for the note (a small laptop's tab): the kink's dot stays, the
        # note is not drawn cut off or over the title (the card beside says the same)
        area = self.plot.vb.sceneBoundingRect().adjusted(-1.5, -1.5, 1.5, 1.5)
        for (text, _), rect in zip(notes, placed, strict=True):
            if not area.contains(rect):
                text.setOpacity(0.0)

    def _fit_kink_texts(self) -> None:
        """Wrap each kink note to the room beside its kink (at most 190 px), so that a
        narrow plot does not cut it off at its edge."""
        width = self.plot.vb.width()
        for text in self._kink_texts:
            if text.isVisible():
                room = self._kink_room.get(text, 1.0) * width - 10 if width > 0 else 190
                text.setTextWidth(max(80.0, min(190.0, room)))

    def _curve(self, name: str) -> pg.PlotDataItem:
        if name not in self._curves:
            self._curves[name] = self.plot.plot([], [])
        return self._curves[name]

    def _kink_text(self, i: int) -> pg.TextItem:
        while len(self._kink_texts) <= i:
            t = pg.TextItem(anchor=(0, 0))
            t.setZValue(19)
            self.plot.addItem(t, ignoreBounds=True)
            self._kink_texts.append(t)
        t = self._kink_texts[i]
        t.fill = pg.mkBrush(self.theme.background + "D0")
        return t

    def _shade(self, shown: list) -> None:
        """Shade where the focused function saturates (|f′| < 1% of its largest |f′|)."""
        name = self.picker.focus()
        intervals: list[tuple[float, float]] = []
        act = None
        if name is not None:
            act = self.picker.activation(name)
            intervals = saturated_intervals(self._z, curve_fns(act)[1](self._z),
                                            max_abs_df(act))
        self.saturated = intervals
        brush = pg.mkBrush(self.theme.shade + ("90" if self.theme.name == "light" else "FF"))
        while len(self._regions) < len(intervals):
            r = pg.LinearRegionItem(movable=False)
            r.setZValue(-10)
            for line in r.lines:
                line.setPen(pg.mkPen(None))
            self.plot.addItem(r, ignoreBounds=True)
            self._regions.append(r)
        for i, r in enumerate(self._regions):
            if i < len(intervals):
                r.setRegion(intervals[i])
                r.setBrush(brush)
                r.setVisible(True)
            else:
                r.setVisible(False)
        parts = []
        lo, hi = self.xrange.range()
        if act is not None:
            if max_abs_df(act) <= 0:
                parts.append(f"{html.escape(act.info.display_name)}: f′ = 0 everywhere, so "
                             "no gradient flows back through it at all.")
            else:
                name = html.escape(label_of(act))
                rule = f"|f′| &lt; {SATURATION_FRACTION:.0%} of its largest |f′|"
                if intervals:
                    parts.append(f"Shaded: where {name} saturates ({rule}): almost no "
                                 "gradient flows back there.")
                else:
                    parts.append(f"{name} does not saturate ({rule}) anywhere in "
                                 f"[{lo:g}, {hi:g}].")
        parts += [html.escape(vector_note(a)) for a in shown if vector_note(a)]
        if not shown:
            parts.append("Tick one or more functions in the list on the left.")
        self._notes = parts
        self._set_caption()

    def _set_caption(self) -> None:
        parts = list(getattr(self, "_notes", []))
        if self._hist is not None:
            layer = html.escape(str(self.layer_combo.currentText()))
            n = int(self._hist[1].sum())
            parts.append(f"Bars: where the {n:,} pre-activations z of {layer} fall "
                         "(live, scaled to fit).")
        text = "<br>".join(parts)
        if text != getattr(self, "_caption_text", None):
            self._caption_text = text
            self.caption.set(text, self.theme.foreground)
            if getattr(self, "_compact", False):
                self.plot.setToolTip(f"<p>{text}</p>" if text else "")

    def fit_to(self, size) -> None:
        """In a small dock (a laptop's, ~250 px high) the caption would squeeze the curves
        flat: it is hidden there and becomes the plot's tooltip. A larger dock, a floated
        one and every export show it."""
        height = self.canvas.height() if size is None else size.height()
        self._fit_legend(self.room().width() if size is None else size.width())
        compact = height < COMPACT_HEIGHT
        if compact == getattr(self, "_compact", None):
            return
        self._compact = compact
        self.caption.setVisible(not compact)
        self.caption.setMaximumHeight(0 if compact else 10_000)
        text = getattr(self, "_caption_text", "")
        self.plot.setToolTip(f"<p>{text}</p>" if compact and text else "")

    def _show_card(self) -> None:
        act = self.picker.activation(self.picker.current())
        note = vector_note(act)
        self.card.setHtml(info_html(act) + (f"<p><i>{note}</i></p>" if note else ""))

    # --- the data under the curve (every frame) ----------------------------------------------
    def update_view(self, view: LiveView) -> None:
        super().update_view(view)
        layers = getattr(view.snapshot, "layers", ()) or ()
        labels = [f"{layer.name} ({act_label(layer.activation)})" for layer in layers]
        current = [self.layer_combo.itemText(i) for i in range(self.layer_combo.count())]
        if labels != current:
            keep = self.layer_combo.currentData()
            was = self.layer_combo.blockSignals(True)
            self.layer_combo.clear()
            for layer, text in zip(layers, labels):
                self.layer_combo.addItem(text, layer.name)
            i = self.layer_combo.findData(keep) if keep is not None else -1
            self.layer_combo.setCurrentIndex(max(i, 0))
            self.layer_combo.blockSignals(was)
        self._draw_hist()

    def _on_data_toggled(self, on: bool) -> None:
        self.layer_combo.setEnabled(on)
        self._draw_hist()

    def _layer(self) -> Any | None:
        if self.view is None:
            return None
        name = self.layer_combo.currentData()
        for layer in getattr(self.view.snapshot, "layers", ()) or ():
            if layer.name == name:
                return layer
        return None

    def _draw_hist(self) -> None:
        layer = self._layer() if self.data_box.isChecked() else None
        hist = getattr(layer, "z_hist", None)
        if hist is None:
            self.hist_item.setVisible(False)
            self._hist = None
            self._set_caption()
            return
        edges = np.asarray(hist.edges, dtype=np.float64)
        counts = np.asarray(hist.counts, dtype=np.float64)
        ymin, ymax = self._ylim
        peak = counts.max() if counts.size and np.isfinite(counts).all() else 0.0
        heights = counts / peak * _HIST_SHARE * (ymax - ymin) if peak > 0 else counts * 0.0
        base = ymin - 0.05 * (ymax - ymin)  # the padded bottom of the view
        colour = series_color(self.theme, 3)
        self.hist_item.setData(edges, base + heights, stepMode="center", fillLevel=base,
                               fillOutline=True, pen=pg.mkPen(colour + "C0", width=1),
                               brush=pg.mkBrush(colour + "50"))
        self.hist_item.setVisible(True)
        self._hist = (edges, counts)
        self._set_caption()

    # --- hover read-out -----------------------------------------------------------------------
    def _on_mouse_moved(self, evt: Any) -> None:
        self.hover_at(evt[0] if isinstance(evt, (tuple, list)) else evt)

    def hover_at(self, scene_pos: QPointF) -> None:
        """What the mouse at ``scene_pos`` (scene coordinates) shows: the read-out of the
        z under it when it is over the plot, nothing otherwise."""
        vb = self.plot.vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            self._hide_hover()
            return
        self.show_readout(float(vb.mapSceneToView(QPointF(scene_pos)).x()))

    def show_readout(self, x: float) -> None:
        """Show x, f(x) and f′(x) of every shown function in the corner, and mark them."""
        self.readout_x = x
        rows = [f"<b>z = {x:.4g}</b>"]
        spots = []
        for i, act in enumerate(self.picker.shown()):
            f, df, _ = curve_fns(act)
            fx, dfx = float(f(np.array([x]))[0]), float(df(np.array([x]))[0])
            colour = series_color(self.theme, i)
            rows.append(f"<span style='color:{colour}'>{html.escape(label_of(act))}: "
                        f"f = {fx:.4g}, f′ = {dfx:.4g}</span>")
            if np.isfinite(fx):
                spots.append({"pos": (x, fx), "brush": pg.mkBrush(colour), "pen": None})
        self.readout.setHtml("<div style='font-size:10pt'>" + "<br>".join(rows) + "</div>")
        self.readout.setVisible(True)
        self._place_readout()
        self.hover_line.setPos(x)
        self.hover_line.setVisible(True)
        self.hover_points.setData(spots)
        self.hover_points.setVisible(True)

    def _hide_hover(self) -> None:
        self.readout_x = None
        self.readout.setVisible(False)
        self.hover_line.setVisible(False)
        self.hover_points.setVisible(False)

    def _place_readout(self, *_: Any) -> None:
        """Top corner away from the mouse: top right, or top left when the mouse is in the
        right half."""
        rect = self.plot.vb.boundingRect()
        (x0, x1), _ = self.plot.vb.viewRange()
        if self.readout_x is not None and self.readout_x > 0.5 * (x0 + x1):
            self.readout.setAnchor((0, 0))
            self.readout.setPos(8, 6)
        else:
            self.readout.setAnchor((1, 0))
            self.readout.setPos(rect.width() - 6, 6)

    # --- theme, export, state -----------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.readout.fill = pg.mkBrush(theme.background + "E0")
        self.readout.border = pg.mkPen(theme.foreground + "60")
        self.readout.setColor(theme.foreground)
        self.hover_line.setPen(pg.mkPen(theme.foreground + "80", style=Qt.PenStyle.DashLine))
        self._caption_text = None  # same words, new colour
        self._redraw()

    def csv_tables(self) -> list[CsvTable]:
        cols = [self._z] + [self._table[label] for label in self._labels]
        tables = [CsvTable("activation_curves", ("z", *(f"f(z) {lab}" for lab in self._labels)),
                           np.column_stack(cols))]
        if self._hist is not None and self.hist_item.isVisible():
            edges, counts = self._hist
            name = self.layer_combo.currentData()
            tables.append(CsvTable(f"activation_curves_z_{name}".replace(" ", "_"),
                                   ("z bin left", "z bin right", "count"),
                                   np.column_stack([edges[:-1], edges[1:], counts])))
        return tables

    def _state_boxes(self) -> dict[str, QCheckBox]:
        return {"show_data": self.data_box}

    def _extra_view_state(self) -> dict:
        return {"layer": self.layer_combo.currentData()}

    def _restore_extra(self, state: dict) -> None:
        layer = state.get("layer")
        if isinstance(layer, str):
            if self.layer_combo.findData(layer) < 0:
                self.layer_combo.addItem(layer, layer)  # replaced once frames arrive
            self.layer_combo.setCurrentIndex(self.layer_combo.findData(layer))
