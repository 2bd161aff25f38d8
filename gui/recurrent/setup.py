"""The recurrent lab's experiment, ``LabSetup``: it lives in ``core.recurrent.lab_setup``
(a lesson file can hold one, and the core reads lessons); the lab's modules import it from
here."""

from __future__ import annotations

from core.recurrent.lab_setup import (
    CELLS,
    FORGET_BIASES,
    GATE_SWAPS,
    LIMITS,
    MAX_CLIP,
    MAX_LR,
    OUTPUT_SWAPS,
    RUNS,
    TASKS,
    CellSetup,
    LabSetup,
    divergence_sentence,
    short_name,
    task_word,
    usable_activations,
)

__all__ = [
    "CELLS",
    "FORGET_BIASES",
    "GATE_SWAPS",
    "LIMITS",
    "MAX_CLIP",
    "MAX_LR",
    "OUTPUT_SWAPS",
    "RUNS",
    "TASKS",
    "CellSetup",
    "LabSetup",
    "divergence_sentence",
    "short_name",
    "task_word",
    "usable_activations",
]
