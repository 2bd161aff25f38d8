"""Memory: how large the state grows, how far back it reaches, and how saturated the gates are.

Four plots of run A and run B together (A solid, B dashed): the largest |c_t| (|h_t| for a
GRU) over the units at every step, on a log axis; the running product of the forget gate
(Π f, the update gate's Π z for a GRU) from step 1, the units' mean and the unit that keeps
most, on a log axis; ‖∂L/∂c_t‖ (‖∂L/∂h_t‖) against t, on a log axis; and the saturation
picture after Karpathy et al. (2015): per unit and gate, the share of steps below 0.1
against the share above 0.9. Every number is the frame's (``gui.recurrent.views``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ..panels.base import EmptyNote
from ..theme import Theme, series_color
from .plots_base import LabPanel, positive_or_nan, run_pen, table
from .setup import RUNS
from .views import SATURATION

__all__ = ["MemoryPlots"]

_SYMBOLS = {"i": "o", "f": "s", "o": "t", "r": "o", "z": "s"}


class MemoryPlots(LabPanel):
    """|c_t|, Π f and ‖∂L/∂c_t‖ over time on log axes, and the gates' saturation."""

    panel_id = "recurrent_memory"
    title = "Memory"
    tooltip = ("How large the cell state gets, how much of step 1 survives to step t, how "
               "much gradient reaches each step, and how often each gate is shut or open")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.options.hide()
        c = self.canvas
        self.legends: dict = {}  # plot → its legend, in the row under it (never on curves)
        self.size_plot = self._plot(0, 0, "largest |c_t| over the units", log=True)
        self.keep_plot = self._plot(0, 1, "Π f: share of step 1 left at step t", log=True)
        self.grad_plot = self._plot(2, 0, "‖∂L/∂c_t‖ (test sequences)", log=True)
        self.sat_plot = self._plot(2, 1, "gate saturation, each unit a point", log=False)
        self.sat_plot.setLabel("bottom", f"share of steps below {SATURATION:g}")
        self.sat_plot.setLabel("left", f"share above {1 - SATURATION:g}")
        self.sat_plot.setXRange(0, 1, padding=0.04)
        self.sat_plot.setYRange(0, 1, padding=0.04)
        self.items: dict = {}
        for key in RUNS:
            for what, plot, name in (("size", self.size_plot, f"run {key}"),
                                     ("keep_mean", self.keep_plot, f"{key}: mean"),
                                     ("keep_best", self.keep_plot, f"{key}: best unit"),
                                     ("grad", self.grad_plot, f"run {key}")):
                self.items[key, what] = item = plot.plot([], [])
                self.legends[plot].addItem(item, name)
        self.scatter: dict = {}  # (run, gate) → ScatterPlotItem, made when a gate first shows
        self.notes = {name: EmptyNote(p) for name, p in
                      (("size", self.size_plot), ("keep", self.keep_plot),
                       ("grad", self.grad_plot))}
        c.setMinimumSize(360, 360)
        self.apply_theme(self.theme)

    def _plot(self, row, col, title, log) -> pg.PlotItem:
        plot = self.canvas.addPlot(row=row, col=col)
        plot.setMenuEnabled(False)
        plot.setTitle(title, size="9pt")
        if log:
            plot.setLogMode(y=True)
            plot.setLabel("bottom", "time step t")
        legend = pg.LegendItem(offset=None, labelTextSize="8pt", colCount=2 if log else 3)
        self.canvas.addItem(legend, row=row + 1, col=col)
        self.legends[plot] = legend
        lay = self.canvas.ci.layout  # the room goes to the plots, the legends keep their height
        lay.setRowStretchFactor(row, 1)
        lay.setRowStretchFactor(row + 1, 0)
        return plot

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        for (key, what), item in getattr(self, "items", {}).items():
            if what == "keep_best":
                item.setPen(pg.mkPen(series_color(theme, ("A", "B").index(key)), width=1,
                                     style=pg.QtCore.Qt.PenStyle.DotLine))
            else:
                item.setPen(run_pen(theme, key))
        for (key, _gate), item in getattr(self, "scatter", {}).items():
            self._style_scatter(item, key)

    def _style_scatter(self, item, key) -> None:
        colour = pg.mkColor(series_color(self.theme, ("A", "B").index(key)))
        fill = pg.mkColor(colour)
        fill.setAlpha(110 if key == "A" else 0)  # B hollow: the two runs' points apart
        item.setPen(pg.mkPen(colour, width=1.5))
        item.setBrush(pg.mkBrush(fill))

    def draw(self, frame) -> None:
        fg = self.theme.foreground
        kinds = {run.kind for run in frame.runs}
        if len(kinds) == 1:
            sym = "c" if kinds == {"lstm"} else "h"
            t = f"{sym}<sub>t</sub>"
            size, keep, grad = f"|{t}|", "Π f" if sym == "c" else "Π z", f"‖∂L/∂{t}‖"
        else:  # an LSTM beside a GRU
            c, h = "c<sub>t</sub>", "h<sub>t</sub>"
            size, keep, grad = (f"|{c}| (LSTM), |{h}| (GRU)", "Π f (LSTM), Π z (GRU)",
                                f"‖∂L/∂{c}‖ (LSTM), ‖∂L/∂{h}‖ (GRU)")
        titles = {"size": f"largest {size} over the units",
                  "keep": f"{keep}: how much of step 1 is left at step t",
                  "grad": f"{grad} over {frame.runs[0].probe_rows} test sequences"}
        for run in frame.runs:
            t = np.arange(1, run.steps + 1)
            self.items[run.key, "size"].setData(t, positive_or_nan(run.state_abs),
                                                connect="finite")
            self.items[run.key, "keep_mean"].setData(
                t, positive_or_nan(run.retention.mean(axis=1)), connect="finite")
            best = int(np.argmax(run.retention[-1])) if run.units else 0
            self.items[run.key, "keep_best"].setData(
                t, positive_or_nan(run.retention[:, best]), connect="finite")
            self.items[run.key, "grad"].setData(t, positive_or_nan(run.state_grad),
                                                connect="finite")
            for gate, below, above in run.saturation:
                item = self.scatter.get((run.key, gate))
                if item is None:
                    item = pg.ScatterPlotItem(size=8, symbol=_SYMBOLS.get(gate, "o"))
                    self.sat_plot.addItem(item)
                    self.legends[self.sat_plot].addItem(item, f"{run.key}: {gate}")
                    self.scatter[run.key, gate] = item
                    self._style_scatter(item, run.key)
                item.setData(below, above)
        shown = {(run.key, g) for run in frame.runs for g, _, _ in run.saturation}
        for k, item in self.scatter.items():
            item.setVisible(k in shown)
        for (name, items), plot in zip((("size", "size"), ("keep", "keep_mean"),
                                        ("grad", "grad")),
                                       (self.size_plot, self.keep_plot, self.grad_plot)):
            # a run with nothing above 0 (a dead cell) has no line on a log axis: say so
            empty = [run.key for run in frame.runs
                     if not np.isfinite(self.items[run.key, items].yData).any()]
            title = titles[name]
            if len(empty) == len(frame.runs):
                self.notes[name].show_note("nothing above 0 to draw on a log axis")
            else:
                self.notes[name].hide_note()
                if empty:
                    title += f"<br>(run {empty[0]}: 0 or overflowed at every step, not drawn)"
            plot.setTitle(title, color=fg, size="9pt")

    def csv_tables(self):
        frame = self.frame
        if frame is None:
            return []
        out = []
        for run in frame.runs:
            t = np.arange(1, run.steps + 1)
            best = int(np.argmax(run.retention[-1]))
            out.append(table(f"run_{run.key}_memory",
                             ["t", f"largest |{run.state_symbol}_t|", "mean keep product",
                              f"keep product of unit {best + 1}",
                              f"grad norm dL/d{run.state_symbol}_t"],
                             [t, run.state_abs, run.retention.mean(axis=1),
                              run.retention[:, best], run.state_grad]))
            for gate, below, above in run.saturation:
                out.append(table(f"run_{run.key}_saturation_{gate}",
                                 ["unit", f"share below {SATURATION:g}",
                                  f"share above {1 - SATURATION:g}"],
                                 [np.arange(1, below.size + 1), below, above]))
        return out
