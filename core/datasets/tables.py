"""Truth tables to learn by heart: BCD to 7-segment display and N-bit parity.

Like ``xor`` they train and test on the whole table (``DatasetInfo.whole_table``): the
question is whether the network can represent the table, not whether it generalizes.
"""

from __future__ import annotations

import numpy as np

from .registry import DatasetInfo, Option, Raw, register

#: lit segments of each digit 0–9 in the standard layout (a top, b upper right, c lower
#: right, d bottom, e lower left, f upper left, g middle)
SEGMENTS = ("abcdef", "bc", "abdeg", "abcdg", "bcfg", "acdfg", "acdefg", "abc", "abcdefg",
            "abcdfg")
_CENTERED = Option("centered", False, doc="inputs −1/+1 instead of 0/1")
_SPLIT = Option("split", False, doc="split the table into train and test like other data sets")


def bits_of(values: np.ndarray, width: int) -> np.ndarray:
    """(n,) non-negative ints -> (n, width) 0/1 floats, most significant bit first."""
    shifts = np.arange(width - 1, -1, -1)
    return ((values[:, None] >> shifts) & 1).astype(np.float64)


@register(
    DatasetInfo(
        name="seven_segment", display_name="7-segment display",
        description="Turn a digit's 4-bit binary code into the seven segments (a–g) that draw "
        "it on a calculator display: seven yes/no outputs learnt at once.",
        task="binary", default_n=10, default_noise=0.0, noise_range=(0.0, 0.0),
        n_range=(10, 10), is_2d=False, group="table", whole_table=True,
        noise_help="no noise: the table is exact",
    ),
    _CENTERED, _SPLIT,
)
def seven_segment(rng: np.random.Generator, n: int, noise: float, *, centered: bool = False,
                  split: bool = False) -> Raw:
    """Rows are digits 0–9: inputs (10, 4) their BCD bits (8, 4, 2, 1), outputs (10, 7) a–g."""
    x = bits_of(np.arange(10), 4)
    y = np.array([[float(s in lit) for s in "abcdefg"] for lit in SEGMENTS])
    if centered:
        x = 2 * x - 1
    return Raw(x, y, ("b8", "b4", "b2", "b1"), tuple("abcdefg"), tuple("0123456789"))


@register(
    DatasetInfo(
        name="parity", display_name="Parity",
        description="Output 1 when an odd number of the input bits are 1. Flipping any one "
        "input flips the answer, which makes it hard for small networks.",
        task="binary", default_n=8, default_noise=0.0, noise_range=(0.0, 0.0),
        n_range=(2, 4096), is_2d=False, group="table", whole_table=True,
        noise_help="no noise: the table is exact",
    ),
    Option("bits", 3, 1, 12, doc="number of input bits; the table has 2^bits rows"),
    _CENTERED, _SPLIT,
)
def parity(rng: np.random.Generator, n: int, noise: float, *, bits: int = 3,
           centered: bool = False, split: bool = False) -> Raw:
    """All 2^bits patterns in counting order: inputs (2^bits, bits), output (2^bits, 1)."""
    x = bits_of(np.arange(2**bits), bits)
    y = (x.sum(axis=1) % 2)[:, None]
    if centered:
        x = 2 * x - 1
    return Raw(x, y, tuple(f"x{i + 1}" for i in range(bits)), ("odd",), ("even", "odd"))
