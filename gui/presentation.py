"""Presentation mode: what it is set to (on or off, how large, which palette), the theme,
font and toolbar icons that gives, and how the settings file keeps it.

Panels are drawn larger by the theme they are given (``Theme.zoom``, ``line``, ``marker``,
the same presentation styling an export can ask for, see ``gui.theme.presentation_theme``);
the widgets around them (controls, menus, toolbar, status bar) by the application's font.
Exports do not inherit any of it: they draw in ``Theme.plain`` unless asked
(``gui.export``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from PySide6.QtCore import QSize
from PySide6.QtGui import QFont

from .theme import PALETTES, PRESENTATION, Theme, presentation_theme

__all__ = ["PALETTE_LABELS", "Presentation", "scaled_font", "scaled_icon"]

#: the palettes offered in View → Presentation Palette, in menu order
PALETTE_LABELS: dict[str, str] = {
    "standard": "&Standard (Okabe–Ito)",
    "high-contrast": "&High Contrast (Okabe–Ito, darker; black or white text)",
}
assert set(PALETTE_LABELS) == set(PALETTES)

_KEYS = {"on": "view/presentation", "zoom": "view/presentation_zoom",
         "palette": "view/presentation_palette"}


@dataclass(frozen=True)
class Presentation:
    """Presentation mode's state, immutable: the menu actions make a new one.

    ``zoom``: text, layout and markers drawn that many times larger (lines 1.25 × more),
    between ``PRESENTATION["min"]`` and ``["max"]``; kept while the mode is off, so that
    switching it on again gives the size the teacher chose.
    """

    on: bool = False
    zoom: float = PRESENTATION["zoom"]
    palette: str = "standard"

    def __post_init__(self) -> None:
        object.__setattr__(self, "zoom", _clamp(self.zoom))
        if self.palette not in PALETTES:
            object.__setattr__(self, "palette", "standard")

    @property
    def factor(self) -> float:
        """How much larger everything is drawn now (1 while the mode is off)."""
        return self.zoom if self.on else 1.0

    def theme(self, base: Theme) -> Theme:
        """``base`` (a light or dark theme) as presentation mode draws it, or as designed."""
        if not self.on:
            return base.plain
        return presentation_theme(base, self.zoom, self.palette)

    def toggled(self, on: bool) -> Presentation:
        return dataclasses.replace(self, on=on)

    def larger(self) -> Presentation:
        return dataclasses.replace(self, zoom=self.zoom + PRESENTATION["step"])

    def smaller(self) -> Presentation:
        return dataclasses.replace(self, zoom=self.zoom - PRESENTATION["step"])

    def reset_size(self) -> Presentation:
        return dataclasses.replace(self, zoom=PRESENTATION["zoom"])

    def with_palette(self, palette: str) -> Presentation:
        return dataclasses.replace(self, palette=palette)

    # --- settings ------------------------------------------------------------------------
    def save(self, settings) -> None:
        settings.setValue(_KEYS["on"], "true" if self.on else "false")
        settings.setValue(_KEYS["zoom"], f"{self.zoom:g}")
        settings.setValue(_KEYS["palette"], self.palette)

    @classmethod
    def load(cls, settings) -> Presentation:
        """What ``settings`` keeps; a missing or hand-edited value gives the default."""
        on = str(settings.value(_KEYS["on"], "false")).strip().lower() in ("true", "1")
        try:
            zoom = float(settings.value(_KEYS["zoom"], PRESENTATION["zoom"]))
        except (TypeError, ValueError):
            zoom = PRESENTATION["zoom"]
        return cls(on, zoom, str(settings.value(_KEYS["palette"], "standard")))


def _clamp(zoom) -> float:
    """A zoom on the menu's steps within the limits (the default for nonsense)."""
    try:
        zoom = float(zoom)
    except (TypeError, ValueError):
        return PRESENTATION["zoom"]
    if not math.isfinite(zoom):
        return PRESENTATION["zoom"]
    step = PRESENTATION["step"]
    zoom = round(zoom / step) * step
    return min(max(zoom, PRESENTATION["min"]), PRESENTATION["max"])


def scaled_font(base: QFont, factor: float) -> QFont:
    """``base`` ``factor`` times larger (``factor`` 1: ``base`` itself, exactly)."""
    if factor == 1:
        return QFont(base)
    font = QFont(base)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * factor)
    else:  # a font sized in pixels
        font.setPixelSize(round(base.pixelSize() * factor))
    return font


def scaled_icon(base: QSize, factor: float) -> QSize:
    """Toolbar icons ``factor`` times larger, in whole pixels."""
    return QSize(round(base.width() * factor), round(base.height() * factor))
