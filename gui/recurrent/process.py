"""The recurrent lab's training process: owns runs A and B, steps them and sends frames back.

A process, not a thread, for the reason ``gui.trainer_process`` gives: a training thread
shares Python's interpreter lock with the GUI thread, which then waits for it after nearly
every Qt call. The loop is the main trainer's, made smaller: block on the command pipe when
idle; while training, step A then B (so they stay at the same step) for a few milliseconds,
then look at the pipe; publish a frame every ``FRAME_INTERVAL`` at most (and no sooner than
twice the time the last frame took to compute), and only while a frame credit is left
(``CREDITS`` frames may be unanswered; the dock returns a credit with ``Drawn`` when it has
drawn or dropped one), so frames never queue up anywhere.

A run that diverges (``core.TrainingDiverged``) stops alone, keeping the weights from before
that step, and is reported with its step and part; the other run goes on.
"""

from __future__ import annotations

import os
import signal
import time
import traceback

import numpy as np

import core

from .messages import (
    Configure,
    Diverged,
    Drawn,
    Epoch,
    Error,
    Finished,
    Frame,
    Pause,
    Play,
    Quit,
    Refused,
    RunningChanged,
    SetEpochs,
    Show,
)
from .setup import RUNS, LabSetup, divergence_sentence
from .views import LabFrame, run_view

__all__ = ["serve"]

CHUNK_SECONDS = 0.004
FRAME_INTERVAL = 1.0 / 20.0
CREDITS = 2


class _Loop:
    def __init__(self, commands, events) -> None:
        self.commands, self.events = commands, events
        self.setup: LabSetup | None = None
        self.trainers: dict = {}
        self.generation = 0
        self.running = False
        self.credits = CREDITS
        self.pending = False
        self.show: tuple[int, np.ndarray | None] = (0, None)
        self.stopped: dict[str, str] = {}  # run → why it stopped (divergence)
        self.views: dict = {}  # run → its RunView, while it has not changed

    def run(self) -> None:
        last_frame, interval = 0.0, FRAME_INTERVAL
        while True:
            publish = False
            while not self.running or self.commands.poll():
                cmd = self.commands.recv()  # EOFError when the dock is gone: we end too
                if isinstance(cmd, Quit):
                    return
                publish |= self.apply(cmd)
                if not self.running and publish:
                    break
            if self.running:
                t0 = time.perf_counter()
                while time.perf_counter() - t0 < CHUNK_SECONDS:
                    active = self._active()
                    if not active:  # every run at the limit, or stopped by a divergence
                        self._set_running(False)
                        self._finished()
                        publish = True
                        break
                    for key in active:
                        self._step(key)
                if time.perf_counter() - last_frame >= interval:
                    publish = True
            if publish and self.trainers and self.credits > 0:
                self.credits -= 1
                t0 = time.perf_counter()
                frame = self._frame()
                last_frame = time.perf_counter()
                # a frame's probe costs about a training step: long sequences of many units
                # get fewer frames, so that drawing takes at most a third of the time
                interval = max(FRAME_INTERVAL, 2.0 * (last_frame - t0))
                self.events.send(Frame(frame))
            elif publish:
                self.pending = True

    # --- commands ------------------------------------------------------------------------
    def apply(self, cmd) -> bool:
        """Carry out one command; True when a new frame should be published."""
        match cmd:
            case Drawn():
                self.credits = min(self.credits + 1, CREDITS)
                pending, self.pending = self.pending, False
                return pending
            case Configure(generation=generation, setup=data):
                try:
                    setup = LabSetup.from_dict(data)
                    task = setup.build_task()
                    trainers = {key: setup.build_trainer(key, task) for key in RUNS}
                except (ValueError, KeyError) as e:
                    self.events.send(Refused(generation, str(e)))
                    return False
                self._set_running(False)
                self.setup, self.trainers, self.generation = setup, trainers, generation
                self.stopped, self.views = {}, {}
                if self.show[1] is not None and task.n_inputs != 1:
                    self.show = (0, None)
                return True
            case Play():
                if self._active():
                    self._set_running(True)
                else:
                    self._finished()
                return False
            case Pause():
                self._set_running(False)
                return True
            case Epoch():
                for key in self._active():
                    start = self.trainers[key].epoch
                    while key not in self.stopped and self.trainers[key].epoch == start:
                        self._step(key)
                return True
            case SetEpochs(epochs=epochs):
                if self.setup is None:
                    return False
                try:
                    self.setup = self.setup.replace(epochs=epochs)
                except ValueError:
                    return False  # the dock checked it: only a bug gets here
                self.views = {}
                if self.running and not self._active():
                    self._set_running(False)
                    self._finished()
                return True
            case Show(index=index, typed=typed):
                self.show = (int(index), None if typed is None else np.asarray(typed, float))
                self.views = {}
                return True
            case _:
                raise TypeError(f"the recurrent lab's process got an unknown command {cmd!r}")

    # --- training ------------------------------------------------------------------------
    def _active(self) -> list[str]:
        limit = self.setup.epochs if self.setup is not None else 0
        return [key for key, tr in self.trainers.items()
                if key not in self.stopped and tr.epoch < limit]

    def _step(self, key: str) -> None:
        self.views.pop(key, None)
        try:
            self.trainers[key].step()
        except core.TrainingDiverged as e:
            part = getattr(e, "part", e.layer_name)
            self.stopped[key] = divergence_sentence(self.setup, key, e.step, part)
            self.events.send(Diverged(self.generation, key, e.step, part, str(e)))

    def _finished(self) -> None:
        """Say so when a run stands at the epoch limit (not when divergences stopped both)."""
        if any(key not in self.stopped for key in self.trainers):
            self.events.send(Finished(self.generation))

    def _frame(self) -> LabFrame:
        index, typed = self.show
        for key, tr in self.trainers.items():
            if key not in self.views:
                self.views[key] = run_view(tr, key, self.setup.epochs, index, typed,
                                           self.stopped.get(key, ""))
        runs = tuple(self.views[key] for key in self.trainers)
        return LabFrame(self.generation, runs, self.running, os.getpid(), self.setup.describe())

    def _set_running(self, running: bool) -> None:
        if running != self.running:
            self.running = running
            self.events.send(RunningChanged(running))


def serve(commands, events) -> None:
    """The process's main function: run the loop until ``Quit`` or until the dock goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the window
    loop = _Loop(commands, events)
    while True:
        try:
            loop.run()
            return
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
            return  # the window's process has gone
        except Exception:  # a bug: report it, pause, and keep serving commands
            loop.running = False
            try:
                events.send(Error(traceback.format_exc()))
                events.send(RunningChanged(False))
            except OSError:
                return
