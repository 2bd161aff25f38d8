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
from PySide6.QtCore import QCoreApplication, QEvent, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPicture,
)
from PySide6.QtSvg import QSvgGenerator

import core
from core.archive import new_file_mode

from .live_view import LiveView
from .panels._pens import widen
from .panels._placement import problems
from .panels.base import Panel
from .svg_strokes import bake_strokes

__all__ = [
    "BACKGROUNDS",
    "HEADER",
    "bake_strokes",
    "copy_image",
    "export_all_panels",
    "export_size",
    "layout_problems",
    "render_image",
    "write_csv",
    "write_pdf",
    "write_png",
    "write_svg",
]

BACKGROUNDS = ("theme", "white", "transparent")
DEFAULT_SIZE = QSize(900, 600)
HEADER = 30  # px (logical) for the title band above the plots
INCH = 0.0254  # m
#: presentation styling of an export: text, markers and lines this many times larger
PRESENTATION_ZOOM = 1.5


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
def _layout_size(size: QSize, zoom: float) -> QSize:
    """The plots' layout size for a picture of ``size`` (plots, without the band) drawn
    ``zoom`` times larger: the band grows with everything else, the picture stays the same."""
    return QSize(max(1, round(size.width() / zoom)),
                 max(1, round((size.height() + HEADER) / zoom) - HEADER))


def _export_theme(panel: Panel, background: str, presentation: bool):
    """The colours an export is drawn in: the panel's theme without presentation styling
    (unless asked for), its light version on a white background."""
    theme = panel.theme.unscaled if presentation else panel.theme.plain
    return theme.on_white if background == "white" else theme


@contextmanager
def _export_look(panel: Panel, size: QSize, background: str, scale: float,
                 zoom: float = 1.0, presentation: bool = False) -> Iterator[None]:
    """Lay the canvas out at ``size``, set the colours, put pyqtgraph's items in export mode
    (scatter symbols ``zoom`` times larger) and widen cosmetic pens by ``scale`` × ``zoom``;
    leave out what only makes sense on a screen; undo all of it afterwards."""
    if background not in BACKGROUNDS:
        raise ValueError(f"the background must be one of {', '.join(BACKGROUNDS)}")
    panel.catch_up()  # a hidden panel skips frames: draw the one it holds first
    old_theme = panel.theme
    theme = _export_theme(panel, background, presentation)
    swap_theme = theme != old_theme
    if swap_theme:
        panel.apply_theme(theme)
    canvas = panel.canvas
    old_rect = canvas.ci.geometry()
    panel.set_exporting(True)  # no hover hints, no empty selection areas
    panel.fit_to(size)  # before the items are collected: it may re-flow them
    views = _view_states(canvas.scene())
    items = canvas.scene().items()
    exporting = [it for it in items if isinstance(it, pg.GraphicsItem)]
    undo: list[Callable[[], None]] = []
    try:
        # Export mode: scatter symbols are drawn as vectors rather than from a cached pixmap
        # atlas (sharp at 4×), and hover-only buttons stay hidden.
        for it in exporting:
            it.setExportMode(True, {"antialias": True, "resolutionScale": zoom})
        _lay_out(canvas, QRectF(0, 0, size.width(), size.height()))
        _put_view_states(views)
        _settle(canvas.scene(), size)
        panel.arrange_texts()  # notes and legends placed for this layout
        canvas.scene().prepareForPaint()
        if scale * zoom != 1:
            for it in items:
                undo += widen(it, scale * zoom)
        yield
    finally:
        for restore in reversed(undo):
            restore()
        for it in exporting:
            it.setExportMode(False)
        panel.set_exporting(False)
        _lay_out(canvas, old_rect)
        _put_view_states(views)
        panel.fit_to(None)
        panel.arrange_texts()
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


# --- painting ------------------------------------------------------------------------------
def _paint(panel: Panel, painter: QPainter, size: QSize, background: str) -> None:
    """The title band (panel title left, run summary right) and the plots below it."""
    theme = panel.theme  # the export's (see _export_look)
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


def _zoom(panel: Panel, presentation: bool) -> float:
    """How much larger presentation styling draws text, markers and lines: the window's
    presentation size when it is in presentation mode, else PRESENTATION_ZOOM."""
    if not presentation:
        return 1.0
    return panel.theme.zoom if panel.theme.zoom > 1 else PRESENTATION_ZOOM


@contextmanager
def _drawing(panel: Panel, painter_target, size: QSize, background: str, scale: float,
             presentation: bool, stretch: tuple[float, float] = (1.0, 1.0)
             ) -> Iterator[QPainter]:
    """A painter on ``painter_target`` with the whole figure drawn on it (``size``: the
    plots in logical pixels, as the picture shows them; ``stretch``: x and y factors, a
    hair from 1, that make it fill a picture of a given number of pixels)."""
    zoom = _zoom(panel, presentation)
    layout = _layout_size(size, zoom)
    with _export_look(panel, layout, background, scale, zoom, presentation):
        painter = QPainter(painter_target)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        try:
            painter.scale(zoom * stretch[0], zoom * stretch[1])
            _paint(panel, painter, layout, background)
            yield painter
        finally:
            painter.end()


def render_image(panel: Panel, scale: float = 2.0, background: str = "theme",
                 size: QSize | None = None, *, presentation: bool = False,
                 pixels: QSize | None = None) -> QImage:
    """The panel as an image of (width × scale, (height + title band) × scale) pixels, or
    of exactly ``pixels`` (a size preset's: a handout's 2480 px, where 794 logical pixels
    at 3.125× would give 2481), the figure stretched by less than a pixel to fill it.

    Its resolution is recorded as 96 × scale dpi, so it prints at the panel's on-screen size.
    ``presentation``: text, markers and lines drawn larger (see :data:`PRESENTATION_ZOOM`).
    """
    if not (1 <= scale <= 4):
        raise ValueError("the scale must be between 1 and 4")
    size = size or export_size(panel)
    w, h = round(size.width() * scale), round((size.height() + HEADER) * scale)
    stretch = (1.0, 1.0)
    if pixels is not None:
        stretch = (pixels.width() / w, pixels.height() / h)
        if not all(0.99 < f < 1.01 for f in stretch):
            raise ValueError(f"{pixels.width()} × {pixels.height()} pixels is not the "
                             f"figure's size at {scale:g}×")
        w, h = pixels.width(), pixels.height()
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(Qt.GlobalColor.transparent)
    with _drawing(panel, image, size, background, scale, presentation, stretch):
        pass
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
              size: QSize | None = None, *, presentation: bool = False,
              pixels: QSize | None = None) -> Path:
    """The panel as a PNG of (width × scale) × ((height + 30) × scale) pixels, or of exactly
    ``pixels`` (see :func:`render_image`)."""
    image = render_image(panel, scale, background, size, presentation=presentation,
                         pixels=pixels)

    def write(tmp: Path) -> None:
        if not image.save(str(tmp), "PNG"):
            raise OSError(f"could not write {Path(path).name}")

    return _atomic(path, write)


def _picture(panel: Panel, size: QSize, background: str, presentation: bool) -> QPicture:
    """The figure recorded for a vector format. Qt's SVG engine (6.12) writes a stale clip
    path after QPainter.restore() returns to an earlier clip (every text label would clip
    the axes drawn after it); playing a QPicture back gives it plain clip changes."""
    picture = QPicture()
    with _drawing(panel, picture, size, background, 1.0, presentation):
        pass
    return picture


def write_svg(panel: Panel, path: Path, background: str = "theme",
              size: QSize | None = None, *, presentation: bool = False) -> Path:
    """The panel as an SVG 1.1 drawing of the panel's size in pixels (at 96 dpi)."""
    size = size or export_size(panel)
    height = size.height() + HEADER
    picture = _picture(panel, size, background, presentation)

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


def write_pdf(panel: Panel, path: Path, background: str = "theme",
              size: QSize | None = None, *, presentation: bool = False,
              dpi: float = 96.0) -> Path:
    """The panel as a one-page PDF (vector, fonts embedded) for handouts and LaTeX.

    The page is the figure: (width, height + title band) logical pixels at ``dpi`` (96: the
    size on screen; a size preset gives its own, e.g. 300 for a handout's A4 width).
    """
    size = size or export_size(panel)
    height = size.height() + HEADER
    picture = _picture(panel, size, background, presentation)

    def write(tmp: Path) -> None:
        pdf = QPdfWriter(str(tmp))
        pdf.setCreator(f"Activation Lab {core.__version__}")
        pdf.setTitle(panel.title)
        points = QSizeF(size.width() * 72 / dpi, height * 72 / dpi)
        page = QPageSize(points, QPageSize.Unit.Point, panel.title,
                         QPageSize.SizeMatchPolicy.ExactMatch)
        pdf.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait,
                                      QMarginsF(0, 0, 0, 0)))
        pdf.setResolution(round(picture.logicalDpiX()))  # painter units: the picture's
        painter = QPainter(pdf)
        try:
            # the picture is in logical pixels at the screen's dpi: fill the page with it
            fill = pdf.width() / size.width()
            painter.scale(fill, fill)
            picture.play(painter)
        finally:
            painter.end()
        if tmp.stat().st_size == 0:
            raise OSError(f"could not write {Path(path).name}")

    return _atomic(path, write)


def layout_problems(panel: Panel, size: QSize | None = None, *, presentation: bool = False,
                    data_kinds: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with the texts of the panel's figure at ``size`` (see
    ``gui.panels._placement.problems``): cut off, overlapping, or (``data_kinds``) across
    the data. An empty list: every text is whole and apart."""
    size = size or export_size(panel)
    layout = _layout_size(size, _zoom(panel, presentation))
    with _export_look(panel, layout, "theme", 1.0, _zoom(panel, presentation), presentation):
        area = QRectF(0, 0, layout.width(), layout.height())
        return problems(panel.canvas.scene(), area, data_kinds=data_kinds)


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
    """Every panel as PNG, SVG, PDF and CSV, plus experiment.json and manifest.json, in
    ``folder``.

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
    scale, background : as for :func:`write_png` (the SVG and PDF are vector: the figure's
        size at 96 dpi).

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
                 write_svg(panel, folder / f"{pid}.svg", background),
                 write_pdf(panel, folder / f"{pid}.pdf", background)]
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
