"""The live goal check: runs told apart, other settings refused, the earlier run compared with,
a divergence seen, and the same decisions as the headless check on the same runs."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest
from PySide6.QtCore import QObject, Signal

import core.lessons as L
from gui.lessons.tracker import GoalTracker, part_of, same_settings
from gui.live_view import make_live_view

# the README's example, shortened: XOR with 2-4-1 tanh, then a larger learning rate
LESSON = L.loads(textwrap.dedent('''
    title = "XOR"
    question = "Q?"
    learn = "L"

    [[steps]]
    title = "Four tanh units"
    panel = "output"
    instruction = "Play."
    [steps.setup]
    preset = "xor-2-4-1-tanh"
    [steps.goal]
    kind = "metric"
    metric = "train_accuracy"
    op = ">="
    value = 1.0
    within = 150

    [[steps]]
    title = "Keep going"
    panel = "training_curves"
    instruction = "Keep training."
    [steps.goal]
    kind = "metric"
    metric = "train_loss"
    op = "<"
    value = 0.9
    after = 3

    [[steps]]
    title = "A larger learning rate"
    panel = "training_curves"
    instruction = "Play."
    [steps.setup]
    training = { lr = 1.5 }
    [steps.goal]
    kind = "faster"
    metric = "train_accuracy"
    op = ">="
    value = 1.0
    within = 150
'''), name="t")


class FakeSession(QObject):
    """What the tracker uses of a session: its frames, divergences and latest frame."""

    viewChanged = Signal(object)
    diverged = Signal(str)

    def __init__(self):
        super().__init__()
        self.last_view = None

    def send(self, view):
        self.last_view = view
        self.viewChanged.emit(view)


class Run:
    """A trainer in the test's thread whose frames go to the fake session, epoch by epoch."""

    def __init__(self, session, exp):
        self.session, self.exp = session, exp
        self.trainer = exp.build_trainer()
        self.send()

    def send(self):
        self.session.send(make_live_view(self.trainer, self.exp, grid=0))

    def epochs(self, n):
        for _ in range(n):
            self.trainer.run(epochs=1)
            self.send()


@pytest.fixture
def tracked(qtbot):
    session = FakeSession()
    tracker = GoalTracker(session)
    return session, tracker


def test_the_goal_is_decided_live_as_the_headless_check_decides_it(tracked):
    session, tracker = tracked
    tracker.watch(LESSON, 0)
    run = Run(session, LESSON.experiment_for(0))
    assert tracker.result.met is None and "so far" in tracker.result.text
    while tracker.result.met is None:
        run.epochs(5)
    live = tracker.result
    headless = L.check(LESSON)[0].result
    assert live.met is True and (live.value, live.epoch) == (headless.value, headless.epoch)


def test_a_run_of_other_settings_is_not_judged(tracked):
    session, tracker = tracked
    tracker.watch(LESSON, 0)
    exp = LESSON.experiment_for(0)
    other = dataclasses.replace(exp, training=dataclasses.replace(exp.training, lr=0.01))
    run = Run(session, other)
    run.epochs(3)
    assert tracker.mismatch and tracker.result is None
    # another seed and an epoch limit are still the step's experiment
    seeded = dataclasses.replace(exp, network=dataclasses.replace(exp.network, seed=5),
                                 training=dataclasses.replace(exp.training, epoch_limit=9))
    assert same_settings(seeded, exp)
    Run(session, seeded).epochs(1)
    assert not tracker.mismatch and tracker.result is not None


def test_a_step_without_a_set_up_goes_on_with_the_run_and_a_reset_starts_a_new_one(tracked):
    session, tracker = tracked
    assert [part_of(LESSON, i) for i in range(3)] == [0, 0, 2]
    tracker.watch(LESSON, 0)
    run = Run(session, LESSON.experiment_for(0))
    run.epochs(2)
    tracker.watch(LESSON, 1)  # Next: the same run, epochs counted from its start
    run.epochs(1)
    assert tracker.result.met is not None and tracker.result.epoch == 3
    again = Run(session, LESSON.experiment_for(1))  # Reset: a new data set, epoch 0
    assert tracker.result is None or tracker.result.met is None
    again.epochs(3)
    assert tracker.result.epoch == 3


def test_the_faster_goal_compares_with_the_run_of_the_part_before(tracked):
    session, tracker = tracked
    tracker.watch(LESSON, 2)
    early = Run(session, LESSON.experiment_for(2))
    early.epochs(2)
    assert tracker.result.met is None and "no earlier run" in tracker.result.text
    tracker.watch(LESSON, 0)
    slow = Run(session, LESSON.experiment_for(0))
    while not slow.trainer.history.column("train_metric")[-1] >= 1.0:
        slow.epochs(5)
    tracker.watch(LESSON, 2)
    fast = Run(session, LESSON.experiment_for(2))
    while tracker.result.met is None:
        fast.epochs(1)
    assert tracker.result.met is True, tracker.result.text
    assert "the earlier run took" in tracker.result.text


def test_a_divergence_decides_a_goal_waiting_for_one(tracked):
    session, tracker = tracked
    lesson = L.loads(textwrap.dedent('''
        title = "Boom"
        question = "Q?"
        learn = "L"
        [[steps]]
        title = "Too large"
        panel = "training_curves"
        instruction = "Play."
        [steps.setup]
        preset = "xor-2-4-1-tanh"
        [steps.goal]
        kind = "diverges"
        within = 10
    '''), name="boom")
    tracker.watch(lesson, 0)
    run = Run(session, lesson.experiment_for(0))
    run.epochs(2)
    assert tracker.result.met is None
    session.diverged.emit("The loss became inf.")
    assert tracker.result.met is True and "diverged in epoch 3" in tracker.result.text
