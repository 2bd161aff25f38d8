"""Small reusable widgets: checked number fields, slider pairs, thumbnails, combo helpers
(registry-filled combos in ``registry_combo``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox

from .number_edit import NumberEdit, SliderEdit, format_number, parse_number
from .registry_combo import fill_from_registry, formula_tip, summary_tip

__all__ = [
    "NumberEdit",
    "SliderEdit",
    "format_number",
    "parse_number",
    "compact_combo",
    "fill_from_registry",
    "formula_tip",
    "select_data",
    "summary_tip",
]


def select_data(combo: QComboBox, data: Any) -> bool:
    """Select the item whose user data is ``data``; False (selection unchanged) if none is."""
    i = combo.findData(data)
    if i < 0:
        return False
    combo.setCurrentIndex(i)
    return True


def compact_combo(combo: QComboBox, chars: int = 8) -> QComboBox:
    """Let a combo shrink to about ``chars`` characters (long entries are elided), so the
    narrow settings dock never gets wider than its column; the popup list stays full width."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
    return combo
