"""The settings a comparison can vary: one registry, each a record that parses a typed value,
checks it against the experiment and applies it.

A value is kept as the user typed it ("relu", "0.1", "softmax+ce"): that text is the label in
every table and file, and parsing it again gives the same change. Parsing refuses an impossible
value with a sentence that names it (``SettingError``), before anything runs.

Value syntax, by setting:

- ``activation`` (every hidden layer), ``activation.N`` (hidden layer N, from 1): an
  activation name, optionally with parameters: ``leaky_relu(alpha=0.2)``;
- ``output``: the output activation and, after ``+``, its loss (``softmax+ce``,
  ``sigmoid+mse``); without a loss, the one ``core.default_loss_for`` picks;
- ``init``, ``optimizer``: a name from their registries;
- ``bias_init``, ``lr``, ``noise``: a number; ``batch_size``, ``width``, ``depth``: a whole
  number; ``batchnorm``, ``standardize``: on/off (also true/false, yes/no, 1/0).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .. import activations as acts
from .. import initializers, losses, optimizers
from ..experiment import Experiment, LayerConfig
from ..limits import MAX_LAYERS, MAX_UNITS_PER_LAYER
from ..pairing import default_loss_for

__all__ = ["SETTINGS", "Setting", "SettingError", "current", "describe_settings", "get",
           "names", "parse_vary", "split_values", "suggestions"]


class SettingError(ValueError):
    """An impossible setting or value; the message is one sentence naming it."""


@dataclass(frozen=True)
class Setting:
    """One thing a comparison can vary.

    Attributes
    ----------
    name : str
        What the command line and the file call it ("activation.2" for a numbered one).
    label : str
        What a student reads in a table heading ("hidden activation").
    help : str
        The values it takes, in a few words.
    parse : callable (text, experiment) -> value
        The value a typed text stands for; raises ``SettingError``.
    apply : callable (experiment, value) -> experiment
        The experiment with that value set.
    confounded_by_lr : bool
        One learning rate for every value favours some of them (the confound warning).
    """

    name: str
    label: str
    help: str
    parse: Callable[[str, Experiment], Any]
    apply: Callable[[Experiment, Any], Experiment]
    confounded_by_lr: bool = False

    def value(self, text: str, experiment: Experiment) -> Any:
        """Parse ``text``; raises SettingError naming the value and the setting."""
        if not isinstance(text, str) or not text.strip():
            raise SettingError(f"{self.name} needs a value, not {text!r}")
        return self.parse(text.strip(), experiment)

    def applied(self, experiment: Experiment, text: str) -> Experiment:
        """``experiment`` with the value ``text`` set."""
        return self.apply(experiment, self.value(text, experiment))


# --- parsing helpers -----------------------------------------------------------------------------
_CALL = re.compile(r"^([A-Za-z_][\w\- ]*)\s*(?:\((.*)\))?$")


def _number(text: str, what: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise SettingError(f"{what} must be a number, not {text!r}") from None
    if not math.isfinite(v):
        raise SettingError(f"{what} must be a finite number, not {text!r}")
    return v


def _whole(text: str, what: str, lo: int, hi: int) -> int:
    try:
        v = int(text)
    except ValueError:
        raise SettingError(f"{what} must be a whole number, not {text!r}") from None
    if not lo <= v <= hi:
        raise SettingError(f"{what} must be between {lo} and {hi:,}, not {v}")
    return v


def _name_and_params(text: str, what: str) -> tuple[str, dict[str, float]]:
    m = _CALL.match(text)
    if not m:
        raise SettingError(f"{text!r} is not {what}; write a name such as relu, or "
                           "leaky_relu(alpha=0.2)")
    name, inner = m.group(1).strip(), m.group(2)
    params: dict[str, float] = {}
    if inner is not None and inner.strip():
        for item in inner.split(","):
            key, sep, val = item.partition("=")
            if not sep or not key.strip().isidentifier():
                raise SettingError(f"in {text!r}, parameters are written as key=value")
            params[key.strip()] = _number(val.strip(), f"{key.strip()} in {text!r}")
    return name, params


def _activation(text: str, _exp: Experiment | None = None) -> tuple[str, dict[str, float]]:
    if acts.is_formula(text.strip()):  # a typed formula (formula:…), parsed again
        try:
            return acts.get(text.strip()).name, {}
        except ValueError as e:
            raise SettingError(f"{text.strip()[:60]}: {e}") from None
    name, params = _name_and_params(text, "an activation")
    try:
        cls = acts.activation_class(name)
        acts.get(cls.name, **params)
    except KeyError:
        raise SettingError(f"there is no activation called {name!r}; run 'activation-lab "
                           "list activations' to see them") from None
    except ValueError as e:
        raise SettingError(f"{text}: {e}") from None
    return cls.name, params


def _from_registry(names: list[str], what: str, listing: str) -> Callable:
    def parse(text: str, _exp: Experiment) -> str:
        key = text.strip().lower().replace("-", "_")
        if key not in names:
            raise SettingError(f"there is no {what} called {text!r}; {listing}: "
                               f"{', '.join(names)}")
        return key
    return parse


_TRUE = {"on", "true", "yes", "1"}
_FALSE = {"off", "false", "no", "0"}


def _boolean(name: str) -> Callable:
    def parse(text: str, _exp: Experiment) -> bool:
        t = text.lower()
        if t in _TRUE:
            return True
        if t in _FALSE:
            return False
        raise SettingError(f"{name} is on or off, not {text!r}")
    return parse


# --- the settings --------------------------------------------------------------------------------
def _set_hidden(exp: Experiment, layers: list[LayerConfig]) -> Experiment:
    return replace(exp, network=replace(exp.network, hidden=tuple(layers)))


def _apply_activation(exp: Experiment, value, layer: int | None = None) -> Experiment:
    name, params = value
    hidden = list(exp.network.hidden)
    for i, h in enumerate(hidden):
        if layer is None or i == layer:
            hidden[i] = LayerConfig(h.units, name, dict(params))
    return _set_hidden(exp, hidden)


def _parse_activation(text: str, exp: Experiment):
    if not exp.network.hidden:
        raise SettingError("this network has no hidden layer whose activation could vary")
    return _activation(text)


def _task(exp: Experiment) -> str:
    from .. import datasets

    if exp.dataset.csv_path:
        return exp.build_dataset().task
    try:
        return datasets.describe(exp.dataset.name).task
    except KeyError as e:
        raise SettingError(str(e).strip("'\"")) from None


def _parse_output(text: str, exp: Experiment):
    act_text, plus, loss = text.partition("+")
    name, params = _activation(act_text.strip())
    if plus:
        loss = loss.strip().lower()
        if loss not in losses.names():
            raise SettingError(f"there is no loss called {loss!r}; the losses are "
                               f"{', '.join(losses.names())}")
    else:
        loss = default_loss_for(_task(exp), name)
    return name, params, loss


def _apply_output(exp: Experiment, value) -> Experiment:
    name, params, loss = value
    return replace(exp, network=replace(exp.network, output_activation=name,
                                        output_params=dict(params)),
                   training=replace(exp.training, loss=loss))


def _parse_bias(text: str, _exp: Experiment) -> float:
    v = _number(text, "bias_init")
    if not -100 <= v <= 100:
        raise SettingError(f"bias_init must lie between -100 and 100, not {text}")
    return v


def _parse_lr(text: str, _exp: Experiment) -> float:
    v = _number(text, "the learning rate")
    if not 0 < v <= 100:
        raise SettingError(f"the learning rate must be above 0 and at most 100, not {text}")
    return v


def _parse_noise(text: str, exp: Experiment) -> float:
    from .. import datasets

    v = _number(text, "noise")
    if exp.dataset.csv_path:
        raise SettingError("a CSV data set has no noise setting")
    info = datasets.describe(exp.dataset.name)
    lo, hi = info.noise_range
    if info.whole_table or hi <= lo:
        raise SettingError(f"the {exp.dataset.name} data set has no noise setting")
    if not lo <= v <= hi:
        raise SettingError(f"noise for {exp.dataset.name} must lie between {lo:g} and {hi:g}, "
                           f"not {text}")
    return v


def _parse_width(text: str, exp: Experiment) -> int:
    if not exp.network.hidden:
        raise SettingError("this network has no hidden layer whose width could vary")
    return _whole(text, "the width", 1, MAX_UNITS_PER_LAYER)


def _apply_width(exp: Experiment, units: int) -> Experiment:
    return _set_hidden(exp, [replace(h, units=units) for h in exp.network.hidden])


def _apply_depth(exp: Experiment, depth: int) -> Experiment:
    hidden = list(exp.network.hidden)
    last = hidden[-1] if hidden else LayerConfig()
    while len(hidden) < depth:  # deeper: more copies of the last hidden layer
        hidden.append(replace(last, params=dict(last.params)))
    return _set_hidden(exp, hidden[:depth])


def _field(section: str, key: str) -> Callable[[Experiment, Any], Experiment]:
    def apply(exp: Experiment, value) -> Experiment:
        return replace(exp, **{section: replace(getattr(exp, section), **{key: value})})
    return apply


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("activation", "hidden activation", "an activation for every hidden layer, e.g. "
            "relu or leaky_relu(alpha=0.2)", _parse_activation, _apply_activation, True),
    Setting("output", "output and loss", "output activation+loss, e.g. softmax+ce or "
            "sigmoid+mse (the loss may be left out)", _parse_output, _apply_output, True),
    Setting("init", "initializer", "an initializer: " + ", ".join(initializers.names()),
            _from_registry(initializers.names(), "initializer", "the initializers are"),
            _field("network", "init"), True),
    Setting("bias_init", "bias start value", "a number from -100 to 100", _parse_bias,
            _field("network", "bias_init")),
    Setting("optimizer", "optimizer", "an optimizer: " + ", ".join(optimizers.names()),
            _from_registry(optimizers.names(), "optimizer", "the optimizers are"),
            _field("training", "optimizer"), True),
    Setting("lr", "learning rate", "a number above 0", _parse_lr, _field("training", "lr")),
    Setting("batch_size", "batch size", "a whole number from 1",
            lambda t, e: _whole(t, "the batch size", 1, 200_000),
            _field("training", "batch_size"), True),
    Setting("batchnorm", "batch norm", "on or off", _boolean("batchnorm"),
            _field("network", "batchnorm"), True),
    Setting("standardize", "standardized inputs", "on or off", _boolean("standardize"),
            _field("dataset", "standardize"), True),
    Setting("noise", "data noise", "a number in the data set's noise range", _parse_noise,
            _field("dataset", "noise")),
    Setting("width", "units per hidden layer", "a whole number from 1", _parse_width,
            _apply_width),
    Setting("depth", "hidden layers", "a whole number from 0 (more layers copy the last one)",
            lambda t, e: _whole(t, "the depth", 0, MAX_LAYERS - 1), _apply_depth, True),
)}


def names() -> list[str]:
    """The settings' names, ``activation.N`` written as such, in the order ``--help`` lists."""
    out = list(SETTINGS)
    out.insert(1, "activation.N")
    return out


def get(name: str) -> Setting:
    """The setting called ``name``; ``activation.N`` varies hidden layer N only (from 1).

    Raises SettingError for an unknown name (the message lists the known ones).
    """
    if not isinstance(name, str):
        raise SettingError(f"a setting is named by text, not {name!r}")
    key = name.strip()
    if key in SETTINGS:
        return SETTINGS[key]
    base, dot, number = key.partition(".")
    if base == "activation" and dot:
        if not number.isdigit() or int(number) < 1:
            raise SettingError(f"{key!r}: hidden layers are numbered from 1, e.g. activation.2")
        layer = int(number) - 1

        def parse(text: str, exp: Experiment):
            if layer >= len(exp.network.hidden):
                raise SettingError(f"{key} names hidden layer {layer + 1}, but this network has "
                                   f"{len(exp.network.hidden)} hidden layers")
            return _activation(text)

        return Setting(key, f"activation of hidden layer {layer + 1}",
                       f"an activation for hidden layer {layer + 1}", parse,
                       lambda exp, v: _apply_activation(exp, v, layer), True)
    raise SettingError(f"there is no setting called {key!r}; the settings are "
                       f"{', '.join(names())}")


def describe_settings() -> list[tuple[str, str]]:
    """(name, what its values are) for every setting, for ``--help`` and a menu."""
    rows = []
    for name in names():
        if name == "activation.N":
            rows.append((name, "an activation for hidden layer N only (from 1)"))
        else:
            rows.append((name, SETTINGS[name].help))
    return rows


def split_values(text: str) -> list[str]:
    """``"relu,leaky_relu(alpha=0.2),elu"`` → its values: commas inside brackets stay (the
    [lo, hi] of a formula's parameter too)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    out.append(text[start:].strip())
    return out


def parse_vary(text: str) -> tuple[str, tuple[str, ...]]:
    """``"activation=relu,tanh"`` → ("activation", ("relu", "tanh")); the setting's name is
    checked here, its values by the plan (they need the experiment)."""
    name, sep, values = (text or "").partition("=")
    if not sep or not name.strip() or not values.strip():
        raise SettingError(f"--vary looks like SETTING=V1,V2 (e.g. activation=relu,tanh), not "
                           f"{text!r}")
    setting = get(name.strip())
    parts = split_values(values)
    if any(not p for p in parts):
        raise SettingError(f"--vary {text}: a value between commas is empty")
    return setting.name, tuple(parts)


# --- for a form: the experiment's own value, and values a menu can offer -------------------------
def _fmt_activation(name: str, params: dict) -> str:
    if not params:
        return name
    inner = ", ".join(f"{k}={v:g}" for k, v in params.items())
    return f"{name}({inner})"


def current(name: str, experiment: Experiment) -> str:
    """The experiment's own value of a setting, as it would be typed (the natural baseline):
    "tanh", "sigmoid+bce", "0.03", "on", … For ``activation`` and ``width``, the first hidden
    layer's.

    Raises SettingError (one sentence) where the setting does not apply to this experiment
    (noise on a data set without any, a layer it does not have): a form greys it out.
    """
    s = get(name)
    net, tr, ds = experiment.network, experiment.training, experiment.dataset
    if s.name.startswith("activation"):
        if not net.hidden:
            raise SettingError("this network has no hidden layer")
        layer = int(s.name.partition(".")[2] or 1) - 1
        if layer >= len(net.hidden):
            raise SettingError(f"this network has {len(net.hidden)} hidden layers")
        h = net.hidden[layer]
        return _fmt_activation(h.activation, h.params)
    if s.name == "width" and not net.hidden:
        raise SettingError("this network has no hidden layer")
    on = {True: "on", False: "off"}
    from .. import datasets

    noise = ds.noise
    if s.name == "noise" and noise is None and not ds.csv_path:
        noise = datasets.describe(ds.name).default_noise
    text = {
        "output": f"{_fmt_activation(net.output_activation, net.output_params)}+{tr.loss}",
        "init": net.init, "bias_init": f"{net.bias_init:g}", "optimizer": tr.optimizer,
        "lr": f"{tr.lr:g}", "batch_size": str(tr.batch_size), "batchnorm": on[net.batchnorm],
        "standardize": on[ds.standardize], "noise": f"{noise:g}" if noise is not None else "",
        "width": str(net.hidden[0].units) if net.hidden else "", "depth": str(len(net.hidden)),
    }[s.name]
    s.value(text, experiment)  # a setting that does not apply here (noise on iris) says so
    return text


def suggestions(name: str, experiment: Experiment) -> list[str]:
    """Values a menu can offer for a setting (every one of them parses); an empty list where
    any number in range goes (lr, width, …): then a field, pre-filled with ``current``."""
    s = get(name)
    if s.name.startswith("activation"):
        return [n for n in acts.names() if n != "softmax"]
    if s.name == "output":
        task = _task(experiment)
        pairs = {"binary": ["sigmoid+bce", "sigmoid+mse", "tanh+mse", "tanh+hinge"],
                 "multiclass": ["softmax+ce", "sigmoid+bce", "sigmoid+mse"],
                 "regression": ["identity+mse", "identity+huber", "tanh+mse"]}
        return pairs.get(task, [])
    if s.name == "init":
        return list(initializers.names())
    if s.name == "optimizer":
        return list(optimizers.names())
    if s.name in ("batchnorm", "standardize"):
        return ["off", "on"]
    return []
