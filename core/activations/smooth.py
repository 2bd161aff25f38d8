"""Smooth or exponential rectifiers: ELU, CELU, SELU, softplus, log-sigmoid, squareplus and
the bent identity. Each behaves like z for large z and flattens (or bends) for negative z.
"""

from __future__ import annotations

import math

import numpy as np

from ._common import EXP_SATURATE, finite, sigmoid, sigmoid_slope, softplus
from .base import Activation, Info, Kink, ParamSpec
from .registry import register


def _exp_piece(z: np.ndarray, alpha: float) -> np.ndarray:
    """e^(min(z, 0)/α): the negative piece's slope; min() keeps exp from overflowing."""
    return np.exp(np.minimum(z, 0.0) / alpha)


@register
class ELU(Activation):
    name = "elu"
    PARAMS = (ParamSpec("alpha", 1.0, 0.05, 3.0, "the negative saturation level is −α"),)

    def f(self, z):
        a = self.params["alpha"]
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0.0)))

    def df(self, z):
        # at z = 0 PyTorch takes the left piece: f′(0) = α
        return np.where(z > 0, z.dtype.type(1.0), self.params["alpha"] * _exp_piece(z, 1.0))

    def d2f(self, z):
        return np.where(z > 0, z.dtype.type(0.0), self.params["alpha"] * _exp_piece(z, 1.0))

    def df_from_output(self, a):
        return np.where(a > 0, a.dtype.type(1.0), a + self.params["alpha"])

    @property
    def info(self):
        alpha = self.params["alpha"]
        c1 = alpha == 1.0  # then the two slopes meet at 0 and only f″ jumps
        return Info(
            display_name="ELU",
            formula="f(z) = z if z > 0 else α(e^z − 1)",
            derivative="f′(z) = 1 if z > 0 else αe^z",
            output_range=(-alpha, np.inf),
            zero_centred=True,
            monotonic=True,
            bounded=False,
            smoothness="C1" if c1 else "C0",
            kinks=() if c1 else (Kink(0.0, alpha, "f′(0) = α (the left piece), as in PyTorch"),),
            breakpoints=(0.0,) if c1 else (),
            derivative_from_output="f′ = 1 if a > 0 else a + α",
            summary=(
                "Like ReLU for positive inputs, but negative inputs bend smoothly down to −α "
                "instead of being cut to 0. Units never die completely and the mean output is "
                "closer to zero, which tends to speed up learning; exp makes it a bit slower."
            ),
            category="smooth relu",
        )


@register
class CELU(Activation):
    name = "celu"
    PARAMS = (ParamSpec("alpha", 1.0, 0.05, 3.0, "the negative saturation level is −α"),)

    def f(self, z):
        a = self.params["alpha"]
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0.0) / a))

    def df(self, z):
        return np.where(z > 0, z.dtype.type(1.0), _exp_piece(z, self.params["alpha"]))

    def d2f(self, z):
        a = self.params["alpha"]
        return np.where(z > 0, z.dtype.type(0.0), _exp_piece(z, a) / a)

    def df_from_output(self, a):
        return np.where(a > 0, a.dtype.type(1.0), a / self.params["alpha"] + 1.0)

    @property
    def info(self):
        alpha = self.params["alpha"]
        return Info(
            display_name="CELU",
            formula="f(z) = z if z > 0 else α(e^(z/α) − 1)",
            derivative="f′(z) = 1 if z > 0 else e^(z/α)",
            output_range=(-alpha, np.inf),
            zero_centred=True,
            monotonic=True,
            bounded=False,
            smoothness="C1",
            breakpoints=(0.0,),
            derivative_from_output="f′ = 1 if a > 0 else a/α + 1",
            summary=(
                "ELU rescaled so that its slope is 1 on both sides of 0 whatever α is, so "
                "changing α never creates a corner. Otherwise it behaves like ELU."
            ),
            category="smooth relu",
        )


# Klambauer et al. (2017): the values that make zero mean and unit variance a fixed point
SELU_ALPHA = 1.6732632423543772
SELU_LAMBDA = 1.0507009873554805


@register
class SELU(Activation):
    name = "selu"

    def f(self, z):
        return SELU_LAMBDA * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))

    def df(self, z):
        neg = (SELU_LAMBDA * SELU_ALPHA) * _exp_piece(z, 1.0)
        return np.where(z > 0, z.dtype.type(SELU_LAMBDA), neg)

    def d2f(self, z):
        neg = (SELU_LAMBDA * SELU_ALPHA) * _exp_piece(z, 1.0)
        return np.where(z > 0, z.dtype.type(0.0), neg)

    def df_from_output(self, a):
        return np.where(a > 0, a.dtype.type(SELU_LAMBDA), a + SELU_LAMBDA * SELU_ALPHA)

    @property
    def info(self):
        la = SELU_LAMBDA * SELU_ALPHA
        return Info(
            display_name="SELU",
            formula="f(z) = λz if z > 0 else λα(e^z − 1), λ ≈ 1.0507, α ≈ 1.6733",
            derivative="f′(z) = λ if z > 0 else λαe^z",
            output_range=(-la, np.inf),
            zero_centred=True,
            monotonic=True,
            bounded=False,
            smoothness="C0",
            kinks=(Kink(0.0, la, "f′(0) = λα ≈ 1.7581 (the left piece), as in PyTorch"),),
            derivative_from_output="f′ = λ if a > 0 else a + λα",
            summary=(
                "A scaled ELU whose two constants are chosen so that activations drift towards "
                "zero mean and unit variance by themselves, layer after layer. That only holds "
                "for plain dense networks with LeCun-normal initial weights."
            ),
            category="smooth relu",
        )


@register
class Softplus(Activation):
    name = "softplus"
    PARAMS = (
        ParamSpec("beta", 1.0, 0.1, 10.0, "sharpness: large β approaches ReLU"),
        ParamSpec("threshold", 20.0, 15.0, 40.0, "above βz > threshold, f(z) = z (PyTorch)"),
    )

    def _parts(self, z):
        """(switch mask, β, βz clipped to where the formula is used and cannot overflow)."""
        b, t = self.params["beta"], self.params["threshold"]
        return z > t / b, b, b * np.clip(z, -EXP_SATURATE / b, t / b)

    def f(self, z):
        linear, b, u = self._parts(z)
        return np.where(linear, z, softplus(u) / b)

    def df(self, z):
        linear, _, u = self._parts(z)
        return np.where(linear, z.dtype.type(1.0), sigmoid(u))

    def d2f(self, z):
        linear, b, u = self._parts(z)
        return np.where(linear, z.dtype.type(0.0), b * sigmoid_slope(u))

    def df_from_output(self, a):
        # a = log(1 + e^(βz))/β gives σ(βz) = 1 − e^(−βa)
        return -np.expm1(-self.params["beta"] * a)

    @property
    def info(self):
        b, t = self.params["beta"], self.params["threshold"]
        return Info(
            display_name="Softplus",
            formula="f(z) = log(1 + e^(βz)) / β  (= z once βz > threshold, as PyTorch)",
            derivative="f′(z) = σ(βz) = 1 / (1 + e^(−βz))",
            output_range=(0.0, np.inf),
            zero_centred=False,
            monotonic=True,
            bounded=False,
            smoothness="C∞",
            breakpoints=(t / b,),
            derivative_from_output="f′ = 1 − e^(−βa)",
            summary=(
                "A smooth ReLU: its slope is the sigmoid σ(βz), so it never drops exactly to "
                "zero and no unit dies. It is slower to compute than ReLU and always positive; "
                "large β makes it look like ReLU."
            ),
            category="smooth relu",
        )


@register
class LogSigmoid(Activation):
    name = "log_sigmoid"

    def f(self, z):
        return -softplus(-z)

    def df(self, z):
        return sigmoid(-z)

    def d2f(self, z):
        return -sigmoid_slope(z)

    def df_from_output(self, a):
        return -np.expm1(a)

    @property
    def info(self):
        return Info(
            display_name="Log-sigmoid",
            formula="f(z) = log σ(z) = −log(1 + e^(−z))",
            derivative="f′(z) = 1 − σ(z) = σ(−z)",
            output_range=(-np.inf, 0.0),
            zero_centred=False,
            monotonic=True,
            bounded=False,
            smoothness="C∞",
            derivative_from_output="f′ = 1 − e^a",
            summary=(
                "The logarithm of the sigmoid, computed without ever forming σ(z), so it stays "
                "accurate where σ(z) would round to 0. It is the stable building block of the "
                "cross-entropy loss on logits, not a usual hidden-layer activation."
            ),
            category="smooth relu",
        )


@register
class Squareplus(Activation):
    name = "squareplus"
    PARAMS = (ParamSpec("b", 4.0, 0.05, 20.0, "curvature at 0: f(0) = √b / 2"),)

    def f(self, z):
        b = self.params["b"]
        s = np.hypot(z, math.sqrt(b))  # √(z² + b) without overflowing z²
        # for z < 0, (z + s)/2 = b / (2(s − z)): no cancellation between z and s
        neg = b / (2.0 * (s - np.minimum(z, 0.0)))
        return np.where(z < 0, neg, 0.5 * np.maximum(z, 0.0) + 0.5 * s)

    def df(self, z):
        z = finite(z)
        return 0.5 + 0.5 * (z / np.hypot(z, math.sqrt(self.params["b"])))

    def d2f(self, z):
        r = 1.0 / np.hypot(z, math.sqrt(self.params["b"]))
        return (0.5 * self.params["b"]) * r * r * r

    def df_from_output(self, a):
        # a²/(a² + b/4), written so that a² cannot overflow
        q = finite(a) / np.hypot(a, 0.5 * math.sqrt(self.params["b"]))
        return q * q

    @property
    def info(self):
        return Info(
            display_name="Squareplus",
            formula="f(z) = (z + √(z² + b)) / 2",
            derivative="f′(z) = (1 + z / √(z² + b)) / 2",
            output_range=(0.0, np.inf),
            zero_centred=False,
            monotonic=True,
            bounded=False,
            smoothness="C∞",
            derivative_from_output="f′ = a² / (a² + b/4)",
            summary=(
                "A softplus look-alike built from a square root instead of exp and log, so it "
                "is cheaper to compute. Like softplus it is smooth and positive, and b sets how "
                "rounded the corner at 0 is (b = 0 would give ReLU)."
            ),
            category="smooth relu",
        )


@register
class BentIdentity(Activation):
    name = "bent_identity"

    def f(self, z):
        h = np.hypot(z, 1.0)  # √(z² + 1) without overflowing z²
        zp, zn = np.maximum(z, 0.0), np.minimum(z, 0.0)  # each branch sees only its own side
        # for z < 0: z + (h − 1)/2 = z/2 + (z + h)/2 − 1/2 with z + h = 1/(h − z), which has
        # no cancellation and stays finite down to z = −inf
        neg = 0.5 * zn + 0.25 / (0.5 * h - 0.5 * zn) - 0.5
        return np.where(z < 0, neg, zp + 0.5 * (h - 1.0))

    def df(self, z):
        z = finite(z)
        return 1.0 + 0.5 * (z / np.hypot(z, 1.0))

    def d2f(self, z):
        r = 1.0 / np.hypot(z, 1.0)
        return 0.5 * r * r * r

    @property
    def info(self):
        return Info(
            display_name="Bent identity",
            formula="f(z) = (√(z² + 1) − 1)/2 + z",
            derivative="f′(z) = z / (2√(z² + 1)) + 1",
            output_range=(-np.inf, np.inf),
            zero_centred=True,
            monotonic=True,
            bounded=False,
            smoothness="C∞",
            summary=(
                "The identity with a gentle bend: slope 1/2 far to the left, 3/2 far to the "
                "right, and smooth in between. It never saturates and never dies, but it is "
                "only mildly non-linear, so networks need more units to make sharp decisions."
            ),
            category="smooth relu",
        )
