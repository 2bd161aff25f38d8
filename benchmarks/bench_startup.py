"""Cold start: from process start to the first painted main window, and ``--version``.

Run by hand (never by pytest):  python benchmarks/bench_startup.py [--runs 5] [--exe PATH]

Each run is a fresh Python process. The parent notes ``time.monotonic()`` just before it
starts the child; the child goes through the app's own start (``gui.app.run_app`` with
``--fresh --preset circles-tanh``, so no saved settings are read) and, when the main window
gets its first paint event, lets that paint pass finish (a zero-time timer) and prints
``time.monotonic()`` — the same system-wide clock; then the same once the first training
frame has been drawn on the panels (the trainer is built after the first paint), and quits.
The difference is what a user waits between pressing Enter and seeing the window, minus the
compositor's copy to the screen.
``--version`` is timed from start to exit. Both report the best and the median of the runs
(the machine is shared; the best run is the least disturbed one).

The window runs offscreen unless QT_QPA_PLATFORM is set (e.g. xcb under xvfb-run).

``--exe packaging/dist/activation-lab/activation-lab`` times the built bundle instead: no code
can be slipped into a frozen app, so the app itself prints the two moments when the
environment variable ACTIVATION_LAB_TIME_START is set (``gui.app``); the runner reads them
from its standard error and stops it.

Bytecode: an installed copy of the app (pip, or the frozen bundle) starts from compiled
``.pyc`` files. A checkout run with PYTHONDONTWRITEBYTECODE set (as on our CI machines) would
compile every module of ``core`` and ``gui`` from source at each start (~0.15 s here), which no
user ever waits for; so the variable is removed for the child, and the warm-up run writes the
``.pyc`` files.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])

class FirstPaint(QObject):
    seen = False

    def eventFilter(self, obj, event):
        if not self.seen and event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            self.seen = True
            QTimer.singleShot(0, self.done)
        return False

    def done(self):
        print(f"painted {time.monotonic():.6f}", flush=True)

watcher = FirstPaint()
app.installEventFilter(watcher)
import gui.main_window

_on_view = gui.main_window.MainWindow._on_view

def on_view(self, view):  # the first training frame, drawn on the visible panels
    _on_view(self, view)
    gui.main_window.MainWindow._on_view = _on_view
    def drawn():
        print(f"frame {time.monotonic():.6f}", flush=True)
        app.quit()
    QTimer.singleShot(0, drawn)

gui.main_window.MainWindow._on_view = on_view
from gui.app import run_app
sys.exit(run_app(["--fresh", "--preset", "circles-tanh"]))
"""


def _env() -> dict:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # see the module note
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _start_window(python: str) -> dict[str, float]:
    """Seconds from process start to the window's first paint and to its first training
    frame drawn on the panels."""
    t0 = time.monotonic()
    out = subprocess.run([python, "-c", CHILD], cwd=ROOT, env=_env(), capture_output=True,
                         text=True, timeout=120)
    seen = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key in ("painted", "frame"):
            seen[key] = float(value) - t0
    if len(seen) < 2:
        raise RuntimeError(f"the window never painted a frame:\n{out.stdout}\n{out.stderr}")
    return seen


def time_first_paint(python: str) -> float:
    return _start_window(python)["painted"]


def time_first_frame(python: str) -> float:
    return _start_window(python)["frame"]


def time_executable(exe: str) -> dict[str, float]:
    """The same two moments for a built executable (``make bundle``), which reports them
    itself when ACTIVATION_LAB_TIME_START is set (see ``gui.app``); then it is stopped."""
    env = _env()
    env["ACTIVATION_LAB_TIME_START"] = "1"
    env["XDG_CONFIG_HOME"] = env["XDG_DATA_HOME"] = tempfile.mkdtemp()  # no saved session
    t0 = time.monotonic()
    proc = subprocess.Popen([exe, "--fresh", "--preset", "circles-tanh"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: dict[str, float] = {}
    watchdog = threading.Timer(60, proc.kill)  # a window that never paints: no hang
    watchdog.start()
    try:
        for line in proc.stderr:  # ends when the process does
            words = line.split()
            if len(words) == 3 and words[0] == "activation-lab:" and words[1] in (
                    "painted", "frame"):
                seen[words[1]] = float(words[2]) - t0
                if len(seen) == 2:
                    break
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait(timeout=30)
    if len(seen) < 2:
        raise RuntimeError(f"{exe} never painted a frame")
    return seen


def time_version(python: str) -> float:
    t0 = time.monotonic()
    subprocess.run([python, "-m", "gui", "--version"], cwd=ROOT, env=_env(), check=True,
                   capture_output=True, timeout=60)
    return time.monotonic() - t0


def time_bare_python(python: str) -> float:
    t0 = time.monotonic()
    subprocess.run([python, "-c", "pass"], check=True, timeout=60)
    return time.monotonic() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    ap.add_argument("--python", default=sys.executable, help="interpreter to start")
    ap.add_argument("--exe", help="time this built executable instead of the checkout "
                    "(e.g. packaging/dist/activation-lab/activation-lab)")
    args = ap.parse_args(argv)
    rows = []
    if args.exe:
        time_executable(args.exe)  # warm the disk cache
        runs = [time_executable(args.exe) for _ in range(args.runs)]
        for key, label in (("painted", "first paint of the main window"),
                           ("frame", "the first training frame drawn on the panels")):
            times = [r[key] for r in runs]
            rows.append((label, min(times), statistics.median(times)))
    else:
        time_first_paint(args.python)  # warm the disk cache: "cold" means a new process here
        for label, fn in (("first paint of the main window", time_first_paint),
                          ("the first training frame drawn on the panels", time_first_frame),
                          ("activation-lab --version", time_version),
                          ("bare `python -c pass`", time_bare_python)):
            times = [fn(args.python) for _ in range(args.runs)]
            rows.append((label, min(times), statistics.median(times)))
    what = args.exe or f"Python {platform.python_version()}"
    print(f"# bench_startup: {time.strftime('%Y-%m-%d')}, {what}, "
          f"QT_QPA_PLATFORM={_env()['QT_QPA_PLATFORM']}, "
          f"{os.cpu_count()} cores, best and median of {args.runs} runs")
    print()
    print("| from process start to | best | median |")
    print("|---|---|---|")
    for label, best, median in rows:
        print(f"| {label} | {best:.2f} s | {median:.2f} s |")
    ok = rows[0][1] <= 1.0
    print()
    print(f"target: first paint ≤ 1.0 s: {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
