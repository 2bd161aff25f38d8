"""Trainers survive pickling: the GUI hands them to its training process that way.

A pickled copy must go on exactly as the original would (bit for bit), for every lesson and for
the layers whose parameters are views into the network's flat buffer (PReLU α, batch norm).
"""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

import core
import core.presets
from core.experiment import LayerConfig


def _continue(trainer, steps: int):
    losses = [trainer.step() for _ in range(steps)]
    return np.array(losses), trainer.net.flat.copy()


def _check_twin(trainer, steps: int = 60) -> None:
    twin = pickle.loads(pickle.dumps(trainer, protocol=pickle.HIGHEST_PROTOCOL))
    # the twin's layers must be views into its own flat buffer, not into the original's
    for layer in twin.net.layers:
        assert np.shares_memory(layer.W, twin.net.flat)
        assert not np.shares_memory(layer.W, trainer.net.flat)
    a_loss, a_flat = _continue(trainer, steps)
    b_loss, b_flat = _continue(twin, steps)
    np.testing.assert_array_equal(a_loss, b_loss)
    np.testing.assert_array_equal(a_flat, b_flat)
    assert twin.step_count == trainer.step_count and twin.epoch == trainer.epoch


@pytest.mark.parametrize("name", core.presets.names())
def test_every_lesson_trainer_continues_bit_for_bit_after_pickling(name):
    exp = core.presets.get(name).experiment
    trainer = exp.build_trainer(exp.build_dataset())
    for _ in range(37):  # mid-epoch, with optimizer state
        trainer.step()
    _check_twin(trainer)


@pytest.mark.parametrize("optimizer", ["momentum", "adam", "rmsprop"])
def test_prelu_rrelu_and_batchnorm_survive_pickling(optimizer):
    exp = core.presets.get("circles-tanh").experiment
    exp = dataclasses.replace(
        exp,
        network=dataclasses.replace(exp.network, batchnorm=True,
                                    hidden=(LayerConfig(6, "prelu"), LayerConfig(5, "rrelu"))),
        training=dataclasses.replace(exp.training, optimizer=optimizer))
    trainer = exp.build_trainer(exp.build_dataset())
    for _ in range(23):
        trainer.step()
    _check_twin(trainer)


def test_a_registered_loss_pickles_as_itself():
    for name in core.losses.names():
        loss = core.losses.get(name)
        assert pickle.loads(pickle.dumps(loss)) is loss


def test_the_last_forward_pass_is_left_out():
    """A layer's z, a, a_prev (n rows × units each) are recomputed by the next step: they were
    85 % of a wide digits network's pickle, sent to the training process at every reset."""
    exp = core.presets.get("digits-relu").experiment
    exp = dataclasses.replace(exp, network=dataclasses.replace(
        exp.network, hidden=(LayerConfig(128, "relu"), LayerConfig(128, "rrelu"))))
    trainer = exp.build_trainer(exp.build_dataset())
    trainer.run(steps=5)
    assert all(layer.z is not None for layer in trainer.net.layers)
    data = pickle.dumps(trainer, protocol=pickle.HIGHEST_PROTOCOL)
    twin = pickle.loads(data)
    for layer in twin.net.layers:
        assert layer.a_prev is None and layer.z is None and layer.a is None
        assert layer.slopes is None
    _check_twin(trainer, steps=20)  # and it still goes on bit for bit
    trainer.net.forward(trainer.x_train)  # full-size caches, as after an epoch's evaluation
    size = len(pickle.dumps(trainer, protocol=pickle.HIGHEST_PROTOCOL))
    for layer in trainer.net.layers:
        layer.a_prev = layer.z = layer.a = None
    assert len(pickle.dumps(trainer, protocol=pickle.HIGHEST_PROTOCOL)) == size
