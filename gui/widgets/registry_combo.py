"""Fill a combo box from one of the core's registries (losses, initializers, optimizers, …)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

__all__ = ["fill_from_registry", "formula_tip", "summary_tip"]


def summary_tip(record: Any) -> str:
    """The record's one-line summary."""
    return record.summary


def formula_tip(record: Any) -> str:
    """The record's formula, then its summary."""
    return f"{record.formula}\n{record.summary}"


def fill_from_registry(combo: QComboBox, names: Iterable[str], record: Callable[[str], Any],
                       tooltip: Callable[[Any], str] = summary_tip,
                       group: Callable[[Any], Any] | None = None) -> QComboBox:
    """Replace ``combo``'s items with one per registered name, in the registry's order.

    Each item shows ``record(name).display_name``, carries ``name`` as its user data (see
    ``select_data``) and has ``tooltip(record(name))`` as its tooltip. With ``group``, a
    separator goes between neighbours whose ``group(record)`` differ (families apart).
    """
    combo.clear()
    last = None
    for name in names:
        rec = record(name)
        if group is not None:
            key = group(rec)
            if last is not None and key != last:
                combo.insertSeparator(combo.count())
            last = key
        combo.addItem(rec.display_name, name)
        combo.setItemData(combo.count() - 1, tooltip(rec), Qt.ItemDataRole.ToolTipRole)
    return combo
