"""Softmax: the output activation for one-of-N classification, a function of a whole vector.

Its f′ is a Jacobian, so a layer uses ``vjp`` in the backward pass. To draw it as a curve
like the others, the scalar ``f``, ``df``, ``d2f`` are those of the first component of
softmax([z, 0]), which is exactly the logistic sigmoid σ(z): the two-class case.
"""

from __future__ import annotations

import numpy as np

from ._common import as_float
from .base import Info
from .registry import register
from .sigmoids import LogisticCurve


@register
class Softmax(LogisticCurve):
    name = "softmax"
    vector = True

    # --- the vector function, over the last axis: z (..., n) ---------------------------------
    def f_vector(self, z: np.ndarray) -> np.ndarray:
        """s_i = e^(z_i) / Σ_j e^(z_j) over the last axis; shape and dtype of z.

        The row maximum is subtracted first, so e^(...) ≤ 1 never overflows (logits of 1e4
        are fine); a row containing +inf, or only −inf, is not handled.
        """
        z = as_float(z)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        """J[..., i, j] = ∂s_i/∂z_j = s_i(δ_ij − s_j), shape (..., n, n)."""
        s = self.f_vector(z)
        jac = -s[..., :, None] * s[..., None, :]
        diag = np.einsum("...ii->...i", jac)  # a writable view of the diagonal
        diag += s
        return jac

    def vjp(self, z: np.ndarray, g: np.ndarray) -> np.ndarray:
        """g·J without forming J: s ⊙ (g − Σ_i g_i s_i), shape (..., n)."""
        s = self.f_vector(z)
        g = np.asarray(g, dtype=s.dtype)
        return s * (g - (g * s).sum(axis=-1, keepdims=True))

    # --- as a curve: softmax([z, 0])[0] = σ(z), so f, df, d2f come from LogisticCurve ------
    @property
    def info(self):
        return Info(
            display_name="Softmax",
            formula="s_i(z) = e^(z_i) / Σ_j e^(z_j); the curve is s₁ of (z, 0), i.e. σ(z)",
            derivative="∂s_i/∂z_j = s_i(δ_ij − s_j); on the curve σ′(z) = σ(z)(1 − σ(z))",
            output_range=(0.0, 1.0),
            zero_centred=False,
            monotonic=True,
            bounded=True,
            smoothness="C∞",
            derivative_from_output="∂s_i/∂z_j = s_i(δ_ij − s_j); on the curve a(1 − a)",
            summary=(
                "Turns a vector of scores into probabilities that are positive and sum to 1: "
                "the output for one-of-N classification, paired with cross-entropy. The curve "
                "shown is the two-class case, softmax([z, 0])₁, which is exactly the sigmoid."
            ),
            category="output",
        )
