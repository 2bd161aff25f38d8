"""The trainer: advances a network on a dataset one mini-batch at a time.

Training is a stream: ``step()`` does the maths of one step and nothing else; metrics on the
full train and test sets are computed at the end of each epoch into ``history``, with a row of
``timeline`` (gradient norms, update ratios, activation percentiles) from the same evaluation;
snapshots (activation samples, histograms, decision maps) are made only when asked for. The
trainer never prints, sleeps or touches a GUI.

Divergence check (kept cheap because it runs every step): the loss plus the sum of the
gradient buffer must be finite before the update, and the loss at most ``LOSS_GROWTH`` times
its starting value; after it, the squared norm of the parameter buffer (one ``np.dot``) must
be finite and within ``NORM_LIMIT`` — one reduction each. Only when a check fails is the
guilty layer looked for, the parameters restored from the pre-step copy, and
``TrainingDiverged`` raised. The two limits catch a run that is exploding long before any
value overflows (see ``TrainingDiverged``).
"""

from __future__ import annotations

import math

import numpy as np

from . import losses as _losses
from . import metrics as _metrics
from . import optimizers
from .diagnostics import DECISION_GRID
from .divergence import LOSS_GROWTH, NORM_LIMIT, TrainingDiverged, explain, stopped
from .pairing import default_loss_for
from .timeline import History, SampledPercentiles, Timeline

__all__ = ["Trainer", "TrainingDiverged", "LOSS_GROWTH", "NORM_LIMIT"]

#: rows of the training set kept as the fixed sample that snapshots show
SAMPLE_SIZE = 2000
#: values of each layer's z and a that the timeline's percentiles are taken from (501: each
#: percentile is one of them, see SampledPercentiles)
TIMELINE_SAMPLE = 501
#: a timeline row (~10–60 µs) follows at least this many steps: with epochs of one or two
#: steps a row per epoch would cost a third of the training time, so rows start further apart
TIMELINE_STEPS = 10
class Trainer:
    """Mini-batch training of ``net`` on ``dataset``.

    Making a trainer evaluates once (``evaluate``), so ``metrics`` is set and ``history`` and
    ``timeline`` hold a row for step 0, whose gradient norms are those of ``net.grad_flat``
    as it is (all zero for a fresh network); the exploding-run limits are fixed from that
    row (``set_explosion_limits``).

    Parameters
    ----------
    net : Network
        Trained in place: ``step`` updates ``net.flat``. Its inputs and output units must
        match the data set's ``n_inputs`` and ``n_outputs``.
    dataset : Dataset
        ``x_train`` (n_train, n_inputs), ``y_train`` (n_train, n_outputs), ``x_test`` and
        ``y_test`` likewise (n_test may be 0: test loss and metric are then NaN). The trainer
        holds them in the network's dtype, targets in the loss's form (hinge: −1/+1), as
        ``x_train``, ``y_train``, ``x_test``, ``y_test``: the data set's own arrays when they
        are already so, converted copies otherwise.
    loss : str or Loss, optional
        A name from ``core.losses.names()``; None: ``default_loss_for(dataset.task, output
        activation)``.
    optimizer : str
        A name from ``core.optimizers.names()``.
    lr, batch_size, l1, l2, clip_norm : float, int, float, float, float or None
        Learning rate, rows per step, L1 and L2 penalty weights on the weight matrices, and
        the largest norm of the whole gradient (None: no clipping). All may be changed
        between steps (attributes of the same names).
    seed : int
        A non-negative integer; seeds the shuffling, RReLU's random slopes in training, the
        snapshot sample (``sample_index``) and the sample the timeline's percentiles are
        taken from, each from its own generator.
    momentum : float
        Passed only to optimizers that have a ``momentum`` setting ("momentum", "nesterov").
    optimizer_params : dict, optional
        The other hyper-parameters (betas, eps, alpha, weight_decay; also momentum, which it
        overrides); PyTorch's defaults for any not given.
    evaluate_every : int
        Epochs between full train/test evaluations (a history and timeline row each).
    history_cap, timeline_cap : int
        Rows at which ``history``/``timeline`` decimate (at least 4; see ``core.timeline``).
    timeline_every : int, optional
        Evaluations per timeline row at the start (decimation doubles it later); None: the
        smallest power of two that makes that many epochs at least ``TIMELINE_STEPS`` (10)
        steps, so 1 unless an epoch has fewer than 10 steps (at the batch size given here).

    Attributes
    ----------
    step_count, epoch : int
        Steps and whole epochs done.
    last_loss : float
        The last step's batch loss; NaN before the first step.
    metrics : dict
        The latest evaluation (``evaluate``).
    history : History
        A row per evaluation (``core.timeline.History``).
    timeline : Timeline
        Gradient norms, update ratios and z/a percentiles per layer, a row offered per
        evaluation (rows that ``timeline_every`` or decimation would drop are counted, never
        computed).

    Raises
    ------
    ValueError
        If the network's inputs or outputs do not match the data set's, the data set has no
        training rows, ``seed`` is not a non-negative integer (a bool is refused),
        ``batch_size`` or ``evaluate_every`` is not a positive whole number, a cap is below
        4 or ``timeline_every`` is not a whole number ≥ 1, or the optimizer refuses a setting
        (a negative or non-finite lr, l1, l2 or hyper-parameter, ``clip_norm`` not a positive
        number, or a hyper-parameter it does not have).
    KeyError
        If the loss or the optimizer is unknown.
    """

    def __init__(
        self,
        net,
        dataset,
        loss: str | None = None,
        optimizer: str = "sgd",
        lr: float = 0.03,
        batch_size: int = 10,
        seed: int = 0,
        l1: float = 0.0,
        l2: float = 0.0,
        clip_norm: float | None = None,
        momentum: float = 0.9,
        optimizer_params: dict | None = None,
        evaluate_every: int = 1,
        history_cap: int = 5000,
        timeline_cap: int = 2000,
        timeline_every: int | None = None,
    ):
        out = net.layers[-1]
        if dataset.n_inputs != net.n_inputs or dataset.n_outputs != out.units:
            raise ValueError(
                f"the network is {net.n_inputs} inputs → {out.units} outputs but the data set "
                f"has {dataset.n_inputs} inputs and {dataset.n_outputs} outputs"
            )
        if dataset.n_train < 1:
            raise ValueError("the data set has no training rows")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
        self.net = net
        self.dataset = dataset
        self.seed = int(seed)
        if loss is None:
            loss = default_loss_for(dataset.task, out.act)
        self.loss = _losses.get(loss)
        self.optimizer_name = optimizer
        hyper = {}
        if "momentum" in optimizers.get(optimizer).cls.defaults:
            hyper["momentum"] = momentum
        hyper.update(optimizer_params or {})
        self.optimizer = optimizers.make(
            optimizer, net.n_params, net.dtype, net.weight_mask,
            lr=lr, l1=l1, l2=l2, clip_norm=clip_norm, **hyper,
        )
        self.batch_size = batch_size
        if isinstance(evaluate_every, bool) or not isinstance(evaluate_every, int) or (
            evaluate_every < 1
        ):
            raise ValueError("evaluate_every must be a positive whole number of epochs")
        self.evaluate_every = evaluate_every

        dt = net.dtype
        prep = self.loss.prepare_targets
        self.x_train = np.ascontiguousarray(dataset.x_train, dtype=dt)
        self.y_train = np.ascontiguousarray(prep(np.asarray(dataset.y_train, dtype=dt)))
        self.x_test = np.ascontiguousarray(dataset.x_test, dtype=dt)
        self.y_test = np.ascontiguousarray(prep(np.asarray(dataset.y_test, dtype=dt)))
        if self.loss.targets == "pm1":
            self.negative, self.positive = -1.0, 1.0
        else:
            self.negative, self.positive = float(dataset.negative), float(dataset.positive)
        self.threshold = 0.5 * (self.negative + self.positive)
        # tables such as 7-segment use every row for both sets: evaluate them once
        self._test_is_train = self.x_train.shape == self.x_test.shape and bool(
            np.array_equal(self.x_train, self.x_test) and np.array_equal(self.y_train, self.y_test)
        )
        self._x_all = (self.x_train if self._test_is_train
                       else np.concatenate([self.x_train, self.x_test]))
        self._truth_train = _metrics.truth_labels(dataset.task, self.y_train, self.threshold)
        self._truth_test = _metrics.truth_labels(dataset.task, self.y_test, self.threshold)
        # starts of each layer's W, b and the rest (α, γ, β; maybe empty) in the flat buffer,
        # for per-layer gradient norms in one np.add.reduceat
        starts = []
        for sl, layer in zip(net.layer_slices(), net.layers):
            starts += [sl.start, sl.start + layer.W.size, sl.start + layer.W.size + layer.units]
        self._segments = np.array(starts, dtype=np.intp)
        self._sq_buf = np.zeros(net.n_params + 1, dtype=net.dtype)
        # ΔW² and W² for the timeline's update ratios, with a spare zero like _sq_buf
        self._ratio_buf = np.zeros((2, net.n_params + 1), dtype=net.dtype)

        n = dataset.n_train
        self._rng_shuffle = np.random.default_rng(self.seed)
        self._rng_noise = np.random.default_rng([self.seed, 1])
        sample_rng = np.random.default_rng([self.seed, 2])
        self.sample_index = np.sort(sample_rng.choice(n, size=min(SAMPLE_SIZE, n), replace=False))
        self.x_sample = self.x_train[self.sample_index]
        self._xs = np.empty_like(self.x_train)
        self._ys = np.empty_like(self.y_train)
        self._perm = np.arange(n)
        self._x_epoch, self._y_epoch = self.x_train, self.y_train
        self._cursor = 0
        self._prev = net.flat.copy()  # parameters before the last step (divergence, ΔW)
        self._bn = [l.bn for l in net.layers if l.bn is not None]
        self._bn_prev = [(bn.running_mean.copy(), bn.running_var.copy()) for bn in self._bn]

        self.step_count = 0
        self.epoch = 0
        self.last_loss = math.nan
        self.metrics: dict[str, float] = {}
        self.history = History(len(net.layers), cap=history_cap)
        if timeline_every is None:
            epoch_steps = -(-n // self._batch_size)
            timeline_every = 1
            while timeline_every * epoch_steps < TIMELINE_STEPS:
                timeline_every *= 2
        self.timeline = Timeline(cap=timeline_cap, every=timeline_every)
        # z and a of every layer, in that order, sampled from the training rows of an
        # evaluation; its own generator, so the other random streams are as they always were
        units = [layer.units for layer in net.layers for _ in "za"]
        self._percentiles = SampledPercentiles(units, n, np.random.default_rng([self.seed, 3]),
                                               TIMELINE_SAMPLE)
        #: stable histogram ranges per (layer, quantity); see core.snapshot
        self.hist_ranges: dict[str, float] = {}
        self._grid_cache: dict = {}
        self._max_df: list[float | None] = [None] * len(net.layers)
        self.evaluate()
        self.set_explosion_limits()

    def set_explosion_limits(self) -> None:
        """Fix the exploding-run limits (see ``TrainingDiverged``) from the starting loss, the
        history's first row, and the training targets (``core.state`` calls it again after
        restoring a saved history)."""
        start = self.history.train_loss[0] if len(self.history) else math.nan
        self.loss_limit = LOSS_GROWTH * max(1.0, start) if math.isfinite(start) else math.inf
        y = self.y_train
        scale = max(1.0, float(np.abs(y).max())) if y.size else 1.0
        self.norm_limit = NORM_LIMIT * scale
        self._norm_limit_sq = self.norm_limit ** 2 if self.norm_limit < 1e150 else math.inf

    # --- settings changeable between steps -----------------------------------------------
    @property
    def lr(self) -> float:
        """The optimizer's learning rate; used from the next step on.

        Setting it converts the value with ``float``; ValueError unless that is finite and
        ≥ 0.
        """
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = value

    @property
    def batch_size(self) -> int:
        """Rows per step; the last step of an epoch takes the rows left (possibly fewer).

        Setting it raises ValueError unless it is a whole number ≥ 1 (an int or NumPy
        integer; bools and floats are refused). A change mid-epoch takes effect at the next
        step, which goes on from the current row of the epoch's order. An epoch that starts
        with a batch size of at least ``n_train`` is one full-batch step, not shuffled.
        """
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"the batch size must be a positive whole number, not {value!r}")
        self._batch_size = int(value)

    # the optimizer's settings, checked by its setters (ValueError unless l1, l2 are finite
    # and ≥ 0 and clip_norm is None or a finite number > 0)
    l1 = property(lambda self: self.optimizer.l1,
                  lambda self, v: setattr(self.optimizer, "l1", v))
    l2 = property(lambda self: self.optimizer.l2,
                  lambda self, v: setattr(self.optimizer, "l2", v))
    clip_norm = property(lambda self: self.optimizer.clip_norm,
                         lambda self, v: setattr(self.optimizer, "clip_norm", v))

    @property
    def task(self) -> str:
        """The data set's task: "binary", "multiclass" or "regression"."""
        return self.dataset.task

    @property
    def metric_name(self) -> str:
        """What ``metric`` measures: "R²" for regression, "accuracy" otherwise."""
        return _metrics.metric_name(self.dataset.task)

    @property
    def steps_per_epoch(self) -> int:
        """⌈n_train / batch_size⌉ at the current batch size (an epoch in which the batch
        size changed may have taken another number)."""
        return -(-self.dataset.n_train // self._batch_size)

    # --- training ------------------------------------------------------------------------
    def step(self) -> float:
        """One mini-batch step: forward and backward in training mode, then the update.

        The batch is the next ``batch_size`` rows of this epoch's order: a new permutation
        drawn at each epoch's first step, except for a full-batch epoch (not shuffled). The
        step that ends an epoch also evaluates (``evaluate``) when ``epoch`` becomes a
        multiple of ``evaluate_every``.

        Returns
        -------
        float
            The batch's mean data loss, computed before the update (no L1/L2 penalty; see
            ``metrics["penalty"]``); also kept as ``last_loss``.

        Raises
        ------
        TrainingDiverged
            If the loss or gradient is inf or NaN, the loss is above ``loss_limit``, or the
            updated parameters are inf, NaN or beyond ``norm_limit``. The parameters (and,
            after an update that blew them up, the optimizer's moments and step count) are
            then those before the step, and the counters are not advanced.
        """
        # overflow on the way to inf is expected when training diverges; it is detected
        # explicitly below, so NumPy's warnings would only be noise
        with np.errstate(all="ignore"):
            return self._step()

    def run(self, epochs: int | None = None, steps: int | None = None) -> float:
        """Run ``steps`` steps, or steps until ``epochs`` more epochs have ended.

        Parameters
        ----------
        epochs : int, optional
            Counted in epoch ends: started mid-epoch, the first is the rest of the current
            epoch. 0 or less: no step.
        steps : int, optional
            Steps to make; 0 or less: none. Each is what ``step()`` does; both numbers are
            converted with ``int``.

        Returns
        -------
        float
            The last step's batch loss; ``last_loss`` as it was when no step is made.

        Raises
        ------
        ValueError
            Unless exactly one of ``epochs`` and ``steps`` is given.
        TrainingDiverged
            As ``step``; the steps made before it are kept.
        """
        if (epochs is None) == (steps is None):
            raise ValueError("give either epochs or steps")
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
        net = self.net
        n = self.x_train.shape[0]
        c = self._cursor
        bs = self._batch_size
        if c == 0:
            self._start_epoch(bs >= n)
        end = c + bs
        if end > n:
            end = n
        if self._bn:
            for bn, (m, v) in zip(self._bn, self._bn_prev):
                np.copyto(m, bn.running_mean)
                np.copyto(v, bn.running_var)
        loss = net._backprop(
            self._x_epoch[c:end], self._y_epoch[c:end], self.loss, True, self._rng_noise
        )
        flat, grad = net.flat, net.grad_flat
        if not (math.isfinite(loss + grad.sum()) and loss <= self.loss_limit):
            self._diverged("loss" if not math.isfinite(loss) else
                           "gradient" if not math.isfinite(grad.sum()) else "loss growth",
                           loss)
        np.copyto(self._prev, flat)
        self.optimizer.step(flat, grad)
        # ‖θ‖² in one call: NaN, inf (an overflow, or a square past float's range) and a norm
        # past the limit all fail this one comparison
        if not np.dot(flat, flat) <= self._norm_limit_sq:
            self._diverged("parameters")
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

    def _start_epoch(self, full_batch: bool) -> None:
        if full_batch:  # order cannot matter to a full-batch gradient: skip the shuffle
            self._x_epoch, self._y_epoch = self.x_train, self.y_train
            return
        self._perm = self._rng_shuffle.permutation(self.x_train.shape[0])
        np.take(self.x_train, self._perm, axis=0, out=self._xs)
        np.take(self.y_train, self._perm, axis=0, out=self._ys)
        self._x_epoch, self._y_epoch = self._xs, self._ys

    def _diverged(self, what: str, loss: float = math.nan) -> None:
        net = self.net
        what, index, found = explain(net, what, loss, self.loss_limit, self.norm_limit)
        if what in ("norm", "parameters"):  # the update was made: undo it whole
            np.copyto(net.flat, self._prev)
            self.optimizer.undo_step()
        elif what == "loss growth":  # going on from these weights is the user's call: stop
            # again only if the loss explodes further from here
            self.loss_limit = max(self.loss_limit, LOSS_GROWTH * loss)
        for bn, (m, v) in zip(self._bn, self._bn_prev):
            np.copyto(bn.running_mean, m)
            np.copyto(bn.running_var, v)
        raise stopped(net, what, index, found, self.step_count + 1, self.lr)

    # --- evaluation ----------------------------------------------------------------------
    def outputs(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The output layer's pre-activation and activation for inputs x, in evaluation mode.

        Evaluation mode: BatchNorm uses its running statistics, RReLU its fixed mean slope;
        nothing is drawn or updated, so training goes on as it would have.

        Parameters
        ----------
        x : ndarray, shape (n, n_inputs)
            Inputs as the network takes them (after the data set's ``prepare``), ideally of
            the network's dtype as ``x_train``: x is neither checked nor converted (a wrong
            number of columns fails in NumPy's matmul with its own ValueError).

        Returns
        -------
        z, a : ndarray, shape (n, n_outputs)
            z = a_prev @ W + b (the output layer is never batch-normalized) and a = f(z).

        Notes
        -----
        Like every pass, this overwrites the cached ``z``, ``a`` and ``a_prev`` of the hidden
        layers and ``z`` and ``a_prev`` of the output layer (its ``a`` is left as it was).
        """
        a = x
        layers = self.net.layers
        for layer in layers[:-1]:
            a = layer.forward(a, False)
        out = layers[-1]
        z = out.pre_activation(a, False)
        return z, out.activate(z, False)

    def loss_value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
        """The mean data loss of outputs (z, a) against targets y, as ``evaluate`` computes it.

        Parameters
        ----------
        z, a : ndarray, shape (n, n_outputs)
            What ``outputs`` returns for some rows; n ≥ 1 (no rows: ZeroDivisionError).
        y : ndarray, shape (n, n_outputs)
            Their targets in the loss's form, as ``y_train``/``y_test`` (hinge: −1/+1); not
            converted here.

        Returns
        -------
        float
            Averaged over the n rows, no L1/L2 penalty. From the logits z (``fused_value``)
            when the loss is fused with the output activation (BCE after sigmoid, CE after
            softmax, MSE after identity), else ``loss.value(a, y)``.
        """
        loss = self.loss
        if loss.is_fused_with(self.net.layers[-1].act):
            return loss.fused_value(z, y)
        return loss.value(a, y)

    def metric(self, a: np.ndarray, y: np.ndarray) -> float:
        """Accuracy or R² of outputs a against targets y (see ``core.metrics.metric``).

        Parameters
        ----------
        a : ndarray, shape (n, n_outputs)
            Network outputs, such as the second value of ``outputs``.
        y : ndarray, shape (n, n_outputs)
            Targets in the loss's form, as ``y_train``/``y_test``.

        Returns
        -------
        float
            Binary: the share of rows whose every output lies on the right side of
            ``threshold``, the midpoint of the negative and positive targets (0 for hinge);
            multiclass: the share whose argmax matches y's; regression: R² averaged over the
            outputs. NaN for no rows.
        """
        return _metrics.metric(self.dataset.task, a, y, self.threshold)

    def evaluate(self) -> dict[str, float]:
        """Loss and metric on the full train and test sets; appends a history row.

        One forward pass over train and test rows stacked together (evaluation mode treats
        rows independently, so this equals two passes and costs half the calls). The
        gradient norms in the row are those of ``net.grad_flat`` as the last step left it.
        A timeline row is computed only when the timeline keeps it (else only counted).

        Returns
        -------
        dict
            A copy of ``metrics``: "epoch", "step", "train_loss", "test_loss",
            "train_metric", "test_metric" (NaN test values without test rows), "penalty"
            (λ₁‖W‖₁ + ½λ₂‖W‖² now) and "lr".
        """
        n = self.x_train.shape[0]
        task, th = self.dataset.task, self.threshold
        with np.errstate(all="ignore"):
            z, a = self.outputs(self._x_all)
            train_loss = self.loss_value(z[:n], a[:n], self.y_train)
            train_metric = _metrics.metric(task, a[:n], self.y_train, th, self._truth_train)
            if self._test_is_train:
                test_loss, test_metric = train_loss, train_metric
            elif self.x_test.shape[0]:
                test_loss = self.loss_value(z[n:], a[n:], self.y_test)
                test_metric = _metrics.metric(task, a[n:], self.y_test, th, self._truth_test)
            else:
                test_loss = test_metric = math.nan
        net = self.net
        buf = self._sq_buf  # one spare zero at the end: an empty last segment reads it
        np.multiply(net.grad_flat, net.grad_flat, out=buf[:-1])
        sq = np.sqrt(np.add.reduceat(buf, self._segments))
        grad_norm_w = sq[0::3]
        self.metrics = {
            "epoch": self.epoch, "step": self.step_count,
            "train_loss": train_loss, "test_loss": test_loss,
            "train_metric": train_metric, "test_metric": test_metric,
            "penalty": optimizers.penalty(net.flat, net.weight_mask, self.l1, self.l2),
            "lr": self.lr,
        }
        self.history.append({**self.metrics, "grad_norm_w": grad_norm_w, "grad_norm_b": sq[1::3]})
        if self.timeline.wants_row():
            self.timeline.record(self._timeline_row(grad_norm_w, z, a))
        else:  # decimation would drop it: only counted (keeps the rows aligned with history)
            self.timeline.skip()
        return dict(self.metrics)

    def _timeline_row(self, grad_norm_w: np.ndarray, z_out: np.ndarray,
                      a_out: np.ndarray) -> dict:
        """The timeline's row now, from the evaluation just made: every layer's z and a over
        the train rows then the test rows (hidden layers keep theirs from the forward pass;
        the output layer's are passed in) and the last step's gradient and update."""
        net, m = self.net, self.metrics
        arrays = []
        for layer in net.layers[:-1]:
            arrays += [layer.z, layer.a]
        arrays += [z_out, a_out]
        pct = self._percentiles(arrays)
        # ‖ΔW‖ / ‖W‖ per layer, as in core.snapshot: both squared sums in one reduceat
        buf = self._ratio_buf  # (views made here: a pickled trainer keeps no views of it)
        dw_sq, w_sq = buf[0, :-1], buf[1, :-1]
        np.subtract(net.flat, self._prev, out=dw_sq)
        np.multiply(dw_sq, dw_sq, out=dw_sq)
        np.multiply(net.flat, net.flat, out=w_sq)
        sums = np.add.reduceat(buf, self._segments, axis=1)
        dw, w = sums[0, 0::3], sums[1, 0::3]
        ratio = np.sqrt(np.divide(dw, w, out=np.zeros_like(w), where=w > 0))
        return {
            "step": m["step"], "epoch": m["epoch"],
            "train_loss": m["train_loss"], "test_loss": m["test_loss"],
            "grad_norm_w": grad_norm_w, "update_ratio": ratio,
            "z_percentiles": pct[0::2], "a_percentiles": pct[1::2],
        }

    # --- views for the panels ------------------------------------------------------------
    def snapshot(self, grid: int | None = DECISION_GRID):
        """An immutable ``core.Snapshot`` of the current state (see core.snapshot).

        ``grid`` is the decision map's cells per side (None or 0: no map); the default is the
        app's, ``core.diagnostics.DECISION_GRID``."""
        from .snapshot import take_snapshot

        return take_snapshot(self, grid)

    def unit_grid(self, layer: int, unit: int, res: int = DECISION_GRID) -> np.ndarray:
        """One unit's activation over a res×res grid of the raw 2-D input plane.

        Parameters
        ----------
        layer : int
            Index into ``net.layers`` (0 = first hidden layer, last = output); no negative
            indices.
        unit : int
            Index of the unit in that layer, 0 ≤ unit < units.
        res : int
            Grid points per side, 2 … 1024 (converted with ``int``).

        Returns
        -------
        ndarray, shape (res, res)
            A writable copy, in evaluation mode; element [i, j] is at (xs[j], ys[i]) of
            ``grid_forward`` in ``core.snapshot`` (rows = y).

        Raises
        ------
        ValueError
            If the data set does not have 2 raw inputs or ``res`` is out of range.
        IndexError
            If there is no such layer or unit.

        Notes
        -----
        Each call runs the whole network over the res² points (their inputs are cached per
        ``res``), then keeps one unit.
        """
        from .snapshot import grid_forward

        _, _, _, per_layer = grid_forward(self, res)
        if not (0 <= layer < len(per_layer)) or not (0 <= unit < per_layer[layer].shape[2]):
            raise IndexError(f"no unit {unit} in layer {layer}")
        return per_layer[layer][:, :, unit].copy()
