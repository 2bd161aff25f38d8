"""Weight initializers, as records in one registry (the GUI's "Initialization" menu).

Every initializer draws a ``(fan_in, fan_out)`` matrix from a seeded ``np.random.Generator``,
so the same seed always gives the same weights. Formulas follow Glorot & Bengio (2010),
He et al. (2015) and LeCun et al. (1998), as PyTorch's ``torch.nn.init`` implements them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Initializer", "get", "initialize", "names", "register"]


@dataclass(frozen=True)
class Initializer:
    """One initializer: ``fn(rng, fan_in, fan_out, **params) -> (fan_in, fan_out) float64``."""

    name: str
    display_name: str
    fn: Callable[..., np.ndarray]
    defaults: dict[str, float]
    formula: str
    summary: str = ""


_REGISTRY: dict[str, Initializer] = {}


def register(init: Initializer) -> Initializer:
    """Add an initializer record to the registry (names are unique)."""
    if init.name in _REGISTRY:
        raise ValueError(f"an initializer named {init.name!r} is already registered")
    _REGISTRY[init.name] = init
    return init


def names() -> list[str]:
    """Every registered initializer name, in menu order.

    Returns
    -------
    list of str
        A new list: ``["zeros", "constant", "uniform", "normal", "xavier_uniform", ...]``.
    """
    return list(_REGISTRY)


def get(name: str) -> Initializer:
    """The initializer record registered as ``name``.

    Parameters
    ----------
    name : str
        A name from ``names()``.

    Returns
    -------
    Initializer
        Its ``fn(rng, fan_in, fan_out, **params)`` draws a (fan_in, fan_out) float64 matrix;
        ``defaults`` names its parameters; ``initialize`` checks them and calls it.

    Raises
    ------
    KeyError
        If no initializer has that name; the message lists the known names.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown initializer {name!r}; known: {', '.join(_REGISTRY)}") from None


def initialize(
    name: str,
    rng: np.random.Generator,
    fan_in: int,
    fan_out: int,
    params: dict[str, float] | None = None,
) -> np.ndarray:
    """Draw a (fan_in, fan_out) weight matrix; unknown parameter names raise ValueError."""
    init = get(name)
    given = dict(params or {})
    unknown = set(given) - set(init.defaults)
    if unknown:
        raise ValueError(f"initializer {name!r} has no parameter {', '.join(sorted(unknown))}")
    full = {**init.defaults, **{k: float(v) for k, v in given.items()}}
    for k, v in full.items():
        if not math.isfinite(v):
            raise ValueError(f"initializer parameter {k} must be a finite number")
    return init.fn(rng, fan_in, fan_out, **full)


def _zeros(rng, fan_in, fan_out):
    return np.zeros((fan_in, fan_out))


def _constant(rng, fan_in, fan_out, value):
    return np.full((fan_in, fan_out), value)


def _uniform(rng, fan_in, fan_out, r):
    return rng.uniform(-r, r, size=(fan_in, fan_out))


def _normal(rng, fan_in, fan_out, sigma):
    return rng.normal(0.0, sigma, size=(fan_in, fan_out))


def _xavier_uniform(rng, fan_in, fan_out):
    r = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=(fan_in, fan_out))


def _xavier_normal(rng, fan_in, fan_out):
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def _he_uniform(rng, fan_in, fan_out):
    r = math.sqrt(6.0 / fan_in)
    return rng.uniform(-r, r, size=(fan_in, fan_out))


def _he_normal(rng, fan_in, fan_out):
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def _lecun_normal(rng, fan_in, fan_out):
    return rng.normal(0.0, math.sqrt(1.0 / fan_in), size=(fan_in, fan_out))


for _rec in (
    Initializer(
        "zeros", "All zeros", _zeros, {}, "W = 0",
        "Every unit in a layer starts identical and stays identical: symmetry is never broken.",
    ),
    Initializer(
        "constant", "Constant", _constant, {"value": 0.1}, "W = value",
        "Like zeros: equal weights give equal units, which then learn in lockstep.",
    ),
    Initializer(
        "uniform", "Uniform ±r", _uniform, {"r": 0.5}, "W ~ U(−r, r)",
        "Random weights of a fixed scale that ignores the layer's size.",
    ),
    Initializer(
        "normal", "Normal (σ)", _normal, {"sigma": 0.1}, "W ~ N(0, σ²)",
        "Random weights of a fixed scale that ignores the layer's size.",
    ),
    Initializer(
        "xavier_uniform", "Xavier/Glorot uniform", _xavier_uniform, {},
        "W ~ U(−r, r), r = √(6 / (fan_in + fan_out))",
        "Keeps the variance of signals and gradients about equal across layers for tanh-like "
        "units.",
    ),
    Initializer(
        "xavier_normal", "Xavier/Glorot normal", _xavier_normal, {},
        "W ~ N(0, 2 / (fan_in + fan_out))",
        "Keeps the variance of signals and gradients about equal across layers for tanh-like "
        "units.",
    ),
    Initializer(
        "he_uniform", "He/Kaiming uniform", _he_uniform, {}, "W ~ U(−r, r), r = √(6 / fan_in)",
        "Twice Xavier's variance, making up for ReLU zeroing half its inputs.",
    ),
    Initializer(
        "he_normal", "He/Kaiming normal", _he_normal, {}, "W ~ N(0, 2 / fan_in)",
        "Twice Xavier's variance, making up for ReLU zeroing half its inputs.",
    ),
    Initializer(
        "lecun_normal", "LeCun normal", _lecun_normal, {}, "W ~ N(0, 1 / fan_in)",
        "Unit-variance outputs for unit-variance inputs; the scale SELU is designed for.",
    ),
):
    register(_rec)
