"""The real data sets shipped in ``resources/data``: iris, wine and digits, parsed once.

Files are read through ``importlib.resources.files("resources")``, which works from a source
checkout, an installed wheel and a PyInstaller bundle. ``n`` below the full size takes a
stratified subsample; there is no noise to add.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib.resources import files

import numpy as np

from .csv_import import encode_target
from .csv_table import decode, parse_table
from .pipeline import one_hot, subsample
from .registry import DatasetInfo, Raw, register

__all__ = ["table"]

#: name -> (file, rows, smallest n, how each class is named)
_FILES = {
    "iris": ("iris.csv", 150, 30, "{}"),
    "wine": ("wine.csv", 178, 30, "cultivar {}"),
    "digits": ("digits.csv.gz", 1797, 100, "{}"),
}


@cache
def table(name: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """(x (n, d), class index (n,), class names, input names) of a bundled file; read-only."""
    filename, _, _, label = _FILES[name]
    data = (files("resources") / "data" / filename).read_bytes()
    if filename.endswith(".gz"):
        data = gzip.decompress(data)
    parsed = parse_table(decode(data))
    _, y, classes = encode_target(parsed, "multiclass")
    x, index = parsed.x, np.argmax(y, axis=1)
    x.setflags(write=False)
    index.setflags(write=False)
    return x, index, tuple(label.format(c) for c in classes), parsed.input_names


def _real(name: str, display: str, description: str) -> None:
    _, rows, lo, _ = _FILES[name]
    info = DatasetInfo(
        name=name, display_name=display, description=description, task="multiclass",
        default_n=rows, default_noise=0.0, noise_range=(0.0, 0.0), n_range=(lo, rows),
        is_2d=False, group="real", noise_help="no noise: these are real measurements",
    )

    def make(rng: np.random.Generator, n: int, noise: float) -> Raw:
        x, index, classes, inputs = table(name)
        if n < len(x):
            keep = subsample(n, len(x), rng, index)
            x, index = x[keep], index[keep]
        return Raw(np.array(x), one_hot(index, len(classes)), inputs, classes, classes)

    make.__doc__ = f"All or a stratified subsample of {name}, rows in file order."
    register(info)(make)


_real("iris", "Iris flowers",
      "Tell three species of iris apart from four measurements of their petals and sepals "
      "(150 flowers). One species is easy; the other two overlap a little.")
_real("wine", "Wine",
      "Tell three grape cultivars apart from 13 chemical measurements of 178 wines. The "
      "inputs have very different scales, so try it with and without standardizing.")
_real("digits", "Handwritten digits",
      "Recognize handwritten digits 0–9 from 8×8 pixel images (64 inputs, 1,797 images).")
