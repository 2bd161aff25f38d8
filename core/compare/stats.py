"""The statistics of a comparison, small and stated exactly.

- **Quantiles** are NumPy's default "linear" method (Hyndman and Fan's type 7): for n sorted
  values x₀ ≤ … ≤ xₙ₋₁ the q-quantile is x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋₊₁ − x_⌊h⌋) with
  h = (n − 1)q. The **median** is q = ½ (the mean of the two middle values for even n), the
  **IQR** runs from q = ¼ to q = ¾. Values may be +∞ (a run that never reached the goal): a
  quantile that interpolates towards +∞ is +∞, shown as "> N epochs". So the median is "> N"
  as soon as half the runs or more never reached the goal (for an even count, the upper middle
  run did not).
- **Paired probability** P(A beats B): over the seeds both arms ran, the share of seeds where
  A's run has the better outcome, a tie counting ½. So P(A beats B) + P(B beats A) = 1.
- **Bootstrap interval**: the percentile bootstrap over seeds — ``B`` = 2000 resamples of the
  seeds' scores with replacement, from a generator seeded with ``BOOTSTRAP_SEED``; the interval
  is the 2.5 % and 97.5 % quantiles (as above) of the resampled means.
- **Area under the loss curve**: the trapezoidal area under the per-epoch training loss from
  epoch 0 to the run's last epoch, in loss × epochs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["BOOTSTRAP_B", "BOOTSTRAP_SEED", "Spread", "auc", "bootstrap_interval",
           "column_quantiles", "paired_probability", "paired_scores", "quantile", "spread"]

BOOTSTRAP_B = 2000
BOOTSTRAP_SEED = 20260101


def quantile(values: Sequence[float], q: float) -> float:
    """The type-7 (linear) q-quantile of ``values`` (finite or +∞; no NaN); NaN if empty."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must lie in [0, 1], not {q}")
    x = np.sort(np.asarray(values, dtype=np.float64).ravel())
    if x.size == 0:
        return math.nan
    if np.isnan(x).any():
        raise ValueError("quantile() takes no NaN; leave missing values out")
    h = (x.size - 1) * q
    lo = int(math.floor(h))
    frac = h - lo
    if frac == 0.0 or lo + 1 >= x.size:
        return float(x[lo])
    a, b = float(x[lo]), float(x[lo + 1])
    if math.isinf(b) or math.isinf(a):
        return b if math.isinf(b) else a
    return a + frac * (b - a)


@dataclass(frozen=True)
class Spread:
    """Median, quartiles, min and max of ``n`` values (all NaN when n = 0)."""

    median: float
    q1: float
    q3: float
    lo: float
    hi: float
    n: int

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1


def spread(values: Sequence[float]) -> Spread:
    """The ``Spread`` of the values that are not NaN (NaN marks a missing value)."""
    x = np.asarray(values, dtype=np.float64).ravel()
    x = x[~np.isnan(x)]
    if x.size == 0:
        return Spread(math.nan, math.nan, math.nan, math.nan, math.nan, 0)
    return Spread(quantile(x, 0.5), quantile(x, 0.25), quantile(x, 0.75), float(x.min()),
                  float(x.max()), int(x.size))


def paired_scores(a: Sequence[float], b: Sequence[float]) -> np.ndarray:
    """Per pair, 1 where a < b (a's outcome is better: lower), ½ where equal, 0 where worse.

    Both are lower-is-better outcomes, one per seed, in the same seed order; +∞ is allowed
    (never reached, diverged) and equals +∞. Pairs where either is NaN (missing) are left out.
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError("paired outcomes need one value per seed on each side")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    return np.where(x < y, 1.0, np.where(x == y, 0.5, 0.0))


def paired_probability(a: Sequence[float], b: Sequence[float]) -> float:
    """P(a's run beats b's run of the same seed), ties counting ½; NaN without any pair."""
    s = paired_scores(a, b)
    return float(s.mean()) if s.size else math.nan


def bootstrap_interval(scores: Sequence[float], b: int = BOOTSTRAP_B,
                       seed: int = BOOTSTRAP_SEED, level: float = 0.95) -> tuple[float, float]:
    """Percentile-bootstrap interval of the mean of ``scores`` (resampled with replacement).

    One score gives the degenerate interval (s, s); no score gives (NaN, NaN).
    """
    s = np.asarray(scores, dtype=np.float64).ravel()
    if s.size == 0:
        return math.nan, math.nan
    if b < 1 or not 0 < level < 1:
        raise ValueError("the bootstrap needs b ≥ 1 and a level in (0, 1)")
    rng = np.random.default_rng(seed)
    means = s[rng.integers(0, s.size, size=(b, s.size))].mean(axis=1)
    tail = (1.0 - level) / 2.0
    return quantile(means, tail), quantile(means, 1.0 - tail)


def auc(losses: Sequence[float]) -> float:
    """Trapezoidal area under a per-epoch curve (unit spacing); NaN if any value is not finite
    or there are fewer than two points."""
    y = np.asarray(losses, dtype=np.float64).ravel()
    if y.size < 2 or not np.isfinite(y).all():
        return math.nan
    return float(y[1:-1].sum() + 0.5 * (y[0] + y[-1]))


def column_quantiles(matrix: np.ndarray, q: float) -> np.ndarray:
    """``quantile`` of every column of a (runs, epochs) matrix, NaN marking missing entries.

    Returns (epochs,) values; NaN where a column has no value.
    """
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2:
        raise ValueError("column_quantiles takes a (runs, epochs) matrix")
    x = np.sort(m, axis=0)  # NaN sorts last
    n = (~np.isnan(m)).sum(axis=0)
    out = np.full(m.shape[1], np.nan)
    ok = n > 0
    if not ok.any():
        return out
    h = (n[ok] - 1) * q
    lo = np.floor(h).astype(np.intp)
    hi = np.minimum(lo + 1, n[ok] - 1)
    frac = h - lo
    cols = np.flatnonzero(ok)
    a, b = x[lo, cols], x[hi, cols]
    with np.errstate(invalid="ignore"):
        v = a + frac * (b - a)
    v = np.where(frac == 0.0, a, v)
    v = np.where(np.isinf(b) & (frac > 0), b, v)
    v = np.where(np.isinf(a) & ~np.isinf(b), a, v)
    out[cols] = v
    return out
