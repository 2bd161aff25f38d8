"""File → Export Panel…: choose the panel, format, scale and background, then write."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from .export import BACKGROUNDS, copy_image, write_csv, write_png, write_svg
from .panels.base import Panel

__all__ = ["ExportDialog"]

FORMATS = (("PNG image", "png"), ("SVG drawing", "svg"), ("CSV data", "csv"),
           ("Copy image to clipboard", "clipboard"))


class ExportDialog(QDialog):
    def __init__(self, parent: QWidget | None, panel: Panel) -> None:
        super().__init__(parent)
        self.panel = panel
        self.setWindowTitle(f"Export {panel.title}")
        form = QFormLayout(self)
        self.format = QComboBox()
        for label, key in FORMATS:
            self.format.addItem(label, key)
        self.format.setToolTip("PNG for slides, SVG for print and editing, CSV for the numbers "
                               "exactly as plotted")
        self.scale = QSpinBox()
        self.scale.setRange(1, 4)
        self.scale.setValue(2)
        self.scale.setSuffix("×")
        self.scale.setToolTip("Pixel size of the PNG: 2× suits slides, 4× print")
        self.background = QComboBox()
        for b in BACKGROUNDS:
            self.background.addItem(b.capitalize(), b)
        self.background.setToolTip("Theme: as on screen. White: light colours on white, for "
                                   "print. Transparent: no background, for slides.")
        form.addRow("Format", self.format)
        form.addRow("Scale", self.scale)
        form.addRow("Background", self.background)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._export)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.format.currentIndexChanged.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        key = self.format.currentData()
        self.scale.setEnabled(key in ("png", "clipboard"))
        self.background.setEnabled(key != "csv")

    def export_to(self, path: Path | None) -> list[Path]:
        """Write with the dialog's choices (``path`` ignored for the clipboard)."""
        key, scale, bg = self.format.currentData(), self.scale.value(), self.background.currentData()
        if key == "clipboard":
            copy_image(self.panel, scale, bg)
            return []
        if key == "png":
            return [write_png(self.panel, path, scale, bg)]
        if key == "svg":
            return [write_svg(self.panel, path, bg)]
        return write_csv(self.panel, path)

    def _export(self) -> None:
        key = self.format.currentData()
        path = None
        if key != "clipboard":
            default = f"{self.panel.panel_id}.{key}"
            name, _ = QFileDialog.getSaveFileName(self, "Export to", default,
                                                  f"{key.upper()} files (*.{key})")
            if not name:
                return
            path = Path(name)
            if path.suffix.lower() != f".{key}":
                path = path.with_suffix(f".{key}")
        try:
            self.export_to(path)
        except (OSError, ValueError) as e:
            QMessageBox.warning(self, "Export", f"Could not export: {e}")
            return
        self.accept()
