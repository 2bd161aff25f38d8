"""The GRU cell: forward over a whole sequence beside its backpropagation through time.

PyTorch's layout and gate order (r, z, n), for one step with input x and state h::

    r = σ(W_ir x + b_ir + W_hr h + b_hr)              reset gate
    z = σ(W_iz x + b_iz + W_hz h + b_hz)              update gate
    n = φ(W_in x + b_in + r ⊙ (W_hn h + b_hn))        candidate
    h' = (1 − z) ⊙ n + z ⊙ h

σ is the *gate* activation (sigmoid by default) and φ the *candidate* (tanh), each any
elementwise activation of ``core.activations``; derivatives are taken with respect to their
pre-activation. Note that b_hn sits inside the reset gate's product, so unlike the LSTM's the
two biases are not interchangeable.

What this does not try to do: several layers, bidirectional runs, dropout, sequences of
different lengths in one batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._base import FRESH, RecurrentCell, readonly

__all__ = ["GRU", "GRURecord"]


@dataclass(frozen=True, eq=False)
class GRURecord:
    """What a forward pass computed, kept for backpropagation and for the lab's plots.

    Arrays are read-only. T steps, B sequences, H units, D inputs:

    x : (T, B, D)
    h_full : (T + 1, B, H), with the initial state at index 0
    pre : (T, B, 3H) pre-activations of r, z and n (the last is W_in x + b_in + r ⊙ hn)
    gates : (T, B, 3H) the values r, z, n
    hn : (T, B, H) W_hn h_{t−1} + b_hn, what the reset gate multiplies
    """

    x: np.ndarray
    h_full: np.ndarray
    pre: np.ndarray
    gates: np.ndarray
    hn: np.ndarray

    @property
    def hidden_size(self) -> int:
        return self.h_full.shape[2]

    h = property(lambda self: self.h_full[1:], doc="(T, B, H) hidden states h_1 … h_T")
    h0 = property(lambda self: self.h_full[0], doc="(B, H) the initial hidden state")

    def _gate(self, arr: np.ndarray, k: int) -> np.ndarray:
        H = self.hidden_size
        return arr[..., k * H:(k + 1) * H]

    r = property(lambda self: self._gate(self.gates, 0), doc="(T, B, H) reset gate")
    z = property(lambda self: self._gate(self.gates, 1), doc="(T, B, H) update gate")
    n = property(lambda self: self._gate(self.gates, 2), doc="(T, B, H) candidate")
    pre_r = property(lambda self: self._gate(self.pre, 0))
    pre_z = property(lambda self: self._gate(self.pre, 1))
    pre_n = property(lambda self: self._gate(self.pre, 2))


class GRU(RecurrentCell):
    """A gated recurrent unit (Cho et al. 2014), as PyTorch's ``nn.GRU``.

    Parameters
    ----------
    input_size, hidden_size : D and H.
    seed : seeds the initialization: every weight and bias from U(−1/√H, 1/√H), as PyTorch.
    gate, candidate : activation names (or records) for σ (r and z) and φ (n).
    dtype : float64 (default) or float32.

    Attributes
    ----------
    weight_ih (3H, D), weight_hh (3H, H), bias_ih (3H,), bias_hh (3H,) : views into
        ``flat``; ``grad_weight_ih`` … views into ``grad_flat`` (filled by ``backward``).
    """

    GATES = 3
    GATE_NAMES = ("r", "z", "n")
    kind = "gru"

    def __init__(self, input_size, hidden_size, seed=0, gate="sigmoid", candidate="tanh", *,
                 dtype="float64"):
        super().__init__(input_size, hidden_size, seed,
                         {"gate": gate, "candidate": candidate}, dtype)

    # --- forward: h' = (1 − z) ⊙ n + z ⊙ h --------------------------------------------------
    def forward(self, x, h0=None, c0=None) -> GRURecord:
        """Run the cell over x (T, B, D) from h0 (B, H) (zeros when None); a GRU has no c0."""
        if c0 is not None:
            raise ValueError("A GRU has no cell state: pass h0 only.")
        x = self._check_input(x)
        rec = self._forward(x, self._check_state(h0, x.shape[1], "h0"), None, FRESH)
        readonly(rec.x, rec.h_full, rec.pre, rec.gates, rec.hn)
        return rec

    def _forward(self, x, h0, c0, ws) -> GRURecord:
        """The forward pass on checked inputs, into arrays from the workspace ``ws``."""
        T, B, D = x.shape
        H = self.hidden_size
        dt = self.dtype
        h_full = ws.get("h_full", (T + 1, B, H), dt)
        h_full[0] = h0
        gi = ws.get("gi", (T, B, 3 * H), dt)  # W_ih x + b_ih for every step in one product
        np.matmul(x.reshape(T * B, D), self.weight_ih.T, out=gi.reshape(T * B, 3 * H))
        gi += self.bias_ih
        gh = ws.get("gh", (T, B, 3 * H), dt)  # W_hh h_{t−1} + b_hh
        pre = ws.get("pre", (T, B, 3 * H), dt)
        gates = ws.get("gates", (T, B, 3 * H), dt)
        diff = ws.get("diff", (B, H), dt)
        W_hh_T, b_hh = self.weight_hh.T, self.bias_hh
        sigma, phi = self._fast["gate"][0], self._fast["candidate"][0]
        H2 = 2 * H
        gi_rz, gh_rz, pre_rz, gates_rz = (a[..., :H2] for a in (gi, gh, pre, gates))
        gi_n, hn, pre_n = gi[..., H2:], gh[..., H2:], pre[..., H2:]
        r, z, n = (gates[..., k * H:(k + 1) * H] for k in range(3))
        for t in range(T):
            gh_t = gh[t]
            np.matmul(h_full[t], W_hh_T, out=gh_t)
            gh_t += b_hh
            np.add(gi_rz[t], gh_rz[t], out=pre_rz[t])
            gates_rz[t] = sigma(pre_rz[t])
            a_n = pre_n[t]
            np.multiply(r[t], hn[t], out=a_n)
            a_n += gi_n[t]
            n_t = n[t]
            n_t[...] = phi(a_n)
            np.subtract(h_full[t], n_t, out=diff)  # h' = n + z ⊙ (h − n)
            diff *= z[t]
            np.add(n_t, diff, out=h_full[t + 1])
        return GRURecord(x, h_full, pre, gates, hn)

    # --- backward through time ------------------------------------------------------------
    def backward(self, record: GRURecord, grad_h) -> dict[str, np.ndarray]:
        """Gradients for dL/dh_t = grad_h (T, B, H) given directly on each h_t.

        Returns new arrays: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` (shapes of
        the parameters), ``x`` (T, B, D), ``h0`` (B, H); ``h`` (T, B, H), the *total*
        ∂L/∂h_t (through every later step as well), and ``h_norm`` (T,), its norm over the
        batch and the units at each step. The parameter gradients are also left in
        ``grad_flat``.
        """
        grad_h = self._check_grad_h(grad_h, record.h.shape)
        dx, dh, dh0 = self._backward(record, grad_h, True, FRESH)
        out = {p: getattr(self, "grad_" + p).copy() for p in self.PARTS}
        out.update(x=dx, h0=dh0, h=dh, h_norm=np.sqrt(np.einsum("tbh,tbh->t", dh, dh)))
        return out

    def _backward(self, rec: GRURecord, grad_h: np.ndarray, want_x: bool, ws):
        """Backprop through time; fills ``grad_flat``; returns (dx, dh, dh0).

        ``grad_h`` is dL/dh_t (T, B, H), or (B, H) when the loss reads h_T only.
        """
        T, B, H = rec.h.shape
        dt = self.dtype
        H2 = 2 * H
        r, z, n = (rec.gates[..., k * H:(k + 1) * H] for k in range(3))
        h_prev = rec.h_full[:-1]
        # Local slopes of every step at once. Q multiplies ∂L/∂h_t to give ∂L/∂(input part)
        # of each pre-activation (what W_ih x + b_ih receives):
        #   ∂h/∂a_n = (1 − z) φ′(a_n),  ∂h/∂a_z = (h − n) σ′(a_z),
        #   ∂h/∂a_r = (1 − z) φ′(a_n) ⊙ hn ⊙ σ′(a_r);
        # Q_hh is the same with the n slice times r (W_hn h + b_hn enters a_n through r ⊙).
        Q = ws.get("Q", (T, B, 3 * H), dt)
        Q[..., :H2] = self._slope("gate", rec.pre[..., :H2], rec.gates[..., :H2])
        q_r, q_z, q_n = (Q[..., k * H:(k + 1) * H] for k in range(3))
        np.subtract(1.0, z, out=q_n)
        q_n *= self._slope("candidate", rec.pre[..., H2:], n)
        diff = ws.get("diff_all", (T, B, H), dt)
        np.subtract(h_prev, n, out=diff)
        q_z *= diff
        q_r *= q_n
        q_r *= rec.hn
        Q_hh = ws.get("Q_hh", (T, B, 3 * H), dt)
        Q_hh[...] = Q
        Q_hh[..., H2:] *= r

        dh = ws.get("dh", (T, B, H), dt)  # total ∂L/∂h_t
        delta_hh = ws.get("delta_hh", (T, B, 3 * H), dt)  # ∂L/∂(W_hh h_{t−1} + b_hh)
        zdh = ws.get("zdh", (B, H), dt)
        dh_b = dh[:, :, None, :]
        dh3 = ws.get("dh3", (B, 3 * H), dt)  # [dh, dh, dh] side by side: one contiguous product
        W_hh = self.weight_hh
        last_only = grad_h.ndim == 2  # dL/dh on h_T only, (B, H): nothing to add on the way
        dh[T - 1] = grad_h if last_only else grad_h[T - 1]
        for t in range(T - 1, -1, -1):
            dh_t = dh[t]
            np.concatenate((dh_t, dh_t, dh_t), axis=1, out=dh3)
            np.multiply(Q_hh[t], dh3, out=delta_hh[t])
            if t:
                dh_prev = dh[t - 1]
                np.matmul(delta_hh[t], W_hh, out=dh_prev)  # through W_hh h_{t−1}
                np.multiply(dh_t, z[t], out=zdh)  # through z ⊙ h_{t−1}
                dh_prev += zdh
                if not last_only:
                    dh_prev += grad_h[t - 1]
        dh0 = delta_hh[0] @ W_hh
        dh0 += dh[0] * z[0]
        delta_ih = Q.reshape(T, B, 3, H)
        delta_ih *= dh_b  # in place: Q is not needed any more
        d_ih = Q.reshape(T * B, 3 * H)
        d_hh = delta_hh.reshape(T * B, 3 * H)
        np.matmul(d_ih.T, rec.x.reshape(T * B, self.input_size), out=self.grad_weight_ih)
        np.matmul(d_hh.T, h_prev.reshape(T * B, H), out=self.grad_weight_hh)
        np.add.reduce(d_ih, axis=0, out=self.grad_bias_ih)
        np.add.reduce(d_hh, axis=0, out=self.grad_bias_hh)
        dx = (d_ih @ self.weight_ih).reshape(T, B, self.input_size) if want_x else None
        return dx, dh, dh0
