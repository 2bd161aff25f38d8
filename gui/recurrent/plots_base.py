"""What the recurrent lab's plots share: a ``gui.panels.base.Panel`` that draws a ``LabFrame``.

A lab plot is a panel like the window's (its right-click Export… and Copy image, its CSV
tables, presentation mode's styling), but it draws the lab's frame (both runs, A and B)
instead of the main trainer's ``LiveView``. Each plot builds its items once and updates them
with ``setData``; every number it draws is in the frame, computed by the training process.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ..panels.base import CsvTable, Panel
from ..theme import Theme, series_color

__all__ = ["LabPanel", "positive_or_nan", "run_pen", "table"]

#: run A solid, run B dashed as well as in its own colour (read in grey print too)
_STYLES = {"A": Qt.PenStyle.SolidLine, "B": Qt.PenStyle.DashLine}


def run_pen(theme: Theme, key: str, width: float = 2.0, colour: int | None = None):
    """The pen of run ``key`` ("A" or "B"); ``colour`` picks another of the theme's series."""
    i = ("A", "B").index(key) if colour is None else colour
    return pg.mkPen(series_color(theme, i), width=width, style=_STYLES[key])


def positive_or_nan(y: np.ndarray) -> np.ndarray:
    """y for a log axis: values ≤ 0 (an underflowed product, a zero gradient) and values
    that overflowed become gaps, not made-up numbers (the status line tells an overflow)."""
    y = np.array(y, dtype=float)
    y[~((y > 0) & np.isfinite(y))] = np.nan
    return y


def table(name: str, header, columns) -> CsvTable:
    """A CSV table from equal-length columns."""
    return CsvTable(name, tuple(header), np.column_stack([np.asarray(c, float) for c in columns]))


class LabPanel(Panel):
    """A panel over the lab's frames: subclasses implement :meth:`draw` (and ``csv_tables``).

    The latest ``LabFrame`` is ``self.frame``. ``self.view`` stays None: it is where a
    window panel keeps its ``LiveView``, whose experiment ``gui.export`` writes under an
    exported figure's title, and a lab frame has none.
    """

    panel_id = "recurrent"
    title = "Recurrent lab"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._frame = None

    @property
    def frame(self):
        return self._frame

    def update_view(self, frame) -> None:
        super().update_view(frame)  # reads only ``frame.running``
        self.view = None
        self._frame = frame
        # what an export writes in its title band (the tab keeps the class's short title)
        if frame.description:
            self.title = f"{type(self).title}: {frame.description}"
        self.draw(frame)

    def keep_for_later(self, frame) -> None:
        self._frame = frame
        self.stale = True

    def catch_up(self) -> None:
        if (self.stale or self._text_behind) and self._frame is not None:
            self._force_text = True
            self.update_view(self._frame)

    def apply_theme(self, theme) -> None:
        super().apply_theme(theme)
        # pyqtgraph's setLabelTextColor colours later entries only: write the ones there again
        for item in self.canvas.scene().items():
            if isinstance(item, pg.LegendItem):
                item.setLabelTextColor(theme.foreground)
                for _sample, label in item.items:
                    label.setText(label.text, color=theme.foreground)
        if getattr(self, "_frame", None) is not None:
            self.update_view(self._frame)

    def draw(self, frame) -> None:
        raise NotImplementedError
