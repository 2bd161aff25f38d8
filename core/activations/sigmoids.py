"""S-shaped, bounded functions: logistic sigmoid, hard sigmoid, tanh and its relatives."""

from __future__ import annotations

import math

import numpy as np

from ._common import finite, pick, sech2, sigmoid, sigmoid_curvature, sigmoid_slope
from .base import Activation, Info, Kink, ParamSpec
from .registry import register


class LogisticCurve(Activation):
    """f = σ, with f′ and f″ from ``_common``: shared by the sigmoid and softmax's curve.

    Softmax draws as softmax([z, 0])₁, which is exactly σ(z); a subclass writes ``info``.
    """

    def f(self, z):
        return sigmoid(z)

    def df(self, z):
        return sigmoid_slope(z)

    def d2f(self, z):
        return sigmoid_curvature(z)

    def df_from_output(self, a):
        return a * (1.0 - a)


@register
class Sigmoid(LogisticCurve):
    name = "sigmoid"

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
class HardSigmoid(Activation):
    name = "hard_sigmoid"

    def f(self, z):
        # PyTorch's kernel: relu6(z + 3) / 6
        return np.clip(z + 3.0, 0.0, 6.0) / 6.0

    def df(self, z):
        return pick((z > -3.0) & (z < 3.0), 1.0 / 6.0, 0.0, z)

    def d2f(self, z):
        return np.zeros_like(z)

    def df_from_output(self, a):
        return pick((a > 0.0) & (a < 1.0), 1.0 / 6.0, 0.0, a)

    @property
    def info(self):
        note = "f′ = 0 at the corner, as in PyTorch"
        return Info(
            display_name="Hard sigmoid",
            formula="f(z) = min(max(z/6 + 1/2, 0), 1) = relu6(z + 3)/6",
            derivative="f′(z) = 1/6 if −3 < z < 3 else 0",
            output_range=(0.0, 1.0),
            zero_centred=False,
            monotonic=True,
            bounded=True,
            smoothness="C0",
            kinks=(Kink(-3.0, 0.0, note), Kink(3.0, 0.0, note)),
            derivative_from_output="f′ = 1/6 if 0 < a < 1 else 0",
            summary=(
                "Three straight pieces that imitate the sigmoid and cost almost nothing to "
                "compute, which is why phones use it (MobileNetV3). Outside [−3, 3] it is flat, "
                "so saturated units get exactly zero gradient."
            ),
            category="sigmoid",
        )


@register
class Tanh(Activation):
    name = "tanh"

    def f(self, z):
        return np.tanh(z)

    def df(self, z):
        return sech2(z)

    def d2f(self, z):
        return -2.0 * np.tanh(z) * sech2(z)

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


_LECUN_A = 1.7159
_LECUN_B = 2.0 / 3.0


@register
class LecunTanh(Activation):
    name = "lecun_tanh"

    def f(self, z):
        return _LECUN_A * np.tanh(_LECUN_B * z)

    def df(self, z):
        return (_LECUN_A * _LECUN_B) * sech2(_LECUN_B * z)

    def d2f(self, z):
        u = _LECUN_B * z
        return (-2.0 * _LECUN_A * _LECUN_B * _LECUN_B) * np.tanh(u) * sech2(u)

    def df_from_output(self, a):
        return (_LECUN_B / _LECUN_A) * (_LECUN_A * _LECUN_A - a * a)

    @property
    def info(self):
        return Info(
            display_name="LeCun scaled tanh",
            formula="f(z) = 1.7159 · tanh(2z/3)",
            derivative="f′(z) = 1.7159 · (2/3) · (1 − tanh²(2z/3))",
            output_range=(-_LECUN_A, _LECUN_A),
            zero_centred=True,
            monotonic=True,
            bounded=True,
            smoothness="C∞",
            derivative_from_output="f′ = (2/3)/1.7159 · (1.7159² − a²)",
            summary=(
                'The tanh rescaled so that f(±1) = ±1 (LeCun, "Efficient BackProp"). Targets '
                "of ±1 then sit where the slope is still large, instead of at the flat "
                "asymptotes that plain tanh only reaches at infinite z."
            ),
            category="sigmoid",
        )


@register
class Hardtanh(Activation):
    name = "hardtanh"
    PARAMS = (
        ParamSpec("min_val", -1.0, -5.0, 0.0, "lower clip level"),
        ParamSpec("max_val", 1.0, 0.0, 5.0, "upper clip level"),
    )

    def validate(self):
        if self.params["min_val"] >= self.params["max_val"]:
            raise ValueError("hardtanh needs min_val < max_val")

    def f(self, z):
        return np.clip(z, self.params["min_val"], self.params["max_val"])

    def df(self, z):
        return pick((z > self.params["min_val"]) & (z < self.params["max_val"]), 1.0, 0.0, z)

    def d2f(self, z):
        return np.zeros_like(z)

    def df_from_output(self, a):
        return pick((a > self.params["min_val"]) & (a < self.params["max_val"]), 1.0, 0.0, a)

    @property
    def info(self):
        lo, hi = self.params["min_val"], self.params["max_val"]
        note = "f′ = 0 at the corner, as in PyTorch"
        return Info(
            display_name="Hardtanh",
            formula="f(z) = min(max(z, min_val), max_val)",
            derivative="f′(z) = 1 if min_val < z < max_val else 0",
            output_range=(lo, hi),
            zero_centred=lo < 0.0 < hi,
            monotonic=True,
            bounded=True,
            smoothness="C0",
            kinks=(Kink(lo, 0.0, note), Kink(hi, 0.0, note)),
            derivative_from_output="f′ = 1 if min_val < a < max_val else 0",
            summary=(
                "The identity clipped to [min_val, max_val], by default [−1, 1]: a cheap, "
                "piecewise-linear tanh. Between the clip levels gradients pass unchanged; "
                "outside them they are exactly zero."
            ),
            category="sigmoid",
        )


@register
class Softsign(Activation):
    name = "softsign"

    def f(self, z):
        z = finite(z)  # inf/inf would be NaN; ±max gives ±1.0
        return z / (1.0 + np.abs(z))

    def df(self, z):
        r = 1.0 / (1.0 + np.abs(z))
        return r * r

    def d2f(self, z):
        r = 1.0 / (1.0 + np.abs(z))
        return -2.0 * np.sign(z) * r * r * r

    def df_from_output(self, a):
        r = 1.0 - np.abs(a)
        return r * r

    @property
    def info(self):
        return Info(
            display_name="Softsign",
            formula="f(z) = z / (1 + |z|)",
            derivative="f′(z) = 1 / (1 + |z|)²",
            output_range=(-1.0, 1.0),
            zero_centred=True,
            monotonic=True,
            bounded=True,
            smoothness="C1",
            breakpoints=(0.0,),
            derivative_from_output="f′ = (1 − |a|)²",
            summary=(
                "Tanh-shaped, but it approaches ±1 like 1/z instead of exponentially, so it "
                "saturates more gently and far-out units still get some gradient. f″ jumps at "
                "0 (from +2 to −2; the code uses 0 there)."
            ),
            category="sigmoid",
        )


@register
class Arctan(Activation):
    name = "arctan"

    def f(self, z):
        return np.arctan(z)

    def df(self, z):
        q = 1.0 / np.hypot(1.0, z)  # 1/(1 + z²) = q², without overflowing z²
        return q * q

    def d2f(self, z):
        q = 1.0 / np.hypot(1.0, z)
        return -2.0 * (finite(z) * q) * q * q * q

    def df_from_output(self, a):
        c = np.cos(a)
        return c * c

    @property
    def info(self):
        return Info(
            display_name="Arctangent",
            formula="f(z) = arctan(z)",
            derivative="f′(z) = 1 / (1 + z²)",
            output_range=(-math.pi / 2, math.pi / 2),
            zero_centred=True,
            monotonic=True,
            bounded=True,
            smoothness="C∞",
            derivative_from_output="f′ = cos²(a)",
            summary=(
                "Another S-curve through 0, with range (−π/2, π/2). Like softsign it flattens "
                "slowly (its slope falls like 1/z²), so it saturates less sharply than tanh."
            ),
            category="sigmoid",
        )
