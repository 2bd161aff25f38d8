"""The Network section: hidden layers, output activation and loss, initialization, seed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import core
import core.activations as acts
import core.initializers as initializers
import core.losses as losses
from core.experiment import Experiment, LayerConfig

from .. import formula as formulas
from ..widgets import NumberEdit, compact_combo, fill_from_registry, formula_tip, select_data
from .layer_row import LayerRow, ParamPopup, fill_activation_combo, keep_place, pick_activation

__all__ = ["NetworkBox", "MAX_LAYERS"]

MAX_LAYERS = 16

_WARNING_STYLE = ("QLabel { background: #FFF1CC; color: #5C3D00; border: 1px solid #E69F00; "
                  "border-radius: 3px; padding: 3px; }")


class NetworkBox(QWidget):
    """Edits ``experiment.network`` (and the loss) through the session."""

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        #: the loss the student picked by hand; kept when the output activation changes
        self._explicit_loss: str | None = None
        self.rows: list[LayerRow] = []
        self._popup: ParamPopup | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 2, 4, 2)
        outer.setSpacing(3)
        self._head = head = QLabel("Hidden layers", self)
        head.setToolTip("The layers between the inputs and the output, listed from the inputs: "
                        "units, activation function, its parameters (⚙) and ✕ to remove. "
                        "Zero hidden layers is a single-layer perceptron.")
        outer.addWidget(head)
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(2)
        outer.addLayout(self._rows_box)
        self.add_button = QPushButton("Add layer", self)
        self.add_button.setToolTip(f"Add a hidden layer after the last one (at most "
                                   f"{MAX_LAYERS}). It copies the last layer's settings.")
        outer.addWidget(self.add_button)

        self._grid = grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        outer.addLayout(grid)
        self.output_combo = QComboBox(self)
        fill_activation_combo(self.output_combo, hidden=False)
        self.output_combo.setToolTip(
            "The output layer's activation. Usually: sigmoid for yes/no, softmax for one of "
            "several classes, identity (linear) for regression.")
        self.output_gear = QToolButton(self)
        self.output_gear.setText("⚙")
        keep_place(self.output_gear)
        out_row = QHBoxLayout()
        out_row.setSpacing(3)
        out_row.addWidget(self.output_combo, 1)
        out_row.addWidget(self.output_gear)
        self.loss_combo = fill_from_registry(QComboBox(self), losses.names(), losses.get,
                                             formula_tip)
        self.loss_combo.setToolTip(
            "What the network minimizes. Picking an output activation picks the loss that "
            "suits it, unless you choose one here yourself.")
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(_WARNING_STYLE)
        self.warning.setVisible(False)
        self.init_combo = fill_from_registry(QComboBox(self), initializers.names(),
                                             initializers.get, formula_tip)
        self.init_combo.setToolTip("How the starting weights are drawn. Xavier suits tanh and "
                                   "sigmoid, He suits ReLU; all zeros never breaks symmetry.")
        for combo in (self.output_combo, self.loss_combo, self.init_combo):
            compact_combo(combo)
        self.bias_init = NumberEdit(0.0, -100.0, 100.0, parent=self)
        self.bias_init.setHelp("The value every bias starts at. A very negative bias makes ReLU "
                               "units start dead.")
        self.batchnorm = QCheckBox("Batch norm", self)
        self.batchnorm.setToolTip(
            "Normalize each hidden layer's inputs z over the batch (mean 0, variance 1, then a "
            "learned scale and shift) before the activation.")
        self.seed = NumberEdit(0, 0, 2**32 - 1, integer=True, parent=self)
        self.seed.setHelp("The random seed for the starting weights. The same seed always "
                          "gives the same network.")
        grid.addWidget(QLabel("Output", self), 0, 0)
        grid.addLayout(out_row, 0, 1, 1, 3)
        grid.addWidget(QLabel("Loss", self), 1, 0)
        grid.addWidget(self.loss_combo, 1, 1, 1, 3)
        grid.addWidget(self.warning, 2, 0, 1, 4)
        grid.addWidget(QLabel("Weights", self), 3, 0)
        grid.addWidget(self.init_combo, 3, 1, 1, 3)
        grid.addWidget(QLabel("Bias", self), 4, 0)
        grid.addWidget(self.bias_init, 4, 1)
        grid.addWidget(QLabel("Seed", self), 4, 2)
        grid.addWidget(self.seed, 4, 3)
        grid.addWidget(self.batchnorm, 5, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self.add_button.clicked.connect(self.add_layer)
        self.output_combo.currentIndexChanged.connect(self._on_output)
        formulas.shared().changed.connect(self._refill_output)
        self.output_gear.clicked.connect(self.open_output_params)
        self.loss_combo.currentIndexChanged.connect(self._on_loss)
        self.init_combo.currentIndexChanged.connect(
            lambda _: self._update(network={"init": self.init_combo.currentData()}))
        self.bias_init.valueCommitted.connect(lambda v: self._update(network={"bias_init": v}))
        self.seed.valueCommitted.connect(lambda v: self._update(network={"seed": int(v)}))
        self.batchnorm.toggled.connect(lambda on: self._update(network={"batchnorm": on}))
        session.experimentChanged.connect(self.show_experiment)
        self.show_experiment(session.experiment)

    def classroom_widgets(self) -> dict[str | tuple[str, ...], list[QWidget]]:
        """The widgets of each classroom control (``core.experiment.CLASSROOM_CONTROLS``);
        a tuple key: widgets hidden only when all its controls are (the layers' frame)."""
        def label(row: int, col: int) -> QWidget:
            return self._grid.itemAtPosition(row, col).widget()

        rows = self.rows
        return {
            "layers": [self.add_button, *(r.units for r in rows), *(r.remove for r in rows)],
            "activation": [*(r.activation for r in rows), *(r.gear for r in rows)],
            ("layers", "activation"): [self._head, *(r.number for r in rows)],
            "output": [label(0, 0), self.output_combo, self.output_gear],
            "loss": [label(1, 0), self.loss_combo], "init": [label(3, 0), self.init_combo],
            "bias": [label(4, 0), self.bias_init], "network_seed": [label(4, 2), self.seed],
            "batchnorm": [self.batchnorm],
        }

    # --- model -> widgets ------------------------------------------------------------
    def show_experiment(self, exp: Experiment) -> None:
        net, tr = exp.network, exp.training
        if tr.loss != self._explicit_loss:  # changed elsewhere (preset, file, data set)
            self._explicit_loss = None
        # a formula from a file, a lesson or a comparison: derived once, under a busy cursor
        formulas.prepare([*(h.activation for h in net.hidden), net.output_activation])
        self._show_layers(net.hidden)
        with (QSignalBlocker(self.output_combo), QSignalBlocker(self.loss_combo),
              QSignalBlocker(self.init_combo), QSignalBlocker(self.bias_init),
              QSignalBlocker(self.seed), QSignalBlocker(self.batchnorm)):
            formulas.ensure_item(self.output_combo, net.output_activation)
            select_data(self.output_combo, net.output_activation)
            select_data(self.loss_combo, tr.loss)
            select_data(self.init_combo, net.init)
            self.bias_init.setValue(net.bias_init)
            self.seed.setValue(net.seed)
            self.batchnorm.setChecked(net.batchnorm)
        try:
            has_params = bool(acts.activation_class(net.output_activation).PARAMS)
        except KeyError:
            has_params = False
        self.output_gear.setEnabled(has_params)
        self.output_gear.setVisible(has_params)
        self.output_gear.setToolTip("Parameters of the output activation." if has_params else
                                    "The output activation has no parameters.")
        if self._popup is not None and self._popup.isVisible():
            self._popup.set_params(net.output_params)
        self._show_warning(exp)

    def _show_layers(self, hidden: tuple[LayerConfig, ...]) -> None:
        while len(self.rows) > len(hidden):
            row = self.rows.pop()
            row.hide()
            row.deleteLater()
        while len(self.rows) < len(hidden):
            i = len(self.rows)
            row = LayerRow(hidden[i], i + 1, self)
            row.layerEdited.connect(lambda layer, r=row: self._edit_layer(r, layer))
            row.removeClicked.connect(
                lambda r=row: r in self.rows and self.remove_layer(self.rows.index(r)))
            self._rows_box.addWidget(row)
            self.rows.append(row)
        for i, (row, layer) in enumerate(zip(self.rows, hidden)):
            row.set_layer(layer, i + 1)
        self.add_button.setEnabled(len(hidden) < MAX_LAYERS)

    def _show_warning(self, exp: Experiment) -> None:
        ds = self._session.dataset
        try:
            text = core.pairing_warning(
                exp.training.loss, exp.network.output_activation,
                ds.task if ds is not None else "binary",
                ds.n_outputs if ds is not None else None)
        except (KeyError, ValueError):
            text = None
        self.warning.setText(f"⚠ {text}" if text else "")
        self.warning.setVisible(bool(text))

    # --- widgets -> model ------------------------------------------------------------
    def _update(self, **changes: Any) -> bool:
        ok = self._session.update(**changes)
        if not ok:
            self.show_experiment(self._session.experiment)
        return ok

    def _set_hidden(self, hidden: list[LayerConfig]) -> bool:
        return self._update(network={"hidden": tuple(hidden)})

    def add_layer(self) -> bool:
        hidden = list(self._session.experiment.network.hidden)
        if len(hidden) >= MAX_LAYERS:
            return False
        hidden.append(hidden[-1] if hidden else LayerConfig(4, "tanh"))
        return self._set_hidden(hidden)

    def remove_layer(self, index: int) -> bool:
        hidden = list(self._session.experiment.network.hidden)
        if not 0 <= index < len(hidden):
            return False
        del hidden[index]
        return self._set_hidden(hidden)

    def _edit_layer(self, row: LayerRow, layer: LayerConfig) -> None:
        if row not in self.rows:  # a row being removed committed its last typed text
            return
        hidden = list(self._session.experiment.network.hidden)
        i = self.rows.index(row)
        if i < len(hidden):
            hidden[i] = layer
            self._set_hidden(hidden)

    def _on_output(self, _index: int) -> None:
        exp = self._session.experiment
        name = pick_activation(self.output_combo, exp.network.output_activation, self)
        if name is None or name == exp.network.output_activation:
            return
        changes: dict[str, dict[str, Any]] = {
            "network": {"output_activation": name, "output_params": {}}}
        if self._explicit_loss is None:
            ds = self._session.dataset
            task = ds.task if ds is not None else "binary"
            loss = core.default_loss_for(task, name)
            if loss != exp.training.loss:
                changes["training"] = {"loss": loss}
        self._update(**changes)

    def _refill_output(self) -> None:
        current = self._session.experiment.network.output_activation
        formulas.add_formulas(self.output_combo, formulas.shared())
        formulas.ensure_item(self.output_combo, current)
        with QSignalBlocker(self.output_combo):
            select_data(self.output_combo, current)

    def _on_loss(self, _index: int) -> None:
        name = self.loss_combo.currentData()
        if name is not None and self._update(training={"loss": name}):
            self._explicit_loss = name

    def open_output_params(self) -> ParamPopup | None:
        net = self._session.experiment.network
        if not acts.activation_class(net.output_activation).PARAMS:
            return None
        if self._popup is not None:
            self._popup.deleteLater()
        self._popup = ParamPopup(net.output_activation, net.output_params, self)
        self._popup.paramsCommitted.connect(
            lambda p: self._update(network={"output_params": p}))
        self._popup.move(self.output_gear.mapToGlobal(self.output_gear.rect().bottomLeft()))
        self._popup.show()
        return self._popup
