"""A step's set-up of the Recurrent lab, ``[steps.recurrent]``: the fields of ``LabSetup``.

A step with one sets up the lab (two cells, A and B, on a sequence task) instead of the main
window's experiment. Its values are checked by ``LabSetup`` itself, field by field first, so
a refusal names the field and its line; then as a whole (the adding problem's T ≥ 2).
"""

from __future__ import annotations

import dataclasses

from ..recurrent.lab_setup import CellSetup, LabSetup, usable_activations
from .fields import Table

__all__ = ["LAB_FIELDS", "LAB_PANEL", "describe_lab", "parse_lab"]

LAB_FIELDS = tuple(f.name for f in dataclasses.fields(LabSetup))
CELL_FIELDS = tuple(f.name for f in dataclasses.fields(CellSetup))
#: the ``panel`` of a step that sets up the lab: the lab is where the student looks
LAB_PANEL = "recurrent"


def _message(e: ValueError) -> str:
    text = e.args[0] if e.args and isinstance(e.args[0], str) else str(e)
    return text[:1].lower() + text[1:].rstrip(".")


def parse_lab(t: Table) -> LabSetup:
    """The lab set-up in ``t`` (fields left out keep the lab's defaults; TOML has no null, so
    no clipping is ``clip_norm`` left out); LessonError naming the field on the first
    problem."""
    for run in ("a", "b"):
        if t.has(run):
            Table(t.raw(run), t.path + (run,), t.src, CELL_FIELDS, what=f"run {run.upper()}")
    for key, value in t.data.items():
        if key in ("a", "b"):
            for cell_key, cell_value in value.items():
                if cell_key in ("gate", "candidate", "cell_output") and (
                        cell_value not in usable_activations()):
                    raise t.src.error(t.path + (key, cell_key), f"a cell cannot use "
                                      f"{cell_value!r} as its {cell_key.replace('_', ' ')} "
                                      f"activation; it can use: "
                                      f"{', '.join(usable_activations())}")
                try:
                    LabSetup.from_dict({key: {cell_key: cell_value}})
                except ValueError as e:
                    raise t.src.error(t.path + (key, cell_key), _message(e)) from None
            continue
        try:
            LabSetup.from_dict({key: value})
        except ValueError as e:
            raise t.error(key, _message(e)) from None
    try:
        return LabSetup.from_dict(dict(t.data))
    except ValueError as e:
        raise t.error(None, f"this set-up of the lab cannot be used: {_message(e)}") from None


def describe_lab(setup: LabSetup) -> list[str]:
    """The set-up in words for the step's card: the task, then each run's cell."""
    return [f"the task: {setup.describe()}", f"run A: {setup.a.describe()}",
            f"run B: {setup.b.describe()}"]
