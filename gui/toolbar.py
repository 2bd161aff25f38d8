"""Play/Pause, Step, Step epoch and Reset: the transport controls of a training run; and
Export… for the panel in view (announced as ``exportRequested``: the exporter listens)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QToolBar, QWidget

from .session import Session

__all__ = ["TransportBar"]


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
        self.export = QAction(style.standardIcon(sp.SP_DialogSaveButton), "Export…", self)
        tip = "Export the panel in view as a PNG, SVG or CSV file, or copy its image"
        self.export.setToolTip(tip)
        self.export.setStatusTip(tip)
        self.export.triggered.connect(lambda _checked=False: self.exportRequested.emit())
        self.addAction(self.export)
        session.runningChanged.connect(self._on_running)

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
        self.step.setEnabled(not running)
        self.epoch.setEnabled(not running)
