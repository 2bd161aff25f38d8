"""What every panel draws from: the latest snapshot and what goes with it (immutable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # names for the type checker only: importing this module loads no core module
    from collections.abc import Iterable

    import numpy as np

    import core
    from core.datasets import Dataset
    from core.experiment import Experiment

__all__ = ["Ghost", "LiveView", "make_live_view"]


@dataclass(frozen=True)
class Ghost:
    """A finished earlier run of this session, kept as a labelled ghost curve."""

    label: str
    #: that run's ``Snapshot.history``: per-epoch columns ("epoch", "train_loss", …), oldest
    #: first, each read-only
    history: dict[str, np.ndarray]


@dataclass(frozen=True)
class LiveView:
    """One frame for the panels: a snapshot from the training process, drawn by the GUI thread.

    ``timeline`` is a frozen copy (it never changes after the frame is made); ``dataset`` is
    the data set being trained on and ``experiment`` the settings the snapshot was made with.
    """

    snapshot: core.Snapshot
    timeline: core.Timeline
    dataset: Dataset
    experiment: Experiment
    ghosts: tuple[Ghost, ...] = field(default=())
    steps_per_second: float = 0.0
    running: bool = False


def frozen_timeline(timeline: core.Timeline) -> core.Timeline:
    """An immutable copy of a ``core.Timeline`` the GUI thread can read while training goes on."""
    import copy

    return copy.deepcopy(timeline)


def make_live_view(trainer: core.Trainer, experiment: Experiment, timeline: core.Timeline,
                   ghosts: Iterable[Ghost] = (), *, grid: int | None = None, rate: float = 0.0,
                   running: bool = False) -> LiveView:
    """Snapshot a trainer in this process, extend the timeline and wrap both into a frame (for
    the command line, documentation images and tests; the app gets its snapshots from the
    training process, see ``Session._make_frame``)."""
    from core.diagnostics import decision_grid

    ds = trainer.dataset
    if grid is None:
        grid = decision_grid(ds)
    snap = trainer.snapshot(grid=grid)
    timeline.append(snap)
    return LiveView(snapshot=snap, timeline=frozen_timeline(timeline), dataset=ds,
                    experiment=experiment, ghosts=tuple(ghosts), steps_per_second=rate,
                    running=running)
