"""Reading a typed formula without executing any of it: text → a checked syntax tree.

This module never imports SymPy and never evaluates user text. The steps, each before the
next is allowed to see the text:

1. a length cap on the raw text, then NFKC normalization (look-alike letters such as 𝐱
   become x) and a few typographic signs the app itself prints (− × · ÷ ² ³ π);
2. plain printable ASCII only: no control characters (NUL, bidirectional marks, …);
3. ``ast.parse(mode="eval")`` with every parser error caught (SyntaxError, RecursionError,
   MemoryError, ValueError); the text is at most ``MAX_CHARS`` long, far below the sizes
   that crash CPython's parser;
4. node count and depth capped before anything else looks at the tree;
5. an allow-list walk: numbers, ``x``, the declared parameters, ``pi``, ``e``, the operators
   ``+ - * / **``, calls to the functions of ``FUNCTIONS`` only, comparisons only as the
   condition of ``where``; constants are bounded, and so is a constant exponent.

Anything refused raises ``FormulaError`` (a ValueError) naming the column and the text there.
"""

from __future__ import annotations

import ast
import builtins
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass

__all__ = [
    "FUNCTIONS",
    "FormulaError",
    "MAX_CHARS",
    "MAX_CONSTANT",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_NODES",
    "MAX_PARAMS",
    "Parsed",
    "check_name",
    "check_param",
    "normalize",
    "parse",
]

MAX_CHARS = 200  #: longest formula accepted (CPython's parser needs ~200,000 to crash)
MAX_NODES = 100  #: syntax-tree nodes
MAX_DEPTH = 20  #: nesting of the syntax tree
MAX_CONSTANT = 1e6  #: largest |number| written in a formula, or made of constants only
MAX_EXPONENT = 10  #: largest |p| of a constant exponent in u ** p
MAX_PARAMS = 8
MAX_NAME = 40  #: longest display name

#: name → (fewest arguments, most arguments, what it is); the menu of the language
FUNCTIONS: dict[str, tuple[int, int, str]] = {
    "exp": (1, 1, "e to the power u"),
    "expm1": (1, 1, "exp(u) − 1, exact for small u"),
    "log": (1, 1, "natural logarithm, for u > 0"),
    "log1p": (1, 1, "log(1 + u), exact for small u"),
    "sqrt": (1, 1, "square root, for u ≥ 0"),
    "abs": (1, 1, "absolute value |u| (slope 0 at 0, as PyTorch)"),
    "sign": (1, 1, "−1, 0 or 1 (slope 0 everywhere)"),
    "sin": (1, 1, "sine"),
    "cos": (1, 1, "cosine"),
    "tan": (1, 1, "tangent"),
    "tanh": (1, 1, "hyperbolic tangent"),
    "sinh": (1, 1, "hyperbolic sine"),
    "cosh": (1, 1, "hyperbolic cosine"),
    "arctan": (1, 1, "inverse tangent"),
    "erf": (1, 1, "error function"),
    "sigmoid": (1, 1, "logistic sigmoid 1/(1 + e^(−u))"),
    "softplus": (1, 1, "log(1 + e^u), computed without overflow"),
    "relu": (1, 1, "max(0, u), slope 0 at 0"),
    "max": (2, 4, "the largest argument"),
    "min": (2, 4, "the smallest argument"),
    "where": (3, 3, "where(condition, a, b): a where the condition holds, else b"),
    "clip": (3, 3, "clip(u, lo, hi): u kept within [lo, hi] (slope 0 at both ends)"),
}
CONSTANTS = {"pi": math.pi, "e": math.e}
RESERVED = {"x", "name", *CONSTANTS, *FUNCTIONS}
_ALLOWED_TEXT = re.compile(r"[ -~]*")  # printable ASCII, space to tilde
_PARAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,19}")
#: signs people copy from the app's own formulas or from books, read as the language's
_TYPOGRAPHY = str.maketrans({"−": "-", "×": "*", "·": "*", "÷": "/", "²": "**2", "³": "**3",
                             "π": "pi", "\u2009": " ", "\u00a0": " "})


class FormulaError(ValueError):
    """A formula that is refused, with where: ``column`` (1-based) and ``fragment`` (the text
    there). ``column`` is None when the problem is not at one place (the whole text)."""

    def __init__(self, message: str, column: int | None = None, fragment: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.fragment = fragment[:40]  # a message points at a place, it does not repeat a text


@dataclass(frozen=True)
class Parsed:
    """A formula that passed every check: its normalized text and its checked tree."""

    text: str
    tree: ast.Expression
    params: tuple[str, ...]
    nodes: int
    depth: int


def _menu(params: tuple[str, ...] = ()) -> str:
    names = ", ".join(params) if params else "parameters"
    return f"formulas may use x, {names}, pi, e and these functions: {', '.join(FUNCTIONS)}"


def normalize(text: object) -> str:
    """The text as the parser sees it, or FormulaError: capped, NFKC, printable ASCII."""
    if not isinstance(text, str):
        raise FormulaError(f"a formula is text, not {type(text).__name__}")
    if len(text) > MAX_CHARS:  # before NFKC, which can make a text up to 18 times longer
        raise FormulaError(f"the formula is {len(text):,} characters long; at most {MAX_CHARS} "
                           "are allowed", MAX_CHARS + 1, text[MAX_CHARS:MAX_CHARS + 12])
    text = unicodedata.normalize("NFKC", text.translate(_TYPOGRAPHY)).strip()
    if len(text) > MAX_CHARS:
        raise FormulaError(f"the formula is {len(text):,} characters long; at most {MAX_CHARS} "
                           "are allowed", MAX_CHARS + 1, text[MAX_CHARS:MAX_CHARS + 12])
    if not _ALLOWED_TEXT.fullmatch(text):
        i, ch = next((i, c) for i, c in enumerate(text) if not " " <= c <= "~")
        code = f"U+{ord(ch):04X}"
        if ch.isalpha():  # Cyrillic е, Greek ο: they look like Latin letters and are not
            raise FormulaError(f"`{ch}` ({code}) is not a plain Latin letter, though it may "
                               "look like one: type it as a–z", i + 1, code)
        what = ("a control character" if unicodedata.category(ch)[0] == "C" or ord(ch) < 32
                else f"`{ch}`")
        raise FormulaError(f"{what} ({code}) cannot be used in a formula: write it with "
                           "plain letters, digits and + - * / ( ) , < > =", i + 1, code)
    if not text:
        raise FormulaError("the formula is empty: type one, for example x*sigmoid(x)")
    return text


def check_param(name: object, default: object, lo: object, hi: object) -> tuple[str, float,
                                                                               float, float]:
    """A parameter declaration (name, default, lo, hi), checked; FormulaError otherwise."""
    if not isinstance(name, str) or not _PARAM_NAME.fullmatch(name):
        raise FormulaError(f"a parameter's name is a letter then up to 19 letters, digits or _, "
                           f"not {str(name)[:24]!r}")
    if name in RESERVED:
        raise FormulaError(f"`{name}` is already taken (it is x, a constant or a function); "
                           "give the parameter another name")
    values = []
    for what, v in (("default", default), ("lowest value", lo), ("highest value", hi)):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) \
                or abs(v) > MAX_CONSTANT:
            raise FormulaError(f"the {what} of {name} must be a number within ±{MAX_CONSTANT:g}")
        values.append(float(v))
    d, lo_, hi_ = values
    if not lo_ < hi_:
        raise FormulaError(f"{name}'s range must go from a lower to a higher value, not "
                           f"[{lo_:g}, {hi_:g}]")
    if not lo_ <= d <= hi_:
        raise FormulaError(f"{name}'s default {d:g} lies outside its range [{lo_:g}, {hi_:g}]")
    return name, d, lo_, hi_


def check_name(name: object) -> str:
    """A display name: 1–40 printable characters, no ';' (it ends a spec's part)."""
    if not isinstance(name, str):
        raise FormulaError("a formula's name is text")
    name = unicodedata.normalize("NFKC", name).strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise FormulaError(f"a formula's name has 1 to {MAX_NAME} characters")
    if ";" in name or any(unicodedata.category(c)[0] == "C" for c in name):
        raise FormulaError("a formula's name may not hold ';' or control characters")
    return name


# --- the tree ------------------------------------------------------------------------------------
_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_COMPARE = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)
#: what people reach for, and what to write instead
_HINTS: dict[type, str] = {
    ast.BitXor: "`^` is not a power here: write x**2",
    ast.FloorDiv: "`//` is not available: write / (and floor is not in the language)",
    ast.Mod: "`%` is not available in formulas",
    ast.BitAnd: "`&` is not available: inside where(...), write `and`",
    ast.BitOr: "`|` is not available: inside where(...), write `or`",
    ast.IfExp: "`a if cond else b` is not available: write where(cond, a, b)",
    ast.MatMult: "`@` is not available in formulas",
    ast.LShift: "`<<` is not available in formulas",
    ast.RShift: "`>>` is not available in formulas",
}
_KINDS: dict[type, str] = {
    ast.Attribute: "a dot (attribute access)", ast.Subscript: "indexing with [ ]",
    ast.Lambda: "lambda", ast.ListComp: "a list comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator",
    ast.JoinedStr: "an f-string", ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict",
    ast.Set: "a set", ast.Starred: "a starred argument", ast.NamedExpr: "`:=`",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "a slice",
}


def _where(text: str, node: ast.AST) -> tuple[int | None, str]:
    col = getattr(node, "col_offset", None)
    seg = ast.get_source_segment(text, node) if col is not None else None
    return (None if col is None else col + 1), (seg or "")[:40]


def _refuse(text: str, node: ast.AST, message: str, fragment: str | None = None) -> FormulaError:
    col, seg = _where(text, node)
    return FormulaError(message, col, seg if fragment is None else fragment)


def _measure(tree: ast.AST) -> tuple[int, int]:
    """(nodes, depth) without recursion (a deep tree must not exhaust Python's stack)."""
    nodes, depth, stack = 0, 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        nodes += 1
        depth = max(depth, d)
        if nodes > 10 * MAX_NODES:
            break
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return nodes, depth


def parse(text: object, params: tuple[str, ...] = ()) -> Parsed:
    """Check ``text`` as a formula in ``x`` and the parameters named ``params``.

    Returns the normalized text and its tree; raises FormulaError otherwise. Nothing of the
    text is executed; SymPy is not imported.
    """
    params = tuple(params)
    text = normalize(text)
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and the like
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        col = e.offset if isinstance(e.offset, int) and 0 < e.offset <= len(text) + 1 else None
        frag = text[col - 1:col + 11] if col else ""
        msg = (e.msg or "invalid syntax").removeprefix("invalid syntax. ").rstrip("?")
        raise FormulaError(f"the formula is not well formed ({msg})"
                           + (f" near `{frag}`" if frag else " at its end"), col, frag) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise FormulaError("the formula is nested too deeply to read") from None
    nodes, depth = _measure(tree)
    if nodes > MAX_NODES:
        count = f"{nodes}" if nodes <= 10 * MAX_NODES else f"over {10 * MAX_NODES}"
        raise FormulaError(f"the formula has too many parts ({count}; at most {MAX_NODES})")
    if depth > MAX_DEPTH:
        raise FormulaError(f"the formula is nested too deeply ({depth} levels; at most "
                           f"{MAX_DEPTH})")
    _Checker(text, params).value(tree.body)
    return Parsed(text, tree, params, nodes, depth)


class _Checker:
    """The allow-list walk. ``value`` checks an arithmetic node and returns its value when it
    is made of constants only (else None), so constant sizes and exponents can be bounded
    before SymPy ever sees them; ``condition`` checks where's first argument."""

    def __init__(self, text: str, params: tuple[str, ...]) -> None:
        self.text, self.params = text, params

    def refuse(self, node: ast.AST, message: str, fragment: str | None = None) -> FormulaError:
        return _refuse(self.text, node, message, fragment)

    def bounded(self, node: ast.AST, v: float | None) -> float | None:
        if v is None:
            return None
        if not math.isfinite(v) or abs(v) > MAX_CONSTANT:
            raise self.refuse(node, f"`{_where(self.text, node)[1]}` is too large: numbers in a "
                              f"formula must lie within ±{MAX_CONSTANT:g}")
        return v

    def value(self, node: ast.AST) -> float | None:
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, int | float):
                what = "text" if isinstance(v, str | bytes) else repr(v)
                raise self.refuse(node, f"`{_where(self.text, node)[1]}` is not allowed: formulas "
                                  f"hold numbers, not {what}; {_menu(self.params)}")
            if isinstance(v, int) and v.bit_length() > 64:
                raise self.refuse(node, f"`{_where(self.text, node)[1]}` is too large: numbers "
                                  f"in a formula must lie within ±{MAX_CONSTANT:g}")
            return self.bounded(node, float(v))
        if isinstance(node, ast.Name):
            if node.id == "x" or node.id in self.params:
                return None
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            if node.id in FUNCTIONS:
                raise self.refuse(node, f"`{node.id}` is a function: write {node.id}(…)")
            hint = "" if node.id.startswith("_") or len(node.id) > 20 or hasattr(
                builtins, node.id) else (
                f" (to use `{node.id}` as a parameter, declare it with its default and range, "
                f"e.g. {node.id} = 1 in [0.1, 10])")
            raise self.refuse(node, f"`{_short(node.id)}` is not allowed{hint}: "
                              f"{_menu(self.params)}",
                              node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
            v = self.value(node.operand)
            return None if v is None else (v if isinstance(node.op, ast.UAdd) else -v)
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, _BINOPS):
                raise self.refuse(node, _HINTS.get(type(node.op), "this operator is not "
                                                   f"available: {_menu(self.params)}"))
            a, b = self.value(node.left), self.value(node.right)
            if isinstance(node.op, ast.Pow) and b is not None and abs(b) > MAX_EXPONENT:
                raise self.refuse(node, f"`{_where(self.text, node)[1]}`: a constant exponent "
                                  f"must lie within ±{MAX_EXPONENT}")
            if a is None or b is None:
                return None
            return self.bounded(node, _fold(node.op, a, b, lambda m: self.refuse(node, m)))
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Compare | ast.BoolOp) or (
                isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
            raise self.refuse(node, "comparisons such as `x > 0` are allowed only as the "
                              "condition of where(condition, a, b)")
        if isinstance(node, ast.Attribute | ast.Subscript):
            # a chain such as ().__class__.__bases__[0]: name its first attribute, the part
            # that reaches into Python (the () or [0] around it is refused with it)
            first, root = _first_attribute(node)
            if isinstance(root, ast.Name) and root.id not in FUNCTIONS:
                self.value(root)  # __import__('os').system: the name is refused first
            if first is not None:
                col = (first.end_col_offset or 0) - len(first.attr) + 1
                raise FormulaError(f"`{_short(first.attr)}` is not allowed: "
                                   f"{_menu(self.params)}", col, first.attr)
        if type(node) in _HINTS:
            raise self.refuse(node, _HINTS[type(node)])
        kind = _KINDS.get(type(node), "this")
        raise self.refuse(node, f"{kind} is not allowed: {_menu(self.params)}"
                          .replace("this is", f"`{_where(self.text, node)[1]}` is", 1))

    def call(self, node: ast.Call) -> float | None:
        f = node.func
        if not isinstance(f, ast.Name):
            if isinstance(f, ast.Attribute | ast.Subscript):
                self.value(f)  # refused there, naming the attribute
            # a call of a call, log(2)(…), or of a number: only the table's names are called
            raise self.refuse(node, f"`{_where(self.text, node)[1]}`: only the functions of "
                              f"the list can be called; {_menu(self.params)}")
        if f.id not in FUNCTIONS:
            if f.id in ("x", "pi", "e", *self.params):
                raise self.refuse(f, f"`{f.id}` is not a function: write {f.id}*(…) to multiply",
                                  f.id)
            raise self.refuse(f, f"`{_short(f.id)}` is not allowed: {_menu(self.params)}", f.id)
        if node.keywords:
            raise self.refuse(node.keywords[0], f"{f.id}(…) takes plain arguments, not "
                              "name=value", ast.get_source_segment(self.text, node.keywords[0]))
        lo, hi, _ = FUNCTIONS[f.id]
        if not lo <= len(node.args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise self.refuse(node, f"{f.id} takes {want} argument{'s' if hi > 1 else ''}, not "
                              f"{len(node.args)}")
        if f.id == "where":
            c = self.condition(node.args[0])
            a, b = self.value(node.args[1]), self.value(node.args[2])
            if c is None or a is None or b is None:
                return None
            return a if c else b
        vals = [self.value(a) for a in node.args]
        if any(v is None for v in vals):
            return None
        try:
            return self.bounded(node, _CONST_FNS[f.id](*vals))
        except (ValueError, ZeroDivisionError):
            raise self.refuse(node, f"`{_where(self.text, node)[1]}` is undefined: it is not a "
                              "real number") from None
        except OverflowError:
            raise self.refuse(node, f"`{_where(self.text, node)[1]}` is too large: numbers in "
                              f"a formula must lie within ±{MAX_CONSTANT:g}") from None

    def condition(self, node: ast.AST) -> bool | None:
        if isinstance(node, ast.BoolOp):
            vals = [self.condition(v) for v in node.values]
            if any(v is None for v in vals):
                return None
            return all(vals) if isinstance(node.op, ast.And) else any(vals)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            v = self.condition(node.operand)
            return None if v is None else not v
        if isinstance(node, ast.Compare):
            bad = next((op for op in node.ops if not isinstance(op, _COMPARE)), None)
            if bad is not None:
                raise self.refuse(node, "conditions compare with < <= > >= == != only")
            vals = [self.value(node.left), *(self.value(c) for c in node.comparators)]
            if any(v is None for v in vals):
                return None
            return all(_compare(op, a, b) for op, a, b in zip(node.ops, vals, vals[1:]))
        raise self.refuse(node, "the first argument of where is a condition such as x > 0")


def _short(name: str) -> str:
    return name if len(name) <= 40 else name[:39] + "…"


def _first_attribute(node: ast.AST) -> tuple[ast.Attribute | None, ast.AST]:
    """The innermost (leftmost) attribute of a chain of attributes, indexes and calls, and
    the chain's root (what the first of them is applied to)."""
    found = None
    for _ in range(MAX_NODES):  # the tree is already capped; this bounds the loop anyway
        if isinstance(node, ast.Attribute):
            found = node
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            break
    return found, node


def _fold(op: ast.operator, a: float, b: float, refuse) -> float:
    try:
        if isinstance(op, ast.Add):
            return a + b
        if isinstance(op, ast.Sub):
            return a - b
        if isinstance(op, ast.Mult):
            return a * b
        if isinstance(op, ast.Div):
            return a / b
        r = a ** b
    except ZeroDivisionError:
        raise refuse("division by zero") from None
    except OverflowError:
        raise refuse(f"too large: numbers in a formula must lie within ±{MAX_CONSTANT:g}") \
            from None
    if isinstance(r, complex):
        raise refuse("a negative number to a fractional power is not a real number")
    return r


def _compare(op: ast.cmpop, a: float, b: float) -> bool:
    return {ast.Lt: a < b, ast.LtE: a <= b, ast.Gt: a > b, ast.GtE: a >= b, ast.Eq: a == b,
            ast.NotEq: a != b}[type(op)]


def _sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


def _log(v: float) -> float:
    if v <= 0:
        raise ValueError("log of a number ≤ 0")
    return math.log(v)


#: the functions on constants, in plain floats (bounds and exponents are checked on them)
_CONST_FNS = {
    "exp": math.exp, "expm1": math.expm1, "log": _log, "log1p": lambda v: _log(1.0 + v),
    "sqrt": math.sqrt, "abs": abs, "sign": lambda v: float((v > 0) - (v < 0)),
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "tanh": math.tanh, "sinh": math.sinh,
    "cosh": math.cosh, "arctan": math.atan, "erf": math.erf, "sigmoid": _sigmoid,
    "softplus": lambda v: max(v, 0.0) + math.log1p(math.exp(-abs(v))),
    "relu": lambda v: max(v, 0.0), "max": lambda *v: max(v), "min": lambda *v: min(v),
    "clip": lambda v, lo, hi: min(max(v, lo), hi),
}
