"""The Recurrent lab's widget: its own experiment (two cells, A and B, on one task with one
seed), trained in its own process, and the plots of what happens inside them.

Left: what the lab is for, the set-up (``SetupForm``), Train /
One epoch / Restart and which sequence to look at; right: the plots, each a panel
(``CellHeatmaps``, ``UnitCurves``, ``MemoryPlots``, ``TrainingCurves``). The dock never steps
a trainer: it sends commands to ``LabWorker`` and draws the newest frame it gets back, on the
visible plot only (the others draw it when shown or exported). The lab's lessons are lesson
files (``resources/lessons``, topic "The recurrent lab") in the Lessons dock, whose Set up
reaches the lab's ``set_up`` through ``gui.wiring``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.recurrent import parse_sequence

from ..theme import LIGHT, Theme
from . import messages
from .form import SetupForm
from .plots_cell import CellHeatmaps, UnitCurves
from .plots_memory import MemoryPlots
from .plots_training import TrainingCurves
from .setup import LabSetup, task_word
from .views import PROBE_ROWS
from .worker import LabWorker

__all__ = ["RecurrentLab"]


#: what the box above the set-up says: what the lab is for, and where its lessons are
INTRO = ("Two recurrent cells, <b>run A</b> and <b>run B</b>, learn the same task from the "
         "same seed. Change one thing in run B, press <b>Train</b> and compare the plots. "
         "Lessons: <b>Lessons</b> (F2), under <i>The recurrent lab</i>.")


class RecurrentLab(QWidget):
    """The lab. ``frameDrawn(LabFrame)`` is emitted (on the GUI thread) after each frame of the
    current set-up is drawn; ``message(str)`` with each sentence the status line shows."""

    frameDrawn = Signal(object)
    message = Signal(str)

    def __init__(self, setup: LabSetup | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup = (setup or LabSetup()).checked()
        self.generation = 0
        self.frame = None
        self.running = False
        self.theme: Theme = LIGHT
        self._extra = ""  # a sentence shown under the runs' lines until the next set-up
        self._accepted = None  # (generation, set-up) the process last ran
        self.worker = self._new_worker()

        self.plots = [CellHeatmaps(), UnitCurves(), MemoryPlots(), TrainingCurves()]
        self.tabs = QTabWidget()
        for plot in self.plots:
            self.tabs.addTab(plot, plot.title)
            self.tabs.setTabToolTip(self.tabs.count() - 1, plot.tooltip)
        self.tabs.currentChanged.connect(lambda _i: self._catch_up())

        left = QWidget()
        col = QVBoxLayout(left)
        col.setContentsMargins(4, 4, 4, 4)
        self.intro = QLabel(INTRO)  # as tall as its text: the column scrolls, not the box
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.RichText)
        self.intro.setContentsMargins(2, 0, 2, 4)
        col.addWidget(self.intro)
        self.form = SetupForm(self.setup)
        self.form.setupChanged.connect(self._on_setup)
        self.form.refused.connect(self._say)
        col.addWidget(self.form)
        col.addStretch(1)
        scroll = QScrollArea()  # the words and the set-up scroll; the buttons stay
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side = QWidget()
        side_col = QVBoxLayout(side)
        side_col.setContentsMargins(0, 0, 0, 0)
        side_col.addWidget(scroll, 1)
        side_col.addLayout(self._transport())
        side_col.addLayout(self._sequence_row())
        side.setMinimumWidth(335)  # the swap buttons and the scroll bar

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(side)
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 1)
        split.setSizes([340, 900])
        # the runs' progress and why one stopped, under everything: never scrolled away
        self.status = QLabel("Press Train to train both runs side by side.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setContentsMargins(6, 2, 6, 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        self.configure(self.setup)

    def _transport(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.train_button = QPushButton("Train")
        self.train_button.setCheckable(True)
        self.train_button.setToolTip("Train both runs, a step of A then a step of B, until "
                                     "the last epoch (click again to pause)")
        self.train_button.clicked.connect(self._on_train)
        self.epoch_button = QPushButton("One epoch")
        self.epoch_button.setToolTip("Train each run to the end of its current epoch")
        self.epoch_button.clicked.connect(lambda: self.worker.send(messages.Epoch()))
        self.restart_button = QPushButton("Restart")
        self.restart_button.setToolTip("Start both runs again from their first weights")
        self.restart_button.clicked.connect(lambda: self.configure(self.setup))
        for b in (self.train_button, self.epoch_button, self.restart_button):
            row.addWidget(b)
        return row

    def _sequence_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Show test sequence"))
        self.sequence = QSpinBox()
        self.sequence.setRange(1, PROBE_ROWS)
        self.sequence.setToolTip("Which test sequence the cell plots show")
        self.sequence.valueChanged.connect(self._show_test_sequence)
        row.addWidget(self.sequence)
        self.typed = QLineEdit()
        self.typed.setPlaceholderText("or type one: 1, 0, 0, 0")
        self.typed.setToolTip("Numbers separated by commas, one per step, run through both "
                              "cells from a zero state (tasks with one input per step); "
                              "Enter shows it, an empty box goes back to the test sequence")
        self.typed.returnPressed.connect(self._show_typed)
        row.addWidget(self.typed, 1)
        return row

    # --- the experiment ------------------------------------------------------------------
    def _new_worker(self) -> LabWorker:
        worker = LabWorker(self)
        worker.frameReady.connect(self._on_frame)
        worker.runningChanged.connect(self._on_running)
        worker.diverged.connect(self._on_diverged)
        worker.refused.connect(self._on_refused)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        return worker

    def _on_failed(self, text: str) -> None:
        if self.worker.process_ended:
            self._say("The lab's training process ended unexpectedly; press Restart to start "
                      "a new one.")
        else:  # a bug in the process, logged with its traceback; it paused and serves on
            last = (text.strip().splitlines() or [""])[-1]
            self._say(f"Something went wrong in the lab's training process, so training "
                      f"paused ({last}); press Restart to start again.")

    def configure(self, setup: LabSetup) -> None:
        """Run ``setup`` from step 0 (training on if it was training)."""
        if self.worker.process_ended:  # it died: a new one takes over
            self.worker.stop()
            self.worker.deleteLater()
            self.worker = self._new_worker()
            self.running = False
        self.setup = setup
        self.generation += 1
        self._extra = ""
        self.sequence.setMaximum(min(PROBE_ROWS, setup.n_test))  # the probe's sequences
        self.worker.send(messages.Configure(self.generation, setup.to_dict()))
        if self.running:
            self.worker.send(messages.Play())

    def _on_setup(self, setup: LabSetup) -> None:
        if self.typed.text().strip() and setup.n_inputs() != 1:
            self.typed.clear()
        if setup.replace(epochs=self.setup.epochs) == self.setup:
            # only the epoch limit moved: the runs go on from where they are
            self.setup = setup
            if self._accepted is not None and self._accepted[0] == self.generation:
                self._accepted = (self.generation, setup)
            self.worker.send(messages.SetEpochs(setup.epochs))
            return
        self.configure(setup)

    def set_up(self, setup: LabSetup) -> None:
        """Show ``setup`` in the form and run it from step 0 (a lesson step's Set up)."""
        self.form.show_setup(setup)
        self.configure(setup)

    def _on_train(self, checked: bool) -> None:
        self.worker.send(messages.Play() if checked else messages.Pause())

    def _show_test_sequence(self, value: int) -> None:
        self.typed.clear()
        self.worker.send(messages.Show(index=value - 1))

    def _show_typed(self) -> None:
        text = self.typed.text()
        if not text.strip():
            self._show_test_sequence(self.sequence.value())
            return
        if self.setup.n_inputs() != 1:
            self._say(f"The {task_word(self.setup.task)} takes {self.setup.n_inputs()} numbers "
                      "per step, so a typed sequence cannot be shown: choose another task.")
            return
        try:
            values = parse_sequence(text)
        except ValueError as e:
            self._say(str(e))
            return
        self.worker.send(messages.Show(typed=tuple(float(v) for v in values)))

    # --- events from the process ---------------------------------------------------------
    def _on_frame(self) -> None:
        frame = self.worker.take_frame()
        if frame is None:
            return
        try:
            if frame.generation == self.generation:
                self.frame = frame
                self._accepted = (self.generation, self.setup)
                current = self.tabs.currentWidget()
                for plot in self.plots:
                    if plot is current:
                        plot.update_view(frame)
                    else:
                        plot.keep_for_later(frame)
                self._status()
        finally:
            self.worker.frame_drawn()
        if frame is self.frame:
            self.frameDrawn.emit(frame)

    def _catch_up(self) -> None:
        current = self.tabs.currentWidget()
        if current is not None and self.frame is not None:
            current.catch_up()

    def _on_running(self, running: bool) -> None:
        self.running = running
        self.train_button.setChecked(running)
        self.train_button.setText("Pause" if running else "Train")

    def _on_diverged(self, event) -> None:
        if event.generation == self.generation:
            self._status()

    def _on_refused(self, event) -> None:
        """The process could not build the runs: the ones before go on, and so does the
        form that describes them."""
        if event.generation != self.generation:
            return
        if self._accepted is not None:
            self.generation, self.setup = self._accepted
            self.form.show_setup(self.setup)
            self.sequence.setMaximum(min(PROBE_ROWS, self.setup.n_test))
        self._say(event.message)

    def _on_finished(self, event) -> None:
        if event.generation == self.generation:
            self._say(f"Training stopped at epoch {self.setup.epochs}, the last one: raise "
                      "Epochs to train on, or press Restart to start again.")

    def _status(self) -> None:
        lines = []
        for run in self.frame.runs:
            if run.stopped:
                lines.append(run.stopped)
                continue
            h = run.history
            score = h["test_metric"][-1] if len(h["test_metric"]) else float("nan")
            lines.append(f"Run {run.key}: epoch {run.epoch} of {run.epochs}, step {run.step}; "
                         f"test {run.metric_name} {score:.3g}")
        if self._extra:
            lines.append(self._extra)
        self.status.setText("\n".join(lines))

    def _say(self, text: str) -> None:
        self._extra = text
        if self.frame is not None:
            self._status()
        else:
            self.status.setText(text)
        self.message.emit(text)

    # --- the window ----------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        for plot in self.plots:
            plot.apply_theme(theme)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """A closed lab does not go on using a core nobody watches: it pauses."""
        if self.running:
            self.worker.send(messages.Pause())
        super().hideEvent(event)

    def shutdown(self) -> None:
        """End the training process now (the window is closing)."""
        self.worker.stop()
