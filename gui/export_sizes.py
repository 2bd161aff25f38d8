"""The sizes a figure is exported at: slide 16:9, slide 4:3, a handout's A4 or Letter width
at 300 dpi, or a custom width × height, as the Export… dialog and the command line offer them.

A size is the picture as the reader gets it: ``pixels`` (title band included) and the
``scale`` it is drawn at (pixels per logical pixel). The layout is ``pixels / scale``
logical pixels, so a 1920 × 1080 slide is a 960 × 540 figure drawn at 2×: text and lines
are as large on the slide as on a screen showing the figure at half its width. A handout is
drawn at 300 / 96 = 3.125×, so its PNG prints at exactly the paper's width at 300 dpi (and
its PDF page is that width).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QSize

__all__ = ["CUSTOM", "PRESETS", "FigureSize", "parse_figure_size", "preset"]

MM_PER_INCH = 25.4
HANDOUT_DPI = 300
SCREEN_DPI = 96


@dataclass(frozen=True)
class FigureSize:
    """A picture of ``width`` × ``height`` pixels (title band included) drawn at ``scale``
    pixels per logical pixel; ``dpi`` is the resolution a PDF page is made for."""

    key: str
    label: str
    width: int
    height: int
    scale: float
    dpi: float = SCREEN_DPI

    def pixels(self) -> QSize:
        """The picture's size in pixels (title band included), as a PNG of it has."""
        return QSize(self.width, self.height)

    def logical(self, header: int) -> QSize:
        """The plots' size in logical pixels (without the title band of ``header`` px)."""
        return QSize(max(200, round(self.width / self.scale)),
                     max(120, round(self.height / self.scale) - header))


def _handout(key: str, label: str, width_mm: float) -> FigureSize:
    width = round(width_mm / MM_PER_INCH * HANDOUT_DPI)
    return FigureSize(key, label, width, round(width * 2 / 3), HANDOUT_DPI / SCREEN_DPI)


#: the presets, in the order the dialog lists them
PRESETS: tuple[FigureSize, ...] = (
    FigureSize("slide", "Slide 16:9 (1920 × 1080)", 1920, 1080, 2.0),
    FigureSize("slide-4:3", "Slide 4:3 (1440 × 1080)", 1440, 1080, 2.0),
    _handout("a4", "Handout, A4 width at 300 dpi (2480 × 1653)", 210),
    _handout("letter", "Handout, Letter width at 300 dpi (2550 × 1700)", 215.9),
)
CUSTOM = "custom"


def preset(key: str) -> FigureSize:
    """The preset named ``key`` ('slide', 'slide-4:3', 'a4', 'letter')."""
    for p in PRESETS:
        if p.key == key.lower():
            return p
    raise ValueError(f"{key!r} is not a figure size: use "
                     f"{', '.join(p.key for p in PRESETS)} or WIDTHxHEIGHT")


def parse_figure_size(text: str, scale: float = 2.0) -> FigureSize:
    """A preset's name, or ``WIDTHxHEIGHT``: the figure in logical pixels, title band
    included (as on a screen), drawn at ``scale`` (its PNG has ``scale`` times as many
    pixels). One sentence (ValueError) for anything else."""
    text = text.strip()
    m = re.fullmatch(r"(\d{1,5})\s*[x×]\s*(\d{1,5})", text.lower())
    if m is None:
        return preset(text)
    if not 1 <= scale <= 4:
        raise ValueError("the scale must be between 1 and 4")
    w, h = int(m.group(1)), int(m.group(2))
    if not (200 <= w <= 8000 and 180 <= h <= 8000):
        raise ValueError("a size must be between 200x180 and 8000x8000")
    return FigureSize(CUSTOM, f"Custom ({w} × {h})", round(w * scale), round(h * scale), scale)
