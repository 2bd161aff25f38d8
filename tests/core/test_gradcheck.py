"""Backprop against central differences: every activation × every loss, PReLU α, BatchNorm.

Each network is small (3-4-3-k) and float64. Inputs are random; a seed is chosen so that no
pre-activation lies within 1e-3 of a kink of its activation (nor a loss kink), because there
the central difference averages the two one-sided slopes and must disagree.
"""

from __future__ import annotations

import numpy as np
import pytest

import core
from core import activations
from core.activations.sigmoids import Sigmoid
from core.activations.softmax import Softmax

TOL = 1e-6
ROWS = 5
ZERO_DERIVATIVE = {"step", "sign", "window"}  # f′ = 0 wherever it exists: nothing to check


class PlainSigmoid(Sigmoid):
    """The sigmoid under another name, so BCE takes its clamped, non-fused path."""

    name = "sigmoid_unfused"


class PlainSoftmax(Softmax):
    """Softmax under another name, so CE goes through the vector-Jacobian product."""

    name = "softmax_unfused"


def hidden_names():
    names = []
    for n in activations.names():
        act = activations.get(n)
        if n in ZERO_DERIVATIVE or act.vector:
            continue
        names.append(n)
    return names


def test_the_zero_derivative_skips_really_have_zero_derivative():
    z = np.linspace(-3, 3, 101) + 0.013
    for n in ZERO_DERIVATIVE & set(activations.names()):
        assert not activations.get(n).df(z).any(), n


def kinks(act) -> list[float]:
    try:
        return [k.x for k in act.info.kinks]
    except Exception:
        return []


def far_from_kinks(net, x, y, loss) -> bool:
    zs_as = net.forward_all(x, train=True, rng=np.random.default_rng(0))
    for layer, (z, _) in zip(net.layers, zs_as):
        for k in kinks(layer.act):
            if np.abs(z - k).min() < 1e-3:
                return False
    a = zs_as[-1][1]
    if loss == "hinge" and np.abs(1 - np.where(y > 0, 1, -1) * a).min() < 1e-3:
        return False
    if loss == "huber" and np.abs(np.abs(a - y) - 1).min() < 1e-3:
        return False
    return True


def targets(loss, k, rng):
    if loss == "ce":
        return np.eye(k)[rng.integers(0, k, ROWS)]
    if loss in ("bce",):
        return (rng.random((ROWS, k)) > 0.5).astype(float)
    if loss == "hinge":
        return np.where(rng.random((ROWS, k)) > 0.5, 1.0, -1.0)
    return rng.normal(size=(ROWS, k))


def checked(hidden, output, loss, k=2, batchnorm=False, train=True):
    for seed in range(60):
        rng = np.random.default_rng(seed)
        net = core.Network.build(3, [(4, hidden), (3, hidden)], (k, output), seed=seed,
                                 init=("normal", {"sigma": 0.7}), batchnorm=batchnorm)
        for _, b in net.params:  # random biases: no unit sits exactly at a kink
            b[...] = rng.normal(0.0, 0.3, b.shape)
        x = rng.normal(size=(ROWS, 3))
        y = targets(loss, k, rng)
        if far_from_kinks(net, x, y, loss):
            return core.gradcheck(net, x, y, loss, train=train)
    pytest.fail("no seed keeps every pre-activation away from the kinks")


@pytest.mark.parametrize("hidden", hidden_names())
def test_every_hidden_activation_with_every_loss(hidden):
    outputs = {"mse": ["identity", "tanh"], "bce": ["sigmoid", PlainSigmoid()],
               "ce": ["softmax", PlainSoftmax()], "hinge": ["tanh", "identity"],
               "huber": ["identity"]}
    for loss, outs in outputs.items():
        for out in outs:
            k = 3 if loss == "ce" else 2
            result = checked(hidden, out, loss, k=k)
            assert result.passed(TOL), f"{hidden} → {out} with {loss}: {result}"


@pytest.mark.parametrize("output", [n for n in hidden_names()])
def test_every_activation_as_output_with_mse(output):
    result = checked("tanh", output, "mse")
    assert result.passed(TOL), f"output {output}: {result}"


def test_prelu_alpha_gradients_are_checked_too():
    net = core.Network.build(3, [(4, ("prelu", {"alpha": 0.3}))], (2, "identity"), seed=2)
    x = np.random.default_rng(5).normal(size=(ROWS, 3))
    y = np.random.default_rng(6).normal(size=(ROWS, 2))
    assert far_from_kinks(net, x, y, "mse")
    layer = net.layers[0]
    net.loss_and_gradients(x, y, "mse")
    analytic = layer.grad_alpha.copy()
    numeric = np.zeros_like(analytic)
    h = 1e-6
    for j in range(layer.units):
        old = layer.alpha[j]
        layer.alpha[j] = old + h
        up = net.loss(x, y, "mse")
        layer.alpha[j] = old - h
        down = net.loss(x, y, "mse")
        layer.alpha[j] = old
        numeric[j] = (up - down) / (2 * h)
    assert np.abs(analytic).max() > 1e-3  # some unit has negative inputs
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-10)
    assert core.gradcheck(net, x, y, "mse").passed(TOL)


@pytest.mark.parametrize("hidden", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_gradients(hidden, train):
    for loss, out in (("bce", "sigmoid"), ("mse", "identity")):
        result = checked(hidden, out, loss, batchnorm=True, train=train)
        assert result.passed(TOL), f"BatchNorm {hidden} ({'train' if train else 'eval'}): {result}"


def test_gradcheck_catches_a_wrong_gradient():
    net = core.Network.build(3, [(4, "tanh")], (1, "sigmoid"), seed=0)
    x = np.random.default_rng(0).normal(size=(ROWS, 3))
    y = np.ones((ROWS, 1))
    layer = net.layers[0]
    original = layer.delta_z
    layer.delta_z = lambda delta_a: 1.1 * original(delta_a)  # a 10% error in hidden 1
    result = core.gradcheck(net, x, y, "bce")
    assert not result.passed(TOL)
    assert result.per_layer[0] > 0.01 and result.per_layer[1] < TOL
    assert "hidden 1" in str(result)


def test_gradcheck_leaves_the_network_unchanged():
    net = core.Network.build(3, [(4, "tanh")], (2, "identity"), seed=0, batchnorm=False)
    before = net.flat.copy()
    core.gradcheck(net, np.ones((3, 3)), np.zeros((3, 2)), "mse")
    np.testing.assert_array_equal(net.flat, before)
