"""Dense and BatchNorm layers, each with its forward pass right beside its backward pass.

Shapes (n = batch rows): ``a_prev`` (n, fan_in), ``W`` (fan_in, units), ``b`` (units,),
``z`` and ``a`` (n, units). Derivatives are with respect to the pre-activation z, which is
what the activation records give. A layer's parameters and gradients are *views* into the
network's flat buffers (see ``Network``), so an optimizer updates everything in one pass.

What this does not try to do: convolution, dropout, recurrent layers, or automatic
differentiation in general; each backward pass is written out by hand.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BN_EPS", "BN_MOMENTUM", "BatchNorm", "Dense"]

BN_EPS = 1e-5
BN_MOMENTUM = 0.1


class BatchNorm:
    """Batch normalization of a dense layer's output u, before the activation (Ioffe & Szegedy).

    Train: û = (u − μ_B) / √(σ²_B + ε) with the batch's mean and (biased) variance, and the
    running statistics move 10% toward the batch's (unbiased variance, as PyTorch). Eval: the
    running statistics are used instead. Output z = γ û + β; γ and β are learned.
    """

    def __init__(self, units: int, dtype: np.dtype) -> None:
        self.units = units
        self.running_mean = np.zeros(units, dtype=dtype)
        self.running_var = np.ones(units, dtype=dtype)
        self.gamma = self.beta = self.grad_gamma = self.grad_beta = None  # views, see bind()
        self._u_hat = self._inv = None
        self._train = True

    def bind(self, gamma, beta, grad_gamma, grad_beta) -> None:
        self.gamma, self.beta, self.grad_gamma, self.grad_beta = gamma, beta, grad_gamma, grad_beta

    def forward(self, u: np.ndarray, train: bool) -> np.ndarray:
        """(n, units) → (n, units)."""
        if not train:
            inv = 1.0 / np.sqrt(self.running_var + BN_EPS)
            u_hat = (u - self.running_mean) * inv
            self._u_hat, self._inv, self._train = u_hat, inv, False
            return u_hat * self.gamma + self.beta
        n = u.shape[0]
        mu = u.sum(axis=0) / n
        d = u - mu
        var = (d * d).sum(axis=0) / n
        inv = 1.0 / np.sqrt(var + BN_EPS)
        u_hat = d * inv
        self._u_hat, self._inv, self._train = u_hat, inv, True
        m = BN_MOMENTUM
        self.running_mean *= 1.0 - m
        self.running_mean += m * mu
        self.running_var *= 1.0 - m
        self.running_var += (m * n / (n - 1)) * var if n > 1 else m * var
        return u_hat * self.gamma + self.beta

    def backward(self, delta_z: np.ndarray) -> np.ndarray:
        """∂L/∂z (n, units) → ∂L/∂u (n, units); fills the γ and β gradients."""
        u_hat, inv = self._u_hat, self._inv
        n = delta_z.shape[0]
        delta_z.sum(axis=0, out=self.grad_beta)
        (delta_z * u_hat).sum(axis=0, out=self.grad_gamma)
        d_hat = delta_z * self.gamma
        if not self._train:  # fixed running statistics: a plain per-unit affine map
            return d_hat * inv
        # the batch mean and variance depend on every row, hence the two correction terms
        return (inv / n) * (n * d_hat - d_hat.sum(axis=0) - u_hat * (d_hat * u_hat).sum(axis=0))


def _unwrapped(act, method: str, probe: np.ndarray):
    """``act.method`` without the activations' input-conversion wrapper, when that is safe.

    Layers always pass float arrays of the network's dtype, so the wrapper's conversions are
    pure per-call overhead on the training hot path. The raw function is used only if it
    gives the same values in the same dtype on a probe; otherwise the wrapped method is kept.
    """
    bound = getattr(act, method)
    raw = getattr(getattr(type(act), method), "__wrapped__", None)
    if raw is None:
        return bound
    fast = raw.__get__(act, type(act))
    try:
        got, want = fast(probe), bound(probe)
    except Exception:
        return bound
    if (isinstance(got, np.ndarray) and got.dtype == probe.dtype and got.shape == want.shape
            and np.array_equal(got, want)):
        return fast
    return bound


class Dense:
    """z = a_prev @ W + b (then BatchNorm if enabled), a = f(z).

    The activation's kind picks the code path once, at construction:
    plain (f, f′), learnable α per unit (PReLU: ``f_alpha``, ``df_alpha``, ``grad_alpha``),
    stochastic slopes in training (RReLU: ``sample_slopes``, ``f_slopes``, ``df_slopes``;
    evaluation uses f and f′ with the mean slope), or vector-valued (softmax: ``f_vector``
    and the vector-Jacobian product ``vjp``).
    """

    def __init__(self, index: int, fan_in: int, units: int, act, batchnorm: bool, dtype) -> None:
        self.index = index
        self.fan_in = fan_in
        self.units = units
        self.act = act
        self.dtype = np.dtype(dtype)
        self.vector = bool(getattr(act, "vector", False))
        self.learnable = tuple(getattr(act, "learnable", ()))
        if self.learnable and self.learnable != ("alpha",):
            raise ValueError(f"{act.name}: only a learnable 'alpha' is supported")
        self.stochastic = bool(getattr(act, "stochastic", False))
        self._plain = not (self.vector or self.learnable or self.stochastic)
        self.bn = BatchNorm(units, self.dtype) if batchnorm else None
        probe = np.linspace(-2.0, 2.0, 5, dtype=self.dtype).reshape(1, 5)
        self._f = _unwrapped(act, "f", probe)
        # f′ from the output (tanh′ = 1 − a²) saves recomputing f(z) in the backward pass
        self._df_from_a = None
        if self._plain:
            try:
                if act.df_from_output(act.f(probe)) is not None:
                    self._df_from_a = _unwrapped(act, "df_from_output", act.f(probe))
            except NotImplementedError:
                pass
        self.W = self.b = self.alpha = self.grad_w = self.grad_b = self.grad_alpha = None
        self.a_prev = self.z = self.a = self.slopes = None

    def __getstate__(self) -> dict:
        # What the last forward pass left for the backward pass (n rows × units each, for
        # every layer: 85 MB of a 100 MB pickle for a wide network on the digits) is not
        # state: the next step computes it again. The GUI pickles a trainer at every
        # re-initialization to hand it to the training process.
        state = self.__dict__.copy()
        for name in ("a_prev", "z", "a", "slopes"):
            state[name] = None
        return state

    @property
    def n_params(self) -> int:
        extra = (1 if self.learnable else 0) + (2 if self.bn is not None else 0)
        return self.fan_in * self.units + self.units * (1 + extra)

    def bind(self, flat: np.ndarray, grad: np.ndarray, offset: int) -> int:
        """Make W, b (α, γ, β) and their gradients views into the flat buffers at ``offset``."""

        def take(size, shape):
            nonlocal offset
            views = flat[offset:offset + size].reshape(shape), grad[offset:offset + size].reshape(
                shape
            )
            offset += size
            return views

        self.W, self.grad_w = take(self.fan_in * self.units, (self.fan_in, self.units))
        self.b, self.grad_b = take(self.units, (self.units,))
        if self.learnable:
            self.alpha, self.grad_alpha = take(self.units, (self.units,))
        if self.bn is not None:
            gamma, grad_gamma = take(self.units, (self.units,))
            beta, grad_beta = take(self.units, (self.units,))
            self.bn.bind(gamma, beta, grad_gamma, grad_beta)
        return offset

    # --- forward ----------------------------------------------------------------------------
    def pre_activation(self, a_prev: np.ndarray, train: bool) -> np.ndarray:
        """z (n, units) from a_prev (n, fan_in); stores what the backward pass needs."""
        z = a_prev @ self.W
        z += self.b
        if self.bn is not None:
            z = self.bn.forward(z, train)
        self.a_prev = a_prev
        self.z = z
        return z

    def forward(self, a_prev: np.ndarray, train: bool, rng=None) -> np.ndarray:
        """a = f(z), (n, units)."""
        # pre_activation and activate inlined: this runs for every layer of every step
        z = a_prev @ self.W
        z += self.b
        if self.bn is not None:
            z = self.bn.forward(z, train)
        self.a_prev = a_prev
        self.z = z
        self.a = a = self._f(z) if self._plain else self.activate(z, train, rng)
        return a

    def activate(self, z: np.ndarray, train: bool, rng=None) -> np.ndarray:
        act = self.act
        if self._plain:
            return act.f(z)
        if self.vector:
            return act.f_vector(z)
        if self.learnable:
            return act.f_alpha(z, self.alpha)
        if train:
            if rng is None:
                raise ValueError(f"{act.name} draws random slopes in training: pass an rng")
            self.slopes = act.sample_slopes(z.shape, rng, self.dtype)
            return act.f_slopes(z, self.slopes)
        self.slopes = None
        return act.f(z)

    # --- backward ---------------------------------------------------------------------------
    def delta_z(self, delta_a: np.ndarray) -> np.ndarray:
        """∂L/∂z = ∂L/∂a · f′(z) (elementwise), or the softmax's vector-Jacobian product."""
        if self._df_from_a is not None:
            return delta_a * self._df_from_a(self.a)
        act, z = self.act, self.z
        if self.vector:
            return act.vjp(z, delta_a)
        if self.learnable:
            # ∂L/∂α_j = Σ_rows ∂L/∂a · ∂f/∂α
            (delta_a * act.grad_alpha(z, self.alpha)).sum(axis=0, out=self.grad_alpha)
            return delta_a * act.df_alpha(z, self.alpha)
        if self.slopes is not None:
            return delta_a * act.df_slopes(z, self.slopes)
        return delta_a * act.df(z)

    def backward_z(self, delta_z: np.ndarray, need_input_grad: bool = True):
        """Fill ∂L/∂W = a_prevᵀ δ and ∂L/∂b = Σ_rows δ; return ∂L/∂a_prev (n, fan_in) or None."""
        if self.bn is not None:
            delta_z = self.bn.backward(delta_z)
        np.matmul(self.a_prev.T, delta_z, out=self.grad_w)
        delta_z.sum(axis=0, out=self.grad_b)
        if need_input_grad:
            return delta_z @ self.W.T
        return None
