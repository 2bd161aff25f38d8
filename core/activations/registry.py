"""The one registry of activations: looked up by name by the engine, the CLI and the GUI menus."""

from __future__ import annotations

from .base import Activation

__all__ = ["get", "names", "register", "unregister", "activation_class", "ALIASES"]

_REGISTRY: dict[str, type[Activation]] = {}

#: other spellings users type; they map to the registered name
ALIASES: dict[str, str] = {
    "linear": "identity",
    "logistic": "sigmoid",
    "swish": "silu",
    "heaviside": "step",
    "binary_step": "step",
    "lrelu": "leaky_relu",
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
    _REGISTRY.pop(name, None)


def names() -> list[str]:
    """Every registered activation name, in registration order (the menus' order)."""
    return list(_REGISTRY)


def activation_class(name: str) -> type[Activation]:
    key = ALIASES.get(name, name)
    try:
        return _REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown activation {name!r}; known: {', '.join(_REGISTRY)}") from None


def get(name: str | Activation, **params: float) -> Activation:
    """An activation instance by name, with parameters checked against their ranges."""
    if isinstance(name, Activation):
        return type(name)(params={**name.params, **params}) if params else name
    return activation_class(name)(params=params)
