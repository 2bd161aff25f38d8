"""Small numerically stable pieces shared by several activations.

Every helper takes a floating array and returns one of the same dtype (Python floats mixed
in are "weak" under NumPy 2, so float32 stays float32). None of them overflows or warns for
any input, ±inf included.
"""

from __future__ import annotations

import numpy as np

#: |x| beyond which exp(−|x|) is exactly 0 in float32 and float64: tails are clipped here so
#: that products like z·σ(z) see 0·(finite), never 0·inf
EXP_SATURATE = 800.0


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e^(−z)), to full relative precision for every z ≥ −708.

    Four NumPy calls (this runs for every sigmoid layer of every step, and on small arrays a
    call costs more than its arithmetic). For z < −709, e^(−z) overflows to inf and the
    result is 0 where the true value is below 1e−308 (a subnormal): an absolute error under
    1e−308, silenced rather than reported. The form with e^(−|z|) and a ``where`` gave the same
    values with nine calls; ½·tanh(z/2) + ½ is faster still but rounds σ to 0 already below
    z ≈ −37, which log-scale plots of vanishing gradients would show.
    """
    with np.errstate(over="ignore"):
        e = np.exp(np.negative(z))
    e += 1.0
    if isinstance(e, np.ndarray):
        return np.reciprocal(e, out=e)
    return np.asarray(1.0 / e)  # a 0-d input: NumPy gave scalars, the caller wants an array


def sigmoid_slope(z: np.ndarray) -> np.ndarray:
    """σ′(z) = e/(1 + e)² with e = e^(−|z|).

    Same value as σ(1 − σ), but without the subtraction: σ(1 − σ) is exactly 0 once σ rounds
    to 1 (z > 37 in float64), while this keeps its relative accuracy in both tails, which
    log-scale plots of vanishing gradients need.
    """
    e = np.exp(-np.abs(z))
    d = 1.0 + e
    return e / (d * d)


def sigmoid_curvature(z: np.ndarray) -> np.ndarray:
    """σ″(z) = σ′(z)(1 − 2σ(z)) = sign(z)·expm1(−|z|)·e/(1 + e)³, e = e^(−|z|)."""
    e = np.exp(-np.abs(z))
    d = 1.0 + e
    return np.sign(z) * np.expm1(-np.abs(z)) * e / (d * d * d)


def sech2(z: np.ndarray) -> np.ndarray:
    """1 − tanh²(z) = 4e/(1 + e)² with e = e^(−2|z|): accurate where tanh rounds to ±1."""
    e = np.exp(-np.abs(z))
    e *= e  # e^(−2|z|) without forming 2|z|, which could overflow
    d = 1.0 + e
    return 4.0 * e / (d * d)


def softplus(u: np.ndarray) -> np.ndarray:
    """log(1 + e^u) = max(u, 0) + log1p(e^(−|u|)): exact for large |u| and never overflows."""
    return np.maximum(u, 0.0) + np.log1p(np.exp(-np.abs(u)))


def finite(z: np.ndarray) -> np.ndarray:
    """z with ±inf replaced by the largest finite values of its dtype (NaN stays NaN).

    Used inside derivatives whose formulas hold z/|z|-like ratios, so that inf/inf never
    occurs; the saturated value at ±max is the limit at ±inf.
    """
    big = np.finfo(z.dtype).max
    return np.clip(z, -big, big)


def pick(cond: np.ndarray, a: float, b: float, like: np.ndarray) -> np.ndarray:
    """a where cond else b, in the dtype of ``like``."""
    if a == 1.0 and b == 0.0:  # the step functions (ReLU′, …): a cast is half a ``where``
        return np.asarray(cond, dtype=like.dtype)
    t = like.dtype.type
    return np.where(cond, t(a), t(b))


def as_float(z: object) -> np.ndarray:
    """z as an array; integer, boolean and list input becomes float64, float dtypes are kept."""
    z = np.asarray(z)
    return z if z.dtype.kind == "f" else z.astype(np.float64)
