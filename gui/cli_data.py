"""``activation-lab train --data FILE.csv``: an experiment over the user's own table, set up
from the command line (network, loss, optimizer), with defaults that suit the task the
target column holds.

It only builds the ``Experiment``: ``gui.cli``'s train command trains it and writes
metrics.csv, experiment.alab and figures as for a preset. A mistake raises ``DataError``
with one sentence naming it.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import core.datasets as datasets
import core.losses
import core.optimizers
from core.experiment import DatasetConfig, Experiment, NetworkConfig, TrainingConfig
from core.layer_spec import HiddenSpecError, parse_hidden

__all__ = ["DATA_OPTIONS", "DEFAULTS", "DataError", "add_data_arguments", "experiment_from_data"]

#: what each task trains with unless the command line says otherwise: output, loss
TASK_DEFAULTS = {"binary": ("sigmoid", "bce"), "multiclass": ("softmax", "ce"),
                 "regression": ("identity", "mse")}
OUTPUTS = ("softmax", "sigmoid", "identity", "tanh")
#: the other defaults (the table's task chooses the output and the loss)
DEFAULTS = {"hidden": "16:relu,8:relu", "optimizer": "adam", "lr": 0.01, "batch": 32}
#: the options that only mean something with --data (their argparse names)
DATA_OPTIONS = ("target", "skip_rows", "standardize", "hidden", "output", "loss",
                "optimizer", "lr", "batch")


class DataError(Exception):
    """A mistake in --data or the options that go with it: reported as one sentence."""


def add_data_arguments(train: argparse.ArgumentParser, source) -> None:
    """``--data`` into the ``source`` group (instead of an .alab or a preset), and the options
    that set up its network and training into ``train``. Every default is None here, so that
    :func:`experiment_from_data` can tell what the user gave."""
    source.add_argument("--data", type=Path, metavar="FILE.csv", help="train on your own "
                        "table (.csv or .csv.gz; every column but the target holds numbers)")
    g = train.add_argument_group("with --data")
    g.add_argument("--target", metavar="COLUMN", help="the column to predict: its name or "
                   "0-based index (default: the last column)")
    g.add_argument("--skip-rows", type=int, metavar="N", help="lines to ignore at the top, "
                   "e.g. 1 for scikit-learn's files with a preamble (default 0)")
    g.add_argument("--standardize", action="store_true", default=None,
                   help="scale every input to mean 0 and standard deviation 1 (on the "
                   "training set)")
    g.add_argument("--hidden", metavar="UNITS:ACT,...", help="hidden layers, e.g. "
                   f"16:relu,8:tanh, or none (default {DEFAULTS['hidden']})")
    g.add_argument("--output", choices=OUTPUTS, help="the output activation (default: "
                   "softmax for 3 or more classes, sigmoid for two, identity for numbers)")
    g.add_argument("--loss", metavar="NAME", help=f"{', '.join(core.losses.names())} "
                   "(default: ce for softmax, bce for sigmoid, mse otherwise)")
    g.add_argument("--optimizer", metavar="NAME", help=f"{', '.join(core.optimizers.names())}"
                   f" (default {DEFAULTS['optimizer']})")
    g.add_argument("--lr", type=float, metavar="R",
                   help=f"learning rate (default {DEFAULTS['lr']:g})")
    g.add_argument("--batch", type=int, metavar="B",
                   help=f"mini-batch size (default {DEFAULTS['batch']})")


def experiment_from_data(args: argparse.Namespace) -> Experiment:
    """The experiment ``args`` describe (``args.data`` set); raises DataError."""
    path: Path = args.data
    skip = 0 if args.skip_rows is None else args.skip_rows
    if not 0 <= skip <= 1000:
        raise DataError("--skip-rows must be between 0 and 1000")
    target = _target(args.target)
    try:
        layers = parse_hidden(DEFAULTS["hidden"] if args.hidden is None else args.hidden)
    except HiddenSpecError as e:
        raise DataError(f"--hidden: {e}") from None
    seed = 0 if args.seed is None else args.seed
    try:  # read once here for the task, which chooses the defaults
        ds = datasets.load_csv(path, target=target, seed=seed, skip_rows=skip,
                               standardize=bool(args.standardize))
    except datasets.CSVError as e:
        message = f"{path.name}: {e}"
        if skip == 0 and e.row == 2:  # the column names where numbers were expected
            message = (message.rstrip(".") + "; if the first line is a preamble above the "
                       "column names, add --skip-rows 1")
        raise DataError(message) from None
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror or e}") from None
    output, loss = TASK_DEFAULTS[ds.task]
    if args.output is not None:
        output = args.output
        if args.loss is None:  # the loss that suits the output the user chose
            loss = {"softmax": "ce", "sigmoid": "bce"}.get(output, "mse")
    column = ds.options.get("target", "the target")
    if output == "softmax" and ds.n_outputs < 2:
        raise DataError(f"--output softmax needs a target with 3 or more classes, and "
                        f"{column!r} has one output (two classes, or numbers): use "
                        "--output sigmoid or identity")
    loss = _registered("loss", args.loss or loss, core.losses.names())
    optimizer = _registered("optimizer", args.optimizer or DEFAULTS["optimizer"],
                            core.optimizers.names())
    lr = DEFAULTS["lr"] if args.lr is None else args.lr
    if not (math.isfinite(lr) and 0 < lr <= 100):
        raise DataError("--lr must be a number above 0 and at most 100")
    batch = DEFAULTS["batch"] if args.batch is None else args.batch
    if not 1 <= batch <= 100_000:
        raise DataError("--batch must be between 1 and 100,000")
    name = path.name.split(".", 1)[0] or path.name
    return Experiment(
        dataset=DatasetConfig(name=name, seed=seed, standardize=bool(args.standardize),
                              csv_path=str(path.resolve()),
                              csv_target=column,  # by name, also when given by index
                              csv_skip_rows=skip),
        network=NetworkConfig(hidden=layers, output_activation=output, seed=seed),
        training=TrainingConfig(loss=loss, optimizer=optimizer, lr=lr, batch_size=batch,
                                seed=seed),
        title=f"{name}: {column}",
        description=f"Trained from the command line on {path.name}.")


def _target(text: str | None) -> str | int | None:
    """A column's name, or its index when the text is a whole number."""
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def _registered(what: str, name: str, known: list[str]) -> str:
    key = name.strip().lower()
    if key not in known:
        raise DataError(f"there is no {what} called {name!r}; the known ones are "
                        f"{', '.join(known)}")
    return key
