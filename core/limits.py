"""Hard limits on network size, checked before anything is allocated.

They keep a mistyped layer size (or a hostile saved file) from freezing the app or exhausting
memory: the engine refuses with a sentence naming the limit instead.
"""

from __future__ import annotations

__all__ = [
    "MAX_INPUTS",
    "MAX_LAYERS",
    "MAX_PARAMETERS",
    "MAX_UNITS_PER_LAYER",
    "check_architecture",
]

#: weights + biases + learnable activation/normalization parameters of the whole network
MAX_PARAMETERS = 2_000_000
#: units in any one layer (hidden or output)
MAX_UNITS_PER_LAYER = 4096
#: dense layers, hidden plus output (deep-sigmoid demos use 10–50)
MAX_LAYERS = 100
#: input features
MAX_INPUTS = 4096


def check_architecture(n_inputs: int, units: list[int], extra_per_unit: list[int]) -> int:
    """Raise ValueError if the architecture breaks a limit; return its parameter count.

    ``units`` lists every dense layer's width (output last); ``extra_per_unit`` the learnable
    parameters each layer adds per unit besides its bias (PReLU α, BatchNorm γ and β).
    """
    if not isinstance(n_inputs, int) or n_inputs < 1:
        raise ValueError(f"the network needs at least one input, not {n_inputs!r}")
    if n_inputs > MAX_INPUTS:
        raise ValueError(f"at most {MAX_INPUTS} inputs are allowed, not {n_inputs}")
    if not units:
        raise ValueError("the network needs an output layer")
    if len(units) > MAX_LAYERS:
        raise ValueError(f"at most {MAX_LAYERS} layers are allowed, not {len(units)}")
    total = 0
    fan_in = n_inputs
    for u, extra in zip(units, extra_per_unit):
        if not isinstance(u, int) or u < 1:
            raise ValueError(f"every layer needs at least one unit, not {u!r}")
        if u > MAX_UNITS_PER_LAYER:
            raise ValueError(f"at most {MAX_UNITS_PER_LAYER} units per layer are allowed, not {u}")
        total += fan_in * u + u * (1 + extra)
        fan_in = u
    if total > MAX_PARAMETERS:
        raise ValueError(
            f"this network would have {total:,} parameters; at most {MAX_PARAMETERS:,} are allowed"
        )
    return total
