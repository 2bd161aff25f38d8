"""The training process: owns the trainer, runs steps and sends snapshots back (no Qt here).

Why a process and not a thread: the GUI thread and a training thread share one interpreter
lock. PySide6 releases that lock in most Qt calls, and every time the GUI thread wants it back
it waits up to the switch interval (5 ms) while the trainer holds it; a frame of several
hundred Qt calls then took 0.2–0.5 s and the window drew 2–5 frames a second (measured with
``benchmarks/bench_gui.py``). In its own process the trainer has a core of its own and the GUI
thread never waits for it.

The protocol (``gui.protocol``) is two one-way pipes of small frozen records: commands such as
``SetTrainer``, ``Play``, ``Step`` or ``SetOption`` come in, events such as ``Frame``,
``RunningChanged`` or ``Result`` go out; :meth:`_Loop.apply` dispatches on the command's type.
The trainer records its timeline itself (a row per epoch); a ``Frame`` carries the rows new
since the previous frame of that trainer, all of them in a new trainer's first frame.

Back-pressure: at most ``CREDITS`` frames are on their way or waiting to be drawn; each
``Drawn`` from the GUI (sent for a drawn frame and for one it skipped) returns one. So the
trainer never spends time on frames nobody will see and the GUI never falls behind, while the
next frame is already being made as the GUI draws this one (one frame at a time would leave
both sides waiting for each other half of the time).

Pace: at a set pace (``SetPace``) Play trains the steps a :class:`Pacer` says are owed — the
pace times the time since Play, on this process's clock, less the steps taken, capped at
``CATCH_UP_SECONDS`` of them — and between steps waits for a command (``poll`` with a
timeout), so it neither spins nor sleeps past one. Frames still go out as often as before
whenever a step has been taken since the last one (at most 30 a second).
"""

from __future__ import annotations

import math
import signal
import time
import traceback
from collections.abc import Callable

import core
from core.diagnostics import decision_grid

from .protocol import (
    Call,
    Diverged,
    Drawn,
    Epoch,
    Error,
    Finished,
    Frame,
    Pause,
    Play,
    Quit,
    Refresh,
    Result,
    RunningChanged,
    SetEpochLimit,
    SetOption,
    SetPace,
    SetTrainer,
    Step,
    check_option,
    check_pace,
)

__all__ = ["Pacer", "serve"]

#: how long the trainer steps between looks at its command pipe (a look costs ~2 µs)
CHUNK_SECONDS = 0.002
#: at most this many frames a second (the display rate the panels need)
FRAME_INTERVAL = 1.0 / 30.0
#: frames that may be unanswered at once (see the module note)
CREDITS = 2
#: at a set pace, at most this many seconds' worth of steps are owed at once: after a slow
#: frame or a long step training goes on at its pace instead of racing to catch up
CATCH_UP_SECONDS = 0.1
#: the steps-per-second figure covers at least this long, and at a slow pace this many steps
RATE_WINDOW, RATE_STEPS = 0.5, 4


#: a step owed but for rounding is owed (else a wait shorter than the clock can tell apart
#: would be asked for again and again)
_EPS = 1e-9


class Pacer:
    """The steps owed at ``pace`` steps a second on ``clock`` (seconds, any origin).

    Owed = pace × the time since :meth:`restart` − the steps taken, never more than
    ``CATCH_UP_SECONDS`` of them (and at least one step's worth may be owed): a deterministic
    schedule, so the average rate is the pace whatever the steps cost, and a slow frame never
    makes it race afterwards. One step is owed at once after a restart, so Play answers at
    once even at one step a second.
    """

    def __init__(self, pace: float, clock: Callable[[], float] = time.perf_counter) -> None:
        self.pace = pace
        self.clock = clock
        self.cap = max(1.0, pace * CATCH_UP_SECONDS)
        self.restart()

    def restart(self) -> None:
        """Start the schedule now (Play, or a new pace), with one step owed."""
        self._last = self.clock()
        self._credit = 1.0

    def owed(self) -> int:
        """Whole steps owed now."""
        now = self.clock()
        self._credit = min(self._credit + (now - self._last) * self.pace, self.cap)
        self._last = now
        return int(self._credit + _EPS)

    def took(self, steps: int) -> None:
        """``steps`` of the owed steps were taken."""
        self._credit -= steps

    def wait(self) -> float:
        """Seconds until the next step is owed (0: one is owed now)."""
        owed = self._credit + (self.clock() - self._last) * self.pace
        return 0.0 if owed + _EPS >= 1.0 else (1.0 - owed) / self.pace


class _Loop:
    def __init__(self, commands, events, clock: Callable[[], float] = time.perf_counter
                 ) -> None:
        self.commands, self.events = commands, events
        self.clock = clock
        self.pacer: Pacer | None = None  # None: as fast as possible
        self.trainer: core.Trainer | None = None
        self.generation = 0
        self.running = False
        self.epoch_limit: int | None = None
        self.credits = CREDITS
        self.pending = False  # a frame was asked for while no credit was left
        self.timeline_sent = 0  # rows of the trainer's timeline the GUI has had (see Frame)

    def run(self) -> None:
        clock = self.clock
        last_frame = -math.inf
        steps_done, rate_t0, rate = 0, clock(), 0.0
        fresh = False  # steps were taken since the last frame
        while True:
            publish = False
            # block for a command only when idle; while training, just look (at a set pace,
            # wait for one until the next step is owed or the next frame is due)
            while not self.running or self._look(fresh, last_frame):
                cmd = self.commands.recv()  # EOFError when the GUI is gone: we end too
                if isinstance(cmd, Quit):
                    return
                publish |= self.apply(cmd)
                if not self.running and publish:
                    break
            if self.running and self.trainer is not None:
                t0 = clock()
                pacer = self.pacer
                owed = math.inf if pacer is None else pacer.owed()
                taken = 0
                try:
                    while taken < owed and clock() - t0 < CHUNK_SECONDS:
                        self.trainer.step()
                        taken += 1
                        if self._limit_reached():
                            self._set_running(False)
                            self.events.send(Finished())
                            publish = True
                            break
                except core.TrainingDiverged as e:
                    self._diverged(e)
                    publish = True
                if pacer is not None:
                    pacer.took(taken)
                steps_done += taken
                fresh |= taken > 0
                now = clock()
                window = RATE_WINDOW if pacer is None else max(RATE_WINDOW,
                                                               RATE_STEPS / pacer.pace)
                if now - rate_t0 >= window:
                    rate = steps_done / (now - rate_t0)
                    steps_done, rate_t0 = 0, now
                if fresh and now + _EPS >= last_frame + FRAME_INTERVAL and self.credits > 0:
                    publish = True
            if not self.running:
                rate = 0.0
            if publish and self.trainer is not None and self.credits > 0:
                self.credits -= 1
                # frames are spaced from start to start: counting from the end would add the
                # snapshot's and the pipe's time to every interval (25 frames/s, not 30)
                last_frame = clock()
                fresh = False
                paced = self.pacer is not None and self.running
                # a paced run's first figure takes a few steps to measure: its pace till then
                self.events.send(self._frame(rate or (self.pacer.pace if paced else 0.0)))
            elif publish:
                self.pending = True

    def _look(self, fresh: bool, last_frame: float) -> bool:
        """Whether a command is waiting, while training. At full speed just look; at a set
        pace wait for one until the next step is owed, or until the next frame is due when
        steps were taken since the last one."""
        if self.pacer is None:
            return self.commands.poll()
        wait = self.pacer.wait()
        if fresh and self.credits > 0:
            wait = min(wait, max(0.0, last_frame + FRAME_INTERVAL - self.clock()))
        return self.commands.poll(wait) if wait > _EPS else self.commands.poll()

    def _frame(self, rate: float) -> Frame:
        tr = self.trainer
        snap = tr.snapshot(grid=decision_grid(tr.dataset))
        rows = tr.timeline.rows_since(self.timeline_sent)
        self.timeline_sent = rows.seen
        return Frame(self.generation, snap, rows, self.running, rate)

    def apply(self, cmd) -> bool:
        """Carry out one command; True when a new frame should be published."""
        tr = self.trainer
        try:
            match cmd:
                case Drawn():
                    self.credits = min(self.credits + 1, CREDITS)
                    pending, self.pending = self.pending, False
                    return pending
                case SetTrainer(generation=generation, trainer=trainer, epoch_limit=limit):
                    self.generation, self.trainer, self.epoch_limit = generation, trainer, limit
                    self.timeline_sent = 0  # its first frame carries its whole timeline
                    self._set_running(False)
                    return True
                case Play():
                    if tr is not None and not self._limit_reached():
                        if self.pacer is not None and not self.running:
                            self.pacer.restart()
                        self._set_running(True)
                    return False
                case SetPace(steps_per_second=pace):
                    pace = check_pace(pace)  # the pipe is the boundary (see SetOption)
                    self.pacer = None if pace is None else Pacer(pace, self.clock)
                    return False
                case Pause():
                    self._set_running(False)
                    return True
                case SetEpochLimit(limit=limit):
                    self.epoch_limit = limit
                    return False
                case Refresh():
                    return True
                case Call(call_id=call_id, fn=fn):
                    try:
                        self.events.send(Result(call_id, True, fn(tr)))
                    except Exception as e:  # handed back to the caller, who reports it
                        self.events.send(Result(call_id, False, _sentence(e)))
                    return False
                case SetOption(name=name, value=value):
                    # checked again here: the pipe is the boundary, whatever made the record
                    value = check_option(name, value)
                    if tr is not None:
                        setattr(tr, name, value)
                    return False
                case Step(batches=batches):
                    if tr is None:
                        return False
                    for _ in range(batches):
                        tr.step()
                    return True
                case Epoch():
                    if tr is None:
                        return False
                    start = tr.epoch
                    while tr.epoch == start:
                        tr.step()
                    return True
                case _:
                    raise TypeError(f"the training process got an unknown command {cmd!r}")
        except core.TrainingDiverged as e:
            self._diverged(e)
            return True

    def _diverged(self, e: Exception) -> None:
        self._set_running(False)
        self.events.send(Diverged(str(e)))

    def _limit_reached(self) -> bool:
        return (self.epoch_limit is not None and self.trainer is not None
                and self.trainer.epoch >= self.epoch_limit)

    def _set_running(self, running: bool) -> None:
        if running != self.running:
            self.running = running
            self.events.send(RunningChanged(running))


def _sentence(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return f"{type(e).__name__}: {text}"


def serve(commands, events) -> None:
    """The process's main function: run the loop until ``Quit`` or until the GUI goes away."""
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
                events.send(Error(traceback.format_exc()))
                events.send(RunningChanged(False))
            except OSError:
                return
