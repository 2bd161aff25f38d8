"""The window's panels, each built the first time it is needed.

Why lazily: four of the seven panels start as hidden tabs, and building their plots costs about
half a second of start-up; a panel is built when its dock is first shown, or when something
asks for it (export, tests). Until then its dock holds an empty placeholder. The panels' code
(and pyqtgraph with it) is imported only then, too: see ``gui.panels.registry``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDockWidget, QWidget

from .panels.registry import PANELS, panel_class

if TYPE_CHECKING:
    from .panels.base import Panel

__all__ = ["PanelSet"]


class PanelSet(Mapping[str, "Panel"]):
    """A mapping panel_id → Panel whose values are created on first access."""

    def __init__(self, parent: QWidget, on_created: Callable[[Panel], None]) -> None:
        self._ids = [entry.panel_id for entry in PANELS]
        self._made: dict[str, Panel] = {}
        self._docks: dict[str, QDockWidget] = {}
        self._parent = parent
        self._on_created = on_created

    def attach(self, pid: str, dock: QDockWidget) -> None:
        self._docks[pid] = dock
        placeholder = QWidget()
        placeholder.setMinimumSize(200, 150)
        dock.setWidget(placeholder)

    def __getitem__(self, pid: str) -> Panel:
        panel = self._made.get(pid)
        if panel is None:
            panel = panel_class(pid)(self._parent)  # KeyError for an unknown id
            self._made[pid] = panel
            dock = self._docks.get(pid)
            if dock is not None:
                old = dock.widget()
                dock.setWidget(panel)
                if old is not None:
                    old.deleteLater()
            self._on_created(panel)
        return panel

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, pid: object) -> bool:
        return pid in self._ids

    def created(self) -> dict[str, Panel]:
        """The panels built so far (drawing a frame must not build the hidden ones)."""
        return dict(self._made)

    def is_created(self, pid: str) -> bool:
        return pid in self._made
