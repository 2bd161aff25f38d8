"""File menu actions: new, open, save, recent files, presets, export, reference and About.

Saving and opening go through ``core.archive`` (the ``.alab`` format); anything that goes wrong
is one sentence in a dialog, and the open session is left untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

import core
import core.presets
from core.experiment import Experiment

from .messages import warn

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["FileActions"]

FILTER = "Activation Lab experiments (*.alab)"
MAX_RECENT = 8


class FileActions:
    def __init__(self, window: MainWindow) -> None:
        self.w = window
        self.path: Path | None = None

    # --- experiments -----------------------------------------------------------------------
    def new(self) -> None:
        self.path = None
        self.w.session.apply(Experiment(), reinitialize=True)
        self._title()

    def load_preset(self, name: str) -> None:
        preset = core.presets.get(name)
        self.path = None
        if self.w.session.apply(preset.experiment, reinitialize=True):
            self.w.statusBar().showMessage(f"{preset.title}: {preset.description}", 30000)
        self._title()

    def open(self, path: str | Path | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.w, "Open experiment", self._dir(), FILTER)
            if not path:
                return False
        path = Path(path)
        from core.archive import ArchiveError, read_archive

        try:
            saved = read_archive(path)
        except ArchiveError as e:
            self._error(f"Could not open {path.name}: {e}")
            return False
        if not self.w.session.restore(saved, path.name):
            return False
        self.w.restore_panel_states(saved.experiment.panels)
        self.path = path
        self._remember(path)
        self._title()
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self.w, "Save experiment",
                                              str(Path(self._dir()) / "experiment.alab"), FILTER)
        if not path:
            return False
        path = Path(path)
        if path.suffix != ".alab":
            path = path.with_suffix(".alab")
        return self._write(path)

    def _write(self, path: Path) -> bool:
        from core.archive import write_archive

        try:
            saved = self.w.session.capture(self.w.panel_states())
            write_archive(path, saved)
        except (OSError, ValueError, TimeoutError) as e:
            self._error(f"Could not save {path.name}: {e}")
            return False
        self.path = path
        self._remember(path)
        self._title()
        self.w.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    # --- recent files ----------------------------------------------------------------------
    def _recent(self) -> list[str]:
        s = self.w.settings
        value = s.value("files/recent", []) if s is not None else []
        return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]

    def _remember(self, path: Path) -> None:
        s = self.w.settings
        if s is None:
            return
        items = [str(path)] + [p for p in self._recent() if p != str(path)]
        s.setValue("files/recent", items[:MAX_RECENT])
        s.setValue("files/last_dir", str(path.parent))
        self.fill_recent(self.w.recent_menu)

    def fill_recent(self, menu: QMenu) -> None:
        menu.clear()
        recent = self._recent()
        for p in recent:
            menu.addAction(Path(p).name, lambda p=p: self.open(p)).setToolTip(p)
        menu.setEnabled(bool(recent))

    def _dir(self) -> str:
        s = self.w.settings
        return str(s.value("files/last_dir", str(Path.home()))) if s is not None else str(
            Path.home())

    # --- export ------------------------------------------------------------------------------
    def export_panel(self) -> None:
        from .export_dialog import ExportDialog

        ExportDialog(self.w, self.w.current_panel()).exec()

    def export_all(self) -> None:
        from .export import export_all_panels

        folder = QFileDialog.getExistingDirectory(self.w, "Export all panels into", self._dir())
        if not folder:
            return
        try:
            written = export_all_panels(self.w, Path(folder))
        except (OSError, ValueError, TimeoutError) as e:
            self._error(f"Could not export: {e}")
            return
        self.w.statusBar().showMessage(f"Wrote {len(written)} files to {folder}", 8000)

    # --- help ----------------------------------------------------------------------------------
    def show_reference(self) -> None:
        from .reference import ReferenceDialog

        ReferenceDialog(self.w).show()

    def show_about(self) -> None:
        QMessageBox.about(
            self.w, "About Activation Lab",
            f"<h3>Activation Lab {core.__version__}</h3>"
            "<p>Build small neural networks, train them live, and see what activation "
            "functions do: curves and derivatives, activation histograms, gradient flow, "
            "decision boundaries and training curves.</p>"
            "<p>Works offline. MIT licence. Bundled data sets: iris, wine and digits from the "
            "UCI Machine Learning Repository, as distributed with scikit-learn (BSD-3-Clause)."
            "</p>",
        )

    # --- helpers -------------------------------------------------------------------------------
    def _error(self, message: str) -> None:
        self.w.statusBar().showMessage(message, 15000)
        warn(self.w, message)

    def _title(self) -> None:
        name = self.path.name if self.path else self.w.session.experiment.title or "untitled"
        self.w.setWindowTitle(f"{name} — Activation Lab")
