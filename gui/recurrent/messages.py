"""The messages between the recurrent lab's dock and its training process (no Qt).

Small frozen records pickled through two one-way pipes, as in ``gui.protocol`` for the main
trainer. Commands (dock → process)::

    Configure(generation, setup)   SetEpochs(epochs)   Play()  Pause()  Epoch()
    Show(index, typed)  Drawn()  Quit()

Events (process → dock)::

    Frame(frame)  RunningChanged(running)  Diverged(generation, key, step, part, detail)
    Refused(generation, message)  Finished(generation)  Error(traceback_text)

``Configure`` carries the set-up as data (``LabSetup.to_dict()``): the process builds both
trainers itself, so nothing big crosses the pipe and nothing is built on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .views import LabFrame

__all__ = ["Configure", "Diverged", "Drawn", "Epoch", "Error", "Finished", "Frame", "Pause",
           "Play", "Quit", "Refused", "RunningChanged", "SetEpochs", "Show"]


# --- commands -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Configure:
    """Build runs A and B from ``setup`` (a ``LabSetup.to_dict()``), paused at step 0; their
    frames carry ``generation``."""

    generation: int
    setup: dict


@dataclass(frozen=True, slots=True)
class SetEpochs:
    """Move the epoch limit of the runs as they are (no restart): more epochs train on."""

    epochs: int


@dataclass(frozen=True, slots=True)
class Play:
    """Train both runs, step by step in turn, until paused, diverged or at the epoch limit."""


@dataclass(frozen=True, slots=True)
class Pause:
    """Stop training (and publish a frame of where it stopped)."""


@dataclass(frozen=True, slots=True)
class Epoch:
    """Train each run to the end of its current epoch, then publish a frame."""


@dataclass(frozen=True, slots=True)
class Show:
    """Show test sequence ``index`` (0-based, of the probe's), or ``typed`` (a tuple of
    numbers) when it is not None."""

    index: int = 0
    typed: tuple | None = None


@dataclass(frozen=True, slots=True)
class Drawn:
    """The dock drew (or dropped) a frame: one frame credit comes back."""


@dataclass(frozen=True, slots=True)
class Quit:
    """End the process."""


# --- events ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Frame:
    frame: LabFrame


@dataclass(frozen=True, slots=True)
class RunningChanged:
    running: bool


@dataclass(frozen=True, slots=True)
class Diverged:
    """Run ``key`` stopped at ``step``: ``part`` ("cell state", "loss", "weight_hh", …) ran
    away; ``detail`` is the engine's own sentence. The run keeps the weights of before that
    step; the other run trains on."""

    generation: int
    key: str
    step: int
    part: str
    detail: str


@dataclass(frozen=True, slots=True)
class Refused:
    """``Configure(generation, …)`` could not build a run; the runs before it are kept."""

    generation: int
    message: str


@dataclass(frozen=True, slots=True)
class Finished:
    """Every run that can train has reached the epoch limit (training paused)."""

    generation: int


@dataclass(frozen=True, slots=True)
class Error:
    """A bug in the training process (it paused and goes on serving commands)."""

    traceback_text: str
