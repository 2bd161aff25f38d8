"""One run of a comparison, as a worker process (or the serial runner) makes it.

``run_one`` trains exactly as ``activation-lab train`` does — ``build_dataset``, then
``build_trainer``, then ``trainer.run(epochs=1)`` epoch by epoch — so its per-epoch numbers
equal that command's ``metrics.csv``. What it returns is a plain, picklable ``RunRecord``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..trainer import TrainingDiverged
from .goal import METRICS
from .plan import RunSpec

__all__ = ["COUNTED", "STATUSES", "RunRecord", "end_units", "lost_record", "run_one"]

#: how a run ended: trained its epochs (or stopped at the goal); diverged (inf or NaN; its
#: rows stop at the last finished epoch); failed (could not be set up); crashed (its worker
#: process died); cancelled (never ran, or was stopped by Cancel)
STATUSES = ("finished", "diverged", "failed", "crashed", "cancelled")
#: the runs that count in the statistics: a diverged run is a result, the others are not
COUNTED = ("finished", "diverged")


@dataclass(frozen=True, eq=False)
class RunRecord:
    """What one run produced.

    Attributes
    ----------
    index, phase, value_index, seed, lr : as in its ``RunSpec``.
    status : str
        One of ``STATUSES``.
    metrics : (rows, 4) float array
        Row e is the evaluation after epoch e (row 0 before training), columns
        ``METRICS`` (train_loss, test_loss, train_metric, test_metric); rows = epochs + 1.
    epochs : int
        Epochs trained to the end (fewer than asked when stopped at the goal or diverged).
    seconds : float
        Wall time of the training itself (not the set-up or the final snapshot).
    goal_epoch : int or None
        The first epoch whose evaluation met the goal; None if it never did (or no goal).
    dead_share, saturated_share : float
        At the end, over the hidden layers: the share of units that are dead (f′ = 0 on every
        sample row) and the share of unit×sample values in saturation (core.snapshot's
        rules); NaN when unknown (no hidden layer, a run that did not train).
    message : str
        Why it diverged, failed or crashed (one sentence), else "".
    """

    index: int
    phase: str
    value_index: int
    seed: int
    lr: float
    status: str
    metrics: np.ndarray
    epochs: int
    seconds: float
    goal_epoch: int | None
    dead_share: float
    saturated_share: float
    message: str = ""

    @property
    def counted(self) -> bool:
        return self.status in COUNTED

    @property
    def seconds_per_epoch(self) -> float:
        return self.seconds / self.epochs if self.epochs > 0 else math.nan

    def column(self, name: str) -> np.ndarray:
        return self.metrics[:, METRICS.index(name)]

    def final(self, name: str) -> float:
        """The last evaluated value of a metric (NaN when there is no row)."""
        col = self.column(name)
        return float(col[-1]) if col.size else math.nan


def _row(m: dict) -> list[float]:
    return [float(m[k]) for k in METRICS]


def end_units(trainer) -> tuple[float, float]:
    """(dead share, saturated share) over the hidden layers, from a snapshot (no grid)."""
    try:
        snap = trainer.snapshot(grid=None)
    except (ValueError, FloatingPointError, MemoryError):
        return math.nan, math.nan
    hidden = snap.layers[:-1]
    units = sum(l.units for l in hidden)
    if not units:
        return math.nan, math.nan
    dead = sum(l.dead_units for l in hidden) / units
    sat = [(l.frac_saturated, l.units) for l in hidden if math.isfinite(l.frac_saturated)]
    n_sat = sum(u for _, u in sat)
    saturated = sum(f * u for f, u in sat) / n_sat if n_sat else math.nan
    return float(dead), float(saturated)


def lost_record(spec: RunSpec, status: str, message: str = "") -> RunRecord:
    """The record of a run that produced nothing (failed, crashed or cancelled)."""
    return RunRecord(spec.index, spec.phase, spec.value_index, spec.seed, spec.lr, status,
                     np.zeros((0, len(METRICS))), 0, 0.0, None, math.nan, math.nan, message)


def run_one(spec: RunSpec) -> RunRecord:
    """Train one run of a comparison and return its record (never raises for the run's own
    problems: divergence and set-up errors are statuses)."""
    exp, goal = spec.experiment, spec.goal
    try:
        ds = exp.build_dataset()
        trainer = exp.build_trainer(ds)
    except (ValueError, KeyError, TypeError, OSError) as e:
        return lost_record(spec, "failed", f"it could not be set up: {str(e).strip(chr(39))}")
    rows = [_row(trainer.metrics)]
    goal_epoch = 0 if goal is not None and goal.met(rows[0][goal.column]) else None
    status, message = "finished", ""
    t0 = time.perf_counter()
    if not (spec.stop_at_goal and goal_epoch is not None):
        try:
            for _ in range(spec.epochs):
                trainer.run(epochs=1)
                row = _row(trainer.metrics)
                rows.append(row)
                if goal is not None and goal_epoch is None and goal.met(row[goal.column]):
                    goal_epoch = trainer.epoch
                    if spec.stop_at_goal:
                        break
        except TrainingDiverged as e:
            status, message = "diverged", str(e)
    seconds = time.perf_counter() - t0
    dead, sat = end_units(trainer)
    return RunRecord(spec.index, spec.phase, spec.value_index, spec.seed, spec.lr, status,
                     np.array(rows, dtype=np.float64), len(rows) - 1, seconds, goal_epoch,
                     dead, sat, message)
