"""Saving and restoring a trainer: bit-for-bit continuation, and clear refusals of bad files."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

import core


def make(optimizer="adam", hidden=((6, "tanh"), (5, "rrelu")), batchnorm=False, **kw):
    ds = core.datasets.load("circles", n=80, seed=1, standardize=True)
    net = core.Network.build(2, list(hidden), (1, "sigmoid"), seed=3, batchnorm=batchnorm)
    args = dict(optimizer=optimizer, lr=0.05, batch_size=7, seed=11, l2=1e-3, clip_norm=5.0)
    args.update(kw)
    return core.Trainer(net, ds, **args), ds


def round_trip(meta, arrays):
    """Through JSON text and an .npz file, as the app will store it."""
    meta = json.loads(json.dumps(meta))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    buf.seek(0)
    with np.load(buf) as f:
        arrays = {k: f[k] for k in f.files}
    return meta, arrays


def assert_same(a, b):
    np.testing.assert_array_equal(a.net.flat, b.net.flat)
    np.testing.assert_array_equal(a.net.grad_flat, b.net.grad_flat)
    for k in a.optimizer.state:
        np.testing.assert_array_equal(a.optimizer.state[k], b.optimizer.state[k])
    assert a.optimizer.t == b.optimizer.t
    for k, v in a.history.copy_arrays().items():
        np.testing.assert_array_equal(v, b.history.copy_arrays()[k], err_msg=k)
    for la, lb in zip(a.net.layers, b.net.layers):
        if la.bn is not None:
            np.testing.assert_array_equal(la.bn.running_mean, lb.bn.running_mean)
            np.testing.assert_array_equal(la.bn.running_var, lb.bn.running_var)
    assert (a.step_count, a.epoch, a._cursor) == (b.step_count, b.epoch, b._cursor)


@pytest.mark.parametrize(
    "opt, hidden, bn",
    [("adam", ((6, "tanh"), (5, "rrelu")), False), ("momentum", ((6, "prelu"),), True),
     ("sgd", ((4, "relu"),), False), ("rmsprop", ((4, "elu"),), False),
     ("nesterov", ((4, "tanh"),), True), ("adamw", ((4, "tanh"),), False)],
)
def test_restore_mid_epoch_continues_bit_for_bit(opt, hidden, bn):
    straight, ds = make(opt, hidden, bn)
    straight.run(steps=23)  # 40 rows, batch 7: stops inside the 4th epoch
    meta, arrays = round_trip(*core.trainer_state(straight))
    restored = core.restore_trainer(meta, arrays, ds)
    assert_same(straight, restored)
    straight.run(steps=31)
    restored.run(steps=31)
    assert_same(straight, restored)
    s1, s2 = straight.snapshot(grid=8), restored.snapshot(grid=8)
    for a, b in zip(s1.layers, s2.layers):
        np.testing.assert_array_equal(a.z_hist.edges, b.z_hist.edges)
        assert a.update_ratio == b.update_ratio


def test_settings_survive_and_can_change_after_restore():
    t, ds = make()
    t.run(steps=3)
    t.lr = 0.2
    t.batch_size = 40  # full batch from the next epoch on
    t.run(epochs=2)
    restored = core.restore_trainer(*core.trainer_state(t), ds)
    assert (restored.lr, restored.batch_size, restored.l2, restored.clip_norm) == (
        0.2, 40, 1e-3, 5.0)
    t.run(steps=4)
    restored.run(steps=4)
    assert_same(t, restored)


def test_meta_is_json_text():
    t, _ = make()
    t.run(steps=2)
    meta, arrays = core.trainer_state(t)
    assert json.loads(json.dumps(meta, allow_nan=False)) == meta
    assert all(isinstance(v, np.ndarray) for v in arrays.values())


def corrupt(change):
    t, ds = make()
    t.run(steps=5)
    meta, arrays = round_trip(*core.trainer_state(t))
    change(meta, arrays)
    return meta, arrays, ds


@pytest.mark.parametrize(
    "change, fragment",
    [
        (lambda m, a: a.__setitem__("flat", a["flat"][:-1]), "'flat'"),
        (lambda m, a: a.__setitem__("flat", a["flat"].astype(np.float32)), "dtype"),
        (lambda m, a: a["flat"].__setitem__(0, np.inf), "inf or NaN"),
        (lambda m, a: a.pop("optimizer.exp_avg"), "exp_avg"),
        (lambda m, a: a["perm"].__setitem__(0, a["perm"][1]), "permutation"),
        (lambda m, a: m["trainer"].__setitem__("cursor", 10**9), "cursor"),
        (lambda m, a: m["trainer"].__setitem__("batch_size", "many"), "batch_size"),
        (lambda m, a: m["network"]["hidden"].append({"units": 10**7, "activation": "relu"}),
         "units"),
        (lambda m, a: m["network"]["output"].__setitem__("activation", "nope"), "unknown"),
        (lambda m, a: m["rng"].__setitem__("shuffle", {"bit_generator": "MT19937"}), "PCG64"),
        (lambda m, a: m.__setitem__("optimizer", "adam"), "optimizer"),
        (lambda m, a: m.__setitem__("format", 99), "format"),
        (lambda m, a: m["optimizer"].__setitem__("name", "lion"), "unknown"),
        (lambda m, a: m["history"].__setitem__("n", -1), "history"),
        (lambda m, a: m["optimizer"].__setitem__("lr", float("nan")), "'lr'"),
    ],
)
def test_bad_states_are_refused_with_one_clear_sentence(change, fragment):
    meta, arrays, ds = corrupt(change)
    with pytest.raises(ValueError) as info:
        core.restore_trainer(meta, arrays, ds)
    assert fragment in str(info.value)


def test_another_dataset_is_refused():
    t, _ = make()
    other = core.datasets.load("circles", n=60, seed=1, standardize=True)
    with pytest.raises(ValueError, match="training rows"):
        core.restore_trainer(*core.trainer_state(t), other)
