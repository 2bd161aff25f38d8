"""The lessons the window offers: the built-in ones, the user's own folder, and opened files.

A lesson is known by a key: its name for a built-in lesson, ``user:NAME`` for one in the
user's folder, ``file:PATH`` for a file opened with File → Open Lesson… (remembered in the
settings, so it is offered again next time). A file that is not a valid lesson is kept as
its ``LessonError`` (one sentence naming the file, the line and the field); the other
lessons load all the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Signal

if TYPE_CHECKING:  # read at first use (see LessonCatalog): not before the window shows
    import core.lessons as L

__all__ = ["LessonCatalog", "LessonEntry", "user_lessons_folder"]

#: the heading of lessons that name no topic
OTHER_TOPIC = "More lessons"
USER_TOPIC = "My lessons"
OPENED_TOPIC = "Opened files"
MAX_OPENED = 8
FILES_KEY = "lessons/files"


def user_lessons_folder() -> Path:
    """Where a user's own lessons go: ``<app data>/lessons`` (not created here)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "lessons"


@dataclass(frozen=True)
class LessonEntry:
    """A lesson the window offers: ``key`` (see the module docstring), the lesson, where it
    came from ("built-in", "yours" or "file") and the topic it is listed under."""

    key: str
    lesson: L.Lesson
    source: str
    topic: str


class LessonCatalog(QObject):
    """Every lesson the window offers, by key and by topic.

    Parameters
    ----------
    settings : where opened lesson files are remembered (None: nowhere).
    user_folder : the user's folder of lessons (None: none); a missing folder is empty.

    Signals
    -------
    changed() : a lesson was added (an opened file).
    """

    changed = Signal()

    def __init__(self, settings: QSettings | None = None, user_folder: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.user_folder = user_folder
        self._entries: dict[str, LessonEntry] = {}
        self._errors: list[L.LessonError] = []
        self._loaded = False  # read at first use: the window's start does not wait for it

    def _load(self) -> None:
        import core.lessons as L

        if self._loaded:
            return
        self._loaded = True
        for lesson in L.builtin().values():
            self._put(LessonEntry(lesson.name, lesson, "built-in", lesson.topic or OTHER_TOPIC))
        folder = self.user_folder
        if folder is not None and folder.is_dir():
            lessons, errors = L.load_folder(folder)
            self._errors += errors
            for lesson in lessons:
                self._put(LessonEntry(f"user:{lesson.name}", lesson, "yours",
                                      lesson.topic or USER_TOPIC))
        for path in self._remembered():
            if not Path(path).is_file():  # moved or deleted since: nothing to offer
                continue
            try:
                self._put(self._file_entry(path))
            except L.LessonError as e:
                self._errors.append(e)

    @property
    def errors(self) -> list[L.LessonError]:
        """The files that could not be read, one LessonError each."""
        self._load()
        return list(self._errors)

    # --- reading ---------------------------------------------------------------------------
    def __contains__(self, key: object) -> bool:
        self._load()
        return key in self._entries

    def __getitem__(self, key: str) -> LessonEntry:
        self._load()
        return self._entries[key]

    def keys(self) -> list[str]:
        self._load()
        return list(self._entries)

    def by_topic(self) -> dict[str, list[LessonEntry]]:
        """Topic → its lessons in lesson order; built-in topics first, in the order of their
        first lesson, then the user's, then opened files."""
        self._load()
        rank = {"built-in": 0, "yours": 1, "file": 2}
        out: dict[str, list[LessonEntry]] = {}
        for e in sorted(self._entries.values(),
                        key=lambda e: (rank[e.source], e.lesson.order, e.lesson.name)):
            out.setdefault(e.topic, []).append(e)
        return out

    # --- opening a file --------------------------------------------------------------------
    def open_file(self, path: str | os.PathLike) -> LessonEntry:
        """Load the lesson in ``path`` and offer it from now on (remembered in the settings).

        Raises
        ------
        LessonError
            The file is not a valid lesson; the catalog is then unchanged.
        """
        self._load()
        entry = self._file_entry(path)
        self._put(entry)
        self._remember(entry.lesson.path)
        self.changed.emit()
        return entry

    def _file_entry(self, path) -> LessonEntry:
        import core.lessons as L

        lesson = L.load(Path(path).absolute())
        return LessonEntry(f"file:{lesson.path}", lesson, "file", lesson.topic or OPENED_TOPIC)

    def _put(self, entry: LessonEntry) -> None:
        self._entries[entry.key] = entry

    def _remembered(self) -> list[str]:
        if self.settings is None:
            return []
        v = self.settings.value(FILES_KEY, [])
        return [p for p in (v if isinstance(v, list) else [v]) if isinstance(p, str) and p]

    def _remember(self, path: str) -> None:
        if self.settings is None:
            return
        paths = [path] + [p for p in self._remembered() if p != path]
        self.settings.setValue(FILES_KEY, paths[:MAX_OPENED])
