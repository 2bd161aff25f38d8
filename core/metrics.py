"""Task metrics: accuracy for classification, R² for regression, computed in a few calls.

``truth`` (labels precomputed once per data set) may be passed to skip recomputing them at
every epoch end.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["metric", "metric_name", "truth_labels"]


def metric_name(task: str) -> str:
    return "R²" if task == "regression" else "accuracy"


def truth_labels(task: str, y: np.ndarray, threshold: float):
    """What predictions are compared with: y > threshold (binary), argmax (multiclass)."""
    if task == "binary":
        return y > threshold
    if task == "multiclass":
        return y.argmax(axis=1)
    return None


def metric(task: str, a: np.ndarray, y: np.ndarray, threshold: float = 0.5,
           truth=None) -> float:
    """Accuracy or R² of outputs a (n, k) against targets y (n, k); NaN for no rows.

    - binary: a sample counts as right only when *every* output lies on the right side of
      ``threshold`` (the midpoint between the negative and positive targets), so a 7-segment
      digit is right only with all seven segments right;
    - multiclass: the argmax of a equals the argmax of the one-hot y;
    - regression: 1 − SS_res / SS_tot per output, averaged over outputs (a constant target
      scores 1 when matched exactly, else 0).
    """
    rows = a.shape[0]
    if rows == 0:
        return math.nan
    if truth is None:
        truth = truth_labels(task, y, threshold)
    if task == "binary":
        right = (a > threshold) == truth
        if right.shape[1] > 1:
            right = right.all(axis=1)
        return float(np.count_nonzero(right) / rows)
    if task == "multiclass":
        return float(np.count_nonzero(a.argmax(axis=1) == truth) / rows)
    r = y - a
    d = y - y.mean(axis=0)
    ss_res = (r * r).sum(axis=0)
    ss_tot = (d * d).sum(axis=0)
    safe = np.where(ss_tot > 0, ss_tot, 1.0)
    r2 = np.where(ss_tot > 0, 1.0 - ss_res / safe, np.where(ss_res > 0, 0.0, 1.0))
    return float(r2.mean())
