"""Starting the window: arguments, display check, settings, theme, and screenshot mode.

The objects of the window itself are made and wired by ``gui.wiring``; this module decides
what to open and in which order to show, start and stop it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import core

__all__ = ["run_app", "build_parser"]

ORG, APP = "ActivationLab", "Activation Lab"


def build_parser() -> argparse.ArgumentParser:
    import re
    import textwrap

    from .cli import SYNOPSIS

    lines = ["headless subcommands (no window; 'activation-lab SUBCOMMAND --help' for each):"]
    for usage, what in SYNOPSIS:
        # keep each [option ARG] together on a line: no-break spaces inside brackets
        words = [w.replace(" ", "\u00a0")
                 for w in re.findall(r"\[[^\]]*\]|\([^)]*\)|\S+", usage)]
        lines.append(textwrap.fill(" ".join(words), 78, initial_indent="  activation-lab ",
                                   subsequent_indent=" " * 10, break_on_hyphens=False
                                   ).replace("\u00a0", " "))
        lines.append(textwrap.fill(what, 78, initial_indent=" " * 6, subsequent_indent=" " * 6))
    p = argparse.ArgumentParser(
        prog="activation-lab",
        description=textwrap.fill(
            "Activation Lab: build small neural networks, train them live and see what "
            "activation functions do. Without a subcommand it opens the window.", 78),
        epilog="\n".join(lines),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"Activation Lab {core.__version__}")
    p.add_argument("--screenshot", metavar="OUT.png", type=Path,
                   help="build the window offscreen, train, save a picture of it and exit")
    p.add_argument("--preset", metavar="NAME", help="start from a lesson preset "
                   "(see 'activation-lab list presets')")
    p.add_argument("--experiment", metavar="FILE", type=Path, help="open a saved .alab file")
    p.add_argument("--steps", type=int, default=200, metavar="N",
                   help="mini-batch steps to train before --screenshot (default 200)")
    p.add_argument("--size", default="1366x768", metavar="WxH",
                   help="window size for --screenshot (default 1366x768)")
    p.add_argument("--theme", choices=("light", "dark", "system"), help="colour theme")
    p.add_argument("--presentation", action="store_true",
                   help="start in presentation mode: larger text, thicker lines, for a "
                   "projector (View → Presentation Mode, F5)")
    p.add_argument("--fresh", action="store_true",
                   help="ignore the saved layout and last experiment")
    return p


def _display_problem() -> str | None:
    """On Linux without a display, Qt aborts with a trace; say what to do instead."""
    if not sys.platform.startswith("linux"):
        return None
    if os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY") or os.environ.get(
            "WAYLAND_DISPLAY"):
        return None
    return ("activation-lab: no display found (DISPLAY and WAYLAND_DISPLAY are unset). "
            "To run without a screen, set QT_QPA_PLATFORM=offscreen, for example:\n"
            "  QT_QPA_PLATFORM=offscreen activation-lab --screenshot window.png\n"
            "or use a headless subcommand: activation-lab train --preset circles-tanh")


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"activation-lab: --size must look like 1366x768, not {text!r}") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise SystemExit("activation-lab: --size must be between 200x200 and 8000x8000")
    return w, h


def run_app(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    problem = _display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    size = _parse_size(args.size)
    if args.steps < 0:
        raise SystemExit("activation-lab: --steps must be 0 or more")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from .startup import choose_experiment

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationVersion(core.__version__)
    _set_icon(app)
    screenshot = args.screenshot is not None
    settings = None if (screenshot or args.fresh) else QSettings(ORG, APP)
    try:
        experiment = choose_experiment(args, settings)
    except (ValueError, KeyError, OSError) as e:
        print(f"activation-lab: {e}", file=sys.stderr)
        return 2

    from .session import Session
    from .wiring import build_lab, start_autosave

    session = Session(experiment)
    lab = build_lab(session, settings)
    window = lab.window
    if not screenshot:
        from .crash import install_excepthook

        install_excepthook(window)  # its reporter lives as the window's child
    window.resize(*size)
    window.restore_settings()
    window.restore_panel_states(experiment.panels)
    if args.theme:
        window.set_theme(args.theme)
    elif settings is None:
        window.set_theme("light")
    if args.presentation:
        window.set_presentation(window.presentation.toggled(True))

    def start() -> None:
        if not session.start():
            session.apply(core.experiment.Experiment(), reinitialize=True)

    thumbnails = window.controls.dataset_box.add_thumbnails
    if screenshot:
        from .screenshot import take_screenshot

        start()
        thumbnails()
        return take_screenshot(app, window, session, args.screenshot, args.steps, size)
    if os.environ.get("ACTIVATION_LAB_TIME_START"):
        _report_start_times(window, session)
    # the first trainer, the panels and the thumbnails wait for the first picture of the
    # window, in this order: the training process works on the first frame while the panels
    # are built
    window.after_first_paint(start)
    window.defer_panels()
    window.after_first_paint(thumbnails)
    window.show()
    autosaver = start_autosave(lab)
    code = app.exec()
    if autosaver is not None:
        autosaver.stop(clean=True)  # a normal exit: the next launch offers nothing
    session.shutdown()
    return code


def _report_start_times(window, session) -> None:
    """For ``benchmarks/bench_startup.py --exe``: print the clock when the window has been
    painted once and when the first training frame has been drawn (time.monotonic() is the
    system's clock, so the parent can subtract the moment it started the process)."""
    import time

    def say(what: str) -> None:
        print(f"activation-lab: {what} {time.monotonic():.6f}", file=sys.stderr, flush=True)

    window.after_first_paint(lambda: say("painted"))

    def first_frame(_view) -> None:
        session.viewChanged.disconnect(first_frame)
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: say("frame"))  # after the panels have drawn it

    session.viewChanged.connect(first_frame)


def _set_icon(app) -> None:
    from importlib import resources

    from PySide6.QtGui import QIcon

    icon_file = resources.files("resources") / "icons" / "activation-lab.png"
    if icon_file.is_file():
        app.setWindowIcon(QIcon(str(icon_file)))
