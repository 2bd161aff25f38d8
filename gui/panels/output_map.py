"""Output panel modes for inputs on a plane or a line: the decision map, the fitted curve and the
prediction-versus-target fallback. Each mode owns its plot items and draws one frame at a time.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor

from core import losses
from core.datasets.pipeline import labels

from ..theme import Theme, series_color, style_plot
from ._axis import axis_items
from ._isoline import FastIsocurve
from .base import CsvTable, set_title, title_over_axes

__all__ = ["CurveView", "MapView", "PredictionView", "diverging_map", "metric_text", "mix",
           "style_bar", "target_pair"]


def mix(a: str | QColor, b: str | QColor, t: float) -> QColor:
    """The colour a fraction ``t`` of the way from ``a`` to ``b``."""
    ca, cb = QColor(a), QColor(b)
    return QColor.fromRgbF(*(x + (y - x) * t for x, y in zip(ca.getRgbF()[:3], cb.getRgbF()[:3])))


def diverging_map(theme: Theme, strength: float = 1.0) -> pg.ColorMap:
    """negative colour → background → positive colour; ``strength`` < 1 pales the ends."""
    bg = theme.background
    ends = [mix(bg, theme.negative, strength), QColor(bg), mix(bg, theme.positive, strength)]
    return pg.ColorMap([0.0, 0.5, 1.0], ends)


def target_pair(snapshot, dataset) -> tuple[float, float]:
    """(negative, positive) targets the output is trained towards (a ±1 loss recodes 0/1)."""
    try:
        pm1 = losses.get(snapshot.loss_name).targets == "pm1"
    except (KeyError, ValueError):
        pm1 = False
    return (-1.0, 1.0) if pm1 else (float(dataset.negative), float(dataset.positive))


def style_bar(bar: pg.ColorBarItem, theme: Theme) -> None:
    bar.axis.setPen(pg.mkPen(theme.foreground))
    bar.axis.setTextPen(pg.mkPen(theme.foreground))
    bar.axis.label.setDefaultTextColor(QColor(theme.foreground))


def metric_text(snap) -> str:
    """'test accuracy 95.2 %' or 'test R² 0.93'."""
    v = snap.test_metric
    if snap.metric_name == "accuracy":
        return f"test accuracy {100 * v:.1f} %"
    return f"test {snap.metric_name} {v:.3g}"


def value_range(dataset) -> tuple[float, float]:
    """Smallest and largest regression target (train and test), for colour levels."""
    y = np.concatenate([dataset.y_train[:, 0], dataset.y_test[:, 0]])
    y = y[np.isfinite(y)]
    lo, hi = (float(y.min()), float(y.max())) if y.size else (0.0, 1.0)
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def finite(a: np.ndarray, fill: float = 0.0) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a if np.isfinite(a).all() else np.where(np.isfinite(a), a, fill)


class MapView:
    """Heatmap of the network's output over the input plane, with the data on top."""

    def __init__(self) -> None:
        self.plot = pg.PlotItem(axisItems=axis_items())
        title_over_axes(self.plot)  # a laptop's Output dock: the colour bar must still fit
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.iso = FastIsocurve(level=0.5, axisOrder="row-major")
        self.iso.setParentItem(self.image)
        self.train = pg.ScatterPlotItem(size=7, pxMode=True)
        self.test = pg.ScatterPlotItem(size=8, pxMode=True, brush=None)
        for item in (self.train, self.test):
            self.plot.addItem(item)
        # beside the map, not on it: inside, it covered a corner's data points; the map is
        # square and a dock is wider than tall, so the room beside it is free
        self.legend_room = pg.GraphicsWidget()  # a column as wide as the legend
        self.legend = pg.LegendItem(labelTextSize="9pt")
        self.legend.setParentItem(self.plot)  # in the room right of the plot
        self.legend.anchor(itemPos=(0, 0), parentPos=(1, 0), offset=(4, 34))
        self.plot.vb.sigResized.connect(self.fit_width)
        self.bar = pg.ColorBarItem(values=(0, 1), width=16, interactive=False,
                                   colorMapMenu=False)
        self.hover = pg.TextItem(anchor=(0, 1))
        self.hover.setZValue(10)
        self.hover.setVisible(False)
        self.plot.addItem(self.hover, ignoreBounds=True)
        self._points_key = None
        self._two_lines = False  # the title's metric on a line of its own
        self._title_color = "#000000"
        self._levels = (0.0, 1.0)
        self.values = np.zeros((2, 2))  # the array the image shows
        self.snapshot = self.dataset = None

    def layout_items(self):
        return [(self.plot, 0, 0), (self.legend_room, 0, 1), (self.bar, 0, 2)]

    def fit_width(self, *_) -> None:
        """As wide as the map at the plot's height, no wider: the map's aspect is locked, so
        a wider plot only showed empty axes beside it (x from −13 to 13 around data from −6
        to 6 in a laptop's dock). The room left over goes to the legend's column."""
        snap = self.snapshot
        if snap is None or snap.grid is None:
            return
        (x0, x1), (y0, y1) = snap.grid.extent
        vb = self.plot.vb
        h = vb.height()
        if h <= 0 or y1 <= y0:
            return
        want = h * (x1 - x0) / (y1 - y0) + 2
        left = vb.mapRectToItem(self.plot, vb.boundingRect()).left()  # the y axis's room
        title = self.plot.titleLabel
        one_line = title.itemRect().width() * (2.0 if self._two_lines else 1.0)
        two = one_line > want + left + 6  # rough for two lines: their width is about half
        if two != self._two_lines:
            self._two_lines = two
            text = title.text.replace("<br>", " — ") if not two else \
                title.text.replace(" — ", "<br>", 1)
            set_title(self.plot, text, color=self._title_color)
        least = self.plot.layout.effectiveSizeHint(Qt.SizeHint.MinimumSize).width()
        limit = max(want + left + 6, least, 120.0)  # the title may need more
        if abs(self.plot.maximumWidth() - limit) > 1:
            self.plot.setMaximumWidth(limit)

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self.plot, theme)
        self.plot.showGrid(x=False, y=False)  # grid lines would hide the map's shading
        style_bar(self.bar, theme)
        self.iso.setPen(pg.mkPen(theme.foreground, width=2))
        self.hover.setColor(theme.foreground)
        self.hover.fill = pg.mkBrush(theme.background + "C0")
        self._points_key = None  # recolour points next frame

    # --- drawing ---------------------------------------------------------------------
    def update(self, view, theme: Theme, discretize: bool, show_test: bool,
               write: bool = True) -> None:
        snap, ds = view.snapshot, view.dataset
        self.snapshot, self.dataset = snap, ds
        g = snap.grid
        (x0, x1), (y0, y1) = g.extent
        res_y, res_x = g.values.shape[:2]
        task = snap.task
        if task == "multiclass":
            self._draw_classes(g.values, theme, discretize)
        else:
            self._draw_scalar(snap, ds, g.values[:, :, 0], theme, discretize)
        # pixel centres sit on the grid points xs, ys (the image overhangs by half a cell);
        # set after the image, since the scale depends on its size in pixels
        dx, dy = (x1 - x0) / max(res_x - 1, 1), (y1 - y0) / max(res_y - 1, 1)
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))
        self._draw_points(ds, theme)
        self.test.setVisible(show_test)
        names = ds.input_names
        self.plot.setLabel("bottom", names[0] if names else "x1")
        self.plot.setLabel("left", names[1] if len(names) > 1 else "x2")
        # short: the hint above the plot says what the map is (a long title widened the
        # plot until the colour bar was cut off in a laptop's dock)
        what = "Decision map" if task != "regression" else "Output map"
        if write:  # numbers at TEXT_INTERVAL while training runs
            # on two lines where one would make the plot wider than the map (see fit_width)
            sep = "<br>" if self._two_lines else " — "
            set_title(self.plot, f"{what}{sep}{metric_text(snap)}", color=theme.foreground)
            self._title_color = theme.foreground
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)
        self.fit_width()

    def _bar_label(self, text: str) -> None:
        # only on a change: a new label makes pyqtgraph lay out and redraw the whole axis
        if getattr(self, "_bar_text", None) != text:
            self._bar_text = text
            self.bar.axis.setLabel(text)

    def _draw_scalar(self, snap, ds, v, theme, discretize) -> None:
        if snap.task == "binary":
            lo, hi = target_pair(snap, ds)
            names = ds.class_names if len(ds.class_names) == 2 else ("class 0", "class 1")
            self._bar_label(f"network output: {lo:g} = {names[0]}, {hi:g} = {names[1]}")
        else:
            lo, hi = value_range(ds)
            self._bar_label("network output")
        mid = 0.5 * (lo + hi)
        smooth = v = finite(v, mid)
        if discretize:
            v = np.where(v > mid, hi, lo)
        self.values = v
        self._levels = (lo, hi)
        cmap = diverging_map(theme, 0.6)
        self.image.setImage(v, levels=(lo, hi), lut=cmap.getLookupTable(nPts=256),
                            autoLevels=False)
        self.bar.setColorMap(cmap)
        self.bar.setLevels((lo, hi))
        self.bar.setVisible(True)
        show_iso = snap.task == "binary"
        self.iso.setVisible(show_iso)
        if show_iso:
            self.iso.setData(smooth, mid)  # the smooth boundary, also when discretized

    def _draw_classes(self, p, theme, discretize) -> None:
        k = p.shape[2]
        p = finite(p)
        cls = p.argmax(axis=2)
        colours = np.array([QColor(series_color(theme, i)).getRgbF()[:3] for i in range(k)])
        bg = np.array(QColor(theme.background).getRgbF()[:3])
        conf = np.ones(cls.shape) if discretize else np.clip(
            (p.max(axis=2) - 1 / k) / (1 - 1 / k), 0, 1)
        t = (0.15 + 0.5 * conf)[..., None]
        rgb = bg + (colours[cls] - bg) * t
        self.values = cls.astype(np.float64) if discretize else p.max(axis=2)
        self.image.setImage((rgb * 255).astype(np.uint8), autoLevels=False, levels=(0, 255),
                            lut=None)
        self.bar.setVisible(False)
        self.iso.setVisible(False)

    def _draw_points(self, ds, theme: Theme) -> None:
        key = (id(ds), theme.name)
        if key == self._points_key:
            return
        self._points_key = key
        self.legend.clear()
        edge = pg.mkPen(theme.background, width=1)
        for scatter, raw, y, filled in ((self.train, ds.raw_train, ds.y_train, True),
                                        (self.test, ds.raw_test, ds.y_test, False)):
            raw = raw if raw is not None else np.zeros((0, 2))
            ok = np.isfinite(raw).all(axis=1)
            n = int(ok.sum())  # a few points (XOR's four) are drawn bigger
            scatter.setSize((7 if n > 200 else 9 if n > 40 else 14) + (0 if filled else 1))
            colours = self._point_colours(ds, y[ok], theme)
            # one brush or pen per distinct colour, shared by its points: pyqtgraph then
            # renders each symbol once instead of once per point
            made: dict[int, object] = {}

            def style(c: QColor, filled=filled, made=made):
                key = c.rgba()
                if key not in made:
                    made[key] = pg.mkBrush(c) if filled else pg.mkPen(c, width=1.6)
                return made[key]

            if filled:
                scatter.setData(raw[ok, 0], raw[ok, 1], brush=[style(c) for c in colours],
                                pen=edge)
            else:
                scatter.setData(raw[ok, 0], raw[ok, 1], pen=[style(c) for c in colours],
                                brush=None)
        for name, colour in self._legend_entries(ds, theme):
            sample = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(colour), pen=edge)
            self.legend.addItem(sample, name)
        hollow = pg.ScatterPlotItem(size=9, brush=None, pen=pg.mkPen(theme.foreground, width=1.6))
        self.legend.addItem(hollow, "test point (hollow)")
        self.legend.setLabelTextColor(theme.foreground)
        self.legend.setBrush(pg.mkBrush(theme.background + "C0"))
        self.legend.updateSize()
        width = self.legend.boundingRect().width() + 8
        self.legend_room.setMinimumWidth(width)  # and any width the map leaves over

    @staticmethod
    def _point_colours(ds, y, theme: Theme) -> list[QColor]:
        if ds.task == "regression":
            lo, hi = value_range(ds)
            t = np.clip((finite(y[:, 0]) - lo) / (hi - lo), 0, 1)
            cmap = diverging_map(theme)
            return [cmap.map(float(v), mode="qcolor") for v in t]
        lab = labels(y, ds.negative, ds.positive)
        if ds.task == "binary":
            pos, neg = QColor(theme.positive), QColor(theme.negative)
            return [pos if c else neg for c in lab]
        return [QColor(series_color(theme, int(c))) for c in lab]

    @staticmethod
    def _legend_entries(ds, theme: Theme) -> list[tuple[str, str]]:
        names = ds.class_names
        if ds.task == "binary":
            n0, n1 = (names[0], names[1]) if len(names) >= 2 else ("class 0", "class 1")
            return [(n1, theme.positive), (n0, theme.negative)]
        if ds.task == "multiclass":
            return [(n, series_color(theme, i)) for i, n in enumerate(names)]
        lo, hi = value_range(ds)
        return [(f"high target ({hi:.3g})", theme.positive), (f"low target ({lo:.3g})",
                                                               theme.negative)]

    def hover_at(self, x: float, y: float) -> str:
        """Read-out of the output at the grid point nearest (x, y), or '' outside the map."""
        g = self.snapshot.grid if self.snapshot is not None else None
        if g is None:
            return ""
        (x0, x1), (y0, y1) = g.extent
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return ""
        j = int(np.abs(g.xs - x).argmin())
        i = int(np.abs(g.ys - y).argmin())
        out = g.values[i, j]
        if self.snapshot.task == "multiclass":
            names = self.dataset.class_names
            c = int(np.argmax(out))
            name = names[c] if c < len(names) else str(c)
            return f"({g.xs[j]:.2f}, {g.ys[i]:.2f}) → {name}, p = {out[c]:.2f}"
        return f"({g.xs[j]:.2f}, {g.ys[i]:.2f}) → output {out[0]:.3f}"

    def csv_tables(self) -> list[CsvTable]:
        g = self.snapshot.grid if self.snapshot is not None else None
        if g is None:
            return []
        gx, gy = np.meshgrid(g.xs, g.ys)
        n_out = g.values.shape[2]
        heads = ("output",) if n_out == 1 else tuple(
            f"p({n})" for n in (self.dataset.class_names or range(n_out)))
        grid = np.column_stack([gx.ravel(), gy.ravel(), g.values.reshape(-1, n_out)])
        tables = [CsvTable("output_map", ("x", "y", *heads), grid)]
        for name, raw, y in (("train_points", self.dataset.raw_train, self.dataset.y_train),
                             ("test_points", self.dataset.raw_test, self.dataset.y_test)):
            if raw is not None:
                tables.append(CsvTable(name, ("x", "y", *(f"target {i + 1}" for i in
                                                          range(y.shape[1]))),
                                       np.column_stack([raw, y])))
        return tables


class CurveView:
    """1-D regression: the network's fitted curve over the training and test points."""

    def __init__(self) -> None:
        self.plot = pg.PlotItem(axisItems=axis_items())
        title_over_axes(self.plot)
        self.plot.setMenuEnabled(False)
        self.legend = self.plot.addLegend(offset=(-4, 4), labelTextSize="9pt")
        self.train = pg.ScatterPlotItem(size=7, name="training data")
        self.test = pg.ScatterPlotItem(size=7, brush=None, name="test data (hollow)")
        self.curve = pg.PlotDataItem(name="network output")
        for item in (self.train, self.test, self.curve):
            self.plot.addItem(item)
        self.snapshot = self.dataset = None

    def layout_items(self):
        return [(self.plot, 0, 0)]

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self.plot, theme)
        c = series_color(theme, 0)
        self.train.setPen(pg.mkPen(theme.background))
        self.train.setBrush(pg.mkBrush(c))
        self.test.setPen(pg.mkPen(c, width=1.6))
        self.test.setBrush(pg.mkBrush(None))
        self.curve.setPen(pg.mkPen(series_color(theme, 1), width=2.5))

    def update(self, view, theme: Theme, discretize: bool, show_test: bool,
               write: bool = True) -> None:
        snap, ds = view.snapshot, view.dataset
        if ds is not self.dataset:
            for scatter, raw, y in ((self.train, ds.raw_train, ds.y_train),
                                    (self.test, ds.raw_test, ds.y_test)):
                x = (raw if raw is not None else np.zeros((0, 1)))[:, 0]
                ok = np.isfinite(x) & np.isfinite(y[:, 0])
                scatter.setData(x[ok], y[ok, 0])
        self.snapshot, self.dataset = snap, ds
        cx, cy = np.asarray(snap.curve_x), np.asarray(snap.curve_y)[:, 0]
        ok = np.isfinite(cx) & np.isfinite(cy)
        self.curve.setData(cx[ok], cy[ok], skipFiniteCheck=True)
        self.test.setVisible(show_test)
        self.plot.setLabel("bottom", ds.input_names[0] if ds.input_names else "x")
        self.plot.setLabel("left", ds.output_names[0] if ds.output_names else "y")
        if write:  # numbers at TEXT_INTERVAL while training runs
            set_title(self.plot, f"Fitted curve — {metric_text(snap)}", color=theme.foreground)

    def csv_tables(self) -> list[CsvTable]:
        if self.snapshot is None:
            return []
        x, y = self.curve.getData()
        tables = [CsvTable("fitted_curve", ("x", "network output"), np.column_stack([x, y]))]
        for name, item in (("train_points", self.train), ("test_points", self.test)):
            px, py = item.getData()
            tables.append(CsvTable(name, ("x", "target"), np.column_stack([px, py])))
        return tables


class PredictionView:
    """Any other data set: each test row's output against its target (on the diagonal = right)."""

    def __init__(self) -> None:
        self.plot = pg.PlotItem(axisItems=axis_items())
        title_over_axes(self.plot)
        self.plot.setMenuEnabled(False)
        self.points = pg.ScatterPlotItem(size=7)
        self.diagonal = pg.PlotDataItem()
        self.plot.addItem(self.diagonal)
        self.plot.addItem(self.points)
        self.plot.setLabel("bottom", "target")
        self.plot.setLabel("left", "network output")
        self.data = np.zeros((0, 3))

    def layout_items(self):
        return [(self.plot, 0, 0)]

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self.plot, theme)
        self.points.setPen(pg.mkPen(theme.background))
        self.diagonal.setPen(pg.mkPen(theme.foreground, width=1, style=Qt.PenStyle.DashLine))

    def update(self, view, theme: Theme, discretize: bool, show_test: bool,
               write: bool = True) -> None:
        snap, ds = view.snapshot, view.dataset
        pred, y = np.asarray(snap.predictions_test), np.asarray(ds.y_test)
        k = pred.shape[1] if pred.ndim == 2 else 0
        out = np.column_stack([np.repeat(np.arange(k)[None], len(pred), 0).ravel(),
                               y.ravel(), pred.ravel()]) if k else np.zeros((0, 3))
        out = out[np.isfinite(out).all(axis=1)]
        self.data = out
        brushes = [pg.mkBrush(series_color(theme, int(i))) for i in out[:, 0]]
        self.points.setData(out[:, 1], out[:, 2], brush=brushes)
        lo, hi = (out[:, 1:].min(), out[:, 1:].max()) if len(out) else (0.0, 1.0)
        self.diagonal.setData([lo, hi], [lo, hi])
        if write:  # numbers at TEXT_INTERVAL while training runs
            set_title(self.plot, f"Test set: output against target — {metric_text(snap)}",
                      color=theme.foreground)

    def csv_tables(self) -> list[CsvTable]:
        return [CsvTable("predictions_test", ("output index", "target", "network output"),
                         self.data)]
