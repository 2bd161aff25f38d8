"""Checking the open step's goal live, from the frames the session sends the panels anyway.

The tracker follows one run at a time with a ``core.lessons.RunRecorder`` (one small
observation per new epoch) and evaluates the goal only when a frame brings a new epoch, so a
frame costs a few array reads. A new run is a frame whose data set is not the one of the run
followed (the session builds a new data set with every new trainer: Reset, a set-up, a new
structure) or whose epoch went back. The goal is decided only on a run of the step's own
experiment (its set-up's settings; seeds and the epoch limit may differ): on anything else
the tracker says so, and the student presses Set-up.

Comparisons with "the earlier run" use the last run of the lesson's part before the open
step's: a step with a set-up starts a part, and the steps after it without one go on with its
run (as ``core.lessons.model.run_plan`` plans the headless check).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QObject, Signal

import core.lessons as L
from core.experiment import Experiment

from ..session import Session

__all__ = ["GoalTracker", "same_settings"]


def _essentials(exp: Experiment) -> tuple:
    """What a step's experiment fixes: its sections without the seeds and the epoch limit."""
    return (dataclasses.replace(exp.dataset, seed=0),
            dataclasses.replace(exp.network, seed=0),
            dataclasses.replace(exp.training, seed=0, epoch_limit=0))


def same_settings(a: Experiment, b: Experiment) -> bool:
    """True when ``a`` and ``b`` train the same network on the same data the same way (the
    seeds, the epoch limit, the panels and a classroom set-up aside)."""
    return _essentials(a) == _essentials(b)


def part_of(lesson: L.Lesson, index: int) -> int:
    """The step that starts the part of the lesson step ``index`` is in (the latest step up
    to it with a set-up; 0 if none)."""
    for j in range(index, -1, -1):
        if lesson.steps[j].setup is not None:
            return j
    return 0


class GoalTracker(QObject):
    """Evaluates the goal of the watched step on every frame that brings a new epoch.

    Signals
    -------
    resultChanged(object) : the live GoalResult (None: nothing to say yet, or no goal that
        watches training).
    mismatchChanged(bool) : the run going on is (True) or is no longer (False) of other
        settings than the step's.
    """

    resultChanged = Signal(object)
    mismatchChanged = Signal(bool)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.lesson: L.Lesson | None = None
        self.index = 0
        self.result: L.GoalResult | None = None
        self.mismatch = False
        self._recorder: L.RunRecorder | None = None
        self._dataset = None
        self._run_part: int | None = None  # the lesson part the followed run belongs to
        self._last_runs: dict[int, L.RunRecord] = {}  # part → its last run
        self._evaluated_epoch = -1
        session.viewChanged.connect(self._on_view)
        session.diverged.connect(self._on_diverged)

    @property
    def goal(self) -> L.Goal | None:
        if self.lesson is None:
            return None
        g = self.lesson.steps[self.index].goal
        return g if g is not None and g.needs_run else None

    def watch(self, lesson: L.Lesson | None, index: int = 0) -> None:
        """Check step ``index`` of ``lesson`` from now on (None: check nothing)."""
        if lesson is not self.lesson:
            self._last_runs.clear()
            self._run_part = None
        self.lesson, self.index = lesson, index
        self._evaluated_epoch = -1
        self._set_result(None)
        view = self.session.last_view
        if view is not None:
            self._on_view(view)

    # --- frames ------------------------------------------------------------------------------
    def _on_view(self, view) -> None:
        if self.lesson is None:
            return
        snap = view.snapshot
        rec = self._recorder
        if rec is None or view.dataset is not self._dataset or (
                rec.observations and snap.epoch < rec.observations[-1].epoch):
            self._new_run(view)
            rec = self._recorder
        step_exp = self.lesson.experiment_for(self.index)
        # a step of the Recurrent lab sets up the lab, not the window: nothing to mismatch
        mismatch = (self.lesson.steps[self.index].recurrent is None
                    and not same_settings(view.experiment, step_exp))
        if mismatch != self.mismatch:
            self.mismatch = mismatch
            self._evaluated_epoch = -1
            self.mismatchChanged.emit(mismatch)
        if mismatch:
            self._set_result(None)
            return
        self._run_part = part_of(self.lesson, self.index)
        rec.observe(snap)  # an observation only for an epoch the recorder has not seen
        if self.goal is None or snap.epoch == self._evaluated_epoch:
            return  # no goal, or nothing new to decide on (a frame between two epochs)
        self._evaluated_epoch = snap.epoch
        self._evaluate()

    def _new_run(self, view) -> None:
        old = self._recorder
        if old is not None and self._run_part is not None and old.observations and (
                old.record().epoch > 0):
            self._last_runs[self._run_part] = old.record()
        self._recorder = L.RunRecorder(view.experiment)
        self._dataset = view.dataset
        self._run_part = None
        self._evaluated_epoch = -1

    def _on_diverged(self, _message: str) -> None:
        rec, goal = self._recorder, self.goal
        if rec is None or goal is None or self.mismatch:
            return
        view = self.session.last_view
        epoch = (view.snapshot.epoch if view is not None else rec.record().epoch) + 1
        rec.mark_diverged(_message, epoch)
        self._evaluate()

    def _previous(self) -> L.RunRecord | None:
        part = part_of(self.lesson, self.index)
        earlier = [p for p in self._last_runs if p < part]
        return self._last_runs[max(earlier)] if earlier else None

    def _evaluate(self) -> None:
        goal, rec = self.goal, self._recorder
        if goal is None or rec is None:
            return
        self._set_result(goal.evaluate(rec.record(previous=self._previous())))

    def _set_result(self, result: L.GoalResult | None) -> None:
        if result != self.result:
            self.result = result
            self.resultChanged.emit(result)
