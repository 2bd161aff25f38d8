"""Activation Lab's engine: pure NumPy, never Qt.

BLAS is pinned to one thread before NumPy loads: at these sizes a second BLAS thread never
helps, and a spinning BLAS worker starves the GUI thread on a 2-core machine.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from . import activations  # noqa: E402

__all__ = ["activations"]
__version__ = "0.1.0"
