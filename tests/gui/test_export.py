"""Exports: PNG size, colours, backgrounds and line widths; SVG content; CSV round trips against
the panels and the core; the clipboard; File → Export all panels; the Export dialog."""

from __future__ import annotations

import csv
import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest
from figure_checks import check_pdf
from PySide6.QtCore import QCoreApplication, QEvent, QSize
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QDialog

import core
import core.activations as acts
import core.presets
from core.experiment import Experiment
from gui.export import (
    HEADER,
    copy_image,
    export_all_panels,
    export_size,
    render_image,
    write_csv,
    write_png,
    write_svg,
)
from gui.export_dialog import ExportDialog
from gui.panels.registry import panel_classes
from gui.svg_strokes import bake_strokes
from gui.theme import DARK, LIGHT

SIZE = QSize(800, 520)  # roomy enough for every panel's layout
SMALL = QSize(560, 360)  # for 4×: smaller than some layouts, which then shrink to fit
PRESETS = ("circles-tanh", "iris-softmax", "seven-segment", "sine-regression")
PANELS = {cls.panel_id: cls for cls in panel_classes()}
SVG = "{http://www.w3.org/2000/svg}"


# --- helpers -----------------------------------------------------------------------------------
def rgba(image: QImage) -> np.ndarray:
    """(h, w, 4) uint8 in R, G, B, A order, not premultiplied."""
    img = image.convertToFormat(QImage.Format.Format_RGBA8888)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4).copy()


def colour_counts(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct opaque colours of an image (n, 3) and how many pixels have each."""
    opaque = arr[arr[..., 3] > 200][:, :3].astype(np.uint32)
    packed = (opaque[:, 0] << 16) | (opaque[:, 1] << 8) | opaque[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    rgb = np.column_stack([values >> 16, (values >> 8) & 255, values & 255]).astype(int)
    return rgb, counts


def pixels_near(table: tuple[np.ndarray, np.ndarray], colour: str, tol: int = 24) -> int:
    """How many pixels lie within ``tol`` (per channel) of ``colour``."""
    rgb, counts = table
    c = QColor(colour)
    close = np.abs(rgb - np.array([c.red(), c.green(), c.blue()])).max(axis=1) <= tol
    return int(counts[close].sum())


def near(arr: np.ndarray, colour: str, tol: int = 24) -> np.ndarray:
    """Mask of opaque pixels within ``tol`` (per channel) of ``colour``."""
    c = QColor(colour)
    target = np.array([c.red(), c.green(), c.blue()])
    return (np.abs(arr[..., :3].astype(int) - target).max(axis=2) <= tol) & (arr[..., 3] > 200)


def curve_colours(panel) -> set[str]:
    """Colours of the opaque, visible curves that have points in view: what the panel plots."""
    out = set()
    for item in panel.canvas.scene().items():
        if not isinstance(item, pg.PlotCurveItem) or not item.isVisible():
            continue
        if isinstance(item.parentItem(), pg.LegendItem) or item.opacity() < 1:
            continue
        pen = item.opts["pen"]
        x, y = item.getData()
        if pen is None or pen.style() == 0 or x is None or len(x) < 2:
            continue
        x = x[: len(y)]  # step curves have one more edge than values
        vb = item.getViewBox()
        if vb is None:
            continue
        (x0, x1), (y0, y1) = vb.viewRange()
        inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        if inside.sum() >= 2 and pen.color().alpha() == 255:
            out.add(pen.color().name())
    return out


def plotted_colours(panel) -> set[str]:
    """Curve colours, and the fill colours of data points in view."""
    out = curve_colours(panel)
    for item in panel.canvas.scene().items():
        if not isinstance(item, pg.ScatterPlotItem) or not item.isVisible():
            continue
        if isinstance(item.parentItem(), pg.LegendItem) or item.opacity() < 1:
            continue
        vb = item.getViewBox()
        x, y = item.getData()
        if vb is None or x is None or len(x) == 0:
            continue
        (x0, x1), (y0, y1) = vb.viewRange()
        inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        brushes = [b if b is not None else item.opts["brush"] for b in item.data["brush"]]
        for b, ok in zip(brushes, inside):
            b = pg.mkBrush(b)
            if ok and b.style() != 0 and b.color().alpha() == 255:
                out.add(b.color().name())
    return out


def read_csv(path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def as_float(cell: str) -> float:
    return math.nan if cell == "" else float(cell)


def same_cell(cell: str, value) -> bool:
    """A CSV cell equals what the panel plotted, bit for bit (NaN is an empty cell)."""
    if isinstance(value, str):
        return cell == value
    v = float(value)
    if math.isnan(v):
        return cell == ""
    return float(cell) == v


@pytest.fixture
def make_panel(qtbot, make_view):
    def build(panel_id: str, preset: str = "circles-tanh", theme=LIGHT):
        panel = PANELS[panel_id]()
        qtbot.addWidget(panel)
        panel.resize(SIZE.width() + 8, SIZE.height() + 60)
        panel.apply_theme(theme)
        panel.update_view(make_view(preset, steps=30))
        return panel

    return build


# --- PNG ---------------------------------------------------------------------------------------
def check_png(path, panel, scale: int, size: QSize = SIZE) -> None:
    """The file is (w × scale) × ((h + title band) × scale) and shows what the panel plots."""
    image = QImage(str(path))
    assert (image.width(), image.height()) == (size.width() * scale,
                                                (size.height() + HEADER) * scale)
    assert round(image.dotsPerMeterX() * 0.0254) == 96 * scale  # prints at screen size
    arr = rgba(image)
    assert tuple(arr[0, 0]) == (255, 255, 255, 255)  # the light theme's background
    colours = plotted_colours(panel)
    table = colour_counts(arr)
    found = {c for c in colours if pixels_near(table, c) >= 3 * scale}
    assert len(found) >= (len(colours) + 1) // 2, (
        f"{panel.panel_id} at {scale}×: plotted {colours}, found only {found}")
    if not colours:  # a panel of images and tables: still colourful
        assert (np.ptp(arr[..., :3].astype(int), axis=2) > 60).mean() > 0.002


def check_svg(path, panel) -> None:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == f"0 0 {SIZE.width()} {SIZE.height() + HEADER}"
    assert (root.get("width"), root.get("height")) == (str(SIZE.width()),
                                                       str(SIZE.height() + HEADER))
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert panel.title in texts
    # strokes live in drawing coordinates (see gui/export.py): none is left non-scaling
    assert "non-scaling-stroke" not in path.read_text(encoding="utf-8")
    stroked = {g.get("stroke", "").lower() for g in root.iter(f"{SVG}g")
               if any(ch.tag == f"{SVG}path" for ch in g)}
    missing = {c.lower() for c in curve_colours(panel)} - stroked
    assert not missing, f"{panel.panel_id}: curves {missing} are not paths in the SVG"


def check_csv(written, panel, folder) -> None:
    tables = panel.csv_tables()
    assert tables, f"{panel.panel_id} has nothing to export"
    assert written[0] == folder / "data.csv"
    assert [p.name for p in written[1:]] == [f"data-{t.name}.csv" for t in tables[1:]]
    for path, table in zip(written, tables, strict=True):
        header, rows = read_csv(path)
        assert tuple(header) == table.header
        expected = np.asarray(table.rows)
        assert len(rows) == expected.shape[0]
        for row, want in zip(rows, expected):
            assert len(row) == len(want)
            assert all(same_cell(c, v) for c, v in zip(row, want)), (path.name, row, want)


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("panel_id", list(PANELS))
def test_every_panel_writes_png_svg_and_csv(make_panel, tmp_path, panel_id, preset):
    """Each panel in each of its modes (map, curve, confusion matrix, segment table, ...)."""
    panel = make_panel(panel_id, preset)
    check_png(write_png(panel, tmp_path / "p.png", 1, "theme", SIZE), panel, 1)
    check_svg(write_svg(panel, tmp_path / "p.svg", "theme", SIZE), panel)
    check_csv(write_csv(panel, tmp_path / "data.csv"), panel, tmp_path)


@pytest.mark.parametrize("panel_id", list(PANELS))
def test_png_scales_and_backgrounds(make_panel, tmp_path, panel_id):
    panel = make_panel(panel_id)
    check_png(write_png(panel, tmp_path / "p2.png", 2, "theme", SIZE), panel, 2)
    check_png(write_png(panel, tmp_path / "p4.png", 4, "theme", SMALL), panel, 4, SMALL)
    white = rgba(render_image(panel, 1, "white", SIZE))
    clear = rgba(render_image(panel, 1, "transparent", SIZE))
    w = SIZE.width()
    for x, y in ((0, 0), (w - 1, 0), (0, 1), (w - 2, 2)):
        assert tuple(white[y, x]) == (255, 255, 255, 255)
        assert clear[y, x, 3] == 0
    assert (clear[..., 3] > 0).mean() > 0.01  # the plots themselves are there


def test_white_background_of_a_dark_panel_uses_light_colours_then_restores(make_panel):
    panel = make_panel("training_curves", theme=DARK)
    dark = rgba(render_image(panel, 1, "theme", SIZE))
    assert near(dark, DARK.background, 0)[0, 0]
    assert near(dark, DARK.series[0]).sum() > 20
    white = rgba(render_image(panel, 1, "white", SIZE))
    assert near(white, LIGHT.series[0]).sum() > 20  # light-theme colours, readable on white
    assert near(dark, DARK.background, 6).mean() > 0.5
    assert near(white, DARK.background, 6).mean() < 0.05
    assert panel.theme is DARK
    again = rgba(render_image(panel, 1, "theme", SIZE))
    assert np.array_equal(again, dark)


def test_bad_scale_or_background_is_refused(make_panel, tmp_path):
    panel = make_panel("activation_curves")
    with pytest.raises(ValueError, match="scale"):
        render_image(panel, 5, "theme", SIZE)
    with pytest.raises(ValueError, match="background"):
        write_png(panel, tmp_path / "x.png", 2, "pink", SIZE)
    assert not list(tmp_path.iterdir())


def _thickness(arr: np.ndarray, colour: str) -> float:
    """Median count of ``colour`` pixels per column, over columns where the curve is."""
    counts = near(arr, colour, 60).sum(axis=0)
    return float(np.median(counts[counts > 0]))


def test_lines_stay_proportionally_thick(make_panel):
    panel = make_panel("activation_curves")
    panel.picker.set_selected(["sigmoid"])  # one flat-ish curve: columns cross it once
    c = LIGHT.series[0]
    one = _thickness(rgba(render_image(panel, 1, "theme", SIZE)), c)
    four = _thickness(rgba(render_image(panel, 4, "theme", SIZE)), c)
    assert 3 <= four / one <= 5, (one, four)
    # the axis lines grow too: count the rows that a long horizontal line fills
    fg = LIGHT.foreground

    def axis_rows(scale: int) -> int:
        mask = near(rgba(render_image(panel, scale, "theme", SIZE)), fg, 40)
        return int((mask.sum(axis=1) > 0.6 * mask.shape[1]).sum())

    assert 3 <= axis_rows(4) / axis_rows(1) <= 5


@pytest.mark.parametrize("panel_id", ["output", "training_curves"])
def test_export_leaves_the_panel_as_it_was(make_panel, qtbot, panel_id):
    """Same layout, ranges, auto-range (linked views switch it off on resize), pens."""
    panel = make_panel(panel_id)
    panel.show()
    qtbot.waitExposed(panel)
    for _ in range(2):  # painted on screen and laid out again: settled
        panel.canvas.grab()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    items = panel.canvas.scene().items

    def state():
        views = [(vb.viewRange(), [bool(a) for a in vb.state["autoRange"]])
                 for vb in items() if isinstance(vb, pg.ViewBox)]
        pens = [it.opts["pen"].widthF() for it in items()
                if isinstance(it, pg.PlotCurveItem) and it.opts["pen"] is not None]
        return panel.canvas.ci.geometry(), views, pens

    before = state()
    if panel_id == "training_curves":  # its x axes are linked, and auto-ranged
        assert any(any(auto) for _, auto in before[1])
    render_image(panel, 4, "transparent", QSize(700, 500))
    assert state() == before
    assert not any(getattr(it, "_exportOpts", False) for it in items())


@pytest.mark.parametrize("panel_id, preset", [("output", "seven-segment"),
                                              ("training_curves", "circles-tanh")])
def test_a_panel_never_on_screen_exports_as_it_would_show(make_panel, qtbot, panel_id, preset):
    """Hidden docks, --figures: the export must not depend on the panel having been shown."""
    panel = make_panel(panel_id, preset)
    unseen = rgba(render_image(panel, 1, "theme", SIZE))
    panel.resize(SIZE.width() + 8, SIZE.height() + 60)
    panel.show()
    qtbot.waitExposed(panel)
    for _ in range(2):
        panel.canvas.grab()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    seen = rgba(render_image(panel, 1, "theme", SIZE))
    assert (unseen != seen).any(axis=2).mean() < 0.01


# --- SVG ---------------------------------------------------------------------------------------
def test_svg_strokes_are_baked_into_drawing_coordinates():
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><g>'
           b'<g stroke="#ff0000" stroke-width="2" transform="matrix(10,0,0,-5,50,60)">'
           b'<polyline vector-effect="non-scaling-stroke" points="0,0 1,2"/>'
           b'<text x="1" y="1">keep</text>'
           b'<path vector-effect="non-scaling-stroke" d="M0,0 L1,1 C1,2 2,2 2,1 Z"/>'
           b'<rect vector-effect="non-scaling-stroke" x="0" y="0" width="1" height="1"/>'
           b"</g></g></svg>")
    root = ET.fromstring(bake_strokes(svg))
    groups = list(root[0])
    assert [g.get("transform") for g in groups] == [None, "matrix(10,0,0,-5,50,60)", None]
    assert groups[0][0].tag == f"{SVG}path"  # a polyline becomes a path, in drawing pixels
    assert groups[0][0].get("d") == "M 50,60 L 60,50"
    assert groups[1][0].tag == f"{SVG}text"  # text keeps its transform
    assert groups[2][0].get("d") == "M 50,60 L 60,55 C 60,50 70,50 70,55 Z"
    assert groups[2][1].tag == f"{SVG}polygon"
    assert groups[2][1].get("points") == "50,60 60,60 60,55 50,55"
    assert all(g.get("stroke-width") == "2" for g in groups)
    assert b"vector-effect" not in ET.tostring(root)


def test_svg_clips_curves_to_their_plot(make_panel, tmp_path):
    """Zoomed in, curves run past the plot: the SVG must clip them (and only them)."""
    panel = make_panel("activation_curves")
    vb = panel.plot_items()[0].getViewBox()
    vb.setRange(xRange=(-1, 1), yRange=(-0.2, 0.2), padding=0)
    root = ET.parse(write_svg(panel, tmp_path / "z.svg", "theme", SIZE)).getroot()
    clips = {c.get("id"): c for c in root.iter(f"{SVG}clipPath")}
    parents = {ch: p for p in root.iter() for ch in p}

    def clip_of(el):
        while el is not None:
            ref = el.get("clip-path")
            if ref:
                return clips[ref[5:-1]]
            el = parents.get(el)
        return None

    curve = LIGHT.series[0].lower()
    curve_groups = [g for g in root.iter(f"{SVG}g") if g.get("stroke", "").lower() == curve
                    and any(ch.tag == f"{SVG}path" for ch in g)]
    assert curve_groups
    for g in curve_groups:
        clip = clip_of(g)
        assert clip is not None, "a curve is not clipped to its plot"
        d = clip[0].get("d")
        xs = [float(v) for v in d.replace("M", " ").replace("L", " ").replace("Z", " ")
              .replace(",", " ").split()][0::2]
        assert max(xs) - min(xs) > SIZE.width() * 0.5  # the plot area, not a text label's box
    # axis lines and text are drawn, not hidden by a stale clip of a text label
    fg = LIGHT.foreground.lower()
    for g in root.iter(f"{SVG}g"):
        if g.get("stroke", "").lower() == fg and any(ch.tag == f"{SVG}path" for ch in g):
            clip = clip_of(g)
            if clip is not None:
                d = clip[0].get("d")
                xs = [float(v) for v in d.replace("M", " ").replace("L", " ")
                      .replace("Z", " ").replace(",", " ").split()][0::2]
                assert max(xs) - min(xs) > 100, "an axis line is clipped to a label's box"


def test_svg_renders_back_like_the_png(make_panel, tmp_path):
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgRenderer

    panel = make_panel("training_curves")
    path = write_svg(panel, tmp_path / "t.svg", "theme", SIZE)
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid()
    image = QImage(SIZE.width(), SIZE.height() + HEADER, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    drawn, png = rgba(image), rgba(render_image(panel, 1, "theme", SIZE))
    for colour in (LIGHT.series[0], LIGHT.series[1]):
        a, b = near(drawn, colour, 40), near(png, colour, 40)
        assert a.sum() > 50
        ys, xs = np.nonzero(a)
        ys2, xs2 = np.nonzero(b)
        assert abs(np.median(xs) - np.median(xs2)) < 8 and abs(np.median(ys) - np.median(ys2)) < 8


# --- CSV ---------------------------------------------------------------------------------------
def test_csv_activation_curves_equal_the_core(make_panel, tmp_path):
    panel = make_panel("activation_curves")
    panel.picker.set_selected(["sigmoid", "tanh", "relu", "leaky_relu"])
    panel.picker.set_param("leaky_relu", "alpha", 0.2)
    header, rows = read_csv(write_csv(panel, tmp_path / "a.csv")[0])
    data = np.array([[as_float(c) for c in r] for r in rows])
    z = data[:, 0]
    assert header[0] == "z" and z.size > 100
    for i, act in enumerate(panel.picker.shown(), start=1):
        assert act.info.display_name in header[i] or act.name in header[i]
        np.testing.assert_array_equal(data[:, i], act.f(z))
    leaky = acts.get("leaky_relu", alpha=0.2)
    assert data[0, 4] == leaky.f(z[:1])[0] == pytest.approx(0.2 * z[0])


def test_csv_training_curves_and_histograms_equal_the_core(make_panel, tmp_path):
    panel = make_panel("training_curves")
    hist = panel.view.snapshot.history
    header, rows = read_csv(write_csv(panel, tmp_path / "t.csv")[0])
    data = np.array([[as_float(c) for c in r] for r in rows])
    for i, name in enumerate(header):
        np.testing.assert_array_equal(data[:, i], np.asarray(hist[name], dtype=float), name)

    panel = make_panel("histograms")
    layers = panel.view.snapshot.layers
    written = write_csv(panel, tmp_path / "h.csv")
    assert len(written) == len(layers)
    for path, layer in zip(written, layers):
        header, rows = read_csv(path)
        data = np.array([[as_float(c) for c in r] for r in rows])
        assert header == ["edge_left", "edge_right", "count"]
        np.testing.assert_array_equal(data[:, 0], layer.z_hist.edges[:-1])
        np.testing.assert_array_equal(data[:, 1], layer.z_hist.edges[1:])
        np.testing.assert_array_equal(data[:, 2], layer.z_hist.counts)


def test_csv_of_an_empty_panel_is_refused(qtbot, tmp_path):
    panel = PANELS["training_curves"]()
    qtbot.addWidget(panel)
    with pytest.raises(ValueError, match="no data"):
        write_csv(panel, tmp_path / "x.csv")
    assert not list(tmp_path.iterdir())


def test_a_failed_write_leaves_the_old_file_and_no_temporary(make_panel, tmp_path, monkeypatch):
    panel = make_panel("activation_curves")
    target = tmp_path / "a.png"
    target.write_bytes(b"old")
    monkeypatch.setattr(QImage, "save", lambda *a, **k: False)
    with pytest.raises(OSError):
        write_png(panel, target, 1, "theme", SIZE)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


# --- clipboard ---------------------------------------------------------------------------------
def test_copy_image_puts_the_picture_on_the_clipboard(make_panel):
    panel = make_panel("activation_curves")
    QGuiApplication.clipboard().clear()
    copy_image(panel, 2, "white")
    image = QGuiApplication.clipboard().image()
    assert not image.isNull()
    size = export_size(panel)
    assert size == QSize(900, 600)  # not on screen: the default figure size
    assert (image.width(), image.height()) == (size.width() * 2, (size.height() + HEADER) * 2)
    assert near(rgba(image), LIGHT.series[0]).sum() > 20


# --- export all panels and the dialog ----------------------------------------------------------
@pytest.fixture
def lab(make_lab, qtbot):
    """The window as the app wires it at 1200×760, trained for 40 steps."""
    lab = make_lab(size=(1200, 760))
    session = lab.session
    with qtbot.waitSignal(session.viewChanged, timeout=15000):
        session.step(40)
    qtbot.waitUntil(lambda: session.last_view.snapshot.step >= 40, timeout=15000)
    return lab


def test_export_all_panels_writes_every_figure_settings_and_manifest(lab, window, tmp_path,
                                                                     monkeypatch):
    window.panels["training_curves"].log_box.setChecked(True)  # a panel choice to carry along
    written = export_all_panels(window.panels, tmp_path / "figures",
                                settings=window.experiment_settings,
                                view=lab.session.last_view, theme=window.theme_name, scale=1)
    folder = tmp_path / "figures"
    assert set(written) <= set(folder.iterdir())
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for pid in window.panels:
        png = QImage(str(folder / f"{pid}.png"))
        assert not png.isNull() and png.width() >= 300
        ET.parse(folder / f"{pid}.svg")
        # the PDF beside them: one page of the figure's size (at 96 dpi, as on screen)
        check_pdf(folder / f"{pid}.pdf", png.width(), png.height())
        assert (folder / f"{pid}.csv").exists()
        assert f"{pid}.pdf" in manifest["files"][pid]
    exp_dict = json.loads((folder / "experiment.json").read_text(encoding="utf-8"))
    exp = Experiment.from_dict(exp_dict)
    assert exp.dataset == window.session.experiment.dataset
    assert exp.network == window.session.experiment.network
    assert exp.panels == window.panel_states()
    assert exp.panels["training_curves"]["log_y"] is True
    assert manifest["version"] == core.__version__
    assert manifest["epoch"] == window.session.last_view.snapshot.epoch
    assert manifest["step"] == window.session.last_view.snapshot.step >= 40
    assert manifest["settings"] == exp_dict
    assert set(manifest["files"]) == set(window.panels)
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]

    # the toolbar's Export… opens the dialog for the panel in view
    opened = []
    monkeypatch.setattr(ExportDialog, "exec", lambda self: opened.append(self.panel) or 0)
    assert window.transport.export.text() == "Export…"
    window.transport.export.trigger()
    assert opened == [window.current_panel()]


@pytest.mark.parametrize("key", ["png", "svg", "csv", "clipboard"])
def test_dialog_exports_each_format(make_panel, tmp_path, key):
    panel = make_panel("training_curves")
    dialog = ExportDialog(None, panel)
    dialog.format.setCurrentIndex(dialog.format.findData(key))
    dialog.scale.setValue(1)
    dialog.background.setCurrentIndex(dialog.background.findData("white"))
    assert dialog.scale.isEnabled() == (key in ("png", "clipboard"))
    if key == "png":
        assert dialog.size_label.text() == "900 × 630 pixels"  # 1×, the default figure size
    assert dialog.background.isEnabled() == (key != "csv")
    QGuiApplication.clipboard().clear()
    written = dialog.export_to(tmp_path / f"out.{key}")
    if key == "clipboard":
        assert written == [] and not QGuiApplication.clipboard().image().isNull()
        return
    assert written[0] == tmp_path / f"out.{key}"
    if key == "png":
        arr = rgba(QImage(str(written[0])))
        assert tuple(arr[0, 0]) == (255, 255, 255, 255)
    elif key == "svg":
        assert ET.parse(written[0]).getroot().tag == f"{SVG}svg"
    else:
        header, _ = read_csv(written[0])
        assert header[0] == "epoch"


def test_dialog_save_asks_for_a_name_adds_the_suffix_and_reports_errors(
        make_panel, tmp_path, monkeypatch):
    import gui.export_dialog as mod

    panel = make_panel("activation_curves")
    dialog = ExportDialog(None, panel)
    dialog.format.setCurrentIndex(dialog.format.findData("svg"))
    monkeypatch.setattr(mod.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "curves"), "")))
    dialog.buttons.accepted.emit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.written == [tmp_path / "curves.svg"]

    warnings = []
    monkeypatch.setattr(mod.QMessageBox, "warning", staticmethod(
        lambda parent, title, text: warnings.append(text)))
    monkeypatch.setattr(mod.QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(tmp_path / "missing" / "curves.svg"), "")))
    again = ExportDialog(None, panel)
    again.format.setCurrentIndex(again.format.findData("svg"))
    again.buttons.accepted.emit()
    assert again.result() != QDialog.DialogCode.Accepted
    assert len(warnings) == 1 and warnings[0].startswith("Could not export")


def test_export_size_is_the_screen_size_but_never_cramped(make_panel, qtbot):
    panel = make_panel("histograms", "deep-sigmoid")  # eleven layers: a wide layout
    panel.resize(1300, 800)
    panel.show()
    qtbot.waitExposed(panel)
    assert export_size(panel) == panel.canvas.size()  # large on screen: as seen
    panel.resize(500, 350)
    qtbot.waitUntil(lambda: panel.canvas.width() < 900)  # (its plots scroll, see histograms)
    size = export_size(panel)
    least = panel.canvas.ci.minimumSize()
    assert size.width() >= max(900, least.width()) and size.height() >= max(600, least.height())


def _arrangement(panel):
    """What a small dock changes in each panel's plots (see Panel.fit_to)."""
    if panel.panel_id == "derivatives":
        return ("captions shown", panel.caption_a.isVisible())
    if panel.panel_id == "gradient_flow":
        return ("x titles shown", panel.bar_plot.getAxis("bottom").label.isVisible())
    return ("columns", panel.columns)


@pytest.mark.parametrize("pid", ["derivatives", "gradient_flow", "histograms"])
def test_a_small_dock_does_not_cramp_the_export(make_panel, qtbot, tmp_path, monkeypatch, pid):
    """A laptop's tab area hides captions, axis titles and columns; the figure gets its own
    arrangement for its own size, and the dock gets its own back afterwards."""
    import gui.export as export

    panel = make_panel(pid, "deep-sigmoid")
    panel.resize(590, 300)
    panel.show()
    qtbot.waitExposed(panel)
    panel.fit_to(None)
    on_screen = _arrangement(panel)
    assert on_screen[1] in (False, 3)  # the dock's arrangement is the compact one
    seen = []
    settle = export._settle

    def spy(scene, size):
        seen.append(_arrangement(panel))
        settle(scene, size)

    monkeypatch.setattr(export, "_settle", spy)
    write_png(panel, tmp_path / "figure.png", 1.0)
    assert seen and seen[0][1] in (True, 4)  # the figure's arrangement: everything shown
    assert _arrangement(panel) == on_screen
