"""Monkey test: thousands of seeded random actions over the whole window while it trains.

Clicks on menu and toolbar actions, play/pause/step/epoch/reset, typing valid and invalid text
into number fields, data sets, activations and every other choice in the settings dock, adding
and removing layers, lessons, themes, panel options, clicks on the plots, CSV imports of good
and bad tables, saving, opening (good and damaged files) and exports. pytest-qt fails the test
on any exception raised in a Qt slot or event handler; the test also checks that the training
thread survives and ends with the window.

The default run does 400 actions (each kind at least once first, then at random);
``--run-slow`` adds a 2,000-action run, and ``MONKEY_N=20000`` makes that one as long as you
like (before a release). ``MONKEY_SEED=n`` replays another sequence; a failure prints the last
actions.
"""

from __future__ import annotations

import collections
import os
import random
import threading
import time
from operator import attrgetter
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QSlider,
    QWidget,
)

import core.presets
import gui.controls.dataset_box
import gui.formula
from gui import export
from gui.export_dialog import ExportDialog
from gui.widgets import NumberEdit
from gui.wiring import Lab

SEED = int(os.environ.get("MONKEY_SEED", "20240611"))
GARBAGE = ["", " ", "abc", "1e400", "-1e400", "nan", "inf", "−2", " 3 ", "1,5", "0x1f", "١٢",
           "1e-400", "--1", "9" * 40, "1_000", "½", "0.0.1", "+", "e5"]

CSVS = {
    "good.csv": "x1,x2,label\n" + "".join(
        f"{i % 7 - 3},{(i * 5) % 11 - 5},{'yes' if (i % 7) > 3 else 'no'}\n" for i in range(60)),
    "regression.csv": "a,b,c,y\n" + "".join(
        f"{i},{i % 3},{i * 0.5},{i * 1.5 + 2}\n" for i in range(40)),
    "ragged.csv": "a,b,y\n1,2,0\n3,4\n5,6,1\n",
    "text.csv": "a,b,y\n1,two,0\n3,4,1\n",
    "missing.csv": "a,b,y\n1,,0\n3,4,1\n",
    "one-class.csv": "a,b,y\n1,2,0\n3,4,0\n",
    "empty.csv": "",
    "latin1.csv": None,  # written as bytes below
}


class Monkey:
    """Seeded random actions on ``window``; ``run(n)`` does n of them."""

    def __init__(self, lab: Lab, tmp: Path, rnd: random.Random) -> None:
        window = lab.window
        self.w = window
        self.files = lab.files
        self.s = window.session
        self.tmp = tmp
        self.rnd = rnd
        self.log: collections.deque[str] = collections.deque(maxlen=40)
        self.counts: collections.Counter[str] = collections.Counter()
        self.seconds: collections.Counter[str] = collections.Counter()
        self.slowest: list[tuple[float, str]] = []
        self.saved_files: list[Path] = []
        self.csv_path = tmp / "good.csv"
        self.actions = [
            (self.transport, 12), (self.edit_number, 20), (self.move_slider, 3),
            (self.pick_combo, 14), (self.toggle_checkbox, 8), (self.add_or_remove_layer, 8),
            (self.layer_params, 2), (self.lesson, 2), (self.theme, 1.5),
            (self.panel_option, 10), (self.view_menu, 4), (self.click_plot, 6),
            (self.menu_action, 3), (self.save_or_open, 1.2), (self.load_csv, 1.5),
            (self.reference, 0.3),
        ]
        self.menu_actions = [a for a in _leaf_actions(window.menuBar())
                             if a.text().replace("&", "").rstrip("…") not in
                             ("Quit", "Export Panel", "Export All Panels", "Open")]

    # --- the loop --------------------------------------------------------------------------
    def run(self, n: int) -> None:
        fns = [f for f, _ in self.actions]
        weights = [w for _, w in self.actions]
        tour = self.rnd.sample(fns, len(fns))  # every kind once, so a short run tries them all
        for i in range(n):
            if i % 200 == 199:
                self.do(self.export)
            elif i < len(tour):
                self.do(tour[i])
            else:
                self.do(self.rnd.choices(fns, weights)[0])
            if not self.s.running and self.rnd.random() < 0.15:
                self.s.play()  # mostly training while the monkey plays
            if i % 100 == 0:
                assert self.s.worker.alive, f"the training thread died; last: {list(self.log)}"

    def do(self, fn) -> None:
        name = fn.__name__
        self.counts[name] += 1
        self.log.append(name)
        t0 = time.perf_counter()
        fn()
        QApplication.processEvents()
        took = time.perf_counter() - t0
        self.seconds[name] += took
        self.slowest.append((took, self.log[-1]))
        self.slowest = sorted(self.slowest, reverse=True)[:10]

    def note(self, text: str) -> None:
        self.log[-1] += f": {text}"

    # --- helpers ---------------------------------------------------------------------------
    def controls(self, cls) -> list:
        return [c for c in self.w.controls.findChildren(cls) if c.isEnabled()
                and c.isVisibleTo(self.w.controls)]

    def text_for(self, edit: NumberEdit) -> str:
        lo, hi = edit.range()
        integer = edit.rangeMessage().startswith("Enter a whole")
        r = self.rnd.random()
        if r < 0.5:  # a likely value, kept small so training stays quick
            top = min(hi, lo + (12 if integer else 1.0) if lo > -1 else 3)
            v = self.rnd.randint(int(lo), int(max(lo, top))) if integer else (
                self.rnd.uniform(lo, max(lo, top)))
            return str(v) if integer else f"{v:.4g}"
        if r < 0.56:
            return repr(self.rnd.choice([lo, hi]) if not integer else int(lo))
        if r < 0.75:
            return str(self.rnd.choice([lo - 1, hi * 10 + 1, -5, 10**9]))
        return self.rnd.choice(GARBAGE)

    # --- actions ---------------------------------------------------------------------------
    def transport(self) -> None:
        t = self.w.transport
        act = self.rnd.choices([t.play, t.step, t.epoch, t.reset], [4, 3, 1, 1.5])[0]
        self.note(act.text())
        if act.isEnabled():
            act.trigger()

    def edit_number(self) -> None:
        edits = self.controls(NumberEdit)
        if not edits:
            return
        edit = self.rnd.choice(edits)
        text = self.text_for(edit)
        self.note(f"{edit.toolTip()[:30]!r} ← {text!r}")
        edit.selectAll()
        edit.selectAll()
        type_text(edit, text) if text else edit.del_()
        how = self.rnd.random()
        if how < 0.6:
            QTest.keyClick(edit, Qt.Key.Key_Return)
        elif how < 0.8:
            QTest.keyClick(edit, Qt.Key.Key_Escape)
        else:
            edit.commit()

    def move_slider(self) -> None:
        sliders = self.controls(QSlider)
        if sliders:
            slider = self.rnd.choice(sliders)
            slider.setValue(self.rnd.randint(slider.minimum(), slider.maximum()))

    def pick_combo(self) -> None:
        combos = self.controls(QComboBox)
        if not combos:
            return
        combo = self.rnd.choice(combos)
        items = [i for i in range(combo.count()) if combo.itemData(i) is not None]
        if combo is self.w.controls.dataset_box.combo:  # digits is slow: keep it rare
            items = [i for i in items if combo.itemData(i) != "digits"
                     or self.rnd.random() < 0.05]
        if items:
            i = self.rnd.choice(items)
            self.note(f"{combo.itemData(i)}")
            combo.setCurrentIndex(i)

    def toggle_checkbox(self) -> None:
        boxes = self.controls(QCheckBox)
        if boxes:
            box = self.rnd.choice(boxes)
            self.note(box.text())
            box.click()

    def add_or_remove_layer(self) -> None:
        box = self.w.controls.network_box
        if box.rows and (self.rnd.random() < 0.5 or len(box.rows) > 5):
            row = self.rnd.choice(box.rows)
            self.note("remove")
            row.remove.click()
        elif box.add_button.isEnabled():
            self.note("add")
            box.add_button.click()

    def layer_params(self) -> None:
        box = self.w.controls.network_box
        rows = [r for r in box.rows if r.gear.isEnabled()]
        popup = self.rnd.choice(rows).open_params() if rows else box.open_output_params()
        if popup is None:
            return
        for edit in popup.edits.values():
            if self.rnd.random() < 0.7:
                edit.slider.setValue(self.rnd.randint(0, edit.slider.maximum()))
        popup.close()

    def lesson(self) -> None:
        name = self.rnd.choice([n for n in core.presets.all_presets() if n != "digits-relu"
                                or self.rnd.random() < 0.1])
        self.note(name)
        self.files.load_preset(name)

    def theme(self) -> None:
        self.w.set_theme(self.rnd.choice(["light", "dark", "system"]))

    def panel_option(self) -> None:
        panel = self.rnd.choice(list(self.w.panels.values()))
        widgets = [c for c in panel.options.findChildren(QWidget)
                   if isinstance(c, QAbstractButton | QComboBox | QSlider | QLineEdit)
                   and c.isEnabled()]
        if not widgets:
            return
        c = self.rnd.choice(widgets)
        self.note(f"{panel.panel_id} {type(c).__name__}")
        if isinstance(c, QComboBox):
            c.setCurrentIndex(self.rnd.randrange(c.count()))
        elif isinstance(c, QSlider):
            c.setValue(self.rnd.randint(c.minimum(), c.maximum()))
        elif isinstance(c, QLineEdit):
            c.selectAll()
            type_text(c, self.rnd.choice(["-3", "0", "12", "1e9", "x", "-1e9", "", "4"]))
            QTest.keyClick(c, Qt.Key.Key_Return)
        else:
            c.click()

    def view_menu(self) -> None:
        pid = self.rnd.choice(list(self.w.docks))
        dock = self.w.docks[pid]
        if self.rnd.random() < 0.3:
            dock.toggleViewAction().trigger()
            self.note(f"toggle {pid}")
        else:
            dock.show()
            dock.raise_()
            self.note(f"raise {pid}")
        if self.rnd.random() < 0.05:
            self.w.reset_layout()

    def click_plot(self) -> None:
        panel = self.rnd.choice(list(self.w.panels.values()))
        view = panel.canvas.viewport()
        if view.width() < 2 or view.height() < 2:
            return
        pos = QPoint(self.rnd.randrange(view.width()), self.rnd.randrange(view.height()))
        if self.rnd.random() < 0.5:
            QTest.mouseMove(view, pos)
        else:
            QTest.mouseClick(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                             pos)

    def menu_action(self) -> None:
        act = self.rnd.choice(self.menu_actions)
        self.note(act.text())
        if act.isEnabled():
            act.trigger()

    def save_or_open(self) -> None:
        if self.saved_files and self.rnd.random() < 0.5:
            path = self.rnd.choice(self.saved_files)
            if self.rnd.random() < 0.3:  # damage it first
                data = path.read_bytes()
                path = self.tmp / "damaged.alab"
                cut = self.rnd.randrange(len(data))
                path.write_bytes(data[:cut] + bytes([data[cut] ^ 0x55]) + data[cut + 1:])
            self.note(f"open {path.name}")
            self.open_path = path
            self.files.open(path)
        else:
            path = self.tmp / f"save{len(self.saved_files) % 5}.alab"
            self.save_path = path
            self.note(f"save {path.name}")
            if self.files.save_as() and path not in self.saved_files:
                self.saved_files.append(path)

    def load_csv(self) -> None:
        name = self.rnd.choice(sorted(CSVS))
        self.csv_path = self.tmp / name
        self.note(name)
        self.w.controls.dataset_box.load_button.click()  # file and column dialogs patched

    def reference(self) -> None:
        self.files.show_reference()
        for dlg in QApplication.topLevelWidgets():
            if dlg is not self.w and dlg.isVisible() and dlg.windowTitle().startswith(
                    "Activation reference"):
                dlg.close()

    def export(self) -> None:
        panel = self.rnd.choice(list(self.w.panels.values()))
        folder = self.tmp / "exports"
        folder.mkdir(exist_ok=True)
        kind = self.rnd.choice(["png", "svg", "csv", "dialog", "all"])
        self.note(f"{panel.panel_id} {kind}")
        if kind == "png":
            export.write_png(panel, folder / f"{panel.panel_id}.png", scale=1.0)
        elif kind == "svg":
            export.write_svg(panel, folder / f"{panel.panel_id}.svg")
        elif kind == "csv":
            export.write_csv(panel, folder / f"{panel.panel_id}.csv")
        elif kind == "dialog":
            dlg = ExportDialog(self.w, panel)
            dlg.export_to(folder / f"{panel.panel_id}-dialog.png")
            dlg.deleteLater()
        else:
            w = self.w
            export.export_all_panels(w.panels, folder / f"all{self.counts['export']}",
                                     settings=w.experiment_settings,
                                     view=self.s.last_view, theme=w.theme_name)


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` as key events (QTest.keyClicks asserts on characters beyond ASCII)."""
    for ch in text:
        if ch.isascii():
            QTest.keyClicks(widget, ch)
        else:  # what an input method delivers: a key event carrying only the text
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                         ch))


def _leaf_actions(menu_or_bar) -> list:
    out = []
    for a in menu_or_bar.actions():
        if a.menu() is not None:
            out += _leaf_actions(a.menu())
        elif not a.isSeparator():
            out.append(a)
    return out


@pytest.fixture
def monkey_window(make_lab, tmp_path, monkeypatch):
    """A full window, shown, training, with every modal dialog replaced by an answer."""
    for name, text in CSVS.items():
        if text is not None:
            (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "latin1.csv").write_bytes("a,b,y\n1,2,é\n3,4,ü\n".encode("latin-1"))
    holder: dict = {}

    def open_name(parent, caption="", folder="", filter_="", *a, **k):
        m = holder["monkey"]
        if "CSV" in filter_:
            return str(m.csv_path), filter_
        return str(getattr(m, "open_path", tmp_path / "none.alab")), filter_

    def save_name(parent, caption="", folder="", filter_="", *a, **k):
        return str(getattr(holder["monkey"], "save_path", tmp_path / "save.alab")), filter_

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_name))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(tmp_path)))
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: None))
    monkeypatch.setattr(gui.controls.dataset_box, "ask_target_column",
                        lambda parent, header: holder["monkey"].rnd.choice([*header, None]))

    # "New activation from a formula…" opens a modal dialog: answered by a typed formula or
    # a cancel, into a library of this test's own
    library = gui.formula.FormulaLibrary(tmp_path / "formulas.json")
    gui.formula.use_shared(library)
    swish = "formula:x*sigmoid(beta*x); beta = 1 in [0.1, 10]"
    monkeypatch.setattr(gui.formula, "new_formula", lambda parent=None: holder[
        "monkey"].rnd.choice([None, library.add(swish)]))
    lab = make_lab(size=(1280, 800), theme=None)
    session = lab.session
    threads_before = threading.active_count()
    yield lab, holder
    session.shutdown()
    gui.formula.use_shared(None)
    assert not session.worker.alive
    assert threading.active_count() <= threads_before


def _run(monkey_window, tmp_path, n: int) -> None:
    lab, holder = monkey_window
    w = lab.window
    monkey = Monkey(lab, tmp_path, random.Random(SEED))
    holder["monkey"] = monkey
    w.session.play()
    try:
        monkey.run(n)
        # after all that, the window still trains and answers
        s = w.session
        s.pause()
        s.update(training={"lr": 0.01})
        before = s.call(attrgetter("step_count")).result(timeout=30)
        s.step(3)
        assert s.call(attrgetter("step_count")).result(timeout=30) == before + 3
    finally:
        print(f"seed {SEED}; actions: {dict(monkey.counts)}")
        print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in monkey.seconds.most_common()))
        print("slowest: " + "; ".join(f"{t:.2f} s {what}" for t, what in monkey.slowest))
        print("last actions:\n  " + "\n  ".join(monkey.log))
    # every kind of action happened
    assert set(monkey.counts) >= {f.__name__ for f, _ in monkey.actions} | {"export"}
    assert w.session.worker.alive


def test_monkey_400_actions_while_training(monkey_window, tmp_path):
    _run(monkey_window, tmp_path, 400)


@pytest.mark.slow
def test_monkey_2000_actions_while_training(monkey_window, tmp_path):
    _run(monkey_window, tmp_path, int(os.environ.get("MONKEY_N", 2000)))
