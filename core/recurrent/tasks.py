"""Small seeded sequence tasks for the recurrent lab, and the parser for a typed sequence.

Every task is a ``SequenceTask``: inputs x (T, N, D) — time first, as the cells take them —
and targets for a readout on h_T (``readout="last"``, y (N, K)) or on every h_t
(``"every"``, y (T, N, K)). The same seed gives the same data.

- ``remember``: one value (the sign of a spike, or one of N values) is shown at step k,
  then nothing (or noise); at the end, say which it was. The gradient has to travel
  T − 1 − k steps back to reach it.
- ``adding``: the adding problem (Hochreiter & Schmidhuber 1997): random numbers, two of them
  marked; predict their sum.
- ``sine``: next-step prediction of sine waves of random frequency and phase.
- ``parse_sequence``: numbers a user types ("0.1, 0.5, -2") as a sequence to inspect.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ._base import MAX_STEPS, check_size

__all__ = [
    "MAX_TASK_VALUES",
    "MAX_TYPED",
    "SequenceTask",
    "adding",
    "as_input",
    "make",
    "names",
    "parse_sequence",
    "remember",
    "sine",
]

#: numbers in a task's inputs (T · N · D over train and test together): 64 MB of float64
MAX_TASK_VALUES = 8_000_000
#: numbers in a typed sequence
MAX_TYPED = 1000


@dataclass(frozen=True, eq=False)
class SequenceTask:
    """A sequence problem with train and test sets.

    ``kind`` is "multiclass" (one-hot targets, softmax readout, cross-entropy, accuracy) or
    "regression" (identity readout, MSE, R²). ``baseline`` is what a model that ignores its
    input scores on the test set: chance accuracy, or the MSE of the best constant.
    """

    name: str
    kind: str
    readout: str
    loss: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    baseline: float
    description: str
    settings: dict

    steps = property(lambda self: self.x_train.shape[0])
    n_inputs = property(lambda self: self.x_train.shape[2])
    n_outputs = property(lambda self: self.y_train.shape[-1])
    n_train = property(lambda self: self.x_train.shape[1])
    n_test = property(lambda self: self.x_test.shape[1])


def _sizes(steps, n_train, n_test, n_inputs, min_steps=1) -> tuple[int, int, int]:
    T = check_size("steps", steps, min_steps, MAX_STEPS)
    n_train = check_size("n_train", n_train, 1, 1_000_000)
    n_test = check_size("n_test", n_test, 1, 1_000_000)
    total = T * (n_train + n_test) * n_inputs
    if total > MAX_TASK_VALUES:
        raise ValueError(f"This task would hold {total:,} input values; at most "
                         f"{MAX_TASK_VALUES:,} are allowed.")
    return T, n_train, n_test


def _split(x, y, n_train, axis):
    """Train and test parts along the sequence axis of x (1) and of y (``axis``)."""
    take = [slice(None)] * y.ndim
    take[axis] = slice(None, n_train)
    rest = list(take)
    rest[axis] = slice(n_train, None)
    return (np.ascontiguousarray(x[:, :n_train]), np.ascontiguousarray(y[tuple(take)]),
            np.ascontiguousarray(x[:, n_train:]), np.ascontiguousarray(y[tuple(rest)]))


def _readonly(task: SequenceTask) -> SequenceTask:
    for a in (task.x_train, task.y_train, task.x_test, task.y_test):
        a.flags.writeable = False
    return task


# --- remember a value ---------------------------------------------------------------------------
def remember(steps: int = 20, position: int = 0, n_values: int = 2, encoding: str = "level",
             noise: float = 0.0, n_train: int = 512, n_test: int = 256,
             seed: int = 0) -> SequenceTask:
    """Remember which of ``n_values`` values was shown at step ``position`` until the end.

    At step k = ``position`` one of n values is shown, every other step is 0; Gaussian noise
    of standard deviation ``noise`` is added to every step. The readout on h_T must name
    the value: n classes, cross-entropy, accuracy (chance 1/n).

    ``encoding`` "level" (the default): one input holding one of n evenly spaced levels in
    [−1, 1]; with the default 2 levels, the sign of a spike, ±1. "one_hot": n inputs, the
    value's own input is 1 at step k (a symbol to remember).

    Which settings are hard: the sign at T = 20 is learnt in a few epochs; four symbols
    (one-hot) take an LSTM of 16 units about 80 epochs of RMSProp, and Adam often stalls on
    a plateau where two of the four are told apart; four *levels* on one input are harder
    still, as the levels must be told apart by size after 19 steps of decay.
    """
    if encoding not in ("one_hot", "level"):
        raise ValueError(f"encoding must be 'one_hot' or 'level', not {encoding!r}.")
    n_values = check_size("n_values", n_values, 2, 10)
    D = n_values if encoding == "one_hot" else 1
    T, n_train, n_test = _sizes(steps, n_train, n_test, D)
    k = check_size("position", position, 0, T - 1)
    noise = _non_negative("noise", noise, 10.0)
    rng = np.random.default_rng([int(seed), 11])
    n = n_train + n_test
    label = rng.integers(0, n_values, size=n)
    x = np.zeros((T, n, D))
    if encoding == "one_hot":
        x[k, np.arange(n), label] = 1.0
    else:
        x[k, :, 0] = np.linspace(-1.0, 1.0, n_values)[label]
    if noise:
        x += rng.normal(scale=noise, size=x.shape)
    y = np.eye(n_values)[label]
    parts = _split(x, y, n_train, 0)
    return _readonly(SequenceTask(
        "remember", "multiclass", "last", "ce", *parts, baseline=1.0 / n_values,
        description=(f"A value is shown at step {k + 1} of {T}; at the end, say which of "
                     f"{n_values} it was."),
        settings=dict(steps=T, position=k, n_values=n_values, encoding=encoding, noise=noise,
                      n_train=n_train, n_test=n_test, seed=int(seed)),
    ))


# --- the adding problem -------------------------------------------------------------------------
def adding(steps: int = 50, n_train: int = 1024, n_test: int = 256,
           seed: int = 0) -> SequenceTask:
    """The adding problem (Hochreiter & Schmidhuber 1997).

    Two inputs per step: a random number from U(0, 1), and a marker that is 1 at exactly two
    steps (one in the first half, one in the second) and 0 elsewhere. The readout on h_T
    predicts the sum of the two marked numbers (MSE). Always answering 1 scores the baseline,
    an MSE (½ (a − y)², averaged) of about 1/12.
    """
    T, n_train, n_test = _sizes(steps, n_train, n_test, 2, min_steps=2)
    rng = np.random.default_rng([int(seed), 12])
    n = n_train + n_test
    x = np.zeros((T, n, 2))
    x[:, :, 0] = rng.uniform(0.0, 1.0, size=(T, n))
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    cols = np.arange(n)
    x[first, cols, 1] = 1.0
    x[second, cols, 1] = 1.0
    y = (x[first, cols, 0] + x[second, cols, 0])[:, None]
    parts = _split(x, y, n_train, 0)
    y_test = parts[3]
    baseline = float(0.5 * ((y_test - y_test.mean()) ** 2).mean())
    return _readonly(SequenceTask(
        "adding", "regression", "last", "mse", *parts, baseline=baseline,
        description=(f"{T} random numbers, two of them marked: predict the sum of the two "
                     "marked ones."),
        settings=dict(steps=T, n_train=n_train, n_test=n_test, seed=int(seed)),
    ))


# --- next-step prediction of a sine -------------------------------------------------------------
def sine(steps: int = 40, n_train: int = 256, n_test: int = 64, seed: int = 0,
         periods: tuple[float, float] = (8.0, 40.0)) -> SequenceTask:
    """Predict the next value of a sine wave at every step.

    Each sequence is sin(2π t / P + φ) with its own period P, from U(``periods``) in steps,
    and phase φ from U(0, 2π). Input x_t is the value at step t, the target that at t + 1;
    the readout reads every h_t (MSE, R²). Repeating the input (a_t = x_t) is the naive
    answer; the baseline is the MSE of always answering the mean.
    """
    T, n_train, n_test = _sizes(steps, n_train, n_test, 1)
    lo, hi = (float(p) for p in periods)
    if not (math.isfinite(lo) and math.isfinite(hi) and 2.0 <= lo <= hi <= 1e6):
        raise ValueError(f"periods must be two numbers with 2 ≤ low ≤ high, not {periods!r}.")
    rng = np.random.default_rng([int(seed), 13])
    n = n_train + n_test
    period = rng.uniform(lo, hi, size=n)
    phase = rng.uniform(0.0, 2.0 * np.pi, size=n)
    t = np.arange(T + 1)[:, None]
    wave = np.sin(2.0 * np.pi * t / period + phase)  # (T + 1, n)
    x = wave[:-1, :, None]
    y = wave[1:, :, None]
    parts = _split(x, y, n_train, 1)
    y_test = parts[3]
    baseline = float(0.5 * ((y_test - y_test.mean()) ** 2).mean())
    return _readonly(SequenceTask(
        "sine", "regression", "every", "mse", *parts, baseline=baseline,
        description="Sine waves of random period and phase: predict the next value at every "
                    "step.",
        settings=dict(steps=T, n_train=n_train, n_test=n_test, seed=int(seed),
                      periods=(lo, hi)),
    ))


def _non_negative(name: str, value, hi: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number from 0 to {hi:g}, not {value!r}.") from None
    if not (math.isfinite(v) and 0.0 <= v <= hi):
        raise ValueError(f"{name} must be a number from 0 to {hi:g}, not {v:g}.")
    return v


_TASKS = {"remember": remember, "adding": adding, "sine": sine}


def names() -> list[str]:
    """The task names, in menu order."""
    return list(_TASKS)


def make(name: str, **settings) -> SequenceTask:
    """A task by name with its settings (see each function)."""
    try:
        fn = _TASKS[name]
    except KeyError:
        raise KeyError(f"unknown task {name!r}; known: {', '.join(_TASKS)}") from None
    return fn(**settings)


# --- a sequence the user types ------------------------------------------------------------------
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_SEPARATORS = re.compile(r"[,;\s]+")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
# signs people paste from documents: the minus sign, dashes, the full-width forms
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-",
                        "\uff0d": "-", "\uff0b": "+"})


def _shown(item: str) -> str:
    return repr(item if len(item) <= 20 else item[:17] + "...")


def parse_sequence(text: str, max_length: int = MAX_TYPED) -> np.ndarray:
    """The numbers in ``text`` ("0.1, 0.5, -2") as a float64 array (T,).

    Numbers are separated by commas, semicolons, spaces or new lines (a trailing comma is
    fine); each is a plain decimal such as 3, -0.25 or 1e-3. Anything else raises a
    ValueError of one sentence naming the first offending item and its position (1 for the
    first number): a word or other symbol, NaN or infinity, a number too large for float64,
    more than ``max_length`` numbers, or no number at all.
    """
    if not isinstance(text, str):
        raise ValueError(f"A sequence is typed as text, not {type(text).__name__}.")
    items = [s for s in _SEPARATORS.split(text.translate(_MINUS)) if s]
    if not items:
        raise ValueError("The sequence is empty: type numbers separated by commas, such as "
                         "0.1, 0.5, -2.")
    if len(items) > max_length:
        raise ValueError(f"Item {max_length + 1:,} ({_shown(items[max_length])}) is past the "
                         f"limit: a sequence holds at most {max_length:,} numbers.")
    values = np.empty(len(items))
    for pos, item in enumerate(items, start=1):
        if _NON_FINITE.fullmatch(item):
            raise ValueError(f"Item {pos:,} ({_shown(item)}) is not a finite number: use "
                             "ordinary numbers only.")
        if not _NUMBER.fullmatch(item):
            raise ValueError(f"Item {pos:,} ({_shown(item)}) is not a number: write numbers "
                             "like 3, -0.25 or 1e-3, separated by commas.")
        v = float(item)
        if not math.isfinite(v):
            raise ValueError(f"Item {pos:,} ({_shown(item)}) is too large: numbers must lie "
                             "within ±1.8e308.")
        values[pos - 1] = v
    return values


def as_input(sequence) -> np.ndarray:
    """A sequence (T,) as a cell's input x of shape (T, 1, 1): one sequence, one feature."""
    seq = np.asarray(sequence, dtype=np.float64)
    if seq.ndim != 1 or seq.size == 0:
        raise ValueError(f"A sequence has one dimension and at least one number, not shape "
                         f"{seq.shape}.")
    return seq.reshape(-1, 1, 1).copy()
