"""The one registry of activations: looked up by name by the engine, the CLI and the GUI menus."""

from __future__ import annotations

from .base import Activation
from .formula import FORMULA_PREFIX, formula_class

__all__ = ["get", "names", "register", "unregister", "activation_class", "ALIASES"]

_REGISTRY: dict[str, type[Activation]] = {}

#: other spellings users type; they map to the registered name
ALIASES: dict[str, str] = {
    "linear": "identity",
    "heaviside": "step",
    "binary_step": "step",
    "unit_step": "step",
    "signum": "sign",
    "sgn": "sign",
    "bump": "window",
    "logistic": "sigmoid",
    "hardsigmoid": "hard_sigmoid",
    "scaled_tanh": "lecun_tanh",
    "hard_tanh": "hardtanh",
    "soft_sign": "softsign",
    "atan": "arctan",
    "lrelu": "leaky_relu",
    "leakyrelu": "leaky_relu",
    "parametric_relu": "prelu",
    "randomized_relu": "rrelu",
    "gelu_erf": "gelu",
    "gelu_approx": "gelu_tanh",
    "swish": "silu",
    "hard_swish": "hardswish",
    "logsigmoid": "log_sigmoid",
    "soft_shrink": "softshrink",
    "hard_shrink": "hardshrink",
    "tanh_shrink": "tanhshrink",
    "sin": "sine",
    "rbf": "gaussian",
}


def register(cls: type[Activation], *, replace: bool = False) -> type[Activation]:
    """Add an activation class (usable as a decorator). Run-time registration is allowed."""
    if not cls.name or not cls.name.isidentifier():
        raise ValueError(f"an activation needs an identifier-like name, not {cls.name!r}")
    if cls.name in _REGISTRY and not replace:
        raise ValueError(f"an activation named {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a registered activation (no error if it is not there)."""
    _REGISTRY.pop(name, None)


def names() -> list[str]:
    """Every registered activation name, in registration order (the menus' order).

    Returns
    -------
    list of str
        A new list of the names ``get`` accepts, e.g. ``["identity", "step", ...]``; the
        aliases in ``ALIASES`` ("swish", "logistic", ...) are not in it.
    """
    return list(_REGISTRY)


def activation_class(name: str) -> type[Activation]:
    """The class registered as ``name``, an alias of it, or the same spelled "Leaky-ReLU";
    for a formula's spec (``formula:…``, see ``formula``) the class made for it (a
    ``FormulaError``, which is a ValueError, if the formula is refused)."""
    if isinstance(name, str) and name.startswith(FORMULA_PREFIX):
        return formula_class(name)
    for key in (name, name.strip().lower().replace("-", "_").replace(" ", "_")):
        key = ALIASES.get(key, key)
        if key in _REGISTRY:
            return _REGISTRY[key]
    raise KeyError(f"unknown activation {name!r}; known: {', '.join(_REGISTRY)}")


def get(name: str | Activation, **params: float) -> Activation:
    """An activation instance by name, with its parameters checked against their ranges.

    Parameters
    ----------
    name : str or Activation
        A name from ``names()``, an alias from ``ALIASES`` ("swish", "logistic"), or either
        spelled with capitals, hyphens or spaces ("Leaky-ReLU"). An Activation instance is
        returned as it is, or as a copy with ``params`` changed.
    **params : float
        Parameter values by name, e.g. ``alpha=0.1``; those not given take their defaults
        (the class's ``PARAMS``).

    Returns
    -------
    Activation
        A frozen record with ``f``, ``df``, ``d2f`` (derivatives with respect to the
        pre-activation z), ``df_from_output`` and ``info`` (formula, range, kinks).

    Raises
    ------
    KeyError
        If no activation has that name; the message lists the known names.
    ValueError
        If a parameter is unknown, not a number, outside its range, or clashes with
        another (RReLU needs lower ≤ upper).

    Examples
    --------
    >>> import numpy as np
    >>> get("leaky_relu", alpha=0.1).df(np.array([-2.0, 0.0, 2.0]))
    array([0.1, 0.1, 1. ])
    """
    if isinstance(name, Activation):
        return type(name)(params={**name.params, **params}) if params else name
    return activation_class(name)(params=params)
