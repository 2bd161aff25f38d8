"""Which loss suits which output activation and task, and plain warnings when they clash."""

from __future__ import annotations

import math

from . import activations
from .losses import get as get_loss

__all__ = ["default_loss_for", "pairing_warning"]


def _act(output_activation):
    return activations.get(output_activation) if isinstance(output_activation, str) else (
        output_activation
    )


def _range(act) -> tuple[float, float]:
    try:
        lo, hi = act.info.output_range
        return float(lo), float(hi)
    except Exception:  # an activation without an info card: assume unbounded
        return -math.inf, math.inf


def default_loss_for(task: str, output_activation) -> str:
    """The loss a student should start with for this task and output activation.

    Sigmoid → binary cross-entropy, softmax → cross-entropy, otherwise mean squared error.
    """
    name = getattr(_act(output_activation), "name", str(output_activation))
    if task == "multiclass":
        return {"softmax": "ce", "sigmoid": "bce"}.get(name, "mse")
    if task == "binary":
        return "bce" if name == "sigmoid" else "mse"
    return "mse"


def pairing_warning(loss, output_activation, task: str, n_outputs: int | None = None) -> str | None:
    """A short sentence explaining why this loss / output / task combination is a problem.

    Returns None when the combination is sound. ``n_outputs`` lets it catch a one-unit softmax.
    """
    loss_name = get_loss(loss).name
    act = _act(output_activation)
    name = getattr(act, "name", str(output_activation))
    lo, hi = _range(act)
    shown = getattr(getattr(act, "info", None), "display_name", name)

    if name == "softmax" and n_outputs == 1:
        return (
            "A softmax over a single output is always exactly 1, so the network cannot learn. "
            "Use a sigmoid for one yes/no output."
        )
    if loss_name == "bce":
        if task == "regression":
            return "Binary cross-entropy is for yes/no targets; for regression use MSE or Huber."
        if name == "tanh":
            return (
                "BCE needs outputs in (0, 1), but tanh outputs lie in (−1, 1), so negative "
                "outputs are clipped and stop learning. Use a sigmoid output, or keep tanh with "
                "±1 targets and MSE or hinge."
            )
        if lo < 0.0 or hi > 1.0:
            return (
                f"BCE needs outputs in (0, 1), but {shown} can output values outside it; "
                "log(0) is clipped and those outputs get no gradient. Use a sigmoid output."
            )
    if loss_name == "ce":
        if task == "regression":
            return "Cross-entropy is for classes; for regression use MSE or Huber."
        if name == "sigmoid":
            return (
                "Sigmoid outputs need not sum to 1, so cross-entropy only pushes the right "
                "class up and never the others down. Use a softmax output."
            )
        if name != "softmax":
            return (
                f"Cross-entropy expects class probabilities that sum to 1, which {shown} does "
                "not give. Use a softmax output."
            )
    if loss_name == "hinge":
        if task == "regression":
            return "Hinge loss is for classes; for regression use MSE or Huber."
        if name == "softmax":
            return (
                "Softmax outputs are always positive, so they can never reach the hinge "
                "target −1. Use a tanh or identity output."
            )
        if lo >= 0.0:
            return (
                f"{shown} outputs are never negative, so they can never reach the hinge "
                "target −1. Use a tanh or identity output."
            )
    if name == "softmax" and task == "binary" and (n_outputs or 0) > 1:
        return (
            "Softmax makes the outputs compete (they sum to 1), but these labels are "
            "independent yes/no answers. Use sigmoid outputs."
        )
    if name == "sigmoid" and task == "multiclass":
        return (
            "Sigmoid outputs are independent and need not sum to 1; for one-of-N classes use "
            "softmax with cross-entropy."
        )
    if task == "regression" and (math.isfinite(lo) or math.isfinite(hi)):
        return (
            f"{shown} outputs are limited to ({lo:g}, {hi:g}), but regression targets may lie "
            "outside. Use an identity (linear) output."
        )
    return None
