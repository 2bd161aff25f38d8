"""The messages between the window and the training process: small frozen records (no Qt).

Both sides import this module (the training process never imports Qt). Each message is a
frozen dataclass with slots, pickled through one of two one-way pipes; the receiver
dispatches on its type. Commands go from the GUI to the trainer, events come back.

Commands::

    SetTrainer(generation, trainer, epoch_limit)   Play()  Pause()  Step(batches)  Epoch()
    SetOption(name, value)  SetEpochLimit(limit)   SetPace(steps_per_second)
    Refresh()  Drawn()  Call(call_id, fn)  Quit()

Events::

    Frame(generation, snapshot, timeline, running, steps_per_second)
    RunningChanged(running)  Diverged(message)  Finished()
    Result(call_id, ok, value)  Error(traceback_text)

``SetOption`` changes one trainer setting between two steps; only the names in ``OPTIONS``
may be changed (what ``core.Trainer`` documents as changeable between steps), and the value
is checked when the command is made and again in the training process, which never sets an
attribute it was not built for.

``SetPace`` sets how many steps a second Play trains (None: as fast as it can); Step and
Epoch are never paced. The training process keeps to it by a schedule on its own clock (see
``gui.trainer_process.Pacer``), not by sleeping between steps.

A ``Frame`` carries the trainer's timeline rows new since the previous frame of the same
trainer (the first frame of a trainer carries its whole timeline): the window keeps its own
copy of the timeline up to date from them (``core.Timeline.extend``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import core
    from core.timeline import TimelineRows

__all__ = [
    "OPTIONS", "Call", "Command", "Diverged", "Drawn", "Epoch", "Error", "Event", "Finished",
    "Frame", "Pause", "Play", "Quit", "Refresh", "Result", "RunningChanged", "SetEpochLimit",
    "SetOption", "SetPace", "SetTrainer", "Step", "check_option", "check_pace",
    "MAX_PACE", "MIN_PACE",
]


# --- the settings a trainer may change between steps -----------------------------------------
def _number(name: str, lo: float, hi: float, integer: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"the setting {name} must be a number, not {value!r}")
        if integer and not float(value).is_integer():
            raise ValueError(f"the setting {name} must be a whole number, not {value!r}")
        if not math.isfinite(value) or not lo <= value <= hi:
            raise ValueError(f"the setting {name} must lie in [{lo:g}, {hi:g}], not {value!r}")
        return int(value) if integer else float(value)

    return check


def _clip_norm(value: Any) -> float | None:
    return None if value is None else _number("clip_norm", 1e-6, 1e6)(value)


#: name → check (returns the value to set, raises ValueError); the bounds are the settings'
#: own (``core.experiment``)
OPTIONS: dict[str, Callable[[Any], Any]] = {
    "lr": _number("lr", 0, 100),
    "batch_size": _number("batch_size", 1, 200_000, integer=True),
    "l1": _number("l1", 0, 10),
    "l2": _number("l2", 0, 10),
    "clip_norm": _clip_norm,
}


def check_option(name: Any, value: Any) -> Any:
    """The checked value for trainer setting ``name``; ValueError for any other name or a
    value out of range."""
    check = OPTIONS.get(name) if isinstance(name, str) else None
    if check is None:
        raise ValueError(f"{name!r} cannot be changed between steps; only "
                         f"{', '.join(OPTIONS)} can")
    return check(value)


#: the slowest and fastest pace a ``SetPace`` may ask for, in steps a second
MIN_PACE, MAX_PACE = 0.1, 1e6


def check_pace(value: Any) -> float | None:
    """The checked pace: None (as fast as possible) or steps a second in [MIN_PACE,
    MAX_PACE]; ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value) or not MIN_PACE <= value <= MAX_PACE:
        raise ValueError(f"the pace must be None or a number of steps a second in "
                         f"[{MIN_PACE:g}, {MAX_PACE:g}], not {value!r}")
    return float(value)


# --- commands (GUI → training process) -------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SetTrainer:
    """Train ``trainer`` from now on (paused); its frames carry ``generation``."""

    generation: int
    trainer: core.Trainer
    epoch_limit: int | None = None


@dataclass(frozen=True, slots=True)
class Play:
    """Train until paused, diverged or at the epoch limit."""


@dataclass(frozen=True, slots=True)
class Pause:
    """Stop training (and publish a frame of where it stopped)."""


@dataclass(frozen=True, slots=True)
class Step:
    """Train ``batches`` mini-batches, then publish a frame."""

    batches: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.batches, bool) or not isinstance(self.batches, int) or (
                self.batches < 0):
            raise ValueError(f"the number of batches must be a whole number ≥ 0, not "
                             f"{self.batches!r}")


@dataclass(frozen=True, slots=True)
class Epoch:
    """Train to the end of the current epoch, then publish a frame."""


@dataclass(frozen=True, slots=True)
class SetOption:
    """Set one trainer setting of ``OPTIONS`` between two steps (checked here and again in
    the training process)."""

    name: str
    value: Any

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", check_option(self.name, self.value))


@dataclass(frozen=True, slots=True)
class SetEpochLimit:
    """Stop at this epoch (None: never)."""

    limit: int | None

    def __post_init__(self) -> None:
        limit = self.limit
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or limit < 0):
            raise ValueError(f"the epoch limit must be a whole number ≥ 0 or None, not "
                             f"{limit!r}")


@dataclass(frozen=True, slots=True)
class SetPace:
    """Play trains ``steps_per_second`` steps a second from now on (None: as fast as it can);
    checked here and again in the training process."""

    steps_per_second: float | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps_per_second", check_pace(self.steps_per_second))


@dataclass(frozen=True, slots=True)
class Refresh:
    """Publish a frame now (e.g. after a view option changed)."""


@dataclass(frozen=True, slots=True)
class Drawn:
    """The GUI drew (or skipped) a frame: one frame credit comes back."""


@dataclass(frozen=True, slots=True)
class Call:
    """Run ``fn(trainer)`` between two steps; answered by ``Result(call_id, …)``. ``fn``
    must be picklable (a module-level function or a ``functools.partial`` of one)."""

    call_id: int
    fn: Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Quit:
    """End the training process."""


Command = (SetTrainer | Play | Pause | Step | Epoch | SetOption | SetEpochLimit | SetPace
           | Refresh | Drawn | Call | Quit)


# --- events (training process → GUI) ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Frame:
    """The trainer's state now: ``snapshot`` of the trainer set with ``generation``, and
    ``timeline``, its timeline rows new since its previous frame."""

    generation: int
    snapshot: core.Snapshot
    timeline: TimelineRows
    running: bool
    steps_per_second: float


@dataclass(frozen=True, slots=True)
class RunningChanged:
    running: bool


@dataclass(frozen=True, slots=True)
class Diverged:
    """Training stopped because a value became inf or NaN or the run was exploding
    (``core.TrainingDiverged``); ``message`` is for the user."""

    message: str


@dataclass(frozen=True, slots=True)
class Finished:
    """The epoch limit was reached (training paused)."""


@dataclass(frozen=True, slots=True)
class Result:
    """The answer to ``Call(call_id, …)``: ``value`` when ``ok``, else a one-line message."""

    call_id: int
    ok: bool
    value: Any


@dataclass(frozen=True, slots=True)
class Error:
    """A bug in the training process (it paused and goes on serving commands)."""

    traceback_text: str


Event = Frame | RunningChanged | Diverged | Finished | Result | Error
