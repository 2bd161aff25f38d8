"""Guided lessons: steps with set-ups, predictions, goals the app checks, hints and the why.

A lesson is a TOML file (``resources/lessons/README.md`` describes the format); loading it
validates everything and never executes anything from it. Goals are data evaluated against a
``RunRecord`` of a run (``goal.evaluate(record)``), the same way on the GUI's live frames and
in the headless ``check``.

Pure NumPy and the standard library: nothing here imports Qt or the GUI.
"""

from __future__ import annotations

from .check import StepResult, check, check_iter
from .goals import GOAL_KINDS, Goal, GoalResult, combine
from .lab import describe_lab
from .loader import builtin, find, get, load, load_folder, loads, names
from .model import LAB_PANEL, PANELS, Lesson, Prediction, Step
from .progress import LessonProgress, StepProgress
from .record import Observation, RunRecord, RunRecorder, observe
from .setup import LayerChange, SetUp
from .source import LessonError

__all__ = [
    "GOAL_KINDS",
    "LAB_PANEL",
    "PANELS",
    "Goal",
    "GoalResult",
    "LayerChange",
    "Lesson",
    "LessonError",
    "LessonProgress",
    "Observation",
    "Prediction",
    "RunRecord",
    "RunRecorder",
    "SetUp",
    "Step",
    "StepProgress",
    "StepResult",
    "builtin",
    "check",
    "check_iter",
    "combine",
    "describe_lab",
    "find",
    "get",
    "load",
    "load_folder",
    "loads",
    "names",
    "observe",
]
