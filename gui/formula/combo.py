"""The student's formulas in an activation combo box, and its "New activation from a
formula…" entry: what the layer rows, the output box and the function lists share."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox

from core.activations.formula import FormulaError, describe, is_formula

from .library import FormulaLibrary

__all__ = ["NEW", "NEW_TEXT", "add_formulas", "ensure_item"]

#: the user data of the "New activation from a formula…" entry (not an activation's name)
NEW = "formula-dialog:new"
NEW_TEXT = "New activation from a formula…"


def _tip(spec: str) -> str:
    d = describe(spec)
    return f"f(x) = {d.text}\nYour own function, typed as a formula."


def add_formulas(combo: QComboBox, library: FormulaLibrary) -> None:
    """Append the library's formulas and the "New…" entry (replacing earlier ones), keeping
    the current choice; no signal is sent."""
    with QSignalBlocker(combo):
        current = combo.currentData()
        for i in reversed(range(combo.count())):
            data = combo.itemData(i)
            if data == NEW or (isinstance(data, str) and is_formula(data)):
                combo.removeItem(i)
        while combo.count() and combo.itemText(combo.count() - 1) == "" and \
                combo.itemData(combo.count() - 1) is None:
            combo.removeItem(combo.count() - 1)  # the separator before them
        combo.insertSeparator(combo.count())
        for spec in library.specs():
            _add(combo, spec)
        if isinstance(current, str) and is_formula(current) and combo.findData(current) < 0:
            _add(combo, current)  # a formula of an opened file, not (or no longer) in the list
        combo.addItem(NEW_TEXT, NEW)
        combo.setItemData(combo.count() - 1, "Type your own activation function: you see its "
                          "exact derivatives and can use it in any layer.",
                          Qt.ItemDataRole.ToolTipRole)
        i = combo.findData(current)
        combo.setCurrentIndex(i)


def _add(combo: QComboBox, spec: str) -> None:
    try:
        label, tip = describe(spec).display_name, _tip(spec)
    except FormulaError:
        return
    at = combo.findData(NEW)
    at = combo.count() if at < 0 else at
    combo.insertItem(at, label, spec)
    combo.setItemData(at, tip, Qt.ItemDataRole.ToolTipRole)


def ensure_item(combo: QComboBox, name: str) -> None:
    """Make sure a formula ``name`` (from a file, a lesson) has an entry to select."""
    if isinstance(name, str) and is_formula(name) and combo.findData(name) < 0:
        with QSignalBlocker(combo):
            _add(combo, name)
