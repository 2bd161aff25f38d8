"""What the window does when a panel, the toolbar or the File menu asks for an export.

Panels only *ask* (their ``exportRequested`` and ``copyRequested`` signals); this object
listens, opens the dialog or writes the files, and reports in the status bar. It is given the
panels and the few things an export writes beside them (the settings, the latest frame, the
theme's name) by the composition root, never the window itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QWidget

from .live_view import LiveView
from .messages import warn

if TYPE_CHECKING:  # the export code imports pyqtgraph, which the first paint must not wait for
    from .panels.base import Panel

__all__ = ["ExportActions"]


class ExportActions(QObject):
    """Export… for one panel, Copy image, and Export All.

    Parameters
    ----------
    parent : the widget dialogs open over.
    panels : panel id → panel (built on first access).
    current_panel : returns the panel the user is looking at.
    settings : returns the experiment's settings with the panels' choices (a JSON-able dict),
        written beside an Export All as experiment.json.
    last_view : returns the frame on screen (its epoch and step go into the manifest).
    theme_name : returns the theme's name (recorded in the manifest).
    status : ``status(text, milliseconds)`` shows a message in the status bar.
    start_folder : returns where a folder dialog starts.
    """

    def __init__(self, parent: QWidget, panels: Mapping[str, Panel], *,
                 current_panel: Callable[[], Panel], settings: Callable[[], dict],
                 last_view: Callable[[], LiveView | None], theme_name: Callable[[], str],
                 status: Callable[[str, int], None], start_folder: Callable[[], str]) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.panels = panels
        self._current_panel = current_panel
        self._settings = settings
        self._last_view = last_view
        self._theme_name = theme_name
        self._status = status
        self._start_folder = start_folder

    def connect_panel(self, panel: Panel) -> None:
        """Listen to a new panel's requests (the window announces each panel it builds)."""
        panel.exportRequested.connect(lambda: self.export_panel(panel))
        panel.copyRequested.connect(lambda: self.copy_panel(panel))

    def export_current(self) -> None:
        self.export_panel(self._current_panel())

    def export_panel(self, panel: Panel) -> None:
        from .export_dialog import ExportDialog

        ExportDialog(self.parent_widget, panel).exec()

    def copy_panel(self, panel: Panel) -> None:
        from .export import copy_image

        copy_image(panel)
        self._status(f"Copied the {panel.title} panel as an image", 4000)

    def export_all(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.parent_widget, "Export all panels into",
                                                  self._start_folder())
        if not folder:
            return
        self.export_all_to(Path(folder))

    def export_all_to(self, folder: Path) -> list[Path]:
        """Every panel into ``folder``; a failure is reported, not raised (empty list)."""
        from .export import export_all_panels

        try:
            written = export_all_panels(self.panels, folder, settings=self._settings,
                                        view=self._last_view(), theme=self._theme_name())
        except (OSError, ValueError, TimeoutError) as e:
            message = f"Could not export: {e}"
            self._status(message, 15000)
            warn(self.parent_widget, message)
            return []
        self._status(f"Wrote {len(written)} files to {folder}", 8000)
        return written
