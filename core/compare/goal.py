"""A goal a run can reach: a metric, a comparison and a threshold ("test_metric>=0.95").

The metric is read from the full-set evaluation at the end of every epoch (epoch 0 is before
training), so "epochs to the goal" is the first epoch whose evaluation meets it.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass

__all__ = ["METRICS", "Goal", "GoalError"]

#: the columns of a run's per-epoch record, in this order
METRICS = ("train_loss", "test_loss", "train_metric", "test_metric")
_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_PATTERN = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|>|<)\s*([^\s]+)\s*$")


class GoalError(ValueError):
    """A goal that cannot be read; the message is one sentence."""


@dataclass(frozen=True)
class Goal:
    """``metric op threshold``, e.g. ``Goal("test_metric", ">=", 0.95)``.

    ``metric`` is one of ``METRICS`` (the metric is accuracy for classes, R² for regression).
    """

    metric: str
    op: str
    threshold: float

    def __post_init__(self):
        if self.metric not in METRICS:
            raise GoalError(f"a goal is set on {', '.join(METRICS)}, not {self.metric!r}")
        if self.op not in _OPS:
            raise GoalError(f"a goal compares with >=, <=, > or <, not {self.op!r}")
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t):
            raise GoalError(f"a goal's threshold must be a finite number, not {t!r}")

    @classmethod
    def parse(cls, text: str) -> Goal:
        """``"test_metric>=0.95"`` → a Goal; raises GoalError with a sentence."""
        m = _PATTERN.match(text or "")
        if not m:
            raise GoalError(f"a goal looks like test_metric>=0.95 or train_loss<=0.1, not "
                            f"{text!r}")
        try:
            threshold = float(m.group(3))
        except ValueError:
            raise GoalError(f"the goal's threshold {m.group(3)!r} is not a number") from None
        return cls(m.group(1), m.group(2), threshold)

    @property
    def column(self) -> int:
        """Index of the metric in a run's (rows, 4) record."""
        return METRICS.index(self.metric)

    @property
    def higher_is_better(self) -> bool:
        return self.op in (">=", ">")

    def met(self, value: float) -> bool:
        """Whether one evaluated value meets the goal (NaN never does)."""
        return bool(_OPS[self.op](value, self.threshold))

    def first_epoch(self, column) -> int | None:
        """The first row (epoch) of a per-epoch column that meets the goal, or None."""
        for e, v in enumerate(column):
            if self.met(float(v)):
                return e
        return None

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.threshold:g}"

    def describe(self, task: str = "binary") -> str:
        """The goal in words: "95 % test accuracy", "a train loss of 0.1 or less"."""
        where, _, kind = self.metric.partition("_")
        t = self.threshold
        if kind == "metric":
            if task == "regression":
                return f"a {where} R² of {t:g}" + ("" if self.op in (">=", "<=") else
                                                   " (strictly)")
            if self.higher_is_better:
                return f"{t * 100:g} % {where} accuracy"
            return f"a {where} accuracy {self.op} {t * 100:g} %"
        bound = {"<=": "or less", "<": "(strictly less)", ">=": "or more", ">": "(more)"}
        return f"a {where} loss of {t:g} {bound[self.op]}"

    def to_text(self) -> str:
        return f"{self.metric}{self.op}{self.threshold!r}"
