"""The "New activation from a formula…" dialog: type f(x), see at once whether it is
accepted (the message under the field says where it is not), its parameters' sliders, and f,
f′ and f″ drawn; on the left the student's own functions (rename, edit, delete, export,
import), kept between sessions by ``FormulaLibrary``.

Checking the text is instant and runs here (``core.activations.formula_parse``: nothing is
executed); deriving with SymPy runs in a worker thread (``derive_worker``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.activations.formula import FormulaError, describe, formula_name
from core.activations.formula_parse import FUNCTIONS

from .derive_worker import Deriver, Preview
from .library import FormulaLibrary, LibraryError, label_of

__all__ = ["FormulaDialog", "new_formula"]

LANGUAGE = ("Use x, numbers, + − * / ** ( ), pi, e, your parameters and "
            + ", ".join(FUNCTIONS) + ". Comparisons go inside where(condition, a, b).")
_OK, _BAD, _WAIT = "#1b7f3b", "#b00020", "#555555"
_STEPS = 200


class FormulaDialog(QDialog):
    """Type, check, preview and keep a formula activation.

    After ``exec()`` returns Accepted, ``spec`` is the chosen formula's spec string (saved in
    the library too), usable as any activation's name.

    Signals
    -------
    previewed()
        A preview (or the refusal of the latest text) was shown.
    """

    previewed = Signal()

    def __init__(self, library: FormulaLibrary, parent: QWidget | None = None,
                 spec: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New activation from a formula")
        self.library = library
        self.spec: str | None = None
        self._editing: str | None = None
        self._values: dict[str, float] = {}
        self._preview: Preview | None = None
        self.deriver = Deriver(self)
        self.deriver.done.connect(self._show_preview)
        self.deriver.failed.connect(self._show_refusal)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self._derive)

        # --- the student's list ---------------------------------------------------------
        self.list = QListWidget(self)
        self.list.setToolTip("Your own functions, kept between sessions. Click one to edit it.")
        self.rename_btn = QPushButton("Rename…", self)
        self.delete_btn = QPushButton("Delete", self)
        self.export_btn = QPushButton("Export…", self)
        self.import_btn = QPushButton("Import…", self)
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("<b>Your functions</b>", left))
        ll.addWidget(self.list, 1)
        for row in ((self.rename_btn, self.delete_btn), (self.export_btn, self.import_btn)):
            h = QHBoxLayout()
            for b in row:
                h.addWidget(b)
            ll.addLayout(h)

        # --- the editor -----------------------------------------------------------------
        self.text = QLineEdit(self)
        self.text.setPlaceholderText("for example  x*sigmoid(beta*x)")
        self.text.setToolTip(LANGUAGE)
        self.params = QLineEdit(self)
        self.params.setPlaceholderText("for example  beta = 1 in [0.1, 10]")
        self.params.setToolTip("Each parameter as: name = default in [lowest, highest]; "
                               "separate several with a comma or ;")
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("optional, for example  swish-β")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sliders_box = QWidget(self)
        self.sliders = QFormLayout(self.sliders_box)
        self.sliders.setContentsMargins(0, 0, 0, 0)
        self.plot = pg.PlotWidget(self)
        self.plot.setBackground("w")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.addLegend(offset=(5, 5))
        self.plot.setLabel("bottom", "x (the unit's input z)")
        self.plot.setMinimumHeight(180)
        self.curves = [
            self.plot.plot(pen=pg.mkPen("#0072B2", width=2), name="f(x)", connect="finite"),
            self.plot.plot(pen=pg.mkPen("#D55E00", width=2, style=Qt.PenStyle.DashLine),
                           name="f′(x)", connect="finite"),
            self.plot.plot(pen=pg.mkPen("#009E73", width=1, style=Qt.PenStyle.DotLine),
                           name="f″(x)", connect="finite")]
        self.derivatives = QLabel(self)
        self.derivatives.setWordWrap(True)
        self.derivatives.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("f(x) =", self.text)
        form.addRow("", self.message)
        form.addRow("Parameters", self.params)
        form.addRow("Name", self.name)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(form)
        rl.addWidget(self.sliders_box)
        rl.addWidget(self.plot, 1)
        rl.addWidget(self.derivatives)
        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([200, 560])
        self.buttons = QDialogButtonBox(self)
        self.save_btn = self.buttons.addButton("Save to my functions",
                                               QDialogButtonBox.ButtonRole.ApplyRole)
        self.use_btn = self.buttons.addButton("Use it", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.use_btn.setToolTip("Save it to your functions and use it here.")
        self.save_btn.clicked.connect(self._save)
        self.buttons.accepted.connect(self._use)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(split, 1)
        lay.addWidget(self.buttons)
        self.resize(820, 560)

        for edit in (self.text, self.params, self.name):
            edit.textChanged.connect(self._on_edit)
        self.list.itemClicked.connect(self._on_pick)  # the student's pick, not focus moving
        self.rename_btn.clicked.connect(self._rename)
        self.delete_btn.clicked.connect(self._delete)
        self.export_btn.clicked.connect(self._export)
        self.import_btn.clicked.connect(self._import)
        library.changed.connect(self._fill_list)
        self._fill_list()
        if spec:
            self.load(spec)
        self._on_edit()

    # --- reading the fields -----------------------------------------------------------------
    def typed_spec(self) -> str:
        """The fields as one spec string; FormulaError (with column) if refused."""
        text = self.text.text()
        decl = _semicolons(self.params.text().strip())
        name = self.name.text().strip()
        if ";" in text:
            col = text.index(";") + 1
            raise FormulaError("`;` cannot be used in a formula: parameters go in the field "
                               "below", col, ";")
        spec = "formula:" + text + (f"; {decl}" if decl else "")
        try:
            d = describe(spec)
        except FormulaError as e:
            if decl and e.column is None and "declaration" in str(e):
                raise FormulaError(f"Parameters: {e}") from None
            raise
        params = {p.name: (p.default, p.lo, p.hi) for p in d.params}
        return formula_name(d.text, params, name or None)

    def load(self, spec: str) -> None:
        """Put a saved formula into the fields (editing it)."""
        d = describe(spec)
        self._editing = spec
        for edit, value in ((self.text, d.text), (self.name, d.label or ""), (
                self.params, "; ".join(f"{p.name} = {p.default:g} in [{p.lo:g}, {p.hi:g}]"
                                       for p in d.params))):
            edit.blockSignals(True)
            edit.setText(value)
            edit.blockSignals(False)
        self._on_edit()

    # --- live checking ----------------------------------------------------------------------
    def _say(self, text: str, colour: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {colour}")

    def _on_edit(self) -> None:
        self._preview = None
        self.use_btn.setEnabled(False)
        self.save_btn.setEnabled(False)
        if not self.text.text().strip():
            self._say("Type a formula in x. " + LANGUAGE, _WAIT)
            self._timer.stop()
            return
        try:
            spec = self.typed_spec()
        except FormulaError as e:
            where = ""
            if e.column is not None:
                where = f"At column {e.column}" + (f" (`{e.fragment}`)" if e.fragment else "")
                where += ": "
            self._say("✗ " + where + str(e), _BAD)
            self._timer.stop()
            self._clear_plot()
            self.previewed.emit()
            return
        self._build_sliders(spec)
        self._say("Working out f′ and f″…", _WAIT)
        self._timer.start()

    def _derive(self) -> None:
        try:
            spec = self.typed_spec()
        except FormulaError:
            return
        d = describe(spec)
        params = {p.name: (p.default, p.lo, p.hi) for p in d.params}
        values = {k: v for k, v in self._values.items() if k in params}
        self.deriver.request(d.text, params, d.label, values)

    def _show_preview(self, p: Preview) -> None:
        self._preview = p
        for curve, y in zip(self.curves, (p.f, p.df, p.d2f)):
            curve.setData(p.z, y)
        self.plot.setYRange(*_y_range(p.f, p.df, p.d2f), padding=0.08)
        lines = [p.derivative, p.second] + [f"Kink {k}" for k in p.kinks]
        self.derivatives.setText("\n".join(lines))
        if p.problems:
            self._say("✗ " + "; ".join(p.problems) + ". A network needs a function that is "
                      "finite for every input: the curve is drawn where it is finite.", _BAD)
        else:
            self._say("✓ Accepted: f′ and f″ are exact (worked out by SymPy).", _OK)
        self.use_btn.setEnabled(not p.problems)
        self.save_btn.setEnabled(not p.problems)
        self.previewed.emit()

    def _show_refusal(self, message: str) -> None:
        self._say("✗ " + message, _BAD)
        self._clear_plot()
        self.previewed.emit()

    def _clear_plot(self) -> None:
        for c in self.curves:
            c.setData([], [])
        self.derivatives.setText("")

    # --- parameter sliders ------------------------------------------------------------------
    def _build_sliders(self, spec: str) -> None:
        specs = describe(spec).params
        if [self.sliders.itemAt(i, QFormLayout.ItemRole.LabelRole).widget().text()
                for i in range(self.sliders.rowCount())] == [p.name for p in specs]:
            return
        while self.sliders.rowCount():
            self.sliders.removeRow(0)
        for p in specs:
            value = min(max(self._values.get(p.name, p.default), p.lo), p.hi)
            self._values[p.name] = value
            s = QSlider(Qt.Orientation.Horizontal, self.sliders_box)
            s.setRange(0, _STEPS)
            s.setValue(round((value - p.lo) / (p.hi - p.lo) * _STEPS))
            shown = QLabel(f"{value:.3g}", self.sliders_box)
            shown.setMinimumWidth(40)
            s.setToolTip(f"Try other values of {p.name} (from {p.lo:g} to {p.hi:g}); the "
                         "default is the one in the Parameters field.")

            def moved(pos: int, p=p, shown=shown) -> None:
                v = p.lo + (p.hi - p.lo) * pos / _STEPS
                self._values[p.name] = v
                shown.setText(f"{v:.3g}")
                self._timer.start()

            s.valueChanged.connect(moved)
            row = QWidget(self.sliders_box)
            h = QHBoxLayout(row)
            h.setContentsMargins(0, 0, 0, 0)
            h.addWidget(s, 1)
            h.addWidget(shown)
            self.sliders.addRow(p.name, row)

    # --- keeping ----------------------------------------------------------------------------
    def _keep(self) -> str | None:
        if self._preview is None or self._preview.problems:
            return None
        try:
            if self._editing is not None and self._editing in self.library:
                spec = self.library.replace(self._editing, self._preview.spec)
            else:
                spec = self.library.add(self._preview.spec)
        except LibraryError as e:
            self._say("✗ " + str(e), _BAD)
            return None
        self._editing = spec
        self._select(spec)
        return spec

    def _save(self) -> None:
        if self._keep() is not None:
            self._say("✓ Saved to your functions: it is in every activation list now.", _OK)

    def _use(self) -> None:
        spec = self._keep()
        if spec is not None:
            self.spec = spec
            self.accept()

    # --- the list ---------------------------------------------------------------------------
    def _fill_list(self) -> None:
        current = self._editing
        self.list.blockSignals(True)
        self.list.clear()
        for spec in self.library.specs():
            item = QListWidgetItem(label_of(spec))
            item.setData(Qt.ItemDataRole.UserRole, spec)
            item.setToolTip(describe(spec).text)
            self.list.addItem(item)
        self.list.setCurrentRow(-1)  # a new formula starts blank, with nothing picked
        self.list.blockSignals(False)
        if current:
            self._select(current)
        has = self.list.count() > 0
        for b in (self.rename_btn, self.delete_btn, self.export_btn):
            b.setEnabled(has)

    def _select(self, spec: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == spec:
                self.list.blockSignals(True)
                self.list.setCurrentRow(i)
                self.list.blockSignals(False)

    def _picked(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _on_pick(self, *_args) -> None:
        spec = self._picked()
        if spec is not None:
            self.load(spec)

    def _rename(self) -> None:
        spec = self._picked()
        if spec is None:
            return
        label, ok = QInputDialog.getText(self, "Rename", "New name:", text=label_of(spec))
        if ok:
            self.rename(spec, label)

    def rename(self, spec: str, label: str) -> str | None:
        try:
            new = self.library.rename(spec, label)
        except (FormulaError, LibraryError) as e:
            self._say("✗ " + str(e), _BAD)
            return None
        self._editing = new
        self._select(new)
        self.load(new)
        return new

    def _delete(self) -> None:
        spec = self._picked()
        if spec is not None:
            self.library.remove(spec)
            self._editing = None

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export your functions", "formulas.json",
                                              "Formulas (*.json)")
        if path:
            try:
                self.library.export(path)
            except LibraryError as e:
                QMessageBox.warning(self, "Export", str(e))

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import functions", "", "Formulas (*.json)")
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> bool:
        try:
            n = self.library.import_file(path)
        except LibraryError as e:
            self._say("✗ Nothing was imported: " + str(e), _BAD)
            return False
        self._say(f"✓ Imported {n} new function{'s' if n != 1 else ''}.", _OK)
        return True


def new_formula(library: FormulaLibrary, parent: QWidget | None = None) -> str | None:
    """Open the dialog; the spec of the formula the student chose, or None."""
    dlg = FormulaDialog(library, parent)
    ok = dlg.exec() == QDialog.DialogCode.Accepted
    spec = dlg.spec if ok else None
    dlg.deleteLater()
    return spec


def _y_range(*curves) -> tuple[float, float]:
    """A y range that shows f whole and f′, f″ where they stay within a few times f's
    spread: 1/x² near 0 would otherwise flatten every other curve to a line."""
    f = curves[0][np.isfinite(curves[0])]
    lo, hi = (float(f.min()), float(f.max())) if f.size else (-1.0, 1.0)
    span = max(hi - lo, 1.0)
    for y in curves[1:]:
        y = y[np.isfinite(y)]
        if y.size:
            lo = max(min(lo, float(np.percentile(y, 2))), lo - 2 * span)
            hi = min(max(hi, float(np.percentile(y, 98))), hi + 2 * span)
    return lo, hi


def _semicolons(decl: str) -> str:
    """Commas between declarations ("a = 0 in [-2, 2], b = 1 in [0.1, 3]", as a student types
    them) become the spec's ";"; the commas inside a [lowest, highest] stay."""
    out, depth = [], 0
    for ch in decl:
        depth += (ch == "[") - (ch == "]")
        out.append(";" if ch == "," and depth <= 0 else ch)
    return "".join(out)
