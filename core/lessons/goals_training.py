"""Goals that watch training: metrics, gradients, snapshot measures, comparisons, divergence."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .fields import Table
from .goal_base import (
    _SYMBOL,
    LAYER_WORDS,
    MAX_EPOCHS,
    MAX_SEEDS,
    Goal,
    GoalContext,
    GoalResult,
    _epochs,
    _layer_index,
    _layer_label,
    _no_layer,
    _parse_layer,
)
from .record import Observation, RunRecord

# --- goals on the history ---------------------------------------------------------------------
METRICS = {
    "train_loss": ("train_loss", "training loss", None),
    "test_loss": ("test_loss", "test loss", None),
    "train_accuracy": ("train_metric", "training accuracy", "classification"),
    "test_accuracy": ("test_metric", "test accuracy", "classification"),
    "train_r2": ("train_metric", "training R²", "regression"),
    "test_r2": ("test_metric", "test R²", "regression"),
}


def _parse_metric(t: Table, ctx: GoalContext) -> str:
    m = t.choice("metric", METRICS, required=True)
    needs = METRICS[m][2]
    if needs and ctx.task:
        is_reg = ctx.task == "regression"
        if (needs == "regression") != is_reg:
            other = "train_r2, test_r2" if is_reg else "train_accuracy, test_accuracy"
            raise t.error("metric", f"{m} does not fit this step's data set, a {ctx.task} "
                                    f"problem; use a loss or {other}")
    return m


@dataclass(frozen=True, kw_only=True)
class MetricGoal(Goal):
    """A loss, accuracy or R² (per epoch, from the history)."""

    kind: ClassVar[str] = "metric"
    metric: str = "test_accuracy"

    @property
    def percent(self) -> bool:  # type: ignore[override]
        return self.metric.endswith("accuracy")

    def measure_name(self, run=None) -> str:
        return METRICS[self.metric][1]

    def series(self, run):
        return run.column(METRICS[self.metric][0])

    @classmethod
    def extra_fields(cls):
        return ("metric",)

    @classmethod
    def value_range(cls, t):
        m = t.raw("metric")
        return (0.0, 1.0) if isinstance(m, str) and m.endswith("accuracy") else (-1e12, 1e12)

    @classmethod
    def parse_extra(cls, t, ctx):
        return {"metric": _parse_metric(t, ctx)}


@dataclass(frozen=True, kw_only=True)
class GradientGoal(Goal):
    """The norm of a layer's weight gradient ‖∂L/∂W‖, or its ratio to another layer's."""

    kind: ClassVar[str] = "gradient"
    layer: int | str = "first"
    over: int | str | None = None

    def measure_name(self, run=None) -> str:
        name = f"gradient norm of {_layer_label(self.layer, run)}"
        if self.over is not None:
            name += f" ÷ that of {_layer_label(self.over, run)}"
        return name

    def series(self, run):
        e, g = run.column("grad_norm_w")
        if g.ndim != 2 or not g.shape[0]:
            return np.zeros(0), np.zeros(0)
        i = _layer_index(self.layer, g.shape[1])
        j = None if self.over is None else _layer_index(self.over, g.shape[1])
        if i is None or (self.over is not None and j is None):
            return _no_layer(run, self.layer)
        keep = e >= 1  # the row of epoch 0 is before any backward pass
        v = g[keep, i]
        if j is not None:
            with np.errstate(all="ignore"):
                v = v / g[keep, j]
        return e[keep], v

    @classmethod
    def extra_fields(cls):
        return ("layer", "over")

    @classmethod
    def value_range(cls, t):
        return (0.0, 1e12)

    @classmethod
    def parse_extra(cls, t, ctx):
        return {"layer": _parse_layer(t, "layer", ctx),
                "over": _parse_layer(t, "over", ctx, required=False)}


# --- goals on snapshots -----------------------------------------------------------------------
class _Observed(Goal):
    needs_observations: ClassVar[bool] = True

    def pick(self, o: Observation) -> float:
        raise NotImplementedError

    def series(self, run):
        obs = run.observations
        if not obs:
            return np.zeros(0), np.zeros(0)
        return (np.array([o.epoch for o in obs], dtype=np.float64),
                np.array([self.pick(o) for o in obs], dtype=np.float64))


def _per_layer(values: tuple, units: tuple, ref) -> float:
    if ref == "hidden":
        u = np.asarray(units[:-1], dtype=np.float64)
        v = np.asarray(values[:-1], dtype=np.float64)
        return float((u * v).sum() / u.sum()) if u.size else math.nan
    i = _layer_index(ref, len(values))
    return math.nan if i is None else float(values[i])


@dataclass(frozen=True, kw_only=True)
class UnitsGoal(_Observed):
    """The share of a layer's dead units (f′ = 0 on every sample row), or of saturated values."""

    kind: ClassVar[str] = "units"
    percent: ClassVar[bool] = True
    state: str = "dead"
    layer: int | str = "hidden"

    def measure_name(self, run=None) -> str:
        what = "dead units" if self.state == "dead" else "saturated values"
        return f"share of {what} in {_layer_label(self.layer, run)}"

    def pick(self, o):
        return _per_layer(getattr(o, self.state), o.units, self.layer)

    @classmethod
    def extra_fields(cls):
        return ("state", "layer")

    @classmethod
    def value_range(cls, t):
        return (0.0, 1.0)

    @classmethod
    def parse_extra(cls, t, ctx):
        return {"state": t.choice("state", ("dead", "saturated"), required=True),
                "layer": _parse_layer(t, "layer", ctx, words=LAYER_WORDS + ("hidden",))}


@dataclass(frozen=True, kw_only=True)
class SameSignGoal(_Observed):
    """Share of examples whose inputs to a layer all have one sign.

    For such an example every weight gradient of one unit of that layer, ∂L/∂w_i = a_i·δ, has
    the sign of the unit's δ: all the unit's incoming weights are pushed the same way.
    """

    kind: ClassVar[str] = "same_sign"
    percent: ClassVar[bool] = True
    layer: int | str = 2

    def measure_name(self, run=None) -> str:
        return f"share of examples whose inputs to {_layer_label(self.layer, run)} all have " \
               "one sign"

    def pick(self, o):
        i = _layer_index(self.layer, len(o.same_sign))
        return math.nan if i is None or i == 0 else float(o.same_sign[i])

    @classmethod
    def extra_fields(cls):
        return ("layer",)

    @classmethod
    def value_range(cls, t):
        return (0.0, 1.0)

    @classmethod
    def parse_extra(cls, t, ctx):
        return {"layer": _parse_layer(t, "layer", ctx, words=("last", "output"), lowest=2)}


_STATS = {"z_mean": "mean of z", "z_std": "spread (std) of z", "a_mean": "mean output a",
          "a_std": "spread (std) of the outputs a"}


@dataclass(frozen=True, kw_only=True)
class DistributionGoal(_Observed):
    """The mean or spread of a layer's z or a, or its change since the start of the run."""

    kind: ClassVar[str] = "distribution"
    stat: str = "z_mean"
    layer: int | str = "first"
    from_start: bool = False

    def measure_name(self, run=None) -> str:
        name = f"{_STATS[self.stat]} in {_layer_label(self.layer, run)}"
        return f"change of the {name} since the start" if self.from_start else name

    def pick(self, o):
        return _per_layer(getattr(o, self.stat), o.units, self.layer)

    def series(self, run):
        e, v = super().series(run)
        if self.from_start and v.size:
            v = v - v[0]
        return e, v

    @classmethod
    def extra_fields(cls):
        return ("stat", "layer", "from_start")

    @classmethod
    def parse_extra(cls, t, ctx):
        return {"stat": t.choice("stat", _STATS, required=True),
                "layer": _parse_layer(t, "layer", ctx, words=LAYER_WORDS + ("hidden",)),
                "from_start": t.boolean("from_start")}


_OUTPUT_STATS = {"min": "smallest output", "max": "largest output",
                 "sum_deviation": "largest distance of an example's outputs from summing to 1"}


@dataclass(frozen=True, kw_only=True)
class OutputGoal(_Observed):
    """The network's outputs on the sample rows: smallest, largest, or sum over the outputs."""

    kind: ClassVar[str] = "output"
    stat: str = "min"

    def measure_name(self, run=None) -> str:
        return _OUTPUT_STATS[self.stat]

    def pick(self, o):
        return {"min": o.output_min, "max": o.output_max,
                "sum_deviation": o.sum_deviation}[self.stat]

    @classmethod
    def extra_fields(cls):
        return ("stat",)

    @classmethod
    def parse_extra(cls, t, ctx):
        return {"stat": t.choice("stat", _OUTPUT_STATS, required=True)}


# --- comparisons and events -------------------------------------------------------------------
def _first_epoch(goal: Goal, e: np.ndarray, v: np.ndarray, limit: float) -> int | None:
    idx = np.flatnonzero(goal.holds(v) & (e <= limit)) if v.size else np.zeros(0, dtype=int)
    return int(e[idx[0]]) if idx.size else None


@dataclass(frozen=True, kw_only=True)
class FasterGoal(Goal):
    """The run reaches ``metric op value`` in fewer epochs than the lesson's previous run.

    With ``factor`` f > 1 it must be at least f times as fast (previous ≥ f × this).
    """

    kind: ClassVar[str] = "faster"
    metric: str = "train_loss"
    factor: float = 1.0

    @property
    def percent(self) -> bool:  # type: ignore[override]
        return self.metric.endswith("accuracy")

    @property
    def compares(self) -> bool:
        return True

    def measure_name(self, run=None) -> str:
        return METRICS[self.metric][1]

    def series(self, run):
        return run.column(METRICS[self.metric][0])

    def target(self) -> str:
        speed = "in fewer epochs than the earlier run" if self.factor == 1 else (
            f"at least {self.factor:g} times as fast as the earlier run")
        return (f"{_SYMBOL[self.op]} {self.fmt(self.value)} {speed}, within "
                f"{_epochs(self.epochs)}{self._seeds()}")

    @property
    def before_horizon(self) -> int:
        """Epochs the earlier run needs to be followed for a decision."""
        return int(math.ceil(self.factor * self.epochs)) + 1

    def evaluate(self, run: RunRecord) -> GoalResult:
        name, n = self.measure_name(run), self.epochs
        prev = run.previous
        if prev is None:
            return self._result(None, None, None,
                                "there is no earlier run to compare with yet", run)
        e, v = self.series(run)
        pe, pv = self.series(prev)
        now = _first_epoch(self, e, v, n)
        before = _first_epoch(self, pe, pv, math.inf)
        prev_end = prev.epoch
        cond = f"{name} {_SYMBOL[self.op]} {self.fmt(self.value)}"
        before_txt = (f"the earlier run took {_epochs(before)}" if before is not None
                      else f"the earlier run had not got there by epoch {prev_end}")
        if now is not None:
            if before is not None:
                met = now < before and before >= self.factor * now
            elif self.factor * now <= prev_end or prev.diverged:
                met = True
            else:
                return self._result(None, float(now), now, f"{cond} at epoch {now}; "
                                    f"{before_txt}, so this cannot be compared yet", run)
            return self._result(met, float(now), now, f"{cond} at epoch {now}; {before_txt}",
                                run)
        if run.diverged:
            return self._diverged(run)
        if run.epoch >= n or (before is not None and run.epoch >= before):
            return self._result(False, None, run.epoch, f"{cond} not reached by epoch "
                                f"{run.epoch}; {before_txt}", run)
        return self._result(None, None, run.epoch,
                            f"{cond} not reached yet (epoch {run.epoch}); {before_txt}", run)

    @classmethod
    def known_fields(cls):
        return ("kind", "metric", "op", "value", "within", "factor", "seeds", "min_seeds")

    @classmethod
    def parse(cls, t, ctx):
        if not ctx.earlier_run:
            raise t.error("kind", "no earlier step of this lesson trains a run to compare with")
        m = _parse_metric(t, ctx)
        seeds = t.number("seeds", 1, MAX_SEEDS, integer=True, default=1)
        return cls(
            metric=m, op=t.choice("op", ("<=", "<", ">=", ">"), required=True),
            value=t.number("value", *(
                (0.0, 1.0) if m.endswith("accuracy") else (-1e12, 1e12)), required=True),
            timing="within", epochs=t.number("within", 1, MAX_EPOCHS, integer=True,
                                             required=True),
            factor=t.number("factor", 1.0, 1000.0, default=1.0), seeds=seeds,
            min_seeds=t.number("min_seeds", 1, seeds, integer=True, default=seeds),
            line=t.src.line_of(t.path),
        )


@dataclass(frozen=True, kw_only=True)
class DivergesGoal(Goal):
    """Training diverges (a loss, gradient or weight becomes inf or NaN) within N epochs."""

    kind: ClassVar[str] = "diverges"

    def measure_name(self, run=None) -> str:
        return "training"

    def target(self) -> str:
        return f"diverges within {_epochs(self.epochs)}{self._seeds()}"

    def evaluate(self, run: RunRecord) -> GoalResult:
        if run.diverged:
            e = run.diverged_epoch
            met = e is not None and e <= self.epochs
            return self._result(met, float(e or 0), e, f"training diverged in epoch {e}", run)
        if run.epoch >= self.epochs:
            return self._result(False, None, run.epoch,
                                f"training still runs at epoch {run.epoch}", run)
        return self._result(None, None, run.epoch, f"no divergence yet (epoch {run.epoch})",
                            run)

    @classmethod
    def known_fields(cls):
        return ("kind", "within", "seeds", "min_seeds")

    @classmethod
    def parse(cls, t, ctx):
        seeds = t.number("seeds", 1, MAX_SEEDS, integer=True, default=1)
        return cls(timing="within", epochs=t.number("within", 1, MAX_EPOCHS, integer=True,
                                                    required=True),
                   seeds=seeds,
                   min_seeds=t.number("min_seeds", 1, seeds, integer=True, default=seeds),
                   line=t.src.line_of(t.path))
