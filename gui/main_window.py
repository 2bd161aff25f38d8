"""The main window: lays out the control dock, the panel docks and the toolbar, and relays the
session's frames to the visible panels.

It holds no experiment state of its own (that is the session's) and computes nothing (that is
the core's). It does not build its menus or wire the export and file actions either: the
composition root (``gui.wiring``) does, from the docks, signals and callables offered here.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QWidget,
)

from .live_view import LiveView
from .messages import warn
from .panel_set import PanelSet
from .panels.registry import PANELS
from .presentation import Presentation, ProjectorLayout, scaled_font, scaled_icon
from .session import Session
from .theme import LIGHT, Theme, apply_app_theme, theme_named
from .toolbar import DEFAULT_PACE, TransportBar, pace_from_setting, pace_setting

if TYPE_CHECKING:
    from .panels.base import Panel

__all__ = ["MainWindow", "ToolDock"]

LAYOUT_VERSION = 1


@dataclasses.dataclass(frozen=True)
class ToolDock:
    """A dock beside the panels that is not a plot of the frame (lessons, comparisons, …).

    ``build(window)`` makes its widget the first time the dock is shown (or asked for with
    :meth:`MainWindow.tool`): like the panels, its code and pyqtgraph are imported only then.
    The builder (written in the composition root, ``gui.wiring``) connects what the widget
    asks for to the window; the widget itself is not given the window.
    It starts hidden; the View menu (and ``shortcut``, if given) shows it. ``beside`` names
    the dock it is split off from: a panel id, "controls", or another tool dock's key.
    """

    key: str
    title: str
    tooltip: str
    build: Callable[[MainWindow], QWidget]
    beside: str = "controls"
    orientation: Qt.Orientation = Qt.Orientation.Vertical
    shortcut: str | None = None


class MainWindow(QMainWindow):
    """Arranges docks; forwards each new frame to the panels that are visible.

    Signals
    -------
    themeChanged(str) : the theme was switched (its name).
    lookChanged(Theme) : the theme panels are drawn in changed (the theme was switched, or
        presentation mode: on, off, its size or palette).
    presentationChanged(Presentation) : presentation mode was switched or adjusted.
    panelCreated(Panel) : a panel was just built (lazily, when first shown or asked for), so
        whoever serves its requests (export, clear earlier runs) can connect to it.
    """

    themeChanged = Signal(str)
    lookChanged = Signal(object)
    presentationChanged = Signal(object)
    panelCreated = Signal(object)

    def __init__(self, session: Session, settings: QSettings | None = None,
                 tool_docks: Sequence[ToolDock] = ()) -> None:
        super().__init__()
        self.session = session
        self.settings = settings
        self.theme_name = "light"
        self._theme = None  # set by set_theme; panels built before it keep their own default
        self.presentation = Presentation()
        self._sized = False
        self.setWindowTitle("Activation Lab")
        self.setDockNestingEnabled(True)
        self.setDockOptions(
            QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AnimatedDocks
        )
        self.docks: dict[str, QDockWidget] = {}
        self._build_controls()
        self._build_panels()
        self._build_tool_docks(tool_docks)
        self.transport = TransportBar(session, self)
        self.addToolBar(self.transport)
        self._plain_icons = self.transport.iconSize()
        self._projector = ProjectorLayout(self, self.docks, LAYOUT_VERSION)
        self._build_status()
        self._default_state = self.saveState(LAYOUT_VERSION)
        session.viewChanged.connect(self._on_view)
        session.problem.connect(self._on_problem)
        session.runningChanged.connect(self._on_running)
        self._restored_layout = False
        self._after_paint: list = []
        self._deferring_panels = False
        self._shown_while_deferred: set[str] = set()

    # --- start-up ------------------------------------------------------------------------
    def after_first_paint(self, fn) -> None:
        """Run ``fn()`` once the window has been painted for the first time.

        Start-up work the first picture does not need (the first trainer and its frame, the
        data-set thumbnails) waits for it, so the window appears as early as it can; each
        piece then fills in within a fraction of a second.
        """
        if not self._after_paint:
            self.installEventFilter(self)
        self._after_paint.append(fn)

    def defer_panels(self) -> None:
        """Build the panels that are on screen only after the window's first paint.

        The app's start calls this: the first picture then shows the controls and the
        docks' frames without waiting for pyqtgraph's import and the plots (~0.4 s), which
        fill in right after. Tests and screenshots build panels as soon as they are shown.
        """
        self._deferring_panels = True

        def build_shown() -> None:
            self._deferring_panels = False
            # the docks Qt reported shown (a dock behind another's tab counts as visible to
            # isVisible(), so that cannot tell)
            shown, self._shown_while_deferred = self._shown_while_deferred, set()
            for pid in self.panels:
                if pid in shown and not self.panels.is_created(pid):
                    self.panels[pid]

        self.after_first_paint(build_shown)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if obj is self and event.type() == QEvent.Type.Paint and self._after_paint:
            self.removeEventFilter(self)
            pending, self._after_paint = self._after_paint, []
            # after this paint pass has finished, not inside it
            QTimer.singleShot(0, lambda: [fn() for fn in pending])
        return super().eventFilter(obj, event)

    # --- construction --------------------------------------------------------------------
    def _build_controls(self) -> None:
        from .controls import ControlDock

        self.controls = ControlDock(self.session, self)
        dock = QDockWidget("Experiment", self)
        dock.setObjectName("dock-controls")
        dock.setWidget(self.controls)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.docks["controls"] = dock

    def _build_panels(self) -> None:
        self.panels = PanelSet(self, self._panel_created)
        self._latest_view: LiveView | None = None
        self._pending_states: dict[str, dict] = {}
        for entry in PANELS:
            dock = QDockWidget(entry.title, self)
            dock.setObjectName(f"dock-{entry.panel_id}")
            dock.setToolTip(entry.tooltip)
            self.panels.attach(entry.panel_id, dock)
            dock.visibilityChanged.connect(
                lambda visible, pid=entry.panel_id: self._on_panel_shown(pid, visible))
            self.docks[entry.panel_id] = dock
        self.setCentralWidget(QWidget(self))
        self.centralWidget().hide()  # panels are all docks: each can move, tab, close
        d = self.docks
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, d["output"])
        self.splitDockWidget(d["output"], d["training_curves"], Qt.Orientation.Horizontal)
        self.splitDockWidget(d["output"], d["activation_curves"], Qt.Orientation.Vertical)
        for pid in ("derivatives", "histograms", "gradient_flow", "network_graph"):
            self.tabifyDockWidget(d["activation_curves"], d[pid])
        d["histograms"].raise_()

    def _build_tool_docks(self, specs: Sequence[ToolDock]) -> None:
        self.tool_docks: dict[str, QDockWidget] = {}
        self._tool_specs = {spec.key: spec for spec in specs}
        self._tools: dict[str, QWidget] = {}
        for spec in specs:
            dock = QDockWidget(spec.title, self)
            dock.setObjectName(f"dock-{spec.key}")
            dock.setToolTip(spec.tooltip)
            placeholder = QWidget()
            placeholder.setMinimumSize(200, 150)
            dock.setWidget(placeholder)
            beside = self.docks.get(spec.beside) or self.tool_docks.get(spec.beside)
            if beside is None:
                self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            else:
                self.splitDockWidget(beside, dock, spec.orientation)
            dock.visibilityChanged.connect(
                lambda visible, key=spec.key: visible and self.tool(key))
            toggle = dock.toggleViewAction()
            toggle.setStatusTip(spec.tooltip)
            if spec.shortcut:
                toggle.setShortcut(QKeySequence(spec.shortcut))
            dock.hide()
            self.tool_docks[spec.key] = dock

    def tool(self, key: str) -> QWidget:
        """The widget of tool dock ``key``, built on first use (KeyError for an unknown key)."""
        widget = self._tools.get(key)
        if widget is None:
            widget = self._tool_specs[key].build(self)
            self._tools[key] = widget
            dock = self.tool_docks[key]
            old = dock.widget()
            dock.setWidget(widget)
            if old is not None:
                old.deleteLater()
        return widget

    def show_tool(self, key: str) -> QWidget:
        """Show and raise tool dock ``key``; returns its widget."""
        dock = self.tool_docks[key]
        dock.show()
        dock.raise_()
        return self.tool(key)

    def raise_panel(self, panel_id: str) -> None:
        """Bring a panel's dock to the front (a lesson step names the panel to look at)."""
        dock = self.docks[panel_id]
        dock.show()
        dock.raise_()

    def _default_sizes(self) -> None:
        """Share the space once the window has its size: the map gets the most room."""
        d = self.docks
        w, h = self.width(), self.height()
        self.resizeDocks([d["controls"], d["output"], d["training_curves"]],
                         [300, int((w - 300) * 0.55), int((w - 300) * 0.45)],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([d["output"], d["activation_curves"]],
                         [int(h * 0.52), int(h * 0.48)], Qt.Orientation.Vertical)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            if not self._restored_layout:
                self._default_sizes()
            if self.presentation.on:
                self._projector.share_width(self.presentation.zoom)

    def _build_status(self) -> None:
        bar = self.statusBar()
        self.status_epoch = QLabel("epoch 0")
        self.status_metrics = QLabel("")
        self.status_rate = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(True)
        self.progress.hide()
        for w in (self.status_epoch, self.status_metrics, self.status_rate):
            w.setToolTip("Training progress: epochs done, losses on the training and test sets, "
                         "and mini-batch steps per second")
        bar.addWidget(self.status_epoch)
        bar.addWidget(self.status_metrics, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.status_rate)

    # --- frames ------------------------------------------------------------------------------
    def _panel_created(self, panel: Panel) -> None:
        """A panel was just built: give it the theme, its saved choices and the latest frame,
        then announce it."""
        if self._theme is not None:
            panel.apply_theme(self._theme)
        state = self._pending_states.pop(panel.panel_id, None)
        if state is not None:
            panel.restore_view_state(state)
        if self._latest_view is not None:
            panel.update_view(self._latest_view)
        self.panelCreated.emit(panel)

    def _on_view(self, view: LiveView) -> None:
        self._latest_view = view
        for pid, panel in self.panels.created().items():
            if self.docks[pid].isVisible() and not panel.visibleRegion().isEmpty():
                panel.update_view(view)
            else:
                panel.keep_for_later(view)  # drawn when it becomes visible
        s = view.snapshot
        self.status_epoch.setText(f"epoch {s.epoch}  ·  step {s.step}")
        if s.metric_name == "accuracy":
            def fmt(v: float) -> str:
                return f"{100 * v:.1f}%"
        else:
            def fmt(v: float) -> str:
                return f"{v:.3f}"
        self.status_metrics.setText(
            f"loss {s.train_loss:.4g} train / {s.test_loss:.4g} test   ·   "
            f"{s.metric_name} {fmt(s.train_metric)} train / {fmt(s.test_metric)} test"
        )
        self.status_rate.setText(f"{view.steps_per_second:,.0f} steps/s" if view.running else "")
        limit = view.experiment.training.epoch_limit
        if limit:
            self.progress.setRange(0, limit)
            self.progress.setValue(min(s.epoch, limit))
            self.progress.setFormat(f"%v / {limit} epochs")
            self.progress.show()
        else:
            self.progress.hide()

    def _on_panel_shown(self, pid: str, visible: bool) -> None:
        if self._deferring_panels:
            (self._shown_while_deferred.add if visible else self._shown_while_deferred.discard)(pid)
            return
        if not visible:
            return
        if not self.panels.is_created(pid):
            self.panels[pid]  # builds it and draws the latest frame
            return
        self.panels[pid].catch_up()

    def _on_running(self, running: bool) -> None:
        if not running:
            self.status_rate.setText("")

    def _on_problem(self, message: str) -> None:
        self.show_status(message, 15000)
        warn(self, message)

    def show_status(self, text: str, milliseconds: int = 0) -> None:
        """A message in the status bar for ``milliseconds`` (0: until the next one)."""
        self.statusBar().showMessage(text, milliseconds)

    # --- panels ----------------------------------------------------------------------------
    def current_panel(self) -> Panel:
        """The panel the user is looking at: the one with focus, else the first visible one."""
        focus = self.focusWidget()
        made = self.panels.created()
        for panel in made.values():
            if focus is not None and (focus is panel or panel.isAncestorOf(focus)):
                return panel
        for pid, panel in made.items():
            if self.docks[pid].isVisible() and not panel.visibleRegion().isEmpty():
                return panel
        return self.panels["output"]

    def panel_states(self) -> dict:
        """Every panel's choices worth saving (a panel not built yet keeps what it was given)."""
        made = self.panels.created()
        return {pid: made[pid].view_state() if pid in made else self._pending_states.get(pid, {})
                for pid in self.panels}

    def restore_panel_states(self, states: dict) -> None:
        """Apply saved panel choices (unknown panels and bad entries are ignored)."""
        if not isinstance(states, dict):
            return
        for pid, state in states.items():
            if pid not in self.panels or not isinstance(state, dict):
                continue
            if self.panels.is_created(pid):
                self.panels[pid].restore_view_state(state)
            else:
                self._pending_states[pid] = state  # applied when the panel is built

    # --- theme and layout --------------------------------------------------------------------
    @property
    def theme(self) -> Theme:
        """The theme the panels are drawn in (presentation mode's, when it is on)."""
        return self._theme or self.presentation.theme(LIGHT)

    def set_theme(self, name: str) -> None:
        self.theme_name = name
        self._apply_look()
        self.themeChanged.emit(name)

    def set_presentation(self, presentation: Presentation) -> None:
        """Switch presentation mode on or off, or change its size or palette: panels, text
        and toolbar icons follow at once; exports are not affected (see gui.presentation)."""
        if presentation == self.presentation:
            return
        self.presentation = presentation
        self._apply_look()
        self._projector.arrange(presentation.on, presentation.zoom)
        if presentation.on and self._sized:
            self._projector.share_width(presentation.zoom)  # follows the text size
        self.presentationChanged.emit(presentation)

    def _apply_look(self) -> None:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        theme = self.presentation.theme(theme_named(self.theme_name))
        self._theme = theme
        apply_app_theme(app, theme)
        factor = self.presentation.factor
        # The window's widgets get the larger text, not the application: the panels' plots
        # are drawn larger by their theme (and keep the application's font, see Panel), and
        # an export paints with the application's font, so it stays as it is.
        font = scaled_font(app.font(), factor) if factor != 1 else QFont()
        self.setFont(font)
        self._projector.plain_tabs(self.presentation.on)
        self.transport.setIconSize(scaled_icon(self._plain_icons, factor))
        for panel in self.panels.created().values():
            panel.apply_theme(theme)
        self.lookChanged.emit(theme)

    def reset_layout(self) -> None:
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.show()
        for dock in self.tool_docks.values():  # tool docks start hidden
            dock.setFloating(False)
        self.restoreState(self._default_state, LAYOUT_VERSION)
        self._default_sizes()
        self._projector.forget()
        if self.presentation.on:  # presentation mode's arrangement of the default layout
            self._projector.arrange(True, self.presentation.zoom)
            self._projector.share_width(self.presentation.zoom)

    def save_settings(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        # the layout of normal use: presentation mode makes its own from it at the next start
        self.settings.setValue("window/state",
                               self._projector.plain_state or self.saveState(LAYOUT_VERSION))
        self.settings.setValue("window/theme", self.theme_name)
        self.presentation.save(self.settings)
        self.settings.setValue("training/pace", pace_setting(self.transport.current_pace()))
        self.settings.setValue("session/last_experiment", json.dumps(self.experiment_settings()))

    def experiment_settings(self) -> dict:
        """The experiment's settings with the panels' choices, as JSON-able data."""
        return dataclasses.replace(self.session.experiment, panels=self.panel_states()).to_dict()

    def restore_settings(self) -> None:
        """The layout, theme, presentation mode and pace the settings keep (the app's start
        calls this; without settings only the pace is set, to ``DEFAULT_PACE``: until then
        the toolbar's pace is as fast as possible, as tests and benchmarks want it)."""
        if self.settings is None:
            self.transport.set_pace(DEFAULT_PACE)
            return
        self.transport.set_pace(pace_from_setting(self.settings.value("training/pace",
                                                                      DEFAULT_PACE)))
        geo = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        if isinstance(state, QByteArray):
            self._restored_layout = self.restoreState(state, LAYOUT_VERSION)
        self.set_theme(str(self.settings.value("window/theme", "light")))
        self.set_presentation(Presentation.load(self.settings))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.save_settings()
        self.session.shutdown()
        super().closeEvent(event)

