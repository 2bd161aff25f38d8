"""Periodic and radial functions: sine and the Gaussian bump. Neither is monotonic."""

from __future__ import annotations

import numpy as np

from .base import Activation, Info
from .registry import register


@register
class Sine(Activation):
    name = "sine"

    def f(self, z):
        return np.sin(z)

    def df(self, z):
        return np.cos(z)

    def d2f(self, z):
        return -np.sin(z)

    @property
    def info(self):
        return Info(
            display_name="Sine",
            formula="f(z) = sin(z)",
            derivative="f′(z) = cos(z)",
            output_range=(-1.0, 1.0),
            zero_centred=True,
            monotonic=False,
            bounded=True,
            smoothness="C∞",
            summary=(
                "A periodic activation: one unit can respond to many separate bands of input, "
                "which suits smooth signals and images (SIREN networks). Training is sensitive "
                "to the weight scale, and sin(±inf) is undefined."
            ),
            category="periodic & radial",
        )


#: beyond |z| = 40, e^(−z²) is exactly 0 in float32 and float64; clipping keeps z² finite
_CLIP = 40.0


@register
class Gaussian(Activation):
    name = "gaussian"

    def f(self, z):
        zc = np.clip(z, -_CLIP, _CLIP)
        return np.exp(-zc * zc)

    def df(self, z):
        zc = np.clip(z, -_CLIP, _CLIP)
        return -2.0 * zc * np.exp(-zc * zc)

    def d2f(self, z):
        zc = np.clip(z, -_CLIP, _CLIP)
        z2 = zc * zc
        return (4.0 * z2 - 2.0) * np.exp(-z2)

    @property
    def info(self):
        return Info(
            display_name="Gaussian",
            formula="f(z) = e^(−z²)",
            derivative="f′(z) = −2z·e^(−z²)",
            output_range=(0.0, 1.0),
            zero_centred=False,
            monotonic=False,
            bounded=True,
            smoothness="C∞",
            summary=(
                "A bell that responds only to inputs near 0, as in radial-basis-function "
                "networks: a smooth cousin of the window. Away from the bell both output and "
                "slope vanish, so a unit that starts far out may never learn."
            ),
            category="periodic & radial",
        )
