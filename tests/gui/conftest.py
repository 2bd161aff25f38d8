"""GUI test helpers: real frames from a real (small) trainer, built without threads."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_view():
    """``make_view(preset="circles-tanh", steps=30, **section_changes)`` → a real LiveView.

    The trainer runs in the test's thread (no worker), so the frame is deterministic.
    """
    import dataclasses

    import core
    import core.presets
    from gui.live_view import Ghost, make_live_view

    def build(preset: str = "circles-tanh", steps: int = 30, ghosts: int = 0, **changes):
        exp = core.presets.get(preset).experiment
        for section, values in changes.items():
            exp = dataclasses.replace(
                exp, **{section: dataclasses.replace(getattr(exp, section), **values)})
        trainer = exp.build_trainer()
        trainer.run(steps=max(1, steps // 3) * 3)
        view = make_live_view(trainer, exp)  # the trainer's timeline: a row per epoch
        ghost_list = tuple(Ghost(f"earlier run {i + 1}", view.snapshot.history)
                           for i in range(ghosts))
        return dataclasses.replace(view, ghosts=ghost_list)

    return build


@pytest.fixture
def make_lab(qtbot):
    """``make_lab(preset="circles-tanh", size=(1366, 768), theme="light", show=True,
    start=True, settings=None, experiment=None)`` → a ``gui.wiring.Lab``: the window as the
    app wires it, over the preset's experiment (or ``experiment``).

    ``size``/``theme`` None leave the window's own; ``show`` waits until it is exposed;
    ``start`` builds the first trainer and waits for its first frame. Every session made is
    shut down after the test.
    """
    import core.presets
    from gui.session import Session
    from gui.wiring import build_lab

    sessions = []

    def build(preset: str = "circles-tanh", *, size=(1366, 768), theme: str | None = "light",
              show: bool = True, start: bool = True, settings=None, experiment=None):
        session = Session(experiment or core.presets.get(preset).experiment)
        sessions.append(session)
        lab = build_lab(session, settings)
        w = lab.window
        qtbot.addWidget(w)
        if size is not None:
            w.resize(*size)
        if theme is not None:
            w.set_theme(theme)
        if show:
            w.show()
            qtbot.waitExposed(w)
        if start:
            with qtbot.waitSignal(session.viewChanged, timeout=15000):
                session.start()
        return lab

    yield build
    for session in sessions:
        session.shutdown()


@pytest.fixture
def lab(make_lab):
    """The circles-tanh window at 1366×768, light theme, shown and started."""
    return make_lab()


@pytest.fixture
def window(lab):
    """``lab.window``: the main window of :func:`lab`."""
    return lab.window
