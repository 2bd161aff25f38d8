"""Make the README's pictures in resources/screenshots/ with the app itself (``make screenshots``).

- the main window, light and dark, and in presentation mode: ``python -m gui --screenshot``
  on the circles-tanh lesson, run in a subprocess exactly as a user would;
- activation curves and derivatives (with the depth plot): ``activation-lab plot``;
- the circles decision boundary and the deep-sigmoid gradient flow: the lesson trained
  headless (the trainer records its timeline as in the app), the panel exported with
  ``gui.export.write_png``;
- the Lessons dock: the window built in this process, the XOR lesson's first step set up
  and trained until its goal is met;
- the Recurrent lab: opened over the window at 1366×768, its first lesson set up and both
  runs trained to the end.

Everything is seeded, so running it again gives the same pictures. They ship in the wheel
(``resources`` is package data), so each must stay under ``MAX_BYTES``.

Run:  QT_QPA_PLATFORM=offscreen python packaging/make_docs_images.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "screenshots"
MAX_BYTES = 400_000
WINDOW_SIZE = "1366x768"
FIGURE_SIZE = (900, 560)  # logical pixels of the plot area (a title band is added above)
SCALE = 1.25  # pixels per logical pixel: sharper than 1× on high-DPI screens, files stay small

sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def window(out: Path, theme: str, preset: str = "circles-tanh", steps: int = 3000,
           *options: str) -> None:
    """The whole window after ``steps`` mini-batches, as ``activation-lab --screenshot``
    (with ``options``, e.g. ``--presentation``)."""
    cmd = [sys.executable, "-m", "gui", "--screenshot", str(out), "--preset", preset,
           "--theme", theme, "--steps", str(steps), "--size", WINDOW_SIZE, *options]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def plot(out: Path, *args: str) -> None:
    """``activation-lab plot ARGS -o OUT``, in this process."""
    from gui.cli import run_subcommand

    size = f"{FIGURE_SIZE[0]}x{FIGURE_SIZE[1]}"
    code = run_subcommand(["plot", *args, "--size", size, "--scale", str(SCALE), "-o", str(out)])
    if code:
        raise SystemExit(f"activation-lab plot failed for {out.name}")


def trained_panel(out: Path, preset: str, panel_id: str, epochs: int) -> None:
    """Train a lesson headless for ``epochs``, then export one panel's picture of that
    moment, with the run's whole timeline."""
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication

    import core
    import core.presets
    from gui.export import write_png
    from gui.live_view import make_live_view
    from gui.panels.registry import panel_classes
    from gui.theme import theme_named

    _app = QApplication.instance() or QApplication(["make_docs_images"])  # noqa: F841
    exp = core.presets.get(preset).experiment
    trainer = exp.build_trainer(exp.build_dataset())
    trainer.run(steps=epochs * trainer.steps_per_epoch)
    view = make_live_view(trainer, exp)  # with the trainer's whole timeline
    cls = {c.panel_id: c for c in panel_classes()}[panel_id]
    panel = cls()
    panel.resize(*FIGURE_SIZE)
    panel.apply_theme(theme_named("light"))
    panel.update_view(view)
    write_png(panel, out, SCALE, "theme", QSize(*FIGURE_SIZE))


def _wait(app, out: Path, condition, seconds: float = 60.0) -> None:
    """Serve the event loop until ``condition()`` (SystemExit naming ``out`` after
    ``seconds``)."""
    import time

    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise SystemExit(f"{out.name}: timed out")
        app.processEvents()
        time.sleep(0.01)


def _settle(app) -> None:
    """Let the last frames be drawn before a grab."""
    import time

    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)


def _lab_window():
    """(app, session, lab, window): the window built in this process at ``WINDOW_SIZE``,
    light theme, shown, without the user's lessons."""
    from PySide6.QtWidgets import QApplication

    from gui.session import Session
    from gui.wiring import build_lab

    app = QApplication.instance() or QApplication(["make_docs_images"])
    session = Session()
    lab = build_lab(session, None, lesson_folder=ROOT / "no-user-lessons")
    w = lab.window
    w.resize(*(int(v) for v in WINDOW_SIZE.split("x")))
    w.set_theme("light")
    w.show()
    return app, session, lab, w


def lessons_dock(out: Path, lesson: str = "xor", step: int = 0, pace: float = 50) -> None:
    """The window at 1366×768 with the Lessons dock open at ``lesson``'s step: set up, the
    right prediction chosen, trained at ``pace`` steps a second until its goal is met."""
    app, session, lab, w = _lab_window()

    def wait(condition) -> None:
        _wait(app, out, condition)

    session.start()
    wait(lambda: session.last_view is not None)
    lab.lessons.open_lesson(lesson)
    dock = w.tool("lessons")
    dock.open_step(step)
    dock.set_up()
    prediction = dock.step.prediction
    if prediction is not None and prediction.answer is not None:
        dock.prediction.buttons[prediction.answer].click()
    w.transport.set_pace(pace)  # the toolbar shows it, and the session trains at it
    session.play()
    wait(lambda: "✓" in dock.goal_label.text())
    session.pause()
    wait(lambda: not session.running)
    dock.scroll_to_step()  # the step, its prediction and its ✓ in view
    _settle(app)
    w.grab().save(str(out))
    session.shutdown()
    w.close()


def recurrent_lab(out: Path, lesson: str = "gates-and-candidates") -> None:
    """The Recurrent lab as it opens over the window at 1366×768 (its own window), with
    ``lesson`` set up and both runs trained to its last epoch."""
    import core.lessons as L

    app, session, _lab, w = _lab_window()

    def wait(condition) -> None:
        _wait(app, out, condition)

    dock = w.show_tool("recurrent")
    wait(lambda: w.tool_docks["recurrent"].isFloating() and dock.frame is not None)
    # as over a 1366×768 window (the offscreen screen is smaller than that)
    w.tool_docks["recurrent"].setGeometry(24, 24, 1318, 720)
    (setup,) = [s.recurrent for s in L.get(lesson).steps if s.recurrent is not None]
    dock.set_up(setup)  # what the Lessons dock's Set up does
    wait(lambda: dock.frame.generation == dock.generation)
    dock.train_button.click()
    wait(lambda: not dock.running and not dock.frame.running and all(
        r.epoch >= dock.setup.epochs for r in dock.frame.runs))
    _settle(app)
    w.tool_docks["recurrent"].grab().save(str(out))
    dock.shutdown()
    session.shutdown()
    w.close()


IMAGES = {
    "main-window-light.png": lambda p: window(p, "light"),
    "main-window-dark.png": lambda p: window(p, "dark"),
    "main-window-presentation.png": lambda p: window(
        p, "light", "circles-tanh", 3000, "--presentation"),
    "activation-curves.png": lambda p: plot(
        p, "sigmoid", "tanh", "relu", "leaky_relu", "gelu", "--param", "leaky_relu.alpha=0.1"),
    "derivatives.png": lambda p: plot(p, "sigmoid", "tanh", "relu", "--derivative", "--second"),
    "circles-decision-boundary.png": lambda p: trained_panel(p, "circles-tanh", "output", 100),
    "deep-sigmoid-gradient-flow.png": lambda p: trained_panel(
        p, "deep-sigmoid", "gradient_flow", 60),
    "lessons-dock.png": lessons_dock,
    "recurrent-lab.png": recurrent_lab,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="+", choices=sorted(IMAGES), metavar="NAME",
                    help="make only these images")
    ap.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    too_big = []
    for name in args.only or IMAGES:
        path = args.out / name
        IMAGES[name](path)
        path.chmod(0o644)  # the exporter writes through a private temporary file
        size = path.stat().st_size
        print(f"{name:34s} {size / 1000:6.0f} kB")
        if size > MAX_BYTES:
            too_big.append(name)
    if too_big:
        print(f"over {MAX_BYTES // 1000} kB (they ship in the wheel): {', '.join(too_big)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
