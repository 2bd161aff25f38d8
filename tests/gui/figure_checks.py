"""What every exported figure must be, checked on the laid-out scene and on the files:
plots that should have data have it, texts are whole and apart, nothing screen-only shows,
and PNG, SVG and PDF files read back. Used by the gallery and laptop-fit tests."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsTextItem

from gui.export import HEADER, _export_look, _layout_size
from gui.panels._placement import problems

#: texts that only make sense on a screen (hover hints, an empty selection area)
SCREEN_ONLY = ("Point at", "point at", "Click a unit", "click a unit", "Hover", "hover")
SVG = "{http://www.w3.org/2000/svg}"


def finite_points(item) -> int:
    """How many finite points a data item draws."""
    if isinstance(item, pg.PlotDataItem):
        x, y = item.getData()
    elif isinstance(item, pg.PlotCurveItem):
        x, y = item.getData()
    elif isinstance(item, pg.ScatterPlotItem):
        x, y = item.data["x"], item.data["y"]
    elif isinstance(item, pg.BarGraphItem):
        h = item.opts.get("height")
        return 0 if h is None else int(np.isfinite(np.asarray(h, dtype=float)).sum()) * 2
    elif isinstance(item, pg.ImageItem):
        img = item.image
        return 0 if img is None else int(np.isfinite(np.asarray(img, dtype=float)).sum())
    else:  # a drawing of its own (the 7-segment digits): drawn if it has an extent
        rect = item.boundingRect()
        return 2 if rect.width() > 0 and rect.height() > 0 else 0
    if x is None or y is None or not len(x):
        return 0
    n = min(len(x), len(y))
    x, y = np.asarray(x[:n], dtype=float), np.asarray(y[:n], dtype=float)
    return int((np.isfinite(x) & np.isfinite(y)).sum())


def plots_without_data(scene) -> list[str]:
    """Plots that show axes but draw fewer than two finite points: each visible plot either
    says in words why it is empty (a visible note in its view) or draws ≥ 2 points (or, for
    a run of one epoch, its one point as a dot)."""
    out = []
    for plot in [it for it in scene.items() if isinstance(it, pg.PlotItem)]:
        if isinstance(plot, pg.ColorBarItem) or not plot.isVisible():
            continue
        vb = plot.vb
        if any(isinstance(c, pg.TextItem) and c.isVisible() and c.toPlainText().strip()
               and c.parentItem() is vb for c in vb.childItems()):
            continue  # an EmptyNote (parented to the view) says why
        items = [it for it in vb.addedItems if it.isVisible()]
        counts = [finite_points(it) for it in items]
        # a run of one epoch has one point over time: drawn as a dot, it is not missing
        dots = [it for it, c in zip(items, counts, strict=True) if c == 1
                and isinstance(it, pg.PlotDataItem) and it.opts.get("symbol") is not None]
        if max(counts, default=0) < 2 and not dots:
            title = plot.titleLabel.text or "untitled plot"
            out.append(f"{re.sub('<[^>]+>', ' ', title)[:50]!r} draws no data")
    return out


def screen_only_texts(scene) -> list[str]:
    found = []
    for item in scene.items():
        if isinstance(item, QGraphicsTextItem) and item.isVisible() \
                and item.effectiveOpacity() > 0:
            text = item.toPlainText()
            if any(word in text for word in SCREEN_ONLY):
                found.append(text[:60])
    return found


def figure_faults(panel, size: QSize, *, presentation: bool = False,
                  data_kinds: tuple[str, ...] = ()) -> list[str]:
    """Everything wrong with the panel's figure at ``size`` (plots, without the title band)."""
    zoom = 1.5 if presentation else 1.0
    layout = _layout_size(size, zoom)
    with _export_look(panel, layout, "theme", 1.0, zoom, presentation):
        scene = panel.canvas.scene()
        area = QRectF(0, 0, layout.width(), layout.height())
        return [*problems(scene, area, data_kinds=data_kinds), *plots_without_data(scene),
                *(f"screen-only text {t!r}" for t in screen_only_texts(scene))]


def check_png(path: Path, width: int, height: int) -> None:
    image = QImage(str(path))
    assert not image.isNull(), path
    assert (image.width(), image.height()) == (width, height), path


def check_svg(path: Path, width: int, height: int) -> None:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    box = [float(v) for v in root.get("viewBox").split()]
    assert box[2:] == [width, height], path
    assert len(list(root.iter(f"{SVG}path"))) + len(list(root.iter(f"{SVG}polyline"))) > 5


def pdf_pages(path: Path) -> list[tuple[float, float]]:
    """Each page's size (points), read back from the file."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path
    pages = re.findall(rb"/Type\s*/Page[^s]", data)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert len(boxes) == len(pages), path
    return [(float(w), float(h)) for w, h in boxes]


def check_pdf(path: Path, width: int, height: int, dpi: float = 96) -> None:
    """One page of (width × height) logical pixels at ``dpi``, within a point."""
    pages = pdf_pages(path)
    assert len(pages) == 1, pages
    (w, h), = pages
    assert abs(w - width * 72 / dpi) <= 1 and abs(h - height * 72 / dpi) <= 1, (w, h)


__all__ = ["HEADER", "check_pdf", "check_png", "check_svg", "figure_faults", "pdf_pages",
           "plots_without_data", "screen_only_texts"]
