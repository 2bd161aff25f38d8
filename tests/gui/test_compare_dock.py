"""The Compare dock: set up, run in the engine's worker processes, cancel, dead workers, bad
values, ready-made comparisons, and what stays off the GUI thread."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest
from processes import pid_gone

import core
import core.presets
from core import compare
from core.compare.runner import FAULT_VARIABLE

TANH = core.presets.get("circles-tanh").experiment
#: a small circles data set: runs of a few epochs take milliseconds
SMALL = dataclasses.replace(TANH, dataset=dataclasses.replace(TANH.dataset, n=100))


@pytest.fixture(autouse=True)
def no_fault(monkeypatch):
    monkeypatch.delenv(FAULT_VARIABLE, raising=False)


@pytest.fixture
def compare_lab(make_lab):
    """``compare_lab(start=False)`` → (lab, dock): the window over SMALL, its Compare dock
    shown."""

    def build(start: bool = False):
        lab = make_lab(experiment=SMALL, start=start)
        return lab, lab.window.show_tool("compare")

    return build


def set_up(dock, values="tanh, relu", seeds=2, epochs=3, goal=None, jobs=2):
    f = dock.form
    f.set_setting("activation")
    f.values_edit.setText(values)
    f.seeds_box.setValue(seeds)
    f.epochs_box.setValue(epochs)
    if goal is None:
        f.goal_box.setCurrentIndex(0)
    else:
        f.goal_box.setCurrentIndex(1)  # test accuracy at least
        f.threshold_edit.setText(goal)
    f.jobs_box.setValue(min(jobs, f.jobs_box.maximum()))


def run_to_end(qtbot, dock):
    with qtbot.waitSignal(dock.finished, timeout=60000) as blocker:
        assert dock.run(), dock.message_text()
    return blocker.args[0]


def test_the_dock_is_f3_in_the_view_menu_and_starts_from_the_windows_experiment(make_lab):
    lab = make_lab(experiment=SMALL, start=False)
    w = lab.window
    dock = w.tool_docks["compare"]
    assert dock.isHidden()
    view = next(a for a in w.menuBar().actions() if a.text() == "&View").menu()
    toggle = next(a for a in view.actions() if a.text() == "Compare")
    assert toggle.shortcut().toString() == "F3"
    toggle.trigger()
    widget = w.tool("compare")
    assert widget.form.experiment == SMALL
    assert widget.form.values() == ("tanh", "relu")  # the experiment's own value first
    assert widget.form.jobs() == compare.default_jobs()


def test_a_comparison_run_to_the_end_shows_the_cores_table_verdict_and_curves(
        compare_lab, qtbot):
    lab, dock = compare_lab()
    set_up(dock, goal="0.6")
    result = run_to_end(qtbot, dock)
    plan = compare.Plan(SMALL, "activation", ("tanh", "relu"), (0, 1), 3,
                        compare.Goal.parse("test_metric>=0.6"),
                        source="the window's experiment")
    assert result.plan == plan and not result.cancelled
    serial = compare.run_serial(plan)  # the same runs, here: the numbers must agree
    for mine, theirs in zip(result.runs, serial.runs):
        np.testing.assert_array_equal(mine.metrics, theirs.metrics)
    s = compare.summarize(result)
    assert dock.summary.headings() == [h for _, h in compare.columns(s)]
    expected = [[row[k] for k, _ in compare.columns(s)] for row in compare.table_rows(s)]
    assert dock.summary.rows() == expected
    timing = [h for _, h in compare.columns(s)].index("ms/epoch")
    theirs = compare.table_rows(compare.summarize(serial))
    for shown, row in zip(expected, theirs):  # all but the time per epoch
        assert [c for i, c in enumerate(shown) if i != timing] == [
            row[k] for i, (k, _) in enumerate(compare.columns(s)) if i != timing]
    assert dock.verdict.text() == compare.verdict(s) == compare.verdict(
        compare.summarize(serial))
    assert dock.summary.warning_texts()[0].startswith("One learning rate (0.03)")
    assert dock.progress.value() == dock.progress.maximum() == 4
    assert dock.run_button.isEnabled() and not dock.cancel_button.isEnabled()
    for metric in ("test_loss", "test_metric", "train_loss"):
        dock.curves.set_metric(metric)
        drawn = [(c.value, c.median, c.q1, c.q3, c.n) for c in dock.curves.curves()]
        core_curves = compare.curves(result, metric)
        assert [d[0] for d in drawn] == ["tanh", "relu"]
        for d, c in zip(drawn, core_curves):
            for a, b in zip(d[1:], (c.median, c.q1, c.q3, c.n)):
                np.testing.assert_array_equal(a, b)


def test_a_bad_value_shows_its_sentence_and_starts_nothing(compare_lab):
    lab, dock = compare_lab()
    set_up(dock, values="tanh, rleu")
    with pytest.raises(compare.PlanError) as e:
        compare.Plan(SMALL, "activation", ("tanh", "rleu"))
    assert not dock.run()
    assert dock.message_text() == str(e.value)
    assert not dock.job.running and dock.job.worker_pids() == () and dock.result() is None
    assert dock.form.values() == ("tanh", "rleu") and dock.summary.rows() == []
    assert dock.pages.currentIndex() == 0  # the set-up, where the mistake is
    set_up(dock, values="tanh")
    assert not dock.run() and "2 to 6 values" in dock.message_text()
    dock.form.seeds_box.setValue(3)  # an edit clears the sentence
    assert dock.message_text() == ""


def test_a_goal_that_cannot_be_read_is_refused_before_anything_runs(compare_lab):
    lab, dock = compare_lab()
    set_up(dock, goal="")
    assert not dock.run() and "the goal needs a number" in dock.message_text()
    set_up(dock, goal="0.9")
    dock.form.length_box.setCurrentIndex(1)  # until the goal
    assert dock.form.plan().stop_at_goal


def test_cancel_stops_the_runs_and_the_dock_can_run_again(compare_lab, qtbot, monkeypatch):
    lab, dock = compare_lab()
    monkeypatch.setenv(FAULT_VARIABLE, "hang@relu:0")  # that run never ends by itself
    set_up(dock)
    with qtbot.waitSignal(dock.job.runEnded, timeout=30000):
        assert dock.run()
    assert dock.cancel_button.isEnabled() and not dock.run_button.isEnabled()
    pids = dock.job.worker_pids()
    with qtbot.waitSignal(dock.finished, timeout=30000) as blocker:
        dock.cancel_button.click()
    assert blocker.args[0].cancelled
    assert "cancelled" in dock.progress.format()
    qtbot.waitUntil(lambda: all(pid_gone(p) for p in pids), timeout=10000)
    assert dock.run_button.isEnabled()
    monkeypatch.delenv(FAULT_VARIABLE)
    again = run_to_end(qtbot, dock)
    assert not again.cancelled and [r.status for r in again.runs] == ["finished"] * 4


def test_a_dead_worker_is_reported_and_the_other_runs_finish(compare_lab, qtbot, monkeypatch):
    lab, dock = compare_lab()
    monkeypatch.setenv(FAULT_VARIABLE, "exit@relu:1")
    set_up(dock)
    result = run_to_end(qtbot, dock)
    assert [r.status for r in result.runs] == ["finished", "finished", "finished", "crashed"]
    assert "activation=relu, seed 1" in dock.message_text()
    assert "exit code 3" in dock.message_text()
    assert any("1 of 4 runs are missing" in w for w in dock.summary.warning_texts())
    assert dock.summary.rows()[1][2] == "1 / 0 / 1"


def test_the_gui_thread_never_runs_a_training_step(compare_lab, qtbot, monkeypatch):
    """Every step and run is made in a worker process: here (this process, any thread) the
    trainer's step and the runner's run_one would record themselves."""
    calls = []
    step, run_one = core.Trainer.step, compare.runner.run_one

    def spy_step(self, *a, **k):
        calls.append(("step", threading.current_thread().name))
        return step(self, *a, **k)

    def spy_run(spec):
        calls.append(("run_one", threading.current_thread().name))
        return run_one(spec)

    monkeypatch.setattr(core.Trainer, "step", spy_step)
    monkeypatch.setattr(compare.runner, "run_one", spy_run)
    lab, dock = compare_lab()
    set_up(dock)
    result = run_to_end(qtbot, dock)
    assert all(r.status == "finished" for r in result.runs)
    assert calls == []


def test_the_windows_own_trainer_keeps_stepping_while_a_comparison_runs(
        compare_lab, qtbot, monkeypatch):
    lab, dock = compare_lab(start=True)
    session = lab.session
    monkeypatch.setenv(FAULT_VARIABLE, "hang@tanh:0")  # keeps the comparison running
    set_up(dock)
    assert dock.run()
    qtbot.waitUntil(lambda: len(dock.job.worker_pids()) == 2, timeout=10000)
    session.play()
    qtbot.waitUntil(lambda: session.last_view is not None and session.last_view.running,
                    timeout=10000)
    first = session.last_view.snapshot.step
    qtbot.waitUntil(lambda: session.last_view.snapshot.step > first + 100, timeout=20000)
    assert dock.job.running
    session.pause()
    with qtbot.waitSignal(dock.finished, timeout=30000):
        dock.cancel()


def test_closing_the_window_ends_the_worker_processes(compare_lab, qtbot, monkeypatch):
    lab, dock = compare_lab()
    monkeypatch.setenv(FAULT_VARIABLE, "hang@tanh:0;hang@relu:0")
    set_up(dock)
    assert dock.run()
    qtbot.waitUntil(lambda: len(dock.job.worker_pids()) == 2, timeout=10000)
    pids = dock.job.worker_pids()
    lab.window.close()
    assert not dock.job.running
    qtbot.waitUntil(lambda: all(pid_gone(p) for p in pids), timeout=10000)


def test_a_ready_made_comparison_loads_its_experiment_and_runs_in_one_click(
        compare_lab, qtbot):
    lab, dock = compare_lab()
    ready = compare.get_preset("relu-vs-tanh")
    with qtbot.waitSignal(dock.experimentRequested) as asked:
        assert dock.run_preset("relu-vs-tanh", seeds=(0,), epochs=2)
    assert asked.args[0] == ready.experiment()
    assert lab.session.experiment == ready.experiment()  # the wiring passed it on
    assert dock.form.values() == ready.values and dock.form.setting() == "activation"
    assert dock.form.source_label.text().startswith("comparison relu-vs-tanh")
    with qtbot.waitSignal(dock.finished, timeout=60000) as done:
        pass
    assert done.args[0].plan.source.startswith("comparison relu-vs-tanh")
    menu = dock.preset_button.menu()
    assert [a.text() for a in menu.actions()] == [compare.get_preset(n).claim
                                                   for n in compare.preset_names()]


def test_settings_that_do_not_apply_are_greyed_out_with_their_reason(compare_lab):
    lab, dock = compare_lab()
    box = dock.form.setting_box
    model = box.model()
    names = [box.itemData(i) for i in range(box.count())]
    assert "activation.1" in names and "activation.2" in names and "activation.N" not in names
    dock.form.set_experiment(core.presets.get("iris-softmax").experiment)
    i = box.findData("noise")
    assert not model.item(i).isEnabled()
    assert "no noise setting" in box.itemText(i)
    dock.form.set_setting("lr")
    assert not dock.form.tune_box.isEnabled()


def test_the_window_theme_reaches_the_dock(compare_lab):
    from gui.theme import DARK

    lab, dock = compare_lab()
    lab.window.set_theme("dark")
    assert dock.curves.theme.name == DARK.name


def test_the_seeds_can_start_anywhere_and_a_plans_own_seeds_are_kept(compare_lab):
    _lab, dock = compare_lab()
    f = dock.form
    set_up(dock, seeds=3)
    assert f.plan().seeds == (0, 1, 2)
    f.first_seed_box.setValue(7)
    assert f.plan().seeds == (7, 8, 9)
    own = compare.Plan(SMALL, "activation", ("tanh", "relu"), (0, 3, 11), 3)
    f.set_plan(own)
    assert f.plan().seeds == (0, 3, 11)  # from a file or the command line: kept as they are
    assert (f.seeds_box.value(), f.first_seed_box.value()) == (3, 0)
    f.first_seed_box.setValue(5)  # changing them makes a run of seeds again
    assert f.plan().seeds == (5, 6, 7)
    f.set_plan(compare.Plan(SMALL, "activation", ("tanh", "relu"), (4, 5), 3))
    assert f.plan().seeds == (4, 5) and f.first_seed_box.value() == 4
