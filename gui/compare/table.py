"""The comparison's table, one row per value, with the warnings under it, and the
one-sentence verdict (a label of its own: the dock shows it above its pages). Every string is
the core's (``columns``, ``table_rows``, ``verdict``, ``warnings``); these widgets only lay
them out."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import compare

__all__ = ["SummaryView", "VerdictLabel"]


class VerdictLabel(QLabel):
    """The comparison's verdict: one sentence, bold, wrapped, selectable."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self.hide()

    def show_verdict(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


class SummaryView(QWidget):
    """The table and the warnings (a list) of one comparison."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.table = QTableWidget(0, 0, self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setToolTip("One column per value, over its seeds: the median [middle half] "
                              "of the final numbers, and how often it beat the first value "
                              "with the same seed.")
        self.table.setMinimumHeight(80)
        small = self.table.font()  # a point smaller: three values fit a dock beside the panels
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        self.table.setFont(small)
        self.table.verticalHeader().setFont(small)
        self.table.horizontalHeader().setFont(small)
        layout.addWidget(self.table, 1)
        self.warnings = QLabel("")
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings.setSizePolicy(QSizePolicy.Policy.Preferred,
                                    QSizePolicy.Policy.Minimum)
        layout.addWidget(self.warnings)
        self._warnings: list[str] = []
        self._cols: list[tuple[str, str]] = []
        self._rows: list[dict[str, str]] = []
        self.clear()

    def clear(self) -> None:
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self._cols, self._rows = [], []
        self._warnings = []
        self.warnings.setText("")
        self.warnings.hide()

    def show_summary(self, summary: compare.Summary) -> None:
        """Fill the table from ``summary``: a column per value, a row per measure (a dock is
        narrower than it is tall, and there are more measures than values)."""
        cols = compare.columns(summary)
        rows = compare.table_rows(summary)
        self.table.clear()
        self.table.setColumnCount(len(rows))
        self.table.setRowCount(len(cols) - 1)
        self.table.setHorizontalHeaderLabels([row["value"] for row in rows])
        self.table.setVerticalHeaderLabels([heading for _, heading in cols[1:]])
        self.table.verticalHeader().setVisible(True)
        for c, row in enumerate(rows):
            for r, (key, _) in enumerate(cols[1:]):
                # "0.231 [0.19–0.245]": the band on a line of its own, to stay narrow
                item = QTableWidgetItem(row[key].replace(" [", "\n["))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        self._cols, self._rows = cols, rows
        self.show_warnings([w.replace("(--tune-lr)", "(“Tune the learning rate for each "
                                      "value”)") for w in compare.warnings(summary)])

    def show_warnings(self, lines: list[str]) -> None:
        self._warnings = list(lines)
        self.warnings.setText("".join(f"<p style='margin:2px 0'>⚠ {_html(w)}</p>"
                                      for w in lines))
        self.warnings.setVisible(bool(lines))

    # --- read-only hooks (tests, export) -----------------------------------------------------
    def headings(self) -> list[str]:
        """The table's headings as ``core.compare.columns`` gives them."""
        return [heading for _, heading in self._cols]

    def rows(self) -> list[list[str]]:
        """The table as ``core.compare.table_rows`` gives it: one list per value, in the
        order of :meth:`headings` (read back from the cells shown)."""
        out = []
        for c in range(self.table.columnCount()):
            cells = [self.table.horizontalHeaderItem(c).text()]
            cells += [self.table.item(r, c).text().replace("\n[", " [")
                      for r in range(self.table.rowCount())]
            out.append(cells)
        return out

    def warning_texts(self) -> list[str]:
        return list(self._warnings)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
