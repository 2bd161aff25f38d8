"""Small calls the app makes often, timed (run by hand; the figures are not test assertions).

These were wall-clock bounds inside the test suite, which fail on a loaded machine without
saying anything about the code; here they are measured, and compared with the bound each
used to assert:

- reading the bundled digits table: cold (parse the CSV) and cached (bound: 0.3 s cold,
  1 ms cached);
- one snapshot of the circles lesson's trainer with a 50×50 decision grid (bound: 10 ms,
  target 5 ms on an idle machine);
- f and f′ of every activation on 10,000 points (bound: 5 ms; a Python loop over elements
  would be hundreds of times slower).

    python benchmarks/bench_calls.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy: one BLAS thread, as the app

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import core  # noqa: E402
from core.activations import get, names  # noqa: E402
from core.datasets import bundled  # noqa: E402


def best_of(fn, repeat: int = 15) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def bench_digits() -> None:
    bundled.table.cache_clear()
    t = time.perf_counter()
    bundled.table("digits")
    cold = time.perf_counter() - t
    cached = best_of(lambda: bundled.table("digits"))
    print(f"digits table: cold {cold * 1e3:.1f} ms (bound 300), cached {cached * 1e6:.1f} µs "
          f"(bound 1000)")


def bench_snapshot() -> None:
    ds = core.datasets.load("circles", n=500, seed=0)
    net = core.Network.build(ds.n_inputs, [(8, "tanh"), (8, "tanh")], (1, "sigmoid"), seed=0)
    trainer = core.Trainer(net, ds, loss="bce", batch_size=10, seed=0)
    trainer.run(steps=20)
    trainer.snapshot(grid=50)
    best = best_of(lambda: trainer.snapshot(grid=50))
    print(f"snapshot 2-8-8-1 with a 50x50 grid: {best * 1e3:.2f} ms (bound 10, target 5)")


def bench_activations() -> None:
    z = np.random.default_rng(0).normal(scale=3.0, size=10_000)
    rows = []
    for name in names():
        act = get(name)
        rows.append((best_of(lambda act=act: (act.f(z), act.df(z)), 5), name))
    rows.sort(reverse=True)
    worst, name = rows[0]
    print(f"f and f' on 10k points: slowest {name} {worst * 1e3:.2f} ms (bound 5), "
          f"median {rows[len(rows) // 2][0] * 1e3:.2f} ms, over {len(rows)} activations")
    for t, name in rows[:5]:
        print(f"  {name:>14}: {t * 1e3:.3f} ms")


if __name__ == "__main__":
    bench_digits()
    bench_snapshot()
    bench_activations()
