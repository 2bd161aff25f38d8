"""The one registry of data sets: ``names()`` feeds the menu, ``load()`` makes a Dataset by name."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from .base import Dataset, Task
from .pipeline import TARGETS, assemble

__all__ = ["DatasetInfo", "Option", "Raw", "describe", "load", "names", "register"]

Extent = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Option:
    """One data-set-specific option (``bits`` of parity, ``count`` of multi_gaussian, ...).

    ``default`` is an int or a bool; ints must lie in [lo, hi] (bools ignore lo and hi).
    """

    name: str
    default: int | bool
    lo: int = 0
    hi: int = 0
    doc: str = ""

    def check(self, value: Any) -> int | bool:
        """Return ``value`` in the option's type, or raise ValueError naming what is allowed."""
        if isinstance(self.default, bool):
            if not isinstance(value, bool | np.bool_):
                raise ValueError(f"option {self.name!r} must be True or False, not {value!r}")
            return bool(value)
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ValueError(f"option {self.name!r} must be a whole number, not {value!r}")
        if not self.lo <= value <= self.hi:
            raise ValueError(
                f"option {self.name!r} must lie in [{self.lo}, {self.hi}], not {value}")
        return int(value)


@dataclass(frozen=True)
class DatasetInfo:
    """What the dataset menu and its tooltips show, and the defaults ``load`` uses.

    ``whole_table`` data sets ("learn this table" exercises: xor, seven_segment, parity) train
    and test on every row, ignoring ``test_fraction``, unless their ``split`` option is True;
    they also ignore ``n`` and ``noise``. ``noise_help`` says what the noise number means.
    """

    name: str
    display_name: str
    description: str
    task: Task
    default_n: int
    default_noise: float
    noise_range: tuple[float, float]
    n_range: tuple[int, int]
    is_2d: bool
    options: Mapping[str, Option] = field(default_factory=lambda: MappingProxyType({}))
    group: str = "toy"
    noise_help: str = ""
    whole_table: bool = False
    extent: Extent | None = None


@dataclass(frozen=True, eq=False)
class Raw:
    """What a generator returns before splitting: all rows, targets already in final form.

    ``x`` is (n, d) raw inputs; ``y`` is (n, k): 0/1 for binary, one-hot for multiclass, real
    values for regression.
    """

    x: np.ndarray
    y: np.ndarray
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    class_names: tuple[str, ...] = ()
    extent: Extent | None = None


#: a generator: (rng, n, noise, **options) -> Raw
Maker = Callable[..., Raw]

_REGISTRY: dict[str, tuple[DatasetInfo, Maker]] = {}


def register(info: DatasetInfo, *options: Option) -> Callable[[Maker], Maker]:
    """Decorator adding a generator under ``info.name``; ``options`` fill ``info.options``."""
    if info.name in _REGISTRY or info.name == "csv":
        raise ValueError(f"a data set named {info.name!r} is already registered")

    def deco(make: Maker) -> Maker:
        full = replace(info, options=MappingProxyType({o.name: o for o in options}))
        _REGISTRY[info.name] = (full, make)
        return make

    return deco


def names() -> list[str]:
    """Every data set name in menu order (registration order).

    Returns
    -------
    list of str
        A new list of the names ``load`` and ``describe`` accept, toy problems first
        ("xor", "circles", ...), then tables and the bundled real data sets. "csv" is not
        among them: ``load("csv", path=...)`` reads a file (see ``load_csv``).
    """
    return list(_REGISTRY)


def describe(name: str) -> DatasetInfo:
    """The frozen description of a data set: display name, task, defaults and ranges."""
    return _lookup(name)[0]


def _lookup(name: str) -> tuple[DatasetInfo, Maker]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown data set {name!r}; known: {', '.join(_REGISTRY)}") from None


def load(
    name: str,
    n: int | None = None,
    noise: float | None = None,
    test_fraction: float = 0.5,
    seed: int | None = 0,
    standardize: bool = False,
    features: tuple[str, ...] | list[str] = (),
    targets: str = "01",
    **extra: Any,
) -> Dataset:
    """Make the data set ``name`` with ``n`` samples in total, split into train and test.

    One ``np.random.default_rng(seed)`` draws the points, then the split, so equal arguments
    give identical arrays. ``load(**dataset.options)`` makes the same data set again, also for
    CSV files.

    Parameters
    ----------
    name : str
        A name from ``names()``, or "csv" with ``path=...`` (and ``load_csv``'s other
        arguments) in ``extra``, which forwards to ``load_csv``.
    n : int, optional
        Samples in total, train and test together; default and allowed range from
        ``describe(name)`` (``default_n``, ``n_range``). For iris, wine and digits it is a
        stratified subsample; the tables (xor, seven_segment, parity) ignore it.
    noise : float, optional
        Noise on the data set's own scale (``describe(name).noise_help``); default and range
        from ``describe(name)``. Ignored where there is no noise control (tables, real data).
    test_fraction : float
        Share of the rows in the test set, in [0, 0.9]; the split is stratified by class for
        classification. The tables train and test on every row unless their ``split``
        option is set.
    seed : int or None
        Seed (≥ 0) of the points and the split; None picks a fresh one, recorded in
        ``options``.
    standardize : bool
        Standardize the inputs with the training rows' mean and standard deviation (kept in
        ``input_mean``, ``input_std`` for ``Dataset.prepare``).
    features : sequence of str
        Extra inputs from ``FEATURES`` ("x1^2", "x1*x2", "sin(x1)", ...) appended to the raw
        inputs of a 2-D data set, in this order; a single name may be given as a str.
    targets : {"01", "pm1"}
        Coding of binary targets: 0/1, or −1/+1 for tanh outputs and hinge loss.
    **extra
        The data set's own options, ``describe(name).options`` (``bits`` of parity, ``count``
        of multi_gaussian, ...).

    Returns
    -------
    Dataset
        ``x_train`` (n_train, n_inputs), ``y_train`` (n_train, n_outputs), ``x_test``,
        ``y_test`` likewise, all float64; ``y`` is always 2-D: one column per binary label,
        one-hot rows for multiclass, the values for regression.

    Raises
    ------
    KeyError
        If ``name`` is not a registered data set (the message lists them).
    ValueError
        If ``n``, ``noise``, ``seed``, ``test_fraction``, ``targets``, ``features`` or an
        option is of the wrong type or out of range, or an option is unknown.
    core.datasets.CSVError, OSError
        For ``name="csv"``: see ``load_csv``.
    """
    if name == "csv":
        from .csv_import import load_csv

        kwargs = dict(extra)
        if kwargs.get("path") is None:
            raise ValueError("this data set came from pasted text, so it cannot be re-read")
        return load_csv(test_fraction=test_fraction, seed=seed, standardize=standardize,
                        targets=targets, **kwargs)
    info, make = _lookup(name)
    if isinstance(features, str):
        features = (features,)
    unknown = sorted(set(extra) - set(info.options))
    if unknown:
        known = ", ".join(info.options) or "none"
        raise ValueError(f"{name!r} has no option {unknown[0]!r}; its options: {known}")
    opts = {k: o.check(extra.get(k, o.default)) for k, o in info.options.items()}
    whole = info.whole_table and not opts.get("split", False)
    if seed is None:
        seed = secrets.randbits(32)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a whole number ≥ 0, not {seed!r}")
    n, noise = _check_n_noise(info, n, noise)
    if targets not in TARGETS:
        raise ValueError(f"targets must be one of {', '.join(TARGETS)}, not {targets!r}")
    rng = np.random.default_rng(int(seed))
    raw = make(rng, n, noise, **opts)
    options = {
        "name": name, "n": int(raw.x.shape[0]), "noise": noise,
        "test_fraction": float(test_fraction), "seed": int(seed),
        "standardize": bool(standardize), "features": list(features), "targets": targets,
        **opts,
    }
    return assemble(
        name, info.task, raw.x, raw.y, rng=rng, test_fraction=test_fraction,
        whole_table=whole, standardize=standardize, features=tuple(features), targets=targets,
        input_names=raw.input_names, output_names=raw.output_names,
        class_names=raw.class_names, extent=raw.extent, options=options,
    )


def _check_n_noise(info: DatasetInfo, n: int | None, noise: float | None) -> tuple[int, float]:
    """Defaults filled in and ranges checked; tables ignore both (they have a fixed size)."""
    if info.whole_table:
        return info.default_n, 0.0
    n = info.default_n if n is None else n
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise ValueError(f"n must be a whole number, not {n!r}")
    lo, hi = info.n_range
    if not lo <= n <= hi:
        raise ValueError(f"{info.name!r} takes between {lo} and {hi} samples, not {n}")
    lo_f, hi_f = info.noise_range
    if hi_f == 0:  # no noise control (real data): any value is ignored
        return int(n), 0.0
    noise = info.default_noise if noise is None else float(noise)
    if not lo_f <= noise <= hi_f:
        raise ValueError(f"noise for {info.name!r} must lie in [{lo_f:g}, {hi_f:g}], not {noise:g}")
    return int(n), noise
