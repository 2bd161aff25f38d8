"""A step's set-up: a change to the experiment, as data (load a preset, set a layer, …).

``SetUp.apply(experiment)`` returns a new ``Experiment``; nothing else is touched. The fields
of ``dataset``, ``network`` and ``training`` are exactly those of ``core.experiment``'s
sections, and their values are validated there (``Experiment.from_dict``), so a lesson can set
whatever a saved experiment can, and nothing more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from ..experiment import DatasetConfig, Experiment, LayerConfig, NetworkConfig, TrainingConfig
from .fields import Table

__all__ = ["LayerChange", "SetUp", "parse_setup"]

SETUP_FIELDS = ("preset", "seed", "activation", "activation_params", "layers", "dataset",
                "network", "training")
LAYER_FIELDS = ("layer", "units", "activation", "params")
_SECTIONS = {"dataset": DatasetConfig, "network": NetworkConfig, "training": TrainingConfig}


#: a lesson uses the built-in data sets: it never names a file to read
_NOT_IN_LESSONS = ("csv_path", "csv_target")


def _section_fields(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in _NOT_IN_LESSONS)


@dataclass(frozen=True)
class LayerChange:
    """Change one layer: ``layer`` counts from 1 (the first hidden layer); the layer after the
    last hidden one is the output layer (its units follow the data set and cannot be set)."""

    layer: int
    units: int | None = None
    activation: str | None = None
    params: tuple[tuple[str, float], ...] | None = None


@dataclass(frozen=True)
class SetUp:
    """The changes a step makes, applied in this order: preset, seed, sections, activation,
    layers.

    Attributes
    ----------
    preset : str or None
        Start from this preset's experiment (``core.presets``) instead of the current one.
    seed : int or None
        Set every seed (data set, network, training) to this, as ``train --seed`` does.
    dataset, network, training : tuple of (field, value)
        Fields of the experiment's sections to set, e.g. (("lr", 0.1),).
    activation : str or None
        The activation of every hidden layer (with ``activation_params``).
    layers : tuple of LayerChange
    line : int
        The line of the set-up in its file.
    """

    preset: str | None = None
    seed: int | None = None
    dataset: tuple[tuple[str, Any], ...] = ()
    network: tuple[tuple[str, Any], ...] = ()
    training: tuple[tuple[str, Any], ...] = ()
    activation: str | None = None
    activation_params: tuple[tuple[str, float], ...] = ()
    layers: tuple[LayerChange, ...] = ()
    line: int = 0

    def apply(self, experiment: Experiment) -> Experiment:
        """The experiment with these changes made (a new object).

        Raises
        ------
        ValueError
            If a value is out of range, a layer does not exist, or the preset is unknown.
        """
        from .. import presets

        if self.preset is not None:
            try:
                experiment = presets.get(self.preset).experiment
            except KeyError as e:
                raise ValueError(e.args[0] if e.args else str(e)) from None
        d = experiment.to_dict()
        if self.seed is not None:
            for section in ("dataset", "network", "training"):
                d[section]["seed"] = self.seed
        for section in _SECTIONS:
            d[section].update(_plain(dict(getattr(self, section))))
        hidden = d["network"]["hidden"]
        if self.activation is not None:
            for h in hidden:
                h["activation"] = self.activation
                h["params"] = dict(self.activation_params)
        for ch in self.layers:
            if ch.layer <= len(hidden):
                h = hidden[ch.layer - 1]
                if ch.units is not None:
                    h["units"] = ch.units
                if ch.activation is not None:
                    h["activation"] = ch.activation
                    h["params"] = {}
                if ch.params is not None:
                    h["params"] = dict(ch.params)
            elif ch.layer == len(hidden) + 1:
                if ch.units is not None:
                    raise ValueError(f"layer {ch.layer} is the output layer; its units follow "
                                     "the data set")
                if ch.activation is not None:
                    d["network"]["output_activation"] = ch.activation
                    d["network"]["output_params"] = {}
                if ch.params is not None:
                    d["network"]["output_params"] = dict(ch.params)
            else:
                raise ValueError(f"the network has {len(hidden)} hidden layers and an output "
                                 f"layer, so there is no layer {ch.layer}")
        return _checked(Experiment.from_dict(d))

    def describe(self) -> list[str]:
        """The changes in words, one short sentence each (for the step's card)."""
        out = []
        if self.preset:
            out.append(f"load the preset '{self.preset}'")
        if self.seed is not None:
            out.append(f"set every seed to {self.seed}")
        for section in _SECTIONS:
            for k, v in getattr(self, section):
                out.append(f"set {section} {k} to {_shown(v)}")
        if self.activation:
            out.append(f"set every hidden layer's activation to {self.activation}"
                       + _params_text(self.activation_params))
        for ch in self.layers:
            if ch.activation:
                out.append(f"set layer {ch.layer}'s activation to {ch.activation}"
                           + _params_text(ch.params or ()))
            elif ch.params is not None:
                out.append(f"set layer {ch.layer}'s parameters to{_params_text(ch.params)}")
            if ch.units is not None:
                out.append(f"give layer {ch.layer} {ch.units} units")
        return out


def _checked(exp: Experiment) -> Experiment:
    """``exp`` if every activation of its network exists with its parameters (ValueError)."""
    from .. import activations, datasets

    opts = exp.dataset.options
    if opts:
        known = tuple(datasets.describe(exp.dataset.name).options)
        for k, v in opts.items():
            if k not in known:
                raise ValueError(f"the data set {exp.dataset.name!r} has no option {k!r}; its "
                                 f"options are: {', '.join(known) or 'none'}")
            if isinstance(v, float) and not math.isfinite(v) or not isinstance(v, int | float):
                raise ValueError(f"the data set option {k!r} must be a finite number or "
                                 "true/false")
    n = exp.network
    layers = [(h.activation, h.params) for h in n.hidden] + [(n.output_activation,
                                                               n.output_params)]
    for i, (name, params) in enumerate(layers, 1):
        try:
            activations.get(name, **params)
        except KeyError:
            raise ValueError(f"layer {i} has no activation called {name!r}") from None
        except (ValueError, TypeError) as e:
            raise ValueError(f"layer {i} ({name}): {e}") from None
    return exp


def _params_text(params) -> str:
    return (" (" + ", ".join(f"{k} = {v:g}" for k, v in params) + ")") if params else ""


def _shown(v: Any) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    v = _thaw(v)
    if isinstance(v, list) and v and isinstance(v[0], dict):
        return f"{len(v)} layers"
    return str(v)


class _FrozenDict(tuple):
    """A dict frozen as sorted (key, value) pairs, told apart from a frozen list."""


def _freeze(v: Any) -> Any:
    if isinstance(v, dict):
        return _FrozenDict(sorted((k, _freeze(x)) for k, x in v.items()))
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    return v


def _thaw(v: Any) -> Any:
    if isinstance(v, _FrozenDict):
        return {k: _thaw(x) for k, x in v}
    if isinstance(v, tuple):
        return [_thaw(x) for x in v]
    return v


def _plain(d: dict) -> dict:
    """Frozen values back to the JSON-like lists and dicts ``Experiment.from_dict`` reads."""
    return {k: _thaw(v) for k, v in d.items()}


def _params(t: Table, key: str) -> tuple[tuple[str, float], ...] | None:
    if not t.has(key):
        return None
    v = t.raw(key)
    if not isinstance(v, dict) or not all(
            isinstance(k, str) and not isinstance(x, bool) and isinstance(x, int | float)
            and math.isfinite(x) for k, x in v.items()):
        raise t.error(key, "must map parameter names to finite numbers, e.g. { alpha = 0.1 }")
    return tuple(sorted((k, float(x)) for k, x in v.items()))


def _check_activation(t: Table, key: str, name: str, params) -> None:
    from .. import activations

    try:
        activations.get(name, **dict(params or ()))
    except KeyError:
        raise t.error(key, f"there is no activation called {name!r}; known: "
                           f"{', '.join(activations.names())}") from None
    except (ValueError, TypeError) as e:
        raise t.error(key, str(e)) from None


def _check_names(sec: Table, section: str) -> None:
    """Names that must exist in a registry; refused here with the known ones listed."""
    from .. import activations, datasets, initializers, losses, optimizers, presets  # noqa: F401

    registries = {
        ("dataset", "name"): datasets.names, ("network", "output_activation"): activations.names,
        ("network", "init"): initializers.names, ("training", "loss"): losses.names,
        ("training", "optimizer"): optimizers.names,
    }
    cls = _SECTIONS[section]
    for f in fields(cls):
        if isinstance(f.default, bool) and sec.has(f.name):
            sec.boolean(f.name)
    if section == "network" and sec.has("dtype"):
        sec.choice("dtype", ("float64", "float32"))
    for (s, key), names in registries.items():
        if s == section and sec.has(key):
            v = sec.raw(key)
            if not isinstance(v, str) or v not in names():
                raise sec.error(key, f"must be one of: {', '.join(names())}; not {v!r}")
    if section == "network" and sec.has("hidden"):
        hidden = sec.raw("hidden")
        if not isinstance(hidden, list) or len(hidden) > 64:
            raise sec.error("hidden", "must be a list of at most 64 layers, e.g. "
                                      "[{ units = 8, activation = \"tanh\" }]")
        for i, h in enumerate(hidden):
            lt = Table(h, sec.path + ("hidden", i), sec.src,
                       tuple(f.name for f in fields(LayerConfig)), what="a hidden layer")
            if lt.has("activation"):
                name = lt.text("activation", max_len=40, one_line=True)
                _check_activation(lt, "activation", name, _params(lt, "params"))


def parse_setup(t: Table) -> SetUp:
    """A SetUp from its table; names are checked against the registries here, values when the
    lesson's experiments are built (``Experiment.from_dict``)."""
    from .. import presets

    preset = None
    if t.has("preset"):
        preset = t.text("preset", max_len=80, one_line=True)
        if preset not in presets.names():
            raise t.error("preset", f"there is no preset called {preset!r}; known: "
                                    f"{', '.join(presets.names())}")
    sections = {}
    for section, cls in _SECTIONS.items():
        sec = t.table(section, _section_fields(cls), what=f"the set-up's {section}")
        if sec is None:
            sections[section] = ()
            continue
        _check_names(sec, section)
        sections[section] = tuple((k, _freeze(v)) for k, v in sec.data.items())
    activation = None
    if t.has("activation"):
        activation = t.text("activation", max_len=40, one_line=True)
    act_params = _params(t, "activation_params") or ()
    if activation is not None:
        _check_activation(t, "activation", activation, act_params)
    elif act_params:
        raise t.error("activation_params", "goes with 'activation'")
    layers = []
    for lt in t.tables("layers", LAYER_FIELDS, max_items=64, what="a layer change"):
        n = lt.number("layer", 1, 65, integer=True, required=True)
        name = lt.text("activation", max_len=40, one_line=True) if lt.has("activation") else None
        params = _params(lt, "params")
        if name is not None:
            _check_activation(lt, "activation", name, params)
        units = lt.number("units", 1, 4096, integer=True)
        layers.append(LayerChange(n, units, name, params))
    return SetUp(preset=preset, seed=t.number("seed", 0, 2**32 - 1, integer=True),
                 activation=activation, activation_params=act_params, layers=tuple(layers),
                 line=t.src.line_of(t.path), **sections)
