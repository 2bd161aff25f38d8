"""Goals a lesson step checks: the registry of kinds and reading a goal from its table.

See ``goal_base`` for how a goal is evaluated (timing, seeds, comparisons); the kinds live in
``goals_training`` (they watch a run) and ``goals_static`` (they need no training).
"""

from __future__ import annotations

from typing import Any

from .fields import Table
from .goal_base import MAX_EPOCHS, MAX_SEEDS, Goal, GoalContext, GoalResult, combine
from .goals_static import ActivationGoal, DepthProductGoal, DoneGoal, GradcheckGoal
from .goals_training import (
    DistributionGoal,
    DivergesGoal,
    FasterGoal,
    GradientGoal,
    MetricGoal,
    OutputGoal,
    SameSignGoal,
    UnitsGoal,
)

__all__ = [
    "GOAL_KINDS",
    "MAX_EPOCHS",
    "MAX_SEEDS",
    "ActivationGoal",
    "DepthProductGoal",
    "DistributionGoal",
    "DivergesGoal",
    "DoneGoal",
    "FasterGoal",
    "Goal",
    "GoalContext",
    "GoalResult",
    "GradcheckGoal",
    "GradientGoal",
    "MetricGoal",
    "OutputGoal",
    "SameSignGoal",
    "UnitsGoal",
    "combine",
    "parse_goal",
]

GOAL_KINDS: dict[str, type[Goal]] = {
    c.kind: c for c in (MetricGoal, GradientGoal, UnitsGoal, SameSignGoal, DistributionGoal,
                        OutputGoal, FasterGoal, DivergesGoal, ActivationGoal, DepthProductGoal,
                        GradcheckGoal, DoneGoal)
}


def parse_goal(data: Any, path: tuple, src, ctx: GoalContext) -> Goal:
    """The goal at ``path`` (a table with a ``kind``); LessonError on anything wrong."""
    if not isinstance(data, dict):
        raise src.error(path, "must be a table with a 'kind'")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in GOAL_KINDS:
        shown = repr(kind) if isinstance(kind, str) else "missing"
        raise src.error(path + ("kind",), f"the goal's kind is {shown}; it is one of: "
                                          f"{', '.join(GOAL_KINDS)}")
    cls = GOAL_KINDS[kind]
    t = Table(data, path, src, cls.known_fields(), what=f"a {kind!r} goal")
    return cls.parse(t, ctx)
