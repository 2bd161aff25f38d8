"""Activations the student types as formulas: the dialog that checks and previews one, the
library of the student's own functions kept between sessions, and the combo-box entries
("New activation from a formula…") the activation lists share. The maths is in
``core.activations.formula``; SymPy runs in a worker thread (``derive_worker``)."""

from __future__ import annotations

from .combo import NEW, NEW_TEXT, add_formulas, ensure_item
from .library import FormulaLibrary, LibraryError, shared, use_shared

__all__ = ["NEW", "NEW_TEXT", "FormulaLibrary", "LibraryError", "add_formulas", "ensure_item",
           "new_formula", "shared", "use_shared"]


def new_formula(parent=None) -> str | None:
    """Open "New activation from a formula…" on the app's library; the chosen spec or None."""
    from .dialog import new_formula as run  # pyqtgraph and the dialog only when asked

    return run(shared(), parent)
