"""The Compare dock: set up a comparison, run it in the engine's worker processes, and read
its curves, table, verdict and warnings; ready-made comparisons, and comparison files.

The dock sees the session (the experiment it starts from, and its changes) and nothing
above. Whatever it wants beyond that it asks for with a signal: the window to load a
ready-made comparison's experiment (``experimentRequested``), the curves exported
(``curves.exportRequested``); the composition root (``gui.wiring``) connects them.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core import compare
from core.experiment import Experiment

from ..session import Session
from ..theme import LIGHT, Theme
from .curves import CompareCurves
from .form import PlanForm
from .job import ComparisonJob
from .table import SummaryView, VerdictLabel

__all__ = ["CompareDock"]

#: while runs come in, the curves are redrawn at most this often (seconds)
LIVE_CURVES_INTERVAL = 0.5
FILE_FILTER = f"Comparisons (*{compare.SUFFIX})"


class CompareDock(QWidget):
    """Vary one setting over K seeds; see the module docstring.

    Parameters
    ----------
    session : the window's session; the comparison starts from ``session.experiment`` and
        follows its changes.

    Signals
    -------
    experimentRequested(Experiment) : a ready-made comparison asks the window to show its
        experiment (the composition root passes it to the session).
    finished(ComparisonResult) : a comparison ended (or was cancelled), or one was opened.
    """

    experimentRequested = Signal(object)
    finished = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.theme: Theme = LIGHT
        self._result: compare.ComparisonResult | None = None
        self._summary: compare.Summary | None = None
        self._lost: list[str] = []
        self._curves_at = -1e9
        self.job = ComparisonJob(self)
        self.job.progressed.connect(self._on_progress)
        self.job.runEnded.connect(self._on_run_ended)
        self.job.workerLost.connect(self._on_worker_lost)
        self.job.finished.connect(self._on_finished)
        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.timeout.connect(self._draw_partial)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(self._build_bar())
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)

        self.form = PlanForm(session.experiment, parent=self)
        self.form.edited.connect(self._clear_error)
        scroll = QScrollArea()
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.curves = CompareCurves()
        self.summary = SummaryView()
        self.verdict = VerdictLabel()
        layout.addWidget(self.verdict)
        # pages rather than side by side: a dock beside the panels is narrow
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(scroll, "Set up")
        self.pages.addTab(self.curves, "Curves")
        self.pages.addTab(self.summary, "Table")
        layout.addWidget(self.pages, 1)
        session.experimentChanged.connect(self._on_session_experiment)
        self._set_running(False)

    def _build_bar(self) -> QGridLayout:
        bar = QGridLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setHorizontalSpacing(4)
        bar.setVerticalSpacing(2)
        self.preset_button = QToolButton()
        self.preset_button.setText("Ready-made")
        self.preset_button.setToolTip("Claims students meet, each set up to be tested over ten "
                                      "seeds: one click loads its lesson and runs it.")
        self.preset_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.preset_button)
        for name in compare.preset_names():
            ready = compare.get_preset(name)
            action = menu.addAction(ready.claim)
            action.setToolTip(f"{ready.title}: lesson {ready.lesson}, {ready.setting} = "
                              f"{', '.join(ready.values)}, {ready.seeds} seeds")
            action.triggered.connect(lambda _c=False, n=name: self.run_preset(n))
        menu.setToolTipsVisible(True)
        self.preset_button.setMenu(menu)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Train every value with every seed in worker processes "
                                   "(the window keeps training and drawing).")
        self.run_button.clicked.connect(lambda _c=False: self.run())
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the runs; those finished so far are kept.")
        self.cancel_button.clicked.connect(lambda _c=False: self.cancel())
        self.file_button = QToolButton()
        self.file_button.setText("File")
        self.file_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        files = QMenu(self.file_button)
        self.open_action = files.addAction("Open comparison…", self._ask_open)
        self.save_action = files.addAction("Save comparison…", self._ask_save)
        self.table_action = files.addAction("Save table as CSV…", self._ask_table_csv)
        self.export_action = files.addAction("Export curves…",
                                             self.curves_export_requested)
        self.file_button.setMenu(files)
        for col, w in enumerate((self.preset_button, self.run_button, self.cancel_button)):
            bar.addWidget(w, 0, col)
        bar.setColumnStretch(3, 1)
        bar.addWidget(self.file_button, 0, 4)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("no comparison yet")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        bar.addWidget(self.progress, 1, 0, 1, 5)
        return bar

    # --- running --------------------------------------------------------------------------
    def run(self) -> bool:
        """Run the comparison as set up; False (and the reason in one sentence, nothing
        started or changed) if it cannot run."""
        try:
            plan = self.form.plan()
        except compare.PlanError as e:
            self._error(str(e))
            self.pages.setCurrentIndex(0)
            return False
        return self._start(plan)

    def run_preset(self, name: str, **changes) -> bool:
        """Set up the ready-made comparison ``name`` (``changes`` replace plan fields, e.g.
        ``seeds=(0, 1)``), load its experiment in the window if it shows another, and run."""
        plan = compare.get_preset(name).plan(**changes)
        if not _same(plan.experiment, self._session.experiment):
            self.experimentRequested.emit(plan.experiment)
        self.form.set_plan(plan)
        return self._start(plan)

    def _start(self, plan: compare.Plan) -> bool:
        if self.job.running:
            self._error("A comparison is running; cancel it first.")
            return False
        try:
            self.job.start(plan, self.form.jobs())
        except compare.PlanError as e:
            self._error(str(e))
            return False
        self._lost = []
        self._clear_error()
        self._result = self._summary = None
        self.curves.show_result(None)
        self.summary.clear()
        self.verdict.show_verdict("")
        self.progress.setRange(0, plan.n_runs)
        self.progress.setValue(0)
        self.progress.setFormat(f"0 of {plan.n_runs} runs")
        self._set_running(True)
        self.pages.setCurrentIndex(1)
        return True

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        # the room its curves and table need; beside the panels, Qt shares the column by it
        return QSize(520, 560)

    def cancel(self) -> None:
        """Stop the runs; the table and curves then show those that finished."""
        self.job.cancel()

    def shutdown(self) -> None:
        """End the worker processes now (the window is closing)."""
        self._live_timer.stop()
        self.job.close()

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.preset_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.open_action.setEnabled(not running)
        done = self._result is not None and not running
        for action in (self.save_action, self.table_action):
            action.setEnabled(done)

    def _on_progress(self, p: compare.Progress) -> None:
        self.progress.setRange(0, p.total)
        self.progress.setValue(p.done)
        phase = "tuning the learning rates: " if p.phase == "tune" else ""
        self.progress.setFormat(phase + compare.remaining_text(p))

    def _on_run_ended(self, _event) -> None:
        if not self._live_timer.isActive():
            wait = self._curves_at + LIVE_CURVES_INTERVAL - time.monotonic()
            self._live_timer.start(max(0, int(1000 * wait)))

    def _draw_partial(self) -> None:
        partial = self.job.partial_result()
        if partial is not None and self.job.running:
            self._curves_at = time.monotonic()
            self.curves.show_result(partial)

    def _on_worker_lost(self, message: str) -> None:
        self._lost.append(message[0].upper() + message[1:] + ".")
        self._show_message("\n".join(self._lost), error=True)

    def _on_finished(self, result: compare.ComparisonResult) -> None:
        self._live_timer.stop()
        self.show_result(result)

    def show_result(self, result: compare.ComparisonResult) -> None:
        """Show a comparison's curves, table, verdict and warnings (one just finished, or
        one read from a file); nothing is trained."""
        self._show(result)
        self._set_running(False)

    def _show(self, result: compare.ComparisonResult) -> None:
        self._result = result
        self._summary = compare.summarize(result)
        self.curves.show_result(result)
        self.summary.show_summary(self._summary)
        self.verdict.show_verdict(compare.verdict(self._summary))
        n = len(result.runs) + len(result.tuning)
        self.progress.setRange(0, max(n, 1))
        ran = sum(r.status != "cancelled" for r in result.runs + result.tuning)
        how = "cancelled after" if result.cancelled else "done in"
        self.progress.setValue(ran)
        self.progress.setFormat(f"{ran} of {n} runs, {how} {result.seconds:.0f} s")
        self.finished.emit(result)

    def result(self) -> compare.ComparisonResult | None:
        """The comparison shown (finished, cancelled or opened), None before any."""
        return self._result

    # --- files ------------------------------------------------------------------------------
    def save_to(self, path: str | Path) -> Path | None:
        """Write the comparison shown to ``path`` (``.alabcmp`` added if missing)."""
        if self._result is None:
            self._error("There is no comparison to save yet.")
            return None
        path = Path(path)
        if path.suffix != compare.SUFFIX:
            path = path.with_name(path.name + compare.SUFFIX)
        try:
            written = compare.write_comparison(path, self._result)
        except OSError as e:
            self._error(f"Could not save {path.name}: {e.strerror or e}.")
            return None
        self._show_message(f"Saved {written.name}.")
        return written

    def open_file(self, path: str | Path) -> bool:
        """Show the comparison saved in ``path``, without training; a damaged file leaves
        everything as it was and says why in one sentence."""
        if self.job.running:
            self._error("A comparison is running; cancel it first.")
            return False
        try:
            result = compare.read_comparison(path)
        except (compare.CompareFileError, OSError) as e:
            self._error(f"Could not open {Path(path).name}: {_sentence(e)}")
            return False
        self._lost = []
        self.form.set_plan(result.plan)
        self.show_result(result)
        self.pages.setCurrentIndex(1)
        self._show_message(f"Opened {Path(path).name}: {len(result.runs)} runs, not "
                           "trained again.")
        return True

    def write_table_csv(self, path: str | Path) -> Path | None:
        """The summary table as CSV (one row per value, numbers in full precision)."""
        if self._summary is None:
            self._error("There is no table to save yet.")
            return None
        path = Path(path)
        try:
            path.write_text(compare.summary_csv(self._summary), encoding="utf-8")
        except OSError as e:
            self._error(f"Could not save {path.name}: {e.strerror or e}.")
            return None
        self._show_message(f"Saved {path.name}.")
        return path

    def curves_export_requested(self) -> None:
        self.curves.exportRequested.emit()

    def _ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a comparison", "", FILE_FILTER)
        if path:
            self.open_file(path)

    def _ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the comparison",
                                              f"comparison{compare.SUFFIX}", FILE_FILTER)
        if path:
            self.save_to(path)

    def _ask_table_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the table", "summary.csv",
                                              "CSV files (*.csv)")
        if path:
            self.write_table_csv(path)

    # --- the session, messages, theme -------------------------------------------------------
    def _on_session_experiment(self, experiment: Experiment) -> None:
        if _same(experiment, self.form.experiment):
            return  # a ready-made comparison's experiment, now loaded: keep its source
        self.form.set_experiment(experiment)

    def _error(self, text: str) -> None:
        self._show_message(text, error=True)

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #D55E00; font-weight: bold;" if error else "")
        self.message.setVisible(bool(text))

    def _clear_error(self) -> None:
        if not self._lost:
            self._show_message("")

    def message_text(self) -> str:
        return "" if self.message.isHidden() else self.message.text()

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.curves.apply_theme(theme)


def _same(a: Experiment, b: Experiment) -> bool:
    """The same experiment, whatever the panels' saved choices."""
    da, db = a.to_dict(), b.to_dict()
    da.pop("panels", None)
    db.pop("panels", None)
    return da == db


def _sentence(e: BaseException) -> str:
    if isinstance(e, OSError) and not isinstance(e, compare.CompareFileError) and e.strerror:
        return f"{e.strerror}."
    text = str(e).strip() or type(e).__name__
    return text if text.endswith((".", "!", "?")) else text + "."
