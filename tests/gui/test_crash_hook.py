"""Unexpected errors: logged to a rotating file, shown in one non-modal dialog, and the window
and its training go on."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

import gui.crash
from gui.crash import install_excepthook


@pytest.fixture
def lab(make_lab):
    """The window as the app wires it, shown at its own size and started."""
    return make_lab(size=None, theme=None)


@pytest.fixture
def hooked(window, tmp_path, monkeypatch):
    """The hook installed with a small log (rotates after 3 kB); the old hooks put back."""
    monkeypatch.setattr(gui.crash, "LOG_BYTES", 3000)
    old = sys.excepthook, threading.excepthook
    reporter = install_excepthook(window, tmp_path)
    yield reporter
    sys.excepthook, threading.excepthook = old
    logger = logging.getLogger("activation_lab")
    for h in list(logger.handlers):
        if isinstance(h, logging.handlers.RotatingFileHandler):
            logger.removeHandler(h)
            h.close()


def log_text(folder) -> str:
    logs = sorted(folder.glob("activation-lab.log*"))
    return "".join(p.read_text(encoding="utf-8") for p in logs)


def test_an_error_in_a_slot_is_logged_and_shown_and_the_app_goes_on(window, hooked, qtbot,
                                                                    tmp_path):
    def bad_slot():
        raise ValueError("boom in a slot 4711")

    QTimer.singleShot(0, bad_slot)
    qtbot.waitUntil(lambda: "boom in a slot 4711" in log_text(tmp_path), timeout=5000)
    text = log_text(tmp_path)
    assert "Traceback (most recent call last)" in text and "in bad_slot" in text
    qtbot.waitUntil(lambda: hooked.box is not None and hooked.box.isVisible(), timeout=5000)
    box = hooked.box
    assert box.parent() is window and box.icon() == QMessageBox.Icon.Critical
    assert box.windowModality() == Qt.WindowModality.NonModal  # the window stays usable
    assert "ValueError: boom in a slot 4711" in box.detailedText()
    assert str(tmp_path) in box.informativeText()
    # the window and its training still work
    s = window.session
    with qtbot.waitSignal(s.viewChanged, timeout=10000):
        s.step(5)
    qtbot.waitUntil(lambda: s.last_view.snapshot.step == 5, timeout=10000)
    with qtbot.waitSignal(s.runningChanged, timeout=5000):
        window.transport.play.trigger()
    qtbot.waitUntil(lambda: s.last_view.snapshot.step > 50, timeout=15000)
    with qtbot.waitSignal(s.runningChanged, timeout=5000):
        window.transport.play.trigger()


def test_an_error_in_a_python_thread_is_reported_in_the_gui_thread(window, hooked, qtbot,
                                                                   tmp_path):
    def bad_thread():
        raise ZeroDivisionError("division in a worker 42")

    t = threading.Thread(target=bad_thread, name="helper")
    t.start()
    t.join()
    qtbot.waitUntil(lambda: hooked.box is not None and hooked.box.isVisible(), timeout=5000)
    assert "ZeroDivisionError: division in a worker 42" in hooked.box.detailedText()
    assert "thread helper" in log_text(tmp_path)


def test_a_burst_of_errors_updates_one_dialog_and_the_log_rotates(window, hooked, qtbot,
                                                                  tmp_path):
    def bad(i):
        raise RuntimeError(f"error number {i} " + "x" * 300)

    for i in range(30):
        QTimer.singleShot(0, lambda i=i: bad(i))
    qtbot.waitUntil(lambda: hooked.count == 30, timeout=10000)
    assert len(window.findChildren(QMessageBox)) == 1
    assert "30 errors" in hooked.box.text() and "error number 29" in hooked.box.detailedText()
    assert (tmp_path / "activation-lab.log.1").exists()  # rotated at 3 kB
    assert len(list(tmp_path.glob("activation-lab.log*"))) <= 1 + gui.crash.LOG_BACKUPS
    assert "error number 29" in log_text(tmp_path)
    hooked.box.accept()  # closing the dialog starts the count again
    assert hooked.count == 0


def test_keyboard_interrupt_is_not_swallowed(window, hooked, monkeypatch):
    calls = []
    monkeypatch.setattr(sys, "__excepthook__", lambda *a: calls.append(a[0]))
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    QApplication.processEvents()
    assert calls == [KeyboardInterrupt] and hooked.box is None
