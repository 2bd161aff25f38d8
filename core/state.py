"""Save and restore a trainer as plain data: a JSON-able dict plus named NumPy arrays.

``restore_trainer(*trainer_state(t), dataset)`` continues training bit for bit as ``t`` would
have: it brings back the network (spec, parameters, BatchNorm statistics), the optimizer's
state, every random generator's state, the position inside the current epoch, the counters,
the history, the timeline and the snapshot histogram ranges. The dataset itself is not saved
(only its name, task, options and shape; of these only the shape is checked): pass the same
dataset back.

Restoring validates everything (files come from outside): any problem raises ValueError with
one sentence saying what is wrong.

The timeline (``meta["timeline"]``, arrays ``timeline.*``) came later than format 1 itself: a
state without it restores with a timeline made from the history (``Timeline.from_history``),
and readers that predate it ignore it.
"""

from __future__ import annotations

import math

import numpy as np

from .network import Network
from .timeline import History, Timeline
from .trainer import Trainer

__all__ = ["FORMAT", "restore_trainer", "trainer_state"]

FORMAT = 1


def trainer_state(trainer: Trainer) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays): meta is JSON-able (json.dumps works), arrays are copies.

    Parameters
    ----------
    trainer : Trainer
        Read only; nothing in it changes.

    Returns
    -------
    meta : dict
        "format", "network" (``Network.spec()``), "loss", "optimizer" (its name, settings
        and counters), "trainer" (seed, batch size, evaluate_every, history cap, step and
        epoch counts, position in the epoch, last loss, metrics, histogram ranges), "rng"
        (the shuffle, noise and network generators' states), "history" and "timeline"
        (their counters) and "dataset" (name, task, options, n_train, n_inputs,
        n_outputs). Floats may be NaN (``last_loss`` before the first step, test values
        without test rows): ``json.dumps`` writes them as ``NaN``, which strict JSON
        readers refuse.
    arrays : dict of str to ndarray
        "flat", "prev" (parameters before the last step) and "grad_flat", each
        (n_params,); "perm" (n_train,) intp, the current epoch's order; "sample_index"
        (m,) intp, the snapshot sample's rows; per BatchNorm layer i "bn{i}.running_mean"
        and "bn{i}.running_var" (units,); "optimizer.NAME" (n_params,) per state array;
        "history.NAME" and "timeline.NAME" per column, (rows, …).

    Notes
    -----
    Not saved: the data (pass the same data set back), the timeline's first stride (its
    current stride is saved; the restored timeline's ``every`` is 1), the decision-grid
    cache (made again when needed) and the exploding-run limits, which ``restore_trainer``
    fixes again from the history's first row (so a loss limit raised by a "loss growth"
    stop, see ``TrainingDiverged``, is back at its start value).
    """
    net, ds = trainer.net, trainer.dataset
    opt_meta, opt_arrays = trainer.optimizer.export_state()
    hist_meta, hist_arrays = trainer.history.export()
    tl_meta, tl_arrays = trainer.timeline.export()
    meta = {
        "format": FORMAT,
        "network": net.spec(),
        "loss": trainer.loss.name,
        "optimizer": opt_meta,
        "trainer": {
            "seed": trainer.seed,
            "batch_size": trainer.batch_size,
            "evaluate_every": trainer.evaluate_every,
            "history_cap": trainer.history.cap,
            "step_count": trainer.step_count,
            "epoch": trainer.epoch,
            "cursor": trainer._cursor,
            "epoch_shuffled": trainer._x_epoch is trainer._xs,
            "last_loss": trainer.last_loss,
            "metrics": dict(trainer.metrics),
            "hist_ranges": dict(trainer.hist_ranges),
        },
        "rng": {
            "shuffle": trainer._rng_shuffle.bit_generator.state,
            "noise": trainer._rng_noise.bit_generator.state,
            "network": net.rng.bit_generator.state,
        },
        "history": hist_meta,
        "timeline": tl_meta,
        "dataset": {
            "name": ds.name, "task": ds.task, "options": _jsonable(ds.options),
            "n_train": ds.n_train, "n_inputs": ds.n_inputs, "n_outputs": ds.n_outputs,
        },
    }
    arrays = {
        "flat": net.flat.copy(),
        "prev": trainer._prev.copy(),
        "grad_flat": net.grad_flat.copy(),
        "perm": trainer._perm.copy(),
        "sample_index": trainer.sample_index.copy(),
    }
    for i, layer in enumerate(net.layers):
        if layer.bn is not None:
            arrays[f"bn{i}.running_mean"] = layer.bn.running_mean.copy()
            arrays[f"bn{i}.running_var"] = layer.bn.running_var.copy()
    arrays.update({f"optimizer.{k}": v for k, v in opt_arrays.items()})
    arrays.update({f"history.{k}": v for k, v in hist_arrays.items()})
    arrays.update({f"timeline.{k}": v for k, v in tl_arrays.items()})
    return meta, arrays


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.generic,)):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    return repr(obj)


# --- validation helpers ----------------------------------------------------------------------
def _dict(meta, key) -> dict:
    v = meta.get(key)
    if not isinstance(v, dict):
        raise ValueError(f"the saved state has no valid {key!r} section")
    return v


def _int(section, key, lo=0, hi=None) -> int:
    v = section.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or v < lo or (hi is not None and v > hi):
        raise ValueError(f"the saved value {key!r} must be a whole number ≥ {lo}, not {v!r}")
    return v


def _float(section, key, allow_nan=False, lo=-math.inf, hi=math.inf) -> float:
    v = section.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"the saved value {key!r} must be a number, not {v!r}")
    v = float(v)
    if not (math.isfinite(v) or (allow_nan and math.isnan(v))):
        raise ValueError(f"the saved value {key!r} must be finite")
    if not math.isnan(v) and not (lo <= v <= hi):
        raise ValueError(f"the saved value {key!r} must lie in [{lo:g}, {hi:g}], not {v:g}")
    return v


def _array(arrays, key, shape, dtype, finite=True) -> np.ndarray:
    a = arrays.get(key)
    if not isinstance(a, np.ndarray):
        raise ValueError(f"the saved state lacks the array {key!r}")
    if a.shape != tuple(shape) or a.dtype != np.dtype(dtype):
        raise ValueError(
            f"the saved array {key!r} has shape {a.shape} and dtype {a.dtype}, "
            f"expected {tuple(shape)} and {np.dtype(dtype)}"
        )
    if finite and a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"the saved array {key!r} holds inf or NaN values")
    return a


def _rng(state) -> np.random.Generator:
    if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
        raise ValueError("a saved random generator state is not a PCG64 state")
    g = np.random.default_rng()
    try:
        g.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError("a saved random generator state is malformed") from exc
    return g


def restore_trainer(meta: dict, arrays: dict[str, np.ndarray], dataset) -> Trainer:
    """Rebuild the trainer saved by ``trainer_state`` on ``dataset`` (the same data set).

    Parameters
    ----------
    meta : dict
        ``trainer_state``'s meta, possibly through JSON (lists for tuples are accepted in
        the optimizer's settings).
    arrays : dict of str to ndarray
        ``trainer_state``'s arrays. The parameter, gradient, optimizer and BatchNorm arrays
        must have exactly the network's dtype and "perm" intp; "sample_index" any integer
        dtype; history and timeline columns are checked for their shapes.
    dataset : Dataset
        The data set trained on, rows in the same order. Only its n_inputs, n_outputs (against
        the saved network) and n_train are checked, not its name, options or values.

    Returns
    -------
    Trainer
        At the saved step, epoch and position in the epoch, with the saved parameters,
        gradients, BatchNorm statistics, optimizer state, random generators, history,
        timeline (one made from the history when the state has none) and histogram ranges,
        so that it trains on as the saved one would have. Its settings are the saved ones,
        within the bounds the settings accept (lr in [0, 100], l1 and l2 in [0, 10],
        clip_norm None or in [1e-6, 1e6]); for the exploding-run limits see
        ``trainer_state``'s Notes.

    Raises
    ------
    ValueError
        With one sentence, for anything the checks find: an unsupported format, a missing
        or malformed section, an unknown loss, optimizer or activation, an array missing or
        of the wrong shape or dtype or with inf/NaN, a setting out of bounds, a shuffle
        order that is not a permutation, a bad generator state, a negative BatchNorm
        variance, inconsistent history or timeline counters.

    Notes
    -----
    A hand-edited state can still break in ways no check names (TypeError, KeyError,
    IndexError, …): ``core.archive`` turns those into ``ArchiveError``. Making the Trainer
    runs one evaluation, whose history row is then replaced by the saved history.
    """
    if not isinstance(meta, dict) or not isinstance(arrays, dict):
        raise ValueError("a saved state is a dict of settings and a dict of arrays")
    if meta.get("format") != FORMAT:
        raise ValueError(f"unsupported saved-state format {meta.get('format')!r}")
    tr, opt, ds_meta = _dict(meta, "trainer"), _dict(meta, "optimizer"), _dict(meta, "dataset")
    rngs, hist_meta = _dict(meta, "rng"), _dict(meta, "history")
    try:
        net = Network.from_spec(_dict(meta, "network"))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"the saved network cannot be rebuilt: {exc}") from None
    if (dataset.n_inputs, dataset.n_outputs) != (net.n_inputs, net.layers[-1].units):
        raise ValueError("the data set's inputs and outputs do not match the saved network")
    if ds_meta.get("n_train") != dataset.n_train:
        raise ValueError("the data set has a different number of training rows than when saved")

    n, dt = dataset.n_train, net.dtype
    flat = _array(arrays, "flat", (net.n_params,), dt)
    prev = _array(arrays, "prev", (net.n_params,), dt)
    grad = _array(arrays, "grad_flat", (net.n_params,), dt)
    perm = _array(arrays, "perm", (n,), np.dtype(np.intp))
    if not np.array_equal(np.sort(perm), np.arange(n)):
        raise ValueError("the saved shuffle order is not a permutation of the training rows")
    sample = arrays.get("sample_index")
    if not isinstance(sample, np.ndarray) or sample.ndim != 1 or sample.dtype.kind not in "iu" or (
        sample.size and (sample.min() < 0 or sample.max() >= n)
    ):
        raise ValueError("the saved snapshot sample does not fit the data set")

    opt_hyper = opt.get("hyper")
    if not isinstance(opt_hyper, dict):
        raise ValueError("the saved optimizer settings are missing")
    clip = opt.get("clip_norm")
    try:
        trainer = Trainer(
            net, dataset, loss=meta.get("loss"), optimizer=opt.get("name"),
            lr=_float(opt, "lr", lo=0, hi=100), batch_size=_int(tr, "batch_size", 1),
            seed=_int(tr, "seed"),
            # the same bounds the settings accept (core.experiment): a huge penalty overflows
            l1=_float(opt, "l1", lo=0, hi=10), l2=_float(opt, "l2", lo=0, hi=10),
            clip_norm=None if clip is None else _float(opt, "clip_norm", lo=1e-6, hi=1e6),
            optimizer_params={k: tuple(v) if isinstance(v, list) else v
                              for k, v in opt_hyper.items()},
            evaluate_every=_int(tr, "evaluate_every", 1),
            history_cap=_int(tr, "history_cap", 4, 10_000_000),
        )
    except KeyError as exc:
        raise ValueError(f"the saved settings name something unknown: {exc}") from None
    except TypeError as exc:
        raise ValueError(f"the saved settings are malformed: {exc}") from None

    state_arrays = {k: _array(arrays, f"optimizer.{k}", (net.n_params,), dt)
                    for k in trainer.optimizer.state_names}
    trainer.optimizer.load_state(opt, state_arrays)
    net.flat[...] = flat
    net.grad_flat[...] = grad
    trainer._prev[...] = prev
    for i, layer in enumerate(net.layers):
        if layer.bn is not None:
            layer.bn.running_mean[...] = _array(arrays, f"bn{i}.running_mean", (layer.units,), dt)
            var = _array(arrays, f"bn{i}.running_var", (layer.units,), dt)
            if (var < 0).any():
                raise ValueError("a saved BatchNorm variance is negative")
            layer.bn.running_var[...] = var
    trainer._rng_shuffle = _rng(rngs.get("shuffle"))
    trainer._rng_noise = _rng(rngs.get("noise"))
    net.rng = _rng(rngs.get("network"))

    trainer.step_count = _int(tr, "step_count")
    trainer.epoch = _int(tr, "epoch")
    cursor = _int(tr, "cursor", 0, n - 1)
    trainer._cursor = cursor
    trainer.last_loss = _float(tr, "last_loss", allow_nan=True)
    trainer._perm = perm.astype(np.intp, copy=True)
    trainer.sample_index = sample.astype(np.intp, copy=True)
    trainer.x_sample = trainer.x_train[trainer.sample_index]
    shuffled = tr.get("epoch_shuffled")
    if not isinstance(shuffled, bool):
        raise ValueError("the saved value 'epoch_shuffled' must be true or false")
    if shuffled:
        np.take(trainer.x_train, trainer._perm, axis=0, out=trainer._xs)
        np.take(trainer.y_train, trainer._perm, axis=0, out=trainer._ys)
        trainer._x_epoch, trainer._y_epoch = trainer._xs, trainer._ys

    metrics = tr.get("metrics")
    if not isinstance(metrics, dict):
        raise ValueError("the saved metrics are missing")
    trainer.metrics = {
        k: _int(metrics, k) if k in ("epoch", "step") else _float(metrics, k, allow_nan=True)
        for k in trainer.metrics
    }
    ranges = tr.get("hist_ranges")
    if not isinstance(ranges, dict):
        raise ValueError("the saved histogram ranges are missing")
    trainer.hist_ranges = {str(k): _float(ranges, k) for k in ranges}

    history = History(len(net.layers), cap=trainer.history.cap)
    prefix = "history."
    history.load(hist_meta, {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)})
    trainer.history = history
    trainer.set_explosion_limits()  # from the run's starting loss, as before it was saved
    trainer.timeline = _timeline(meta, arrays, history, len(net.layers))
    return trainer


def _timeline(meta: dict, arrays: dict[str, np.ndarray], history: History,
              n_layers: int) -> Timeline:
    prefix = "timeline."
    saved = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
    if "timeline" not in meta:  # saved before timelines were
        if saved:
            raise ValueError("the saved state has timeline arrays but no timeline section")
        return Timeline.from_history(history)
    timeline = Timeline.load(_dict(meta, "timeline"), saved, n_layers)
    # both get a row at every evaluation, so they count the same rows
    if timeline.seen != history.seen:
        raise ValueError("the saved timeline does not match the saved history")
    return timeline
