"""Piecewise-linear functions: identity and ReLU (the rest of the family is added alongside)."""

from __future__ import annotations

import numpy as np

from .base import Activation, Info, Kink
from .registry import register


@register
class Identity(Activation):
    name = "identity"

    def f(self, z):
        return np.array(z, copy=True)

    def df(self, z):
        return np.ones_like(z)

    def d2f(self, z):
        return np.zeros_like(z)

    @property
    def info(self):
        return Info(
            display_name="Identity (linear)",
            formula="f(z) = z",
            derivative="f′(z) = 1",
            output_range=(-np.inf, np.inf),
            zero_centred=True,
            monotonic=True,
            bounded=False,
            smoothness="C∞",
            summary=(
                "Passes z through unchanged: the output activation for regression. In hidden "
                "layers it adds nothing, since a stack of linear layers is one linear layer."
            ),
            category="linear",
        )


@register
class ReLU(Activation):
    name = "relu"

    def f(self, z):
        return np.maximum(z, 0.0).astype(z.dtype, copy=False)

    def df(self, z):
        # f′(0) = 0: the convention of PyTorch, TensorFlow and JAX
        return (z > 0).astype(z.dtype)

    def d2f(self, z):
        return np.zeros_like(z)

    @property
    def info(self):
        return Info(
            display_name="ReLU",
            formula="f(z) = max(0, z)",
            derivative="f′(z) = 1 if z > 0 else 0",
            output_range=(0.0, np.inf),
            zero_centred=False,
            monotonic=True,
            bounded=False,
            smoothness="C0",
            kinks=(Kink(0.0, 0.0, "ReLU′(0) = 0, as in PyTorch, TensorFlow and JAX"),),
            summary=(
                "Zero for negative inputs, the input itself otherwise. Its slope of 1 does not "
                "shrink gradients, so deep networks train fast; but a unit whose input is "
                "always negative gets no gradient at all and stays dead."
            ),
            category="relu",
        )
