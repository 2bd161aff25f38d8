"""The control dock edits the session's experiment and follows it when it changes elsewhere."""

from __future__ import annotations

from operator import attrgetter

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QSlider

import core
import core.activations as acts
import core.presets
from gui.controls import ControlDock
from gui.session import Session


@pytest.fixture
def session():
    s = Session()
    assert s.start()
    yield s
    s.shutdown()


@pytest.fixture
def dock(qtbot, session):
    d = ControlDock(session)
    qtbot.addWidget(d)
    d.resize(300, 760)
    d.show()
    return d


def _trainer_id(session: Session) -> int:
    return session.call(id).result(timeout=5)


def _commit(qtbot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_dataset_combo_reinitializes(qtbot, session, dock):
    combo = dock.dataset_box.combo
    before = _trainer_id(session)
    with qtbot.waitSignal(session.experimentChanged):
        combo.setCurrentIndex(combo.findData("xor"))
    assert session.experiment.dataset.name == "xor"
    assert _trainer_id(session) != before
    assert "XOR" in dock.dataset_box.description.text().upper()


def test_learning_rate_changes_without_reinitializing(qtbot, session, dock):
    changes = []
    session.experimentChanged.connect(changes.append)
    before = _trainer_id(session)
    _commit(qtbot, dock.training_box.lr.edit, "0.1")
    assert session.experiment.training.lr == 0.1
    assert len(changes) == 1
    assert _trainer_id(session) == before  # the same trainer, not a new one
    assert session.call(attrgetter("lr")).result(timeout=5) == 0.1
    # the slider follows, and a keyboard step on it commits at once
    slider = dock.training_box.lr.slider
    slider.setValue(slider.value() + 1)
    assert session.experiment.training.lr > 0.1 and _trainer_id(session) == before


def test_batch_size_and_epoch_limit_keep_the_trainer(qtbot, session, dock):
    before = _trainer_id(session)
    _commit(qtbot, dock.training_box.batch_size, "5")
    dock.training_box.limit_on.setChecked(True)
    assert session.experiment.training.batch_size == 5
    assert session.experiment.training.epoch_limit == 100
    assert _trainer_id(session) == before
    dock.training_box.optimizer.setCurrentIndex(dock.training_box.optimizer.findData("adam"))
    assert session.experiment.training.optimizer == "adam" and _trainer_id(session) != before


def test_add_and_remove_layers(qtbot, session, dock):
    box = dock.network_box
    n = len(session.experiment.network.hidden)
    qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
    assert len(session.experiment.network.hidden) == n + 1 and len(box.rows) == n + 1
    _commit(qtbot, box.rows[0].units, "3")
    assert session.experiment.network.hidden[0].units == 3
    qtbot.mouseClick(box.rows[0].remove, Qt.MouseButton.LeftButton)
    hidden = session.experiment.network.hidden
    assert len(hidden) == n and len(box.rows) == n and hidden[0].units != 3
    while box.rows:
        qtbot.mouseClick(box.rows[-1].remove, Qt.MouseButton.LeftButton)
    assert session.experiment.network.hidden == ()  # a perceptron is allowed
    assert box.add_button.isEnabled()


def test_a_preset_updates_every_control(qtbot, session, dock):
    dock.dataset_box.combo.setCurrentIndex(dock.dataset_box.combo.findData("spiral"))
    exp = core.presets.get("dying-relu").experiment
    with qtbot.waitSignal(session.experimentChanged):
        assert session.apply(exp, reinitialize=True)
    d, n, t = dock.dataset_box, dock.network_box, dock.training_box
    assert d.combo.currentData() == exp.dataset.name
    assert d.noise.value() == exp.dataset.noise and d.seed.value() == exp.dataset.seed
    assert d.test_fraction.value() == exp.dataset.test_fraction
    assert [r.activation.currentData() for r in n.rows] == [
        h.activation for h in exp.network.hidden]
    assert [r.units.value() for r in n.rows] == [h.units for h in exp.network.hidden]
    assert n.bias_init.value() == exp.network.bias_init == -6.0
    assert n.init_combo.currentData() == exp.network.init
    assert n.output_combo.currentData() == exp.network.output_activation
    assert n.loss_combo.currentData() == exp.training.loss
    assert t.lr.value() == exp.training.lr and t.batch_size.value() == exp.training.batch_size
    assert t.optimizer.currentData() == exp.training.optimizer
    assert session.experiment == exp  # showing it sent nothing back


def test_out_of_range_values_are_refused(qtbot, session, dock):
    exp = session.experiment
    units = dock.network_box.rows[0].units
    _commit(qtbot, units, "999")
    assert units.isInvalid() and session.experiment == exp
    qtbot.keyClick(units, Qt.Key.Key_Escape)
    assert units.value() == exp.network.hidden[0].units and not units.isInvalid()
    lr = dock.training_box.lr.edit
    _commit(qtbot, lr, "50")
    assert lr.isInvalid() and "from 0.00001 to 10" in lr.toolTip()
    assert session.experiment == exp


def test_a_refused_change_puts_the_control_back(qtbot, session, dock, monkeypatch):
    problems = []
    session.problem.connect(problems.append)
    monkeypatch.setattr(session, "update", lambda **_: False)
    row = dock.network_box.rows[0]
    row.activation.setCurrentIndex(row.activation.findData("relu"))
    assert row.activation.currentData() == session.experiment.network.hidden[0].activation
    dock.dataset_box.standardize.setChecked(True)
    assert not dock.dataset_box.standardize.isChecked()
    monkeypatch.undo()
    # a real refusal from the core: a broken CSV file changes nothing
    exp = session.experiment
    bad = dock.dataset_box
    assert not bad.load_csv("/nonexistent/file.csv", "y")
    assert session.experiment == exp and problems


def test_csv_errors_and_success(qtbot, session, dock, tmp_path):
    problems = []
    session.problem.connect(problems.append)
    exp = session.experiment
    broken = tmp_path / "broken.csv"
    broken.write_text("a,b,label\n1,2,x\n3,oops,y\n", encoding="utf-8")
    assert not dock.dataset_box.load_csv(str(broken), "label")
    assert session.experiment == exp and "oops" in problems[-1]
    good = tmp_path / "good.csv"
    rows = "\n".join(f"{i},{i % 3},{'yes' if i % 2 else 'no'}" for i in range(40))
    good.write_text("a,b,label\n" + rows + "\n", encoding="utf-8")
    assert dock.dataset_box.load_csv(str(good), "label")
    assert session.experiment.dataset.csv_path == str(good)
    assert dock.dataset_box.combo.currentText() == "CSV: good.csv"
    assert not any(b.isEnabled() for b in dock.dataset_box.features.values())


def test_output_activation_picks_the_loss_and_warns(qtbot, session, dock):
    box = dock.network_box
    task = session.dataset.task
    box.output_combo.setCurrentIndex(box.output_combo.findData("identity"))
    assert session.experiment.training.loss == core.default_loss_for(task, "identity")
    box.output_combo.setCurrentIndex(box.output_combo.findData("sigmoid"))
    assert session.experiment.training.loss == "bce"
    assert box.warning.isHidden()
    # the student picks BCE by hand: changing the output now keeps it, and warns
    box.loss_combo.setCurrentIndex(box.loss_combo.findData("mse"))
    box.loss_combo.setCurrentIndex(box.loss_combo.findData("bce"))
    box.output_combo.setCurrentIndex(box.output_combo.findData("relu"))
    assert session.experiment.network.output_activation == "relu"
    assert session.experiment.training.loss == "bce"
    expected = core.pairing_warning("bce", "relu", task, session.dataset.n_outputs)
    assert expected and not box.warning.isHidden() and expected in box.warning.text()


@pytest.mark.qt_log_ignore("This plugin does not support")  # popups on the offscreen platform
def test_softmax_is_output_only_and_parameters_open_in_a_popup(qtbot, session, dock):
    row = dock.network_box.rows[0]
    vector = [n for n in acts.names() if acts.activation_class(n).vector]
    for name in vector:
        assert row.activation.findData(name) < 0
        assert dock.network_box.output_combo.findData(name) >= 0
    assert not row.gear.isEnabled()  # tanh has no parameters
    with_params = [n for n in acts.names()
                   if acts.activation_class(n).PARAMS and not acts.activation_class(n).vector]
    assert with_params, "some hidden activation should have a parameter"
    name = with_params[0]
    row.activation.setCurrentIndex(row.activation.findData(name))
    row = dock.network_box.rows[0]
    assert row.gear.isEnabled()
    popup = row.open_params()
    spec = acts.activation_class(name).PARAMS[0]
    edit = popup.edits[spec.name].edit
    value = spec.lo + (spec.hi - spec.lo) / 4
    edit.setText(repr(value))
    assert edit.commit()
    assert session.experiment.network.hidden[0].params[spec.name] == value
    popup.close()


def test_features_only_for_2d_sets(qtbot, session, dock):
    d = dock.dataset_box
    d.combo.setCurrentIndex(d.combo.findData("circles"))
    d.features["x1^2"].setChecked(True)
    assert session.experiment.dataset.features == ("x1^2",)
    assert session.dataset.n_inputs == 3
    d.combo.setCurrentIndex(d.combo.findData("iris"))
    assert session.experiment.dataset.features == ()
    assert not any(b.isEnabled() for b in d.features.values())
    # a task change gives the usual output and loss (iris: one of three classes)
    assert session.experiment.network.output_activation == "softmax"
    assert session.experiment.training.loss == "ce"


def test_every_control_has_a_tooltip(qtbot, session, dock):
    missing = [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for kind in (QComboBox, QLineEdit, QAbstractButton, QSlider)
        for w in dock.findChildren(kind)
        if not w.toolTip() and not isinstance(w.parent(), QComboBox)
    ]
    assert missing == []


def test_sections_fold(qtbot, session, dock):
    s = dock.sections[0]
    s.header.click()
    assert not s.is_expanded() and s.body.isHidden()
    s.header.click()
    assert s.is_expanded() and not s.body.isHidden()


def test_load_csv_button_asks_for_file_and_target(qtbot, session, dock, tmp_path, monkeypatch):
    import gui.controls.dataset_box as dataset_box

    good = tmp_path / "table.csv"
    good.write_text("u,v,w,kind\n" + "\n".join(f"{i},{i * 2 % 7},{i % 5},{i % 2}"
                                               for i in range(30)) + "\n", encoding="utf-8")
    offered = []
    monkeypatch.setattr(dataset_box.QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(good), "")))
    monkeypatch.setattr(dataset_box, "ask_target_column",
                        lambda parent, header: offered.append(header) or header[0])
    qtbot.mouseClick(dock.dataset_box.load_button, Qt.MouseButton.LeftButton)
    assert offered == [["u", "v", "w", "kind"]]
    assert session.experiment.dataset.csv_target == "u"
    # an empty file: one sentence through session.problem, nothing changed
    problems = []
    session.problem.connect(problems.append)
    exp = session.experiment
    good.write_text("", encoding="utf-8")
    qtbot.mouseClick(dock.dataset_box.load_button, Qt.MouseButton.LeftButton)
    assert session.experiment == exp and len(offered) == 1
    assert problems and "empty" in problems[-1]


def test_data_set_thumbnails_are_drawn_on_request(dock):
    # the window asks for them after its first paint (they load every data set)
    combo = dock.dataset_box.combo
    named = [i for i in range(combo.count()) if isinstance(combo.itemData(i), str)]
    assert len(named) >= 10
    assert all(combo.itemIcon(i).isNull() for i in named)
    dock.dataset_box.add_thumbnails()
    assert all(not combo.itemIcon(i).isNull() for i in named)
