"""Claims the built-in lessons make in their text that are not a step's own goal: each one is
measured here, lesson by lesson, on the same set-ups (``lesson.experiment_for(step)``)."""

from __future__ import annotations

import dataclasses as dc
import math
from itertools import product

import numpy as np
import pytest

import core
import core.lessons as L
from core import activations as acts
from core import losses, optimizers
from core.gradcheck import gradcheck
from core.lessons.record import observe


def exp_of(lesson: str, step: int):
    """The experiment of ``lesson``'s step ``step`` (counted from 1)."""
    return L.get(lesson).experiment_for(step - 1)


def seeded(exp, seed: int):
    return dc.replace(exp, network=dc.replace(exp.network, seed=seed),
                      training=dc.replace(exp.training, seed=seed))


def first_epoch(trainer, column: str, ok) -> int | None:
    e, v = trainer.history.epoch, getattr(trainer.history, column)
    idx = np.flatnonzero(ok(v))
    return int(e[idx[0]]) if idx.size else None


def f(name: str, z, **params):
    return acts.get(name, **params).f(np.atleast_1d(np.asarray(z, dtype=float)))


def df(name: str, z, **params):
    return acts.get(name, **params).df(np.atleast_1d(np.asarray(z, dtype=float)))


# --- tanh-vs-sigmoid --------------------------------------------------------------------------
def test_sigmoid_and_tanh_slopes_and_the_rescaling():
    z = np.linspace(-10, 10, 20001)
    assert df("sigmoid", z).max() == pytest.approx(0.25) and df("sigmoid", 0.0)[0] == 0.25
    assert df("tanh", 0.0)[0] == 1.0
    assert np.allclose(f("tanh", z), 2 * f("sigmoid", 2 * z) - 1)


def per_example_sign_agreement(exp) -> float:
    """Share of (example, unit of layer 2) whose incoming weight gradients share one sign."""
    ds = exp.build_dataset()
    net = exp.build_network(ds)
    agree = []
    for i in range(40):
        _, grads = net.loss_and_gradients(ds.x_train[i:i + 1], ds.y_train[i:i + 1], "bce")
        gw = grads[1][0]  # (8 inputs, 8 units) of layer 2
        nz = np.abs(gw) > 0
        agree += [bool(np.all(gw[nz[:, j], j] > 0) or np.all(gw[nz[:, j], j] < 0))
                  for j in range(gw.shape[1])]
    return float(np.mean(agree))


def test_with_sigmoid_inputs_one_examples_gradients_into_a_unit_share_one_sign():
    assert per_example_sign_agreement(exp_of("tanh-vs-sigmoid", 1)) == 1.0
    assert per_example_sign_agreement(exp_of("tanh-vs-sigmoid", 3)) < 0.2


def test_more_of_the_gradient_reaches_the_first_layer_with_tanh():
    for seed in range(3):
        ratios = []
        for step in (1, 3):
            t = seeded(exp_of("tanh-vs-sigmoid", step), seed).build_trainer()
            t.run(epochs=1)
            g = t.history.grad_norm_w[-1]
            ratios.append(g[0] / g[-1])
        assert ratios[1] > ratios[0]


# --- relu-speed -------------------------------------------------------------------------------
def test_a_relu_network_is_piecewise_linear():
    t = exp_of("relu-speed", 2).build_trainer()
    t.run(epochs=20)
    s = np.linspace(-5, 5, 4001)
    x = np.column_stack([s, 0.3 * s + 0.5])
    z, _ = t.outputs(np.asarray(t.dataset.prepare(x), dtype=float))
    second = np.abs(np.diff(z[:, 0], 2))
    kinks = second > 1e-9 * max(1.0, float(np.abs(z).max()))
    assert kinks.mean() < 0.02  # straight between a few kinks


# --- dying-relu -------------------------------------------------------------------------------
def test_the_circles_are_balanced_so_one_answer_scores_half():
    ds = exp_of("dying-relu", 1).build_dataset()
    assert ds.y_test.mean() == pytest.approx(0.5, abs=0.02)


def test_at_the_presets_learning_rate_no_relu_unit_dies():
    exp = core.presets.get("circles-relu").experiment
    for seed in range(5):
        t = seeded(exp, seed).build_trainer()
        t.run(epochs=50)
        assert all(l.dead_units == 0 for l in t.snapshot(grid=0).layers)


def test_prelu_at_the_presets_rate_often_diverges_from_biases_of_minus_six():
    exp = exp_of("dying-relu", 8)
    exp = dc.replace(exp, training=dc.replace(exp.training, lr=0.3))
    diverged = 0
    for seed in range(5):
        try:
            seeded(exp, seed).build_trainer().run(epochs=100)
        except core.TrainingDiverged:
            diverged += 1
    assert diverged >= 2


def test_rrelu_mean_slope_and_elu_floor():
    assert acts.get("rrelu").mean_slope == pytest.approx((1 / 8 + 1 / 3) / 2) == \
        pytest.approx(0.229, abs=1e-3)
    assert f("elu", -50.0)[0] == pytest.approx(-1.0) and f("elu", -1.0)[0] > -1.0


# --- relu-negative-inputs, output-layers, negative-targets ------------------------------------
def test_each_circles_input_is_negative_about_half_the_time():
    ds = exp_of("relu-negative-inputs", 1).build_dataset()
    assert np.all(np.abs((ds.raw_train < 0).mean(axis=0) - 0.5) < 0.1)


def test_the_sine_targets_lie_within_about_one_point_three():
    ds = exp_of("output-layers", 1).build_dataset()
    y = np.concatenate([ds.y_train, ds.y_test])
    assert 1.0 < np.abs(y).max() < 1.5


def test_no_non_negative_output_can_explain_much_more_than_half_of_the_sine():
    ds = exp_of("negative-targets", 1).build_dataset()
    y = ds.y_test
    best = np.maximum(y, 0.0)  # the best non-negative prediction, point by point
    r2 = 1 - ((y - best) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert r2 < 0.55


# --- softmax-vs-sigmoid -----------------------------------------------------------------------
def test_accuracy_is_the_largest_output_and_two_class_softmax_is_a_sigmoid():
    y = np.eye(3)[[0, 1, 2]]
    a = np.array([[0.9, 0.8, 0.7], [0.1, 0.2, 0.15], [0.1, 0.2, 0.15]])
    assert core.metrics.metric("multiclass", a, y) == pytest.approx(2 / 3)
    z = np.random.default_rng(0).normal(size=(50, 2)) * 5
    soft = acts.get("softmax").f_vector(z)
    assert np.allclose(soft[:, 0], f("sigmoid", z[:, 0] - z[:, 1]))


def test_cross_entropy_on_the_logits_gives_a_minus_y():
    z = np.random.default_rng(1).normal(size=(6, 3))
    y = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    _, a, delta = losses.get("ce").fused(z, y)
    assert np.allclose(delta, (a - y) / 6)
    zb = np.random.default_rng(2).normal(size=(6, 1))
    yb = (zb > 0.3).astype(float)
    _, ab, db = losses.get("bce").fused(zb, yb)
    assert np.allclose(db, (ab - yb) / 6)
    _, g = losses.get("mse").value_grad(ab, yb)
    assert np.allclose(g * ab * (1 - ab), (ab - yb) * df("sigmoid", zb[:, 0])[:, None] / 6)


# --- xor and step-and-window ------------------------------------------------------------------
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR = np.array([0, 1, 1, 0])


def test_no_single_line_gets_all_four_xor_points():
    grid = np.linspace(-3, 3, 25)
    best = max(((X @ np.array([w1, w2]) + b >= 0).astype(int) == XOR).sum()
               for w1, w2, b in product(grid, grid, grid))
    assert best == 3


def test_one_window_unit_computes_xor_and_step_and_window_are_flat():
    net = core.Network.build(2, [], (1, ("window", {"a": 1.0, "b": 0.5})), seed=0)
    net.layers[0].W[...] = 1.0
    net.layers[0].b[...] = 0.0
    assert np.array_equal(net.forward_all(X)[-1][1][:, 0], XOR)
    z = np.linspace(-3, 3, 601)
    assert not df("step", z).any() and not df("window", z, a=1.0, b=0.5).any()


# --- scaled-tanh ------------------------------------------------------------------------------
def test_lecun_tanh_numbers():
    assert f("tanh", 3.0)[0] == pytest.approx(0.995, abs=5e-4)
    assert df("tanh", 3.0)[0] == pytest.approx(0.0099, abs=1e-4)
    lo, hi = acts.get("lecun_tanh").info.output_range
    assert (lo, hi) == pytest.approx((-1.7159, 1.7159))
    z = np.linspace(0, 5, 50001)
    peak = z[np.argmax(np.abs(acts.get("lecun_tanh").d2f(z)))]
    assert peak == pytest.approx(1.0, abs=0.02)


def test_plain_tanh_outputs_leave_several_seeds_short_of_every_digit_by_300_epochs():
    short = 0
    for seed in range(10):
        t = seeded(exp_of("scaled-tanh", 3), seed).build_trainer()
        t.run(epochs=300)
        short += first_epoch(t, "train_metric", lambda v: v >= 1.0) is None
    assert short >= 3


# --- derivative-at-z --------------------------------------------------------------------------
def test_sigma_prime_of_a_is_about_twice_the_right_value_and_a_bug_shows_in_a_check():
    a = f("sigmoid", 2.0)[0]
    assert df("sigmoid", a)[0] / df("sigmoid", 2.0)[0] == pytest.approx(2.0, abs=0.05)
    # a 2-2-1 sigmoid network's backward pass written out, once right and once with σ′(a)
    exp = exp_of("derivative-at-z", 4)
    ds = exp.build_dataset()
    net = exp.build_network(ds)
    (W1, b1), (W2, b2) = [(l.W.copy(), l.b.copy()) for l in net.layers]
    x, y = ds.x_train, ds.y_train
    sig = acts.get("sigmoid")

    def loss(flat):
        w1, c1, w2, c2 = flat[:4].reshape(2, 2), flat[4:6], flat[6:8].reshape(2, 1), flat[8:]
        a2 = sig.f(sig.f(x @ w1 + c1) @ w2 + c2)
        return 0.5 * ((a2 - y) ** 2).sum() / len(x)

    def backprop(buggy: bool):
        z1 = x @ W1 + b1
        a1 = sig.f(z1)
        z2 = a1 @ W2 + b2
        a2 = sig.f(z2)
        d2 = (a2 - y) / len(x) * (sig.df(a2) if buggy else sig.df(z2))
        d1 = d2 @ W2.T * (sig.df(a1) if buggy else sig.df(z1))
        return np.concatenate([(x.T @ d1).ravel(), d1.sum(0), (a1.T @ d2).ravel(), d2.sum(0)])

    flat = np.concatenate([W1.ravel(), b1, W2.ravel(), b2])
    h = 1e-6
    num = np.array([(loss(flat + h * e) - loss(flat - h * e)) / (2 * h) for e in np.eye(9)])

    def rel(g):
        return np.linalg.norm(g - num) / (np.linalg.norm(g) + np.linalg.norm(num))

    assert rel(backprop(False)) < 1e-6 and rel(backprop(True)) > 1e-2


# --- relu-at-zero and gradient-check ----------------------------------------------------------
def test_on_the_kink_only_the_hidden_biases_disagree():
    exp = exp_of("relu-at-zero", 3)
    ds = exp.build_dataset()
    net = exp.build_network(ds)
    res = gradcheck(net, ds.x_train[:4], ds.y_train[:4], exp.training.loss)
    assert res.per_layer[-1] < 1e-6
    analytic = net.grad_flat.copy()
    sl = net.layer_slices()[0]
    flat, h = net.flat, 1e-6
    for i in range(sl.start, sl.stop):
        old = flat[i]
        flat[i] = old + h
        up = net.loss(ds.x_train[:4], ds.y_train[:4], exp.training.loss, train=True)
        flat[i] = old - h
        down = net.loss(ds.x_train[:4], ds.y_train[:4], exp.training.loss, train=True)
        flat[i] = old
        bias = i - sl.start >= net.layers[0].W.size
        assert (abs((up - down) / (2 * h) - analytic[i]) > 1e-6) == bias, i


def test_gradient_check_lesson_numbers():
    ds = exp_of("gradient-check", 1).build_dataset()
    assert exp_of("gradient-check", 1).build_network(ds).n_params == 105
    assert np.finfo(np.float32).precision == 6  # about 7 significant digits (eps ≈ 1.2e-7)
    exp = exp_of("gradient-check", 4)
    ds = exp.build_dataset()
    net = exp.build_network(ds)
    _, grads = net.loss_and_gradients(ds.x_train[:4], ds.y_train[:4], exp.training.loss)
    assert np.linalg.norm(grads[0][0]) < 1e-3 * np.linalg.norm(grads[-1][0])


# --- saturated-outputs, cross-entropy, log-of-zero, sigmoid-in-the-loss -----------------------
def test_momentum_moves_ten_times_as_far_on_a_steady_slope_and_cancels_flips():
    mask = np.ones(1, dtype=bool)
    opt = optimizers.make("momentum", 1, np.float64, mask, lr=0.1, momentum=0.9)
    p = np.zeros(1)
    for _ in range(200):
        before = p.copy()
        opt.step(p, np.ones(1))
    assert (before - p)[0] == pytest.approx(0.1 * 10, rel=1e-6)
    opt = optimizers.make("momentum", 1, np.float64, mask, lr=0.1, momentum=0.9)
    for k in range(200):
        before = p.copy()
        opt.step(p, np.array([(-1.0) ** k]))
    assert abs((before - p)[0]) < 0.1


def test_targets_of_0_9_and_the_clamp_and_the_logits():
    z = math.atanh(0.9)
    assert z == pytest.approx(1.47, abs=0.005) and df("tanh", z)[0] == pytest.approx(0.19)
    bce = losses.get("bce")
    assert bce.value(np.array([[0.0]]), np.array([[1.0]])) == pytest.approx(-math.log(1e-7))
    assert -math.log(1e-7) == pytest.approx(16.1, abs=0.05)
    assert f("sigmoid", 40.0)[0] == 1.0 and math.exp(-40) == pytest.approx(4.25e-18, rel=1e-2)
    assert bce.fused_value(np.array([[40.0]]), np.array([[0.0]])) == pytest.approx(40.0)
    with np.errstate(divide="ignore"):
        assert -np.log(1.0 - f("sigmoid", 40.0)[0]) == np.inf
    _, a, delta = bce.fused(np.array([[40.0]]), np.array([[0.0]]))
    assert delta[0, 0] == pytest.approx(1.0)


def test_stuck_relu_outputs_lose_most_of_their_loss_to_clamped_points():
    t = exp_of("log-of-zero", 1).build_trainer()
    t.run(epochs=30)
    _, a = t.outputs(t.x_train)
    p = np.clip(a, 1e-7, 1 - 1e-7)
    y = t.y_train
    per = -(y * np.log(p) + (1 - y) * np.log1p(-p))
    clamped = (a <= 1e-7) | (a >= 1 - 1e-7)
    assert per[clamped].sum() > 0.5 * per.sum()


def test_a_double_sigmoid_squeezes_and_keeps_a_loss():
    z = np.linspace(-50, 50, 10001)
    twice = f("sigmoid", f("sigmoid", z))
    assert twice.min() >= 0.5 and twice.max() <= f("sigmoid", 1.0)[0] + 1e-12
    assert -math.log(1 - 0.5) == pytest.approx(math.log(2))  # a class-0 point's least loss


# --- vanishing and exploding gradients --------------------------------------------------------
def test_ten_sigmoid_layers_give_about_a_millionth():
    assert 0.25 ** 10 == pytest.approx(9.5e-7, rel=0.01)
    for seed in range(3):
        t = seeded(exp_of("vanishing-gradients", 2), seed).build_trainer()
        t.run(epochs=2)
        g = t.history.grad_norm_w[-1]
        assert 1e-7 < g[0] / g[-1] < 1e-5


def test_he_weights_push_sigmoid_z_further_out():
    def snap(step):
        return exp_of("vanishing-gradients", step).build_trainer().snapshot(grid=0)

    xavier, he = snap(2), snap(4)
    assert all(h.z_std > x.z_std for h, x in zip(he.layers[:-1], xavier.layers[:-1]))


def test_without_batch_norm_the_six_sigmoid_layers_stay_at_chance():
    exp = exp_of("vanishing-gradients", 8)
    off = dc.replace(exp, network=dc.replace(exp.network, batchnorm=False))
    t = off.build_trainer()
    t.run(epochs=30)
    assert t.history.test_metric[-1] <= 0.55


def test_identity_layers_with_he_weights_grow_the_signal():
    for seed in range(3):
        s = seeded(exp_of("exploding-gradients", 1), seed).build_trainer().snapshot(grid=0)
        assert 5 < s.layers[9].z_std / s.layers[0].z_std < 60


def test_clipping_rescales_the_gradient_to_its_largest_norm():
    opt = optimizers.make("sgd", 2, np.float64, np.ones(2, dtype=bool), lr=1.0, clip_norm=1.0)
    p = np.zeros(2)
    opt.step(p, np.array([30.0, 40.0]))
    assert np.allclose(p, [-0.6, -0.8])


# --- input-normalization, batch-size, momentum-and-adam ---------------------------------------
def test_the_wine_features_and_their_standardization():
    ds = exp_of("input-normalization", 1).build_dataset()
    x = np.concatenate([ds.x_train, ds.x_test])
    assert x.min() == pytest.approx(0.13) and x.max() == pytest.approx(1680)
    assert ds.input_names[-1] == "proline" and x[:, -1].min() >= 100
    std = exp_of("input-normalization", 3).build_dataset()
    assert np.allclose(std.x_train.mean(0), 0, atol=1e-9)
    assert np.allclose(std.x_train.std(0), 1, atol=1e-9)
    assert not np.allclose(std.x_test.mean(0), 0, atol=1e-6)  # scaled with the train numbers


def test_online_and_mini_batches_need_about_as_many_updates():
    for seed in range(3):
        updates = []
        for step in (2, 3):
            t = seeded(exp_of("batch-size", step), seed).build_trainer()
            t.run(epochs=40 if step == 2 else 8)
            e = first_epoch(t, "train_loss", lambda v: v < 0.2)
            updates.append(e * t.steps_per_epoch)
        assert max(updates) < 2 * min(updates)


def test_rmsprop_evens_out_gradient_scales_adam_starts_at_lr_and_momentum_wins_here():
    mask = np.ones(2, dtype=bool)
    for name in ("rmsprop", "adam"):
        opt = optimizers.make(name, 2, np.float64, mask, lr=0.01)
        p = np.zeros(2)
        opt.step(p, np.array([1e-3, 1.0]))
        if name == "adam":
            assert np.allclose(p, -0.01)
        for _ in range(20):
            opt.step(p, np.array([1e-3, 1.0]))
        assert 0.5 < p[0] / p[1] < 2
    for seed in range(3):
        epochs = []
        for step in (3, 5):
            t = seeded(exp_of("momentum-and-adam", step), seed).build_trainer()
            t.run(epochs=30)
            epochs.append(first_epoch(t, "train_loss", lambda v: v < 0.1))
        assert epochs[0] < epochs[1]


# --- initialization ---------------------------------------------------------------------------
def test_equal_starting_weights_stay_equal_and_one_unit_per_layer_cannot_draw_a_circle():
    t = exp_of("initialization", 3).build_trainer()
    t.run(epochs=50)
    for w, _ in t.net.params[:-1]:
        assert np.allclose(w, w[:, :1])
    exp = exp_of("initialization", 4)
    thin = dc.replace(exp, network=dc.replace(exp.network, hidden=tuple(
        dc.replace(h, units=1) for h in exp.network.hidden)))
    t = thin.build_trainer()
    t.run(epochs=100)
    assert t.history.test_metric.max() < 0.75


def test_xavier_variance_and_its_shrinking_relu_signal():
    rng = np.random.default_rng(0)
    w = core.initializers.initialize("xavier_uniform", rng, 300, 500)
    assert w.var() == pytest.approx(2 / 800, rel=0.05)
    s = exp_of("initialization", 5).build_trainer().snapshot(grid=0)
    assert (s.layers[9].a_std / s.layers[0].a_std) ** 2 < 0.05


# --- threshold-output, batchnorm, relu-variants -----------------------------------------------
def test_after_a_hundred_percent_the_outputs_keep_moving_away_from_one_half():
    for seed in range(3):
        t = seeded(exp_of("threshold-output", 3), seed).build_trainer()
        assert t.threshold == 0.5
        t.run(epochs=1)
        while t.metrics["train_metric"] < 1.0:
            t.run(epochs=1)
        assert 0.1 < t.metrics["train_loss"] < 0.25
        margin = np.abs(t.outputs(t.x_train)[1] - 0.5).mean()
        t.run(epochs=200 - t.epoch)
        assert np.abs(t.outputs(t.x_train)[1] - 0.5).mean() > margin


def test_snapshots_are_in_evaluation_mode_and_layer_two_weights_grow():
    t = exp_of("batchnorm", 2).build_trainer()
    t.run(epochs=5)
    s = t.snapshot(grid=0)
    z_eval = t.net.forward_all(t.x_sample, train=False)[1][0]
    assert np.allclose(s.layers[1].z_sample, z_eval)
    t = exp_of("batchnorm", 1).build_trainer()
    w0 = np.linalg.norm(t.net.layers[1].W)
    t.run(epochs=50)
    assert np.linalg.norm(t.net.layers[1].W) > w0


def test_relu_inputs_to_layer_two_all_have_one_sign():
    t = exp_of("relu-variants", 2).build_trainer()
    t.run(epochs=1)
    assert observe(t.snapshot(grid=0)).same_sign[1] == 1.0


# --- more numbers the lesson texts give -------------------------------------------------------
def test_a_large_learning_rate_kills_hidden_two_and_leaves_chance_accuracy():
    for seed in range(5):
        t = seeded(exp_of("dying-relu", 4), seed).build_trainer()
        t.run(epochs=10)
        assert t.history.test_metric[-1] <= 0.55


def test_sigmoid_outputs_can_say_yes_to_two_species_or_to_none():
    t = exp_of("softmax-vs-sigmoid", 1).build_trainer()
    t.run(epochs=10)
    yes = (t.outputs(np.concatenate([t.x_train, t.x_test]))[1] > 0.5).sum(axis=1)
    assert (yes != 1).any()


def test_the_float32_check_is_near_a_tenth_and_a_saturated_run_stays_stuck():
    exp = exp_of("gradient-check", 2)
    ds = exp.build_dataset()
    err = gradcheck(exp.build_network(ds), ds.x_train[:4], ds.y_train[:4], "bce").max_error
    assert 0.03 < err < 0.3
    stuck = still = 0
    for seed in range(10):
        t = seeded(exp_of("saturated-outputs", 1), seed).build_trainer()
        t.run(epochs=300)
        if t.history.train_metric[-1] < 1.0:
            stuck += 1
            t.run(epochs=700)
            still += t.history.train_metric[-1] < 1.0
    assert stuck >= 3 and still >= stuck / 2  # training longer helps little


def test_stuck_relu_outputs_include_values_above_one():
    above = 0
    for seed in range(10):
        t = seeded(exp_of("log-of-zero", 1), seed).build_trainer()
        t.run(epochs=30)
        above += bool((t.outputs(t.x_train)[1] > 1.0).any())
    assert above >= 5


def test_batch_norm_keeps_sigmoid_z_where_the_slope_is_large():
    for step in (4,):
        t = exp_of("batchnorm", step).build_trainer()
        t.run(epochs=30)
        s = t.snapshot(grid=0)
        z = s.layers[5].z_sample
        assert df("sigmoid", z.ravel()).mean() > 0.15
        assert all(l.frac_saturated < 0.01 for l in s.layers[:-1])


def test_a_thresholded_output_stays_near_chance():
    t = exp_of("threshold-output", 1).build_trainer()
    t.run(epochs=20)
    assert 0.4 <= t.history.test_metric.min() and t.history.test_metric.max() <= 0.6
