"""Light and dark themes for widgets and plots, and the colour cycle every panel shares."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    import pyqtgraph as pg

__all__ = ["Theme", "LIGHT", "DARK", "PALETTES", "PRESENTATION", "theme_named",
           "apply_app_theme", "presentation_theme", "style_plot", "series_color"]


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    foreground: str
    grid_alpha: float
    # colour cycle for series (Okabe–Ito, readable by colour-blind students and on projectors)
    series: tuple[str, ...]
    positive: str  # class 1 / positive weights
    negative: str  # class 0 / negative weights
    shade: str  # saturation regions
    window: str
    base: str
    text: str
    # presentation styling (1 = as designed): text and layout drawn ``zoom`` times larger,
    # cosmetic pens ``line`` times wider, scatter symbols ``marker`` times larger
    zoom: float = 1.0
    line: float = 1.0
    marker: float = 1.0
    palette: str = "standard"

    @property
    def presenting(self) -> bool:
        return self.zoom != 1 or self.line != 1 or self.marker != 1 or self.palette != "standard"

    @property
    def plain(self) -> Theme:
        """The same theme without presentation styling (what exports use unless asked)."""
        return DARK if self.name == "dark" else LIGHT

    @property
    def unscaled(self) -> Theme:
        """The same colours at the designed sizes (an export does its own scaling)."""
        return dataclasses.replace(self, zoom=1.0, line=1.0, marker=1.0)

    @property
    def on_white(self) -> Theme:
        """This styling in the light theme's colours (an export on a white background)."""
        if not self.presenting:
            return LIGHT
        light = presentation_theme(LIGHT, self.zoom, self.palette)
        return dataclasses.replace(light, zoom=self.zoom, line=self.line, marker=self.marker)


_OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
              "#000000")

LIGHT = Theme("light", "#FFFFFF", "#202020", 0.25, _OKABE_ITO, "#E69F00", "#0072B2",
              "#D0D0D0", "#F3F3F3", "#FFFFFF", "#202020")
DARK = Theme("dark", "#1E1F22", "#E0E0E0", 0.25,
             ("#56B4E9", "#F58B4C", "#2BCB9A", "#E08CC0", "#F5C242", "#9AD0F5", "#F0E442",
              "#FFFFFF"),
             "#F5C242", "#56B4E9", "#3A3C40", "#2B2D30", "#1E1F22", "#E0E0E0")


#: presentation mode's defaults: how much larger, and the zoom's limits (Ctrl+= / Ctrl+−)
PRESENTATION = {"zoom": 1.5, "min": 1.25, "max": 2.5, "step": 0.25}

#: colour cycles to choose in presentation mode. "high-contrast": Okabe–Ito (colour-blind
#: safe) darkened for a washed-out projector, the pale yellow and sky blue left to the end,
#: with pure black (white) text and stronger grid lines.
PALETTES: dict[str, dict[str, tuple[str, ...]]] = {
    "standard": {"light": _OKABE_ITO, "dark": DARK.series},
    "high-contrast": {
        "light": ("#0055A4", "#C24400", "#007A5A", "#A0428A", "#B87800", "#000000",
                  "#2E8BC0", "#8C7A00"),
        "dark": ("#6CC4FF", "#FF9A52", "#33E0A8", "#F59AD6", "#FFD04D", "#FFFFFF",
                 "#A9DCFF", "#F0E442"),
    },
}


def presentation_theme(theme: Theme, zoom: float = PRESENTATION["zoom"],
                       palette: str = "standard") -> Theme:
    """``theme`` for a projector: everything ``zoom`` times larger, lines and symbols too
    (lines a little more, so that they carry across a room), in ``palette``."""
    base = theme.plain
    colours = PALETTES.get(palette, PALETTES["standard"])[base.name]
    strong = palette == "high-contrast"
    # high contrast: on pure white or pure black, as the palette's name promises
    ground = ("#FFFFFF" if base.name == "light" else "#000000") if strong else base.background
    return dataclasses.replace(
        base, zoom=zoom, line=zoom * 1.25, marker=zoom, palette=palette, series=colours,
        background=ground, base=ground if strong else base.base,
        foreground=("#000000" if base.name == "light" else "#FFFFFF") if strong
        else base.foreground,
        text=("#000000" if base.name == "light" else "#FFFFFF") if strong else base.text,
        grid_alpha=0.4 if strong else base.grid_alpha)


def theme_named(name: str) -> Theme:
    """'light', 'dark' or 'system' (follows the platform's colour scheme)."""
    if name == "dark":
        return DARK
    if name == "system":
        app = QApplication.instance()
        if app is not None:
            from PySide6.QtCore import Qt

            if app.styleHints().colorScheme() == Qt.ColorScheme.Dark:
                return DARK
    return LIGHT


def series_color(theme: Theme, i: int) -> str:
    return theme.series[i % len(theme.series)]


def apply_app_theme(app: QApplication, theme: Theme) -> None:
    """Fusion style with a palette from the theme, so light and dark look the same everywhere."""
    app.setStyle("Fusion")
    p = QPalette()
    win, base, text = QColor(theme.window), QColor(theme.base), QColor(theme.text)
    p.setColor(QPalette.ColorRole.Window, win)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, win)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, win)
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.ToolTipBase, base)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Highlight, QColor(theme.series[0]))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#FFFFFF"))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#888888"))
    # Fusion draws frames and check-box outlines from these; without them dark boxes vanish
    dark = theme.name == "dark"
    p.setColor(QPalette.ColorRole.Light, QColor("#5A5D63" if dark else "#FFFFFF"))
    p.setColor(QPalette.ColorRole.Midlight, QColor("#4A4D52" if dark else "#E3E3E3"))
    p.setColor(QPalette.ColorRole.Mid, QColor("#6E7178" if dark else "#B8B8B8"))
    p.setColor(QPalette.ColorRole.Dark, QColor("#8A8D93" if dark else "#A0A0A0"))
    p.setColor(QPalette.ColorRole.Shadow, QColor("#000000" if dark else "#767676"))
    # disabled controls must look disabled
    grey = QColor("#6F7277" if dark else "#A0A0A0")
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, grey)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, win)
    app.setPalette(p)
    # pyqtgraph's colour options are set by each panel (gui.panels.base): the window paints
    # before pyqtgraph is imported


def style_plot(plot: pg.PlotItem, theme: Theme) -> None:
    """Give an existing plot the theme's axis and text colours (pyqtgraph's options only
    apply to plots created afterwards)."""
    import pyqtgraph as pg

    for name in ("left", "bottom", "right", "top"):
        ax = plot.getAxis(name)
        ax.setPen(pg.mkPen(theme.foreground))
        ax.setTextPen(pg.mkPen(theme.foreground))
    plot.showGrid(x=True, y=True, alpha=theme.grid_alpha)
    title = plot.titleLabel
    if title is not None and title.text:
        title.setText(title.text, color=theme.foreground)
    legend = plot.legend
    if legend is not None:
        legend.setLabelTextColor(theme.foreground)
        legend.setBrush(pg.mkBrush(theme.background + "C0"))
