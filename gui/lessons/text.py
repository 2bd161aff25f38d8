"""The lesson dock's words: a lesson and its open step as Markdown, and the goal's status line.

Pure functions of the lesson, the student's progress and a goal result, so a test reads
exactly what the student reads. The Markdown is rendered by Qt (``QTextDocument``) with HTML
switched off, so a lesson file's text is only ever shown, never interpreted as markup beyond
Markdown.
"""

from __future__ import annotations

import html

import core.lessons as L

__all__ = ["after_markdown", "goal_line", "lesson_markdown", "prediction_feedback",
           "no_goal_line", "shown_result", "step_markdown"]

PANEL_TITLES = {
    "output": "Output", "training_curves": "Training curves",
    "activation_curves": "Activation curves", "derivatives": "Derivatives",
    "histograms": "Histograms", "gradient_flow": "Gradient flow",
    "network_graph": "Network graph", L.LAB_PANEL: "Recurrent lab",
}


def lesson_markdown(lesson: L.Lesson) -> str:
    """The lesson's head: its title, the question it answers and what the student learns."""
    lines = [f"## {lesson.title}", "", f"**The question:** {lesson.question}", "",
             "**You will learn**", ""]
    lines += [f"- {item}" for item in lesson.learn]
    return "\n".join(lines) + "\n"


def step_markdown(lesson: L.Lesson, progress: L.LessonProgress) -> str:
    """The open step: its title, what to do and where to look."""
    step = lesson.steps[progress.step]
    lines = [f"### Step {step.number} of {len(lesson.steps)}: {step.title}", "",
             step.instruction.strip(), "",
             f"*Look at:* **{PANEL_TITLES.get(step.panel, step.panel)}**", ""]
    if step.setup is not None:
        lines += ["*Press* **Set up this step** *to load its settings (it starts a new "
                  "run).*", ""]
    if step.recurrent is not None:
        lines += ["*Press* **Set up this step** *to open the Recurrent lab with this set-up "
                  "(it starts runs A and B again):*", ""]
        lines += [f"- {item[:1].upper()}{item[1:]}" for item in L.describe_lab(step.recurrent)]
        lines.append("")
    return "\n".join(lines)


def after_markdown(lesson: L.Lesson, progress: L.LessonProgress, *, explanation: bool) -> str:
    """Below the prediction: the hints shown so far and (when ``explanation``) the why."""
    step = lesson.steps[progress.step]
    lines = []
    for n, hint in enumerate(step.hints[: progress.steps[progress.step].hints_shown], 1):
        lines += [f"**Hint {n}.** {hint.strip()}", ""]
    if explanation and step.explanation:
        lines += ["#### Why", "", step.explanation.strip(), ""]
    return "\n".join(lines)


def prediction_feedback(step: L.Step, answer: int | str | None) -> str:
    """After the run: what the student predicted against the expected answer ("" if there
    is nothing to compare)."""
    p = step.prediction
    if p is None or answer is None:
        return ""
    if p.choices and isinstance(answer, int):
        said = p.choices[answer]
        if p.answer is None:
            return f"You predicted: {said}."
        if answer == p.answer:
            return f"You predicted: {said}. That is what happens."
        return f"You predicted: {said}. What happens: {p.choices[p.answer]}."
    return f"You predicted: {answer}"


def shown_result(live: L.GoalResult | None, saved: dict | None) -> L.GoalResult | dict | None:
    """Which result the goal line shows: the run going on's once it has one, except that a
    goal met before stays shown as met while a new run has decided nothing yet."""
    if live is None:
        return saved
    if live.met is None and saved is not None and saved.get("met") is True:
        return saved
    return live


#: said when the window trains other settings than the step's (a Check needs no run)
MISMATCH = ("<i>The run going on has other settings than this step: press <b>Set up</b>, "
            "then <b>Play</b>.</i>")
NO_GOAL = "This step has no goal to check: read, look, then go on."


def no_goal_line(mismatch: bool) -> str:
    """The status of a step without a goal."""
    return NO_GOAL + ("<br>" + MISMATCH if mismatch else "")


#: ✓ and ✗ in colours readable on a light and on a dark background
COLOURS = {False: ("#1a7f37", "#b42318"), True: ("#4ac26b", "#ff7b72")}


def goal_line(goal: L.Goal | None, result: L.GoalResult | dict | None, *,
              mismatch: bool = False, live: bool = False, dark: bool = False) -> str:
    """The goal's status as rich text (escaped): what is checked, and ✓ with the measured
    value, ✗, or how far the run has got.

    ``result`` is a GoalResult or a saved one (its dict); ``mismatch`` says the run going on
    has other settings than the step's; ``live`` that ``result`` is the run going on's;
    ``dark`` picks the colours for a dark background.
    """
    good, bad = COLOURS[dark]
    if goal is None:
        return ""
    if not goal.checkable:
        head = "Goal: mark this step done when you have looked."
    else:
        head = f"Goal: {goal.describe()}."
    parts = [html.escape(head)]
    met = text = None
    if isinstance(result, dict):
        met, text = result.get("met"), result.get("text")
    elif result is not None:
        met, text = result.met, result.text
    if text and goal.checkable:  # the goal is said once, above: not again after the value
        text = str(text).removesuffix(f" (goal {goal.target()})")
    if met is True:
        parts.append(f'<b style="color:{good}">✓ Met:</b> {html.escape(str(text))}')
    elif met is False:
        parts.append(f'<b style="color:{bad}">✗ Not met:</b> {html.escape(str(text))}')
    elif text and live:
        parts.append(html.escape(str(text)))
    if mismatch and (goal.needs_run or not goal.checkable) and met is not True:
        parts.append(MISMATCH)
    if goal.needs_run and goal.seeds > 1:
        if goal.min_seeds == goal.seeds:
            note = f"Checked on your run; the lesson was checked on {goal.seeds} seeds."
        else:
            note = (f"Checked on your run. It holds in at least {goal.min_seeds} of "
                    f"{goal.seeds} seeds, so yours may be one where it does not: try another "
                    "seed.")
        parts.append(f"<small>{note}</small>")
    return "<br>".join(parts)
