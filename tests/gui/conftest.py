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
        timeline = core.Timeline()
        view = None
        for _ in range(3):  # three frames, so timelines have more than one point
            trainer.run(steps=max(1, steps // 3))
            view = make_live_view(trainer, exp, timeline)
        ghost_list = tuple(Ghost(f"earlier run {i + 1}", view.snapshot.history)
                           for i in range(ghosts))
        return dataclasses.replace(view, ghosts=ghost_list)

    return build
