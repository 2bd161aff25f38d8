"""The panels the main window shows, in default order: names and descriptions here, the code
imported only when a panel is first built.

Why the descriptions live here and not only in the panel classes: the window lays out its docks
(titles and tooltips) before any panel is built, and building the first panel imports
pyqtgraph (about a third of a second); keeping this module free of it lets the window paint
first (see ``MainWindow.defer_panels``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .base import Panel

__all__ = ["PANELS", "PanelEntry", "describe", "panel_class", "panel_classes"]


class PanelEntry(NamedTuple):
    panel_id: str
    module: str  # under gui.panels
    class_name: str
    title: str
    tooltip: str


PANELS: tuple[PanelEntry, ...] = (
    PanelEntry("output", "output", "OutputPanel", "Output",
               "What the network outputs for the data set: a map over the input plane, a "
               "fitted curve, the 7-segment digits or a confusion matrix"),
    PanelEntry("training_curves", "training_curves", "TrainingCurvesPanel", "Training curves",
               "Loss and accuracy (or R²) on the training and test sets after every epoch. "
               "A test curve that turns up while the train curve keeps falling means "
               "overfitting."),
    PanelEntry("activation_curves", "activation_curves", "ActivationCurvesPanel",
               "Activation curves",
               "Activation functions side by side: shape, saturation, kinks and properties."),
    PanelEntry("derivatives", "derivatives", "DerivativesPanel", "Derivatives",
               "f′ and f″ against z, the numerical check of f′, f′ in terms of the output, and "
               "how the derivatives multiply through many layers."),
    PanelEntry("histograms", "histograms", "HistogramsPanel", "Activation histograms",
               "How the values inside each layer are spread: pile-ups at the ends mean "
               "saturation, a spike at 0 with ReLU means dead units."),
    PanelEntry("gradient_flow", "gradient_flow", "GradientFlowPanel", "Gradient flow",
               "How strongly each layer is pushed by backpropagation. If the first layer's bar "
               "is tiny next to the last one's, the gradient vanishes on its way back."),
    PanelEntry("network_graph", "network_graph", "NetworkGraphPanel", "Network graph",
               "The network as a graph: weights as coloured lines (sign) of varying thickness "
               "(size), units coloured by their mean activation; click a unit for details"),
)

_BY_ID = {entry.panel_id: entry for entry in PANELS}


def describe(panel_id: str) -> tuple[str, str]:
    """(title, tooltip) of a panel: what its class and its dock show."""
    entry = _BY_ID[panel_id]
    return entry.title, entry.tooltip


def panel_class(panel_id: str) -> type[Panel]:
    """The panel's class, importing its module (and so pyqtgraph) on first use."""
    entry = _BY_ID[panel_id]  # KeyError for an unknown id
    return getattr(importlib.import_module(f"gui.panels.{entry.module}"), entry.class_name)


def panel_classes() -> list[type[Panel]]:
    return [panel_class(entry.panel_id) for entry in PANELS]
