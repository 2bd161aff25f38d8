"""Activations the student types as formulas: the dialog that checks and previews one, the
library of the student's own functions kept between sessions, and the combo-box entries
("New activation from a formula…") the activation lists share. The maths is in
``core.activations.formula``; SymPy runs in a worker thread (``derive_worker``)."""

from __future__ import annotations

import core.activations as acts
from core.activations.formula import derive, is_derived

from .combo import NEW, NEW_TEXT, add_formulas, ensure_item
from .library import FormulaLibrary, LibraryError, shared, use_shared

__all__ = ["NEW", "NEW_TEXT", "FormulaLibrary", "LibraryError", "add_formulas", "ensure_item",
           "new_formula", "prepare", "shared", "use_shared"]


def prepare(names) -> None:
    """Derive the formulas among ``names`` now, under a busy cursor, if this process has not
    yet: the first costs about 0.3 s (SymPy's import and the derivation), each later one
    about 0.05 s, on the GUI thread (measured in benchmarks/bench_formula.py); the panels
    then find them derived."""
    todo = [n for n in names if acts.is_formula(n) and not is_derived(n)]
    if not todo:
        return
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        for name in todo:
            try:
                derive(name)
            except ValueError:
                pass  # refused: the control that shows it says why
    finally:
        QApplication.restoreOverrideCursor()


def new_formula(parent=None) -> str | None:
    """Open "New activation from a formula…" on the app's library; the chosen spec or None."""
    from .dialog import new_formula as run  # pyqtgraph and the dialog only when asked

    return run(shared(), parent)
