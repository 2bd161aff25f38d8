"""Learning tests that can fail: the classic exercises must actually be learned."""

from __future__ import annotations

import numpy as np

import core


def train(ds, hidden, out, epochs, seed=0, init="xavier_uniform", **kw):
    net = core.Network.build(ds.n_inputs, hidden, (ds.n_outputs, out), seed=seed, init=init)
    t = core.Trainer(net, ds, seed=seed, **kw)
    t.run(epochs=epochs)
    return t


def test_xor_2_4_1_tanh_is_solved_for_at_least_9_of_10_seeds():
    ds = core.datasets.load("xor")
    solved = 0
    for seed in range(10):
        t = train(ds, [(4, "tanh")], "sigmoid", 1000, seed=seed, loss="bce", optimizer="sgd",
                  lr=0.5, batch_size=4)
        solved += t.metrics["train_metric"] == 1.0
    assert solved >= 9


def test_circles_2_8_8_1_tanh_reaches_95_percent_on_the_test_set():
    ds = core.datasets.load("circles", n=500, seed=0, standardize=True)
    t = train(ds, [(8, "tanh"), (8, "tanh")], "sigmoid", 60, loss="bce", lr=0.03, batch_size=10)
    assert t.metrics["test_metric"] >= 0.95
    assert t.history.train_loss[-1] < 0.5 * t.history.train_loss[0]


def test_seven_segment_decoder_gets_all_ten_digits_right():
    ds = core.datasets.load("seven_segment", targets="pm1")
    assert ds.n_train == 10 and ds.n_outputs == 7
    t = train(ds, [(20, "tanh")], "tanh", 1000, loss="mse", lr=0.1, batch_size=10)
    a = t.net.forward(ds.x_train)
    np.testing.assert_array_equal(np.sign(a), ds.y_train)  # all 7 segments of every digit
    assert t.metrics["train_metric"] == 1.0


def test_digits_relu_softmax_reaches_95_percent_on_the_test_set():
    ds = core.datasets.load("digits", seed=0, standardize=True, test_fraction=0.25)
    t = train(ds, [(128, "relu")], "softmax", 10, init="he_normal", loss="ce",
              optimizer="adam", lr=0.003, batch_size=32, l2=1e-3)
    assert t.metrics["test_metric"] >= 0.95
    s = t.snapshot(grid=None)
    assert np.trace(s.confusion) / s.confusion.sum() == t.metrics["test_metric"]


def test_a_ten_layer_sigmoid_net_has_vanishing_gradients_and_relu_does_not():
    ds = core.datasets.load("circles", n=500, seed=0, standardize=True)

    def ratio(act, init):
        net = core.Network.build(2, [(16, act)] * 10, (1, "sigmoid"), seed=0, init=init)
        t = core.Trainer(net, ds, lr=0.1, batch_size=32)
        t.step()
        g = [np.linalg.norm(l.grad_w) for l in net.layers]
        return g[0] / g[-1]

    assert ratio("sigmoid", "xavier_uniform") < 1e-3
    assert ratio("relu", "he_normal") > 1e-2
