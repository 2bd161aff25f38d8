"""Numbers in titles while training runs: written at most every TEXT_INTERVAL, the curves on
every frame; a paused frame and anything exported (catch_up) show the frame's own numbers."""

from __future__ import annotations

import dataclasses

import pytest

import gui.panels.base as base
from gui.panels.gradient_flow import GradientFlowPanel
from gui.panels.histograms import HistogramsPanel
from gui.panels.output import OutputPanel


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(base, "time", c)
    return c


def _titles(panel) -> list[str]:
    if isinstance(panel, HistogramsPanel):
        return [c.plot.titleLabel.text for c in panel.cells] + [panel.note.text()]
    if isinstance(panel, GradientFlowPanel):
        return [panel.bar_plot.titleLabel.text] + [
            lab.textItem.toPlainText() for lab in panel.bar_labels]
    return [panel.active.plot.titleLabel.text]


def _curve(panel):
    if isinstance(panel, HistogramsPanel):
        return panel.cells[0].hist.getData()[1].tolist()
    if isinstance(panel, GradientFlowPanel):
        return panel.norm_lines[0].getData()[1].tolist()
    return panel.active.image.image.tobytes()


@pytest.mark.parametrize("cls", [HistogramsPanel, GradientFlowPanel, OutputPanel],
                         ids=lambda c: c.panel_id)
def test_titles_follow_at_their_own_pace(qtbot, make_view, clock, cls):
    early = dataclasses.replace(make_view(steps=30), running=True)
    late = dataclasses.replace(make_view(steps=600), running=True)
    panel = cls()
    qtbot.addWidget(panel)

    def drawn(view):
        p = cls()
        qtbot.addWidget(p)
        p.update_view(dataclasses.replace(view, running=False))
        return _titles(p), _curve(p)

    (early_titles, early_curve), (late_titles, late_curve) = drawn(early), drawn(late)
    assert early_titles != late_titles and early_curve != late_curve  # the test can tell

    panel.update_view(early)
    assert (_titles(panel), _curve(panel)) == (early_titles, early_curve)
    clock.now += base.TEXT_INTERVAL / 2
    panel.update_view(late)  # the curves move on, the numbers wait
    assert (_titles(panel), _curve(panel)) == (early_titles, late_curve)
    panel.catch_up()  # what an export does first: the numbers of the frame drawn
    assert _titles(panel) == late_titles

    panel.update_view(early)
    assert _titles(panel) == late_titles
    clock.now += base.TEXT_INTERVAL
    panel.update_view(early)  # the interval has passed
    assert _titles(panel) == early_titles

    panel.update_view(late)
    assert _titles(panel) == early_titles
    panel.update_view(dataclasses.replace(late, running=False))  # paused: at once
    assert _titles(panel) == late_titles


def test_an_unchanged_title_is_not_rendered_again(qtbot, make_view):
    panel = HistogramsPanel()
    qtbot.addWidget(panel)
    view = make_view()
    panel.update_view(view)
    label = panel.cells[0].plot.titleLabel
    calls = []
    label.item.setHtml = lambda html: calls.append(html)  # the costly part of setTitle
    panel.update_view(view)
    assert calls == []
    base.set_title(panel.cells[0].plot, "something else")
    assert len(calls) == 1
