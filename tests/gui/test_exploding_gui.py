""""I set the learning rate to 10 and broke it": the window stops an exploding run (nothing
has overflowed yet) and says so, with the step, the layer and the advice to lower the rate."""

from __future__ import annotations

import math
import re
from operator import attrgetter

import numpy as np
from PySide6.QtWidgets import QMessageBox

from core.experiment import LayerConfig


def test_a_learning_rate_of_ten_is_stopped_and_explained(window, qtbot):
    s = window.session
    assert s.update(network={"hidden": (LayerConfig(16, "relu"),) * 4,
                             "output_activation": "sigmoid", "init": "he_normal"},
                    training={"loss": "bce", "optimizer": "sgd", "lr": 10.0})
    with qtbot.waitSignal(s.problem, timeout=30000) as blocker:
        s.play()
    message = blocker.args[0]
    qtbot.waitUntil(lambda: not s.running, timeout=5000)
    found = re.search(r"step (\d+) in layer '(hidden \d|output)'", message)
    assert found and "exploding" in message, message
    assert "Lower the learning rate (now 10)" in message
    box = window.findChild(QMessageBox, "activation-lab-warning")
    assert box is not None and box.text() == message
    assert window.transport.play.text() == "Play"
    flat = s.call(attrgetter("net.flat")).result(timeout=5)
    limit = s.call(attrgetter("norm_limit")).result(timeout=5)
    assert np.isfinite(flat).all() and math.sqrt(flat @ flat) <= limit
    assert s.call(attrgetter("step_count")).result(timeout=5) == int(found.group(1)) - 1
