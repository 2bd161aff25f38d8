"""The panels the main window shows, in default order, imported lazily by dotted name."""

from __future__ import annotations

import importlib

from .base import Panel

__all__ = ["PANELS", "panel_classes"]

#: (module under gui.panels, class name)
PANELS: tuple[tuple[str, str], ...] = (
    ("output", "OutputPanel"),
    ("training_curves", "TrainingCurvesPanel"),
    ("activation_curves", "ActivationCurvesPanel"),
    ("derivatives", "DerivativesPanel"),
    ("histograms", "HistogramsPanel"),
    ("gradient_flow", "GradientFlowPanel"),
    ("network_graph", "NetworkGraphPanel"),
)


def panel_classes() -> list[type[Panel]]:
    return [
        getattr(importlib.import_module(f"gui.panels.{mod}"), cls) for mod, cls in PANELS
    ]
