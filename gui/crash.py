"""Unexpected errors: log them to a rotating file and show a dialog; the app keeps running.

Errors raised in Qt slots and event handlers reach ``sys.excepthook`` (PySide prints them and
goes on); errors in Python threads reach ``threading.excepthook``. Both are routed here. The
dialog is non-modal and shared: a burst of errors (one per repaint, say) updates one dialog
instead of stacking a hundred.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal

__all__ = ["CrashReporter", "install_excepthook", "log_path"]

_log = logging.getLogger("activation_lab")
LOG_NAME = "activation-lab.log"
LOG_BYTES = 1_000_000
LOG_BACKUPS = 3


def app_data_folder() -> Path:
    """The platform's folder for this app's data (created if missing)."""
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(base or Path.home() / ".activation-lab")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_path(folder: Path | None = None) -> Path:
    folder = Path(folder) if folder is not None else app_data_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / LOG_NAME


def _setup_logging(path: Path) -> None:
    """One rotating handler on our logger, pointing at ``path`` (replacing an older one)."""
    for h in list(_log.handlers):
        if isinstance(h, logging.handlers.RotatingFileHandler):
            if Path(h.baseFilename) == path.resolve():
                return
            _log.removeHandler(h)
            h.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_BYTES,
                                                   backupCount=LOG_BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
    _log.addHandler(handler)
    _log.setLevel(logging.INFO)


class CrashReporter(QObject):
    """Logs uncaught exceptions and shows them in one non-modal dialog over ``window``.

    ``report`` may be called from any thread: the dialog is always made in the GUI thread.
    """

    _show = Signal(str)

    def __init__(self, window, path: Path) -> None:
        super().__init__(window)
        self.window = window
        self.path = path
        self.box = None
        self.count = 0
        # queued even when emitted in the GUI thread: never open a dialog inside a paint event
        self._show.connect(self._show_dialog, Qt.ConnectionType.QueuedConnection)

    def report(self, exc_type, exc, tb) -> None:
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        try:
            _log.error("unexpected error in thread %s\n%s",
                       threading.current_thread().name, details)
        except Exception:  # noqa: BLE001 - a full disk must not turn one error into two
            pass
        self._show.emit(details)

    def _show_dialog(self, details: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.count += 1
        try:
            if self.box is None:
                box = QMessageBox(self.window)
                box.setIcon(QMessageBox.Icon.Critical)
                box.setWindowTitle("Activation Lab: unexpected error")
                box.setStandardButtons(QMessageBox.StandardButton.Ok)
                box.setWindowModality(Qt.WindowModality.NonModal)
                box.finished.connect(self._closed)
                self.box = box
            text = ("Something went wrong inside Activation Lab. Your experiment is still "
                    "open; saving it now is a good idea.")
            if self.count > 1:
                text += f" ({self.count} errors so far; the details show the latest.)"
            self.box.setText(text)
            self.box.setInformativeText(f"The details were written to {self.path}.")
            self.box.setDetailedText(details)
            self.box.show()  # not exec(): the app keeps running
        except Exception:  # noqa: BLE001 - the dialog itself failed: the log has the details
            pass

    def _closed(self) -> None:
        self.count = 0


def install_excepthook(window, folder: Path | None = None) -> CrashReporter:
    """Route uncaught exceptions (Qt slots, event handlers and Python threads) to the log
    file ``folder/activation-lab.log`` (default: the app data folder) and a dialog."""
    path = log_path(folder)
    _setup_logging(path)
    reporter = CrashReporter(window, path)

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        reporter.report(exc_type, exc, tb)

    def thread_hook(args) -> None:
        if args.exc_type is SystemExit:
            return
        reporter.report(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
    return reporter
