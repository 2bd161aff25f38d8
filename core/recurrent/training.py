"""Training a recurrent cell with a linear readout on a sequence task, one mini-batch a step.

As ``core.Trainer``: ``step()`` does the maths of one step and nothing else, ``run()`` many;
the full train and test sets are evaluated at epoch ends into ``history``; the trainer never
prints, sleeps or touches a GUI. Optimizers come from ``core.optimizers`` (one pass over the
flat buffer, with ``clip_norm`` for gradient clipping), losses from ``core.losses``.

Divergence: a step stops with ``core.TrainingDiverged`` when the cell's state runs away
(|c| for an LSTM, |h| for a GRU, above ``STATE_LIMIT`` or not finite), or the loss, a
gradient or a parameter is not finite. The exception names the step and the part ("cell
state", "loss", "weight_hh", "readout weight", …); the parameters and the optimizer's state
are those from before the step.
"""

from __future__ import annotations

import math

import numpy as np

from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers
from ..columns import Columns
from ..trainer import TrainingDiverged
from ._base import MAX_STATE_VALUES
from .model import SequenceModel

__all__ = ["STATE_LIMIT", "SequenceHistory", "SequenceTrainer"]

#: |c| (or |h|) beyond which the state counts as overflowing. With a bounded candidate
#: (|g| ≤ 1, as tanh) an LSTM has |c_t| ≤ t ≤ 10,000, so only an unbounded one gets here;
#: the limit stops training well before squares and products reach inf (1e308).
STATE_LIMIT = 1e12

#: sequences per forward pass when evaluating whole sets
EVAL_CHUNK = 512


class SequenceHistory(Columns):
    """Per-epoch rows: metrics, gradient norms per part, and ‖∂L/∂state_t‖ per step.

    ``grad_norm`` is (rows, len(parts)) in the order of ``SequenceModel.parts``;
    ``state_grad_norm`` is (rows, T): ‖∂L/∂c_t‖ (LSTM) or ‖∂L/∂h_t‖ (GRU) over the last
    step's batch and units, t = 1 … T.
    """

    SCALARS = ("epoch", "step", "train_loss", "test_loss", "train_metric", "test_metric", "lr")

    def __init__(self, parts: tuple[str, ...], steps: int, cap: int = 5000):
        self.parts = tuple(parts)
        shapes = {k: () for k in self.SCALARS}
        shapes["grad_norm"] = (len(parts),)
        shapes["state_grad_norm"] = (steps,)
        super().__init__(shapes, cap=cap)

    epoch = property(lambda self: self.column("epoch"))
    step = property(lambda self: self.column("step"))
    train_loss = property(lambda self: self.column("train_loss"))
    test_loss = property(lambda self: self.column("test_loss"))
    train_metric = property(lambda self: self.column("train_metric"))
    test_metric = property(lambda self: self.column("test_metric"))
    lr = property(lambda self: self.column("lr"))
    grad_norm = property(lambda self: self.column("grad_norm"))
    state_grad_norm = property(lambda self: self.column("state_grad_norm"))


class SequenceTrainer:
    """Mini-batch training of ``cell`` plus a linear readout on ``task``.

    Parameters
    ----------
    cell : an ``LSTM`` or ``GRU`` with ``input_size == task.n_inputs``. The trainer takes
        it over: its arrays become views into ``trainer.model.flat``.
    task : a ``SequenceTask``; it sets the readout ("last" or "every") and the loss.
    optimizer : a name from ``core.optimizers.names()``; ``optimizer_params`` passes its
        settings (betas, momentum, …) with PyTorch's defaults otherwise.
    lr, batch_size, clip_norm, l2 : may be changed between steps (attributes).
    seed : seeds the readout's initialization and the shuffling.
    """

    def __init__(self, cell, task, optimizer: str = "adam", lr: float = 0.01,
                 batch_size: int = 32, seed: int = 0, clip_norm: float | None = None,
                 l2: float = 0.0, optimizer_params: dict | None = None,
                 evaluate_every: int = 1, history_cap: int = 5000):
        if cell.input_size != task.n_inputs:
            raise ValueError(f"The cell takes {cell.input_size} input(s) per step but the task "
                             f"gives {task.n_inputs}.")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative whole number, not {seed!r}.")
        if isinstance(evaluate_every, bool) or not isinstance(evaluate_every, int) or (
                evaluate_every < 1):
            raise ValueError("evaluate_every must be a positive whole number of epochs.")
        self.loss = _losses.get(task.loss)
        # every setting is checked before the cell is taken over, so a refusal changes nothing
        optimizers.make(optimizer, 1, cell.dtype, [True], lr=lr, l2=l2, clip_norm=clip_norm,
                        **(optimizer_params or {}))
        self._check_batch_size(batch_size)
        T = task.steps
        if T * min(batch_size, task.n_train) * cell.hidden_size > MAX_STATE_VALUES:
            raise ValueError(f"A batch of {batch_size:,} sequences of {T:,} steps is too large "
                             f"for {cell.hidden_size:,} units; use a smaller batch.")
        self.task, self.seed = task, int(seed)
        self.model = model = SequenceModel(cell, task.n_outputs, task.readout, seed=self.seed)
        self.cell = cell
        self.optimizer_name = optimizer
        self.optimizer = optimizers.make(
            optimizer, model.n_params, model.dtype, model.weight_mask,
            lr=lr, l2=l2, clip_norm=clip_norm, **(optimizer_params or {}),
        )
        self.batch_size = batch_size
        self.evaluate_every = evaluate_every
        dt = model.dtype
        self.x_train = np.ascontiguousarray(task.x_train, dtype=dt)
        self.y_train = np.ascontiguousarray(task.y_train, dtype=dt)
        self.x_test = np.ascontiguousarray(task.x_test, dtype=dt)
        self.y_test = np.ascontiguousarray(task.y_test, dtype=dt)
        # sequences lie along axis 1 of x and of "every" targets (T, N, K), axis 0 otherwise
        self._y_axis = 1 if task.readout == "every" else 0
        self._rng = np.random.default_rng([self.seed, 21])
        self._perm = np.arange(task.n_train)
        self._cursor = 0
        self._prev = model.flat.copy()
        self._prev_state = {k: v.copy() for k, v in self.optimizer.state.items()}
        self._part_names = tuple(model.parts)
        self._state_grad: np.ndarray | None = None

        self.step_count = 0
        self.epoch = 0
        self.last_loss = math.nan
        self.metrics: dict[str, float] = {}
        self.history = SequenceHistory(self._part_names, T, cap=history_cap)
        self.evaluate()

    # --- settings changeable between steps -----------------------------------------------
    @staticmethod
    def _check_batch_size(value) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"The batch size must be a positive whole number, not {value!r}.")
        return int(value)

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self._batch_size = self._check_batch_size(value)

    lr = property(lambda self: self.optimizer.lr,
                  lambda self, v: setattr(self.optimizer, "lr", v))
    l2 = property(lambda self: self.optimizer.l2,
                  lambda self, v: setattr(self.optimizer, "l2", v))
    clip_norm = property(lambda self: self.optimizer.clip_norm,
                         lambda self, v: setattr(self.optimizer, "clip_norm", v))

    @property
    def steps_per_epoch(self) -> int:
        return -(-self.task.n_train // self._batch_size)

    @property
    def metric_name(self) -> str:
        return _metrics.metric_name(self.task.kind)

    @property
    def state_name(self) -> str:
        return "cell state" if self.cell.kind == "lstm" else "hidden state"

    @property
    def last_state_grad_norm(self) -> np.ndarray:
        """(T,) ‖∂L/∂c_t‖ (LSTM) or ‖∂L/∂h_t‖ (GRU) of the last step; zeros before the first."""
        g = self._state_grad
        if g is None:
            return np.zeros(self.task.steps)
        return np.sqrt(np.einsum("tbh,tbh->t", g, g))

    # --- training ------------------------------------------------------------------------
    def step(self) -> float:
        """One mini-batch step; returns its mean loss. Raises TrainingDiverged."""
        # overflow on the way to inf is expected when training diverges; it is detected
        # explicitly, so NumPy's warnings would only be noise
        with np.errstate(all="ignore"):
            return self._step()

    def run(self, epochs: int | None = None, steps: int | None = None) -> float:
        """Run whole epochs (to the next epoch boundaries) or a number of steps."""
        if (epochs is None) == (steps is None):
            raise ValueError("Give either epochs or steps.")
        loss = self.last_loss
        with np.errstate(all="ignore"):
            if steps is not None:
                for _ in range(int(steps)):
                    loss = self._step()
            else:
                target = self.epoch + int(epochs)
                while self.epoch < target:
                    loss = self._step()
        return loss

    def _step(self) -> float:
        n = self.task.n_train
        c = self._cursor
        if c == 0 and self._batch_size < n:
            self._perm = self._rng.permutation(n)
        end = min(c + self._batch_size, n)
        rows = self._perm[c:end]
        xb = np.take(self.x_train, rows, axis=1)
        yb = np.take(self.y_train, rows, axis=self._y_axis)
        model = self.model
        loss, rec, state_grad = model.loss_and_gradients(xb, yb, self.loss)
        state = rec.c_full if self.cell.kind == "lstm" else rec.h_full
        peak = max(state.max(), -state.min())
        if not peak <= STATE_LIMIT:
            self._diverged(self.state_name, state=peak)
        flat, grad = model.flat, model.grad_flat
        if not math.isfinite(loss):
            self._diverged("loss")
        if not math.isfinite(grad.sum()):
            self._diverged(self._bad_part(grad), what="gradient")
        np.copyto(self._prev, flat)
        opt = self.optimizer
        for k, v in opt.state.items():
            np.copyto(self._prev_state[k], v)
        opt.step(flat, grad)
        if not math.isfinite(flat.sum()):
            part = self._bad_part(flat)
            np.copyto(flat, self._prev)
            for k, v in self._prev_state.items():
                np.copyto(opt.state[k], v)
            opt.t -= 1
            self._diverged(part, what="parameters")
        self._state_grad = state_grad
        self.step_count += 1
        self.last_loss = loss
        if end >= n:
            self._cursor = 0
            self.epoch += 1
            if self.epoch % self.evaluate_every == 0:
                self.evaluate()
        else:
            self._cursor = end
        return loss

    def _bad_part(self, buf: np.ndarray) -> str:
        for name, sl in self.model.parts.items():
            if not np.isfinite(buf[sl]).all():
                return name
        return "parameters"

    def _diverged(self, part: str, what: str = "", state: float = 0.0) -> None:
        step = self.step_count + 1
        if part == self.state_name:
            symbol = "|c|" if self.cell.kind == "lstm" else "|h|"
            found = (f"{symbol} reached {state:.3g}" if math.isfinite(state) else
                     f"{symbol} overflowed to inf or NaN")
            found += (f" (the limit is {STATE_LIMIT:.0e}), so the state grows without bound; "
                      "a bounded candidate such as tanh, a lower learning rate or gradient "
                      "clipping keeps it in range")
        elif part == "loss":
            found = "the loss is not a number; lower the learning rate or turn on clipping"
        else:
            found = (f"its {'gradient' if what == 'gradient' else 'values'} became inf or NaN; "
                     f"lower the learning rate (now {self.lr:g}) or turn on gradient clipping")
        where = f"the {part}" if part in ("loss", self.state_name) else f"'{part}'"
        layer = 1 if part.startswith("readout") else 0
        exc = TrainingDiverged(
            f"Training diverged at step {step} in {where}: {found}; the weights were kept as "
            "they were before this step.",
            step=step, layer=layer, layer_name=part,
        )
        exc.part = part
        raise exc

    # --- evaluation ----------------------------------------------------------------------
    def outputs(self, x: np.ndarray) -> np.ndarray:
        """Readout outputs for x (T, N, D), in chunks of at most ``EVAL_CHUNK`` sequences."""
        n = x.shape[1]
        chunk = max(1, min(EVAL_CHUNK, MAX_STATE_VALUES // (x.shape[0] * self.cell.hidden_size)))
        parts = [self.model.outputs(x[:, s:s + chunk], self.loss) for s in range(0, n, chunk)]
        return np.concatenate(parts, axis=self._y_axis)

    def _score(self, x, y) -> tuple[float, float]:
        a = self.outputs(x)
        K = y.shape[-1]
        a2, y2 = a.reshape(-1, K), y.reshape(-1, K)
        if self.task.kind == "multiclass":
            value = -float((y2 * np.log(np.clip(a2, 1e-300, 1.0))).sum()) / a2.shape[0]
        else:
            value = self.loss.value(a2, y2)
        return value, _metrics.metric(self.task.kind, a2, y2)

    def evaluate(self) -> dict[str, float]:
        """Loss and metric on the full train and test sets; appends a history row."""
        with np.errstate(all="ignore"):
            train_loss, train_metric = self._score(self.x_train, self.y_train)
            test_loss, test_metric = self._score(self.x_test, self.y_test)
        g = self.model.grad_flat
        norms = [float(np.sqrt(g[sl] @ g[sl])) for sl in self.model.parts.values()]
        self.metrics = {
            "epoch": self.epoch, "step": self.step_count,
            "train_loss": train_loss, "test_loss": test_loss,
            "train_metric": train_metric, "test_metric": test_metric, "lr": self.lr,
        }
        self.history.append({**self.metrics, "grad_norm": norms,
                             "state_grad_norm": self.last_state_grad_norm})
        return dict(self.metrics)

    def probe(self, rows: int = 8) -> tuple:
        """(forward record, ``cell.backward`` dict) on the first ``rows`` test sequences.

        What the lab draws: every gate over time and ‖∂L/∂c_t‖ (``grads["c_norm"]``) for
        the loss of those sequences. Leaves ``grad_flat`` as the last training step left it.
        """
        model, cell = self.model, self.cell
        x = self.x_test[:, :rows]
        y = self.y_test[:, :rows] if self._y_axis == 1 else self.y_test[:rows]
        keep = model.grad_flat.copy()
        with np.errstate(all="ignore"):
            rec = cell.forward(x)
            hs = model.states(rec)
            z = hs @ model.W + model.b
            y2 = y.reshape(z.shape)
            if self.loss.fused is not None:
                dz = self.loss.fused(z, y2)[2]
            else:
                dz = self.loss.value_grad(z, y2)[1]
            dh = dz @ model.W.T
            grad_h = np.zeros(rec.h.shape, dtype=model.dtype)
            if model.readout == "last":
                grad_h[-1] = dh
            else:
                grad_h[...] = dh.reshape(grad_h.shape)
            grads = cell.backward(rec, grad_h)
        model.grad_flat[...] = keep
        return rec, grads
