"""What one frame of the recurrent lab shows, computed from a trainer in the training process.

Nothing here is drawn or imports Qt: :func:`run_view` takes a ``core.recurrent``
``SequenceTrainer`` and returns a :class:`RunView` of plain arrays (pickled to the window),
every number from the engine's own ``probe()`` and ``forget_product``. The plots only draw
them, and write them to CSV as they are.

Conventions: a state array is (T, H) — time steps down, units across — for the one sequence
shown; t runs 1 … T. The saturation shares and ‖∂L/∂state_t‖ are taken over the first
``PROBE_ROWS`` test sequences, the same ones ``probe()`` uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.recurrent import forget_product, tasks

__all__ = ["GATES", "LabFrame", "PROBE_ROWS", "RunView", "STATE_NAMES", "run_view"]

#: test sequences the probe runs on (saturation shares, state gradients, the chooser's range)
PROBE_ROWS = 32
#: a unit is left-saturated below this gate value, right-saturated above 1 − it
SATURATION = 0.1

#: what each state is called, per cell kind, in the order the plots show them
STATE_NAMES = {
    "lstm": (("i", "input gate"), ("f", "forget gate"), ("g", "candidate"),
             ("o", "output gate"), ("c", "cell state"), ("h", "hidden state")),
    "gru": (("r", "reset gate"), ("z", "update gate"), ("n", "candidate"),
            ("h", "hidden state")),
}
#: the gates (values meant to lie in [0, 1]) of each kind
GATES = {"lstm": ("i", "f", "o"), "gru": ("r", "z")}


@dataclass(frozen=True, eq=False)
class RunView:
    """One run (A or B) as a frame shows it.

    key, kind : "A"/"B"; "lstm"/"gru". spec : ``cell.spec()`` of the trainer's cell.
    epoch, step : where the run is. history : per-epoch columns (epoch, train_loss,
        test_loss, train_metric, test_metric). metric_name : "accuracy" or "R²".
    shown : which sequence the states are of ("test sequence 3", "the typed sequence").
    states : ((name, (T, H) array), …) in ``STATE_NAMES`` order.
    retention : (T, H) running product of the forget gate f (LSTM) or the update gate z
        (GRU) from step 1 on the shown sequence: how much of the state at step 1 reaches
        step t along the cell's direct path.
    state_abs : (T,) the largest |c_t| (LSTM) or |h_t| (GRU) over the units, shown sequence.
    saturation : ((gate, share below 0.1 (H,), share above 0.9 (H,)), …) over the probe's
        sequences and steps (Karpathy et al. 2015).
    state_grad : (T,) ‖∂L/∂c_t‖ (LSTM) or ‖∂L/∂h_t‖ (GRU) over the probe's sequences.
    stopped : the sentence saying why training stopped (divergence), or "".
    """

    key: str
    kind: str
    spec: dict
    epoch: int
    step: int
    epochs: int
    history: dict
    metric_name: str
    shown: str
    states: tuple
    retention: np.ndarray
    state_abs: np.ndarray
    saturation: tuple
    state_grad: np.ndarray
    probe_rows: int
    stopped: str = ""

    @property
    def steps(self) -> int:
        return int(self.state_abs.shape[0])

    @property
    def units(self) -> int:
        return int(self.retention.shape[1])

    def state(self, name: str) -> np.ndarray:
        for n, arr in self.states:
            if n == name:
                return arr
        raise KeyError(name)

    @property
    def state_symbol(self) -> str:
        return "c" if self.kind == "lstm" else "h"


@dataclass(frozen=True, eq=False)
class LabFrame:
    """Both runs at one moment: ``runs`` (A, B), ``running``, and ``pid``, the process that
    made it (the training process, never the window's); ``description`` the set-up in words
    (``LabSetup.describe()``), written under an exported figure's title."""

    generation: int
    runs: tuple
    running: bool
    pid: int
    description: str = ""


def _columns(trainer) -> dict:
    h = trainer.history
    return {k: np.array(getattr(h, k), dtype=float)
            for k in ("epoch", "train_loss", "test_loss", "train_metric", "test_metric")}


def run_view(trainer, key: str, epochs: int, index: int = 0, typed=None,
             stopped: str = "") -> RunView:
    """The frame's view of one run: its probe (``trainer.probe``) on the first test
    sequences, and the states of test sequence ``index`` of those (or of the ``typed``
    sequence, a 1-D array, run through the cell from zero states)."""
    cell = trainer.cell
    kind = cell.kind
    rows = min(PROBE_ROWS, trainer.task.n_test)
    rec, grads = trainer.probe(rows)
    if typed is not None:
        with np.errstate(all="ignore"):
            shown_rec = cell.forward(tasks.as_input(typed))
        k, shown = 0, "the typed sequence"
    else:
        k = min(max(int(index), 0), rows - 1)
        shown_rec, shown = rec, f"test sequence {k + 1}"
    states = []
    for name, _ in STATE_NAMES[kind]:
        arr = getattr(shown_rec, name)[:, k, :]
        states.append((name, np.array(arr, dtype=float)))
    states = tuple(states)
    keep = dict(states)["f" if kind == "lstm" else "z"]
    with np.errstate(all="ignore"):
        retention = forget_product(keep) if kind == "lstm" else np.cumprod(keep, axis=0)
        state_abs = np.abs(dict(states)["c" if kind == "lstm" else "h"]).max(axis=1)
    saturation = []
    for gate in GATES[kind]:
        values = getattr(rec, gate)  # (T, rows, H)
        saturation.append((gate, (values < SATURATION).mean(axis=(0, 1)),
                           (values > 1.0 - SATURATION).mean(axis=(0, 1))))
    state_grad = np.array(grads["c_norm" if kind == "lstm" else "h_norm"], dtype=float)
    return RunView(key=key, kind=kind, spec=cell.spec(), epoch=trainer.epoch,
                   step=trainer.step_count, epochs=epochs, history=_columns(trainer),
                   metric_name=trainer.metric_name, shown=shown, states=states,
                   retention=np.asarray(retention, dtype=float), state_abs=state_abs,
                   saturation=tuple(saturation), state_grad=state_grad, probe_rows=rows,
                   stopped=stopped)
