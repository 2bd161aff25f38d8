"""OutputPanel draws what the snapshot says the network outputs, in the mode the data set needs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gui.panels.output import OutputPanel
from gui.panels.output_map import target_pair
from gui.theme import DARK, LIGHT


@pytest.fixture
def panel(qtbot):
    p = OutputPanel()
    qtbot.addWidget(p)
    return p


def _scene_items(panel):
    return len(panel.canvas.scene().items())


def _rect(item):
    r = item.mapRectToParent(item.boundingRect())
    return r.left(), r.right(), r.top(), r.bottom()


def test_circles_map_shows_the_grid_values_over_the_extent(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    assert panel.mode == "map"
    m, g = panel.active, view.snapshot.grid
    np.testing.assert_array_equal(m.image.image, g.values[:, :, 0])
    # pixel centres sit on the grid points, so the image covers the extent plus half a cell
    (x0, x1), (y0, y1) = g.extent
    dx, dy = g.xs[1] - g.xs[0], g.ys[1] - g.ys[0]
    assert _rect(m.image) == pytest.approx((x0 - dx / 2, x1 + dx / 2, y0 - dy / 2, y1 + dy / 2))
    assert g.xs[0] == x0 and g.xs[-1] == x1 and g.ys[0] == y0 and g.ys[-1] == y1
    lo, hi = target_pair(view.snapshot, view.dataset)
    assert tuple(m.image.levels) == (lo, hi)
    assert m.iso.isVisible() and m.iso.level == pytest.approx(0.5 * (lo + hi))
    assert m.bar.isVisible() and m.bar.levels() == (lo, hi)


def test_train_points_are_filled_and_test_points_hollow(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    m, ds = panel.active, view.dataset
    train, test = m.train.points(), m.test.points()
    assert len(train) == ds.n_train and len(test) == ds.n_test
    assert all(p.brush().style() == Qt.BrushStyle.NoBrush for p in test)
    assert all(p.brush().style() == Qt.BrushStyle.SolidPattern for p in train)
    np.testing.assert_array_equal(m.train.getData()[0], ds.raw_train[:, 0])
    np.testing.assert_array_equal(m.test.getData()[1], ds.raw_test[:, 1])
    # coloured by class: the positive class gets the theme's positive colour
    positive = ds.y_train[:, 0] > 0.5
    colours = np.array([p.brush().color().name() for p in train])
    assert set(colours[positive]) == {LIGHT.positive.lower()}
    assert set(colours[~positive]) == {LIGHT.negative.lower()}
    panel.show_test.setChecked(False)
    assert not m.test.isVisible() and m.train.isVisible()


def test_discretize_turns_the_map_into_two_levels(panel, make_view):
    view = make_view("circles-tanh", steps=150)
    panel.update_view(view)
    assert len(np.unique(panel.active.image.image)) > 2
    panel.discretize.setChecked(True)
    img = panel.active.image.image
    lo, hi = target_pair(view.snapshot, view.dataset)
    assert set(np.unique(img)) == {lo, hi}
    expected = np.where(view.snapshot.grid.values[:, :, 0] > 0.5 * (lo + hi), hi, lo)
    np.testing.assert_array_equal(img, expected)
    panel.discretize.setChecked(False)
    np.testing.assert_array_equal(panel.active.image.image, view.snapshot.grid.values[:, :, 0])


def test_hover_reads_the_output_at_the_nearest_grid_point(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    g = view.snapshot.grid
    text = panel.active.hover_at(g.xs[10] + 0.01, g.ys[20] - 0.01)
    assert f"({g.xs[10]:.2f}, {g.ys[20]:.2f})" in text
    assert f"{g.values[20, 10, 0]:.3f}" in text
    assert panel.active.hover_at(100.0, 0.0) == ""


def test_map_csv_is_the_grid_and_the_points(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    tables = {t.name: t for t in panel.csv_tables()}
    g, ds = view.snapshot.grid, view.dataset
    grid = tables["output_map"]
    assert grid.header == ("x", "y", "output")
    gx, gy = np.meshgrid(g.xs, g.ys)
    np.testing.assert_array_equal(grid.rows[:, 0], gx.ravel())
    np.testing.assert_array_equal(grid.rows[:, 1], gy.ravel())
    np.testing.assert_array_equal(grid.rows[:, 2], g.values[:, :, 0].ravel())
    np.testing.assert_array_equal(tables["train_points"].rows[:, :2], ds.raw_train)
    np.testing.assert_array_equal(tables["test_points"].rows[:, 2], ds.y_test[:, 0])


def test_sine_regression_draws_the_snapshot_curve_over_the_data(panel, make_view):
    view = make_view("sine-regression")
    panel.update_view(view)
    assert panel.mode == "curve"
    c, snap, ds = panel.active, view.snapshot, view.dataset
    x, y = c.curve.getData()
    np.testing.assert_array_equal(x, snap.curve_x)
    np.testing.assert_array_equal(y, snap.curve_y[:, 0])
    np.testing.assert_array_equal(c.train.getData()[1], ds.y_train[:, 0])
    assert all(p.brush().style() == Qt.BrushStyle.NoBrush for p in c.test.points())
    assert not panel.discretize.isVisibleTo(panel)
    tables = {t.name: t for t in panel.csv_tables()}
    np.testing.assert_array_equal(tables["fitted_curve"].rows[:, 1], snap.curve_y[:, 0])
    panel.show_test.setChecked(False)
    assert not c.test.isVisible()


def test_seven_segment_digits_glow_with_the_outputs(panel, make_view):
    view = make_view("seven-segment", steps=300)
    panel.update_view(view)
    assert panel.mode == "segments"
    s, snap, ds = panel.active, view.snapshot, view.dataset
    assert len(s.digits) == 10 and all(len(d) == 7 for d in s.digits)
    neg, pos = target_pair(snap, ds)
    assert (neg, pos) == (-1.0, 1.0)
    # the whole table is the test set, in digit order
    pred = np.asarray(snap.predictions_test)
    np.testing.assert_allclose(s.brightness, np.clip((pred - neg) / (pos - neg), 0, 1))
    lit = pred > 0
    right = [bool((lit[d] == (ds.y_test[d] > 0)).all()) for d in range(10)]
    assert s.correct == right
    assert snap.train_metric == pytest.approx(np.mean(right))
    # brighter output → brighter (more "on"-coloured) segment brush
    b = s.brightness.ravel()
    lo, hi = np.unravel_index(b.argmin(), (10, 7)), np.unravel_index(b.argmax(), (10, 7))
    dim = s.digits[lo[0]][lo[1]].brush().color()
    bright = s.digits[hi[0]][hi[1]].brush().color()
    on = LIGHT.positive
    assert bright.name() != dim.name()
    from PySide6.QtGui import QColor

    def dist(c):
        q = QColor(on)
        return abs(c.red() - q.red()) + abs(c.green() - q.green()) + abs(c.blue() - q.blue())
    assert dist(bright) < dist(dim)
    assert ("✓" in s.labels[0].toPlainText()) == right[0]
    table = panel.csv_tables()[0]
    assert table.header == ("digit", *"abcdefg")
    np.testing.assert_array_equal(table.rows[:, 1:], pred)


def test_iris_confusion_matrix_counts_the_test_set(panel, make_view):
    view = make_view("iris-softmax", steps=60)
    panel.update_view(view)
    assert panel.mode == "confusion"
    c, snap, ds = panel.active, view.snapshot, view.dataset
    np.testing.assert_array_equal(c.counts, snap.confusion)
    assert c.counts.sum() == ds.n_test
    k = len(ds.class_names)
    assert len(c.texts) == k * k
    assert [t.toPlainText() for t in c.texts] == [str(v) for v in snap.confusion.ravel()]
    assert c.plot.getAxis("bottom").labelText == "predicted class"
    assert c.plot.getAxis("left").labelText == "true class"
    assert f"{100 * snap.test_metric:.1f} %" in c.plot.titleLabel.text
    table = panel.csv_tables()[0]
    assert table.header == ("true class", *(f"predicted {n}" for n in ds.class_names))
    assert list(table.rows[:, 0]) == list(ds.class_names)
    np.testing.assert_array_equal(table.rows[:, 1:].astype(int), snap.confusion)


def test_other_data_sets_plot_output_against_target(panel, make_view):
    view = make_view("xor-2-4-1-tanh", dataset={"name": "parity", "options": {"bits": 3}})
    panel.update_view(view)
    assert panel.mode == "predictions"
    data = panel.active.data
    np.testing.assert_array_equal(data[:, 1], view.dataset.y_test.ravel())
    np.testing.assert_array_equal(data[:, 2], np.asarray(view.snapshot.predictions_test).ravel())


def test_frames_and_mode_switches_do_not_add_items(panel, make_view):
    circles, iris = make_view("circles-tanh"), make_view("iris-softmax")
    panel.update_view(circles)
    before = _scene_items(panel)
    for _ in range(5):
        panel.update_view(circles)
    assert _scene_items(panel) == before
    panel.update_view(iris)
    n_iris = _scene_items(panel)
    panel.update_view(iris)
    assert _scene_items(panel) == n_iris
    panel.update_view(circles)
    assert _scene_items(panel) == before
    assert panel.mode == "map"


def test_theme_switch_recolours_points_and_map(panel, make_view):
    view = make_view("circles-tanh")
    panel.update_view(view)
    panel.apply_theme(DARK)
    m = panel.active
    positive = view.dataset.y_train[:, 0] > 0.5
    colour = m.train.points()[int(np.argmax(positive))].brush().color().name()
    assert colour == DARK.positive.lower()
    assert m.plot.getAxis("left").textPen().color().name() == DARK.foreground.lower()
    mid = m.image.lut[128]
    from PySide6.QtGui import QColor
    bg = QColor(DARK.background)
    assert abs(int(mid[0]) - bg.red()) < 8 and abs(int(mid[2]) - bg.blue()) < 8
    panel.apply_theme(LIGHT)
    assert m.train.points()[int(np.argmax(positive))].brush().color().name() == (
        LIGHT.positive.lower())


def test_view_state_round_trips(panel, qtbot, make_view):
    panel.discretize.setChecked(True)
    panel.show_test.setChecked(False)
    state = panel.view_state()
    assert state == {"discretize": True, "show_test": False}
    other = OutputPanel()
    qtbot.addWidget(other)
    other.restore_view_state(state)
    assert other.view_state() == state
    other.restore_view_state({"discretize": "yes", "show_test": None})  # ignored
    assert other.view_state() == state


def test_non_finite_outputs_never_reach_the_image(panel, make_view):
    view = make_view("circles-tanh")
    g = view.snapshot.grid
    bad = np.array(g.values)
    bad[0, :5, 0] = np.nan
    bad[1, :5, 0] = np.inf
    snap = dataclasses.replace(view.snapshot, grid=dataclasses.replace(g, values=bad))
    panel.update_view(dataclasses.replace(view, snapshot=snap))
    assert np.isfinite(panel.active.image.image).all()


def test_moving_the_mouse_over_the_map_reads_the_output(panel, qtbot, make_view):
    from PySide6.QtCore import QPointF

    view = make_view("circles-tanh")
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    panel.update_view(view)
    m = panel.active
    pos = m.plot.vb.mapViewToScene(QPointF(1.0, -2.0))
    panel.canvas.scene().sigMouseMoved.emit(pos)
    qtbot.waitUntil(lambda: m.hover.isVisible() and "→ output" in m.hover.toPlainText(),
                    timeout=2000)


def test_multiclass_maps_colour_each_point_of_the_plane_by_its_argmax(panel, make_view):
    from PySide6.QtGui import QColor

    from gui.theme import series_color

    view = make_view("circles-tanh")
    g = view.snapshot.grid
    res = g.values.shape[0]
    gx, gy = np.meshgrid(g.xs, g.ys)
    logits = np.stack([gx, gy, -gx - gy], axis=2)
    p = np.exp(logits) / np.exp(logits).sum(axis=2, keepdims=True)
    snap = dataclasses.replace(view.snapshot, task="multiclass",
                               grid=dataclasses.replace(g, values=p))
    ds = dataclasses.replace(view.dataset, task="multiclass", class_names=("a", "b", "c"))
    panel.update_view(dataclasses.replace(view, snapshot=snap, dataset=ds))
    assert panel.mode == "map"
    m = panel.active
    panel.discretize.setChecked(True)
    rgb = m.image.image
    assert rgb.shape == (res, res, 3)
    cls = p.argmax(axis=2)
    bg = np.array(QColor(LIGHT.background).getRgbF()[:3])
    for c in range(3):
        colour = np.array(QColor(series_color(LIGHT, c)).getRgbF()[:3])
        expected = ((bg + (colour - bg) * 0.65) * 255).astype(np.uint8)
        np.testing.assert_array_equal(np.unique(rgb[cls == c], axis=0), expected[None])
    assert not m.bar.isVisible() and not m.iso.isVisible()
    heads = panel.csv_tables()[0].header
    assert heads == ("x", "y", "p(a)", "p(b)", "p(c)")


def test_confusion_cells_fill_their_squares(make_view, qtbot):
    """Each count is drawn in its own cell: an empty cell is pale, a full one is dark."""
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QImage

    from gui.panels.output import OutputPanel

    panel = OutputPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    view = make_view("iris-softmax", steps=60)
    panel.update_view(view)  # the first frame builds the matrix: the case that went wrong
    image = next(it for it in panel.canvas.scene().items() if isinstance(it, pg.ImageItem)
                 and it.isVisible() and it.image is not None and it.image.shape == (3, 3))
    vb = image.getViewBox()
    grab = panel.canvas.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    counts = np.asarray(view.snapshot.confusion)
    for r in range(3):
        for c in range(3):
            # the image is drawn row-major: rows of the matrix along y, columns along x
            pos = panel.canvas.mapFromScene(vb.mapViewToScene(QPointF(c, r)))
            pixel = grab.pixelColor(pos.x(), pos.y())
            share = counts[r, c] / max(counts[r].sum(), 1)
            if share == 0:
                assert pixel.lightness() > 200, (r, c, pixel.name())
            elif share > 0.8:
                assert pixel.lightness() < 160, (r, c, pixel.name())


def test_the_colour_bar_fits_a_laptop_dock(qtbot, make_view):
    """At 1366×768 the Output dock is about 580 px wide: the map's title must not push the
    colour bar and its label off the right edge."""
    from PySide6.QtWidgets import QApplication

    panel = OutputPanel()
    qtbot.addWidget(panel)
    panel.resize(580, 300)
    panel.show()
    panel.update_view(make_view(steps=300))
    QApplication.sendPostedEvents()
    panel.canvas.ci.layout.activate()
    bar = panel.active.bar
    assert bar.isVisible() and bar.geometry().right() <= panel.canvas.width() + 0.5
