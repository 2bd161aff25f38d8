"""The network: a stack of Dense layers whose parameters live in one flat buffer.

``net.flat`` holds every learnable number (per layer: W, b, then PReLU α, then BatchNorm γ, β);
``net.grad_flat`` mirrors it with the gradients. Each layer's arrays are views into these, so
an optimizer updates the whole network in one vectorized pass. All arrays use the network's
dtype (float64 unless float32 is asked for).
"""

from __future__ import annotations

import copy
import secrets

import numpy as np

from . import activations, initializers, limits
from . import losses as _losses
from .layers import Dense

__all__ = ["Network", "parse_layer"]


def parse_layer(spec) -> tuple[int, object]:
    """(units, activation instance) from any accepted layer spec form.

    Accepted: ``(8, "tanh")``, ``(8, ("leaky_relu", {"alpha": 0.2}))``, ``(8, instance)`` and
    ``{"units": 8, "activation": "relu", "params": {...}}``.
    """
    if isinstance(spec, dict):
        unknown = set(spec) - {"units", "activation", "params"}
        if unknown:
            raise ValueError(f"unknown layer key(s) {', '.join(sorted(map(str, unknown)))}")
        units, act, params = spec.get("units"), spec.get("activation"), spec.get("params") or {}
    elif isinstance(spec, (tuple, list)) and len(spec) == 2:
        units, act = spec
        params = {}
        if isinstance(act, (tuple, list)):
            if len(act) != 2 or not isinstance(act[1], dict):
                raise ValueError(f"an activation is given as (name, {{params}}), not {act!r}")
            act, params = act
    else:
        raise ValueError(f"a layer is given as (units, activation) or a dict, not {spec!r}")
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)):
        raise ValueError(f"a layer's units must be a whole number, not {units!r}")
    if not isinstance(params, dict):
        raise ValueError(f"activation parameters must be a dict, not {params!r}")
    if isinstance(act, activations.Activation):
        act = activations.get(act, **params)
    elif isinstance(act, str):
        act = activations.get(act, **params)
    else:
        raise ValueError(f"an activation is a name or an Activation, not {act!r}")
    return int(units), act


def _init_spec(init) -> tuple[str, dict]:
    if isinstance(init, str):
        return init, {}
    if isinstance(init, (tuple, list)) and len(init) == 2 and isinstance(init[1], dict):
        return str(init[0]), dict(init[1])
    raise ValueError(f"init is a name or (name, {{params}}), not {init!r}")


class Network:
    """A fully connected network. Build it with ``Network.build`` or ``Network.from_spec``.

    Attributes
    ----------
    layers : list[Dense]
        Hidden layers then the output layer.
    flat, grad_flat : (n_params,) arrays
        All parameters / their gradients; layer arrays are views into them.
    weight_mask : (n_params,) bool
        True on entries of weight matrices (what L1/L2 and AdamW's decay act on).
    """

    def __init__(self, n_inputs, layers, *, init, init_params, bias_init, seed, batchnorm, dtype):
        self.n_inputs = int(n_inputs)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise ValueError(f"dtype must be float64 or float32, not {dtype!r}")
        self.init, self.init_params = init, dict(init_params)
        self.bias_init = float(bias_init)
        if not np.isfinite(self.bias_init):
            raise ValueError("bias_init must be a finite number")
        self.seed = int(seed)
        self.batchnorm = bool(batchnorm)
        initializers.get(init)  # unknown name → KeyError before any allocation
        n_layers = len(layers)
        extras = [
            (1 if getattr(act, "learnable", ()) else 0)
            + (2 if batchnorm and i < n_layers - 1 else 0)
            for i, (_, act) in enumerate(layers)
        ]
        self.n_params = limits.check_architecture(self.n_inputs, [u for u, _ in layers], extras)

        self.layers: list[Dense] = []
        fan_in = self.n_inputs
        for i, (units, act) in enumerate(layers):
            bn = batchnorm and i < n_layers - 1
            self.layers.append(Dense(i, fan_in, units, act, bn, self.dtype))
            fan_in = units
        self.flat = np.zeros(self.n_params, dtype=self.dtype)
        self.grad_flat = np.zeros(self.n_params, dtype=self.dtype)
        self.weight_mask = np.zeros(self.n_params, dtype=bool)
        offset = 0
        for layer in self.layers:
            start = offset
            offset = layer.bind(self.flat, self.grad_flat, offset)
            self.weight_mask[start:start + layer.W.size] = True
        assert offset == self.n_params

        rng = np.random.default_rng(self.seed)
        for layer in self.layers:
            layer.W[...] = initializers.initialize(
                init, rng, layer.fan_in, layer.units, init_params
            )
            layer.b[...] = self.bias_init
            if layer.learnable:
                layer.alpha[...] = layer.act.params["alpha"]
            if layer.bn is not None:
                layer.bn.gamma[...] = 1.0
        #: used for stochastic activations when no rng is passed
        self.rng = np.random.default_rng([self.seed, 7])

    # --- construction --------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        n_inputs: int,
        hidden=(),
        output=(1, "sigmoid"),
        init="xavier_uniform",
        bias_init: float = 0.0,
        seed: int | None = 0,
        batchnorm: bool = False,
        dtype="float64",
    ) -> Network:
        """A fully connected network from layer specs; limits are checked before allocation.

        Parameters
        ----------
        n_inputs : int
            Inputs per sample: the data set's ``n_inputs``.
        hidden : sequence of layer specs
            The hidden layers, first to last; each spec is ``(units, activation)`` in any form
            ``parse_layer`` accepts: ``(8, "tanh")``, ``(8, ("leaky_relu", {"alpha": 0.2}))``,
            ``(8, activation_instance)`` or ``{"units": 8, "activation": "relu"}``.
            Empty: a single layer from the inputs to the output.
        output : layer spec
            The output layer; to train on a data set it needs its ``n_outputs`` units.
        init : str or (str, dict)
            A name from ``core.initializers.names()``, or (name, {params}) such as
            ``("normal", {"sigma": 0.1})``; it draws every layer's W.
        bias_init : float
            The value of every bias (finite).
        seed : int or None
            Seeds the weights (and the generator of RReLU's slopes); None draws a fresh seed,
            kept in ``spec()`` so the network can be rebuilt.
        batchnorm : bool
            Batch-normalize every hidden layer's a_prev @ W + b before its activation (not
            the output layer's).
        dtype : {"float64", "float32"}
            The dtype of every parameter and every array of the passes.

        Returns
        -------
        Network
            Its ``layers`` (hidden first, output last), every parameter in ``flat``.

        Raises
        ------
        KeyError
            If an activation or the initializer is unknown.
        ValueError
            If a spec is malformed, an activation parameter or initializer parameter is
            wrong, ``dtype`` or ``bias_init`` is not allowed, or the network breaks a limit of
            ``core.limits`` (layers, units, inputs, parameters).
        """
        if isinstance(n_inputs, bool) or not isinstance(n_inputs, (int, np.integer)):
            raise ValueError(f"n_inputs must be a whole number, not {n_inputs!r}")
        layers = [parse_layer(h) for h in hidden] + [parse_layer(output)]
        name, params = _init_spec(init)
        if seed is None:
            seed = secrets.randbits(32)
        return cls(
            int(n_inputs), layers, init=name, init_params=params, bias_init=bias_init,
            seed=seed, batchnorm=batchnorm, dtype=dtype,
        )

    def spec(self) -> dict:
        """A JSON-able dict from which ``from_spec`` rebuilds this network's initial state."""

        def layer(l: Dense) -> dict:
            return {"units": l.units, "activation": l.act.name, "params": dict(l.act.params)}

        return {
            "n_inputs": self.n_inputs,
            "hidden": [layer(l) for l in self.layers[:-1]],
            "output": layer(self.layers[-1]),
            "init": self.init,
            "init_params": dict(self.init_params),
            "bias_init": self.bias_init,
            "seed": self.seed,
            "batchnorm": self.batchnorm,
            "dtype": self.dtype.name,
        }

    @classmethod
    def from_spec(cls, spec: dict) -> Network:
        if not isinstance(spec, dict):
            raise ValueError("a network spec must be a dict")
        known = {"n_inputs", "hidden", "output", "init", "init_params", "bias_init", "seed",
                 "batchnorm", "dtype"}
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"unknown network spec key(s) {', '.join(sorted(map(str, unknown)))}")
        hidden = spec.get("hidden", [])
        if not isinstance(hidden, list):
            raise ValueError("the spec's hidden layers must be a list")
        seed = spec.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"the spec's seed must be a non-negative integer, not {seed!r}")
        return cls.build(
            n_inputs=spec.get("n_inputs"),
            hidden=hidden,
            output=spec.get("output", (1, "sigmoid")),
            init=(spec.get("init", "xavier_uniform"), dict(spec.get("init_params") or {})),
            bias_init=spec.get("bias_init", 0.0),
            seed=seed,
            batchnorm=bool(spec.get("batchnorm", False)),
            dtype=spec.get("dtype", "float64"),
        )

    def __setstate__(self, state: dict) -> None:
        # Pickling (the GUI hands trainers to its training process) stores each layer's W, b, …
        # as separate arrays: bind them to the flat buffers again, or the optimizer would update
        # ``flat`` while the layers computed with stale copies.
        self.__dict__.update(state)
        offset = 0
        for layer in self.layers:
            offset = layer.bind(self.flat, self.grad_flat, offset)

    def copy(self) -> Network:
        """An independent network with the same spec, parameters and running statistics."""
        twin = Network.from_spec(self.spec())
        twin.flat[...] = self.flat
        for mine, theirs in zip(self.layers, twin.layers):
            if mine.bn is not None:
                theirs.bn.running_mean[...] = mine.bn.running_mean
                theirs.bn.running_var[...] = mine.bn.running_var
        twin.rng = copy.deepcopy(self.rng)
        return twin

    # --- views ---------------------------------------------------------------------------
    @property
    def params(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(W (fan_in, units), b (units,))] per layer: views into ``flat``."""
        return [(l.W, l.b) for l in self.layers]

    @property
    def grads(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(∂L/∂W, ∂L/∂b)] per layer from the last backward pass: views into ``grad_flat``."""
        return [(l.grad_w, l.grad_b) for l in self.layers]

    @property
    def sizes(self) -> list[int]:
        return [self.n_inputs] + [l.units for l in self.layers]

    def layer_name(self, index: int) -> str:
        return "output" if index == len(self.layers) - 1 else f"hidden {index + 1}"

    def layer_slices(self) -> list[slice]:
        """Where each layer's parameters sit in ``flat``."""
        out, start = [], 0
        for l in self.layers:
            out.append(slice(start, start + l.n_params))
            start += l.n_params
        return out

    # --- passes --------------------------------------------------------------------------
    def _as_input(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 2 or x.shape[1] != self.n_inputs:
            raise ValueError(f"inputs must have shape (n, {self.n_inputs}), not {x.shape}")
        return x

    def forward(self, x, train: bool = False, rng=None) -> np.ndarray:
        """Output a (n, n_outputs) for inputs x (n, n_inputs). Eval mode by default."""
        a = self._as_input(x)
        rng = rng if rng is not None else self.rng
        for layer in self.layers:
            a = layer.forward(a, train, rng)
        return a

    def forward_all(self, x, train: bool = False, rng=None) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(z, a)] per layer, each (n, units): what the snapshots sample."""
        self.forward(x, train, rng)
        return [(l.z, l.a) for l in self.layers]

    def loss(self, x, y, loss="mse", train: bool = False, rng=None) -> float:
        """The mean data loss (no L1/L2 penalty) on (x, y)."""
        loss = _losses.get(loss)
        x = self._as_input(x)
        y = loss.prepare_targets(np.asarray(y, dtype=self.dtype))
        return self._loss_only(x, y, loss, train, rng if rng is not None else self.rng)

    def _loss_only(self, x, y, loss, train, rng) -> float:
        a = x
        for layer in self.layers[:-1]:
            a = layer.forward(a, train, rng)
        out = self.layers[-1]
        if loss.is_fused_with(out.act):
            z = out.pre_activation(a, train)
            value, out.a, _ = loss.fused(z, y)
            return value
        return loss.value(out.forward(a, train, rng), y)

    def loss_and_gradients(self, x, y, loss="bce", train: bool = True, rng=None):
        """One forward and backward pass on a batch: the mean loss and every layer's gradient.

        Parameters
        ----------
        x : array_like, shape (n, n_inputs)
            The batch's inputs.
        y : array_like, shape (n, n_outputs)
            Its targets, 2-D even for one output (hinge maps y ≤ 0 to −1 and y > 0 to +1).
        loss : str or Loss
            A name from ``core.losses.names()``. BCE after a sigmoid and CE after a softmax
            output are computed from the logits (the fused form).
        train : bool
            Training mode (the default): BatchNorm uses the batch's statistics and updates its
            running ones, RReLU draws random slopes. False: evaluation mode.
        rng : numpy.random.Generator, optional
            Draws RReLU's slopes; default the network's own ``rng``.

        Returns
        -------
        loss : float
            The data loss averaged over the n rows (no L1/L2 penalty).
        grads : list of (ndarray, ndarray)
            Per layer, hidden first: (∂L/∂W of shape (fan_in, units), ∂L/∂b of shape
            (units,)). They are views into ``grad_flat``, overwritten by the next pass;
            PReLU's α and BatchNorm's γ, β gradients are in ``grad_flat`` and on each layer.

        Raises
        ------
        KeyError
            If the loss is unknown.
        ValueError
            If ``x`` is not (n, n_inputs) or ``y`` not (n, n_outputs).
        """
        loss = _losses.get(loss)
        x = self._as_input(x)
        y = np.asarray(y, dtype=self.dtype)
        if y.ndim != 2 or y.shape != (x.shape[0], self.layers[-1].units):
            raise ValueError(f"targets must have shape ({x.shape[0]}, {self.layers[-1].units})")
        y = loss.prepare_targets(y)
        value = self._backprop(x, y, loss, train, rng if rng is not None else self.rng)
        return value, self.grads

    def _backprop(self, x, y, loss, train, rng) -> float:
        """Forward then backward on one batch; fills ``grad_flat``; returns the mean loss.

        The hot path of training: inputs are already in the network's dtype and targets in
        the loss's form. Layers without a learnable α leave its gradient untouched.
        """
        layers = self.layers
        a = x
        for layer in layers[:-1]:
            a = layer.forward(a, train, rng)
        out = layers[-1]
        if loss.fused is not None and out.act.name == loss.fused_activation:
            z = out.pre_activation(a, train)
            value, out.a, delta_z = loss.fused(z, y)
        else:
            value, delta_a = loss.value_grad(out.forward(a, train, rng), y)
            delta_z = out.delta_z(delta_a)
        delta_a = out.backward_z(delta_z, len(layers) > 1)
        for i in range(len(layers) - 2, -1, -1):
            layer = layers[i]
            delta_a = layer.backward_z(layer.delta_z(delta_a), i > 0)
        return value
