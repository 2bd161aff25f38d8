"""NumberEdit refuses what is not an allowed number (never clamps); SliderEdit maps log scales."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication

from gui.widgets import NumberEdit, SliderEdit, parse_number


def _edit(qtbot, value=0.03, lo=1e-4, hi=10.0, **kw) -> NumberEdit:
    edit = NumberEdit(value, lo, hi, **kw)
    qtbot.addWidget(edit)
    edit.show()
    return edit


def _focus_out(edit: NumberEdit) -> None:
    QApplication.sendEvent(edit, QFocusEvent(QEvent.Type.FocusOut,
                                             Qt.FocusReason.OtherFocusReason))


def test_enter_commits_a_valid_value(qtbot):
    edit = _edit(qtbot)
    edit.selectAll()
    qtbot.keyClicks(edit, "0.5")
    assert not edit.isInvalid()
    with qtbot.waitSignal(edit.valueCommitted) as blocker:
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert blocker.args == [0.5]
    assert edit.value() == 0.5


def test_out_of_range_turns_red_names_the_range_and_is_not_clamped(qtbot):
    edit = _edit(qtbot)
    seen = []
    edit.valueCommitted.connect(seen.append)
    edit.selectAll()
    qtbot.keyClicks(edit, "50")
    assert edit.isInvalid()
    assert "Enter a number from 0.0001 to 10" in edit.toolTip()
    assert "D00000" in edit.styleSheet()
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.isInvalid() and edit.text() == "50"  # kept for fixing, not clamped to 10
    assert edit.value() == 0.03 and seen == []
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert edit.text() == "0.03" and not edit.isInvalid() and edit.styleSheet() == ""


def test_focus_out_commits_valid_and_restores_invalid(qtbot):
    edit = _edit(qtbot)
    seen = []
    edit.valueCommitted.connect(seen.append)
    edit.setText("2")
    _focus_out(edit)
    assert seen == [2.0] and edit.value() == 2.0
    edit.setText("abc")
    edit.textEdited.emit("abc")
    assert edit.isInvalid()
    _focus_out(edit)
    assert edit.text() == "2" and not edit.isInvalid() and seen == [2.0]


def test_integer_field_refuses_fractions_and_accepts_unicode_minus(qtbot):
    edit = _edit(qtbot, value=3, lo=-5, hi=256, integer=True)
    edit.setText("2.5")
    assert not edit.commit() and edit.value() == 3
    assert "Enter a whole number from -5 to 256" in edit.toolTip()
    edit.setText("\u22124")
    assert edit.commit() and edit.value() == -4 and edit.text() == "-4"


def test_set_value_from_the_model_does_not_emit(qtbot):
    edit = _edit(qtbot)
    seen = []
    edit.valueCommitted.connect(seen.append)
    edit.setValue(7.0)
    assert edit.text() == "7" and seen == []


_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str),
    st.floats(-20, 20).map(lambda v: f"{v:.3g}"),
    st.from_regex(r"\s*[-+\u2212]?\d{0,3}(\.\d{0,4})?([eE][-+]?\d{1,3})?\s*", fullmatch=True),
)
_inputs = st.one_of(_numbers, st.text(max_size=12))


def _reference(text: str, integer: bool) -> float | None:
    try:
        v = float(text.strip().replace("\u2212", "-"))
    except ValueError:
        return None
    if not math.isfinite(v) or (integer and not v.is_integer()):
        return None
    return v


def test_every_input_commits_an_exact_in_range_value_or_changes_nothing(qtbot):
    cases = [(1e-4, 10.0, False), (-5.0, 5.0, False), (1.0, 256.0, True)]
    edits = [(_edit(qtbot, value=lo, lo=lo, hi=hi, integer=i), lo, hi, i)
             for lo, hi, i in cases]

    @given(st.lists(_inputs, min_size=1, max_size=5))
    def check(texts):
        for edit, lo, hi, integer in edits:
            for text in texts:
                before = edit.value()
                seen = []
                edit.valueCommitted.connect(seen.append)
                edit.setText(text)
                edit.textEdited.emit(text)
                ok = edit.commit()
                edit.valueCommitted.disconnect(seen.append)
                expected = _reference(text, integer)
                if expected is not None and lo <= expected <= hi:
                    assert ok and edit.value() == expected and not edit.isInvalid()
                    assert seen == ([expected] if expected != before else [])
                    assert parse_number(edit.text(), integer=integer) == expected
                else:
                    assert not ok and edit.value() == before and seen == []
                    assert edit.isInvalid()
                    edit.revert()
                    assert not edit.isInvalid()
                    assert parse_number(edit.text(), integer=integer) == before

    check()


def test_log_slider_ends_and_keyboard_steps_commit(qtbot):
    w = SliderEdit(0.03, 1e-5, 10.0, log=True)
    qtbot.addWidget(w)
    s = w.slider
    assert w.value_at(0) == 1e-5 and w.value_at(s.maximum()) == 10.0
    assert w.value_at(s.maximum() // 2) == 0.01  # the middle of 6 decades
    assert abs(w.value_at(s.value()) - 0.03) / 0.03 < 0.15  # placed near its value
    with qtbot.waitSignal(w.valueCommitted) as blocker:
        s.setValue(s.value() + 1)
    assert blocker.args[0] > 0.03 and w.value() == blocker.args[0]
    w.setValue(1.0)
    assert w.value_at(s.value()) == 1.0 and w.edit.text() == "1"
