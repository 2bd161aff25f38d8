"""The settings dock: Dataset, Network and Training sections that edit the session's experiment."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from core.experiment import CLASSROOM_CONTROLS, Classroom

from .dataset_box import DatasetBox
from .network_box import NetworkBox
from .training_box import TrainingBox

__all__ = ["ControlDock", "DatasetBox", "NetworkBox", "Section", "TrainingBox"]


class Section(QWidget):
    """A titled part of the dock that folds away when its title is clicked."""

    def __init__(self, title: str, body: QWidget, tooltip: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.body = body
        self.header = QToolButton(self)
        self.header.setText(title)
        self.header.setToolTip(tooltip)
        self.header.setCheckable(True)
        self.header.setChecked(True)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setArrowType(Qt.ArrowType.DownArrow)
        self.header.setAutoRaise(True)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.header)
        lay.addWidget(line)
        lay.addWidget(body)
        self.header.toggled.connect(self.set_expanded)

    def set_expanded(self, expanded: bool) -> None:
        self.header.setChecked(expanded)
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)

    def is_expanded(self) -> bool:
        return self.header.isChecked()


class ControlDock(QScrollArea):
    """Every setting of the experiment, for the dock on the left of the main window.

    Parameters
    ----------
    session : gui.session.Session
        Every change goes through ``session.update``; ``session.experimentChanged`` brings
        changes made elsewhere (presets, opened files) back into the controls.

    Attributes
    ----------
    dataset_box, network_box, training_box : the three sections' contents.
    sections : the three foldable :class:`Section` widgets.

    The experiment's classroom set-up (``Experiment.classroom``) hides or locks controls
    here, after each box has shown the experiment; a section whose controls are all hidden
    is hidden too.
    """

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("controlDock")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.dataset_box = DatasetBox(session)
        self.network_box = NetworkBox(session)
        self.training_box = TrainingBox(session)
        inner = QWidget(self)
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(4)
        self.sections = [
            Section("Dataset", self.dataset_box,
                    "The points the network learns from.", inner),
            Section("Network", self.network_box,
                    "The layers, their activation functions, the output and the loss.", inner),
            Section("Training", self.training_box,
                    "How gradient descent updates the weights.", inner),
        ]
        for s in self.sections:
            lay.addWidget(s)
        lay.addStretch(1)
        self.setWidget(inner)
        self.setMinimumWidth(260)
        self._grey_disabled_text()
        self._session = session
        self._hid: list[QWidget] = []  # what the classroom set-up hid or locked, to undo
        self._locked: list[QWidget] = []
        # connected after the boxes: runs after each has shown a new experiment
        session.experimentChanged.connect(self.show_classroom)
        self.show_classroom(session.experiment)

    def show_classroom(self, exp) -> None:
        """Hide and lock what ``exp.classroom`` says (undoing the previous set-up first)."""
        room: Classroom = exp.classroom
        if self._hid or self._locked:
            for w in self._hid:
                if shiboken6.isValid(w):  # (a layer row may have gone meanwhile)
                    w.setVisible(True)
            for w in self._locked:
                if shiboken6.isValid(w):
                    w.setEnabled(True)
            self._hid, self._locked = [], []
            for box in (self.dataset_box, self.network_box, self.training_box):
                box.show_experiment(exp)  # what each box itself shows or greys
        if not room.active:
            return
        for box in (self.dataset_box, self.network_box, self.training_box):
            for key, widgets in box.classroom_widgets().items():
                ids = (key,) if isinstance(key, str) else key
                if all(i in room.hidden for i in ids):
                    for w in widgets:
                        if not w.isHidden():
                            w.setVisible(False)
                            self._hid.append(w)
                elif isinstance(key, str) and key in room.locked:
                    for w in widgets:
                        if w.isEnabled():
                            w.setEnabled(False)
                            self._locked.append(w)
        for section in self.sections:
            ids = [i for i, (where, _) in CLASSROOM_CONTROLS.items()
                   if where == section.header.text()]
            if all(i in room.hidden for i in ids) and not section.isHidden():
                section.setVisible(False)
                self._hid.append(section)

    def _grey_disabled_text(self) -> None:
        # The app palette gives disabled text the same colour as enabled text, so a disabled
        # field (noise of a fixed table, an unchecked clip value) would look editable. A mid
        # grey reads as "off" on both the light and the dark theme.
        pal = self.palette()
        grey = QColor("#8A8A8A")
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                     QPalette.ColorRole.ButtonText):
            pal.setColor(QPalette.ColorGroup.Disabled, role, grey)
        self.setPalette(pal)
