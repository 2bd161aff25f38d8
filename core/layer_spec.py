"""Hidden layers written as text, ``"16:relu,8:tanh"``: the command line's ``--hidden``.

Each comma-separated item is ``UNITS`` or ``UNITS:ACTIVATION`` (an activation's name or
alias, as ``activation-lab list activations`` prints them; without one, ``DEFAULT``).
``""`` or ``"none"`` is a network without hidden layers. What it does not try to do: set
an activation's parameters (they keep their defaults).
"""

from __future__ import annotations

import re

from . import activations
from .experiment import LayerConfig
from .limits import MAX_LAYERS, MAX_UNITS_PER_LAYER

__all__ = ["DEFAULT", "HiddenSpecError", "format_hidden", "parse_hidden"]

#: the activation of an item that names none
DEFAULT = "relu"

_UNITS = re.compile(r"[0-9]+")


class HiddenSpecError(ValueError):
    """A hidden-layer text that cannot be read: one sentence naming the item at fault."""


def parse_hidden(text: str) -> tuple[LayerConfig, ...]:
    """The hidden layers ``text`` describes, first to last.

    Raises
    ------
    HiddenSpecError
        For an empty item, units that are not a whole number from 1 to
        ``MAX_UNITS_PER_LAYER``, an unknown activation, or more than ``MAX_LAYERS`` layers.
    """
    if not isinstance(text, str):
        raise HiddenSpecError("the hidden layers must be text such as 16:relu,8:tanh")
    stripped = text.strip()
    if stripped.lower() in ("", "none"):
        return ()
    items = stripped.split(",")
    if len(items) > MAX_LAYERS:
        raise HiddenSpecError(f"{len(items)} hidden layers are more than the limit of "
                              f"{MAX_LAYERS}")
    return tuple(_layer(item.strip(), i + 1) for i, item in enumerate(items))


def _layer(item: str, position: int) -> LayerConfig:
    if not item:
        raise HiddenSpecError(f"hidden layer {position} is empty (two commas in a row, or "
                              "one at the end?)")
    units_text, colon, name = item.partition(":")
    units_text, name = units_text.strip(), name.strip()
    if not _UNITS.fullmatch(units_text):
        raise HiddenSpecError(f"{item!r} does not start with a number of units (write it as "
                              "UNITS:ACTIVATION, e.g. 16:relu)")
    units = int(units_text)
    if not 1 <= units <= MAX_UNITS_PER_LAYER:
        raise HiddenSpecError(f"{item!r}: a layer has 1 to {MAX_UNITS_PER_LAYER} units, "
                              f"not {units}")
    if colon and not name:
        raise HiddenSpecError(f"{item!r} has no activation after the colon")
    if not colon:
        name = DEFAULT
    try:
        cls = activations.activation_class(name)
    except (KeyError, ValueError):
        raise HiddenSpecError(f"{item!r}: there is no activation called {name!r}; run "
                              "'activation-lab list activations' to see them") from None
    return LayerConfig(units, getattr(cls, "name", name))


def format_hidden(layers) -> str:
    """The text :func:`parse_hidden` reads back as ``layers`` (their parameters left out)."""
    return ",".join(f"{h.units}:{h.activation}" for h in layers) or "none"
