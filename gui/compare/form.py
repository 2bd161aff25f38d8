"""The comparison's set-up: which setting to vary and its values, the seeds, the length, the
goal, learning-rate tuning and the worker processes. It makes a ``core.compare.Plan``; the
core checks it and words every refusal."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSpinBox,
    QToolButton,
    QWidget,
)

from core import compare
from core.compare import settings
from core.compare.plan import MAX_EPOCHS
from core.experiment import Experiment

from .curves import metric_name

__all__ = ["GOALS", "PlanForm"]

#: the goal menu: (metric, comparison, words); the metric's name is filled in for the task
GOALS = (
    (None, None, "no goal"),
    ("test_metric", ">=", "test {metric} at least"),
    ("test_loss", "<=", "test loss at most"),
    ("train_loss", "<=", "train loss at most"),
    ("train_metric", ">=", "train {metric} at least"),
)
LENGTHS = ("for", "until the goal, at most")
#: the second value a new set-up offers, where the menu has these (the first is the
#: experiment's own): the usual contender, rather than the registry's first entry
SECOND_CHOICES = ("relu", "tanh", "on", "off", "adam", "sgd", "he_normal", "xavier_uniform",
                  "softmax+ce", "sigmoid+bce")


class PlanForm(QWidget):
    """The set-up of a comparison over one experiment (``set_experiment``).

    Signals
    -------
    edited() : the user changed something (the dock clears its error line).
    """

    edited = Signal()

    def __init__(self, experiment: Experiment, source: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._experiment = experiment
        self._source = source
        self._seeds: tuple[int, ...] | None = None  # a plan's own seeds, when not 0 … K−1
        self._metric_word = "accuracy"
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        form.addRow("Starts from", self.source_label)

        self.setting_box = QComboBox()
        self.setting_box.setToolTip("The one thing that differs between the arms; everything "
                                    "else (data, initial weights, batch order) is the same for "
                                    "the same seed.")
        self.setting_box.currentIndexChanged.connect(self._on_setting)
        form.addRow("Vary", self.setting_box)
        self.help_label = QLabel()
        self.help_label.setWordWrap(True)
        small = self.help_label.font()
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        small.setItalic(True)
        self.help_label.setFont(small)
        form.addRow("", self.help_label)

        self.values_edit = QLineEdit()
        self.values_edit.setToolTip("2 to 6 values, separated by commas; the first is the "
                                    "baseline the others are compared with.")
        self.values_edit.textEdited.connect(lambda _t: self.edited.emit())
        self.add_button = QToolButton()
        self.add_button.setText("Add")
        self.add_button.setToolTip("Add a value from the list")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_menu = QMenu(self.add_button)
        self.add_button.setMenu(self.add_menu)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.values_edit, 1)
        row.addWidget(self.add_button)
        form.addRow("Values", _wrap(row))

        self.seeds_box = QSpinBox()
        self.seeds_box.setRange(1, compare.MAX_SEEDS)
        self.seeds_box.setValue(compare.DEFAULT_SEEDS)
        self.seeds_box.setSuffix(" seeds")
        self.seeds_box.setToolTip("Runs per value: seed k gives every value the same data, "
                                  "batch order and (where the shapes allow) initial weights.")
        self.seeds_box.valueChanged.connect(self._on_seeds)
        self.first_seed_box = QSpinBox()
        self.first_seed_box.setRange(0, 2**31 - 1 - compare.MAX_SEEDS)  # a spin box is int32
        self.first_seed_box.setPrefix("from seed ")
        self.first_seed_box.setToolTip("The first seed: K seeds run from it on (0 … K−1 by "
                                       "default). Other seeds give other data splits, batch "
                                       "orders and starting weights, the same in every value.")
        self.first_seed_box.valueChanged.connect(self._on_seeds)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.seeds_box, 1)
        row.addWidget(self.first_seed_box, 1)
        form.addRow("Seeds", _wrap(row))

        self.length_box = QComboBox()
        self.length_box.addItems(LENGTHS)
        self.length_box.setToolTip("Train every run for the same number of epochs, or stop each "
                                   "run at the first epoch that meets the goal.")
        self.epochs_box = QSpinBox()
        self.epochs_box.setRange(1, MAX_EPOCHS)
        self.epochs_box.setValue(100)
        self.epochs_box.setSuffix(" epochs")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.length_box)
        row.addWidget(self.epochs_box, 1)
        form.addRow("Train", _wrap(row))

        self.goal_box = QComboBox()
        self.goal_box.setToolTip("With a goal, the runs are compared by the epochs they need "
                                 "to reach it; without one, by their final test loss.")
        self.threshold_edit = QLineEdit()
        self.threshold_edit.setPlaceholderText("e.g. 0.95")
        self.threshold_edit.setMaximumWidth(80)
        self.goal_box.currentIndexChanged.connect(self._on_goal)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.goal_box, 1)
        row.addWidget(self.threshold_edit)
        form.addRow("Goal", _wrap(row))

        self.tune_box = QCheckBox("Tune the learning rate for each value")
        self.tune_box.setToolTip("First try each value's learning rate × 0.1, 0.3, 1, 3 and "
                                 "10 on three other seeds, and use the best: one rate for all "
                                 "values favours the ones it happens to suit.")
        form.addRow("", self.tune_box)

        self.jobs_box = QSpinBox()
        self.jobs_box.setRange(1, max(1, compare.default_jobs()))
        self.jobs_box.setValue(compare.default_jobs())
        self.jobs_box.setSuffix(" worker processes")
        self.jobs_box.setToolTip("How many runs train at once (one per core by default); the "
                                 "window keeps drawing and training meanwhile.")
        form.addRow("Use", self.jobs_box)
        for w in (self.length_box, self.goal_box):
            w.currentIndexChanged.connect(lambda _i: self.edited.emit())
        self._fill_goals()
        self.set_experiment(experiment, source)

    # --- the experiment -------------------------------------------------------------------
    @property
    def experiment(self) -> Experiment:
        return self._experiment

    def set_experiment(self, experiment: Experiment, source: str = "") -> None:
        """Compare over ``experiment``: the settings that do not apply to it are greyed out
        with their reason; the chosen setting and values stay where they still apply."""
        self._experiment = experiment
        self._source = source or "the window's experiment"
        self.source_label.setText(self._source)
        self._metric_word = metric_name(experiment)
        self._fill_goals()
        keep = self.setting()
        self._fill_settings(keep)

    def _fill_settings(self, keep: str | None) -> None:
        box = self.setting_box
        box.blockSignals(True)
        box.clear()
        model: QStandardItemModel = box.model()
        for name in _setting_names(self._experiment):
            record = settings.get(name)
            try:
                settings.current(name, self._experiment)
                reason = ""
            except settings.SettingError as e:
                reason = str(e)
            text = f"{record.label} ({name})" + (f" — {reason}" if reason else "")
            box.addItem(text, name)
            i = box.count() - 1
            box.setItemData(i, reason or record.help, Qt.ItemDataRole.ToolTipRole)
            if reason:
                model.item(i).setEnabled(False)
        index = box.findData(keep) if keep else -1
        if index < 0 or not model.item(index).isEnabled():
            index = box.findData("activation")
            changed = True
        else:
            changed = False
        if index < 0 or not model.item(index).isEnabled():
            index = next(i for i in range(box.count()) if model.item(i).isEnabled())
        box.setCurrentIndex(index)
        box.blockSignals(False)
        self._show_setting(prefill=changed or not self.values_edit.text().strip())

    def _fill_goals(self) -> None:
        box = self.goal_box
        keep = box.currentIndex()
        box.blockSignals(True)
        box.clear()
        for metric, op, words in GOALS:
            box.addItem(words.format(metric=self._metric_word), (metric, op))
        box.setCurrentIndex(max(keep, 0))
        box.blockSignals(False)
        self._on_goal()

    # --- reactions ------------------------------------------------------------------------
    def _on_setting(self, _index: int) -> None:
        self._show_setting(prefill=True)
        self.edited.emit()

    def _show_setting(self, prefill: bool) -> None:
        name = self.setting()
        if name is None:
            return
        record = settings.get(name)
        self.help_label.setText(record.help)
        try:
            baseline = settings.current(name, self._experiment)
        except settings.SettingError:
            baseline = ""
        offered = settings.suggestions(name, self._experiment)
        self.add_menu.clear()
        for value in offered:
            action = self.add_menu.addAction(value)
            action.triggered.connect(lambda _c=False, v=value: self.add_value(v))
        self.add_button.setEnabled(bool(offered))
        self.values_edit.setPlaceholderText(
            "e.g. " + ", ".join(offered[:3]) if offered else f"e.g. {baseline or '1'}, …")
        if prefill:
            others = [v for v in offered if v != baseline]
            second = next((v for v in SECOND_CHOICES if v in others),
                          others[0] if others else None)
            self.values_edit.setText(", ".join(v for v in (baseline, second) if v))
        tune_ok = name != "lr"
        self.tune_box.setEnabled(tune_ok)
        self.tune_box.setToolTip(self.tune_box.toolTip() if tune_ok else
                                 "The learning rate is what is compared, so it cannot also "
                                 "be tuned.")
        if not tune_ok:
            self.tune_box.setChecked(False)

    def _on_goal(self, _index: int = 0) -> None:
        metric, _op = self.goal_box.currentData() or (None, None)
        self.threshold_edit.setEnabled(metric is not None)

    def _on_seeds(self, _value: int) -> None:
        # a plan's own seeds (say 0, 3, 7 from a file) stay until the count or the first
        # seed is changed
        if self._seeds is not None and (len(self._seeds) != self.seeds_box.value()
                                        or self._seeds[0] != self.first_seed_box.value()):
            self._seeds = None
        self.edited.emit()

    def add_value(self, value: str) -> None:
        """Append ``value`` to the values (the Add menu)."""
        now = [v for v in settings.split_values(self.values_edit.text()) if v]
        if value not in now:
            now.append(value)
        self.values_edit.setText(", ".join(now))
        self.edited.emit()

    # --- the plan -------------------------------------------------------------------------
    def setting(self) -> str | None:
        return self.setting_box.currentData()

    def set_setting(self, name: str) -> None:
        i = self.setting_box.findData(name)
        if i < 0:
            raise KeyError(name)
        self.setting_box.setCurrentIndex(i)

    def values(self) -> tuple[str, ...]:
        text = self.values_edit.text()
        return tuple(settings.split_values(text)) if text.strip() else ()

    def goal(self) -> compare.Goal | None:
        """The goal as set; PlanError with the goal's own sentence if it cannot be read."""
        metric, op = self.goal_box.currentData() or (None, None)
        if metric is None:
            return None
        text = self.threshold_edit.text().strip()
        try:
            return compare.Goal.parse(f"{metric}{op}{text}")
        except compare.GoalError as e:
            raise compare.PlanError(f"the goal needs a number, not {text!r}" if not text
                                    else str(e)) from None

    def jobs(self) -> int:
        return self.jobs_box.value()

    def plan(self) -> compare.Plan:
        """The Plan as set up; PlanError (one sentence) if any part of it is impossible."""
        k, first = self.seeds_box.value(), self.first_seed_box.value()
        seeds = self._seeds if self._seeds is not None else tuple(range(first, first + k))
        return compare.Plan(self._experiment, self.setting() or "", self.values(), seeds,
                            self.epochs_box.value(), self.goal(),
                            self.length_box.currentIndex() == 1, self.tune_box.isChecked(),
                            self._source)

    def set_plan(self, plan: compare.Plan) -> None:
        """Show ``plan`` (a ready-made comparison, or one reopened from a file)."""
        self.set_experiment(plan.experiment, plan.source)
        if self.setting_box.findData(plan.setting) < 0:  # activation.N beyond the list
            self.setting_box.addItem(plan.setting_record.label, plan.setting)
        self.setting_box.blockSignals(True)
        self.set_setting(plan.setting)
        self.setting_box.blockSignals(False)
        self._show_setting(prefill=False)
        self.values_edit.setText(", ".join(plan.values))
        for box, v in ((self.seeds_box, len(plan.seeds)), (self.first_seed_box, plan.seeds[0])):
            box.blockSignals(True)
            box.setValue(v)
            box.blockSignals(False)
        first = plan.seeds[0]
        self._seeds = (None if plan.seeds == tuple(range(first, first + len(plan.seeds)))
                       else plan.seeds)
        self.epochs_box.setValue(plan.epochs)
        self.length_box.setCurrentIndex(1 if plan.stop_at_goal else 0)
        if plan.goal is None:
            self.goal_box.setCurrentIndex(0)
        else:
            i = next((i for i, (m, op, _w) in enumerate(GOALS)
                      if (m, op) == (plan.goal.metric, plan.goal.op)), None)
            if i is None:  # "test_loss<0.1": not in the menu, so add it
                self.goal_box.addItem(str(plan.goal), (plan.goal.metric, plan.goal.op))
                i = self.goal_box.count() - 1
            self.goal_box.setCurrentIndex(i)
            self.threshold_edit.setText(f"{plan.goal.threshold:g}")
        self.tune_box.setChecked(plan.tune_lr)


def _setting_names(experiment: Experiment) -> list[str]:
    """``settings.names()`` with ``activation.N`` written out for each hidden layer (when
    there are two or more; with one it is the same as ``activation``)."""
    out = []
    layers = len(experiment.network.hidden)
    for name in settings.names():
        if name == "activation.N":
            out += [f"activation.{i}" for i in range(1, layers + 1)] if layers > 1 else []
        else:
            out.append(name)
    return out


def _wrap(layout) -> QWidget:
    w = QWidget()
    w.setLayout(layout)
    return w
