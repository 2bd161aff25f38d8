"""The formula dialog, the student's library of functions, and a typed formula in the
activation lists: refused text gets its sentence, good text its preview, the new activation
appears in every list and trains; the library survives a restart; a bad file changes nothing."""

from __future__ import annotations

import json
from operator import attrgetter, methodcaller

import numpy as np
import pytest
from PySide6.QtCore import Qt

pytest.importorskip("sympy")

import gui.formula as formulas  # noqa: E402
from core.activations import formula_name  # noqa: E402
from gui.formula import FormulaLibrary  # noqa: E402
from gui.formula.dialog import FormulaDialog  # noqa: E402

SWISH = formula_name("x*sigmoid(beta*x)", {"beta": (1.0, 0.1, 10.0)}, "swish-b")


@pytest.fixture
def library(tmp_path):
    lib = FormulaLibrary(tmp_path / "formulas.json")
    formulas.use_shared(lib)
    yield lib
    formulas.use_shared(None)


@pytest.fixture
def dialog(qtbot, library):
    dlg = FormulaDialog(library)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def _type(qtbot, dlg, text, params="", name=""):
    with qtbot.waitSignal(dlg.previewed, timeout=20000):
        dlg.params.setText(params)
        dlg.name.setText(name)
        dlg.text.setText(text)
        if not dlg.message.text().startswith("✗"):
            dlg._timer.stop()
            dlg._derive()  # at once rather than after the typing pause


def test_bad_text_is_refused_with_its_column_and_changes_nothing(qtbot, dialog, library):
    _type(qtbot, dialog, "().__class__.__bases__[0]")
    msg = dialog.message.text()
    assert msg.startswith("✗ At column 4 (`__class__`): `__class__` is not allowed")
    assert not dialog.use_btn.isEnabled() and not dialog.save_btn.isEnabled()
    assert library.specs() == []
    _type(qtbot, dialog, "x*sigmoid(beta*x)", params="beta = 1 in [0.1]")
    assert "Parameters" in dialog.message.text() or "not a parameter" in dialog.message.text()


def test_good_text_is_previewed_with_its_derivatives_and_kept(qtbot, dialog, library):
    _type(qtbot, dialog, "x*sigmoid(beta*x)", params="beta = 1 in [0.1, 10]", name="swish-b")
    assert dialog.message.text().startswith("✓ Accepted")
    assert "f′(x) =" in dialog.derivatives.text() and "beta" in dialog.derivatives.text()
    x, y = dialog.curves[0].getData()
    assert len(x) > 100 and np.isfinite(y).all()
    assert dialog.sliders.rowCount() == 1  # beta's slider
    qtbot.mouseClick(dialog.use_btn, Qt.MouseButton.LeftButton)
    assert dialog.spec == SWISH and library.specs() == [SWISH]


def test_a_function_not_finite_everywhere_is_drawn_where_finite_but_not_usable(qtbot, dialog):
    _type(qtbot, dialog, "log(x)")
    assert "log(x) is undefined for x ≤ 0" in dialog.message.text()
    assert not dialog.use_btn.isEnabled()
    _x, y = dialog.curves[0].getData()
    assert np.isnan(y).any() and np.isfinite(y).any()


def test_the_library_survives_a_restart_and_edits(tmp_path, qtbot, library, dialog):
    library.add(SWISH)
    library.add(formula_name("max(0, x)"))
    again = FormulaLibrary(tmp_path / "formulas.json")  # the next session
    assert again.specs() == library.specs()
    renamed = dialog.rename(SWISH, "my swish")
    assert renamed.endswith("name = my swish") and renamed in library
    assert FormulaLibrary(tmp_path / "formulas.json").specs()[0] == renamed
    library.remove(renamed)
    assert FormulaLibrary(tmp_path / "formulas.json").specs() == [formula_name("max(0, x)")]


def test_export_then_import_and_a_bad_file_changes_nothing(tmp_path, qtbot, library, dialog):
    library.add(SWISH)
    out = tmp_path / "mine.json"
    library.export(out)
    other = FormulaLibrary(tmp_path / "other.json")
    assert other.import_file(out) == 1 and other.specs() == [SWISH]
    before = library.specs()
    hostile = {"format": "activation-lab formulas", "formulas": [
        "formula:tanh(x)", "formula:__import__('os').system('echo hi')"]}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(hostile), encoding="utf-8")
    assert not dialog.import_file(str(bad))
    assert dialog.message.text().startswith("✗ Nothing was imported: formula 2 of bad.json is "
                                            "refused: `__import__` is not allowed")
    assert library.specs() == before  # not even the good first one
    (tmp_path / "junk.json").write_bytes(b"\x00\xff" * 100)
    assert not dialog.import_file(str(tmp_path / "junk.json"))
    assert library.specs() == before


def test_a_broken_library_file_is_kept_aside_not_overwritten(tmp_path):
    path = tmp_path / "formulas.json"
    path.write_text("{ not json", encoding="utf-8")
    lib = FormulaLibrary(path)
    assert lib.specs() == [] and "not JSON" in lib.load_problem
    lib.add(SWISH)
    assert path.read_text(encoding="utf-8") == "{ not json"


def test_a_new_formula_shows_in_every_list_and_trains(qtbot, library, make_lab, monkeypatch):
    lab = make_lab()
    from gui.controls.network_box import NetworkBox

    (net_box,) = lab.window.findChildren(NetworkBox)
    row = net_box.rows[0]
    new = row.activation.findData(formulas.NEW)
    assert new == row.activation.count() - 1  # "New activation from a formula…" is last
    assert row.activation.itemText(new) == "New activation from a formula…"

    def typed(parent=None):
        return library.add(SWISH)  # what the dialog returns after "Use it"

    monkeypatch.setattr(formulas, "new_formula", typed)
    row.activation.setCurrentIndex(new)
    session = lab.session
    assert session.experiment.network.hidden[0].activation == SWISH
    row = net_box.rows[0]
    assert row.activation.currentData() == SWISH and row.activation.currentText() == "swish-b"
    # every other list offers it too: the other layers, the output
    assert all(r.activation.findData(SWISH) >= 0 for r in net_box.rows)
    assert net_box.output_combo.findData(SWISH) >= 0
    # and it trains, in the training process
    session.call(methodcaller("run", steps=20)).result(timeout=30)
    layers = session.call(attrgetter("net.layers")).result(timeout=30)
    assert layers[0].act.name == SWISH
    assert np.isfinite(session.call(attrgetter("net.flat")).result(timeout=30)).all()


def test_cancelling_the_dialog_puts_the_choice_back(qtbot, library, make_lab, monkeypatch):
    lab = make_lab(start=False)
    from gui.controls.network_box import NetworkBox

    (net_box,) = lab.window.findChildren(NetworkBox)
    row = net_box.rows[0]
    before = lab.session.experiment
    monkeypatch.setattr(formulas, "new_formula", lambda parent=None: None)
    row.activation.setCurrentIndex(row.activation.findData(formulas.NEW))
    assert lab.session.experiment == before
    assert row.activation.currentData() == before.network.hidden[0].activation


def test_the_curves_panel_lists_the_students_functions(qtbot, library, monkeypatch):
    from gui.panels.activation_curves import ActivationCurvesPanel

    panel = ActivationCurvesPanel()
    qtbot.addWidget(panel)
    assert panel.picker.new_formula.text() == "New activation from a formula…"
    monkeypatch.setattr(formulas, "new_formula", lambda parent=None: library.add(SWISH))
    assert panel.picker.add_formula() == SWISH
    assert SWISH in panel.picker.selected() and panel.picker.current() == SWISH
    assert panel.picker.slider("beta") is not None
    library.remove(SWISH)
    assert SWISH not in panel.picker.names()


def test_the_card_of_a_formula_shows_f_second_and_marks_estimates():
    import core.activations as acts
    from gui.reference import info_html

    card = info_html(acts.get(SWISH, beta=2.0))
    assert "Second derivative" in card and "f″(x) =" in card
    assert card.count("(estimated)") == 5 and "swish-b" in card
    assert "(estimated)" not in info_html(acts.get("tanh"))


def test_panels_write_a_formulas_name_not_its_spec(qtbot, make_view):
    from core.experiment import LayerConfig
    from gui.panels.histograms import HistogramsPanel
    from gui.panels.network_graph import NetworkGraphPanel

    view = make_view("circles-tanh", network={"hidden": (LayerConfig(4, SWISH),
                                                         LayerConfig(4, "tanh"))})
    assert view.snapshot.layers[0].activation == SWISH
    hist = HistogramsPanel()
    qtbot.addWidget(hist)
    hist.update_view(view)
    title = hist._title(view.snapshot.layers[0])
    assert "swish-b" in title and "formula:" not in title
    graph = NetworkGraphPanel()
    qtbot.addWidget(graph)
    graph.update_view(view)
    runs = graph._activation_runs()
    assert runs.startswith("h1 swish-b, h2 tanh") and "formula:" not in runs


def test_formulas_of_an_opened_experiment_are_derived_once_under_a_busy_cursor(qtbot):
    from PySide6.QtWidgets import QApplication

    from core.activations.formula import is_derived

    spec = formula_name("x*tanh(0.123456*x) + 0.25*x")  # a formula no other test derives
    assert not is_derived(spec)
    formulas.prepare(["relu", spec, "formula:().__class__"])  # the refused one is left alone
    assert is_derived(spec)
    assert QApplication.overrideCursor() is None  # put back


def test_several_parameters_may_be_separated_by_commas_or_semicolons(qtbot, dialog):
    for sep in (", ", "; ", ","):
        _type(qtbot, dialog, "where(abs(x - a) < b, 1, 0)",
              f"a = 0 in [-2, 2]{sep}b = 1 in [0.1, 3]", "window")
        assert dialog.message.text().startswith("✓"), dialog.message.text()
        spec = dialog.typed_spec()
        assert "a=0" in spec.replace(" ", "") and "b=1" in spec.replace(" ", "")
