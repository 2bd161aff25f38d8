"""Classroom set-ups: a teacher hides or locks controls (Train → Classroom Set-up…), saves the
experiment, and a student who opens it sees only those controls; Train → Unlock All Controls…
asks first, then shows everything again."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from core.archive import write_archive
from core.experiment import CLASSROOM_CONTROLS, Classroom
from gui.controls.classroom_dialog import ClassroomDialog

ONLY = ("activation", "play")  # the example of the issue: the hidden activation and Play


def teach(lab, choices: dict[str, str]) -> Classroom:
    """What a teacher does: the dialog from the menu, the choices, OK."""
    dialog = lab.menus.classroom_setup()
    assert isinstance(dialog, ClassroomDialog) and dialog.isVisible()
    for control, choice in choices.items():
        dialog.choose(control, choice)
    dialog.accept()
    return lab.session.experiment.classroom


def visible_controls(lab) -> set[str]:
    """The controls a student can see in the dock and the toolbar."""
    w = lab.window
    shown = set()
    for box in (w.controls.dataset_box, w.controls.network_box, w.controls.training_box):
        for key, widgets in box.classroom_widgets().items():
            if isinstance(key, str) and any(x.isVisibleTo(w) for x in widgets):
                shown.add(key)
    t = w.transport
    for key, act in (("play", t.play), ("step", t.step), ("epoch", t.epoch),
                     ("reset", t.reset)):
        if act.isVisible():
            shown.add(key)
    if t.pace.isVisibleTo(w):
        shown.add("pace")
    return shown


def test_a_student_who_opens_the_file_sees_only_the_chosen_controls(make_lab, tmp_path,
                                                                     qtbot):
    teacher = make_lab()
    assert visible_controls(teacher) == set(CLASSROOM_CONTROLS)  # everything at first
    room = teach(teacher, {c: "hidden" for c in CLASSROOM_CONTROLS if c not in ONLY})
    assert room.hidden == set(CLASSROOM_CONTROLS) - set(ONLY) and not room.locked
    # (the toolbar lays its widgets out again when it next handles events)
    qtbot.waitUntil(lambda: visible_controls(teacher) == set(ONLY), timeout=5000)
    sections = {s.header.text(): s.isVisibleTo(teacher.window)
                for s in teacher.window.controls.sections}
    assert sections == {"Dataset": False, "Network": True, "Training": False}
    assert teacher.session.running is False and teacher.menus.unlock_action.isEnabled()
    path = write_archive(tmp_path / "lesson.alab", teacher.session.capture())

    student = make_lab()
    assert visible_controls(student) >= {"optimizer", "lr"}
    assert student.files.open(path)
    assert student.session.experiment.classroom == room
    qtbot.waitUntil(lambda: visible_controls(student) == set(ONLY), timeout=5000)
    rows = student.window.controls.network_box.rows
    assert rows and all(r.activation.isVisibleTo(student.window) for r in rows)
    assert not any(r.units.isVisibleTo(student.window) for r in rows)
    # a hidden action's shortcut does nothing either (S would step)
    assert not student.window.transport.step.isVisible()


def test_locked_controls_show_their_value_but_cannot_change(make_lab, qtbot):
    lab = make_lab()
    teach(lab, {"lr": "locked", "optimizer": "locked", "step": "locked", "pace": "locked"})
    tb, bar = lab.window.controls.training_box, lab.window.transport
    assert tb.lr.isVisible() and not tb.lr.isEnabled() and not tb.optimizer.isEnabled()
    assert tb.batch_size.isEnabled()
    assert not bar.step.isEnabled() and bar.epoch.isEnabled() and not bar.pace.isEnabled()
    # Play and Pause do not unlock Step
    with qtbot.waitSignal(lab.session.runningChanged, timeout=5000):
        lab.session.play()
    with qtbot.waitSignal(lab.session.runningChanged, timeout=5000):
        lab.session.pause()
    assert not bar.step.isEnabled() and bar.epoch.isEnabled()
    # a setting changed elsewhere (a new batch size) keeps the locks
    assert lab.session.update(training={"batch_size": 5})
    assert not tb.lr.isEnabled() and tb.lr.value() == lab.session.experiment.training.lr


def test_unlock_all_asks_first_and_brings_back_exactly_what_was_there(make_lab, qtbot):
    lab = make_lab()
    tb, nb = lab.window.controls.training_box, lab.window.controls.network_box
    before = {"gear": nb.rows[0].gear.isVisibleTo(lab.window),  # tanh has no parameters
              "clip": tb.clip.isEnabled()}  # clipping is off
    teach(lab, {c: "hidden" for c in CLASSROOM_CONTROLS if c not in ONLY} | {"play": "locked"})
    assert not lab.window.transport.play.isEnabled()

    box = lab.menus.unlock_all()
    assert isinstance(box, QMessageBox) and box.objectName() == "unlock-question"
    box.button(QMessageBox.StandardButton.Cancel).click()  # a stray click: nothing changes
    assert lab.session.experiment.classroom.active
    qtbot.waitUntil(lambda: visible_controls(lab) == set(ONLY), timeout=5000)

    box = lab.menus.unlock_all()
    box.button(QMessageBox.StandardButton.Yes).click()
    assert lab.session.experiment.classroom == Classroom()
    qtbot.waitUntil(lambda: visible_controls(lab) == set(CLASSROOM_CONTROLS), timeout=5000)
    assert lab.window.transport.play.isEnabled() and tb.lr.isEnabled()
    assert all(s.isVisibleTo(lab.window) for s in lab.window.controls.sections)
    assert nb.rows[0].gear.isVisibleTo(lab.window) == before["gear"]
    assert tb.clip.isEnabled() == before["clip"]
    assert not lab.menus.unlock_action.isEnabled()


def test_cancel_keeps_the_set_up_and_show_all_clears_it(make_lab):
    lab = make_lab()
    teach(lab, {"lr": "hidden"})
    dialog = lab.menus.classroom_setup()
    dialog.choose("optimizer", "hidden")
    dialog.reject()
    assert lab.session.experiment.classroom == Classroom(hidden={"lr"})
    dialog = lab.menus.classroom_setup()
    assert dialog.classroom() == Classroom(hidden={"lr"})  # it shows the current set-up
    dialog.set_classroom(Classroom())
    dialog.accept()
    assert not lab.session.experiment.classroom.active
