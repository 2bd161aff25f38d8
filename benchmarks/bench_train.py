"""Training speed: core.Trainer.step() against a bare NumPy loop, PyTorch and scikit-learn.

Run by hand (never by pytest):  python benchmarks/bench_train.py [--quick]

Workloads
  a  2-8-8-1 tanh, circles (500 points, 250 train), batch 10, SGD lr 0.03, BCE + sigmoid
  b  4-20-7 tanh, BCD 7-segment (±1 targets), full batch, SGD, MSE + tanh output
  c  64-128-64-10 ReLU, digits, softmax CE, batch 64, Adam
  d  2-16×10-1 sigmoid, circles, batch 32, SGD, BCE + sigmoid

"core" is ``Trainer.step()`` as the app uses it, including the end-of-epoch evaluation on the
full train and test sets; "core, no eval" turns that evaluation off to compare the step maths
alone with the bare loop, which does exactly the same maths with hand-written NumPy (same
shuffling, from-logits loss, per-array SGD/Adam updates) and nothing else. PyTorch (CPU, one
thread) and scikit-learn's ``MLPClassifier.partial_fit`` are timed when importable.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import core  # noqa: E402
from core.datasets import Dataset  # noqa: E402

try:  # belt and braces: the variables above only work before BLAS loads
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
except ImportError:  # pragma: no cover
    pass


# --- data ------------------------------------------------------------------------------------
def _load(name, fallback, **kw) -> Dataset:
    try:
        return core.datasets.load(name, **kw)
    except (AttributeError, KeyError):
        return fallback()


def _circles() -> Dataset:
    rng = np.random.default_rng(0)
    n = 500
    r = np.where(np.arange(n) % 2 == 0, rng.uniform(0, 2, n), rng.uniform(3, 5, n))
    t = rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([r * np.cos(t), r * np.sin(t)])
    y = (r < 2.5).astype(float)[:, None]
    return Dataset("circles", "binary", x[:250], y[:250], x[250:], y[250:])


def _digits() -> Dataset:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1797, 64))
    y = np.eye(10)[rng.integers(0, 10, 1797)]
    return Dataset("digits (random)", "multiclass", x[:898], y[:898], x[898:], y[898:])


WORKLOADS = {
    "a": dict(title="2-8-8-1 tanh, circles, batch 10, SGD",
              data=lambda: _load("circles", _circles, n=500, seed=0, standardize=True),
              hidden=[8, 8], act="tanh", out="sigmoid", loss="bce", opt="sgd", lr=0.03,
              batch=10),
    "b": dict(title="4-20-7 tanh, 7-segment, full batch, MSE",
              data=lambda: core.datasets.load("seven_segment", targets="pm1"),
              hidden=[20], act="tanh", out="tanh", loss="mse", opt="sgd", lr=0.05,
              batch=10**9),
    "c": dict(title="64-128-64-10 ReLU, digits, batch 64, Adam",
              data=lambda: _load("digits", _digits, seed=0, standardize=True),
              hidden=[128, 64], act="relu", out="softmax", loss="ce", opt="adam", lr=1e-3,
              batch=64),
    "d": dict(title="2-16×10-1 sigmoid, circles, batch 32, SGD",
              data=lambda: _load("circles", _circles, n=500, seed=0, standardize=True),
              hidden=[16] * 10, act="sigmoid", out="sigmoid", loss="bce", opt="sgd", lr=0.1,
              batch=32),
}


# --- core --------------------------------------------------------------------------------------
def make_trainer(w, ds, evaluate=True):
    net = core.Network.build(ds.n_inputs, [(h, w["act"]) for h in w["hidden"]],
                             (ds.n_outputs, w["out"]), seed=0)
    return core.Trainer(net, ds, loss=w["loss"], optimizer=w["opt"], lr=w["lr"],
                        batch_size=w["batch"], seed=0,
                        evaluate_every=1 if evaluate else 10**9)


def core_step(w, ds, evaluate=True):
    return make_trainer(w, ds, evaluate).step


# --- the bare loop: the same maths written out by hand -----------------------------------------
def _act(name):
    if name == "tanh":
        return np.tanh, lambda z, a: 1.0 - a * a
    if name == "relu":
        return (lambda z: np.maximum(z, 0.0)), (lambda z, a: z > 0.0)
    if name == "sigmoid":
        return (lambda z: 1.0 / (1.0 + np.exp(-z))), (lambda z, a: a * (1.0 - a))
    raise ValueError(name)


def bare_step(w, ds):
    tr = make_trainer(w, ds, evaluate=False)  # only to get identical starting weights
    Ws = [l.W.copy() for l in tr.net.layers]
    bs = [l.b.copy() for l in tr.net.layers]
    f, df = _act(w["act"])
    x, y = tr.x_train, tr.y_train
    n = x.shape[0]
    batch = min(w["batch"], n)
    rng = np.random.default_rng(0)
    lr, loss_name = w["lr"], w["loss"]
    adam = w["opt"] == "adam"
    ms = [np.zeros_like(p) for p in Ws + bs]
    vs = [np.zeros_like(p) for p in Ws + bs]
    t_adam = 0
    state = {"xs": x, "ys": y, "c": 0}

    def one_step():
        nonlocal t_adam
        c = state["c"]
        if c == 0 and batch < n:
            perm = rng.permutation(n)
            state["xs"], state["ys"] = x[perm], y[perm]
        xb, yb = state["xs"][c:c + batch], state["ys"][c:c + batch]
        m = xb.shape[0]
        zs, acts = [], [xb]
        a = xb
        for W, b in zip(Ws[:-1], bs[:-1]):
            z = a @ W + b
            a = f(z)
            zs.append(z)
            acts.append(a)
        z = a @ Ws[-1] + bs[-1]
        if loss_name == "bce":
            e = np.exp(-np.abs(z))
            loss = (np.maximum(z, 0.0) - z * yb + np.log1p(e)).sum() / m
            a = np.where(z >= 0.0, 1.0, e) / (1.0 + e)
            delta = (a - yb) / m
        elif loss_name == "ce":
            zs_ = z - z.max(axis=1, keepdims=True)
            e = np.exp(zs_)
            s = e.sum(axis=1, keepdims=True)
            loss = -(yb * (zs_ - np.log(s))).sum() / m
            delta = (e / s - yb) / m
        else:  # mse with a tanh output
            a = np.tanh(z)
            r = a - yb
            loss = 0.5 * (r * r).sum() / m
            delta = r / m * (1.0 - a * a)
        grads_w, grads_b = [None] * len(Ws), [None] * len(Ws)
        for i in range(len(Ws) - 1, -1, -1):
            grads_w[i] = acts[i].T @ delta
            grads_b[i] = delta.sum(axis=0)
            if i:
                delta = (delta @ Ws[i].T) * df(zs[i - 1], acts[i])
        params, grads = Ws + bs, grads_w + grads_b
        if adam:
            t_adam += 1
            c1, c2 = 1.0 - 0.9**t_adam, 1.0 - 0.999**t_adam
            for p, g, mm, vv in zip(params, grads, ms, vs):
                mm *= 0.9
                mm += 0.1 * g
                vv *= 0.999
                vv += 0.001 * g * g
                p -= (lr / c1) * mm / (np.sqrt(vv) / math.sqrt(c2) + 1e-8)
        else:
            for p, g in zip(params, grads):
                p -= lr * g
        state["c"] = 0 if c + batch >= n else c + batch
        return loss

    return one_step


# --- optional references ---------------------------------------------------------------------
def torch_step(w, ds, foreach=None):
    """A plain PyTorch loop; ``foreach=True`` asks for the multi-tensor optimizer step (not
    the CPU default; faster on the bigger nets, slower on the smallest), and the table shows
    the faster of the two."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    acts = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}
    layers, fan_in = [], ds.n_inputs
    for h in w["hidden"]:
        layers += [torch.nn.Linear(fan_in, h), acts[w["act"]]()]
        fan_in = h
    layers.append(torch.nn.Linear(fan_in, ds.n_outputs))
    if w["out"] == "tanh":
        layers.append(torch.nn.Tanh())
    model = torch.nn.Sequential(*layers).double()
    loss_fn = {"bce": torch.nn.BCEWithLogitsLoss(reduction="sum"),
               "ce": torch.nn.CrossEntropyLoss(reduction="sum"),
               "mse": torch.nn.MSELoss(reduction="sum")}[w["loss"]]
    opt = (torch.optim.Adam if w["opt"] == "adam" else torch.optim.SGD)(
        model.parameters(), lr=w["lr"], foreach=foreach)
    x = torch.from_numpy(np.asarray(ds.x_train, dtype=np.float64))
    y_np = np.asarray(ds.y_train, dtype=np.float64)
    y = torch.from_numpy(y_np.argmax(axis=1)) if w["loss"] == "ce" else torch.from_numpy(y_np)
    n, batch = x.shape[0], min(w["batch"], x.shape[0])
    state = {"c": 0, "xs": x, "ys": y}

    def one_step():
        c = state["c"]
        if c == 0 and batch < n:
            perm = torch.randperm(n)
            state["xs"], state["ys"] = x[perm], y[perm]
        xb, yb = state["xs"][c:c + batch], state["ys"][c:c + batch]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb) / xb.shape[0]
        loss.backward()
        opt.step()
        state["c"] = 0 if c + batch >= n else c + batch

    return one_step


def sklearn_step(w, ds):
    """``MLPClassifier.partial_fit`` (``MLPRegressor`` for the MSE workload: squared error on
    identity outputs is the nearest thing scikit-learn has to MSE on tanh outputs)."""
    try:
        from sklearn.neural_network import MLPClassifier, MLPRegressor
    except ImportError:
        return None
    import warnings

    common = dict(
        hidden_layer_sizes=tuple(w["hidden"]),
        activation={"sigmoid": "logistic"}.get(w["act"], w["act"]),
        solver="adam" if w["opt"] == "adam" else "sgd", learning_rate_init=w["lr"],
        momentum=0.0, batch_size=w["batch"], random_state=0, alpha=0.0,
    )
    x = np.asarray(ds.x_train)
    y = np.asarray(ds.y_train)
    if w["loss"] == "mse":
        clf, classes = MLPRegressor(**common), None
    else:
        clf = MLPClassifier(**common)
        y = y.argmax(axis=1) if ds.task == "multiclass" else (y[:, 0] > 0.5).astype(int)
        classes = np.unique(y)
    n, batch = x.shape[0], min(w["batch"], x.shape[0])
    warnings.filterwarnings("ignore", module="sklearn")
    if classes is None:
        clf.partial_fit(x[:batch], y[:batch])
    else:
        clf.partial_fit(x[:batch], y[:batch], classes=classes)
    state = {"c": 0}

    def one_step():
        c = state["c"]
        clf.partial_fit(x[c:c + batch], y[c:c + batch])
        state["c"] = 0 if c + batch >= n else c + batch

    return one_step


def measure(steppers: dict, steps: int, rounds: int) -> dict:
    """Best steps/s of each stepper over interleaved rounds (the machine is shared, so the
    best round is the least disturbed one)."""
    best = {k: 0.0 for k in steppers}
    for fn in steppers.values():
        if fn is not None:
            for _ in range(min(steps // 5, 200)):
                fn()
    for _ in range(rounds):
        for k, fn in steppers.items():
            if fn is None:
                continue
            n = max(steps // (5 if k.startswith(("torch", "sklearn")) else 1), 10)
            t = time.perf_counter()
            for _ in range(n):
                fn()
            best[k] = max(best[k], n / (time.perf_counter() - t))
    return {k: (best[k] if steppers[k] is not None else None) for k in steppers}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps (a rough number fast)")
    ap.add_argument("--only", default="abcd", help="workloads to run, e.g. --only ac")
    args = ap.parse_args(argv)
    budget = {"a": 4000, "b": 4000, "c": 400, "d": 1000}
    rows = []

    def fmt(v):
        return "not installed" if v is None else f"{v:,.0f}"

    for key in args.only:
        w = WORKLOADS[key]
        steps = budget[key] // (4 if args.quick else 1)
        ds = w["data"]()
        r = measure(
            {"core": core_step(w, ds), "core_ne": core_step(w, ds, evaluate=False),
             "bare": bare_step(w, ds), "torch": torch_step(w, ds),
             "torch_foreach": torch_step(w, ds, foreach=True),
             "sklearn": sklearn_step(w, ds)},
            steps, rounds=3 if args.quick else 7,
        )
        torch_best = None if r["torch"] is None else max(r["torch"], r["torch_foreach"])
        rows.append((f"{key}: {w['title']}", fmt(r["core"]), fmt(r["core_ne"]),
                     fmt(r["bare"]), f"{r['core_ne'] / r['bare']:.2f}", fmt(torch_best),
                     "" if torch_best is None else f"{r['core_ne'] / torch_best:.1f}×",
                     fmt(r["sklearn"])))
        print(f"done {key} ({ds.name})", file=sys.stderr)

    head = ("workload", "core step/s", "core, no eval", "bare NumPy", "core/bare",
            "PyTorch", "core/PyTorch", "sklearn partial_fit")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
