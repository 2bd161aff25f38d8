"""Hostile text given as a formula: refused with a FormulaError that says where, or accepted
as the mathematics it is; never executed.

Three sources of text: a list of known attacks, a deterministic mutation loop over valid
formulas (10,000 strings by default, 100,000 with --run-slow) and Hypothesis (random text and
Python-looking token soup). While the parser runs, ``eval``, ``exec``, ``__import__``,
``open`` and ``breakpoint`` raise, and ``compile`` is allowed only to build a syntax tree
(``ast.parse``'s own call): a sentinel that anything else was reached.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.activations.formula_parse import (
    FUNCTIONS,
    MAX_CHARS,
    MAX_DEPTH,
    MAX_NODES,
    FormulaError,
    parse,
)

PARAMS = ("a", "beta")
#: the node types of the language: an accepted tree holds nothing else
ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call,
                 ast.Compare, ast.BoolOp, ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div,
                 ast.Pow, ast.USub, ast.UAdd, ast.Not, ast.And, ast.Or, ast.Lt, ast.LtE,
                 ast.Gt, ast.GtE, ast.Eq, ast.NotEq)
ALLOWED_NAMES = {"x", "pi", "e", *PARAMS, *FUNCTIONS}


class Executed(AssertionError):
    """Raised by the sentinel: something tried to run code."""


@contextlib.contextmanager
def nothing_runs():
    real = {k: getattr(builtins, k) for k in ("eval", "exec", "__import__", "compile", "open",
                                              "breakpoint")}
    calls: list[str] = []

    def trap(name):
        def f(*args, **kwargs):
            calls.append(name)
            raise Executed(name)
        return f

    def compile_ast_only(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & ast.PyCF_ONLY_AST:
            calls.append("compile")
            raise Executed("compile")
        return real["compile"](source, filename, mode, flags, *args, **kwargs)

    def import_stdlib_only(name, *args, **kwargs):
        # ast.walk does `from collections import deque` when first called: allowed; any
        # other import while parsing is a sign that something ran
        if name != "collections":
            calls.append(f"import {name}")
            raise Executed(name)
        return real["__import__"](name, *args, **kwargs)

    patched = {"compile": compile_ast_only, "__import__": import_stdlib_only}
    for name in real:
        setattr(builtins, name, patched.get(name) or trap(name))
    try:
        yield calls
    finally:
        for name, f in real.items():
            setattr(builtins, name, f)
    assert not calls, f"the parser reached {calls}"


def check(text: object) -> str:
    """Parse under the caller's sentinel; 'refused' or 'accepted', and the invariants of each."""
    try:
        parsed = parse(text, PARAMS)
    except FormulaError as e:
        assert str(e), "a refusal says why"
        assert e.column is None or (isinstance(e.column, int) and e.column >= 1)
        assert isinstance(e.fragment, str) and len(e.fragment) <= 40
        return "refused"
    assert len(parsed.text) <= MAX_CHARS and parsed.text.isascii()
    assert parsed.nodes <= MAX_NODES and parsed.depth <= MAX_DEPTH
    for node in ast.walk(parsed.tree):
        assert isinstance(node, ALLOWED_NODES), type(node).__name__
        if isinstance(node, ast.Name):
            assert node.id in ALLOWED_NAMES, node.id
        if isinstance(node, ast.Constant):
            assert type(node.value) in (int, float), node.value
    return "accepted"


ATTACKS = [
    "__import__('os').system('touch /tmp/activation-lab-pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__.__mro__[1].__subclasses__()",
    "sigmoid.__globals__['__builtins__']",
    "(lambda: 0).__code__",
    "'__cla' + 'ss__'",
    "getattr(x, '__' + 'class' + '__')",
    "exp.__self__.__dict__",
    "\U0001d431 + __\U0001d48a\U0001d48e\U0001d491\U0001d490\U0001d493\U0001d495__('os')",
    "ｅｖａｌ('1')",
    "lambda: 1", "lambda x: x", "[c for c in ()]", "{c: c for c in ()}", "(c for c in ())",
    "f'{x}'", "f'{__import__(\"os\")}'", "'{0.__class__}'.format(x)", "b'x'", "...",
    "9**9**9", "x**(10**10)", "1<<10**9", "2**2**2**2**2", "10**400", "1e309", "-1e309",
    "x**1e6", "(" * 150 + "x" + ")" * 150, "-" * 190 + "x", "not " * 40 + "x",
    "+x" * 200_000, "x" * 1_000_000, "x\x00", "x\u202e + 1", "x\u2066", "x\r\n", "\t\n",
    "x; import os", "x\nimport os", "import os", "exec('1')", "eval('1')", "open('/etc/passwd')",
    "breakpoint()", "globals()", "vars()", "x if x else 1", "x := 1", "(x := 1)", "*x",
    "x[0]", "x[::-1]", "{x}", "[x]", "(x, x)", "{'a': 1}", "x.real", "x @ x", "x // 2",
    "x % 2", "x ^ 2", "x & 1", "~x", "await x", "yield x", "sigmoid(x, key=1)",
    "sigmoid(*[x])", "sigmoid(**{})", "e" * 300, "True", "None", "1j", "x + 1j",
    "where(x, x, x)", "where(x > 0 > , 1, 0)", "max()", "max(" + "x, " * 40 + "x)",
    "log(x)", "1/x", "sqrt(-1)", "log(-1)", "1/0", "0**-1", "(-8)**(1/3)", "exp(1000)",
]


@pytest.mark.parametrize("text", ATTACKS, ids=range(len(ATTACKS)))
def test_known_attacks_are_refused_or_are_plain_maths(text, tmp_path):
    with nothing_runs():  # (its speed, under 50 ms each, is measured in bench_formula.py)
        outcome = check(text)
    if text in ("log(x)", "1/x"):  # plain maths: refused later, as unusable in a network
        assert outcome == "accepted"
    elif any(k in text for k in ("__", "import", "eval", "exec", "lambda", "open", "'", "[")):
        assert outcome == "refused"


def test_a_dunder_is_named_with_its_column():
    with pytest.raises(FormulaError, match="`__class__` is not allowed: formulas may use x") \
            as e:
        parse("().__class__.__bases__[0]")
    assert (e.value.column, e.value.fragment) == (4, "__class__")
    with pytest.raises(FormulaError, match="not a plain Latin letter") as e:
        parse("2*\u0435xp(x)")  # Cyrillic е
    assert e.value.column == 3


# --- the mutation loop ------------------------------------------------------------------------
SEEDS = ["x*sigmoid(beta*x)", "where(abs(x - a) < beta, 1, 0)", "max(0, x)", "1.7159*tanh(2*x/3)",
         "log(1 + exp(x))", "clip(x, -1, 1)", "where(x > 0 and x < 1, x**2, -x)", "erf(x/sqrt(2))",
         "softplus(x) - log(2)", "min(max(0, x), 6)", "x**3 - a*x", "exp(-x**2/2)"]
TOKENS = ["__class__", "__import__", ".", "[", "]", "(", ")", "'", '"', "lambda", ":", ";",
          "**", "*", "<<", "9", "99", "**99", "e", "pi", "x", "_", "__", "os", "for", "in",
          "if", "else", "f'", "{", "}", "\x00", "\u202e", "\n", "\U0001d431", "ｘ", "∗", ",",
          "and", "not", "<", "==", "1e308", "0x1f", "1_000", "j", "import", "\\", "#", "@",
          "sigmoid(", "where(", "max(", "getattr", "eval", "exec", "−", "²", "π"]


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        i = rng.randint(0, len(text))
        j = min(len(text), i + rng.randint(0, 6))
        op = rng.random()
        if op < 0.45:
            text = text[:i] + rng.choice(TOKENS) + text[i:]
        elif op < 0.65:
            text = text[:i] + text[j:]
        elif op < 0.8:
            text = text[:i] + chr(rng.randint(0, 0x2FFF)) + text[i:]
        elif op < 0.9:
            text = text[:i] + text[i:j] * rng.randint(2, 40) + text[j:]
        else:
            other = rng.choice(SEEDS)
            k = rng.randint(0, len(other))
            text = text[:i] + other[k:k + rng.randint(1, 12)] + text[j:]
    return text


def _mutation_loop(n: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {"refused": 0, "accepted": 0}
    with nothing_runs():
        for _ in range(n):
            counts[check(mutate(rng, rng.choice(SEEDS)))] += 1
    return counts


def test_ten_thousand_mutated_formulas_are_refused_or_accepted_and_nothing_runs():
    counts = _mutation_loop(10_000, seed=13)
    assert sum(counts.values()) == 10_000
    assert counts["refused"] > 1000 and counts["accepted"] > 100  # both paths were exercised


@pytest.mark.slow
def test_a_hundred_thousand_mutated_formulas():
    counts = _mutation_loop(100_000, seed=1313)
    assert counts["refused"] and counts["accepted"]


# --- Hypothesis -------------------------------------------------------------------------------
PY_TOKENS = st.sampled_from(TOKENS + ["x", "a", "beta", "1", "2.5", "+", "-", "/", " ", "(", ")",
                                      *FUNCTIONS])


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_random_text_is_refused_or_accepted(text):
    with nothing_runs():
        check(text)


@settings(max_examples=300)
@given(st.lists(PY_TOKENS, max_size=40).map("".join))
def test_token_soup_is_refused_or_accepted(text):
    with nothing_runs():
        check(text)


@pytest.mark.slow
@settings(max_examples=10_000)
@given(st.one_of(st.text(max_size=300), st.lists(PY_TOKENS, max_size=60).map("".join)))
def test_ten_thousand_hypothesis_strings(text):
    with nothing_runs():
        check(text)


def test_the_sentinel_itself_catches_execution():
    with pytest.raises(AssertionError, match="reached"):
        with nothing_runs():
            with contextlib.suppress(Executed):
                eval("1")  # noqa: S307 - the point of the test


@pytest.mark.parametrize("text", ["log(2)(__import__)", "exp(1)(x)", "2(x)", "(x)(x)",
                                  "sigmoid(x)(1)", "max(1, 2)(().__class__)"])
def test_only_the_tables_names_are_called(text):
    # found by the mutation loop: log(2)(…) once passed with its arguments unchecked
    with nothing_runs(), pytest.raises(FormulaError,
                                       match="not allowed|can be called|not a function"):
        parse(text)
