"""Goals that need no training: values of activations, depth products, gradient checks, and
the step the student marks done."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .fields import Table
from .goal_base import _COMMON, Goal, GoalResult, _layer_index, _layer_label, _parse_layer
from .record import RunRecord


# --- goals that need no training --------------------------------------------------------------
class _Static(Goal):
    needs_run: ClassVar[bool] = False

    def measure(self, run: RunRecord | None) -> float:
        raise NotImplementedError

    def evaluate(self, run: RunRecord | None = None) -> GoalResult:
        try:
            v = self.measure(run)
        except (ValueError, KeyError) as e:
            return self._result(False, None, None, f"cannot be measured: {e}", run)
        return self._result(bool(self.holds(v)), v, None,
                            f"{self.measure_name(run)} = {self.fmt(v)}", run)

    @classmethod
    def known_fields(cls):
        return _COMMON + cls.extra_fields()


def _parse_activation(t: Table) -> tuple[str, dict]:
    from .. import activations

    name = t.text("activation", max_len=40, required=True, one_line=True)
    params = t.raw("params", {})
    if not isinstance(params, dict) or not all(
            isinstance(k, str) and not isinstance(v, bool) and isinstance(v, int | float)
            and math.isfinite(v) for k, v in params.items()):
        raise t.error("params", "must map parameter names to numbers, e.g. { alpha = 0.1 }")
    try:
        activations.get(name, **params)
    except KeyError:
        raise t.error("activation", f"there is no activation called {name!r}; known: "
                                    f"{', '.join(activations.names())}") from None
    except (ValueError, TypeError) as e:
        raise t.error("params", str(e)) from None
    return name, {k: float(v) for k, v in params.items()}


_OF = {"f": "f", "df": "f′", "d2f": "f″", "numerical_df": "central-difference f′"}


@dataclass(frozen=True, kw_only=True)
class ActivationGoal(_Static):
    """A value of an activation at one z: f, f′, f″ or the central difference of f (h = 1e-5)."""

    kind: ClassVar[str] = "activation"
    activation: str = "relu"
    params: tuple[tuple[str, float], ...] = ()
    at: float = 0.0
    of: str = "df"

    def measure_name(self, run=None) -> str:
        return f"{_OF[self.of]}({self.at:g}) of {self.activation}"

    def measure(self, run=None) -> float:
        from .. import activations

        act = activations.get(self.activation, **dict(self.params))
        z = np.array([self.at], dtype=np.float64)
        if self.of == "numerical_df":
            return float(activations.numerical_derivative(act.f, z)[0])
        return float(getattr(act, self.of)(z)[0])

    @classmethod
    def extra_fields(cls):
        return ("activation", "params", "at", "of")

    @classmethod
    def parse_extra(cls, t, ctx):
        name, params = _parse_activation(t)
        return {"activation": name, "params": tuple(sorted(params.items())),
                "at": t.number("at", -1000.0, 1000.0, required=True),
                "of": t.choice("of", _OF, required=True)}


@dataclass(frozen=True, kw_only=True)
class DepthProductGoal(_Static):
    """max|f′|^depth: the most ``depth`` layers of the activation can multiply a gradient by."""

    kind: ClassVar[str] = "depth_product"
    activation: str = "sigmoid"
    params: tuple[tuple[str, float], ...] = ()
    depth: int = 10

    def measure_name(self, run=None) -> str:
        return f"max|f′|^{self.depth} of {self.activation}"

    def measure(self, run=None) -> float:
        from .. import activations, diagnostics

        act = activations.get(self.activation, **dict(self.params))
        return float(diagnostics.depth_product(act, np.array([self.depth]))[0])

    @classmethod
    def extra_fields(cls):
        return ("activation", "params", "depth")

    @classmethod
    def parse_extra(cls, t, ctx):
        name, params = _parse_activation(t)
        return {"activation": name, "params": tuple(sorted(params.items())),
                "depth": t.number("depth", 1, 1000, integer=True, required=True)}


#: a gradient check costs two loss evaluations per parameter
MAX_GRADCHECK_PARAMS = 20_000
#: recent gradient checks by (experiment, rows, step): several goals often check one network
_GRADCHECKS: dict[tuple[str, int, float], Any] = {}


def _gradcheck(exp, rows: int, step: float):
    import json

    from ..gradcheck import gradcheck

    key = (json.dumps(exp.to_dict(), sort_keys=True), rows, step)
    if key not in _GRADCHECKS:
        ds = exp.build_dataset()
        net = exp.build_network(ds)
        if net.n_params > MAX_GRADCHECK_PARAMS:
            raise ValueError(f"the network has {net.n_params:,} parameters; a gradient check "
                             f"here is limited to {MAX_GRADCHECK_PARAMS:,}")
        n = min(rows, ds.n_train)
        if len(_GRADCHECKS) >= 16:
            _GRADCHECKS.pop(next(iter(_GRADCHECKS)))
        _GRADCHECKS[key] = gradcheck(net, ds.x_train[:n], ds.y_train[:n], exp.training.loss,
                                     h=step)
    return _GRADCHECKS[key]


@dataclass(frozen=True, kw_only=True)
class GradcheckGoal(_Static):
    """The relative error of ``core.gradcheck`` on the step's network as initialized.

    The batch is the first ``rows`` rows of the training set and ``step`` the h of the central
    difference; ``layer`` picks one layer's error, otherwise the largest over the layers is
    measured. Results are remembered, so checking several layers of one network costs one
    check.
    """

    kind: ClassVar[str] = "gradcheck"
    rows: int = 4
    step: float = 1e-6
    layer: int | str | None = None

    def measure_name(self, run=None) -> str:
        where = "" if self.layer is None else f" in {_layer_label(self.layer, run)}"
        h = "" if self.step == 1e-6 else f" with h = {self.step:g}"
        return f"relative error of the gradient check{where}{h}"

    def measure(self, run=None) -> float:
        exp = getattr(run, "experiment", None)
        if exp is None:
            raise ValueError("the run's experiment is not known")
        res = _gradcheck(exp, self.rows, self.step)
        if self.layer is None:
            return float(res.max_error)
        i = _layer_index(self.layer, len(res.per_layer))
        if i is None:
            raise ValueError(f"the network has no layer {self.layer}")
        return float(res.per_layer[i])

    @classmethod
    def extra_fields(cls):
        return ("rows", "step", "layer")

    @classmethod
    def parse_extra(cls, t, ctx):
        return {"rows": t.number("rows", 1, 32, integer=True, default=4),
                "step": t.number("step", 1e-8, 0.1, default=1e-6),
                "layer": _parse_layer(t, "layer", ctx, required=False)}


@dataclass(frozen=True, kw_only=True)
class DoneGoal(Goal):
    """The student marks the step done; the app cannot check it."""

    kind: ClassVar[str] = "done"
    needs_run: ClassVar[bool] = False
    checkable: ClassVar[bool] = False

    def describe(self, run=None) -> str:
        return "marked done by the student"

    def target(self) -> str:
        return "marked done by the student"

    def evaluate(self, run=None) -> GoalResult:
        return GoalResult(None, None, None, "not checked: the student marks this step done")

    @classmethod
    def known_fields(cls):
        return ("kind",)

    @classmethod
    def parse(cls, t, ctx):
        return cls(line=t.src.line_of(t.path))
