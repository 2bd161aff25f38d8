"""Crash safety: the open experiment is saved every minute to the app data folder, and after
an abnormal exit the next launch offers to bring it back.

Each running window holds a lock file (``autosave.lock``: Qt's ``QLockFile``, which records
the PID, host and app name). A clean exit removes it together with the autosave; a crash leaves
both behind. At the next launch a lock whose process is gone is stale: that means the previous
session ended abnormally, and its ``autosave.alab`` is offered. A second window started while
the first runs finds the lock held and uses the next slot (``autosave-2.lock``/``.alab``), so
two windows never overwrite each other's autosave.

Saving: the experiment and its trained state are captured from the training thread between two
steps (``Session.capture``), then written by a short-lived thread, so a big network never
freezes the window; ``core.archive.write_archive`` writes a temporary file and renames it over
the old one, so a crash mid-save leaves the previous autosave intact.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Qt, QTimer, Signal

from .crash import app_data_folder
from .session import Session

__all__ = ["AutoSaver", "INTERVAL_MS", "MAX_SLOTS"]

_log = logging.getLogger("activation_lab")

INTERVAL_MS = 60_000
MAX_SLOTS = 8


def _slot_name(i: int) -> str:
    return "autosave" if i == 1 else f"autosave-{i}"


class AutoSaver(QObject):
    """Saves the session's experiment every ``interval_ms`` into ``folder``.

    Parameters
    ----------
    session : the session whose experiment and trained state are saved.
    panel_states : returns the panels' choices, saved with the experiment.
    folder : where the lock and the autosave live; default the platform's app data folder.
    interval_ms : time between autosaves.
    parent : the QObject that owns this one (the window).

    Attributes
    ----------
    path : the autosave file of this window (None if no slot could be locked).
    crashed : the autosave a previous, abnormally ended session left in this slot, or None.

    Signals
    -------
    saved(str) : a save finished (the file's path); emitted in the GUI thread.
    failed(str) : a save failed (the reason, also logged).
    """

    saved = Signal(str)
    failed = Signal(str)
    _written = Signal(str, str)  # (path, error) from the writing thread

    def __init__(self, session: Session, panel_states: Callable[[], dict],
                 folder: str | Path | None = None, interval_ms: int = INTERVAL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._panel_states = panel_states
        self.folder = Path(folder) if folder is not None else app_data_folder()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self._written.connect(self._on_written, Qt.ConnectionType.QueuedConnection)
        self._thread: threading.Thread | None = None
        self._last_key = None
        self.lock: QLockFile | None = None
        self.path: Path | None = None
        self.crashed: Path | None = None
        self._claim()

    # --- the slot ----------------------------------------------------------------------
    def _claim(self) -> None:
        for i in range(1, MAX_SLOTS + 1):
            name = _slot_name(i)
            lock_path = self.folder / f"{name}.lock"
            left_behind = lock_path.exists()
            lock = QLockFile(str(lock_path))
            lock.setStaleLockTime(0)  # stale only when its process is gone, however old
            if left_behind:
                _remove_if_ours(lock)
            if lock.tryLock(0):
                self.lock, self.path = lock, self.folder / f"{name}.alab"
                if left_behind and self.path.exists():
                    self.crashed = self.path
                _remove_temporaries(self.path)
                return
        _log.warning("autosave: every slot in %s is locked; this window is not autosaved",
                     self.folder)

    @property
    def lock_path(self) -> Path | None:
        return None if self.lock is None else self.folder / (self.path.stem + ".lock")

    def restored(self) -> None:
        """The crashed session's autosave was brought back: it is no longer on offer (the
        next autosave of this window overwrites it)."""
        self.crashed = None

    def keep_crashed_copy(self) -> Path | None:
        """Move the crashed session's autosave aside (``…-previous.alab``), so the next
        autosave cannot overwrite what the student chose not to restore yet."""
        if self.crashed is None or not self.crashed.exists():
            return None
        backup = self.crashed.with_name(self.crashed.stem + "-previous.alab")
        self.crashed.replace(backup)
        self.crashed = None
        return backup

    # --- saving ------------------------------------------------------------------------
    def start(self) -> None:
        """Autosave from now on (call once the window and session are ready)."""
        if self.path is not None:
            self.timer.start()

    def save_now(self) -> bool:
        """Capture the experiment and write it in the background. False when skipped: no
        slot, a previous save still being written, nothing changed, or the capture failed."""
        if self.path is None or (self._thread is not None and self._thread.is_alive()):
            return False
        session = self.session
        if not session.worker.alive:  # shut down (the window is closing): nothing to capture
            return False
        try:
            panels = self._panel_states()
            view = session.last_view
            key = (session.experiment, None if view is None else view.snapshot.step, repr(panels))
            if key == self._last_key and self.path.exists():
                return False  # nothing happened since the last autosave
            saved = session.capture(panels, timeout=5.0)
        except Exception as e:  # noqa: BLE001 - autosave must never take the app down
            _log.warning("autosave: could not capture the experiment", exc_info=True)
            self.failed.emit(f"{type(e).__name__}: {e}")
            return False
        self._last_key = key
        self._thread = threading.Thread(target=self._write, args=(self.path, saved),
                                        name="autosave", daemon=True)
        self._thread.start()
        return True

    def _write(self, path: Path, saved) -> None:
        from core.archive import write_archive

        try:
            write_archive(path, saved)
        except Exception as e:  # noqa: BLE001 - a full disk is reported, not raised
            _log.warning("autosave: could not write %s", path, exc_info=True)
            self._last_key = None
            self._written.emit(str(path), f"{type(e).__name__}: {e}")
        else:
            self._written.emit(str(path), "")

    def _on_written(self, path: str, error: str) -> None:
        if error:
            self.failed.emit(error)
        else:
            self.saved.emit(path)

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for a save being written to finish."""
        if self._thread is not None:
            self._thread.join(timeout)

    def stop(self, clean: bool = True) -> None:
        """Stop autosaving. ``clean`` (a normal exit): remove the autosave and the lock, so the
        next launch does not offer to restore anything."""
        self.timer.stop()
        self.wait()
        if self.lock is None:
            return
        if clean and self.path is not None:
            self.path.unlink(missing_ok=True)
        self.lock.unlock()
        self.lock = None


def _remove_if_ours(lock: QLockFile) -> None:
    """A left-behind lock carrying our own PID cannot be ours (we have not locked it yet): a
    process before a reboot, or in a container where every launch gets the same PID."""
    import os

    info = lock.getLockInfo()  # (pid, host, app); pid 0 when unreadable
    if info and info[0] == os.getpid():
        lock.removeStaleLockFile()


def _remove_temporaries(path: Path) -> None:
    """Temporary files a save killed half-way left behind (see core.archive.write_archive)."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass
