"""Unexpected errors: log them to a rotating file and show a dialog; the app keeps running."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from pathlib import Path

__all__ = ["install_excepthook", "log_path"]

_log = logging.getLogger("activation_lab")


def log_path() -> Path:
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(base or Path.home() / ".activation-lab")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "activation-lab.log"


def _setup_logging() -> Path:
    path = log_path()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in _log.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                                       encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        _log.addHandler(handler)
        _log.setLevel(logging.INFO)
    return path


def install_excepthook(window) -> None:
    """Route uncaught exceptions (in Qt slots too) to the log and a dialog."""
    path = _setup_logging()

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        _log.error("unexpected error\n%s", details)
        try:
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(window)
            box.setIcon(QMessageBox.Icon.Critical)
            box.setWindowTitle("Activation Lab: unexpected error")
            box.setText("Something went wrong inside Activation Lab. Your experiment is still "
                        "open; saving it now is a good idea.")
            box.setInformativeText(f"The details were written to {path}.")
            box.setDetailedText(details)
            box.open()  # not exec(): the app keeps running
        except Exception:  # the dialog itself failed: the log has the details
            pass

    sys.excepthook = hook
