"""The session and its training thread: transport, settings changes and no leaked threads."""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import random
import threading
from operator import attrgetter

import pytest
from PySide6.QtWidgets import QApplication

import core.presets
from gui.session import Session


def _trainer_id(session: Session) -> int:
    return session.call(id).result(timeout=10)


@contextlib.contextmanager
def _started(qtbot, preset: str = "circles-tanh", timeout: int = 10000):
    """A session with its first frame drawn; shut down afterwards, its process gone."""
    s = Session(core.presets.get(preset).experiment)
    try:
        with qtbot.waitSignal(s.viewChanged, timeout=timeout):
            s.start()
        yield s
    finally:
        s.shutdown()
    assert not s.worker.alive


def test_play_steps_pause_reset(qtbot):
    s = Session(core.presets.get("circles-tanh").experiment)
    try:
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            assert s.start()
        with qtbot.waitSignal(s.runningChanged, timeout=5000) as blocker:
            s.play()
        assert blocker.args == [True]
        qtbot.waitUntil(lambda: s.last_view is not None and s.last_view.snapshot.step >= 100,
                        timeout=20000)
        with qtbot.waitSignal(s.runningChanged, timeout=5000) as blocker:
            s.pause()
        assert blocker.args == [False]
        steps = s.call(attrgetter("step_count")).result(timeout=5)
        assert steps >= 100
        # paused: a single step moves exactly one batch
        with qtbot.waitSignal(s.viewChanged, timeout=5000):
            s.step()
        qtbot.waitUntil(lambda: s.last_view.snapshot.step == steps + 1, timeout=5000)
        before = _trainer_id(s)
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            assert s.reset()
        qtbot.waitUntil(lambda: s.last_view.snapshot.step == 0, timeout=5000)
        assert _trainer_id(s) != before
        # the finished run is kept as a ghost for the training curves
        assert len(s.ghosts) == 1
    finally:
        s.shutdown()
    assert not s.worker.alive


def test_lr_change_keeps_trainer_structure_change_rebuilds(qtbot):
    with _started(qtbot) as s:
        first = _trainer_id(s)
        assert s.update(training={"lr": 0.5})
        assert _trainer_id(s) == first
        assert s.call(attrgetter("lr")).result(timeout=5) == 0.5
        assert s.update(network={"init": "he_normal"})
        assert _trainer_id(s) != first


def test_only_allowed_trainer_settings_are_sent_and_bad_values_never_leave(qtbot):
    with _started(qtbot) as s:
        with pytest.raises(ValueError, match="'momentum' cannot be changed between steps"):
            s.worker.set_option("momentum", 0.5)
        exp = s.experiment
        with qtbot.waitSignal(s.problem, timeout=5000) as blocker:
            assert not s.update(training={"lr": -1.0})  # no rebuild: the live trainer's lr
        assert blocker.args[0] == "The setting lr must lie in [0, 100], not -1.0."
        assert s.experiment is exp
        assert s.call(attrgetter("lr")).result(timeout=5) == exp.training.lr
        assert s.update(training={"batch_size": 25})
        assert s.call(attrgetter("batch_size")).result(timeout=5) == 25


def test_a_late_frame_of_the_old_trainer_is_never_paired_with_the_new_data_set(qtbot):
    """The relay thread may wrap a frame of the old trainer at any moment of ``apply``: it is
    either paired with its own (old) data set and settings, or dropped; never with the new."""
    from core.timeline import TimelineRows
    from gui.protocol import Frame

    s = Session(core.presets.get("circles-tanh").experiment)
    generations = []
    set_trainer, new_generation = s.worker.set_trainer, s.worker.new_generation

    def recording_set_trainer(generation, *args, **kwargs):
        generations.append(generation)
        set_trainer(generation, *args, **kwargs)

    s.worker.set_trainer = recording_set_trainer
    try:
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            assert s.start()
        old = s.last_view
        assert old.dataset is s.dataset and old.experiment is s.experiment
        seen = s.call(attrgetter("timeline.seen")).result(timeout=10)  # all sent already
        late = Frame(generation=generations[0], snapshot=old.snapshot,
                     timeline=TimelineRows(seen, seen, 1, {}), running=False,
                     steps_per_second=0.0)
        made = []

        def late_frame():  # what the relay thread would do with a late frame right now
            made.append(s._make_frame(late))

        def racing_new_generation():
            late_frame()
            generation = new_generation()
            late_frame()
            return generation

        def racing_set_trainer(*args, **kwargs):
            late_frame()
            recording_set_trainer(*args, **kwargs)
            late_frame()

        s.worker.new_generation, s.worker.set_trainer = racing_new_generation, racing_set_trainer
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            assert s.update(dataset={"seed": 7})  # a new data set (and a new trainer)
        assert s.dataset is not old.dataset and len(made) == 4
        late_frame()  # and plainly after the switch
        pairs = ["dropped" if v is None else
                 "own" if v.dataset is old.dataset and v.experiment is old.experiment else
                 "WRONG" for v in made]
        # before the switch a late frame may still be drawn with its own data; after it, never
        assert pairs[0] in ("own", "dropped") and pairs[1] in ("own", "dropped"), pairs
        assert pairs[2:] == ["dropped"] * 3, pairs
        assert s.last_view.dataset is s.dataset  # the new trainer's frames are drawn
    finally:
        s.shutdown()
    assert not s.worker.alive


def test_frames_show_the_trainers_whole_timeline_and_a_reopened_run_keeps_it(qtbot):
    import numpy as np

    from core.archive import capture

    with _started(qtbot) as s:
        for _ in range(3):
            with qtbot.waitSignal(s.viewChanged, timeout=10000):
                s.step_epoch()
        qtbot.waitUntil(lambda: s.last_view.snapshot.epoch == 3, timeout=10000)
        theirs = s.call(attrgetter("timeline")).result(timeout=10)
        tl = s.last_view.timeline
        np.testing.assert_array_equal(tl.step, [0, 25, 50, 75])  # the snapshot is the last row
        for name in ("grad_norm_w", "update_ratio", "z_percentiles", "a_percentiles"):
            np.testing.assert_array_equal(getattr(tl, name), getattr(theirs, name), name)
        assert (tl.update_ratio[1:] > 0).all() and np.isfinite(tl.a_percentiles).all()
        saved = s.worker.call(functools.partial(capture, s.experiment)).result(timeout=10)
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            assert s.reset()
        qtbot.waitUntil(lambda: s.last_view.snapshot.step == 0, timeout=5000)
        np.testing.assert_array_equal(s.last_view.timeline.step, [0])  # a new run: afresh
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            assert s.restore(saved)
        qtbot.waitUntil(lambda: s.last_view.snapshot.step == 75, timeout=5000)
        np.testing.assert_array_equal(s.last_view.timeline.z_percentiles, tl.z_percentiles)
        s.step(5)  # on from there: the snapshot is the newest point, not stored
        qtbot.waitUntil(lambda: s.last_view.snapshot.step == 80, timeout=5000)
        np.testing.assert_array_equal(s.last_view.timeline.step, [0, 25, 50, 75, 80])


def test_bad_settings_leave_session_untouched(qtbot):
    with _started(qtbot) as s:
        exp, tid = s.experiment, _trainer_id(s)
        with qtbot.waitSignal(s.problem, timeout=5000) as blocker:
            assert not s.update(dataset={"name": "no-such-dataset"})
        assert "no-such-dataset" in blocker.args[0]
        assert s.experiment is exp
        assert _trainer_id(s) == tid


def test_divergence_pauses_with_message_and_reset_recovers(qtbot):
    from core.experiment import LayerConfig

    with _started(qtbot) as s:
        # a learning rate of 50 on a sigmoid network with a linear output and squared error
        assert s.update(network={"hidden": (LayerConfig(8, "sigmoid"),),
                                 "output_activation": "identity"},
                        training={"lr": 50.0, "optimizer": "sgd", "loss": "mse",
                                  "batch_size": 40})
        with qtbot.waitSignal(s.problem, timeout=30000) as blocker:
            s.play()
        message = blocker.args[0]
        assert "step" in message and "layer" in message.lower()
        qtbot.waitUntil(lambda: not s.running, timeout=5000)
        flat = s.call(attrgetter("net.flat")).result(timeout=5)
        import numpy as np

        assert np.isfinite(flat).all()
        qtbot.waitUntil(lambda: s.last_view is not None, timeout=5000)
        for layer in s.last_view.snapshot.layers:
            assert np.isfinite(layer.z_sample).all()
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            assert s.reset()


def test_rapid_start_stop_reset_200_cycles_no_leak(qtbot):
    threads_before = threading.active_count()
    s = Session(core.presets.get("circles-tanh").experiment)
    rnd = random.Random(0)
    try:
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            s.start()
        for i in range(200):
            action = rnd.choice(["play", "pause", "reset", "step", "lr", "batch", "epoch"])
            if action == "play":
                s.play()
            elif action == "pause":
                s.pause()
            elif action == "reset":
                s.reset()
            elif action == "step":
                s.step(rnd.randint(1, 5))
            elif action == "epoch":
                s.step_epoch()
            elif action == "lr":
                s.update(training={"lr": rnd.choice([0.01, 0.03, 0.1])})
            else:
                s.update(training={"batch_size": rnd.choice([1, 10, 50])})
            if i % 20 == 0:
                assert s.call(id).result(timeout=10)
        s.pause()
        # the worker still answers, and every command was taken
        assert s.call(attrgetter("step_count")).result(timeout=10) >= 0
    finally:
        s.shutdown()
    assert not s.worker.alive
    assert threading.active_count() <= threads_before


def test_no_training_process_outlives_its_session(qtbot):
    import multiprocessing

    s = Session(core.presets.get("circles-tanh").experiment)
    with qtbot.waitSignal(s.viewChanged, timeout=10000):
        s.start()
    process = s.worker._process
    assert process.is_alive() and process in multiprocessing.active_children()
    s.shutdown()
    assert not process.is_alive()
    assert process not in multiprocessing.active_children()
    # commands after shutdown are dropped quietly; a call fails its Future
    s.play()
    s.worker.frame_drawn()
    with pytest.raises(Exception, match="stopped"):
        s.call(id).result(timeout=5)


def test_a_killed_training_process_is_reported_and_reset_recovers(qtbot):
    with _started(qtbot) as s:
        s.play()
        qtbot.waitUntil(lambda: s.running, timeout=10000)
        with qtbot.waitSignal(s.problem, timeout=10000) as blocker:
            s.worker._process.kill()
        assert "ended unexpectedly" in blocker.args[0] and "Reset" in blocker.args[0]
        qtbot.waitUntil(lambda: not s.running, timeout=5000)
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            assert s.reset()
        qtbot.waitUntil(lambda: s.last_view.snapshot.step == 0, timeout=5000)
        s.step(3)
        qtbot.waitUntil(lambda: s.last_view.snapshot.step == 3, timeout=10000)


def test_a_bug_in_the_training_process_is_reported_and_the_process_goes_on(qtbot):
    from gui.worker import WorkerError

    with _started(qtbot) as s:
        # a failing call comes back as the Future's exception, with the reason
        with pytest.raises(WorkerError, match="ZeroDivisionError"):
            s.call(_divide_by_zero).result(timeout=10)
        # and an unpicklable function never leaves this process
        with pytest.raises(WorkerError, match="could not reach"):
            s.call(lambda t: t).result(timeout=10)
        assert s.call(attrgetter("step_count")).result(timeout=10) == 0


def _divide_by_zero(trainer):
    return 1 / 0


def test_big_trainers_and_frames_both_ways_never_deadlock(qtbot):
    """Multi-megabyte trainers go out while multi-megabyte frames come back: neither side may
    wait on the other (a full pipe once hung the GUI thread and the training process both)."""
    with _started(qtbot, "digits-relu", timeout=20000) as s:
        s.play()
        for i in range(12):
            assert s.update(network={"seed": i + 1})  # a new 7 MB trainer each time
            s.play()
            QApplication.processEvents()  # frames arrive in between
        s.pause()
        assert s.call(attrgetter("step_count")).result(timeout=30) >= 0
        qtbot.waitUntil(lambda: not s.running, timeout=10000)


def test_the_frame_pipe_holds_a_whole_frame_on_linux():
    import sys

    from gui.worker import _widen_pipe

    a, b = multiprocessing.Pipe(duplex=False)
    try:
        _widen_pipe(a)
        if sys.platform.startswith("linux"):
            import fcntl

            assert fcntl.fcntl(a.fileno(), fcntl.F_GETPIPE_SZ) >= 1 << 20
    finally:
        a.close()
        b.close()


def test_a_training_process_that_cannot_start_is_reported(qtbot, monkeypatch):
    from gui import worker as worker_module
    from gui.worker import WorkerError

    class Broken:
        def Pipe(self, duplex):  # noqa: N802 (multiprocessing's name)
            return multiprocessing.Pipe(duplex=duplex)

        def Process(self, **kwargs):  # noqa: N802
            class P:
                def start(self):
                    raise OSError("no more processes")

                def is_alive(self):
                    return False

            return P()

    monkeypatch.setattr(worker_module, "_context", Broken)
    s = Session(core.presets.get("circles-tanh").experiment)
    try:
        with qtbot.waitSignal(s.problem, timeout=10000) as blocker:
            s.start()
        assert "no more processes" in blocker.args[0]
        with pytest.raises(WorkerError):
            s.call(id).result(timeout=10)
    finally:
        s.shutdown()
    assert not s.worker.alive
