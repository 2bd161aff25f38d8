"""Compare: test a claim over many seeds — one setting varied, every value × K seeds.

The pieces, in the order a front end uses them:

- ``Plan`` (``plan``): the experiment, the setting varied (``settings``), its values, the
  seeds, the length and an optional ``Goal``; ``Plan(...).check()`` refuses an impossible
  value before anything runs. ``presets`` holds ready-made comparisons.
- ``Comparison`` (``runner``): the runs in a pool of worker processes, with progress events,
  Cancel, and a dead worker reported while the other runs finish; ``run`` waits for it,
  ``run_serial`` runs everything in this process.
- ``ComparisonResult`` → ``summarize`` (the table's numbers, ``stats`` for their
  definitions), ``curves`` (median and quartile band per value, what the GUI plots),
  ``verdict`` (one sentence) and ``warnings`` (confounds and doubts); ``report`` formats the
  table and the CSV files.
- ``write_comparison`` / ``read_comparison`` (``files``): the ``.alabcmp`` file.

Pure NumPy and the standard library: it never imports Qt, pyqtgraph or the GUI.
"""

from __future__ import annotations

from .files import SUFFIX, CompareFileError, read_comparison, write_comparison, write_folder
from .goal import METRICS, Goal, GoalError
from .plan import DEFAULT_SEEDS, MAX_SEEDS, Plan, PlanError, RunSpec, parse_seeds
from .presets import ComparisonPreset
from .presets import get as get_preset
from .presets import names as preset_names
from .report import columns, curves_csv, format_table, runs_csv, summary_csv, table_rows
from .run import RunRecord, run_one
from .runner import (
    Comparison,
    Done,
    Progress,
    RunEnded,
    RunStarted,
    WorkerLost,
    default_jobs,
    remaining_text,
    run,
    run_serial,
)
from .settings import SettingError, describe_settings, parse_vary, split_values
from .summary import ComparisonResult, Curve, Summary, ValueSummary, curves, summarize
from .verdict import verdict, warnings

__all__ = [
    "DEFAULT_SEEDS", "MAX_SEEDS", "METRICS", "SUFFIX",
    "CompareFileError", "Comparison", "ComparisonPreset", "ComparisonResult", "Curve", "Done",
    "Goal", "GoalError", "Plan", "PlanError", "Progress", "RunEnded", "RunRecord", "RunSpec",
    "RunStarted", "SettingError", "Summary", "ValueSummary", "WorkerLost",
    "columns", "curves", "curves_csv", "default_jobs", "describe_settings", "format_table",
    "get_preset", "parse_seeds", "parse_vary", "preset_names", "read_comparison",
    "remaining_text", "run", "run_one", "run_serial", "runs_csv", "split_values", "summarize",
    "summary_csv", "table_rows",
    "verdict", "warnings", "write_comparison", "write_folder",
]
