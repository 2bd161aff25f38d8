"""The recurrent lab's engine: LSTM and GRU cells with backpropagation through time.

Pure NumPy, like the rest of the core. ``LSTM`` and ``GRU`` follow PyTorch's weight layout
and gate order; ``tasks`` holds small seeded sequence problems and the parser for typed
sequences; ``SequenceTrainer`` trains a cell with a linear readout on one of them.
"""

from __future__ import annotations

from . import tasks
from ._base import MAX_HIDDEN, MAX_STATE_VALUES, MAX_STEPS
from .gru import GRU, GRURecord
from .lstm import LSTM, LSTMRecord, forget_product
from .model import SequenceModel
from .tasks import SequenceTask, parse_sequence
from .training import STATE_LIMIT, SequenceHistory, SequenceTrainer

__all__ = [
    "GRU",
    "GRURecord",
    "LSTM",
    "LSTMRecord",
    "MAX_HIDDEN",
    "MAX_STATE_VALUES",
    "MAX_STEPS",
    "STATE_LIMIT",
    "SequenceHistory",
    "SequenceModel",
    "SequenceTask",
    "SequenceTrainer",
    "forget_product",
    "parse_sequence",
    "tasks",
]
