"""S-shaped functions: logistic sigmoid and tanh (more are added by the activations work)."""

from __future__ import annotations

import numpy as np

from .base import Activation, Info
from .registry import register


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a non-positive number never overflows; same formula for both signs of z
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.result_type(z, 0.5), copy=False)


@register
class Sigmoid(Activation):
    name = "sigmoid"

    def f(self, z):
        return _sigmoid(z)

    def df(self, z):
        s = _sigmoid(z)
        return s * (1.0 - s)

    def d2f(self, z):
        s = _sigmoid(z)
        return s * (1.0 - s) * (1.0 - 2.0 * s)

    def df_from_output(self, a):
        return a * (1.0 - a)

    @property
    def info(self):
        return Info(
            display_name="Logistic sigmoid",
            formula="σ(z) = 1 / (1 + e^(−z))",
            derivative="σ′(z) = σ(z)(1 − σ(z))",
            output_range=(0.0, 1.0),
            zero_centred=False,
            monotonic=True,
            bounded=True,
            smoothness="C∞",
            derivative_from_output="σ′ = a(1 − a)",
            summary=(
                "Squashes any input into (0, 1), so it reads as a probability: the right output "
                "for a yes/no answer. In hidden layers it is a poor choice: its slope is at most "
                "0.25, so gradients shrink layer by layer, and its outputs are never negative."
            ),
            category="sigmoid",
        )


@register
class Tanh(Activation):
    name = "tanh"

    def f(self, z):
        return np.tanh(z)

    def df(self, z):
        t = np.tanh(z)
        return 1.0 - t * t

    def d2f(self, z):
        t = np.tanh(z)
        return -2.0 * t * (1.0 - t * t)

    def df_from_output(self, a):
        return 1.0 - a * a

    @property
    def info(self):
        return Info(
            display_name="Hyperbolic tangent",
            formula="tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z))",
            derivative="tanh′(z) = 1 − tanh²(z)",
            output_range=(-1.0, 1.0),
            zero_centred=True,
            monotonic=True,
            bounded=True,
            smoothness="C∞",
            derivative_from_output="tanh′ = 1 − a²",
            summary=(
                "A sigmoid stretched to (−1, 1) and centred on zero, so the next layer sees "
                "inputs of both signs and learns faster than with the logistic sigmoid. It "
                "still saturates: for |z| > 3 its slope is nearly zero."
            ),
            category="sigmoid",
        )
