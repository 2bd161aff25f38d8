"""The composition root: the one place that creates a window's long-lived objects and hands
each of them what it needs.

Everything the window is made of is built here, in this order: the window (docks, panels,
toolbar, status bar) over a session; the export actions and the file actions, each given the
callables it uses; the menus over both; then the connections from the panels' and the
toolbar's requests to the export actions. Nothing below this module sets attributes on another
object or looks another up: a new dock is added here, and depends only downwards (the layers
are checked by import-linter, see ``pyproject.toml`` and the README's Architecture section).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QWidget

from .autosave import AutoSaver
from .export_actions import ExportActions
from .files import FileActions
from .lessons import LessonActions, LessonCatalog, user_lessons_folder
from .main_window import MainWindow, ToolDock
from .menus import Menus
from .session import Session
from .startup import offer_restore
from .widgets.wheel_guard import install_wheel_guard

if TYPE_CHECKING:  # a panel's module imports pyqtgraph: not before the first paint
    from .panels.base import Panel

__all__ = ["Lab", "build_lab", "start_autosave"]


@dataclass(frozen=True)
class Lab:
    """One window and what serves it; ``build_lab`` makes it, the app and the tests use it."""

    session: Session
    window: MainWindow
    files: FileActions
    exports: ExportActions
    menus: Menus
    lessons: LessonActions | None = None


def tool_docks(session: Session,
               serve_plot: Callable[[QWidget], None] | None = None,
               lessons: LessonCatalog | None = None) -> list[ToolDock]:
    """The docks beside the panels (lessons, comparisons, the recurrent lab), each built when
    first shown. Each entry's ``build`` is where that dock gets what it needs; ``serve_plot``
    connects a dock's plot's export and copy requests (``build_lab`` passes the export
    actions'); ``lessons`` is the catalog the Lessons dock offers (the built-in lessons if
    None)."""
    catalog = lessons if lessons is not None else LessonCatalog()
    return [
        ToolDock("lessons", "Lessons", "Guided lessons: a question, steps to follow, a "
                 "prediction to make and a goal the app checks while you train",
                 functools.partial(_build_lessons, session, catalog),
                 beside="controls", orientation=Qt.Orientation.Horizontal, shortcut="F2"),
        ToolDock("compare", "Compare", "Test a claim over many seeds: vary one setting, "
                 "train every value with the same K seeds, read the curves and the verdict",
                 functools.partial(_build_compare, session, serve_plot),
                 beside="training_curves", orientation=Qt.Orientation.Vertical, shortcut="F3"),
        ToolDock("recurrent", "Recurrent lab", "Train an LSTM or a GRU on a sequence task and "
                 "watch its gates: swap the gate, candidate and output activations and compare "
                 "two cells side by side", functools.partial(_build_recurrent, serve_plot),
                 beside="training_curves", orientation=Qt.Orientation.Vertical, shortcut="F4"),
    ]


def _build_lessons(session: Session, catalog: LessonCatalog, window: MainWindow) -> QWidget:
    from .lessons.dock import LessonDock

    dock = LessonDock(session, catalog, window.settings)
    dock.panelRequested.connect(window.raise_panel)
    dock.experimentRequested.connect(lambda exp: session.apply(exp, reinitialize=True))
    dock.labRequested.connect(functools.partial(_set_up_lab, window))
    dock.widthWanted.connect(functools.partial(_widen_lessons, window))
    _fit_lessons(window)
    return dock


#: narrower than this, the window cannot hold the Lessons dock beside the Experiment dock and
#: the panels (it needs about 1,362 px at 1366×768): the dock shares the Experiment's column
LESSONS_BESIDE_MIN_WIDTH = 1366


def _fit_lessons(window: MainWindow) -> None:
    """On a narrow window (a 1280×720 projector) the Lessons dock opens as a tab beside the
    Experiment controls, not as a column of its own that would push the window past the
    screen's edge."""
    lessons, controls = window.tool_docks["lessons"], window.docks["controls"]
    if window.width() >= LESSONS_BESIDE_MIN_WIDTH or lessons.isFloating() \
            or lessons in window.tabifiedDockWidgets(controls) or not controls.isVisible():
        return
    window.tabifyDockWidget(controls, lessons)
    lessons.raise_()


def _set_up_lab(window: MainWindow, setup) -> None:
    """A lesson step's Set up on a step of the Recurrent lab: open the lab, run its set-up."""
    if "recurrent" in window.tool_docks:
        window.show_tool("recurrent").set_up(setup)


def _widen_lessons(window: MainWindow, width: int) -> None:
    """Give the Lessons dock ``width`` pixels (at most 2/9 of the window: the panels beside
    it keep room at 1366×768), taken from the two panels beside it (Qt moves one splitter
    only so far when a single dock is resized)."""
    width = min(width, window.width() * 2 // 9)
    lessons, output, curves = (window.tool_docks["lessons"], window.docks["output"],
                               window.docks["training_curves"])
    extra = width - lessons.width()
    if extra <= 0 or lessons.isFloating() or not (output.isVisible() and curves.isVisible()):
        return
    window.resizeDocks([lessons, output, curves],
                       [width, output.width() - extra // 2, curves.width() - extra + extra // 2],
                       Qt.Orientation.Horizontal)


class CloseWatch(QObject):
    """Calls ``on_close()`` when ``target`` (the window) is about to close: the tool docks'
    worker processes (comparisons, the recurrent lab's training) end with the window."""

    def __init__(self, target: QObject, on_close: Callable[[], None]) -> None:
        super().__init__(target)
        self._on_close = on_close
        target.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Close:
            self._on_close()
        return False


def _build_compare(session: Session, serve_plot, window: MainWindow) -> QWidget:
    from .compare import CompareDock

    dock = CompareDock(session)
    dock.apply_theme(window.theme)  # presentation mode's colours too
    window.lookChanged.connect(dock.apply_theme)
    dock.experimentRequested.connect(lambda exp: session.apply(exp, reinitialize=True))
    if serve_plot is not None:
        serve_plot(dock.curves)
    CloseWatch(window, dock.shutdown)  # closing the window ends the worker processes
    return dock


def _build_recurrent(serve_plot, window: MainWindow) -> QWidget:
    from .recurrent.dock import RecurrentLab

    lab = RecurrentLab()
    lab.apply_theme(window.theme)
    window.lookChanged.connect(lab.apply_theme)
    lab.message.connect(lambda text: window.show_status(text, 10000))
    if serve_plot is not None:
        for plot in lab.plots:
            serve_plot(plot)
    CloseWatch(window, lab.shutdown)  # closing the window ends the lab's training process
    QTimer.singleShot(0, functools.partial(_float_recurrent, window))
    return lab


def _float_recurrent(window: MainWindow) -> None:
    """The lab is an experiment of its own, with a dozen plots: the first time, it opens as
    a window over the main one (nearly its size) rather than squeezed beside the panels; its
    title bar docks it again, and the window's saved state keeps where it is."""
    dock = window.tool_docks["recurrent"]
    if dock.isFloating() or not dock.isVisible():
        return
    settings = window.settings
    if settings is not None:  # only the first time: where the user put it since is restored
        if settings.value("recurrent/floated", False, type=bool):
            return
        settings.setValue("recurrent/floated", True)
    dock.setFloating(True)
    geo = window.geometry()
    if window.screen() is not None:
        geo = geo.intersected(window.screen().availableGeometry()) or geo
    dock.setGeometry(geo.x() + 24, geo.y() + 24, max(900, geo.width() - 48),
                     max(600, geo.height() - 48))


def build_lab(session: Session, settings: QSettings | None = None,
              docks: list[ToolDock] | None = None, lesson_folder: Path | None = None) -> Lab:
    """Build the window over ``session`` and wire its menus, toolbar, files and exports.

    ``docks`` replaces the app's tool docks (``tool_docks(session)``; tests pass their own);
    ``lesson_folder`` the user's lessons folder (``<app data>/lessons``).
    Nothing is shown or started: the caller resizes, restores settings, shows the window and
    starts the session (see ``gui.app.run_app``). Boxes and sliders anywhere in the app take
    the mouse wheel only when they have focus (``gui.widgets.wheel_guard``).
    """
    install_wheel_guard()
    catalog = LessonCatalog(settings, user_lessons_folder() if lesson_folder is None
                            else lesson_folder)
    # the docks are built when first shown, once ``exports`` below exists
    window = MainWindow(session, settings, tool_docks(
        session, lambda plot: exports.connect_panel(plot), catalog) if docks is None else docks)
    if "compare" in window.tool_docks:  # a tab beside the training curves: a whole column
        window.tabifyDockWidget(window.docks["training_curves"], window.tool_docks["compare"])
    files = FileActions(session, settings, window, status=window.show_status,
                        panel_states=window.panel_states,
                        restore_panel_states=window.restore_panel_states)
    exports = ExportActions(window, window.panels, current_panel=window.current_panel,
                            settings=window.experiment_settings,
                            last_view=lambda: session.last_view,
                            theme_name=lambda: window.theme_name, status=window.show_status,
                            start_folder=files.last_folder)
    lessons = LessonActions(catalog, window, lambda key: _open_lesson(window, key), settings) \
        if "lessons" in window.tool_docks else None
    menus = Menus(window, files, exports, lessons)
    window.transport.exportRequested.connect(exports.export_current)

    def serve(panel: Panel) -> None:
        exports.connect_panel(panel)
        panel.clearGhostsRequested.connect(session.clear_ghosts)

    window.panelCreated.connect(serve)
    return Lab(session, window, files, exports, menus, lessons)


def _open_lesson(window: MainWindow, key: str) -> None:
    window.show_tool("lessons").show_lesson(key)


def start_autosave(lab: Lab, folder: Path | None = None) -> AutoSaver | None:
    """Offer what a crashed session autosaved, then autosave every minute (None if the app
    data folder cannot be written: the app still runs, without crash safety)."""
    import logging

    window, session = lab.window, lab.session
    try:
        autosaver = AutoSaver(session, window.panel_states, folder, parent=window)
    except OSError:
        logging.getLogger("activation_lab").warning("autosave is off", exc_info=True)
        return None
    offer_restore(autosaver, session, parent=window, status=window.show_status,
                  restore_panel_states=window.restore_panel_states)
    autosaver.start()
    return autosaver
