"""A student's progress through a lesson, as small immutable JSON-able data.

The GUI's lesson dock keeps one ``LessonProgress`` per lesson (in its settings, or beside a
saved experiment) and replaces it on every change: which step is open, what the student
predicted, how many hints are shown, the last goal result, and which steps are done.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from .goals import GoalResult
from .model import Lesson

__all__ = ["LessonProgress", "StepProgress"]


@dataclass(frozen=True)
class StepProgress:
    """One step: ``prediction`` is a choice (0-based) or free text; ``result`` the last
    GoalResult as a dict (``met``, ``value``, ``epoch``, ``text``)."""

    prediction: int | str | None = None
    hints_shown: int = 0
    result: dict | None = None
    done: bool = False


@dataclass(frozen=True)
class LessonProgress:
    """Where a student is in ``lesson`` (its name) and what they did at each step."""

    lesson: str
    step: int
    steps: tuple[StepProgress, ...]

    @classmethod
    def start(cls, lesson: Lesson) -> LessonProgress:
        return cls(lesson.name, 0, tuple(StepProgress() for _ in lesson.steps))

    def _set(self, i: int, **changes: Any) -> LessonProgress:
        steps = list(self.steps)
        steps[i] = replace(steps[i], **changes)
        return replace(self, steps=tuple(steps))

    def at(self, i: int) -> LessonProgress:
        """Open step ``i`` (0-based)."""
        if not 0 <= i < len(self.steps):
            raise IndexError(f"the lesson has no step {i + 1}")
        return replace(self, step=i)

    def predicted(self, i: int, answer: int | str) -> LessonProgress:
        return self._set(i, prediction=answer)

    def hint_shown(self, lesson: Lesson, i: int) -> tuple[LessonProgress, str | None]:
        """Reveal the next hint of step ``i``: (new progress, its text, or None if none left)."""
        hints = lesson.steps[i].hints
        n = self.steps[i].hints_shown
        if n >= len(hints):
            return self, None
        return self._set(i, hints_shown=n + 1), hints[n]

    def with_result(self, i: int, result: GoalResult) -> LessonProgress:
        """Remember the latest result of step ``i``'s goal; a met goal marks the step done."""
        value = None if result.value is None or not math.isfinite(result.value) else \
            float(result.value)
        r = {"met": result.met, "value": value, "epoch": result.epoch, "text": result.text}
        return self._set(i, result=r, done=self.steps[i].done or result.met is True)

    def marked_done(self, i: int, done: bool = True) -> LessonProgress:
        return self._set(i, done=done)

    # --- JSON -----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"lesson": self.lesson, "step": self.step,
                "steps": [{"prediction": s.prediction, "hints_shown": s.hints_shown,
                           "result": s.result, "done": s.done} for s in self.steps]}

    @classmethod
    def from_dict(cls, d: Any, lesson: Lesson) -> LessonProgress:
        """Progress saved for ``lesson``; ValueError if it does not fit (start afresh then)."""
        if not isinstance(d, dict) or d.get("lesson") != lesson.name:
            raise ValueError("the saved progress is not for this lesson")
        raw = d.get("steps")
        if not isinstance(raw, list) or len(raw) != len(lesson.steps):
            raise ValueError("the saved progress has a different number of steps")
        step = d.get("step")
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < len(raw):
            raise ValueError("the saved progress's current step is out of range")
        steps = []
        for s, spec in zip(raw, lesson.steps):
            if not isinstance(s, dict):
                raise ValueError("a saved step is not an object")
            p, h, r, done = (s.get("prediction"), s.get("hints_shown", 0), s.get("result"),
                             s.get("done", False))
            choices = spec.prediction.choices if spec.prediction else ()
            ok_p = p is None or (isinstance(p, str) and len(p) <= 5000 and not choices) or (
                isinstance(p, int) and not isinstance(p, bool) and 0 <= p < len(choices))
            ok_h = isinstance(h, int) and not isinstance(h, bool) and 0 <= h <= len(spec.hints)
            ok_r = r is None or (isinstance(r, dict) and set(r) == {"met", "value", "epoch",
                                                                     "text"})
            if not (ok_p and ok_h and ok_r and isinstance(done, bool)):
                raise ValueError("a saved step does not fit the lesson")
            steps.append(StepProgress(p, h, r, done))
        return cls(lesson.name, step, tuple(steps))
