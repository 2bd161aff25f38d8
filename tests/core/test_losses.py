"""Losses: conventions (½ MSE, mean over the batch), fused deltas, stability, pairing advice."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core import losses
from core.activations import get as act


def rng(seed=0):
    return np.random.default_rng(seed)


def test_registry_lists_the_five_losses_with_records():
    assert losses.names() == ["mse", "bce", "ce", "hinge", "huber"]
    for name in losses.names():
        rec = losses.get(name)
        assert rec.name == name and rec.display_name and rec.formula
    assert losses.get("bce").has_fused_gradient and losses.get("ce").has_fused_gradient
    assert not losses.get("hinge").has_fused_gradient
    with pytest.raises(KeyError, match="unknown loss"):
        losses.get("nope")


def test_mse_is_half_squared_error_summed_over_outputs_and_averaged_over_rows():
    a = np.array([[1.0, 2.0], [0.0, 0.0]])
    y = np.array([[0.0, 0.0], [0.0, 2.0]])
    value, grad = losses.get("mse").value_grad(a, y)
    assert value == pytest.approx(0.5 * (1 + 4 + 4) / 2)
    np.testing.assert_allclose(grad, (a - y) / 2)


def test_huber_is_quadratic_inside_and_linear_outside():
    a = np.array([[0.5], [3.0]])
    y = np.zeros((2, 1))
    value, grad = losses.get("huber").value_grad(a, y)
    assert value == pytest.approx((0.5 * 0.25 + (3.0 - 0.5)) / 2)
    np.testing.assert_allclose(grad, [[0.25], [0.5]])


def test_hinge_reads_01_targets_as_pm1():
    hinge = losses.get("hinge")
    a = np.array([[-0.5], [2.0], [0.3]])
    y01 = np.array([[0.0], [1.0], [1.0]])
    ypm = np.array([[-1.0], [1.0], [1.0]])
    v01, g01 = hinge.value_grad(a, y01)
    vpm, gpm = hinge.value_grad(a, ypm)
    assert v01 == vpm == pytest.approx((0.5 + 0.0 + 0.7) / 3)
    np.testing.assert_array_equal(g01, gpm)
    np.testing.assert_allclose(gpm, [[1 / 3], [0.0], [-1 / 3]])
    np.testing.assert_array_equal(hinge.prepare_targets(y01), ypm)


@pytest.mark.parametrize("name, act_name", [("bce", "sigmoid"), ("ce", "softmax")])
def test_fused_delta_is_a_minus_y_over_n(name, act_name):
    loss = losses.get(name)
    z = rng(1).normal(size=(6, 3)) * 3
    y = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    value, a, delta = loss.fused(z, y)
    expected_a = act(act_name).f_vector(z) if act_name == "softmax" else act(act_name).f(z)
    np.testing.assert_allclose(a, expected_a, rtol=1e-12)
    np.testing.assert_allclose(delta, (a - y) / 6, rtol=1e-12)
    # the fused loss equals the plain one on the probabilities
    assert value == pytest.approx(loss.value(a, y), rel=1e-9)
    assert loss.is_fused_with(act(act_name))
    assert not loss.is_fused_with(act("tanh"))


def test_fused_bce_gradient_equals_plain_gradient_through_sigmoid_derivative():
    bce, sig = losses.get("bce"), act("sigmoid")
    z = rng(2).normal(size=(5, 2))
    y = (rng(3).random((5, 2)) > 0.5).astype(float)
    _, a, delta = bce.fused(z, y)
    _, grad_a = bce.value_grad(a, y)
    np.testing.assert_allclose(delta, grad_a * sig.df(z), rtol=1e-9)


@pytest.mark.parametrize("name", ["bce", "ce"])
def test_extreme_logits_give_finite_loss_and_gradient(name):
    loss = losses.get(name)
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0]])
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, a, delta = loss.fused(z, y)
    assert np.isfinite(value) and np.isfinite(delta).all() and np.isfinite(a).all()
    # confidently wrong on two (bce) or two rows (ce): the loss is huge but finite
    assert value > 1e3
    # probabilities that are exactly 0 or 1 are clamped in the plain form
    v2, g2 = loss.value_grad(np.clip(a, 0, 1), y)
    assert np.isfinite(v2) and np.isfinite(g2).all()


def test_bce_through_a_relu_output_clamps_and_passes_no_gradient_at_zero():
    value, grad = losses.get("bce").value_grad(np.array([[0.0], [0.7]]), np.array([[1.0], [1.0]]))
    assert np.isfinite(value) and value > 7  # −log(1e-7)/2 + …
    assert grad[0, 0] == 0.0 and grad[1, 0] < 0.0


def test_default_loss_for_each_task():
    assert core.default_loss_for("binary", "sigmoid") == "bce"
    assert core.default_loss_for("multiclass", "softmax") == "ce"
    assert core.default_loss_for("regression", "identity") == "mse"
    assert core.default_loss_for("binary", "tanh") == "mse"


@pytest.mark.parametrize(
    "loss, out, task, n_out, fragment",
    [
        ("bce", "relu", "binary", 1, "(0, 1)"),
        ("bce", "identity", "binary", 1, "(0, 1)"),
        ("bce", "tanh", "binary", 1, "tanh"),
        ("hinge", "softmax", "multiclass", 3, "never reach"),
        ("ce", "sigmoid", "multiclass", 3, "sum to 1"),
        ("mse", "sigmoid", "multiclass", 3, "softmax"),
        ("ce", "softmax", "multiclass", 1, "single output"),
        ("bce", "sigmoid", "binary", 7, None),
        ("mse", "softmax", "binary", 7, "independent"),
        ("mse", "sigmoid", "regression", 1, "identity"),
        ("ce", "softmax", "regression", 3, "regression"),
        ("hinge", "tanh", "binary", 1, None),
        ("mse", "identity", "regression", 1, None),
        ("ce", "softmax", "multiclass", 10, None),
    ],
)
def test_pairing_warning(loss, out, task, n_out, fragment):
    msg = core.pairing_warning(loss, out, task, n_outputs=n_out)
    if fragment is None:
        assert msg is None
    else:
        assert msg is not None and fragment in msg and len(msg) < 300
