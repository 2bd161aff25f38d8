"""Numerical gradient check: central differences against the backward pass, layer by layer.

For every parameter θ (weights, biases, PReLU α, BatchNorm γ and β):
    numeric = (L(θ + h) − L(θ − h)) / 2h
and per layer the relative error ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖)
(0 when both are 0). In float64 with h = 1e-6 a correct backward pass gives ~1e-9 or less;
1e-6 is a safe pass mark. Near a kink (ReLU at 0) the central difference averages the two
slopes, so the check disagrees there by design — keep inputs away from kinks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import losses as _losses

__all__ = ["GradCheckResult", "gradcheck"]


@dataclass(frozen=True)
class GradCheckResult:
    """Per-layer relative errors (hidden layers first), their maximum, and the layer names."""

    per_layer: tuple[float, ...]
    names: tuple[str, ...]
    max_error: float

    def passed(self, tol: float = 1e-6) -> bool:
        """True when every layer's relative error is below ``tol``."""
        return self.max_error < tol

    def __str__(self) -> str:
        rows = ", ".join(f"{n}: {e:.2e}" for n, e in zip(self.names, self.per_layer))
        return f"gradient check, max relative error {self.max_error:.2e} ({rows})"


def gradcheck(net, x, y, loss="mse", h: float = 1e-6, train: bool = True,
              seed: int = 0) -> GradCheckResult:
    """Compare ``net.loss_and_gradients`` with central differences of ``net.loss``.

    Every parameter is moved by ±h in turn, so this costs two loss evaluations per parameter:
    it is meant for small networks and batches (a test, a lesson), not for training.

    Parameters
    ----------
    net : Network
        The network to check; its parameters and BatchNorm running statistics are restored
        afterwards (``grad_flat`` holds the analytic gradient).
    x : array_like, shape (n, n_inputs)
        Inputs of the batch. Keep them away from kinks (ReLU at z = 0), where the central
        difference averages the two slopes and disagrees by design.
    y : array_like, shape (n, n_outputs)
        Targets of the batch.
    loss : str or Loss
        A name from ``core.losses.names()``.
    h : float
        The step of the central difference (1e-6 suits float64).
    train : bool
        Training mode (the default) checks BatchNorm's batch-statistics backward pass.
    seed : int
        RReLU's random slopes come from a generator re-seeded with it for every evaluation,
        so each loss sees the same slopes.

    Returns
    -------
    GradCheckResult
        Per layer (hidden first) the relative error ‖analytic − numeric‖ / (‖analytic‖ +
        ‖numeric‖) over all its parameters, and their maximum; ``passed(tol=1e-6)``.

    Raises
    ------
    KeyError
        If the loss is unknown.
    ValueError
        If ``x`` or ``y`` has the wrong shape (as ``Network.loss_and_gradients``).
    """
    loss = _losses.get(loss)
    x = np.asarray(x, dtype=net.dtype)
    y = np.asarray(y, dtype=net.dtype)
    saved_flat = net.flat.copy()
    saved_bn = [(l.bn.running_mean.copy(), l.bn.running_var.copy())
                for l in net.layers if l.bn is not None]

    def rng():
        return np.random.default_rng(seed)

    try:
        net.loss_and_gradients(x, y, loss, train=train, rng=rng())
        analytic = net.grad_flat.copy()
        numeric = np.zeros_like(analytic)
        flat = net.flat
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            up = net.loss(x, y, loss, train=train, rng=rng())
            flat[i] = old - h
            down = net.loss(x, y, loss, train=train, rng=rng())
            flat[i] = old
            numeric[i] = (up - down) / (2.0 * h)
    finally:
        net.flat[...] = saved_flat
        bns = [l.bn for l in net.layers if l.bn is not None]
        for bn, (m, v) in zip(bns, saved_bn):
            bn.running_mean[...] = m
            bn.running_var[...] = v

    errors = []
    for sl in net.layer_slices():
        a, n = analytic[sl], numeric[sl]
        denom = math.sqrt(float(a @ a)) + math.sqrt(float(n @ n))
        diff = a - n
        errors.append(math.sqrt(float(diff @ diff)) / denom if denom > 0 else 0.0)
    names = tuple(net.layer_name(i) for i in range(len(net.layers)))
    return GradCheckResult(tuple(errors), names, max(errors))
