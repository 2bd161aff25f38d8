"""A recurrent cell with a linear readout: what the sequence tasks train.

The readout reads h_T (``readout="last"``: one answer per sequence) or every h_t
(``"every"``: one answer per step, as in next-step prediction): z = h W + b, with W (H, K)
as in ``core.layers.Dense``. The cell's parameters and the readout's live in one flat buffer
(the cell's four arrays first), so one optimizer pass updates everything.
"""

from __future__ import annotations

import numpy as np

from .. import losses as _losses
from ._base import Workspace, check_size

__all__ = ["READOUTS", "SequenceModel"]

READOUTS = ("last", "every")


class SequenceModel:
    """``cell`` (an LSTM or GRU) followed by a linear readout to ``n_outputs``.

    The cell is bound into the model's buffer: from then on its arrays are views into
    ``model.flat``. The readout starts as PyTorch's ``nn.Linear``: U(−1/√H, 1/√H), seeded.

    Attributes
    ----------
    flat, grad_flat : (n_params,) every parameter / its gradient from the last backward pass
    W (H, K), b (K,) : the readout, views into ``flat``; ``grad_W``, ``grad_b`` likewise
    weight_mask : (n_params,) True on weights (cell and readout), False on biases
    parts : name → slice of ``flat``: weight_ih, weight_hh, bias_ih, bias_hh, readout weight,
        readout bias
    """

    def __init__(self, cell, n_outputs: int, readout: str = "last", seed: int = 0):
        if readout not in READOUTS:
            raise ValueError(f"The readout must be 'last' or 'every', not {readout!r}.")
        K = check_size("n_outputs", n_outputs, 1, 4096)
        H = cell.hidden_size
        self.cell, self.n_outputs, self.readout = cell, K, readout
        self.dtype = cell.dtype
        self.n_params = cell.n_params + H * K + K
        self.flat = np.zeros(self.n_params, dtype=self.dtype)
        self.grad_flat = np.zeros(self.n_params, dtype=self.dtype)
        end = cell.bind(self.flat, self.grad_flat, 0)
        self._bind_readout(end)
        rng = np.random.default_rng([int(seed), 3])
        bound = 1.0 / np.sqrt(H)
        self.W[...] = rng.uniform(-bound, bound, size=self.W.shape)
        self.b[...] = rng.uniform(-bound, bound, size=self.b.shape)
        self.weight_mask = np.zeros(self.n_params, dtype=bool)
        self.weight_mask[:cell.n_params] = cell.weight_mask
        self.weight_mask[end:end + H * K] = True
        self.parts = {**cell.part_slices(), "readout weight": slice(end, end + H * K),
                      "readout bias": slice(end + H * K, self.n_params)}
        self._ws = Workspace()  # training steps
        self._eval_ws = Workspace()  # evaluation passes (other batch sizes)

    def _bind_readout(self, start: int) -> None:
        H, K = self.cell.hidden_size, self.n_outputs
        mid = start + H * K
        self.W = self.flat[start:mid].reshape(H, K)
        self.b = self.flat[mid:mid + K]
        self.grad_W = self.grad_flat[start:mid].reshape(H, K)
        self.grad_b = self.grad_flat[mid:mid + K]

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        for name in ("W", "b", "grad_W", "grad_b", "_ws", "_eval_ws"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict) -> None:
        # pickled views come back as copies: make the cell and the readout views again
        self.__dict__.update(state)
        self._ws, self._eval_ws = Workspace(), Workspace()
        cell = self.cell
        cell._attach(self.flat, self.grad_flat, 0)
        self._bind_readout(cell.n_params)

    # --- passes --------------------------------------------------------------------------
    def states(self, rec) -> np.ndarray:
        """What the readout reads: h_T (B, H) or every h_t flattened to (T·B, H)."""
        if self.readout == "last":
            return rec.h_full[-1]
        T, B, H = rec.h.shape
        return rec.h.reshape(T * B, H)

    def _run(self, x, ws):
        """The cell's forward record for x (T, B, D) from zero states, in workspace ``ws``."""
        cell = self.cell
        x = cell._check_input(x)
        B, H = x.shape[1], cell.hidden_size
        zero = ws.get("zero state", (B, H), self.dtype)
        zero[...] = 0.0
        return cell._forward(x, zero, zero, ws)

    def logits(self, x) -> np.ndarray:
        """z = h W + b: (B, K) for the "last" readout, (T, B, K) for "every"."""
        rec = self._run(x, self._eval_ws)
        z = self.states(rec) @ self.W + self.b
        return z if self.readout == "last" else z.reshape(*rec.h.shape[:2], self.n_outputs)

    def loss_and_gradients(self, x, y, loss):
        """One forward and backward pass; fills ``grad_flat``.

        x (T, B, D); y (B, K) for the "last" readout, (T, B, K) for "every"; ``loss`` a
        ``core.losses`` name or record (BCE, CE and MSE are computed from the logits with a
        sigmoid, softmax or identity readout; any other loss sees the logits as outputs).
        Returns (mean loss, the cell's forward record, its total ∂L/∂c_t (LSTM) or ∂L/∂h_t
        (GRU), (T, B, H)). The record and the state gradient live in the model's workspace:
        they are valid until the next call.
        """
        loss = _losses.get(loss)
        cell = self.cell
        ws = self._ws
        rec = self._run(x, ws)
        T, B, H = rec.h.shape
        hs = self.states(rec)
        z = hs @ self.W
        z += self.b
        y2 = y.reshape(z.shape)
        if loss.fused is not None:
            value, _, dz = loss.fused(z, y2)
        else:
            value, dz = loss.value_grad(z, y2)
        np.matmul(hs.T, dz, out=self.grad_W)
        np.add.reduce(dz, axis=0, out=self.grad_b)
        dh = dz @ self.W.T
        # the "last" readout gives dL/dh on h_T only: (B, H), which _backward understands
        grad_h = dh if self.readout == "last" else dh.reshape(T, B, H)
        back = cell._backward(rec, grad_h, False, ws)
        return value, rec, back[2] if cell.kind == "lstm" else back[1]

    def outputs(self, x, loss) -> np.ndarray:
        """The readout's outputs a (softmax, sigmoid or identity of z), shaped like z."""
        loss = _losses.get(loss)
        z = self.logits(x)
        if loss.fused is None:
            return z
        flat = z.reshape(-1, self.n_outputs)
        return loss.fused(flat, np.zeros_like(flat))[1].reshape(z.shape)
