"""Boxes, sliders and spin boxes take the mouse wheel only when they have focus.

Scrolling the Experiment dock with the wheel used to change whichever box passed under the
pointer (the optimizer went from SGD to AdamW during a scroll). Here, as in well-made Qt
applications, such a widget without focus passes the wheel on to what holds it (the dock's
scroll area scrolls), and its focus policy is StrongFocus rather than WheelFocus, so the
wheel never gives it focus either: click it (or Tab to it) first, then the wheel changes it.

One event filter on the application does it for every window, dock, panel option and popup,
including widgets made later (a new layer row): it looks at an event's type and nothing else
unless it is a wheel or a polish event (~2,700 events a second while training: well under a
millisecond of a second).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

__all__ = ["WheelGuard", "install_wheel_guard", "is_guarded"]

_WHEEL = QEvent.Type.Wheel
_POLISH = QEvent.Type.Polish
_GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)


def is_guarded(widget: QObject) -> bool:
    """Whether ``widget`` takes the wheel only with focus (scroll bars always take it)."""
    return isinstance(widget, _GUARDED) and not isinstance(widget, QScrollBar)


class WheelGuard(QObject):
    """The application's event filter (see the module note); make it with
    :func:`install_wheel_guard`."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind == _WHEEL:
            if is_guarded(obj) and not obj.hasFocus():
                _pass_on(obj, event)
                return True  # the widget never sees it
        elif kind == _POLISH and is_guarded(obj):
            if obj.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                obj.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False


def _pass_on(widget: QWidget, event: QWheelEvent) -> None:
    """Hand the wheel up ``widget``'s parents, each in its own coordinates, until one takes it
    (the scroll area's viewport), as Qt does with a wheel nobody takes; within the window only.

    Done here because Qt hands on only the wheel events that come from the system, never one
    that is sent on (so a scroll area cannot send its wheel back to a scroll bar)."""
    pos, w = event.position(), widget
    while not w.isWindow() and (parent := w.parentWidget()) is not None:
        pos, w = w.mapToParent(pos), parent
        copy = QWheelEvent(pos, event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                           event.buttons(), event.modifiers(), event.phase(), event.inverted(),
                           event.source(), event.pointingDevice())
        copy.setAccepted(False)
        QCoreApplication.sendEvent(w, copy)
        if copy.isAccepted():
            return


def install_wheel_guard(app: QCoreApplication | None = None) -> WheelGuard:
    """Install the guard on ``app`` (default: the running application) once; a second call
    returns the first guard."""
    app = app if app is not None else QApplication.instance()
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
        for widget in QApplication.allWidgets():  # polished before the guard came
            if is_guarded(widget) and widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return guard
