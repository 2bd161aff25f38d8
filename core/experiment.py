"""An experiment as plain data: dataset, network and training settings, JSON in and out.

The GUI edits one of these, the CLI trains one, a saved ``.alab`` file holds one. Building the
engine objects from it (``build_dataset``, ``build_trainer``) lives here so that every front end
makes exactly the same trainer from the same settings.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

SCHEMA_VERSION = 1

__all__ = [
    "CLASSROOM_CONTROLS",
    "SCHEMA_VERSION",
    "Classroom",
    "DatasetConfig",
    "Experiment",
    "LayerConfig",
    "NetworkConfig",
    "TrainingConfig",
]


def _num(d: dict, key: str, lo: float, hi: float, *, integer: bool = False, where: str = "") -> Any:
    """Read a number from a dict, refusing wrong types and values out of range."""
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{where}{key} must be a number, not {v!r}")
    if integer and (not float(v).is_integer()):
        raise ValueError(f"{where}{key} must be a whole number, not {v!r}")
    if not math.isfinite(v) or not (lo <= v <= hi):
        raise ValueError(f"{where}{key} must lie in [{lo:g}, {hi:g}], not {v!r}")
    return int(v) if integer else float(v)


@dataclass(frozen=True)
class DatasetConfig:
    name: str = "circles"
    n: int | None = None
    noise: float | None = None
    test_fraction: float = 0.5
    seed: int = 0
    standardize: bool = False
    features: tuple[str, ...] = ()
    targets: str = "01"
    options: dict = field(default_factory=dict)
    csv_path: str | None = None
    csv_target: str | None = None
    csv_skip_rows: int = 0


@dataclass(frozen=True)
class LayerConfig:
    units: int = 8
    activation: str = "tanh"
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NetworkConfig:
    hidden: tuple[LayerConfig, ...] = (LayerConfig(8, "tanh"), LayerConfig(8, "tanh"))
    output_activation: str = "sigmoid"
    output_params: dict = field(default_factory=dict)
    init: str = "xavier_uniform"
    bias_init: float = 0.0
    seed: int = 0
    batchnorm: bool = False
    dtype: str = "float64"


@dataclass(frozen=True)
class TrainingConfig:
    loss: str = "bce"
    optimizer: str = "sgd"
    lr: float = 0.03
    batch_size: int = 10
    l1: float = 0.0
    l2: float = 0.0
    clip_norm: float | None = None
    epoch_limit: int | None = None
    seed: int = 0


#: the controls a classroom set-up may hide or lock, by id: (section, what the student sees)
CLASSROOM_CONTROLS: dict[str, tuple[str, str]] = {
    "dataset": ("Dataset", "Data set (which problem)"),
    "noise": ("Dataset", "Noise"),
    "points": ("Dataset", "Points"),
    "test_share": ("Dataset", "Test share"),
    "data_seed": ("Dataset", "Data seed"),
    "standardize": ("Dataset", "Standardize inputs"),
    "targets": ("Dataset", "Target coding"),
    "features": ("Dataset", "Extra inputs"),
    "load_csv": ("Dataset", "Load CSV"),
    "layers": ("Network", "Hidden layers: how many, and their units"),
    "activation": ("Network", "Hidden layers' activation functions"),
    "output": ("Network", "Output activation"),
    "loss": ("Network", "Loss"),
    "init": ("Network", "Weight initialization"),
    "bias": ("Network", "Starting bias"),
    "network_seed": ("Network", "Network seed"),
    "batchnorm": ("Network", "Batch norm"),
    "optimizer": ("Training", "Optimizer"),
    "lr": ("Training", "Learning rate"),
    "batch_size": ("Training", "Batch size"),
    "regularization": ("Training", "L1 and L2 penalties"),
    "clip": ("Training", "Gradient clipping"),
    "epoch_limit": ("Training", "Stop after N epochs"),
    "play": ("Toolbar", "Play / Pause"),
    "step": ("Toolbar", "Step"),
    "epoch": ("Toolbar", "Epoch"),
    "reset": ("Toolbar", "Reset"),
    "pace": ("Toolbar", "Pace"),
}


@dataclass(frozen=True)
class Classroom:
    """A teacher's set-up of the controls: which ones a student does not see (``hidden``)
    and which ones are shown but cannot be changed (``locked``), as ids of
    ``CLASSROOM_CONTROLS``. A hidden control needs no lock. This is a teaching aid, not a
    security feature: the file is plain JSON and the app unlocks from a menu.
    """

    hidden: frozenset[str] = frozenset()
    locked: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("hidden", "locked"):
            ids = getattr(self, name)
            if isinstance(ids, str) or not all(isinstance(i, str) for i in ids):
                raise ValueError(f"classroom.{name} must be a list of control names")
            unknown = sorted(set(ids) - CLASSROOM_CONTROLS.keys())
            if unknown:
                raise ValueError(f"classroom.{name} names an unknown control "
                                 f"{_clip(unknown[0])!r}")
            object.__setattr__(self, name, frozenset(ids))
        object.__setattr__(self, "locked", self.locked - self.hidden)

    @property
    def active(self) -> bool:
        """True when any control is hidden or locked."""
        return bool(self.hidden or self.locked)

    def to_dict(self) -> dict:
        return {"hidden": sorted(self.hidden), "locked": sorted(self.locked)}

    @classmethod
    def from_dict(cls, d: Any) -> Classroom:
        """Validate and build (ValueError with one sentence for anything else)."""
        d = _only(d, cls, "classroom")
        lists = {}
        for name in ("hidden", "locked"):
            v = d.get(name, [])
            if not isinstance(v, list) or len(v) > len(CLASSROOM_CONTROLS):
                raise ValueError(f"classroom.{name} must be a list of at most "
                                 f"{len(CLASSROOM_CONTROLS)} control names")
            lists[name] = v
        return cls(**lists)


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


@dataclass(frozen=True)
class Experiment:
    """Everything needed to rebuild a run exactly (weights and history live beside it).

    Plain, frozen, JSON-able data: ``to_dict`` and ``from_dict`` convert it, ``with_``
    changes fields, and ``build_dataset``, ``build_network`` and ``build_trainer`` make the
    engine objects from it, the same in the GUI, the CLI and a script.

    Attributes
    ----------
    dataset : DatasetConfig
        Which data set, its size, noise, split, seed and coding (or a CSV file).
    network : NetworkConfig
        Hidden layers, output activation, initializer, biases, seed, batch norm, dtype.
    training : TrainingConfig
        Loss, optimizer, learning rate, batch size, L1/L2, clipping, epoch limit, seed.
    title, description : str
        What a lesson shows about itself.
    panels : dict
        Per-panel view choices (selected activations, log-y, ...), opaque to the core.
    classroom : Classroom
        The controls a student does not see or cannot change (a teacher's set-up).
    """

    dataset: DatasetConfig = DatasetConfig()
    network: NetworkConfig = NetworkConfig()
    training: TrainingConfig = TrainingConfig()
    title: str = ""
    description: str = ""
    #: per-panel view choices (selected activations, log-y, ...), opaque to the core
    panels: dict = field(default_factory=dict)
    classroom: Classroom = Classroom()

    # --- JSON ------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The experiment as JSON-able dicts and lists, with ``schema_version``."""
        d = asdict(self)
        d["schema_version"] = SCHEMA_VERSION
        d["dataset"]["features"] = list(self.dataset.features)
        d["network"]["hidden"] = [asdict(h) for h in self.network.hidden]
        d["classroom"] = self.classroom.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: Any) -> Experiment:
        """Validate and build; raises ValueError with one clear sentence on any bad field."""
        if not isinstance(d, dict):
            raise ValueError("the experiment is not a JSON object")
        version = d.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise ValueError(
                f"the experiment was written with schema version {version!r}; "
                f"this version of Activation Lab reads version {SCHEMA_VERSION}"
            )
        try:
            ds = _dataset_from(d.get("dataset", {}))
            net = _network_from(d.get("network", {}))
            tr = _training_from(d.get("training", {}))
        except KeyError as e:  # pragma: no cover - defaults cover every key
            raise ValueError(f"the experiment lacks {e}") from None
        panels = d.get("panels", {})
        if not isinstance(panels, dict):
            raise ValueError("panels must be a JSON object")
        title, desc = d.get("title", ""), d.get("description", "")
        if not isinstance(title, str) or not isinstance(desc, str):
            raise ValueError("title and description must be text")
        classroom = Classroom.from_dict(d.get("classroom", {}))  # older files: none
        return cls(dataset=ds, network=net, training=tr, title=title, description=desc,
                   panels=panels, classroom=classroom)

    def with_(self, **changes: Any) -> Experiment:
        """A copy with whole fields replaced, e.g. ``exp.with_(training=TrainingConfig())``."""
        return replace(self, **changes)

    # --- building --------------------------------------------------------------------
    def build_dataset(self):
        """Make the data set these settings describe, as ``core.datasets.load`` does.

        Returns
        -------
        Dataset
            ``x_train`` (n_train, n_inputs), ``y_train`` (n_train, n_outputs), ``x_test``,
            ``y_test``; equal settings give identical arrays.

        Raises
        ------
        KeyError
            If the data set's name is unknown.
        ValueError
            If a setting is out of range for this data set (``core.datasets.load``).
        core.datasets.CSVError, OSError
            If ``dataset.csv_path`` is set and the file cannot be used (``load_csv``).

        Notes
        -----
        With ``csv_path`` set its target column, the rows to skip above the table
        (``csv_skip_rows``), split, seed, standardization and the binary targets' coding
        (``targets``) are passed on; the hand-made ``features`` (x₁², sin x₁,
        …) belong to the two-input toy problems and are not applied to a CSV file.
        """
        from . import datasets

        c = self.dataset
        if c.csv_path:
            return datasets.load_csv(
                c.csv_path, target=c.csv_target, test_fraction=c.test_fraction, seed=c.seed,
                standardize=c.standardize, targets=c.targets, skip_rows=c.csv_skip_rows,
            )
        kwargs = dict(c.options)
        if c.n is not None:
            kwargs["n"] = c.n
        if c.noise is not None:
            kwargs["noise"] = c.noise
        return datasets.load(
            c.name, test_fraction=c.test_fraction, seed=c.seed, standardize=c.standardize,
            features=tuple(c.features), targets=c.targets, **kwargs,
        )

    def build_network(self, ds):
        """A new Network for data set ``ds``: its inputs and outputs, weights from the seed.

        Raises KeyError for an unknown activation or initializer, ValueError for bad
        parameters or a network over the limits (see ``Network.build``).
        """
        from .network import Network

        c = self.network
        hidden = [(h.units, (h.activation, dict(h.params))) for h in c.hidden]
        return Network.build(
            n_inputs=ds.n_inputs, hidden=hidden,
            output=(ds.n_outputs, (c.output_activation, dict(c.output_params))),
            init=c.init, bias_init=c.bias_init, seed=c.seed, batchnorm=c.batchnorm, dtype=c.dtype,
        )

    def build_trainer(self, ds=None):
        """A fresh trainer: dataset, network initialised with its seed, optimizer state empty.

        Parameters
        ----------
        ds : Dataset, optional
            The data set to train on; default ``self.build_dataset()``. Pass one to reuse it
            (several runs on the same data) or to train on data made elsewhere; its
            ``n_inputs`` and ``n_outputs`` size the network.

        Returns
        -------
        Trainer
            At epoch 0 and step 0, with the loss, optimizer, learning rate, batch size,
            L1/L2, clipping and seed of ``training``. ``training.epoch_limit`` is not part of
            the trainer: the front ends stop there.

        Raises
        ------
        KeyError
            If the data set, an activation, the initializer, the loss or the optimizer is
            unknown.
        ValueError
            If a setting is out of range (see ``build_dataset``, ``Network.build`` and
            ``core.Trainer``).
        """
        from .trainer import Trainer

        ds = ds if ds is not None else self.build_dataset()
        t = self.training
        return Trainer(
            self.build_network(ds), ds, loss=t.loss, optimizer=t.optimizer, lr=t.lr,
            batch_size=t.batch_size, seed=t.seed, l1=t.l1, l2=t.l2, clip_norm=t.clip_norm,
        )


def _only(d: Any, cls: type, where: str) -> dict:
    if not isinstance(d, dict):
        raise ValueError(f"{where} must be a JSON object")
    known = {f.name for f in fields(cls)}
    unknown = set(d) - known
    if unknown:
        raise ValueError(f"{where} has unknown field {sorted(unknown)[0]!r}")
    return d


def _str(d: dict, key: str, where: str, default: str | None) -> str | None:
    v = d.get(key, default)
    if v is not None and not isinstance(v, str):
        raise ValueError(f"{where}.{key} must be text, not {v!r}")
    return v


def _activation(d: dict, key: str, where: str, default: str) -> str | None:
    """An activation's name; a formula's spec (``formula:…``) is parsed again here, never
    run, so a hostile one refuses the whole experiment with the parser's sentence."""
    v = _str(d, key, where, default)
    if v is not None and v.startswith("formula:"):
        from .activations.formula import describe

        try:
            describe(v)
        except ValueError as e:
            layer = "the output layer" if key == "output_activation" else where
            raise ValueError(f"the formula of {layer} is refused: {e}") from None
    return v


def _bool(d: dict, key: str, where: str, default: bool) -> bool:
    """A true/false setting; anything else (the text "no" was read as true) is refused."""
    v = d.get(key, default)
    if not isinstance(v, bool):
        raise ValueError(f"{where}.{key} must be true or false")
    return v


def _dtype(d: dict) -> str:
    v = _str(d, "dtype", "network", "float64")
    if v not in ("float64", "float32"):
        raise ValueError("network.dtype must be 'float64' or 'float32'")
    return v


def _params(v: Any, where: str) -> dict:
    if not isinstance(v, dict) or not all(
        isinstance(k, str) and not isinstance(x, bool) and isinstance(x, int | float)
        for k, x in v.items()
    ):
        raise ValueError(f"{where} must map parameter names to numbers")
    return {k: float(x) for k, x in v.items()}


#: settings build_dataset passes itself; an option of the same name would be passed twice
_RESERVED_OPTIONS = {"name", "n", "noise", "test_fraction", "seed", "standardize", "features",
                     "targets", "path", "target"}


def _dataset_from(d: Any) -> DatasetConfig:
    d = _only(d, DatasetConfig, "dataset")
    base = DatasetConfig()
    w = "dataset."
    feats = d.get("features", [])
    if not isinstance(feats, list | tuple) or not all(isinstance(f, str) for f in feats):
        raise ValueError("dataset.features must be a list of names")
    opts = d.get("options", {})
    if not isinstance(opts, dict):
        raise ValueError("dataset.options must be a JSON object")
    clash = sorted(set(opts) & _RESERVED_OPTIONS)
    if clash:
        raise ValueError(f"dataset.options may not set {clash[0]!r}; it is a dataset setting")
    if not all(isinstance(k, str) and k.isidentifier() for k in opts):
        raise ValueError("dataset.options must map option names to values")
    targets = _str(d, "targets", "dataset", base.targets)
    if targets not in ("01", "pm1"):
        raise ValueError("dataset.targets must be '01' or 'pm1'")
    return DatasetConfig(
        name=_str(d, "name", "dataset", base.name),
        n=None if d.get("n") is None else _num(d, "n", 2, 200_000, integer=True, where=w),
        noise=None if d.get("noise") is None else _num(d, "noise", 0, 100, where=w),
        test_fraction=_num({**asdict(base), **d}, "test_fraction", 0, 0.9, where=w),
        seed=_num({**asdict(base), **d}, "seed", 0, 2**32 - 1, integer=True, where=w),
        standardize=_bool(d, "standardize", "dataset", base.standardize),
        features=tuple(feats),
        targets=targets,
        options=opts,
        csv_path=_str(d, "csv_path", "dataset", None),
        csv_target=_str(d, "csv_target", "dataset", None),
        csv_skip_rows=_num({**asdict(base), **d}, "csv_skip_rows", 0, 1000, integer=True,
                           where=w),
    )


def _network_from(d: Any) -> NetworkConfig:
    d = _only(d, NetworkConfig, "network")
    base = NetworkConfig()
    w = "network."
    hidden_raw = d.get("hidden", [asdict(h) for h in base.hidden])
    if not isinstance(hidden_raw, list | tuple) or len(hidden_raw) > 64:
        raise ValueError("network.hidden must be a list of at most 64 layers")
    hidden = []
    for i, h in enumerate(hidden_raw, 1):
        h = _only(h, LayerConfig, f"hidden layer {i}")
        hidden.append(
            LayerConfig(
                units=_num(h, "units", 1, 4096, integer=True, where=f"hidden layer {i} "),
                activation=_activation(h, "activation", f"hidden layer {i}", "tanh"),
                params=_params(h.get("params", {}), f"hidden layer {i} params"),
            )
        )
    merged = {**asdict(base), **d}
    return NetworkConfig(
        hidden=tuple(hidden),
        output_activation=_activation(d, "output_activation", "network",
                                      base.output_activation),
        output_params=_params(d.get("output_params", {}), "network.output_params"),
        init=_str(d, "init", "network", base.init),
        bias_init=_num(merged, "bias_init", -100, 100, where=w),
        seed=_num(merged, "seed", 0, 2**32 - 1, integer=True, where=w),
        batchnorm=_bool(d, "batchnorm", "network", False),
        dtype=_dtype(d),
    )


def _training_from(d: Any) -> TrainingConfig:
    d = _only(d, TrainingConfig, "training")
    base = TrainingConfig()
    w = "training."
    merged = {**asdict(base), **d}
    return TrainingConfig(
        loss=_str(d, "loss", "training", base.loss),
        optimizer=_str(d, "optimizer", "training", base.optimizer),
        lr=_num(merged, "lr", 0, 100, where=w),
        batch_size=_num(merged, "batch_size", 1, 200_000, integer=True, where=w),
        l1=_num(merged, "l1", 0, 10, where=w),
        l2=_num(merged, "l2", 0, 10, where=w),
        clip_norm=None if merged["clip_norm"] is None
        else _num(merged, "clip_norm", 1e-6, 1e6, where=w),
        epoch_limit=None if merged["epoch_limit"] is None
        else _num(merged, "epoch_limit", 1, 1_000_000, integer=True, where=w),
        seed=_num(merged, "seed", 0, 2**32 - 1, integer=True, where=w),
    )
