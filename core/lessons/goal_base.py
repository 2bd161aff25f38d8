"""Goals a lesson step checks, as frozen data evaluated against a ``RunRecord``.

Every goal answers ``evaluate(run) -> GoalResult``: ``met`` is True or False once decided and
None while it cannot be decided yet (a partial run), with the measured value and one sentence
such as "test accuracy 96.2 % at epoch 140 (goal ≥ 95 % within 300 epochs)". Evaluation only
reads arrays the record already holds, so the GUI can call it on every frame.

Timing (one per goal that watches training), counted in epochs from the run's start:

- ``within = N``: met as soon as the condition holds at some epoch ≤ N; failed once the run
  has passed epoch N without it;
- ``after = N``: decided by the first value at an epoch ≥ N;
- ``during = N``: failed as soon as the condition breaks at an epoch ≤ N; met at epoch N.

Goals that watch training may also ask for several seeds (``seeds = 10``, ``min_seeds = 8``):
the headless check runs those seeds (network and shuffling seeds 0 … 9, the same data) and
``combine`` counts them. ``relative_to = "before"`` (with ``after``) compares the value with
the lesson's previous run at the same epoch: the measured value is their ratio.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .fields import Table
from .record import RunRecord

__all__ = [
    "MAX_EPOCHS",
    "MAX_SEEDS",
    "Goal",
    "GoalContext",
    "GoalResult",
    "combine",
]

MAX_EPOCHS = 4000
MAX_SEEDS = 20
OPS = (">=", "<=", ">", "<", "==")
_SYMBOL = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}
_CMP: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
TIMINGS = ("within", "after", "during")
_COMMON = ("kind", "op", "value", "tolerance")
_TRAINING = _COMMON + TIMINGS + ("seeds", "min_seeds", "relative_to")
LAYER_WORDS = ("first", "last", "output")


@dataclass(frozen=True)
class GoalResult:
    """The outcome of evaluating a goal.

    Attributes
    ----------
    met : bool or None
        None while the run cannot decide it yet.
    value : float or None
        The measured value (for several seeds: the number of seeds it held in).
    epoch : int or None
        The epoch the value was measured at (None for goals that do not watch training).
    text : str
        One sentence with the value and the goal.
    held, runs : int
        Seeds in which it held, and seeds run (1 and 1 for a single run).
    """

    met: bool | None
    value: float | None
    epoch: int | None
    text: str
    held: int = 0
    runs: int = 1


@dataclass(frozen=True)
class GoalContext:
    """What the loader knows about the experiment a goal will run on (None: unknown)."""

    task: str | None = None
    n_layers: int | None = None
    earlier_run: bool = False


def _percent(v: float) -> str:
    if not math.isfinite(v):
        return "n/a"
    s = f"{100 * v:.1f}".rstrip("0").rstrip(".")
    return f"{s} %"


def _number(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if v == 0:
        return "0"
    return f"{v:.3g}"


def _epochs(n: int) -> str:
    return f"{n} epoch" + ("" if n == 1 else "s")


# --- the base ---------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Goal:
    """A checkable condition; subclasses say what is measured.

    Attributes
    ----------
    op, value, tolerance : the condition ``measured op value`` (``==`` allows ± tolerance)
    timing : "within", "after", "during", or None for goals that do not watch training
    epochs : N of the timing
    seeds, min_seeds : the check runs ``seeds`` seeds and needs it in ``min_seeds``
    relative_to : "before" to compare with the lesson's previous run (a ratio)
    line : the line of the goal in its file
    """

    kind: ClassVar[str] = ""
    #: False for goals that do not need training (evaluate once per step)
    needs_run: ClassVar[bool] = True
    #: False for goals the headless check cannot decide (the student marks them done)
    checkable: ClassVar[bool] = True
    #: True for goals measured on snapshots (the check observes one every epoch it needs)
    needs_observations: ClassVar[bool] = False
    percent: ClassVar[bool] = False

    op: str = ">="
    value: float = 0.0
    tolerance: float = 1e-6
    timing: str | None = None
    epochs: int = 0
    seeds: int = 1
    min_seeds: int = 1
    relative_to: str | None = None
    line: int = 0

    # --- what subclasses provide ----------------------------------------------------------
    def measure_name(self, run: RunRecord | None = None) -> str:
        raise NotImplementedError

    def series(self, run: RunRecord) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of the measured quantity in this run."""
        raise NotImplementedError

    def fmt(self, v: float) -> str:
        return _percent(v) if self.percent and self.relative_to is None else _number(v)

    # --- shared ---------------------------------------------------------------------------
    @property
    def horizon(self) -> int:
        """Epochs a run needs at most to decide this goal (0 for goals without training)."""
        return self.epochs if self.needs_run else 0

    @property
    def compares(self) -> bool:
        """True when the goal needs the lesson's previous run."""
        return self.relative_to is not None

    def holds(self, v: Any) -> Any:
        """The condition on a value or an array of values (NaN never holds)."""
        v = np.asarray(v, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            if self.op == "==":
                return np.abs(v - self.value) <= self.tolerance
            return _CMP[self.op](v, self.value)

    def _condition(self) -> str:
        target = self.fmt(self.value)
        if self.relative_to:
            return f"{_SYMBOL[self.op]} {target} × the earlier run's"
        if self.op == "==":
            return f"= {target} ± {self.tolerance:g}"
        return f"{_SYMBOL[self.op]} {target}"

    def _when(self) -> str:
        if self.timing == "within":
            return f" within {_epochs(self.epochs)}"
        if self.timing == "after":
            return f" after {_epochs(self.epochs)}"
        if self.timing == "during":
            return f" for all of the first {_epochs(self.epochs)}"
        return ""

    def _seeds(self) -> str:
        if self.seeds <= 1:
            return ""
        return f", in at least {self.min_seeds} of {self.seeds} seeds"

    def describe(self, run: RunRecord | None = None) -> str:
        """The goal in words, e.g. "test accuracy ≥ 95 % within 300 epochs"."""
        return f"{self.measure_name(run)} {self.target()}"

    def target(self) -> str:
        """The goal without what is measured, e.g. "≥ 95 % within 300 epochs"."""
        return f"{self._condition()}{self._when()}{self._seeds()}"

    def _result(self, met, value, epoch, what: str, run) -> GoalResult:
        return GoalResult(met, value, epoch, f"{what} (goal {self.target()})")

    def _diverged(self, run: RunRecord) -> GoalResult:
        return self._result(False, None, run.diverged_epoch,
                            f"training diverged in epoch {run.diverged_epoch} before the goal "
                            "was reached", run)

    def _best(self, v: np.ndarray) -> int:
        """Index of the value closest to meeting the condition (the worst one if negate)."""
        if v.size == 0 or np.isnan(v).all():
            return 0
        if self.op in (">=", ">"):
            return int(np.nanargmax(v))
        if self.op in ("<=", "<"):
            return int(np.nanargmin(v))
        return int(np.nanargmin(np.abs(v - self.value)))

    def _worst(self, v: np.ndarray) -> int:
        if v.size == 0 or np.isnan(v).all():
            return 0
        if self.op in (">=", ">"):
            return int(np.nanargmin(v))
        if self.op in ("<=", "<"):
            return int(np.nanargmax(v))
        return int(np.nanargmax(np.abs(v - self.value)))

    def evaluate(self, run: RunRecord) -> GoalResult:
        """Decide the goal on ``run`` (see the module docstring)."""
        if self.relative_to:
            return self._relative(run)
        e, v = self.series(run)
        n, now, name = self.epochs, run.epoch, self.measure_name(run)
        ok = self.holds(v) if v.size else np.zeros(0, dtype=bool)
        upto = e <= n
        if self.timing == "within":
            idx = np.flatnonzero(ok & upto)
            if idx.size:
                i = idx[0]
                return self._result(True, float(v[i]), int(e[i]),
                                    f"{name} {self.fmt(v[i])} at epoch {int(e[i])}", run)
            if run.diverged:
                return self._diverged(run)
            if now >= n and v.size:
                sel = np.flatnonzero(upto)
                i = sel[self._best(v[sel])] if sel.size else len(v) - 1
                return self._result(False, float(v[i]), int(e[i]), f"{name} got to "
                                    f"{self.fmt(v[i])} at best (epoch {int(e[i])})", run)
        elif self.timing == "after":
            idx = np.flatnonzero(e >= n)
            if idx.size:
                i = idx[0]
                return self._result(bool(ok[i]), float(v[i]), int(e[i]),
                                    f"{name} {self.fmt(v[i])} at epoch {int(e[i])}", run)
            if run.diverged:
                return self._diverged(run)
        else:  # during
            bad = np.flatnonzero(~ok & upto)
            if bad.size:
                i = bad[0]
                return self._result(False, float(v[i]), int(e[i]),
                                    f"{name} {self.fmt(v[i])} at epoch {int(e[i])}", run)
            if run.diverged:
                return self._diverged(run)
            if now >= n and v.size:
                sel = np.flatnonzero(upto)
                i = sel[self._worst(v[sel])]
                bound = {"<=": "at most", "<": "at most", ">=": "at least", ">": "at least"}
                return self._result(True, float(v[i]), int(e[i]), f"{name} stayed "
                                    f"{_SYMBOL[self.op]} {self.fmt(self.value)}: "
                                    f"{bound.get(self.op, 'at worst')} {self.fmt(v[i])} "
                                    f"(epoch {int(e[i])})", run)
        if not v.size:
            return self._result(None, None, None, f"{name}: nothing measured yet", run)
        return self._result(None, float(v[-1]), int(e[-1]),
                            f"{name} {self.fmt(v[-1])} at epoch {int(e[-1])} so far", run)

    def _relative(self, run: RunRecord) -> GoalResult:
        name, n = self.measure_name(run), self.epochs
        prev = run.previous
        if prev is None:
            return self._result(None, None, None, "there is no earlier run to compare with "
                                "yet", run)
        e, v = self.series(run)
        pe, pv = self.series(prev)
        i, j = np.flatnonzero(e >= n), np.flatnonzero(pe >= n)
        if not j.size:
            if prev.diverged:
                return self._result(False, None, None, "the earlier run diverged before epoch "
                                    f"{n}, so there is nothing to compare with", run)
            return self._result(None, None, None,
                                f"the earlier run has not reached epoch {n} yet", run)
        if not i.size:
            if run.diverged:
                return self._diverged(run)
            return self._result(None, None, None, f"{name}: epoch {n} not reached yet", run)
        now, before = float(v[i[0]]), float(pv[j[0]])
        with np.errstate(all="ignore"):
            ratio = float(np.float64(now) / np.float64(before))
        return self._result(bool(self.holds(ratio)), ratio, int(e[i[0]]),
                            f"{name} {_number(now)} at epoch {int(e[i[0]])}, {_number(before)} "
                            f"in the earlier run: ratio {_number(ratio)}", run)

    # --- reading --------------------------------------------------------------------------
    @classmethod
    def extra_fields(cls) -> tuple[str, ...]:
        return ()

    @classmethod
    def known_fields(cls) -> tuple[str, ...]:
        return _TRAINING + cls.extra_fields()

    @classmethod
    def value_range(cls, t: Table) -> tuple[float, float]:
        return (-1e12, 1e12)

    @classmethod
    def parse(cls, t: Table, ctx: GoalContext) -> Goal:
        kw = cls.parse_extra(t, ctx)
        relative = t.choice("relative_to", ("before",))
        lo, hi = (0.0, 1e12) if relative else cls.value_range(t)
        kw.update(
            op=t.choice("op", OPS, required=True),
            value=t.number("value", lo, hi, required=True),
            tolerance=t.number("tolerance", 0.0, 1e6, default=1e-6),
            relative_to=relative,
            line=t.src.line_of(t.path),
        )
        if cls.needs_run:
            given = [k for k in TIMINGS if t.has(k)]
            if len(given) != 1:
                raise t.error(None, "give exactly one of within, after or during (the number "
                                    "of epochs)")
            kw["timing"] = given[0]
            kw["epochs"] = t.number(given[0], 1, MAX_EPOCHS, integer=True)
            if relative and kw["timing"] != "after":
                raise t.error("relative_to", "a comparison with the earlier run needs "
                                             "'after' (the epoch to compare at)")
            if relative and not ctx.earlier_run:
                raise t.error("relative_to", "no earlier step of this lesson trains a run to "
                                             "compare with")
            seeds = t.number("seeds", 1, MAX_SEEDS, integer=True, default=1)
            kw["seeds"] = seeds
            kw["min_seeds"] = t.number("min_seeds", 1, seeds, integer=True, default=seeds)
        return cls(**kw)

    @classmethod
    def parse_extra(cls, t: Table, ctx: GoalContext) -> dict:
        return {}


# --- layers -----------------------------------------------------------------------------------
def _parse_layer(t: Table, key: str, ctx: GoalContext, *, required: bool = True,
                 words: Sequence[str] = LAYER_WORDS, lowest: int = 1) -> int | str | None:
    if not t.has(key):
        if required:
            raise t.error(key, f"the field {key!r} is missing: a layer number (1 is the first "
                               "hidden layer) or one of " + ", ".join(words))
        return None
    v = t.raw(key)
    if isinstance(v, str):
        if v not in words:
            raise t.error(key, f"must be a layer number or one of {', '.join(words)}; not {v!r}")
        return v
    n = t.number(key, lowest, 100, integer=True)
    if ctx.n_layers is not None and n > ctx.n_layers:
        raise t.error(key, f"the network of this step has {ctx.n_layers} layers (hidden "
                           f"layers and the output), so there is no layer {n}")
    return n


def _layer_index(ref: int | str, n_layers: int) -> int | None:
    if ref == "first":
        return 0
    if ref in ("last", "output"):
        return n_layers - 1
    i = int(ref) - 1
    return i if 0 <= i < n_layers else None


def _layer_label(ref: int | str | None, run: RunRecord | None) -> str:
    names = run.layer_names if run is not None else ()
    if names:
        i = _layer_index(ref, len(names)) if ref != "hidden" else None
        if i is not None:
            return names[i]
    return {"first": "the first layer", "last": "the last layer", "output": "the output layer",
            "hidden": "the hidden layers"}.get(ref, f"layer {ref}")


def _no_layer(run: RunRecord, ref) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0), np.zeros(0)


def combine(goal: Goal, results: Sequence[GoalResult]) -> GoalResult:
    """One result from the results of several seeds: met when it held in ``min_seeds``."""
    runs = len(results)
    need = goal.min_seeds if runs == goal.seeds else max(1, runs - (goal.seeds - goal.min_seeds))
    held = sum(r.met is True for r in results)
    open_ = sum(r.met is None for r in results)
    met = True if held >= need else False if held + open_ < need else None
    text = f"held in {held} of {runs} seeds (needed: {need})"
    example = [i for i, r in enumerate(results) if r.met is (met is not False)]
    if example:
        text += f"; seed {example[0]}: {results[example[0]].text}"
    elif results:
        text += f"; seed 0: {results[0].text}"
    return GoalResult(met, float(held), None, text, held=held, runs=runs)
