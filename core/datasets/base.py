"""The Dataset record every generator and loader returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Task = Literal["binary", "multiclass", "regression"]

__all__ = ["Dataset", "FEATURES", "Task"]

#: extra input features (TensorFlow Playground's), each (n, d) raw -> (n, 1); 2-D inputs only
FEATURES = {
    "x1^2": lambda r: r[:, 0:1] ** 2,
    "x2^2": lambda r: r[:, 1:2] ** 2,
    "x1*x2": lambda r: r[:, 0:1] * r[:, 1:2],
    "sin(x1)": lambda r: np.sin(r[:, 0:1]),
    "sin(x2)": lambda r: np.sin(r[:, 1:2]),
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test arrays plus what the panels need to draw them.

    Shapes: ``x_*`` is (n, n_inputs); ``y_*`` is (n, n_outputs), always 2-D and float.
    - binary: one column per independent yes/no label (7-segment has 7), values ``negative``
      or ``positive`` (0/1, or −1/+1 for hinge-style targets);
    - multiclass: one-hot rows, n_outputs = number of classes;
    - regression: real targets.
    """

    name: str
    task: Task
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    input_names: tuple[str, ...] = ()
    output_names: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()
    negative: float = 0.0
    positive: float = 1.0
    #: box of the raw 2-D input plane for decision-boundary maps ((xmin, xmax), (ymin, ymax))
    extent: tuple[tuple[float, float], tuple[float, float]] | None = None
    #: mean and std used to standardize inputs (train statistics), or None
    input_mean: np.ndarray | None = None
    input_std: np.ndarray | None = None
    #: the options it was made with, so it can be made again exactly
    options: dict = field(default_factory=dict)
    #: raw inputs before extra features and standardization (what scatter plots show)
    raw_train: np.ndarray | None = None
    raw_test: np.ndarray | None = None
    #: extra input features appended to the raw ones, in order (see ``FEATURES``)
    features: tuple[str, ...] = ()

    def prepare(self, raw: np.ndarray) -> np.ndarray:
        """Map raw inputs (n, raw_dims) to network inputs: extra features, then standardization.

        This is how the decision-boundary grid is fed to the network.
        """
        raw = np.asarray(raw, dtype=np.float64)
        cols = [raw] + [FEATURES[name](raw) for name in self.features]
        x = np.concatenate(cols, axis=1) if self.features else raw
        if self.input_mean is not None and self.input_std is not None:
            x = (x - self.input_mean) / self.input_std
        return x

    @property
    def n_inputs(self) -> int:
        return self.x_train.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.y_train.shape[1]

    @property
    def n_train(self) -> int:
        return self.x_train.shape[0]

    @property
    def n_test(self) -> int:
        return self.x_test.shape[0]
