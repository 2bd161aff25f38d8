"""The Compare dock's files and exports: save and reopen without training, damaged files,
the table as CSV, the curves as PNG, SVG and CSV through gui.export, and the command line's
figure."""

from __future__ import annotations

import csv
import dataclasses
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import core.presets
from core import compare
from gui.export_dialog import ExportDialog

TANH = core.presets.get("circles-tanh").experiment
SMALL = dataclasses.replace(TANH, dataset=dataclasses.replace(TANH.dataset, n=100))


@pytest.fixture(scope="module")
def result():
    """A finished comparison, made once in this process (the dock's are tested elsewhere)."""
    plan = compare.Plan(SMALL, "activation", ("tanh", "relu"), (0, 1), 3,
                        compare.Goal.parse("test_metric>=0.6"), source="a test")
    return compare.run_serial(plan)


@pytest.fixture
def dock(make_lab):
    lab = make_lab(experiment=SMALL, start=False)
    return lab.window.show_tool("compare")


def shown(dock, result) -> None:
    """Give the dock ``result`` as if it had just finished."""
    dock.show_result(result)


def test_save_and_reopen_gives_the_same_table_without_training(dock, result, tmp_path,
                                                                monkeypatch, make_lab):
    shown(dock, result)
    saved = dock.save_to(tmp_path / "mine")
    assert saved.name == "mine.alabcmp" and "Saved" in dock.message_text()
    table, verdict = dock.summary.rows(), dock.verdict.text()

    def no_training(*a, **k):
        raise AssertionError("reopening a comparison must not train")

    monkeypatch.setattr(compare.Comparison, "start", no_training)
    monkeypatch.setattr(compare.runner, "run_one", no_training)
    other = make_lab(experiment=SMALL, start=False, show=False).window.tool("compare")
    assert other.open_file(saved)
    assert other.summary.rows() == table and other.verdict.text() == verdict
    assert other.form.values() == ("tanh", "relu") and other.form.source_label.text() == "a test"
    assert other.result().plan == result.plan
    assert "not trained again" in other.message_text()


def test_a_damaged_file_says_why_and_changes_nothing(dock, result, tmp_path):
    shown(dock, result)
    table = dock.summary.rows()
    bad = tmp_path / "bad.alabcmp"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(compare.CompareFileError) as e:
        compare.read_comparison(bad)
    assert not dock.open_file(bad)
    assert dock.message_text() == f"Could not open bad.alabcmp: {e.value}" + (
        "" if str(e.value).endswith(".") else ".")
    assert dock.summary.rows() == table and dock.result() is result
    assert not dock.open_file(tmp_path / "missing.alabcmp")
    assert dock.message_text().startswith("Could not open missing.alabcmp")


def test_the_table_as_csv(dock, result, tmp_path):
    assert dock.write_table_csv(tmp_path / "t.csv") is None  # nothing yet: said, not raised
    assert "no table" in dock.message_text()
    shown(dock, result)
    path = dock.write_table_csv(tmp_path / "t.csv")
    assert path.read_text(encoding="utf-8") == compare.summary_csv(compare.summarize(result))


def test_the_curves_export_like_a_panel(dock, result, tmp_path, monkeypatch):
    from gui.export import write_csv, write_pdf, write_png, write_svg

    shown(dock, result)
    curves = dock.curves
    opened = []
    monkeypatch.setattr(ExportDialog, "exec", lambda self: opened.append(self.panel) or 0)
    next(a for a in curves.canvas.scene().contextMenu if a.text() == "Export…").trigger()
    assert opened == [curves]  # the wiring connected the request to the export actions
    dock.export_action.trigger()
    assert opened == [curves, curves]

    png = write_png(curves, tmp_path / "c.png", 1.0)
    assert png.stat().st_size > 5000
    svg = write_svg(curves, tmp_path / "c.svg")
    assert ET.parse(svg).getroot().tag.endswith("svg")
    assert write_pdf(curves, tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    curves.set_metric("test_metric")
    (path,) = write_csv(curves, tmp_path / "c.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], np.array(rows[1:], dtype=float)
    for c in compare.curves(result, "test_metric"):
        for what in ("n", "median", "q1", "q3"):
            np.testing.assert_array_equal(body[:, header.index(f"{c.value}_{what}")],
                                          getattr(c, what))
    curves.runs_box.setChecked(True)
    header = curves.csv_tables()[0].header
    assert "run_relu_seed1" in header


def test_smoothing_uses_the_training_curves_average(dock, result):
    from core import diagnostics

    shown(dock, result)
    curves = dock.curves
    curves.smooth_slider.setValue(60)
    table = curves.csv_tables()[0]
    median = table.rows[:, table.header.index("tanh_median")]
    np.testing.assert_array_equal(median, diagnostics.ema(
        compare.curves(result, "test_loss")[0].median, 0.6))


def test_the_command_line_draws_the_docks_curves(result, tmp_path, qapp):
    from gui.cli import _compare_figures

    (png,) = _compare_figures(result, tmp_path)
    assert png.name == "curves.png" and png.stat().st_size > 10000
