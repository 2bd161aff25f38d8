"""A comparison's results and what is computed from them: the summary per value, the curves
per value (what the GUI plots) and the choice of tuned learning rates.

**The outcome** of a run decides who beats whom (``Plan.measure``): with a goal, the epochs it
took to reach it (+∞ if it never did, or diverged first); without one, its final test loss
(the train loss when the data set keeps no test rows) — or, when the values train with
different losses, minus its final test metric; +∞ if it diverged. Lower is better. Runs
that crashed, failed or were cancelled are missing (left out, and counted as such).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .goal import METRICS
from .plan import Plan
from .run import RunRecord
from .stats import (
    Spread,
    auc,
    bootstrap_interval,
    column_quantiles,
    paired_scores,
    spread,
)

__all__ = ["ComparisonResult", "Curve", "Summary", "ValueSummary", "choose_lrs", "curves",
           "outcome", "summarize"]


@dataclass(frozen=True, eq=False)
class ComparisonResult:
    """Everything a comparison produced; enough to save, reopen, summarize and plot.

    Attributes
    ----------
    plan : Plan
    runs : tuple of RunRecord
        The compared runs, in ``plan.main_specs()`` order (seed by seed, value by value);
        every planned run has a record, ``status`` "cancelled" for those that never ran.
    tuning : tuple of RunRecord
        The tuning runs (empty without ``plan.tune_lr``).
    lrs : tuple of float
        The learning rate each value's runs used (tuned, or the arm's own).
    cancelled : bool
        Cancel was pressed before every run was done.
    seconds : float
        Wall time of the whole comparison.
    """

    plan: Plan
    runs: tuple[RunRecord, ...]
    tuning: tuple[RunRecord, ...] = ()
    lrs: tuple[float, ...] = ()
    cancelled: bool = False
    seconds: float = 0.0

    def records(self, value_index: int) -> list[RunRecord]:
        """One value's runs, in ``plan.seeds`` order."""
        return [r for r in self.runs if r.value_index == value_index]

    def run(self, value_index: int, seed: int) -> RunRecord:
        for r in self.runs:
            if r.value_index == value_index and r.seed == seed:
                return r
        raise KeyError(f"no run of value {value_index} with seed {seed}")

    @property
    def tuned(self) -> bool:
        return bool(self.tuning)


def outcome(record: RunRecord, plan: Plan, measure: str | None = None) -> float:
    """The run's lower-is-better outcome (see the module docstring); NaN when missing.

    ``measure`` is ``plan.measure``, passed in when computing many outcomes.
    """
    if not record.counted:
        return math.nan
    measure = measure or plan.measure
    if measure == "goal":
        return math.inf if record.goal_epoch is None else float(record.goal_epoch)
    if record.status == "diverged":
        return math.inf
    where = "test" if not math.isnan(record.final(measure)) else "train"
    v = record.final(measure.replace("test", where))
    if math.isnan(v):
        return math.inf
    return -v if measure == "test_metric" else v


@dataclass(frozen=True)
class ValueSummary:
    """One row of the comparison's table: one value over its seeds.

    ``final_*`` spreads are over the runs that finished (a diverged run has no final value);
    ``goal_epochs`` is over every counted run, +∞ for those that never reached the goal;
    ``p_beats_baseline`` (with its bootstrap ``p_interval``) is None for the baseline itself
    and NaN when no seed has both runs.
    """

    value: str
    label: str
    index: int
    lr: float
    runs: int
    finished: int
    diverged: int
    lost: int
    final_train_loss: Spread
    final_test_loss: Spread
    final_test_metric: Spread
    goal_epochs: Spread | None
    reached: int
    counted: int
    outcome: Spread
    p_beats_baseline: float | None
    p_interval: tuple[float, float] | None
    wins: int
    ties: int
    pairs: int
    auc: Spread
    dead_share: Spread
    saturated_share: Spread
    seconds_per_epoch: Spread

    @property
    def reached_share(self) -> float:
        return self.reached / self.counted if self.counted else math.nan


@dataclass(frozen=True)
class Summary:
    """The comparison's table (``rows``, one per value, baseline first) and its plan."""

    plan: Plan
    rows: tuple[ValueSummary, ...]
    metric_name: str
    task: str
    cancelled: bool
    tuned: bool

    @property
    def baseline(self) -> ValueSummary:
        return self.rows[0]


def _task(plan: Plan) -> str:
    from .. import datasets

    if plan.experiment.dataset.csv_path:
        try:
            return plan.experiment.build_dataset().task
        except (ValueError, KeyError, OSError, TypeError):
            return "binary"
    try:
        return datasets.describe(plan.experiment.dataset.name).task
    except KeyError:
        return "binary"


def summarize(result: ComparisonResult) -> Summary:
    """The table of a comparison (see ``ValueSummary``); pure, cheap, deterministic."""
    plan = result.plan
    measure = plan.measure
    base_out = [outcome(r, plan, measure) for r in result.records(0)]
    rows = []
    for vi, text in enumerate(plan.values):
        recs = result.records(vi)
        fin = [r for r in recs if r.status == "finished"]
        counted = [r for r in recs if r.counted]
        outs = [outcome(r, plan, measure) for r in recs]
        if vi == 0:
            p = interval = None
            wins = ties = pairs = 0
        else:
            scores = paired_scores(outs, base_out)
            pairs = int(scores.size)
            wins, ties = int((scores == 1.0).sum()), int((scores == 0.5).sum())
            p = float(scores.mean()) if pairs else math.nan
            interval = bootstrap_interval(scores) if pairs else (math.nan, math.nan)
        goal_spread = None
        reached = 0
        if plan.goal is not None:
            goal_spread = spread([math.inf if r.goal_epoch is None else r.goal_epoch
                                  for r in counted])
            reached = sum(r.goal_epoch is not None for r in counted)
        lr = result.lrs[vi] if vi < len(result.lrs) else plan.arm(vi).training.lr
        rows.append(ValueSummary(
            value=text, label=plan.label(vi), index=vi, lr=float(lr), runs=len(recs),
            finished=len(fin),
            diverged=sum(r.status == "diverged" for r in recs),
            lost=len(recs) - len(counted),
            final_train_loss=spread([r.final("train_loss") for r in fin]),
            final_test_loss=spread([r.final("test_loss") for r in fin]),
            final_test_metric=spread([r.final("test_metric") for r in fin]),
            goal_epochs=goal_spread, reached=reached, counted=len(counted),
            outcome=spread(outs), p_beats_baseline=p, p_interval=interval,
            wins=wins, ties=ties, pairs=pairs,
            auc=spread([auc(r.column("train_loss")) for r in fin]),
            dead_share=spread([r.dead_share for r in counted]),
            saturated_share=spread([r.saturated_share for r in counted]),
            seconds_per_epoch=spread([r.seconds_per_epoch for r in counted]),
        ))
    task = _task(plan)
    return Summary(plan, tuple(rows), "R²" if task == "regression" else "accuracy", task,
                   result.cancelled, result.tuned)


# --- curves --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Curve:
    """One value's curve of one metric over epochs, across its seeds: what the GUI plots.

    ``epochs`` (E + 1,) is 0 … plan.epochs; ``median``, ``q1``, ``q3`` (E + 1,) are NaN where
    no run has a value; ``n`` (E + 1,) counts the runs with a value at each epoch (runs that
    diverged or stopped at the goal drop out after their last epoch); ``runs`` (K, E + 1) is
    every run, NaN-padded, rows in ``seeds`` order; ``dropped_diverged`` and
    ``dropped_at_goal`` count the runs that ended early for each reason.
    """

    value: str
    value_index: int
    metric: str
    epochs: np.ndarray
    median: np.ndarray
    q1: np.ndarray
    q3: np.ndarray
    n: np.ndarray
    runs: np.ndarray
    seeds: tuple[int, ...]
    dropped_diverged: int
    dropped_at_goal: int


def _ro(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def curves(result: ComparisonResult, metric: str = "test_loss") -> list[Curve]:
    """One ``Curve`` per value (baseline first) of ``metric`` (one of ``goal.METRICS``)."""
    if metric not in METRICS:
        raise ValueError(f"a curve is drawn of {', '.join(METRICS)}, not {metric!r}")
    plan = result.plan
    width = plan.epochs + 1
    col = METRICS.index(metric)
    out = []
    for vi, text in enumerate(plan.values):
        recs = result.records(vi)
        m = np.full((len(recs), width), np.nan)
        for i, r in enumerate(recs):
            rows = min(r.metrics.shape[0], width)
            m[i, :rows] = r.metrics[:rows, col]
        out.append(Curve(
            value=text, value_index=vi, metric=metric, epochs=_ro(np.arange(width)),
            median=_ro(column_quantiles(m, 0.5)), q1=_ro(column_quantiles(m, 0.25)),
            q3=_ro(column_quantiles(m, 0.75)), n=_ro((~np.isnan(m)).sum(axis=0)),
            runs=_ro(m), seeds=tuple(r.seed for r in recs),
            dropped_diverged=sum(r.status == "diverged" for r in recs),
            dropped_at_goal=sum(r.status == "finished" and r.epochs < plan.epochs
                                for r in recs),
        ))
    return out


# --- tuning --------------------------------------------------------------------------------------
def choose_lrs(plan: Plan, tuning: list[RunRecord]) -> tuple[float, ...]:
    """Each value's learning rate: the grid rate whose tuning runs have the best (lowest)
    median outcome; ties go to the lower median final train loss, then to the rate nearest
    the arm's own. A value whose tuning runs all failed keeps its own rate."""
    chosen = []
    measure = plan.measure
    for vi in range(len(plan.values)):
        own = plan.arm(vi).training.lr
        best, best_key = own, None
        for lr in plan.lr_grid(vi):
            recs = [r for r in tuning if r.value_index == vi and r.lr == lr and r.counted]
            if not recs:
                continue
            med = spread([outcome(r, plan, measure) for r in recs]).median
            losses = spread([r.final("train_loss") for r in recs if r.status == "finished"])
            loss = losses.median if losses.n else math.inf
            key = (med, loss, abs(math.log(lr / own)))
            if best_key is None or key < best_key:
                best, best_key = lr, key
        chosen.append(float(best))
    return tuple(chosen)
