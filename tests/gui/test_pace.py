"""The pace of Play: the training process's schedule on its own clock (a fake one here, never
wall time), and the toolbar's choice, sent to the session and remembered in the settings."""

from __future__ import annotations

import pickle

import pytest
from PySide6.QtCore import QSettings

import core.presets
from gui import protocol
from gui.toolbar import DEFAULT_PACE, PACES, pace_from_setting, pace_setting
from gui.trainer_process import CATCH_UP_SECONDS, FRAME_INTERVAL, Pacer, _Loop


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TimedPipe:
    """The loop's two pipes on a fake clock: commands arrive at given times; waiting for one
    (``poll(timeout)``) moves the clock on; every frame sent is answered by ``Drawn`` at once
    (a GUI that draws in no time). Ends (EOF) after the last command."""

    def __init__(self, clock: FakeClock, timed: list[tuple[float, protocol.Command]]) -> None:
        self.clock = clock
        self.timed = sorted(((clock.now + t, i, pickle.dumps(c)) for i, (t, c) in
                             enumerate(timed)), key=lambda e: e[:2])
        self.ready: list[bytes] = []
        self.events: list = []

    def poll(self, timeout: float = 0.0) -> bool:
        if self.ready:
            return True
        if self.timed and self.timed[0][0] <= self.clock.now + timeout:
            self.clock.now = max(self.clock.now, self.timed[0][0])
            self.ready.append(self.timed.pop(0)[2])
            return True
        self.clock.now += timeout
        return False

    def recv(self):
        if not self.ready and not self.poll(float("inf") if self.timed else 0.0):
            raise EOFError
        return pickle.loads(self.ready.pop(0))

    def send(self, event) -> None:
        self.events.append((self.clock.now, event))
        if isinstance(event, protocol.Frame):
            self.ready.append(pickle.dumps(protocol.Drawn()))


def run_loop(clock: FakeClock, timed) -> tuple[core.Trainer, list]:
    trainer = core.presets.get("circles-tanh").experiment.build_trainer()
    pipe = TimedPipe(clock, [(0.0, protocol.SetTrainer(1, trainer)), *timed])
    loop = _Loop(pipe, pipe, clock)
    with pytest.raises(EOFError):
        loop.run()
    return loop.trainer, pipe.events


def frames(events) -> list[tuple[float, protocol.Frame]]:
    return [(t, e) for t, e in events if isinstance(e, protocol.Frame)]


@pytest.mark.parametrize("pace", [1, 5, 20, 50])
def test_at_a_set_pace_the_process_trains_the_pace_times_its_own_clock(pace):
    clock = FakeClock()
    seconds = 10.0
    trainer, events = run_loop(clock, [(0.0, protocol.SetPace(pace)), (0.0, protocol.Play()),
                                       (seconds, protocol.Pause())])
    # one step is owed at Play, then one every 1/pace seconds
    assert abs(trainer.step_count - (1 + pace * seconds)) <= 1
    shown = frames(events)
    # a frame for the new trainer, then one after each step or group of steps, ≤ 30 a second
    running = [(t, f) for t, f in shown if f.running]
    assert len(running) >= min(pace, 1 / FRAME_INTERVAL) * seconds * 0.9
    gaps = [b[0] - a[0] for a, b in zip(running, running[1:])]
    assert min(gaps) >= FRAME_INTERVAL - 1e-9
    assert [f.snapshot.step for _, f in running] == sorted(f.snapshot.step for _, f in running)
    assert running[-1][1].steps_per_second == pytest.approx(pace, rel=0.1)


def test_as_fast_as_possible_is_not_paced_and_step_and_epoch_work_while_paused():
    clock = FakeClock()
    trainer, events = run_loop(clock, [(0.0, protocol.SetPace(1)), (0.0, protocol.Step(7)),
                                       (0.0, protocol.Epoch())])
    assert trainer.step_count == 25  # 7 steps, then to the end of the 25-step epoch
    assert clock.now == 1000.0  # no waiting: Step and Epoch are never paced
    assert [f.snapshot.step for _, f in frames(events)] == [0, 7, 25]

    pacer = Pacer(20, FakeClock())
    assert pacer.owed() == 1
    with pytest.raises(ValueError):
        protocol.SetPace(0)
    for bad in (True, -1, float("nan"), float("inf"), 2e6, "50"):
        with pytest.raises(ValueError):
            protocol.SetPace(bad)
    assert protocol.SetPace(None).steps_per_second is None


def test_a_slow_frame_never_makes_training_race_afterwards():
    clock = FakeClock()
    pacer = Pacer(50, clock)
    taken = 0

    def second():  # one second of the schedule, in steps of 1 ms
        nonlocal taken
        for _ in range(1000):
            clock.now += 0.001
            n = pacer.owed()
            pacer.took(n)
            taken += n

    second()
    before = taken
    clock.now += 5.0  # a frame (or a step) that took five seconds
    catch_up = pacer.owed()
    assert catch_up <= 50 * CATCH_UP_SECONDS  # not the 250 steps five seconds would owe
    pacer.took(catch_up)
    taken += catch_up
    after = taken
    second()
    assert abs((taken - after) - 50) <= 1  # then back at its pace, not faster
    assert abs((after - before) - 50 * CATCH_UP_SECONDS) <= 1
    assert pacer.wait() > 0 and pacer.owed() == 0


def test_pace_settings_round_trip_and_bad_values_fall_back_to_the_default():
    for pace, _ in PACES:
        assert pace_from_setting(pace_setting(pace)) == pace
    for bad in ("", "fast", "3", "-1", None, "1e9"):
        assert pace_from_setting(bad) == DEFAULT_PACE


def test_the_toolbar_choice_is_sent_and_remembered(make_lab, tmp_path, monkeypatch):
    settings = QSettings(str(tmp_path / "lab.ini"), QSettings.Format.IniFormat)
    lab = make_lab(settings=settings)
    bar, session = lab.window.transport, lab.session
    assert bar.current_pace() is None and session.pace is None  # tests: full speed
    sent = []
    real = session.worker.set_pace
    monkeypatch.setattr(session.worker, "set_pace", lambda p: (sent.append(p), real(p)))
    lab.window.restore_settings()  # nothing saved yet: the default pace
    assert bar.current_pace() == DEFAULT_PACE == session.pace and sent == [DEFAULT_PACE]
    bar.pace.setCurrentIndex(1)  # what the student picks
    assert sent[-1] == 5 == session.pace
    bar.pace.setCurrentIndex(len(PACES) - 1)
    assert sent[-1] is None and session.pace is None
    bar.pace.setCurrentIndex(2)
    lab.window.save_settings()
    settings.sync()

    again = make_lab(settings=QSettings(str(tmp_path / "lab.ini"),
                                        QSettings.Format.IniFormat), start=False)
    again.window.restore_settings()
    assert again.window.transport.current_pace() == 20 == again.session.pace
