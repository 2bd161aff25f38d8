"""The Lessons dock: one lesson at a time, step by step, with its goal checked live.

The dock sees the session (its experiment and frames, through a ``GoalTracker``), the lesson
catalog and the settings the student's progress is kept in, and nothing above. What it wants
beyond that it asks for with a signal: a panel raised (``panelRequested``), a step's
experiment loaded (``experimentRequested``), the Recurrent lab set up (``labRequested``); the
composition root (``gui.wiring``) connects them to the window, the session and the lab.
"""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import quote

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

import core.lessons as L

from ..session import Session
from .browser import SafeBrowser
from .catalog import LessonCatalog
from .prediction import PredictionBox
from .text import (
    after_markdown,
    goal_line,
    lesson_markdown,
    no_goal_line,
    prediction_feedback,
    shown_result,
    step_markdown,
)
from .tracker import GoalTracker, part_of

__all__ = ["LessonDock"]

PROGRESS_KEY = "lessons/progress/"
WIDTH = 360
CURRENT_KEY = "lessons/current"
def _progress_key(key: str) -> str:
    """The settings key of a lesson's progress (a file's path has slashes: kept as %2F)."""
    return PROGRESS_KEY + quote(key, safe="")


class LessonDock(QWidget):
    """Shows a lesson: its question, what is learnt, and the open step with its set-up,
    prediction, goal, hints and explanation; Previous / Next, and the progress.

    Parameters
    ----------
    session : the window's session; goals are checked on its frames.
    catalog : the lessons on offer.
    settings : where progress is kept (None: only for as long as the window is open).

    Signals
    -------
    panelRequested(str) : a step was opened; raise the panel it looks at.
    experimentRequested(Experiment) : the student pressed Set up this step.
    labRequested(LabSetup) : the same on a step of the Recurrent lab (``[steps.recurrent]``).
    widthWanted(int) : shown for the first time; a comfortable width for the lesson's text.
    """

    panelRequested = Signal(str)
    experimentRequested = Signal(object)
    labRequested = Signal(object)
    widthWanted = Signal(int)

    def __init__(self, session: Session, catalog: LessonCatalog,
                 settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.catalog = catalog
        self.settings = settings
        self.key: str | None = None
        self.lesson: L.Lesson | None = None
        self.progress: L.LessonProgress | None = None
        self._memory: dict[str, dict] = {}  # progress when there are no settings
        self._why_asked: set[int] = set()  # steps whose explanation was asked for
        self._asked_width = False
        self.tracker = GoalTracker(session, self)
        self.tracker.resultChanged.connect(self._on_result)
        self.tracker.mismatchChanged.connect(lambda _m: self._show_goal())
        self._build()
        catalog.changed.connect(self._fill_lessons)
        self._fill_lessons()
        start = self._setting(CURRENT_KEY)
        keys = catalog.keys()
        if keys:
            self.show_lesson(start if start in catalog else keys[0])

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.lesson is not None:
            self._show_goal()  # the theme changed: ✓ and ✗ in its colours

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._asked_width:  # once the window has placed the dock, the first time
            self._asked_width = True
            QTimer.singleShot(0, lambda: self.widthWanted.emit(WIDTH))

    # --- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.chooser = QComboBox()
        self.chooser.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.chooser.setMinimumContentsLength(16)
        self.chooser.setToolTip("Choose a lesson (also in the Lessons menu)")
        self.chooser.activated.connect(self._chosen)
        outer.addWidget(self.chooser)
        row = QHBoxLayout()
        self.step_label = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.setMaximumWidth(150)
        self.bar.setToolTip("Steps done: a goal met, a check passed, or marked done")
        row.addWidget(self.step_label, 1)
        row.addWidget(self.bar)
        outer.addLayout(row)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.Shape.StyledPanel)
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        self.browser = SafeBrowser()
        # the text rewraps when the dock's width settles or changes: keep the step in view
        self.browser.heightChanged.connect(lambda: QTimer.singleShot(0, self.scroll_to_step))
        inner.addWidget(self.browser)
        self.prediction = PredictionBox()
        self.prediction.answered.connect(self._predicted)
        inner.addWidget(self.prediction)
        self.after = SafeBrowser()  # the hints and the why, below the prediction
        inner.addWidget(self.after)
        inner.addStretch(1)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)
        self.goal_label = QLabel()
        self.goal_label.setWordWrap(True)
        self.goal_label.setTextFormat(Qt.TextFormat.RichText)
        self.goal_label.setObjectName("lesson-goal")
        outer.addWidget(self.goal_label)
        grid = QGridLayout()
        self.setup_button = QPushButton("Set up this step")
        self.setup_button.clicked.connect(self.set_up)
        self.check_button = QPushButton("Check")
        self.check_button.clicked.connect(self.check_now)
        self.done_button = QPushButton("Mark as done")
        self.done_button.setCheckable(True)
        self.done_button.toggled.connect(self.mark_done)
        self.hint_button = QPushButton("Show a hint")
        self.hint_button.clicked.connect(self.show_hint)
        self.why_button = QPushButton("Show why")
        self.why_button.setToolTip("The explanation: shown by itself once the goal is met")
        self.why_button.clicked.connect(self.show_explanation)
        self.prev_button = QPushButton("◀ Back")
        self.prev_button.setToolTip("The step before")
        self.prev_button.clicked.connect(lambda: self.open_step(self.progress.step - 1))
        self.next_button = QPushButton("Next ▶")
        self.next_button.clicked.connect(lambda: self.open_step(self.progress.step + 1))
        self.reset_button = QPushButton("Start over")
        self.reset_button.setToolTip("Forget this lesson's progress: predictions, hints, "
                                     "results")
        self.reset_button.clicked.connect(self.reset_progress)
        grid.addWidget(self.setup_button, 0, 0)
        grid.addWidget(self.check_button, 0, 1)
        grid.addWidget(self.done_button, 0, 1)
        grid.addWidget(self.hint_button, 1, 0)
        grid.addWidget(self.why_button, 1, 1)
        outer.addLayout(grid)
        nav = QHBoxLayout()
        for b in (self.prev_button, self.next_button, self.reset_button):
            nav.addWidget(b)
        outer.addLayout(nav)

    def _fill_lessons(self) -> None:
        c = self.chooser
        c.blockSignals(True)
        c.clear()
        model = c.model()
        for topic, entries in self.catalog.by_topic().items():
            c.addItem(topic)
            model.item(c.count() - 1).setEnabled(False)  # a heading, not a lesson
            for e in entries:
                c.addItem(f"   {e.lesson.title}", e.key)
        if self.key is not None:
            c.setCurrentIndex(max(0, c.findData(self.key)))
        c.blockSignals(False)

    # --- lessons and steps -------------------------------------------------------------------
    def show_lesson(self, key: str) -> None:
        """Open lesson ``key`` of the catalog where the student left it."""
        entry = self.catalog[key]
        self.key, self.lesson = key, entry.lesson
        self._why_asked.clear()
        self.progress = self._load_progress(key, entry.lesson)
        self.chooser.setCurrentIndex(max(0, self.chooser.findData(key)))
        self._put(CURRENT_KEY, key)
        self._open(self.progress.step)

    def open_step(self, index: int) -> None:
        """Go to step ``index`` (0-based) of the lesson; out of range is ignored."""
        if self.lesson is None or not 0 <= index < len(self.lesson.steps):
            return
        self._open(index)

    def _open(self, index: int) -> None:
        self.progress = self.progress.at(index)
        self._save()
        step = self.lesson.steps[index]
        self.tracker.watch(self.lesson, index)
        if step.recurrent is None:  # the lab opens with Set up: not on merely reading a step
            self.panelRequested.emit(step.panel)
        self._render()
        self.scroll.verticalScrollBar().setValue(0)
        QTimer.singleShot(0, self.scroll_to_step)  # once the scroll area has laid it out

    def scroll_to_step(self) -> None:
        """At the first step the student reads the lesson's head; later the view opens at
        the step (the head is above it, a scroll away)."""
        if self.lesson is None or self.progress.step == 0:
            return
        y = self.browser.y_of(f"Step {self.step.number} of {len(self.lesson.steps)}:")
        if y is not None:
            self.scroll.verticalScrollBar().setValue(self.browser.y() + y - 4)

    @property
    def step(self) -> L.Step:
        return self.lesson.steps[self.progress.step]

    def _chosen(self, row: int) -> None:
        key = self.chooser.itemData(row)
        if key is not None and key != self.key:
            self.show_lesson(key)

    # --- what the student does ---------------------------------------------------------------
    def set_up(self) -> None:
        """Ask for the step's experiment, a new run (a classroom set-up of the window stays).

        A step without a set-up of its own goes on with the run of the step before; this
        starts that run again with its settings. A step of the Recurrent lab asks for the lab
        set up as the step says, and leaves the window's experiment as it is."""
        if self.step.recurrent is not None:
            self.labRequested.emit(self.step.recurrent)
            return
        exp = self.lesson.experiment_for(self.progress.step)
        exp = dataclasses.replace(exp, classroom=self.session.experiment.classroom)
        self.experimentRequested.emit(exp)

    def show_hint(self) -> None:
        self.progress, text = self.progress.hint_shown(self.lesson, self.progress.step)
        self._save()
        self._render()
        if text is not None:
            self._reveal(f"Hint {self.progress.steps[self.progress.step].hints_shown}.")

    def show_explanation(self) -> None:
        self._why_asked.add(self.progress.step)
        self._render()
        self._reveal("Why")

    def _reveal(self, text: str) -> None:
        """Scroll what was just shown into view (below the prediction, it may be out of
        sight), once the scroll area has laid it out."""
        def scroll() -> None:
            body = self.scroll.widget()
            body.layout().activate()
            body.resize(body.width(), max(body.height(), body.sizeHint().height()))
            y = self.after.y_of(text)
            if y is not None:
                self.scroll.ensureVisible(0, self.after.y() + y + 60, 0, 70)
        QTimer.singleShot(0, scroll)

    def check_now(self) -> None:
        """Decide a goal that needs no training (a value of a function, a gradient check)
        on the step's experiment."""
        goal = self.step.goal
        if goal is None or goal.needs_run or not goal.checkable:
            return
        exp = self.lesson.experiment_for(self.progress.step)
        self._remember(goal.evaluate(L.RunRecord(experiment=exp)))

    def mark_done(self, done: bool) -> None:
        if self.progress is None or self.progress.steps[self.progress.step].done == done:
            return
        self.progress = self.progress.marked_done(self.progress.step, done)
        self._save()
        self._render()

    def _predicted(self, answer) -> None:
        self.progress = self.progress.predicted(self.progress.step, answer)
        self._save()

    def reset_progress(self) -> None:
        """Start this lesson afresh at its first step."""
        self.progress = L.LessonProgress.start(self.lesson)
        self._why_asked.clear()
        self._open(0)

    # --- results -----------------------------------------------------------------------------
    def _on_result(self, result: L.GoalResult | None) -> None:
        if result is not None and result.met is not None:
            self._remember(result)
        else:
            self._show_goal()

    def _remember(self, result: L.GoalResult) -> None:
        i = self.progress.step
        before = self.progress.steps[i]
        self.progress = self.progress.with_result(i, result)
        if self.progress.steps[i] != before:
            self._save()
            self._render()  # a met goal reveals the explanation
            if result.met is True and self.step.explanation and not before.done:
                self._reveal("Why")
        else:
            self._show_goal()

    # --- showing -------------------------------------------------------------------------------
    def _explained(self) -> bool:
        i = self.progress.step
        state = self.progress.steps[i]
        met = state.result is not None and state.result.get("met") is True
        return i in self._why_asked or met or (state.done and self.step.goal is not None
                                               and not self.step.goal.checkable)

    def _render(self) -> None:
        lesson, progress, step = self.lesson, self.progress, self.step
        explained = self._explained()
        self.browser.set_markdown(lesson_markdown(lesson) + "\n" + step_markdown(lesson,
                                                                                progress))
        after = after_markdown(lesson, progress, explanation=explained)
        self.after.set_markdown(after)
        self.after.setVisible(bool(after))
        state = progress.steps[progress.step]
        feedback = prediction_feedback(step, state.prediction) if explained else ""
        self.prediction.show_prediction(step.prediction, state.prediction, feedback)
        n = len(lesson.steps)
        done = sum(s.done for s in progress.steps)
        self.step_label.setText(f"Step {step.number} of {n}")
        self.bar.setRange(0, n)
        self.bar.setValue(done)
        self.bar.setFormat(f"{done} of {n} done")
        self.prev_button.setEnabled(progress.step > 0)
        self.next_button.setEnabled(progress.step < n - 1)
        part = part_of(lesson, step.index)
        if step.recurrent is not None:
            label, tip = "Set up this step", ("Open the Recurrent lab with this step's runs A "
                                              "and B")
        elif step.setup is not None:
            label, tip = "Set up this step", "Load this step's settings and start a new run"
        else:
            label = (f"Set up as in step {part + 1}" if lesson.steps[part].setup is not None
                     else "Set up (default settings)")
            tip = ("This step goes on with the run of the step before; this starts that run "
                   "again with its settings")
        self.setup_button.setText(label)
        self.setup_button.setToolTip(tip)
        left = len(step.hints) - state.hints_shown
        self.hint_button.setEnabled(left > 0)
        self.hint_button.setText("Show a hint" if left > 0 or not step.hints else "No more hints")
        if not step.hints:
            self.hint_button.setText("No hints")
        self.why_button.setEnabled(bool(step.explanation) and not explained)
        goal = step.goal
        static = goal is not None and not goal.needs_run and goal.checkable
        self.check_button.setVisible(static)
        self.done_button.setVisible(goal is not None and not goal.checkable)
        self.done_button.blockSignals(True)
        self.done_button.setChecked(state.done)
        self.done_button.blockSignals(False)
        self._show_goal()

    def _show_goal(self) -> None:
        if self.lesson is None:
            return
        goal = self.step.goal
        saved = self.progress.steps[self.progress.step].result
        live = self.tracker.result
        result = shown_result(live, saved)
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        text = goal_line(goal, result, mismatch=self.tracker.mismatch, live=result is live,
                         dark=dark)
        if not goal:
            text = no_goal_line(self.tracker.mismatch)
        if text != self.goal_label.text():
            self.goal_label.setText(text)

    # --- progress in the settings ------------------------------------------------------------
    def _load_progress(self, key: str, lesson: L.Lesson) -> L.LessonProgress:
        raw = self._setting(_progress_key(key))
        try:
            return L.LessonProgress.from_dict(json.loads(raw), lesson)
        except (TypeError, ValueError):  # none saved, or for another version of the lesson
            return L.LessonProgress.start(lesson)

    def _save(self) -> None:
        if self.key is not None and self.progress is not None:
            self._put(_progress_key(self.key), json.dumps(self.progress.to_dict()))

    def _setting(self, key: str):
        if self.settings is None:
            return self._memory.get(key)
        return self.settings.value(key)

    def _put(self, key: str, value) -> None:
        if self.settings is None:
            self._memory[key] = value
        else:
            self.settings.setValue(key, value)
