"""Help → Activation Reference: every registered function with its formula, derivative,
properties, kink conventions and a plot of f and f′."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import core.activations as acts

__all__ = ["ReferenceDialog", "info_html"]


def _fmt_range(lo: float, hi: float) -> str:
    def one(v: float) -> str:
        return "∞" if v == np.inf else "−∞" if v == -np.inf else f"{v:g}"

    return f"({one(lo)}, {one(hi)})"


def info_html(act: acts.Activation) -> str:
    """The property card as HTML (also used by the activation-curves panel)."""
    info = act.info
    yes = {True: "yes", False: "no"}
    # a typed formula's properties are numerical estimates, and it shows f″ too
    est = set(getattr(act, "estimated", ()))

    def mark(key: str, text: str) -> str:
        return f"{text} (estimated)" if key in est else text

    rows = [
        ("Formula", info.formula),
        ("Derivative", info.derivative),
        ("Output range", mark("output_range", _fmt_range(*info.output_range))),
        ("Zero-centred", mark("zero_centred", yes[info.zero_centred])),
        ("Monotonic", mark("monotonic", yes[info.monotonic])),
        ("Bounded", mark("bounded", yes[info.bounded])),
        ("Smoothness", mark("smoothness", info.smoothness)),
    ]
    if hasattr(act, "second_derivative_text"):
        rows.insert(2, ("Second derivative", act.second_derivative_text))
    if info.derivative_from_output:
        rows.append(("From the output", info.derivative_from_output))
    for k in info.kinks:
        rows.append((f"At z = {k.x:g}", f"not differentiable; f′ = {k.df_used:g} is used. "
                     + k.note))
    if act.params:
        rows.append(("Parameters", ", ".join(f"{k} = {v:g}" for k, v in act.params.items())))
    body = "".join(
        f"<tr><td style='padding-right:10px'><b>{html.escape(a)}</b></td>"
        f"<td>{html.escape(b)}</td></tr>" for a, b in rows
    )
    return (f"<h3>{html.escape(info.display_name)}</h3><table>{body}</table>"
            f"<p>{html.escape(info.summary)}</p>")


class ReferenceDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Activation reference")
        self.resize(900, 560)
        self.list = QListWidget()
        for name in acts.names():
            item = QListWidgetItem(acts.get(name).info.display_name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.list.addItem(item)
        self.text = QTextBrowser()
        self.plot = pg.PlotWidget()
        self.plot.addLegend(offset=(5, 5))
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "z")
        self.curve_f = self.plot.plot(pen=pg.mkPen("#0072B2", width=2), name="f(z)")
        self.curve_df = self.plot.plot(pen=pg.mkPen("#D55E00", width=2, style=Qt.PenStyle.DashLine),
                                       name="f′(z)")
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.text, 1)
        rl.addWidget(self.plot, 1)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setSizes([220, 680])
        QHBoxLayout(self).addWidget(split)
        self.list.currentRowChanged.connect(self._show)
        self.list.setCurrentRow(0)

    def _show(self, row: int) -> None:
        if row < 0:
            return
        name = self.list.item(row).data(Qt.ItemDataRole.UserRole)
        act = acts.get(name)
        self.text.setHtml(info_html(act))
        z = np.linspace(-5, 5, 801)
        self.curve_f.setData(z, act.f(z))
        self.curve_df.setData(z, act.df(z))
