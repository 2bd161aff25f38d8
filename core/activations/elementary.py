"""The simplest shapes: the identity, and the piecewise-constant step, sign and window.

The three constant pieces have f′ = 0 wherever it exists, which is the whole point of showing
them: a network built from them can represent a decision, but gradient descent gets no signal.
"""

from __future__ import annotations

import numpy as np

from .base import Activation, Info, Kink, ParamSpec
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

    def df_from_output(self, a):
        return np.ones_like(a)

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
            derivative_from_output="f′ = 1",
            summary=(
                "Passes z through unchanged: the output activation for regression. In hidden "
                "layers it adds nothing, since a stack of linear layers is one linear layer."
            ),
            category="linear",
        )


_NO_GRADIENT = "f′ is 0 on both sides and undefined at the jump; 0 is used, so no gradient flows"


class PiecewiseConstant(Activation):
    """Base of step, sign and window: f′ = f″ = 0 everywhere, their jumps included.

    A subclass writes ``f`` and an ``info`` made with ``_step_info``; it is not registered
    itself.
    """

    def df(self, z):
        return np.zeros_like(z)

    def d2f(self, z):
        return np.zeros_like(z)

    def df_from_output(self, a):
        return np.zeros_like(a)


def _step_info(jumps_at: str, **fields) -> Info:
    """Info of a function that is constant between jumps at ``jumps_at`` ("z = 0")."""
    return Info(
        derivative=f"f′(z) = 0 (undefined at {jumps_at})",
        bounded=True,
        smoothness="discontinuous",
        derivative_from_output="f′ = 0",
        category="step",
        **fields,
    )


@register
class Step(PiecewiseConstant):
    name = "step"

    def f(self, z):
        return z >= 0

    @property
    def info(self):
        return _step_info(
            "z = 0",
            display_name="Binary step (Heaviside)",
            formula="f(z) = 1 if z ≥ 0 else 0",
            output_range=(0.0, 1.0),
            zero_centred=False,
            monotonic=True,
            kinks=(Kink(0.0, 0.0, f"f jumps from 0 to 1 (f(0) = 1); {_NO_GRADIENT}"),),
            summary=(
                "The original perceptron's yes/no switch: it fires when z reaches 0. Its slope "
                "is zero everywhere (and undefined at the jump), so backpropagation passes "
                "nothing through it and gradient descent cannot train the weights before it."
            ),
        )


@register
class Sign(PiecewiseConstant):
    name = "sign"

    def f(self, z):
        return np.sign(z)

    @property
    def info(self):
        return _step_info(
            "z = 0",
            display_name="Sign",
            formula="f(z) = −1 if z < 0, 0 if z = 0, 1 if z > 0",
            output_range=(-1.0, 1.0),
            zero_centred=True,
            monotonic=True,
            kinks=(Kink(0.0, 0.0, f"f jumps from −1 through sign(0) = 0 to 1; {_NO_GRADIENT}"),),
            summary=(
                "A step with outputs −1 and +1, the classic bipolar perceptron unit. Like the "
                "step it has slope zero everywhere, so gradient descent cannot learn through it."
            ),
        )


@register
class Window(PiecewiseConstant):
    name = "window"
    PARAMS = (
        ParamSpec("a", 0.0, -3.0, 3.0, "centre of the window"),
        ParamSpec("b", 1.0, 0.1, 3.0, "half-width of the window"),
    )

    def f(self, z):
        p = self.params
        return np.abs(z - p["a"]) < p["b"]

    @property
    def info(self):
        a, b = self.params["a"], self.params["b"]
        note = f"f jumps here (f = 0 at the edge); {_NO_GRADIENT}"
        return _step_info(
            "z = a ± b",
            display_name="Window (bump)",
            formula="f(z) = 1 if |z − a| < b else 0",
            output_range=(0.0, 1.0),
            zero_centred=False,
            monotonic=False,
            kinks=(Kink(a - b, 0.0, note), Kink(a + b, 0.0, note)),
            summary=(
                "A made-up unit that fires only inside a band of inputs. One such unit solves "
                "XOR, which is true exactly when x₁ + x₂ = 1, a band no single step unit can "
                "carve out. But its slope is zero everywhere, so gradient descent cannot find it."
            ),
        )
