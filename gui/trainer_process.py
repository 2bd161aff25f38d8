"""The training process: owns the trainer, runs steps and sends snapshots back (no Qt here).

Why a process and not a thread: the GUI thread and a training thread share one interpreter
lock. PySide6 releases that lock in most Qt calls, and every time the GUI thread wants it back
it waits up to the switch interval (5 ms) while the trainer holds it; a frame of several
hundred Qt calls then took 0.2–0.5 s and the window drew 2–5 frames a second (measured with
``benchmarks/bench_gui.py``). In its own process the trainer has a core of its own and the GUI
thread never waits for it.

The protocol is two one-way pipes of pickled tuples. Commands (GUI → trainer)::

    ("set_trainer", generation, trainer, epoch_limit)   ("play",)  ("pause",)
    ("step", n)  ("epoch",)  ("set", attribute, value)  ("limit", n | None)
    ("refresh",)  ("drawn",)  ("call", call_id, fn)  ("quit",)

Events (trainer → GUI)::

    ("frame", generation, snapshot, running, steps_per_second)
    ("running", bool)  ("diverged", message)  ("finished",)
    ("result", call_id, ok, value_or_message)  ("error", traceback_text)

Back-pressure: at most ``CREDITS`` frames are on their way or waiting to be drawn; each
``("drawn",)`` from the GUI (sent for a drawn frame and for one it skipped) returns one. So the
trainer never spends time on frames nobody will see and the GUI never falls behind, while the
next frame is already being made as the GUI draws this one (one frame at a time would leave
both sides waiting for each other half of the time).
"""

from __future__ import annotations

import signal
import time
import traceback
from typing import Any

import core

__all__ = ["serve", "snapshot_grid"]

#: how long the trainer steps between looks at its command pipe (a look costs ~2 µs)
CHUNK_SECONDS = 0.002
#: at most this many frames a second (the display rate the panels need)
FRAME_INTERVAL = 1.0 / 30.0
#: frames that may be unanswered at once (see the module note)
CREDITS = 2
#: the decision-boundary grid for 2-input data (cells per side)
GRID = 60


def snapshot_grid(trainer: Any) -> int:
    """Grid resolution for the output map: only 2-input data has an input plane to draw."""
    raw = trainer.dataset.raw_train
    return GRID if raw is not None and raw.shape[1] == 2 else 0


class _Loop:
    def __init__(self, commands, events) -> None:
        self.commands, self.events = commands, events
        self.trainer: Any = None
        self.generation = 0
        self.running = False
        self.epoch_limit: int | None = None
        self.credits = CREDITS
        self.pending = False  # a frame was asked for while no credit was left

    def run(self) -> None:
        last_frame = 0.0
        steps_done, rate_t0, rate = 0, time.perf_counter(), 0.0
        while True:
            publish = False
            # block for a command only when idle; while training, just look
            while not self.running or self.commands.poll():
                cmd = self.commands.recv()  # EOFError when the GUI is gone: we end too
                if cmd[0] == "quit":
                    return
                publish |= self._apply(cmd)
                if not self.running and publish:
                    break
            if self.running and self.trainer is not None:
                t0 = time.perf_counter()
                try:
                    while time.perf_counter() - t0 < CHUNK_SECONDS:
                        self.trainer.step()
                        steps_done += 1
                        if self._limit_reached():
                            self._set_running(False)
                            self.events.send(("finished",))
                            publish = True
                            break
                except core.TrainingDiverged as e:
                    self._diverged(e)
                    publish = True
                now = time.perf_counter()
                if now - rate_t0 >= 0.5:
                    rate = steps_done / (now - rate_t0)
                    steps_done, rate_t0 = 0, now
                if now - last_frame >= FRAME_INTERVAL and self.credits > 0:
                    publish = True
            if not self.running:
                rate = 0.0
            if publish and self.trainer is not None and self.credits > 0:
                self.credits -= 1
                # frames are spaced from start to start: counting from the end would add the
                # snapshot's and the pipe's time to every interval (25 frames/s, not 30)
                last_frame = time.perf_counter()
                snap = self.trainer.snapshot(grid=snapshot_grid(self.trainer))
                self.events.send(("frame", self.generation, snap, self.running, rate))
            elif publish:
                self.pending = True

    def _apply(self, cmd: tuple) -> bool:
        """Carry out one command; True when a new frame should be published."""
        kind, tr = cmd[0], self.trainer
        try:
            if kind == "drawn":
                self.credits = min(self.credits + 1, CREDITS)
                pending, self.pending = self.pending, False
                return pending
            if kind == "set_trainer":
                self.generation, self.trainer, self.epoch_limit = cmd[1], cmd[2], cmd[3]
                self._set_running(False)
                return True
            if kind == "play":
                if tr is not None and not self._limit_reached():
                    self._set_running(True)
                return False
            if kind == "pause":
                self._set_running(False)
                return True
            if kind == "limit":
                self.epoch_limit = cmd[1]
                return False
            if kind == "refresh":
                return True
            if kind == "call":
                call_id, fn = cmd[1], cmd[2]
                try:
                    self.events.send(("result", call_id, True, fn(tr)))
                except Exception as e:  # handed back to the caller, who reports it
                    self.events.send(("result", call_id, False, _sentence(e)))
                return False
            if tr is None:
                return False
            if kind == "set":
                setattr(tr, cmd[1], cmd[2])
                return False
            if kind == "step":
                for _ in range(cmd[1]):
                    tr.step()
                return True
            if kind == "epoch":
                start = tr.epoch
                while tr.epoch == start:
                    tr.step()
                return True
        except core.TrainingDiverged as e:
            self._diverged(e)
            return True
        return False

    def _diverged(self, e: Exception) -> None:
        self._set_running(False)
        self.events.send(("diverged", str(e)))

    def _limit_reached(self) -> bool:
        return (self.epoch_limit is not None and self.trainer is not None
                and self.trainer.epoch >= self.epoch_limit)

    def _set_running(self, running: bool) -> None:
        if running != self.running:
            self.running = running
            self.events.send(("running", running))


def _sentence(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return f"{type(e).__name__}: {text}"


def serve(commands, events) -> None:
    """The process's main function: run the loop until "quit" or until the GUI goes away."""
    # Ctrl+C in the terminal is for the window, which then ends this process cleanly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    loop = _Loop(commands, events)
    while True:
        try:
            loop.run()
            return
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
            return  # the GUI process has gone: nothing left to train for
        except Exception:  # a bug: report it, pause, and keep serving commands
            loop.running = False
            try:
                events.send(("error", traceback.format_exc()))
                events.send(("running", False))
            except OSError:
                return
