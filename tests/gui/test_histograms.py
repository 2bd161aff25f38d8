"""HistogramsPanel draws the snapshot's own histograms and the timeline's percentile bands."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gui.panels.histograms import (
    BANDS,
    CELL_MIN_HEIGHT,
    CELL_MIN_WIDTH,
    MAX_COLS,
    MEDIAN,
    SOURCES,
    HistogramsPanel,
)
from gui.theme import DARK, LIGHT, series_color


@pytest.fixture
def panel(qtbot):
    p = HistogramsPanel()
    qtbot.addWidget(p)
    return p


def _hist_data(cell):
    return np.asarray(cell.hist.xData), np.asarray(cell.hist.yData)


def _item_counts(panel):
    return [len(plot.items) for plot in panel.plot_items()]


@pytest.mark.parametrize("source", list(SOURCES))
def test_each_source_draws_that_histogram_of_every_layer(panel, make_view, source):
    view = make_view("circles-tanh")
    panel.update_view(view)
    panel.source_box.setCurrentIndex(list(SOURCES).index(source))
    assert panel.source == source
    field = SOURCES[source][1]
    assert len(panel.cells) == len(view.snapshot.layers)
    for layer, cell in zip(view.snapshot.layers, panel.cells):
        hist = getattr(layer, field)
        x, y = _hist_data(cell)
        np.testing.assert_array_equal(x, hist.edges)
        np.testing.assert_array_equal(y, hist.counts)
        assert cell.hist.opts["stepMode"] == "center" and cell.hist.opts["fillLevel"] == 0
        assert cell.hist.isVisible()


def test_axes_are_fixed_to_the_edges_and_the_y_range_only_grows(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    layer, cell = view.snapshot.layers[0], panel.cells[0]
    (x0, x1), (y0, y1) = cell.plot.getViewBox().viewRange()
    edges, counts = layer.z_hist.edges, layer.z_hist.counts
    width = edges[-1] - edges[0]
    assert x0 == pytest.approx(edges[0] - 0.02 * width, rel=1e-6, abs=1e-9)
    assert x1 == pytest.approx(edges[-1] + 0.02 * width, rel=1e-6, abs=1e-9)
    assert y0 == 0 and y1 >= counts.max()
    # a frame with smaller counts keeps the axis; bigger counts grow it
    smaller = dataclasses.replace(layer, z_hist=dataclasses.replace(
        layer.z_hist, counts=layer.z_hist.counts // 3))
    snap = dataclasses.replace(view.snapshot, layers=(smaller, *view.snapshot.layers[1:]))
    panel.update_view(dataclasses.replace(view, snapshot=snap))
    assert cell.plot.getViewBox().viewRange()[1][1] == pytest.approx(y1)
    bigger = dataclasses.replace(layer, z_hist=dataclasses.replace(
        layer.z_hist, counts=layer.z_hist.counts * 3))
    snap = dataclasses.replace(view.snapshot, layers=(bigger, *view.snapshot.layers[1:]))
    panel.update_view(dataclasses.replace(view, snapshot=snap))
    assert cell.plot.getViewBox().viewRange()[1][1] >= 3 * counts.max()


def test_titles_report_mean_std_saturation_and_dead_units(panel, make_view):
    view = make_view("dying-relu")
    panel.update_view(view)
    layers = view.snapshot.layers
    assert sum(layer.dead_units for layer in layers) > 0
    for layer, cell in zip(layers, panel.cells):
        title = cell.plot.titleLabel.text
        assert layer.name in title and layer.activation in title
        assert f"mean {layer.z_mean:.2f}, std {layer.z_std:.2f}" in title
        assert f"{100 * layer.frac_saturated:.0f}% saturated" in title
        assert f"{layer.dead_units}/{layer.units} dead" in title
        assert ("color:#C62828" in title) == (layer.dead_units > 0)  # red only when > 0
    assert "dead units:" in panel.note.text()
    panel.source_box.setCurrentIndex(1)
    layer = layers[0]
    assert f"mean {layer.a_mean:.2f}, std {layer.a_std:.2f}" in panel.cells[0].plot.titleLabel.text


def test_deep_sigmoid_gets_eleven_plots_in_four_columns(panel, make_view):
    panel.resize(4 * CELL_MIN_WIDTH + 60, 700)  # room for four columns
    panel.show()
    view = make_view("deep-sigmoid")
    panel.update_view(view)
    plots = panel.plot_items()
    assert len(plots) == len(view.snapshot.layers) == 11
    cells = [panel.canvas.ci.items[plot][0] for plot in plots]
    assert max(c for _, c in cells) == MAX_COLS - 1
    assert max(r for r, _ in cells) == 2  # 4 + 4 + 3
    # the axis labels only on the outer plots
    assert plots[0].getAxis("left").label.toPlainText().strip() == "count"
    assert not plots[1].getAxis("left").label.isVisible()
    assert plots[-1].getAxis("bottom").label.toPlainText().strip() == "z = W·x + b"
    assert not plots[0].getAxis("bottom").label.isVisible()


def test_same_layer_count_never_rebuilds_and_a_new_count_does(panel, make_view):
    view = make_view("circles-tanh", steps=30)
    panel.update_view(view)
    plots = panel.plot_items()
    hists = [cell.hist for cell in panel.cells]
    counts = _item_counts(panel)
    later = make_view("circles-tanh", steps=60)
    for frame in (later, view, later, view):
        panel.update_view(frame)
    assert panel.plot_items() == plots
    assert [cell.hist for cell in panel.cells] == hists
    assert _item_counts(panel) == counts
    panel.update_view(make_view("deep-sigmoid"))
    assert len(panel.plot_items()) == 11
    assert all(plot not in panel.plot_items() for plot in plots)


def test_distribution_view_draws_percentile_bands_from_the_timeline(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    panel.mode_box.setCurrentIndex(1)
    assert panel.mode == "distribution"
    tl = view.timeline
    assert len(tl) == 3
    for source, pct in (("z", tl.z_percentiles), ("a", tl.a_percentiles)):
        panel.source_box.setCurrentIndex(list(SOURCES).index(source))
        for i, cell in enumerate(panel.cells):
            assert not cell.hist.isVisible() and cell.median.isVisible()
            np.testing.assert_array_equal(cell.median.xData, tl.step)
            np.testing.assert_array_equal(cell.median.yData, pct[:, i, MEDIAN])
            for (lo_i, hi_i), lo, hi, fill in zip(BANDS, cell.lows, cell.highs, cell.fills):
                np.testing.assert_array_equal(lo.getData()[1], pct[:, i, lo_i])
                np.testing.assert_array_equal(hi.getData()[1], pct[:, i, hi_i])
                assert fill.isVisible() and not fill.path().isEmpty()
            alphas = [fill.brush().color().alpha() for fill in cell.fills]
            assert alphas == sorted(alphas)  # outer bands fainter
    # weights and gradients have no percentiles over time: not selectable here
    model = panel.source_box.model()
    assert not model.item(list(SOURCES).index("weights")).isEnabled()
    panel.mode_box.setCurrentIndex(0)
    assert model.item(list(SOURCES).index("weights")).isEnabled()
    assert panel.cells[0].hist.isVisible()


def test_non_finite_percentiles_are_skipped(panel, make_view):
    view = make_view("circles-tanh")
    tl = view.timeline
    bad = np.array(tl.z_percentiles, dtype=float)
    bad[1, 0, 3] = np.nan

    class Timeline:  # the two columns the bands read, with one NaN row
        step = tl.step
        z_percentiles = bad
        a_percentiles = tl.a_percentiles

        def __len__(self):
            return len(tl)

    panel.mode_box.setCurrentIndex(1)
    panel.update_view(dataclasses.replace(view, timeline=Timeline()))
    cell = panel.cells[0]
    np.testing.assert_array_equal(cell.median.xData, tl.step[[0, 2]])
    assert np.isfinite(cell.lows[3].getData()[1]).all()


def test_csv_tables_are_the_plotted_numbers(panel, make_view):
    view = make_view("dying-relu")
    panel.update_view(view)
    panel.source_box.setCurrentIndex(1)
    tables = panel.csv_tables()
    assert len(tables) == len(view.snapshot.layers)
    for table, layer in zip(tables, view.snapshot.layers):
        assert table.header == ("edge_left", "edge_right", "count")
        e, c = layer.a_hist.edges, layer.a_hist.counts
        np.testing.assert_array_equal(table.rows, np.column_stack([e[:-1], e[1:], c]))
        assert layer.name.replace(" ", "_") in table.name
    panel.mode_box.setCurrentIndex(1)
    tables = panel.csv_tables()
    tl = view.timeline
    for i, table in enumerate(tables):
        assert table.header[0] == "step" and len(table.header) == 10
        np.testing.assert_array_equal(table.rows[:, 0], tl.step)
        np.testing.assert_array_equal(table.rows[:, 1:], tl.a_percentiles[:, i, :])


def test_theme_switch_recolours_without_new_items(panel, make_view):
    view = make_view("dying-relu")
    panel.update_view(view)
    counts = _item_counts(panel)
    panel.apply_theme(DARK)
    cell = panel.cells[0]
    assert cell.hist.opts["pen"].color().name().upper() == series_color(DARK, 0).upper()
    assert "#FF6B6B" in panel.cells[0].plot.titleLabel.text  # dark theme's red
    assert _item_counts(panel) == counts
    panel.apply_theme(LIGHT)
    assert cell.hist.opts["pen"].color().name().upper() == series_color(LIGHT, 0).upper()


def test_view_state_round_trip(qtbot, panel, make_view):
    panel.update_view(make_view("circles-tanh"))
    panel.source_box.setCurrentIndex(1)
    panel.mode_box.setCurrentIndex(1)
    state = panel.view_state()
    assert state == {"source": "a", "mode": "distribution"}
    other = HistogramsPanel()
    qtbot.addWidget(other)
    other.restore_view_state(state)
    assert other.view_state() == state
    other.restore_view_state({"source": "nonsense", "mode": 3})
    assert other.view_state() == state


def test_three_layers_fit_side_by_side_in_a_laptop_panel(qtbot, make_view):
    """At 1366×768 the panel is about 570 px wide: the third plot must not be cut off (the
    titles' width used to add to each plot's y axis)."""
    from gui.panels.histograms import HistogramsPanel

    panel = HistogramsPanel()
    qtbot.addWidget(panel)
    panel.resize(580, 300)
    panel.show()
    qtbot.waitExposed(panel)
    panel.update_view(make_view(steps=300))
    assert len(panel.cells) == 3
    from PySide6.QtWidgets import QApplication

    QApplication.sendPostedEvents()  # the layout requests the titles' sizes made
    panel.canvas.ci.layout.activate()
    assert panel.canvas.ci.geometry().width() <= panel.canvas.width()
    right = max(c.plot.geometry().right() for c in panel.cells)
    assert right <= panel.canvas.width() + 0.5
    for c in panel.cells:  # three-line titles get their height: none runs into its plot
        label = c.plot.titleLabel
        text = label.mapRectToParent(label.itemRect())  # the text itself, in the plot
        assert text.bottom() <= c.plot.vb.geometry().top() + 0.5


def test_a_narrow_dock_gets_fewer_columns_and_a_scroll_bar(panel, make_view, qtbot):
    """Ten layers in a laptop's tab area: cells keep a readable size and the plots scroll;
    widening the dock flows them into more columns again, still drawn."""
    from PySide6.QtWidgets import QApplication

    panel.resize(590, 300)
    panel.show()
    qtbot.waitExposed(panel)
    view = make_view("deep-sigmoid")
    panel.update_view(view)
    QApplication.sendPostedEvents()

    def columns():
        return 1 + max(panel.canvas.ci.items[c.plot][0][1] for c in panel.cells)

    assert columns() == 3
    assert panel.canvas.height() >= 4 * CELL_MIN_HEIGHT > panel.scroll.viewport().height()
    assert panel.scroll.verticalScrollBar().maximum() > 0
    panel.resize(4 * CELL_MIN_WIDTH + 60, 800)
    qtbot.waitUntil(lambda: columns() == 4)
    assert all(c.plot.titleLabel.text.startswith("<b>") for c in panel.cells)
    assert len(panel.cells[0].hist.getData()[1]) > 0
