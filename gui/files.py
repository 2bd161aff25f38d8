"""File menu actions: new, open, save, recent files, presets, the reference and About.

Saving and opening go through ``core.archive`` (the ``.alab`` format); anything that goes wrong
is one sentence in a dialog, and the open session is left untouched. What these actions need
from the window (a parent for dialogs, the status bar, the panels' saved choices, the title)
is handed to them as plain callables by the composition root (``gui.wiring``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

import core
import core.presets
from core.experiment import Experiment

from .messages import warn
from .session import Session

__all__ = ["FileActions"]

FILTER = "Activation Lab experiments (*.alab)"
MAX_RECENT = 8


class FileActions(QObject):
    """New, open, save and the recent files of one window's session.

    Parameters
    ----------
    session : the session whose experiment is opened and saved.
    settings : where the recent files and the last folder are kept (None: nowhere).
    parent : the widget dialogs open over (the window).
    status : ``status(text, milliseconds)`` shows a message in the status bar.
    panel_states : returns the panels' choices, saved with the experiment.
    restore_panel_states : applies the choices of an opened file to the panels.

    Signals
    -------
    recentChanged() : the list of recent files changed (see :meth:`recent`).
    """

    recentChanged = Signal()

    def __init__(self, session: Session, settings: QSettings | None, parent: QWidget, *,
                 status: Callable[[str, int], None], panel_states: Callable[[], dict],
                 restore_panel_states: Callable[[dict], None]) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.parent_widget = parent
        self._status = status
        self._panel_states = panel_states
        self._restore_panel_states = restore_panel_states
        self.path: Path | None = None

    # --- experiments -----------------------------------------------------------------------
    def new(self) -> None:
        self.path = None
        self.session.apply(Experiment(), reinitialize=True)
        self._title()

    def load_preset(self, name: str) -> None:
        """Start from preset ``name``'s experiment. Its text is not put in the status bar
        (one line cuts it off): the lessons built on the presets carry the words."""
        preset = core.presets.get(name)
        self.path = None
        self.session.apply(preset.experiment, reinitialize=True)
        self._title()

    def open(self, path: str | Path | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.parent_widget, "Open experiment",
                                                  self.last_folder(), FILTER)
            if not path:
                return False
        path = Path(path)
        from core.archive import ArchiveError, read_archive

        try:
            saved = read_archive(path)
        except ArchiveError as e:
            self._error(f"Could not open {path.name}: {e}")
            return False
        if not self.session.restore(saved, path.name):
            return False
        self._restore_panel_states(saved.experiment.panels)
        self.path = path
        self._remember(path)
        self._title()
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        default = str(Path(self.last_folder()) / "experiment.alab")
        path, _ = QFileDialog.getSaveFileName(self.parent_widget, "Save experiment", default,
                                              FILTER)
        if not path:
            return False
        path = Path(path)
        if path.suffix != ".alab":
            path = path.with_suffix(".alab")
        return self._write(path)

    def _write(self, path: Path) -> bool:
        from core.archive import write_archive

        try:
            saved = self.session.capture(self._panel_states())
            write_archive(path, saved)
        except (OSError, ValueError, TimeoutError) as e:
            self._error(f"Could not save {path.name}: {e}")
            return False
        self.path = path
        self._remember(path)
        self._title()
        self._status(f"Saved {path}", 5000)
        return True

    # --- recent files ----------------------------------------------------------------------
    def recent(self) -> list[str]:
        """The recently opened or saved files, newest first."""
        s = self.settings
        value = s.value("files/recent", []) if s is not None else []
        return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]

    def _remember(self, path: Path) -> None:
        s = self.settings
        if s is None:
            return
        items = [str(path)] + [p for p in self.recent() if p != str(path)]
        s.setValue("files/recent", items[:MAX_RECENT])
        s.setValue("files/last_dir", str(path.parent))
        self.recentChanged.emit()

    def last_folder(self) -> str:
        """Where the last file was opened or saved (the home folder at first)."""
        s = self.settings
        return str(s.value("files/last_dir", str(Path.home()))) if s is not None else str(
            Path.home())

    # --- help ----------------------------------------------------------------------------------
    def show_reference(self) -> None:
        from .reference import ReferenceDialog

        ReferenceDialog(self.parent_widget).show()

    def show_about(self) -> None:
        QMessageBox.about(
            self.parent_widget, "About Activation Lab",
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
        self._status(message, 15000)
        warn(self.parent_widget, message)

    def _title(self) -> None:
        name = self.path.name if self.path else self.session.experiment.title or "untitled"
        self.parent_widget.setWindowTitle(f"{name} — Activation Lab")
