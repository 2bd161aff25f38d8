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
    assert (a.timeline.seen, len(a.timeline)) == (b.timeline.seen, len(b.timeline))
    for k in ("step", "epoch", "test_loss", "grad_norm_w", "update_ratio", "z_percentiles",
              "a_percentiles"):
        np.testing.assert_array_equal(getattr(a.timeline, k), getattr(b.timeline, k),
                                      err_msg=f"timeline.{k}")
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


def _one_more_timeline_row(meta, arrays):
    """A timeline consistent in itself, one row ahead of the history."""
    tl = meta["timeline"]
    tl["seen"] += tl["stride"]
    tl["n"] += 1
    arrays.update({k: np.concatenate([v, v[-1:]]) for k, v in arrays.items()
                   if k.startswith("timeline.")})


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
        (lambda m, a: m["timeline"].__setitem__("n", 2), "timeline's counters"),
        (lambda m, a: m["timeline"].__setitem__("seen", 99), "timeline's counters"),
        (lambda m, a: m["timeline"].__setitem__("n_layers", 5), "another number of layers"),
        (lambda m, a: m["timeline"].__setitem__("cap", "big"), "timeline's cap"),
        (lambda m, a: m["timeline"].__setitem__("has_tail", True), "timeline's counters"),
        (lambda m, a: m.__setitem__("timeline", []), "'timeline'"),
        (lambda m, a: a.__setitem__("timeline.z_percentiles", a["timeline.z_percentiles"][:, :2]),
         "timeline column 'z_percentiles'"),
        (lambda m, a: a.pop("timeline.step"), "timeline column 'step'"),
        (lambda m, a: a["timeline.update_ratio"].__setitem__((0, 0), np.inf), "infinite"),
        (lambda m, a: a["timeline.step"].__setitem__(0, -5), "not a count that grows"),
        (lambda m, a: a["timeline.epoch"].__setitem__(0, np.nan), "not a count that grows"),
        (lambda m, a: _one_more_timeline_row(m, a), "match the saved history"),
        (lambda m, a: m.pop("timeline"), "timeline arrays but no timeline section"),
    ],
)
def test_bad_states_are_refused_with_one_clear_sentence(change, fragment):
    meta, arrays, ds = corrupt(change)
    with pytest.raises(ValueError) as info:
        core.restore_trainer(meta, arrays, ds)
    assert fragment in str(info.value)


def test_a_state_saved_without_a_timeline_gets_one_from_its_history():
    """Files written before timelines were saved: the losses and gradient norms of every
    epoch come back (the rest is NaN), and the timeline goes on from there."""
    t, ds = make()
    t.run(epochs=4)
    meta, arrays = round_trip(*core.trainer_state(t))
    del meta["timeline"]
    for k in [k for k in arrays if k.startswith("timeline.")]:
        del arrays[k]
    restored = core.restore_trainer(meta, arrays, ds)
    tl = restored.timeline
    np.testing.assert_array_equal(tl.step, t.history.step)  # every epoch of the history
    np.testing.assert_array_equal(tl.grad_norm_w, t.history.grad_norm_w)
    assert np.isnan(tl.update_ratio).all() and np.isnan(tl.a_percentiles).all()
    restored.run(epochs=2)
    assert len(restored.timeline) == 7 and np.isfinite(restored.timeline.z_percentiles[-2:]).all()


def test_another_dataset_is_refused():
    t, _ = make()
    other = core.datasets.load("circles", n=60, seed=1, standardize=True)
    with pytest.raises(ValueError, match="training rows"):
        core.restore_trainer(*core.trainer_state(t), other)
