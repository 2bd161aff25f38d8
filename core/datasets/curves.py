"""1-D regression: a sine curve, the simplest picture of what a network's output can bend into."""

from __future__ import annotations

import numpy as np

from .registry import DatasetInfo, Option, Raw, register


@register(
    DatasetInfo(
        name="sine", display_name="Sine curve",
        description="Predict y = sin(x) from x, with a little noise on y. Watch how each "
        "activation bends a network's output to follow the curve.",
        task="regression", default_n=200, default_noise=0.1, noise_range=(0.0, 0.5),
        n_range=(10, 5000), is_2d=False, group="curve",
        noise_help="standard deviation of normal noise added to y",
    ),
    Option("periods", 1, 1, 4, doc="x spans [−π, π] times this many"),
)
def sine(rng: np.random.Generator, n: int, noise: float, *, periods: int = 1) -> Raw:
    """x uniform in [−π·periods, π·periods], y = sin(x) + noise·N(0, 1); inputs (n, 1)."""
    x = rng.uniform(-np.pi * periods, np.pi * periods, (n, 1))
    y = np.sin(x) + noise * rng.standard_normal((n, 1))
    return Raw(x, y, ("x",), ("y",))
