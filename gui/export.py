"""Exporting panels: PNG (1–4×, theme/white/transparent background), SVG, CSV and clipboard.

Why we render the scene ourselves: pyqtgraph 0.14's ``SVGExporter`` fails on every plot with
Qt ≥ 6.11 (Qt now writes ``Z`` path commands and the exporter's parser raises "not enough values
to unpack"; pyqtgraph issue #3485, fixed by PR #3458, not released), and its ``ImageExporter``
ignores the screen's device-pixel ratio while cosmetic pens stay N pixels wide at any export
width, so lines come out hair-thin at print size (both reproduced on PySide6 6.12 with
pyqtgraph 0.14.0). We paint the panel's scene with
``QPainter`` onto a ``QImage`` whose device-pixel ratio is the export scale, so text and layout
scale as on a high-DPI screen, and widen cosmetic pens by the same factor for the duration of
the export, so lines stay proportionally thick at any size.

SVG: Qt writes cosmetic pens as non-scaling strokes that many viewers draw wrongly, so after
writing, ``gui.svg_strokes.bake_strokes`` moves them into the drawing's own coordinates.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPainter,
    QPen,
    QPicture,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QAbstractGraphicsShapeItem, QGraphicsLineItem

import core
from core.archive import new_file_mode

from .live_view import LiveView
from .panels.base import Panel
from .svg_strokes import bake_strokes
from .theme import LIGHT

__all__ = [
    "BACKGROUNDS",
    "HEADER",
    "bake_strokes",
    "copy_image",
    "export_all_panels",
    "export_size",
    "render_image",
    "write_csv",
    "write_png",
    "write_svg",
]

BACKGROUNDS = ("theme", "white", "transparent")
DEFAULT_SIZE = QSize(900, 600)
HEADER = 30  # px (logical) for the title band above the plots
INCH = 0.0254  # m


def export_size(panel: Panel) -> QSize:
    """The plots' size in an export (logical pixels, without the 30-px title band): the size
    on screen, but at least 900 × 600 and what the plots' layout needs, so that a panel
    squeezed into a small dock still makes a readable figure."""
    size = QSize(DEFAULT_SIZE)
    if panel.canvas.isVisible():
        size = size.expandedTo(panel.canvas.size())
    least = panel.canvas.ci.minimumSize()
    return size.expandedTo(QSize(math.ceil(least.width()), math.ceil(least.height())))


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


# --- the export look: size, colours, export mode, wide pens --------------------------------
@contextmanager
def _export_look(panel: Panel, size: QSize, background: str, scale: float) -> Iterator[None]:
    """Lay the canvas out at ``size``, set the colours, put pyqtgraph's items in export mode
    and widen cosmetic pens by ``scale``; undo all of it afterwards."""
    if background not in BACKGROUNDS:
        raise ValueError(f"the background must be one of {', '.join(BACKGROUNDS)}")
    panel.catch_up()  # a hidden panel skips frames: draw the one it holds first
    old_theme = panel.theme
    swap_theme = background == "white" and old_theme is not LIGHT
    if swap_theme:
        panel.apply_theme(LIGHT)
    canvas = panel.canvas
    old_rect = canvas.ci.geometry()
    panel.fit_to(size)  # before the items are collected: it may re-flow them
    views = _view_states(canvas.scene())
    items = canvas.scene().items()
    exporting = [it for it in items if isinstance(it, pg.GraphicsItem)]
    undo: list[Callable[[], None]] = []
    try:
        # Export mode: scatter symbols are drawn as vectors rather than from a cached pixmap
        # atlas (sharp at 4×), and hover-only buttons stay hidden.
        for it in exporting:
            it.setExportMode(True, {"antialias": True, "resolutionScale": 1.0})
        _lay_out(canvas, QRectF(0, 0, size.width(), size.height()))
        _put_view_states(views)
        _settle(canvas.scene(), size)
        if scale != 1:
            for it in items:
                undo += _widen(it, scale)
        yield
    finally:
        for restore in reversed(undo):
            restore()
        for it in exporting:
            it.setExportMode(False)
        _lay_out(canvas, old_rect)
        _put_view_states(views)
        panel.fit_to(None)
        if swap_theme:
            panel.apply_theme(old_theme)


def _settle(scene, size: QSize) -> None:
    """Paint once where nobody sees it. Axes fit their width to the tick labels they drew
    last, and linked views copy each other's ranges on resize: a scene painted for the first
    time at a size is laid out again by that first paint. The screen repaints and settles; an
    export has one go, so it gets the settled layout."""
    rect = scene.itemsBoundingRect() | QRectF(0, 0, size.width(), size.height())
    for _ in range(2):  # the new layout can move ticks once more
        picture = QPicture()
        painter = QPainter(picture)
        try:
            scene.render(painter, rect, rect)
        finally:
            painter.end()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    scene.prepareForPaint()


def _lay_out(canvas, rect: QRectF) -> None:
    """Give the plots ``rect`` and let the nested layouts follow now, not at the next event."""
    canvas.ci.setGeometry(rect)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def _view_states(scene) -> list:
    """Each view's range and auto-range flags. A resize makes linked views copy each other's
    range and switch auto-range off, which the screen must not inherit from an export."""
    return [(vb, [list(r) for r in vb.targetRange()], list(vb.state["autoRange"]))
            for vb in scene.items() if isinstance(vb, pg.ViewBox)]


def _put_view_states(states: list) -> None:
    for vb, (xr, yr), _auto in states:
        vb.setRange(xRange=xr, yRange=yr, padding=0, disableAutoRange=False)
    for vb, _ranges, (x, y) in states:
        vb.enableAutoRange(x=x, y=y)


def _wide(pen, scale: float) -> QPen | None:
    """``pen`` widened ``scale`` times, or None when it is not a visible cosmetic pen."""
    if not isinstance(pen, QPen) or pen.style() == Qt.PenStyle.NoPen or not pen.isCosmetic():
        return None
    wide = QPen(pen)
    wide.setWidthF(max(pen.widthF(), 1.0) * scale)
    return wide


def _swap(obj, key: str, scale: float, on_change: Callable[[], None] | None = None
          ) -> list[Callable[[], None]]:
    """Widen ``obj[key]`` (a dict entry) or ``obj.key`` (an attribute) in place; return undo."""
    is_dict = isinstance(obj, dict)
    old = obj.get(key) if is_dict else getattr(obj, key, None)
    wide = _wide(old, scale)
    if wide is None:
        return []

    def put(value) -> None:
        if is_dict:
            obj[key] = value
        else:
            setattr(obj, key, value)
        if on_change is not None:
            on_change()

    put(wide)
    return [lambda: put(old)]


def _widen(item, scale: float) -> list[Callable[[], None]]:
    """Widen the cosmetic pens one scene item paints with.

    Pens are swapped in the items' own option dicts rather than through ``setPen`` where a
    setter would also re-range the view (pen width is part of a curve's bounds) or recolour
    axis labels; each swap returns the function that puts the original back.
    """
    undo: list[Callable[[], None]] = []
    if isinstance(item, pg.PlotDataItem):  # the legend's sample line is drawn from these
        undo += _swap(item.opts, "pen", scale)
    elif isinstance(item, pg.PlotCurveItem):
        undo += _swap(item.opts, "pen", scale)
        undo += _swap(item.opts, "shadowPen", scale)
    elif isinstance(item, pg.ScatterPlotItem):
        undo += _swap(item.opts, "pen", scale)
        pens = item.data["pen"]
        old = pens.copy()
        widened = [_wide(p, scale) for p in old]
        if any(w is not None for w in widened):
            for i, w in enumerate(widened):
                if w is not None:
                    pens[i] = w

            def restore(pens=pens, old=old) -> None:
                pens[:] = old

            undo.append(restore)
    elif isinstance(item, pg.AxisItem):  # axis line, ticks and grid
        def redraw(ax=item) -> None:
            ax.picture = None

        undo += _swap(item, "_pen", scale, redraw)
        undo += _swap(item, "_tickPen", scale, redraw)
    elif isinstance(item, pg.InfiniteLine):
        undo += _swap(item, "pen", scale)
        undo += _swap(item, "currentPen", scale)
    elif isinstance(item, pg.BarGraphItem):
        def repaint(bars=item) -> None:
            bars.picture = None

        undo += _swap(item.opts, "pen", scale, repaint)
        undo += _swap(item, "_sharedPen", scale, repaint)
    elif isinstance(item, pg.LegendItem):
        undo += _swap(item.opts, "pen", scale)
    elif isinstance(item, pg.IsocurveItem):
        undo += _swap(item, "pen", scale)
    elif isinstance(item, pg.ViewBox):
        undo += _swap(item, "border", scale)
    elif isinstance(item, QAbstractGraphicsShapeItem | QGraphicsLineItem):
        old = item.pen()
        wide = _wide(old, scale)
        if wide is not None:
            item.setPen(wide)
            undo.append(lambda it=item, pen=old: it.setPen(pen))
    return undo


# --- painting ------------------------------------------------------------------------------
def _paint(panel: Panel, painter: QPainter, size: QSize, background: str) -> None:
    """The title band (panel title left, run summary right) and the plots below it."""
    theme = LIGHT if background == "white" else panel.theme
    full = QRectF(0, 0, size.width(), size.height() + HEADER)
    if background != "transparent":
        painter.fillRect(full, QColor(theme.background))
    painter.setPen(QColor(theme.foreground))
    band = QRectF(8, 2, size.width() - 16, HEADER - 4)
    font = QFont(painter.font())
    font.setPointSizeF(11)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(band, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     panel.title)
    title_width = QFontMetricsF(font, painter.device()).horizontalAdvance(panel.title)
    font.setBold(False)
    font.setPointSizeF(8.5)
    painter.setFont(font)
    room = band.width() - title_width - 24
    subtitle = QFontMetricsF(font, painter.device()).elidedText(
        _subtitle(panel), Qt.TextElideMode.ElideRight, max(room, 0.0))
    painter.drawText(band, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, subtitle)
    # a layout squeezed below its minimum size is wider or taller than asked for: shrink it
    # to fit rather than cut it off
    laid = panel.canvas.ci.geometry()
    source = QRectF(0, 0, max(laid.width(), size.width()), max(laid.height(), size.height()))
    fit = min(size.width() / source.width(), size.height() / source.height())
    target = QRectF(0, HEADER, source.width() * fit, source.height() * fit)
    panel.canvas.scene().render(painter, target, source)


def render_image(panel: Panel, scale: float = 2.0, background: str = "theme",
                 size: QSize | None = None) -> QImage:
    """The panel as an image of (width × scale, (height + title band) × scale) pixels.

    Its resolution is recorded as 96 × scale dpi, so it prints at the panel's on-screen size.
    """
    if not (1 <= scale <= 4):
        raise ValueError("the scale must be between 1 and 4")
    size = size or export_size(panel)
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
    # set only now: text laid out against a changed dpi would come out at another size
    dots = round(96 * scale / INCH)
    image.setDotsPerMeterX(dots)
    image.setDotsPerMeterY(dots)
    return image


def _atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Write through a temporary file in the same folder, then replace: never a half file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, new_file_mode())  # mkstemp's 0o600 would make exports private
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_png(panel: Panel, path: Path, scale: float = 2.0, background: str = "theme",
              size: QSize | None = None) -> Path:
    """The panel as a PNG of (width × scale) × ((height + 30) × scale) pixels."""
    image = render_image(panel, scale, background, size)

    def write(tmp: Path) -> None:
        if not image.save(str(tmp), "PNG"):
            raise OSError(f"could not write {Path(path).name}")

    return _atomic(path, write)


def write_svg(panel: Panel, path: Path, background: str = "theme",
              size: QSize | None = None) -> Path:
    """The panel as an SVG 1.1 drawing of the panel's size in pixels (at 96 dpi)."""
    size = size or export_size(panel)
    height = size.height() + HEADER

    # Qt's SVG engine (6.12) writes a stale clip path after QPainter.restore() returns to an
    # earlier clip (every text label would clip the axes drawn after it); drawing into a
    # QPicture first and playing that back gives it plain clip changes, which it gets right.
    picture = QPicture()
    with _export_look(panel, size, background, 1.0):
        painter = QPainter(picture)
        try:
            _paint(panel, painter, size, background)
        finally:
            painter.end()

    def write(tmp: Path) -> None:
        gen = QSvgGenerator(QSvgGenerator.SvgVersion.Svg11)  # 1.1: clip paths are written
        gen.setFileName(str(tmp))
        # the picture (and pyqtgraph's axes, which replay pictures too) is recorded at the
        # screen's dpi: at any other resolution it would be drawn shrunk or grown
        gen.setResolution(picture.logicalDpiX())
        gen.setSize(QSize(size.width(), height))
        gen.setViewBox(QRectF(0, 0, size.width(), height))
        gen.setTitle(panel.title)
        gen.setDescription(_subtitle(panel) or panel.title)
        painter = QPainter(gen)
        try:
            picture.play(painter)
        finally:
            painter.end()
        tmp.write_bytes(bake_strokes(tmp.read_bytes()))

    return _atomic(path, write)


def write_csv(panel: Panel, path: Path) -> list[Path]:
    """Exactly the numbers plotted: the first table at ``path``, any further ones beside it as
    ``STEM-NAME.csv``. Floats are written so that they read back bit for bit."""
    panel.catch_up()  # the numbers of the frame the panel holds, not of an older one
    tables = panel.csv_tables()
    if not tables:
        raise ValueError(f"the {panel.title} panel has no data to export yet")
    path = Path(path)
    written = []
    for i, t in enumerate(tables):
        target = path if i == 0 else path.with_name(f"{path.stem}-{t.name}.csv")

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


# --- clipboard and whole-window export ------------------------------------------------------
def copy_image(panel: Panel, scale: float = 2.0, background: str = "theme") -> QImage:
    """Put the panel's image on the clipboard (and return it)."""
    image = render_image(panel, scale, background)
    QGuiApplication.clipboard().setImage(image)
    return image


def _write_json(path: Path, data: dict) -> Path:
    return _atomic(path, lambda tmp: tmp.write_text(
        json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8"))


def export_all_panels(panels: Mapping[str, Panel], folder: Path, *,
                      settings: Callable[[], dict], view: LiveView | None, theme: str,
                      scale: float = 2.0,
                      background: str = "theme") -> list[Path]:
    """Every panel as PNG, SVG and CSV, plus experiment.json and manifest.json, in ``folder``.

    Parameters
    ----------
    panels : panel id → panel, in the order to export them.
    folder : created if missing.
    settings : returns the experiment's settings with the panels' choices
        (``Experiment.to_dict()`` with ``"panels"``), written as experiment.json: File → Open
        reads the same fields from an .alab. Asked once every panel is drawn: drawing builds
        the panels not shown yet, and only then do they hold their choices.
    view : the frame on screen; its epoch and step go into manifest.json (None: no frame yet).
    theme : the name of the theme the panels are drawn in, for the manifest.
    scale, background : as for :func:`write_png`.

    Returns
    -------
    The files written. manifest.json says which app version drew what, at which epoch.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    files: dict[str, list[str]] = {}
    for pid, panel in panels.items():
        panel.catch_up()  # hidden panels skip frames: bring them up to date
        names = [write_png(panel, folder / f"{pid}.png", scale, background),
                 write_svg(panel, folder / f"{pid}.svg", background)]
        try:
            names += write_csv(panel, folder / f"{pid}.csv")
        except ValueError:
            pass  # a panel with nothing plotted yet has no CSV
        files[pid] = [p.name for p in names]
        written += names
    settings_now = settings()
    written.append(_write_json(folder / "experiment.json", settings_now))
    manifest = {
        "app": "Activation Lab",
        "version": core.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "epoch": None if view is None else view.snapshot.epoch,
        "step": None if view is None else view.snapshot.step,
        "theme": theme,
        "scale": scale,
        "background": background,
        "settings": settings_now,
        "files": files,
        "regenerate": "activation-lab train EXPERIMENT.alab --figures, or open the settings "
                      "of experiment.json in the app",
    }
    written.append(_write_json(folder / "manifest.json", manifest))
    return written
