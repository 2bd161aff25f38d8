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

    ``timeline`` is a frozen copy of the trainer's timeline (a row per epoch) with the
    snapshot as its newest row, so the "over time" curves reach the present; it never changes
    after the frame is made. ``dataset`` is the data set being trained on and ``experiment``
    the settings the snapshot was made with.
    """

    snapshot: core.Snapshot
    timeline: core.Timeline
    dataset: Dataset
    experiment: Experiment
    ghosts: tuple[Ghost, ...] = field(default=())
    steps_per_second: float = 0.0
    running: bool = False


def make_live_view(trainer: core.Trainer, experiment: Experiment,
                   ghosts: Iterable[Ghost] = (), *, grid: int | None = None,
                   rate: float = 0.0, running: bool = False) -> LiveView:
    """Snapshot a trainer in this process and wrap it into a frame with the trainer's whole
    timeline (for the command line, documentation images and tests; the app gets its frames
    from the training process, see ``Session._make_frame``). The trainer records its own
    timeline, a row per epoch; the frame's snapshot is its newest row.
    """
    from core.diagnostics import decision_grid

    ds = trainer.dataset
    if grid is None:
        grid = decision_grid(ds)
    snap = trainer.snapshot(grid=grid)
    return LiveView(snapshot=snap, timeline=trainer.timeline.frozen(tail=snap), dataset=ds,
                    experiment=experiment, ghosts=tuple(ghosts), steps_per_second=rate,
                    running=running)
