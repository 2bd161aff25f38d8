"""Presentation mode: what it is set to (on or off, how large, which palette), the theme,
font and toolbar icons that gives, the docks' arrangement for a projector, and how the
settings file keeps it.

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

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QTabBar

from .theme import PALETTES, PRESENTATION, Theme, presentation_theme

__all__ = ["PALETTE_LABELS", "Presentation", "ProjectorLayout", "scaled_font", "scaled_icon"]

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


class ProjectorLayout:
    """Presentation mode's arrangement of a window's docks, and the way back to the layout
    from before.

    The panels a class watches while a run trains (``PRESENTED``) sit side by side at full
    height; the other panels become tabs behind the second. On a narrow screen (fewer than
    ``NARROW`` logical pixels across: 1280 px at 1.5× is 853) the Experiment dock becomes a
    tab there too: beside two panels it left each too little room for its plots.
    """

    PRESENTED = ("output", "training_curves")
    NARROW = 1000

    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget],
                 version: int) -> None:
        self._window, self._docks, self._version = window, docks, version
        #: the layout before the docks were arranged (None: they are not)
        self.plain_state: QByteArray | None = None

    def arrange(self, on: bool, zoom: float) -> None:
        """Arrange the docks for a projector (``on``), or put back the layout from before."""
        w, d = self._window, self._docks
        if on and self.plain_state is None:
            self.plain_state = w.saveState(self._version)
            first, second = (d[p] for p in self.PRESENTED)
            narrow = w.width() / zoom < self.NARROW
            tabs = [pid for pid in d if pid not in self.PRESENTED
                    and (pid != "controls" or narrow)]
            tabs.sort(key=lambda pid: pid != "controls")  # the Experiment first, if there
            for pid in tabs:
                dock = d[pid]
                if dock.isFloating():
                    continue
                shown = not dock.isHidden()
                # Qt 6.12 leaves a dock that is a tab of another group where it is unless
                # it is taken out first
                w.removeDockWidget(dock)
                w.tabifyDockWidget(second, dock)
                dock.setVisible(shown)
            first.show()
            second.show()
            second.raise_()
            self.plain_tabs(True)  # the tab bars Qt just made
        elif not on and self.plain_state is not None:
            w.restoreState(self.plain_state, self._version)
            self.plain_state = None

    def forget(self) -> None:
        """The layout from before is gone (the layout was reset)."""
        self.plain_state = None

    def share_width(self, zoom: float) -> None:
        """The Experiment dock as wide as its larger text needs (at most a third of the
        window), the rest shared by the two panels; with the Experiment in the tabs, the
        two panels share it all, the map a square of the height it has."""
        w, d = self._window, self._docks
        width = w.width()
        first, second = (d[p] for p in self.PRESENTED)
        if d["controls"] in w.tabifiedDockWidgets(second):
            square = first.height() or w.height() - 150
            left = max(min(square, width // 2), width * 2 // 5)
            w.resizeDocks([first, second], [left, width - left], Qt.Orientation.Horizontal)
            return
        controls = min(round(300 * zoom * 0.9), width // 3)
        w.resizeDocks([d["controls"], first, second],
                      [controls, (width - controls) // 2, (width - controls) // 2],
                      Qt.Orientation.Horizontal)

    def plain_tabs(self, on: bool) -> None:
        """The docks' tabs keep the usual size of text, as the panels' options do: they are
        the teacher's switches, and seven larger ones would each show two letters."""
        plain = QApplication.font()
        for bar in self._window.findChildren(
                QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            bar.setFont(plain if on else QFont())
