"""Export… for one panel: choose the format, size, styling and background, then write (or
copy)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
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

from .export import (
    BACKGROUNDS,
    HEADER,
    copy_image,
    export_size,
    render_image,
    write_csv,
    write_pdf,
    write_png,
    write_svg,
)
from .export_sizes import PRESETS, FigureSize
from .panels.base import Panel

__all__ = ["ExportDialog"]

FORMATS = (("PNG image", "png"), ("SVG drawing", "svg"), ("PDF document", "pdf"),
           ("CSV data", "csv"), ("Copy image to clipboard", "clipboard"))
#: the size choices: the panel as on screen (at the chosen scale), then the presets
AS_ON_SCREEN = "screen"
BACKGROUND_TIPS = {
    "theme": "as on screen",
    "white": "light colours on white, for print",
    "transparent": "no background, for slides (choose the theme that suits the slide)",
}


class ExportDialog(QDialog):
    """Format, size (as on screen at a scale, a slide, a handout), presentation styling and
    background (images); Save asks for a file name."""

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
        self.format.setToolTip("PNG for slides, SVG for editing, PDF for handouts and LaTeX "
                               "(vector, fonts embedded), CSV for the numbers exactly as "
                               "plotted (one file per plot: the first under the name you "
                               "choose, the others beside it)")
        self.size_choice = QComboBox()
        self.size_choice.addItem("As on screen", AS_ON_SCREEN)
        for p in PRESETS:
            self.size_choice.addItem(p.label, p.key)
        self.size_choice.setToolTip("Slides: the picture fills a 16:9 or 4:3 slide. Handout: "
                                    "the paper's width at 300 dpi (its PDF page is that wide)")
        self.presentation = QCheckBox("Presentation styling")
        self.presentation.setToolTip("Larger text, thicker lines and larger markers, for the "
                                     "back of a room")
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
        form.addRow("Size", self.size_choice)
        form.addRow("Scale", self.scale)
        form.addRow("", self.size_label)
        form.addRow("", self.presentation)
        form.addRow("Background", self.background)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._export)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.format.currentIndexChanged.connect(self._sync)
        self.scale.valueChanged.connect(self._sync)
        self.size_choice.currentIndexChanged.connect(self._sync)
        self._sync()

    def figure_size(self) -> FigureSize:
        """The chosen size: a preset, or the panel's export size at the chosen scale."""
        key = self.size_choice.currentData()
        for p in PRESETS:
            if p.key == key:
                return p
        size, s = export_size(self.panel), self.scale.value()
        return FigureSize(AS_ON_SCREEN, "As on screen", size.width() * s,
                          (size.height() + HEADER) * s, float(s))

    def _sync(self) -> None:
        key = self.format.currentData()
        on_screen = self.size_choice.currentData() == AS_ON_SCREEN
        self.scale.setEnabled(key in ("png", "clipboard") and on_screen)
        self.size_choice.setEnabled(key != "csv")
        self.presentation.setEnabled(key != "csv")
        self.background.setEnabled(key != "csv")
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText("Copy" if key == "clipboard" else "Save…")
        fs = self.figure_size()
        plots = fs.logical(HEADER)
        w, h = plots.width(), plots.height() + HEADER
        if key in ("png", "clipboard"):
            self.size_label.setText(f"{fs.width} × {fs.height} pixels")  # as written
        elif key == "svg":
            self.size_label.setText(f"{w} × {h} (a drawing: any size)")
        elif key == "pdf":
            self.size_label.setText(f"one page of {w / 96 * 25.4:.0f} × {h / 96 * 25.4:.0f} mm")
        else:
            self.size_label.setText("the numbers, one file per plot")

    def export_to(self, path: Path | None) -> list[Path]:
        """Write with the dialog's choices; ``path`` is ignored for the clipboard."""
        key, bg = self.format.currentData(), self.background.currentData()
        fs = self.figure_size()
        plots, scale = fs.logical(HEADER), fs.scale
        look = {"presentation": self.presentation.isChecked()}
        if key == "clipboard":
            if fs.key == AS_ON_SCREEN and not look["presentation"]:
                copy_image(self.panel, scale, bg)
            else:
                QGuiApplication.clipboard().setImage(
                    render_image(self.panel, scale, bg, plots, pixels=fs.pixels(), **look))
            return []
        if path is None:
            raise ValueError("no file name was given")
        if key == "png":
            return [write_png(self.panel, path, scale, bg, plots, pixels=fs.pixels(), **look)]
        if key == "svg":
            return [write_svg(self.panel, path, bg, plots, **look)]
        if key == "pdf":
            return [write_pdf(self.panel, path, bg, plots, **look)]
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
