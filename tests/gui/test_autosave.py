"""Crash safety: autosave on a timer, the restore offer after an abnormal exit, and opening
hostile files (or a broken autosave) never touching the session that is open."""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
import zipfile
from operator import attrgetter
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QLockFile, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

import core
import core.presets
from core.archive import capture, read_archive, write_archive
from gui.autosave import AutoSaver
from gui.main_window import MainWindow
from gui.session import Session
from gui.startup import offer_restore

ROOT = Path(core.__file__).resolve().parent.parent


def warning_shown(window: MainWindow) -> str | None:
    """The text of the (non-modal) warning box on the window, if one is open."""
    box = window.findChild(QMessageBox, "activation-lab-warning")
    return None if box is None or not box.isVisible() else box.text()


def trainer_id(session: Session) -> int:
    return session.call(id).result(timeout=10)


def step_count(session: Session) -> int:
    return session.call(attrgetter("step_count")).result(timeout=10)


@pytest.fixture
def lab(make_lab):
    """The window as the app wires it, started but not shown (``window`` is its window)."""
    return make_lab(size=None, theme=None, show=False)


def autosaver(window: MainWindow, folder: Path, **options) -> AutoSaver:
    """An AutoSaver of the window's session, as ``gui.wiring.start_autosave`` makes it."""
    return AutoSaver(window.session, window.panel_states, folder, parent=window, **options)


def offer(window: MainWindow, saver: AutoSaver, ask) -> bool:
    """``offer_restore`` for the window, as ``gui.wiring.start_autosave`` calls it."""
    return offer_restore(saver, window.session, parent=window, status=window.show_status,
                         restore_panel_states=window.restore_panel_states, ask=ask)


_CRASHED_SESSION = r"""
import os, sys
from PySide6.QtCore import QLockFile
import core.presets
from core.archive import capture, write_archive

folder, mode = sys.argv[1], sys.argv[2]
lock = QLockFile(os.path.join(folder, "autosave.lock"))
lock.setStaleLockTime(0)
assert lock.tryLock(0)
target = os.path.join(folder, "autosave.alab")
if mode == "garbage":
    with open(target, "wb") as f:
        f.write(b"PK\x03\x04 the first bytes of a zip and nothing more")
elif mode == "saved":
    exp = core.presets.get("xor-2-4-1-tanh").experiment
    trainer = exp.build_trainer()
    trainer.run(steps=17)
    write_archive(target, capture(exp, trainer))
print(os.getpid(), flush=True)
os._exit(3)  # an abnormal exit: the lock is never released
"""


def crash_a_session(folder: Path, mode: str = "saved") -> int:
    """Run a session in a child process that autosaves (``mode``) and then dies; its PID."""
    out = subprocess.run([sys.executable, "-c", _CRASHED_SESSION, str(folder), mode],
                         capture_output=True, text=True, timeout=60, cwd=ROOT,
                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert out.returncode == 3, out.stderr
    return int(out.stdout)


# --- autosaving -------------------------------------------------------------------------------
def test_autosave_runs_on_its_timer_and_a_clean_stop_leaves_nothing(window, qtbot, tmp_path):
    saver = autosaver(window, tmp_path, interval_ms=30)
    try:
        assert saver.crashed is None and saver.path == tmp_path / "autosave.alab"
        lock = tmp_path / "autosave.lock"
        assert QLockFile(str(lock)).getLockInfo()[0] == os.getpid()  # the marker names us
        s = window.session
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            s.step(23)
        qtbot.waitUntil(lambda: s.last_view.snapshot.step == 23, timeout=10000)
        with qtbot.waitSignal(saver.saved, timeout=10000) as blocker:
            saver.start()
        assert blocker.args == [str(saver.path)]
        saved = read_archive(saver.path)
        assert saved.trainer_meta["trainer"]["step_count"] == 23
        assert saved.experiment.network == s.experiment.network
        assert set(saved.experiment.panels) == set(window.panels)
        saver.wait()
        assert not saver.save_now()  # nothing changed since: no rewrite
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            s.step(2)
        qtbot.waitUntil(lambda: s.last_view.snapshot.step == 25, timeout=10000)
        with qtbot.waitSignal(saver.saved, timeout=10000):
            pass  # the timer saves the change
        assert read_archive(saver.path).trainer_meta["trainer"]["step_count"] == 25
    finally:
        saver.stop(clean=True)
    assert not lock.exists() and not saver.path.exists()
    assert autosaver(window, tmp_path).crashed is None  # a clean exit: nothing to offer


def test_a_failing_write_is_reported_not_raised(window, qtbot, tmp_path, monkeypatch):
    saver = autosaver(window, tmp_path)

    def full_disk(path, saved):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("core.archive.write_archive", full_disk)
    try:
        with qtbot.waitSignal(saver.failed, timeout=10000) as blocker:
            assert saver.save_now()
        assert "No space left" in blocker.args[0]
    finally:
        saver.stop()


def test_stale_temporary_files_of_a_killed_save_are_removed(window, tmp_path):
    leftover = tmp_path / ".autosave.alab.k3j4h.tmp"
    leftover.write_bytes(b"half")
    other = tmp_path / "keep.tmp"
    other.write_bytes(b"not ours")
    saver = autosaver(window, tmp_path)
    saver.stop()
    assert not leftover.exists() and other.exists()


def test_a_second_window_gets_its_own_slot(window, qtbot, tmp_path):
    first = autosaver(window, tmp_path)
    second = autosaver(window, tmp_path)
    try:
        assert second.path == tmp_path / "autosave-2.alab" and second.crashed is None
        for saver in (first, second):
            with qtbot.waitSignal(saver.saved, timeout=10000):
                saver.save_now()
        assert first.path.exists() and second.path.exists()
    finally:
        second.stop()
        first.stop()


# --- after an abnormal exit ---------------------------------------------------------------
def test_after_a_crash_the_next_launch_offers_and_restores_the_autosave(window, qtbot,
                                                                        tmp_path):
    crash_a_session(tmp_path)
    assert (tmp_path / "autosave.lock").exists()  # the marker outlived its process
    saver = autosaver(window, tmp_path)
    try:
        assert saver.crashed == tmp_path / "autosave.alab"
        questions: list[str] = []
        assert offer(window, saver, ask=lambda q: questions.append(q) or True)
        assert len(questions) == 1 and "did not close properly" in questions[0]
        s = window.session
        assert s.experiment.dataset.name == "xor"
        assert step_count(s) == 17
        # the restored run trains on
        with qtbot.waitSignal(s.viewChanged, timeout=10000):
            s.step(3)
        qtbot.waitUntil(lambda: step_count(s) == 20, timeout=10000)
    finally:
        saver.stop()


def test_declining_keeps_the_autosave_aside_and_the_session_as_it_was(window, tmp_path):
    crash_a_session(tmp_path)
    s = window.session
    exp, tid = s.experiment, trainer_id(s)
    saver = autosaver(window, tmp_path)
    try:
        assert not offer(window, saver, ask=lambda q: False)
        assert s.experiment is exp and trainer_id(s) == tid
        kept = tmp_path / "autosave-previous.alab"
        assert read_archive(kept).experiment.dataset.name == "xor"
        assert saver.crashed is None and not saver.path.exists()
        saver.save_now()
        saver.wait()
        assert read_archive(saver.path).experiment.dataset.name == exp.dataset.name
        assert read_archive(kept).experiment.dataset.name == "xor"  # not overwritten
    finally:
        saver.stop()


def test_a_broken_autosave_is_reported_and_the_session_is_untouched(window, qtbot, tmp_path):
    crash_a_session(tmp_path, "garbage")
    s = window.session
    exp, tid = s.experiment, trainer_id(s)
    saver = autosaver(window, tmp_path)
    try:
        assert saver.crashed is not None
        with qtbot.waitSignal(s.problem, timeout=5000) as blocker:
            assert not offer(window, saver, ask=lambda q: True)
        assert "could not be restored" in blocker.args[0]
        assert s.experiment is exp and trainer_id(s) == tid
    finally:
        saver.stop()


def test_a_crash_before_the_first_autosave_offers_nothing(window, tmp_path):
    crash_a_session(tmp_path, "nothing")
    saver = autosaver(window, tmp_path)
    try:
        assert saver.crashed is None
        assert not offer(window, saver, ask=lambda q: pytest.fail("asked"))
    finally:
        saver.stop()


def test_run_app_autosaves_offers_restore_and_exits_cleanly(qtbot, tmp_path, monkeypatch):
    """The wiring in gui/app.py: the offer comes up after a crash, and a normal exit removes
    the marker and the autosave."""
    import threading

    import gui.autosave
    import gui.startup
    from gui.app import run_app

    crash_a_session(tmp_path)
    monkeypatch.setattr(gui.autosave, "app_data_folder", lambda: tmp_path)
    questions: list[str] = []
    monkeypatch.setattr(gui.startup, "_ask_yes_no",
                        lambda window, q: questions.append(q) or True)
    seen: dict = {}

    def inspect_and_quit():
        w = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        seen["dataset"] = w.session.experiment.dataset.name
        seen["locked"] = (tmp_path / "autosave.lock").exists()
        seen["timer"] = w.findChild(AutoSaver).timer.isActive()
        w.close()

    old_hooks = sys.excepthook, threading.excepthook
    QTimer.singleShot(0, inspect_and_quit)
    try:
        assert run_app(["--fresh"]) == 0
    finally:
        sys.excepthook, threading.excepthook = old_hooks
    assert len(questions) == 1
    assert seen == {"dataset": "xor", "locked": True, "timer": True}
    assert not (tmp_path / "autosave.lock").exists()
    assert not (tmp_path / "autosave.alab").exists()


# --- opening hostile files in the window --------------------------------------------------------
def _hostile_files(folder: Path) -> dict[str, Path]:
    exp = core.presets.get("xor-2-4-1-tanh").experiment
    trainer = exp.build_trainer()
    trainer.run(steps=5)
    good = write_archive(folder / "good.alab", capture(exp, trainer))
    with zipfile.ZipFile(good) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    doc = json.loads(members["experiment.json"])
    with np.load(io.BytesIO(members["weights.npz"])) as npz:
        arrays = {k: npz[k] for k in npz.files}

    def write(name, members_=None, doc_=None, arrays_=None, extra=()):
        m = dict(members_ or members)
        if doc_ is not None:
            m["experiment.json"] = json.dumps(doc_).encode()
        if arrays_ is not None:
            buf = io.BytesIO()
            np.savez(buf, **arrays_)
            m["weights.npz"] = buf.getvalue()
        path = folder / f"{name}.alab"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for k, v in [*m.items(), *extra]:
                z.writestr(k, v)
        return path

    def doc_with(change):
        d = copy.deepcopy(doc)
        change(d)
        return d

    files = {}
    files["truncated"] = folder / "truncated.alab"
    files["truncated"].write_bytes(good.read_bytes()[:700])
    files["nan weights"] = write("nan", arrays_={**arrays, "flat": arrays["flat"] * np.nan})
    files["wrong shape"] = write("shape", arrays_={**arrays, "flat": arrays["flat"][:-1]})
    files["wrong version"] = write("version", doc_=doc_with(lambda d: d.update(
        schema_version=99)))
    files["escaping name"] = write("escape", extra=[("../../evil", b"x")])
    files["no weights"] = write("noweights", members_={"experiment.json":
                                                       members["experiment.json"]})
    files["huge network"] = write("huge", doc_=doc_with(lambda d: d.update(trainer=None) or d[
        "experiment"]["network"].update(hidden=[{"units": 4096, "activation": "relu"}] * 3)))
    files["missing csv"] = write("csv", doc_=doc_with(lambda d: d.update(trainer=None) or d[
        "experiment"]["dataset"].update(csv_path=str(folder / "gone.csv"), csv_target="y")))
    files["options clash"] = write("options", doc_=doc_with(
        lambda d: d["experiment"]["dataset"]["options"].update(seed=3)))
    files["a folder"] = folder / "folder.alab"
    files["a folder"].mkdir()
    return files


HOSTILE = ["truncated", "nan weights", "wrong shape", "wrong version", "escaping name",
           "no weights", "huge network", "missing csv", "a folder", "options clash"]


@pytest.mark.parametrize("kind", HOSTILE)
def test_opening_a_hostile_file_leaves_the_session_untouched(lab, window, qtbot, tmp_path,
                                                            kind):
    path = _hostile_files(tmp_path)[kind]
    s = window.session
    with qtbot.waitSignal(s.viewChanged, timeout=10000):
        s.step(4)
    exp, tid, steps = s.experiment, trainer_id(s), step_count(s)
    title = window.windowTitle()
    window.show()
    qtbot.waitExposed(window)
    assert not lab.files.open(path)
    assert s.experiment is exp and trainer_id(s) == tid and step_count(s) == steps
    assert lab.files.path is None and window.windowTitle() == title
    # one message, in the status bar and a warning box
    message = window.statusBar().currentMessage()
    assert message and warning_shown(window) == message
    assert len(window.findChildren(QMessageBox)) == 1
    # and the window still trains
    with qtbot.waitSignal(s.viewChanged, timeout=10000):
        s.step(2)
    qtbot.waitUntil(lambda: step_count(s) == steps + 2, timeout=10000)


def test_opening_a_good_file_does_replace_the_session(lab, window, tmp_path):
    """The control for the test above: the same check passes only because the files are bad."""
    path = _hostile_files(tmp_path)["truncated"].with_name("good.alab")
    tid = trainer_id(window.session)
    assert lab.files.open(path)
    assert window.session.experiment.dataset.name == "xor" and trainer_id(window.session) != tid


@pytest.mark.parametrize("kind", [
    "truncated", "wrong version",
    "nan weights", "missing csv",
])
def test_the_message_names_the_file_and_says_what_is_wrong(lab, window, tmp_path, kind):
    path = _hostile_files(tmp_path)[kind]
    assert not lab.files.open(path)
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Could not open {path.name}: ")
    assert "Errno" not in message
