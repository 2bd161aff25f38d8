"""A small record of one training run, which lesson goals are evaluated against.

A goal never looks at a trainer: it reads a ``RunRecord``, built from what the GUI receives
anyway (the latest snapshot, whose ``history`` holds one row per epoch) or from a trainer in the
headless check. A ``RunRecorder`` turns a stream of snapshots into records: it keeps one small
``Observation`` per epoch (the first snapshot seen at that epoch), so goals on dead units or
histograms can be decided at a given epoch and stay decided.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Observation", "RunRecord", "RunRecorder", "observe"]


@dataclass(frozen=True)
class Observation:
    """What the goals need from one snapshot; every tuple has one entry per layer.

    Attributes
    ----------
    epoch : int
        Completed epochs when the snapshot was taken.
    units : tuple of int
        Units per layer.
    dead : tuple of float
        Share of the layer's units with f′(z) = 0 on every sample row (NaN if undefined).
    saturated : tuple of float
        Share of sample rows × units with |f′(z)| below 1 % of the function's largest |f′|.
    same_sign : tuple of float
        For layer k ≥ 2, the share of sample rows whose inputs to layer k (the outputs of
        layer k − 1) are all ≥ 0 or all ≤ 0; NaN for layer 1, whose inputs are the data.
    z_mean, z_std, a_mean, a_std : tuple of float
        Mean and standard deviation of the layer's z and a over sample rows and units.
    output_min, output_max : float
        Smallest and largest output of the network on the sample rows.
    sum_deviation : float
        Largest |Σ_k a_k − 1| over the sample rows: how far the outputs are from summing to 1.
    """

    epoch: int
    units: tuple[int, ...]
    dead: tuple[float, ...]
    saturated: tuple[float, ...]
    same_sign: tuple[float, ...]
    z_mean: tuple[float, ...]
    z_std: tuple[float, ...]
    a_mean: tuple[float, ...]
    a_std: tuple[float, ...]
    output_min: float
    output_max: float
    sum_deviation: float


def _one_sign_share(a: np.ndarray) -> float:
    if a.size == 0:
        return math.nan
    return float(np.mean(np.all(a >= 0, axis=1) | np.all(a <= 0, axis=1)))


def observe(snapshot: Any) -> Observation:
    """The Observation of a ``core.Snapshot`` (a few passes over its sample arrays)."""
    layers = snapshot.layers
    same = [math.nan] + [_one_sign_share(np.asarray(prev.a_sample)) for prev in layers[:-1]]
    out = np.asarray(snapshot.output_sample, dtype=np.float64)
    with np.errstate(all="ignore"):
        if out.size:
            lo, hi = float(np.min(out)), float(np.max(out))
            dev = float(np.max(np.abs(out.sum(axis=1) - 1.0)))
        else:
            lo = hi = dev = math.nan
    return Observation(
        epoch=int(snapshot.epoch),
        units=tuple(int(l.units) for l in layers),
        dead=tuple(l.dead_units / l.units if l.units else math.nan for l in layers),
        saturated=tuple(float(l.frac_saturated) for l in layers),
        same_sign=tuple(same),
        z_mean=tuple(float(l.z_mean) for l in layers),
        z_std=tuple(float(l.z_std) for l in layers),
        a_mean=tuple(float(l.a_mean) for l in layers),
        a_std=tuple(float(l.a_std) for l in layers),
        output_min=lo, output_max=hi, sum_deviation=dev,
    )


@dataclass(frozen=True)
class RunRecord:
    """One run as the goals see it.

    Attributes
    ----------
    history : dict of str → array
        The trainer's per-epoch columns (``core.timeline.History``: "epoch", "train_loss",
        "test_loss", "train_metric", "test_metric", ... and "grad_norm_w" of shape
        (rows, layers)), oldest first; ``Snapshot.history`` is exactly this.
    observations : tuple of Observation
        At most one per epoch, in epoch order.
    task : str
        "binary", "multiclass" or "regression" ("" if unknown).
    layer_names : tuple of str
        "hidden 1", …, "output".
    experiment : core.experiment.Experiment or None
        The settings of the run (goals that probe the network itself, such as a gradient
        check, build it from these).
    previous : RunRecord or None
        The lesson's run before this one, for goals that compare with it.
    diverged : str
        Empty, or the message of ``core.TrainingDiverged`` if training stopped on it.
    diverged_epoch : int or None
        The epoch in which it diverged.
    """

    history: dict = field(default_factory=dict)
    observations: tuple[Observation, ...] = ()
    task: str = ""
    layer_names: tuple[str, ...] = ()
    experiment: Any = None
    previous: RunRecord | None = None
    diverged: str = ""
    diverged_epoch: int | None = None

    @property
    def epoch(self) -> int:
        """The latest epoch the record knows of (history or observations); 0 when empty."""
        e = self.history.get("epoch")
        last = int(e[-1]) if e is not None and len(e) else 0
        if self.observations:
            last = max(last, self.observations[-1].epoch)
        return last

    def column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of a history column; both empty if the record has none."""
        e, v = self.history.get("epoch"), self.history.get(name)
        if e is None or v is None:
            return np.zeros(0), np.zeros(0)
        return np.asarray(e, dtype=np.float64), np.asarray(v, dtype=np.float64)

    @classmethod
    def from_trainer(cls, trainer: Any, **kw: Any) -> RunRecord:
        """A record over a live trainer's history (read-only views, no copies)."""
        h = trainer.history
        history = {k: h.column(k) for k in h.shapes}
        names = tuple(trainer.net.layer_name(i) for i in range(len(trainer.net.layers)))
        return cls(history=history, task=trainer.dataset.task, layer_names=names, **kw)


class RunRecorder:
    """Builds RunRecords from a stream of snapshots (the GUI's frames, the check's epochs).

    Parameters
    ----------
    experiment : Experiment, optional
        The run's settings, passed on to every record.
    previous : RunRecord, optional
        The lesson's earlier run, for goals that compare with it.

    Use ``observe(snapshot)`` on every frame (cheap: a frame of an epoch already observed is
    skipped), ``mark_diverged`` when training stops on a divergence, and ``record()`` to get
    the record to evaluate goals on.
    """

    def __init__(self, experiment: Any = None, previous: RunRecord | None = None) -> None:
        self.experiment = experiment
        self.previous = previous
        self._obs: list[Observation] = []
        self._history: dict = {}
        self._task = ""
        self._names: tuple[str, ...] = ()
        self._diverged = ""
        self._diverged_epoch: int | None = None

    @property
    def observations(self) -> tuple[Observation, ...]:
        return tuple(self._obs)

    def observe(self, snapshot: Any) -> None:
        """Take the history of ``snapshot`` and, if its epoch is new, its Observation."""
        self._history = snapshot.history
        self._task = snapshot.task
        self._names = tuple(l.name for l in snapshot.layers)
        if not self._obs or snapshot.epoch > self._obs[-1].epoch:
            self._obs.append(observe(snapshot))

    def mark_diverged(self, message: str, epoch: int) -> None:
        """Training stopped on ``core.TrainingDiverged`` during ``epoch``."""
        self._diverged, self._diverged_epoch = str(message), int(epoch)

    def record(self, history: dict | None = None, **kw: Any) -> RunRecord:
        """The record so far; ``history`` replaces the latest snapshot's (e.g. a trainer's)."""
        return RunRecord(
            history=self._history if history is None else history,
            observations=tuple(self._obs), task=kw.pop("task", self._task),
            layer_names=kw.pop("layer_names", self._names), experiment=self.experiment,
            previous=kw.pop("previous", self.previous), diverged=self._diverged,
            diverged_epoch=self._diverged_epoch, **kw,
        )
