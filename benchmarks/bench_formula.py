"""Formula activations against the built-ins they spell out (run by hand, not by pytest).

1. Forward + backward (f and f′ on 10,000 values, then a training step of a 2-16-16-1 net on
   circles) of a typed formula vs the equivalent built-in, measured side by side in one run,
   alternating, best of N: `tanh(x)` vs tanh, `x*sigmoid(x)` vs silu. Target: ratio ≥ 0.5.
2. The first use of a formula in a fresh process: importing SymPy, deriving, compiling.
3. How long the parser takes to refuse (or accept) the known attacks: the issue asks for
   under 50 ms each.

    python benchmarks/bench_formula.py [--repeat N]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import core.activations as acts  # noqa: E402
import core.presets  # noqa: E402
from core.experiment import LayerConfig  # noqa: E402

PAIRS = [("tanh(x)", "tanh"), ("x*sigmoid(x)", "silu")]


def best(fn, repeat: int) -> float:
    out = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t)
    return out


def elementwise(repeat: int) -> None:
    z = np.random.default_rng(0).normal(0, 3, 10_000)
    print("f and f′ on 10,000 values (µs, best of", repeat, ")")
    for text, name in PAIRS:
        mine, theirs = acts.formula(text), acts.get(name)
        t_f = t_b = float("inf")
        for _ in range(repeat):  # alternate, so both see the same machine load
            t_f = min(t_f, best(lambda a=mine: (a.f(z), a.df(z)), 3))
            t_b = min(t_b, best(lambda a=theirs: (a.f(z), a.df(z)), 3))
        print(f"  {text:14s} {t_f * 1e6:8.1f}   {name:6s} {t_b * 1e6:8.1f}   "
              f"formula/built-in speed {t_b / t_f:.2f}")


def training(repeat: int, steps: int = 200) -> None:
    base = core.presets.get("circles-tanh").experiment
    print(f"training steps of 2-16-16-1 on circles (steps/s, best of {repeat} × {steps})")
    for text, name in PAIRS:
        rates = {}
        trainers = {}
        for label, act in (("formula", acts.formula_name(text)), ("built-in", name)):
            exp = base.with_(network=dataclasses.replace(
                base.network, hidden=(LayerConfig(16, act), LayerConfig(16, act))))
            trainers[label] = exp.build_trainer()
            trainers[label].run(steps=10)
        for label in trainers:
            rates[label] = 0.0
        for _ in range(repeat):
            for label, tr in trainers.items():
                t = time.perf_counter()
                tr.run(steps=steps)
                rates[label] = max(rates[label], steps / (time.perf_counter() - t))
        print(f"  {text:14s} {rates['formula']:8.0f}   {name:6s} {rates['built-in']:8.0f}   "
              f"ratio {rates['formula'] / rates['built-in']:.2f}")


def first_use() -> None:
    code = ("import time; import core.activations as a; t1=time.perf_counter();"
            "import sympy; t2=time.perf_counter();"
            "a.formula('x*sigmoid(beta*x)', {'beta': (1, 0.1, 10)}).info; t3=time.perf_counter();"
            "a.formula('where(abs(x - a) < b, 1, 0)', {'a': (0, -3, 3), 'b': (1, 0.1, 3)}).info;"
            "t4=time.perf_counter();"
            "print(f'{t2-t1:.2f} {t3-t2:.2f} {t4-t3:.2f}')")
    runs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split() for _ in range(3)]
    imp, first, second = (min(float(r[i]) for r in runs) for i in range(3))
    print(f"first use in a fresh process (best of 3): import SymPy {imp:.2f} s, derive + "
          f"compile + probe the first formula {first:.2f} s, a second one {second:.2f} s")


def attacks() -> None:
    sys.path.insert(0, str(ROOT / "tests" / "core"))
    from test_formula_hostile import ATTACKS

    from core.activations.formula_parse import FormulaError, parse

    worst, which = 0.0, ""
    for text in ATTACKS:
        t = time.perf_counter()
        try:
            parse(text, ("a", "beta"))
        except FormulaError:
            pass
        took = time.perf_counter() - t
        if took > worst:
            worst, which = took, text[:30]
    print(f"parsing the {len(ATTACKS)} known attacks: the slowest took {worst * 1e3:.2f} ms "
          f"({which!r}); the bound is 50 ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    elementwise(args.repeat)
    training(args.repeat)
    first_use()
    attacks()


if __name__ == "__main__":
    main()
