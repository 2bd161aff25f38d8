"""The built-in lessons: each passes its own check, and together they answer the questions.

``UPDATE_QUESTIONS=1`` rewrites resources/lessons/QUESTIONS.md from the lessons.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import core.lessons as L
import core.presets

QUESTIONS_MD = Path(__file__).resolve().parents[2] / "resources" / "lessons" / "QUESTIONS.md"

#: the teaching questions in a few words (the full text is in the project's teaching notes)
QUESTIONS = {
    1: "Why tanh rather than the sigmoid in hidden layers?",
    2: "Why did ReLU replace both; is it really faster?",
    3: "Dying ReLU; do Leaky ReLU, PReLU, RReLU or ELU fix it?",
    4: "Can ReLU handle negative inputs?",
    5: "Which activation for the output layer?",
    6: "Why not sigmoid outputs for a multi-class problem?",
    7: "Is XOR classification or regression?",
    8: "Why can a step perceptron not learn XOR, and a window unit could?",
    9: "What does the scaled tanh 1.7159·tanh(2x/3) buy with ±1 targets?",
    10: "Why sigmoid gates and tanh in LSTMs?",
    11: "Is f′ evaluated at z or at a?",
    12: "ReLU′(0), and why a numerical check gives 0.5",
    13: "Checking backprop numerically: how small must the error be?",
    14: "Why does learning stop when outputs saturate at ±1?",
    15: "Why does cross-entropy learn faster than squared error?",
    16: "Cross-entropy, log(0) and the loss on logits",
    17: "Does backprop go through a sigmoid inside the loss?",
    18: "Where do vanishing (and exploding) gradients come from?",
    19: "Does normalizing the inputs matter?",
    20: "Online, mini-batch, full batch; momentum; Adam",
    21: "Why not zero initial weights; Xavier and He",
    22: "Should the output be thresholded at 0.5?",
    23: "Drifting distributions and batch normalization",
    24: "One-sided saturation, zero-centring, bias shift; RReLU, PReLU",
    25: "Can a ReLU output produce a negative target?",
}
#: answered outside the lessons (none now: the recurrent lab's lessons answer the LSTM one)
ELSEWHERE: dict[int, str] = {}


def questions_markdown() -> str:
    lines = [
        "# Which lesson answers which question",
        "",
        "Generated from the lessons' `questions` fields by "
        "`UPDATE_QUESTIONS=1 pytest tests/core/test_lessons_builtin.py`; a test keeps it "
        "current.",
        "",
        "| # | question | lesson | steps |",
        "| ---: | --- | --- | --- |",
    ]
    for q, text in QUESTIONS.items():
        where: dict[str, list[str]] = {}
        for lesson in L.builtin().values():
            for step in lesson.steps:
                if q in step.questions:
                    where.setdefault(lesson.name, []).append(f"{step.number}. {step.title}")
        if q in ELSEWHERE:
            lines.append(f"| {q} | {text} | {ELSEWHERE[q]} | |")
        for i, (name, steps) in enumerate(where.items()):
            lines.append(f"| {q if i == 0 else ''} | {text if i == 0 else ''} | `{name}` | "
                         f"{'<br>'.join(steps)} |")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", L.names())
def test_every_built_in_lesson_passes_its_check(name):
    lesson = L.get(name)
    results = L.check(lesson)
    assert len(results) == len(lesson.steps)
    failed = [f"step {r.step.number}: {r.result.text}" for r in results if r.status == "FAIL"]
    assert not failed, failed
    assert sum(r.passed for r in results) >= len(results) // 2  # mostly checked, not "done"


def test_there_are_enough_lessons_and_each_is_complete():
    lessons = L.builtin()
    assert len(lessons) >= 18
    for lesson in lessons.values():
        assert lesson.title and "?" in lesson.question and lesson.learn
        assert lesson.summary, lesson.name
        for step in lesson.steps:
            assert step.explanation, (lesson.name, step.number)
            assert step.panel in L.PANELS or (step.recurrent is not None
                                              and step.panel == L.LAB_PANEL)
            assert step.questions, (lesson.name, step.number)


def test_together_they_answer_every_question():
    answered = {q for lesson in L.builtin().values() for q in lesson.questions}
    assert answered == set(QUESTIONS) - set(ELSEWHERE)


def test_every_preset_is_a_set_up_and_its_description_a_summary():
    used = {s.setup.preset for l in L.builtin().values() for s in l.steps
            if s.setup and s.setup.preset}
    assert used == set(core.presets.names())
    def norm(text: str) -> str:
        return " ".join(text.replace("'", "*").split())

    summaries = norm(" ".join(l.summary for l in L.builtin().values()))
    for name in core.presets.names():
        first = norm(core.presets.get(name).description.split(". ")[0])
        assert first[:24] in summaries, name


def test_questions_md_is_up_to_date():
    text = questions_markdown()
    if os.environ.get("UPDATE_QUESTIONS"):
        QUESTIONS_MD.write_text(text, encoding="utf-8")
    assert QUESTIONS_MD.read_text(encoding="utf-8") == text


def test_the_recurrent_labs_lessons_set_up_the_lab():
    """Four lessons under "The recurrent lab", each with one step that sets up the lab (its
    claims are measured in tests/gui/test_recurrent_lessons.py) and no goal that trains."""
    lab = {n: l for n, l in L.builtin().items() if l.topic == "The recurrent lab"}
    assert set(lab) == {"gates-and-candidates", "relu-in-an-lstm", "second-derivative", "gru"}
    for lesson in lab.values():
        steps = [s for s in lesson.steps if s.recurrent is not None]
        assert len(steps) == 1 and steps[0].setup is None and steps[0].panel == L.LAB_PANEL
        assert 10 in lesson.questions
        assert all(s.goal is None or not s.goal.needs_run for s in lesson.steps)
    assert L.get("gru").steps[0].recurrent.b.cell == "gru"
    assert L.get("relu-in-an-lstm").steps[0].recurrent.clip_norm is None


def test_built_in_lessons_load_the_same_from_their_files():
    for name, lesson in L.builtin().items():
        again = L.load(QUESTIONS_MD.parent / f"{name}.toml")
        assert again.steps == lesson.steps and again.experiments == lesson.experiments
