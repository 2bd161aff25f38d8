"""Derivatives: f′ and f″ of the chosen functions against z with the numerical (central
difference) f′ overlaid, f′ written in terms of the output a, and the best-case product of
derivatives through L layers (the vanishing gradient)."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QScrollArea

import core.activations as acts
from core.diagnostics import (
    DEPTHS,
    VANISHED,
    depth_product,
    from_output_fn,
    max_abs_df,
    vanished_at,
)

from ..theme import Theme, series_color
from ._axis import axis_items
from ._placement import crossings, data_segments, place_note, view_corners
from .base import CsvTable, Panel, title_over_axes
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
)
from .registry import describe

__all__ = ["DerivativesPanel"]

#: below this canvas height (px) the captions are hidden and become tooltips
COMPACT_HEIGHT = 420
#: the plots' least height in a small dock (px): below it they scroll
COMPACT_MIN_HEIGHT = 540
#: below this canvas width (px) the two lower plots go one under the other (the canvas
#: scrolls): side by side they would be drawn at 60% in a laptop's middle column with the
#: Lessons dock open
STACK_WIDTH = 340
#: the stacked plots' least height in a small dock (px)
STACKED_MIN_HEIGHT = 760
_DASH, _DOT = Qt.PenStyle.DashLine, Qt.PenStyle.DotLine


def _tip(html_text: str) -> str:
    """A caption as a tooltip: a paragraph, so that Qt renders the HTML and wraps it."""
    return f"<p>{html_text}</p>"


def _as_float(fn):
    """``fn`` with a float result, so a central difference never subtracts booleans."""
    return lambda v: np.asarray(fn(v), dtype=np.float64)


class DerivativesPanel(FunctionViewState, Panel):
    """f′, f″ and the central difference against z, f′ against the output a, and the depth
    product max|f′|^L; read the drawn items through :meth:`item` and :meth:`notes`."""

    panel_id = "derivatives"
    title, tooltip = describe(panel_id)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.xrange = XRangeEdit(-5.0, 5.0)
        self.d2_box = QCheckBox("Show f″")
        self.d2_box.setChecked(True)
        self.d2_box.setToolTip("Also draw the second derivative f″ (dashed).")
        self.num_box = QCheckBox("Show numerical f′")
        self.num_box.setChecked(True)
        self.num_box.setToolTip("Overlay the central difference (f(z+h) − f(z−h)) / 2h with "
                                "h = 1e-5, as a gradient check computes it. At a kink it gives "
                                "the mean of the two slopes, not the value the code uses.")
        row = QHBoxLayout(self.options)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.xrange)
        row.addStretch(1)
        row.addWidget(self.d2_box)
        row.addWidget(self.num_box)
        self.picker = FunctionPicker(("sigmoid", "tanh", "relu"))
        split = put_beside(self, self.picker, 230)
        # three plots do not fit a laptop's tab (~250 px high): there they keep
        # COMPACT_MIN_HEIGHT and scroll, rather than squeeze flat (see fit_to)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        split.replaceWidget(split.indexOf(self.canvas), self.scroll)
        self.scroll.setWidget(self.canvas)
        self.fit_to_size_of(self.scroll.viewport())

        c = self.canvas
        self.plot = c.addPlot(row=0, col=0, colspan=2, title="Derivatives f′(z) and f″(z)",
                              axisItems=axis_items())
        self.plot.setLabel("bottom", "pre-activation z")
        self.plot.setLabel("left", "slope")
        # under the plot, not in it: five names covered the curves of a laptop's tab
        self.legend = pg.LegendItem(offset=None, verSpacing=-6, colCount=3)
        c.addItem(self.legend, row=1, col=0, colspan=2)
        # the kink conventions under the plot too: any place inside it lay across a curve
        # of a laptop's plot (f″ of tanh dips to −0.77 beside the kink)
        self.kink_note = Caption()
        c.addItem(self.kink_note, row=2, col=0, colspan=2)
        self.plot_a = c.addPlot(row=3, col=0, title="f′ against the output a",
                                axisItems=axis_items())
        self.plot_a.setLabel("bottom", "output a = f(z)")
        self.plot_a.setLabel("left", "f′")
        self.plot_depth = c.addPlot(row=3, col=1, title="Depth product max|f′|<sup>L</sup>",
                                    axisItems=axis_items())
        self.plot_depth.setLabel("bottom", "depth L (layers)")
        self.plot_depth.setLabel("left", "max|f′|^L")
        self.plot_depth.setLogMode(y=True)
        self.plot_depth.getAxis("left").enableAutoSIPrefix(False)
        self.caption_a, self.caption_depth = Caption(), Caption()
        c.addItem(self.caption_a, row=4, col=0)
        c.addItem(self.caption_depth, row=4, col=1)
        c.ci.layout.setColumnStretchFactor(0, 1)
        c.ci.layout.setColumnStretchFactor(1, 1)
        c.ci.layout.setRowStretchFactor(0, 3)
        c.ci.layout.setRowStretchFactor(3, 2)
        for plot in (self.plot, self.plot_a, self.plot_depth):
            title_over_axes(plot)
        for plot in (self.plot_a, self.plot_depth):  # two side by side: a size smaller
            plot.setTitle(plot.titleLabel.text, size="10pt")
        self._compact: bool | None = None  # captions give way to the plots in a small dock
        self._stacked = False  # the lower plots one under the other in a narrow canvas
        # legend samples for the line styles (never added to a plot)
        self._style_d2 = pg.PlotDataItem()
        self._style_num = pg.PlotDataItem()
        self._note_at: dict[pg.TextItem, tuple[float, float]] = {}  # the point it is about
        self.plot_depth.vb.sigResized.connect(self.arrange_texts)
        self.kink_points = pg.ScatterPlotItem(size=11)
        self.kink_points.setZValue(20)
        self.plot.addItem(self.kink_points, ignoreBounds=True)
        self.tiny_line = pg.InfiniteLine(pos=np.log10(VANISHED), angle=0, movable=False)
        self.plot_depth.addItem(self.tiny_line, ignoreBounds=True)
        self.tiny_text = pg.TextItem("10⁻¹⁸", anchor=(0, 0))
        self.tiny_text.setPos(1, np.log10(VANISHED))  # a log axis places items at log10(y)
        self.plot_depth.addItem(self.tiny_text, ignoreBounds=True)
        self.depth_marks = pg.ScatterPlotItem(size=9)
        self.depth_marks.setZValue(20)
        self.plot_depth.addItem(self.depth_marks, ignoreBounds=True)
        self._items: dict[tuple[str, str], pg.GraphicsObject] = {}
        self._texts: dict[tuple[str, int], pg.TextItem] = {}
        self._tables: dict[str, dict[str, np.ndarray]] = {}
        self._z = np.zeros(0)
        self.picker.changed.connect(self._redraw)
        self.xrange.rangeChanged.connect(lambda *_: self._redraw())
        self.d2_box.toggled.connect(lambda *_: self._redraw())
        self.num_box.toggled.connect(lambda *_: self._redraw())
        self._redraw()

    # --- what is drawn (read-only hooks for tests and tools) ------------------------------
    def item(self, kind: str, name: str) -> pg.GraphicsObject:
        """The plot item of ``kind`` for the function ``name`` (a registry name).

        Kinds: ``"d1"`` (f′), ``"d2"`` (f″, dashed), ``"num"`` (the central difference,
        dotted) and ``"num marks"`` (its ○ marks) in the top plot; ``"a"`` (f′ against the
        output a) and ``"a marks"`` (the sampled (f(z), f′(z)) points) in the lower left
        plot; ``"depth"`` (max|f′|^L against L) in the lower right. Items are created on first
        use and then kept (hidden when not drawn): KeyError for one never drawn.
        """
        return self._items[(kind, name)]

    def notes(self) -> list[str]:
        """The texts of the notes shown now: the kink conventions (one line each, under the
        top plot) and the depths where a product falls below 10⁻¹⁸ (in the depth plot)."""
        kinks = self.kink_note.item.toPlainText().splitlines() if self.kink_note.text else []
        return [*kinks, *(t.toPlainText() for t in self._texts.values()
                          if t.isVisible() and t.opacity() > 0)]

    # --- items, created on first use and kept ---------------------------------------------
    def _item(self, plot: pg.PlotItem, kind: str, name: str) -> pg.GraphicsObject:
        key = (kind, name)
        if key not in self._items:
            item = pg.ScatterPlotItem(size=7) if kind.endswith("marks") else pg.PlotDataItem()
            plot.addItem(item)
            self._items[key] = item
        return self._items[key]

    def _text(self, plot: pg.PlotItem, kind: str, i: int) -> pg.TextItem:
        key = (kind, i)
        if key not in self._texts:
            t = pg.TextItem(anchor=(0, 0))
            t.setZValue(25)
            plot.addItem(t, ignoreBounds=True)
            self._texts[key] = t
        t = self._texts[key]
        t.fill = pg.mkBrush(self.theme.background + "D0")
        t.setColor(self.theme.foreground)
        return t

    # --- drawing (options change only: nothing here depends on training) ---------------------
    def _redraw(self) -> None:
        th = self.theme
        shown = self.picker.shown()
        lo, hi = self.xrange.range()
        z = self._z = sample_z(lo, hi, [k.x for a in shown for k in a.info.kinks])
        show_d2, show_num = self.d2_box.isChecked(), self.num_box.isChecked()
        for item in self._items.values():
            item.setVisible(False)
        for t in self._texts.values():
            t.setVisible(False)
        self.legend.clear()
        tab: dict[str, dict[str, np.ndarray]] = {"d1": {}, "d2": {}, "num": {}, "depth": {},
                                                 "a": {}}
        spots, span, self._depth_spots, kink_lines = [], [], [], []
        sub = slice(0, None, max(1, len(z) // 20))
        owner = kink_owner(shown, self.picker.focus(), lo, hi)
        for i, act in enumerate(shown):
            col, label = series_color(th, i), label_of(act)
            f, df, d2f = curve_fns(act)
            d1, d2 = self._finite(df(z)), self._finite(d2f(z))
            f = _as_float(f)
            num = self._finite(acts.numerical_derivative(f, z))
            self._line(self.plot, "d1", act.name, z, d1, pg.mkPen(col, width=2), label)
            tab["d1"][label], span = d1, span + [d1]
            if show_d2:
                self._line(self.plot, "d2", act.name, z, d2, pg.mkPen(col, width=1, style=_DASH))
                tab["d2"][label], span = d2, span + [d2]
            if show_num:
                self._line(self.plot, "num", act.name, z, num,
                           pg.mkPen(col, width=1, style=_DOT))
                marks = self._item(self.plot, "num marks", act.name)
                ok = np.isfinite(num[sub])
                marks.setData(z[sub][ok], num[sub][ok], symbol="o", pen=pg.mkPen(col),
                              brush=pg.mkBrush(None))
                marks.setVisible(True)
                tab["num"][label] = num  # not in span: at a jump it is ~ jump / 2h
            for k in act.info.kinks:
                if not lo <= k.x <= hi:
                    continue
                at = np.array([k.x])
                d_used = float(df(at)[0])
                d_num = float(acts.numerical_derivative(f, at)[0])
                spots.append({"pos": (k.x, d_used), "brush": pg.mkBrush(col),
                              "pen": pg.mkPen(th.foreground), "symbol": "o"})
                msg = f"{act.info.display_name} at z = {k.x:g}: f′ = {d_used:g} is used (●)"
                if show_num:
                    spots.append({"pos": (k.x, d_num), "brush": pg.mkBrush(None),
                                  "pen": pg.mkPen(col, width=2), "symbol": "d"})
                    msg += f"; the central difference gives {d_num:g} (◇)"
                if i == owner:
                    kink_lines.append(html.escape(msg + "."))
            self._draw_from_output(i, act, z, tab)
            tab["depth"][label] = self._draw_depth(i, act)
        self.kink_points.setData(spots)
        self.kink_note.set("<br>".join(kink_lines), th.foreground)
        self.kink_note.setVisible(bool(kink_lines))
        self.kink_note.setMaximumHeight(10_000 if kink_lines else 0)
        self.depth_marks.setData(self._depth_spots)
        self._legend_styles(show_d2, show_num)
        self._fit_legend(self.room().width())
        self._tables = tab
        ys = np.concatenate([s[np.isfinite(s)] for s in span]) if span else np.zeros(0)
        ymin, ymax = (float(ys.min()), float(ys.max())) if ys.size else (0.0, 1.0)
        if ymax - ymin < 1e-9:
            ymin, ymax = ymin - 0.5, ymax + 0.5
        self.plot.vb.setRange(xRange=(lo, hi), yRange=(ymin, ymax), padding=0.05)
        self.plot_a.vb.autoRange(padding=0.05)
        self.plot_depth.setXRange(0, DEPTHS[-1] + 1, padding=0)
        self.plot_depth.vb.enableAutoRange(axis="y")
        self._captions(shown, tab)
        self.arrange_texts()

    def arrange_texts(self, *_) -> None:
        """Each depth note beside its point (where a product falls below 10⁻¹⁸) or else in
        a free corner, apart from each other, from the 10⁻¹⁸ label and from the curves."""
        around = ((-0.03, -0.2), (1.03, -0.2), (-0.03, 1.2), (1.03, 1.2), (0.5, 1.1),
                  (0.5, -0.1))
        y = float(np.log10(VANISHED))  # a log axis places items at log10(y)
        tiny = (self.tiny_text, [((1, y), (0, 0)), ((1, y), (0, 1)),
                                 ((DEPTHS[-1], y), (1, 0)), ((DEPTHS[-1], y), (1, 1))])
        notes = [(t, [(self._note_at.get(t, (0.0, 0.0)), a) for a in around])
                 for t in self._texts.values() if t.isVisible()]
        vb = self.plot_depth.vb
        segments, corners = data_segments(vb), view_corners(vb)
        for t, _ in (tiny, *notes):
            t.setOpacity(1.0)
        # the 10⁻¹⁸ label stays on its line (never in a corner); the notes keep clear of it
        placed = [place_note(*tiny, segments=segments)]
        for t, candidates in notes:
            placed.append(place_note(t, [*candidates, *corners], placed, segments))
        # a plot too small for a note (a laptop's depth plot), or a note that would lie
        # across a curve: its mark stays and the caption says the same, the note is not
        # drawn cut off, over the axis or over the data
        area = vb.sceneBoundingRect().adjusted(-1.5, -1.5, 1.5, 1.5)
        for (t, _), rect in zip((tiny, *notes), placed, strict=True):
            if not area.contains(rect) or crossings(rect, segments):
                t.setOpacity(0.0)

    def _fit_legend(self, width: float) -> None:
        """As many columns of names as ``width`` (the canvas's) holds, three at most. Asked
        before the plots are laid out: a legend given new columns puts itself at (0, 0)."""
        n = len(self.legend.items)
        for cols in range(min(3, max(n, 1)), 0, -1):
            if self.legend.columnCount != cols:
                self.legend.setColumnCount(cols)
            # the layout's own width: in the canvas's grid the legend's box is its cell's
            if self.legend.layout.effectiveSizeHint(Qt.SizeHint.MinimumSize).width() \
                    <= width - 8:
                break

    @staticmethod
    def _finite(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64)
        return np.where(np.isfinite(v), v, np.nan)

    def _line(self, plot, kind, name, x, y, pen, legend: str | None = None) -> None:
        item = self._item(plot, kind, name)
        ok = np.isfinite(x) & np.isfinite(y)
        item.setData(x[ok], y[ok], pen=pen, skipFiniteCheck=True)
        item.setVisible(True)
        if legend is not None:
            self.legend.addItem(item, legend)

    def _legend_styles(self, show_d2: bool, show_num: bool) -> None:
        fg = self.theme.foreground
        if show_d2:
            self._style_d2.setPen(pg.mkPen(fg, width=1, style=_DASH))
            self.legend.addItem(self._style_d2, "f″ (dashed)")
        if show_num:
            self._style_num.setData([], [], pen=pg.mkPen(fg, width=1, style=_DOT), symbol="o",
                                    symbolPen=pg.mkPen(fg),
                                    symbolBrush=pg.mkBrush(self.theme.background))
            self.legend.addItem(self._style_num, "numerical f′ (dotted, ○)")

    def _draw_from_output(self, i: int, act, z: np.ndarray, tab: dict) -> None:
        fn = from_output_fn(act)
        if fn is None:
            return
        col = series_color(self.theme, i)
        f, df, _ = curve_fns(act)
        fz = self._finite(f(z))
        lo, hi = act.info.output_range
        lo = lo if np.isfinite(lo) else np.nanmin(fz)
        hi = hi if np.isfinite(hi) else np.nanmax(fz)
        a = np.linspace(lo, hi, 401)
        da = self._finite(fn(a))
        self._line(self.plot_a, "a", act.name, a, da, pg.mkPen(col, width=2))
        marks = self._item(self.plot_a, "a marks", act.name)
        sub = slice(0, None, max(1, len(z) // 30))
        pa, pd = fz[sub], self._finite(df(z[sub]))
        ok = np.isfinite(pa) & np.isfinite(pd)
        marks.setData(pa[ok], pd[ok], symbol="o", pen=pg.mkPen(col), brush=pg.mkBrush(None))
        marks.setVisible(True)
        tab["a"][label_of(act)] = (a, da)

    def _draw_depth(self, i: int, act) -> np.ndarray:
        prod = depth_product(act)
        ok = np.isfinite(prod) & (prod > 0)  # a log axis cannot show 0
        item = self._item(self.plot_depth, "depth", act.name)
        item.setData(DEPTHS[ok], prod[ok], pen=pg.mkPen(series_color(self.theme, i), width=2),
                     skipFiniteCheck=True)
        item.setVisible(True)
        k = vanished_at(prod)
        if k is not None:
            L = int(DEPTHS[k])
            t = self._text(self.plot_depth, "depth", i)
            t.setText(f"{label_of(act)}\n{max_abs_df(act):.3g}^{L} = {prod[k]:.2g}")
            t.setAnchor((0.5, 1.1))
            t.setPos(L, np.log10(prod[k]))  # a log axis places items at log10(y)
            self._note_at[t] = (L, float(np.log10(prod[k])))
            t.setVisible(True)
            self._depth_spots.append({"pos": (L, np.log10(prod[k])),
                                      "brush": pg.mkBrush(series_color(self.theme, i)),
                                      "pen": pg.mkPen(self.theme.foreground)})
        return prod

    def fit_to(self, size) -> None:
        """In a small dock (a laptop's tab area is ~290 px high) the two captions would
        squeeze the plots flat: they are hidden there, and their text becomes the plots'
        tooltips. A larger dock, a floated one and every export show them. In a narrow
        canvas the two lower plots go one under the other (see :data:`STACK_WIDTH`)."""
        height = self.scroll.viewport().height() if size is None else size.height()
        width = (self.scroll.viewport().width() / self.theme.zoom if size is None
                 else size.width())
        # the viewport's width: the canvas in it is resized after it, so still the old one
        self._fit_legend(width)
        stacked = width < STACK_WIDTH
        compact = height < COMPACT_HEIGHT
        if compact == self._compact and stacked == self._stacked:
            return
        self._compact = compact
        self._stack(stacked)
        if size is None:  # an export leaves it: a new minimum makes the scroll area resize
            # the canvas, which would lay the plots out at the dock's size mid-export
            least = STACKED_MIN_HEIGHT if stacked else COMPACT_MIN_HEIGHT
            self.canvas.setMinimumHeight(least if compact else 150)
        for caption, plot in ((self.caption_a, self.plot_a),
                              (self.caption_depth, self.plot_depth)):
            caption.setVisible(not compact)
            caption.setMaximumHeight(0 if compact else 10_000)
            if size is not None and not compact:  # wrapped to the export's columns now,
                # not to the dock's: a caption as tall as at 170 px would squeeze the plots
                column = size.width() if stacked else size.width() / 2
                caption.item.setTextWidth(max(80.0, column - 24))
                caption.updateMin()
            plot.setToolTip(_tip(caption.text) if compact else "")

    def _stack(self, stacked: bool) -> None:
        """The lower plots and their captions side by side (rows 3-4) or one under the
        other (rows 3-6), each caption under its plot."""
        if stacked == self._stacked:
            return
        self._stacked = stacked
        ci = self.canvas.ci
        lower = ((self.plot_a, self.caption_a), (self.plot_depth, self.caption_depth))
        for plot, caption in lower:
            ci.removeItem(plot)
            ci.removeItem(caption)
        for i, (plot, caption) in enumerate(lower):
            if stacked:
                ci.addItem(plot, row=3 + 2 * i, col=0, colspan=2)
                ci.addItem(caption, row=4 + 2 * i, col=0, colspan=2)
            else:
                ci.addItem(plot, row=3, col=i)
                ci.addItem(caption, row=4, col=i)
        ci.layout.setRowStretchFactor(5, 2 if stacked else 0)

    def _captions(self, shown: list, tab: dict) -> None:
        fg = self.theme.foreground
        forms = [f"{a.info.display_name}: {a.info.derivative_from_output}" for a in shown
                 if from_output_fn(a) is not None and a.info.derivative_from_output]
        text_a = ("Backprop evaluates f′ at z; for some functions it can be computed from the "
                  "output a instead. " + html.escape("; ".join(forms)) + ". Line: f′ from a; "
                  "○: (f(z), f′(z)) sampled along z."
                  if forms else "None of the ticked functions writes f′ in terms of its "
                  "output a (sigmoid and tanh do: σ′ = a(1 − a), tanh′ = 1 − a²).")
        self.caption_a.set(text_a, fg)
        text_d = ("Backprop multiplies one f′ per layer, so after L layers a gradient "
                  "shrinks by up to max|f′|^L. Sigmoid: 0.25^30 &lt; 1e-18, the gradient "
                  "vanishes. ReLU: 1^L = 1.")
        zero = [html.escape(label_of(a)) for a in shown if max_abs_df(a) <= 0]
        if zero:
            text_d += f"<br>{', '.join(zero)}: f′ = 0, product 0 (not drawn)."
        self.caption_depth.set(text_d, fg)
        if self._compact:
            self.plot_a.setToolTip(_tip(text_a))
            self.plot_depth.setToolTip(_tip(text_d))

    # --- theme, export, state -----------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.tiny_line.setPen(pg.mkPen(theme.foreground + "A0", style=_DASH))
        self.tiny_text.setColor(theme.foreground)
        self._redraw()

    def csv_tables(self) -> list[CsvTable]:
        t = self._tables
        header, cols = ["z"], [self._z]
        for key, what in (("d1", "f′"), ("d2", "f″"), ("num", "numerical f′")):
            for label, v in t.get(key, {}).items():
                header.append(f"{what} {label}")
                cols.append(v)
        tables = [CsvTable("derivatives", tuple(header), np.column_stack(cols))]
        depth = t.get("depth", {})
        tables.append(CsvTable("derivatives_depth",
                               ("L", *(f"max|f′|^L {lab}" for lab in depth)),
                               np.column_stack([DEPTHS.astype(np.float64), *depth.values()])))
        pairs = t.get("a", {})
        if pairs:
            head = tuple(h for lab in pairs for h in (f"a {lab}", f"f′ {lab}"))
            cols = [c for a, d in pairs.values() for c in (a, d)]
            tables.append(CsvTable("derivatives_from_output", head, np.column_stack(cols)))
        return tables

    def _state_boxes(self) -> dict[str, QCheckBox]:
        return {"show_d2": self.d2_box, "show_numerical": self.num_box}
