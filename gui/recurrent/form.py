"""The recurrent lab's set-up widgets: the task and training settings, and runs A and B with
their one-click swaps (gates, candidate, cell output, forget bias, LSTM or GRU).

The form shows a ``LabSetup`` and asks for a new one: every edit makes a checked copy
(``LabSetup.replace`` / ``with_run``) and emits ``setupChanged`` with it, or ``refused`` with
the set-up's own sentence, the form going back to the set-up it showed. ``show_setup`` sets
the widgets with their signals blocked, so showing a set-up never asks for one.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .setup import (
    CELLS,
    FORGET_BIASES,
    GATE_SWAPS,
    LIMITS,
    MAX_LR,
    OUTPUT_SWAPS,
    RUNS,
    TASKS,
    LabSetup,
    short_name,
    task_word,
)

__all__ = ["SetupForm"]

_ROLE_TIPS = {
    "cell": "An LSTM (gates i, f, o, candidate g, cell state c) or a GRU (gates r, z, "
            "candidate n, no separate cell state)",
    "gate": "The activation of the gates: it decides what share passes",
    "candidate": "The activation of what is written into the state",
    "cell_output": "The activation between the cell state and the hidden state (LSTM only)",
    "forget_bias": "The forget gate's bias before training: 1 starts it near σ(1) ≈ 0.73, "
                   "0 near 0.5 (LSTM only)",
}


class _Choice(QWidget):
    """A row of checkable buttons, one of which is on: a one-click swap."""

    def __init__(self, values, words, tip: str, on_pick) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.group = QButtonGroup(self)
        self.buttons = {}
        for i, value in enumerate(values):
            b = QToolButton()
            b.setText(words(value))
            b.setCheckable(True)
            b.setAutoRaise(False)
            b.setToolTip(tip)
            self.group.addButton(b, i)
            self.buttons[value] = b
            row.addWidget(b)
        row.addStretch(1)
        self._values = list(values)
        self.group.idClicked.connect(lambda i: on_pick(self._values[i]))

    def show_value(self, value) -> None:
        self.group.setExclusive(False)  # so that none is on for a value without a button
        for v, b in self.buttons.items():
            b.setChecked(v == value)
        self.group.setExclusive(True)


class SetupForm(QWidget):
    """The lab's settings. ``setupChanged(LabSetup)``: a checked new set-up to run;
    ``refused(str)``: an edit that cannot be run, in one sentence."""

    setupChanged = Signal(object)
    refused = Signal(str)

    def __init__(self, setup: LabSetup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup = setup
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        box = QGroupBox("Task and training (both runs)")
        form = QFormLayout(box)
        form.setContentsMargins(6, 4, 6, 4)
        self.task = QComboBox()
        for name in TASKS:
            self.task.addItem(task_word(name), name)
        self.task.setToolTip("remember the spike: a +1 or −1 at step 1, name its sign at the "
                             "end; adding problem: add the two marked numbers; sine: predict "
                             "the next value at every step")
        self.task.currentIndexChanged.connect(
            lambda _i: self._change(task=self.task.currentData()))
        form.addRow("Task", self.task)
        self.steps = self._spin("steps", "Steps T (sequence length)")
        form.addRow("Steps T", self.steps)
        self.hidden = self._spin("hidden", "Hidden units in each cell")
        form.addRow("Units", self.hidden)
        self.epochs = self._spin("epochs", "Training stops at this epoch")
        form.addRow("Epochs", self.epochs)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(4)
        self.lr.setRange(0.0001, MAX_LR)
        self.lr.setSingleStep(0.001)
        self.lr.setToolTip("Adam's learning rate")
        self.lr.editingFinished.connect(lambda: self._change(lr=self.lr.value()))
        form.addRow("Learning rate", self.lr)
        clip_row = QWidget()
        cl = QHBoxLayout(clip_row)
        cl.setContentsMargins(0, 0, 0, 0)
        self.clip_on = QCheckBox("clip at")
        self.clip = QDoubleSpinBox()
        self.clip.setRange(0.01, 1000.0)
        self.clip.setValue(1.0)
        for w in (self.clip_on, self.clip):
            w.setToolTip("Gradient clipping: scale the whole gradient down to this norm when "
                         "it is longer")
        self.clip_on.toggled.connect(lambda _on: self._clip_changed())
        self.clip.editingFinished.connect(self._clip_changed)
        cl.addWidget(self.clip_on)
        cl.addWidget(self.clip, 1)
        form.addRow("Clipping", clip_row)
        self.seed = self._spin("seed", "Both runs start from this seed: the same data, the "
                                       "same first weights where the cells agree")
        form.addRow("Seed", self.seed)
        layout.addWidget(box)
        # the chosen swap must show in every theme (Fusion's dark "checked" barely differs)
        self.setStyleSheet("QToolButton:checked { background: palette(highlight); "
                           "color: palette(highlighted-text); }")
        self.runs: dict[str, dict[str, _Choice]] = {}
        for key in RUNS:
            layout.addWidget(self._run_box(key))
        self.show_setup(setup)

    def _spin(self, name: str, tip: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(*LIMITS[name])
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)  # one change when typing is done, not per digit
        spin.valueChanged.connect(lambda v: self._change(**{name: v}))
        return spin

    def _run_box(self, key: str) -> QGroupBox:
        box = QGroupBox(f"Run {key}")
        form = QFormLayout(box)
        form.setContentsMargins(6, 4, 6, 4)
        form.setVerticalSpacing(2)
        choices = {
            "cell": (CELLS, short_name),
            "gate": (GATE_SWAPS, short_name),
            "candidate": (OUTPUT_SWAPS, short_name),
            "cell_output": (OUTPUT_SWAPS, short_name),
            "forget_bias": (FORGET_BIASES, lambda v: f"{v:g}"),
        }
        labels = {"cell": "Cell", "gate": "Gates", "candidate": "Candidate",
                  "cell_output": "Output", "forget_bias": "Forget bias"}
        rows = {}
        for role, (values, words) in choices.items():
            rows[role] = _Choice(values, words, _ROLE_TIPS[role],
                                 lambda v, r=role: self._change_run(key, **{r: v}))
            form.addRow(QLabel(labels[role]), rows[role])
        self.runs[key] = rows
        return box

    # --- the set-up in the widgets -------------------------------------------------------
    def show_setup(self, setup: LabSetup) -> None:
        self.setup = setup
        widgets = [self.task, self.steps, self.hidden, self.epochs, self.lr, self.clip_on,
                   self.clip, self.seed] + [c.group for rows in self.runs.values()
                                            for c in rows.values()]
        for w in widgets:
            w.blockSignals(True)
        try:
            self.task.setCurrentIndex(max(0, self.task.findData(setup.task)))
            self.steps.setValue(setup.steps)
            self.hidden.setValue(setup.hidden)
            self.epochs.setValue(setup.epochs)
            self.lr.setValue(setup.lr)
            self.seed.setValue(setup.seed)
            self.clip_on.setChecked(setup.clip_norm is not None)
            if setup.clip_norm is not None:
                self.clip.setValue(setup.clip_norm)
            self.clip.setEnabled(setup.clip_norm is not None)
            for key, rows in self.runs.items():
                cell = setup.run(key)
                for role, choice in rows.items():
                    choice.show_value(getattr(cell, role))
                lstm = cell.cell == "lstm"
                for role in ("cell_output", "forget_bias"):
                    rows[role].setEnabled(lstm)
                    rows[role].setToolTip("" if lstm else "A GRU has no cell output and no "
                                          "forget gate")
        finally:
            for w in widgets:
                w.blockSignals(False)

    # --- edits ---------------------------------------------------------------------------
    def _clip_changed(self) -> None:
        self.clip.setEnabled(self.clip_on.isChecked())
        self._change(clip_norm=self.clip.value() if self.clip_on.isChecked() else None)

    def _change(self, **changes) -> None:
        self._ask(lambda: self.setup.replace(**changes))

    def _change_run(self, key: str, **changes) -> None:
        self._ask(lambda: self.setup.with_run(key, **changes))

    def _ask(self, make) -> None:
        try:
            setup = make()
        except ValueError as e:
            self.show_setup(self.setup)  # the widgets go back to what runs
            self.refused.emit(str(e))
            return
        if setup != self.setup:
            self.show_setup(setup)
            self.setupChanged.emit(setup)
