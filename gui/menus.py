"""The menu bar: File, View, Train, Lessons and Help, built from the window's docks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QActionGroup, QKeySequence

import core.presets

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["build_menus"]


def build_menus(w: MainWindow) -> None:
    from .files import FileActions
    from .main_window import add_action

    bar = w.menuBar()
    w.files = FileActions(w)
    f = bar.addMenu("&File")
    add_action(w, f, "&New", w.files.new, QKeySequence.StandardKey.New,
               "Start a new experiment with the default settings")
    add_action(w, f, "&Open…", w.files.open, QKeySequence.StandardKey.Open,
               "Open a saved experiment (.alab)")
    w.recent_menu = f.addMenu("Open &Recent")
    w.files.fill_recent(w.recent_menu)
    add_action(w, f, "&Save", w.files.save, QKeySequence.StandardKey.Save,
               "Save the experiment with its weights and history")
    add_action(w, f, "Save &As…", w.files.save_as, QKeySequence.StandardKey.SaveAs,
               "Save the experiment under a new name")
    f.addSeparator()
    add_action(w, f, "&Export Panel…", w.files.export_panel, "Ctrl+E",
               "Export one panel as PNG, SVG or CSV")
    add_action(w, f, "Export &All Panels…", w.files.export_all, "Ctrl+Shift+E",
               "Export every panel, the experiment and a manifest into a folder")
    f.addSeparator()
    add_action(w, f, "&Quit", w.close, QKeySequence.StandardKey.Quit, "Quit Activation Lab")

    v = bar.addMenu("&View")
    for dock in w.docks.values():
        act = dock.toggleViewAction()
        act.setStatusTip(f"Show or hide the {dock.windowTitle()} panel")
        v.addAction(act)
    v.addSeparator()
    themes = v.addMenu("&Theme")
    group = QActionGroup(w)
    w.theme_actions = {}
    for name, label in (("light", "&Light"), ("dark", "&Dark"), ("system", "&System")):
        w.theme_actions[name] = add_action(
            w, themes, label, lambda _=False, n=name: w.set_theme(n),
            tip=f"Use the {name} colour theme", checkable=True, group=group)
    w.theme_actions["light"].setChecked(True)
    w.themeChanged.connect(lambda n: w.theme_actions[n].setChecked(True))
    add_action(w, v, "&Reset Layout", w.reset_layout, "Ctrl+Shift+R",
               "Put every panel back where it was at first start")

    t = bar.addMenu("&Train")
    for act in (w.transport.play, w.transport.step, w.transport.epoch, w.transport.reset):
        t.addAction(act)
    t.addSeparator()
    add_action(w, t, "&Clear Earlier Runs", w.session.clear_ghosts,
               tip="Remove the ghost curves of earlier runs from the training curves")

    lessons = bar.addMenu("&Lessons")
    for preset in core.presets.all_presets().values():
        act = add_action(w, lessons, preset.title,
                         lambda _=False, p=preset: w.files.load_preset(p.name),
                         tip=preset.question)
        act.setToolTip(preset.question)
    lessons.setToolTipsVisible(True)

    h = bar.addMenu("&Help")
    add_action(w, h, "&Activation Reference", w.files.show_reference, "F1",
               "What every activation function is, its derivative and its properties")
    add_action(w, h, "&About Activation Lab", w.files.show_about, tip="Version and licence")
