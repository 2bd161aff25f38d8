"""Shared controls of the function panels: a checkable list of activations with parameter
sliders for the highlighted one, an x-range editor, the saved view state both panels share,
and the small sampling helpers both panels plot from (a z grid that hits every kink exactly,
the scalar curve of softmax)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

import core.activations as acts
from core.activations.formula import describe

from .. import formula as formulas
from ..widgets import NumberEdit, SliderEdit, format_number

__all__ = ["FunctionPicker", "XRangeEdit", "XMAX", "sample_z", "curve_fns", "label_of",
           "vector_note", "Caption", "put_beside", "kink_owner", "FunctionViewState"]

#: largest |x| the x-range accepts
XMAX = 1000.0
_GREEK = {"alpha": "α", "beta": "β", "lambda": "λ", "lambda_": "λ", "scale": "scale"}


# --- sampling helpers (pure NumPy) -------------------------------------------------------------
def sample_z(lo: float, hi: float, kinks: Iterable[float] = (), n: int = 801) -> np.ndarray:
    """``n`` evenly spaced points on [lo, hi] plus every kink inside it, sorted and unique,
    so f and f′ are drawn at exactly the kink (where the code's convention applies)."""
    z = np.linspace(lo, hi, n)
    extra = [k for k in kinks if lo <= k <= hi]
    return np.unique(np.concatenate([z, np.asarray(extra, dtype=np.float64)])) if extra else z


def curve_fns(act: acts.Activation) -> tuple[Callable, Callable, Callable]:
    """(f, f′, f″) as elementwise functions of z. For a vector function (softmax) the core
    documents these as its one-input curve: softmax([z, 0])₁, which is the sigmoid σ(z)."""
    return act.f, act.df, act.d2f


def kink_owner(shown: list, focus: str | None, lo: float, hi: float) -> int | None:
    """Index in ``shown`` of the one function whose kink conventions are written out (more
    would pile up): the highlighted one if it has kinks in [lo, hi], else the first that has."""
    has = [i for i, a in enumerate(shown) if any(lo <= k.x <= hi for k in a.info.kinks)]
    return next((i for i in has if shown[i].name == focus), has[0] if has else None)


def vector_note(act: acts.Activation) -> str:
    """The note shown beside a vector function's curve ('' for ordinary functions)."""
    if not getattr(act, "vector", False):
        return ""
    return (f"{act.info.display_name} acts on a whole vector of scores; shown is its one-input "
            "curve softmax([z, 0])₁ = σ(z).")


def label_of(act: acts.Activation) -> str:
    """Display name plus parameters: 'Leaky ReLU (α=0.01)'."""
    name = act.info.display_name
    if not act.params:
        return name
    args = ", ".join(f"{_GREEK.get(k, k)}={v:g}" for k, v in act.params.items())
    return f"{name} ({args})"


class Caption(pg.LabelItem):
    """A plot caption that wraps to the width its layout cell gets, instead of widening the
    layout to fit one long line (``pg.LabelItem`` sets its minimum width to its text)."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text, justify="left")

    def set(self, html: str, color: str) -> None:
        self.setText(html, color=color, size="9pt")

    def resizeEvent(self, ev: Any) -> None:
        w = self.rect().width()
        want = w if w >= 80 else -1
        if self.item.textWidth() != want:
            self.item.setTextWidth(want)
        super().resizeEvent(ev)

    def updateMin(self) -> None:
        super().updateMin()
        h = self.itemRect().height()
        self.setMinimumWidth(0)
        self._sizeHint[Qt.SizeHint.MinimumSize] = (0, h)
        self._sizeHint[Qt.SizeHint.PreferredSize] = (0, h)
        self.updateGeometry()


def put_beside(panel: Any, side: QWidget, width: int) -> QSplitter:
    """Move ``panel.canvas`` into a splitter with ``side`` (``width`` px) on its left."""
    split = QSplitter(Qt.Orientation.Horizontal, panel)
    panel.layout().removeWidget(panel.canvas)
    split.addWidget(side)
    split.addWidget(panel.canvas)
    split.setStretchFactor(1, 1)
    # no wider than the side needs: in a narrow dock (a laptop's middle column with the
    # Lessons dock open) every pixel it keeps is taken from the plots
    width = min(width, max(side.minimumSizeHint().width(), 150))
    split.setSizes([width, 900 - width])
    panel.layout().addWidget(split, 1)
    return split


# --- the function list -------------------------------------------------------------------------
class FunctionPicker(QWidget):
    """A checkable list of every registered activation, with sliders for the parameters of the
    highlighted one.

    Signals
    -------
    changed()
        The checked set, the highlighted function or one of its parameters changed.
    """

    changed = Signal()

    def __init__(self, default: Iterable[str] = ("sigmoid", "tanh", "relu"),
                 current: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._params: dict[str, dict[str, float]] = {}
        self._sliders: dict[str, SliderEdit] = {}
        self.list = QListWidget(self)
        self.list.setToolTip("Tick the functions to draw. Click a name to pick the one whose "
                             "parameters, properties and saturation regions are shown.")
        default = list(default)
        for name in acts.names():
            item = QListWidgetItem(acts.get(name).info.display_name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in default
                               else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.new_formula = QPushButton(formulas.NEW_TEXT, self)
        self.new_formula.setToolTip("Type your own activation function and see its exact "
                                    "derivatives; it joins this list and every layer's list.")
        self.new_formula.clicked.connect(self.add_formula)
        self._refill_formulas()
        formulas.shared().changed.connect(self._refill_formulas)
        self.param_title = QLabel(self)
        self.param_title.setWordWrap(True)  # a long name must not widen the column
        self.param_box = QWidget(self)
        self.param_form = QFormLayout(self.param_box)
        self.param_form.setContentsMargins(0, 0, 0, 0)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.new_formula)
        lay.addWidget(self.param_title)
        lay.addWidget(self.param_box)
        first = [n for n in [current, *default] if n in self.names()] or self.names()
        self._set_current(first[0])
        self.list.itemChanged.connect(lambda _item: self.changed.emit())
        self.list.currentItemChanged.connect(self._on_current)

    # --- reading ---------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def selected(self) -> list[str]:
        """Ticked names, in menu order."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def current(self) -> str:
        """The highlighted name (ticked or not)."""
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else self.names()[0]

    def focus(self) -> str | None:
        """The function whose saturation regions are shaded: the highlighted one if ticked,
        else the first ticked one."""
        sel = self.selected()
        if not sel:
            return None
        return self.current() if self.current() in sel else sel[0]

    def activation(self, name: str) -> acts.Activation:
        return acts.get(name, **self._params.get(name, {}))

    def shown(self) -> list[acts.Activation]:
        return [self.activation(n) for n in self.selected()]

    # --- writing ---------------------------------------------------------------------------
    def set_selected(self, names: Iterable[str]) -> None:
        want = set(names)
        was = self.list.blockSignals(True)
        have = set(self.names())
        for name in want - have:  # a formula named from outside the list (plot --formula)
            if acts.is_formula(name):
                try:
                    self._add_formula_item(name)
                except ValueError:
                    continue
        for i in range(self.list.count()):
            item = self.list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in want
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.list.blockSignals(was)
        self.changed.emit()

    def set_param(self, name: str, param: str, value: float) -> bool:
        """Set one parameter (checked against its ParamSpec); False if refused."""
        try:
            act = acts.get(name, **{**self._params.get(name, {}), param: value})
        except (ValueError, KeyError, TypeError):
            return False
        if act.params == self.activation(name).params:
            return True
        self._params[name] = {k: v for k, v in act.params.items()}
        if name == self.current() and param in self._sliders:
            self._sliders[param].setValue(act.params[param])
        self.changed.emit()
        return True

    def set_current(self, name: str) -> None:
        self._set_current(name)

    # --- state -----------------------------------------------------------------------------
    def state(self) -> dict:
        return {"selected": self.selected(), "current": self.current(),
                "params": {k: dict(v) for k, v in self._params.items()}}

    def restore(self, state: dict) -> None:
        """Apply :meth:`state` output; unknown names and out-of-range values are ignored."""
        if not isinstance(state, dict):
            return
        known = set(self.names())
        params = state.get("params")
        if isinstance(params, dict):
            for name, values in params.items():
                if name in known and isinstance(values, dict):
                    for p, v in values.items():
                        if isinstance(v, (int, float)) and not isinstance(v, bool):
                            self._quiet_param(name, p, v)
        sel = state.get("selected")
        if isinstance(sel, list):
            self.set_selected(n for n in sel if isinstance(n, str) and n in known)
        cur = state.get("current")
        if isinstance(cur, str) and cur in known:
            self._set_current(cur)
        self._build_sliders()
        self.changed.emit()

    # --- internals -------------------------------------------------------------------------
    def _quiet_param(self, name: str, param: str, value: float) -> None:
        try:
            act = acts.get(name, **{**self._params.get(name, {}), param: value})
        except (ValueError, KeyError, TypeError):
            return
        self._params[name] = dict(act.params)

    def _set_current(self, name: str) -> None:
        names = self.names()
        if name not in names:
            return
        was = self.list.blockSignals(True)
        self.list.setCurrentRow(names.index(name))
        self.list.blockSignals(was)
        self._build_sliders()
        self.changed.emit()

    def _on_current(self, *_: Any) -> None:
        self._build_sliders()
        self.changed.emit()

    def _build_sliders(self) -> None:
        while self.param_form.rowCount():
            self.param_form.removeRow(0)
        self._sliders = {}
        name = self.current()
        act = self.activation(name)
        specs = act.PARAMS
        self.param_title.setText(f"<b>{act.info.display_name}</b>"
                                 + ("" if specs else ": no parameters"))
        for spec in specs:
            s = SliderEdit(act.params[spec.name], spec.lo, spec.hi, parent=self.param_box)
            s.setHelp(spec.doc or f"The parameter {spec.name} of {act.info.display_name}.")
            s.valueCommitted.connect(lambda v, p=spec.name, n=name: self.set_param(n, p, v))
            # redraw while dragging, not only on release
            s.slider.valueChanged.connect(
                lambda pos, p=spec.name, n=name, s=s: self.set_param(n, p, s.value_at(pos)))
            self._sliders[spec.name] = s
            self.param_form.addRow(_GREEK.get(spec.name, spec.name), s)

    # --- the student's formulas -------------------------------------------------------------
    def add_formula(self) -> str | None:
        """Open "New activation from a formula…"; the new one is ticked and highlighted."""
        spec = formulas.new_formula(self)
        if spec is not None:
            self._refill_formulas()
            for i in range(self.list.count()):
                item = self.list.item(i)
                if item.data(Qt.ItemDataRole.UserRole) == spec:
                    item.setCheckState(Qt.CheckState.Checked)
            self._set_current(spec)
        return spec

    def _refill_formulas(self) -> None:
        """The library's formulas after the built-ins (a deleted one leaves the list)."""
        keep = set(formulas.shared().specs())
        was = self.list.blockSignals(True)
        for i in reversed(range(self.list.count())):
            name = self.list.item(i).data(Qt.ItemDataRole.UserRole)
            if acts.is_formula(name) and name not in keep:
                self.list.takeItem(i)
        have = set(self.names())
        for spec in formulas.shared().specs():
            if spec not in have:
                self._add_formula_item(spec)
        self.list.blockSignals(was)
        if not hasattr(self, "param_form"):
            return  # still being built: __init__ picks the current one
        if self.list.currentItem() is None and self.list.count():
            self._set_current(self.names()[0])
        else:
            self.changed.emit()

    def _add_formula_item(self, spec: str) -> None:
        d = describe(spec)  # FormulaError (a ValueError) if refused
        item = QListWidgetItem(d.display_name)
        item.setData(Qt.ItemDataRole.UserRole, spec)
        item.setToolTip(f"Your own function: f(x) = {d.text}")
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        self.list.addItem(item)

    def slider(self, param: str) -> SliderEdit | None:
        """The slider of the highlighted function's parameter ``param`` (None if absent)."""
        return self._sliders.get(param)


# --- the x-range -------------------------------------------------------------------------------
class _EndEdit(NumberEdit):
    """One end of the x-range: a number in [−XMAX, XMAX] on the right side of the other end."""

    def __init__(self, value: float, owner: XRangeEdit, is_lo: bool) -> None:
        super().__init__(value, -XMAX, XMAX, parent=owner)
        self._owner, self._is_lo = owner, is_lo

    def _other(self) -> float | None:
        owner = getattr(self, "_owner", None)
        if owner is None or not hasattr(owner, "hi"):
            return None
        return (owner.hi if self._is_lo else owner.lo).value()

    def acceptable(self, text: str) -> float | None:
        v = super().acceptable(text)
        other = self._other()
        if v is None or other is None:
            return v
        return v if (v < other if self._is_lo else v > other) else None

    def rangeMessage(self) -> str:
        base = f"Enter a number from −{XMAX:g} to {XMAX:g}"
        other = self._other()
        if other is None:
            return base
        side = "below the right end" if self._is_lo else "above the left end"
        return f"{base}, {side} ({format_number(other)})"


class XRangeEdit(QWidget):
    """'z from [lo] to [hi]': two checked fields; bad input is refused in place (red field and
    a tooltip) and the range stays as it was.

    Signals
    -------
    rangeChanged(float, float)
    """

    rangeChanged = Signal(float, float)

    def __init__(self, lo: float = -5.0, hi: float = 5.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lo = _EndEdit(lo, self, True)
        self.hi = _EndEdit(hi, self, False)
        for e, side in ((self.lo, "left"), (self.hi, "right")):
            e.setFixedWidth(60)
            e.setHelp(f"The {side} end of the z axis (press Enter to apply).")
            e.valueCommitted.connect(lambda _v: self.rangeChanged.emit(*self.range()))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(QLabel("z from"))
        lay.addWidget(self.lo)
        lay.addWidget(QLabel("to"))
        lay.addWidget(self.hi)

    def range(self) -> tuple[float, float]:
        return self.lo.value(), self.hi.value()

    def set_range(self, lo: Any, hi: Any) -> bool:
        """Set both ends from code (no signal); False (nothing changed) if they are not finite
        numbers with −XMAX ≤ lo < hi ≤ XMAX."""
        try:
            lo, hi = float(lo), float(hi)
        except (TypeError, ValueError):
            return False
        if not (math.isfinite(lo) and math.isfinite(hi) and -XMAX <= lo < hi <= XMAX):
            return False
        self.lo.setValue(lo)
        self.hi.setValue(hi)
        return True


# --- the saved view state of a function panel ---------------------------------------------------
class FunctionViewState:
    """``view_state`` / ``restore_view_state`` of a panel with a ``picker`` (FunctionPicker),
    an ``xrange`` (XRangeEdit), check boxes (:meth:`_state_boxes`) and a ``_redraw``.

    Saved: ``functions`` (the picker's state), ``x_range`` [lo, hi], one bool per check box,
    then what :meth:`_extra_view_state` adds. Restoring sets the range, the boxes, the extras
    (:meth:`_restore_extra`), then the picker, and redraws; bad entries are ignored. Put it
    before ``Panel`` in the bases, so that it overrides Panel's empty pair.
    """

    picker: FunctionPicker
    xrange: XRangeEdit
    _redraw: Callable[[], None]

    def _state_boxes(self) -> dict[str, QCheckBox]:
        """Saved key → check box, in saving order."""
        return {}

    def _extra_view_state(self) -> dict:
        return {}

    def _restore_extra(self, state: dict) -> None:
        """Apply the entries of :meth:`_extra_view_state` (before the picker is restored)."""

    def view_state(self) -> dict:
        state = {"functions": self.picker.state(), "x_range": list(self.xrange.range())}
        state.update({key: box.isChecked() for key, box in self._state_boxes().items()})
        state.update(self._extra_view_state())
        return state

    def restore_view_state(self, state: dict) -> None:
        if not isinstance(state, dict):
            return
        xr = state.get("x_range")
        if isinstance(xr, (list, tuple)) and len(xr) == 2:
            self.xrange.set_range(*xr)
        for key, box in self._state_boxes().items():
            if isinstance(state.get(key), bool):
                box.setChecked(state[key])
        self._restore_extra(state)
        self.picker.restore(state.get("functions", {}))
        self._redraw()
