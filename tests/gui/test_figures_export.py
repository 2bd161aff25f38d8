"""Figures for a slide or a handout (#16): size presets in the Export… dialog and on the command
line, PDF, presentation styling, and nothing that only makes sense on a screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from figure_checks import check_pdf, check_png, check_svg, figure_faults, screen_only_texts
from PySide6.QtCore import QSize

from gui.export import HEADER, write_pdf, write_png, write_svg
from gui.export_dialog import ExportDialog
from gui.export_sizes import PRESETS, parse_figure_size, preset
from gui.panels.registry import panel_classes
from gui.theme import LIGHT

ROOT = Path(__file__).resolve().parents[2]
PANELS = {cls.panel_id: cls for cls in panel_classes()}


def pixels(size_key: str) -> tuple[int, int]:
    """The pixels a preset names: its PNG has exactly these (A4 width at 300 dpi: 2480,
    though 794 whole logical pixels × 3.125 would be 2481)."""
    p = preset(size_key)
    return p.width, p.height


@pytest.fixture
def make_panel(qtbot, make_view):
    def build(panel_id: str, preset_name: str = "circles-tanh", steps: int = 60):
        panel = PANELS[panel_id]()
        qtbot.addWidget(panel)
        panel.resize(900, 660)
        panel.apply_theme(LIGHT)
        panel.update_view(make_view(preset_name, steps=steps))
        return panel

    return build


# --- the sizes -------------------------------------------------------------------------------
def test_presets_are_the_sizes_a_slide_and_a_handout_need():
    slide, four_three, a4, letter = (preset(k) for k in ("slide", "slide-4:3", "a4", "letter"))
    assert (slide.width, slide.height) == (1920, 1080)
    assert (four_three.width, four_three.height) == (1440, 1080)
    # a handout is the paper's width at 300 dpi: 210 mm and 8.5 in
    assert a4.width == round(210 / 25.4 * 300) == 2480 and letter.width == 2550
    for p in PRESETS:
        plots = p.logical(HEADER)
        assert abs(plots.width() * p.scale - p.width) <= p.scale
        assert abs((plots.height() + HEADER) * p.scale - p.height) <= p.scale
    assert a4.scale * 96 == 300


def test_a_handout_png_is_exactly_the_presets_pixels(make_panel):
    """794 logical pixels at 3.125× are 2481.25 px: the figure is stretched by a hair (less
    than 0.1%) to fill the 2480 px the preset names, at 300 dpi, edge to edge."""
    from gui.export import render_image

    panel = make_panel("activation_curves")
    p = preset("a4")
    image = render_image(panel, p.scale, "white", p.logical(HEADER), pixels=p.pixels())
    assert (image.width(), image.height()) == (2480, 1653)
    assert round(image.dotsPerMeterX() * 0.0254) == 300
    # drawn to the last column and row (the white background fills it), none left blank
    for x, y in ((2479, 800), (1240, 1652), (2479, 1652)):
        assert image.pixelColor(x, y).alpha() == 255, (x, y)
    with pytest.raises(ValueError, match="not the figure's size"):
        render_image(panel, p.scale, "white", p.logical(HEADER), pixels=QSize(3000, 1653))


@pytest.mark.parametrize("text, words", [("huge", "not a figure size"), ("10x10", "between"),
                                          ("9000x600", "between"), ("", "not a figure size")])
def test_a_bad_size_is_one_sentence(text, words):
    with pytest.raises(ValueError, match=words):
        parse_figure_size(text)
    assert parse_figure_size("640x400", 2).width == 1280  # WxH is the figure as on screen


# --- the dialog ------------------------------------------------------------------------------
@pytest.mark.parametrize("size_key, fmt", [("slide", "png"), ("slide-4:3", "svg"),
                                           ("a4", "pdf"), ("a4", "png"), ("letter", "png")])
def test_dialog_writes_each_preset(make_panel, tmp_path, size_key, fmt):
    panel = make_panel("training_curves")
    dialog = ExportDialog(None, panel)
    dialog.format.setCurrentIndex(dialog.format.findData(fmt))
    dialog.size_choice.setCurrentIndex(dialog.size_choice.findData(size_key))
    assert not dialog.scale.isEnabled()  # a preset sets its own scale
    p = preset(size_key)
    plots = p.logical(HEADER)
    (path,) = dialog.export_to(tmp_path / f"out.{fmt}")
    if fmt == "png":
        assert dialog.size_label.text() == "{} × {} pixels".format(*pixels(size_key))
        check_png(path, *pixels(size_key))
    elif fmt == "svg":
        check_svg(path, plots.width(), plots.height() + HEADER)
    else:
        assert dialog.size_label.text() == "one page of 210 × 140 mm"
        check_pdf(path, plots.width(), plots.height() + HEADER)


def test_dialog_presentation_styling_draws_larger_text(make_panel, tmp_path):
    panel = make_panel("activation_curves")
    dialog = ExportDialog(None, panel)
    dialog.size_choice.setCurrentIndex(dialog.size_choice.findData("slide"))
    (plain,) = dialog.export_to(tmp_path / "plain.png")
    dialog.presentation.setChecked(True)
    (big,) = dialog.export_to(tmp_path / "big.png")
    check_png(big, 1920, 1080)
    # the same picture size, the text drawn larger: the plots' layout is smaller
    assert figure_faults(panel, QSize(960, 510), presentation=True) == []
    assert plain.read_bytes() != big.read_bytes()


# --- no screen-only text ---------------------------------------------------------------------
def test_network_graph_export_leaves_out_the_empty_selection_area(make_panel):
    panel = make_panel("network_graph")
    size = QSize(1000, 650)
    assert "Click a unit to see it here" in [t for t in _texts(panel)]  # on screen
    assert figure_faults(panel, size) == []
    from gui.export import _export_look

    with _export_look(panel, size, "theme", 1.0):
        assert not panel.detail.map_plot.isVisible() and not panel.detail.hist_plot.isVisible()
        graph = panel.graph.sceneBoundingRect()
        assert graph.width() > 0.8 * size.width()  # the graph takes the room
        assert screen_only_texts(panel.canvas.scene()) == []
    assert panel.detail.map_plot.isVisible()  # back on screen afterwards
    assert panel.detail.map_plot in panel.canvas.ci.items

    panel.select_node(0, 1)  # a selected unit is shown in the figure
    with _export_look(panel, size, "theme", 1.0):
        assert panel.detail.map_plot.isVisible() and panel.detail.hist_plot.isVisible()
    assert figure_faults(panel, size) == []


def _texts(panel) -> list[str]:
    from PySide6.QtWidgets import QGraphicsTextItem

    return [it.toPlainText() for it in panel.canvas.scene().items()
            if isinstance(it, QGraphicsTextItem) and it.isVisible()]


def test_training_curves_export_has_no_hover_hint(make_panel):
    panel = make_panel("training_curves")
    assert any("Point at a plot" in t for t in _texts(panel))
    assert figure_faults(panel, QSize(960, 510)) == []


# --- vector files ----------------------------------------------------------------------------
def test_each_panel_writes_png_svg_and_pdf_at_a_slide_size(make_panel, tmp_path):
    p = preset("slide")
    plots = p.logical(HEADER)
    for pid in ("output", "gradient_flow"):
        panel = make_panel(pid)
        check_png(write_png(panel, tmp_path / f"{pid}.png", p.scale, "theme", plots),
                  p.width, p.height)
        check_svg(write_svg(panel, tmp_path / f"{pid}.svg", "white", plots),
                  plots.width(), plots.height() + HEADER)
        check_pdf(write_pdf(panel, tmp_path / f"{pid}.pdf", "white", plots),
                  plots.width(), plots.height() + HEADER)


# --- the command line ------------------------------------------------------------------------
def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "gui", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_plot_writes_a_pdf_and_a_slide(tmp_path):
    run("plot", "relu", "tanh", "--size", "slide", "-o", str(tmp_path / "a.pdf"))
    check_pdf(tmp_path / "a.pdf", 960, 540)
    run("plot", "relu", "--derivative", "--size", "a4", "--presentation", "-o",
        str(tmp_path / "d.png"))
    check_png(tmp_path / "d.png", 2480, 1653)  # what the preset's name says
    proc = run("plot", "relu", "--size", "poster", "-o", str(tmp_path / "x.png"), check=False)
    assert proc.returncode == 2 and "not a figure size" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_train_figures_in_each_format_and_size(tmp_path):
    run("train", "--preset", "xor-2-4-1-tanh", "--epochs", "3", "--out", str(tmp_path / "a"),
        "--figures", "--format", "pdf", "--figure-size", "slide-4:3")
    for pid in PANELS:
        check_pdf(tmp_path / "a" / f"{pid}.pdf", 720, 540)
        assert not (tmp_path / "a" / f"{pid}.png").exists()
    assert (tmp_path / "a" / "training_curves.csv").exists()  # the numbers beside them
    run("train", "--preset", "xor-2-4-1-tanh", "--epochs", "2", "--out", str(tmp_path / "b"),
        "--figures", "--format", "svg")
    check_svg(tmp_path / "b" / "output.svg", 1000, 680)
    bad = run("train", "--preset", "xor-2-4-1-tanh", "--out", str(tmp_path / "c"), "--figures",
              "--figure-size", "tiny", check=False)
    assert bad.returncode == 2 and "--figure-size" in bad.stderr
    assert not (tmp_path / "c").exists()  # told before anything was trained or written
