"""Running comparisons in worker processes: the same numbers as alone and in order, progress,
divergence, a worker that dies, Cancel, tuning, BLAS pinned."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import core.presets
from core.compare import (
    Comparison,
    Done,
    Plan,
    RunEnded,
    RunStarted,
    WorkerLost,
    run,
    run_one,
    run_serial,
    summarize,
    verdict,
)
from core.compare.runner import FAULT_VARIABLE
from core.experiment import LayerConfig

ROOT = Path(__file__).resolve().parents[2]
TANH = core.presets.get("circles-tanh").experiment
SMALL = dataclasses.replace(TANH, dataset=dataclasses.replace(TANH.dataset, n=100))


def small_plan(**kw) -> Plan:
    args = dict(experiment=SMALL, setting="activation", values=("tanh", "relu"),
                seeds=(0, 1), epochs=3)
    args.update(kw)
    return Plan(**args)


def linear_sine():
    """A linear regression network with plain SGD: a large learning rate blows it up."""
    e = core.presets.get("sine-regression").experiment
    return dataclasses.replace(
        e, network=dataclasses.replace(e.network, hidden=(LayerConfig(4, "identity"),)),
        training=dataclasses.replace(e.training, optimizer="sgd"))


def test_runs_in_workers_equal_runs_alone_number_for_number():
    p = small_plan()
    events = []
    result = run(p, jobs=2, on_event=events.append)
    assert [(r.value_index, r.seed) for r in result.runs] == [(0, 0), (1, 0), (0, 1), (1, 1)]
    for rec, spec in zip(result.runs, p.main_specs()):
        assert rec.status == "finished" and rec.epochs == 3
        alone = spec.experiment.build_trainer()
        rows = [[alone.metrics[k] for k in ("train_loss", "test_loss", "train_metric",
                                            "test_metric")]]
        for _ in range(3):
            alone.run(epochs=1)
            rows.append([alone.metrics[k] for k in ("train_loss", "test_loss",
                                                    "train_metric", "test_metric")])
        assert np.array_equal(rec.metrics, np.array(rows))
    serial = run_serial(p)
    assert all(np.array_equal(a.metrics, b.metrics) for a, b in zip(result.runs, serial.runs))
    # events: each run started in a worker (never this process) and ended; Done last
    started = [e for e in events if isinstance(e, RunStarted)]
    ended = [e for e in events if isinstance(e, RunEnded)]
    assert len(started) == len(ended) == 4 and isinstance(events[-1], Done)
    assert all(e.pid != os.getpid() for e in started)
    assert [e.progress.done for e in ended] == [1, 2, 3, 4]
    assert all(e.progress.total == 4 for e in ended)
    assert ended[-1].progress.remaining == 0.0
    assert events[-1].result is not None


def test_start_returns_at_once_and_poll_follows_along():
    c = Comparison(small_plan(), jobs=1)
    assert c.progress.done == 0 and c.result() is None
    c.start()
    assert c.wait(60)
    events = c.poll()
    assert isinstance(events[-1], Done) and c.poll() == []
    assert c.done and c.progress.done == 4 and not c.result().cancelled
    assert c.worker_pids == ()
    with pytest.raises(RuntimeError):
        c.start()


def test_a_diverging_run_is_counted_as_diverged():
    p = Plan(linear_sine(), "lr", ("0.001", "50"), seeds=(0, 1), epochs=3)
    result = run(p, jobs=2)
    statuses = [(r.value_index, r.status) for r in result.runs]
    assert statuses == [(0, "finished"), (1, "diverged")] * 2
    bad = result.runs[1]
    assert "diverged" in bad.message and bad.metrics.shape[0] == bad.epochs + 1
    s = summarize(result)
    assert (s.rows[1].diverged, s.rows[1].finished, s.rows[0].finished) == (2, 0, 2)
    assert "while every lr=50 run diverged" in verdict(s)


def test_a_worker_that_exits_costs_only_its_run(monkeypatch):
    monkeypatch.setenv(FAULT_VARIABLE, "exit@relu:1")
    events = []
    result = run(small_plan(), jobs=2, on_event=events.append)
    lost = [e for e in events if isinstance(e, WorkerLost)]
    assert len(lost) == 1 and lost[0].exitcode == 3
    assert "activation=relu, seed 1" in lost[0].message and "exit code 3" in lost[0].message
    statuses = {(r.value_index, r.seed): r.status for r in result.runs}
    assert statuses == {(0, 0): "finished", (1, 0): "finished", (0, 1): "finished",
                        (1, 1): "crashed"}
    assert not result.cancelled
    s = summarize(result)
    assert s.rows[1].lost == 1 and s.rows[1].counted == 1


def test_a_worker_killed_from_outside_is_reported_and_the_rest_finish(monkeypatch):
    monkeypatch.setenv(FAULT_VARIABLE, "hang@tanh:0")

    def kill_the_hanging_one(event):
        if isinstance(event, RunStarted) and (event.value, event.seed) == ("tanh", 0):
            os.kill(event.pid, signal.SIGKILL)

    c = Comparison(small_plan(), jobs=2, on_event=kill_the_hanging_one).start()
    assert c.wait(60)
    result = c.result()
    assert result.runs[0].status == "crashed"
    assert "killed by signal 9" in result.runs[0].message
    assert [r.status for r in result.runs[1:]] == ["finished"] * 3


def test_cancel_stops_the_workers_and_keeps_what_was_done(monkeypatch):
    monkeypatch.setenv(FAULT_VARIABLE, "hang@relu:0")
    pids = []

    def on_event(event):
        if isinstance(event, RunStarted):
            pids.append(event.pid)

    c = Comparison(small_plan(), jobs=1, on_event=on_event).start()
    for event in c.events(timeout=60):
        if isinstance(event, RunStarted) and event.value == "relu":
            c.cancel()
    assert c.done
    result = c.result()
    assert result.cancelled
    assert [r.status for r in result.runs] == ["finished", "cancelled", "cancelled",
                                               "cancelled"]
    assert summarize(result).cancelled
    for pid in set(pids):  # the worker is gone
        with pytest.raises(OSError):
            os.kill(pid, 0)


def test_tuning_picks_a_rate_from_each_values_grid_first():
    p = small_plan(tune_lr=True, seeds=(0,), epochs=2)
    result = run(p, jobs=2)
    assert len(result.tuning) == p.n_tuning_runs == 2 * 5 * 3
    assert all(r.phase == "tune" and r.seed >= 1000 for r in result.tuning)
    for vi, lr in enumerate(result.lrs):
        assert lr in p.lr_grid(vi)
        assert [r.lr for r in result.records(vi)] == [lr]
    assert summarize(result).tuned


def test_the_serial_runner_reports_the_same_events():
    events = []
    result = run_serial(small_plan(seeds=(0,)), on_event=events.append)
    assert [type(e).__name__ for e in events] == ["RunStarted", "RunEnded"] * 2 + ["Done"]
    assert all(r.status == "finished" for r in result.runs)


def test_run_one_reports_a_run_that_cannot_be_set_up():
    spec = small_plan().main_specs()[0]
    broken = dataclasses.replace(spec, experiment=dataclasses.replace(
        spec.experiment, dataset=dataclasses.replace(spec.experiment.dataset, name="nope")))
    rec = run_one(broken)
    assert rec.status == "failed" and "nope" in rec.message and rec.epochs == 0


def test_stop_at_goal_ends_runs_at_the_goal():
    from core.compare import Goal

    p = small_plan(goal=Goal.parse("train_loss<=0.69"), stop_at_goal=True, epochs=50)
    result = run_serial(p)
    for r in result.runs:
        assert r.goal_epoch is not None and r.epochs == r.goal_epoch
        assert r.final("train_loss") <= 0.69


def test_workers_pin_blas_to_one_thread_even_when_asked_for_more():
    code = ("import numpy; from core.compare._blas import blas_threads, pin_one_thread; "
            "before = blas_threads(); pin_one_thread(); print(before, blas_threads())")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    before, after = out.stdout.split()
    if before == "None":
        pytest.skip("this NumPy's BLAS cannot be asked for its threads")
    assert after == "1"
