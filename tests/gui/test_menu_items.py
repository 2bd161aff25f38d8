"""Every menu item, clicked as a user clicks it: none raises. (QAction.triggered passes
"checked" to a slot that can take an argument; File → Open… once took it for the path.)"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

SKIP = {"&Quit", "E&xit", "Quit"}


def items(menu, seen=None):
    """The menu's leaf actions, submenus included (each filled as when it is opened)."""
    seen = set() if seen is None else seen
    menu.aboutToShow.emit()
    for a in menu.actions():
        if a.isSeparator() or id(a) in seen:
            continue
        seen.add(id(a))
        if a.menu() is not None:
            yield from items(a.menu(), seen)
        else:
            yield a


@pytest.fixture
def no_dialogs(monkeypatch):
    """File dialogs answer "cancel"; modal boxes and dialogs return at once."""
    for name in ("getOpenFileName", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: ""))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    monkeypatch.setattr(QDialog, "exec", lambda self: 0)
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: None))
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: True))
    for name in ("question", "warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(
            lambda *a, **k: QMessageBox.StandardButton.Cancel))


def test_every_menu_item_can_be_clicked(make_lab, no_dialogs, qtbot):
    lab = make_lab(start=False)
    w = lab.window
    clicked = []
    for top in w.menuBar().actions():
        for a in items(top.menu()):
            if a.text() in SKIP or not a.isEnabled() or a.isCheckable():
                continue
            a.trigger()  # an exception in a slot fails the test (pytest-qt)
            clicked.append(a.text())
            for d in w.findChildren(QDialog):
                if d.isVisible():
                    d.reject()
    assert "&Open…" in clicked and "Open &Lesson…" in clicked
    assert len(clicked) > 20
