"""Inside the cell: every gate, the candidate, the cell state and the hidden state as heatmaps
(units × time steps) of run A beside run B, and one unit's curves over time.

The arrays are the frame's (``RunView.states``: the engine's forward record of the sequence
shown); these panels only colour them. Gates are drawn from the background colour (0) to the
positive colour (their largest value, at least 1); signed values (candidate, c, h) from the
negative colour through the background (0) to the positive one, symmetric about 0 and scaled
to their largest |value|, which each row's label states.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox

from ..panels.base import EmptyNote
from ..panels.output_map import diverging_map
from ..theme import Theme, series_color
from .plots_base import LabPanel, table
from .setup import RUNS, CellSetup
from .views import GATES, STATE_NAMES

__all__ = ["CellHeatmaps", "UnitCurves", "describe", "ROWS"]

#: the heatmap row of each state: the GRU's z beside the LSTM's f (both keep the state),
#: its n beside g (the candidates) and both h on the last row
ROWS = {"lstm": {"i": 0, "f": 1, "g": 2, "o": 3, "c": 4, "h": 5},
        "gru": {"r": 0, "z": 1, "n": 2, "h": 5}}
N_ROWS = 6


def describe(run) -> str:
    """"LSTM · sigmoid gates · tanh candidate · tanh output · forget bias 1" from a RunView."""
    spec = run.spec
    names = {role: (v[0] if isinstance(v, list | tuple) else v)
             for role, v in spec.items() if role in ("gate", "candidate", "cell_output")}
    cell = CellSetup(cell=run.kind, gate=names["gate"], candidate=names["candidate"],
                     cell_output=names.get("cell_output", "tanh"),
                     forget_bias=spec.get("forget_bias") or 0.0)
    return cell.describe()


def _words(kind: str) -> dict[str, str]:
    return dict(STATE_NAMES[kind])


class CellHeatmaps(LabPanel):
    """Heatmaps of every state of both runs: units up, time steps 1 … T across."""

    panel_id = "recurrent_cell"
    title = "Inside the cell"
    tooltip = ("Each row is one quantity of the cell over time (across) for every unit (up), "
               "for the sequence shown; run A on the left, run B on the right")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.options.hide()
        self.heads = {}
        self.plots: dict[tuple[str, int], pg.PlotItem] = {}
        self.images: dict[tuple[str, int], pg.ImageItem] = {}
        self.notes: dict[tuple[str, int], EmptyNote] = {}
        self.levels: dict[tuple[str, int], tuple[str, float, float]] = {}
        self._labels: dict[tuple[str, int], tuple[str, str, str]] = {}  # long … shortest
        self._short = 0  # which of them the rows have room for
        for col, key in enumerate(RUNS):
            head = pg.LabelItem(f"Run {key}", justify="left")
            self.canvas.addItem(head, row=0, col=col)
            self.heads[key] = head
            for row in range(N_ROWS):
                plot = self.canvas.addPlot(row=row + 1, col=col)
                plot.setMenuEnabled(False)
                plot.setMouseEnabled(False, False)
                plot.hideButtons()
                plot.getAxis("bottom").setStyle(showValues=row == N_ROWS - 1)
                if row == N_ROWS - 1:
                    plot.setLabel("bottom", "time step t")
                image = pg.ImageItem(axisOrder="row-major")
                plot.addItem(image)
                self.plots[key, row], self.images[key, row] = plot, image
                self.notes[key, row] = EmptyNote(plot)
        self.legend = pg.LabelItem("", justify="left")
        self.canvas.addItem(self.legend, row=N_ROWS + 1, col=0, colspan=2)
        self.canvas.setMinimumSize(360, 480)
        self.apply_theme(self.theme)

    def draw(self, frame) -> None:
        fg = self.theme.foreground
        for run in frame.runs:
            # short lines: a header sets its column's least width (a label does not wrap)
            parts = describe(run).split(" · ")
            lines = [f"<b>Run {run.key}</b>: {parts[0]}"] + [
                ", ".join(parts[i:i + 2]) for i in range(1, len(parts), 2)]
            self.heads[run.key].setText("<br>".join(lines), color=fg, size="9pt")
            rows = ROWS[run.kind]
            words = _words(run.kind)
            used = set()
            for name, arr in run.states:
                row = rows[name]
                used.add(row)
                self._heatmap(run.key, row, name, words[name], arr, name in GATES[run.kind])
            for row in set(range(N_ROWS)) - used:
                self._empty(run.key, row, "a GRU has no " + ("output gate" if row == 3 else
                                                            "cell state"))
        warm = "yellow" if self.theme.name == "dark" else "orange"
        self.legend.setText(
            f"{frame.runs[0].shown[0].upper()}{frame.runs[0].shown[1:]}: units up, time "
            "across. Gates: background colour 0,<br>full colour their top (1 for a sigmoid). "
            f"Candidate, c and h: blue negative, {warm} positive,<br>full colour at the ±value "
            "on the left.", color=fg, size="8pt")

    def _heatmap(self, key, row, name, words, arr, gate: bool) -> None:
        plot, image = self.plots[key, row], self.images[key, row]
        self.notes[key, row].hide_note()
        image.setVisible(True)
        T, H = arr.shape
        finite = arr[np.isfinite(arr)]
        top = float(np.abs(finite).max()) if finite.size else 1.0
        if gate:
            hi = max(1.0, top)
            lo = 0.0
            scale = f"0 … {hi:.3g}"
        else:
            hi = top if top > 0 else 1.0
            lo = -hi
            scale = f"±{hi:.3g}" if top > 0 else "all 0"
        self._labels[key, row] = (f"{name} {words.split()[0]}<br>{scale}", f"{name}<br>{scale}",
                                  name)
        self.levels[key, row] = (name, lo, hi)
        image.setImage(np.nan_to_num(arr.T, nan=0.0, posinf=hi, neginf=lo), levels=(lo, hi),
                       autoLevels=False)
        image.setLookupTable(self._gate_lut if gate else self._signed_lut)
        image.setRect(QRectF(0.5, 0.5, T, H))
        if self.text_due:  # numbers in labels change at a readable pace (Panel.text_due)
            self._set_label(key, row)
        plot.setXRange(0.5, T + 0.5, padding=0)
        plot.setYRange(0.5, H + 0.5, padding=0)

    def _set_label(self, key, row) -> None:
        self.plots[key, row].setLabel("left", self._labels[key, row][self._short],
                                      **{"font-size": "8pt"})

    def fit_to(self, size) -> None:
        """Rows too short for "g candidate" above its scale beside the axis (presentation
        mode's zoom, a small export) get the symbol above the scale, very short ones the
        symbol alone (the label is turned: its length is what must fit the row)."""
        room = size if size is not None else self.room()
        height = (room.height() - 150) / N_ROWS
        short = 0 if height >= 70 else (1 if height >= 45 else 2)
        if short != self._short:
            self._short = short
            for key, row in self._labels:
                self._set_label(key, row)

    def _empty(self, key, row, text) -> None:
        self.images[key, row].setVisible(False)
        self.levels.pop((key, row), None)
        self._labels[key, row] = ("", "", "")
        self.plots[key, row].setLabel("left", "")
        self.notes[key, row].show_note(text)

    def apply_theme(self, theme: Theme) -> None:
        self._gate_lut = pg.ColorMap([0.0, 1.0], [theme.background, theme.positive]).getLookupTable(
            nPts=256)
        self._signed_lut = diverging_map(theme).getLookupTable(nPts=256)
        super().apply_theme(theme)
        for plot in self.plots.values():  # grid lines would stripe the heatmaps
            plot.showGrid(x=False, y=False)

    def csv_tables(self):
        """One table per run and quantity: a row per unit, a column per time step."""
        out = []
        frame = self.frame
        if frame is None:
            return out
        for run in frame.runs:
            for name, arr in run.states:
                T, H = arr.shape
                out.append(table(f"run_{run.key}_{name}",
                                 ["unit"] + [f"t={t}" for t in range(1, T + 1)],
                                 [np.arange(1, H + 1)] + [arr[t] for t in range(T)]))
        return out


class UnitCurves(LabPanel):
    """One unit's gates, candidate and states over time, run A beside run B."""

    panel_id = "recurrent_unit"
    title = "One unit"
    tooltip = "The chosen unit's gates, candidate, cell state and hidden state over time"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self.options)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Unit"))
        self.unit = QSpinBox()
        self.unit.setRange(1, 1)
        self.unit.setToolTip("Which hidden unit to follow (1 is the first)")
        self.unit.valueChanged.connect(self._redraw)
        row.addWidget(self.unit)
        row.addStretch(1)
        self.plots, self.curves, self.legends = {}, {}, {}
        for col, key in enumerate(RUNS):
            plot = self.canvas.addPlot(row=0, col=col)
            plot.setMenuEnabled(False)
            plot.setLabel("bottom", "time step t")
            # under the plot, not in it: six curves leave no free corner
            legend = pg.LegendItem(offset=None, colCount=2, labelTextSize="8pt")
            self.canvas.addItem(legend, row=1, col=col)
            self.legends[key] = legend
            self.canvas.ci.layout.setRowStretchFactor(0, 1)  # the room to the plots
            self.canvas.ci.layout.setRowStretchFactor(1, 0)
            self.plots[key] = plot
            self.curves[key] = {}
        self.apply_theme(self.theme)

    def apply_theme(self, theme: Theme) -> None:
        for key, curves in getattr(self, "curves", {}).items():  # made again in its colours
            for item in curves.values():
                self.plots[key].removeItem(item)
            self.legends[key].clear()
            curves.clear()
        super().apply_theme(theme)

    def _redraw(self, *_) -> None:
        if self.frame is not None:
            self.draw(self.frame)

    def draw(self, frame) -> None:
        units = min(run.units for run in frame.runs)
        if self.unit.maximum() != units:
            self.unit.blockSignals(True)
            self.unit.setMaximum(units)
            self.unit.blockSignals(False)
        j = self.unit.value() - 1
        for run in frame.runs:
            plot, curves = self.plots[run.key], self.curves[run.key]
            words = _words(run.kind)
            names = [name for name, _ in run.states]
            if set(curves) != set(names):  # another kind of cell: its own curves
                for item in curves.values():
                    plot.removeItem(item)
                self.legends[run.key].clear()
                curves.clear()
                for i, name in enumerate(names):
                    curves[name] = plot.plot([], [],
                                             pen=pg.mkPen(series_color(self.theme, i), width=2))
                    self.legends[run.key].addItem(curves[name], f"{name} {words[name]}")
            t = np.arange(1, run.steps + 1)
            for name, arr in run.states:
                curves[name].setData(t, arr[:, j], connect="finite")
            plot.setTitle(f"Run {run.key}, unit {j + 1} ({run.shown})",
                          color=self.theme.foreground, size="9pt")

    def csv_tables(self):
        frame = self.frame
        if frame is None:
            return []
        j = self.unit.value() - 1
        out = []
        for run in frame.runs:
            names = [name for name, _ in run.states]
            out.append(table(f"run_{run.key}_unit_{j + 1}", ["t"] + names,
                             [np.arange(1, run.steps + 1)] + [a[:, j] for _, a in run.states]))
        return out
