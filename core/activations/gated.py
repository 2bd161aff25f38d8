"""Self-gated functions f(z) = z·g(z): GELU (exact and tanh form), SiLU/swish, mish, hardswish.

They follow z for large z, go to 0 for very negative z and dip slightly below 0 in between,
so none of them is monotonic. Minimum values are stated to 16 digits (found by Newton's
method on f′ = 0) and checked in the tests.
"""

from __future__ import annotations

import math

import numpy as np

from ._common import EXP_SATURATE, sigmoid, sigmoid_slope
from ._erf import ndtr
from .base import Activation, Info, Kink, ParamSpec
from .registry import register

_GELU_MIN = -0.16997120747990363  # at z ≈ −0.7517915246935644
_GELU_TANH_MIN = -0.17004075057125403  # at z ≈ −0.7524614220710163
_SILU_MIN = -0.2784645427610738  # at u* with 1 + u*(1 − σ(u*)) = 0, where u*·σ(u*) = u* + 1
_MISH_MIN = -0.30884341301725043  # at z ≈ −1.1924312145154952

#: beyond |z| = 40 both Φ(z) tails and e^(−z²/2) are exactly 0 or 1 in float32 and float64
_GELU_CLIP = 40.0
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@register
class GELU(Activation):
    name = "gelu"

    def f(self, z):
        zl = np.maximum(z, -_GELU_CLIP)  # f(−inf) = −inf·0 would be NaN; f(−40) is already 0
        return zl * ndtr(zl)

    def df(self, z):
        zc = np.clip(z, -_GELU_CLIP, _GELU_CLIP)
        return ndtr(zc) + zc * (_INV_SQRT_2PI * np.exp(-0.5 * zc * zc))

    def d2f(self, z):
        zc = np.clip(z, -_GELU_CLIP, _GELU_CLIP)
        return (_INV_SQRT_2PI * np.exp(-0.5 * zc * zc)) * (2.0 - zc * zc)

    @property
    def info(self):
        return Info(
            display_name="GELU",
            formula="f(z) = z·Φ(z), Φ the standard normal CDF = (1 + erf(z/√2))/2",
            derivative="f′(z) = Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π)",
            output_range=(_GELU_MIN, np.inf),
            zero_centred=True,
            monotonic=False,
            bounded=False,
            smoothness="C∞",
            summary=(
                "Weights z by the chance Φ(z) that a standard normal variable is below it: a "
                "smooth ReLU with a small dip to −0.17 near z = −0.75. It is the default in "
                "Transformers (BERT, GPT); it costs more than ReLU and is not monotonic."
            ),
            category="gated",
        )


_K = math.sqrt(2.0 / math.pi)
_C = 0.044715
#: |z| beyond which σ(2k(z + cz³)) is exactly 0 or 1 (the argument passes ±2000)
_TANH_CLIP = 30.0


@register
class GELUTanh(Activation):
    name = "gelu_tanh"

    # ½(1 + tanh(u)) = σ(v) with v = 2u: the sigmoid form has no cancellation for negative z
    @staticmethod
    def _v(z):
        """(z clipped, v = 2√(2/π)(z + 0.044715z³), dv/dz)."""
        zc = np.clip(z, -_TANH_CLIP, _TANH_CLIP)
        z2 = zc * zc
        return zc, (2.0 * _K) * zc * (1.0 + _C * z2), (2.0 * _K) * (1.0 + (3.0 * _C) * z2)

    def f(self, z):
        _, v, _ = self._v(z)
        return np.maximum(z, -_TANH_CLIP) * sigmoid(v)  # σ(v) is exactly 1 above 30, 0 below −30

    def df(self, z):
        zc, v, dv = self._v(z)
        return sigmoid(v) + zc * sigmoid_slope(v) * dv

    def d2f(self, z):
        zc, v, dv = self._v(z)
        s, ds = sigmoid(v), sigmoid_slope(v)
        d2v = (12.0 * _K * _C) * zc
        return 2.0 * ds * dv + zc * ds * ((1.0 - 2.0 * s) * dv * dv + d2v)

    @property
    def info(self):
        return Info(
            display_name="GELU (tanh approximation)",
            formula="f(z) = ½z(1 + tanh(√(2/π)(z + 0.044715z³)))",
            derivative=(
                "f′(z) = ½(1 + tanh u) + ½z(1 − tanh² u)·√(2/π)(1 + 0.134145z²), "
                "u = √(2/π)(z + 0.044715z³)"
            ),
            output_range=(_GELU_TANH_MIN, np.inf),
            zero_centred=True,
            monotonic=False,
            bounded=False,
            smoothness="C∞",
            summary=(
                "The formula the original GELU paper and GPT-2 used to avoid computing erf; it "
                "differs from the exact GELU by less than 0.0005. Prefer it only to match a "
                "model that was trained with it."
            ),
            category="gated",
        )


@register
class SiLU(Activation):
    name = "silu"
    PARAMS = (ParamSpec("beta", 1.0, 0.1, 10.0, "gate sharpness (β = 1 is PyTorch's SiLU)"),)

    def _parts(self, z):
        b = self.params["beta"]
        zc = np.clip(z, -EXP_SATURATE / b, EXP_SATURATE / b)  # σ(βz) is exactly 0 or 1 beyond
        return b, zc, sigmoid(b * zc)

    def f(self, z):
        b, zc, s = self._parts(z)
        return np.maximum(z, -EXP_SATURATE / b) * s  # z = +inf passes through; −inf gives 0

    def df(self, z):
        b, zc, s = self._parts(z)
        return s + (b * zc) * sigmoid_slope(b * zc)

    def d2f(self, z):
        b, zc, s = self._parts(z)
        return b * sigmoid_slope(b * zc) * (2.0 + (b * zc) * (1.0 - 2.0 * s))

    @property
    def info(self):
        return Info(
            display_name="SiLU / swish",
            formula="f(z) = z·σ(βz)",
            derivative="f′(z) = σ(βz) + βz·σ(βz)(1 − σ(βz))",
            output_range=(_SILU_MIN / self.params["beta"], np.inf),
            zero_centred=True,
            monotonic=False,
            bounded=False,
            smoothness="C∞",
            summary=(
                "z gated by its own sigmoid: close to ReLU for large |z|, smooth at 0, with a "
                "small dip below zero. Found by automated search (swish) and often a little "
                "better than ReLU in deep networks, at the cost of an exp per unit."
            ),
            category="gated",
        )


@register
class Mish(Activation):
    name = "mish"

    @staticmethod
    def _parts(z):
        """(z clipped, g = tanh(softplus(z)), 1 − g, σ(z)), from one e^(−|z|)."""
        zc = np.clip(z, -EXP_SATURATE, EXP_SATURATE)
        e = np.exp(-np.abs(zc))
        pos = zc > 0
        # z ≤ 0: with n = e(e + 2), g = n/(n + 2);  z > 0: g = (1 + 2e)/(1 + 2e + 2e²)
        n = e * (e + 2.0)
        d = np.where(pos, 1.0 + 2.0 * e + 2.0 * e * e, n + 2.0)
        g = np.where(pos, 1.0 + 2.0 * e, n) / d
        one_minus_g = np.where(pos, 2.0 * e * e, 2.0) / d
        s = np.where(pos, 1.0, e) / (1.0 + e)
        return zc, g, one_minus_g, s

    def f(self, z):
        _, g, _, _ = self._parts(z)
        return np.maximum(z, -EXP_SATURATE) * g  # g is exactly 1 above 800 and 0 below −800

    def df(self, z):
        zc, g, omg, s = self._parts(z)
        dg = omg * (1.0 + g) * s  # g′ = (1 − g²)σ(z)
        return g + zc * dg

    def d2f(self, z):
        zc, g, omg, s = self._parts(z)
        dg = omg * (1.0 + g) * s
        d2g = dg * ((1.0 - s) - 2.0 * g * s)
        return 2.0 * dg + zc * d2g

    @property
    def info(self):
        return Info(
            display_name="Mish",
            formula="f(z) = z·tanh(softplus(z)) = z·tanh(log(1 + e^z))",
            derivative="f′(z) = g + z(1 − g²)σ(z), g = tanh(softplus(z))",
            output_range=(_MISH_MIN, np.inf),
            zero_centred=True,
            monotonic=False,
            bounded=False,
            smoothness="C∞",
            summary=(
                "A smooth self-gated function much like SiLU, with a slightly deeper dip "
                "(about −0.31). It did well in image models such as YOLOv4, but it is among "
                "the most expensive activations to compute."
            ),
            category="gated",
        )


@register
class Hardswish(Activation):
    name = "hardswish"

    def f(self, z):
        zc = np.clip(z, -3.0, 3.0)  # PyTorch: z·relu6(z + 3)/6
        return np.where(z > 3.0, z, zc * (zc + 3.0) / 6.0)

    def df(self, z):
        # PyTorch's backward: 0 for z < −3, z/3 + 1/2 on [−3, 3], 1 above
        zc = np.clip(z, -3.0, 3.0)
        return np.where(z > 3.0, 1.0, np.where(z < -3.0, 0.0, zc / 3.0 + 0.5))

    def d2f(self, z):
        return np.where((z >= -3.0) & (z <= 3.0), z.dtype.type(1.0 / 3.0), z.dtype.type(0.0))

    @property
    def info(self):
        return Info(
            display_name="Hardswish",
            formula="f(z) = z·relu6(z + 3)/6",
            derivative="f′(z) = 0 if z < −3, z/3 + 1/2 if −3 ≤ z ≤ 3, 1 if z > 3",
            output_range=(-0.375, np.inf),
            zero_centred=True,
            monotonic=False,
            bounded=False,
            smoothness="C0",
            kinks=(
                Kink(-3.0, -0.5, "f′(−3) = −1/2 (the middle piece), as in PyTorch"),
                Kink(3.0, 1.5, "f′(3) = 3/2 (the middle piece), as in PyTorch"),
            ),
            summary=(
                "SiLU rebuilt from straight pieces and one parabola, so it needs no exp: cheap "
                "on phones (MobileNetV3). Its slope jumps at ±3, which matters little in "
                "practice."
            ),
            category="gated",
        )
