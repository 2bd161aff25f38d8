"""The main window: it opens, draws every panel from real frames, and its menus work."""

from __future__ import annotations

from operator import attrgetter

import numpy as np
import pytest
from PySide6.QtGui import QImage


def _pixels(image: QImage) -> np.ndarray:
    img = image.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return arr[:, : img.width(), :3].copy()


def _colourful_share(arr: np.ndarray) -> float:
    """Share of pixels that are clearly coloured (not white, black or grey)."""
    a = arr.astype(int)
    spread = a.max(axis=2) - a.min(axis=2)
    return float((spread > 60).mean())


def test_window_has_every_panel_and_menu(window):
    assert set(window.panels) == {"output", "training_curves", "activation_curves",
                                  "derivatives", "histograms", "gradient_flow", "network_graph"}
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "View", "Train", "Lessons", "Help"]
    assert window.transport.play.shortcut().toString() == "Space"


def test_training_draws_every_panel(window, qtbot):
    s = window.session
    with qtbot.waitSignal(s.viewChanged, timeout=15000):
        s.step(100)
    qtbot.waitUntil(lambda: s.last_view.snapshot.step >= 100, timeout=15000)
    for pid, dock in window.docks.items():
        if pid == "controls":
            continue
        dock.show()
        dock.raise_()
        qtbot.waitUntil(lambda p=window.panels[pid]: p.view is not None, timeout=5000)
        panel = window.panels[pid]
        panel.update_view(s.last_view)
        image = panel.canvas.grab().toImage()
        share = _colourful_share(_pixels(image))
        assert share > 0.002, f"{pid} shows no plotted colour ({share:.4f})"


def test_play_pause_from_toolbar(window, qtbot):
    s = window.session
    with qtbot.waitSignal(s.runningChanged, timeout=5000):
        window.transport.play.trigger()
    assert window.transport.play.text() == "Pause"
    qtbot.waitUntil(lambda: s.last_view.snapshot.step > 20, timeout=15000)
    with qtbot.waitSignal(s.runningChanged, timeout=5000):
        window.transport.play.trigger()
    assert window.transport.play.text() == "Play"
    assert window.transport.step.isEnabled()


def test_theme_switch_restyles_panels(lab, window):
    window.set_theme("dark")
    assert all(p.theme.name == "dark" for p in window.panels.values())
    assert lab.menus.theme_actions["dark"].isChecked()
    window.set_theme("light")
    assert all(p.theme.name == "light" for p in window.panels.values())


def test_lesson_menu_loads_preset(lab, window, qtbot):
    s = window.session
    with qtbot.waitSignal(s.experimentChanged, timeout=10000):
        lab.files.load_preset("deep-sigmoid")
    assert len(s.experiment.network.hidden) == 10
    qtbot.waitUntil(lambda: len(s.last_view.snapshot.layers) == 11, timeout=15000)


def test_save_and_open_round_trip(lab, window, qtbot, tmp_path):
    s = window.session
    with qtbot.waitSignal(s.viewChanged, timeout=10000):
        s.step(37)
    qtbot.waitUntil(lambda: s.last_view.snapshot.step >= 37, timeout=10000)
    path = tmp_path / "run.alab"
    assert lab.files._write(path)
    flat = s.call(attrgetter("net.flat")).result(timeout=5)
    with qtbot.waitSignal(s.viewChanged, timeout=10000):
        s.reset()
    with qtbot.waitSignal(s.viewChanged, timeout=10000):
        assert lab.files.open(path)
    assert np.array_equal(s.call(attrgetter("net.flat")).result(timeout=5), flat)
    assert s.call(attrgetter("step_count")).result(timeout=5) == 37


def test_opening_a_broken_file_changes_nothing(lab, window, qtbot, tmp_path):
    s = window.session
    bad = tmp_path / "bad.alab"
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    exp, tid = s.experiment, s.call(id).result(timeout=5)
    assert not lab.files.open(bad)
    assert s.experiment is exp
    assert s.call(id).result(timeout=5) == tid
    assert "bad.alab" in window.statusBar().currentMessage()


@pytest.fixture
def unshown(make_lab):
    """A window and its session as the app makes them, not shown and not started."""
    return make_lab(size=None, theme=None, show=False, start=False).window


def test_start_up_work_waits_for_the_first_paint(unshown, qtbot):
    w, session = unshown, unshown.session
    calls = []
    w.after_first_paint(lambda: calls.append(w.isVisible()))
    w.after_first_paint(session.start)
    assert calls == []  # nothing runs before the window shows
    with qtbot.waitSignal(session.viewChanged, timeout=15000):
        w.show()
    assert calls == [True]
    w.repaint()
    assert calls == [True]  # once only


def test_panels_on_screen_wait_for_the_first_paint(unshown, qtbot):
    """The app's start: the window paints its controls and empty docks first, then builds
    the panels on screen (not the ones behind a tab), then draws the first frame on them."""
    w = unshown
    w.resize(1366, 768)
    w.after_first_paint(w.session.start)
    w.defer_panels()
    w.show()
    assert w.panels.created() == {}  # shown, not yet painted: nothing built
    on_screen = {"output", "training_curves", "histograms"}
    qtbot.waitUntil(lambda: set(w.panels.created()) == on_screen, timeout=10000)
    qtbot.waitUntil(lambda: all(p.view is not None for p in w.panels.created().values()),
                    timeout=15000)
    w.docks["network_graph"].raise_()  # a tab brought forward is built as before
    qtbot.waitUntil(lambda: w.panels.is_created("network_graph"), timeout=5000)
    assert w.panels["network_graph"].view is not None


def test_asking_for_panels_by_name_builds_none(unshown):
    w = unshown
    assert "output" in w.panels and "nonsense" not in w.panels
    # a saved experiment holds every panel's choices: they wait for the panels
    w.restore_panel_states({pid: {} for pid in w.panels})
    assert w.panels.created() == {}
    assert w.panel_states() == {pid: {} for pid in w.panels}


def test_docks_are_described_like_their_panels(unshown):
    from gui.panels.registry import PANELS, panel_classes

    for entry, cls in zip(PANELS, panel_classes(), strict=True):
        assert cls.panel_id == entry.panel_id
        assert (cls.title, cls.tooltip) == (entry.title, entry.tooltip)
        dock = unshown.docks[entry.panel_id]
        assert (dock.windowTitle(), dock.toolTip()) == (cls.title, cls.tooltip)


def test_the_window_module_does_not_import_pyqtgraph():
    """What the first paint needs must not pull in pyqtgraph (a third of a second)."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, gui.app, gui.wiring, gui.main_window, gui.session, gui.menus, "
            "gui.files, gui.export_actions, gui.autosave, gui.startup; "
            "print('pyqtgraph' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "False"


def test_the_app_reports_its_start_when_asked(tmp_path):
    """What ``bench_startup.py --exe`` reads: the first paint, then the first frame drawn."""
    import os
    import subprocess
    import sys
    import threading
    import time
    from pathlib import Path

    env = dict(os.environ, ACTIVATION_LAB_TIME_START="1", QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "gui", "--fresh", "--preset", "circles-tanh"],
                            cwd=Path(__file__).resolve().parents[2], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = []
    watchdog = threading.Timer(60, proc.kill)  # a window that never paints: no hang
    watchdog.start()
    try:
        for line in proc.stderr:
            if line.startswith("activation-lab: "):
                _, what, when = line.split()
                seen.append((what, float(when)))
                if what == "frame":
                    break
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait(timeout=30)
    assert [what for what, _ in seen] == ["painted", "frame"]
    assert t0 < seen[0][1] <= seen[1][1] < time.monotonic()
