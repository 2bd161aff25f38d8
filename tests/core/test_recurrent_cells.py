"""LSTM and GRU cells: BPTT against central differences, a naive loop, PyTorch's numbers."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import core
from core.recurrent import GRU, LSTM, forget_product

NAMES = core.activations.names()
GATE_CHOICES = ["sigmoid"] + [n for n in ("hard_sigmoid", "relu") if n in NAMES]
OTHER_CHOICES = ["tanh", "relu", "identity", "sigmoid"]


# --- a central-difference check of the whole backward pass -----------------------------------
def loss_of(cell, x, w, h0, c0):
    """L = Σ w ⊙ h over every step: its dL/dh is exactly w."""
    rec = cell.forward(x, h0, c0) if isinstance(cell, LSTM) else cell.forward(x, h0)
    return float((rec.h * w).sum())


def numeric(fn, arr, eps=1e-5):
    """Central differences of fn() with respect to every entry of arr (changed in place)."""
    out = np.zeros(arr.shape)
    flat, grad = arr.reshape(-1), out.reshape(-1)
    for k in range(flat.size):
        keep = flat[k]
        flat[k] = keep + eps
        up = fn()
        flat[k] = keep - eps
        down = fn()
        flat[k] = keep
        grad[k] = (up - down) / (2 * eps)
    return out


def rel_error(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def gradcheck(cell, T=5, B=2, with_state=True, seed=0):
    """Largest relative error over weights, biases, x, h0 (and c0)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(T, B, cell.input_size))
    H = cell.hidden_size
    h0 = rng.normal(size=(B, H)) * 0.5 if with_state else None
    c0 = rng.normal(size=(B, H)) * 0.5 if with_state and isinstance(cell, LSTM) else None
    w = rng.normal(size=(T, B, H))
    rec = cell.forward(x, h0, c0) if isinstance(cell, LSTM) else cell.forward(x, h0)
    got = cell.backward(rec, w)
    errors = {}
    for part in cell.PARTS:
        num = numeric(lambda: loss_of(cell, x, w, h0, c0), getattr(cell, part))
        errors[part] = rel_error(num, got[part])
    errors["x"] = rel_error(numeric(lambda: loss_of(cell, x, w, h0, c0), x), got["x"])
    if with_state:
        errors["h0"] = rel_error(numeric(lambda: loss_of(cell, x, w, h0, c0), h0), got["h0"])
        if c0 is not None:
            errors["c0"] = rel_error(numeric(lambda: loss_of(cell, x, w, h0, c0), c0), got["c0"])
    return errors


LSTM_CASES = (
    [dict()]
    + [dict(gate=g) for g in GATE_CHOICES[1:]]
    + [dict(candidate=c) for c in OTHER_CHOICES[1:]]
    + [dict(cell_output=c) for c in OTHER_CHOICES[1:]]
    + [dict(candidate="relu", cell_output="relu"), dict(forget_bias=None)]
)
GRU_CASES = [dict()] + [dict(gate=g) for g in GATE_CHOICES[1:]] + [
    dict(candidate=c) for c in OTHER_CHOICES[1:]]


def case_id(kw: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in kw.items()) or "default"


def test_the_registry_has_the_gate_choices_the_checks_use():
    assert "hard_sigmoid" in GATE_CHOICES and "relu" in GATE_CHOICES


@pytest.mark.parametrize("with_state", [True, False], ids=["h0,c0", "zeros"])
@pytest.mark.parametrize("kw", LSTM_CASES, ids=case_id)
def test_lstm_bptt_matches_central_differences(kw, with_state):
    cell = LSTM(3, 4, seed=1, **kw)
    errors = gradcheck(cell, with_state=with_state)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("with_state", [True, False], ids=["h0", "zeros"])
@pytest.mark.parametrize("kw", GRU_CASES, ids=case_id)
def test_gru_bptt_matches_central_differences(kw, with_state):
    cell = GRU(3, 4, seed=1, **kw)
    errors = gradcheck(cell, with_state=with_state)
    assert max(errors.values()) < 1e-7, errors


def test_gradcheck_with_one_step_and_one_unit():
    for cell in (LSTM(1, 1, seed=3), GRU(1, 1, seed=3)):
        assert max(gradcheck(cell, T=1, B=1).values()) < 1e-7


# --- the same numbers as a naive loop and as PyTorch -------------------------------------------
def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def naive_lstm(cell, x, h, c):
    """One sequence, one step at a time, one gate at a time: the textbook equations."""
    H = cell.hidden_size
    W, U, b = cell.weight_ih, cell.weight_hh, cell.bias_ih + cell.bias_hh
    hs, cs = [], []
    for x_t in x:
        a = [W[k * H:(k + 1) * H] @ x_t + U[k * H:(k + 1) * H] @ h + b[k * H:(k + 1) * H]
             for k in range(4)]
        i, f, g, o = sigmoid(a[0]), sigmoid(a[1]), np.tanh(a[2]), sigmoid(a[3])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
        cs.append(c)
    return np.array(hs), np.array(cs)


def naive_gru(cell, x, h):
    H = cell.hidden_size
    W, U, bi, bh = cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh
    hs = []
    for x_t in x:
        gi = [W[k * H:(k + 1) * H] @ x_t + bi[k * H:(k + 1) * H] for k in range(3)]
        gh = [U[k * H:(k + 1) * H] @ h + bh[k * H:(k + 1) * H] for k in range(3)]
        r, z = sigmoid(gi[0] + gh[0]), sigmoid(gi[1] + gh[1])
        n = np.tanh(gi[2] + r * gh[2])
        h = (1 - z) * n + z * h
        hs.append(h)
    return np.array(hs)


def test_lstm_equals_a_naive_step_by_step_loop():
    rng = np.random.default_rng(5)
    cell = LSTM(2, 5, seed=2)
    x, h0, c0 = rng.normal(size=(7, 3, 2)), rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    rec = cell.forward(x, h0, c0)
    for b in range(3):
        h, c = naive_lstm(cell, x[:, b], h0[b], c0[b])
        np.testing.assert_allclose(rec.h[:, b], h, rtol=0, atol=1e-13)
        np.testing.assert_allclose(rec.c[:, b], c, rtol=0, atol=1e-13)


def test_gru_equals_a_naive_step_by_step_loop():
    rng = np.random.default_rng(5)
    cell = GRU(2, 5, seed=2)
    x, h0 = rng.normal(size=(7, 3, 2)), rng.normal(size=(3, 5))
    rec = cell.forward(x, h0)
    for b in range(3):
        np.testing.assert_allclose(rec.h[:, b], naive_gru(cell, x[:, b], h0[b]), rtol=0,
                                   atol=1e-13)


def pytorch_case(kind):
    """The weights and inputs for which torch 2.13.0's nn.LSTM / nn.GRU gave the numbers below."""
    rng = np.random.default_rng(123)
    D, H, T, B = 2, 3, 4, 2
    x = rng.normal(size=(T, B, D))
    h0, c0 = rng.normal(size=(B, H)) * 0.5, rng.normal(size=(B, H)) * 0.5
    for k in ("lstm", "gru"):
        G = 4 if k == "lstm" else 3
        w = {p: rng.uniform(-0.8, 0.8, size=s) for p, s in (
            ("weight_ih", (G * H, D)), ("weight_hh", (G * H, H)), ("bias_ih", (G * H,)),
            ("bias_hh", (G * H,)))}
        if k == kind:
            cell = (LSTM if k == "lstm" else GRU)(D, H)
            for p, v in w.items():
                getattr(cell, p)[...] = v
            return cell, x, h0, c0, np.linspace(-1, 1, T * B * H).reshape(T, B, H)


def test_lstm_gives_pytorch_numbers():
    # torch.nn.LSTM(2, 3) in float64 with these weights, (out * grad_h).sum().backward()
    cell, x, h0, c0, grad_h = pytorch_case("lstm")
    rec = cell.forward(x, h0, c0)
    got = cell.backward(rec, grad_h)
    np.testing.assert_allclose(rec.h[-1], [
        [-0.15942957378633846, -0.22500139420394744, -0.0609985772136374],
        [-0.12263975396560958, -0.21232830423259208, -0.061226417218352654]], atol=1e-14)
    np.testing.assert_allclose(rec.c[-1], [
        [-0.40889093795107523, -0.5345073430521694, -0.3589587648338882],
        [-0.4132316940668726, -0.49248412257935914, -0.4555877653563783]], atol=1e-14)
    np.testing.assert_allclose(got["weight_hh"][:2], [
        [-0.06505936263615233, 0.01328093894427562, 0.019155818791058703],
        [-0.006674713019999758, -0.002204248166815188, 0.012825037867987705]], atol=1e-14)
    np.testing.assert_allclose(got["x"][0], [
        [0.24985535020221158, 0.10898626594265157],
        [0.018323292586501873, -0.13590318650140867]], atol=1e-14)


def test_gru_gives_pytorch_numbers():
    cell, x, h0, _, grad_h = pytorch_case("gru")
    rec = cell.forward(x, h0)
    got = cell.backward(rec, grad_h)
    np.testing.assert_allclose(rec.h[-1], [
        [-0.5540811498114002, -0.6572828280095613, 0.362290575771162],
        [-0.663144419098134, -0.7790950145006591, 0.2587130338779282]], atol=1e-14)
    np.testing.assert_allclose(got["weight_hh"][:2], [
        [0.05048994371096181, -0.04398722528269068, -0.010483456933582363],
        [0.042068637165391026, 0.03702788053745867, -0.019130225119824963]], atol=1e-14)
    np.testing.assert_allclose(got["x"][0], [
        [0.4715633510859435, 0.639670159003791],
        [0.11520085371831378, 0.2482520721496591]], atol=1e-14)


# --- the backward pass's state gradients ---------------------------------------------------
def test_total_state_gradients_agree_with_running_the_tail_alone():
    """∂L/∂c_t and ∂L/∂h_t from the full pass equal what the sequence after t gives back to
    its initial state, plus step t's own share."""
    rng = np.random.default_rng(7)
    T, t = 6, 2
    x, w = rng.normal(size=(T, 2, 3)), rng.normal(size=(T, 2, 4))
    lstm = LSTM(3, 4, seed=4)
    rec = lstm.forward(x)
    full = lstm.backward(rec, w)
    tail = lstm.vjp(x[t + 1:], w[t + 1:], rec.h[t], rec.c[t])
    dh_t = tail["h0"] + w[t]
    dpsi = core.activations.get("tanh").df(rec.c[t])
    np.testing.assert_allclose(full["h"][t], dh_t, atol=1e-13)
    np.testing.assert_allclose(full["c"][t], tail["c0"] + dh_t * rec.o[t] * dpsi, atol=1e-13)
    np.testing.assert_allclose(full["c_norm"], np.linalg.norm(full["c"], axis=(1, 2)))
    np.testing.assert_allclose(full["c0"], full["c"][0] * rec.f[0], atol=1e-15)

    gru = GRU(3, 4, seed=4)
    rec = gru.forward(x)
    full = gru.backward(rec, w)
    tail = gru.vjp(x[t + 1:], w[t + 1:], rec.h[t])
    np.testing.assert_allclose(full["h"][t], tail["h0"] + w[t], atol=1e-13)
    np.testing.assert_allclose(full["h_norm"], np.linalg.norm(full["h"], axis=(1, 2)))


def test_forget_product_is_the_running_product_of_forget_gates():
    rec = LSTM(1, 2, seed=0).forward(np.ones((4, 1, 1)))
    f = rec.f
    p = forget_product(f)
    np.testing.assert_allclose(p[0], f[0])
    np.testing.assert_allclose(p[3], f[0] * f[1] * f[2] * f[3])
    q = forget_product(f, 2)
    assert q.shape == (2, 1, 2)
    np.testing.assert_allclose(q[1], f[2] * f[3])
    with pytest.raises(ValueError):
        forget_product(f, 5)


# --- parameters: layout, initialization, buffer -----------------------------------------------
def test_layout_and_initialization_follow_pytorch():
    lstm = LSTM(3, 16, seed=0, forget_bias=None)
    assert lstm.weight_ih.shape == (64, 3) and lstm.weight_hh.shape == (64, 16)
    assert lstm.bias_ih.shape == lstm.bias_hh.shape == (64,)
    assert np.abs(lstm.flat).max() <= 0.25 and np.abs(lstm.flat).max() > 0.24
    gru = GRU(3, 16, seed=0)
    assert gru.weight_ih.shape == (48, 3) and gru.weight_hh.shape == (48, 16)
    assert gru.n_params == 48 * (3 + 16 + 2)
    assert np.abs(gru.flat).max() <= 0.25


def test_forget_bias_choices():
    H = 5
    one = LSTM(2, H, seed=3)
    assert (one.bias_ih[H:2 * H] == 1.0).all() and (one.bias_hh[H:2 * H] == 0.0).all()
    zero = LSTM(2, H, seed=3, forget_bias=0.0)
    assert (zero.bias_ih[H:2 * H] == 0.0).all() and (zero.bias_hh[H:2 * H] == 0.0).all()
    torch_like = LSTM(2, H, seed=3, forget_bias=None)
    assert (torch_like.bias_ih[H:2 * H] != 0.0).all()
    # only the forget slices differ
    mask = np.ones(4 * H, dtype=bool)
    mask[H:2 * H] = False
    np.testing.assert_array_equal(one.bias_ih[mask], torch_like.bias_ih[mask])
    np.testing.assert_array_equal(one.weight_hh, torch_like.weight_hh)
    with pytest.raises(ValueError, match="forget_bias"):
        LSTM(2, H, forget_bias=float("nan"))


def test_same_seed_same_cell_other_seed_other_cell():
    assert np.array_equal(LSTM(2, 8, seed=4).flat, LSTM(2, 8, seed=4).flat)
    assert not np.array_equal(LSTM(2, 8, seed=4).flat, LSTM(2, 8, seed=5).flat)
    assert np.array_equal(GRU(2, 8, seed=4).flat, GRU(2, 8, seed=4).flat)


def test_weights_are_views_into_one_flat_buffer_an_optimizer_updates():
    cell = LSTM(2, 3, seed=0)
    for part in cell.PARTS:
        assert np.shares_memory(getattr(cell, part), cell.flat)
        assert np.shares_memory(getattr(cell, "grad_" + part), cell.grad_flat)
    x, w = np.ones((3, 1, 2)), np.ones((3, 1, 3))
    grads = cell.vjp(x, w)
    assert np.array_equal(cell.grad_weight_hh, grads["weight_hh"])
    before = cell.weight_hh.copy()
    opt = core.optimizers.make("sgd", cell.n_params, cell.dtype, cell.weight_mask, lr=0.1)
    opt.step(cell.flat, cell.grad_flat)
    np.testing.assert_allclose(cell.weight_hh, before - 0.1 * grads["weight_hh"])
    assert cell.weight_mask.sum() == 12 * (2 + 3)


def test_pickle_keeps_the_views_bound():
    cell = pickle.loads(pickle.dumps(GRU(2, 3, seed=1, candidate="relu")))
    cell.flat[:] = 0.5
    assert (cell.weight_ih == 0.5).all() and (cell.bias_hh == 0.5).all()
    assert cell.acts["candidate"].name == "relu"
    cell.vjp(np.ones((2, 1, 2)), np.ones((2, 1, 3)))
    assert np.shares_memory(cell.grad_weight_hh, cell.grad_flat)


def test_spec_rebuilds_the_cell():
    cell = LSTM(2, 3, seed=9, candidate=("leaky_relu", {"alpha": 0.2}), forget_bias=0.0)
    twin = LSTM(**cell.spec())
    assert np.array_equal(twin.flat, cell.flat) and twin.acts == cell.acts


def test_record_is_frozen_and_read_only():
    rec = LSTM(1, 2).forward(np.zeros((3, 1, 1)))
    with pytest.raises(ValueError):
        rec.h[0, 0, 0] = 1.0
    with pytest.raises(AttributeError):
        rec.x = None
    assert rec.i.shape == rec.pre_o.shape == rec.c.shape == (3, 1, 2)
    g = GRU(1, 2).forward(np.zeros((3, 1, 1)))
    assert g.r.shape == g.z.shape == g.n.shape == g.hn.shape == (3, 1, 2)


def test_float32_cells_compute_in_float32():
    cell = LSTM(2, 3, dtype="float32")
    rec = cell.forward(np.ones((4, 2, 2)))
    assert rec.h.dtype == np.float32
    assert cell.vjp(np.ones((4, 2, 2)), np.ones((4, 2, 3)))["weight_hh"].dtype == np.float32


# --- refusals: one sentence, nothing changed ----------------------------------------------------
@pytest.mark.parametrize("args, match", [
    ((1, 0), "hidden_size must be a whole number from 1 to 1,024, not 0"),
    ((-1, 4), "input_size must be a whole number from 1 to 4,096, not -1"),
    ((0, 4), "input_size"),
    ((1, 2000), "hidden_size"),
    ((1, 2.0), "hidden_size"),
    ((True, 2), "input_size"),
    ((4096, 1024), "parameters; at most 2,000,000"),
])
def test_sizes_out_of_range_are_refused(args, match):
    for cls in (LSTM, GRU):
        with pytest.raises(ValueError, match=match):
            cls(*args)


@pytest.mark.parametrize("kw, match", [
    (dict(gate="nope"), "gate activation 'nope' is not a known"),
    (dict(candidate="softmax"), "each unit alone"),
    (dict(candidate="prelu"), "do not support"),
    (dict(gate="rrelu"), "do not support"),
])
def test_unusable_activations_are_refused(kw, match):
    with pytest.raises(ValueError, match=match):
        GRU(1, 2, **kw)


@pytest.mark.parametrize("shape, match", [
    ((0, 2, 1), "time steps must be a whole number from 1 to 10,000, not 0"),
    ((3, 0, 1), "at least one sequence"),
    ((3, 2, 2), r"shape \(steps, batch, 1\)"),
    ((3, 2), r"shape \(steps, batch, 1\)"),
    ((10_001, 1, 1), "10,000"),
    ((1001, 250, 1), "state values; at most 1,000,000"),
])
def test_bad_inputs_are_refused_and_change_nothing(shape, match):
    cell = LSTM(1, 4, seed=0)
    before = cell.flat.copy()
    with pytest.raises(ValueError, match=match) as info:
        cell.forward(np.zeros(shape))
    msg = str(info.value)
    assert msg.endswith(".") and "\n" not in msg
    assert np.array_equal(cell.flat, before)


def test_bad_states_and_gradients_are_refused():
    cell = LSTM(1, 4)
    with pytest.raises(ValueError, match="h0 must have shape"):
        cell.forward(np.zeros((2, 3, 1)), h0=np.zeros((2, 4)))
    with pytest.raises(ValueError, match="grad_h"):
        cell.vjp(np.zeros((2, 3, 1)), np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match="no cell state"):
        GRU(1, 4).forward(np.zeros((2, 3, 1)), c0=np.zeros((3, 4)))
