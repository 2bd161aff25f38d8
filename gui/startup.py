"""Which experiment the window opens with: a file, a preset, the last one of the user's, or
— after an abnormal exit — the experiment autosaved before it (if the student wants it back)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime

import core.presets
from core.experiment import Experiment

__all__ = ["choose_experiment", "offer_restore"]


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


def _ask_yes_no(parent, question: str) -> bool:
    from PySide6.QtWidgets import QMessageBox

    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    return QMessageBox.question(parent, "Restore your experiment?", question, yes | no,
                                yes) == yes


def offer_restore(autosaver, session, *, parent, status: Callable[[str, int], None],
                  restore_panel_states: Callable[[dict], None],
                  ask: Callable[[str], bool] | None = None) -> bool:
    """If the last session ended abnormally, offer the experiment it autosaved. True when it
    was restored.

    Parameters
    ----------
    autosaver : the window's ``gui.autosave.AutoSaver`` (its ``crashed`` file is offered).
    session : the ``gui.session.Session`` that restores it.
    parent : the widget the question box opens over.
    status : ``status(text, milliseconds)`` shows a message in the status bar.
    restore_panel_states : applies the restored file's panel choices.
    ask : ``ask(question) -> bool`` asks the student (default: a Yes/No box; tests pass a
        function).

    When the answer is no, or the file cannot be restored, the current session is left as it
    is and the autosave is kept aside as ``autosave-previous.alab`` (nothing is thrown away).
    """
    path = autosaver.crashed
    if path is None:
        return False
    try:
        when = datetime.fromtimestamp(path.stat().st_mtime).strftime("%H:%M on %d %B")
    except OSError:
        return False
    question = (f"Activation Lab did not close properly last time. Restore the experiment "
                f"that was saved automatically at {when}?")
    if not (ask or (lambda q: _ask_yes_no(parent, q)))(question):
        kept = autosaver.keep_crashed_copy()
        if kept is not None:
            status(f"The autosaved experiment was kept as {kept}", 15000)
        return False
    from core.archive import ArchiveError, read_archive

    try:
        saved = read_archive(path)
        restored = session.restore(saved)  # on failure it reports why
    except Exception as e:  # noqa: BLE001 - a launch must not fail on a bad autosave
        if not isinstance(e, ArchiveError):
            logging.getLogger("activation_lab").warning("restoring %s failed", path,
                                                        exc_info=True)
        autosaver.keep_crashed_copy()
        session.problem.emit(f"The autosaved experiment could not be restored: "
                                    f"{str(e).rstrip('.')}.")
        return False
    if not restored:
        autosaver.keep_crashed_copy()
        return False
    autosaver.restored()
    restore_panel_states(saved.experiment.panels)
    status(f"Restored the experiment saved automatically at {when}.", 15000)
    return True
