"""Activation Lab's engine: pure NumPy, never Qt.

BLAS is pinned to one thread before NumPy loads: at these sizes a second BLAS thread never
helps, and a spinning BLAS worker starves the GUI thread on a 2-core machine.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from . import (  # noqa: E402
    activations,
    datasets,
    diagnostics,
    initializers,
    limits,
    losses,
    optimizers,
)
from .gradcheck import GradCheckResult, gradcheck  # noqa: E402
from .network import Network  # noqa: E402
from .pairing import default_loss_for, pairing_warning  # noqa: E402
from .snapshot import GridOutput, Histogram, LayerSnapshot, Snapshot  # noqa: E402
from .state import restore_trainer, trainer_state  # noqa: E402
from .timeline import History, Timeline  # noqa: E402
from .trainer import Trainer, TrainingDiverged  # noqa: E402

__all__ = [
    "GradCheckResult",
    "GridOutput",
    "Histogram",
    "History",
    "LayerSnapshot",
    "Network",
    "Snapshot",
    "Timeline",
    "Trainer",
    "TrainingDiverged",
    "activations",
    "datasets",
    "default_loss_for",
    "diagnostics",
    "gradcheck",
    "initializers",
    "limits",
    "losses",
    "optimizers",
    "pairing_warning",
    "restore_trainer",
    "trainer_state",
]
__version__ = "0.1.0"
