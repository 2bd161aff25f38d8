"""The recurrent lab's handle on its training process: commands out, frames and events back.

Like ``gui.worker`` for the main trainer, and for the same reasons: the process is started
and written to by a sender thread (a full pipe or a slow start never blocks the GUI thread),
and a relay thread reads its events and turns them into Qt signals, which reach the GUI
thread queued. Frames are "latest wins": the relay keeps only the newest, and a frame
replaced before the GUI took it returns its credit at once. Nothing here steps a trainer.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
from multiprocessing.reduction import ForkingPickler

from PySide6.QtCore import QObject, Signal

from . import messages, process

__all__ = ["LabWorker"]

_log = logging.getLogger("activation_lab")


def _context():
    """A fork server's clean child where the OS has one (never a fork of this process, which
    runs Qt's threads); Windows starts a fresh interpreter ("spawn")."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


class LabWorker(QObject):
    """Runs the lab's two trainers in a separate process (``gui.recurrent.process``).

    Signals are emitted from the relay thread; receivers in the GUI thread get them queued.
    ``frameReady`` carries nothing: the receiver calls :meth:`take_frame` for the newest.
    """

    frameReady = Signal()
    runningChanged = Signal(bool)
    diverged = Signal(object)  # messages.Diverged
    refused = Signal(object)  # messages.Refused
    finished = Signal(object)  # messages.Finished
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        ctx = _context()
        cmd_read, cmd_write = ctx.Pipe(duplex=False)
        events, ev_write = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=process.serve, args=(cmd_read, ev_write),
                                    name="recurrent-lab-trainer", daemon=True)
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._frame = None
        self._stopping = False
        self._started = threading.Event()

        def send_loop() -> None:
            try:
                self._process.start()
            except Exception as e:
                _log.error("could not start the recurrent lab's process: %s", e)
                self._started.set()
                events.close()
                self.failed.emit(f"could not start the training process: {e}")
                return
            finally:
                cmd_read.close()
                ev_write.close()
            self._started.set()
            self._relay.start()
            while (data := self._outbox.get()) is not None:
                try:
                    cmd_write.send_bytes(data)
                except OSError:
                    break
            cmd_write.close()

        self._relay = threading.Thread(target=self._relay_loop, args=(events,),
                                       name="recurrent-lab-relay", daemon=True)
        self._sender = threading.Thread(target=send_loop, name="recurrent-lab-sender",
                                        daemon=True)
        self._sender.start()

    # --- the GUI thread ----------------------------------------------------------------
    def send(self, cmd) -> None:
        """Queue one command (pickled here, written by the sender thread; never blocks).
        After :meth:`stop` commands are dropped."""
        if not self._stopping:
            self._outbox.put(bytes(ForkingPickler.dumps(cmd)))

    def take_frame(self):
        with self._lock:
            frame, self._frame = self._frame, None
        return frame

    def frame_drawn(self) -> None:
        self.send(messages.Drawn())

    @property
    def pid(self) -> int | None:
        """The training process's id (None until it has started)."""
        return self._process.pid if self._started.is_set() else None

    @property
    def process_ended(self) -> bool:
        """True once the process has started and is gone (ended, killed or crashed)."""
        return (self._started.is_set() and self._process.pid is not None
                and not self._process.is_alive())

    @property
    def alive(self) -> bool:
        return (self._process.is_alive() or self._relay.is_alive()
                or self._sender.is_alive())

    def stop(self, timeout: float = 5.0) -> None:
        """End the process and both threads (idempotent): nothing outlives the window."""
        if not self._stopping:
            self._outbox.put(bytes(ForkingPickler.dumps(messages.Quit())))
            self._outbox.put(None)
            self._stopping = True
        self._started.wait(timeout)
        if self._process.pid is not None:
            self._process.join(timeout)
            if self._process.is_alive():  # stuck in a long step: nothing to save
                self._process.kill()
                self._process.join(timeout)
        self._sender.join(timeout)
        if self._relay.ident is not None:
            self._relay.join(timeout)

    # --- the relay thread --------------------------------------------------------------
    def _relay_loop(self, events) -> None:
        while True:
            try:
                event = events.recv()
            except (EOFError, OSError):
                break
            match event:
                case messages.Frame(frame=frame):
                    with self._lock:
                        had = self._frame is not None
                        self._frame = frame
                    if had:  # the one replaced will never be drawn: its credit comes back
                        self.send(messages.Drawn())
                    else:
                        self.frameReady.emit()
                case messages.RunningChanged(running=running):
                    self.runningChanged.emit(running)
                case messages.Diverged():
                    self.diverged.emit(event)
                case messages.Refused():
                    self.refused.emit(event)
                case messages.Finished():
                    self.finished.emit(event)
                case messages.Error(traceback_text=text):
                    _log.error("recurrent lab's process:\n%s", text)
                    self.failed.emit(text)
                case _:
                    _log.error("recurrent lab's process sent an unknown event %r", event)
        events.close()
        if not self._stopping:
            self.runningChanged.emit(False)
            self.failed.emit("the training process ended unexpectedly")
