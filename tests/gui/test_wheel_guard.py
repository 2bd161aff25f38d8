"""The mouse wheel over the Experiment dock scrolls the dock: a box or slider under the pointer
changes only when it has focus (gui.widgets.wheel_guard)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QSlider, QWidget

from gui.widgets.wheel_guard import WheelGuard, install_wheel_guard, is_guarded


def wheel(widget: QWidget, notches: int = -1) -> None:
    """One turn of the wheel over the middle of ``widget`` (negative: towards the user, which
    scrolls down), delivered as Qt delivers it: to the widget under the pointer, through the
    application's filters."""
    pos = QPointF(widget.rect().center())
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def short_window(make_lab):
    lab = make_lab(size=(1100, 420))  # the dock's contents are taller than the dock
    dock = lab.window.controls
    assert dock.verticalScrollBar().maximum() > 0
    return lab, dock


def test_scrolling_over_the_optimizer_scrolls_the_dock_and_leaves_the_optimizer(make_lab, qtbot):
    lab, dock = short_window(make_lab)
    box = dock.training_box.optimizer
    bar = dock.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    start = bar.value()
    assert box.currentData() == "sgd" and not box.hasFocus()
    for _ in range(3):
        wheel(box)
    assert box.currentData() == "sgd"
    assert lab.session.experiment.training.optimizer == "sgd"
    assert bar.value() > start  # the dock scrolled instead
    assert not box.hasFocus()  # and the wheel did not give the box focus
    # the learning-rate slider, the same
    lr = lab.session.experiment.training.lr
    before = bar.value()
    wheel(dock.training_box.lr.slider, notches=1)
    assert lab.session.experiment.training.lr == lr and bar.value() < before


def test_with_focus_the_wheel_changes_the_box(make_lab, qtbot):
    lab, dock = short_window(make_lab)
    box = dock.training_box.optimizer
    lab.window.activateWindow()
    box.setFocus(Qt.FocusReason.MouseFocusReason)  # what a click does
    qtbot.waitUntil(box.hasFocus, timeout=5000)
    bar = dock.verticalScrollBar()
    start = bar.value()
    with qtbot.waitSignal(lab.session.experimentChanged, timeout=5000):
        wheel(box)
    assert box.currentData() != "sgd"
    assert lab.session.experiment.training.optimizer == box.currentData()
    assert bar.value() == start


def test_every_box_and_slider_takes_focus_by_click_or_tab_only(make_lab, qtbot):
    lab, dock = short_window(make_lab)
    assert lab.window.controls.network_box.add_layer()
    qtbot.waitUntil(lambda: len(dock.network_box.rows) == 3, timeout=5000)
    row = dock.network_box.rows[-1]
    row.activation.setCurrentIndex(row.activation.findData("leaky_relu"))
    popup = dock.network_box.rows[-1].open_params()
    assert popup is not None
    qtbot.waitExposed(popup)
    guarded = [w for w in QApplication.allWidgets() if is_guarded(w) and w.isVisible()]
    kinds = {type(w) for w in guarded}
    assert QComboBox in kinds and QSlider in kinds
    assert popup.edits["alpha"].slider in guarded and lab.window.transport.pace in guarded
    for w in guarded:
        assert w.focusPolicy() == Qt.FocusPolicy.StrongFocus, w
    # the popup's slider, unfocused: the wheel does nothing to it
    before = popup.edits["alpha"].value()
    wheel(popup.edits["alpha"].slider)
    assert popup.edits["alpha"].value() == before
    popup.close()
    # one guard, however many windows are built
    assert install_wheel_guard() is QApplication.instance().findChild(WheelGuard)
    assert len(QApplication.instance().findChildren(WheelGuard)) == 1
