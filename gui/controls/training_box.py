"""The Training section: optimizer, learning rate, batch size, penalties, clipping, epoch limit."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QWidget

import core.optimizers as optimizers
from core.experiment import Experiment

from ..widgets import NumberEdit, SliderEdit, compact_combo, fill_from_registry, select_data

__all__ = ["TrainingBox", "LR_RANGE"]

LR_RANGE = (1e-5, 10.0)
_DEFAULT_CLIP = 1.0
_DEFAULT_EPOCHS = 100


class TrainingBox(QWidget):
    """Edits ``experiment.training``. Learning rate, batch size and the epoch limit apply to the
    running network; everything else starts the network again from its seed."""

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._grid = grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)

        self.optimizer = fill_from_registry(QComboBox(self), optimizers.names(), optimizers.get)
        compact_combo(self.optimizer)
        self.optimizer.setToolTip("The rule that turns gradients into weight changes. Changing "
                                  "it starts the network again.")
        self.lr = SliderEdit(0.03, *LR_RANGE, log=True, parent=self)
        self.lr.setHelp("How big a step each update takes along the gradient. Too small: slow. "
                        "Too big: the loss jumps around or blows up. Changes apply at once, "
                        "without restarting.")
        self.batch_size = NumberEdit(10, 1, 200_000, integer=True, parent=self)
        self.batch_size.setHelp("How many training points each update averages over: 1 is "
                                "online learning, all of them is full-batch. Applies at once.")
        self.l1 = NumberEdit(0.0, 0.0, 10.0, parent=self)
        self.l1.setHelp("L1 penalty λ₁·Σ|w|: pushes weights to exactly zero. 0 turns it off.")
        self.l2 = NumberEdit(0.0, 0.0, 10.0, parent=self)
        self.l2.setHelp("L2 penalty ½λ₂·Σw² (weight decay): keeps weights small. 0 turns it "
                        "off.")
        self.clip_on = QCheckBox("Clip gradient at", self)
        self.clip_on.setToolTip("If the gradient (all weights together) is longer than this, "
                                "shrink it to this length. Tames exploding gradients.")
        self.clip = NumberEdit(_DEFAULT_CLIP, 1e-6, 1e6, parent=self)
        self.clip.setHelp("The largest gradient length allowed.")
        self.limit_on = QCheckBox("Stop after", self)
        self.limit_on.setToolTip("Pause training by itself after this many epochs (passes "
                                 "over the training points).")
        self.limit = NumberEdit(_DEFAULT_EPOCHS, 1, 1_000_000, integer=True, parent=self)
        self.limit.setHelp("The number of epochs after which training pauses.")

        grid.addWidget(QLabel("Optimizer", self), 0, 0)
        grid.addWidget(self.optimizer, 0, 1, 1, 3)
        grid.addWidget(QLabel("Rate", self), 1, 0)
        grid.addWidget(self.lr, 1, 1, 1, 3)
        grid.addWidget(QLabel("Batch", self), 2, 0)
        grid.addWidget(self.batch_size, 2, 1)
        grid.addWidget(QLabel("L1", self), 3, 0)
        grid.addWidget(self.l1, 3, 1)
        grid.addWidget(QLabel("L2", self), 3, 2)
        grid.addWidget(self.l2, 3, 3)
        grid.addWidget(self.clip_on, 4, 0, 1, 2)
        grid.addWidget(self.clip, 4, 2, 1, 2)
        grid.addWidget(self.limit_on, 5, 0, 1, 2)
        grid.addWidget(self.limit, 5, 2, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        for w, text in ((grid.itemAtPosition(1, 0).widget(), self.lr.edit.toolTip()),
                        (grid.itemAtPosition(2, 0).widget(), self.batch_size.toolTip())):
            w.setToolTip(text)

        self.optimizer.currentIndexChanged.connect(
            lambda _: self._update(training={"optimizer": self.optimizer.currentData()}))
        self.lr.valueCommitted.connect(lambda v: self._update(training={"lr": v}))
        self.batch_size.valueCommitted.connect(
            lambda v: self._update(training={"batch_size": int(v)}))
        self.l1.valueCommitted.connect(lambda v: self._update(training={"l1": v}))
        self.l2.valueCommitted.connect(lambda v: self._update(training={"l2": v}))
        self.clip_on.toggled.connect(
            lambda on: self._update(training={"clip_norm": self.clip.value() if on else None}))
        self.clip.valueCommitted.connect(self._on_clip)
        self.limit_on.toggled.connect(
            lambda on: self._update(training={"epoch_limit": int(self.limit.value()) if on
                                              else None}))
        self.limit.valueCommitted.connect(self._on_limit)
        session.experimentChanged.connect(self.show_experiment)
        self.show_experiment(session.experiment)

    def classroom_widgets(self) -> dict[str, list[QWidget]]:
        """The widgets of each classroom control (``core.experiment.CLASSROOM_CONTROLS``)."""
        def label(row: int, col: int) -> QWidget:
            return self._grid.itemAtPosition(row, col).widget()

        return {
            "optimizer": [label(0, 0), self.optimizer], "lr": [label(1, 0), self.lr],
            "batch_size": [label(2, 0), self.batch_size],
            "regularization": [label(3, 0), self.l1, label(3, 2), self.l2],
            "clip": [self.clip_on, self.clip], "epoch_limit": [self.limit_on, self.limit],
        }

    # --- model -> widgets ------------------------------------------------------------
    def show_experiment(self, exp: Experiment) -> None:
        t = exp.training
        ds = self._session.dataset
        with (QSignalBlocker(self.optimizer), QSignalBlocker(self.lr),
              QSignalBlocker(self.batch_size), QSignalBlocker(self.l1), QSignalBlocker(self.l2),
              QSignalBlocker(self.clip_on), QSignalBlocker(self.clip),
              QSignalBlocker(self.limit_on), QSignalBlocker(self.limit)):
            select_data(self.optimizer, t.optimizer)
            self.lr.setValue(t.lr)
            if ds is not None:
                self.batch_size.setRange(1, max(1, ds.n_train))
            self.batch_size.setValue(t.batch_size)
            self.l1.setValue(t.l1)
            self.l2.setValue(t.l2)
            self.clip_on.setChecked(t.clip_norm is not None)
            if t.clip_norm is not None:
                self.clip.setValue(t.clip_norm)
            self.clip.setEnabled(t.clip_norm is not None)
            self.limit_on.setChecked(t.epoch_limit is not None)
            if t.epoch_limit is not None:
                self.limit.setValue(t.epoch_limit)
            self.limit.setEnabled(t.epoch_limit is not None)

    # --- widgets -> model ------------------------------------------------------------
    def _update(self, **changes: Any) -> bool:
        ok = self._session.update(**changes)
        if not ok:
            self.show_experiment(self._session.experiment)
        return ok

    def _on_clip(self, v: float) -> None:
        if self.clip_on.isChecked():
            self._update(training={"clip_norm": v})

    def _on_limit(self, v: float) -> None:
        if self.limit_on.isChecked():
            self._update(training={"epoch_limit": int(v)})
