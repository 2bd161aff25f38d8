"""Shrinkage functions: they pull small inputs to (or towards) zero and keep large ones.

Used for sparse codes and denoising: tanhshrink, softshrink (soft thresholding) and
hardshrink (hard thresholding). At ±λ the derivative is 0, as PyTorch's backward uses.
"""

from __future__ import annotations

import numpy as np

from ._common import pick, sech2
from .base import Activation, Info, Kink, ParamSpec
from .registry import register


@register
class Tanhshrink(Activation):
    name = "tanhshrink"

    def f(self, z):
        return z - np.tanh(z)

    def df(self, z):
        t = np.tanh(z)
        return t * t

    def d2f(self, z):
        return 2.0 * np.tanh(z) * sech2(z)

    @property
    def info(self):
        return Info(
            display_name="Tanhshrink",
            formula="f(z) = z − tanh(z)",
            derivative="f′(z) = tanh²(z)",
            output_range=(-np.inf, np.inf),
            zero_centred=True,
            monotonic=True,
            bounded=False,
            smoothness="C∞",
            summary=(
                "What is left of z after tanh has taken its share: nearly flat (like z³/3) "
                "around 0 and like z ∓ 1 far out. Small inputs are squashed to almost nothing, "
                "but so is their gradient, so it is rarely used in hidden layers."
            ),
            category="shrink",
        )


_LAMBD = ParamSpec("lambd", 0.5, 0.01, 3.0, "half-width λ of the dead zone around 0")


class DeadZoneShrink(Activation):
    """Base of softshrink and hardshrink: 0 on [−λ, λ], slope 1 outside, corners at ±λ.

    The derivatives are shared (f′ = 1 if |z| > λ else 0, so 0 at ±λ as in PyTorch; f″ = 0),
    and so is most of ``info`` (``_shrink_info``); a subclass writes ``f``.
    """

    PARAMS = (_LAMBD,)

    def df(self, z):
        return pick(np.abs(z) > self.params["lambd"], 1.0, 0.0, z)

    def d2f(self, z):
        return np.zeros_like(z)

    def df_from_output(self, a):
        return pick(a != 0, 1.0, 0.0, a)

    def _shrink_info(self, note: str, **fields) -> Info:
        """Info with the kinks at ±λ (each with ``note``) and the claims both shrinks share."""
        lam = self.params["lambd"]
        return Info(
            derivative="f′(z) = 1 if |z| > λ else 0",
            output_range=(-np.inf, np.inf),
            zero_centred=True,
            monotonic=True,
            bounded=False,
            kinks=(Kink(-lam, 0.0, note), Kink(lam, 0.0, note)),
            derivative_from_output="f′ = 1 if a ≠ 0 else 0",
            category="shrink",
            **fields,
        )


@register
class Softshrink(DeadZoneShrink):
    name = "softshrink"

    def f(self, z):
        lam = self.params["lambd"]
        return np.where(z > lam, z - lam, np.where(z < -lam, z + lam, z.dtype.type(0.0)))

    @property
    def info(self):
        return self._shrink_info(
            "f′ = 0 at the corner, as in PyTorch",
            display_name="Softshrink",
            formula="f(z) = z − λ if z > λ, z + λ if z < −λ, else 0",
            smoothness="C0",
            summary=(
                "Soft thresholding: inputs within ±λ become 0 and the rest move λ towards 0. "
                "It makes sparse outputs and is the step used in sparse coding (ISTA, LASSO); "
                "units in the dead zone get no gradient."
            ),
        )


@register
class Hardshrink(DeadZoneShrink):
    name = "hardshrink"

    def f(self, z):
        return np.where(np.abs(z) > self.params["lambd"], z, z.dtype.type(0.0))

    @property
    def info(self):
        return self._shrink_info(
            "f(±λ) = 0 and f′ = 0 here, as in PyTorch; f jumps by λ",
            display_name="Hardshrink",
            formula="f(z) = z if |z| > λ else 0",
            smoothness="discontinuous",
            summary=(
                "Hard thresholding: inputs within ±λ become 0, larger ones pass unchanged. "
                "It jumps at ±λ, and units in the dead zone get no gradient."
            ),
        )
