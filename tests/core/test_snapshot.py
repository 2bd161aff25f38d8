"""Snapshots: consistent fields, stable histogram edges, dead units, saturation, read-only."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import core
from core.datasets import Dataset


def circles_trainer(hidden=((8, "tanh"), (8, "tanh")), n=500, **kw):
    ds = core.datasets.load("circles", n=n, seed=0, standardize=True)
    net_kw = {k: kw.pop(k) for k in ("bias_init", "init") if k in kw}
    net = core.Network.build(2, list(hidden), (1, "sigmoid"), seed=0, **net_kw)
    return core.Trainer(net, ds, lr=0.03, batch_size=10, **kw)


def test_fields_are_consistent():
    t = circles_trainer()
    t.run(steps=30)
    s = t.snapshot(grid=32)
    assert (s.epoch, s.step, s.task, s.loss_name, s.metric_name) == (1, 30, "binary", "bce",
                                                                     "accuracy")
    assert s.train_loss == t.metrics["train_loss"]
    assert [l.name for l in s.layers] == ["hidden 1", "hidden 2", "output"]
    m = len(t.sample_index)
    assert m == 250
    for layer, net_layer in zip(s.layers, t.net.layers):
        assert layer.z_sample.shape == layer.a_sample.shape == (m, layer.units)
        assert layer.z_hist.counts.sum() == layer.a_hist.counts.sum() == m * layer.units
        assert layer.w_hist.counts.sum() == net_layer.W.size
        assert layer.grad_hist.counts.sum() == net_layer.W.size
        assert len(layer.z_hist.edges) == len(layer.z_hist.counts) + 1 == 41
        assert layer.dead_mask.shape == (layer.units,) and layer.dead_units == 0
        assert layer.unit_mean_activation.shape == (layer.units,)
        assert layer.z_percentiles.shape == (9,) and layer.z_percentiles[0] == layer.z_sample.min()
        assert layer.a_percentiles[-1] == layer.a_sample.max()
        np.testing.assert_array_equal(layer.weights, net_layer.W)
        assert layer.grad_norm_w == pytest.approx(np.linalg.norm(net_layer.grad_w))
        assert 0 < layer.update_ratio < 1
    assert s.output_sample.shape == (m, 1)
    assert s.predictions_test.shape == (250, 1) and s.confusion is None
    assert set(s.history) >= {"epoch", "train_loss", "grad_norm_w"}
    assert s.grid.values.shape == (32, 32, 1) and s.grid.xs.shape == (32,)
    assert [g.shape for g in s.grid.unit_grids] == [(32, 32, 8), (32, 32, 8), (32, 32, 1)]
    assert s.grid.extent == ((-6.0, 6.0), (-6.0, 6.0))


def test_grid_rows_are_y_and_use_dataset_prepare():
    t = circles_trainer()
    g = t.snapshot(grid=16).grid
    raw = np.array([[g.xs[3], g.ys[11]]])
    expected = t.net.forward(t.dataset.prepare(raw))
    np.testing.assert_allclose(g.values[11, 3], expected[0])
    np.testing.assert_allclose(t.unit_grid(0, 2, 16), g.unit_grids[0][:, :, 2])


def test_arrays_are_read_only_and_the_snapshot_frozen():
    t = circles_trainer()
    s = t.snapshot(grid=8)
    layer = s.layers[0]
    for arr in (layer.z_sample, layer.a_sample, layer.weights, layer.z_hist.counts,
                layer.z_hist.edges, layer.dead_mask, s.grid.values, s.history["train_loss"]):
        with pytest.raises(ValueError):
            arr[...] = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.epoch = 3
    t.run(steps=5)
    assert not np.array_equal(layer.weights, t.net.layers[0].W)  # a copy, not a view


def test_histogram_edges_are_stable_across_steps():
    t = circles_trainer(optimizer="adam")
    first = t.snapshot(grid=None)
    t.run(steps=50)
    second = t.snapshot(grid=None)
    for a, b in zip(first.layers, second.layers):
        # tanh and sigmoid outputs: edges fixed by the output range
        np.testing.assert_array_equal(a.a_hist.edges, b.a_hist.edges)
        assert a.a_hist.edges[0] in (-1.0, 0.0) and a.a_hist.edges[-1] == 1.0
        # z: a power-of-two range that only grows
        assert b.z_hist.edges[-1] >= a.z_hist.edges[-1]
        assert np.log2(b.z_hist.edges[-1]) == int(np.log2(b.z_hist.edges[-1]))
    third = t.snapshot(grid=None)
    for b, c in zip(second.layers, third.layers):
        np.testing.assert_array_equal(b.z_hist.edges, c.z_hist.edges)


def test_negative_bias_kills_every_relu_unit():
    t = circles_trainer(hidden=((8, "relu"),), bias_init=-10.0)
    s = t.snapshot(grid=None)
    assert s.layers[0].dead_units == 8 and s.layers[0].dead_mask.all()
    assert s.layers[0].frac_saturated == 1.0
    healthy = circles_trainer(hidden=((8, "relu"),), init="he_normal").snapshot(grid=None)
    assert healthy.layers[0].dead_units < 8


def test_huge_weights_saturate_tanh():
    t = circles_trainer(hidden=((8, "tanh"),), init=("normal", {"sigma": 1000.0}))
    s = t.snapshot(grid=None)
    assert s.layers[0].frac_saturated > 0.98
    calm = circles_trainer(hidden=((8, "tanh"),), init=("normal", {"sigma": 0.1}))
    assert calm.snapshot(grid=None).layers[0].frac_saturated == 0.0


def test_frac_saturated_is_the_diagnostics_rule():
    from core import diagnostics

    t = circles_trainer(hidden=((8, "tanh"),), init=("normal", {"sigma": 3.0}))
    layer = t.snapshot(grid=None).layers[0]
    adf = np.abs(1.0 - np.tanh(layer.z_sample) ** 2)
    assert 0.0 < layer.frac_saturated < 1.0
    assert layer.frac_saturated == pytest.approx(diagnostics.saturated(adf, 1.0).mean(),
                                                 abs=1 / adf.size)


def test_default_grid_is_the_decision_grid():
    from core import diagnostics
    from core.snapshot import take_snapshot

    g = take_snapshot(circles_trainer()).grid
    res = diagnostics.DECISION_GRID
    assert g.values.shape == (res, res, 1) and g.xs.shape == (res,)


def test_multiclass_confusion_and_regression_curve():
    ds = core.datasets.load("iris", seed=0, standardize=True)
    net = core.Network.build(ds.n_inputs, [(6, "relu")], (3, "softmax"), seed=0)
    s = core.Trainer(net, ds, batch_size=8).snapshot(grid=10)
    assert s.grid is None and s.confusion.shape == (3, 3)
    assert s.confusion.sum() == ds.n_test and s.confusion.dtype.kind == "i"
    assert s.layers[-1].frac_saturated >= 0.0
    sine = core.datasets.load("sine", seed=0)
    net = core.Network.build(1, [(8, "tanh")], (1, "identity"), seed=0)
    s = core.Trainer(net, sine).snapshot()
    assert s.curve_x.shape == (200,) and s.curve_y.shape == (200, 1) and s.metric_name == "R²"




def test_timeline_accumulates_and_decimates():
    t = circles_trainer()
    tl = core.Timeline(cap=8)
    for _ in range(20):
        t.run(steps=1)
        tl.append(t.snapshot(grid=None))
    assert len(tl) <= 9
    assert tl.step[0] == 1 and tl.step[-1] == 20  # oldest kept, newest always shown
    assert np.all(np.diff(tl.step) > 0)
    assert tl.grad_norm_w.shape == (len(tl), 3) and tl.z_percentiles.shape == (len(tl), 3, 9)
    tl.clear()
    assert len(tl) == 0 and tl.step.shape == (0,)


def test_history_decimates_past_its_cap():
    ds = Dataset("t", "binary", np.zeros((2, 1)), np.ones((2, 1)), np.zeros((2, 1)),
                 np.ones((2, 1)))
    t = core.Trainer(core.Network.build(1, [], (1, "sigmoid")), ds, batch_size=2,
                     history_cap=16)
    t.run(epochs=100)
    h = t.history
    assert len(h.epoch) <= 17 and h.epoch[0] == 0 and h.epoch[-1] == 100
    assert np.all(np.diff(h.epoch) > 0)


@pytest.mark.parametrize("name", core.activations.names())
def test_every_activation_snapshots_cleanly(name):
    t = circles_trainer(hidden=((5, name),), n=60)
    t.run(steps=4)
    s = t.snapshot(grid=6)
    layer = s.layers[0]
    assert layer.activation == name
    assert layer.z_hist.counts.sum() == layer.a_hist.counts.sum() == 30 * 5
    assert 0.0 <= layer.frac_saturated <= 1.0 or np.isnan(layer.frac_saturated)
    assert np.isfinite(layer.a_percentiles).all() and layer.a_hist.edges[0] < layer.a_hist.edges[-1]
