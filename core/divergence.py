"""How a run that diverged is stopped and explained: the exploding-run limits, the exception
the trainer raises, and the search for the layer where it happened.

The trainer's per-step checks (one reduction each, see ``core.trainer``) only say *that*
something failed; everything here runs only then, so it may take its time.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["LOSS_GROWTH", "NORM_LIMIT", "TrainingDiverged", "explain", "stopped"]

#: a batch loss above this many times max(1, the starting loss on the training set) stops
#: training as exploding (the lessons stay below 1.5 times)
LOSS_GROWTH = 1e4
#: parameters whose norm √Σθ² (weights and biases of every layer together) exceeds this times
#: max(1, the largest |target|) stop training as exploding (the lessons stay below 30)
NORM_LIMIT = 1e6


class TrainingDiverged(RuntimeError):
    """A loss, gradient or parameter became inf or NaN, or the run is exploding.

    Exploding means, before anything overflows: the batch loss rose above ``LOSS_GROWTH``
    (10⁴) times max(1, the loss on the training set before the first step), or the norm of
    all parameters √Σθ² (weights and biases together) rose above ``NORM_LIMIT`` (10⁶) times
    max(1, the largest |target| of the training set). Both limits are far beyond anything a
    run that learns reaches (every lesson stays below 1.5 times its starting loss and a norm
    of 30), and far below an overflow (a learning rate of 10⁶ takes four ReLU layers from a
    norm of 10 to 10¹²⁴ in a few steps).

    ``step`` is the number the failed step would have had; ``layer`` the index of the layer
    where it was found (``layer_name`` "hidden 1" … "output"): for an exploding run, the
    layer with the largest parameters. ``reason`` says which check failed: "loss",
    "gradient" or "parameters" (inf or NaN), "loss growth" or "norm" (exploding). The network
    keeps the parameters it had before the failed step (finite, and within the norm limit),
    so training can go on after lowering the learning rate; after a "loss growth" stop the
    loss limit becomes ``LOSS_GROWTH`` times the loss that stopped it, so going on from those
    weights stops again only if the loss explodes further.

    Parameters
    ----------
    message : str
        The sentence shown to the user (``str(exc)``): step, layer, what was found and what
        to try.
    step : int
        ``step_count + 1`` when the check failed: the step that was not completed.
    layer : int
        Index into ``net.layers`` (0 = first hidden layer, last = output).
    layer_name : str
        ``net.layer_name(layer)``.
    reason : {"loss", "gradient", "parameters", "loss growth", "norm"}
        Which check failed (above).

    Notes
    -----
    ``step_count``, ``epoch`` and the position in the epoch stay as they were, and so do
    BatchNorm's running statistics and, after a "parameters" or "norm" stop (whose update
    the optimizer had already made), the optimizer's state: its step count ``t`` and
    moments go back with the weights (``Optimizer.undo_step``). Not undone:
    ``net.grad_flat`` (the failed step's gradient) and the random generators' draws for the
    step.
    """

    def __init__(self, message: str, step: int, layer: int, layer_name: str,
                 reason: str = "parameters"):
        super().__init__(message)
        self.step = step
        self.layer = layer
        self.layer_name = layer_name
        self.reason = reason


def finite(a: np.ndarray) -> bool:
    return bool(np.isfinite(a).all())


def norm(a: np.ndarray) -> float:
    """√Σa², without overflowing for values near float's limit (inf only for inf values)."""
    m = float(np.abs(a).max()) if a.size else 0.0
    if not 0 < m < math.inf:
        return m
    b = a / m
    return m * math.sqrt(float(np.dot(b, b)))


def explain(net, what: str, loss: float, loss_limit: float,
            norm_limit: float) -> tuple[str, int, str]:
    """(reason, layer index, what was found) for a failed check ``what`` ("loss",
    "gradient", "parameters" or "loss growth"), from the network as the failed step left it;
    "parameters" that are all finite become "norm" (too large, or a square past float's
    range)."""
    layers = net.layers
    if what == "parameters" and finite(net.flat):
        what = "norm"
    if what in ("loss growth", "norm"):
        norms = [norm(net.flat[sl]) for sl in net.layer_slices()]
        index = int(np.argmax(norms))
        start = loss_limit / LOSS_GROWTH
        cause = (f"the loss rose to {loss:.3g}, more than {LOSS_GROWTH:,.0f} times its "
                 f"starting value {start:.3g}" if what == "loss growth" else
                 f"the norm of all the weights rose past {norm_limit:.3g}")
        found = (f"the run is exploding ({cause}), and this layer's weights are the "
                 f"largest (norm {norms[index]:.3g})")
    elif what == "loss":
        bad = [i for i, l in enumerate(layers)
               if any(v is not None and not finite(v) for v in (l.z, l.a))]
        index = bad[0] if bad else len(layers) - 1
        found = "its outputs became inf or NaN, so the loss is not a number"
    elif what == "gradient":
        bad = [i for i, sl in enumerate(net.layer_slices()) if not finite(net.grad_flat[sl])]
        index = bad[-1] if bad else len(layers) - 1  # backprop runs output → input
        found = "its gradients became inf or NaN"
    else:
        bad = [i for i, sl in enumerate(net.layer_slices()) if not finite(net.flat[sl])]
        index = bad[0] if bad else 0
        found = "its weights overflowed to inf or NaN"
    return what, index, found


def stopped(net, what: str, index: int, found: str, step: int, lr: float) -> TrainingDiverged:
    """The exception for ``explain``'s result: one sentence with the step, the layer, what
    was found and what to try."""
    name = net.layer_name(index)
    return TrainingDiverged(
        f"Training diverged at step {step} in layer '{name}': {found}. Lower the learning "
        f"rate (now {lr:g}) or turn on gradient clipping; the weights were kept as "
        "they were before this step.",
        step=step, layer=index, layer_name=name, reason=what,
    )
