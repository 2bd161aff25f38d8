"""What the Lessons menu and File → Open Lesson… do: open a lesson in the dock, read a lesson
file, show the user's lessons folder, and tell which files could not be read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from ..messages import warn
from .catalog import LessonCatalog

__all__ = ["LessonActions"]

FILTER = "Lessons (*.toml)"
LAST_DIR_KEY = "lessons/last_dir"


class LessonActions(QObject):
    """The lesson actions of one window.

    Parameters
    ----------
    catalog : the lessons on offer; an opened file joins it.
    parent : the widget dialogs open over (the window).
    show : ``show(key)`` opens the Lessons dock at lesson ``key``.
    settings : where the folder of the last opened lesson file is kept (None: nowhere).
    """

    def __init__(self, catalog: LessonCatalog, parent: QWidget, show: Callable[[str], None],
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.parent_widget = parent
        self._show = show
        self.settings = settings

    def open_lesson(self, key: str) -> None:
        self._show(key)

    def open_file(self, path: str | Path | None = None) -> bool:
        """Read a lesson file (asking for one when ``path`` is None) and open it in the dock.

        A file that is not a valid lesson gets one message naming the file, the line and the
        field; nothing else changes (the lesson open, the experiment, the catalog).
        """
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.parent_widget, "Open lesson",
                                                  self._start_folder(), FILTER)
            if not path:
                return False
        from core.lessons import LessonError

        try:
            entry = self.catalog.open_file(path)
        except LessonError as e:
            warn(self.parent_widget, f"This file is not a lesson the app can use. {e}")
            return False
        if self.settings is not None:
            self.settings.setValue(LAST_DIR_KEY, str(Path(path).absolute().parent))
        self._show(entry.key)
        return True

    def show_folder(self) -> None:
        """Open the user's lessons folder in the file manager (made if it is not there)."""
        folder = self.catalog.user_folder
        if folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            warn(self.parent_widget, f"Could not make the folder {folder}: {e.strerror or e}.")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def show_errors(self) -> None:
        """Say which lesson files could not be read, and why (one line each)."""
        errors = self.catalog.errors
        if errors:
            warn(self.parent_widget, "These lesson files could not be read; the other lessons "
                 "are there:\n\n" + "\n\n".join(str(e) for e in errors))

    def _start_folder(self) -> str:
        if self.settings is not None:
            v = self.settings.value(LAST_DIR_KEY)
            if isinstance(v, str) and Path(v).is_dir():
                return v
        folder = self.catalog.user_folder
        return str(folder if folder is not None and folder.is_dir() else Path.home())
