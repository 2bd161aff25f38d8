"""The Lessons dock walked as a student would: set up, predict, train, ✓, hints, why, restart."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

import core.lessons as L
from gui.lessons.tracker import same_settings

NARROW = 240
LESSON = "tanh-vs-sigmoid"  # step 1's goal (one sign into layer 2) is met after one epoch


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def shown(dock, text: str) -> bool:
    """Whether the dock's text shows (the start of) ``text``, Markdown marks aside."""
    def plain(t):
        return " ".join(t.replace("*", "").replace("`", "").split())
    return plain(text)[:60] in plain(text_of(dock))


def text_of(dock) -> str:
    return dock.browser.toPlainText() + "\n" + dock.after.toPlainText()


def in_view(dock, widget) -> bool:
    """Whether the bottom of ``widget`` is inside the dock's scroll area's view."""
    view = dock.scroll.viewport()
    bottom = widget.mapTo(view, QPoint(0, widget.height() - 1)).y()
    return widget.isVisible() and 0 <= bottom < view.height()


def open_lesson(lab, key=LESSON):
    lab.lessons.open_lesson(key)
    return lab.window.tool("lessons")


def test_a_student_walks_a_lesson_and_finds_it_again_after_a_restart(make_lab, settings,
                                                                      qtbot):
    lab = make_lab(settings=settings)
    session, window = lab.session, lab.window
    lesson = L.get(LESSON)
    step = lesson.steps[0]
    dock = open_lesson(lab)
    assert window.tool_docks["lessons"].isVisible()
    text = text_of(dock)
    for words in (lesson.title, lesson.question, lesson.learn[0], step.title,
                  "Step 1 of 4"):
        assert words in text
    assert dock.step_label.text() == "Step 1 of 4" and dock.bar.text() == "0 of 4 done"

    # the set-up button changes the experiment to the step's (circles with sigmoid units)
    assert not same_settings(session.experiment, lesson.experiment_for(0))
    assert "other settings" in dock.goal_label.text()
    with qtbot.waitSignal(session.experimentChanged, timeout=10000):
        qtbot.mouseClick(dock.setup_button, Qt.MouseButton.LeftButton)
    assert same_settings(session.experiment, lesson.experiment_for(0))
    assert {h.activation for h in session.experiment.network.hidden} == {"sigmoid"}

    # a prediction before the run, remembered with the progress
    choice = dock.prediction.choices[0]
    assert choice.text() == step.prediction.choices[0]
    qtbot.mouseClick(choice.label, Qt.MouseButton.LeftButton)  # the words, or the button
    assert dock.progress.steps[0].prediction == 0 and choice.button.isChecked()

    # hints one at a time; the explanation is not shown yet
    assert step.hints[0] not in text_of(dock)
    qtbot.mouseClick(dock.hint_button, Qt.MouseButton.LeftButton)
    assert step.hints[0] in text_of(dock)
    assert step.hints[1] not in text_of(dock)
    qtbot.mouseClick(dock.hint_button, Qt.MouseButton.LeftButton)
    assert step.hints[1] in text_of(dock) and not dock.hint_button.isEnabled()
    qtbot.waitUntil(lambda: in_view(dock, dock.after))  # the hints scrolled into view
    assert not shown(dock, step.explanation) and dock.why_button.isEnabled()

    # train: the goal is checked live from the frames; ✓ with the measured value
    session.step_epoch()
    qtbot.waitUntil(lambda: "✓" in dock.goal_label.text(), timeout=20000)
    goal = dock.goal_label.text()
    assert "100 %" in goal and "at epoch 1" in goal, goal
    saved = dock.progress.steps[0].result
    assert saved["met"] is True and saved["value"] == 1.0 and saved["epoch"] == 1
    assert dock.bar.text() == "1 of 4 done"
    # met: the explanation shows by itself, with the prediction against what happens
    assert shown(dock, step.explanation)
    assert dock.prediction.feedback.text().startswith("You predicted: " +
                                                      step.prediction.choices[0])
    assert not dock.why_button.isEnabled()

    # Next raises the panel the step looks at; the explanation of step 2 waits for a request
    with qtbot.waitSignal(dock.panelRequested, timeout=5000) as raised:
        qtbot.mouseClick(dock.next_button, Qt.MouseButton.LeftButton)
    assert raised.args == [lesson.steps[1].panel]
    assert dock.step_label.text() == "Step 2 of 4"
    assert not shown(dock, lesson.steps[1].explanation)
    qtbot.mouseClick(dock.why_button, Qt.MouseButton.LeftButton)
    assert shown(dock, lesson.steps[1].explanation)

    # a restart: a new window over the same settings opens the lesson where it was left
    settings.sync()
    again = make_lab(settings=settings)
    window.close()
    again.window.show_tool("lessons")
    dock2 = again.window.tool("lessons")
    assert dock2.key == LESSON and dock2.step_label.text() == "Step 2 of 4"
    state = dock2.progress.steps[0]
    assert state.prediction == 0 and state.hints_shown == 2 and state.result["met"] is True
    qtbot.mouseClick(dock2.prev_button, Qt.MouseButton.LeftButton)
    assert "✓" in dock2.goal_label.text() and "100 %" in dock2.goal_label.text()
    assert dock2.prediction.buttons[0].isChecked()

    # Start over forgets it, in the settings too
    qtbot.mouseClick(dock2.reset_button, Qt.MouseButton.LeftButton)
    assert dock2.bar.text() == "0 of 4 done" and dock2.progress.steps[0].prediction is None
    saved = json.loads(settings.value(f"lessons/progress/{LESSON}"))
    assert saved["steps"][0]["result"] is None


def test_a_goal_that_needs_no_training_is_checked_on_request(make_lab, settings, qtbot):
    lab = make_lab(settings=settings)
    dock = open_lesson(lab, "derivative-at-z")
    dock.open_step(0)
    goal = dock.step.goal
    assert goal is not None and not goal.needs_run
    assert dock.check_button.isVisibleTo(dock) and not dock.done_button.isVisibleTo(dock)
    qtbot.mouseClick(dock.check_button, Qt.MouseButton.LeftButton)
    assert "✓" in dock.goal_label.text()
    assert dock.progress.steps[0].done


def test_a_step_the_student_marks_done(make_lab, settings, qtbot):
    lab = make_lab(settings=settings)
    key, index = next((l.name, s.index) for l in L.builtin().values() for s in l.steps
                      if s.goal is not None and not s.goal.checkable)
    dock = open_lesson(lab, key)
    dock.open_step(index)
    assert dock.done_button.isVisibleTo(dock) and not dock.check_button.isVisibleTo(dock)
    qtbot.mouseClick(dock.done_button, Qt.MouseButton.LeftButton)
    assert dock.progress.steps[index].done
    assert dock.bar.value() == 1


def test_every_built_in_step_fits_the_dock_without_sideways_scrolling(make_lab, qtbot):
    lab = make_lab(start=False)
    dock = open_lesson(lab, L.names()[0])
    qtbot.waitUntil(lambda: dock.scroll.viewport().width() > 150)
    area = dock.scroll

    def fits() -> bool:
        return area.widget().width() <= area.viewport().width()

    for name in L.names():
        dock.show_lesson(name)
        for i in range(len(dock.lesson.steps)):
            dock.open_step(i)
            # the text and the choices wrap: the dock's content needs no more than a
            # narrow dock's width (about 240 pixels inside, as at 1366×768)
            assert dock.scroll.widget().minimumSizeHint().width() <= NARROW, (name, i)
            assert dock.minimumSizeHint().width() <= NARROW + 40, (name, i)
            # once laid out (a scroll bar that appears narrows it)
            qtbot.waitUntil(fits, timeout=2000)
