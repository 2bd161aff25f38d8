"""The headless check: every step's set-up applied, every goal trained for and decided.

The runs follow the same plan as a student in the app (``model.run_plan``): a set-up ends
the runs going on and the next goal that trains starts new ones; a step without a set-up goes
on training the runs already going, and its goal counts epochs from their start. A goal with
``seeds = K`` runs K seeds (network and shuffling seeds 0 … K−1 on the same data). Training
stops as soon as a goal is decided, so a goal met early costs little. A comparison with
"before" is made against the lesson's previous runs (seed by seed), which are trained further
if the comparison needs it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass

from ..trainer import TrainingDiverged
from .goals import FasterGoal, Goal, GoalResult, combine
from .model import Lesson, Step, run_plan
from .record import RunRecord, RunRecorder
from .source import LessonError

__all__ = ["StepResult", "check", "check_iter"]

PASS, FAIL, NOT_CHECKED = "PASS", "FAIL", "not checked"


@dataclass(frozen=True)
class StepResult:
    """The check of one step.

    Attributes
    ----------
    step : Step
    status : str
        "PASS", "FAIL" or "not checked" (no goal, or one the student marks done).
    result : GoalResult or None
        The measured value and its sentence (None when not checked).
    goal : str
        The goal in words ("" without a goal).
    seconds : float
        Time spent on this step (set-up, training, evaluation).
    """

    step: Step
    status: str
    result: GoalResult | None
    goal: str
    seconds: float

    @property
    def passed(self) -> bool:
        return self.status == PASS


def _with_seed(exp, seed: int):
    return dataclasses.replace(exp, network=dataclasses.replace(exp.network, seed=seed),
                               training=dataclasses.replace(exp.training, seed=seed))


class _Run:
    """One training run of the check: a trainer, its observations, its paired earlier run."""

    def __init__(self, exp, ds, previous: _Run | None):
        self.trainer = exp.build_trainer(ds)
        self.recorder = RunRecorder(exp)
        self.previous = previous
        self.diverged = False
        self.observe()

    def observe(self) -> None:
        self.recorder.observe(self.trainer.snapshot(grid=0))

    def train(self, epochs: int) -> None:
        if self.diverged or epochs <= 0:
            return
        try:
            self.trainer.run(epochs=epochs)
        except TrainingDiverged as e:
            self.diverged = True
            self.recorder.mark_diverged(str(e), self.trainer.epoch + 1)

    def record(self, with_previous: bool = True) -> RunRecord:
        prev = self.previous.record(False) if with_previous and self.previous else None
        return self.recorder.record(history=RunRecord.from_trainer(self.trainer).history,
                                    previous=prev, task=self.trainer.dataset.task,
                                    layer_names=tuple(self.trainer.net.layer_name(i)
                                                      for i in range(len(self.trainer.net
                                                                         .layers))))


def _drive(run: _Run, goal: Goal) -> GoalResult:
    """Train ``run`` until ``goal`` is decided on it (or its horizon is passed)."""
    horizon = goal.horizon
    while True:
        result = goal.evaluate(run.record())
        epoch = run.trainer.epoch
        if result.met is not None or run.diverged or epoch >= horizon:
            return result
        if goal.timing == "after":
            chunk = horizon - epoch
        elif goal.needs_observations:
            chunk = 1
        else:
            chunk = min(10, horizon - epoch)
        run.train(chunk)
        if goal.needs_observations:
            run.observe()


def _extend_previous(run: _Run, goal: Goal) -> None:
    """Train the earlier run far enough for ``goal``'s comparison to be decidable."""
    prev = run.previous
    if prev is None:
        return
    if isinstance(goal, FasterGoal):
        limit = goal.before_horizon
        while prev.trainer.epoch < limit and not prev.diverged:
            e, v = goal.series(prev.record(False))
            if v.size and goal.holds(v).any():
                return
            prev.train(min(10, limit - prev.trainer.epoch))
    elif prev.trainer.epoch < goal.epochs:
        prev.train(goal.epochs - prev.trainer.epoch)
        if goal.needs_observations:
            prev.observe()


def check_iter(lesson: Lesson, *, max_seeds: int | None = None) -> Iterator[StepResult]:
    """Check the steps one by one, yielding each StepResult as soon as it is known.

    Parameters
    ----------
    lesson : Lesson
    max_seeds : int, optional
        Run at most this many seeds of a multi-seed goal; the number of seeds allowed to fail
        stays the same (8 of 10 capped to 3 seeds needs 1 of 3).

    Raises
    ------
    LessonError
        If a set-up loads but its experiment cannot be built (a data set option out of range,
        a network over the limits).
    """
    group: list[_Run] | None = None
    previous: list[_Run] | None = None
    plan = run_plan(lesson.steps)
    for step, (starts, _) in zip(lesson.steps, plan):
        t0 = time.perf_counter()
        exp = lesson.experiment_for(step.index)
        goal = step.goal
        if step.setup is not None and group is not None:
            previous, group = group, None
        if goal is None or not goal.checkable:
            if step.setup is not None:
                _build(lesson, step, exp)
            yield StepResult(step, NOT_CHECKED, None, "" if goal is None else goal.describe(),
                             time.perf_counter() - t0)
            continue
        if not goal.needs_run:
            result = goal.evaluate(RunRecord(experiment=exp))
        else:
            if starts:
                ds = _build(lesson, step, exp)
                k = goal.seeds if max_seeds is None else max(1, min(goal.seeds, max_seeds))
                seeded = [exp] if goal.seeds == 1 else [_with_seed(exp, s) for s in range(k)]
                group = [_Run(e, ds, None if not previous else previous[min(i, len(previous) - 1)])
                         for i, e in enumerate(seeded)]
            results = []
            for run in group:
                if goal.compares:
                    _extend_previous(run, goal)
                results.append(_drive(run, goal))
            result = results[0] if goal.seeds == 1 else combine(goal, results)
        status = PASS if result.met is True else FAIL
        yield StepResult(step, status, result, goal.describe(), time.perf_counter() - t0)


def check(lesson: Lesson, *, max_seeds: int | None = None) -> list[StepResult]:
    """Run every step's set-up and goal without a window; one StepResult per step.

    A goal passes when it is met; a goal still undecided when its runs end counts as failed.
    See ``check_iter`` for the parameters.
    """
    return list(check_iter(lesson, max_seeds=max_seeds))


def _build(lesson: Lesson, step: Step, exp):
    """The data set of ``exp``, after making sure a trainer can be built from it."""
    try:
        ds = exp.build_dataset()
        exp.build_trainer(ds)
    except (ValueError, KeyError, OSError) as e:
        msg = e.args[0] if e.args and isinstance(e.args[0], str) else str(e)
        raise LessonError(lesson.path, step.setup.line if step.setup else step.line,
                          f"steps[{step.number}].setup", f"the experiment of this step cannot "
                          f"be built: {msg}") from None
    return ds
