"""The trainer's timeline: a row per evaluation, computed from that evaluation, bounded,
independent of when snapshots are taken, and followed exactly from its new rows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core
from core.timeline import PERCENTILES, SampledPercentiles, Timeline, TimelineRows

COLUMNS = ("step", "epoch", "train_loss", "test_loss", "grad_norm_w", "update_ratio",
           "z_percentiles", "a_percentiles")


def trainer(n=80, hidden=((6, "tanh"), (5, "relu")), batch_size=8, **kw):
    """40 training rows, batch 8: an epoch is 5 steps; a timeline row every epoch."""
    ds = core.datasets.load("circles", n=n, seed=1, standardize=True)
    net = core.Network.build(2, list(hidden), (1, "sigmoid"), seed=3)
    return core.Trainer(net, ds, batch_size=batch_size, seed=5,
                        **{"timeline_every": 1, **kw})


def assert_equal(a: Timeline, b: Timeline) -> None:
    assert len(a) == len(b)
    for name in COLUMNS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_a_row_per_evaluation_beside_the_history_row():
    t = trainer()  # 40 training rows, batch 8: an epoch is 5 steps
    t.run(epochs=3)
    tl = t.timeline
    assert len(tl) == 4 and tl.seen == t.history.seen == 4
    np.testing.assert_array_equal(tl.step, [0, 5, 10, 15])
    np.testing.assert_array_equal(tl.epoch, t.history.epoch)
    np.testing.assert_array_equal(tl.train_loss, t.history.train_loss)
    np.testing.assert_array_equal(tl.grad_norm_w, t.history.grad_norm_w)
    assert tl.grad_norm_w.shape == tl.update_ratio.shape == (4, 3)
    assert tl.z_percentiles.shape == tl.a_percentiles.shape == (4, 3, len(PERCENTILES))
    assert (tl.update_ratio[0] == 0).all() and (tl.update_ratio[1:] > 0).all()
    every_other = trainer(evaluate_every=2)
    every_other.run(epochs=4)
    np.testing.assert_array_equal(every_other.timeline.epoch, [0, 2, 4])


@pytest.mark.parametrize("batch_size, every", [(2, 1), (4, 1), (5, 2), (8, 2), (20, 8),
                                               (40, 16), (1000, 16)])
def test_short_epochs_start_with_rows_several_epochs_apart(batch_size, every):
    """A row follows at least TIMELINE_STEPS (10) steps: with an epoch of a step or two, a
    row per epoch would cost a good part of the training time."""
    t = trainer(batch_size=batch_size, timeline_every=None)
    assert t.timeline.every == every
    t.run(epochs=3 * every)
    np.testing.assert_array_equal(t.timeline.epoch, [0, every, 2 * every, 3 * every])
    assert t.timeline.seen == t.history.seen == 3 * every + 1


def test_rows_are_the_evaluations_numbers():
    """Gradient norms and update ratios as the snapshot at that moment has them; percentiles
    exactly np.percentile of a fixed sample of the evaluation's own z and a."""
    t = trainer()
    t.run(epochs=2)
    snap = t.snapshot(grid=None)  # at the epoch end: the same state as the last row
    tl = t.timeline
    np.testing.assert_allclose(tl.grad_norm_w[-1], [l.grad_norm_w for l in snap.layers],
                               rtol=1e-12)
    np.testing.assert_allclose(tl.update_ratio[-1], [l.update_ratio for l in snap.layers],
                               rtol=1e-12)
    n = t.dataset.n_train
    z, a = t.outputs(t._x_all)
    pairs = [(l.z, l.a) for l in t.net.layers[:-1]] + [(z, a)]
    for i, (zi, ai) in enumerate(pairs):
        for k, (values, got) in enumerate(((zi, tl.z_percentiles), (ai, tl.a_percentiles))):
            sample = values[:n].ravel()[t._percentiles.index[2 * i + k]]
            assert sample.size == min(values[:n].size, 501)
            np.testing.assert_allclose(got[-1, i], np.percentile(sample, PERCENTILES),
                                       rtol=1e-12, atol=1e-15)
    # and close to the snapshot's own (2,000-row sample) percentiles
    assert np.abs(tl.z_percentiles[-1, 0, 4] - snap.layers[0].z_percentiles[4]) < 0.5


def test_sampled_percentiles_match_numpy():
    rng = np.random.default_rng(0)
    p = SampledPercentiles([3, 40, 1], rows=50, rng=rng)  # 150 and 50 values: all; 2000: 501
    arrays = [rng.normal(size=(60, 3)), rng.standard_cauchy(size=(60, 40)),
              rng.uniform(size=(50, 1))]
    got = p(arrays)
    for i, a in enumerate(arrays):
        sample = a[:50].ravel()[p.index[i]]
        np.testing.assert_allclose(got[i], np.percentile(sample, PERCENTILES), rtol=1e-13)
    assert [len(i) for i in p.index] == [150, 501, 50]
    arrays[0][0, 0] = np.nan  # a NaN sorts last: it is the maximum, the others stay finite
    got = p(arrays)
    assert np.isnan(got[0, -1]) and np.isfinite(got[0, :-1]).all()
    arrays[0][0, 0] = 0.0
    np.testing.assert_allclose(p(arrays)[0], np.percentile(arrays[0][:50], PERCENTILES))


def test_the_same_seed_gives_the_same_timeline_whenever_frames_are_taken():
    quiet, watched = trainer(), trainer()
    quiet.run(epochs=12)
    rng = np.random.default_rng(1)
    while watched.epoch < 12:
        watched.run(steps=int(rng.integers(1, 9)))
        watched.snapshot(grid=int(rng.choice([0, 8])))  # a frame: forward passes of its own
        watched.timeline.frozen(tail=watched.snapshot(grid=None))
    watched.run(steps=(12 - watched.epoch) * 5 - watched._cursor)
    assert watched.epoch == 12
    assert_equal(quiet.timeline, watched.timeline)


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_copied_trainer_records_the_same_rows(how):
    """The training process gets its trainer pickled: its buffers must not lose the views
    the timeline's maths writes through."""
    import copy
    import pickle

    t = trainer()
    t.run(steps=7)
    other = pickle.loads(pickle.dumps(t)) if how == "pickle" else copy.deepcopy(t)
    t.run(epochs=3)
    other.run(epochs=3)
    assert_equal(other.timeline, t.timeline)
    assert (t.timeline.update_ratio[1:] > 0).all()
    assert np.isfinite(t.timeline.z_percentiles).all()


def test_the_timeline_stays_bounded_and_skipped_rows_are_never_computed():
    t = trainer(timeline_cap=8)
    computed = []
    recorded = t._timeline_row

    def counting(*args):
        computed.append(t.epoch)
        return recorded(*args)

    t._timeline_row = counting
    t.run(epochs=60)
    tl = t.timeline
    assert tl.seen == 61 and len(tl) < 8
    stride = tl._cols.stride
    assert stride == 16 and len(tl) == -(-61 // stride)
    np.testing.assert_array_equal(tl.epoch, np.arange(0, 61, stride))
    assert len(computed) < 20  # 60 evaluations, but rows only where one would be kept
    np.testing.assert_array_equal(tl.epoch, t.history.epoch[::16][: len(tl)])


def test_frozen_copies_are_read_only_and_end_at_the_present():
    t = trainer()
    t.run(epochs=1)
    t.run(steps=2)  # 2 steps into epoch 2: later than the last row
    snap = t.snapshot(grid=None)
    view = t.timeline.frozen(tail=snap)
    np.testing.assert_array_equal(view.step, [0, 5, 7])
    np.testing.assert_array_equal(view.grad_norm_w[-1], [l.grad_norm_w for l in snap.layers])
    np.testing.assert_array_equal(view.a_percentiles[-1], [l.a_percentiles for l in snap.layers])
    assert len(t.timeline) == 2  # the tail is the frame's, never stored
    with pytest.raises(ValueError):
        view.step[0] = 1.0
    with pytest.raises(ValueError, match="frozen"):
        view.append(snap)
    t.run(steps=3)  # at the epoch end the snapshot is the last row: not twice
    np.testing.assert_array_equal(t.timeline.frozen(tail=t.snapshot(grid=None)).step,
                                  [0, 5, 10])
    other = trainer(hidden=((4, "tanh"),)).snapshot(grid=None)  # another shape: left out
    np.testing.assert_array_equal(t.timeline.frozen(tail=other).step, [0, 5, 10])
    assert len(Timeline().frozen()) == 0 and len(Timeline().frozen(tail=snap)) == 1


@settings(max_examples=60, deadline=None)
@given(cap=st.integers(4, 12),
       offers=st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1,
                       max_size=12))
def test_a_copy_follows_from_the_new_rows_whatever_the_timing(cap, offers):
    """Rows offered in bursts (some skipped as the trainer does), the copy catching up after
    each burst: it holds exactly the rows the original holds, decimated the same way."""
    original, copy = Timeline(cap=cap), Timeline()
    count = 0
    for burst, look in offers:
        for _ in range(burst):
            if original.wants_row():
                original.record({"step": count, "epoch": count, "train_loss": 1.0 / (count + 1),
                                 "test_loss": 0.5, "grad_norm_w": [count, 1.0],
                                 "update_ratio": [0.1, 0.2],
                                 "z_percentiles": np.full((2, 9), count),
                                 "a_percentiles": np.zeros((2, 9))})
            else:
                original.skip()
            count += 1
        if look:
            rows = original.rows_since(copy.seen)
            copy.extend(rows)
            assert_equal(copy, original)
    copy.extend(original.rows_since(copy.seen))
    assert_equal(copy, original)
    assert len(original) < cap and original.seen == count
    if count:
        cols = original._cols
        np.testing.assert_array_equal(original.step, np.arange(0, count, cols.stride))


def test_rows_that_do_not_follow_on_are_refused():
    t = trainer()
    t.run(epochs=3)
    copy = Timeline()
    with pytest.raises(ValueError, match="start at row 2, not 0"):
        copy.extend(t.timeline.rows_since(2))
    copy.extend(t.timeline.rows_since(0))
    with pytest.raises(ValueError, match="start at row 0, not 4"):
        copy.extend(t.timeline.rows_since(0))
    rows = t.timeline.rows_since(0)
    with pytest.raises(ValueError, match="do not follow on"):
        Timeline().extend(TimelineRows(0, 4, 1, {**rows.columns, "step": rows.columns["step"][:2]}))
    with pytest.raises(ValueError, match="other columns"):
        Timeline().extend(TimelineRows(0, 4, 1, {**rows.columns, "extra": rows.columns["step"]}))
    with pytest.raises(ValueError, match="has seen 4 rows"):
        t.timeline.rows_since(5)
    assert_equal(copy, t.timeline)


def test_a_timeline_from_an_older_state_is_made_from_its_history():
    t = trainer(history_cap=16)
    t.run(epochs=40)  # the history has decimated (stride 4)
    tl = Timeline.from_history(t.history, cap=8)
    h = t.history
    assert tl.seen == h.seen == 41 and len(tl) < 8
    np.testing.assert_array_equal(tl.epoch, h.epoch[: h.n][:: tl._cols.stride // h.stride])
    np.testing.assert_array_equal(tl.grad_norm_w, h.grad_norm_w[: h.n][:: 2])
    assert np.isnan(tl.update_ratio).all() and np.isnan(tl.z_percentiles).all()
    # and it goes on as the trainer's own would
    for i in range(30):
        tl.record({**{k: i for k in ("step", "epoch", "train_loss", "test_loss")},
                   "grad_norm_w": [1.0] * 3, "update_ratio": [1.0] * 3,
                   "z_percentiles": np.zeros((3, 9)), "a_percentiles": np.zeros((3, 9))}
                  ) if tl.wants_row() else tl.skip()
    assert len(tl) == -(-71 // tl._cols.stride) and len(tl) < 8
