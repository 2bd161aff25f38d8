"""Light and dark themes for widgets and plots, and the colour cycle every panel shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    import pyqtgraph as pg

__all__ = ["Theme", "LIGHT", "DARK", "theme_named", "apply_app_theme", "style_plot", "series_color"]


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


_OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
              "#000000")

LIGHT = Theme("light", "#FFFFFF", "#202020", 0.25, _OKABE_ITO, "#E69F00", "#0072B2",
              "#D0D0D0", "#F3F3F3", "#FFFFFF", "#202020")
DARK = Theme("dark", "#1E1F22", "#E0E0E0", 0.25,
             ("#56B4E9", "#F58B4C", "#2BCB9A", "#E08CC0", "#F5C242", "#9AD0F5", "#F0E442",
              "#FFFFFF"),
             "#F5C242", "#56B4E9", "#3A3C40", "#2B2D30", "#1E1F22", "#E0E0E0")


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
