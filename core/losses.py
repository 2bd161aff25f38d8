"""Loss functions as records in one registry (the GUI's "Loss" menu).

Conventions, the same for every loss (``a`` network output, ``y`` target, both (n, k)):

- the loss is summed over the k outputs of a sample and **averaged over the n samples** of the
  batch; the gradient returned is therefore already divided by n;
- **MSE is ½‖a − y‖²** per sample, so its gradient is simply (a − y)/n;
- L1/L2 penalties are *not* part of these values: the trainer reports them separately;
- BCE with a sigmoid output and CE with a softmax output are computed from the logits z
  (log-sum-exp form: no log(0), no overflow) and give the *fused* output delta
  ∂L/∂z = (a − y)/n, in which the σ′ factor has cancelled. With any other output activation
  the probabilities are clamped to [EPS, 1 − EPS] and the gradient goes honestly through the
  clamp (zero where it clips) and then through f′.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["EPS", "Loss", "get", "names", "register"]

#: probability clamp for cross-entropies without a fused output (Keras's epsilon)
EPS = 1e-7


@dataclass(frozen=True)
class Loss:
    """One loss function.

    ``value_grad(a, y) -> (L, ∂L/∂a)`` works for any output activation. When the output
    activation is named ``fused_activation``, ``fused(z, y) -> (L, a, ∂L/∂z)`` is used instead
    (from the logits z) and ``fused_value(z, y) -> L`` in evaluation.
    """

    name: str
    display_name: str
    value_grad: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]
    value: Callable[[np.ndarray, np.ndarray], float]
    formula: str
    summary: str
    fused_activation: str | None = None
    fused: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray, np.ndarray]] | None = None
    fused_value: Callable[[np.ndarray, np.ndarray], float] | None = None
    #: "pm1" when the loss wants targets −1/+1 (0/1 targets are converted)
    targets: str = "any"

    @property
    def has_fused_gradient(self) -> bool:
        return self.fused is not None

    def is_fused_with(self, activation) -> bool:
        """True when this loss uses the logits form with this output activation."""
        return self.fused is not None and getattr(activation, "name", None) == self.fused_activation

    def __reduce__(self):
        # A registered loss pickles as its name (a trainer is pickled into the GUI's training
        # process); the functions it holds need not be importable by name.
        if _REGISTRY.get(self.name) is self:
            return (get, (self.name,))
        return super().__reduce__()

    def prepare_targets(self, y: np.ndarray) -> np.ndarray:
        """Targets as the loss wants them: hinge maps every y ≤ 0 to −1 and y > 0 to +1."""
        if self.targets == "pm1":
            return _pm1(y)
        return y


_REGISTRY: dict[str, Loss] = {}


def register(loss: Loss) -> Loss:
    """Add a loss record to the registry (names are unique; ValueError otherwise)."""
    if loss.name in _REGISTRY:
        raise ValueError(f"a loss named {loss.name!r} is already registered")
    _REGISTRY[loss.name] = loss
    return loss


def names() -> list[str]:
    """Every registered loss name, in menu order.

    Returns
    -------
    list of str
        A new list: ``["mse", "bce", "ce", "hinge", "huber"]`` and any registered later.
    """
    return list(_REGISTRY)


def get(name: str | Loss) -> Loss:
    """The loss record registered as ``name``.

    Parameters
    ----------
    name : str or Loss
        A name from ``names()``; a Loss is returned as it is.

    Returns
    -------
    Loss
        Its ``value_grad(a, y) -> (L, ∂L/∂a)`` and ``value(a, y)`` take a and y of shape
        (n, k) and average over the n rows; ``fused`` is the logits form used after the
        output activation ``fused_activation``.

    Raises
    ------
    KeyError
        If no loss has that name; the message lists the known names.
    """
    if isinstance(name, Loss):
        return name
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown loss {name!r}; known: {', '.join(_REGISTRY)}") from None


def _pm1(y: np.ndarray) -> np.ndarray:
    t = y.dtype.type
    return np.where(y > 0, t(1), t(-1))


# --- mean squared error: L = (1/n) Σ ½‖a − y‖² -----------------------------------------------
def _mse_value_grad(a, y):
    r = a - y
    n = a.shape[0]
    return float((r * r).sum()) * 0.5 / n, r / n


def _mse_value(a, y):
    r = a - y
    return float((r * r).sum()) * 0.5 / a.shape[0]


def _mse_fused(z, y):
    # identity output: a = z and f′ = 1, so ∂L/∂z = (z − y)/n directly
    r = z - y
    n = z.shape[0]
    return float((r * r).sum()) * 0.5 / n, z, r / n


# --- binary cross-entropy --------------------------------------------------------------------
def _bce_value_grad(a, y):
    p = np.clip(a, EPS, 1.0 - EPS)
    n = a.shape[0]
    loss = -float((y * np.log(p) + (1.0 - y) * np.log1p(-p)).sum()) / n
    # d/dp of −y log p − (1−y) log(1−p) is (p − y) / (p(1 − p)); the clamp passes no gradient
    grad = (p - y) / (p * (1.0 - p) * n)
    grad *= a == p
    return loss, grad


def _bce_value(a, y):
    p = np.clip(a, EPS, 1.0 - EPS)
    return -float((y * np.log(p) + (1.0 - y) * np.log1p(-p)).sum()) / a.shape[0]


def _bce_fused_value(z, y):
    # log(1 + e^z) − y z, written with e^(−|z|) so neither exp nor log can overflow
    e = np.exp(-np.abs(z))
    return float((np.maximum(z, 0.0) - z * y + np.log1p(e)).sum()) / z.shape[0]


def _bce_fused(z, y):
    n = z.shape[0]
    e = np.exp(-np.abs(z))
    loss = float((np.maximum(z, 0.0) - z * y + np.log1p(e)).sum()) / n
    a = np.where(z >= 0.0, 1.0, e).astype(z.dtype, copy=False) / (1.0 + e)  # σ(z), both signs
    return loss, a, (a - y) / n


# --- softmax cross-entropy ---------------------------------------------------------------------
def _ce_value_grad(a, y):
    p = np.clip(a, EPS, 1.0)
    n = a.shape[0]
    loss = -float((y * np.log(p)).sum()) / n
    grad = -y / (p * n)
    grad *= a == p
    return loss, grad


def _ce_value(a, y):
    return -float((y * np.log(np.clip(a, EPS, 1.0))).sum()) / a.shape[0]


def _log_softmax(z):
    zs = z - z.max(axis=1, keepdims=True)
    e = np.exp(zs)
    s = e.sum(axis=1, keepdims=True)
    return zs - np.log(s), e, s


def _ce_fused_value(z, y):
    logp, _, _ = _log_softmax(z)
    return -float((y * logp).sum()) / z.shape[0]


def _ce_fused(z, y):
    n = z.shape[0]
    logp, e, s = _log_softmax(z)
    a = e / s
    return -float((y * logp).sum()) / n, a, (a - y) / n


# --- hinge: L = (1/n) Σ max(0, 1 − y a), y ∈ {−1, +1} --------------------------------------------
def _hinge_value_grad(a, y):
    s = _pm1(y)
    margin = 1.0 - s * a
    n = a.shape[0]
    active = margin > 0.0  # at the kink y·a = 1 the gradient used is 0
    return float((margin * active).sum()) / n, (-s / n) * active


def _hinge_value(a, y):
    return float(np.maximum(1.0 - _pm1(y) * a, 0.0).sum()) / a.shape[0]


# --- Huber (δ = 1): ½r² for |r| ≤ 1, |r| − ½ beyond -------------------------------------------
def _huber_value(a, y):
    r = np.abs(a - y)
    return float(np.where(r <= 1.0, 0.5 * r * r, r - 0.5).sum()) / a.shape[0]


def _huber_value_grad(a, y):
    r = a - y
    n = a.shape[0]
    return _huber_value(a, y), np.clip(r, -1.0, 1.0) / n


register(Loss(
    "mse", "Mean squared error", _mse_value_grad, _mse_value,
    "L = (1/n) Σ ½ (a − y)²",
    "Half the squared distance between output and target, averaged over the batch.",
    fused_activation="identity", fused=_mse_fused,
    fused_value=_mse_value,
))
register(Loss(
    "bce", "Binary cross-entropy", _bce_value_grad, _bce_value,
    "L = −(1/n) Σ [y log a + (1 − y) log(1 − a)]",
    "For yes/no outputs read as probabilities. With a sigmoid output the σ′ factor cancels "
    "and the output error is simply a − y, so saturated outputs still learn.",
    fused_activation="sigmoid", fused=_bce_fused, fused_value=_bce_fused_value,
))
register(Loss(
    "ce", "Softmax cross-entropy", _ce_value_grad, _ce_value,
    "L = −(1/n) Σ y log a",
    "For one-of-N classes with one-hot targets and a softmax output; the output error is "
    "simply a − y.",
    fused_activation="softmax", fused=_ce_fused, fused_value=_ce_fused_value,
))
register(Loss(
    "hinge", "Hinge (SVM)", _hinge_value_grad, _hinge_value,
    "L = (1/n) Σ max(0, 1 − y a),  y ∈ {−1, +1}",
    "Zero once an output is on the right side with margin 1; 0/1 targets are read as −1/+1.",
    targets="pm1",
))
register(Loss(
    "huber", "Huber (δ = 1)", _huber_value_grad, _huber_value,
    "L = (1/n) Σ ½r² if |r| ≤ 1 else |r| − ½,  r = a − y",
    "Squared error for small errors, absolute error for large ones: outliers pull less.",
))
