"""Trainer: epochs and batches, settings between steps, metrics, history, divergence."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core
from core.datasets import Dataset


def circles(n=60, seed=0) -> Dataset:
    return core.datasets.load("circles", n=n, seed=seed, standardize=True)


def trainer(ds=None, hidden=((8, "tanh"),), out="sigmoid", **kw):
    ds = ds or circles()
    net = core.Network.build(ds.n_inputs, list(hidden), (ds.n_outputs, out), seed=0,
                             dtype=kw.pop("dtype", "float64"))
    return core.Trainer(net, ds, **kw)


def test_epochs_count_batches_including_the_last_partial_one():
    t = trainer(batch_size=7)  # 30 rows: 7 + 7 + 7 + 7 + 2
    assert t.steps_per_epoch == 5
    for _ in range(4):
        t.step()
    assert t.epoch == 0
    t.step()
    assert t.epoch == 1 and t.step_count == 5
    t.run(epochs=2)
    assert t.epoch == 3 and t.step_count == 15
    assert list(t.history.epoch) == [0, 1, 2, 3]
    assert list(t.history.step) == [0, 5, 10, 15]
    t.run(steps=3)
    assert t.step_count == 18


def test_full_batch_when_batch_size_exceeds_the_training_set():
    t = trainer(batch_size=10_000)
    t.step()
    assert t.epoch == 1 and t.steps_per_epoch == 1


def test_step_returns_the_batch_loss_and_history_holds_epoch_metrics():
    t = trainer(batch_size=30, lr=0.1)
    loss = t.step()
    assert np.isfinite(loss) and loss == t.last_loss
    h = t.history
    assert len(h.train_loss) == 2 and h.grad_norm_w.shape == (2, 2)
    assert h.grad_norm_w[0].sum() == 0 and (h.grad_norm_w[1] > 0).all()
    assert t.metrics["train_loss"] == h.train_loss[-1]
    with pytest.raises(ValueError):
        h.train_loss[0] = 1.0  # read-only view


def test_lr_and_batch_size_change_between_steps_without_reset():
    t = trainer(optimizer="adam", lr=0.01, batch_size=5)
    t.run(steps=3)
    m = t.optimizer.state["exp_avg"].copy()
    t.lr = 0.1
    t.batch_size = 12
    assert t.optimizer.t == 3 and np.array_equal(t.optimizer.state["exp_avg"], m)
    before = t.net.flat.copy()
    t.step()
    assert np.abs(t.net.flat - before).max() > 0.05  # Adam's first moves are about lr
    assert t._cursor == 27  # 3 batches of 5, then one of 12: still inside the epoch
    with pytest.raises(ValueError):
        t.batch_size = 0
    with pytest.raises(ValueError):
        t.lr = float("nan")


def test_shuffling_is_seeded():
    a, b, c = trainer(seed=1), trainer(seed=1), trainer(seed=2)
    for t in (a, b, c):
        t.run(epochs=2)
    np.testing.assert_array_equal(a.net.flat, b.net.flat)
    assert not np.array_equal(a.net.flat, c.net.flat)


def test_binary_accuracy_needs_every_output_right():
    ds = Dataset("t", "binary", np.zeros((2, 1)), np.array([[1, 1], [1, 0.0]]),
                 np.zeros((0, 1)), np.zeros((0, 2)))
    t = trainer(ds, hidden=(), out="sigmoid")
    assert t.metric(np.array([[0.9, 0.8], [0.9, 0.6]]), ds.y_train) == 0.5
    assert t.metric(np.array([[0.9, 0.8], [0.9, 0.4]]), ds.y_train) == 1.0
    assert np.isnan(t.metrics["test_metric"])


def test_binary_threshold_is_the_midpoint_of_the_targets():
    x = np.zeros((2, 1))
    ds = Dataset("t", "binary", x, np.array([[1.0], [-1.0]]), x, np.array([[1.0], [-1.0]]),
                 negative=-1.0, positive=1.0)
    t = trainer(ds, hidden=(), out="tanh", loss="mse")
    assert t.threshold == 0.0
    assert t.metric(np.array([[0.1], [-0.1]]), ds.y_train) == 1.0
    ds01 = Dataset("t", "binary", x, np.array([[1.0], [0.0]]), x, np.array([[1.0], [0.0]]))
    th = trainer(ds01, hidden=(), out="tanh", loss="hinge")  # 0/1 targets read as ±1
    assert th.threshold == 0.0 and th.y_train.min() == -1.0


def test_multiclass_accuracy_and_regression_r2():
    y = np.eye(3)[[0, 1, 2, 1]]
    ds = Dataset("m", "multiclass", np.zeros((4, 2)), y, np.zeros((4, 2)), y)
    t = trainer(ds, hidden=(), out="softmax")
    assert t.loss.name == "ce"
    a = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.5, 0.2, 0.3], [0.1, 0.8, 0.1]])
    assert t.metric(a, y) == 0.75
    yr = np.array([[1.0], [2.0], [3.0], [4.0]])
    dr = Dataset("r", "regression", np.zeros((4, 1)), yr, np.zeros((4, 1)), yr)
    tr = trainer(dr, hidden=(), out="identity")
    assert tr.metric(yr, yr) == 1.0 and tr.metric(np.full((4, 1), 2.5), yr) == 0.0
    assert tr.metric_name == "R²"


def test_mismatched_dataset_is_refused():
    with pytest.raises(ValueError, match="inputs"):
        core.Trainer(core.Network.build(3, [], (1, "sigmoid")), circles())


def test_penalty_is_reported_separately():
    t = trainer(l2=0.1, batch_size=30)
    t.step()
    W = t.net.flat[t.net.weight_mask]
    assert t.history.penalty[-1] == pytest.approx(0.5 * 0.1 * (W @ W))
    t.l2 = 0.0
    t.step()
    assert t.history.penalty[-1] == 0.0


def regression_set(n=40) -> Dataset:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2))
    y = (x[:, :1] * 3 + 1) * 10
    return Dataset("r", "regression", x, y, x, y)


def test_divergence_raises_and_keeps_the_last_finite_parameters():
    ds = regression_set()
    net = core.Network.build(2, [(16, "relu")] * 4, (1, "identity"), seed=0, init="he_normal")
    t = core.Trainer(net, ds, loss="mse", lr=50.0, batch_size=40)
    snapshots = []
    with pytest.raises(core.TrainingDiverged) as info:
        for _ in range(100):
            snapshots.append(net.flat.copy())
            t.step()
    err = info.value
    assert err.step == t.step_count + 1 == len(snapshots)
    assert 0 <= err.layer < len(net.layers) and err.layer_name in str(err)
    assert f"step {err.step}" in str(err) and "learning rate" in str(err)
    np.testing.assert_array_equal(net.flat, snapshots[-1])
    assert np.isfinite(net.flat).all()
    # the failed step did not count, and the trainer is still usable
    assert t.step_count == err.step - 1
    net.flat[...] = snapshots[0]
    t.lr = 1e-4
    t.step()
    assert t.step_count == err.step


def test_divergence_of_a_sigmoid_net_with_mse():
    ds = regression_set()
    net = core.Network.build(2, [(8, "sigmoid")], (1, "identity"), seed=0)
    t = core.Trainer(net, ds, loss="mse", lr=50.0, batch_size=40)
    with pytest.raises(core.TrainingDiverged) as info:
        t.run(steps=200)
    assert np.isfinite(net.flat).all() and info.value.step <= 200


@settings(max_examples=15)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 12),
       opt=st.sampled_from(["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"]),
       batch=st.integers(1, 40), hidden=st.sampled_from(["tanh", "relu", "rrelu", "prelu"]))
def test_same_seeds_give_identical_parameters(seed, steps, opt, batch, hidden):
    def run():
        ds = circles(n=40, seed=3)
        net = core.Network.build(2, [(5, hidden)], (1, "sigmoid"), seed=seed % 1000)
        t = core.Trainer(net, ds, optimizer=opt, lr=0.05, batch_size=batch, seed=seed)
        t.run(steps=steps)
        return net.flat, t.history.train_loss

    (p1, h1), (p2, h2) = run(), run()
    np.testing.assert_array_equal(p1, p2)
    np.testing.assert_array_equal(h1, h2)


def test_float32_training_path():
    t = trainer(dtype="float32", optimizer="adam", lr=0.05, batch_size=10)
    t.run(epochs=3)
    assert t.net.flat.dtype == np.float32 and t.x_train.dtype == np.float32
    assert all(v.dtype == np.float32 for v in t.optimizer.state.values())
    assert np.isfinite(t.history.train_loss).all()
    assert t.history.train_loss[-1] < t.history.train_loss[0]
