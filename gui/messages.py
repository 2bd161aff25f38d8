"""Telling the user about a problem without blocking: dialogs are opened, never exec()'d.

A blocking dialog would stall the event loop mid-action (and every headless test); an opened
one lets training and the rest of the window carry on.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

__all__ = ["warn"]


def warn(parent: QWidget, text: str, title: str = "Activation Lab") -> QMessageBox | None:
    """Show ``text`` in a non-blocking warning box (only when ``parent`` is on screen)."""
    if not parent.isVisible():
        return None
    old = parent.findChild(QMessageBox, "activation-lab-warning")
    if old is not None:  # one at a time: a burst of problems must not stack dialogs
        old.close()
        old.deleteLater()
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("activation-lab-warning")
    box.setFont(parent.font())  # a window is not given its parent's (presentation mode's) text
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
