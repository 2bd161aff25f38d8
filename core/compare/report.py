"""A comparison as text: the table rows a GUI or the terminal shows, and the CSV files.

``table_rows`` gives each value's row as display strings under ``columns(summary)``;
``format_table`` lines them up for a terminal. ``summary_csv`` (one row per value, plain
numbers), ``runs_csv`` (one row per run and epoch, epoch 0 before training, as ``train``'s
``metrics.csv`` counts them) and ``curves_csv`` (the median and quartile curves the figure
draws) are the files the command line writes.
"""

from __future__ import annotations

import csv
import io
import math

from .goal import METRICS
from .stats import Spread
from .summary import ComparisonResult, Summary, curves
from .verdict import fmt_epochs

__all__ = ["columns", "curves_csv", "format_table", "runs_csv", "summary_csv", "table_rows"]


def _g(v: float, digits: int = 3) -> str:
    if math.isnan(v):
        return "–"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return f"{v:.{digits}g}"


def _pct(v: float) -> str:
    return "–" if math.isnan(v) else f"{100 * v:.0f} %"


def _metric(v: float, task: str) -> str:
    if math.isnan(v):
        return "–"
    return f"{v:.3f}" if task == "regression" else f"{100 * v:.1f} %"


def _band(s: Spread, one) -> str:
    if s.n == 0:
        return "–"
    if s.n == 1:
        return one(s.median)
    return f"{one(s.median)} [{one(s.q1)}–{one(s.q3)}]"


def columns(s: Summary) -> list[tuple[str, str]]:
    """(key, heading) of the table's columns; the goal's columns only when there is a goal."""
    cols = [("value", s.plan.setting), ("lr", "lr"), ("runs", "finished / diverged / lost"),
            ("test_loss", "final test loss [IQR]"), ("test_loss_range", "loss min–max"),
            ("test_metric", f"final test {s.metric_name} [IQR]"),
            ("test_metric_range", f"{s.metric_name} min–max")]
    if s.plan.goal is not None:
        cols += [("goal_epochs", "epochs to goal [IQR]"), ("reached", "reached goal")]
    cols += [("p_beats", f"P(beats {s.plan.baseline}) [95 % CI]"),
             ("auc", "train loss area"), ("dead", "dead units"),
             ("saturated", "saturated"), ("ms_per_epoch", "ms/epoch")]
    return cols


def table_rows(s: Summary) -> list[dict[str, str]]:
    """One dict per value (baseline first), keyed as ``columns(s)``, values as shown."""
    n = s.plan.epochs
    out = []
    for r in s.rows:
        row = {
            "value": r.value, "lr": f"{r.lr:g}",
            "runs": f"{r.finished} / {r.diverged} / {r.lost}",
            "test_loss": _band(r.final_test_loss, _g),
            "test_loss_range": ("–" if r.final_test_loss.n == 0 else
                                f"{_g(r.final_test_loss.lo)}–{_g(r.final_test_loss.hi)}"),
            "test_metric": _band(r.final_test_metric, lambda v: _metric(v, s.task)),
            "test_metric_range": ("–" if r.final_test_metric.n == 0 else
                                  f"{_metric(r.final_test_metric.lo, s.task)}–"
                                  f"{_metric(r.final_test_metric.hi, s.task)}"),
            "auc": _g(r.auc.median), "dead": _pct(r.dead_share.median),
            "saturated": _pct(r.saturated_share.median),
            "ms_per_epoch": _g(1000 * r.seconds_per_epoch.median, 2),
        }
        if s.plan.goal is not None:
            row["goal_epochs"] = _band(r.goal_epochs, lambda v: fmt_epochs(v, n))
            row["reached"] = f"{r.reached} of {r.counted}"
        if r.p_beats_baseline is None:
            row["p_beats"] = "baseline"
        elif math.isnan(r.p_beats_baseline):
            row["p_beats"] = "–"
        else:
            lo, hi = r.p_interval
            row["p_beats"] = f"{r.p_beats_baseline:.2f} [{lo:.2f}–{hi:.2f}]"
        out.append(row)
    return out


def format_table(s: Summary) -> str:
    """The table as aligned text, one line per value under a heading line."""
    cols = columns(s)
    rows = table_rows(s)
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in cols]
    lines = ["  ".join(h.ljust(w) for (_, h), w in zip(cols, widths)).rstrip()]
    for r in rows:
        lines.append("  ".join(r[k].ljust(w) for (k, _), w in zip(cols, widths)).rstrip())
    return "\n".join(lines)


def _num(v) -> str:
    if v is None:
        return ""
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


SUMMARY_COLUMNS = (
    "value", "lr", "runs", "finished", "diverged", "lost",
    "final_test_loss_median", "final_test_loss_q1", "final_test_loss_q3",
    "final_test_loss_min", "final_test_loss_max",
    "final_test_metric_median", "final_test_metric_q1", "final_test_metric_q3",
    "final_test_metric_min", "final_test_metric_max", "final_train_loss_median",
    "goal_epochs_median", "goal_epochs_q1", "goal_epochs_q3", "reached", "reached_share",
    "p_beats_baseline", "p_ci_low", "p_ci_high", "wins", "ties", "pairs",
    "train_loss_area_median", "dead_share_median", "saturated_share_median",
    "seconds_per_epoch_median",
)


def summary_csv(s: Summary) -> str:
    """One row per value; numbers in full precision, "inf" for a goal never reached."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(SUMMARY_COLUMNS)
    for r in s.rows:
        g = r.goal_epochs
        p_lo, p_hi = r.p_interval if r.p_interval is not None else (None, None)
        w.writerow([r.value, _num(r.lr), r.runs, r.finished, r.diverged, r.lost,
                    _num(r.final_test_loss.median), _num(r.final_test_loss.q1),
                    _num(r.final_test_loss.q3), _num(r.final_test_loss.lo),
                    _num(r.final_test_loss.hi),
                    _num(r.final_test_metric.median), _num(r.final_test_metric.q1),
                    _num(r.final_test_metric.q3), _num(r.final_test_metric.lo),
                    _num(r.final_test_metric.hi), _num(r.final_train_loss.median),
                    *(("", "", "", "", "") if g is None else
                      (_num(g.median), _num(g.q1), _num(g.q3), r.reached,
                       _num(r.reached_share))),
                    _num(r.p_beats_baseline), _num(p_lo), _num(p_hi), r.wins, r.ties, r.pairs,
                    _num(r.auc.median), _num(r.dead_share.median),
                    _num(r.saturated_share.median), _num(r.seconds_per_epoch.median)])
    return out.getvalue()


def runs_csv(result: ComparisonResult) -> str:
    """value (as typed), seed, epoch, train_loss, test_loss, train_metric, test_metric: one
    row per compared run and epoch, epoch 0 being before training (as ``metrics.csv``)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(("value", "seed", "epoch", *METRICS))
    values = result.plan.values
    for r in result.runs:
        for e, row in enumerate(r.metrics):
            w.writerow([values[r.value_index], r.seed, e, *(repr(float(v)) for v in row)])
    return out.getvalue()


def curves_csv(result: ComparisonResult) -> str:
    """The figure's data: per value, metric and epoch the runs with a value (n), the median
    and the quartiles over seeds."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(("value", "metric", "epoch", "n", "median", "q1", "q3"))
    for metric in METRICS:
        for c in curves(result, metric):
            for e in range(len(c.epochs)):
                if c.n[e]:
                    w.writerow([c.value, metric, e, int(c.n[e]), repr(float(c.median[e])),
                                repr(float(c.q1[e])), repr(float(c.q3[e]))])
    return out.getvalue()
