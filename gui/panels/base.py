"""What every panel shares: the live-frame hook, theming and what export needs to know."""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from ..live_view import LiveView
from ..theme import LIGHT, Theme, style_plot
from ._pens import Thickener
from ._placement import scale_legends

# smooth lines by default (stills, exports); live curves switch it off while training runs
pg.setConfigOptions(antialias=True)

__all__ = ["Panel", "CsvTable", "EmptyNote", "TEXT_INTERVAL", "fit_title_height", "set_title",
           "title_over_axes"]

#: While training runs, numbers in titles and labels change at most this often (seconds):
#: digits that change 25 times a second cannot be read, and each HTML title costs a layout
#: pass. Curves, bars and maps still move on every frame; a paused frame and every export
#: show the frame's own numbers.
TEXT_INTERVAL = 0.25


#: what set_title last gave each plot (kept here, not as an attribute pinned on pyqtgraph's)
_TITLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def set_title(plot: pg.PlotItem, text: str, **style) -> None:
    """``plot.setTitle`` only when the text or its style differ from what is shown: each call
    re-renders the title's HTML and lays the plot out again (~0.15 ms), and panels set their
    titles on every frame."""
    key = (text, tuple(sorted(style.items())))
    label = plot.titleLabel
    if _TITLES.get(plot) == key and label.text == text:
        return
    _TITLES[plot] = key
    plot.setTitle(text, **style)
    fit_title_height(plot)


def fit_title_height(plot: pg.PlotItem) -> None:
    """pyqtgraph gives the title row 30 px: a title of two or three lines would run into
    the plot's top tick labels. Give it the height of its text."""
    label = plot.titleLabel
    if not label.isVisible():
        return
    # and a few pixels more: the top tick label, centred on the plot's top edge, reaches
    # half its height up into the title's row
    lines = label.text.count("<br>") + label.text.count("\n")
    height = max(30.0, label.itemRect().height() + (6.0 if lines else 0.0))
    label.setMaximumHeight(height)
    plot.layout.setRowFixedHeight(0, height)


def title_over_axes(plot: pg.PlotItem) -> None:
    """Let the plot's title use the width of its y axis too.

    pyqtgraph puts the title above the data area only, so a plot is at least as wide as its
    axis plus its title: three histograms with two-line titles then no longer fit side by
    side in a laptop's panel, and the last one is cut off.
    """
    layout, label = plot.layout, plot.titleLabel
    layout.removeItem(label)
    layout.addItem(label, 0, 0, 1, 3)  # left axis, view box, right axis


def fixed_font(font: QFont) -> QFont:
    """``font`` with each of its properties set explicitly, so that a widget given it does not
    inherit its parent's font any more."""
    fixed = QFont(font)
    fixed.setResolveMask(0xFFFFFFFF)
    return fixed


class EmptyNote:
    """What a plot with nothing to draw says instead of showing empty axes: a sentence in
    the middle of its view, the axes' numbers hidden while it shows."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.item = pg.TextItem(anchor=(0.5, 0.5))
        self.item.setParentItem(plot.vb)  # placed in the view's pixels, not in data
        self.item.setZValue(40)
        self.item.setVisible(False)
        self.shown = False
        self.text = ""
        plot.vb.sigResized.connect(self._centre)

    def show_note(self, text: str) -> None:
        colour = self.plot.getAxis("left").textPen().color()
        if not (self.shown and text == self.text):
            self.item.setText(text, color=colour)
            self.text = text
        self.item.setColor(colour)
        if not self.shown:
            self.shown = True
            self.item.setVisible(True)
            for side in ("left", "bottom"):
                self.plot.getAxis(side).setStyle(showValues=False)
        self._centre()

    def hide_note(self) -> None:
        if self.shown:
            self.shown = False
            self.item.setVisible(False)
            for side in ("left", "bottom"):
                self.plot.getAxis(side).setStyle(showValues=True)

    def _centre(self, *_) -> None:
        vb = self.plot.vb
        if self.shown:  # its own width, wrapped only where the view is narrower
            self.item.setTextWidth(-1)
            natural = self.item.textItem.document().idealWidth()
            if natural > vb.width() - 16:
                self.item.setTextWidth(max(60.0, vb.width() - 16))
            self.item.setPos(vb.width() / 2, vb.height() / 2)


@dataclass(frozen=True)
class CsvTable:
    """Exactly the numbers one plot shows: a name (file stem), column names and rows."""

    name: str
    header: tuple[str, ...]
    rows: np.ndarray  # (n, len(header)); NaN where a column has fewer values


class Panel(QWidget):
    """A dockable plot panel.

    Subclasses build their plot items once in ``__init__`` (on ``self.canvas``, a
    ``pg.GraphicsLayoutWidget``, plus any option widgets in ``self.options``) and update them
    with ``setData`` in :meth:`update_view`. They never compute what the core can compute.

    A panel sees the frame it draws and the theme, nothing above: what the user asks of it
    beyond that (export it, copy it) it announces as a signal, and whoever exports listens
    (``gui.export_actions``).

    Signals
    -------
    exportRequested() : the user asked to export this panel (its context menu).
    copyRequested() : the user asked to copy this panel's image to the clipboard.
    clearGhostsRequested() : the user asked to remove the earlier runs' curves (the training
        curves' button; the session owns those runs).
    """

    exportRequested = Signal()
    copyRequested = Signal()
    clearGhostsRequested = Signal()

    panel_id: ClassVar[str] = "panel"
    title: ClassVar[str] = "Panel"
    tooltip: ClassVar[str] = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self.view: LiveView | None = None
        self.stale = False  # holds a frame not drawn yet (see keep_for_later)
        self.smooth = True  # draw live curves antialiased (see update_view)
        self.text_due = True  # write this frame's numbers into titles (see update_view)
        self._text_at = -1e9  # when they were last written
        self._text_behind = False  # the titles show an earlier frame than the curves
        self._force_text = False
        self._boxes: list | None = None  # the panel's StableViewBoxes (see _stable_boxes)
        self.exporting = False  # an export is drawing the panel (see set_exporting)
        self._thick = Thickener()  # presentation mode: wider lines, larger symbols
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.options = QWidget(self)  # a row of controls above the plots (not exported)
        self.options.setObjectName("panelOptions")
        layout.addWidget(self.options)
        self.canvas = pg.GraphicsLayoutWidget(self)
        self.canvas.setMinimumSize(200, 150)
        # The panel's text keeps the application's size whatever the window around it sets:
        # presentation mode enlarges the window's text, and the plots grow by theme.zoom
        # instead; the options and lists beside them are a teacher's switches, which would
        # otherwise take half of a projector's panel.
        self.setFont(fixed_font(QApplication.font()))
        self._sized_by: QWidget = self.canvas  # its resizes ask fit_to for an arrangement
        self.canvas.installEventFilter(self)
        self.canvas.scene().sigPrepareForPaint.connect(self._before_paint)
        layout.addWidget(self.canvas, 1)
        # Our exporter replaces pyqtgraph's (its SVG export fails on our Qt): right-click menu.
        export = QAction("Export…", self)
        export.triggered.connect(lambda _checked=False: self.exportRequested.emit())
        copy = QAction("Copy image", self)
        copy.triggered.connect(lambda _checked=False: self.copyRequested.emit())
        self.canvas.scene().contextMenu = [export, copy]
        if self.tooltip:
            self.setToolTip(self.tooltip)

    # --- to implement ----------------------------------------------------------------
    def update_view(self, view: LiveView) -> None:
        """Draw the latest frame. Called at most at display rate, in the GUI thread."""
        self.view = view
        self.stale = False
        # Live curves are antialiased only when training is paused: redrawn 25 times a second,
        # smooth wide lines cost about twice as much to draw and the steps are hard to see in
        # motion. A paused frame, and every export, is drawn smooth.
        self.smooth = not view.running
        for box in self._stable_boxes():  # axes in steps while live, close fits when still
            box.set_live(view.running)
        now = time.monotonic()
        self.text_due = (not view.running or self._force_text
                         or now - self._text_at >= TEXT_INTERVAL)
        if self.text_due:
            self._text_at = now
        self._text_behind, self._force_text = not self.text_due, False

    def _stable_boxes(self) -> list:
        # found once (a scan of the scene costs 40-90 µs, on every frame of every panel):
        # panels make their StableViewBoxes when they are built, never later
        if self._boxes is None:
            from ._stable_range import StableViewBox

            self._boxes = [it for it in self.canvas.scene().items()
                           if isinstance(it, StableViewBox)]
        return self._boxes

    def keep_for_later(self, view: LiveView) -> None:
        """A frame for a panel nobody can see: kept, drawn by :meth:`catch_up` when needed
        (shown again, or exported) rather than on every frame."""
        self.view = view
        self.stale = True

    def catch_up(self) -> None:
        """Draw the kept frame if it has not been drawn, with its own numbers in the titles
        (what is exported must match it)."""
        if (self.stale or self._text_behind) and self.view is not None:
            self._force_text = True
            self.update_view(self.view)

    def csv_tables(self) -> list[CsvTable]:
        """The data currently plotted, table by table, for CSV export."""
        return []

    def fit_to(self, size) -> None:
        """Arrange the plots for a canvas of ``size`` (a QSize: an export's), or for the
        canvas on screen (None, asked at every resize of the canvas, see fit_to_size_of).
        Panels whose arrangement depends on the room they get (a laptop's small dock)
        override it; an export asks for its own size first and gives the screen's back
        afterwards, so a figure never inherits a cramped dock's layout."""

    def set_exporting(self, on: bool) -> None:
        """An export draws the panel (True) or is done (False). Panels leave out what only
        makes sense on a screen while it draws: hover hints, an empty selection area."""
        self.exporting = on
        if on:
            scale_legends(self.canvas.scene())

    def arrange_texts(self) -> None:
        """Place the notes and legends inside the plots for the layout they have now, apart
        from each other and from the curves (see ``gui.panels._placement``). Called on
        resizes and by an export once its layout has settled."""

    def room(self) -> QSize:
        """The canvas's size in the plots' own units: in presentation mode everything is
        drawn ``theme.zoom`` times larger, so the plots have that much less room."""
        # theme.zoom only, not _view_scale: a panel choosing its arrangement for more room
        # than the canvas has would need more still, and be drawn smaller and smaller
        zoom = self.theme.zoom
        return QSize(round(self.canvas.width() / zoom), round(self.canvas.height() / zoom))

    def _view_scale(self) -> float:
        """Screen pixels per unit of the plots' layout: ``theme.zoom``, or less where the
        canvas is narrower than its plots can be laid out (a laptop's middle column with
        the Lessons dock open): drawn a little smaller then, rather than cut off at the
        right."""
        zoom = self.theme.zoom
        if not self.canvas.isVisible():  # never shown (a headless export): as laid out
            return zoom
        need = self.canvas.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize).width()
        width = self.canvas.width()
        if need > 0 and width > 0 and width / zoom < need:
            return width / need
        return zoom

    def _apply_zoom(self) -> None:
        """Lay the plots out at the canvas's size / zoom and draw them zoomed (fonts, axes,
        layout), as on a screen with that many more pixels per point."""
        canvas, zoom = self.canvas, self._view_scale()
        if zoom == 1 and canvas.autoPixelRange:
            return
        if zoom == 1:
            canvas.autoPixelRange = True
            canvas.setRange(QRectF(0, 0, canvas.width(), canvas.height()), padding=0)
        else:
            rect = QRectF(0, 0, round(canvas.width() / zoom), round(canvas.height() / zoom))
            if not canvas.autoPixelRange and canvas.range == rect:  # unchanged: no new layout
                return
            scale_legends(canvas.scene())  # legends made since: drawn at this scale too
            canvas.setRange(rect, padding=0, disableAutoPixel=True)
        if not self.exporting:
            # the plots moved on the screen with no resize of their own: notes placed and
            # checked against the old scale would stand where they no longer fit
            self.arrange_texts()

    def _before_paint(self) -> None:
        if not self.exporting:
            # a new frame can widen the plots' least layout (a legend of ten layers) with
            # no resize to tell: fit it before it is drawn
            self._apply_zoom()
            self._thick.apply(self.canvas.scene().items())

    def fit_to_size_of(self, widget: QWidget) -> None:
        """Follow ``widget``'s resizes instead of the canvas's (a panel whose canvas sits in
        a scroll area: the canvas grows with its content, the visible room is the
        viewport's)."""
        if self._sized_by is not self.canvas:  # the canvas's own resizes set its zoom
            self._sized_by.removeEventFilter(self)
        self._sized_by = widget
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize:
            if obj is self.canvas:
                self._apply_zoom()
            if obj is self._sized_by:
                self.fit_to(None)
        return super().eventFilter(obj, event)

    # --- shared ------------------------------------------------------------------------
    def plot_items(self) -> list[pg.PlotItem]:
        return [it for it in self.canvas.ci.items if isinstance(it, pg.PlotItem)]

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        # items made later (legend entries of new series) take pyqtgraph's default colours
        pg.setConfigOptions(foreground=theme.foreground, background=theme.background)
        self.canvas.setBackground(theme.background)
        for plot in self.plot_items():
            style_plot(plot, theme)
        self._thick.set_factors(theme.line, theme.marker)
        scale_legends(self.canvas.scene())
        self._apply_zoom()
        if self.view is not None:
            self.update_view(self.view)

    def view_state(self) -> dict:
        """Panel choices worth saving with the experiment (JSON-able)."""
        return {}

    def restore_view_state(self, state: dict) -> None:
        """Apply choices from :meth:`view_state`; unknown or bad entries are ignored."""
