"""The menu bar: File, View, Train, Lessons and Help, built from what the composition root
hands over (the window's docks and transport, the file and export actions)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

import core.presets
from core.experiment import Classroom

from .export_actions import ExportActions
from .files import FileActions
from .lessons import LessonActions
from .main_window import MainWindow
from .presentation import PALETTE_LABELS

__all__ = ["Menus", "add_action"]


def add_action(parent: QObject, menu: QMenu, text: str, slot: Callable, shortcut=None,
               tip: str = "", checkable: bool = False,
               group: QActionGroup | None = None) -> QAction:
    """One menu action with its shortcut and status tip."""
    act = QAction(text, parent)
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
    act.setStatusTip(tip)
    act.setToolTip(tip or text)
    act.setCheckable(checkable)
    if group is not None:
        group.addAction(act)
    if checkable:
        act.triggered.connect(slot)  # the slot gets the new state
    else:
        # triggered passes "checked" (False) to a slot that can take an argument: File →
        # Open… once took it for the path and raised a TypeError
        act.triggered.connect(lambda _checked=False, slot=slot: slot())
    menu.addAction(act)
    return act


class Menus(QObject):
    """Builds the window's menu bar and keeps what changes later: the recent files and the
    checked theme.

    Attributes
    ----------
    recent_menu : File → Open Recent, refilled whenever ``files`` reports a change.
    theme_actions : theme name → its checkable action in View → Theme.
    presentation_action : View → Presentation Mode (checkable, F5).
    text_actions : "larger", "smaller", "reset": presentation mode's text size.
    palette_actions : palette name → its checkable action in View → Presentation Palette.
    """

    def __init__(self, window: MainWindow, files: FileActions, exports: ExportActions,
                 lessons: LessonActions | None = None) -> None:
        super().__init__(window)
        self._files = files
        self._lessons = lessons
        bar = window.menuBar()
        w = window

        f = bar.addMenu("&File")
        add_action(w, f, "&New", files.new, QKeySequence.StandardKey.New,
                   "Start a new experiment with the default settings")
        add_action(w, f, "&Open…", files.open, QKeySequence.StandardKey.Open,
                   "Open a saved experiment (.alab)")
        self.recent_menu = f.addMenu("Open &Recent")
        self._fill_recent()
        files.recentChanged.connect(self._fill_recent)
        if lessons is not None:
            add_action(w, f, "Open &Lesson…", lessons.open_file, "Ctrl+L",
                       "Open a lesson file (.toml) in the Lessons dock")
        add_action(w, f, "&Save", files.save, QKeySequence.StandardKey.Save,
                   "Save the experiment with its weights and history")
        add_action(w, f, "Save &As…", files.save_as, QKeySequence.StandardKey.SaveAs,
                   "Save the experiment under a new name")
        f.addSeparator()
        add_action(w, f, "&Export Panel…", exports.export_current, "Ctrl+E",
                   "Export one panel as PNG, SVG, PDF or CSV")
        add_action(w, f, "Export &All Panels…", exports.export_all, "Ctrl+Shift+E",
                   "Export every panel (PNG, SVG, PDF, CSV), the experiment and a manifest "
                   "into a folder")
        f.addSeparator()
        add_action(w, f, "&Quit", w.close, QKeySequence.StandardKey.Quit, "Quit Activation Lab")

        v = bar.addMenu("&View")
        for dock in w.docks.values():
            act = dock.toggleViewAction()
            act.setStatusTip(f"Show or hide the {dock.windowTitle()} panel")
            v.addAction(act)
        if w.tool_docks:
            v.addSeparator()
            for dock in w.tool_docks.values():  # their status tips are their descriptions
                v.addAction(dock.toggleViewAction())
        v.addSeparator()
        themes = v.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name, label in (("light", "&Light"), ("dark", "&Dark"), ("system", "&System")):
            self.theme_actions[name] = add_action(
                w, themes, label, lambda _=False, n=name: w.set_theme(n),
                tip=f"Use the {name} colour theme", checkable=True, group=group)
        self.theme_actions.get(w.theme_name, self.theme_actions["light"]).setChecked(True)
        w.themeChanged.connect(lambda n: self.theme_actions[n].setChecked(True))
        self._presentation_menu(v, w)
        add_action(w, v, "&Reset Layout", w.reset_layout, "Ctrl+Shift+R",
                   "Put every panel back where it was at first start")

        t = bar.addMenu("&Train")
        transport = w.transport
        for act in (transport.play, transport.step, transport.epoch, transport.reset):
            t.addAction(act)
        t.addSeparator()
        add_action(w, t, "&Clear Earlier Runs", w.session.clear_ghosts,
                   tip="Remove the ghost curves of earlier runs from the training curves")
        t.addSeparator()
        self._window = w
        add_action(w, t, "Classroom Set-&up…", self.classroom_setup,
                   tip="Choose which controls your students see, locked or not at all; "
                   "saved with the experiment")
        self.unlock_action = add_action(
            w, t, "Un&lock All Controls…", self.unlock_all,
            tip="Show and unlock every control the classroom set-up hides or locks")
        self.unlock_action.setEnabled(w.session.experiment.classroom.active)
        w.session.experimentChanged.connect(
            lambda exp: self.unlock_action.setEnabled(exp.classroom.active))

        self.lessons_menu = bar.addMenu("&Lessons")
        self.lessons_menu.setToolTipsVisible(True)
        # filled when first opened (and again after a lesson file is opened): reading the
        # lessons waits until someone looks at them
        self._lessons_stale = True
        self.lessons_menu.aboutToShow.connect(self._fill_lessons)
        if lessons is not None:
            lessons.catalog.changed.connect(lambda: setattr(self, "_lessons_stale", True))

        h = bar.addMenu("&Help")
        add_action(w, h, "&Activation Reference", files.show_reference, "F1",
                   "What every activation function is, its derivative and its properties")
        add_action(w, h, "&About Activation Lab", files.show_about, tip="Version and licence")

    def _presentation_menu(self, v: QMenu, w: MainWindow) -> None:
        """Presentation Mode (F5, as slide shows start), the text size (Ctrl+= / Ctrl+− /
        Ctrl+0, as browsers zoom) and the palette, all following the window's state."""
        v.addSeparator()
        self.presentation_action = add_action(
            w, v, "&Presentation Mode", lambda on: w.set_presentation(
                w.presentation.toggled(on)), "F5",
            "Larger text, thicker lines and bigger buttons, for a projector", checkable=True)
        grow = add_action(w, v, "&Larger Text", lambda: w.set_presentation(
            w.presentation.larger()), "Ctrl+=", "Presentation mode: everything larger")
        grow.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self.text_actions = {
            "larger": grow,
            "smaller": add_action(w, v, "&Smaller Text", lambda: w.set_presentation(
                w.presentation.smaller()), "Ctrl+-", "Presentation mode: everything smaller"),
            "reset": add_action(w, v, "Reset Text &Size", lambda: w.set_presentation(
                w.presentation.reset_size()), "Ctrl+0",
                "Presentation mode: back to its usual size (1.5×)"),
        }
        palettes = v.addMenu("Presentation Pa&lette")
        group = QActionGroup(self)
        self.palette_actions: dict[str, QAction] = {}
        for name, label in PALETTE_LABELS.items():
            self.palette_actions[name] = add_action(
                w, palettes, label, lambda _=False, n=name: w.set_presentation(
                    w.presentation.with_palette(n)),
                tip="Colours for presentation mode; both are safe for colour-blind students",
                checkable=True, group=group)
        self._show_presentation(w.presentation)
        w.presentationChanged.connect(self._show_presentation)

    def _show_presentation(self, presentation) -> None:
        self.presentation_action.setChecked(presentation.on)
        for act in self.text_actions.values():
            act.setEnabled(presentation.on)
        self.text_actions["larger"].setEnabled(
            presentation.on and presentation.larger() != presentation)
        self.text_actions["smaller"].setEnabled(
            presentation.on and presentation.smaller() != presentation)
        self.palette_actions[presentation.palette].setChecked(True)

    def classroom_setup(self):
        """Open the Classroom Set-up dialog (returns it); OK applies the choice."""
        from .controls.classroom_dialog import ClassroomDialog

        session = self._window.session
        dialog = ClassroomDialog(session.experiment.classroom, self._window)
        dialog.accepted.connect(lambda: session.set_classroom(dialog.classroom()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def unlock_all(self):
        """Ask, then show and unlock every control (returns the question box). A question, so
        a stray click does not undo a teacher's set-up."""
        session = self._window.session
        box = QMessageBox(QMessageBox.Icon.Question, "Unlock All Controls",
                          "Show and unlock every control? The classroom set-up is gone from "
                          "this window (and from the file, if you save it).",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self._window)
        box.setObjectName("unlock-question")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        yes = box.button(QMessageBox.StandardButton.Yes)

        def answered(_result: int) -> None:
            if box.clickedButton() is yes:
                session.set_classroom(Classroom())
            box.deleteLater()

        box.finished.connect(answered)
        box.open()
        return box

    def _fill_lessons(self) -> None:
        """The Lessons menu: the dock, the lessons by topic, lesson files, then the preset
        experiments the lessons' set-ups start from."""
        if not self._lessons_stale:
            return
        self._lessons_stale = False
        w, menu, lessons = self._window, self.lessons_menu, self._lessons
        menu.clear()
        if lessons is not None:
            dock = w.tool_docks.get("lessons")
            if dock is not None:
                menu.addAction(dock.toggleViewAction())
                menu.addSeparator()
            for topic, entries in lessons.catalog.by_topic().items():
                sub = menu.addMenu(topic)
                sub.setToolTipsVisible(True)
                for e in entries:
                    add_action(w, sub, e.lesson.title.replace("&", "&&"),
                               lambda _=False, k=e.key: lessons.open_lesson(k),
                               tip=e.lesson.question)
            menu.addSeparator()
            add_action(w, menu, "Open Lesson &File…", lessons.open_file,
                       tip="Open a lesson file (.toml) in the Lessons dock")
            folder = lessons.catalog.user_folder
            if folder is not None:
                add_action(w, menu, "Your Lessons &Folder…", lessons.show_folder,
                           tip=f"Lesson files you put in {folder} are listed here")
            errors = lessons.catalog.errors
            if errors:
                add_action(w, menu, f"Lesson Files That Could Not Be Read ({len(errors)})…",
                           lessons.show_errors, tip="Which files, which line and field, why")
            menu.addSeparator()
        presets = menu.addMenu("&Preset Experiments")
        presets.setToolTipsVisible(True)
        for preset in core.presets.all_presets().values():
            add_action(w, presets, preset.title.replace("&", "&&"),
                       lambda _=False, p=preset: self._files.load_preset(p.name),
                       tip=preset.question)

    def _fill_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self._files.recent()
        for p in recent:
            menu.addAction(Path(p).name, lambda p=p: self._files.open(p)).setToolTip(p)
        menu.setEnabled(bool(recent))
