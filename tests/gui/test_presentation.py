"""Presentation mode (View → Presentation Mode, F5): larger text, thicker lines and markers,
larger toolbar icons, a palette to choose; back exactly when it is switched off; kept in the
settings; ``--presentation`` on the command line; exports unchanged unless asked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QApplication

from gui.export import render_image
from gui.presentation import Presentation
from gui.theme import LIGHT, PRESENTATION

ROOT = Path(__file__).resolve().parents[2]


def _pens(panel) -> list[float]:
    """The widths of the visible curves' pens, as the next paint draws them."""
    panel.canvas.scene().prepareForPaint()  # presentation mode widens pens before a paint
    return [it.opts["pen"].widthF() for it in panel.canvas.scene().items()
            if isinstance(it, pg.PlotCurveItem) and it.isVisible()
            and it.opts["pen"].style() != Qt.PenStyle.NoPen]


def _look(window) -> dict:
    curves = window.panels["training_curves"]
    return {"font": window.font(), "controls": window.controls.font().pointSizeF(),
            "icons": window.transport.iconSize(), "pens": _pens(curves),
            "theme": curves.theme, "canvas": curves.canvas.font().pointSizeF(),
            "histograms": window.dockWidgetArea(window.docks["histograms"]),
            "controls_area": window.dockWidgetArea(window.docks["controls"]),
            "tabbed": [d.objectName() for d in
                       window.tabifiedDockWidgets(window.docks["training_curves"])]}


def test_toggling_enlarges_everything_and_puts_it_back_exactly(lab):
    window, menus = lab.window, lab.menus
    before = _look(window)
    assert before["pens"], "the training curves draw no lines"

    menus.presentation_action.trigger()
    assert menus.presentation_action.isChecked() and window.presentation.on
    on = _look(window)
    zoom = PRESENTATION["zoom"]
    assert on["controls"] == pytest.approx(before["controls"] * zoom)
    assert on["icons"] == QSize(round(before["icons"].width() * zoom),
                                round(before["icons"].height() * zoom))
    assert on["theme"].zoom == zoom and on["theme"].line == pytest.approx(zoom * 1.25)
    # every line the panel draws, thicker; the plots' own text grows with the zoom instead
    assert len(on["pens"]) == len(before["pens"])
    assert all(b * zoom * 1.25 == pytest.approx(a) for a, b in zip(on["pens"], before["pens"],
                                                                    strict=True))
    assert on["canvas"] == before["canvas"]
    # the map and the curves side by side, the other panels as tabs behind the curves; at
    # 1366 px (910 at 1.5×) the Experiment controls too, the first of them
    assert on["tabbed"][:2] == ["dock-controls", "dock-activation_curves"]
    assert "dock-histograms" in on["tabbed"]

    menus.presentation_action.trigger()
    assert not window.presentation.on
    assert _look(window) == before
    assert window.panels["training_curves"].theme == LIGHT


def test_a_wide_screen_keeps_the_experiment_dock_beside_the_panels(make_lab, qtbot):
    window = make_lab(size=(1920, 1080), start=False).window
    window.set_presentation(window.presentation.toggled(True))
    tabbed = window.tabifiedDockWidgets(window.docks["training_curves"])
    assert window.docks["histograms"] in tabbed and window.docks["controls"] not in tabbed
    qtbot.waitUntil(lambda: window.docks["controls"].width() > 350, timeout=5000)
    window.set_presentation(window.presentation.toggled(False))


def test_ctrl_equal_grows_the_text_and_ctrl_minus_shrinks_it(lab, qtbot):
    window, menus = lab.window, lab.menus
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    assert not menus.text_actions["larger"].isEnabled()  # only in presentation mode
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.presentation.on
    size = window.controls.font().pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.presentation.zoom == PRESENTATION["zoom"] + PRESENTATION["step"]
    assert window.controls.font().pointSizeF() > size
    assert window.panels["training_curves"].theme.zoom == window.presentation.zoom
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.presentation.zoom == PRESENTATION["zoom"] - PRESENTATION["step"]
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.presentation.zoom == PRESENTATION["zoom"]
    assert QKeySequence("Ctrl++") in menus.text_actions["larger"].shortcuts()


def test_the_mode_its_size_and_palette_survive_a_restart(make_lab, tmp_path):
    path = str(tmp_path / "settings.ini")
    settings = QSettings(path, QSettings.Format.IniFormat)
    unshown = dict(size=None, theme=None, show=False, start=False)
    lab = make_lab(settings=settings, **unshown)
    window = lab.window
    window.set_presentation(Presentation(True, 1.75, "high-contrast"))
    window.save_settings()
    lab.session.shutdown()
    settings.sync()

    lab2 = make_lab(settings=QSettings(path, QSettings.Format.IniFormat), **unshown)
    window2 = lab2.window
    window2.restore_settings()
    try:
        assert window2.presentation == Presentation(True, 1.75, "high-contrast")
        assert lab2.menus.presentation_action.isChecked()
        assert lab2.menus.palette_actions["high-contrast"].isChecked()
        theme = window2.panels["output"].theme
        assert theme.zoom == 1.75 and theme.palette == "high-contrast"
        assert theme.background == "#FFFFFF" and theme.foreground == "#000000"
    finally:
        window2.set_presentation(Presentation())


def test_presentation_state_refuses_nonsense():
    assert Presentation(zoom=99).zoom == PRESENTATION["max"]
    assert Presentation(zoom=float("nan")).zoom == PRESENTATION["zoom"]
    assert Presentation(zoom=1.6).zoom == 1.5  # on the menu's steps
    assert Presentation(palette="neon").palette == "standard"
    top = Presentation(True, PRESENTATION["max"])
    assert top.larger() == top and Presentation(True, PRESENTATION["min"]).smaller().zoom == 1.25
    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "nowhere", "x")
    settings.clear()
    settings.setValue("view/presentation_zoom", "big")
    settings.setValue("view/presentation", "maybe")
    assert Presentation.load(settings) == Presentation()
    settings.clear()


def test_exports_stay_as_they_are_unless_asked(lab, monkeypatch):
    """What an export paints with: the theme and the pens at the moment it draws. (The
    pictures themselves are not compared: an export keeps the ranges shown on screen, and
    presentation mode's layout gives the plots other shapes there.)"""
    import gui.export

    seen = []
    paint = gui.export._paint

    def record(panel, painter, size, background):
        seen.append((panel.theme, _widths(panel)))
        paint(panel, painter, size, background)

    monkeypatch.setattr(gui.export, "_paint", record)
    window = lab.window
    panel = window.panels["training_curves"]
    size = QSize(600, 400)
    for presentation in (False, True):
        render_image(panel, 1.0, "white", size)
        render_image(panel, 1.0, "white", size, presentation=True)
        window.set_presentation(window.presentation.toggled(not presentation))
    (plain, asked, plain_on, asked_on) = seen
    assert plain == plain_on  # presentation mode on: the same theme, the same pens
    assert plain[0] == LIGHT
    assert asked == asked_on  # asked for: the same styling either way
    zoom = PRESENTATION["zoom"]  # (the export scales text itself: its theme is unscaled)
    assert asked[1] == pytest.approx([w * zoom for w in plain[1]])


def _widths(panel) -> list[float]:
    return sorted(it.opts["pen"].widthF() for it in panel.canvas.scene().items()
                  if isinstance(it, pg.PlotCurveItem) and it.isVisible())


def test_presentation_screenshot_from_the_command_line(tmp_path):
    out, plain = tmp_path / "presenting.png", tmp_path / "plain.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for path, extra in ((out, ["--presentation"]), (plain, [])):
        proc = subprocess.run(
            [sys.executable, "-m", "gui", "--screenshot", str(path), "--steps", "30",
             "--size", "1280x720", *extra], cwd=ROOT, env=env, capture_output=True,
            text=True, timeout=180)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    big, small = QImage(str(out)), QImage(str(plain))
    assert big.size() == QSize(1280, 720)
    # the menu bar's words are 1.5 times as tall and wide: about twice the ink (2.3 measured)
    assert _ink(big) > 1.8 * _ink(small)


def _ink(image: QImage) -> int:
    """Dark pixels in the menu bar (the top 26 rows, the left 300 columns): its words."""
    img = image.convertToFormat(QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    top = a[:26, :300, :3].astype(int).sum(axis=2)
    return int((top < 300).sum())


def test_widening_pens_before_a_paint_asks_for_no_second_paint(monkeypatch):
    """The Thickener runs just before each paint: asking for another paint there painted
    every panel twice a frame in presentation mode (bench_gui: 58 paints/s for 29 frames)."""
    from gui.panels._pens import Thickener

    curve = pg.PlotCurveItem([0, 1, 2], [0, 1, 0], pen=pg.mkPen("k", width=2))
    asked = []
    monkeypatch.setattr(curve, "update", lambda *a: asked.append(a))
    thick = Thickener()
    thick.set_factors(1.5, 1.5)
    thick.apply([curve])
    assert curve.opts["pen"].widthF() == 3.0 and not asked
    thick.set_factors(1.0, 1.0)  # back: the original pen, and a repaint to show it
    assert curve.opts["pen"].widthF() == 2.0 and asked


def test_a_warning_is_as_large_as_the_window_text(lab):
    """A diverged run's message is for the whole class: it comes in presentation size."""
    from gui.messages import warn

    window = lab.window
    plain = warn(window, "training diverged").font().pointSizeF()
    window.set_presentation(window.presentation.toggled(True))
    try:
        box = warn(window, "training diverged")
        assert box.font().pointSizeF() == pytest.approx(plain * PRESENTATION["zoom"])
        box.close()
    finally:
        window.set_presentation(window.presentation.toggled(False))


def test_every_pen_is_widened_once_however_often_the_panels_paint(lab):
    """Pens kept by Qt items (item.pen() returns a copy) were widened again before every
    paint, until Qt refused the width ("Setting a pen width that is out of range")."""
    from PySide6.QtWidgets import QAbstractGraphicsShapeItem, QGraphicsLineItem

    window = lab.window
    panels = [window.panels[pid] for pid in window.panels]  # every panel built

    def widths():
        out = []
        for panel in panels:
            panel.canvas.scene().prepareForPaint()
            out += [it.pen().widthF() for it in panel.canvas.scene().items()
                    if isinstance(it, QAbstractGraphicsShapeItem | QGraphicsLineItem)]
        return out

    plain = widths()
    assert plain, "no Qt shape items to check"
    window.set_presentation(window.presentation.toggled(True))
    first = widths()
    assert first != plain and all(widths() == first for _ in range(3))
    window.set_presentation(window.presentation.toggled(False))
    assert widths() == plain
