"""Every activation function with exact first and second derivatives, in one registry."""

from __future__ import annotations

from . import rectifiers, sigmoids  # noqa: F401  (registers the built-ins)
from .base import Activation, Info, Kink, ParamSpec, numerical_derivative
from .registry import ALIASES, activation_class, get, names, register, unregister

__all__ = [
    "ALIASES",
    "Activation",
    "Info",
    "Kink",
    "ParamSpec",
    "activation_class",
    "get",
    "names",
    "numerical_derivative",
    "register",
    "unregister",
]
