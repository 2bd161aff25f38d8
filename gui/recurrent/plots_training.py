"""The lab's training curves: loss and metric per epoch of run A (solid) and run B (dashed).

The numbers are the trainers' histories (``SequenceTrainer.history``: the whole train and test
sets evaluated at every epoch's end, epoch 0 before any step), as the frame carries them.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ..theme import Theme
from .plots_base import LabPanel, run_pen, table
from .setup import RUNS

__all__ = ["TrainingCurves"]


class TrainingCurves(LabPanel):
    """Test loss and test metric per epoch (training loss thin), both runs."""

    panel_id = "recurrent_training"
    title = "Training"
    tooltip = "Loss and score of both runs at the end of every epoch"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.options.hide()
        self.loss_plot = self.canvas.addPlot(row=0, col=0)
        self.metric_plot = self.canvas.addPlot(row=0, col=1)
        self.items = {}
        legends = {}
        for col, plot in enumerate((self.loss_plot, self.metric_plot)):
            plot.setMenuEnabled(False)
            plot.setLabel("bottom", "epoch")
            # under the plot: a loss falling to 0 and a score rising to 1 leave no free corner
            legends[plot] = pg.LegendItem(offset=None, labelTextSize="8pt", colCount=2)
            self.canvas.addItem(legends[plot], row=1, col=col)
        self.canvas.ci.layout.setRowStretchFactor(0, 1)  # the room to the plots
        self.canvas.ci.layout.setRowStretchFactor(1, 0)
        for key in RUNS:
            for what, plot, name in (("test_loss", self.loss_plot, f"{key}: test"),
                                     ("train_loss", self.loss_plot, f"{key}: training"),
                                     ("test_metric", self.metric_plot, f"run {key}")):
                self.items[key, what] = item = plot.plot([], [])
                legends[plot].addItem(item, name)
        self.canvas.setMinimumSize(360, 220)
        self.apply_theme(self.theme)

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        for (key, what), item in getattr(self, "items", {}).items():
            pen = run_pen(theme, key, width=1.0 if what == "train_loss" else 2.0)
            item.setPen(pen)
            if what != "train_loss":  # a point per epoch: epoch 0 alone shows too
                item.setSymbol("o" if key == "A" else "s")
                item.setSymbolSize(5)
                item.setSymbolPen(pen.color())
                item.setSymbolBrush(pen.color())

    def draw(self, frame) -> None:
        fg = self.theme.foreground
        run = frame.runs[0]
        self.loss_plot.setTitle("loss (the whole test set; thin: training set)", color=fg,
                                size="9pt")
        self.metric_plot.setTitle(f"test {run.metric_name}", color=fg, size="9pt")
        for run in frame.runs:
            h = run.history
            for what in ("test_loss", "train_loss", "test_metric"):
                self.items[run.key, what].setData(h["epoch"], h[what], connect="finite")
        # the axis runs to the epoch limit: how far training has come shows at a glance
        last = max(max(run.epochs, run.epoch) for run in frame.runs)
        for plot in (self.loss_plot, self.metric_plot):
            plot.setXRange(0, max(1, last), padding=0.02)

    def csv_tables(self):
        frame = self.frame
        if frame is None:
            return []
        cols = ("epoch", "train_loss", "test_loss", "train_metric", "test_metric")
        return [table(f"run_{run.key}_training", cols,
                      [np.asarray(run.history[c], float) for c in cols]) for run in frame.runs]

