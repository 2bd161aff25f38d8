"""A number field that checks what is typed, and a slider + field pair (linear or log scale).

The field never clamps or guesses: text that is not a number in range turns it red and says
which numbers are allowed; only a valid value is committed (Enter or leaving the field), and
Esc or leaving it with bad text puts the last good value back.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFocusEvent, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QSlider, QToolTip, QWidget

__all__ = ["NumberEdit", "SliderEdit", "format_number", "parse_number"]

_INVALID_STYLE = "QLineEdit { border: 1px solid #D00000; background: rgba(220, 0, 0, 45); }"


def parse_number(text: str, *, integer: bool = False) -> float | None:
    """The number ``text`` spells (Python float syntax, '−' allowed as minus), or None.

    Non-finite values, and fractions when ``integer`` is set, are not numbers here.
    """
    s = text.strip().replace("\u2212", "-")
    try:
        v = float(s)
    except ValueError:
        return None
    if not math.isfinite(v) or (integer and not v.is_integer()):
        return None
    return v


def format_number(v: float, *, integer: bool = False) -> str:
    """Short text that parses back to exactly ``v``."""
    if integer:
        return str(int(v))
    short = f"{v:g}"
    return short if float(short) == v else repr(float(v))


def _plain(v: float) -> str:
    """A bound as a student reads it: 0.00001 rather than 1e-05."""
    return np.format_float_positional(v, trim="-")


class NumberEdit(QLineEdit):
    """A line edit for one float (or whole number) in ``[lo, hi]``.

    Signals
    -------
    valueCommitted(float)
        A new valid value was entered (Enter or focus-out). Not emitted by :meth:`setValue`.
    """

    valueCommitted = Signal(float)

    def __init__(self, value: float, lo: float, hi: float, *, integer: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lo, self._hi, self._integer = float(lo), float(hi), integer
        self._value = float(value)
        self._invalid = False
        self._help = ""
        self.setText(format_number(self._value, integer=integer))
        self.textEdited.connect(self._check)

    # --- public ----------------------------------------------------------------------
    def value(self) -> float:
        """The last committed (or set) value."""
        return self._value

    def setValue(self, value: float) -> None:
        """Show ``value`` (from the model) without emitting; a bad typed text is dropped."""
        value = float(value)
        if value == self._value and self.hasFocus() and self.isModified():
            return  # the user is typing here: don't snatch the text away
        self._value = value
        self._show_value()

    def setRange(self, lo: float, hi: float) -> None:
        self._lo, self._hi = float(lo), float(hi)
        self._refresh_tooltip()

    def range(self) -> tuple[float, float]:
        return self._lo, self._hi

    def isInvalid(self) -> bool:
        """True while the text is not an allowed number."""
        return self._invalid

    def setHelp(self, text: str) -> None:
        """The student-facing tooltip; the allowed range is appended to it."""
        self._help = text
        self._refresh_tooltip()

    def rangeMessage(self) -> str:
        kind = "a whole number" if self._integer else "a number"
        return f"Enter {kind} from {_plain(self._lo)} to {_plain(self._hi)}"

    def acceptable(self, text: str) -> float | None:
        """The value ``text`` would commit, or None if it would be refused."""
        v = parse_number(text, integer=self._integer)
        if v is None or not (self._lo <= v <= self._hi):
            return None
        return v

    def commit(self) -> bool:
        """Commit the text if valid (what Enter does). Returns False if it was refused."""
        v = self.acceptable(self.text())
        if v is None:
            self._set_invalid(True)
            return False
        changed = v != self._value
        self._value = v
        self._show_value()
        if changed:
            self.valueCommitted.emit(v)
        return True

    def revert(self) -> None:
        """Put the last good value back (what Esc does)."""
        self._show_value()

    # --- events ----------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.commit()
            event.accept()
            return
        if key == Qt.Key.Key_Escape and (self._invalid or self.isModified()):
            self.revert()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if event.reason() == Qt.FocusReason.PopupFocusReason:
            pass  # the field's own context menu opened: keep the text as it is
        elif self.acceptable(self.text()) is None or not self.isEnabled():
            # bad text, or the field was just switched off: nothing typed here counts
            self.revert()
        else:
            self.commit()
        super().focusOutEvent(event)

    # --- internals -------------------------------------------------------------------
    def _show_value(self) -> None:
        self.setText(format_number(self._value, integer=self._integer))
        self.setModified(False)
        self._set_invalid(False)

    def _check(self, text: str) -> None:
        self._set_invalid(self.acceptable(text) is None)

    def _set_invalid(self, invalid: bool) -> None:
        was = self._invalid
        self._invalid = invalid
        if invalid != was:
            self.setStyleSheet(_INVALID_STYLE if invalid else "")
        self._refresh_tooltip()
        # the offscreen platform (tests, headless export) has no tooltip window to raise
        if invalid and self.isVisible() and QGuiApplication.platformName() != "offscreen":
            QToolTip.showText(self.mapToGlobal(QPoint(0, self.height())), self.rangeMessage(),
                              self)
        elif was and not invalid:
            QToolTip.hideText()

    def _refresh_tooltip(self) -> None:
        rng = self.rangeMessage() + "."
        if self._invalid:
            self.setToolTip(f"<b>{rng}</b>" + (f"<br>{self._help}" if self._help else ""))
        else:
            self.setToolTip(f"{self._help}<br><i>{rng}</i>" if self._help else rng)


class SliderEdit(QWidget):
    """A slider beside a :class:`NumberEdit`; the slider may step on a log scale.

    Slider positions map to rounded values (2 significant digits on a log scale, 3 on a linear
    one); any value in range can still be typed. Dragging shows the value and commits it on
    release; keyboard steps commit at once.

    Signals
    -------
    valueCommitted(float)
    """

    valueCommitted = Signal(float)

    def __init__(self, value: float, lo: float, hi: float, *, log: bool = False,
                 steps: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if log and not (0 < lo < hi):
            raise ValueError("a log-scale slider needs 0 < lo < hi")
        self._lo, self._hi, self._log = float(lo), float(hi), log
        if steps is None:
            steps = max(12, round(12 * math.log10(hi / lo))) if log else 100
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, steps)
        self.slider.setPageStep(max(1, steps // 10))
        self.edit = NumberEdit(value, lo, hi, parent=self)
        self.edit.setFixedWidth(70)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.edit)
        self._place_slider(value)
        self.edit.valueCommitted.connect(self._on_edit)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.slider.sliderReleased.connect(self._on_released)

    def value(self) -> float:
        return self.edit.value()

    def setValue(self, value: float) -> None:
        self.edit.setValue(value)
        self._place_slider(value)

    def setHelp(self, text: str) -> None:
        self.edit.setHelp(text)
        self.slider.setToolTip(text)

    def value_at(self, position: int) -> float:
        """The rounded value slider ``position`` stands for."""
        t = position / self.slider.maximum()
        if self._log:
            a, b = math.log10(self._lo), math.log10(self._hi)
            v = float(f"{10 ** (a + t * (b - a)):.2g}")
        else:
            v = float(f"{self._lo + t * (self._hi - self._lo):.3g}")
        return min(max(v, self._lo), self._hi)

    def _position_of(self, value: float) -> int:
        v = min(max(value, self._lo), self._hi)
        if self._log:
            a, b = math.log10(self._lo), math.log10(self._hi)
            t = (math.log10(v) - a) / (b - a)
        else:
            t = (v - self._lo) / (self._hi - self._lo)
        return round(t * self.slider.maximum())

    def _place_slider(self, value: float) -> None:
        was = self.slider.blockSignals(True)
        self.slider.setValue(self._position_of(value))
        self.slider.blockSignals(was)

    def _on_edit(self, value: float) -> None:
        self._place_slider(value)
        self.valueCommitted.emit(value)

    def _on_slider_moved(self, position: int) -> None:
        v = self.value_at(position)
        if self.slider.isSliderDown():  # dragging: show, commit on release
            self.edit.setText(format_number(v))
            return
        self._commit_from_slider(v)

    def _on_released(self) -> None:
        self._commit_from_slider(self.value_at(self.slider.value()))

    def _commit_from_slider(self, v: float) -> None:
        if v != self.edit.value():
            self.edit.setValue(v)
            self.valueCommitted.emit(v)
        else:
            self.edit.setValue(v)
