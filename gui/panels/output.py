"""The Output panel: what the network answers, drawn the way the data set calls for.

- inputs on a plane (2-D data): the decision map, with training (filled) and test (hollow) points;
- one input, a number to predict: the fitted curve over the data;
- the 7-segment decoder: the ten digits as the network lights their segments;
- one-of-N classes: the confusion matrix of the test set;
- anything else: each test row's output against its target.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from ..live_view import LiveView
from ..theme import Theme
from .base import CsvTable, Panel
from .output_map import CurveView, MapView, PredictionView
from .output_tables import ConfusionView, SegmentView, is_seven_segment
from .registry import describe

__all__ = ["OutputPanel", "output_mode"]

_VIEWS = {"map": MapView, "curve": CurveView, "segments": SegmentView,
          "confusion": ConfusionView, "predictions": PredictionView}

_HINTS = {
    "map": "Background: the network's output at every point of the plane; the line is where "
           "it crosses the decision threshold.",
    "curve": "The line is the network's output for every x; dots are the data it learns from.",
    "segments": "Each segment glows as brightly as its output; outlined segments should be lit.",
    "confusion": "Rows: the true class; columns: what the network answered. The diagonal is right.",
    "predictions": "Each dot is one test row: on the dashed diagonal the output equals the target.",
}


def output_mode(view: LiveView) -> str:
    """Which picture suits the frame's data set: one of the keys of ``_VIEWS``."""
    snap, ds = view.snapshot, view.dataset
    if snap.grid is not None and snap.grid.values.shape[2] >= 1 and (
            snap.task == "multiclass" or snap.grid.values.shape[2] == 1):
        return "map"
    if snap.task == "regression" and snap.curve_x is not None and snap.curve_y is not None:
        return "curve"
    if is_seven_segment(ds):
        return "segments"
    if snap.task == "multiclass" and snap.confusion is not None:
        return "confusion"
    return "predictions"


class OutputPanel(Panel):
    """The network's answers: decision map, fitted curve, 7-segment digits or confusion matrix."""

    panel_id = "output"
    title, tooltip = describe(panel_id)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self.options)
        row.setContentsMargins(0, 0, 0, 0)
        self.discretize = QCheckBox("Discretize", self.options)
        self.discretize.setToolTip(
            "Colour the map in flat class colours: threshold the output at the midpoint between "
            "the two targets (the argmax for several classes), as accuracy does")
        self.show_test = QCheckBox("Show test data", self.options)
        self.show_test.setChecked(True)
        self.show_test.setToolTip("Also draw the test points (hollow); the network never "
                                  "trains on them")
        self.hint = QLabel("", self.options)
        self.hint.setWordWrap(True)
        self.hint.setToolTip("How to read this picture")
        for w in (self.discretize, self.show_test):
            row.addWidget(w)
            w.toggled.connect(self._redraw)
        row.addWidget(self.hint, 1)
        self.views: dict[str, object] = {}
        self.mode: str | None = None
        self.active = None
        self._hover = pg.SignalProxy(self.canvas.scene().sigMouseMoved, rateLimit=30,
                                     slot=self._on_mouse)

    # --- modes ---------------------------------------------------------------------------
    def _view(self, mode: str):
        if mode not in self.views:  # each mode's items are made once, on first use
            v = _VIEWS[mode]()
            v.apply_theme(self.theme)
            self.views[mode] = v
        return self.views[mode]

    def _switch(self, mode: str) -> None:
        self.canvas.ci.clear()
        self.mode, self.active = mode, self._view(mode)
        for item, r, c in self.active.layout_items():
            self.canvas.ci.addItem(item, r, c)
        self.discretize.setVisible(mode == "map")
        self.show_test.setVisible(mode in ("map", "curve"))
        self.hint.setText(_HINTS[mode])

    def plot_items(self) -> list[pg.PlotItem]:
        # colour bars are PlotItems too, but must not get a grid
        return [p for p in super().plot_items() if not isinstance(p, pg.ColorBarItem)]

    # --- frames --------------------------------------------------------------------------
    def update_view(self, view: LiveView) -> None:
        super().update_view(view)
        mode = output_mode(view)
        switched = mode != self.mode
        if switched:
            self._switch(mode)
        self.discretize.setEnabled(view.snapshot.task != "regression")
        self.active.update(view, self.theme, self.discretize.isChecked() and
                           view.snapshot.task != "regression", self.show_test.isChecked(),
                           write=self.text_due or switched)

    def _redraw(self, *_) -> None:
        if self.view is not None:
            self.update_view(self.view)

    def _on_mouse(self, event) -> None:
        if self.mode != "map" or self.view is None:
            return
        pos = event[0]
        view = self.active
        if not view.plot.sceneBoundingRect().contains(pos):
            view.hover.setVisible(False)
            return
        p = view.plot.vb.mapSceneToView(pos)
        text = view.hover_at(p.x(), p.y())
        view.hover.setText(text)
        view.hover.setVisible(bool(text))  # an empty read-out would still draw its box
        view.hover.setPos(p)

    def apply_theme(self, theme: Theme) -> None:
        for v in self.views.values():
            v.apply_theme(theme)
        super().apply_theme(theme)

    # --- export and state ----------------------------------------------------------------
    def csv_tables(self) -> list[CsvTable]:
        return self.active.csv_tables() if self.active is not None and self.view else []

    def view_state(self) -> dict:
        return {"discretize": self.discretize.isChecked(),
                "show_test": self.show_test.isChecked()}

    def restore_view_state(self, state: dict) -> None:
        if not isinstance(state, dict):
            return
        for key, box in (("discretize", self.discretize), ("show_test", self.show_test)):
            if isinstance(state.get(key), bool):
                box.setChecked(state[key])
