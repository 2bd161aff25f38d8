"""The composition root: panels and the toolbar only ask, the export and file actions serve,
and nothing outside the window sets its attributes."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication

import core.presets
from gui.export_dialog import ExportDialog
from gui.main_window import MainWindow
from gui.panels.registry import panel_class
from gui.session import Session
from gui.wiring import build_lab


def _context_action(panel, text: str):
    return next(a for a in panel.canvas.scene().contextMenu if a.text() == text)


def test_wiring_sets_no_attribute_on_the_window(qtbot):
    """The window's attributes are its own: the same with or without the wiring."""
    alone = Session(core.presets.get("circles-tanh").experiment)
    wired = Session(core.presets.get("circles-tanh").experiment)
    try:
        plain = MainWindow(alone)
        qtbot.addWidget(plain)
        lab = build_lab(wired)
        qtbot.addWidget(lab.window)
        assert set(vars(lab.window)) == set(vars(plain))
        assert not {"files", "recent_menu", "theme_actions", "autosaver", "crash_reporter"} & set(
            vars(lab.window))
    finally:
        alone.shutdown()
        wired.shutdown()


def test_a_panels_context_menu_asks_and_the_export_actions_serve(lab, monkeypatch):
    opened = []
    monkeypatch.setattr(ExportDialog, "exec", lambda self: opened.append(self.panel) or 0)
    panel = lab.window.panels["histograms"]
    _context_action(panel, "Export…").trigger()
    assert opened == [panel]

    QGuiApplication.clipboard().clear()
    _context_action(panel, "Copy image").trigger()
    assert not QGuiApplication.clipboard().image().isNull()
    assert "Copied" in lab.window.statusBar().currentMessage()


def test_a_panel_on_its_own_asks_nobody(qtbot, monkeypatch):
    """Outside a window a panel's requests go nowhere: no dialog, no error."""
    opened = []
    monkeypatch.setattr(ExportDialog, "exec", lambda self: opened.append(self.panel) or 0)
    panel = panel_class("training_curves")()
    qtbot.addWidget(panel)
    _context_action(panel, "Export…").trigger()
    assert opened == []


def test_export_all_writes_into_a_folder_and_reports(lab, tmp_path):
    written = lab.exports.export_all_to(tmp_path / "all")
    assert {p.name for p in written} >= {"output.png", "experiment.json", "manifest.json"}
    assert "Wrote" in lab.window.statusBar().currentMessage()


def test_export_all_into_an_impossible_place_is_reported_not_raised(lab, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    assert lab.exports.export_all_to(blocker / "inside") == []
    assert lab.window.statusBar().currentMessage().startswith("Could not export")


def test_open_recent_follows_the_files_actions(make_lab, tmp_path, qtbot):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    lab = make_lab(settings=settings, show=False)
    menu = lab.menus.recent_menu
    assert not menu.isEnabled() and menu.actions() == []
    path = tmp_path / "one.alab"
    with qtbot.waitSignal(lab.files.recentChanged, timeout=5000):
        assert lab.files._write(path)
    assert [a.text() for a in menu.actions()] == ["one.alab"] and menu.isEnabled()
    assert lab.files.recent() == [str(path)]


def test_the_training_curves_clear_button_reaches_the_session(lab, qtbot):
    s = lab.session
    with qtbot.waitSignal(s.viewChanged, timeout=10000):
        s.step_epoch()
    qtbot.waitUntil(lambda: s.last_view.snapshot.epoch >= 1, timeout=10000)
    with qtbot.waitSignal(s.viewChanged, timeout=10000):
        s.reset()  # the finished run becomes a ghost
    assert len(s.ghosts) == 1
    lab.window.panels["training_curves"].clear_button.click()
    assert s.ghosts == []


def test_a_tool_dock_is_built_when_first_shown_and_listed_in_the_view_menu(qtbot):
    from PySide6.QtWidgets import QLabel

    from gui.main_window import ToolDock

    built = []

    def build(window):
        built.append(window)
        return QLabel("a lesson")

    spec = ToolDock("notes", "Notes", "Notes beside the panels", build, shortcut="F9")
    session = Session(core.presets.get("circles-tanh").experiment)
    try:
        lab = build_lab(session, docks=[spec])
        w = lab.window
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        dock = w.tool_docks["notes"]
        assert dock.isHidden() and built == []  # hidden at first, nothing built
        view = next(a for a in w.menuBar().actions() if a.text() == "&View").menu()
        toggle = next(a for a in view.actions() if a.text() == "Notes")
        assert toggle.shortcut().toString() == "F9"
        toggle.trigger()
        qtbot.waitUntil(lambda: built == [w])
        assert dock.widget().text() == "a lesson" and w.tool("notes") is dock.widget()
        w.reset_layout()
        assert dock.isHidden()  # the default layout has the tool docks put away
        assert w.show_tool("notes") is dock.widget() and dock.isVisible() and built == [w]
    finally:
        session.shutdown()
