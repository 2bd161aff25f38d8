"""The vectorized decision-boundary line gives exactly pyqtgraph's marching-squares segments."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gui.panels._isoline import FastIsocurve, iso_segments


def _segments_pg(data, level):
    ref = pg.functions.isocurve(data, level, connected=False, extendToEdge=True)
    segs = np.asarray(ref, dtype=float).reshape(-1, 2, 2)
    return sorted(tuple(sorted(map(tuple, np.round(s, 9)))) for s in segs)


def _segments_ours(data, level):
    x, y = iso_segments(data, level)
    pts = np.round(np.column_stack([x, y]), 9).reshape(-1, 2, 2)
    return sorted(tuple(sorted(map(tuple, s))) for s in pts)


grids = arrays(np.float64, st.tuples(st.integers(1, 9), st.integers(1, 9)),
               elements=st.sampled_from([-2.0, -1.0, -0.25, 0.0, 0.5, 1.0, 3.0]))


@given(grids, st.sampled_from([-0.5, 0.0, 0.5, 1.0]))
def test_same_segments_as_pyqtgraph(data, level):
    assert _segments_ours(data, level) == _segments_pg(data, level)


@given(arrays(np.float64, st.tuples(st.integers(2, 20), st.integers(2, 20)),
              elements=st.floats(-1e6, 1e6)))
def test_segments_stay_inside_the_grid(data):
    x, y = iso_segments(data, 0.0)
    assert len(x) == len(y) and len(x) % 2 == 0
    assert np.isfinite(x).all() and np.isfinite(y).all()
    assert (x >= 0).all() and (x <= data.shape[0]).all()
    assert (y >= 0).all() and (y <= data.shape[1]).all()


def test_a_straight_boundary_is_one_straight_line():
    # f(x, y) = x - 4.5 over a 10×6 grid: the 0-line is x = 4.5 + 0.5 (sample centres)
    data = np.arange(10, dtype=float)[:, None] - 4.5 + np.zeros((1, 6))
    x, y = iso_segments(data, 0.0)
    np.testing.assert_allclose(x, 5.0)
    assert y.min() == 0.0 and y.max() == 6.0


def test_item_draws_a_path(qtbot):
    item = FastIsocurve(level=0.0, axisOrder="row-major")
    item.setData(np.linspace(-1, 1, 25).reshape(5, 5), 0.0)
    item.generatePath()
    assert item.path.elementCount() > 0
