"""Network construction, spec forms, flat-buffer views, dtypes, limits, BatchNorm, PReLU, RReLU."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import core
from core import activations, initializers, limits


def build(**kw):
    args = dict(n_inputs=2, hidden=[(8, "tanh"), (8, ("leaky_relu", {"alpha": 0.2}))],
                output=(1, "sigmoid"), seed=0)
    args.update(kw)
    return core.Network.build(**args)


def test_params_are_views_into_one_flat_buffer():
    net = build()
    shapes = [(W.shape, b.shape) for W, b in net.params]
    assert shapes == [((2, 8), (8,)), ((8, 8), (8,)), ((8, 1), (1,))]
    assert net.n_params == net.flat.size == 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1
    for (W, b), (gW, gb) in zip(net.params, net.grads):
        assert np.shares_memory(W, net.flat) and np.shares_memory(b, net.flat)
        assert np.shares_memory(gW, net.grad_flat) and gW.shape == W.shape
        assert np.shares_memory(gb, net.grad_flat) and gb.shape == b.shape
    net.flat[:] = 0.0
    assert all((W == 0).all() for W, _ in net.params)
    assert net.weight_mask.sum() == 16 + 64 + 8


def test_all_layer_spec_forms_are_accepted_and_spec_rebuilds_exactly():
    inst = activations.get("elu", alpha=0.5)
    net = core.Network.build(
        3,
        [(4, "tanh"), (5, ("leaky_relu", {"alpha": 0.2})), (3, inst),
         {"units": 2, "activation": "relu", "params": {}}],
        output={"units": 2, "activation": "identity"},
        init="he_normal", bias_init=0.1, seed=7,
    )
    assert [l.act.name for l in net.layers] == ["tanh", "leaky_relu", "elu", "relu", "identity"]
    assert net.layers[1].act.params["alpha"] == 0.2 and net.layers[2].act.params["alpha"] == 0.5
    spec = json.loads(json.dumps(net.spec()))
    twin = core.Network.from_spec(spec)
    np.testing.assert_array_equal(twin.flat, net.flat)
    assert twin.spec() == net.spec()
    assert all((b == 0.1).all() for _, b in net.params)


@pytest.mark.parametrize("bad", [(0, "relu"), (3.5, "relu"), (True, "relu"), (4, "nope"),
                                 (4, ("relu", 3)), "relu", {"units": 4, "activation": "relu",
                                                            "colour": 1}])
def test_bad_layer_specs_raise(bad):
    with pytest.raises((ValueError, KeyError)):
        core.Network.build(2, [bad], (1, "sigmoid"))


def test_same_seed_same_weights_and_different_seed_differs():
    assert np.array_equal(build(seed=3).flat, build(seed=3).flat)
    assert not np.array_equal(build(seed=3).flat, build(seed=4).flat)
    assert build(seed=None).spec()["seed"] >= 0


def test_initializers_registry_and_scales():
    assert initializers.names() == ["zeros", "constant", "uniform", "normal", "xavier_uniform",
                                    "xavier_normal", "he_uniform", "he_normal", "lecun_normal"]
    rng = np.random.default_rng(0)
    w = initializers.initialize("he_normal", rng, 400, 300)
    assert w.shape == (400, 300) and w.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    w = initializers.initialize("xavier_uniform", rng, 400, 300)
    assert np.abs(w).max() <= np.sqrt(6 / 700) and w.std() == pytest.approx(
        np.sqrt(2 / 700), rel=0.02)
    w = initializers.initialize("lecun_normal", rng, 100, 900)
    assert w.std() == pytest.approx(0.1, rel=0.02)
    assert (initializers.initialize("constant", rng, 2, 2, {"value": 0.3}) == 0.3).all()
    assert (initializers.initialize("uniform", rng, 50, 50, {"r": 0.2}) <= 0.2).all()
    assert not initializers.initialize("zeros", rng, 3, 3).any()
    with pytest.raises(ValueError, match="no parameter"):
        initializers.initialize("zeros", rng, 2, 2, {"value": 1})
    net = build(init=("normal", {"sigma": 0.01}))
    assert np.abs(net.params[0][0]).max() < 0.1


def test_limits_are_checked_before_allocation():
    with pytest.raises(ValueError, match=f"{limits.MAX_UNITS_PER_LAYER}"):
        core.Network.build(2, [(limits.MAX_UNITS_PER_LAYER + 1, "relu")])
    with pytest.raises(ValueError, match="layers"):
        core.Network.build(2, [(2, "relu")] * limits.MAX_LAYERS)
    with pytest.raises(ValueError, match="parameters"):
        core.Network.build(2, [(4000, "relu")] * 3)  # 32M parameters: refused, not allocated
    assert limits.check_architecture(2, [8, 1], [0, 0]) == 2 * 8 + 8 + 8 + 1


def test_float32_everywhere():
    net = build(dtype="float32")
    x = np.random.default_rng(0).normal(size=(5, 2))
    assert net.flat.dtype == np.float32 and net.grad_flat.dtype == np.float32
    assert net.forward(x).dtype == np.float32
    loss, grads = net.loss_and_gradients(x, np.ones((5, 1)), "bce")
    assert all(g.dtype == np.float32 for pair in grads for g in pair) and np.isfinite(loss)
    with pytest.raises(ValueError, match="dtype"):
        build(dtype="int32")


def test_forward_all_gives_z_and_a_per_layer():
    net = build()
    x = np.random.default_rng(1).normal(size=(6, 2))
    zs_as = net.forward_all(x)
    assert [z.shape for z, _ in zs_as] == [(6, 8), (6, 8), (6, 1)]
    z1 = x @ net.params[0][0] + net.params[0][1]
    np.testing.assert_allclose(zs_as[0][0], z1)
    np.testing.assert_allclose(zs_as[0][1], np.tanh(z1))
    np.testing.assert_allclose(net.forward(x), zs_as[-1][1])
    with pytest.raises(ValueError, match="shape"):
        net.forward(np.ones((3, 5)))


def test_softmax_output_rows_sum_to_one():
    net = core.Network.build(4, [(5, "relu")], (3, "softmax"), seed=0)
    a = net.forward(np.random.default_rng(0).normal(size=(7, 4)))
    np.testing.assert_allclose(a.sum(axis=1), 1.0)


def test_batchnorm_train_and_eval_statistics():
    net = core.Network.build(2, [(4, "tanh")], (1, "sigmoid"), batchnorm=True, seed=0)
    layer = net.layers[0]
    assert layer.bn is not None and net.layers[-1].bn is None
    assert net.n_params == 2 * 4 + 4 + 4 * 2 + 4 + 1
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 2))
    net.forward(x, train=True)
    z = layer.z
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-12)  # γ = 1, β = 0
    np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-3)
    u = x @ layer.W + layer.b
    np.testing.assert_allclose(layer.bn.running_mean, 0.1 * u.mean(axis=0))
    np.testing.assert_allclose(layer.bn.running_var, 0.9 + 0.1 * u.var(axis=0, ddof=1))
    net.forward(x, train=False)
    expected = (u - layer.bn.running_mean) / np.sqrt(layer.bn.running_var + 1e-5)
    np.testing.assert_allclose(layer.z, expected)
    net.forward(x[:1], train=True)  # a batch of one row must not crash


def test_prelu_has_a_learnable_alpha_per_unit_in_the_flat_buffer():
    net = core.Network.build(2, [(3, ("prelu", {"alpha": 0.1}))], (1, "sigmoid"), seed=0)
    layer = net.layers[0]
    np.testing.assert_array_equal(layer.alpha, [0.1, 0.1, 0.1])
    assert np.shares_memory(layer.alpha, net.flat) and net.n_params == 6 + 3 + 3 + 3 + 1
    x = np.random.default_rng(0).normal(size=(20, 2))
    net.loss_and_gradients(x, np.ones((20, 1)), "bce")
    assert np.abs(layer.grad_alpha).sum() > 0
    layer.alpha[...] = [0.0, 0.5, 1.0]
    z = x @ layer.W + layer.b
    np.testing.assert_allclose(net.forward_all(x)[0][1], np.where(z > 0, z, z * layer.alpha))


def test_rrelu_draws_slopes_in_training_and_uses_the_mean_in_eval():
    net = core.Network.build(2, [(6, "rrelu")], (1, "identity"), seed=0, bias_init=-0.5)
    x = np.random.default_rng(0).normal(size=(30, 2))
    eval1, eval2 = net.forward(x), net.forward(x)
    np.testing.assert_array_equal(eval1, eval2)
    t1 = net.forward(x, train=True, rng=np.random.default_rng(1))
    t2 = net.forward(x, train=True, rng=np.random.default_rng(2))
    t1b = net.forward(x, train=True, rng=np.random.default_rng(1))
    assert not np.array_equal(t1, t2)
    np.testing.assert_array_equal(t1, t1b)


def test_copy_is_independent():
    net = build(batchnorm=True)
    twin = net.copy()
    np.testing.assert_array_equal(twin.flat, net.flat)
    twin.flat[0] += 1
    assert twin.flat[0] != net.flat[0]


_ACTS = [n for n in activations.names()]


@given(
    n_in=st.integers(1, 5),
    hidden=st.lists(st.tuples(st.integers(1, 6), st.sampled_from(_ACTS)), max_size=3),
    out_units=st.integers(1, 4),
    out_act=st.sampled_from(["identity", "sigmoid", "tanh", "softmax", "relu"]),
    rows=st.integers(1, 9),
    dtype=st.sampled_from(["float64", "float32"]),
    bn=st.booleans(),
)
def test_random_architectures_shapes_and_dtypes(n_in, hidden, out_units, out_act, rows, dtype,
                                                bn):
    net = core.Network.build(n_in, hidden, (out_units, out_act), seed=1, dtype=dtype,
                             batchnorm=bn)
    x = np.random.default_rng(0).normal(size=(rows, n_in))
    with np.errstate(all="ignore"):
        a = net.forward(x)
        loss, grads = net.loss_and_gradients(x, np.zeros((rows, out_units)), "mse",
                                             rng=np.random.default_rng(0))
    assert a.shape == (rows, out_units) and a.dtype == np.dtype(dtype)
    assert len(grads) == len(hidden) + 1
    for (W, b), (gW, gb) in zip(net.params, grads):
        assert gW.shape == W.shape and gb.shape == b.shape and gW.dtype == np.dtype(dtype)
    assert np.isfinite(a).all() and np.isfinite(loss)
