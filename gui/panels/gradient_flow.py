"""Gradient flow: each layer's gradient norm and update-to-weight ratio over training time, and
a bar chart of the gradient norms now, so vanishing and exploding gradients show at a glance."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget

from core.diagnostics import HEALTHY_UPDATE_RATIO, GradientVerdict, gradient_verdict

from ..live_view import LiveView
from ..theme import Theme, series_color
from ._axis import axis_items
from ._log_axis import LogTicksAxis
from ._placement import crossings, data_segments, place_note
from ._stable_range import RangeKeeper, StableViewBox
from .base import CsvTable, EmptyNote, Panel, fit_title_height, set_title, title_over_axes
from .registry import describe

__all__ = ["GradientFlowPanel", "FLOOR", "verdict_text"]

#: values ≤ 0 are drawn at this floor on the log axes (log 0 does not exist)
FLOOR = 1e-12
#: theme series for layers 1, 2, …: all but the yellow (unreadable on white); then dashed
LAYER_SERIES = (0, 1, 2, 3, 4, 5, 7)
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _nice(k: float) -> str:
    """Two significant figures, with thousands separators: 3412 → '3,400'. ``k`` must be
    finite and positive (see ``_times`` for ratios beyond a float's range)."""
    if k >= 1e7:
        mantissa, exponent = f"{k:.1e}".split("e")
        return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    if k >= 100:
        digits = int(math.floor(math.log10(k))) - 1
        return f"{round(k, -digits):,.0f}"
    return f"{k:.2g}"


def _power(log10_k: float) -> str:
    """10 to the ``log10_k`` in ``_nice``'s long form: 310.53 → '3.4×10³¹⁰'."""
    exponent = math.floor(log10_k)
    mantissa = round(10 ** (log10_k - exponent), 1)
    if mantissa >= 10:  # 9.96 rounds up to the next power
        mantissa, exponent = 1.0, exponent + 1
    return f"{mantissa:.1f}×10{str(exponent).translate(_SUPERSCRIPT)}"


def _times(k: float, big: float, small: float) -> str:
    """How many times ``small`` fits into ``big`` (both finite and positive), given their
    ratio ``k`` as the core computed it. A ratio beyond a float's range (1e300 / 1e-10
    overflows to inf, 1e-300 / 1e300 underflows to 0) is worked out from the logarithms."""
    if math.isfinite(k) and k > 0:
        return _nice(k)
    return _power(math.log10(big) - math.log10(small))


def verdict_text(v: GradientVerdict) -> str:
    """The bar chart's one line for a verdict of ``core.diagnostics.gradient_verdict``.

    When every layer's gradient is zero the line says so; when only the first and the last
    are (a middle layer still learns) it says that. A one-layer verdict is also what the
    core gives for no layers at all (norm NaN), which reads as not finite here.
    """
    kind, r = v.kind, v.ratio
    if kind == "no gradient yet":
        return "no gradient yet: train a step (Play or Step)"
    if kind == "one layer":
        if not math.isfinite(v.first):
            return "a gradient is not finite: training diverged"
        if v.first <= 0:
            return "only one layer, and its gradient is zero: it does not learn"
        return "only one layer: there is no first and last layer to compare"
    if kind == "not finite":
        return "a gradient is not finite: training diverged"
    if kind == "all zero":
        return "every layer's gradient is zero: no layer learns"
    if kind == "last zero":
        if v.first <= 0:
            return "the gradients of the first and the last layer are both zero: they do not learn"
        return "the last layer's gradient is zero"
    if kind == "first zero":
        return "the first layer's gradient is zero: it no longer learns"
    if kind == "similar":
        return f"first layer's gradient is about the size of the last layer's (×{r:.2g})"
    if kind in ("smaller", "vanishing"):
        with np.errstate(divide="ignore", over="ignore"):  # r = 0 or tiny: see _times
            inverse = np.divide(1.0, r)
        text = f"first layer's gradient is 1/{_times(inverse, v.last, v.first)} of the last layer's"
        return text + (" — vanishing: the first layers hardly learn" if kind == "vanishing"
                       else "")
    text = f"first layer's gradient is {_times(r, v.first, v.last)}× the last layer's"
    return text + (" — exploding: the first layers get huge updates" if kind == "exploding"
                   else "")


#: below this canvas height (px) the axis titles are hidden (see GradientFlowPanel.fit_to)
COMPACT_HEIGHT = 400
#: the bars go on a log axis by themselves when the largest is more than this many times the
#: smallest: on a linear axis the small ones would be invisible
AUTO_LOG_RATIO = 100.0


def _short(name: str) -> str:
    """'hidden 3' → 'h3' (legends and ticks of deep networks)."""
    return name.replace("hidden ", "h")


def _log_clip(v: np.ndarray) -> np.ndarray:
    """What a log axis can draw: non-finite → NaN (skipped), ≤ 0 → FLOOR."""
    v = np.asarray(v, dtype=float)
    return np.where(np.isfinite(v), np.maximum(v, FLOOR), np.nan)


class GradientFlowPanel(Panel):
    """Per-layer gradient norms and update ratios over time, plus the norms now as bars."""

    panel_id = "gradient_flow"
    title, tooltip = describe(panel_id)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log_bars = False
        self._bar_range = RangeKeeper()  # the bar plot's y axis, moved in steps
        self._names: tuple[str, ...] = ()
        self.norm_lines: list[pg.PlotDataItem] = []
        self.ratio_lines: list[pg.PlotDataItem] = []
        self.bar_labels: list[pg.TextItem] = []
        self._bar_values = np.zeros(0)
        self._steps = np.zeros(0)
        row = QHBoxLayout(self.options)
        row.setContentsMargins(0, 0, 0, 0)
        self.log_box = QCheckBox("Log scale bars")
        self.log_box.setToolTip("Draw the bars of the current gradient norms on a logarithmic "
                                "axis, so that tiny first-layer gradients are still visible.")
        self.log_box.toggled.connect(self._on_log_bars)
        row.addWidget(self.log_box)
        self.auto_box = QCheckBox("Log when they span > 100×")
        self.auto_box.setChecked(True)
        self.auto_box.setToolTip("Switch the bars to a log axis by themselves when the largest "
                                 "gradient norm is more than 100 times the smallest: on a "
                                 "linear axis the small bars could not be seen at all.")
        self.auto_box.toggled.connect(lambda _on: self._on_log_bars(self.log_box.isChecked()))
        row.addWidget(self.auto_box)
        row.addStretch(1)
        self.summary = ""  # the bar chart's verdict, also in its title
        self.verdict: GradientVerdict | None = None

        c = self.canvas
        self.norm_plot = c.addPlot(row=0, col=0, title="Gradient norm over time",
                                   axisItems=axis_items(left=LogTicksAxis("left")),
                                   viewBox=StableViewBox())
        self.ratio_plot = c.addPlot(row=0, col=1, title="Update size per step",
                                    axisItems=axis_items(left=LogTicksAxis("left")),
                                    viewBox=StableViewBox())
        # the legend sits in its own column, held at its natural size by a stretchy spacer
        side = c.addLayout(row=0, col=2)
        self.legend = pg.LegendItem(offset=None, verSpacing=-6)
        side.addItem(self.legend, row=0, col=0)
        # an empty widget that only pushes the legend up: it must not make the row taller
        # (with a label there and the layout's margins, a short dock squeezed the bars flat)
        spacer = pg.GraphicsWidget()
        spacer.setPreferredSize(0, 0)
        side.addItem(spacer, row=1, col=0)
        side.layout.setContentsMargins(0, 0, 0, 0)
        side.layout.setRowStretchFactor(1, 1)
        self.bar_plot = c.addPlot(row=1, col=0, colspan=3,
                                  axisItems=axis_items(left=LogTicksAxis("left")))
        self.bar_plot.getAxis("left").enableAutoSIPrefix(False)
        for plot in (self.norm_plot, self.ratio_plot, self.bar_plot):
            title_over_axes(plot)  # narrow panels: titles may use the axes' width too
        self._compact: bool | None = None  # see fit_to
        self.bar_plot.vb.sigResized.connect(self._on_bars_resized)
        c.ci.layout.setRowStretchFactor(0, 3)
        c.ci.layout.setRowStretchFactor(1, 2)
        for plot, left in ((self.norm_plot, "‖∂L/∂W‖"), (self.ratio_plot, "‖ΔW‖ / ‖W‖")):
            plot.setMenuEnabled(False)
            plot.setLogMode(y=True)
            plot.setLabel("left", left + " (log)")
            plot.setLabel("bottom", "training step")
            plot.getAxis("left").enableAutoSIPrefix(False)
        self.ratio_plot.setXLink(self.norm_plot)
        self.ref_line = pg.PlotDataItem()  # a data item, so auto-range keeps it in view
        self.ref_label = pg.TextItem("typical healthy ratio ≈ 1e-3", anchor=(0, 1.1))
        self.ratio_plot.addItem(self.ref_line)
        self.ratio_plot.addItem(self.ref_label, ignoreBounds=True)
        self.ref_label.setZValue(30)  # above the layer lines
        # what an empty plot says instead of showing empty axes
        self.norm_empty, self.ratio_empty = EmptyNote(self.norm_plot), EmptyNote(self.ratio_plot)
        self.bar_empty = EmptyNote(self.bar_plot)
        self.ratio_plot.vb.sigResized.connect(self.arrange_texts)
        # auto-range moves the line at the next paint, after the frame placed its label
        self.ratio_plot.vb.sigRangeChanged.connect(self.arrange_texts)
        self.bar_plot.vb.sigResized.connect(self.arrange_texts)
        self._bars_log = False  # the bars are on a log axis now (chosen, or by themselves)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.bar_plot.addItem(self.bars)
        self.bar_plot.setMenuEnabled(False)
        self.bar_plot.setLabel("left", "‖∂L/∂W‖ now")
        self.bar_plot.setLabel("bottom", "layer (input side → output side)")
        self.bar_plot.showGrid(x=False, y=True)

    @property
    def bar_values(self) -> np.ndarray:
        """The gradient norms the bars show now, first layer first (a read-only view); NaN
        for an empty slot (not finite, or before the first step)."""
        values = self._bar_values.view()
        values.flags.writeable = False
        return values

    def fit_to(self, size) -> None:
        """The bar chart's verdict can be longer than a narrow panel is wide ('… 1/280,000 of
        the last layer's — vanishing: …'): it wraps to the width (measured on the canvas, not
        on the plot, which the title itself would widen). In a short dock (a laptop's tab
        area) the axis titles give their room to the data and the bar chart gets as much
        room as the lines. A taller dock and every export show it all."""
        width, height = ((self.canvas.width(), self.canvas.height()) if size is None
                         else (size.width(), size.height()))
        self._wrap_bar_title(width)
        compact = height < COMPACT_HEIGHT
        if compact == self._compact:
            return
        self._compact = compact
        for plot in (self.norm_plot, self.ratio_plot, self.bar_plot):
            # the titles say what is plotted; a vertical axis title is as tall as its text,
            # which alone made each row taller than the dock's share
            for side in ("bottom", "left"):
                plot.getAxis(side).showLabel(not compact)
        layout = self.canvas.ci.layout
        layout.setRowStretchFactor(0, 1 if compact else 3)
        layout.setRowStretchFactor(1, 1 if compact else 2)

    def _wrap_bar_title(self, width: float) -> None:
        wrap = max(150.0, width - 40.0)
        label = self.bar_plot.titleLabel
        if label.item.textWidth() != wrap:
            label.item.setTextWidth(wrap)
            label.updateMin()
            fit_title_height(self.bar_plot)

    # --- options ----------------------------------------------------------------------------
    def _on_log_bars(self, on: bool) -> None:
        self.log_bars = bool(on)
        self._bar_range.reset()
        if self.view is not None:
            self.update_view(self.view)

    def _bar_axis(self, log: bool) -> None:
        """The bars' axis: linear, or log (chosen, or by itself when the bars span more
        than AUTO_LOG_RATIO: the axis title says so)."""
        self._bars_log = log
        self.bar_plot.setLabel("left", "‖∂L/∂W‖ now" + (" (log)" if log else ""))
        if self._compact:  # setLabel shows it: a short dock hides it
            self.bar_plot.getAxis("left").showLabel(False)
        axis = self.bar_plot.getAxis("left")
        if axis.logMode != log:
            axis.setLogMode(False, log)

    def arrange_texts(self) -> None:
        """The reference line's label on the line, where it is clear of the layer lines and
        inside the plot: at its left or right end, above or below it. The bars' numbers
        only where the bars have room for them above (not in a squeezed laptop tab)."""
        label_px = max((lab.textItem.boundingRect().height() for lab in self.bar_labels),
                       default=16.0)
        roomy = self.bar_plot.vb.height() >= 2.5 * label_px
        for label in self.bar_labels:
            label.setOpacity(1.0 if roomy else 0.0)
        if not self.ref_label.isVisible():
            return
        x, _ = self.ref_line.getData()
        if x is None or not len(x):
            return
        y = math.log10(HEALTHY_UPDATE_RATIO)
        (x0, x1), _ = self.ratio_plot.vb.viewRange()
        left, right = max(float(x[0]), x0), min(float(x[-1]), x1)
        self.ref_label.setOpacity(1.0)
        # above or below the line, at its ends, its middle or its quarters: the first place
        # clear of the layers' lines
        spots = [((left, y), (0, 1.1)), ((left, y), (0, -0.1)),
                 ((right, y), (1, 1.1)), ((right, y), (1, -0.1))]
        for f in (0.5, 0.25, 0.75):
            spots += [((left + f * (right - left), y), (f, 1.1)),
                      ((left + f * (right - left), y), (f, -0.1))]
        vb = self.ratio_plot.vb
        segments = data_segments(vb)
        rect = place_note(self.ref_label, spots, segments=segments)
        # a line at the plot's edge (a short dock) leaves no room for its label inside, and
        # the layers' lines may leave none beside it: the dashed line stays, its label is
        # not drawn half cut off or across the lines
        area = vb.sceneBoundingRect().adjusted(-1.5, -1.5, 1.5, 1.5)
        if not area.contains(rect) or crossings(rect, segments):
            self.ref_label.setOpacity(0.0)

    # --- per-layer items (rebuilt only when the layers change) --------------------------
    def _build_layers(self, names: tuple[str, ...]) -> None:
        for item in self.norm_lines:
            self.norm_plot.removeItem(item)
        for item in self.ratio_lines:
            self.ratio_plot.removeItem(item)
        for item in self.bar_labels:
            self.bar_plot.removeItem(item)
        self.legend.clear()
        self.norm_lines, self.ratio_lines, self.bar_labels = [], [], []
        for name in names:
            norm, ratio = pg.PlotDataItem(name=name), pg.PlotDataItem()
            self.norm_plot.addItem(norm)
            self.ratio_plot.addItem(ratio)
            for item in (norm, ratio):  # after addItem, which imposes the plot's settings
                item.setClipToView(True)
                item.setDownsampling(auto=True, method="peak")
            # many layers: short names (as under the bars), so the legend leaves the plots room
            self.legend.addItem(norm, _short(name) if len(names) > 6 else name)
            self.norm_lines.append(norm)
            self.ratio_lines.append(ratio)
            label = pg.TextItem(anchor=(0.5, 1))
            if len(names) > 6:  # narrow bars: smaller numbers, so neighbours do not overlap
                font = label.textItem.font()
                font.setPointSizeF(font.pointSizeF() * 0.8)
                label.setFont(font)
            self.bar_plot.addItem(label, ignoreBounds=True)
            self.bar_labels.append(label)
        self.legend.setColumnCount(2 if len(names) > 8 else 1)
        self.legend.updateSize()
        rect = self.legend.layout.preferredSize()
        self.legend.setMinimumSize(rect)
        self.legend.setMaximumSize(rect)
        short = len(names) > 6
        ticks = [(i, _short(n) if short else n) for i, n in enumerate(names)]
        self.bar_plot.getAxis("bottom").setTicks([ticks])
        self._names = names
        self._style()

    def _layer_pen(self, i: int, width: int = 1) -> pg.QtGui.QPen:
        n = len(LAYER_SERIES)
        style = Qt.PenStyle.SolidLine if i < n else Qt.PenStyle.DashLine  # 2nd colour round
        return pg.mkPen(self._layer_color(i), width=width, style=style)

    def _layer_color(self, i: int) -> str:
        return series_color(self.theme, LAYER_SERIES[i % len(LAYER_SERIES)])

    def _style(self) -> None:
        theme = self.theme
        for i, (norm, ratio) in enumerate(zip(self.norm_lines, self.ratio_lines)):
            norm.setPen(self._layer_pen(i, 2))
            ratio.setPen(self._layer_pen(i, 2))
        for label in self.bar_labels:
            label.setColor(theme.foreground)
        self.bars.setOpts(brushes=[pg.mkBrush(self._layer_color(i))
                                   for i in range(len(self._names))],
                          pen=pg.mkPen(theme.foreground, width=1))
        self.ref_line.setPen(pg.mkPen(theme.foreground, width=1, style=Qt.PenStyle.DashLine))
        self.ref_label.setColor(theme.foreground)
        self.ref_label.fill = pg.mkBrush(theme.background + "C0")
        self.legend.setLabelTextColor(theme.foreground)
        self.legend.setBrush(pg.mkBrush(theme.background + "C0"))

    # --- drawing ----------------------------------------------------------------------------
    def update_view(self, view: LiveView) -> None:
        super().update_view(view)
        snap = view.snapshot
        if snap is None or not snap.layers:
            return
        names = tuple(layer.name for layer in snap.layers)
        write = self.text_due
        if names != self._names:
            self._build_layers(names)
            self._bar_range.reset()
            write = True  # new bars need their labels now
        tl = view.timeline
        n = len(names)
        if len(tl) and tl.grad_norm_w.ndim == 2 and tl.grad_norm_w.shape[1] == n:
            steps = np.asarray(tl.step, dtype=float)
            norms, ratios = _log_clip(tl.grad_norm_w), _log_clip(tl.update_ratio)
            norms[steps == 0] = ratios[steps == 0] = np.nan  # no backward pass yet
        else:
            steps, norms, ratios = np.zeros(0), np.zeros((0, n)), np.zeros((0, n))
        ok_x = np.isfinite(steps)
        for i in range(n):
            for line, values in ((self.norm_lines[i], norms[:, i]),
                                 (self.ratio_lines[i], ratios[:, i])):
                ok = ok_x & np.isfinite(values)
                # one epoch: a single point per layer, drawn as a dot (a line needs two)
                few = int(ok.sum()) < 2
                line.setData(steps[ok], values[ok], skipFiniteCheck=True,
                             antialias=self.smooth, symbol="o" if few else None,
                             symbolSize=6, symbolPen=None,
                             symbolBrush=self._layer_color(i) if few else None)
        self._say_empty(norms, ratios)
        self._steps, self._norms, self._ratios = steps, norms, ratios
        x_ends = steps[ok_x][[0, -1]] if ok_x.any() else np.zeros(0)
        self.ref_line.setData(x_ends, np.full(len(x_ends), HEALTHY_UPDATE_RATIO))
        if len(x_ends):
            # view coordinates are log10
            self.ref_label.setPos(x_ends[0], math.log10(HEALTHY_UPDATE_RATIO))
        self.ref_label.setVisible(bool(len(x_ends)) and not self.ratio_empty.shown)
        self.ref_line.setVisible(not self.ratio_empty.shown)
        self.arrange_texts()
        values = np.array([layer.grad_norm_w for layer in snap.layers], dtype=float)
        if snap.step == 0:
            values[:] = np.nan
        self._draw_bars(values, write)

    def _say_empty(self, norms: np.ndarray, ratios: np.ndarray) -> None:
        """Plots with nothing to draw say why, in words, instead of showing empty axes."""
        for note, values, what, lines in ((self.norm_empty, norms, "gradient", self.norm_lines),
                                          (self.ratio_empty, ratios, "update",
                                           self.ratio_lines)):
            drawable = np.isfinite(values) & (values > FLOOR)
            for line in lines:  # a flat line at the floor would read as a tiny value
                line.setVisible(bool(drawable.any()))
            if drawable.any():
                note.hide_note()
            elif not len(values) or not np.isfinite(values).any():
                note.show_note("nothing to draw yet: the lines start\nafter the first epoch")
            else:
                note.show_note(f"every {what} so far is exactly 0:\nnothing to draw "
                               "on a log axis")
        self.legend.setVisible(not (self.norm_empty.shown and self.ratio_empty.shown))

    def _on_bars_resized(self, *_) -> None:
        # the headroom for the numbers is measured in pixels: a still picture (a paused
        # frame, an export) gets it again for its new size
        if self.view is not None and not self.view.running and len(self._bar_values):
            self._draw_bars(self._bar_values, write=False)

    def _draw_bars(self, values: np.ndarray, write: bool = True) -> None:
        """Bars of the current norms, first layer on the left; NaN/Inf drawn as empty slots.
        The numbers (labels, title) are rewritten only when ``write`` (see TEXT_INTERVAL)."""
        finite = np.where(np.isfinite(values), values, np.nan)
        self._bar_values = finite
        before_first_step = self.view is not None and self.view.snapshot.step == 0
        x = np.arange(len(values), dtype=float)
        positive = finite[np.isfinite(finite) & (finite > 0)]
        span = float(positive.max() / positive.min()) if positive.size else math.nan
        log = self.log_bars or (self.auto_box.isChecked() and positive.size >= 2
                                and span > AUTO_LOG_RATIO)
        self._bar_axis(log)
        # room above the tallest bar for its number (a label's height in pixels, however
        # short the plot is): top = peak + label/(pixels per unit), with pixels per unit
        # = plot height / (top - bottom), gives top = bottom + (peak - bottom) / (1 − share)
        label_px = 4.0 + max((lab.textItem.boundingRect().height()
                              for lab in self.bar_labels), default=16.0)
        share = min(0.6, max(1 / 6, label_px / max(self.bar_plot.vb.height(), 1.0)))
        if log:
            logv = np.log10(_log_clip(finite))
            base = math.floor(np.nanmin(logv)) if np.isfinite(logv).any() else -12.0
            top = np.where(np.isfinite(logv), logv, base)
            self.bars.setOpts(x=x, y0=np.full(len(x), base), height=top - base)
            peak = float(top.max()) if len(top) else base + 1.0
            ymin, ymax = base, base + (max(peak - base, 0.5)) / (1 - share)
        else:
            heights = np.nan_to_num(finite, nan=0.0)
            self.bars.setOpts(x=x, y0=np.zeros(len(x)), height=heights)
            peak = float(heights.max()) if heights.size else 0.0
            ymin, ymax = 0.0, (peak / (1 - share)) or 1.0
        for i, label in enumerate(self.bar_labels):
            v = finite[i]
            if write:
                label.setText(f"{v:.2g}" if np.isfinite(v) else
                              "" if before_first_step else "n/a")
            y = (math.log10(max(v, FLOOR)) if log else v) if np.isfinite(v) else ymin
            label.setPos(x[i], y)
        self.bar_plot.setXRange(-0.6, len(x) - 0.4, padding=0)
        # in steps while live, not on every frame (steady labels, no relayout per frame); a
        # close fit when still (see StableViewBox)
        if self.view is not None and self.view.running:
            self.bar_plot.setYRange(*self._bar_range.update(ymin, ymax), padding=0)
        else:
            self._bar_range.reset()
            self.bar_plot.setYRange(ymin, ymax, padding=0)
        self.verdict = gradient_verdict(values, trained=not before_first_step)
        text = verdict_text(self.verdict)
        if self.verdict.kind == "all zero" or (self.verdict.kind == "one layer"
                                               and self.verdict.first == 0):
            self.bar_empty.show_note("every bar has height 0: no gradient reaches any layer")
        else:
            self.bar_empty.hide_note()
        self.summary = text
        if write:
            set_title(self.bar_plot, f"Gradient norm now: {text}",
                      color=self.theme.foreground, size="10pt")

    # --- export, state, theme ---------------------------------------------------------------
    def csv_tables(self) -> list[CsvTable]:
        if self.view is None:
            return []
        header = ("step", *self._names)
        tables = [
            CsvTable("gradient_norms", header, np.column_stack([self._steps, self._norms])),
            CsvTable("update_ratios", header, np.column_stack([self._steps, self._ratios])),
        ]
        idx = np.arange(len(self._bar_values), dtype=float)
        tables.append(CsvTable("current_gradient_norms", ("layer", "grad_norm_w"),
                               np.column_stack([idx, self._bar_values])))
        return tables

    def view_state(self) -> dict:
        state = {"log_bars": self.log_bars}
        if not self.auto_box.isChecked():  # saved only when it differs from the default
            state["auto_log"] = False
        return state

    def restore_view_state(self, state: dict) -> None:
        if isinstance(state.get("log_bars"), bool):
            self.log_box.setChecked(state["log_bars"])
        if isinstance(state.get("auto_log"), bool):
            self.auto_box.setChecked(state["auto_log"])

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._style()
        super().apply_theme(theme)
