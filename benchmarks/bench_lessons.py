"""The headless check of every built-in lesson: seconds per lesson and in all.

Run by hand (never by pytest):  python benchmarks/bench_lessons.py [--runs 3] [--max-seeds K]

Each run checks every lesson in ``resources/lessons`` in one process, as
``activation-lab lesson NAME --check`` does, with every seed the goals ask for (or at most
``--max-seeds``). It reports each lesson's time in the fastest run, the best and median
total, the load average before the first run, and whether every checked goal passed. Target:
all lessons within 60 s on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import core.lessons as L  # noqa: E402
from core.lessons import goals_static  # noqa: E402

TARGET_S = 60.0


def run_once(max_seeds: int | None) -> tuple[dict[str, float], int, int]:
    times, checked, failed = {}, 0, 0
    goals_static._GRADCHECKS.clear()  # each run does its own gradient checks
    for name in L.names():
        t0 = time.perf_counter()
        results = L.check(L.get(name), max_seeds=max_seeds)
        times[name] = time.perf_counter() - t0
        checked += sum(r.status != "not checked" for r in results)
        failed += sum(r.status == "FAIL" for r in results)
    return times, checked, failed


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--max-seeds", type=int, default=None)
    args = p.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    L.builtin()  # reading the files is not what is timed
    runs = [run_once(args.max_seeds) for _ in range(args.runs)]
    totals = [sum(t.values()) for t, _, _ in runs]
    best = runs[totals.index(min(totals))][0]
    _, checked, failed = runs[0]
    width = max(map(len, best))
    for name, s in sorted(best.items(), key=lambda kv: -kv[1]):
        print(f"{name:{width}s}  {s:6.2f} s")
    print(f"\n{len(best)} lessons, {checked} checked goals, {failed} failed; load before "
          f"{load:.2f}; seeds: {'all' if args.max_seeds is None else f'at most {args.max_seeds}'}")
    print(f"total: best {min(totals):.1f} s, median {statistics.median(totals):.1f} s over "
          f"{args.runs} runs (target ≤ {TARGET_S:.0f} s: "
          f"{'met' if min(totals) <= TARGET_S else 'NOT met'})")
    return 0 if failed == 0 and min(totals) <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
