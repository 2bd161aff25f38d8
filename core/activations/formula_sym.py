"""A checked formula tree → a SymPy expression, its exact f′ and f″, and NumPy code for them.

Only ``core.activations.formula`` imports this module, and only when a formula is first
evaluated: SymPy is imported here, at the top, so the import costs nothing until then.

Safety: the SymPy expression is built node by node from the tree ``formula_parse`` accepted;
no user text is ever given to eval, exec, ``sympify`` or ``parse_expr``. The symbols are our
own (``x`` and ``p0``, ``p1``, … for the parameters, whatever the user called them), and
before ``lambdify`` prints code every node of f, f′ and f″ is checked against an allow-list
of SymPy types, so the generated code holds only printer output for those.

Kinks follow the README's convention. ``where(c, a, b)`` becomes a Piecewise whose pieces
are differentiated one by one, so at the boundary f′ is the slope of the piece that holds
there (``where(x > 0, x, 0)′(0) = 0``, ReLU′(0) = 0). ``relu``, ``max``, ``min`` and ``clip``
give a flat (constant) piece the tie, so ReLU′(0) = ReLU6′(6) = hardtanh′(±1) = 0 as in
PyTorch; ``max(x, a*x)`` gives it to the smaller slope, the left one (leaky ReLU′(0) = α).
``abs`` has slope sign(u), 0 at 0 (PyTorch); ``sign`` has slope 0: its Dirac delta (and any
SymPy makes) is not code but a listed kink, found by ``core.activations.formula``.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.functions.elementary.piecewise import ExprCondPair, piecewise_simplify
from sympy.functions.elementary.trigonometric import TrigonometricFunction
from sympy.logic.boolalg import ITE, BooleanFalse, BooleanTrue
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.str import StrPrinter

from . import _common, _erf
from .formula_parse import FormulaError, Parsed

__all__ = ["Derived", "derive", "X"]

X = sp.Symbol("x", real=True)
#: operations (SymPy's count_ops) allowed in f′ and in f″: beyond this, too complicated
MAX_OPS = 4000
#: serializes SymPy work: its caches are not documented as thread-safe
LOCK = threading.RLock()


# --- the functions SymPy lacks, or whose derivative we define ------------------------------------
class sigmoid(sp.Function):  # noqa: N801 - printed by name into the generated code
    """σ(u) = 1/(1 + e^(−u)); σ′ = σ(1 − σ). Evaluated by core's overflow-free sigmoid."""

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.S.Half

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)


class softplus(sp.Function):  # noqa: N801
    """log(1 + e^u), computed as max(u, 0) + log1p(e^(−|u|)); its slope is σ(u)."""

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.log(2)

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])


class _abs(sp.Function):  # noqa: N801
    """|u| with slope sign(u): 0 at 0, as PyTorch (SymPy's Abs would need u known real)."""

    @classmethod
    def eval(cls, u):
        if u.is_Number:
            return sp.Abs(u)
        if u.is_extended_nonnegative:
            return u
        if u.is_extended_nonpositive:
            return -u

    def fdiff(self, argindex=1):
        return _sign(self.args[0])


class _sign(sp.Function):  # noqa: N801
    """−1, 0, 1. Its slope is 0; the jump at u = 0 is a listed kink, not a Dirac delta."""

    @classmethod
    def eval(cls, u):
        if u.is_Number:
            return sp.sign(u)
        if u.is_extended_positive:
            return sp.S.One
        if u.is_extended_negative:
            return sp.S.NegativeOne

    def fdiff(self, argindex=1):
        return sp.S.Zero


#: what the generated code calls these names (everything else is NumPy's)
NAMESPACE = {"sigmoid": _common.sigmoid, "softplus": _common.softplus, "_abs": np.absolute,
             "_sign": np.sign, "erf": _erf.erf}
_FUNCS = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.tanh, sp.sinh, sp.cosh, sp.atan, sp.erf,
          log1p, expm1, sigmoid, softplus, _abs, _sign)
_STRUCT = (sp.Add, sp.Mul, sp.Pow, sp.Piecewise, ExprCondPair, sp.core.relational.Relational,
           sp.And, sp.Or, sp.Not, BooleanTrue, BooleanFalse)


# --- the tree → SymPy ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """A place in the formula that matters to the numbers: ``kind`` is "boundary" (f may
    change piece where g = 0), "pole" (undefined where g = 0), "log" (needs g > 0) or "root"
    (needs g ≥ 0); ``fragment`` is the user's text of that part."""

    kind: str
    g: sp.Expr
    fragment: str


class _Builder:
    def __init__(self, parsed: Parsed, symbols: tuple[sp.Symbol, ...]) -> None:
        self.text = parsed.text
        self.names = {"x": X, "pi": sp.pi, "e": sp.E, **dict(zip(parsed.params, symbols))}
        self.sources: list[Source] = []

    def frag(self, node: ast.AST) -> str:
        return (ast.get_source_segment(self.text, node) or "")[:40]

    def note(self, kind: str, g: sp.Expr, node: ast.AST) -> None:
        if g.has(X):
            self.sources.append(Source(kind, g, self.frag(node)))

    def expr(self, node: ast.AST) -> sp.Expr:
        try:
            out = self._expr(node)
        except FormulaError:
            raise
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError, RecursionError):
            raise FormulaError(f"`{self.frag(node)}` cannot be worked with (it is not a real "
                               "number for some x)", node.col_offset + 1, self.frag(node)
                               ) from None
        if out.has(sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise FormulaError(f"`{self.frag(node)}` is not a real number", node.col_offset + 1,
                               self.frag(node))
        return out

    def _expr(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Constant):  # decimals exactly as written: 0.1 is 1/10
            v = node.value
            # (a Fraction of the shortest repr, so no text at all reaches SymPy's constructors)
            if isinstance(v, int):
                return sp.Integer(v)
            q = Fraction(repr(float(v)))
            return sp.Rational(q.numerator, q.denominator)
        if isinstance(node, ast.Name):
            return self.names[node.id]
        if isinstance(node, ast.UnaryOp):
            a = self.expr(node.operand)
            return -a if isinstance(node.op, ast.USub) else a
        if isinstance(node, ast.BinOp):
            a, b = self.expr(node.left), self.expr(node.right)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                self.note("pole", b, node)
                return a / b
            if b.is_number and b < 0:
                self.note("pole", a, node)
            if not b.is_Integer:
                self.note("root", a, node)
            return a ** b
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        name = node.func.id
        if name == "where":
            c = self.condition(node.args[0])
            return sp.Piecewise((self.expr(node.args[1]), c), (self.expr(node.args[2]), True))
        args = [self.expr(a) for a in node.args]
        if name in ("max", "min"):
            out = args[0]
            for b in args[1:]:
                self.note("boundary", out - b, node)
                out = extreme(out, b, largest=name == "max")
            return out
        if name == "clip":  # slope 0 at both ends, as hardtanh and ReLU6
            u, lo, hi = args
            self.note("boundary", u - lo, node)
            self.note("boundary", u - hi, node)
            return sp.Piecewise((u, sp.And(sp.Gt(u, lo), sp.Lt(u, hi))), (lo, sp.Le(u, lo)),
                                (hi, True))
        (u,) = args
        if name == "relu":
            self.note("boundary", u, node)
            return extreme(sp.S.Zero, u, largest=True)
        if name in ("abs", "sign"):
            self.note("boundary", u, node)
            return (_abs if name == "abs" else _sign)(u)
        if name == "log":
            self.note("log", u, node)
            return _stable(sp.log(u))
        if name == "log1p":
            self.note("log", 1 + u, node)
            return log1p(u)
        if name == "sqrt":
            self.note("root", u, node)
            return sp.sqrt(u)
        if name == "tan":
            self.note("pole", sp.cos(u), node)
            return sp.tan(u)
        return {"exp": sp.exp, "expm1": expm1, "sin": sp.sin, "cos": sp.cos, "tanh": sp.tanh,
                "sinh": sp.sinh, "cosh": sp.cosh, "arctan": sp.atan, "erf": sp.erf,
                "sigmoid": sigmoid, "softplus": softplus}[name](u)

    def condition(self, node: ast.AST):
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(v) for v in node.values]
            return sp.And(*parts) if isinstance(node.op, ast.And) else sp.Or(*parts)
        if isinstance(node, ast.UnaryOp):  # `not`
            return sp.Not(self.condition(node.operand))
        assert isinstance(node, ast.Compare)
        terms = [self.expr(node.left), *(self.expr(c) for c in node.comparators)]
        rels = []
        for op, a, b in zip(node.ops, terms, terms[1:]):
            self.note("boundary", a - b, node)
            rels.append(_RELATION[type(op)](a, b))
        return sp.And(*rels)


_RELATION = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge, ast.Eq: sp.Eq,
             ast.NotEq: sp.Ne}


def extreme(a: sp.Expr, b: sp.Expr, *, largest: bool) -> sp.Expr:
    """max(a, b) (or min) as a Piecewise whose tie piece sets the slope at the corner: a
    constant argument wins it (slope 0: ReLU′(0) = 0, ReLU6′(6) = 0); else, when a′ − b′ is
    constant, the piece of the left slope (for max the smaller slope: leaky ReLU′(0) = α);
    else ``a``."""
    wins, loses = (sp.Gt, sp.Lt) if largest else (sp.Lt, sp.Gt)
    if not a.has(X):
        return sp.Piecewise((b, wins(b, a)), (a, True))
    if not b.has(X):
        return sp.Piecewise((a, wins(a, b)), (b, True))
    da, db = sp.diff(a, X), sp.diff(b, X)
    if (da - db).has(X):
        tie = a
    else:
        tie = sp.Piecewise((a, sp.Le(da, db) if largest else sp.Ge(da, db)), (b, True))
    return sp.Piecewise((a, wins(a, b)), (b, loses(a, b)), (tie, True))


# --- stable forms and clean-up -------------------------------------------------------------------
def _one_plus_exp(e: sp.Expr) -> sp.Expr | None:
    """u if e is 1 + exp(u), else None."""
    if isinstance(e, sp.Add) and len(e.args) == 2 and sp.S.One in e.args:
        other = e.args[0] if e.args[1] == 1 else e.args[1]
        if isinstance(other, sp.exp):
            return other.args[0]
    return None


def _stable(e: sp.Expr) -> sp.Expr:
    """log(1 + e^u) → softplus(u), 1/(1 + e^(−u)) → σ(u), e^u/(1 + e^u) → σ(u): the same
    numbers without overflow (e^1000 is inf in floating point; σ(1000) is 1)."""
    e = e.replace(lambda n: isinstance(n, sp.log) and _one_plus_exp(n.args[0]) is not None,
                  lambda n: softplus(_one_plus_exp(n.args[0])))
    e = e.replace(lambda n: isinstance(n, sp.Pow) and n.exp == -1
                  and _one_plus_exp(n.base) is not None,
                  lambda n: sigmoid(-_one_plus_exp(n.base)))

    def gated(n: sp.Expr) -> bool:
        return isinstance(n, sp.Mul) and any(
            isinstance(s, sigmoid) and sp.exp(-s.args[0]) in n.args for s in n.args)

    def merge(n: sp.Mul) -> sp.Expr:  # e^u · σ(−u) = σ(u)
        s = next(s for s in n.args if isinstance(s, sigmoid) and sp.exp(-s.args[0]) in n.args)
        rest = [a for a in n.args if a is not s and a != sp.exp(-s.args[0])]
        return sp.Mul(sigmoid(-s.args[0]), *rest)

    return e.replace(gated, merge)


def _clean(e: sp.Expr, sources: list[Source]) -> sp.Expr:
    """SymPy's own Abs, sign, Heaviside, DiracDelta, Max and Min (which its simplifications
    can produce) → ours; a Dirac delta becomes 0 here and its point a listed kink."""
    for d in e.atoms(sp.DiracDelta):
        sources.append(Source("boundary", d.args[0], ""))
    e = e.replace(lambda n: isinstance(n, sp.DiracDelta), lambda n: sp.S.Zero)
    # a comparison of a Piecewise (min(max(0, x), 6)) is an if-then-else of conditions
    e = e.replace(lambda n: isinstance(n, ITE),
                  lambda n: sp.Or(sp.And(n.args[0], n.args[1]),
                                  sp.And(sp.Not(n.args[0]), n.args[2])))
    e = e.replace(lambda n: isinstance(n, sp.Heaviside),
                  lambda n: sp.Piecewise((1, sp.Gt(n.args[0], 0)), (0, True)))
    e = e.replace(lambda n: isinstance(n, sp.Abs), lambda n: _abs(n.args[0]))
    e = e.replace(lambda n: isinstance(n, sp.sign), lambda n: _sign(n.args[0]))
    # |u|^2k = u^2k and |u|·sign(u) = u: smooth where the rules of abs and sign are not
    e = e.replace(lambda n: isinstance(n, sp.Pow) and isinstance(n.base, _abs)
                  and n.exp.is_Integer and n.exp % 2 == 0, lambda n: n.base.args[0] ** n.exp)
    e = e.replace(lambda n: isinstance(n, sp.Mul) and any(
        isinstance(a, _abs) and _sign(a.args[0]) in n.args for a in n.args), _unsign)
    # u·sign(u) = |u| for every real u (0 at 0), with the same slope sign(u)
    e = e.replace(lambda n: isinstance(n, sp.Mul) and any(
        isinstance(a, _sign) and a.args[0] in n.args for a in n.args), _absorb_sign)
    for kind, largest in ((sp.Max, True), (sp.Min, False)):
        def fold(n, largest=largest):
            out = n.args[0]
            for b in n.args[1:]:
                out = extreme(out, b, largest=largest)
            return out
        e = e.replace(lambda n, kind=kind: isinstance(n, kind), fold)
    return e


def _absorb_sign(n: sp.Mul) -> sp.Expr:
    s = next(a for a in n.args if isinstance(a, _sign) and a.args[0] in n.args)
    rest = list(n.args)
    rest.remove(s)
    rest.remove(s.args[0])
    return sp.Mul(_abs(s.args[0]), *rest)


def _unsign(n: sp.Mul) -> sp.Expr:
    a = next(a for a in n.args if isinstance(a, _abs) and _sign(a.args[0]) in n.args)
    rest = list(n.args)
    rest.remove(a)
    rest.remove(_sign(a.args[0]))
    return sp.Mul(a.args[0], *rest)


def _check(e: sp.Basic, symbols: set[sp.Symbol], what: str) -> None:
    """Every node is one the printer turns into code we know: the allow-list."""
    for n in sp.preorder_traversal(e):
        if isinstance(n, sp.Symbol):
            ok = n in symbols
        elif n.is_Number:
            ok = bool(n.is_finite) and bool(n.is_real)
        elif n in (sp.pi, sp.E) or isinstance(n, _STRUCT):
            ok = True
        else:
            ok = isinstance(n, sp.Function) and n.func in _FUNCS
        if not ok:
            if n in (sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo):
                raise FormulaError(f"{what} is not a real number for some x")
            raise FormulaError(f"{what} cannot be turned into code (it holds {type(n).__name__})")


def _ops(e: sp.Expr, what: str) -> None:
    n = sp.count_ops(e)
    if n > MAX_OPS:
        raise FormulaError(f"{what} is too complicated ({n:,} operations; at most {MAX_OPS:,}): "
                           "try a simpler formula")


# --- printing ------------------------------------------------------------------------------------
class _NumPyCode(NumPyPrinter):
    """NumPy's printer, but a Piecewise is nested ``where`` calls: one pass per piece where
    ``select`` builds lists of every condition and choice; and ``and``/``or`` are nested
    two-argument calls, which broadcast: SymPy's ``logical_and.reduce((a, b))`` stacks its
    arguments into one array and fails when one is a parameter's scalar condition (p ≥ 1)
    beside an array (found with max(x, tanh(max(x, a*x))))."""

    def _print_And(self, expr):
        return self._nested("numpy.logical_and", expr.args)

    def _print_Or(self, expr):
        return self._nested("numpy.logical_or", expr.args)

    def _nested(self, fn: str, args) -> str:
        name = self._module_format(fn)
        out = self._print(args[0])
        for a in args[1:]:
            out = f"{name}({out}, {self._print(a)})"
        return out

    def _print_Piecewise(self, expr):
        where = self._module_format("numpy.where")
        pieces = list(expr.args)
        if pieces[-1].cond == sp.true:
            out = self._print(pieces.pop().expr)
        else:
            out = self._module_format("numpy.nan")
        for e, c in reversed(pieces):
            out = f"{where}({self._print(c)}, {self._print(e)}, {out})"
        return out


class Readable(StrPrinter):
    """f′ and f″ written in the formula language itself (parameters by the user's names)."""

    _NAMES = {"_abs": "abs", "_sign": "sign", "atan": "arctan"}

    def __init__(self, names: dict[sp.Symbol, str]) -> None:
        super().__init__({"full_prec": False})
        self.names = names

    def _print_Symbol(self, expr):
        return self.names.get(expr, expr.name)

    def _print_Exp1(self, expr):
        return "e"

    def _print_Float(self, expr):
        return f"{float(expr):.12g}"

    def _print_Rational(self, expr):
        if expr.q <= 1000 and abs(expr.p) < 10**6:
            return super()._print_Rational(expr)
        return f"{float(expr):.12g}"

    def _print_Function(self, expr):
        name = self._NAMES.get(expr.func.__name__, expr.func.__name__)
        return f"{name}({self.stringify(expr.args, ', ')})"

    def _print_Relational(self, expr):
        op = {"==": "==", "!=": "!="}.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_And(self, expr):
        return " and ".join(f"({self._print(a)})" if isinstance(a, sp.Or) else self._print(a)
                            for a in expr.args)

    def _print_Or(self, expr):
        return " or ".join(self._print(a) for a in expr.args)

    def _print_Not(self, expr):
        return f"not ({self._print(expr.args[0])})"

    def _print_BooleanTrue(self, expr):
        return "1 == 1"

    def _print_BooleanFalse(self, expr):
        return "1 == 0"

    def _print_Piecewise(self, expr):
        pieces = list(expr.args)
        out = self._print(pieces.pop().expr) if pieces[-1].cond == sp.true else "nan"
        for e, c in reversed(pieces):
            out = f"where({self._print(c)}, {self._print(e)}, {out})"
        return out


def _decimal_like(r: sp.Rational) -> bool:
    """True for a fraction better read as a decimal: 21/20 (1.05), 17159/15000; not 2/3, 1/2."""
    q = int(r.q)
    if q > 1000 or abs(r.p) >= 10**6:
        return True
    while q % 2 == 0:
        q //= 2
    while q % 5 == 0:
        q //= 5
    return q == 1 and r.q > 10


def decimals(e: sp.Expr) -> sp.Expr:
    """Fractions written as decimals where that reads better (1.05·x rather than 21·x/20)."""
    return e.xreplace({r: sp.Float(r, 12) for r in e.atoms(sp.Rational) if _decimal_like(r)})


#: piecewise_simplify (merging nested pieces and their conditions) only below this many
#: operations, and only where the conditions hold no functions (``_plain_conditions``): it
#: simplifies every condition, trigonometry included, and took 14 s on
#: max(0.25*relu(x), sinh(tanh(sin(x))))
PIECEWISE_TIDY_OPS = 200


def _plain_conditions(e: sp.Expr) -> bool:
    """True when every piece's condition is a comparison of sums and products (x > 0,
    x < a·x): simplifying conditions that hold functions (sinh(tanh(sin(x))) < 0) runs
    SymPy's trigonometric and logic simplifiers for seconds, and so does a piece that holds
    a trigonometric or hyperbolic function."""
    if e.has(TrigonometricFunction, HyperbolicFunction):  # its trigsimp: 72 s on a tanh
        return False
    return all(not cond.atoms(sp.Function)
               for pw in e.atoms(sp.Piecewise) for _expr, cond in pw.args)


def tidy(e: sp.Expr) -> sp.Expr:
    """A shorter equal form for reading: the fewest operations among a few cheap rewritings
    (SymPy's full ``simplify`` took seconds on some small formulas, and made others worse to
    evaluate, so it is not used)."""
    best, best_n = e, sp.count_ops(e)
    rewrites = [sp.factor_terms, lambda v: sp.factor_terms(sp.together(v))]
    if e.has(sp.Piecewise) and best_n <= PIECEWISE_TIDY_OPS and _plain_conditions(e):
        # nested pieces as one, conditions merged
        rewrites.append(lambda v: piecewise_simplify(sp.piecewise_fold(v)))
    for rewrite in rewrites:
        try:
            cand = _stable(rewrite(e))
        except (TypeError, ValueError, RecursionError, sp.PolynomialError):
            continue
        n = sp.count_ops(cand)
        if n <= best_n:  # a tie goes to the factored form: c·(1 − t²), not c − c·t²
            best, best_n = cand, n
    return best


def _try_arrays(fns, n_params: int) -> None:
    """Run the compiled f, f′, f″ once on an array: SymPy's code for some pieces (a condition
    that is always true beside one that is not) builds ragged arrays, and NumPy raises then;
    such a formula is refused here with a sentence instead of failing later."""
    x = np.linspace(-2.0, 2.0, 7)
    with np.errstate(all="ignore"):
        for fn, what in zip(fns, ("the formula", "its derivative f′", "its second derivative f″")):
            try:
                np.broadcast_to(np.asarray(fn(x, *([0.5] * n_params)), dtype=float), x.shape)
            except (ValueError, TypeError, ArithmeticError) as e:
                raise FormulaError(f"{what} cannot be computed for many inputs at once "
                                   f"({type(e).__name__}): a condition that is always true "
                                   "or always false may cause this; leave it out") from None


def _compile(args: list[sp.Symbol], e, *, cse: bool) -> Callable:
    """NumPy code for ``e``: unknown functions refused, ours named from ``NAMESPACE``."""
    printer = _NumPyCode({"fully_qualified_modules": False, "inline": True,
                          "allow_unknown_functions": False,
                          "user_functions": {k: k for k in NAMESPACE}})
    # NumPy's loaded names as a dict, not the module "numpy": lambdify would run
    # `from numpy import *`, which imports numpy.testing and unittest (not in the bundle)
    return sp.lambdify(args, e, modules=[NAMESPACE, _numpy_names()], printer=printer, cse=cse,
                       docstring_limit=0)


def _numpy_names() -> dict:
    return {k: v for k, v in vars(np).items() if not k.startswith("_")}


# --- the whole derivation ------------------------------------------------------------------------
@dataclass(frozen=True)
class Derived:
    """f, f′, f″ of one formula: readable texts, NumPy functions ``fn(z, *params)``, and the
    sources the numerical checks look at (``boundary`` points are where kinks can be)."""

    exprs: tuple[sp.Expr, sp.Expr, sp.Expr]
    texts: tuple[str, str, str]
    functions: tuple[Callable, Callable, Callable]
    sources: tuple[Source, ...]
    source_fn: Callable | None  # all sources' g at once: fn(z, *params) → list of arrays
    piecewise: bool  # the formula has pieces (where, max, abs, …): it may have kinks


def derive(parsed: Parsed) -> Derived:
    """Build, differentiate twice, check and compile. Raises FormulaError, also where SymPy
    itself fails (it raised KeyError inside Piecewise for a condition that is a constant,
    ``where(pi + pi > 0 and softplus(1.5) < 1, …)``): a formula SymPy cannot work through is
    refused with a sentence, never a traceback."""
    try:
        return _derive(parsed)
    except FormulaError:
        raise
    except (RecursionError, MemoryError):
        raise FormulaError("this formula is too involved to differentiate: write it more "
                           "simply") from None
    except Exception as e:  # noqa: BLE001 - SymPy's own failures, whatever their type
        raise FormulaError("SymPy could not work out this formula's derivatives "
                           f"({type(e).__name__}); try writing it another way") from None


def _derive(parsed: Parsed) -> Derived:
    with LOCK:
        symbols = tuple(sp.Symbol(f"p{i}", real=True) for i in range(len(parsed.params)))
        b = _Builder(parsed, symbols)
        f = _stable(b.expr(parsed.tree.body))
        sources = list(b.sources)
        f = _clean(f, sources)
        allowed = {X, *symbols}
        _check(f, allowed, "the formula")
        d1 = _clean(_stable(sp.diff(f, X)), sources)
        _ops(d1, "its derivative f′")
        _check(d1, allowed, "its derivative f′")
        d2 = _clean(_stable(sp.diff(d1, X)), sources)
        _ops(d2, "its second derivative f″")
        _check(d2, allowed, "its second derivative f″")
        names = dict(zip(symbols, parsed.params)) | {X: "x"}
        printer = Readable(names)
        texts = (parsed.text, printer.doprint(decimals(tidy(d1))),
                 printer.doprint(decimals(tidy(d2))))
        args = [X, *symbols]
        fns = tuple(_compile(args, e, cse=True) for e in (f, d1, d2))
        _try_arrays(fns, len(symbols))
        gs = [s.g for s in sources]
        source_fn = _compile(args, gs, cse=False) if gs else None
        piecewise = bool(sources) or any(e.has(sp.Piecewise, _abs, _sign) for e in (f, d1))
        return Derived((f, d1, d2), texts, fns, tuple(sources), source_fn, piecewise)
