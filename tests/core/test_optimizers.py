"""Optimizers: one step against a hand computation, lr changes, clipping, L1/L2, state."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import optimizers

P0 = np.array([0.5, -1.0, 2.0, 0.25])
G = np.array([0.1, -0.2, 0.3, 0.4])
MASK = np.array([True, True, True, False])  # last entry plays a bias


def opt(name, **kw):
    return optimizers.make(name, 4, np.float64, MASK, **kw)


def stepped(o, grads):
    p = P0.copy()
    for g in grads:
        o.step(p, np.array(g, dtype=float))
    return p


def test_registry():
    assert optimizers.names() == ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"]
    assert optimizers.get("adam").defaults == {"betas": (0.9, 0.999), "eps": 1e-8}
    assert optimizers.get("rmsprop").defaults == {"alpha": 0.99, "eps": 1e-8}
    assert optimizers.get("adamw").defaults["weight_decay"] == 0.01
    with pytest.raises(ValueError, match="no setting"):
        opt("sgd", momentum=0.9)


def test_sgd():
    np.testing.assert_allclose(stepped(opt("sgd", lr=0.1), [G]), P0 - 0.1 * G)


def test_momentum_two_steps():
    lr, mu = 0.1, 0.9
    g2 = G * 2
    v1 = G
    v2 = mu * v1 + g2
    expected = P0 - lr * v1 - lr * v2
    np.testing.assert_allclose(stepped(opt("momentum", lr=lr), [G, g2]), expected)


def test_nesterov_two_steps():
    lr, mu = 0.1, 0.9
    g2 = -G
    v1 = G
    p1 = P0 - lr * (G + mu * v1)
    v2 = mu * v1 + g2
    p2 = p1 - lr * (g2 + mu * v2)
    np.testing.assert_allclose(stepped(opt("nesterov", lr=lr), [G, g2]), p2)


def test_rmsprop_one_step():
    lr = 0.01
    s = 0.01 * G**2
    expected = P0 - lr * G / (np.sqrt(s) + 1e-8)
    np.testing.assert_allclose(stepped(opt("rmsprop", lr=lr), [G]), expected)


def adam_ref(grads, lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    p, m, v = P0.copy(), np.zeros(4), np.zeros(4)
    for t, g in enumerate(grads, start=1):
        p = p - lr * wd * p * MASK
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return p


def test_adam_matches_the_textbook_formula_over_three_steps():
    grads = [G, -0.5 * G, 3 * G]
    np.testing.assert_allclose(stepped(opt("adam", lr=0.01), grads), adam_ref(grads, 0.01),
                               rtol=1e-12)
    # the first Adam step moves every parameter by ≈ lr, whatever the gradient's size
    np.testing.assert_allclose(np.abs(stepped(opt("adam", lr=0.01), [G]) - P0), 0.01, rtol=1e-6)


def test_adamw_decays_weights_only():
    grads = [G, G]
    got = stepped(opt("adamw", lr=0.1, weight_decay=0.5), grads)
    np.testing.assert_allclose(got, adam_ref(grads, 0.1, wd=0.5), rtol=1e-12)
    plain = stepped(opt("adam", lr=0.1), grads)
    assert got[3] == plain[3] and not np.allclose(got[:3], plain[:3])


def test_lr_change_takes_effect_without_resetting_state():
    o = opt("momentum", lr=0.1)
    p = P0.copy()
    o.step(p, G.copy())
    velocity = o.state["velocity"].copy()
    o.lr = 0.5
    before = p.copy()
    o.step(p, G.copy())
    np.testing.assert_allclose(p, before - 0.5 * (0.9 * velocity + G))
    with pytest.raises(ValueError):
        o.lr = -1.0


def test_clipping_bounds_the_global_norm():
    o = opt("sgd", lr=1.0, clip_norm=0.1)
    p = P0.copy()
    g = G * 100
    o.step(p, g)
    assert math.isclose(np.linalg.norm(P0 - p), 0.1, rel_tol=1e-12)
    np.testing.assert_allclose((P0 - p) / 0.1, G / np.linalg.norm(G))  # direction kept
    small = opt("sgd", lr=1.0, clip_norm=10.0)
    np.testing.assert_allclose(stepped(small, [G]), P0 - G)  # below the bound: untouched


def test_l2_adds_lambda_w_on_weights_only():
    lam = 0.3
    got = stepped(opt("sgd", lr=1.0, l2=lam), [np.zeros(4)])
    np.testing.assert_allclose(got, P0 - lam * P0 * MASK)
    assert got[3] == P0[3]


def test_l1_adds_lambda_sign_w_on_weights_only():
    lam = 0.05
    got = stepped(opt("sgd", lr=1.0, l1=lam), [G])
    np.testing.assert_allclose(got, P0 - G - lam * np.sign(P0) * MASK)


def test_penalty_reports_l1_plus_half_l2_on_weights():
    w = P0[MASK]
    assert optimizers.penalty(P0, MASK, 0.1, 0.2) == pytest.approx(
        0.1 * np.abs(w).sum() + 0.5 * 0.2 * (w**2).sum()
    )
    assert optimizers.penalty(P0, MASK, 0.0, 0.0) == 0.0


@pytest.mark.parametrize("name", optimizers.names())
def test_state_round_trip_continues_identically(name):
    a = opt(name, lr=0.05)
    pa = stepped(a, [G, -G])
    meta, arrays = a.export_state()
    b = opt(name, lr=meta["lr"])
    b.load_state(meta, arrays)
    pb = pa.copy()
    a.step(pa, G * 0.7)
    b.step(pb, G * 0.7)
    np.testing.assert_array_equal(pa, pb)


def test_load_state_rejects_bad_arrays():
    a = opt("adam")
    meta, arrays = a.export_state()
    arrays["exp_avg"] = np.zeros(3)
    with pytest.raises(ValueError, match="wrong shape"):
        opt("adam").load_state(meta, arrays)
    meta, arrays = a.export_state()
    arrays["exp_avg_sq"][0] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        opt("adam").load_state(meta, arrays)


def test_float32_buffers_stay_float32():
    o = optimizers.make("adam", 4, np.float32, MASK, lr=0.1, l2=0.1, clip_norm=1.0)
    p = P0.astype(np.float32)
    o.step(p, G.astype(np.float32))
    assert p.dtype == np.float32 and all(v.dtype == np.float32 for v in o.state.values())
