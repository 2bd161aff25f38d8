"""Every activation function with exact first and second derivatives, in one registry.

The modules are imported in menu order; each registers its classes as it loads.
"""

from __future__ import annotations

# The import order is the registration order, which is the menus' order.
# isort: off
from . import elementary, sigmoids, rectifiers, smooth, gated, shrinks, special, softmax  # noqa: F401

# isort: on
from .base import Activation, Info, Kink, ParamSpec, numerical_derivative
from .formula import (
    FormulaActivation,
    FormulaError,
    formula,
    formula_name,
    from_formula,
    is_formula,
)
from .registry import ALIASES, activation_class, get, names, register, unregister

__all__ = [
    "ALIASES",
    "Activation",
    "FormulaActivation",
    "FormulaError",
    "Info",
    "Kink",
    "ParamSpec",
    "activation_class",
    "formula",
    "formula_name",
    "from_formula",
    "get",
    "is_formula",
    "names",
    "numerical_derivative",
    "register",
    "unregister",
]
