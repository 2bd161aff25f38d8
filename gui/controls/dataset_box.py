"""The Dataset section: which problem, how much data, noise, extra features, CSV import."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import core
import core.activations
import core.datasets as datasets
from core.experiment import Experiment

from ..widgets import NumberEdit, compact_combo, fill_from_registry, select_data
from ..widgets.thumbnails import dataset_icon, dataset_pixmap

__all__ = ["DatasetBox", "ask_target_column", "default_pairing"]

CSV_ITEM = "__csv__"

#: (FEATURES name, label, tooltip)
FEATURE_BOXES = (
    ("x1^2", "x₁²", "Adds x₁² as an extra input: lets a straight-line unit make round shapes."),
    ("x2^2", "x₂²", "Adds x₂² as an extra input: lets a straight-line unit make round shapes."),
    ("x1*x2", "x₁·x₂", "Adds x₁·x₂ as an extra input: the product that separates XOR at once."),
    ("sin(x1)", "sin x₁", "Adds sin x₁ as an extra input: a wavy feature along x₁."),
    ("sin(x2)", "sin x₂", "Adds sin x₂ as an extra input: a wavy feature along x₂."),
)

#: the output activation a task usually wants
_TASK_OUTPUT = {"binary": "sigmoid", "multiclass": "softmax", "regression": "identity"}


def default_pairing(task: str, current_output: str) -> dict[str, dict[str, Any]]:
    """Session changes giving ``task`` its usual output activation and the loss that fits it."""
    output = _TASK_OUTPUT.get(task, current_output)
    if output not in core.activations.names():
        output = current_output
    return {"network": {"output_activation": output, "output_params": {}},
            "training": {"loss": core.default_loss_for(task, output)}}


def ask_target_column(parent: QWidget | None, header: list[str]) -> str | None:
    """Ask which CSV column holds the targets (default: the last). None if cancelled."""
    dlg = QDialog(parent)
    dlg.setWindowTitle("Target column")
    lay = QVBoxLayout(dlg)
    lay.addWidget(QLabel("Which column holds what the network should predict?"))
    combo = QComboBox(dlg)
    combo.addItems(header)
    combo.setCurrentIndex(len(header) - 1)
    combo.setToolTip("Every other column becomes an input of the network.")
    lay.addWidget(combo)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dlg)
    buttons.accepted.connect(dlg.accept)
    buttons.rejected.connect(dlg.reject)
    lay.addWidget(buttons)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    return combo.currentText()


class DatasetBox(QWidget):
    """Edits ``experiment.dataset`` through the session; shows whatever the session holds."""

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._grid = grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)

        self.combo = QComboBox(self)
        self.combo.setIconSize(QSize(24, 24))
        self.combo.setToolTip("The problem the network learns. Hover over an entry to read "
                              "what it is.")
        self._fill_combo()
        compact_combo(self.combo, 10)
        grid.addWidget(self.combo, 0, 0, 1, 4)

        self.thumb = QLabel(self)
        self.thumb.setFixedSize(48, 48)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._small_description()
        about = QHBoxLayout()  # a box of its own: the wrapped text then gets its full height
        about.setSpacing(6)
        about.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignTop)
        about.addWidget(self.description, 1)
        grid.addLayout(about, 1, 0, 1, 4)

        self.noise = NumberEdit(0.0, 0.0, 1.0, parent=self)
        self.n = NumberEdit(200, 2, 200_000, integer=True, parent=self)
        self.n.setHelp("How many points are drawn in total (train and test together). More "
                       "points give a clearer picture but slower epochs.")
        self.test_fraction = NumberEdit(0.5, 0.0, 0.9, parent=self)
        self.test_fraction.setHelp("The share of the points kept aside to test on. The network "
                                   "never trains on them, so they show how well it generalizes.")
        self.seed = NumberEdit(0, 0, 2**32 - 1, integer=True, parent=self)
        self.seed.setHelp("The random seed that draws the points and the train/test split. The "
                          "same seed always gives the same data.")
        for row, (label, w, label2, w2) in enumerate(
            (("Noise", self.noise, "Points", self.n),
             ("Test share", self.test_fraction, "Seed", self.seed)), start=2):
            grid.addWidget(QLabel(label, self), row, 0)
            grid.addWidget(w, row, 1)
            grid.addWidget(QLabel(label2, self), row, 2)
            grid.addWidget(w2, row, 3)

        self.standardize = QCheckBox("Standardize inputs", self)
        self.standardize.setToolTip(
            "Shift and scale every input to mean 0 and standard deviation 1 (using the training "
            "points). Inputs on very different scales make gradient descent slow.")
        self.targets = QComboBox(self)
        self.targets.addItem("0 / 1", "01")
        self.targets.addItem("−1 / +1", "pm1")
        self.targets.setToolTip(
            "How the two classes are written as targets: 0/1 suits a sigmoid output, −1/+1 a "
            "tanh output with MSE or hinge loss.")
        # a row each: side by side they made the box 277 px wide, more than the dock's 260
        # when the Lessons dock shares a laptop's screen (the description was cut off)
        grid.addWidget(self.standardize, 4, 0, 1, 4)
        grid.addWidget(QLabel("Targets", self), 5, 0)
        grid.addWidget(self.targets, 5, 1, 1, 3, Qt.AlignmentFlag.AlignLeft)

        self._feat_label = feat_label = QLabel("Extra inputs", self)
        feat_label.setToolTip("Hand-made features fed to the network besides x₁ and x₂ "
                              "(2-D data sets only).")
        grid.addWidget(feat_label, 6, 0, 1, 4)
        feats = QGridLayout()
        feats.setContentsMargins(8, 0, 0, 0)
        feats.setVerticalSpacing(0)
        self.features: dict[str, QCheckBox] = {}
        for i, (key, text, tip) in enumerate(FEATURE_BOXES):
            box = QCheckBox(text, self)
            box.setToolTip(tip)
            box.toggled.connect(self._on_features)
            self.features[key] = box
            feats.addWidget(box, i // 3, i % 3)
        grid.addLayout(feats, 7, 0, 1, 4)

        self.load_button = QPushButton("Load CSV…", self)
        self.load_button.setToolTip(
            "Train on your own table: a CSV file with a header line. You pick the column to "
            "predict; every other column becomes an input.")
        grid.addWidget(self.load_button, 8, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self.combo.currentIndexChanged.connect(self._on_combo)
        self.noise.valueCommitted.connect(lambda v: self._update(dataset={"noise": v}))
        self.n.valueCommitted.connect(lambda v: self._update(dataset={"n": int(v)}))
        self.test_fraction.valueCommitted.connect(
            lambda v: self._update(dataset={"test_fraction": v}))
        self.seed.valueCommitted.connect(lambda v: self._update(dataset={"seed": int(v)}))
        self.standardize.toggled.connect(lambda on: self._update(dataset={"standardize": on}))
        self.targets.currentIndexChanged.connect(
            lambda _: self._update(dataset={"targets": self.targets.currentData()}))
        self.load_button.clicked.connect(self._ask_csv)
        session.experimentChanged.connect(self.show_experiment)
        self.show_experiment(session.experiment)

    def _small_description(self) -> None:
        """The description a little smaller than the box's text, whatever size that is."""
        font = QFont(self.font())
        font.setPointSize(max(7, round(font.pointSizeF() * 0.88)))  # whole points: see below
        # (a fractional size wraps differently when measured and when painted: clipped text)
        self.description.setFont(font)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.FontChange:  # presentation mode's larger text
            self._small_description()
        super().changeEvent(event)

    def classroom_widgets(self) -> dict[str, list[QWidget]]:
        """The widgets of each classroom control (``core.experiment.CLASSROOM_CONTROLS``)."""
        def label(row: int, col: int) -> QWidget:
            return self._grid.itemAtPosition(row, col).widget()

        return {
            "dataset": [self.combo, self.thumb, self.description],
            "noise": [label(2, 0), self.noise], "points": [label(2, 2), self.n],
            "test_share": [label(3, 0), self.test_fraction],
            "data_seed": [label(3, 2), self.seed], "standardize": [self.standardize],
            "targets": [label(5, 0), self.targets],
            "features": [self._feat_label, *self.features.values()],
            "load_csv": [self.load_button],
        }

    # --- model -> widgets ------------------------------------------------------------
    def show_experiment(self, exp: Experiment) -> None:
        c = exp.dataset
        blockers = [QSignalBlocker(w) for w in (
            self.combo, self.noise, self.n, self.test_fraction, self.seed, self.standardize,
            self.targets, *self.features.values())]
        csv_item = self.combo.findData(CSV_ITEM)
        if c.csv_path:
            label = f"CSV: {os.path.basename(c.csv_path)}"
            if csv_item < 0:
                self.combo.addItem(label, CSV_ITEM)
                csv_item = self.combo.count() - 1
            self.combo.setItemText(csv_item, label)
            self.combo.setItemData(csv_item, c.csv_path, Qt.ItemDataRole.ToolTipRole)
            self.combo.setCurrentIndex(csv_item)
        else:
            if csv_item >= 0:
                self.combo.removeItem(csv_item)
            select_data(self.combo, c.name)
        info = self._info(c.name) if not c.csv_path else None
        task = self._task()
        if info is not None:
            self.description.setText(info.description)
            self.thumb.setPixmap(dataset_pixmap(c.name))
            whole = info.whole_table and not c.options.get("split", False)
            has_noise = info.noise_range[1] > 0 and not info.whole_table
            self.noise.setRange(*info.noise_range)
            self.noise.setValue(info.default_noise if c.noise is None else c.noise)
            self.noise.setEnabled(has_noise)
            self.noise.setHelp(
                f"Noise: {info.noise_help}. More noise makes the problem harder to learn."
                if has_noise and info.noise_help else
                "How much random scatter is added to the points." if has_noise else
                "This data set has no noise setting.")
            self.n.setRange(*info.n_range)
            self.n.setValue(info.default_n if c.n is None else c.n)
            self.n.setEnabled(not info.whole_table and info.n_range[0] < info.n_range[1])
            self.test_fraction.setEnabled(not whole)
        else:
            name = os.path.basename(c.csv_path or "")
            self.description.setText(f"Your table {name}, predicting the column "
                                     f"“{c.csv_target}”." if c.csv_path else "")
            self.thumb.setPixmap(dataset_pixmap("csv"))
            for w in (self.noise, self.n):
                w.setEnabled(False)
            self.test_fraction.setEnabled(True)
        self.test_fraction.setValue(c.test_fraction)
        self.seed.setValue(c.seed)
        self.standardize.setChecked(c.standardize)
        select_data(self.targets, c.targets)
        self.targets.setEnabled(task == "binary")
        two_d = info is not None and info.is_2d
        for key, box in self.features.items():
            box.setChecked(key in c.features)
            box.setEnabled(two_d)
        del blockers

    # --- widgets -> model ------------------------------------------------------------
    def _update(self, **changes: Any) -> bool:
        ok = self._session.update(**changes)
        if not ok:  # refused: show what the session still holds
            self.show_experiment(self._session.experiment)
        return ok

    def _on_combo(self, _index: int) -> None:
        name = self.combo.currentData()
        if name in (None, CSV_ITEM):
            return
        info = datasets.describe(name)
        exp = self._session.experiment
        changes: dict[str, dict[str, Any]] = {}
        if info.task != self._task():
            changes = default_pairing(info.task, exp.network.output_activation)
        ds = {"name": name, "n": None, "noise": None, "options": {}, "csv_path": None,
              "csv_target": None}
        if not info.is_2d:
            ds["features"] = ()
        if info.task != "binary":
            ds["targets"] = "01"
        changes["dataset"] = ds
        self._update(**changes)

    def _on_features(self) -> None:
        chosen = tuple(k for k, box in self.features.items() if box.isChecked())
        self._update(dataset={"features": chosen})

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load a CSV file", "", "CSV files (*.csv *.tsv *.txt);;All files (*)")
        if not path:
            return
        try:
            header = datasets.csv_columns(path)
        except (OSError, ValueError) as e:  # CSVError is a ValueError
            self._session.problem.emit(
                f"Could not read {os.path.basename(path)}: {str(e).rstrip('.')}.")
            return
        target = ask_target_column(self, header)
        if target is not None:
            self.load_csv(path, target)

    def load_csv(self, path: str, target: str) -> bool:
        """Switch to a CSV file; on any error the session reports it and nothing changes."""
        old_task = self._task()
        ok = self._update(dataset={"csv_path": path, "csv_target": target, "features": ()})
        new_task = self._task()
        if ok and new_task != old_task and new_task is not None:
            self._update(**default_pairing(new_task,
                                           self._session.experiment.network.output_activation))
        return ok

    # --- helpers ---------------------------------------------------------------------
    @staticmethod
    def _info(name: str):
        try:
            return datasets.describe(name)
        except KeyError:
            return None

    def _task(self) -> str | None:
        ds = self._session.dataset
        if ds is not None:
            return ds.task
        info = self._info(self._session.experiment.dataset.name)
        return None if info is None else info.task

    def _fill_combo(self) -> None:
        fill_from_registry(self.combo, datasets.names(), datasets.describe,
                           tooltip=lambda info: info.description, group=lambda info: info.group)

    def add_thumbnails(self) -> None:
        """Draw the data-set pictures into the list (~0.1 s: every data set is loaded; the
        window calls this after its first paint)."""
        for i in range(self.combo.count()):
            name = self.combo.itemData(i)
            if isinstance(name, str):
                self.combo.setItemIcon(i, dataset_icon(name))
