"""Piecewise-linear rectifiers: ReLU, ReLU6, leaky ReLU, PReLU, RReLU and PyTorch's Threshold.

Kink convention (PyTorch's): at a corner f′ takes the slope of the piece on its left, so
ReLU′(0) = 0 and leaky′(0) = α; a clip level is the exception: ReLU6′(6) = 0, as PyTorch.
"""

from __future__ import annotations

import numpy as np

from ._common import as_float, pick
from .base import Activation, Info, Kink, ParamSpec
from .registry import register


@register
class ReLU(Activation):
    name = "relu"

    def f(self, z):
        return np.maximum(z, 0.0)

    def df(self, z):
        # f′(0) = 0: the convention of PyTorch, TensorFlow and JAX
        return pick(z > 0, 1.0, 0.0, z)

    def d2f(self, z):
        return np.zeros_like(z)

    def df_from_output(self, a):
        return pick(a > 0, 1.0, 0.0, a)

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
            derivative_from_output="f′ = 1 if a > 0 else 0",
            summary=(
                "Zero for negative inputs, the input itself otherwise. Its slope of 1 does not "
                "shrink gradients, so deep networks train fast; but a unit whose input is "
                "always negative gets no gradient at all and stays dead."
            ),
            category="relu",
        )


@register
class ReLU6(Activation):
    name = "relu6"

    def f(self, z):
        return np.clip(z, 0.0, 6.0)

    def df(self, z):
        return pick((z > 0) & (z < 6.0), 1.0, 0.0, z)

    def d2f(self, z):
        return np.zeros_like(z)

    def df_from_output(self, a):
        return pick((a > 0) & (a < 6.0), 1.0, 0.0, a)

    @property
    def info(self):
        return Info(
            display_name="ReLU6",
            formula="f(z) = min(max(0, z), 6)",
            derivative="f′(z) = 1 if 0 < z < 6 else 0",
            output_range=(0.0, 6.0),
            zero_centred=False,
            monotonic=True,
            bounded=True,
            smoothness="C0",
            kinks=(
                Kink(0.0, 0.0, "f′(0) = 0, as ReLU and PyTorch"),
                Kink(6.0, 0.0, "f′(6) = 0, as PyTorch"),
            ),
            derivative_from_output="f′ = 1 if 0 < a < 6 else 0",
            summary=(
                "A ReLU capped at 6, so activations stay small enough for low-precision "
                "arithmetic (MobileNet). Above 6 it is flat and passes no gradient, like a "
                "saturated sigmoid."
            ),
            category="relu",
        )


def _slope_info(
    display_name: str, alpha: float, symbol: str, note: str, summary: str, where: str = ""
) -> Info:
    """Info of f(z) = z for z > 0, αz otherwise, for a slope α in [0, 1]."""
    straight = alpha == 1.0  # then f is the identity and there is no corner
    return Info(
        display_name=display_name,
        formula=f"f(z) = z if z > 0 else {symbol}·z{where}",
        derivative=f"f′(z) = 1 if z > 0 else {symbol}",
        output_range=(-np.inf if alpha > 0 else 0.0, np.inf),
        zero_centred=alpha > 0,
        monotonic=True,
        bounded=False,
        smoothness="C∞" if straight else "C0",
        kinks=() if straight else (Kink(0.0, alpha, note),),
        derivative_from_output=f"f′ = 1 if a > 0 else {symbol}",
        summary=summary,
        category="relu",
    )


def _slope_f(z: np.ndarray, alpha) -> np.ndarray:
    return np.where(z > 0, z, alpha * z)


def _slope_df(z: np.ndarray, alpha) -> np.ndarray:
    return np.where(z > 0, z.dtype.type(1.0), alpha)


class AlphaSlope(Activation):
    """Base of leaky ReLU and PReLU: z for z > 0, αz otherwise, α the parameter ``alpha``.

    PReLU evaluates exactly as a leaky ReLU with its initial α; a subclass sets ``PARAMS``
    (with ``alpha``) and writes ``info``.
    """

    def f(self, z):
        return _slope_f(z, self.params["alpha"])

    def df(self, z):
        return _slope_df(z, self.params["alpha"])

    def d2f(self, z):
        return np.zeros_like(z)

    def df_from_output(self, a):
        return _slope_df(a, self.params["alpha"])


@register
class LeakyReLU(AlphaSlope):
    name = "leaky_relu"
    PARAMS = (ParamSpec("alpha", 0.01, 0.0, 1.0, "slope for z < 0 (PyTorch: negative_slope)"),)

    @property
    def info(self):
        return _slope_info(
            "Leaky ReLU",
            self.params["alpha"],
            "α",
            "f′(0) = α (the left slope), as in PyTorch",
            "A ReLU with a small slope α for negative inputs, so a unit pushed below zero still "
            "gets a little gradient and can recover instead of dying. Outputs can be slightly "
            "negative.",
        )


@register
class PReLU(AlphaSlope):
    """Leaky ReLU whose slope α is learned, one per unit.

    ``f``, ``df`` and ``d2f`` use the scalar parameter ``alpha`` (the initial value); a layer
    calls ``f_alpha``, ``df_alpha`` and ``grad_alpha`` with its own α of shape (units,).
    """

    name = "prelu"
    PARAMS = (ParamSpec("alpha", 0.25, 0.0, 1.0, "initial slope for z < 0 (learned per unit)"),)
    learnable = ("alpha",)

    # --- learnable α: z (..., units), alpha broadcastable against z, e.g. (units,) -----------
    def f_alpha(self, z: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """f(z) with per-unit slopes; shape broadcast(z, alpha), dtype of z."""
        z = as_float(z)
        return _slope_f(z, np.asarray(alpha, dtype=z.dtype))

    def df_alpha(self, z: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """∂f/∂z with per-unit slopes: 1 where z > 0, else α (so α at z = 0)."""
        z = as_float(z)
        return _slope_df(z, np.asarray(alpha, dtype=z.dtype))

    def grad_alpha(self, z: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """∂f/∂α elementwise = min(z, 0), shape broadcast(z, alpha); a layer sums δ·it over rows."""
        g = np.minimum(as_float(z), 0.0)
        shape = np.broadcast_shapes(g.shape, np.shape(alpha))
        return g if shape == g.shape else np.broadcast_to(g, shape).copy()

    @property
    def info(self):
        return _slope_info(
            "PReLU (parametric ReLU)",
            self.params["alpha"],
            "α",
            "f′(0) = α (the left slope), as in PyTorch",
            "A leaky ReLU whose negative slope α is learned for each unit, starting at 0.25. "
            "The network decides how leaky each unit should be, at the cost of one extra "
            "parameter per unit and some risk of overfitting on small data.",
        )


@register
class RReLU(Activation):
    """Randomized leaky ReLU: in training each element gets a slope drawn from U(lower, upper).

    In evaluation (``f``, ``df``, ``d2f``) the slope is the mean (lower + upper)/2, as PyTorch.
    """

    name = "rrelu"
    PARAMS = (
        ParamSpec("lower", 1.0 / 8.0, 0.0, 1.0, "smallest random slope for z < 0"),
        ParamSpec("upper", 1.0 / 3.0, 0.0, 1.0, "largest random slope for z < 0"),
    )
    stochastic = True

    def validate(self):
        if self.params["lower"] > self.params["upper"]:
            raise ValueError("rrelu needs lower ≤ upper")

    @property
    def mean_slope(self) -> float:
        return 0.5 * (self.params["lower"] + self.params["upper"])

    def f(self, z):
        return _slope_f(z, self.mean_slope)

    def df(self, z):
        return _slope_df(z, self.mean_slope)

    def d2f(self, z):
        return np.zeros_like(z)

    def df_from_output(self, a):
        return _slope_df(a, self.mean_slope)

    # --- training: one random slope per element -----------------------------------------
    def sample_slopes(self, shape, rng, dtype=np.float64) -> np.ndarray:
        """Slopes drawn from U(lower, upper), one per element; ``rng`` a Generator or a seed."""
        rng = np.random.default_rng(rng)
        lo, hi = self.params["lower"], self.params["upper"]
        return rng.uniform(lo, hi, size=shape).astype(dtype, copy=False)

    def f_slopes(self, z: np.ndarray, slopes: np.ndarray) -> np.ndarray:
        z = as_float(z)
        return _slope_f(z, np.asarray(slopes, dtype=z.dtype))

    def df_slopes(self, z: np.ndarray, slopes: np.ndarray) -> np.ndarray:
        z = as_float(z)
        return _slope_df(z, np.asarray(slopes, dtype=z.dtype))

    @property
    def info(self):
        return _slope_info(
            "RReLU (randomized leaky ReLU)",
            self.mean_slope,
            "r",
            "f′(0) = r, the negative slope: (lower + upper)/2 in evaluation, the drawn slope in "
            "training, as in PyTorch",
            "A leaky ReLU whose negative slope is drawn at random for every element in each "
            "training step, between lower and upper; evaluation uses the mean slope. The noise "
            "acts as a regularizer, much as dropout does.",
            ", with r ~ U(lower, upper) per element in training, r = (lower + upper)/2 in "
            "evaluation",
        )


@register
class Threshold(Activation):
    name = "threshold"
    PARAMS = (
        ParamSpec("threshold", 0.0, -3.0, 3.0, "inputs at or below this are replaced"),
        ParamSpec("value", -1.0, -3.0, 3.0, "what replaces them (PyTorch has no default)"),
    )

    def f(self, z):
        return np.where(z > self.params["threshold"], z, self.params["value"])

    def df(self, z):
        return pick(z > self.params["threshold"], 1.0, 0.0, z)

    def d2f(self, z):
        return np.zeros_like(z)

    def df_from_output(self, a):
        t, v = self.params["threshold"], self.params["value"]
        # only when value ≤ threshold does a tell which piece z was on
        return pick(a > t, 1.0, 0.0, a) if v <= t else None

    @property
    def info(self):
        t, v = self.params["threshold"], self.params["value"]
        f0 = 0.0 if t < 0.0 else v
        jump = "" if v == t else f"; f jumps from {v:g} to {t:g} here".replace("-", "−")
        return Info(
            display_name="Threshold",
            formula="f(z) = z if z > threshold else value",
            derivative="f′(z) = 1 if z > threshold else 0",
            output_range=(min(v, t), np.inf),
            zero_centred=f0 == 0.0 and min(v, t) < 0.0,
            monotonic=v <= t,
            bounded=False,
            smoothness="C0" if v == t else "discontinuous",
            kinks=(Kink(t, 0.0, f"f′ = 0 at the threshold, as in PyTorch{jump}"),),
            derivative_from_output="f′ = 1 if a > threshold else 0" if v <= t else None,
            summary=(
                "PyTorch's nn.Threshold: keeps z above the threshold and replaces everything "
                "else by a constant. Our defaults (threshold 0, value −1) make the jump "
                "visible; with value = threshold = 0 it is exactly ReLU."
            ),
            category="relu",
        )
