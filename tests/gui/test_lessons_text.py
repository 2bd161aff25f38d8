"""The Lessons dock's words and its text widget: what is shown, escaped and never loaded."""

from __future__ import annotations

import textwrap

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

import core.lessons as L
from gui.lessons.browser import SafeBrowser
from gui.lessons.text import (
    after_markdown,
    goal_line,
    no_goal_line,
    prediction_feedback,
    shown_result,
    step_markdown,
)

LESSON = L.loads(textwrap.dedent('''
    title = "T"
    question = "Q?"
    learn = "L"
    [[steps]]
    title = "One"
    panel = "gradient_flow"
    instruction = "Do it."
    hints = ["first", "second"]
    explanation = "Because."
    [steps.setup]
    preset = "xor-2-4-1-tanh"
    [steps.prediction]
    prompt = "Which?"
    choices = ["a", "b"]
    answer = 2
    [steps.goal]
    kind = "metric"
    metric = "train_accuracy"
    op = ">="
    value = 1.0
    within = 150
'''), name="t")


def test_the_step_names_its_panel_and_set_up_and_reveals_hints_in_order():
    p = L.LessonProgress.start(LESSON)
    text = step_markdown(LESSON, p)
    assert "Step 1 of 1: One" in text and "**Gradient flow**" in text and "Set up" in text
    assert after_markdown(LESSON, p, explanation=False) == ""
    p, _ = p.hint_shown(LESSON, 0)
    after = after_markdown(LESSON, p, explanation=True)
    assert "**Hint 1.** first" in after and "second" not in after and "Because." in after


def test_the_goal_line_says_the_goal_once_and_escapes_what_it_shows():
    goal = LESSON.steps[0].goal
    result = goal.evaluate(L.RunRecord(history={"epoch": [0, 1], "train_metric": [0.5, 1.0]}))
    assert result.met is True
    line = goal_line(goal, result)
    assert line.count("within 150 epochs") == 1 and "✓ Met:" in line and "100 %" in line
    saved = {"met": False, "value": 0.5, "epoch": 150, "text": "<script>x</script>"}
    line = goal_line(goal, saved, mismatch=True)
    assert "✗ Not met:" in line and "&lt;script&gt;" in line and "<script>" not in line
    assert "press <b>Set up</b>" in line
    assert goal_line(None, None) == ""
    done = L.loads(textwrap.dedent('''
        title = "T"
        question = "Q?"
        learn = "L"
        [[steps]]
        title = "Look"
        panel = "output"
        instruction = "Look."
        [steps.goal]
        kind = "done"
    ''')).steps[0].goal
    assert "Set up" in goal_line(done, None, mismatch=True)
    assert "Set up" not in goal_line(done, None, mismatch=False)
    assert "Set up" in no_goal_line(True) and "Set up" not in no_goal_line(False)


def test_the_prediction_is_compared_with_the_answer_only_when_there_is_one():
    step = LESSON.steps[0]
    assert prediction_feedback(step, 1) == "You predicted: b. That is what happens."
    assert prediction_feedback(step, 0) == "You predicted: a. What happens: b."
    assert prediction_feedback(step, None) == ""


def test_lesson_text_loads_nothing_and_shows_html_as_text(qtbot):
    browser = SafeBrowser()
    qtbot.addWidget(browser)
    browser.set_markdown("![a picture](file:///etc/hostname) and <b>bold</b> "
                         "[a link](https://example.com)\n\n<img src='/etc/hostname'>")
    text = browser.toPlainText()
    assert "<b>bold</b>" in text and "<img" in text  # shown, not interpreted
    doc = browser.document()
    browser.resize(300, 200)
    browser.show()
    qtbot.waitExposed(browser)  # painted: every image it names has been asked for
    image = QTextDocument.ResourceType.ImageResource.value
    for url in ("file:///etc/hostname", "/etc/hostname", "https://example.com/x.png"):
        assert bytes(browser.loadResource(image, QUrl(url))) == b""
        got = doc.resource(image, QUrl(url))
        assert got is None or bytes(got) == b"", url
    assert not browser.openLinks() and not browser.openExternalLinks()


def test_a_new_run_shows_its_progress_but_a_goal_met_before_stays_met():
    going = L.GoalResult(None, 0.5, 3, "training accuracy 50 % at epoch 3 so far")
    failed = L.GoalResult(False, 0.75, 150, "got to 75 % at best")
    met = {"met": True, "value": 1.0, "epoch": 30, "text": "100 % at epoch 30"}
    missed = {"met": False, "value": 0.75, "epoch": 150, "text": "75 %"}
    assert shown_result(None, met) is met and shown_result(None, None) is None
    assert shown_result(going, met) is met  # still ✓ while the new run decides nothing
    assert shown_result(going, missed) is going  # a ✗ of before gives way to the new run
    assert shown_result(failed, met) is failed


def test_the_readmes_example_lesson_loads():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Lessons\n"):readme.index("## In the classroom\n")]
    (example,) = re.findall(r"```toml\n(.*?)```", section, re.DOTALL)
    lesson = L.loads(example, name="example", path="README.md")
    assert lesson.title == "XOR needs a hidden layer" and len(lesson.steps) == 3
    assert lesson.topic == "My lessons"
