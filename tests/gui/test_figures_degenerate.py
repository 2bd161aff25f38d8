"""Figures in the degenerate cases (#16): every gradient exactly zero, a network of one layer,
a run of one epoch. Each panel's figure is still clean (figure_checks), and the titles and
words say what is true of that case."""

from __future__ import annotations

import numpy as np
import pytest
from figure_checks import figure_faults
from PySide6.QtCore import QSize

from core.experiment import LayerConfig
from gui.panels.registry import panel_classes
from gui.theme import LIGHT

SIZE = QSize(960, 510)
PANELS = {cls.panel_id: cls for cls in panel_classes()}


def drawn(qtbot, view, panel_id: str):
    panel = PANELS[panel_id]()
    qtbot.addWidget(panel)
    panel.resize(SIZE)
    panel.apply_theme(LIGHT)
    panel.update_view(view)
    return panel


def every_figure_clean(qtbot, view) -> dict:
    faults = {}
    for pid in PANELS:
        found = figure_faults(drawn(qtbot, view, pid), SIZE)
        if found:
            faults[pid] = found
    return faults


def test_every_gradient_zero(qtbot, make_view):
    """Every ReLU unit dead from the start (bias −10): no weight gradient anywhere, the
    output layer's included (its inputs are all 0). The bars and the curves over time say
    so in words, not with log axes of 10⁻¹² ranges."""
    view = make_view("dying-relu", steps=60, network={"bias_init": -10.0})
    norms = [layer.grad_norm_w for layer in view.snapshot.layers]
    assert norms == [0.0] * len(norms)
    panel = drawn(qtbot, view, "gradient_flow")
    assert panel.summary.startswith("every layer's gradient is zero: no layer learns")
    assert "every layer's gradient is zero" in panel.bar_plot.titleLabel.text
    assert panel.norm_empty.shown and panel.ratio_empty.shown
    assert "exactly 0" in panel.norm_empty.text
    assert every_figure_clean(qtbot, view) == {}


def test_one_layer(qtbot, make_view):
    view = make_view("circles-tanh", steps=60, network={"hidden": ()})
    assert len(view.snapshot.layers) == 1
    panel = drawn(qtbot, view, "gradient_flow")
    assert panel.summary == "only one layer: there is no first and last layer to compare"
    assert every_figure_clean(qtbot, view) == {}


def test_one_epoch(qtbot, make_view):
    """A run of one epoch: the curves over time have one point per layer, drawn as a dot;
    the training curves have the epoch before training and the one after."""
    view = make_view("xor-2-4-1-tanh", steps=3)
    assert view.snapshot.epoch >= 1 and len(view.timeline) <= 3
    panel = drawn(qtbot, view, "training_curves")
    x, y = panel.curves["train_loss"].getData()
    assert len(x) >= 2 and np.isfinite(y).all()
    flow = drawn(qtbot, view, "gradient_flow")
    x, y = flow.norm_lines[0].getData()
    if len(x) == 1:  # one point: a dot, as a line needs two
        assert flow.norm_lines[0].opts["symbol"] == "o"
    assert every_figure_clean(qtbot, view) == {}


@pytest.mark.parametrize("hidden", [(LayerConfig(1, "relu"),), (LayerConfig(2, "sigmoid"),)
                                    * 6])
def test_tiny_and_deep_narrow_networks(qtbot, make_view, hidden):
    view = make_view("circles-tanh", steps=60, network={"hidden": hidden})
    assert every_figure_clean(qtbot, view) == {}
