"""An exploding run is stopped as a divergence before anything overflows: the loss far above
its start or the weights' norm past the stated limit (see ``core.TrainingDiverged``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import core
import core.presets
from core.archive import capture
from core.datasets import Dataset
from core.state import restore_trainer, trainer_state
from core.trainer import LOSS_GROWTH, NORM_LIMIT


def relu_trainer(lr: float) -> core.Trainer:
    """The issue's network: four ReLU layers of 16 on circles, BCE, SGD, He init."""
    ds = core.datasets.load("circles", seed=0)
    net = core.Network.build(2, [(16, "relu")] * 4, (1, "sigmoid"), seed=0, init="he_normal")
    return core.Trainer(net, ds, loss="bce", optimizer="sgd", lr=lr, batch_size=10)


def test_a_rate_of_a_million_stops_at_once_with_step_layer_and_the_last_sane_weights():
    t = relu_trainer(1e6)
    before = t.net.flat.copy()
    with pytest.raises(core.TrainingDiverged) as info:
        t.run(steps=100)
    e = info.value
    assert e.reason == "norm" and e.step == 1 == t.step_count + 1
    assert e.layer_name in str(e) and f"step {e.step}" in str(e)
    assert "exploding" in str(e) and "Lower the learning rate (now 1e+06)" in str(e)
    np.testing.assert_array_equal(t.net.flat, before)  # the weights before the failed step
    # stopped long before an overflow: nothing but the rule would have noticed yet
    assert "inf" not in str(e).lower() and "nan" not in str(e).lower()


def test_a_rate_of_ten_is_stopped_by_the_loss_rule_and_training_can_go_on():
    t = relu_trainer(10.0)
    with pytest.raises(core.TrainingDiverged) as info:
        t.run(steps=100)
    e = info.value
    assert e.reason == "loss growth" and e.step <= 5
    assert f"{LOSS_GROWTH:,.0f} times its starting value" in str(e)
    assert np.isfinite(t.net.flat).all()
    assert math.sqrt(t.net.flat @ t.net.flat) <= t.norm_limit
    t.lr = 1e-3
    t.run(steps=20)  # the kept weights train on
    assert t.step_count == e.step - 1 + 20


def test_the_rule_in_numbers_the_documented_limits():
    t = relu_trainer(0.01)
    start = t.history.train_loss[0]
    assert t.loss_limit == LOSS_GROWTH * max(1.0, start)
    assert t.norm_limit == NORM_LIMIT  # targets 0/1
    x = np.linspace(-1, 1, 40)[:, None]
    y = 5e4 * x  # regression targets in the tens of thousands: their weights may be as big
    big = core.Trainer(core.Network.build(1, [(4, "tanh")], (1, "identity"), seed=0),
                       Dataset("big", "regression", x, y, x, y), loss="mse", lr=1e-3)
    assert big.norm_limit == NORM_LIMIT * 5e4
    assert big.loss_limit == LOSS_GROWTH * big.history.train_loss[0]


def test_a_restored_trainer_keeps_the_limits_of_its_run():
    t = relu_trainer(0.01)
    t.run(epochs=3)
    meta, arrays = trainer_state(t)
    again = restore_trainer(meta, arrays, t.dataset)
    assert (again.loss_limit, again.norm_limit) == (t.loss_limit, t.norm_limit)
    assert capture(core.presets.get("circles-tanh").experiment, again).trainer_meta


@pytest.mark.parametrize("name", core.presets.names())
def test_no_lesson_trips_the_rule(name):
    """Every lesson trains 100 epochs (or its own limit) far from both limits."""
    exp = core.presets.get(name).experiment
    t = exp.build_trainer()
    epochs = min(exp.training.epoch_limit or 100, 100)
    worst_loss = worst_norm = 0.0
    while t.epoch < epochs:
        worst_loss = max(worst_loss, t.step())
        worst_norm = max(worst_norm, math.sqrt(t.net.flat @ t.net.flat))
    assert worst_loss < t.loss_limit / 100 and worst_norm < t.norm_limit / 1000


@pytest.mark.parametrize("optimizer", ["momentum", "adam", "rmsprop"])
def test_after_a_blown_up_step_the_optimizer_is_as_before_it_too(optimizer):
    """The weights go back to before the step, and so do the moments and the step count:
    going on at a sane rate is then the same as never having taken that step."""
    ds = core.datasets.load("circles", seed=0)

    def make():
        net = core.Network.build(2, [(16, "relu")] * 2, (1, "sigmoid"), seed=0)
        return core.Trainer(net, ds, loss="bce", optimizer=optimizer, lr=0.01, batch_size=10)

    t, twin = make(), make()
    t.run(steps=30)
    twin.run(steps=30)
    t.lr = 1e12
    with pytest.raises(core.TrainingDiverged) as info:
        t.step()
    assert info.value.reason in ("norm", "parameters")
    meta, arrays = t.optimizer.export_state()
    twin_meta, twin_arrays = twin.optimizer.export_state()
    assert meta["t"] == twin_meta["t"] == 30
    for k in arrays:
        np.testing.assert_array_equal(arrays[k], twin_arrays[k])
    t.lr = 0.01
    t.run(steps=20)
    twin.run(steps=20)
    np.testing.assert_array_equal(t.net.flat, twin.net.flat)


def test_undo_step_undoes_one_step_once():
    from core import optimizers

    opt = optimizers.make("adam", 3, np.float64, np.ones(3, bool), lr=0.1)
    p = np.zeros(3)
    opt.undo_step()  # nothing to undo yet: no change, no error
    assert opt.t == 0
    opt.step(p, np.array([1.0, -2.0, 3.0]))
    first = {k: v.copy() for k, v in opt.state.items()}
    opt.step(p, np.array([0.5, 0.5, 0.5]))
    opt.undo_step()
    opt.undo_step()  # a second undo does not go further back
    assert opt.t == 1
    for k, v in first.items():
        np.testing.assert_array_equal(opt.state[k], v)
