"""The activation record: one frozen description per function, with f, f′ and f″ side by side.

Convention (the one every panel states): derivatives are taken with respect to the unit's
pre-activation ``z``. At a kink the derivative takes the value listed in ``Info.kinks``; for
ReLU that is f′(0) = 0, as PyTorch, TensorFlow and JAX use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ._common import as_float

__all__ = ["Activation", "Info", "Kink", "ParamSpec"]


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of an activation: default (PyTorch's where it has one) and slider range."""

    name: str
    default: float
    lo: float
    hi: float
    doc: str = ""

    def check(self, value: Any) -> float:
        """Return ``value`` as float, or raise ValueError naming the allowed range."""
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be a number, not {value!r}") from None
        if not np.isfinite(v) or not (self.lo <= v <= self.hi):
            raise ValueError(f"{self.name} must lie in [{self.lo:g}, {self.hi:g}], not {v:g}")
        return v


@dataclass(frozen=True)
class Kink:
    """A point where f is not differentiable and the derivative value used there."""

    x: float
    df_used: float
    note: str = ""


@dataclass(frozen=True)
class Info:
    """What the property card shows. Every claim here is checked numerically in the tests.

    Meaning of the claims:

    * ``output_range``: (inf f, sup f) over the real line, ±inf when unbounded; the ends
      may be reached (ReLU's 0) or only approached (the sigmoid's 0 and 1).
    * ``zero_centred``: f(0) = 0 and f takes both signs.
    * ``monotonic``: non-decreasing everywhere.
    * ``bounded``: both ends of ``output_range`` are finite.
    * ``kinks``: every point where f or f′ jumps, with the value the code uses for f′ there.
    * ``breakpoints``: points that are not kinks but where the code changes formula: f″ jumps
      there (f is C1, like ELU with α = 1) or, for softplus, PyTorch's switch to f = z. A
      central difference with step h is unreliable within h of a kink or breakpoint.
    """

    display_name: str
    formula: str
    derivative: str
    output_range: tuple[float, float]
    zero_centred: bool
    monotonic: bool
    bounded: bool
    smoothness: str  # "discontinuous", "C0", "C1", "C2" or "C∞"
    kinks: tuple[Kink, ...] = ()
    derivative_from_output: str | None = None
    summary: str = ""
    category: str = "other"
    breakpoints: tuple[float, ...] = ()


@dataclass(frozen=True, eq=False)
class Activation:
    """Base of every activation. Subclasses set ``name``, ``PARAMS`` and implement the maths.

    ``f``, ``df`` and ``d2f`` take an array ``z`` of any shape and return an array of the same
    shape and dtype. ``df`` is dσ/dz (with respect to the pre-activation, not the output).
    Subclasses write these for a floating array; every subclass's ``f``, ``df``, ``d2f`` and
    ``df_from_output`` is wrapped so that lists and integer arrays come in as float64 and the
    result leaves with the input's dtype (float32 in, float32 out).
    """

    params: dict[str, float] = field(default_factory=dict)

    name: ClassVar[str] = ""
    PARAMS: ClassVar[tuple[ParamSpec, ...]] = ()
    #: True for functions of a whole vector (softmax); f′ is then a Jacobian, see ``jacobian``.
    vector: ClassVar[bool] = False
    #: names of parameters a layer may learn per unit (PReLU's α)
    learnable: ClassVar[tuple[str, ...]] = ()
    #: True when training draws random slopes (RReLU); see ``sample_slopes``
    stochastic: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for meth in ("f", "df", "d2f", "df_from_output"):
            if meth in cls.__dict__:
                setattr(cls, meth, _float_in_same_dtype_out(cls.__dict__[meth]))

    def __post_init__(self) -> None:
        given = dict(self.params)
        unknown = set(given) - {p.name for p in self.PARAMS}
        if unknown:
            raise ValueError(f"{self.name} has no parameter {', '.join(sorted(unknown))}")
        full = {p.name: p.check(given.get(p.name, p.default)) for p in self.PARAMS}
        object.__setattr__(self, "params", full)
        self.validate()

    def validate(self) -> None:
        """Raise ValueError if parameters clash (RReLU needs lower ≤ upper); ranges are checked."""

    # --- to override -------------------------------------------------------------------
    def f(self, z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """The unit's output a = f(z), element by element.

        Parameters
        ----------
        z : array_like, any shape
            Pre-activations: in a layer z = a_prev @ W + b, of shape (batch, units); for a
            plot, a 1-D grid. Lists, integers and booleans are read as float64.

        Returns
        -------
        ndarray
            f(z), of the same shape as ``z`` and the same float dtype (float32 stays float32).

        Notes
        -----
        For a vector activation (``vector`` is True: softmax) this is the curve that is
        drawn, softmax([z, 0])₁ = σ(z); a layer calls ``f_vector`` on whole rows instead.
        """
        raise NotImplementedError

    def df(self, z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """The slope f′(z) = da/dz, element by element, taken with respect to z.

        The derivative is with respect to the pre-activation z, as backpropagation needs it
        (δ_z = δ_a · f′(z)); ``df_from_output`` gives the same slope written in terms of a.

        Parameters
        ----------
        z : array_like, any shape
            Pre-activations, as for ``f``.

        Returns
        -------
        ndarray
            f′(z), of the same shape and float dtype as ``z``.

        Notes
        -----
        Where f has a kink the derivative does not exist; the value returned there is the one
        listed in ``info.kinks``, chosen as PyTorch, TensorFlow and JAX do: ReLU′(0) = 0,
        Leaky ReLU′(0) = PReLU′(0) = α (the left slope), ELU′(0) = α; step, sign and window
        have f′ = 0 everywhere, their jumps included. A central difference averages the two
        one-sided slopes at a kink, so it disagrees there by design. For softmax this is the
        curve's σ′(z); the full Jacobian is ``jacobian`` and a layer uses ``vjp``.
        """
        raise NotImplementedError

    def d2f(self, z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """The curvature f″(z) = d²a/dz², element by element, taken with respect to z.

        Parameters
        ----------
        z : array_like, any shape
            Pre-activations, as for ``f``.

        Returns
        -------
        ndarray
            f″(z), of the same shape and float dtype as ``z``.

        Notes
        -----
        At a kink, a jump or a breakpoint (``info.kinks``, ``info.breakpoints``) f″ does not
        exist; the value returned there is finite, that of one of the two neighbouring pieces
        (0 for the piecewise-linear functions such as ReLU, α for ELU at 0), except softsign's
        0 between its +2 and −2.
        """
        raise NotImplementedError

    def df_from_output(self, a: np.ndarray) -> np.ndarray | None:
        """f′ written in terms of the output a (σ′ = a(1−a)); None where no such form exists."""
        return None

    @property
    def info(self) -> Info:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- shared ------------------------------------------------------------------------
    @property
    def max_abs_df(self) -> float:
        """sup |f′| over the real line, used for "saturated" (|f′| < 1% of it) and depth plots."""
        z = np.linspace(-20.0, 20.0, 40001)
        return float(np.abs(self.df(z)).max())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{self.name}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.params == other.params  # type: ignore[union-attr]

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))


def _float_in_same_dtype_out(fn: Callable) -> Callable:
    """Wrap an elementwise method: non-float input becomes float64; output keeps z's dtype."""

    @functools.wraps(fn)
    def method(self: Activation, z: Any) -> Any:
        z = as_float(z)
        out = fn(self, z)
        return None if out is None else np.asarray(out, dtype=z.dtype)

    return method


def numerical_derivative(fn, z: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central difference (fn(z+h) − fn(z−h)) / 2h: what the GUI overlays on the analytic f′.

    At a kink this gives the mean of the two one-sided slopes (0.5 for ReLU at 0), which is
    exactly why a gradient check disagrees there.
    """
    z = np.asarray(z, dtype=np.float64)
    return (fn(z + h) - fn(z - h)) / (2.0 * h)
