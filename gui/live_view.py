"""What every panel draws from: the latest snapshot and what goes with it (immutable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Ghost", "LiveView"]


@dataclass(frozen=True)
class Ghost:
    """A finished earlier run of this session, kept as a labelled ghost curve."""

    label: str
    history: Any  # core trainer history (per-epoch arrays)


@dataclass(frozen=True)
class LiveView:
    """One frame for the panels: a snapshot from the training process, drawn by the GUI thread.

    ``snapshot`` is a ``core.Snapshot``; ``timeline`` a frozen copy of ``core.Timeline``;
    ``dataset`` the ``core.datasets.Dataset`` being trained on; ``experiment`` the settings.
    """

    snapshot: Any
    timeline: Any
    dataset: Any
    experiment: Any
    ghosts: tuple[Ghost, ...] = field(default=())
    steps_per_second: float = 0.0
    running: bool = False


def frozen_timeline(timeline: Any) -> Any:
    """An immutable copy of a ``core.Timeline`` the GUI thread can read while training goes on."""
    frozen = getattr(timeline, "frozen", None)
    if frozen is not None:
        return frozen()
    import copy

    return copy.deepcopy(timeline)


def make_live_view(trainer: Any, experiment: Any, timeline: Any, ghosts=(), *, grid: int | None
                   = None, rate: float = 0.0, running: bool = False) -> LiveView:
    """Snapshot a trainer in this process, extend the timeline and wrap both into a frame (for
    the command line, documentation images and tests; the app gets its snapshots from the
    training process, see ``Session._make_frame``)."""
    from .trainer_process import snapshot_grid

    ds = trainer.dataset
    if grid is None:
        grid = snapshot_grid(trainer)
    snap = trainer.snapshot(grid=grid)
    timeline.append(snap)
    return LiveView(snapshot=snap, timeline=frozen_timeline(timeline), dataset=ds,
                    experiment=experiment, ghosts=tuple(ghosts), steps_per_second=rate,
                    running=running)
