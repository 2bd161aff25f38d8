"""Comparison speed: the worker pool against the same runs one after another in one process.

Run by hand (never by pytest):  python benchmarks/bench_compare.py [--repeats R] [--quick]

Workload: the circles-tanh lesson with its hidden activation varied over six values
(tanh, relu, sigmoid, leaky_relu, elu, softsign) × 10 seeds × 100 epochs = 60 runs. Both
ways are timed in the same invocation, alternating (serial, pool, serial, pool, …), so they
see the same machine load; the pool's numbers must equal the serial ones (checked). Target:
pool wall time ≤ 0.6 × serial with two workers on two cores.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

import core.presets  # noqa: E402
from core.compare import Comparison, Plan, run_serial  # noqa: E402

VALUES = ("tanh", "relu", "sigmoid", "leaky_relu", "elu", "softsign")


def load() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:  # pragma: no cover - no uptime (Windows)
        return "uptime not available"


def worker_cpu(pid: int) -> float:
    """CPU seconds a process has used so far (Linux /proc; 0 elsewhere or once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=2, help="timings of each way (default 2)")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    ap.add_argument("--quick", action="store_true", help="20 epochs instead of 100")
    args = ap.parse_args()

    exp = core.presets.get("circles-tanh").experiment
    plan = Plan(exp, "activation", VALUES, tuple(range(10)), 20 if args.quick else 100)
    print(f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}, NumPy {np.__version__}")
    print(f"load before: {load()}")
    print(f"{plan.n_runs} runs: circles-tanh, activation = {', '.join(VALUES)}, seeds 0-9, "
          f"{plan.epochs} epochs each")
    serial_times, pool_times = [], []
    for i in range(args.repeats):
        t, cpu = time.perf_counter(), time.process_time()
        serial = run_serial(plan)
        serial_times.append(time.perf_counter() - t)
        # how much of a core the serial process got: below 1 when others use the machine
        share = (time.process_time() - cpu) / serial_times[-1]
        t = time.perf_counter()
        comparison = Comparison(plan, args.jobs).start()
        cpu_of: dict[int, float] = {}
        while not comparison.wait(0.1):
            for pid in comparison.worker_pids:
                cpu_of[pid] = max(cpu_of.get(pid, 0.0), worker_cpu(pid))
        pooled = comparison.result()
        pool_times.append(time.perf_counter() - t)
        got = sum(cpu_of.values()) / (comparison.jobs * pool_times[-1]) if cpu_of else None
        same = all(np.array_equal(a.metrics, b.metrics) for a, b in
                   zip(serial.runs, pooled.runs))
        assert same, "the pool's numbers differ from the serial ones"
        # the workers' time inside their runs, over (workers × wall time): 1 when every worker
        # is always training (none waits for the dispatcher)
        busy = sum(r.seconds for r in pooled.runs) / (comparison.jobs * pool_times[-1])
        cores = "" if got is None else f", each got {got:.2f} of a core"
        print(f"  round {i + 1}: serial {serial_times[-1]:6.2f} s (it got {share:.2f} of a "
              f"core)   pool of {comparison.jobs} {pool_times[-1]:6.2f} s (workers training "
              f"{busy:.0%} of the time{cores})   ratio {pool_times[-1] / serial_times[-1]:.2f}"
              f"   numbers equal: {same}")
    s, p = min(serial_times), min(pool_times)
    print(f"best: serial {s:.2f} s, pool {p:.2f} s, pool/serial {p / s:.2f} "
          f"(target <= 0.60); per-round ratios "
          f"{', '.join(f'{b / a:.2f}' for a, b in zip(serial_times, pool_times))}")
    print(f"load after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
