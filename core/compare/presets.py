"""Ready-made comparisons: claims students meet, each set up to be tested over seeds.

Each row names a lesson (``core.presets``) to start from, changes made to it first (in the
settings' own syntax, e.g. ``("optimizer", "sgd")``), the setting varied and its values (the
first is the baseline), the seeds, the length and the goal. ``plan()`` makes the ``Plan``. The
winner each gives with its own seeds, and with ten other seeds, is checked by the slow tests
in ``tests/core/test_compare_presets.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import presets as lessons
from . import settings as _settings
from .goal import Goal
from .plan import Plan

__all__ = ["ComparisonPreset", "PRESETS", "get", "names"]


@dataclass(frozen=True)
class ComparisonPreset:
    """One ready-made comparison: the claim it tests and how."""

    name: str
    title: str
    claim: str
    lesson: str
    setting: str
    values: tuple[str, ...]
    goal: str | None
    epochs: int
    seeds: int = 10
    setup: tuple[tuple[str, str], ...] = ()
    stop_at_goal: bool = False
    tune_lr: bool = False

    def experiment(self):
        """The lesson's experiment with ``setup`` applied: what every value starts from."""
        exp = lessons.get(self.lesson).experiment
        for name, value in self.setup:
            exp = _settings.get(name).applied(exp, value)
        return exp

    def plan(self, **changes) -> Plan:
        """The Plan; keyword arguments replace its fields (``seeds=(0, 1)``, ``epochs=5``)."""
        fields = dict(
            experiment=self.experiment(), setting=self.setting,
            values=self.values, seeds=tuple(range(self.seeds)), epochs=self.epochs,
            goal=None if self.goal is None else Goal.parse(self.goal),
            stop_at_goal=self.stop_at_goal, tune_lr=self.tune_lr,
            source=f"comparison {self.name} (lesson {self.lesson})")
        fields.update(changes)
        return Plan(**fields)


PRESETS: dict[str, ComparisonPreset] = {p.name: p for p in (
    ComparisonPreset(
        "relu-vs-tanh", "ReLU against tanh", "ReLU trains six times faster than tanh.",
        "circles-tanh", "activation", ("tanh", "relu"), "test_metric>=0.95", 200),
    ComparisonPreset(
        "tanh-vs-sigmoid", "tanh against the sigmoid",
        "tanh converges faster than the sigmoid.",
        "circles-tanh", "activation", ("sigmoid", "tanh"), "test_metric>=0.95", 300),
    ComparisonPreset(
        "dying-relu", "ReLU, Leaky ReLU and ELU with biases of −6",
        "Leaky ReLU fixes dying ReLU.",
        "dying-relu", "activation", ("relu", "leaky_relu", "elu"), "test_metric>=0.9", 100),
    ComparisonPreset(
        "iris-output", "softmax + cross-entropy against sigmoid + squared error",
        "For one-of-N classes, softmax with cross-entropy learns faster than sigmoids with "
        "squared error (with plain SGD).",
        "iris-softmax", "output", ("sigmoid+mse", "softmax+ce"), "test_metric>=0.95", 200,
        setup=(("optimizer", "sgd"), ("lr", "0.3"))),
    ComparisonPreset(
        "deep-relu-init", "He against Xavier initialization for ten ReLU layers",
        "Ten ReLU layers train faster with He initialization than with Xavier's.",
        "deep-relu", "init", ("xavier_uniform", "he_normal"), "test_metric>=0.9", 200),
    ComparisonPreset(
        "wine-standardize", "standardized against raw inputs on wine",
        "Standardizing the inputs makes training much faster.",
        "no-normalization", "standardize", ("off", "on"), "test_metric>=0.9", 200),
)}


def names() -> list[str]:
    """The ready-made comparisons' names, in menu order."""
    return list(PRESETS)


def get(name: str) -> ComparisonPreset:
    """The ready-made comparison ``name``; KeyError listing the names if there is none."""
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown comparison {name!r}; known: {', '.join(PRESETS)}") from None
