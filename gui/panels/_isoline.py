"""The decision boundary as an iso-line, found with a vectorized marching-squares pass.

pyqtgraph's ``isocurve`` walks the grid cell by cell in Python (its docstring: "This function
is SLOW"): 3–4 ms for the 60×60 map on every frame, the single largest cost of the output
panel. This version computes every crossing with whole-array NumPy operations and gives the
same segments (same cells, same interpolation, same positions) as
``pyqtgraph.functions.isocurve(data, level, extendToEdge=True)``.
"""

from __future__ import annotations

import logging

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPainterPath

__all__ = ["FastIsocurve", "iso_segments"]

# the four sides of a cell, as pyqtgraph numbers them: 0 left (x = i), 1 bottom (y = j),
# 2 right (x = i + 1), 3 top (y = j + 1); a cell crossed on two sides joins them, a saddle
# (crossed on all four) joins 0–1 and 2–3, as pyqtgraph's side table does
_PAIRS = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))


def _extend(data: np.ndarray) -> np.ndarray:
    """Repeat the border values once around ``data`` (pyqtgraph's ``extendToEdge``)."""
    return np.pad(data, 1, mode="edge")


def iso_segments(data: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Segments of the ``level`` line of ``data`` (indexed [x, y]), as x and y arrays of
    start, end, start, end, … (for ``connect="pairs"``), in the data's index coordinates with
    sample k at k + 0.5 and the line reaching the edges of the data."""
    data = np.asarray(data, dtype=np.float64)
    if data.ndim != 2 or min(data.shape) < 1:
        return np.zeros(0), np.zeros(0)
    d = _extend(data)
    below = d < level
    with np.errstate(divide="ignore", invalid="ignore"):
        # crossings on the edges along y (between d[i, j] and d[i, j+1]) and along x
        fy = (level - d[:, :-1]) / (d[:, 1:] - d[:, :-1])
        fx = (level - d[:-1, :]) / (d[1:, :] - d[:-1, :])
    cy = below[:, :-1] != below[:, 1:]
    cx = below[:-1, :] != below[1:, :]
    nx, ny = d.shape[0] - 1, d.shape[1] - 1  # cells
    ii, jj = np.meshgrid(np.arange(nx, dtype=np.float64), np.arange(ny, dtype=np.float64),
                         indexing="ij")
    # per side of every cell: does the line cross it, and where
    cross = (cy[:-1, :], cx[:, :-1], cy[1:, :], cx[:, 1:])
    px = (ii, ii + fx[:, :-1], ii + 1.0, ii + fx[:, 1:])
    py = (jj + fy[:-1, :], jj, jj + fy[1:, :], jj + 1.0)
    count = cross[0].astype(np.int8) + cross[1] + cross[2] + cross[3]
    xs, ys = [], []
    for a, b in _PAIRS:
        if (a, b) in ((0, 1), (2, 3)):
            sel = (count == 4) | ((count == 2) & cross[a] & cross[b])
        else:
            sel = (count == 2) & cross[a] & cross[b]
        if sel.any():
            xs.append(np.column_stack([px[a][sel], px[b][sel]]).ravel())
            ys.append(np.column_stack([py[a][sel], py[b][sel]]).ravel())
    if not xs:
        return np.zeros(0), np.zeros(0)
    x = np.concatenate(xs) + 0.5 - 1.0  # cell corners are sample centres; undo the border
    y = np.concatenate(ys) + 0.5 - 1.0
    return np.clip(x, 0, data.shape[0]), np.clip(y, 0, data.shape[1])


class FastIsocurve(pg.IsocurveItem):
    """``pg.IsocurveItem`` with ``iso_segments`` in place of pyqtgraph's Python loop."""

    def generatePath(self):  # noqa: N802 (pyqtgraph's name)
        if self.data is None:
            self.path = None
            return
        data = self.data.T if self.axisOrder == "row-major" else self.data
        # This runs inside paint(), and nothing may escape from there: an exception raised
        # inside a paint() override can crash the next paint with a segfault (seen with
        # PySide6 6.12 and pyqtgraph 0.14).
        try:
            x, y = iso_segments(data, self.level)
            ok = np.isfinite(x) & np.isfinite(y)
            ok = ok[0::2] & ok[1::2]  # whole segments only
            x = x.reshape(-1, 2)[ok].ravel()
            y = y.reshape(-1, 2)[ok].ravel()
            self.path = pg.arrayToQPath(x, y, connect="pairs")
        except Exception:
            logging.getLogger("activation_lab").exception("drawing the boundary failed")
            self.path = QPainterPath()
