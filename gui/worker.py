"""The training thread: it owns the trainer, runs steps and publishes the latest frame.

Why a plain Python thread with a command queue, not a QObject event loop: the loop must keep
stepping while also taking commands (pause, lr change, reset) between any two steps, and the
GUI must never wait for it. Frames are published "latest wins": a new frame replaces one the
GUI has not drawn yet, so there is never a backlog.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Signal

import core

__all__ = ["TrainingWorker"]

#: how long the worker steps between looks at its command queue
_CHUNK_SECONDS = 0.012
#: at most this many frames a second (the display rate the panels need)
_FRAME_INTERVAL = 1.0 / 30.0


class TrainingWorker(QObject):
    """Runs ``core.Trainer.step`` off the GUI thread.

    Signals are emitted from the worker thread; receivers in the GUI thread get them queued.
    ``frameReady`` carries nothing: the receiver calls :meth:`take_frame` for the newest frame.
    """

    frameReady = Signal()
    runningChanged = Signal(bool)
    diverged = Signal(str)
    finished = Signal()  # the epoch limit was reached

    def __init__(self, make_frame: Callable[[Any, bool, float], Any]) -> None:
        super().__init__()
        self._make_frame = make_frame
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._frame: Any = None
        self._trainer: Any = None
        self._running = False
        self._epoch_limit: int | None = None
        # Back-pressure: a new frame is made only once the GUI has drawn the last one, so the
        # trainer never spends time on frames nobody will see and the GUI never falls behind.
        self._drawn = threading.Event()
        self._drawn.set()
        self._thread = threading.Thread(target=self._loop, name="trainer", daemon=True)
        self._thread.start()

    # --- called from the GUI thread --------------------------------------------------
    def set_trainer(self, trainer: Any, epoch_limit: int | None = None) -> None:
        self._send("set_trainer", trainer, epoch_limit)

    def play(self) -> None:
        self._send("play")

    def pause(self) -> None:
        self._send("pause")

    def step(self, batches: int = 1) -> None:
        self._send("step", batches)

    def step_epoch(self) -> None:
        self._send("epoch")

    def set_lr(self, lr: float) -> None:
        self._send("set", "lr", lr)

    def set_batch_size(self, n: int) -> None:
        self._send("set", "batch_size", n)

    def set_epoch_limit(self, limit: int | None) -> None:
        self._send("limit", limit)

    def refresh(self) -> None:
        """Publish a new frame now (e.g. after a view option changed)."""
        self._send("refresh")

    def call(self, fn: Callable[[Any], Any]) -> Future:
        """Run ``fn(trainer)`` in the worker thread between two steps; returns a Future."""
        fut: Future = Future()
        self._send("call", fn, fut)
        return fut

    def frame_drawn(self) -> None:
        """The GUI has drawn the last frame: the next one may be made."""
        self._drawn.set()

    def take_frame(self) -> Any:
        with self._lock:
            frame, self._frame = self._frame, None
        return frame

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread (idempotent). Joins it so no thread outlives the window."""
        if self._thread.is_alive():
            self._send("quit")
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _send(self, *cmd: Any) -> None:
        self._commands.put(cmd)

    # --- the worker thread -----------------------------------------------------------
    def _loop(self) -> None:
        last_frame = 0.0
        steps_done, rate_t0, rate = 0, time.perf_counter(), 0.0
        while True:
            try:
                cmd = self._commands.get(block=not self._running, timeout=None)
            except queue.Empty:
                cmd = None
            publish = False
            while cmd is not None:
                if cmd[0] == "quit":
                    return
                publish |= self._apply(cmd)
                try:
                    cmd = self._commands.get_nowait()
                except queue.Empty:
                    cmd = None
            if self._running and self._trainer is not None:
                t0 = time.perf_counter()
                try:
                    while time.perf_counter() - t0 < _CHUNK_SECONDS:
                        self._trainer.step()
                        steps_done += 1
                        if self._limit_reached():
                            self._set_running(False)
                            self.finished.emit()
                            publish = True
                            break
                except core.TrainingDiverged as e:
                    self._set_running(False)
                    self.diverged.emit(str(e))
                    publish = True
                now = time.perf_counter()
                if now - rate_t0 >= 0.5:
                    rate = steps_done / (now - rate_t0)
                    steps_done, rate_t0 = 0, now
                if now - last_frame >= _FRAME_INTERVAL and self._drawn.is_set():
                    publish = True
            if not self._running:
                rate = 0.0
            if publish and self._trainer is not None:
                self._publish(rate)
                last_frame = time.perf_counter()

    def _apply(self, cmd: tuple) -> bool:
        """Carry out one command; True when a new frame should be published."""
        kind = cmd[0]
        tr = self._trainer
        try:
            if kind == "set_trainer":
                self._trainer, self._epoch_limit = cmd[1], cmd[2]
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
                self._epoch_limit = cmd[1]
                return False
            if kind == "refresh":
                return True
            if kind == "call":
                fn, fut = cmd[1], cmd[2]
                if fut.set_running_or_notify_cancel():
                    try:
                        fut.set_result(fn(tr))
                    except Exception as e:  # handed back to the caller, who reports it
                        fut.set_exception(e)
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
            self._set_running(False)
            self.diverged.emit(str(e))
            return True
        return False

    def _limit_reached(self) -> bool:
        return (
            self._epoch_limit is not None
            and self._trainer is not None
            and self._trainer.epoch >= self._epoch_limit
        )

    def _set_running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self.runningChanged.emit(running)

    def _publish(self, rate: float) -> None:
        self._drawn.clear()
        frame = self._make_frame(self._trainer, self._running, rate)
        with self._lock:
            had = self._frame is not None
            self._frame = frame
        if not had:  # the GUI has not taken the previous one yet: it will find this one
            self.frameReady.emit()
