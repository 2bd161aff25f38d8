"""From all rows to a Dataset: stratified split, extra features, standardization, target coding."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import FEATURES, Dataset, Task

__all__ = ["TARGETS", "assemble", "labels", "one_hot", "split_indices", "standardization",
           "subsample"]

#: binary target codings: name -> (negative, positive)
TARGETS: dict[str, tuple[float, float]] = {"01": (0.0, 1.0), "pm1": (-1.0, 1.0)}

Extent = tuple[tuple[float, float], tuple[float, float]]


def labels(y: np.ndarray, negative: float = 0.0, positive: float = 1.0) -> np.ndarray:
    """Integer class labels (n,) from targets (n, k).

    One-hot rows (k > 1) give their argmax; a single binary column gives 1 where the value is
    nearer ``positive`` than ``negative``. Not meaningful for regression targets or for
    several independent binary columns (7-segment).
    """
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    if y.shape[1] == 1:
        return (y[:, 0] > (negative + positive) / 2).astype(np.intp)
    return np.argmax(y, axis=1)


def one_hot(index: np.ndarray, k: int) -> np.ndarray:
    """(n,) integer labels in [0, k) -> (n, k) float one-hot rows."""
    out = np.zeros((len(index), k), dtype=np.float64)
    out[np.arange(len(index)), index] = 1.0
    return out


def _allocate(counts: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` among groups in proportion to ``counts`` (largest remainders win)."""
    exact = counts * (total / counts.sum())
    base = np.floor(exact).astype(np.intp)
    order = np.argsort(-(exact - base), kind="stable")
    base[order[: total - base.sum()]] += 1
    return base


def split_indices(
    n: int, test_fraction: float, rng: np.random.Generator, groups: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled (train, test) row indices with round(n·test_fraction) test rows.

    Keeps at least one train row. With ``groups`` (n,) the split is stratified: each group
    gives the same share to the test set, up to rounding.
    """
    if not 0.0 <= test_fraction <= 0.9:
        raise ValueError(f"test_fraction must lie in [0, 0.9], not {test_fraction}")
    n_test = min(int(np.floor(n * test_fraction + 0.5)), max(n - 1, 0))
    if groups is None:
        perm = rng.permutation(n)
        return perm[n_test:], perm[:n_test]
    _, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    quota = _allocate(counts, n_test)
    train, test = [], []
    for g, q in enumerate(quota):
        members = rng.permutation(np.flatnonzero(inverse == g))
        test.append(members[:q])
        train.append(members[q:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def subsample(n: int, total: int, rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """Sorted indices of ``n`` of ``total`` rows, every group keeping its share (stratified)."""
    _, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    keep = [rng.permutation(np.flatnonzero(inverse == g))[:q]
            for g, q in enumerate(_allocate(counts, n))]
    return np.sort(np.concatenate(keep))


def standardization(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column (mean, std) of ``x`` (n, d); constant columns get std 1 so they map to 0."""
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std = np.where(std > 1e-12 * np.maximum(1.0, np.abs(mean)), std, 1.0)
    return mean, std


def _with_features(raw: np.ndarray, features: Sequence[str]) -> np.ndarray:
    # the same expression as Dataset.prepare, so prepare(raw_train) reproduces x_train exactly
    cols = [raw] + [FEATURES[name](raw) for name in features]
    return np.concatenate(cols, axis=1) if features else raw


def _check_features(name: str, features: Sequence[str], extent: Extent | None, d: int) -> None:
    for f in features:
        if f not in FEATURES:
            raise ValueError(f"unknown feature {f!r}; known: {', '.join(FEATURES)}")
    if len(set(features)) != len(features):
        raise ValueError(f"each extra feature may be chosen once, not {list(features)}")
    if features and (extent is None or d != 2):
        raise ValueError(f"extra features need a 2-D data set; {name!r} has {d} input(s)")


def _stratify_groups(task: Task, y: np.ndarray) -> np.ndarray | None:
    if task == "multiclass":
        return np.argmax(y, axis=1)
    if task == "binary" and y.shape[1] == 1:
        return y[:, 0]
    return None


def _f64(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def assemble(
    name: str,
    task: Task,
    x: np.ndarray,
    y: np.ndarray,
    *,
    rng: np.random.Generator,
    test_fraction: float,
    whole_table: bool = False,
    standardize: bool = False,
    features: tuple[str, ...] = (),
    targets: str = "01",
    input_names: tuple[str, ...] = (),
    output_names: tuple[str, ...] = (),
    class_names: tuple[str, ...] = (),
    extent: Extent | None = None,
    options: dict | None = None,
) -> Dataset:
    """Split all rows ``x`` (n, d), ``y`` (n, k) and build the Dataset.

    ``y`` is 0/1 for binary tasks; it is recoded to ``TARGETS[targets]`` here. With
    ``whole_table`` train and test are both every row, in table order.
    """
    x, y = _f64(x), _f64(y)
    _check_features(name, features, extent, x.shape[1])
    if targets not in TARGETS:
        raise ValueError(f"targets must be one of {', '.join(TARGETS)}, not {targets!r}")
    if whole_table:
        if not 0.0 <= test_fraction <= 0.9:
            raise ValueError(f"test_fraction must lie in [0, 0.9], not {test_fraction}")
        train = test = np.arange(len(x))
    else:
        train, test = split_indices(len(x), test_fraction, rng, _stratify_groups(task, y))
    negative, positive = TARGETS[targets] if task == "binary" else (0.0, 1.0)
    if task == "binary":
        y = np.where(y > 0.5, positive, negative)
    raw_train, raw_test = _f64(x[train]), _f64(x[test])
    x_train = _with_features(raw_train.copy(), features)
    x_test = _with_features(raw_test.copy(), features)
    mean = std = None
    if standardize:
        mean, std = standardization(x_train)
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    return Dataset(
        name=name, task=task,
        x_train=_f64(x_train), y_train=_f64(y[train]),
        x_test=_f64(x_test), y_test=_f64(y[test]),
        input_names=tuple(input_names) + tuple(features),
        output_names=tuple(output_names), class_names=tuple(class_names),
        negative=negative, positive=positive, extent=extent,
        input_mean=mean, input_std=std, options=dict(options or {}),
        raw_train=raw_train, raw_test=raw_test, features=tuple(features),
    )
