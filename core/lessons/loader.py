"""Finding and loading lessons: one file, a folder, the built-in ones, a name or a path."""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

from .model import Lesson, parse_lesson
from .source import LessonError, Source

__all__ = ["SUFFIX", "builtin", "find", "get", "load", "load_folder", "loads", "names"]

SUFFIX = ".toml"
#: a folder of lessons is read up to this many files
MAX_FILES = 500


def loads(text: str, name: str = "lesson", path: str = "<text>") -> Lesson:
    """The lesson written in ``text``; raises LessonError (naming ``path``) if it is not one."""
    return parse_lesson(Source(text, path), name)


def load(path: str | os.PathLike) -> Lesson:
    """The lesson in the file ``path``; its name is the file name without ``.toml``.

    Raises
    ------
    LessonError
        With ``path``, ``line`` and ``field`` when the file cannot be read or is not a valid
        lesson; nothing else is raised for any content.
    """
    p = Path(path)
    return parse_lesson(Source.from_file(p), p.name[: -len(SUFFIX)] if p.name.endswith(
        SUFFIX) else p.stem)


def load_folder(folder: str | os.PathLike) -> tuple[list[Lesson], list[LessonError]]:
    """Every ``*.toml`` lesson in ``folder`` (not its subfolders), in lesson order.

    Returns
    -------
    (lessons, errors)
        The lessons that loaded, ordered by their ``order`` then name, and one LessonError per
        file that did not; a bad file never stops the others.
    """
    p = Path(folder)
    try:
        entries = sorted(e for e in p.iterdir() if e.name.endswith(SUFFIX))
    except OSError as e:
        return [], [LessonError(str(p), None, None,
                                f"cannot read the folder ({e.strerror or e})")]
    lessons, errors = [], []
    for entry in entries[:MAX_FILES]:
        if not entry.is_file():
            continue
        try:
            lessons.append(load(entry))
        except LessonError as e:
            errors.append(e)
    if len(entries) > MAX_FILES:
        errors.append(LessonError(str(p), None, None, f"only the first {MAX_FILES} lesson "
                                  "files of the folder were read"))
    lessons.sort(key=lambda l: (l.order, l.name))
    return lessons, errors


@cache
def builtin() -> dict[str, Lesson]:
    """The lessons shipped in ``resources/lessons/``, by name, in lesson order (read once).

    Raises
    ------
    LessonError
        If a built-in lesson is broken (a test keeps them valid).
    """
    folder = resources.files("resources") / "lessons"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(SUFFIX):
            name = entry.name[: -len(SUFFIX)]
            found.append(parse_lesson(Source(entry.read_text(encoding="utf-8"),
                                             f"resources/lessons/{entry.name}"), name))
    found.sort(key=lambda l: (l.order, l.name))
    return {l.name: l for l in found}


def names() -> list[str]:
    """The built-in lessons' names, in lesson order."""
    return list(builtin())


def get(name: str) -> Lesson:
    """The built-in lesson ``name``; KeyError listing the known names otherwise."""
    try:
        return builtin()[name]
    except KeyError:
        raise KeyError(f"there is no lesson called {name!r}; known: "
                       f"{', '.join(builtin())}") from None


def find(name_or_file: str | os.PathLike) -> Lesson:
    """A built-in lesson by name, or the lesson in a file (a path, or a name ending in .toml).

    Raises
    ------
    KeyError
        No built-in lesson has this name (and it is not a file).
    LessonError
        The file is not a valid lesson.
    """
    s = os.fspath(name_or_file)
    if s.endswith(SUFFIX) or os.sep in s or (os.altsep and os.altsep in s) or Path(s).is_file():
        return load(s)
    return get(s)
