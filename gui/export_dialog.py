"""Export… for one panel: choose the format, scale and background, then write (or copy)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from .export import BACKGROUNDS, HEADER, copy_image, export_size, write_csv, write_png, write_svg
from .panels.base import Panel

__all__ = ["ExportDialog"]

FORMATS = (("PNG image", "png"), ("SVG drawing", "svg"), ("CSV data", "csv"),
           ("Copy image to clipboard", "clipboard"))
BACKGROUND_TIPS = {
    "theme": "as on screen",
    "white": "light colours on white, for print",
    "transparent": "no background, for slides (choose the theme that suits the slide)",
}


class ExportDialog(QDialog):
    """Format, scale (PNG and clipboard) and background (images); Save asks for a file name."""

    last_folder: ClassVar[str] = ""  # where the previous export went, for this session

    def __init__(self, parent: QWidget | None, panel: Panel) -> None:
        super().__init__(parent)
        self.panel = panel
        self.written: list[Path] = []
        self.setWindowTitle(f"Export {panel.title}")
        form = QFormLayout(self)
        self.format = QComboBox()
        for label, key in FORMATS:
            self.format.addItem(label, key)
        self.format.setToolTip("PNG for slides, SVG for print and editing, CSV for the numbers "
                               "exactly as plotted (one file per plot: the first under the "
                               "name you choose, the others beside it)")
        self.scale = QSpinBox()
        self.scale.setRange(1, 4)
        self.scale.setValue(2)
        self.scale.setSuffix("×")
        self.scale.setToolTip("Pixels per screen pixel: 2× suits slides, 4× print. Lines and "
                              "text grow with the picture.")
        self.background = QComboBox()
        for b in BACKGROUNDS:
            self.background.addItem(b.capitalize(), b)
            self.background.setItemData(self.background.count() - 1, BACKGROUND_TIPS[b],
                                        Qt.ItemDataRole.ToolTipRole)
        self.background.setToolTip("Theme: as on screen. White: light colours on white, for "
                                   "print. Transparent: no background, for slides.")
        self.size_label = QLabel()
        self.size_label.setToolTip("The picture's size in pixels, title band included")
        form.addRow("Format", self.format)
        form.addRow("Scale", self.scale)
        form.addRow("Size", self.size_label)
        form.addRow("Background", self.background)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._export)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.format.currentIndexChanged.connect(self._sync)
        self.scale.valueChanged.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        key = self.format.currentData()
        self.scale.setEnabled(key in ("png", "clipboard"))
        self.background.setEnabled(key != "csv")
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText("Copy" if key == "clipboard" else "Save…")
        size = export_size(self.panel)
        w, h = size.width(), size.height() + HEADER
        if key in ("png", "clipboard"):
            s = self.scale.value()
            self.size_label.setText(f"{w * s} × {h * s} pixels")
        elif key == "svg":
            self.size_label.setText(f"{w} × {h} (a drawing: any size)")
        else:
            self.size_label.setText("the numbers, one file per plot")

    def export_to(self, path: Path | None) -> list[Path]:
        """Write with the dialog's choices; ``path`` is ignored for the clipboard."""
        key, scale = self.format.currentData(), self.scale.value()
        bg = self.background.currentData()
        if key == "clipboard":
            copy_image(self.panel, scale, bg)
            return []
        if path is None:
            raise ValueError("no file name was given")
        if key == "png":
            return [write_png(self.panel, path, scale, bg)]
        if key == "svg":
            return [write_svg(self.panel, path, bg)]
        return write_csv(self.panel, path)

    def _export(self) -> None:
        key = self.format.currentData()
        path = None
        if key != "clipboard":
            folder = Path(ExportDialog.last_folder or Path.cwd())
            default = str(folder / f"{self.panel.panel_id}.{key}")
            name, _ = QFileDialog.getSaveFileName(self, "Export to", default,
                                                  f"{key.upper()} files (*.{key})")
            if not name:
                return
            path = Path(name)
            if path.suffix.lower() != f".{key}":
                path = path.with_name(path.name + f".{key}")
        try:
            self.written = self.export_to(path)
        except (OSError, ValueError) as e:
            QMessageBox.warning(self, "Export", f"Could not export: {e}")
            return
        if path is not None:
            ExportDialog.last_folder = str(path.parent)
        self.accept()
