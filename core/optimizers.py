"""Optimizers as records in one registry, each updating the flat parameter buffer in one pass.

Every optimizer works on the whole network at once: ``p`` is ``net.flat`` and ``g`` is
``net.grad_flat`` (see ``Network``); its state (velocity, moments) is preallocated in the
same shape. Update rules and defaults follow PyTorch's ``torch.optim``.

Before the update, ``step`` applies, in this order and in place on ``g``:

- L2: g += λ₂ W — the gradient of the penalty **½ λ₂ ‖W‖²** (PyTorch's ``weight_decay``
  convention), on weights only, never on biases, α, γ or β;
- L1: g += λ₁ sign(W) — the gradient of λ₁ ‖W‖₁, weights only;
- clipping: if ‖g‖ (global, over every parameter) exceeds ``clip_norm``, g is scaled down
  to that norm.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Optimizer", "OptimizerInfo", "get", "make", "names", "penalty"]


class Optimizer:
    """Base: regularization and clipping, then the rule in ``_update`` (subclasses).

    Parameters
    ----------
    size, dtype : the flat buffer's length and dtype.
    weight_mask : (size,) bool, True on weight entries (L1/L2 and AdamW decay act there).
    """

    name = ""
    #: hyper-parameter names and PyTorch defaults (lr is separate)
    defaults: dict[str, object] = {}
    #: names of state arrays (each (size,) of the buffer's dtype)
    state_names: tuple[str, ...] = ()

    def __init__(self, size, dtype, weight_mask, lr=0.01, l1=0.0, l2=0.0, clip_norm=None,
                 **hyper):
        self.size = int(size)
        self.dtype = np.dtype(dtype)
        self.weight_mask = np.asarray(weight_mask, dtype=bool)
        unknown = set(hyper) - set(self.defaults)
        if unknown:
            raise ValueError(f"{self.name} has no setting {', '.join(sorted(unknown))}")
        self.hyper = {**self.defaults, **hyper}
        self._check_hyper()
        self._tmp = np.zeros(self.size, dtype=self.dtype)
        self._tmp2 = np.zeros(self.size, dtype=self.dtype)
        self.state = {k: np.zeros(self.size, dtype=self.dtype) for k in self.state_names}
        # the state before the last step, so a step that blew the weights up can be undone
        # whole (``undo_step``): the moments must not keep the step the weights dropped
        self._before = {k: np.zeros(self.size, dtype=self.dtype) for k in self.state_names}
        self._undone = True  # nothing to undo before the first step
        self.t = 0
        self.lr = lr
        self.l1, self.l2, self.clip_norm = l1, l2, clip_norm

    def _check_hyper(self) -> None:
        for k, v in self.hyper.items():
            vals = v if isinstance(v, (tuple, list)) else (v,)
            if not all(isinstance(x, (int, float)) and math.isfinite(x) and x >= 0 for x in vals):
                raise ValueError(f"{self.name} setting {k} must be a non-negative number")

    # --- settings that may change between steps ----------------------------------------
    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        value = float(value)
        if not (math.isfinite(value) and value >= 0.0):
            raise ValueError(f"the learning rate must be a non-negative number, not {value:g}")
        self._lr = value

    def _masked(self, lam: float) -> np.ndarray | None:
        return (self.weight_mask * lam).astype(self.dtype) if lam else None

    @property
    def l1(self) -> float:
        return self._l1

    @l1.setter
    def l1(self, value: float) -> None:
        self._l1 = _non_negative("l1", value)
        self._l1_vec = self._masked(self._l1)

    @property
    def l2(self) -> float:
        return self._l2

    @l2.setter
    def l2(self, value: float) -> None:
        self._l2 = _non_negative("l2", value)
        self._l2_vec = self._masked(self._l2)

    @property
    def clip_norm(self) -> float | None:
        return self._clip

    @clip_norm.setter
    def clip_norm(self, value: float | None) -> None:
        if value is not None:
            value = float(value)
            if not (math.isfinite(value) and value > 0.0):
                raise ValueError("clip_norm must be a positive number or None")
        self._clip = value

    # --- the step ------------------------------------------------------------------------
    def step(self, p: np.ndarray, g: np.ndarray) -> None:
        """Update p in place from g (g is modified: penalties added, clipping applied)."""
        tmp = self._tmp
        if self._l2_vec is not None:
            np.multiply(p, self._l2_vec, out=tmp)
            g += tmp
        if self._l1_vec is not None:
            np.sign(p, out=tmp)
            tmp *= self._l1_vec
            g += tmp
        if self._clip is not None:
            norm = math.sqrt(g @ g)
            if norm > self._clip:
                g *= self._clip / norm
        for k, v in self.state.items():
            np.copyto(self._before[k], v)
        self._undone = False
        self.t += 1
        self._update(p, g, self._lr)

    def undo_step(self) -> None:
        """Put the state (moments, step count) back as it was before the last ``step``; the
        caller restores the parameters. Once only: a second call changes nothing."""
        if self.t == 0 or self._undone:
            return
        for k, v in self._before.items():
            np.copyto(self.state[k], v)
        self.t -= 1
        self._undone = True

    def _update(self, p, g, lr) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- state ---------------------------------------------------------------------------
    def export_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(JSON-able settings, state arrays) — enough to continue exactly where it stopped."""
        meta = {
            "name": self.name, "lr": self._lr, "l1": self._l1, "l2": self._l2,
            "clip_norm": self._clip, "t": self.t,
            "hyper": {k: list(v) if isinstance(v, tuple) else v for k, v in self.hyper.items()},
        }
        return meta, {k: v.copy() for k, v in self.state.items()}

    def load_state(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        """Restore what ``export_state`` gave (shapes and dtypes checked)."""
        t = meta.get("t", 0)
        if isinstance(t, bool) or not isinstance(t, int) or t < 0:
            raise ValueError("the optimizer's step count must be a non-negative integer")
        for k in self.state_names:
            arr = arrays.get(k)
            ok = isinstance(arr, np.ndarray) and arr.shape == (self.size,)
            if not ok or arr.dtype != self.dtype:
                raise ValueError(f"the optimizer state {k!r} is missing or has the wrong shape")
            if not np.isfinite(arr).all():
                raise ValueError(f"the optimizer state {k!r} holds non-finite values")
        for k in self.state_names:
            self.state[k][...] = arrays[k]
        self.t = t
        self._undone = True


def _non_negative(name, value) -> float:
    value = float(value)
    if not (math.isfinite(value) and value >= 0.0):
        raise ValueError(f"{name} must be a non-negative number, not {value:g}")
    return value


def penalty(p: np.ndarray, weight_mask: np.ndarray, l1: float, l2: float) -> float:
    """λ₁‖W‖₁ + ½λ₂‖W‖² over the weights (what the trainer reports next to the data loss)."""
    if not (l1 or l2):
        return 0.0
    w = p[weight_mask]
    return float(l1 * np.abs(w).sum() + 0.5 * l2 * (w @ w))


class SGD(Optimizer):
    """p ← p − lr g."""

    name = "sgd"

    def _update(self, p, g, lr):
        np.multiply(g, lr, out=self._tmp)
        p -= self._tmp


class Momentum(Optimizer):
    """v ← μ v + g;  p ← p − lr v  (PyTorch's SGD with momentum, no dampening)."""

    name = "momentum"
    defaults = {"momentum": 0.9}
    state_names = ("velocity",)

    def _update(self, p, g, lr):
        v = self.state["velocity"]
        v *= self.hyper["momentum"]
        v += g
        np.multiply(v, lr, out=self._tmp)
        p -= self._tmp


class Nesterov(Optimizer):
    """v ← μ v + g;  p ← p − lr (g + μ v)  (PyTorch's nesterov=True)."""

    name = "nesterov"
    defaults = {"momentum": 0.9}
    state_names = ("velocity",)

    def _update(self, p, g, lr):
        mu = self.hyper["momentum"]
        v, tmp = self.state["velocity"], self._tmp
        v *= mu
        v += g
        np.multiply(v, mu, out=tmp)
        tmp += g
        tmp *= lr
        p -= tmp


class RMSProp(Optimizer):
    """s ← α s + (1 − α) g²;  p ← p − lr g / (√s + ε)."""

    name = "rmsprop"
    defaults = {"alpha": 0.99, "eps": 1e-8}
    state_names = ("square_avg",)

    def _update(self, p, g, lr):
        alpha, eps = self.hyper["alpha"], self.hyper["eps"]
        s, tmp = self.state["square_avg"], self._tmp
        s *= alpha
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - alpha
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += eps
        np.divide(g, tmp, out=tmp)
        tmp *= lr
        p -= tmp


class Adam(Optimizer):
    """m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − lr m̂ / (√v̂ + ε), bias-corrected."""

    name = "adam"
    defaults = {"betas": (0.9, 0.999), "eps": 1e-8}
    state_names = ("exp_avg", "exp_avg_sq")

    def _check_hyper(self):
        super()._check_hyper()
        betas = self.hyper["betas"]
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"{self.name} betas must be two numbers in [0, 1)")
        self.hyper["betas"] = (float(betas[0]), float(betas[1]))

    def _update(self, p, g, lr):
        b1, b2 = self.hyper["betas"]
        m, v = self.state["exp_avg"], self.state["exp_avg_sq"]
        tmp, tmp2 = self._tmp, self._tmp2
        m *= b1
        np.multiply(g, 1.0 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        v += tmp
        # PyTorch's arrangement: denom = √v / √(1 − β₂ᵗ) + ε, step = lr / (1 − β₁ᵗ)
        np.sqrt(v, out=tmp)
        tmp *= 1.0 / math.sqrt(1.0 - b2**self.t)
        tmp += self.hyper["eps"]
        np.divide(m, tmp, out=tmp2)
        tmp2 *= lr / (1.0 - b1**self.t)
        p -= tmp2


class AdamW(Adam):
    """Adam with decoupled weight decay: W ← W − lr·wd·W before the Adam step (weights only)."""

    name = "adamw"
    defaults = {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01}

    def _update(self, p, g, lr):
        wd = self.hyper["weight_decay"]
        if wd:
            np.multiply(p, self.weight_mask, out=self._tmp)
            self._tmp *= lr * wd
            p -= self._tmp
        super()._update(p, g, lr)


@dataclass(frozen=True)
class OptimizerInfo:
    """Registry record: menu name, class, and the defaults the settings panel shows."""

    name: str
    display_name: str
    cls: Callable[..., Optimizer]
    summary: str

    @property
    def defaults(self) -> dict:
        return dict(self.cls.defaults)


_REGISTRY: dict[str, OptimizerInfo] = {}


def _register(info: OptimizerInfo) -> None:
    _REGISTRY[info.name] = info


def names() -> list[str]:
    """Every registered optimizer name, in menu order.

    Returns
    -------
    list of str
        A new list: ``["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"]``.
    """
    return list(_REGISTRY)


def get(name: str) -> OptimizerInfo:
    """The registry record of the optimizer ``name``.

    Parameters
    ----------
    name : str
        A name from ``names()``.

    Returns
    -------
    OptimizerInfo
        Its menu name, summary, class ``cls`` and the ``defaults`` of its hyper-parameters
        (PyTorch's; lr is separate); ``make`` builds the optimizer itself.

    Raises
    ------
    KeyError
        If no optimizer has that name; the message lists the known names.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown optimizer {name!r}; known: {', '.join(_REGISTRY)}") from None


def make(name: str, size: int, dtype, weight_mask, **settings) -> Optimizer:
    """An optimizer for a flat buffer of ``size``; settings: lr, l1, l2, clip_norm, hyper."""
    return get(name).cls(size, dtype, weight_mask, **settings)


_register(OptimizerInfo("sgd", "SGD", SGD, "Step straight down the gradient."))
_register(OptimizerInfo(
    "momentum", "Momentum", Momentum,
    "Keeps a running velocity, so steps speed up along consistent directions.",
))
_register(OptimizerInfo(
    "nesterov", "Nesterov momentum", Nesterov,
    "Momentum that looks one step ahead before correcting.",
))
_register(OptimizerInfo(
    "rmsprop", "RMSProp", RMSProp,
    "Divides each step by a running size of that parameter's recent gradients.",
))
_register(OptimizerInfo(
    "adam", "Adam", Adam, "Momentum plus RMSProp's per-parameter step sizes, bias-corrected.",
))
_register(OptimizerInfo(
    "adamw", "AdamW", AdamW, "Adam with weight decay applied directly to the weights.",
))
