"""A laptop's screen (#15 part 4): at 1366×768 and 1280×720 in the default layout every panel,
as the window shows it, has its texts whole and apart (bounding boxes: none leaves its plot,
none overlaps another), no note or legend of any plot is written across its curves or
symbols, the decision map fills its plot and its legend covers no data, the activation
curves' kink note is shown (where the plot is too small for a note, it is left out rather
than cut off) and the derivatives' kink conventions are written under their plot."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication, QGraphicsItem

from gui.panels._placement import crossings, data_segments, problems, text_boxes

SIZES = [(1366, 768), (1280, 720)]


def on_screen(panel) -> QRectF:
    canvas = panel.canvas
    for _ in range(3):
        QApplication.processEvents()
        canvas.scene().prepareForPaint()
    return canvas.mapToScene(canvas.rect()).boundingRect()


@pytest.fixture(params=SIZES, ids=["1366x768", "1280x720"])
def laptop(request, make_lab, make_view):
    """The window at a laptop's size, every panel built and drawing one real frame."""
    lab = make_lab(size=request.param, start=False)
    window = lab.window
    view = make_view("circles-tanh", steps=90, ghosts=2)  # earlier runs: their labels too
    for pid in window.panels:
        window.panels[pid].update_view(view)
    return window


def test_every_panel_reads_cleanly(laptop, make_view):
    faults = {}
    for view in (None, make_view("deep-sigmoid", steps=60), make_view("iris-softmax")):
        for pid in laptop.panels:
            if view is not None:  # None: the fixture's circles frame, with earlier runs
                laptop.panels[pid].update_view(view)
            laptop.raise_panel(pid)
            panel = laptop.panels[pid]
            found = problems(panel.canvas.scene(), on_screen(panel),
                             data_kinds=("note", "legend"))
            if found:
                faults[f"{pid} {view.experiment.dataset.name if view else 'circles'}"] = found
    assert faults == {}


def test_the_decision_map_fills_its_plot_and_its_legend_covers_no_points(laptop):
    laptop.raise_panel("output")
    panel = laptop.panels["output"]
    on_screen(panel)
    m = panel.active
    (x0, x1), (y0, y1) = m.snapshot.grid.extent
    (vx0, vx1), (vy0, vy1) = m.plot.vb.viewRange()
    # the view shows the map, not empty axes beside it (was x −13…13 around −6…6)
    assert (vx1 - vx0) <= 1.25 * (x1 - x0) and (vy1 - vy0) <= 1.25 * (y1 - y0)
    legend = m.legend.mapRectToScene(m.legend.boundingRect())
    assert crossings(legend, data_segments(m.plot.vb)) == 0
    assert not legend.intersects(m.plot.vb.sceneBoundingRect())


def test_the_kink_note_is_not_written_across_the_curves(laptop):
    laptop.raise_panel("activation_curves")
    panel = laptop.panels["activation_curves"]
    on_screen(panel)
    notes = [b for b in text_boxes(panel.canvas.scene(), QRectF()) if b.kind == "note"]
    if laptop.width() >= 1366:  # at 1280×720 the plot may be too low for it: then not drawn
        assert notes, "the ReLU kink note is shown"
    for b in notes:
        assert crossings(b.rect, data_segments(b.view)) == 0, b.text


def test_the_derivatives_kink_conventions_are_written_under_the_plot(laptop):
    """Inside the plot every place lay across a curve at these sizes (f″ of tanh dips beside
    the kink): the conventions are a line under it, whole and apart from the plots."""
    laptop.raise_panel("derivatives")
    panel = laptop.panels["derivatives"]
    area = on_screen(panel)
    assert any("f′ = 0 is used" in t and "central difference gives 0.5" in t
               for t in panel.notes())
    note = panel.kink_note.mapRectToScene(panel.kink_note.boundingRect())
    for plot in panel.plot_items():
        assert not note.intersects(plot.sceneBoundingRect()), plot.titleLabel.text
    # the canvas scrolls in its dock: whole inside the canvas, not cut at its edge
    assert area.adjusted(-1, -1, 1, 1).contains(note), (note, area)


def test_with_the_lessons_dock_open_nothing_is_cut(make_lab, make_view):
    """F2 at 1366×768: the window still fits the screen (wider, a real screen would cut it
    off at the right), the Experiment dock's settings fit its width (the dataset's
    description was cut off), and every panel, in a middle column ~430 px wide, draws its
    texts whole and apart (its plots a little smaller where they need more room)."""
    lab = make_lab(size=SIZES[0], start=False)
    window = lab.window
    window.show_tool("lessons")
    view = make_view("circles-tanh", steps=90, ghosts=2)
    for pid in window.panels:  # every panel built: each one's least width counts
        window.panels[pid].update_view(view)
    for view in (None, make_view("deep-sigmoid", steps=60), make_view("iris-softmax")):
        faults = {}
        for pid in window.panels:
            if view is not None:
                window.panels[pid].update_view(view)
            window.raise_panel(pid)
            panel = window.panels[pid]
            found = problems(panel.canvas.scene(), on_screen(panel),
                             data_kinds=("note", "legend"))
            # a legend that ignores the view's scale is drawn larger than the boxes say
            # (the Output's "test point (" ran into the colour bar): none may, drawn smaller
            if panel._view_scale() != 1:
                found += [f"legend {lg.items[0][1].text!r} not drawn to scale"
                          for lg in panel.canvas.scene().items()
                          if isinstance(lg, pg.LegendItem) and lg.isVisible() and lg.items
                          and lg.flags() & QGraphicsItem.GraphicsItemFlag
                          .ItemIgnoresTransformations]
            if found:
                faults[pid] = found
        assert faults == {}, view and view.experiment.dataset.name
        assert window.minimumSizeHint().width() <= SIZES[0][0]
        assert window.width() == SIZES[0][0]
    controls = window.docks["controls"].widget()
    assert controls.widget().minimumSizeHint().width() <= controls.viewport().width()
    output = window.panels["output"]
    assert output.canvas.width() < 500  # the narrow column this is about


def test_on_a_large_screen_no_note_lies_across_the_data_either(make_lab, make_view):
    """1920×1080: the depth notes kept apart from the 10⁻¹⁸ label, the healthy-ratio label
    off the layers' lines (both ran across them at this size)."""
    lab = make_lab(size=(1920, 1080), start=False)
    window = lab.window
    view = make_view("circles-tanh", steps=90)
    for pid in ("derivatives", "gradient_flow"):
        window.panels[pid].update_view(view)
        window.raise_panel(pid)
        panel = window.panels[pid]
        assert problems(panel.canvas.scene(), on_screen(panel),
                        data_kinds=("note", "legend")) == [], pid


def test_before_the_first_step_the_curves_say_so(make_lab, make_view):
    """No x axis from −400 to 400 "epoch (×0.001)": words, until there is an epoch."""
    lab = make_lab(size=SIZES[0], start=False)
    panel = lab.window.panels["training_curves"]
    panel.update_view(make_view("circles-tanh", steps=0))
    lab.window.raise_panel("training_curves")
    on_screen(panel)
    for plot in panel.plot_items():
        (x0, x1), _ = plot.vb.viewRange()
        axis = plot.getAxis("bottom")
        assert axis.style["showValues"] is False or (x0 >= -1 and x1 <= 10), (x0, x1)
    assert problems(panel.canvas.scene(), on_screen(panel)) == []


def test_on_a_1280_screen_the_lessons_dock_shares_the_experiments_column(make_lab, qtbot):
    """F2 on a 1280×720 projector: a column of its own would need ~1,362 px and push the window
    past the screen's edge, so the Lessons dock opens as a tab beside the Experiment controls
    (and in front of them); at 1366×768 it keeps its own column."""
    lab = make_lab(size=SIZES[1], start=False)
    window = lab.window
    window.show_tool("lessons")
    lessons, controls = window.tool_docks["lessons"], window.docks["controls"]
    qtbot.waitUntil(lessons.isVisible)
    QApplication.processEvents()
    assert lessons in window.tabifiedDockWidgets(controls)
    assert window.minimumSizeHint().width() <= SIZES[1][0]
    assert window.width() == SIZES[1][0]
    assert not lessons.visibleRegion().isEmpty()  # the tab in front: the lesson shows

    wide = make_lab(size=SIZES[0], start=False).window
    wide.show_tool("lessons")
    assert wide.tool_docks["lessons"] not in wide.tabifiedDockWidgets(wide.docks["controls"])
