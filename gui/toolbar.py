"""Play/Pause, Step, Step epoch and Reset: the transport controls of a training run; the
pace Play trains at; and Export… for the panel in view (announced as ``exportRequested``: the
exporter listens)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QStyle, QToolBar, QWidget

from .session import Session

__all__ = ["DEFAULT_PACE", "PACES", "TransportBar", "pace_from_setting", "pace_setting"]

#: the paces offered: steps a second (None: as fast as the computer can), and their labels
PACES: tuple[tuple[float | None, str], ...] = (
    (1, "1 step/s"), (5, "5 steps/s"), (20, "20 steps/s"), (50, "50 steps/s"),
    (200, "200 steps/s"), (1000, "1,000 steps/s"), (None, "Fastest"))
#: the app's pace until the user picks one: the circles lesson's boundary forms over about
#: 15 s (its test accuracy is within 3 % of its final 100 % at epoch 29, step 725; measured
#: through the training process, 95 / 97 / 99 % after 13.0 / 14.5 / 16.0 s)
DEFAULT_PACE = 50


def pace_setting(pace: float | None) -> str:
    """The pace as the settings file keeps it: "fastest" or a number."""
    return "fastest" if pace is None else f"{pace:g}"


def pace_from_setting(value) -> float | None:
    """The pace a settings value names; ``DEFAULT_PACE`` for anything that is not one of
    ``PACES`` (a missing or hand-edited value)."""
    text = str(value).strip().lower()
    for pace, _ in PACES:
        if text == pace_setting(pace):
            return pace
    return DEFAULT_PACE


class TransportBar(QToolBar):
    """The Training toolbar. Signals: ``exportRequested()`` when Export… is pressed."""

    exportRequested = Signal()

    def __init__(self, session: Session, parent: QWidget) -> None:
        super().__init__("Training", parent)
        self.setObjectName("toolbar-training")
        self.session = session
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        style = parent.style()
        icon = style.standardIcon
        sp = QStyle.StandardPixmap
        self._play_icon, self._pause_icon = icon(sp.SP_MediaPlay), icon(sp.SP_MediaPause)
        self.play = self._action("Play", self._play_icon, session.toggle, "Space",
                                 "Start or pause training (Space)")
        self.step = self._action("Step", icon(sp.SP_MediaSeekForward), session.step, "S",
                                 "Train on one mini-batch (S)")
        self.epoch = self._action("Epoch", icon(sp.SP_MediaSkipForward), session.step_epoch,
                                  "E", "Train one whole pass over the training set (E)")
        self.reset = self._action("Reset", icon(sp.SP_BrowserReload), session.reset, "R",
                                  "Start again from fresh weights drawn with the seed (R)")
        self.addSeparator()
        self.pace = QComboBox(self)
        self.pace.setObjectName("pace")
        for _, label in PACES:
            self.pace.addItem(label)
        tip = ("How fast Play trains, in mini-batch steps a second: slow enough to watch the "
               "boundary form, or as fast as the computer can. Step and Epoch are not paced.")
        self.pace.setToolTip(tip)
        self.pace.setStatusTip(tip)
        self.pace.setCurrentIndex(len(PACES) - 1)  # until the app's start restores one
        pace_label = QLabel(" Pace ", self)
        pace_label.setToolTip(tip)
        self._pace_actions = (self.addWidget(pace_label), self.addWidget(self.pace))
        self.pace.currentIndexChanged.connect(self._session_pace)
        self.addSeparator()
        self.export = QAction(style.standardIcon(sp.SP_DialogSaveButton), "Export…", self)
        tip = "Export the panel in view as a PNG, SVG, PDF or CSV file, or copy its image"
        self.export.setToolTip(tip)
        self.export.setStatusTip(tip)
        self.export.triggered.connect(lambda _checked=False: self.exportRequested.emit())
        self.addAction(self.export)
        session.runningChanged.connect(self._on_running)
        self._locked: frozenset[str] = frozenset()
        session.experimentChanged.connect(self.show_classroom)

    def show_classroom(self, exp) -> None:
        """Hide or lock the transport controls ``exp.classroom`` names (a hidden or locked
        action's shortcut does nothing either)."""
        room = exp.classroom
        self._locked = room.locked
        actions = {"play": (self.play,), "step": (self.step,), "epoch": (self.epoch,),
                   "reset": (self.reset,), "pace": self._pace_actions}
        for key, acts in actions.items():
            for act in acts:
                act.setVisible(key not in room.hidden)
                act.setEnabled(key not in room.locked and not (
                    key in ("step", "epoch") and self.session.running))
        self.pace.setEnabled("pace" not in room.locked)

    def set_pace(self, pace: float | None) -> None:
        """Choose ``pace`` (one of ``PACES``; anything else chooses ``DEFAULT_PACE``) and send
        it to the session."""
        paces = [p for p, _ in PACES]
        i = paces.index(pace if pace in paces else DEFAULT_PACE)
        if i == self.pace.currentIndex():
            self._session_pace()  # (no change of index: nothing else would send it)
        self.pace.setCurrentIndex(i)

    def current_pace(self) -> float | None:
        """The pace chosen (None: as fast as possible)."""
        return PACES[self.pace.currentIndex()][0]

    def _session_pace(self, _index: int = 0) -> None:
        self.session.set_pace(self.current_pace())

    def _action(self, text, icon, slot, shortcut, tip) -> QAction:
        act = QAction(icon, text, self)
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.triggered.connect(lambda _checked=False: slot())
        self.addAction(act)
        return act

    def _on_running(self, running: bool) -> None:
        self.play.setText("Pause" if running else "Play")
        self.play.setIcon(self._pause_icon if running else self._play_icon)
        self.step.setEnabled(not running and "step" not in self._locked)
        self.epoch.setEnabled(not running and "epoch" not in self._locked)
