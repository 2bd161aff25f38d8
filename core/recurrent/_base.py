"""What the LSTM and the GRU share: size limits, activation lookup, the flat parameter buffer.

A cell's four arrays ``weight_ih`` (G·H, D), ``weight_hh`` (G·H, H), ``bias_ih`` (G·H,) and
``bias_hh`` (G·H,) — G gates stacked in PyTorch's order — are views into one flat buffer
``flat`` (in that order), and their gradients views into ``grad_flat``, as in
``core.Network``: an optimizer from ``core.optimizers`` updates a cell in one pass.
"""

from __future__ import annotations

import numpy as np

from .. import activations, limits
from ..layers import _unwrapped

__all__ = [
    "FRESH",
    "MAX_HIDDEN",
    "MAX_STATE_VALUES",
    "MAX_STEPS",
    "RecurrentCell",
    "Workspace",
    "check_size",
]

#: units in a cell's hidden state
MAX_HIDDEN = 1024
#: time steps in one sequence
MAX_STEPS = 10_000
#: T·B·H of one pass (steps × batch × hidden units). Backprop through time keeps every
#: step: an LSTM's forward record holds 11 numbers per state value and its backward pass
#: about as many again, so a pass at the limit takes about 200 MB of float64.
MAX_STATE_VALUES = 1_000_000


class Workspace:
    """Arrays kept from one pass to the next, by name and shape.

    A training step allocates a dozen arrays of T·B·H numbers; freshly allocated, their pages
    are mapped and zeroed by the kernel on first touch at every step (about 500 page faults
    a step at T = 50, which cost as much as the maths). A trainer passes a workspace, so a
    step reuses the previous step's arrays: the records it gets are valid until its next
    pass. ``FRESH`` allocates new arrays instead, for records that callers keep.
    """

    MAX_ARRAYS = 64  # several batch sizes in turn (a last, partial batch) fit

    def __init__(self) -> None:
        self._arrays: dict[tuple, np.ndarray] = {}

    def get(self, name: str, shape: tuple, dtype) -> np.ndarray:
        key = (name, shape, dtype)
        arr = self._arrays.get(key)
        if arr is None:
            if len(self._arrays) >= self.MAX_ARRAYS:
                self._arrays.clear()
            arr = self._arrays[key] = np.empty(shape, dtype=dtype)
        return arr

    def __getstate__(self) -> dict:
        return {"_arrays": {}}  # scratch space, not state


class _Fresh:
    @staticmethod
    def get(name: str, shape: tuple, dtype) -> np.ndarray:
        return np.empty(shape, dtype=dtype)


FRESH = _Fresh()


def check_size(name: str, value, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi], or a ValueError of one sentence naming the range."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number from {lo:,} to {hi:,}, not {value!r}.")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be a whole number from {lo:,} to {hi:,}, not {value:,}.")
    return int(value)


def _elementwise(role: str, name):
    """The activation record for one role (gate, candidate, cell output), checked usable.

    ``name`` is a registry name, an ``Activation``, or (name, {params}).
    """
    try:
        if isinstance(name, (tuple, list)) and len(name) == 2 and isinstance(name[1], dict):
            act = activations.get(name[0], **name[1])
        else:
            act = activations.get(name)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"The {role} activation {name!r} is not a known activation.") from exc
    if getattr(act, "vector", False):
        raise ValueError(f"The {role} activation must act on each unit alone; {act.name} "
                         "mixes the units of a vector.")
    if getattr(act, "learnable", ()) or getattr(act, "stochastic", False):
        raise ValueError(f"The {role} activation {act.name} learns or draws a parameter per "
                         "unit, which the recurrent cells do not support; use a fixed one "
                         "such as leaky_relu.")
    return act


class RecurrentCell:
    """Base of ``LSTM`` and ``GRU``: parameters, initialization, input checks.

    Subclasses set ``GATES`` (4 or 3), ``GATE_NAMES`` and ``kind``, and write the maths.
    """

    GATES = 0
    GATE_NAMES: tuple[str, ...] = ()
    kind = ""
    PARTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")

    def __init__(self, input_size, hidden_size, seed, roles: dict, dtype="float64"):
        D = check_size("input_size", input_size, 1, limits.MAX_INPUTS)
        H = check_size("hidden_size", hidden_size, 1, MAX_HIDDEN)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative whole number, not {seed!r}.")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise ValueError(f"dtype must be float64 or float32, not {dtype!r}.")
        G = self.GATES
        n = G * H * (D + H + 2)
        if n > limits.MAX_PARAMETERS:
            raise ValueError(f"This cell would have {n:,} parameters; at most "
                             f"{limits.MAX_PARAMETERS:,} are allowed.")
        acts = {role: _elementwise(role.replace("_", " "), name) for role, name in roles.items()}
        self.input_size, self.hidden_size, self.seed = D, H, int(seed)
        self.acts = acts
        self.n_params = n
        self._shapes = ((G * H, D), (G * H, H), (G * H,), (G * H,))
        self._attach(np.zeros(n, dtype=self.dtype), np.zeros(n, dtype=self.dtype), 0)
        # PyTorch: every weight and bias from U(−1/√H, 1/√H), drawn in this order
        rng = np.random.default_rng(self.seed)
        bound = 1.0 / np.sqrt(H)
        for part in self.PARTS:
            arr = getattr(self, part)
            arr[...] = rng.uniform(-bound, bound, size=arr.shape)
        self._fast = {}
        self._set_fast()

    # --- the flat buffer -----------------------------------------------------------------
    def _attach(self, flat: np.ndarray, grad: np.ndarray, offset: int) -> None:
        """Make the four arrays (and gradients) views into ``flat``/``grad`` at ``offset``."""
        self.flat = flat[offset:offset + self.n_params]
        self.grad_flat = grad[offset:offset + self.n_params]
        start = 0
        for part, shape in zip(self.PARTS, self._shapes):
            size = int(np.prod(shape))
            setattr(self, part, self.flat[start:start + size].reshape(shape))
            setattr(self, "grad_" + part, self.grad_flat[start:start + size].reshape(shape))
            start += size

    def bind(self, flat: np.ndarray, grad: np.ndarray, offset: int) -> int:
        """Move the parameters into a larger buffer (a model's) at ``offset``; returns its end.

        The current values are copied there; from then on the cell's arrays are views into
        ``flat`` and ``grad``.
        """
        values = self.flat.copy()
        self._attach(flat, grad, offset)
        self.flat[...] = values
        return offset + self.n_params

    @property
    def weight_mask(self) -> np.ndarray:
        """(n_params,) bool: True on weight entries (what L2 and AdamW's decay act on)."""
        G, H, D = self.GATES, self.hidden_size, self.input_size
        mask = np.zeros(self.n_params, dtype=bool)
        mask[:G * H * (D + H)] = True
        return mask

    def part_slices(self) -> dict[str, slice]:
        """Where each of the four arrays sits in ``flat``."""
        out, start = {}, 0
        for part, shape in zip(self.PARTS, self._shapes):
            size = int(np.prod(shape))
            out[part] = slice(start, start + size)
            start += size
        return out

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        for part in self.PARTS:
            state.pop(part, None)
            state.pop("grad_" + part, None)
        state.pop("_fast", None)
        return state

    def __setstate__(self, state: dict) -> None:
        # pickled views come back as separate arrays: bind them to the flat buffer again
        self.__dict__.update(state)
        self._attach(self.flat, self.grad_flat, 0)
        self._set_fast()

    # --- activations ---------------------------------------------------------------------
    def _set_fast(self) -> None:
        """Each role's f, f′ and f′-from-output without the input-conversion wrapper.

        The backward pass takes f′ from the outputs the forward pass kept (σ′ = a(1 − a),
        tanh′ = 1 − a²) when the activation has such a form and it agrees with f′(z) on a
        probe through its kinks: an exp-free pass instead of recomputing f′ from z, which was
        most of the backward pass's time. Otherwise it uses f′(z).
        """
        probe = np.linspace(-4.0, 4.0, 17, dtype=self.dtype).reshape(1, 17)
        self._fast = {role: (_unwrapped(act, "f", probe), _unwrapped(act, "df", probe),
                             _slope_from_output(act, self.dtype))
                      for role, act in self.acts.items()}

    def _slope(self, role: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """f′(z) of one role for pre-activations z whose outputs are a, as a new array."""
        _, df, from_a = self._fast[role]
        if from_a is not None:
            return own(from_a(a), a)
        return own(df(z), z)

    # --- inputs --------------------------------------------------------------------------
    def _check_input(self, x) -> np.ndarray:
        """x as a C-contiguous (T, B, D) array of the cell's dtype, sizes checked."""
        x = np.asarray(x)
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"The input must have shape (steps, batch, {self.input_size}), "
                             f"not {x.shape}.")
        T, B = x.shape[0], x.shape[1]
        check_size("The number of time steps", T, 1, MAX_STEPS)
        if B < 1:
            raise ValueError("The batch must hold at least one sequence, not 0.")
        if T * B * self.hidden_size > MAX_STATE_VALUES:
            raise ValueError(f"{T:,} steps × {B:,} sequences × {self.hidden_size:,} units is "
                             f"{T * B * self.hidden_size:,} state values; at most "
                             f"{MAX_STATE_VALUES:,} are allowed in one pass.")
        if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
            raise ValueError(f"The input must hold real numbers, not {x.dtype}.")
        # a view, so that marking the record read-only leaves the caller's array alone
        return np.ascontiguousarray(x, dtype=self.dtype).view()

    def _check_state(self, s, B: int, name: str) -> np.ndarray:
        """An initial state (B, H), zeros when None."""
        H = self.hidden_size
        if s is None:
            return np.zeros((B, H), dtype=self.dtype)
        s = np.asarray(s)
        if s.shape != (B, H):
            raise ValueError(f"{name} must have shape ({B}, {H}), not {s.shape}.")
        return np.asarray(s, dtype=self.dtype)

    def _check_grad_h(self, grad_h, shape) -> np.ndarray:
        grad_h = np.asarray(grad_h)
        if grad_h.shape != shape:
            raise ValueError(f"grad_h must have the shape of h, {shape}, not {grad_h.shape}.")
        return np.ascontiguousarray(grad_h, dtype=self.dtype)

    # --- shared API ----------------------------------------------------------------------
    def vjp(self, x, grad_h, h0=None, c0=None) -> dict[str, np.ndarray]:
        """Forward on x, then ``backward`` with dL/dh = grad_h (T, B, H); see ``backward``."""
        return self.backward(self.forward(x, h0, c0), grad_h)

    def spec(self) -> dict:
        """The constructor's arguments, JSON-able: ``type(cell)(**cell.spec())`` rebuilds it."""
        out = {"input_size": self.input_size, "hidden_size": self.hidden_size,
               "seed": self.seed}
        out.update({role: [act.name, dict(act.params)] if act.params else act.name
                    for role, act in self.acts.items()})
        return out

    def __repr__(self) -> str:
        roles = ", ".join(f"{role}={act.name}" for role, act in self.acts.items())
        return f"{type(self).__name__}({self.input_size}, {self.hidden_size}, {roles})"


def _slope_from_output(act, dtype):
    """``act.df_from_output`` (unwrapped) if it gives f′(z) on a probe through the kinks."""
    try:
        kinks = [float(k.x) for k in getattr(act.info, "kinks", ())]
        near = [k + d for k in kinks for d in (-1e-3, 0.0, 1e-3)]
        z = np.concatenate([np.linspace(-6.0, 6.0, 49), near]).astype(dtype).reshape(1, -1)
        a = act.f(z)
        got, want = act.df_from_output(a), act.df(z)
    except Exception:
        return None
    if got is None:
        return None
    got = np.asarray(got)
    rtol = 1e4 * np.finfo(dtype).eps
    if got.shape != want.shape or not np.allclose(got, want, rtol=rtol, atol=rtol * 1e-3):
        return None
    return _unwrapped(act, "df_from_output", a)


def readonly(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.flags.writeable = False


def own(result: np.ndarray, source: np.ndarray) -> np.ndarray:
    """An activation's result as an array we may write into (a copy only if it must be)."""
    result = np.asarray(result, dtype=source.dtype)
    if not result.flags.writeable or np.may_share_memory(result, source):
        result = result.copy()
    return result
