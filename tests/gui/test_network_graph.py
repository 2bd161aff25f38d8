"""NetworkGraphPanel: units and weights from the snapshot, one unit in detail on the side."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gui.panels.network_graph import NetworkGraphPanel
from gui.panels.network_graph_parts import EDGE_CAP
from gui.theme import DARK, LIGHT


@pytest.fixture
def panel(qtbot):
    p = NetworkGraphPanel()
    qtbot.addWidget(p)
    return p


def _drawn(panel):
    """(index, sign, x, y) of every edge bucket."""
    out = []
    for (sign, _), item in panel.edge_items.items():
        x, y = item.getData()
        out.append((panel.buckets[(sign, _)], sign, x, y))
    return out


def _scene_items(panel):
    return len(panel.canvas.scene().items())


def test_one_node_per_input_hidden_unit_and_output(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    n = view.dataset.n_inputs + sum(l.units for l in view.snapshot.layers)
    assert n == 2 + 8 + 8 + 1
    assert len(panel.nodes.points()) == n
    # inputs in column 0, the output in the last column
    x = panel.nodes.getData()[0]
    assert (x[:2] == 0).all() and x[-1] == len(view.snapshot.layers)


def test_every_edge_is_drawn_once_as_a_pair_of_points(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    total = 0
    for idx, _, x, y in _drawn(panel):
        assert len(x) == len(y) == 2 * len(idx)
        total += len(idx)
    assert total == 2 * 8 + 8 * 8 + 8 * 1
    assert len(panel.edge_items) == 8  # a few bucket items, not one item per edge
    # end points: from column l to column l + 1
    for idx, _, x, _ in _drawn(panel):
        layer, _, _ = panel.geometry.edges(idx)
        np.testing.assert_array_equal(x[0::2], layer)
        np.testing.assert_array_equal(x[1::2], layer + 1)


def test_edge_colour_follows_the_weight_sign(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    w = np.concatenate([l.weights.ravel() for l in view.snapshot.layers])
    np.testing.assert_array_equal(panel.weights, w)
    for (sign, level), item in panel.edge_items.items():
        idx = panel.buckets[(sign, level)]
        assert ((w[idx] >= 0) == sign).all()
        colour = item.opts["pen"].color().name()
        assert colour == (LIGHT.positive if sign else LIGHT.negative).lower()
    # thicker buckets hold the larger weights (relative to the layer's largest)
    widths = [panel.edge_items[(True, lv)].opts["pen"].widthF() for lv in range(4)]
    assert widths == sorted(widths)


def test_edge_end_points_join_the_right_units(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    g = panel.geometry
    W = view.snapshot.layers[1].weights  # hidden 1 → hidden 2, (8, 8)
    i, j = 3, 5
    k = g.edge_starts[1] + i * W.shape[1] + j
    for idx, _, x, y in _drawn(panel):
        hit = np.flatnonzero(idx == k)
        if hit.size:
            a = g.starts[1] + i
            b = g.starts[2] + j
            assert (x[2 * hit[0]], y[2 * hit[0]]) == (g.node_x[a], g.node_y[a])
            assert (x[2 * hit[0] + 1], y[2 * hit[0] + 1]) == (g.node_x[b], g.node_y[b])
            break
    else:
        pytest.fail("edge not drawn")


def test_big_layers_draw_only_their_strongest_weights_and_say_so(panel, make_view):
    view = make_view("digits-relu", steps=6)
    panel.update_view(view)
    g = panel.geometry
    drawn = np.sort(np.concatenate(list(panel.buckets.values())))
    for sl in g.edge_slices:
        mine = drawn[(drawn >= sl.start) & (drawn < sl.stop)]
        a = np.abs(panel.weights[sl])
        assert len(mine) == min(EDGE_CAP, a.size)
        if a.size > EDGE_CAP:
            assert np.abs(panel.weights[mine]).min() >= np.sort(a)[-EDGE_CAP]
    assert f"only the {EDGE_CAP} strongest of 4096" in panel.caption.text()


def test_nodes_are_coloured_by_mean_activation(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    brushes = [p.brush().color().name() for p in panel.nodes.points()]
    means = np.concatenate([l.unit_mean_activation for l in view.snapshot.layers])
    hidden = brushes[2:]
    order = np.argsort(means)
    # the most negative mean is bluest, the most positive the most orange
    assert hidden[order[0]] != hidden[order[-1]]
    assert brushes[0] == LIGHT.shade.lower()  # inputs have no activation
    assert panel.bar.levels() == (-panel.scale, panel.scale)
    assert panel.scale >= np.abs(means).max()


def test_hover_text_names_layer_unit_activation_mean_and_bias(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    g = panel.geometry
    i = g.starts[2] + 4  # hidden 2, unit 5
    assert panel.node_at(g.node_x[i], g.node_y[i]) == i
    layer = view.snapshot.layers[1]
    text = panel.node_text(i)
    assert "hidden 2, unit 5" in text and "tanh" in text
    assert f"{layer.unit_mean_activation[4]:.3g}" in text and f"{layer.bias[4]:.3g}" in text
    assert "input 1 (x1)" == panel.node_text(0)


def test_selecting_a_unit_fills_the_side_plots(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    panel.select_node(0, 3)
    layer = view.snapshot.layers[0]
    edges, counts = panel.detail.hist.getData()
    np.testing.assert_array_equal(edges, layer.a_hist.edges)
    expected = np.histogram(np.clip(layer.a_sample[:, 3], edges[0], edges[-1]), bins=edges)[0]
    np.testing.assert_array_equal(counts, expected)
    assert counts.sum() == layer.a_sample.shape[0]
    np.testing.assert_array_equal(panel.detail.image.image,
                                  view.snapshot.grid.unit_grids[0][:, :, 3])
    assert panel.detail.image.isVisible() and not panel.detail.map_note.isVisible()
    assert len(panel.ring.points()) == 1
    names = [t.name for t in panel.csv_tables()]
    assert "unit_histogram" in names and "unit_map" in names


def test_a_unit_map_without_a_grid_asks_the_callback(panel, make_view):
    view = make_view("circles-tanh")
    no_grid = dataclasses.replace(view, snapshot=dataclasses.replace(view.snapshot, grid=None))
    panel.update_view(no_grid)
    panel.select_node(1, 2)
    assert panel.detail.map_note.isVisible()
    assert "2-D data" in panel.detail.map_note.toPlainText()
    asked = []
    panel.request_unit_grid = lambda l, u: asked.append((l, u)) or np.full((8, 8), 0.25)
    panel.update_view(no_grid)
    assert asked == [(1, 2)]
    np.testing.assert_array_equal(panel.detail.image.image, np.full((8, 8), 0.25))
    assert not panel.detail.map_note.isVisible()


def test_non_2d_data_says_the_map_needs_2d(panel, make_view):
    view = make_view("seven-segment")
    panel.update_view(view)
    panel.select_node(1, 2)  # output c
    assert "2-D data" in panel.detail.map_note.toPlainText()
    assert "output c" in panel.detail.hist_plot.titleLabel.text


def test_architecture_change_rebuilds_and_same_architecture_does_not(panel, make_view):
    circles, deep = make_view("circles-tanh"), make_view("deep-sigmoid")
    panel.update_view(circles)
    assert panel.rebuilds == 1
    n = _scene_items(panel)
    panel.update_view(circles)
    assert panel.rebuilds == 1 and _scene_items(panel) == n
    panel.update_view(deep)
    assert panel.rebuilds == 2
    assert len(panel.nodes.points()) == 2 + 10 * 16 + 1
    n_deep = _scene_items(panel)
    panel.update_view(deep)
    assert panel.rebuilds == 2 and _scene_items(panel) == n_deep


def test_csv_tables_are_the_drawn_edges_and_the_units(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    tables = {t.name: t for t in panel.csv_tables()}
    edges, nodes = tables["edges"], tables["nodes"]
    assert edges.header == ("layer", "from unit", "to unit", "weight")
    assert len(edges.rows) == 88
    W = view.snapshot.layers[0].weights
    first = edges.rows[0]
    assert first[0] == "hidden 1" and first[3] == W[first[1] - 1, first[2] - 1]
    assert nodes.header == ("layer", "unit", "mean activation", "bias")
    assert len(nodes.rows) == 8 + 8 + 1
    out = nodes.rows[-1]
    assert out[0] == "output" and out[3] == view.snapshot.layers[-1].bias[0]


def test_theme_switch_recolours_edges(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    panel.apply_theme(DARK)
    assert panel.edge_items[(True, 3)].opts["pen"].color().name() == DARK.positive.lower()
    assert panel.edge_items[(False, 0)].opts["pen"].color().name() == DARK.negative.lower()
    assert panel.detail.hist_plot.getAxis("left").textPen().color().name() == (
        DARK.foreground.lower())


def test_view_state_round_trips(panel, qtbot, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    panel.select_node(1, 6)
    state = panel.view_state()
    assert state == {"selected": [1, 6]}
    other = NetworkGraphPanel()
    qtbot.addWidget(other)
    other.restore_view_state(state)
    other.update_view(view)
    assert other.selected == (1, 6)
    other.restore_view_state({"selected": "no"})
    assert other.selected == (1, 6)
    other.select_node(7, 0)  # no such layer: deselects
    assert other.selected is None and other.view_state() == {"selected": None}


def test_moving_the_mouse_over_a_unit_shows_its_read_out(panel, qtbot, make_view):
    from PySide6.QtCore import QPointF

    view = make_view("circles-tanh")
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    panel.update_view(view)
    g = panel.geometry
    i = g.starts[1] + 2  # hidden 1, unit 3
    pos = panel.graph.vb.mapViewToScene(QPointF(g.node_x[i], g.node_y[i]))
    panel.canvas.scene().sigMouseMoved.emit(pos)
    qtbot.waitUntil(lambda: "hidden 1, unit 3" in panel.readout.text, timeout=2000)


def test_zero_weights_are_not_drawn_and_the_caption_says_so(panel, make_view):
    view = make_view("zero-init", steps=3)
    panel.update_view(view)
    w = panel.weights
    zeros = int((w == 0).sum())
    assert zeros > 0
    drawn = np.concatenate(list(panel.buckets.values()))
    assert (w[drawn] != 0).all() and len(drawn) == w.size - zeros
    assert f"{zeros} of {w.size} weights are exactly 0" in panel.caption.text()


def test_selecting_after_a_frame_stored_while_hidden(make_view, qtbot):
    """The window stores frames in hidden panels without drawing them; selecting a node
    then (e.g. restoring a saved selection) must draw that frame's network, not crash."""
    from gui.panels.network_graph import NetworkGraphPanel

    panel = NetworkGraphPanel()
    qtbot.addWidget(panel)
    panel.update_view(make_view("circles-tanh", steps=3))
    panel.view = make_view("deep-sigmoid", steps=3)  # stored, not drawn
    panel.select_node(0, 3)
    assert panel.geometry.node_x.size == 2 + 16 * 10 + 1
    assert panel.selected == (0, 3)


def test_exporting_a_hidden_panel_draws_the_frame_it_holds_first(panel, make_view, tmp_path):
    """A hidden panel keeps frames without drawing them; an export must not mix the kept
    frame (here: another network) with what was drawn before (found by the monkey test)."""
    from core.experiment import LayerConfig
    from gui import export

    panel.update_view(make_view("circles-tanh"))  # 2-8-8-1
    other = make_view("circles-tanh", network={"hidden": (LayerConfig(3, "relu"),)})
    panel.keep_for_later(other)  # 2-3-1, not drawn yet
    written = export.write_csv(panel, tmp_path / "graph.csv")
    text = written[0].read_text()
    assert tuple(panel.geometry.sizes) == (2, 3, 1)
    assert text.count("\n") == 1 + 2 * 3 + 3 * 1  # header + one row per edge of 2-3-1


def test_the_empty_detail_is_a_plain_frame_until_a_unit_is_picked(panel, make_view):
    panel.update_view(make_view())
    hist_plot = panel.detail.hist_plot
    assert panel.selected is None and not panel.detail.hist.isVisible()
    assert [list(r) for r in hist_plot.vb.viewRange()] == [[0, 1], [0, 1]]
    assert hist_plot.getAxis("left").labelUnitPrefix == ""  # counts get no "(x0.001)"
    panel.select_node(0, 0)
    assert panel.detail.hist.isVisible()
    hist_plot.vb.updateAutoRange()
    assert hist_plot.vb.viewRange()[1][1] >= panel.detail.counts.max() > 1


def test_circles_do_not_overlap_in_a_short_dock(panel, make_view, qtbot):
    """Sixteen units in a laptop's tab area: each circle gets at most its share of the
    column's height; a tall dock gets the full size back."""
    from PySide6.QtWidgets import QApplication

    panel.resize(590, 300)
    panel.show()
    qtbot.waitExposed(panel)
    panel.update_view(make_view("deep-sigmoid"))
    QApplication.sendPostedEvents()
    height = panel.graph.vb.height()
    assert 5 <= panel.node_size and 16 * panel.node_size <= height
    panel.resize(900, 1000)
    qtbot.waitUntil(lambda: panel.node_size == 18)
