"""The prediction a step asks for before the run: a choice of answers, or a line of text."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

import core.lessons as L

__all__ = ["PredictionBox"]

#: a free-text prediction is kept with the progress: a sentence or two
MAX_TEXT = 1000


class _Words(QLabel):
    """A choice's words: a click on them is a click on its round button."""

    clicked = Signal()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class _Choice(QWidget):
    """A round button with its words beside it, wrapped to the width there is (a radio
    button's own text never wraps, and a long choice would widen the whole dock)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.button = QRadioButton()
        self.button.setAccessibleName(text)
        self.label = _Words(text)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.clicked.connect(self.button.click)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.label, 1)

    def text(self) -> str:
        return self.label.text()


class PredictionBox(QGroupBox):
    """Shows a step's prediction and reports the student's answer.

    Signals
    -------
    answered(object) : a choice (0-based int) or the text typed (str).
    """

    answered = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Predict, before you train", parent)
        self._layout = QVBoxLayout(self)
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self._layout.addWidget(self.prompt)
        self.buttons: list[QRadioButton] = []
        self.choices: list[_Choice] = []
        self._shown: L.Prediction | None = None
        self._group = QButtonGroup(self)
        self._group.idClicked.connect(self.answered.emit)
        self.text = QLineEdit()
        self.text.setMaxLength(MAX_TEXT)
        self.text.setPlaceholderText("Type what you expect, then press Enter")
        self.text.editingFinished.connect(self._typed)
        self._layout.addWidget(self.text)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.PlainText)
        self.feedback.setObjectName("prediction-feedback")
        self._layout.addWidget(self.feedback)

    def show_prediction(self, prediction: L.Prediction | None, answer: int | str | None,
                        feedback: str = "") -> None:
        """Show ``prediction`` with the student's ``answer`` so far (hidden without one)."""
        self.setVisible(prediction is not None)
        if prediction is not self._shown:
            self._shown = prediction
            for b in self.buttons:
                self._group.removeButton(b)
            for r in self.choices:  # out of the layout now, deleted once the event loop runs
                self._layout.removeWidget(r)
                r.hide()
                r.deleteLater()
            self.choices = [_Choice(c) for c in (prediction.choices if prediction else ())]
            self.buttons = [r.button for r in self.choices]
            for i, r in enumerate(self.choices):
                self._group.addButton(r.button, i)
                self._layout.insertWidget(1 + i, r)
        if prediction is None:
            return
        self.prompt.setText(prediction.prompt)
        self._group.setExclusive(False)  # so that no choice can be checked
        for i, b in enumerate(self.buttons):
            b.setChecked(isinstance(answer, int) and answer == i)
        self._group.setExclusive(True)
        self.text.setVisible(not prediction.choices)
        self.text.setText(answer if isinstance(answer, str) else "")
        self.feedback.setText(feedback)
        self.feedback.setVisible(bool(feedback))

    def _typed(self) -> None:
        text = self.text.text().strip()
        if text:
            self.answered.emit(text)
