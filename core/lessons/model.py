"""Lessons and their steps as frozen data, and how they are read from a parsed TOML file.

See ``resources/lessons/README.md`` for the format a teacher writes. Reading validates
everything that can be known without training: text lengths, names against the registries,
every set-up applied in order (so each step's experiment is built and checked once, here),
and every goal against the experiment it will run on (a metric that fits the task, layers
that exist, an earlier run for a comparison).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..experiment import Experiment
from ..recurrent.lab_setup import LabSetup
from .fields import Table
from .goals import Goal, GoalContext, parse_goal
from .lab import LAB_FIELDS, LAB_PANEL, parse_lab
from .setup import SETUP_FIELDS, SetUp, parse_setup
from .source import Source

__all__ = ["LAB_PANEL", "PANELS", "Lesson", "Prediction", "Step", "parse_lesson", "run_plan"]

#: the panels a step can point at: gui/panels/registry.py's PANELS ids (a test keeps them equal)
PANELS = ("output", "training_curves", "activation_curves", "derivatives", "histograms",
          "gradient_flow", "network_graph")

FORMAT_VERSION = 1
MAX_STEPS = 40
LESSON_FIELDS = ("format", "title", "question", "learn", "summary", "order", "topic", "steps")
STEP_FIELDS = ("title", "panel", "instruction", "setup", "recurrent", "prediction", "goal",
               "hints", "explanation", "questions")
#: goals a step of the Recurrent lab can have: none that trains or checks the main window's
#: network (the headless check cannot train the lab's runs)
LAB_GOALS = ("done", "activation", "depth_product")
PREDICTION_FIELDS = ("prompt", "choices", "answer")


@dataclass(frozen=True)
class Prediction:
    """What the student predicts before running.

    ``choices`` empty means a free-text answer; ``answer`` is the 0-based index of the
    expected choice (the file writes it counting from 1), or None when there is none.
    """

    prompt: str
    choices: tuple[str, ...] = ()
    answer: int | None = None

    def is_right(self, choice: int) -> bool | None:
        """Whether choice ``choice`` (0-based) is the expected one; None if there is none."""
        return None if self.answer is None else choice == self.answer


@dataclass(frozen=True)
class Step:
    """One step of a lesson.

    Attributes
    ----------
    index : int
        0-based position in the lesson (``number`` counts from 1).
    title, instruction, explanation : str
        Markdown text: what to do, and why it happens (shown after the run).
    panel : str
        The panel to raise (one of ``PANELS``), or ``LAB_PANEL`` for a step of the lab.
    setup : SetUp or None
        The change this step makes; a step with a set-up starts a new run (Reset).
    recurrent : LabSetup or None
        The Recurrent lab's set-up this step makes instead (``[steps.recurrent]``): the app
        opens the lab with it; the main window's experiment is left as it was.
    prediction : Prediction or None
    goal : Goal or None
    hints : tuple of str
        Revealed one at a time.
    questions : tuple of int
        The numbers of the teaching questions this step answers.
    line : int
        Where the step's ``[[steps]]`` block starts in its file.
    """

    index: int
    title: str
    panel: str
    instruction: str
    setup: SetUp | None = None
    recurrent: LabSetup | None = None
    prediction: Prediction | None = None
    goal: Goal | None = None
    hints: tuple[str, ...] = ()
    explanation: str = ""
    questions: tuple[int, ...] = ()
    line: int = 0

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def starts_run(self) -> bool:
        """True when entering this step resets the run (it has a set-up)."""
        return self.setup is not None


@dataclass(frozen=True)
class Lesson:
    """A lesson: what it answers, what the student learns, and its steps.

    ``experiments[i]`` is the experiment in effect at step i: the set-ups of steps 0 … i
    applied in order to the default ``Experiment()``.
    """

    name: str
    title: str
    question: str
    learn: tuple[str, ...]
    steps: tuple[Step, ...]
    experiments: tuple[Experiment, ...]
    summary: str = ""
    order: int = 999
    path: str = ""
    #: the heading the app lists the lesson under ("" for none: the app picks one)
    topic: str = ""

    @property
    def questions(self) -> tuple[int, ...]:
        """Every teaching-question number the steps answer, sorted."""
        return tuple(sorted({q for s in self.steps for q in s.questions}))

    def experiment_for(self, index: int) -> Experiment:
        """The experiment in effect at step ``index`` (0-based)."""
        return self.experiments[index]


def _prediction(t: Table) -> Prediction:
    choices = t.texts("choices", max_items=8, max_len=300)
    answer = None
    if t.has("answer"):
        if not choices:
            raise t.error("answer", "an answer needs choices to pick from")
        answer = t.number("answer", 1, len(choices), integer=True) - 1
    return Prediction(t.text("prompt", max_len=1000, required=True), choices, answer)


def _questions(t: Table) -> tuple[int, ...]:
    v = t.raw("questions", [])
    if not isinstance(v, list) or len(v) > 10 or not all(
            isinstance(q, int) and not isinstance(q, bool) and 1 <= q <= 99 for q in v):
        raise t.error("questions", "must be a list of at most 10 question numbers (1 to 99)")
    return tuple(v)


def run_plan(steps) -> list[tuple[bool, bool]]:
    """Per step: (its goal starts new runs, an earlier run exists to compare with).

    A step with a set-up ends the runs going on (the app presses Reset); the first goal that
    trains after it starts new runs, and the goals of the following steps without a set-up go
    on watching those runs (the student keeps training), counting epochs from their start.
    """
    going = False
    earlier = False
    out = []
    for step in steps:
        if step.setup is not None and going:
            earlier, going = True, False
        starts = False
        if step.goal is not None and step.goal.needs_run and not going:
            starts = going = True
        out.append((starts, earlier))
    return out


def _check_plan(src: Source, steps: list[Step]) -> None:
    seeds, since = None, None
    for step, (starts, earlier) in zip(steps, run_plan(steps)):
        goal = step.goal
        if goal is None or not goal.needs_run:
            continue
        if starts:
            seeds, since = goal.seeds, step.number
        elif goal.seeds != seeds:
            raise src.error(("steps", step.index, "goal", "seeds"), f"this step has no set-up, "
                            f"so it goes on with the runs started at step {since}, which has "
                            f"seeds = {seeds}; give it the same seeds or a set-up of its own")
        if goal.compares and not earlier:
            key = "relative_to" if goal.relative_to else "kind"
            raise src.error(("steps", step.index, "goal", key), "no earlier step of this lesson "
                            "trains a run to compare with")


def parse_lesson(src: Source, name: str) -> Lesson:
    """Build and validate the lesson in ``src``; raises LessonError on the first problem."""
    from .. import datasets

    top = Table(src.data, (), src, LESSON_FIELDS, what="the lesson")
    if top.has("format"):
        top.number("format", FORMAT_VERSION, FORMAT_VERSION, integer=True)
    title = top.text("title", max_len=120, required=True, one_line=True)
    question = top.text("question", max_len=500, required=True)
    if not top.has("learn"):
        raise top.error("learn", "the field 'learn' is missing: what the student will learn")
    learn = top.texts("learn", max_items=8, max_len=500)
    if not learn:
        raise top.error("learn", "must say at least one thing the student will learn")
    summary = top.text("summary", max_len=3000)
    order = top.number("order", 0, 9999, integer=True, default=999)
    topic = top.text("topic", max_len=60, one_line=True)
    if not top.has("steps"):
        raise top.error("steps", "the lesson has no steps: add at least one [[steps]] block")
    tables = top.tables("steps", STEP_FIELDS, max_items=MAX_STEPS, what="a step")
    if not tables:
        raise top.error("steps", "the lesson has no steps: add at least one [[steps]] block")

    exp = Experiment()
    steps, experiments = [], []
    for i, t in enumerate(tables):
        setup = None
        st = t.table("setup", SETUP_FIELDS, what="a set-up")
        if st is not None:
            setup = parse_setup(st)
            try:
                exp = setup.apply(exp)
            except ValueError as e:
                raise st.error(None, f"this set-up cannot be applied: {e}") from None
        lab = t.table("recurrent", LAB_FIELDS, what="a set-up of the Recurrent lab")
        if lab is not None and st is not None:
            raise lab.error(None, "a step sets up either the main window (setup) or the "
                                  "Recurrent lab (recurrent), not both")
        recurrent = None if lab is None else parse_lab(lab)
        pt = t.table("prediction", PREDICTION_FIELDS, what="a prediction")
        goal: Goal | None = None
        if t.has("goal"):
            try:
                task = datasets.describe(exp.dataset.name).task
            except KeyError:
                task = None
            ctx = GoalContext(task=task, n_layers=len(exp.network.hidden) + 1, earlier_run=True)
            goal = parse_goal(t.raw("goal"), t.path + ("goal",), src, ctx)
            if recurrent is not None and goal.kind not in LAB_GOALS:
                raise src.error(t.path + ("goal", "kind"), f"a step of the Recurrent lab can "
                                f"have a goal of kind {', '.join(LAB_GOALS)}; the lesson "
                                f"check trains the main window's network, not the lab's")
        if recurrent is not None:
            panel = t.choice("panel", (LAB_PANEL,), default=LAB_PANEL)
        else:
            panel = t.choice("panel", PANELS, required=True)
        steps.append(Step(
            index=i, title=t.text("title", max_len=120, required=True, one_line=True),
            panel=panel, instruction=t.text("instruction", max_len=5000, required=True),
            setup=setup, recurrent=recurrent,
            prediction=None if pt is None else _prediction(pt), goal=goal,
            hints=t.texts("hints", max_items=6, max_len=1500),
            explanation=t.text("explanation", max_len=8000), questions=_questions(t),
            line=src.line_of(t.path),
        ))
        experiments.append(exp)
    _check_plan(src, steps)
    return Lesson(name=name, title=title, question=question, learn=learn, steps=tuple(steps),
                  experiments=tuple(experiments), summary=summary, order=order, path=src.path,
                  topic=topic)
