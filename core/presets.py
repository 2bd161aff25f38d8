"""Ready-made experiments (lessons), one JSON file each in resources/presets/.

Each preset answers one of the questions learners bring: it carries the question, a short
lesson text and the experiment that shows the answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .experiment import Experiment

__all__ = ["Preset", "get", "names", "all_presets"]


@dataclass(frozen=True)
class Preset:
    """One lesson: its file name, title, the question it answers, the lesson text, the run."""

    name: str
    title: str
    question: str
    description: str
    experiment: Experiment


@cache
def all_presets() -> dict[str, Preset]:
    """Every lesson by name, read once from ``resources/presets/*.json``, in lesson order.

    The order is each file's ``order`` field (999 when it has none), then the name.
    """
    folder = resources.files("resources") / "presets"
    found = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".json"):
            continue
        d = json.loads(entry.read_text(encoding="utf-8"))
        name = entry.name[: -len(".json")]
        exp_fields = {k: d[k] for k in ("dataset", "network", "training", "panels") if k in d}
        exp = Experiment.from_dict(
            {**exp_fields, "title": d["title"], "description": d["description"]}
        )
        found.append((d.get("order", 999), Preset(name, d["title"], d["question"],
                                                   d["description"], exp)))
    found.sort(key=lambda t: (t[0], t[1].name))
    return {p.name: p for _, p in found}


def names() -> list[str]:
    """Every lesson's name, in lesson order (the Lessons menu's).

    Returns
    -------
    list of str
        A new list, e.g. ``["circles-tanh", "circles-relu", ...]``: the JSON file names
        without ``.json``.
    """
    return list(all_presets())


def get(name: str) -> Preset:
    """The lesson ``name``.

    Parameters
    ----------
    name : str
        A name from ``names()``.

    Returns
    -------
    Preset
        Its ``title``, ``question``, ``description`` and ``experiment``: an ``Experiment``
        to build the run from (``experiment.build_trainer()``).

    Raises
    ------
    KeyError
        If there is no such lesson; the message lists the known names.
    """
    try:
        return all_presets()[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(all_presets())}") from None
