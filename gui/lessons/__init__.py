"""The Lessons tool dock: a lesson at a time, step by step, its goals checked live.

``LessonCatalog`` holds the lessons on offer (built-in, the user's folder, opened files) and
``LessonActions`` what the menus do with them; both read the lessons only at first use, so
the window's start does not wait for them. The dock's widget is ``dock.LessonDock`` (built
when the dock is first shown), with ``tracker.GoalTracker`` checking the open step's goal on
the session's frames. The lessons themselves, their format and goals are ``core.lessons``.
"""

from __future__ import annotations

from .actions import LessonActions
from .catalog import LessonCatalog, LessonEntry, user_lessons_folder

__all__ = ["LessonActions", "LessonCatalog", "LessonEntry", "user_lessons_folder"]
