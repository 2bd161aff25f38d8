"""Summaries, curves, tables and verdicts of comparisons, from made-up runs whose answers are
known (degenerate cases included: nothing reached, all diverged, one seed, ties)."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

import core.presets
from core.compare import (
    ComparisonResult,
    Goal,
    Plan,
    RunRecord,
    columns,
    curves,
    format_table,
    runs_csv,
    summarize,
    summary_csv,
    table_rows,
    verdict,
    warnings,
)

TANH = core.presets.get("circles-tanh").experiment
GOAL = Goal.parse("test_metric>=0.95")


def record(plan: Plan, index: int, vi: int, seed: int, *, goal_epoch=None, status="finished",
           loss=0.1, epochs=None, dead=0.25) -> RunRecord:
    """A run whose test loss falls linearly from 1 to ``loss`` and whose test accuracy reaches
    the goal exactly at ``goal_epoch``."""
    n = plan.epochs if epochs is None else epochs
    if status in ("crashed", "cancelled", "failed"):
        return RunRecord(index, "main", vi, seed, 0.03, status, np.zeros((0, 4)), 0, 0.0, None,
                         math.nan, math.nan, "lost")
    e = np.arange(n + 1, dtype=float)
    test_loss = 1.0 + (loss - 1.0) * e / max(n, 1)
    acc = np.full(n + 1, 0.5)
    if goal_epoch is not None:
        acc[goal_epoch:] = 0.96
    m = np.column_stack([test_loss, test_loss, acc, acc])
    return RunRecord(index, "main", vi, seed, 0.03, status, m, n, 0.01 * n, goal_epoch, dead,
                     0.1, "diverged at step 9" if status == "diverged" else "")


def result(plan: Plan, table) -> ComparisonResult:
    """``table[value_index][seed position]`` = keyword arguments of ``record``."""
    runs = []
    for spec in plan.main_specs():
        kw = table[spec.value_index][plan.seeds.index(spec.seed)]
        runs.append(record(plan, spec.index, spec.value_index, spec.seed, **kw))
    return ComparisonResult(plan, tuple(runs), (), (0.03,) * len(plan.values))


def plan(values=("tanh", "relu"), seeds=10, epochs=300, goal=GOAL, **kw) -> Plan:
    return Plan(TANH, kw.pop("setting", "activation"), values, tuple(range(seeds)), epochs,
                goal, **kw)


def goals(*epochs):
    return [dict(goal_epoch=e) for e in epochs]


# --- the verdict -----------------------------------------------------------------------------
def test_the_issues_example_sentence():
    p = plan()
    r = result(p, [goals(*[230] * 10), goals(*[38, 39, 40, 40, 40, 40, 40, 41, 42, 44])])
    assert verdict(summarize(r)) == (
        "relu reached 95 % test accuracy in a median of 40 epochs against 230 for tanh "
        "(5.8× fewer), faster in 10 of 10 seeds.")


def test_the_baseline_winning_is_set_against_the_runner_up():
    p = plan(values=("relu", "tanh", "sigmoid"), seeds=4)
    r = result(p, [goals(10, 10, 12, 30), goals(20, 20, 5, 30), goals(*[None] * 4)])
    s = summarize(r)
    assert s.rows[1].wins == 1 and s.rows[1].ties == 1  # tanh against relu
    assert verdict(s) == (
        "relu reached 95 % test accuracy in a median of 11 epochs against 20 for tanh "
        "(1.8× fewer), faster in 2 of 4 seeds (1 tied); sigmoid never reached it within 300 "
        "epochs.")


def test_values_past_the_first_two_are_told_in_words():
    p = plan(values=("relu", "tanh", "sigmoid", "elu"), seeds=4)
    r = result(p, [goals(10, 10, 12, 30), goals(20, 20, 25, 30), goals(None, None, None, 50),
                   goals(40, 41, 42, 44)])
    text = verdict(summarize(r))
    assert text.endswith("; sigmoid reached it in only 1 of 4 seeds, elu took a median of "
                         "41.5 epochs.")


def test_nobody_reaching_the_goal():
    p = plan(seeds=3)
    r = result(p, [goals(None, None, None), goals(None, None, None)])
    assert verdict(summarize(r)) == (
        "No run reached 95 % test accuracy within 300 epochs; the best median final test "
        "accuracy was 50.0 %, for tanh.")


def test_more_than_half_never_reaching_is_reported_as_more_than_n():
    p = plan()
    r = result(p, [goals(50, 60, 70, 80, *[None] * 6), goals(*[40] * 10)])
    s = summarize(r)
    assert s.rows[0].goal_epochs.median == math.inf and s.rows[0].reached == 4
    assert "> 300" in table_rows(s)[0]["goal_epochs"]
    assert verdict(s) == (
        "relu reached 95 % test accuracy in a median of 40 epochs, while tanh reached it in "
        "only 4 of 10 seeds within 300 epochs; relu was faster in 10 of 10 seeds.")


def test_most_runs_of_every_value_missing_the_goal():
    p = plan(seeds=3)
    r = result(p, [goals(50, None, None), goals(None, 40, None)])
    assert verdict(summarize(r)).startswith(
        "Most runs did not reach 95 % test accuracy within 300 epochs: it was reached by "
        "tanh in 1 of 3, relu in 1 of 3 seeds")


def test_every_run_diverging():
    p = plan(seeds=2)
    div = [dict(status="diverged", epochs=3)] * 2
    assert verdict(summarize(result(p, [div, div]))) == (
        "Every run diverged, whatever the hidden activation; lower the learning rate (now "
        "0.03) and compare again.")


def test_one_arm_diverging_everywhere_without_a_goal():
    p = plan(seeds=2, goal=None)
    r = result(p, [[dict(loss=0.2)] * 2, [dict(status="diverged", epochs=4)] * 2])
    s = summarize(r)
    assert s.rows[1].p_beats_baseline == 0.0
    assert verdict(s) == ("tanh ended with a median test loss of 0.2, while every relu run "
                          "diverged.")


def test_one_seed_says_it_is_not_evidence():
    p = plan(seeds=1)
    v = verdict(summarize(result(p, [goals(80), goals(20)])))
    assert v == ("With a single seed (one run per value, which is not evidence), relu reached "
                 "95 % test accuracy in a median of 20 epochs against 80 for tanh (4.0× fewer), "
                 "faster in 1 of 1 seeds.")


def test_ties():
    p = plan(seeds=4)
    s = summarize(result(p, [goals(10, 20, 30, 40), goals(10, 20, 30, 40)]))
    assert s.rows[1].p_beats_baseline == 0.5 and s.rows[1].ties == 4
    assert verdict(s) == (
        "tanh and relu reached 95 % test accuracy in the same median of 25 epochs; neither "
        "was faster in more seeds (4 of 4 tied).")
    s = summarize(result(p, [goals(10, 20, 30, 40), goals(9, 21, 29, 40)]))
    assert verdict(s) == (
        "relu and tanh reached 95 % test accuracy in the same median of 25 epochs; relu was "
        "faster in 2 of 4 seeds, tanh in 1.")


def test_without_a_goal_the_final_test_loss_decides():
    p = plan(seeds=3, goal=None)
    r = result(p, [[dict(loss=0.3), dict(loss=0.3), dict(loss=0.5)],
                   [dict(loss=0.1), dict(loss=0.4), dict(loss=0.1)]])
    assert verdict(summarize(r)) == (
        "relu ended with a median test loss of 0.1 against 0.3 for tanh (3.0× lower), lower "
        "in 2 of 3 seeds.")


def test_different_losses_are_compared_by_the_metric():
    iris = core.presets.get("iris-softmax").experiment
    p = Plan(iris, "output", ("sigmoid+mse", "softmax+ce"), (0, 1), 10)
    assert p.measure == "test_metric"
    r = result(p, [goals(None, None), goals(3, 4)])
    s = summarize(r)
    assert s.rows[1].p_beats_baseline == 1.0
    assert "ended with a median test accuracy of 96.0 % against 50.0 % for sigmoid+mse" in (
        verdict(s))
    assert any("different losses" in w for w in warnings(s))


def test_nothing_counted():
    p = plan(seeds=2)
    lost = [dict(status="cancelled")] * 2
    r = result(p, [lost, lost])
    assert verdict(summarize(r)) == "No run finished, so there is nothing to compare."
    r = ComparisonResult(p, r.runs, (), (0.03, 0.03), cancelled=True)
    assert verdict(summarize(r)) == "The comparison was cancelled before any run finished."


def test_diverged_runs_count_as_not_reaching_and_are_named():
    p = plan(seeds=4)
    r = result(p, [goals(100, 100, 100, 100),
                   [dict(goal_epoch=20), dict(goal_epoch=20), dict(status="diverged",
                                                                    epochs=5),
                    dict(goal_epoch=30)]])
    s = summarize(r)
    assert s.rows[1].diverged == 1 and s.rows[1].counted == 4 and s.rows[1].reached == 3
    assert s.rows[1].wins == 3
    v = verdict(s)
    assert v.startswith("relu reached 95 % test accuracy in a median of 25 epochs against 100")
    assert "(1 of 4 relu runs diverged)" in v and "it reached it in 3 of 4 seeds" in v


# --- the summary and the table ---------------------------------------------------------------
def test_summary_numbers():
    p = plan(seeds=4)
    r = result(p, [goals(10, 20, 30, 40),
                   [dict(goal_epoch=5, loss=0.2, dead=0.0), dict(goal_epoch=15, loss=0.4),
                    dict(status="crashed"), dict(goal_epoch=None, loss=0.3)]])
    s = summarize(r)
    base, relu = s.rows
    assert base.p_beats_baseline is None and base.goal_epochs.median == 25
    assert (relu.runs, relu.finished, relu.lost, relu.counted, relu.pairs) == (4, 3, 1, 3, 3)
    assert relu.goal_epochs.median == 15 and relu.goal_epochs.q3 == math.inf
    assert relu.reached == 2 and relu.reached_share == pytest.approx(2 / 3)
    assert relu.p_beats_baseline == pytest.approx(2 / 3)  # beat 10 and 20, lost to 40
    lo, hi = relu.p_interval
    assert 0 <= lo <= 2 / 3 <= hi <= 1
    assert relu.final_test_loss.median == pytest.approx(0.3)
    assert relu.final_test_loss.lo == pytest.approx(0.2)
    assert relu.dead_share.median == 0.25 and relu.seconds_per_epoch.median == 0.01
    # trapezoid under a straight line from 1 to 0.2 over 300 epochs
    assert relu.auc.lo == pytest.approx(300 * 0.6)


def test_table_text_and_csv():
    p = plan(seeds=2, epochs=20)
    r = result(p, [goals(10, 12), goals(4, 5)])
    s = summarize(r)
    rows = table_rows(s)
    assert rows[0]["p_beats"] == "baseline" and rows[1]["p_beats"].startswith("1.00 [")
    assert rows[1]["goal_epochs"] == "4.5 [4.2–4.8]"
    assert rows[1]["reached"] == "2 of 2" and rows[0]["dead"] == "25 %"
    text = format_table(s).splitlines()
    assert len(text) == 3 and text[1].startswith("tanh") and text[2].startswith("relu")
    table = list(csv.DictReader(io.StringIO(summary_csv(s))))
    assert [t["value"] for t in table] == ["tanh", "relu"]
    assert float(table[1]["goal_epochs_median"]) == 4.5 and table[0]["p_beats_baseline"] == ""
    runs = list(csv.reader(io.StringIO(runs_csv(r))))
    assert runs[0] == ["value", "seed", "epoch", "train_loss", "test_loss", "train_metric",
                       "test_metric"]
    assert len(runs) == 1 + 4 * 21 and runs[1][:3] == ["tanh", "0", "0"]


def test_the_table_gives_min_and_max_of_the_loss_and_of_the_metric():
    p = plan(seeds=2, epochs=20)
    s = summarize(result(p, [goals(10, None), [dict(goal_epoch=4, loss=0.2),
                                               dict(goal_epoch=5, loss=0.4)]]))
    headings = dict(columns(s))
    assert headings["test_loss_range"] == "loss min–max"
    assert headings["test_metric_range"] == "accuracy min–max"
    tanh, relu = table_rows(s)
    assert tanh["test_metric_range"] == "50.0 %–96.0 %"
    assert relu["test_metric_range"] == "96.0 %–96.0 %"
    assert relu["test_loss_range"] == "0.2–0.4"
    first = next(csv.DictReader(io.StringIO(summary_csv(s))))
    assert (float(first["final_test_metric_min"]), float(first["final_test_metric_max"])) == (
        0.5, 0.96)


def test_curves_per_value_drop_diverged_runs_and_say_so():
    p = plan(seeds=3, epochs=10, goal=None)
    r = result(p, [[dict(loss=0.1)] * 3,
                   [dict(loss=0.1), dict(status="diverged", epochs=4), dict(status="crashed")]])
    tanh, relu = curves(r, "test_loss")
    assert tanh.value == "tanh" and tanh.n.tolist() == [3] * 11
    assert relu.n.tolist() == [2] * 5 + [1] * 6 and relu.dropped_diverged == 1
    assert relu.runs.shape == (3, 11) and np.isnan(relu.runs[2]).all()
    assert np.allclose(tanh.median, np.linspace(1, 0.1, 11))
    assert np.allclose(relu.median[5:], np.linspace(1, 0.1, 11)[5:])
    assert (tanh.q1 <= tanh.median).all() and (tanh.median <= tanh.q3).all()
    assert not tanh.median.flags.writeable
    with pytest.raises(ValueError):
        curves(r, "colour")


# --- warnings --------------------------------------------------------------------------------
def test_the_learning_rate_confound_is_named_unless_tuned():
    p = plan(seeds=2)
    s = summarize(result(p, [goals(10, 12), goals(4, 5)]))
    assert any("One learning rate (0.03) for all values of activation" in w
               for w in warnings(s))
    lr = plan(values=("0.03", "0.3"), setting="lr", seeds=2)
    assert not any("One learning rate" in w
                   for w in warnings(summarize(result(lr, [goals(10, 12), goals(4, 5)]))))


def test_doubt_single_seeds_and_missing_runs_are_named():
    p = plan(seeds=4)
    s = summarize(result(p, [goals(10, 20, 30, 40), goals(5, 30, 25, 50)]))
    assert any("includes ½" in w for w in warnings(s))
    one = summarize(result(plan(seeds=1), [goals(10), goals(5)]))
    assert any("One seed is one run per value" in w for w in warnings(one))
    lost = summarize(result(plan(seeds=2), [goals(10, 20), [dict(goal_epoch=3),
                                                             dict(status="crashed")]]))
    assert any("1 of 4 runs are missing" in w for w in warnings(lost))
