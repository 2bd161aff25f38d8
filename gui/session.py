"""The session: the current experiment, its trainer (in the training process) and its frames.

Widgets never touch the trainer: they change the experiment through this object, and panels
draw the ``LiveView`` frames it relays. Every signal here is emitted in the GUI thread, so tests
and widgets can wait on them safely.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

import core
from core.datasets import Dataset
from core.experiment import Experiment

from . import protocol
from .live_view import Ghost, LiveView
from .worker import TrainingWorker

__all__ = ["Session"]

_log = logging.getLogger("activation_lab")

MAX_GHOSTS = 6
#: training settings changed on the running trainer (any other change builds a new one)
LIVE = ("lr", "batch_size")


@dataclass(frozen=True, slots=True)
class Pairing:
    """What the frames of one trainer are drawn with. The relay thread reads it once per
    frame and the GUI thread replaces it in one assignment, so a frame is paired with all of
    one trainer's settings and data or (when its trainer was replaced) dropped."""

    generation: int  # the trainer the worker has now; frames of others are dropped
    experiment: Experiment
    dataset: Dataset | None


class Session(QObject):
    viewChanged = Signal(object)  # LiveView
    runningChanged = Signal(bool)
    experimentChanged = Signal(object)  # Experiment
    problem = Signal(str)  # a message for the user (divergence, bad settings)
    diverged = Signal(str)  # training stopped on core.TrainingDiverged (also a problem)
    finished = Signal()

    def __init__(self, experiment: Experiment | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._pairing = Pairing(0, experiment or Experiment(), None)
        self.running = False
        self._pace: float | None = None
        self.last_view: LiveView | None = None
        self.ghosts: list[Ghost] = []
        #: this session's copy of the trainer's timeline (None: it could not follow it)
        self._timeline: core.Timeline | None = core.Timeline()
        self._timeline_of = 0  # the generation (trainer) whose run the timeline records
        self.worker = TrainingWorker(self._make_frame)
        # queued: these are emitted in the worker thread, handled here in the GUI thread
        self.worker.frameReady.connect(self._on_frame, Qt.ConnectionType.QueuedConnection)
        self.worker.runningChanged.connect(self._on_running, Qt.ConnectionType.QueuedConnection)
        self.worker.diverged.connect(self._on_diverged, Qt.ConnectionType.QueuedConnection)
        self.worker.finished.connect(self.finished, Qt.ConnectionType.QueuedConnection)
        self.worker.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)

    # --- experiment --------------------------------------------------------------------
    @property
    def experiment(self) -> Experiment:
        """The current settings (those of the trainer in the training process)."""
        return self._pairing.experiment

    @property
    def dataset(self) -> Dataset | None:
        """The data set the current trainer trains on (None before :meth:`start`)."""
        return self._pairing.dataset

    def start(self) -> bool:
        """Build the trainer for the current experiment (call once the window exists)."""
        return self.apply(self.experiment, reinitialize=True)

    def apply(self, experiment: Experiment, *, reinitialize: bool) -> bool:
        """Switch to ``experiment``. Structure changes re-initialize; lr/batch size do not.

        Returns False (and emits ``problem``) when the settings cannot be built; the current
        experiment and trainer are then left exactly as they were.
        """
        if not reinitialize:
            old, new = self.experiment.training, experiment.training
            try:  # checked before anything changes (the commands check again)
                commands = [protocol.SetOption(name, getattr(new, name)) for name in LIVE
                            if getattr(new, name) != getattr(old, name)]
                if new.epoch_limit != old.epoch_limit:
                    commands.append(protocol.SetEpochLimit(new.epoch_limit))
            except ValueError as e:
                self.problem.emit(_sentence(e))
                return False
            # the same trainer and data; frames made from now on show the new settings
            self._pairing = dataclasses.replace(self._pairing, experiment=experiment)
            self.worker.send(*commands)
            self.experimentChanged.emit(experiment)
            return True
        try:
            dataset = experiment.build_dataset()
            trainer = experiment.build_trainer(dataset)
        except (ValueError, KeyError, OSError, TypeError) as e:
            self.problem.emit(_sentence(e))
            return False
        self._switch(experiment, dataset, trainer)
        return True

    def set_classroom(self, classroom) -> bool:
        """Hide or lock controls (a ``core.experiment.Classroom``); the trainer goes on."""
        return self.apply(dataclasses.replace(self.experiment, classroom=classroom),
                          reinitialize=False)

    def reset(self) -> bool:
        """Re-initialize with the seeds (the same experiment, from step 0)."""
        return self.apply(self.experiment, reinitialize=True)

    def update(self, reinitialize: bool | None = None, **section_changes: Any) -> bool:
        """Change one section, e.g. ``update(training={"lr": 0.1})``."""
        exp = self.experiment
        for section, changes in section_changes.items():
            exp = dataclasses.replace(exp, **{section: dataclasses.replace(getattr(exp, section),
                                                                             **changes)})
        if reinitialize is None:
            reinitialize = any(s != "training" for s in section_changes) or any(
                k not in (*LIVE, "epoch_limit")
                for k in section_changes.get("training", {})
            )
        return self.apply(exp, reinitialize=reinitialize)

    def capture(self, panel_states: dict | None = None, timeout: float = 10.0):
        """The experiment with its trained state, taken between two steps of the worker."""
        exp = self.experiment
        if panel_states is not None:
            exp = dataclasses.replace(exp, panels=panel_states)
        return self.worker.call(functools.partial(capture_trainer, exp)).result(timeout)

    def restore(self, saved, source: str | None = None) -> bool:
        """Continue a saved experiment; on any problem the current session is left as it was.

        ``source`` (a file name) starts the message when something goes wrong.
        """
        from core.archive import ArchiveError

        try:
            dataset = saved.experiment.build_dataset()
            trainer = saved.build_trainer(dataset)
        except (ArchiveError, ValueError, KeyError, OSError, TypeError) as e:
            text = _sentence(e)
            if source:
                text = f"Could not open {source}: {text[0].lower()}{text[1:]}"
            self.problem.emit(text)
            return False
        self._switch(saved.experiment, dataset, trainer)
        return True

    def _switch(self, experiment: Experiment, dataset: Dataset, trainer: core.Trainer) -> None:
        """Hand a new trainer to the worker. The generation is taken before anything is stored,
        and what frames are paired with changes in one assignment: a frame of the old trainer
        wrapped meanwhile (in the relay thread) has either the old pairing or is dropped."""
        self._keep_ghost()
        generation = self.worker.new_generation()
        self._pairing = Pairing(generation, experiment, dataset)
        self.worker.set_trainer(generation, trainer, experiment.training.epoch_limit)
        self.experimentChanged.emit(experiment)

    def clear_ghosts(self) -> None:
        self.ghosts.clear()
        self.worker.refresh()

    # --- transport ---------------------------------------------------------------------
    def play(self) -> None:
        self.worker.play()

    def pause(self) -> None:
        self.worker.pause()

    def toggle(self) -> None:
        self.pause() if self.running else self.play()

    def step(self, batches: int = 1) -> None:
        self.worker.step(batches)

    @property
    def pace(self) -> float | None:
        """Steps a second that Play trains (None: as fast as it can)."""
        return self._pace

    def set_pace(self, steps_per_second: float | None) -> None:
        """Pace Play (Step and Epoch are never paced); ValueError for a pace out of range."""
        self.worker.set_pace(steps_per_second)
        self._pace = protocol.check_pace(steps_per_second)

    def step_epoch(self) -> None:
        self.worker.step_epoch()

    def refresh(self) -> None:
        self.worker.refresh()

    def call(self, fn):
        """Run ``fn(trainer)`` in the training process between two steps (returns a Future);
        ``fn`` must be picklable (see ``TrainingWorker.call``)."""
        return self.worker.call(fn)

    def shutdown(self) -> None:
        self.worker.stop()

    # --- relay thread ----------------------------------------------------------------------
    def _make_frame(self, frame: protocol.Frame) -> LiveView | None:
        """Runs in the worker's relay thread: wraps a snapshot into a frame, off the GUI thread.

        A frame of an earlier trainer (still on its way when the experiment changed) would pair
        its snapshot with the new dataset, so it is dropped. The pairing is read once: the GUI
        thread may replace it at any moment (see :meth:`_switch`).

        The frame's timeline rows extend this session's copy of the trainer's timeline (only
        this thread touches it); a new trainer's first frame brings its whole timeline. The
        panels get a frozen copy with the snapshot as its newest point.
        """
        pairing = self._pairing
        generation, snapshot = frame.generation, frame.snapshot
        if generation != pairing.generation:
            return None
        if generation != self._timeline_of:  # a new run: the timeline starts again
            self._timeline, self._timeline_of = core.Timeline(), generation
        timeline = self._timeline
        if timeline is not None:
            try:
                timeline.extend(frame.timeline)
            except ValueError:  # a bug, not the user's doing: log it once, draw on without
                _log.exception("the frames' timeline rows do not follow on; this run's "
                               "timeline is left out")
                timeline = self._timeline = None
        if timeline is None:
            timeline = core.Timeline()
        return LiveView(snapshot=snapshot, timeline=timeline.frozen(tail=snapshot),
                        dataset=pairing.dataset, experiment=pairing.experiment,
                        ghosts=tuple(self.ghosts),
                        steps_per_second=frame.steps_per_second, running=frame.running)

    # --- GUI side --------------------------------------------------------------------------
    def _on_frame(self) -> None:
        view = self.worker.take_frame()
        if view is not None:
            self.last_view = view
            self.viewChanged.emit(view)
        # after the paint events the panels just posted: then the worker may make the next
        QTimer.singleShot(0, self.worker.frame_drawn)

    def _on_running(self, running: bool) -> None:
        self.running = running
        self.runningChanged.emit(running)

    def _on_diverged(self, message: str) -> None:
        self.diverged.emit(message)  # a lesson's goal may be waiting for exactly this
        self.problem.emit(message)

    def _on_failed(self, details: str) -> None:
        last = details.strip().splitlines()[-1] if details.strip() else "unknown error"
        self.problem.emit(f"Training stopped because of an internal error ({last}). "
                          "Press Reset to start again; the details are in the log.")

    def _keep_ghost(self) -> None:
        view = self.last_view
        if view is None or view.snapshot.epoch < 1:
            return
        t = self.experiment
        hidden = "-".join(str(h.units) for h in t.network.hidden)
        acts = "/".join(sorted({h.activation for h in t.network.hidden})) or "linear"
        label = f"{t.dataset.name} {hidden} {acts}, {t.training.optimizer} lr {t.training.lr:g}"
        self.ghosts.append(Ghost(label, view.snapshot.history))
        del self.ghosts[:-MAX_GHOSTS]


def capture_trainer(experiment, trainer):
    """``core.archive.capture`` with the trainer last, for ``functools.partial`` (this runs in
    the training process)."""
    from core.archive import capture

    return capture(experiment, trainer)


def _sentence(e: BaseException) -> str:
    if isinstance(e, FileNotFoundError) and e.filename:
        return f"The file {e.filename} does not exist."
    if isinstance(e, OSError) and e.strerror:
        return f"{e.strerror}" + (f": {e.filename}." if e.filename else ".")
    text = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
    text = text.strip() or type(e).__name__
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")
