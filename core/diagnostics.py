"""Maths the panels show: EMA, saturation, depth product, gradient verdict, unit bins, map grid."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import activations as acts

__all__ = [
    "DECISION_GRID",
    "DEPTHS",
    "EXPLODING_RATIO",
    "HEALTHY_UPDATE_RATIO",
    "SATURATION_FRACTION",
    "SIMILAR_RATIO",
    "VANISHED",
    "VANISHING_RATIO",
    "GradientVerdict",
    "decision_grid",
    "depth_product",
    "ema",
    "from_output_fn",
    "gradient_verdict",
    "max_abs_df",
    "saturated",
    "saturated_intervals",
    "unit_histogram",
    "vanished_at",
]


# --- smoothing ----------------------------------------------------------------------------------
_BLOCK = 512


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's debiased exponential moving average.

    ``s_n = weight·s_(n−1) + (1 − weight)·v_n`` from ``s_0 = 0``, reported as
    ``s_n / (1 − weight**n)`` so the start is not pulled towards 0. Non-finite values are
    skipped (left as they are, not fed into the average). ``weight`` in [0, 1).

    Parameters
    ----------
    values : (n,) array_like
    weight : float

    Returns
    -------
    (n,) float array; a copy of ``values`` when ``weight`` ≤ 0.
    """
    v = np.asarray(values, dtype=float)
    out = v.copy()
    if weight <= 0.0 or v.size == 0:
        return out
    ok = np.isfinite(v)
    x = v[ok]
    s = np.empty_like(x)
    state = 0.0
    # closed form inside blocks, carried from block to block; blocks are short enough that
    # w**-k stays below 1e8 (rounding stays ~1e-8 of the largest value)
    block = int(min(_BLOCK, max(1.0, 8.0 / -math.log10(weight))))
    for start in range(0, len(x), block):
        chunk = x[start:start + block]
        k = np.arange(len(chunk))
        up = weight ** -k
        # in units of the block's largest value: a loss near 1e300 (on its way to diverging)
        # times w**-k would overflow, and the average of finite values is finite
        scale = max(float(np.abs(chunk).max()), abs(state)) or 1.0
        s[start:start + len(chunk)] = weight ** k * (
            weight * (state / scale) + (1.0 - weight) * np.cumsum((chunk / scale) * up)) * scale
        state = s[start + len(chunk) - 1]
    out[ok] = s / (1.0 - weight ** np.arange(1, len(x) + 1))
    return out


# --- saturation ---------------------------------------------------------------------------------
#: a unit saturates where |f′(z)| is below this share of the function's largest |f′|
SATURATION_FRACTION = 0.01


def saturated(df_abs: np.ndarray, max_df: float) -> np.ndarray:
    """Where |f′| counts as saturated: ``df_abs < SATURATION_FRACTION * max_df``.

    The comparison is strict, so with ``max_df`` = 0 nothing is saturated (NaN never is).

    Parameters
    ----------
    df_abs : array of any shape
        |f′(z)|, e.g. (m, units) over sample rows and units.
    max_df : float
        The function's largest |f′| (see :func:`max_abs_df`).

    Returns
    -------
    bool array of the shape of ``df_abs``.
    """
    return df_abs < SATURATION_FRACTION * max_df


def saturated_intervals(z: np.ndarray, df: np.ndarray,
                        max_df: float) -> list[tuple[float, float]]:
    """Runs of the sorted grid ``z`` where f′ is :func:`saturated` (the rule of the snapshot's
    ``frac_saturated``), as (first z, last z) of each run. A function whose derivative is zero
    everywhere (``max_df`` ≤ 0, the step) is saturated everywhere.

    Parameters
    ----------
    z : (n,) sorted array
    df : (n,) array
        f′(z).
    max_df : float

    Returns
    -------
    list of (z start, z end), in increasing z.
    """
    if max_df <= 0:
        return [(float(z[0]), float(z[-1]))]
    sat = saturated(np.abs(df), max_df)
    edges = np.diff(np.concatenate([[0], sat.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(float(z[a]), float(z[b])) for a, b in zip(starts, stops)]


_MAX_DF: dict[Any, float] = {}


def max_abs_df(act: acts.Activation) -> float:
    """sup |f′| of ``act``'s one-input curve, cached per (name, parameters): the activation
    samples 40,001 points for it."""
    key = (act.name, tuple(sorted(act.params.items())))
    if key not in _MAX_DF:
        _MAX_DF[key] = float(act.max_abs_df)
    return _MAX_DF[key]


# --- the depth product --------------------------------------------------------------------------
#: depths L of the depth product
DEPTHS = np.arange(1, 51)
#: a gradient multiplied down to below this has vanished (float64 keeps going, learning does not)
VANISHED = 1e-18


def depth_product(act: acts.Activation, depths: np.ndarray = DEPTHS) -> np.ndarray:
    """max|f′|^L: the largest factor L layers of this function can multiply a gradient by.

    Parameters
    ----------
    act : Activation
    depths : (k,) array of L

    Returns
    -------
    (k,) float64 array.
    """
    return max_abs_df(act) ** np.asarray(depths, dtype=np.float64)


def vanished_at(product: np.ndarray) -> int | None:
    """Index of the first entry of a depth product that is positive and below VANISHED, or None.

    Parameters
    ----------
    product : (k,) array, as from :func:`depth_product`
    """
    p = np.asarray(product, dtype=np.float64)
    below = np.flatnonzero(np.isfinite(p) & (p > 0) & (p < VANISHED))
    return int(below[0]) if below.size else None


def from_output_fn(act: acts.Activation):
    """f′ as a function of the output a (σ′ = a(1−a)), or None if the function has no such form.

    Returns
    -------
    a function from (n,) outputs a to (n,) f′, or None.
    """
    try:
        probe = act.df_from_output(np.array([0.5]))
    except (NotImplementedError, ValueError):
        return None
    return None if probe is None else act.df_from_output


# --- the gradient-flow verdict ------------------------------------------------------------------
#: first-to-last gradient-norm ratios in this closed range are "about the same size"
SIMILAR_RATIO = (0.67, 1.5)
#: below this first-to-last ratio the gradient vanishes on its way to the first layer
VANISHING_RATIO = 1e-2
#: above this first-to-last ratio it explodes
EXPLODING_RATIO = 1e2
#: a typical healthy update-to-weight ratio ‖ΔW‖ / ‖W‖ per step
HEALTHY_UPDATE_RATIO = 1e-3


@dataclass(frozen=True)
class GradientVerdict:
    """How the first layer's gradient norm compares with the last layer's.

    ``kind`` is one of
    ``"no gradient yet"`` (no backward pass yet), ``"one layer"`` (nothing to compare),
    ``"not finite"`` (training diverged), ``"all zero"`` (every layer's norm is exactly 0:
    nothing learns, e.g. every unit dead), ``"last zero"``, ``"first zero"``,
    ``"similar"`` (ratio in SIMILAR_RATIO), ``"smaller"``, ``"vanishing"``
    (ratio < VANISHING_RATIO), ``"larger"``, ``"exploding"`` (ratio > EXPLODING_RATIO).
    ``ratio`` is first / last, NaN unless both norms are finite and positive. All three
    numbers are float64.
    """

    kind: str
    ratio: float
    first: float
    last: float


def gradient_verdict(norms: np.ndarray, *, trained: bool = True) -> GradientVerdict:
    """Judge the per-layer gradient norms, first layer (input side) to last.

    Parameters
    ----------
    norms : (layers,) array
        ‖∂L/∂W‖ per layer, in network order.
    trained : bool
        False before the first backward pass (the norms mean nothing yet).

    Returns
    -------
    GradientVerdict
    """
    v = np.asarray(norms, dtype=np.float64).ravel()
    # NumPy scalars, not Python floats: the panel's wording rounds them (NumPy's rounding)
    first, last = (v[0], v[-1]) if v.size else (np.float64(math.nan), np.float64(math.nan))

    def verdict(kind: str, ratio: float = math.nan) -> GradientVerdict:
        return GradientVerdict(kind, ratio, first, last)

    if not trained:
        return verdict("no gradient yet")
    if v.size < 2:
        return verdict("one layer")
    if not (math.isfinite(first) and math.isfinite(last)):
        return verdict("not finite")
    if not v.any():
        return verdict("all zero")
    if last <= 0:
        return verdict("last zero")
    if first <= 0:
        return verdict("first zero")
    with np.errstate(over="ignore"):  # a ratio beyond 1e308 is inf: exploding
        r = first / last
    lo, hi = SIMILAR_RATIO
    if lo <= r <= hi:
        return verdict("similar", r)
    if r < 1:
        return verdict("vanishing" if r < VANISHING_RATIO else "smaller", r)
    return verdict("exploding" if r > EXPLODING_RATIO else "larger", r)


# --- per-unit histograms ------------------------------------------------------------------------
def unit_histogram(sample: np.ndarray, unit: int, edges: np.ndarray) -> np.ndarray:
    """One unit's values re-binned on its layer's histogram edges.

    Non-finite values are left out; values outside the edges land in the end bins (as in
    the layer's own histogram), so the counts add up to the number of finite values.

    Parameters
    ----------
    sample : (m, units) array
        A layer's sample, e.g. ``LayerSnapshot.a_sample``.
    unit : int
    edges : (bins + 1,) increasing array

    Returns
    -------
    (bins,) float64 counts.
    """
    edges = np.asarray(edges, dtype=np.float64)
    a = np.asarray(sample[:, unit], dtype=np.float64)
    a = np.clip(a[np.isfinite(a)], edges[0], edges[-1])
    return np.histogram(a, bins=edges)[0].astype(np.float64)


# --- the decision grid --------------------------------------------------------------------------
#: cells per side of the grid over the 2-D input plane (output map, network graph)
DECISION_GRID = 60


def decision_grid(dataset: Any) -> int:
    """The grid resolution to snapshot ``dataset`` with: DECISION_GRID when its raw data has
    2 inputs (an input plane to draw), else 0 (no grid)."""
    raw = dataset.raw_train
    return DECISION_GRID if raw is not None and raw.shape[1] == 2 else 0
