"""One hidden layer's row (units, activation, parameters, remove) and the parameter popup."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

import core.activations as acts
from core.experiment import LayerConfig

from .. import formula as formulas
from ..widgets import NumberEdit, SliderEdit, compact_combo, fill_from_registry, select_data

__all__ = ["LayerRow", "ParamPopup", "fill_activation_combo", "keep_place", "pick_activation",
           "MAX_UNITS"]

MAX_UNITS = 256


def fill_activation_combo(combo: QComboBox, *, hidden: bool) -> None:
    """Every registered activation (display name, summary as tooltip). For hidden layers the
    output-only ones (softmax: a function of the whole layer) are left out."""
    names = [n for n in acts.names() if not (hidden and acts.activation_class(n).vector)]
    fill_from_registry(combo, names, lambda n: acts.get(n).info,
                       group=lambda info: info.category)  # families apart
    formulas.add_formulas(combo, formulas.shared())  # the student's own, and "New…"


def pick_activation(combo: QComboBox, previous: str, parent: QWidget) -> str | None:
    """The activation the combo now shows: a name, or after "New activation from a
    formula…" the formula typed (None, and the previous choice shown again, if cancelled)."""
    name = combo.currentData()
    if name != formulas.NEW:
        return name
    spec = formulas.new_formula(parent)
    with QSignalBlocker(combo):
        if spec is not None:
            formulas.ensure_item(combo, spec)
        if not select_data(combo, spec or previous):
            combo.setCurrentIndex(-1)
    return spec


def _params_text(activation: str, params: dict) -> str:
    specs = acts.activation_class(activation).PARAMS
    if not specs:
        return "This function has no parameters."
    values = ", ".join(f"{s.name} = {params.get(s.name, s.default):g}" for s in specs)
    return f"Parameters: {values}. Click to change them."


def keep_place(w: QWidget) -> None:
    """A hidden ⚙ still takes its place, so the rows' combos stay lined up."""
    policy = w.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    w.setSizePolicy(policy)


class ParamPopup(QFrame):
    """A popup with a slider and a number field per parameter of one activation.

    Signals
    -------
    paramsCommitted(dict)
        All parameter values after one of them was changed.
    """

    paramsCommitted = Signal(dict)

    def __init__(self, activation: str, params: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._specs = acts.activation_class(activation).PARAMS
        form = QFormLayout(self)
        form.setContentsMargins(8, 6, 8, 6)
        title = QLabel(f"<b>{acts.get(activation).info.display_name}</b>", self)
        form.addRow(title)
        self.edits: dict[str, SliderEdit] = {}
        for spec in self._specs:
            log = spec.lo > 0 and spec.hi / spec.lo >= 100
            edit = SliderEdit(params.get(spec.name, spec.default), spec.lo, spec.hi, log=log,
                              parent=self)
            edit.setHelp(spec.doc or f"The parameter {spec.name} (default {spec.default:g}).")
            edit.setMinimumWidth(200)
            edit.valueCommitted.connect(self._emit)
            label = QLabel(spec.name, self)
            label.setToolTip(spec.doc)
            form.addRow(label, edit)
            self.edits[spec.name] = edit
        reset = QPushButton("Defaults", self)
        reset.setToolTip("Put every parameter back to its usual value.")
        reset.clicked.connect(self._defaults)
        form.addRow(reset)

    def values(self) -> dict[str, float]:
        return {name: e.value() for name, e in self.edits.items()}

    def set_params(self, params: dict) -> None:
        for spec in self._specs:
            self.edits[spec.name].setValue(params.get(spec.name, spec.default))

    def _emit(self) -> None:
        self.paramsCommitted.emit(self.values())

    def _defaults(self) -> None:
        self.set_params({})
        self._emit()


class LayerRow(QWidget):
    """Units, activation, ⚙ parameters and ✕ for one hidden layer.

    Signals
    -------
    layerEdited(LayerConfig)
        The student changed this layer.
    removeClicked()
    """

    layerEdited = Signal(object)
    removeClicked = Signal()

    def __init__(self, layer: LayerConfig, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layer = layer
        self.popup: ParamPopup | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        self.number = QLabel(self)
        self.number.setFixedWidth(14)
        self.units = NumberEdit(layer.units, 1, MAX_UNITS, integer=True, parent=self)
        self.units.setFixedWidth(40)
        self.units.setHelp("How many units (neurons) this hidden layer has.")
        self.activation = QComboBox(self)
        fill_activation_combo(self.activation, hidden=True)
        compact_combo(self.activation)
        self.gear = QToolButton(self)
        self.gear.setText("⚙")
        keep_place(self.gear)
        self.remove = QToolButton(self)
        self.remove.setText("✕")
        self.remove.setToolTip("Remove this hidden layer.")
        for w in (self.number, self.units):
            lay.addWidget(w)
        lay.addWidget(self.activation, 1)
        lay.addWidget(self.gear)
        lay.addWidget(self.remove)
        self.units.valueCommitted.connect(
            lambda v: self.layerEdited.emit(LayerConfig(int(v), self._layer.activation,
                                                        dict(self._layer.params))))
        self.activation.currentIndexChanged.connect(self._on_activation)
        formulas.shared().changed.connect(self._refill)
        self.gear.clicked.connect(self.open_params)
        self.remove.clicked.connect(self.removeClicked)
        self.set_layer(layer, number)

    def layer(self) -> LayerConfig:
        return self._layer

    def set_layer(self, layer: LayerConfig, number: int) -> None:
        """Show ``layer`` (signals blocked, so nothing is sent back)."""
        self._layer = layer
        self.number.setText(str(number))
        self.number.setToolTip(f"Hidden layer {number}, counted from the inputs.")
        formulas.ensure_item(self.activation, layer.activation)
        with QSignalBlocker(self.units), QSignalBlocker(self.activation):
            self.units.setValue(layer.units)
            if not select_data(self.activation, layer.activation):
                self.activation.setCurrentIndex(-1)
        info_tip = self.activation.currentData(Qt.ItemDataRole.ToolTipRole) or ""
        self.activation.setToolTip(f"The activation function of this layer's units. {info_tip}")
        try:
            has_params = bool(acts.activation_class(layer.activation).PARAMS)
            self.gear.setToolTip(_params_text(layer.activation, layer.params))
        except KeyError:
            has_params = False
        self.gear.setEnabled(has_params)
        self.gear.setVisible(has_params)
        if self.popup is not None:
            if self.popup.property("activation") == layer.activation:
                self.popup.set_params(layer.params)
            else:
                self.popup.close()

    def _refill(self) -> None:
        formulas.add_formulas(self.activation, formulas.shared())
        formulas.ensure_item(self.activation, self._layer.activation)
        with QSignalBlocker(self.activation):
            select_data(self.activation, self._layer.activation)

    def open_params(self) -> ParamPopup | None:
        """Open the parameter popup under the ⚙ button (returns it, for tests)."""
        act = self._layer.activation
        if not acts.activation_class(act).PARAMS:
            return None
        if self.popup is not None:
            self.popup.deleteLater()
        self.popup = ParamPopup(act, self._layer.params, self)
        self.popup.setProperty("activation", act)
        self.popup.paramsCommitted.connect(
            lambda p: self.layerEdited.emit(LayerConfig(self._layer.units, act, p)))
        self.popup.move(self.gear.mapToGlobal(QPoint(0, self.gear.height())))
        self.popup.show()
        return self.popup

    def _on_activation(self, _index: int) -> None:
        name = pick_activation(self.activation, self._layer.activation, self)
        # a new function: its own parameters, at their defaults
        if name is not None and name != self._layer.activation:
            self.layerEdited.emit(LayerConfig(self._layer.units, name, {}))
