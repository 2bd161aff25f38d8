"""Seeded toy problems, bundled real data sets and CSV import.

``names()`` lists the data sets in menu order, ``describe(name)`` says what one is and its
defaults, ``load(name, ...)`` makes a ``Dataset``; ``load_csv(path)`` reads a user's CSV file.
Importing the generator modules below registers them; their order is the menu order.
"""

from __future__ import annotations

# registration order is menu order, so these four stay in this order
# isort: off
from . import playground as _playground  # noqa: F401  (registers xor … multi_gaussian)
from . import curves as _curves  # noqa: F401  (sine)
from . import tables as _tables  # noqa: F401  (seven_segment, parity)
from . import bundled as _bundled  # noqa: F401  (iris, wine, digits)

# isort: on
from .base import FEATURES, Dataset, Task
from .csv_import import CSVError, csv_columns, load_csv, parse_csv_text
from .pipeline import TARGETS, labels
from .registry import DatasetInfo, Option, describe, load, names

__all__ = [
    "FEATURES", "TARGETS", "CSVError", "Dataset", "DatasetInfo", "Option", "Task",
    "csv_columns", "describe", "labels", "load", "load_csv", "names", "parse_csv_text",
]
