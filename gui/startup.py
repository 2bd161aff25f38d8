"""Which experiment the window opens with: a file, a preset, or the last one of the user's."""

from __future__ import annotations

import json

import core.presets
from core.experiment import Experiment

__all__ = ["choose_experiment"]


def choose_experiment(args, settings) -> Experiment:
    """--experiment FILE, else --preset NAME, else the last experiment, else circles-tanh."""
    if getattr(args, "experiment", None):
        from core.archive import read_archive

        return read_archive(args.experiment).experiment
    if getattr(args, "preset", None):
        return core.presets.get(args.preset).experiment
    if settings is not None:
        text = settings.value("session/last_experiment")
        if isinstance(text, str):
            try:
                return Experiment.from_dict(json.loads(text))
            except (ValueError, TypeError):
                pass  # an unreadable last session is not worth an error: start fresh
    return core.presets.get("circles-tanh").experiment
