"""The frame protocol: frozen records both ways, an allow-list of trainer settings, and the
training process's loop dispatching on the records' types (run here without a process)."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys
from operator import attrgetter

import pytest

import core.presets
from gui import protocol
from gui.trainer_process import _Loop


def _trainer():
    return core.presets.get("circles-tanh").experiment.build_trainer()


class _Pipe:
    """One end of a pipe for the loop: ``recv`` hands out the commands, then EOF (the GUI has
    gone, so the loop ends); ``send`` keeps the events, pickled as the real pipe would."""

    def __init__(self, commands=()):
        self.commands = [pickle.dumps(c) for c in commands]
        self.sent = []

    def poll(self):
        return bool(self.commands)

    def recv(self):
        if not self.commands:
            raise EOFError
        return pickle.loads(self.commands.pop(0))

    def send(self, event):
        self.sent.append(pickle.loads(pickle.dumps(event)))


def _run(*commands):
    events = _Pipe()
    loop = _Loop(_Pipe(commands), events)
    with pytest.raises(EOFError):
        loop.run()
    return loop, events.sent


def test_every_message_is_a_frozen_slotted_record_that_pickles():
    trainer = _trainer()
    messages = [
        protocol.SetTrainer(3, trainer, 10), protocol.Play(), protocol.Pause(),
        protocol.Step(4), protocol.Epoch(), protocol.SetOption("lr", 0.1),
        protocol.SetEpochLimit(None), protocol.Refresh(), protocol.Drawn(),
        protocol.Call(7, attrgetter("epoch")), protocol.Quit(),
        protocol.Frame(3, trainer.snapshot(grid=None), trainer.timeline.rows_since(0), True,
                       12.5),
        protocol.RunningChanged(True), protocol.Diverged("too far"), protocol.Finished(),
        protocol.Result(7, True, 2), protocol.Error("Traceback …"),
    ]
    for m in messages:
        assert not hasattr(m, "__dict__")  # slots
        back = pickle.loads(pickle.dumps(m))
        assert type(back) is type(m)
        field = next(iter(dataclasses.fields(m)), None)
        if field is not None:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(m, field.name, None)
    assert isinstance(messages[0], protocol.Command)
    assert isinstance(messages[11], protocol.Event)


def test_only_the_allowed_settings_may_be_changed():
    trainer = _trainer()
    for name, value in [("lr", 0.2), ("batch_size", 7), ("l1", 0.01), ("l2", 0.02),
                        ("clip_norm", 1.5), ("clip_norm", None)]:
        cmd = protocol.SetOption(name, value)
        setattr(trainer, name, cmd.value)  # each one is a setting the trainer takes
        assert getattr(trainer, name) == value
    for name in ("optimizer", "net", "epoch", "step_count", "__class__", "_cursor", 3):
        with pytest.raises(ValueError, match="cannot be changed between steps; only lr, "):
            protocol.SetOption(name, 1)
    for name, value in [("lr", -1), ("lr", float("nan")), ("lr", "0.1"), ("batch_size", 2.5),
                        ("batch_size", 0), ("batch_size", True), ("l2", 11), ("clip_norm", 0)]:
        with pytest.raises(ValueError, match=name):
            protocol.SetOption(name, value)
    assert protocol.SetOption("batch_size", 8.0).value == 8  # normalised to what it sets


def test_other_commands_check_their_values_when_made():
    with pytest.raises(ValueError, match="batches"):
        protocol.Step(-1)
    with pytest.raises(ValueError, match="epoch limit"):
        protocol.SetEpochLimit(2.5)


def test_the_loop_answers_commands_with_frames_and_results():
    trainer = _trainer()
    loop, events = _run(
        protocol.SetTrainer(5, trainer, None), protocol.Step(3),
        protocol.Call(1, attrgetter("step_count")), protocol.SetOption("lr", 0.5),
        protocol.Call(2, attrgetter("lr")), protocol.Call(3, _fail),
    )
    frames = [e for e in events if isinstance(e, protocol.Frame)]
    assert [(f.generation, f.snapshot.step, f.running) for f in frames] == [(5, 0, False),
                                                                           (5, 3, False)]
    results = [e for e in events if isinstance(e, protocol.Result)]
    assert results[:2] == [protocol.Result(1, True, 3), protocol.Result(2, True, 0.5)]
    assert results[2].call_id == 3 and not results[2].ok and "ZeroDivisionError" in (
        results[2].value)
    assert loop.trainer.lr == 0.5 and trainer.lr != 0.5  # the process trains its own copy


def test_the_process_checks_a_setting_again_whatever_made_the_record():
    """A record that skipped the check on its way in (built without __init__, or by another
    version) is refused in the process too: no bare setattr of an arbitrary name."""
    trainer = _trainer()
    forged = object.__new__(protocol.SetOption)
    object.__setattr__(forged, "name", "optimizer")
    object.__setattr__(forged, "value", None)
    loop = _Loop(_Pipe(), _Pipe())
    loop.apply(protocol.SetTrainer(1, trainer, None))
    optimizer = trainer.optimizer
    with pytest.raises(ValueError, match="'optimizer' cannot be changed"):
        loop.apply(forged)
    assert trainer.optimizer is optimizer
    with pytest.raises(TypeError, match="unknown command"):
        loop.apply(("set", "lr", 0.1))  # the old tuples are not commands any more


def test_the_training_side_imports_no_qt():
    code = ("import sys, gui.trainer_process, gui.protocol; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'shiboken6', 'pyqtgraph')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def _fail(trainer):
    return 1 / 0


def test_frames_bring_the_timeline_rows_new_since_the_last_frame():
    """The window's copy, extended from every frame's rows, is the trainer's timeline: whole
    on a new trainer's first frame, then only what is new (a small cap, so it decimates in
    between frames too); frames at other moments give the same timeline."""
    import numpy as np

    import core

    def follow(commands):
        loop, events = _run(*commands)
        frames = [e for e in events if isinstance(e, protocol.Frame)]
        copies = {}
        for f in frames:
            copies.setdefault(f.generation, core.Timeline()).extend(f.timeline)
        return loop.trainer, frames, copies

    def trainer():
        ds = core.datasets.load("circles", n=16, seed=1)  # 8 training rows, batch 4: 2 steps
        net = core.Network.build(2, [(4, "tanh")], (1, "sigmoid"), seed=2)  # an epoch
        return core.Trainer(net, ds, batch_size=4, timeline_cap=8, timeline_every=1)

    drawn = [protocol.Drawn()] * 2
    a, frames, copies = follow([protocol.SetTrainer(1, trainer(), None), *drawn,
                                protocol.Step(5), *drawn, protocol.Step(1), *drawn,
                                protocol.Step(60), *drawn, protocol.Epoch()])
    assert [len(f.timeline) for f in frames][:1] == [1]  # the first: the whole (1-row) timeline
    assert sum(len(f.timeline) for f in frames) < a.timeline.seen  # then only the new rows
    b, _, other = follow([protocol.SetTrainer(1, trainer(), None), protocol.Step(66),
                          *drawn, protocol.Epoch()])
    for t in (copies[1], other[1]):
        for name in ("step", "epoch", "train_loss", "grad_norm_w", "update_ratio",
                     "z_percentiles", "a_percentiles"):
            np.testing.assert_array_equal(getattr(t, name), getattr(a.timeline, name), name)
    assert a.timeline.seen == b.timeline.seen == 35 and len(a.timeline) < 8

