"""The window remembers the last experiment, layout and theme between launches."""

from __future__ import annotations

from PySide6.QtCore import QSettings

import core.presets
from gui.startup import choose_experiment


class _Args:
    experiment = None
    preset = None


def test_last_experiment_theme_and_layout_come_back(make_lab, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    unshown = dict(size=None, theme=None, show=False, start=False)
    lab = make_lab("dying-relu", settings=settings, **unshown)
    window = lab.window
    window.set_theme("dark")
    window.docks["gradient_flow"].hide()
    window.panels["training_curves"].restore_view_state({"log_y": True})
    window.save_settings()
    lab.session.shutdown()
    settings.sync()

    again = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    exp = choose_experiment(_Args(), again)
    assert exp.network.bias_init == core.presets.get("dying-relu").experiment.network.bias_init
    assert exp.network.hidden == core.presets.get("dying-relu").experiment.network.hidden
    assert "training_curves" in exp.panels
    lab2 = make_lab(experiment=exp, settings=again, **unshown)
    window2 = lab2.window
    window2.restore_settings()
    assert window2.theme_name == "dark"
    assert lab2.menus.theme_actions["dark"].isChecked()
    assert window2.docks["gradient_flow"].isHidden()


def test_unreadable_last_experiment_falls_back_to_default(tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("session/last_experiment", "{not json")
    exp = choose_experiment(_Args(), settings)
    assert exp == core.presets.get("circles-tanh").experiment
