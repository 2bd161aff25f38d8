"""Every lesson preset loads, trains, and shows what its lesson text promises."""

from __future__ import annotations

import dataclasses as dc

import numpy as np
import pytest

import core
import core.presets


@pytest.mark.parametrize("name", core.presets.names())
def test_preset_builds_and_trains(name):
    p = core.presets.get(name)
    assert p.title and p.question and len(p.description) > 40
    t = p.experiment.build_trainer()
    t.run(steps=5)
    assert np.isfinite(t.net.flat).all()
    assert core.pairing_warning(p.experiment.training.loss, p.experiment.network.output_activation,
                                t.dataset.task, t.dataset.n_outputs) is None, name


def _with_hidden(exp, activation):
    hidden = tuple(dc.replace(h, activation=activation) for h in exp.network.hidden)
    return dc.replace(exp, network=dc.replace(exp.network, hidden=hidden))


def test_dying_relu_lesson_dead_units_and_leaky_fix():
    exp = core.presets.get("dying-relu").experiment
    t = exp.build_trainer()
    t.run(steps=600)
    snap = t.snapshot(grid=0)
    assert snap.layers[1].dead_units == snap.layers[1].units  # the whole layer died
    assert snap.test_metric <= 0.6
    leaky = _with_hidden(exp, "leaky_relu").build_trainer()
    leaky.run(steps=1500)
    s2 = leaky.snapshot(grid=0)
    assert all(layer.dead_units == 0 for layer in s2.layers[:-1])
    assert s2.test_metric > 0.8


def test_deep_sigmoid_lesson_gradient_vanishes_and_relu_keeps_it():
    t = core.presets.get("deep-sigmoid").experiment.build_trainer()
    t.run(steps=20)
    s = t.snapshot(grid=0)
    assert s.layers[0].grad_norm_w < 1e-3 * s.layers[-1].grad_norm_w
    r = core.presets.get("deep-relu").experiment.build_trainer()
    r.run(steps=20)
    s = r.snapshot(grid=0)
    assert s.layers[0].grad_norm_w > 1e-2 * s.layers[-1].grad_norm_w


def test_zero_init_lesson_units_stay_identical():
    t = core.presets.get("zero-init").experiment.build_trainer()
    t.run(steps=200)
    for w, _b in t.net.params[:-1]:
        assert np.allclose(w, w[:, :1])  # every unit of a layer has the same weights
