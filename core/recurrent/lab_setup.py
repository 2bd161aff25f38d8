"""The recurrent lab's experiment: one task and training settings shared by two cells, A and B.

Plain frozen data, in the core because a lesson file can hold one (``[steps.recurrent]``,
read by ``core.lessons``): the lab's dock (``gui.recurrent``) edits it, its training process
builds trainers from its ``to_dict()``.
Every change goes through :meth:`LabSetup.replace` or :meth:`LabSetup.with_run`, which check
the result and raise a ValueError of one sentence for a student, so a refused change leaves
the set-up as it was.

A and B share the task, the sizes, the optimizer and the seed: what differs between them is
only the cell (its kind, its three activations and its forget bias), so the two runs answer
"what does this one change do?".
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from .. import activations as acts
from .. import optimizers
from . import tasks
from .gru import GRU
from .lstm import LSTM
from .training import SequenceTrainer

__all__ = [
    "CELLS",
    "CellSetup",
    "FORGET_BIASES",
    "GATE_SWAPS",
    "LIMITS",
    "LabSetup",
    "OUTPUT_SWAPS",
    "RUNS",
    "TASKS",
    "divergence_sentence",
    "short_name",
    "task_word",
    "usable_activations",
]

RUNS = ("A", "B")
CELLS = ("lstm", "gru")
TASKS = ("remember", "adding", "sine")
#: the one-click swaps: gates, candidate + cell output, forget bias
GATE_SWAPS = ("sigmoid", "hard_sigmoid", "relu")
OUTPUT_SWAPS = ("tanh", "relu", "identity", "sigmoid")
FORGET_BIASES = (1.0, 0.0)

#: the lab's sizes (smaller than the engine's: the lab draws every unit at every step)
LIMITS = {
    "steps": (1, 300),
    "hidden": (1, 64),
    "epochs": (1, 2000),
    "seed": (0, 2**31 - 1),
    "n_train": (8, 4096),
    "n_test": (1, 1024),
    "batch_size": (1, 512),
}
MAX_LR = 10.0
MAX_CLIP = 1e6

_SHORT = {"sigmoid": "sigmoid", "hard_sigmoid": "hard sigmoid", "relu": "ReLU",
          "tanh": "tanh", "identity": "identity", "lstm": "LSTM", "gru": "GRU"}
_TASK_WORDS = {"remember": "remember the spike", "adding": "adding problem",
               "sine": "next value of a sine"}


def short_name(name: str) -> str:
    """A name as the lab's labels write it: "ReLU", "hard sigmoid", "LSTM"."""
    if name in _SHORT:
        return _SHORT[name]
    try:
        return acts.get(name).info.display_name
    except (KeyError, ValueError, TypeError):
        return name


def task_word(name: str) -> str:
    return _TASK_WORDS.get(name, name)


def usable_activations() -> list[str]:
    """The registry's activations a cell can use: elementwise, with no learnt or random
    parameter (what ``core.recurrent`` accepts), in the registry's order."""
    out = []
    for name in acts.names():
        try:
            cls = acts.activation_class(name)
            act = acts.get(name)
        except (KeyError, ValueError, TypeError):
            continue
        if getattr(cls, "vector", False) or getattr(act, "learnable", ()) or getattr(
                act, "stochastic", False):
            continue
        out.append(name)
    return out


def _whole(name: str, value, words: str) -> int:
    lo, hi = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value) or not float(value).is_integer() or not lo <= value <= hi:
        shown = f"{value:g}" if isinstance(value, float) else repr(value)
        raise ValueError(f"The {words} must be a whole number from {lo:,} to {hi:,}, "
                         f"not {shown}.")
    return int(value)


@dataclass(frozen=True)
class CellSetup:
    """One of the two cells: ``cell`` "lstm" or "gru", its activations (registry names) and,
    for an LSTM, the forget gate's starting bias. A GRU has no cell output and no forget
    gate: ``cell_output`` and ``forget_bias`` are kept but not used."""

    cell: str = "lstm"
    gate: str = "sigmoid"
    candidate: str = "tanh"
    cell_output: str = "tanh"
    forget_bias: float = 1.0

    def checked(self) -> CellSetup:
        if self.cell not in CELLS:
            raise ValueError(f"The cell must be an LSTM or a GRU, not {self.cell!r}.")
        usable = usable_activations()
        for role in ("gate", "candidate", "cell_output"):
            name = getattr(self, role)
            if name not in usable:
                raise ValueError(f"The {role.replace('_', ' ')} activation {name!r} cannot "
                                 "be used in a cell: choose one from the list.")
        fb = self.forget_bias
        if isinstance(fb, bool) or not isinstance(fb, int | float) or not (
                math.isfinite(fb) and abs(fb) <= 100):
            raise ValueError(f"The forget bias must be a number from −100 to 100, not {fb!r}.")
        return dataclasses.replace(self, forget_bias=float(fb))

    def build(self, n_inputs: int, hidden: int, seed: int):
        """The cell (``core.recurrent.LSTM`` or ``GRU``)."""
        if self.cell == "gru":
            return GRU(n_inputs, hidden, seed, gate=self.gate, candidate=self.candidate)
        return LSTM(n_inputs, hidden, seed, gate=self.gate, candidate=self.candidate,
                    cell_output=self.cell_output, forget_bias=self.forget_bias)

    def describe(self) -> str:
        """"LSTM · sigmoid gates · tanh candidate · tanh output · forget bias 1"."""
        parts = [short_name(self.cell), f"{short_name(self.gate)} gates",
                 f"{short_name(self.candidate)} candidate"]
        if self.cell == "lstm":
            parts += [f"{short_name(self.cell_output)} output",
                      f"forget bias {self.forget_bias:g}"]
        return " · ".join(parts)


@dataclass(frozen=True)
class LabSetup:
    """The lab's experiment: a task from ``core.recurrent.tasks`` and how both cells train.

    ``steps`` is T, the sequence length; ``epochs`` where training stops; ``clip_norm``
    None for no gradient clipping. ``n_train``/``n_test`` sequences, ``batch_size`` per step.
    """

    task: str = "remember"
    steps: int = 20
    hidden: int = 16
    optimizer: str = "adam"
    lr: float = 0.01
    clip_norm: float | None = None
    seed: int = 0
    epochs: int = 10
    n_train: int = 256
    n_test: int = 128
    batch_size: int = 32
    a: CellSetup = field(default_factory=CellSetup)
    b: CellSetup = field(default_factory=lambda: CellSetup(candidate="sigmoid"))

    # --- changes, always checked -------------------------------------------------------
    def run(self, key: str) -> CellSetup:
        if key not in RUNS:
            raise KeyError(f"no run {key!r}: the runs are A and B")
        return self.a if key == "A" else self.b

    def replace(self, **changes) -> LabSetup:
        """A checked copy with ``changes``; ValueError (one sentence) if it would be wrong."""
        return dataclasses.replace(self, **changes).checked()

    def with_run(self, key: str, **changes) -> LabSetup:
        """A checked copy with run ``key``'s cell changed."""
        cell = dataclasses.replace(self.run(key), **changes)
        return self.replace(**{"a" if key == "A" else "b": cell})

    def checked(self) -> LabSetup:
        """This set-up with its numbers normalized, or a ValueError of one sentence."""
        if self.task not in TASKS:
            raise ValueError(f"The task must be one of {', '.join(TASKS)}, not {self.task!r}.")
        steps = _whole("steps", self.steps, "sequence length T")
        if self.task == "adding" and steps < 2:
            raise ValueError("The adding problem needs sequences of at least 2 steps.")
        ints = {"steps": steps,
                "hidden": _whole("hidden", self.hidden, "number of hidden units"),
                "epochs": _whole("epochs", self.epochs, "number of epochs"),
                "seed": _whole("seed", self.seed, "seed"),
                "n_train": _whole("n_train", self.n_train, "number of training sequences"),
                "n_test": _whole("n_test", self.n_test, "number of test sequences"),
                "batch_size": _whole("batch_size", self.batch_size, "batch size")}
        if self.optimizer not in optimizers.names():
            raise ValueError(f"The optimizer must be one of {', '.join(optimizers.names())}, "
                             f"not {self.optimizer!r}.")
        lr = self.lr
        if isinstance(lr, bool) or not isinstance(lr, int | float) or not (
                math.isfinite(lr) and 0 < lr <= MAX_LR):
            raise ValueError(f"The learning rate must be a number above 0 and at most "
                             f"{MAX_LR:g}, not {lr!r}.")
        clip = self.clip_norm
        if clip is not None and (isinstance(clip, bool) or not isinstance(clip, int | float)
                                 or not (math.isfinite(clip) and 0 < clip <= MAX_CLIP)):
            raise ValueError(f"The clipping norm must be a number above 0 and at most "
                             f"{MAX_CLIP:g} (or off), not {clip!r}.")
        return dataclasses.replace(
            self, **ints, lr=float(lr), clip_norm=None if clip is None else float(clip),
            a=self.a.checked(), b=self.b.checked())

    # --- building ----------------------------------------------------------------------
    def build_task(self) -> tasks.SequenceTask:
        return tasks.make(self.task, steps=self.steps, n_train=self.n_train,
                          n_test=self.n_test, seed=self.seed)

    def build_trainer(self, key: str, task: tasks.SequenceTask | None = None
                      ) -> SequenceTrainer:
        """Run ``key``'s trainer (both runs start from the same seed)."""
        task = task or self.build_task()
        cell = self.run(key).build(task.n_inputs, self.hidden, self.seed)
        return SequenceTrainer(cell, task, optimizer=self.optimizer, lr=self.lr,
                               batch_size=self.batch_size, seed=self.seed,
                               clip_norm=self.clip_norm)

    def describe(self) -> str:
        """"remember the spike, T = 20, 16 units, adam lr 0.01, seed 0"."""
        clip = "" if self.clip_norm is None else f", clipped at {self.clip_norm:g}"
        return (f"{task_word(self.task)}, T = {self.steps}, {self.hidden} units, "
                f"{self.optimizer} lr {self.lr:g}{clip}, seed {self.seed}")

    def n_inputs(self) -> int:
        return 2 if self.task == "adding" else 1

    # --- data --------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> LabSetup:
        """The set-up ``data`` describes (fields left out keep their defaults); a ValueError
        names the first unknown field."""
        if not isinstance(data, dict):
            raise ValueError("A lab set-up is a table of settings.")
        known = {f.name for f in dataclasses.fields(cls)}
        values = {}
        for key, value in data.items():
            if key not in known:
                raise ValueError(f"A lab set-up has no setting {key!r}.")
            if key in ("a", "b"):
                if not isinstance(value, dict):
                    raise ValueError(f"Run {key.upper()} is a table of cell settings.")
                cell_known = {f.name for f in dataclasses.fields(CellSetup)}
                bad = set(value) - cell_known
                if bad:
                    raise ValueError(f"A cell has no setting {sorted(bad)[0]!r}.")
                value = CellSetup(**value)
            values[key] = value
        return cls(**values).checked()


def divergence_sentence(setup: LabSetup, key: str, step: int, part: str) -> str:
    """What the dock says when run ``key`` stopped at ``step`` because ``part`` ran away
    (``core.TrainingDiverged``'s step and part), in one sentence with the likely cause."""
    cell = setup.run(key)
    if part in ("cell state", "hidden state"):
        symbol = "|c|" if part == "cell state" else "|h|"
        reasons = []
        gate_top = acts.get(cell.gate).info.output_range[1]
        if gate_top > 1:
            which = "forget" if cell.cell == "lstm" else "update"
            reasons.append(f"with {short_name(cell.gate)} gates the {which} gate can exceed 1 "
                           f"and multiply the {part} at every step")
        unbounded = [role for role in ("candidate", "cell_output")
                     if (role == "candidate" or cell.cell == "lstm")
                     and math.isinf(max(abs(v) for v in
                                        acts.get(getattr(cell, role)).info.output_range))]
        if unbounded == ["candidate", "cell_output"] and cell.candidate == cell.cell_output:
            reasons.append(f"with a {short_name(cell.candidate)} candidate and output nothing "
                           "bounds it")
        elif unbounded:
            names = " and ".join(f"{short_name(getattr(cell, r))} "
                                 f"{r.replace('cell_', '')}" for r in unbounded)
            reasons.append(f"with a {names} nothing bounds it")
        why = "; ".join(reasons) or "the weights grew until it ran away"
        return (f"Run {key}: the {part} overflowed at step {step} ({symbol} passed 10¹²) — "
                f"{why}.")
    if part == "loss":
        return (f"Run {key}: the loss became infinite at step {step} — lower the learning "
                "rate or turn on gradient clipping.")
    return (f"Run {key}: the {part} became infinite at step {step} — lower the learning "
            "rate or turn on gradient clipping.")
