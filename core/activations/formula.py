"""Activations typed as formulas: ``formula("x*sigmoid(beta*x)", {"beta": (1, 0.1, 10)})``.

A formula activation is named by its **spec**, one line of text that holds everything needed
to rebuild it and nothing that runs::

    formula:x*sigmoid(beta*x); beta = 1 in [0.1, 10]; name = swish-b

(the formula, then each parameter's default and slider range, then an optional display
name). That string is the activation's ``name``: ``core.activations.get(spec, beta=2)``
accepts it wherever a built-in's name goes — a layer of an experiment, a lesson's JSON, a
recurrent cell, a comparison's list of values — and a saved ``.alab`` stores it as text,
with the parameter values beside it as for any activation. Reading one parses it again (see
``formula_parse``: nothing of it is executed); a pickled formula activation (the GUI's
training process receives its network pickled) is its spec and values, rebuilt there.

The first use of a formula in a process derives f′ and f″ with SymPy and compiles them to
NumPy (``formula_sym``, imported then); later uses come from a cache. A formula given to
``get`` (or ``formula(..., network=True)``) must be finite on the whole real line
(``formula_probe``); ``network=False`` gives one for plotting, drawn where it is finite.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .base import Activation, Info, ParamSpec
from .formula_parse import (
    FUNCTIONS,
    MAX_PARAMS,
    FormulaError,
    check_name,
    check_param,
    parse,
)

__all__ = ["FORMULA_PREFIX", "FormulaActivation", "FormulaError", "FormulaSpec", "describe",
           "derive", "formula", "formula_class", "formula_name", "from_formula", "is_derived",
           "is_formula", "label",
           "NETWORK_NOTE"]

FORMULA_PREFIX = "formula:"
MAX_SPEC = 1000
NETWORK_NOTE = "; a network needs a function that is finite for every input"
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_PARAM_DECL = re.compile(rf"\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*({_NUM})\s+in\s+\[\s*({_NUM})\s*,"
                         rf"\s*({_NUM})\s*\]\s*")
_NAME_DECL = re.compile(r"\s*name\s*=(.*)")


def _fmt(v: float) -> str:
    """A number as short as it can be written and read back exactly (1, 0.1, 1e-05)."""
    s = repr(float(v))
    return s[:-2] if s.endswith(".0") else s


@dataclass(frozen=True)
class FormulaSpec:
    """A formula, its parameters (default and slider range) and an optional display name."""

    text: str
    params: tuple[ParamSpec, ...] = ()
    label: str | None = None

    @property
    def name(self) -> str:
        """The canonical spec string: the activation's registry name."""
        parts = [f"{FORMULA_PREFIX}{self.text}"]
        parts += [f"{p.name} = {_fmt(p.default)} in [{_fmt(p.lo)}, {_fmt(p.hi)}]"
                  for p in self.params]
        if self.label:
            parts.append(f"name = {self.label}")
        return "; ".join(parts)

    @property
    def display_name(self) -> str:
        return self.label or self.text


def _spec(text: Any, params: Any = None, label: Any = None) -> FormulaSpec:
    """Check every part and parse the text (no SymPy): a FormulaSpec, or FormulaError."""
    decls = []
    if params:
        items = params.items() if isinstance(params, Mapping) else (
            (p.name, (p.default, p.lo, p.hi)) for p in params)
        for key, value in items:
            try:
                default, lo, hi = value
            except (TypeError, ValueError):
                raise FormulaError(f"the parameter {str(key)[:24]!r} is given as (default, "
                                   "lowest, highest)") from None
            decls.append(check_param(key, default, lo, hi))
    names = [d[0] for d in decls]
    if len(set(names)) != len(names):
        raise FormulaError("two parameters have the same name")
    if len(decls) > MAX_PARAMS:
        raise FormulaError(f"a formula has at most {MAX_PARAMS} parameters")
    parsed = parse(text, tuple(names))
    label = None if label in (None, "") else check_name(label)
    specs = tuple(ParamSpec(n, d, lo, hi, "a parameter of your formula")
                  for n, d, lo, hi in decls)
    return FormulaSpec(parsed.text, specs, label)


def parse_name(name: str) -> FormulaSpec:
    """The FormulaSpec of a spec string ``formula:…``; FormulaError if any part is wrong."""
    if not isinstance(name, str) or not name.startswith(FORMULA_PREFIX):
        raise FormulaError(f"a formula's name starts with {FORMULA_PREFIX!r}")
    if len(name) > MAX_SPEC:
        raise FormulaError(f"the formula's description is too long ({len(name):,} characters; "
                           f"at most {MAX_SPEC})")
    text, *rest = name[len(FORMULA_PREFIX):].split(";")
    params: dict[str, tuple[float, float, float]] = {}
    label = None
    for part in rest:
        m = _PARAM_DECL.fullmatch(part)
        if m and m.group(1) != "name":
            if m.group(1) in params:
                raise FormulaError(f"the parameter {m.group(1)} is declared twice")
            params[m.group(1)] = tuple(float(m.group(k)) for k in (2, 3, 4))  # type: ignore
            continue
        m = _NAME_DECL.fullmatch(part)
        if m and label is None:
            label = m.group(1)
            continue
        shown = ascii(part.strip()[:30])[1:-1] or "(nothing)"
        raise FormulaError(f"`{shown}` is not a parameter declaration such as "
                           "'beta = 1 in [0.1, 10]'")
    return _spec(text, params, label)


def is_formula(name: object) -> bool:
    """True for a spec string (``formula:…``) or a formula activation; says nothing of
    whether the formula is valid."""
    return isinstance(name, FormulaActivation) or (
        isinstance(name, str) and name.startswith(FORMULA_PREFIX))


def describe(name: str) -> FormulaSpec:
    """The checked parts of a spec string, cheaply: parsed, never derived (no SymPy)."""
    return parse_name(name)


def label(name: str) -> str:
    """What a panel writes for an activation's name: a formula's display name ("swish-b", or
    its text) instead of its whole spec; any other name as it is."""
    if isinstance(name, str) and name.startswith(FORMULA_PREFIX):
        try:
            return describe(name).display_name
        except FormulaError:
            return name[len(FORMULA_PREFIX):][:40]
    return name


def formula_name(text: str, params: Any = None, name: str | None = None) -> str:
    """The spec string of a formula (checked; FormulaError if refused)."""
    return _spec(text, params, name).name


# --- caches --------------------------------------------------------------------------------------
class _Cache(OrderedDict):
    """A small least-recently-used map (formulas typed in a long session come and go)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key, value):
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value


_LOCK = threading.RLock()
_CLASSES = _Cache(256)  # (spec name, network) -> class
_DERIVED = _Cache(128)  # spec name -> Derived, or the FormulaError it raised
_ANALYSES = _Cache(512)  # (spec name, values) -> Analysis


def _derived(spec: FormulaSpec):
    with _LOCK:
        hit = _DERIVED.get(spec.name)
        if hit is None:
            from . import formula_sym  # SymPy is imported here, at a formula's first use

            try:
                hit = formula_sym.derive(parse(spec.text, tuple(p.name for p in spec.params)))
            except FormulaError as e:
                hit = e
            except (RecursionError, MemoryError):
                hit = FormulaError("the formula is too complicated to differentiate")
            _DERIVED.put(spec.name, hit)
        else:
            _DERIVED.move_to_end(spec.name)
    if isinstance(hit, FormulaError):
        raise FormulaError(hit.message, hit.column, hit.fragment)
    return hit


def is_derived(name: str) -> bool:
    """Whether the formula of this spec was already derived in this process (its next use
    costs no SymPy time)."""
    try:
        return parse_name(name).name in _DERIVED
    except FormulaError:
        return True  # nothing to derive: it is refused at once


def derive(name: str) -> None:
    """Derive and compile the formula of this spec now (cached); FormulaError if refused."""
    _derived(parse_name(name))


def _analysis(spec: FormulaSpec, values: tuple[float, ...]):
    key = (spec.name, values)
    hit = _ANALYSES.get(key)
    if hit is None:
        from .formula_probe import analyse

        d = _derived(spec)
        hit = _ANALYSES.put(key, analyse(d.functions, d.sources, d.source_fn, values,
                                         d.piecewise))
    return hit


def formula_class(name: str | FormulaSpec, network: bool = True) -> type[FormulaActivation]:
    """The activation class of a spec (cached; parsed, not yet derived)."""
    spec = name if isinstance(name, FormulaSpec) else parse_name(name)
    key = (spec.name, bool(network))
    with _LOCK:
        cls = _CLASSES.get(key)
        if cls is None:
            cls = type("FormulaActivation", (FormulaActivation,), {
                "name": spec.name, "PARAMS": spec.params, "spec": spec, "network": network,
                "__module__": __name__, "__qualname__": "FormulaActivation"})
            _CLASSES.put(key, cls)
        return cls


def formula(text: str, params: Any = None, name: str | None = None, *,
            values: Mapping[str, float] | None = None, network: bool = True
            ) -> FormulaActivation:
    """An activation from a formula in ``x``, usable wherever ``core.activations.get``'s are.

    Parameters
    ----------
    text : str
        The formula, e.g. ``"x*sigmoid(beta*x)"``: numbers, ``x``, the parameters, ``pi``,
        ``e``, ``+ - * / **``, and the functions of ``formula_parse.FUNCTIONS``; comparisons
        only inside ``where(condition, a, b)``.
    params : mapping, optional
        Parameter name → (default, lowest, highest), e.g. ``{"beta": (1.0, 0.1, 10.0)}``.
    name : str, optional
        A display name ("swish-b"); the formula itself is shown otherwise.
    values : mapping, optional
        Parameter values to use instead of the defaults.
    network : bool
        True (the default, as ``get``): refuse a function that is not finite for every
        input. False: an activation for plotting, drawn where it is finite.

    Raises
    ------
    FormulaError
        A ValueError with ``column`` and ``fragment``, if the formula is refused.
    """
    cls = formula_class(_spec(text, params, name), network)
    return cls(params=dict(values or {}))


def from_formula(text: str, name: str | None = None, **params: Any) -> FormulaActivation:
    """The issue's spelling of ``formula``: ``from_formula("x*sigmoid(beta*x)", "swish-b",
    beta=(1, 0.1, 10))``; each parameter is (default, lowest, highest)."""
    return formula(text, params or None, name)


def _rebuild(name: str, params: dict, network: bool) -> FormulaActivation:
    return formula_class(name, network)(params=params)


class FormulaActivation(Activation):
    """An activation typed as a formula; one subclass per spec, made by ``formula_class``.

    f, f′ and f″ are SymPy's exact derivatives compiled to NumPy. ``info`` is made from the
    formula and the numbers: its range, monotonicity, boundedness, zero-centring and
    smoothness are estimates (``estimated``), its kinks are found where the formula's pieces
    meet (the value there follows the README's convention, see ``formula_sym``).
    """

    spec: ClassVar[FormulaSpec]
    network: ClassVar[bool] = True
    #: the properties of ``info`` that are numerical estimates, not proofs
    estimated: ClassVar[tuple[str, ...]] = ("output_range", "zero_centred", "monotonic",
                                            "bounded", "smoothness")

    def validate(self) -> None:
        object.__setattr__(self, "_values", tuple(self.params[p.name] for p in self.PARAMS))
        _derived(self.spec)  # derives and compiles now: a refusal surfaces here
        if self.network and self.problems:
            raise FormulaError(self.problems[0] + NETWORK_NOTE)

    def _eval(self, i: int, z: np.ndarray) -> np.ndarray:
        fn = _derived(self.spec).functions[i]
        with np.errstate(all="ignore"):
            out = fn(z, *self._values)
        if np.shape(out) != z.shape:  # a constant (f″ of a line is 0)
            out = np.full(z.shape, out, dtype=z.dtype)
        return out

    def f(self, z):
        return self._eval(0, z)

    def df(self, z):
        return self._eval(1, z)

    def d2f(self, z):
        return self._eval(2, z)

    # --- what the cards show ----------------------------------------------------------------
    @property
    def text(self) -> str:
        return self.spec.text

    @property
    def analysis(self):
        """The numerical facts (``formula_probe.Analysis``) for these parameter values."""
        return _analysis(self.spec, self._values)

    @property
    def problems(self) -> tuple[str, ...]:
        """Why a network cannot use this function ('log(x) is undefined for x ≤ 0'); () if
        it can."""
        return self.analysis.problems

    @property
    def derivative_text(self) -> str:
        return f"f′(x) = {_derived(self.spec).texts[1]}"

    @property
    def second_derivative_text(self) -> str:
        return f"f″(x) = {_derived(self.spec).texts[2]}"

    @property
    def info(self) -> Info:
        a = self.analysis
        summary = ("Your own function. f′ and f″ are exact (derived by SymPy); its range, "
                   "monotonicity, boundedness, zero-centring and smoothness are estimated "
                   "from its values for −1000 ≤ z ≤ 1000. Here x stands for the unit's "
                   "input z.")
        if a.problems:
            summary += " " + "; ".join(a.problems) + "."
        return Info(
            display_name=self.spec.display_name,
            formula=f"f(x) = {self.spec.text}",
            derivative=self.derivative_text,
            output_range=a.output_range,
            zero_centred=a.zero_centred,
            monotonic=a.monotonic,
            bounded=a.bounded,
            smoothness=a.smoothness,
            kinks=a.kinks,
            summary=summary,
            category="formula",
            breakpoints=a.breakpoints,
        )

    @property
    def max_abs_df(self) -> float:
        z = np.linspace(-20.0, 20.0, 40001)
        d = np.abs(self.df(z))
        d = d[np.isfinite(d)]
        return float(d.max()) if d.size else 0.0

    # --- identity and pickling --------------------------------------------------------------
    def __reduce__(self):
        # the spec and the values, never code: the receiving process derives it again
        return (_rebuild, (self.name, dict(self.params), self.network))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormulaActivation) and (
            (self.name, self.network, self.params) == (other.name, other.network, other.params))

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v:g}" for k, v in self.params.items())
        return f"formula({self.spec.display_name!r}{args})"


#: the language's functions, for menus and messages
FUNCTION_TABLE = dict(FUNCTIONS)
