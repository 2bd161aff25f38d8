"""The Lessons menu by topic, F2, File → Open Lesson… with good and bad files, the user's
lessons folder, and a status bar without lesson text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

import core.lessons as L
import core.presets
from gui.lessons import LessonCatalog

GOOD = '''title = "My own lesson"
question = "Does my lesson open?"
learn = "that it does"
topic = "Week 3"

[[steps]]
title = "Look"
panel = "histograms"
instruction = "Look at the histograms."

[steps.prediction]
prompt = "What will the histograms show?"
'''
BAD = GOOD.replace('panel = "histograms"', 'panel = "histogram"')


def menu_of(window, title):
    return next(a for a in window.menuBar().actions() if a.text() == title).menu()


def lessons_menu(lab):
    menu = lab.menus.lessons_menu
    menu.aboutToShow.emit()  # it is filled when first opened
    return menu


def test_the_lessons_menu_lists_every_lesson_under_its_topic(lab, qtbot):
    menu = lessons_menu(lab)
    subs = {a.text(): a.menu() for a in menu.actions() if a.menu() is not None}
    topics = {l.topic for l in L.builtin().values()}
    assert topics <= set(subs)
    for topic in topics:
        titles = [a.text().replace("&&", "&") for a in subs[topic].actions()]
        assert titles == [l.title for l in L.builtin().values() if l.topic == topic]
    # the presets stay reachable, below the lessons
    presets = subs["&Preset Experiments"]
    assert len(presets.actions()) == len(core.presets.all_presets())
    # a lesson from the menu opens in the dock, its step's panel raised
    xor = next(a for a in subs["Outputs and losses"].actions() if a.text().startswith("XOR"))
    xor.trigger()
    dock = lab.window.tool("lessons")
    assert lab.window.tool_docks["lessons"].isVisible() and dock.key == "xor"
    assert dock.chooser.currentData() == "xor"


def test_f2_shows_and_hides_the_lessons_dock(lab, qtbot):
    w = lab.window
    dock = w.tool_docks["lessons"]
    toggle = dock.toggleViewAction()
    assert toggle.shortcut().toString() == "F2"
    assert toggle in menu_of(w, "&View").actions() and toggle in lessons_menu(lab).actions()
    assert dock.isHidden()
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_F2)
    qtbot.waitUntil(dock.isVisible)
    assert w.tool("lessons").lesson is not None


def test_open_lesson_reads_a_file_and_a_bad_one_changes_nothing(make_lab, tmp_path, qtbot):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    lab = make_lab(settings=settings)
    file_menu = [a.text() for a in menu_of(lab.window, "&File").actions()]
    assert "Open &Lesson…" in file_menu
    good, bad = tmp_path / "mine.toml", tmp_path / "broken.toml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    assert lab.lessons.open_file(good)
    dock = lab.window.tool("lessons")
    assert dock.lesson.title == "My own lesson" and dock.key == f"file:{good}"
    # a free-text prediction, kept when Enter is pressed
    assert dock.prediction.text.isVisibleTo(dock) and not dock.prediction.choices
    qtbot.keyClicks(dock.prediction.text, "a bell shape")
    qtbot.keyClick(dock.prediction.text, Qt.Key.Key_Return)
    assert dock.progress.steps[0].prediction == "a bell shape"
    before = (dock.key, dock.progress, lab.session.experiment, lab.lessons.catalog.keys())

    assert not lab.lessons.open_file(bad)
    box = lab.window.findChild(QMessageBox, "activation-lab-warning")
    assert box is not None and box.isVisible()
    text = box.text()
    assert "broken.toml" in text and "line 8" in text and "field steps[1].panel" in text
    assert "histogram" in text
    assert (dock.key, dock.progress, lab.session.experiment,
            lab.lessons.catalog.keys()) == before
    box.close()
    # the good file is offered again after a restart, under its topic
    again = make_lab(settings=settings)
    menu = lessons_menu(again)
    week = next(a.menu() for a in menu.actions() if a.text() == "Week 3")
    assert [a.text() for a in week.actions()] == ["My own lesson"]
    week.actions()[0].trigger()  # with its progress (kept under a key made of its path)
    assert again.window.tool("lessons").progress.steps[0].prediction == "a bell shape"


def test_the_user_folder_is_read_and_a_bad_file_there_is_reported_not_fatal(tmp_path, qtbot):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "mine.toml").write_text(GOOD.replace('topic = "Week 3"\n', ""), "utf-8")
    (folder / "broken.toml").write_text(BAD, encoding="utf-8")
    catalog = LessonCatalog(None, folder)
    assert "user:mine" in catalog and "user:broken" not in catalog
    assert [e.key for e in catalog.by_topic()["My lessons"]] == ["user:mine"]
    assert all(name in catalog for name in L.names())
    (error,) = catalog.errors
    assert Path(error.path).name == "broken.toml" and error.line == 8
    assert error.field == "steps[1].panel"
    assert LessonCatalog(None, tmp_path / "absent").errors == []


@pytest.mark.parametrize("preset", ["dying-relu", "xor-2-4-1-tanh"])
def test_a_preset_puts_no_lesson_text_in_the_status_bar(lab, qtbot, preset):
    p = core.presets.get(preset)
    with qtbot.waitSignal(lab.session.experimentChanged, timeout=10000):
        lab.files.load_preset(preset)
    message = lab.window.statusBar().currentMessage()
    assert p.description[:30] not in message and p.title not in message
    assert lab.session.experiment == p.experiment


@pytest.mark.parametrize("where", ["&File", "&Lessons"])
def test_the_menu_items_ask_for_a_file_and_open_it(make_lab, tmp_path, monkeypatch, where):
    """Through the menu, as a user does (QAction.triggered passes "checked": it was once
    taken for the path, and the item raised a TypeError)."""
    from PySide6.QtWidgets import QFileDialog

    good = tmp_path / "mine.toml"
    good.write_text(GOOD, encoding="utf-8")
    asked = []

    def answer(*args, **kwargs):
        asked.append(args)
        return str(good), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(answer))
    lab = make_lab()
    menu = lessons_menu(lab) if where == "&Lessons" else menu_of(lab.window, where)
    item = next(a for a in menu.actions() if a.text().startswith("Open Lesson")
                or a.text().startswith("Open &Lesson"))
    item.trigger()
    assert len(asked) == 1
    assert lab.window.tool("lessons").lesson.title == "My own lesson"
