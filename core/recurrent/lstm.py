"""The LSTM cell: forward over a whole sequence beside its backpropagation through time.

PyTorch's layout and gate order (i, f, g, o), for one step with input x and state (h, c)::

    a = W_ih x + b_ih + W_hh h + b_hh          (4H,) pre-activations, split a_i a_f a_g a_o
    i = σ(a_i)   f = σ(a_f)   g = φ(a_g)   o = σ(a_o)
    c' = f ⊙ c + i ⊙ g
    h' = o ⊙ ψ(c')

σ is the *gate* activation (sigmoid by default), φ the *candidate* (tanh) and ψ the *cell
output* (tanh), each any elementwise activation of ``core.activations``; derivatives are
taken with respect to their pre-activation, as everywhere in the core.

What this does not try to do: several layers, bidirectional runs, peepholes, projections or
dropout; sequences of different lengths in one batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._base import FRESH, RecurrentCell, readonly

__all__ = ["LSTM", "LSTMRecord", "forget_product"]


@dataclass(frozen=True, eq=False)
class LSTMRecord:
    """What a forward pass computed, kept for backpropagation and for the lab's plots.

    Arrays are read-only. T steps, B sequences, H units, D inputs:

    x : (T, B, D)
    h_full, c_full : (T + 1, B, H), with the initial state at index 0
    pre : (T, B, 4H) pre-activations a of the gates, in the order i, f, g, o
    gates : (T, B, 4H) their values i, f, g, o
    cell_out : (T, B, H) ψ(c_t), the cell output before the output gate
    """

    x: np.ndarray
    h_full: np.ndarray
    c_full: np.ndarray
    pre: np.ndarray
    gates: np.ndarray
    cell_out: np.ndarray

    @property
    def hidden_size(self) -> int:
        return self.h_full.shape[2]

    h = property(lambda self: self.h_full[1:], doc="(T, B, H) hidden states h_1 … h_T")
    c = property(lambda self: self.c_full[1:], doc="(T, B, H) cell states c_1 … c_T")
    h0 = property(lambda self: self.h_full[0], doc="(B, H) the initial hidden state")
    c0 = property(lambda self: self.c_full[0], doc="(B, H) the initial cell state")

    def _gate(self, arr: np.ndarray, k: int) -> np.ndarray:
        H = self.hidden_size
        return arr[..., k * H:(k + 1) * H]

    i = property(lambda self: self._gate(self.gates, 0), doc="(T, B, H) input gate")
    f = property(lambda self: self._gate(self.gates, 1), doc="(T, B, H) forget gate")
    g = property(lambda self: self._gate(self.gates, 2), doc="(T, B, H) candidate")
    o = property(lambda self: self._gate(self.gates, 3), doc="(T, B, H) output gate")
    pre_i = property(lambda self: self._gate(self.pre, 0))
    pre_f = property(lambda self: self._gate(self.pre, 1))
    pre_g = property(lambda self: self._gate(self.pre, 2))
    pre_o = property(lambda self: self._gate(self.pre, 3))


class LSTM(RecurrentCell):
    """A long short-term memory cell (Hochreiter & Schmidhuber 1997, with a forget gate).

    Parameters
    ----------
    input_size, hidden_size : D and H.
    seed : seeds the initialization: every weight and bias from U(−1/√H, 1/√H), as PyTorch.
    gate, candidate, cell_output : activation names (or records) for σ, φ and ψ.
    forget_bias : start value of the forget gate's bias. The forget slice of ``bias_ih``
        is set to it and that of ``bias_hh`` to 0, so the gate starts near σ(forget_bias)
        (0.73 for 1.0) and the cell keeps its state from the first step on (Keras's
        ``unit_forget_bias``; Jozefowicz et al. 2015). 0.0 sets both slices to 0;
        ``None`` keeps PyTorch's uniform draw there too.
    dtype : float64 (default) or float32.

    Attributes
    ----------
    weight_ih (4H, D), weight_hh (4H, H), bias_ih (4H,), bias_hh (4H,) : views into
        ``flat``; ``grad_weight_ih`` … views into ``grad_flat`` (filled by ``backward``).
    """

    GATES = 4
    GATE_NAMES = ("i", "f", "g", "o")
    kind = "lstm"

    def __init__(self, input_size, hidden_size, seed=0, gate="sigmoid", candidate="tanh",
                 cell_output="tanh", forget_bias=1.0, *, dtype="float64"):
        if forget_bias is not None:
            if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float)) or (
                    not np.isfinite(forget_bias) or abs(forget_bias) > 100):
                raise ValueError("forget_bias must be a number from -100 to 100 or None, not "
                                 f"{forget_bias!r}.")
            forget_bias = float(forget_bias)
        super().__init__(input_size, hidden_size, seed,
                         {"gate": gate, "candidate": candidate, "cell_output": cell_output},
                         dtype)
        self.forget_bias = forget_bias
        if forget_bias is not None:
            H = self.hidden_size
            self.bias_ih[H:2 * H] = forget_bias
            self.bias_hh[H:2 * H] = 0.0

    def spec(self) -> dict:
        return {**super().spec(), "forget_bias": self.forget_bias}

    # --- forward: c' = f ⊙ c + i ⊙ g,  h' = o ⊙ ψ(c') ---------------------------------------
    def forward(self, x, h0=None, c0=None) -> LSTMRecord:
        """Run the cell over x (T, B, D) from (h0, c0) (each (B, H), zeros when None)."""
        x = self._check_input(x)
        B = x.shape[1]
        rec = self._forward(x, self._check_state(h0, B, "h0"), self._check_state(c0, B, "c0"),
                            FRESH)
        readonly(rec.x, rec.h_full, rec.c_full, rec.pre, rec.gates, rec.cell_out)
        return rec

    def _forward(self, x, h0, c0, ws) -> LSTMRecord:
        """The forward pass on checked inputs, into arrays from the workspace ``ws``."""
        T, B, D = x.shape
        H = self.hidden_size
        dt = self.dtype
        h_full = ws.get("h_full", (T + 1, B, H), dt)
        c_full = ws.get("c_full", (T + 1, B, H), dt)
        h_full[0] = h0
        c_full[0] = c0
        pre = ws.get("pre", (T, B, 4 * H), dt)
        # the input's share of every step's pre-activations in one product, both biases in it
        np.matmul(x.reshape(T * B, D), self.weight_ih.T, out=pre.reshape(T * B, 4 * H))
        pre += self.bias_ih + self.bias_hh
        gates = ws.get("gates", (T, B, 4 * H), dt)
        cell_out = ws.get("cell_out", (T, B, H), dt)
        hh = ws.get("hh", (B, 4 * H), dt)
        ig = ws.get("ig", (B, H), dt)
        W_hh_T = self.weight_hh.T
        sigma, phi, psi = (self._fast[r][0] for r in ("gate", "candidate", "cell_output"))
        i, f, g, o = (gates[..., k * H:(k + 1) * H] for k in range(4))
        pre_g = pre[..., 2 * H:3 * H]
        for t in range(T):
            a = pre[t]
            np.matmul(h_full[t], W_hh_T, out=hh)
            a += hh
            gates[t] = sigma(a)  # on all four slices: one call; g is overwritten next
            g[t] = phi(pre_g[t])
            c = c_full[t + 1]
            np.multiply(f[t], c_full[t], out=c)
            np.multiply(i[t], g[t], out=ig)
            c += ig
            cell_out[t] = psi(c)
            np.multiply(o[t], cell_out[t], out=h_full[t + 1])
        return LSTMRecord(x, h_full, c_full, pre, gates, cell_out)

    # --- backward through time ------------------------------------------------------------
    def backward(self, record: LSTMRecord, grad_h) -> dict[str, np.ndarray]:
        """Gradients for dL/dh_t = grad_h (T, B, H) given directly on each h_t.

        Returns new arrays: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` (shapes of
        the parameters), ``x`` (T, B, D), ``h0``, ``c0`` (B, H); ``h`` and ``c`` (T, B, H),
        the *total* ∂L/∂h_t and ∂L/∂c_t (through every later step as well); ``h_norm`` and
        ``c_norm`` (T,), their norms over the batch and the units at each step. The
        parameter gradients are also left in ``grad_flat``.
        """
        grad_h = self._check_grad_h(grad_h, record.h.shape)
        dx, dh, dc, dh0, dc0 = self._backward(record, grad_h, True, FRESH)
        out = {p: getattr(self, "grad_" + p).copy() for p in self.PARTS}
        out.update(x=dx, h0=dh0, c0=dc0, h=dh, c=dc,
                   h_norm=np.sqrt(np.einsum("tbh,tbh->t", dh, dh)),
                   c_norm=np.sqrt(np.einsum("tbh,tbh->t", dc, dc)))
        return out

    def _backward(self, rec: LSTMRecord, grad_h: np.ndarray, want_x: bool, ws):
        """Backprop through time; fills ``grad_flat``; returns (dx, dh, dc, dh0, dc0).

        ``grad_h`` is dL/dh_t (T, B, H), or (B, H) when the loss reads h_T only.
        """
        T, B, H = rec.h.shape
        dt = self.dtype
        gates, c_full = rec.gates, rec.c_full
        i, f, g, o = (gates[..., k * H:(k + 1) * H] for k in range(4))
        pre = rec.pre
        # Local slopes of every step at once (no recurrence in them). M holds what multiplies
        # ∂L/∂c_t to give ∂L/∂a for a_i, a_f, a_g, and ∂L/∂h_t to give ∂L/∂a_o:
        #   ∂c_t/∂a_i = g σ′(a_i),  ∂c_t/∂a_f = c_{t−1} σ′(a_f),  ∂c_t/∂a_g = i φ′(a_g),
        #   ∂h_t/∂a_o = ψ(c_t) σ′(a_o);  and ∂h_t/∂c_t = o ψ′(c_t) (dh_dc).
        M = ws.get("M", (T, B, 4 * H), dt)
        H2, H3 = 2 * H, 3 * H
        M[..., :H2] = self._slope("gate", pre[..., :H2], gates[..., :H2])
        M[..., H3:] = self._slope("gate", pre[..., H3:], o)
        M[..., H2:H3] = self._slope("candidate", pre[..., H2:H3], g)
        M[..., :H] *= g
        M[..., H:H2] *= c_full[:-1]
        M[..., H2:H3] *= i
        M[..., H3:] *= rec.cell_out
        dh_dc = ws.get("dh_dc", (T, B, H), dt)
        dh_dc[...] = self._slope("cell_output", c_full[1:], rec.cell_out)
        dh_dc *= o

        delta = ws.get("delta", (T, B, 4 * H), dt)  # ∂L/∂a, the gates' pre-activations
        dh = ws.get("dh", (T, B, H), dt)  # total ∂L/∂h_t
        dc = ws.get("dc", (T, B, H), dt)  # total ∂L/∂c_t
        dc_next = ws.get("dc_next", (B, H), dt)  # ∂L/∂c_t through c_{t+1} = f_{t+1} ⊙ c_t + …
        dc_next[...] = 0.0
        # [dc, dc, dc, dh] side by side: one contiguous product then gives every gate's
        # ∂L/∂a (a broadcast into strided slices of delta cost three times as much)
        both = ws.get("both", (B, 4 * H), dt)
        W_hh = self.weight_hh
        last_only = grad_h.ndim == 2  # dL/dh on h_T only, (B, H): nothing to add on the way
        dh[T - 1] = grad_h if last_only else grad_h[T - 1]
        for t in range(T - 1, -1, -1):
            dh_t, dc_t = dh[t], dc[t]
            np.multiply(dh_t, dh_dc[t], out=dc_t)
            dc_t += dc_next
            np.concatenate((dc_t, dc_t, dc_t, dh_t), axis=1, out=both)
            np.multiply(M[t], both, out=delta[t])
            np.multiply(dc_t, f[t], out=dc_next)
            if t:
                dh_prev = dh[t - 1]
                np.matmul(delta[t], W_hh, out=dh_prev)  # through a_t = … + W_hh h_{t−1}
                if not last_only:
                    dh_prev += grad_h[t - 1]
        dh0 = delta[0] @ W_hh
        d2 = delta.reshape(T * B, 4 * H)
        np.matmul(d2.T, rec.x.reshape(T * B, self.input_size), out=self.grad_weight_ih)
        np.matmul(d2.T, rec.h_full[:-1].reshape(T * B, H), out=self.grad_weight_hh)
        np.add.reduce(d2, axis=0, out=self.grad_bias_ih)
        self.grad_bias_hh[...] = self.grad_bias_ih  # both biases enter a the same way
        dx = (d2 @ self.weight_ih).reshape(T, B, self.input_size) if want_x else None
        return dx, dh, dc, dh0, dc_next


def forget_product(f: np.ndarray, start: int = 0) -> np.ndarray:
    """Running product of forget-gate values: P_t = f_start ⊙ f_start+1 ⊙ … ⊙ f_t.

    ``f`` is (T, …) (an ``LSTMRecord.f``); the result has shape (T − start, …), one row per
    t = start … T − 1. Along the cell's direct path ∂c_t/∂c_k = Π_{s=k+1..t} f_s, so
    ``forget_product(rec.f, k + 1)[t − k − 1]`` is how much of c_k still reaches c_t (the
    other paths run through h and the gates).
    """
    f = np.asarray(f)
    if f.ndim < 1 or not 0 <= start <= f.shape[0]:
        raise ValueError(f"start must lie from 0 to {f.shape[0] if f.ndim else 0}, not {start}.")
    return np.cumprod(f[start:], axis=0)
