"""Redraw rate and training speed with every panel on screen at once.

Run by hand (never by pytest):  python benchmarks/bench_gui.py [--seconds 10] [--preset NAME]
[--with-compare]

The main window is built on the circles-tanh lesson (2-8-8-1) and its seven panel docks are
taken out of their tabs and laid out in a grid (two rows, see ``untabify``) so that every panel
is visible and redrawn on every frame. Then training runs for ``--seconds`` and we count:

- frames: ``Session.viewChanged`` deliveries (what the window relays to its panels);
- redraws per panel: calls of each panel's ``update_view`` and the time spent in them;
- trainer steps/s while the window draws, from the frames' step counters.

Two references without the window: the same trainer's ``step()`` in a bare loop (headless),
and the session's worker alone (frames made but never drawn). Targets: ≥ 25 redraws/s for
every panel, and ≥ 50 % of the headless steps/s while drawing.

The window runs offscreen by default (QT_QPA_PLATFORM=offscreen: Qt renders into memory
exactly as it would for a screen, minus the copy to the display); set QT_QPA_PLATFORM=xcb
under xvfb-run or a desktop to include that too. ``--profile FILE`` writes a cProfile of the
measured seconds (GUI thread only) for ``python -m pstats``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import core  # noqa: E402  (pins BLAS to one thread before NumPy loads)
import core.presets  # noqa: E402

GRID = (("output", "training_curves", "activation_curves", "derivatives"),
        ("histograms", "gradient_flow", "network_graph"))


def untabify(window) -> None:
    """Every panel dock in its own cell: the top row split left to right, then each top dock
    split downwards for the bottom row. (By hand: drag each tab out of the tab bar and drop
    it beside or below another dock, or double-click its title to float it.)"""
    from PySide6.QtCore import Qt

    d = window.docks
    top, bottom = GRID
    for pid in top + bottom:
        window.removeDockWidget(d[pid])
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, d[top[0]])
    for left, right in zip(top, top[1:]):
        window.splitDockWidget(d[left], d[right], Qt.Orientation.Horizontal)
    for above, below in zip(top, bottom):
        window.splitDockWidget(d[above], d[below], Qt.Orientation.Vertical)
    for pid in top + bottom:
        d[pid].show()


def wait(app, seconds: float) -> None:
    """Run the event loop for ``seconds`` (a timer ends it; nothing sleeps)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def headless_rate(exp, seconds: float) -> float:
    """The same trainer's ``step()`` in a bare loop: steps/s with nothing else running."""
    trainer = exp.build_trainer(exp.build_dataset())
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(200):
            trainer.step()
        n += 200
    return n / (time.perf_counter() - t0)


def session_rate(app, exp, seconds: float) -> tuple[float, float]:
    """(steps/s, frames/s) of the session's worker with no window: frames made, not drawn."""
    from gui.session import Session

    session = Session(exp)
    session.start()
    frames = []
    session.viewChanged.connect(lambda v: frames.append((time.perf_counter(),
                                                         v.snapshot.step)))
    session.play()
    wait(app, 1.0)
    frames.clear()
    wait(app, seconds)
    session.pause()
    session.shutdown()
    (t0, s0), (t1, s1) = frames[0], frames[-1]
    return (s1 - s0) / (t1 - t0), (len(frames) - 1) / (t1 - t0)


#: ``--with-compare``: the comparison running meanwhile (the speed target's workload)
COMPARE_VALUES = ("tanh", "relu", "sigmoid", "leaky_relu", "elu", "softsign")


def start_comparison(session):
    """The Compare dock, in a window of its own beside the main one (so that every panel
    stays on screen), running 6 values × 10 seeds × 100 epochs of circles-tanh."""
    from core.compare import Plan
    from gui.compare import CompareDock

    dock = CompareDock(session)
    dock.resize(700, 700)
    dock.show()
    exp = core.presets.get("circles-tanh").experiment
    dock.form.set_plan(Plan(exp, "activation", COMPARE_VALUES, tuple(range(10)), 100))
    if not dock.run():
        raise SystemExit(dock.message_text())
    return dock


def gui_rates(app, exp, seconds: float, size: tuple[int, int], profile: str | None,
              grid: bool = True, with_compare: bool = False,
              presentation: bool = False) -> dict:
    from gui.presentation import Presentation
    from gui.session import Session
    from gui.wiring import build_lab

    session = Session(exp)
    window = build_lab(session, None).window
    window.set_theme("light")
    window.resize(*size)
    if presentation:  # before the grid: every panel shown, zoomed, with its wider lines
        window.set_presentation(Presentation(True))
    if grid:
        untabify(window)
    window.show()
    session.start()
    dock = start_comparison(session) if with_compare else None
    wait(app, 0.5)
    hidden = [pid for pid, p in window.panels.items()
              if not (window.docks[pid].isVisible() and not p.visibleRegion().isEmpty())]
    if hidden and grid:
        raise SystemExit(f"panels not visible: {', '.join(hidden)}")
    shown = [pid for pid in window.panels if pid not in hidden]
    sizes = {pid: (p.width(), p.height()) for pid, p in window.panels.items()}

    calls = {pid: 0 for pid in window.panels}
    spent = {pid: 0.0 for pid in window.panels}
    for pid, panel in window.panels.items():
        def timed(view, _pid=pid, _orig=panel.update_view):
            t = time.perf_counter()
            _orig(view)
            spent[_pid] += time.perf_counter() - t
            calls[_pid] += 1
        panel.update_view = timed  # the window calls panel.update_view(view) per frame
    paints = PaintCounter(window.panels)
    frames = []
    session.viewChanged.connect(lambda v: frames.append((time.perf_counter(),
                                                         v.snapshot.step)))
    session.play()
    wait(app, 2.0)  # warm-up: first frames build plot items, caches fill
    frames.clear()
    for pid in calls:
        calls[pid], spent[pid] = 0, 0.0
    paints.counts.clear()
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t_start = time.perf_counter()
    cpu0 = time.process_time()
    wait(app, seconds)
    elapsed = time.perf_counter() - t_start
    cpu = time.process_time() - cpu0
    if prof is not None:
        prof.disable()
        prof.dump_stats(profile)
    session.pause()
    while session.running:  # the worker stops between two steps; let it
        wait(app, 0.05)
    (t0, s0), (t1, s1) = frames[0], frames[-1]
    out = {
        "frames_per_s": (len(frames) - 1) / (t1 - t0),
        "steps_per_s": (s1 - s0) / (t1 - t0),
        "redraws_per_s": {pid: calls[pid] / elapsed for pid in calls if pid in shown},
        "paints_per_s": {pid: paints.counts[pid] / elapsed for pid in calls},
        "ms_per_redraw": {pid: 1000 * spent[pid] / max(calls[pid], 1) for pid in calls},
        "gui_busy": sum(spent.values()) / elapsed,
        "cpu_cores": cpu / elapsed,
        "sizes": sizes,
    }
    if dock is not None:
        p = dock.job.progress
        out["compare"] = (f"{p.done} of {p.total} runs done at the end of the measurement "
                          f"({'still running' if dock.job.running else 'finished before it'})")
        dock.shutdown()
        dock.close()
    out["paint_ms"] = paint_costs(window, session.last_view)
    window.close()
    session.shutdown()
    return out


class PaintCounter:
    """Counts the paint events each panel's plot area receives (an event filter)."""

    def __init__(self, panels: dict) -> None:
        from collections import Counter

        from PySide6.QtCore import QEvent, QObject

        self.counts: Counter = Counter()
        counts, paint = self.counts, QEvent.Type.Paint

        class Filter(QObject):
            def __init__(self, pid: str) -> None:
                super().__init__()
                self.pid = pid

            def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
                if event.type() == paint:
                    counts[self.pid] += 1
                return False

        self.filters = []
        for pid, panel in panels.items():
            f = Filter(pid)
            panel.canvas.viewport().installEventFilter(f)
            self.filters.append(f)


def paint_costs(window, view, repeats: int = 10) -> dict[str, float]:
    """ms for one full synchronous repaint of each panel's plots with training paused (no
    other thread wants the GIL), so the costs of drawing can be told apart from the costs of
    ``update_view`` and from waiting for the training thread."""
    costs = {}
    for pid, panel in window.panels.items():
        viewport = panel.canvas.viewport()
        panel.update_view(view)
        viewport.repaint()
        t = time.perf_counter()
        for _ in range(repeats):
            viewport.repaint()
        costs[pid] = 1000 * (time.perf_counter() - t) / repeats
    return costs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="measured time (default 10)")
    ap.add_argument("--preset", default="circles-tanh")
    ap.add_argument("--size", default="1920x1080", help="window size (default 1920x1080)")
    ap.add_argument("--profile", metavar="FILE", help="cProfile the measured seconds into FILE "
                    "(on Python ≥ 3.12 this records every thread)")
    ap.add_argument("--layout", choices=("grid", "default"), default="grid",
                    help="grid: every panel visible (the target's case); default: the window's "
                    "own layout, some panels behind tabs (only the visible ones are listed)")
    ap.add_argument("--switch-interval", type=float, metavar="S",
                    help="sys.setswitchinterval(S) first: how long a thread may hold the GIL "
                    "while another waits for it (Python's default is 0.005)")
    ap.add_argument("--with-compare", action="store_true",
                    help="measure the window twice: alone, then while the Compare dock runs "
                    "6 values × 10 seeds × 100 epochs of circles-tanh in its worker processes "
                    "(target: at least 60 %% of the frames per second it draws alone)")
    ap.add_argument("--presentation", action="store_true",
                    help="draw in presentation mode (1.5× text and markers, lines 1.9× wider)")
    args = ap.parse_args(argv)
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    size = tuple(int(v) for v in args.size.lower().split("x"))

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench_gui"])
    exp = core.presets.get(args.preset).experiment
    t = time.perf_counter()
    headless = headless_rate(exp, min(args.seconds, 5.0))
    worker_steps, worker_frames = session_rate(app, exp, min(args.seconds, 5.0))
    print(f"references measured in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    t = time.perf_counter()
    r = gui_rates(app, exp, args.seconds, size, args.profile, grid=args.layout == "grid",
                  presentation=args.presentation)
    print(f"window measured in {time.perf_counter() - t:.1f} s", file=sys.stderr)

    print(f"# bench_gui: preset {args.preset}, window {args.size}, "
          f"{args.layout} layout{', presentation mode' if args.presentation else ''}, "
          f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}, {args.seconds:g} s measured, "
          f"switch interval {sys.getswitchinterval() * 1000:g} ms, "
          f"{time.strftime('%Y-%m-%d')}, {platform.python_version()}, {os.cpu_count()} cores")
    print()
    print("| panel | size (px) | update_view calls/s | ms per update_view | paints/s | "
          "ms per full repaint, paused |")
    print("|---|---|---|---|---|---|")
    for pid, rate in r["redraws_per_s"].items():
        w, h = r["sizes"][pid]
        print(f"| {pid} | {w}×{h} | {rate:.1f} | {r['ms_per_redraw'][pid]:.1f} | "
              f"{r['paints_per_s'][pid]:.1f} | {r['paint_ms'][pid]:.1f} |")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| frames delivered (viewChanged) | {r['frames_per_s']:.1f} /s |")
    print(f"| GUI thread busy in update_view | {100 * r['gui_busy']:.0f} % |")
    print(f"| process CPU (both threads) | {r['cpu_cores']:.2f} cores |")
    print(f"| steps/s, trainer.step() headless | {headless:,.0f} |")
    print(f"| steps/s, worker without window ({worker_frames:.0f} frames/s made) | "
          f"{worker_steps:,.0f} ({100 * worker_steps / headless:.0f} %) |")
    print(f"| steps/s, worker while every panel draws | {r['steps_per_s']:,.0f} "
          f"({100 * r['steps_per_s'] / headless:.0f} %) |")
    if args.with_compare:
        c = gui_rates(app, exp, args.seconds, size, None, grid=args.layout == "grid",
                      with_compare=True)
        share = c["frames_per_s"] / r["frames_per_s"]
        print(f"| frames delivered while a comparison runs | {c['frames_per_s']:.1f} /s "
              f"({100 * share:.0f} % of alone) |")
        print(f"| steps/s, worker while a comparison runs | {c['steps_per_s']:,.0f} "
              f"({100 * c['steps_per_s'] / headless:.0f} % of headless) |")
        print(f"| process CPU while a comparison runs | {c['cpu_cores']:.2f} cores |")
        print(f"| the comparison | {c['compare']} |")
        print(f"\ntarget with a comparison: ≥ 60 % of the frames/s alone: "
              f"{'met' if share >= 0.6 else 'MISSED'}")
    ok_draw = min(r["redraws_per_s"].values()) >= 25
    ok_steps = r["steps_per_s"] >= 0.5 * headless
    print()
    print(f"targets: ≥ 25 redraws/s for every panel: {'met' if ok_draw else 'MISSED'}; "
          f"≥ 50 % of headless steps/s: {'met' if ok_steps else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
