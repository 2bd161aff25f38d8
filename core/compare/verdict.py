"""The one-sentence verdict of a comparison, and the warnings that go with it.

The verdict names the value with the best median outcome and sets it against the baseline
(the first value) — or, when the baseline is best, against the runner-up — with the paired
count of seeds it won. It stays correct when nothing reached the goal, when every run
diverged, with one seed and with ties.
"""

from __future__ import annotations

import math

from ..pairing import pairing_warning
from .summary import Summary, ValueSummary

__all__ = ["fmt_epochs", "verdict", "warnings"]


def fmt_epochs(v: float, limit: int) -> str:
    """A median number of epochs: "40", "40.5", or "> 300" for +∞ (never reached)."""
    if math.isinf(v):
        return f"> {limit}"
    if math.isnan(v):
        return "–"
    return f"{v:g}" if v == int(v) else f"{v:.1f}"


def _ratio(r: float) -> str:
    return f"{r:.0f}×" if r >= 10 else f"{r:.1f}×"


def _pair(win: ValueSummary, other: ValueSummary) -> tuple[int, int, int]:
    """(seeds win beat other, ties, pairs): the rows hold counts against the baseline."""
    if other.index == 0:
        return win.wins, win.ties, win.pairs
    return other.pairs - other.wins - other.ties, other.ties, other.pairs  # win is the baseline


def _seeds_clause(win: ValueSummary, other: ValueSummary, word: str) -> str:
    w, t, n = _pair(win, other)
    tied = f" ({t} tied)" if t else ""
    return f"{word} in {w} of {n} seeds{tied}"


def _ranked(s: Summary) -> tuple[ValueSummary, ValueSummary, list[ValueSummary]]:
    def key(r: ValueSummary):
        med = r.outcome.median
        return (math.inf if math.isnan(med) else med, -(r.reached_share or 0.0), r.index)

    order = sorted(s.rows, key=key)
    win = order[0]
    other = s.rows[0] if win.index != 0 else order[1]
    rest = [r for r in s.rows if r.index not in (win.index, other.index)]
    return win, other, rest


def _diverged_clause(s: Summary) -> str:
    parts = [f"{r.diverged} of {r.counted} {r.label} runs diverged" for r in s.rows
             if r.diverged and r.finished]
    return f" ({'; '.join(parts)})" if parts else ""


def _rest(r, n: int) -> str:
    """How a value past the first two did, in words ("> 300" alone read as a quantity)."""
    m = r.goal_epochs.median
    if not math.isinf(m):
        return f"{r.label} took a median of {fmt_epochs(m, n)} epochs"
    if r.reached == 0:
        return f"{r.label} never reached it within {n} epochs"
    return f"{r.label} reached it in only {r.reached} of {r.counted} seeds"


def _goal_verdict(s: Summary) -> str:
    plan, goal = s.plan, s.plan.goal
    g, n = goal.describe(s.task), plan.epochs
    if not any(r.reached for r in s.rows):
        fin = [r for r in s.rows if r.finished]
        if goal.metric.endswith("metric"):
            best = max(fin, key=lambda r: r.final_test_metric.median)
            what = (f"median final test {s.metric_name} was "
                    f"{_metric(best.final_test_metric.median, s.task)}")
        else:
            best = min(fin, key=lambda r: r.final_test_loss.median)
            what = f"median final test loss was {best.final_test_loss.median:.3g}"
        return (f"no run reached {g} within {n} epochs; the best {what}, for {best.label}"
                f"{_diverged_clause(s)}")
    win, other, rest = _ranked(s)
    mw, mo = win.goal_epochs.median, other.goal_epochs.median
    if math.isinf(mw):
        each = ", ".join(f"{r.label} in {r.reached} of {r.counted}" for r in s.rows)
        return (f"most runs did not reach {g} within {n} epochs: it was reached by {each} "
                f"seeds{_diverged_clause(s)}")
    faster = _seeds_clause(win, other, "faster")
    others = ""
    if rest:
        others = "; " + ", ".join(_rest(r, n) for r in rest)
    if mw == mo:
        w, t, pairs = _pair(win, other)
        lost = pairs - w - t
        if lost > w:  # the same median: the one that won more seeds is named first
            win, other, w, lost = other, win, lost, w
        split = (f"neither was faster in more seeds ({t} of {pairs} tied)" if w == lost
                 else f"{win.label} was faster in {w} of {pairs} seeds, {other.label} in {lost}")
        return (f"{win.label} and {other.label} reached {g} in the same median of "
                f"{fmt_epochs(mw, n)} epochs; {split}{others}{_diverged_clause(s)}")
    if math.isinf(mo):
        never = ("never did" if other.reached == 0
                 else f"reached it in only {other.reached} of {other.counted} seeds")
        return (f"{win.label} reached {g} in a median of {fmt_epochs(mw, n)} epochs, while "
                f"{other.label} {never} within {n} epochs; {win.label} was {faster}{others}"
                f"{_diverged_clause(s)}")
    ratio = f" ({_ratio(mo / mw)} fewer)" if mw > 0 else ""
    missed = (f"; it reached it in {win.reached} of {win.counted} seeds"
              if win.reached < win.counted else "")
    return (f"{win.label} reached {g} in a median of {fmt_epochs(mw, n)} epochs against "
            f"{fmt_epochs(mo, n)} for {other.label}{ratio}, {faster}{missed}{others}"
            f"{_diverged_clause(s)}")


def _metric(v: float, task: str) -> str:
    return f"{v:.3g}" if task == "regression" else f"{100 * v:.1f} %"


def _final_verdict(s: Summary) -> str:
    """Without a goal: the final test loss (or test metric, when the losses differ)."""
    win, other, rest = _ranked(s)
    if s.plan.measure == "test_metric":
        what, word = f"test {s.metric_name}", "higher"

        def show(r: ValueSummary) -> str:
            return _metric(r.final_test_metric.median, s.task)
    else:
        what, word = "test loss", "lower"

        def show(r: ValueSummary) -> str:
            return f"{r.final_test_loss.median:.3g}"
    better = _seeds_clause(win, other, word)
    others = ""
    if rest:
        others = "; " + ", ".join(f"{r.label} {show(r)}" if r.finished
                                  else f"every {r.label} run diverged" for r in rest)
    if other.finished == 0:
        return (f"{win.label} ended with a median {what} of {show(win)}, while every "
                f"{other.label} run diverged{others}{_diverged_clause(s)}")
    if show(win) == show(other):
        w, t, pairs = _pair(win, other)
        lost = pairs - w - t
        if lost > w:
            win, other, w, lost = other, win, lost, w
        split = (f"neither was {word} in more seeds ({t} of {pairs} tied)" if w == lost
                 else f"{win.label} was {word} in {w} of {pairs} seeds, {other.label} in {lost}")
        return (f"{win.label} and {other.label} ended with the same median {what}, "
                f"{show(win)}; {split}{others}{_diverged_clause(s)}")
    ratio = ""
    lw, lo = win.final_test_loss.median, other.final_test_loss.median
    if s.plan.measure == "test_loss" and lw > 0 and lo > 0:
        ratio = f" ({_ratio(lo / lw)} lower)"
    return (f"{win.label} ended with a median {what} of {show(win)} against {show(other)} "
            f"for {other.label}{ratio}, {better}{others}{_diverged_clause(s)}")


def verdict(s: Summary) -> str:
    """One sentence: who did better, by how much, in how many of the paired seeds."""
    plan = s.plan
    if not any(r.counted for r in s.rows):
        if s.cancelled:
            return "The comparison was cancelled before any run finished."
        return "No run finished, so there is nothing to compare."
    if not any(r.finished for r in s.rows):
        lrs = sorted({f"{r.lr:g}" for r in s.rows})
        return (f"Every run diverged, whatever the {plan.setting_record.label}; lower the "
                f"learning rate (now {', '.join(lrs)}) and compare again.")
    body = _goal_verdict(s) if plan.goal is not None else _final_verdict(s)
    if len(plan.seeds) == 1:
        body = "with a single seed (one run per value, which is not evidence), " + body
    elif s.cancelled:
        body = "so far (cancelled), " + body
    if not body.startswith(tuple(r.label for r in s.rows)):  # a value stays as typed: "relu"
        body = body[0].upper() + body[1:]
    return body + "."


def warnings(s: Summary) -> list[str]:
    """Sentences to show beside the verdict: confounds, tuning, missing runs, doubt."""
    plan = s.plan
    setting = plan.setting_record
    out = []
    if setting.confounded_by_lr and not plan.tune_lr:
        lrs = sorted({f"{r.lr:g}" for r in s.rows})
        one = f"One learning rate ({lrs[0]})" if len(lrs) == 1 else "Fixed learning rates"
        out.append(f"{one} for all values of {plan.setting} favours the ones it happens to "
                   "suit; tune the learning rate for each value (--tune-lr) to compare each "
                   "at its best.")
    if s.tuned:
        seeds = plan.tuning_seeds
        chosen = ", ".join(f"{r.label} {r.lr:g}" for r in s.rows)
        out.append(f"Learning rates were tuned for each value on seeds {seeds[0]}–{seeds[-1]}"
                   f" (not the compared ones), from its rate × 0.1 to × 10: {chosen}.")
    if len(plan.seeds) == 1:
        out.append("One seed is one run per value: a difference may be luck; use 5 or more "
                   "seeds.")
    lost = sum(r.lost for r in s.rows)
    if lost and not s.cancelled:
        out.append(f"{lost} of {sum(r.runs for r in s.rows)} runs are missing (their worker "
                   "stopped, or they could not be set up) and are left out of every figure.")
    if s.cancelled:
        done = sum(r.counted for r in s.rows)
        out.append(f"The comparison was cancelled: {done} of {sum(r.runs for r in s.rows)} "
                   "runs are in these figures.")
    doubt = [r for r in s.rows[1:] if r.p_interval is not None and r.pairs > 1
             and r.p_interval[0] <= 0.5 <= r.p_interval[1]]
    for r in doubt:
        lo, hi = r.p_interval
        out.append(f"The 95 % interval of P({r.label} beats {s.baseline.label}) is "
                   f"{lo:.2f}–{hi:.2f} and includes ½: these seeds do not settle it.")
    diverged = sum(r.diverged for r in s.rows)
    if diverged and any(r.finished for r in s.rows):
        out.append(f"{diverged} runs diverged: they count as not reaching the goal (or as "
                   "worst), and drop out of the curves after their last finished epoch.")
    if plan.setting == "output" and len({plan.arm(i).training.loss
                                         for i in range(len(plan.values))}) > 1:
        out.append("The values train with different losses, so their loss figures cannot be "
                   f"compared with each other; compare the test {s.metric_name} and the "
                   "epochs to a goal.")
    if plan.setting == "output":
        for vi, text in enumerate(plan.values):
            arm = plan.arm(vi)
            try:
                w = pairing_warning(arm.training.loss, arm.network.output_activation, s.task)
            except (KeyError, ValueError):
                w = None
            if w:
                out.append(f"{text}: {w}")
    return out
