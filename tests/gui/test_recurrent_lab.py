"""The Recurrent lab dock: it opens from the window, trains in its own process while the GUI
stays live, draws the engine's own numbers, swaps activations, runs A and B side by side and
exports its plots. Small set-ups, so every test is quick; waits are on signals, never on time.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from processes import pid_gone

import core.recurrent
from gui.recurrent.setup import LabSetup
from gui.recurrent.views import PROBE_ROWS, run_view

SMALL = LabSetup(steps=8, hidden=4, epochs=3, n_train=64, n_test=16, batch_size=16)


@pytest.fixture
def make_dock(qtbot):
    from gui.recurrent.dock import RecurrentLab

    docks = []

    def build(setup: LabSetup = SMALL, size=(1100, 700)):
        dock = RecurrentLab(setup)
        docks.append(dock)
        qtbot.addWidget(dock)
        dock.resize(*size)
        dock.show()
        qtbot.waitUntil(lambda: dock.frame is not None, timeout=20000)
        return dock

    yield build
    for dock in docks:
        dock.shutdown()


def train_to_end(qtbot, dock, timeout=30000):
    """Press Train and wait for the frame where both runs stand still at the end."""
    def done():
        f = dock.frame
        return (f is not None and not f.running and not dock.running
                and f.generation == dock.generation
                and all(r.epoch >= dock.setup.epochs or r.stopped for r in f.runs))

    dock.train_button.click()
    qtbot.waitUntil(done, timeout=timeout)
    return dock.frame


def test_the_dock_is_f4_in_the_view_menu_and_its_process_ends_with_the_window(make_lab, qtbot):
    from gui.recurrent.dock import RecurrentLab

    lab = make_lab(start=False)
    w = lab.window
    assert w.tool_docks["recurrent"].isHidden()
    view = next(a for a in w.menuBar().actions() if a.text() == "&View").menu()
    toggle = next(a for a in view.actions() if a.text() == "Recurrent lab")
    assert toggle.shortcut().toString() == "F4"
    toggle.trigger()
    dock = w.tool("recurrent")
    assert isinstance(dock, RecurrentLab)
    qtbot.waitUntil(lambda: dock.frame is not None, timeout=20000)
    w.set_theme("dark")  # the window's look reaches the lab's plots
    assert {p.theme.name for p in dock.plots} == {"dark"}
    pid = dock.worker.pid
    assert pid is not None and pid != os.getpid() and dock.frame.pid == pid
    w.close()
    qtbot.waitUntil(lambda: pid_gone(pid) and not dock.worker.alive, timeout=10000)


def test_training_runs_in_the_process_and_never_on_the_gui_thread(make_dock, qtbot,
                                                                   monkeypatch):
    def no_step_here(self, *a, **k):
        raise AssertionError("a training step ran in the window's process")

    monkeypatch.setattr(core.recurrent.SequenceTrainer, "_step", no_step_here)
    dock = make_dock()
    seen = []
    dock.frameDrawn.connect(lambda f: seen.append((f.running, f.runs[0].step)))
    frame = train_to_end(qtbot, dock)
    assert frame.pid == dock.worker.pid != os.getpid()
    steps = SMALL.epochs * -(-SMALL.n_train // SMALL.batch_size)
    assert [r.step for r in frame.runs] == [steps, steps]
    assert [r.epoch for r in frame.runs] == [SMALL.epochs] * 2
    assert not dock.running and dock.train_button.text() == "Train"
    # the frames drawn came in the order of the steps (how many depends on the speed)
    assert seen and [s for _, s in seen] == sorted(s for _, s in seen)
    assert "epoch 3 of 3" in dock.status.text()


def test_the_views_show_the_numbers_the_engine_computes(make_dock, qtbot):
    dock = make_dock()
    frame = train_to_end(qtbot, dock)
    for run in frame.runs:  # the same set-up trained here gives the same numbers
        trainer = SMALL.build_trainer(run.key)
        trainer.run(epochs=SMALL.epochs)
        rows = min(PROBE_ROWS, SMALL.n_test)
        rec, grads = trainer.probe(rows)
        assert run.probe_rows == rows
        np.testing.assert_array_equal(run.state("f"), rec.f[:, 0, :])
        np.testing.assert_array_equal(run.state("c"), rec.c[:, 0, :])
        np.testing.assert_array_equal(run.state_grad, grads["c_norm"])
        np.testing.assert_array_equal(run.retention, core.recurrent.forget_product(rec.f[:, 0]))
        np.testing.assert_array_equal(run.state_abs, np.abs(rec.c[:, 0]).max(axis=1))
        gate, below, above = run.saturation[1]
        assert gate == "f"
        np.testing.assert_array_equal(below, (rec.f < 0.1).mean(axis=(0, 1)))
        np.testing.assert_array_equal(above, (rec.f > 0.9).mean(axis=(0, 1)))
        np.testing.assert_array_equal(run.history["test_metric"], trainer.history.test_metric)
        want = run_view(trainer, run.key, SMALL.epochs)
        np.testing.assert_array_equal(want.state("h"), run.state("h"))
    # and the plots draw exactly those arrays
    cells, unit, memory, training = dock.plots
    for run in frame.runs:
        image = cells.images[run.key, 1].image  # the forget gate's row: units × steps
        np.testing.assert_array_equal(image, run.state("f").T)
        assert cells.levels[run.key, 1] == ("f", 0.0, 1.0)
    dock.tabs.setCurrentWidget(memory)
    item = memory.items["B", "grad"]
    np.testing.assert_array_equal(item.yData, frame.runs[1].state_grad)
    dock.tabs.setCurrentWidget(unit)
    unit.unit.setValue(3)
    np.testing.assert_array_equal(unit.curves["A"]["c"].yData, frame.runs[0].state("c")[:, 2])


def test_a_swap_changes_that_run_only_and_an_overflow_is_reported_with_its_step(make_dock,
                                                                                 qtbot):
    setup = LabSetup(steps=20, hidden=16, epochs=10, seed=0)  # the ReLU lesson's set-up
    dock = make_dock(setup)
    start = dock.frame
    assert start.runs[1].spec["candidate"] == "sigmoid"  # B's default: a sigmoid candidate
    gen = dock.generation
    dock.form.runs["B"]["gate"].buttons["relu"].click()
    dock.form.runs["B"]["candidate"].buttons["tanh"].click()
    assert dock.setup.b.gate == "relu" and dock.setup.b.candidate == "tanh"
    assert dock.setup.a == setup.a and dock.generation == gen + 2
    frame = train_to_end(qtbot, dock)
    a, b = frame.runs
    assert a.spec == start.runs[0].spec and b.spec["gate"] == "relu"
    # what core.recurrent says for this cell: the cell state overflows at step 56
    assert b.stopped.startswith("Run B: the cell state overflowed at step 56")
    assert "ReLU gates the forget gate can exceed 1" in b.stopped
    assert b.step == 55 and a.epoch == 10 and not a.stopped
    assert "overflowed at step 56" in dock.status.text()


def test_a_and_b_start_from_the_same_seed_side_by_side(make_dock, qtbot):
    same = SMALL.replace(b=SMALL.a)
    dock = make_dock(same)
    frame = train_to_end(qtbot, dock)
    a, b = frame.runs
    assert (a.key, b.key) == ("A", "B")
    for (name, x), (_, y) in zip(a.states, b.states, strict=True):
        np.testing.assert_array_equal(x, y, err_msg=name)
    heads = dock.plots[0].heads
    assert "Run A" in heads["A"].text and "Run B" in heads["B"].text
    # a GRU beside an LSTM: its rows are r, z, n and h; no cell state
    dock.form.runs["B"]["cell"].buttons["gru"].click()
    qtbot.waitUntil(lambda: dock.frame.generation == dock.generation, timeout=20000)
    b = dock.frame.runs[1]
    assert b.kind == "gru" and [n for n, _ in b.states] == ["r", "z", "n", "h"]
    assert dock.plots[0].notes["B", 4].shown  # "a GRU has no cell state"
    assert not dock.form.runs["B"]["forget_bias"].isEnabled()


def test_a_typed_sequence_is_shown_and_a_bad_one_is_one_sentence(make_dock, qtbot):
    dock = make_dock()
    gen = dock.generation
    dock.typed.setText("1, 0, x")
    dock.typed.returnPressed.emit()
    assert dock.status.text().endswith("Item 3 ('x') is not a number: write numbers like 3, "
                                       "-0.25 or 1e-3, separated by commas.")
    assert dock.frame.runs[0].shown == "test sequence 1" and dock.generation == gen
    dock.typed.setText("1, 0, 0, 0, 0")
    dock.typed.returnPressed.emit()
    qtbot.waitUntil(lambda: dock.frame.runs[0].shown == "the typed sequence", timeout=20000)
    run = dock.frame.runs[0]
    assert run.steps == 5
    trainer = SMALL.build_trainer("A")
    rec = trainer.cell.forward(np.array([1.0, 0, 0, 0, 0]).reshape(5, 1, 1))
    np.testing.assert_array_equal(run.state("h"), rec.h[:, 0])


def test_set_up_shows_a_lesson_steps_set_up_and_runs_it(make_dock, qtbot):
    import core.lessons as L

    dock = make_dock()
    setup = L.get("relu-in-an-lstm").steps[0].recurrent
    gen = dock.generation
    dock.set_up(setup)
    assert dock.setup == setup and dock.generation == gen + 1
    assert dock.form.runs["B"]["candidate"].buttons["relu"].isChecked()
    qtbot.waitUntil(lambda: dock.frame.generation == dock.generation, timeout=20000)
    assert dock.frame.runs[1].spec["cell_output"] == "relu"
    assert "Lessons</b> (F2)" in dock.intro.text()  # where its lessons are


def test_set_up_in_the_lessons_dock_on_a_lab_step_opens_the_lab_and_runs_it(make_lab, qtbot):
    """The Lessons dock's Set up on a step with [steps.recurrent] reaches the lab through the
    composition root: the lab opens with the step's set-up; the window's experiment stays."""
    import core.lessons as L

    w = make_lab(start=False).window
    lessons = w.show_tool("lessons")
    lessons.show_lesson("gru")
    assert w.tool_docks["recurrent"].isHidden()  # reading a lab step opens nothing
    before = w.session.experiment
    step = L.get("gru").steps[0]
    assert lessons.setup_button.text() == "Set up this step"
    lessons.setup_button.click()
    lab = w.tool("recurrent")
    qtbot.waitUntil(lambda: lab.frame is not None and lab.frame.generation == lab.generation,
                    timeout=20000)
    try:
        assert not w.tool_docks["recurrent"].isHidden()
        assert lab.setup == step.recurrent and lab.setup.b.cell == "gru"
        assert [r.kind for r in lab.frame.runs] == ["lstm", "gru"]
        assert w.session.experiment == before
    finally:
        lab.shutdown()


def test_every_plot_exports_png_svg_and_csv(make_dock, qtbot, tmp_path):
    from gui.export import layout_problems, write_csv, write_png, write_svg

    dock = make_dock()
    train_to_end(qtbot, dock)
    for plot in dock.plots:
        dock.tabs.setCurrentWidget(plot)
        qtbot.waitUntil(lambda p=plot: p.canvas.isVisible() and p.canvas.width() > 400)
        plot.catch_up()
        # every text whole and apart, no legend across the curves, on screen and exported
        assert layout_problems(plot, data_kinds=("legend",)) == []
        assert layout_problems(plot, plot.canvas.size(), data_kinds=("legend",)) == []
        assert layout_problems(plot, presentation=True, data_kinds=("legend",)) == []
        # the export's title band says which set-up it shows
        assert plot.title.endswith(": remember the spike, T = 8, 4 units, adam lr 0.01, seed 0")
        png = write_png(plot, tmp_path / f"{plot.panel_id}.png", scale=1.0)
        svg = write_svg(plot, tmp_path / f"{plot.panel_id}.svg")
        assert png.stat().st_size > 2000 and svg.read_text(encoding="utf-8").startswith("<?xml")
        csvs = write_csv(plot, tmp_path / f"{plot.panel_id}.csv")
        assert csvs and all(p.stat().st_size > 0 for p in csvs)
    text = (tmp_path / "recurrent_training.csv").read_text()
    assert text.splitlines()[0].startswith("epoch,train_loss,test_loss")


def test_more_epochs_train_on_and_a_set_up_the_engine_refuses_changes_nothing(make_dock,
                                                                                qtbot):
    dock = make_dock()
    frame = train_to_end(qtbot, dock)
    gen, step = dock.generation, frame.runs[0].step
    dock.form.epochs.setValue(5)  # the runs go on from epoch 3: no restart
    assert dock.generation == gen and dock.setup.epochs == 5
    frame = train_to_end(qtbot, dock)
    assert [r.epoch for r in frame.runs] == [5, 5] and frame.runs[0].step == step * 5 // 3
    # too many state values for one pass: the engine says no, the runs and the form stay
    big = dock.setup.replace(steps=300, hidden=64, batch_size=512, n_train=4096)
    dock.configure(big)
    qtbot.waitUntil(lambda: "too large" in dock.status.text(), timeout=20000)
    assert dock.generation == gen and dock.setup.epochs == 5 and dock.setup.steps == 8
    assert dock.form.steps.value() == 8 and dock.frame.runs[0].epoch == 5


def test_pause_stops_mid_training_and_one_epoch_trains_one(make_dock, qtbot):
    dock = make_dock(SMALL.replace(epochs=2000))
    dock.train_button.click()
    qtbot.waitUntil(lambda: dock.running and dock.frame.running and dock.frame.runs[0].step > 0,
                    timeout=20000)
    dock.train_button.click()  # Pause
    qtbot.waitUntil(lambda: not dock.running and not dock.frame.running, timeout=20000)
    assert dock.train_button.text() == "Train"
    paused = dock.frame.runs[0]
    assert paused.epoch < 2000
    dock.epoch_button.click()
    qtbot.waitUntil(lambda: dock.frame.runs[0].epoch == paused.epoch + 1, timeout=20000)
    steps_per_epoch = -(-SMALL.n_train // SMALL.batch_size)
    assert [r.step for r in dock.frame.runs] == [(paused.epoch + 1) * steps_per_epoch] * 2


def test_a_killed_process_is_said_and_restart_starts_a_new_one(make_dock, qtbot):
    import signal

    dock = make_dock()
    old = dock.worker.pid
    os.kill(old, signal.SIGKILL)
    qtbot.waitUntil(lambda: "ended unexpectedly" in dock.status.text(), timeout=20000)
    assert dock.worker.process_ended and not dock.running
    dock.restart_button.click()
    qtbot.waitUntil(lambda: dock.frame.generation == dock.generation, timeout=20000)
    assert dock.worker.pid not in (None, old) and dock.frame.pid == dock.worker.pid
    frame = train_to_end(qtbot, dock)
    assert [r.epoch for r in frame.runs] == [SMALL.epochs] * 2


def test_the_lab_opens_over_the_window_the_first_time_only(make_lab, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = make_lab(start=False, settings=settings).window
    w.show_tool("recurrent")
    dock = w.tool_docks["recurrent"]
    qtbot.waitUntil(dock.isFloating, timeout=10000)
    assert dock.width() >= 900 and dock.height() >= 600
    dock.setFloating(False)  # the user docks it: next time it is left where the state says
    w.tool("recurrent").shutdown()
    again = make_lab(start=False, settings=settings).window
    again.show_tool("recurrent")
    lab = again.tool("recurrent")
    qtbot.waitUntil(lambda: lab.frame is not None, timeout=20000)
    assert not again.tool_docks["recurrent"].isFloating()
    lab.shutdown()
