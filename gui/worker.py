"""The GUI's handle on the training process: commands out, frames and events back.

The trainer itself runs in another process (``gui.trainer_process``, which explains why). Here
a small relay thread waits on the event pipe, turns each event (a ``gui.protocol`` record) into
a Qt signal (queued to the GUI thread by the receivers' connections) and keeps only the newest
frame: "latest wins", so there is never a backlog. Commands are ``gui.protocol`` records too,
made (and so checked) in the caller's thread. Nothing here ever waits for the trainer on the
GUI thread, except ``Future.result`` in code that asks for it (saving a file).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.reduction import ForkingPickler
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from . import protocol, trainer_process

if TYPE_CHECKING:
    import core

__all__ = ["TrainingWorker", "WorkerError"]

_log = logging.getLogger("activation_lab")


class WorkerError(RuntimeError):
    """A call into the training process failed (the message says how)."""


def _context():
    """Fork from a clean helper process where the OS allows it: each new worker then starts in
    milliseconds with NumPy and the core already imported. A plain fork of this process is
    never safe (Qt's threads); Windows has only "spawn" (a fresh interpreter per worker)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["core", "gui.trainer_process"])
        return ctx
    return multiprocessing.get_context("spawn")


def _widen_pipe(conn, size: int = 1 << 20) -> None:
    """Give the frame pipe room for a whole frame (Linux; elsewhere a no-op).

    A frame is ~0.6 MB (2-8-8-1) to ~2 MB (digits). Through the default 64 KiB pipe it went in
    ten pieces, and between pieces the training process waited for the relay thread, which
    itself waited for the interpreter lock while the GUI thread drew: the trainer lost about
    half its speed to frames it had already computed.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        return
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setpipe is None:
        return
    try:
        fcntl.fcntl(conn.fileno(), setpipe, size)
    except OSError:  # above /proc/sys/fs/pipe-max-size for this user: keep the default
        pass


class TrainingWorker(QObject):
    """Runs ``core.Trainer.step`` in a separate process.

    Signals are emitted from the relay thread; receivers in the GUI thread get them queued.
    ``frameReady`` carries nothing: the receiver calls :meth:`take_frame` for the newest frame.
    ``make_frame(frame)`` runs in the relay thread and wraps a ``protocol.Frame`` into what the
    panels draw (or returns None to drop a stale one).
    """

    frameReady = Signal()
    runningChanged = Signal(bool)
    diverged = Signal(str)
    failed = Signal(str)  # a bug in the training process (traceback text)
    finished = Signal()  # the epoch limit was reached

    def __init__(self, make_frame: Callable[[protocol.Frame], Any]) -> None:
        super().__init__()
        self._make_frame = make_frame
        self._lock = threading.Lock()  # guards _frame and _calls
        self._frame: Any = None
        self._ids = itertools.count(1)
        self._generations = itertools.count(1)
        self._stopping = False
        self._pace: float | None = None  # sent again to a process started after a death
        self._start_process()

    def _start_process(self) -> None:
        """Start the process, its sender and its relay thread, without waiting for any of them.

        Nothing here blocks the GUI thread: starting the process (the first one also starts
        the fork server, ~0.3 s) happens in the sender thread, and commands given meanwhile
        wait in the outbox. Commands are pickled by the caller and written by the sender, so a
        full pipe (a big trainer, or the process busy with a long step) never blocks the GUI;
        and the relay thread only ever reads, so the process can always get its frames out.
        """
        ctx = _context()
        cmd_read, cmd_write = ctx.Pipe(duplex=False)
        events, ev_write = ctx.Pipe(duplex=False)
        _widen_pipe(events)
        process = ctx.Process(target=trainer_process.serve, args=(cmd_read, ev_write),
                              name="activation-lab-trainer", daemon=True)
        outbox: queue.SimpleQueue = queue.SimpleQueue()
        started = threading.Event()
        calls: dict[int, Future] = {}  # this process's unanswered calls
        self._process, self._outbox, self._started = process, outbox, started
        self._calls = calls
        self._broken: str | None = None  # why the process could not start, if it could not
        # set by the relay thread when the process's pipe closes: sooner than is_alive() turns
        # False (with a fork server, the exit status arrives from the server a moment later)
        self._ended = ended = threading.Event()

        def send_loop() -> None:
            try:
                process.start()
            except Exception as e:  # no process: report it, and fail what waits for it
                why = f"could not start the training process: {e}"
                _log.error(why)
                with self._lock:  # (call() checks it under the same lock)
                    self._broken = why  # first: from now on calls fail at once
                started.set()
                self._fail_calls(calls, why)
                events.close()
                self.failed.emit(why)
                return
            finally:
                # the child holds its own copies of these ends; ours close so EOF can happen
                cmd_read.close()
                ev_write.close()
            started.set()
            relay.start()
            while (data := outbox.get()) is not None:
                try:
                    cmd_write.send_bytes(data)
                except OSError:  # the process has gone; the relay thread reports it
                    break
            cmd_write.close()

        relay = threading.Thread(target=self._relay_loop, args=(events, calls, ended),
                                 name="trainer-relay", daemon=True)
        self._relay = relay
        self._sender = threading.Thread(target=send_loop, name="trainer-sender", daemon=True)
        self._sender.start()

    # --- called from the GUI thread --------------------------------------------------
    def new_generation(self) -> int:
        """A number for the next trainer. Frames carry it, so frames of an earlier trainer still
        on their way can be told apart and dropped; take it before :meth:`set_trainer`."""
        return next(self._generations)

    def set_trainer(self, generation: int, trainer: core.Trainer,
                    epoch_limit: int | None = None) -> None:
        """Hand a new trainer (pickled: the process gets its own copy) to the process. If the
        process has died (killed from outside, out of memory), a new one is started first."""
        gone = self._ended.is_set() or not self._process.is_alive()
        if not self._stopping and self._started.is_set() and gone:
            self._outbox.put(None)
            self._start_process()
            if self._pace is not None:
                self._send(protocol.SetPace(self._pace))
        self._send(protocol.SetTrainer(generation, trainer, epoch_limit))

    def play(self) -> None:
        self._send(protocol.Play())

    def pause(self) -> None:
        self._send(protocol.Pause())

    def step(self, batches: int = 1) -> None:
        self._send(protocol.Step(batches))

    def step_epoch(self) -> None:
        self._send(protocol.Epoch())

    def send(self, *commands: protocol.Command) -> None:
        """Send commands made (and so checked) by the caller, in order."""
        for cmd in commands:
            self._send(cmd)

    def set_option(self, name: str, value: Any) -> None:
        """Change one trainer setting between two steps; ValueError (here, before anything is
        sent) for a name outside ``protocol.OPTIONS`` or a value out of its range."""
        self._send(protocol.SetOption(name, value))

    def set_lr(self, lr: float) -> None:
        self.set_option("lr", lr)

    def set_batch_size(self, n: int) -> None:
        self.set_option("batch_size", n)

    def set_pace(self, steps_per_second: float | None) -> None:
        """Play trains this many steps a second (None: as fast as it can); ValueError (before
        anything is sent) for a pace outside ``protocol.check_pace``."""
        cmd = protocol.SetPace(steps_per_second)
        self._pace = cmd.steps_per_second
        self._send(cmd)

    def set_epoch_limit(self, limit: int | None) -> None:
        self._send(protocol.SetEpochLimit(limit))

    def refresh(self) -> None:
        """Publish a new frame now (e.g. after a view option changed)."""
        self._send(protocol.Refresh())

    def call(self, fn: Callable[[Any], Any]) -> Future:
        """Run ``fn(trainer)`` in the training process between two steps; returns a Future.

        ``fn`` crosses a process boundary, so it must be picklable: a module-level function,
        a ``functools.partial`` of one, or ``operator.attrgetter(...)``; never a lambda.
        """
        fut: Future = Future()
        call_id = next(self._ids)
        with self._lock:
            broken = self._broken
            if not broken:
                self._calls[call_id] = fut
        if broken:
            fut.set_exception(WorkerError(broken))
            return fut
        try:
            self._send(protocol.Call(call_id, fn))
        except Exception as e:  # an unpicklable fn, or the process has gone
            with self._lock:
                self._calls.pop(call_id, None)
            fut.set_exception(WorkerError(f"could not reach the trainer: {e}"))
        return fut

    def frame_drawn(self) -> None:
        """The GUI has drawn the last frame: the next one may be made."""
        self._send(protocol.Drawn())

    def take_frame(self) -> Any:
        with self._lock:
            frame, self._frame = self._frame, None
        return frame

    def stop(self, timeout: float = 5.0) -> None:
        """End the process and the threads (idempotent); nothing outlives the window."""
        if not self._stopping:
            self._stopping = True
            self._outbox.put(ForkingPickler.dumps(protocol.Quit()))
            self._outbox.put(None)
        self._started.wait(timeout)
        if self._process.is_alive():
            self._process.join(timeout)
            if self._process.is_alive():  # stuck in a long step: it has nothing to save
                self._process.kill()
                self._process.join(timeout)
        self._sender.join(timeout)
        if self._relay.ident is not None:  # (never started when the process could not start)
            self._relay.join(timeout)
        self._fail_calls(self._calls, "the trainer has stopped")

    @property
    def alive(self) -> bool:
        return (self._process.is_alive() or self._relay.is_alive()
                or self._sender.is_alive())

    def _send(self, cmd: protocol.Command) -> None:
        """Queue one command for the sender thread (never blocks). After :meth:`stop` commands
        are dropped: a late click or timer must not raise; a ``Call`` then fails its Future.
        Pickling happens here, so an unpicklable ``Call`` fails in the caller."""
        if self._stopping:
            if isinstance(cmd, protocol.Call):
                raise OSError("the training process has been stopped")
            return
        self._outbox.put(bytes(ForkingPickler.dumps(cmd)))

    # --- the relay thread ------------------------------------------------------------
    def _relay_loop(self, events, calls: dict[int, Future], ended: threading.Event) -> None:
        while True:
            try:
                event = events.recv()
            except (EOFError, OSError):
                break  # the process has ended
            match event:
                case protocol.Frame():
                    self._on_frame(event)
                case protocol.RunningChanged(running=running):
                    self.runningChanged.emit(running)
                case protocol.Diverged(message=message):
                    self.diverged.emit(message)
                case protocol.Finished():
                    self.finished.emit()
                case protocol.Result(call_id=call_id, ok=ok, value=value):
                    with self._lock:
                        fut = calls.pop(call_id, None)
                    if fut is not None and fut.set_running_or_notify_cancel():
                        if ok:
                            fut.set_result(value)
                        else:
                            fut.set_exception(WorkerError(value))
                case protocol.Error(traceback_text=text):
                    # to the app's log (the crash reporter's rotating file) and the terminal
                    _log.error("training process:\n%s", text)
                    self.failed.emit(text)
                case _:  # a newer or broken process: say so, but keep relaying
                    _log.error("training process sent an unknown event %r", event)
        ended.set()
        events.close()
        self._fail_calls(calls, "the training process ended")
        if not self._stopping:
            self.runningChanged.emit(False)
            self.failed.emit("the training process ended unexpectedly")

    def _on_frame(self, event: protocol.Frame) -> None:
        frame = self._make_frame(event)
        if frame is None:  # a frame of an earlier trainer: the GUI will not draw it
            self._send(protocol.Drawn())
            return
        with self._lock:
            had = self._frame is not None
            self._frame = frame
        if had:  # replaced before the GUI took it: it will never be drawn, so its credit returns
            self._send(protocol.Drawn())  # (the frameReady already on its way fetches this one)
        else:
            self.frameReady.emit()

    def _fail_calls(self, calls: dict[int, Future], why: str) -> None:
        with self._lock:
            pending = list(calls.values())
            calls.clear()
        for fut in pending:
            if fut.set_running_or_notify_cancel():
                fut.set_exception(WorkerError(why))
