"""Immutable snapshots of a training run: what every panel draws, computed on demand.

A snapshot is a forward pass over a fixed sample of training rows (≤ 2000, chosen once with
the trainer's seed) plus histograms and summary numbers per layer, and optionally the
network's output over a grid of the 2-D input plane. All arrays are read-only.

Histogram edge rule (so the axes do not jump from frame to frame; 40 bins):
- a bounded activation's output uses its fixed output range (tanh: [−1, 1]);
- everything else uses a range that only grows: symmetric [−B, B] (or [lo, B] when the
  activation has a finite lower bound such as ReLU's 0), where B is the smallest power of two
  covering every value seen so far in that layer (at least 1 for z and a);
- gradients grow the same way but may also shrink, with hysteresis (when every value fits in
  B/64), because they typically fall by orders of magnitude during training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .diagnostics import DECISION_GRID, saturated
from .timeline import PERCENTILES

__all__ = ["BINS", "GridOutput", "Histogram", "LayerSnapshot", "Snapshot", "take_snapshot"]

BINS = 40
_PCT = np.array(PERCENTILES, dtype=np.float64)


def _ro(a) -> np.ndarray:
    a = np.asarray(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class Histogram:
    """``counts[i]`` values fell in [edges[i], edges[i+1]); values outside land in the end bins."""

    edges: np.ndarray
    counts: np.ndarray

    @property
    def centers(self) -> np.ndarray:
        """The bins' midpoints, (BINS,) from ``edges`` (BINS + 1,); a new writable array."""
        return 0.5 * (self.edges[:-1] + self.edges[1:])


@dataclass(frozen=True)
class LayerSnapshot:
    """One layer at one moment. Sample arrays are (m, units) with m ≤ 2000 sample rows."""

    index: int
    name: str
    activation: str
    units: int
    z_sample: np.ndarray
    a_sample: np.ndarray
    z_hist: Histogram
    a_hist: Histogram
    z_mean: float
    z_std: float
    a_mean: float
    a_std: float
    #: share of sample×units with |f′(z)| < 1% of the activation's largest |f′|
    #: (``diagnostics.saturated``)
    frac_saturated: float
    #: units with f′(z) = 0 on every sample row, and which they are (units,) bool
    dead_units: int
    dead_mask: np.ndarray
    unit_mean_activation: np.ndarray
    grad_norm_w: float
    grad_norm_b: float
    weight_norm: float
    #: ‖ΔW‖ / ‖W‖ of the last step
    update_ratio: float
    weights: np.ndarray
    bias: np.ndarray
    w_hist: Histogram
    grad_hist: Histogram
    #: z and a at ``percentile_levels`` (TensorBoard's distribution bands)
    z_percentiles: np.ndarray
    a_percentiles: np.ndarray


@dataclass(frozen=True)
class GridOutput:
    """Network outputs over a res×res grid of the raw 2-D input plane; rows are y.

    ``values`` (res, res, n_outputs); ``unit_grids`` one (res, res, units) per layer
    (hidden layers, then the output layer); ``extent`` ((xmin, xmax), (ymin, ymax)).
    """

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    extent: tuple[tuple[float, float], tuple[float, float]]
    unit_grids: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class Snapshot:
    """Everything the panels draw at one moment of training.

    Losses and metrics are those of the latest evaluation on the full sets (epoch end).
    ``predictions_test`` (n_test, n_outputs); ``confusion`` (k, k) ints, rows = true class,
    for multiclass; ``curve_x`` (200,), ``curve_y`` (200, n_outputs) for 1-D regression.
    """

    epoch: int
    step: int
    task: str
    loss_name: str
    train_loss: float
    test_loss: float
    train_metric: float
    test_metric: float
    metric_name: str
    history: dict
    layers: tuple[LayerSnapshot, ...]
    grid: GridOutput | None
    output_sample: np.ndarray
    predictions_test: np.ndarray
    confusion: np.ndarray | None
    curve_x: np.ndarray | None
    curve_y: np.ndarray | None
    percentile_levels: tuple[int, ...] = PERCENTILES


# --- histograms with stable edges -------------------------------------------------------------
def _pow2(x: float, floor: float) -> float:
    x = max(x, floor)
    return 2.0 ** math.ceil(math.log2(x))


def _edges(ranges: dict, key: str, v: np.ndarray, lo: float, hi: float, floor: float,
           shrink: bool = False) -> np.ndarray:
    """Edges for values v under the rule in the module docstring; updates ``ranges``."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        vmax = float(np.abs(v).max()) if v.size else 0.0
        need = _pow2(vmax if math.isfinite(vmax) else floor, floor)
        b = ranges.get(key, 0.0)
        if need > b or (shrink and need * 64 <= b):
            b = need
        ranges[key] = b
        lo = lo if math.isfinite(lo) else -b
        hi = hi if math.isfinite(hi) else b
        if hi <= lo:  # a lower bound above the grown range (e.g. a shifted activation)
            hi = lo + b
    return np.linspace(lo, hi, BINS + 1)


def _hist(v: np.ndarray, edges: np.ndarray) -> Histogram:
    lo, hi = edges[0], edges[-1]
    idx = ((v.ravel() - lo) * (BINS / (hi - lo))).astype(np.intp)
    np.clip(idx, 0, BINS - 1, out=idx)
    return Histogram(_ro(edges), _ro(np.bincount(idx, minlength=BINS)))


def _norm(x: np.ndarray) -> float:
    x = x.ravel()
    return math.sqrt(float(x @ x))


# --- per-layer derivative, for saturation and dead units ---------------------------------------
def _df(layer, z, a):
    act = layer.act
    if layer.vector:
        return a * (1.0 - a) if act.name == "softmax" else None
    if layer.learnable:
        return act.df_alpha(z, layer.alpha)
    return act.df(z)


def _max_df(trainer, i, layer) -> float:
    if layer.vector:
        return 0.25
    if layer.learnable:  # α moves during training, so this is recomputed
        zz = np.linspace(-20.0, 20.0, 401, dtype=layer.dtype)[:, None]
        return float(np.abs(layer.act.df_alpha(zz, layer.alpha[None, :])).max())
    if trainer._max_df[i] is None:
        trainer._max_df[i] = float(layer.act.max_abs_df)
    return trainer._max_df[i]


def _output_range(act) -> tuple[float, float]:
    try:
        lo, hi = act.info.output_range
        return float(lo), float(hi)
    except Exception:
        return -math.inf, math.inf


# --- the grid over the input plane ----------------------------------------------------------------
def _raw_dims(ds) -> int:
    return ds.raw_train.shape[1] if ds.raw_train is not None else ds.n_inputs


def _extent(ds) -> tuple[tuple[float, float], tuple[float, float]]:
    if ds.extent is not None:
        (x0, x1), (y0, y1) = ds.extent
        return (float(x0), float(x1)), (float(y0), float(y1))
    raw = ds.raw_train if ds.raw_train is not None else ds.x_train
    lo, hi = raw.min(axis=0), raw.max(axis=0)
    pad = 0.05 * np.maximum(hi - lo, 1e-9)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]),
                                                             float(hi[1] + pad[1]))


def grid_forward(trainer, res: int):
    """(xs, ys, extent, [(res, res, units) per layer]) in evaluation mode; rows are y.

    Parameters
    ----------
    trainer : Trainer
        Its data set must have 2 raw inputs (before extra features).
    res : int
        Grid points per side, 2 … 1024 (converted with ``int``).

    Returns
    -------
    xs, ys : ndarray, shape (res,)
        Read-only, evenly spaced over the extent, ends included.
    extent : ((xmin, xmax), (ymin, ymax))
        The data set's ``extent``, or else its raw training inputs' range padded by 5% of
        it on each side.
    per_layer : list of ndarray
        One (res, res, units) array per layer, hidden layers first, output last: element
        [i, j, u] is unit u's activation at (xs[j], ys[i]). Reshaped views of each layer's
        ``a`` from this pass.

    Raises
    ------
    ValueError
        If the data set does not have 2 raw inputs or ``res`` is out of range.

    Notes
    -----
    The grid's points go through the data set's ``prepare`` (extra features, then
    standardization) into the network's dtype once per ``res``, cached on the trainer; the
    pass itself runs at every call. It overwrites the layers' cached z and a, and changes
    nothing that training uses.
    """
    ds = trainer.dataset
    if _raw_dims(ds) != 2:
        raise ValueError("a grid over the input plane needs a data set with 2 raw inputs")
    res = int(res)
    if not 2 <= res <= 1024:
        raise ValueError(f"the grid resolution must lie in [2, 1024], not {res}")
    cached = trainer._grid_cache.get(res)
    if cached is None:
        extent = _extent(ds)
        xs = np.linspace(*extent[0], res)
        ys = np.linspace(*extent[1], res)
        gx, gy = np.meshgrid(xs, ys)  # (res, res), rows = y
        x = np.ascontiguousarray(ds.prepare(np.column_stack([gx.ravel(), gy.ravel()])),
                                 dtype=trainer.net.dtype)
        cached = trainer._grid_cache[res] = (_ro(xs), _ro(ys), extent, x)
    xs, ys, extent, x = cached
    per_layer = [a.reshape(res, res, -1) for _, a in trainer.net.forward_all(x)]
    return xs, ys, extent, per_layer


# --- the snapshot ---------------------------------------------------------------------------------
def take_snapshot(trainer, grid: int | None = DECISION_GRID) -> Snapshot:
    """Compute a Snapshot of ``trainer`` now. ``grid`` is the map resolution or None.

    Parameters
    ----------
    trainer : Trainer
        The trainer to show, as it is now (no training step is made).
    grid : int or None
        Cells per side of the decision map over the raw 2-D input plane, 2 … 1024; None or
        0: no map. Ignored (no map) when the data set does not have 2 raw inputs.

    Returns
    -------
    Snapshot
        Every array read-only. Per layer: z and a over the trainer's fixed sample of
        training rows, (m, units) with m ≤ 2000, their histograms and percentiles, weights
        (fan_in, units), bias (units,) and their histograms, gradient norms and the last
        step's update ratio; losses and metrics from the latest evaluation (``metrics``,
        not recomputed); ``predictions_test`` (n_test, n_outputs); ``grid`` as
        ``GridOutput`` or None.

    Raises
    ------
    ValueError
        If ``grid`` is outside 2 … 1024 for a data set with 2 raw inputs (``True`` counts
        as 1).

    Notes
    -----
    The passes are in evaluation mode and draw no random numbers, so training goes on
    exactly as without the snapshot. They overwrite the layers' cached z and a; the
    histogram ranges in ``trainer.hist_ranges`` grow (or, for gradients, shrink) as the
    module docstring describes, and a fixed activation's largest |f′| is cached on the trainer.
    """
    with np.errstate(all="ignore"):
        return _take(trainer, grid)


def _take(trainer, grid) -> Snapshot:
    net, ds, ranges = trainer.net, trainer.dataset, trainer.hist_ranges
    zs_as = net.forward_all(trainer.x_sample)
    prev = trainer._prev
    layers = []
    offset = 0
    for i, (layer, (z, a)) in enumerate(zip(net.layers, zs_as)):
        W, gw = layer.W, layer.grad_w
        dw = W.ravel() - prev[offset:offset + W.size]
        offset += layer.n_params
        w_norm = _norm(W)
        lo, hi = _output_range(layer.act)
        z_edges = _edges(ranges, f"{i}:z", z, -math.inf, math.inf, 1.0)
        a_edges = _edges(ranges, f"{i}:a", a, lo, hi, 1.0)
        w_edges = _edges(ranges, f"{i}:w", W, -math.inf, math.inf, 2.0**-10)
        g_edges = _edges(ranges, f"{i}:g", gw, -math.inf, math.inf, 2.0**-30, shrink=True)
        df = _df(layer, z, a)
        if df is None:
            frac_sat, dead = math.nan, np.zeros(layer.units, dtype=bool)
        else:
            adf = np.abs(df)
            frac_sat = float(saturated(adf, _max_df(trainer, i, layer)).mean())
            dead = ~adf.any(axis=0)
        pz = np.percentile(z, _PCT)
        pa = np.percentile(a, _PCT)
        layers.append(LayerSnapshot(
            index=i, name=net.layer_name(i), activation=layer.act.name, units=layer.units,
            z_sample=_ro(z), a_sample=_ro(a),
            z_hist=_hist(z, z_edges), a_hist=_hist(a, a_edges),
            z_mean=float(z.mean()), z_std=float(z.std()),
            a_mean=float(a.mean()), a_std=float(a.std()),
            frac_saturated=frac_sat, dead_units=int(dead.sum()), dead_mask=_ro(dead),
            unit_mean_activation=_ro(a.mean(axis=0)),
            grad_norm_w=_norm(gw), grad_norm_b=_norm(layer.grad_b), weight_norm=w_norm,
            update_ratio=_norm(dw) / w_norm if w_norm > 0 else 0.0,
            weights=_ro(W.copy()), bias=_ro(layer.b.copy()),
            w_hist=_hist(W, w_edges), grad_hist=_hist(gw, g_edges),
            z_percentiles=_ro(pz), a_percentiles=_ro(pa),
        ))

    grid_out = None
    if grid and _raw_dims(ds) == 2:
        xs, ys, extent, per_layer = grid_forward(trainer, grid)
        for g in per_layer:
            g.setflags(write=False)
        grid_out = GridOutput(xs, ys, per_layer[-1], extent, tuple(per_layer))

    _, pred = trainer.outputs(trainer.x_test)
    pred = _ro(pred)
    confusion = None
    if ds.task == "multiclass" and pred.shape[0]:
        k = pred.shape[1]
        truth = trainer.y_test.argmax(axis=1)
        confusion = _ro(np.bincount(truth * k + pred.argmax(axis=1), minlength=k * k)
                        .reshape(k, k))
    curve_x = curve_y = None
    if ds.task == "regression" and _raw_dims(ds) == 1:
        raw = ds.raw_train if ds.raw_train is not None else ds.x_train
        lo, hi = float(raw.min()), float(raw.max())
        pad = 0.05 * max(hi - lo, 1e-9)
        curve_x = np.linspace(lo - pad, hi + pad, 200)
        xin = np.asarray(ds.prepare(curve_x[:, None]), dtype=net.dtype)
        curve_y = _ro(trainer.outputs(xin)[1].copy())
        curve_x = _ro(curve_x)

    m = trainer.metrics
    return Snapshot(
        epoch=trainer.epoch, step=trainer.step_count, task=ds.task, loss_name=trainer.loss.name,
        train_loss=m["train_loss"], test_loss=m["test_loss"],
        train_metric=m["train_metric"], test_metric=m["test_metric"],
        metric_name=trainer.metric_name,
        history={k: _ro(v) for k, v in trainer.history.copy_arrays().items()},
        layers=tuple(layers), grid=grid_out, output_sample=layers[-1].a_sample,
        predictions_test=pred, confusion=confusion, curve_x=curve_x, curve_y=curve_y,
    )
