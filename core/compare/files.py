"""The comparison file (``.alabcmp``): a whole comparison, reopened without retraining.

A zip holding

- ``comparison.json``: format name and schema version, the plan (experiment included), the
  learning rate each value used, and every run's status, epochs, times, goal epoch and
  end-of-run unit shares; also the verdict, warnings and table as text, for people (never
  read back: they are recomputed from the runs);
- ``runs.npz``: the per-epoch metrics, ``main`` (runs, epochs + 1, 4) and ``tuning``, NaN
  after a run's last epoch; written and read with ``allow_pickle=False``;
- ``runs.csv`` and ``summary.csv``: the same numbers for spreadsheets (not read back).

Writing is atomic (a temporary file beside the target, flushed, renamed over it) and reading
is defensive, as for ``.alab`` files (``core.archive``): sizes are checked before anything is
decompressed, member names are never used as paths, arrays are checked before use, and every
field of the JSON is validated against the plan. Any problem is a ``CompareFileError`` (an
``ArchiveError``) with one sentence.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..archive import (
    MAX_TOTAL_BYTES,
    ArchiveError,
    check_directory_size,
    load_arrays,
    new_file_mode,
    read_member,
    sync_folder,
)
from .goal import METRICS
from .plan import Plan, PlanError, RunSpec
from .report import curves_csv, format_table, runs_csv, summary_csv
from .run import COUNTED, STATUSES, RunRecord
from .summary import ComparisonResult, summarize
from .verdict import verdict, warnings

__all__ = ["FORMAT", "SCHEMA", "SUFFIX", "CompareFileError", "read_comparison",
           "write_comparison", "write_folder"]

FORMAT = "activation-lab comparison"
SCHEMA = 1
SUFFIX = ".alabcmp"
MEMBERS = ("comparison.json", "runs.npz", "runs.csv", "summary.csv")
MAX_JSON_BYTES = 16 * 2**20
MAX_MESSAGE = 2000


class CompareFileError(ArchiveError):
    """The file is not a usable comparison; the message says why in one sentence."""


# --- writing -------------------------------------------------------------------------------------
def _f(v: float) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def _run_doc(r: RunRecord) -> dict:
    return {"phase": r.phase, "index": r.index, "value_index": r.value_index, "seed": r.seed,
            "lr": r.lr, "status": r.status, "epochs": r.epochs, "seconds": _f(r.seconds),
            "goal_epoch": r.goal_epoch, "dead_share": _f(r.dead_share),
            "saturated_share": _f(r.saturated_share), "message": r.message}


def _stack(records, width: int) -> np.ndarray:
    m = np.full((len(records), width, len(METRICS)), np.nan)
    for i, r in enumerate(records):
        rows = min(r.metrics.shape[0], width)
        m[i, :rows] = r.metrics[:rows]
    return m


def write_comparison(path: str | Path, result: ComparisonResult) -> Path:
    """Write the whole comparison to ``path`` atomically (an existing file is replaced only
    once the new one is complete on disk)."""
    path = Path(path)
    plan = result.plan
    summary = summarize(result)
    doc = {
        "format": FORMAT, "schema_version": SCHEMA, "app_version": __version__,
        "plan": plan.to_dict(), "lrs": [float(v) for v in result.lrs],
        "cancelled": result.cancelled, "seconds": _f(result.seconds),
        "runs": [_run_doc(r) for r in result.runs],
        "tuning": [_run_doc(r) for r in result.tuning],
        "summary": {"verdict": verdict(summary), "warnings": warnings(summary),
                    "table": format_table(summary).splitlines()},
    }
    text = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False)
    npz = io.BytesIO()
    width = plan.epochs + 1
    np.savez_compressed(npz, allow_pickle=False, main=_stack(result.runs, width),
                        tuning=_stack(result.tuning, width))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
                z.writestr("comparison.json", text)
                z.writestr("runs.npz", npz.getvalue())
                z.writestr("runs.csv", runs_csv(result))
                z.writestr("summary.csv", summary_csv(summary))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
    return path


def write_folder(result: ComparisonResult, out: str | Path) -> list[Path]:
    """What ``activation-lab compare`` writes into ``out``: summary.csv (one row per value),
    runs.csv (one row per run and epoch), curves.csv (the median and quartile curves the
    figure draws) and comparison.alabcmp (everything, to reopen). Raises OSError."""
    out = Path(out)
    summary = summarize(result)
    written = []
    for name, text in (("summary.csv", summary_csv(summary)), ("runs.csv", runs_csv(result)),
                       ("curves.csv", curves_csv(result))):
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    written.append(write_comparison(out / f"comparison{SUFFIX}", result))
    return written


# --- reading -------------------------------------------------------------------------------------
def _members(z: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = z.infolist()
    if len(infos) > 16:
        raise CompareFileError("the file holds more parts than a comparison has")
    found, total = {}, 0
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in name:
            raise CompareFileError(f"the file contains a part with an unsafe name ({name!r})")
        total += info.file_size
        if name in MEMBERS:
            found[name] = info
    if total > MAX_TOTAL_BYTES:
        raise CompareFileError("the file expands to more data than a comparison holds")
    for name in ("comparison.json", "runs.npz"):
        if name not in found:
            raise CompareFileError(f"the file has no {name}; it is not an Activation Lab "
                                   "comparison")
    if found["comparison.json"].file_size > MAX_JSON_BYTES:
        raise CompareFileError("comparison.json is far larger than a comparison's")
    return found


def _number(d: dict, key: str, lo: float, hi: float, *, whole: bool = False,
            none: bool = False, where: str) -> Any:
    v = d.get(key)
    if v is None and none:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or (whole and not isinstance(v, int)):
        raise CompareFileError(f"{where}: {key} must be a {'whole ' if whole else ''}number")
    if not (math.isfinite(v) and lo <= v <= hi):
        raise CompareFileError(f"{where}: {key} is out of range")
    return v


def _record(d: Any, spec: RunSpec, metrics: np.ndarray, plan: Plan, where: str) -> RunRecord:
    if not isinstance(d, dict):
        raise CompareFileError(f"{where} is not a JSON object")
    for key, want in (("phase", spec.phase), ("index", spec.index),
                      ("value_index", spec.value_index), ("seed", spec.seed)):
        if d.get(key) != want or isinstance(d.get(key), bool):
            raise CompareFileError(f"{where} does not match the plan ({key})")
    status = d.get("status")
    if status not in STATUSES:
        raise CompareFileError(f"{where} has an unknown status")
    epochs = _number(d, "epochs", 0, plan.epochs, whole=True, where=where)
    if status not in COUNTED and epochs != 0:
        raise CompareFileError(f"{where}: a {status} run has no epochs")
    goal_epoch = _number(d, "goal_epoch", 0, epochs, whole=True, none=True, where=where)
    if goal_epoch is not None and (plan.goal is None or status not in COUNTED):
        raise CompareFileError(f"{where} reached a goal it could not have")
    lr = _number(d, "lr", 1e-12, 100, where=where)
    seconds = _number(d, "seconds", 0, 1e9, none=True, where=where)
    dead = _number(d, "dead_share", 0, 1, none=True, where=where)
    sat = _number(d, "saturated_share", 0, 1, none=True, where=where)
    message = d.get("message", "")
    if not isinstance(message, str):
        raise CompareFileError(f"{where}: message must be text")
    rows = metrics[: epochs + 1] if status in COUNTED else metrics[:0]
    if status in COUNTED and np.isnan(rows).all(axis=1).any():
        raise CompareFileError(f"{where} lacks the metrics of some of its epochs")
    if plan.goal is not None and status in COUNTED and (
            plan.goal.first_epoch(rows[:, plan.goal.column]) != goal_epoch):
        raise CompareFileError(f"{where}: its goal_epoch does not match its metrics")
    return RunRecord(spec.index, spec.phase, spec.value_index, spec.seed, float(lr), status,
                     np.array(rows, dtype=np.float64), epochs,
                     0.0 if seconds is None else float(seconds), goal_epoch,
                     math.nan if dead is None else float(dead),
                     math.nan if sat is None else float(sat), message[:MAX_MESSAGE])


def _records(docs: Any, specs: list[RunSpec], arr: np.ndarray | None, plan: Plan,
             what: str) -> tuple[RunRecord, ...]:
    if not isinstance(docs, list) or len(docs) != len(specs):
        raise CompareFileError(f"the file's {what} do not match its plan")
    shape = (len(specs), plan.epochs + 1, len(METRICS))
    if arr is None or arr.shape != shape or arr.dtype.kind != "f":
        raise CompareFileError(f"the metrics of the {what} are missing or have the wrong shape")
    return tuple(_record(d, s, arr[i], plan, f"{what[:-1]} {i + 1}")
                 for i, (d, s) in enumerate(zip(docs, specs)))


def read_comparison(path: str | Path) -> ComparisonResult:
    """Reopen a comparison file with all its results; raises CompareFileError."""
    path = Path(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise CompareFileError("it is not a file")
        if st.st_size > MAX_TOTAL_BYTES:
            raise CompareFileError("the file is far larger than any comparison")
        with open(path, "rb") as f:
            check_directory_size(f)
            with zipfile.ZipFile(f) as z:
                members = _members(z)
                doc_bytes = read_member(z, members["comparison.json"])
                npz_bytes = read_member(z, members["runs.npz"])
    except CompareFileError:
        raise
    except ArchiveError as e:
        raise CompareFileError(str(e).replace("an experiment", "a comparison")) from None
    except FileNotFoundError:
        raise CompareFileError("the file does not exist") from None
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, NotImplementedError,
            zlib.error):
        raise CompareFileError("the file is damaged or is not a comparison file") from None
    except (OSError, RuntimeError) as e:
        raise CompareFileError(f"the file cannot be read ({e.__class__.__name__})") from None
    try:
        doc = json.loads(doc_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise CompareFileError("comparison.json is not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CompareFileError("the file is not an Activation Lab comparison")
    if doc.get("schema_version") != SCHEMA:
        raise CompareFileError(f"the file has schema version {doc.get('schema_version')!r}; "
                               f"this version of Activation Lab reads version {SCHEMA}")
    try:
        plan = Plan.from_dict(doc.get("plan"))
    except PlanError as e:
        raise CompareFileError(f"the plan is invalid: {e}") from None
    except (TypeError, RecursionError, KeyError):
        raise CompareFileError("the plan is invalid") from None
    try:
        arrays = load_arrays(npz_bytes)
    except ArchiveError as e:
        raise CompareFileError(str(e).replace("weights", "metrics")) from None
    lrs = doc.get("lrs")
    if not isinstance(lrs, list) or len(lrs) != len(plan.values) or not all(
            not isinstance(v, bool) and isinstance(v, int | float) and math.isfinite(v)
            and 0 < v <= 100 for v in lrs):
        raise CompareFileError("the learning rates in the file do not match its plan")
    cancelled = doc.get("cancelled", False)
    if not isinstance(cancelled, bool):
        raise CompareFileError("cancelled must be true or false")
    seconds = _number(doc, "seconds", 0, 1e9, none=True, where="the comparison")
    main_specs = plan.main_specs(tuple(lrs) if plan.tune_lr else None)
    runs = _records(doc.get("runs"), main_specs, arrays.get("main"), plan, "runs")
    tuning = _records(doc.get("tuning", []), plan.tuning_specs(), arrays.get("tuning"), plan,
                      "tuning runs")
    return ComparisonResult(plan, runs, tuning, tuple(float(v) for v in lrs), cancelled,
                            0.0 if seconds is None else float(seconds))
