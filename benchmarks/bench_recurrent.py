"""Recurrent training speed: core.recurrent's LSTM and GRU against PyTorch's nn.LSTM / nn.GRU.

Run by hand (never by pytest), in a Python that has torch for the comparison:

    python benchmarks/bench_recurrent.py [--quick] [--steps 50] [--hidden 16] [--batch 32]

One training step = forward over the whole sequence, backpropagation through time, Adam on
every parameter, for a cell plus a linear readout on h_T with softmax cross-entropy (the
remember task: the sign of a spike at step 1, input size 1, 2 classes), float64, BLAS on one
thread. Columns:

- **core step()**: ``SequenceTrainer.step()`` as the lab runs it (batch drawn from the
  shuffled training set, divergence checks, Adam on the flat buffer; evaluation off);
- **core fwd + bwd**: the cell's forward and BPTT alone on a fixed batch (no readout,
  no optimizer), to show where the time goes;
- **PyTorch**: ``torch.set_num_threads(1)``, float64, ``nn.LSTM``/``nn.GRU`` + ``nn.Linear``
  + ``CrossEntropyLoss`` + ``torch.optim.Adam`` (its CPU default and ``foreach=True``; the
  faster counts), batches sliced from a pre-made tensor shuffled once per epoch with
  ``torch.randperm``: a tight, ordinary training loop.

Rounds are interleaved and the best round of each counts (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from core.recurrent import GRU, LSTM, SequenceTrainer, tasks  # noqa: E402
from core.recurrent._base import Workspace  # noqa: E402

try:  # belt and braces: the variables above only work before BLAS loads
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
except ImportError:  # pragma: no cover
    pass


def make_task(T: int, n_train: int):
    return tasks.remember(steps=T, n_train=n_train, n_test=32, seed=0)


def core_step(kind, task, H, batch):
    cell = (LSTM if kind == "lstm" else GRU)(task.n_inputs, H, seed=0)
    t = SequenceTrainer(cell, task, optimizer="adam", lr=1e-3, batch_size=batch, seed=0,
                        evaluate_every=10**9)
    return t.step


def core_cell(kind, task, H, batch):
    """Forward and BPTT of the cell alone, with dL/dh on h_T only (as the readout gives)."""
    cell = (LSTM if kind == "lstm" else GRU)(task.n_inputs, H, seed=0)
    x = np.ascontiguousarray(task.x_train[:, :batch])
    zero = np.zeros((batch, H))
    grad = np.ones((batch, H))
    ws = Workspace()

    def run():
        rec = cell._forward(x, zero, zero, ws)
        cell._backward(rec, grad, False, ws)

    return run


def core_public(kind, task, H, batch):
    """``cell.vjp``: the public forward and backward, fresh arrays every call."""
    cell = (LSTM if kind == "lstm" else GRU)(task.n_inputs, H, seed=0)
    x = np.ascontiguousarray(task.x_train[:, :batch])
    grad = np.zeros((task.steps, batch, H))
    grad[-1] = 1.0

    def run():
        cell.vjp(x, grad)

    return run


def torch_step(kind, task, H, batch, foreach=None):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    rnn = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(task.n_inputs, H).double()
    head = torch.nn.Linear(H, task.n_outputs).double()
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3, foreach=foreach)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.from_numpy(np.array(task.x_train, dtype=np.float64))  # a writable copy
    y = torch.from_numpy(task.y_train.argmax(axis=1))
    n = x.shape[1]
    state = {"c": 0, "xs": x, "ys": y}

    def one_step():
        c = state["c"]
        if c == 0:
            perm = torch.randperm(n)
            state["xs"], state["ys"] = x[:, perm], y[perm]
        xb, yb = state["xs"][:, c:c + batch], state["ys"][c:c + batch]
        opt.zero_grad()
        out, _ = rnn(xb)
        loss = loss_fn(head(out[-1]), yb)
        loss.backward()
        opt.step()
        state["c"] = 0 if c + batch >= n else c + batch

    return one_step


def measure(steppers: dict, steps: int, rounds: int) -> dict:
    best = {k: 0.0 for k in steppers}
    for fn in steppers.values():
        if fn is not None:
            for _ in range(max(steps // 5, 5)):
                fn()
    for _ in range(rounds):
        for k, fn in steppers.items():
            if fn is None:
                continue
            t = time.perf_counter()
            for _ in range(steps):
                fn()
            best[k] = max(best[k], steps / (time.perf_counter() - t))
    return {k: (best[k] if steppers[k] is not None else None) for k in steppers}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds (a rough number fast)")
    ap.add_argument("--steps", type=int, default=50, help="time steps T (default 50)")
    ap.add_argument("--hidden", type=int, default=16, help="hidden units H (default 16)")
    ap.add_argument("--batch", type=int, default=32, help="sequences per batch (default 32)")
    ap.add_argument("--only", default="lstm,gru", help="cells to run: lstm,gru")
    args = ap.parse_args(argv)
    T, H, B = args.steps, args.hidden, args.batch
    task = make_task(T, n_train=B * 16)
    steps, rounds = (50, 3) if args.quick else (200, 7)

    def fmt(v):
        return "not installed" if v is None else f"{v:,.0f}"

    head = ("cell", "core step()/s", "core fwd+bwd/s", "core vjp/s", "PyTorch/s",
            "core ÷ PyTorch")
    print(f"T = {T}, H = {H}, batch {B}, input 1, float64, Adam, one BLAS thread; "
          f"{time.strftime('%Y-%m-%d %H:%M')}; load {os.getloadavg()[0]:.2f}")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for kind in args.only.split(","):
        r = measure({
            "core": core_step(kind, task, H, B),
            "cell": core_cell(kind, task, H, B),
            "vjp": core_public(kind, task, H, B),
            "torch": torch_step(kind, task, H, B),
            "torch_foreach": torch_step(kind, task, H, B, foreach=True),
        }, steps, rounds)
        torch_best = None if r["torch"] is None else max(r["torch"], r["torch_foreach"])
        ratio = "" if torch_best is None else f"{r['core'] / torch_best:.2f}×"
        print(f"| {kind.upper()} | {fmt(r['core'])} | {fmt(r['cell'])} | {fmt(r['vjp'])} | "
              f"{fmt(torch_best)} | {ratio} |", flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
