"""Experiment.from_dict reads true/false settings and the number type strictly: a saved or
hand-edited file with "standardize": "no" once came back with standardization on."""

from __future__ import annotations

import pytest

import core.presets
from core.experiment import Experiment

BASE = core.presets.get("circles-tanh").experiment.to_dict()


def with_(section: str, key: str, value):
    d = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE.items()}
    d[section][key] = value
    return d


@pytest.mark.parametrize("section, key", [("dataset", "standardize"),
                                          ("network", "batchnorm")])
@pytest.mark.parametrize("value", ["no", "yes", "false", 0, 1, None, [], {}])
def test_a_switch_must_be_true_or_false(section, key, value):
    with pytest.raises(ValueError, match=f"{section}.{key} must be true or false"):
        Experiment.from_dict(with_(section, key, value))


@pytest.mark.parametrize("section, key", [("dataset", "standardize"),
                                          ("network", "batchnorm")])
@pytest.mark.parametrize("value", [True, False])
def test_true_and_false_are_read_as_themselves(section, key, value):
    exp = Experiment.from_dict(with_(section, key, value))
    assert getattr(getattr(exp, section), key) is value


@pytest.mark.parametrize("value", ["int8", "float16", "complex128", "object", "", 64])
def test_only_the_two_float_types_are_read(value):
    with pytest.raises(ValueError, match="network.dtype must be"):
        Experiment.from_dict(with_("network", "dtype", value))


def test_float32_is_read():
    assert Experiment.from_dict(with_("network", "dtype", "float32")).network.dtype == "float32"
