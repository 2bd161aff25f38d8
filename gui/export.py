"""Exporting panels: PNG (1–4×, theme/white/transparent background), SVG, CSV and clipboard.

Why we render the scene ourselves: pyqtgraph 0.14's SVG exporter fails on Qt ≥ 6.11 and its
PNG exporter ignores the device-pixel ratio (see qt-facts.md). We paint the panel's scene with
``QPainter`` onto a ``QImage`` whose device-pixel ratio is the export scale, so text and layout
scale as on a high-DPI screen, and widen cosmetic pens by the same factor for the duration of
the export, so lines stay proportionally thick at any size.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QAbstractGraphicsShapeItem, QGraphicsLineItem

import core

from .panels.base import Panel
from .theme import LIGHT

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = [
    "BACKGROUNDS",
    "copy_image",
    "export_all_panels",
    "render_image",
    "write_csv",
    "write_png",
    "write_svg",
]

BACKGROUNDS = ("theme", "white", "transparent")
DEFAULT_SIZE = QSize(900, 600)
HEADER = 30  # px (logical) for the title band above the plots


def _panel_size(panel: Panel) -> QSize:
    size = panel.canvas.size()
    if panel.canvas.isVisible() and size.width() >= 300 and size.height() >= 200:
        return size
    return DEFAULT_SIZE


def _subtitle(panel: Panel) -> str:
    view = panel.view
    if view is None:
        return ""
    exp, snap = view.experiment, view.snapshot
    hidden = "-".join(str(h.units) for h in exp.network.hidden)
    acts = "/".join(dict.fromkeys(h.activation for h in exp.network.hidden)) or "no hidden layer"
    return (f"{exp.dataset.name} · {view.dataset.n_inputs}-{hidden + '-' if hidden else ''}"
            f"{view.dataset.n_outputs} {acts} → {exp.network.output_activation} · "
            f"{exp.training.optimizer} lr {exp.training.lr:g} · epoch {snap.epoch}")


@contextmanager
def _export_look(panel: Panel, size: QSize, background: str, scale: float) -> Iterator[None]:
    """Lay the canvas out at ``size``, set the background and widen cosmetic pens; undo after."""
    if background not in BACKGROUNDS:
        raise ValueError(f"background must be one of {', '.join(BACKGROUNDS)}")
    old_theme = panel.theme
    if background == "white" and old_theme is not LIGHT:
        panel.apply_theme(LIGHT)
    canvas = panel.canvas
    old_rect = canvas.ci.geometry()
    canvas.ci.setGeometry(QRectF(0, 0, size.width(), size.height()))
    if background == "transparent":
        canvas.setBackground(None)
    widened: list[tuple[object, QPen]] = []
    try:
        if scale != 1:
            for item in canvas.scene().items():
                pen = _pen_of(item)
                if pen is not None and pen.isCosmetic() and pen.style() != Qt.PenStyle.NoPen:
                    wide = QPen(pen)
                    wide.setWidthF(max(pen.widthF(), 1.0) * scale)
                    _set_pen(item, wide)
                    widened.append((item, pen))
        yield
    finally:
        for item, pen in widened:
            _set_pen(item, pen)
        canvas.ci.setGeometry(old_rect)
        if background == "white" and old_theme is not LIGHT:
            panel.apply_theme(old_theme)
        elif background == "transparent":
            canvas.setBackground(panel.theme.background)


def _pen_of(item) -> QPen | None:
    if isinstance(item, pg.PlotCurveItem):
        return pg.mkPen(item.opts["pen"])
    if isinstance(item, pg.InfiniteLine):
        return QPen(item.pen)
    if isinstance(item, QAbstractGraphicsShapeItem | QGraphicsLineItem):
        return item.pen()
    return None


def _set_pen(item, pen: QPen) -> None:
    if isinstance(item, pg.PlotCurveItem):
        item.setPen(pen)
    elif isinstance(item, pg.InfiniteLine):
        item.setPen(pen)
    else:
        item.setPen(pen)


def _paint(panel: Panel, painter: QPainter, size: QSize, background: str) -> None:
    theme = LIGHT if background == "white" else panel.theme
    full = QRectF(0, 0, size.width(), size.height() + HEADER)
    if background != "transparent":
        painter.fillRect(full, QColor(theme.background))
    painter.setPen(QColor(theme.foreground))
    font = QFont(painter.font())
    font.setPointSizeF(11)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(8, 2, size.width() - 16, HEADER - 4),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, panel.title)
    font.setBold(False)
    font.setPointSizeF(8.5)
    painter.setFont(font)
    painter.drawText(QRectF(8, 2, size.width() - 16, HEADER - 4),
                     Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, _subtitle(panel))
    target = QRectF(0, HEADER, size.width(), size.height())
    panel.canvas.scene().render(painter, target, QRectF(0, 0, size.width(), size.height()))


def render_image(panel: Panel, scale: float = 2.0, background: str = "theme",
                 size: QSize | None = None) -> QImage:
    """The panel as an image of (width × scale, (height + title band) × scale) pixels."""
    if not (1 <= scale <= 4):
        raise ValueError("the scale must be between 1 and 4")
    size = size or _panel_size(panel)
    w, h = round(size.width() * scale), round((size.height() + HEADER) * scale)
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(Qt.GlobalColor.transparent)
    with _export_look(panel, size, background, scale):
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        try:
            _paint(panel, painter, size, background)
        finally:
            painter.end()
    image.setDevicePixelRatio(1.0)
    return image


def _atomic(path: Path, write) -> Path:
    """Write through a temporary file in the same folder, then replace: never a half file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_png(panel: Panel, path: Path, scale: float = 2.0, background: str = "theme",
              size: QSize | None = None) -> Path:
    image = render_image(panel, scale, background, size)

    def write(tmp: Path) -> None:
        if not image.save(str(tmp), "PNG"):
            raise OSError(f"could not write {path}")

    return _atomic(path, write)


def write_svg(panel: Panel, path: Path, background: str = "theme",
              size: QSize | None = None) -> Path:
    size = size or _panel_size(panel)

    def write(tmp: Path) -> None:
        gen = QSvgGenerator()
        gen.setFileName(str(tmp))
        gen.setSize(QSize(size.width(), size.height() + HEADER))
        gen.setViewBox(QRectF(0, 0, size.width(), size.height() + HEADER))
        gen.setTitle(panel.title)
        gen.setDescription(_subtitle(panel) or panel.title)
        with _export_look(panel, size, background, 1.0):
            painter = QPainter(gen)
            try:
                _paint(panel, painter, size, background)
            finally:
                painter.end()

    return _atomic(path, write)


def write_csv(panel: Panel, path: Path) -> list[Path]:
    """One CSV per plotted table: ``path`` itself for one table, ``stem-NAME.csv`` for more."""
    tables = panel.csv_tables()
    if not tables:
        raise ValueError(f"the {panel.title} panel has no data to export yet")
    path = Path(path)
    written = []
    for t in tables:
        target = path if len(tables) == 1 else path.with_name(f"{path.stem}-{t.name}.csv")

        def write(tmp: Path, t=t) -> None:
            with open(tmp, "w", newline="", encoding="utf-8") as f:
                out = csv.writer(f)
                out.writerow(t.header)
                for row in np.asarray(t.rows):
                    out.writerow([_cell(v) for v in row])

        written.append(_atomic(target, write))
    return written


def _cell(v) -> str:
    """Floats at full precision (repr round-trips exactly); NaN (no value) as an empty cell."""
    if isinstance(v, float | np.floating):
        return "" if np.isnan(v) else repr(float(v))
    if isinstance(v, int | np.integer):
        return str(int(v))
    return str(v)


def copy_image(panel: Panel, scale: float = 2.0, background: str = "theme") -> QImage:
    image = render_image(panel, scale, background)
    QGuiApplication.clipboard().setImage(image)
    return image


def export_all_panels(window: MainWindow, folder: Path, scale: float = 2.0,
                      background: str = "theme") -> list[Path]:
    """Every panel as PNG, SVG and CSV, plus experiment.json and manifest.json, in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    files: dict[str, list[str]] = {}
    for pid, panel in window.panels.items():
        if panel.view is not None:
            panel.update_view(panel.view)
        names = [write_png(panel, folder / f"{pid}.png", scale, background),
                 write_svg(panel, folder / f"{pid}.svg", background)]
        try:
            names += write_csv(panel, folder / f"{pid}.csv")
        except ValueError:
            pass  # a panel with nothing plotted yet has no CSV
        files[pid] = [p.name for p in names]
        written += names
    exp = window.session.experiment
    exp_dict = exp.to_dict()
    exp_dict["panels"] = window.panel_states()
    written.append(_atomic(folder / "experiment.json", lambda tmp: tmp.write_text(
        json.dumps(exp_dict, indent=2, ensure_ascii=False), encoding="utf-8")))
    view = window.session.last_view
    manifest = {
        "app": "Activation Lab",
        "version": core.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "epoch": None if view is None else view.snapshot.epoch,
        "step": None if view is None else view.snapshot.step,
        "scale": scale,
        "background": background,
        "settings": exp_dict,
        "files": files,
        "regenerate": "activation-lab train EXPERIMENT.alab --figures, or open experiment.json's "
                      "settings in the app",
    }
    written.append(_atomic(folder / "manifest.json", lambda tmp: tmp.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")))
    return written
