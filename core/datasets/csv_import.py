"""CSV import: a table with a header row becomes a Dataset (task detected from the target).

Reading and the errors live in ``csv_table``; this module turns the target column into
classes or numbers and builds the Dataset. Problems raise ``CSVError`` (see ``csv_table``).
What this does not try to do: guess decimal commas, dates or units; fill in missing values.
"""

from __future__ import annotations

import gzip
import secrets
import stat
import zlib
from pathlib import Path

import numpy as np

from .base import Dataset, Task
from .csv_table import (
    MAX_ABS,
    MAX_COLS,
    MAX_ROWS,
    CSVError,
    Table,
    cell_problem,
    csv_columns,
    decode,
    parse_table,
)
from .pipeline import assemble, one_hot

__all__ = ["CSVError", "MAX_BYTES", "csv_columns", "encode_target", "load_csv",
           "parse_csv_text"]

MAX_BYTES = 50_000_000
#: most classes a text or explicitly multiclass target may have
MAX_CLASSES = 100
#: at most this many distinct whole numbers make an automatic classification target
AUTO_CLASSES = 20
TASKS = ("binary", "multiclass", "regression")


def encode_target(table: Table, task: Task | None = None) -> tuple[Task, np.ndarray, tuple]:
    """(task, y, class_names) from the target cells.

    Auto task: text, or at most 20 distinct whole numbers, is a classification (2 classes:
    binary, more: multiclass); other numbers are a regression. Classes are sorted (numbers by
    value); y is 0/1 (n, 1) for binary, one-hot (n, k) for multiclass, values (n, 1) otherwise.
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)} or None, not {task!r}")
    col = table.target_name
    values = np.empty(len(table.target))
    bad = None
    for i, cell in enumerate(table.target):
        try:
            values[i] = float(cell)
        except ValueError:
            values[i] = np.inf
        if bad is None and not abs(values[i]) <= MAX_ABS:
            bad = i
    numeric = bad is None
    if task == "regression" or (task is None and numeric and not _few_whole(values)):
        if not numeric:
            problem = cell_problem(table.target[bad]) or "not a number"
            raise CSVError(f"{problem}; a regression target must be numeric",
                           row=int(table.lines[bad]), column=col)
        return "regression", values[:, None], ()
    keys = values if numeric else np.array(table.target)
    classes, index = np.unique(keys, return_inverse=True)
    k = len(classes)
    names = tuple(_class_name(c) for c in classes)
    if k == 1:
        raise CSVError(f"it has only one class ({names[0]!r}); a classifier needs at least two",
                       column=col)
    if task == "binary" and k != 2:
        raise CSVError(f"it has {k} different values, but a binary target needs exactly two",
                       column=col)
    if k > MAX_CLASSES:
        raise CSVError(f"it has {k:,} different values, more than the {MAX_CLASSES} classes "
                       "allowed, so it is probably not a column of class labels", column=col)
    if k == 2 and task != "multiclass":
        return "binary", index[:, None].astype(np.float64), names
    return "multiclass", one_hot(index, k), names


def _few_whole(values: np.ndarray) -> bool:
    return bool(np.all(values == np.round(values))) and len(np.unique(values)) <= AUTO_CLASSES


def _class_name(c) -> str:
    if isinstance(c, np.floating):
        return str(int(c)) if c == int(c) else repr(float(c))
    return str(c)


def _extent(x: np.ndarray):
    """A box around 2 input columns with a 10 % margin, for decision maps; None otherwise."""
    if x.shape[1] != 2:
        return None
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = np.where(hi > lo, (hi - lo) * 0.1, 1.0)
    return tuple((float(a), float(b)) for a, b in zip(lo - pad, hi + pad))


def parse_csv_text(
    text: str,
    target: str | int | None = None,
    task: Task | None = None,
    test_fraction: float = 0.5,
    seed: int | None = 0,
    standardize: bool = False,
    targets: str = "01",
    header: bool | None = None,
    delimiter: str | None = None,
    max_rows: int = MAX_ROWS,
    max_cols: int = MAX_COLS,
    name: str = "csv",
    path: str | None = None,
    skip_rows: int = 0,
) -> Dataset:
    """A Dataset from CSV text (header row; target = last column unless ``target`` names one).

    ``task=None`` detects it (see ``encode_target``). Split, standardization and ``targets``
    work as in ``core.datasets.load``; ``skip_rows`` first lines are ignored (see
    ``parse_table``). Raises CSVError for problems in the text.
    """
    table = parse_table(text, target, header, delimiter, max_rows, max_cols, skip_rows)
    task, y, class_names = encode_target(table, task)
    if seed is None:
        seed = secrets.randbits(32)
    options = {
        "name": "csv", "path": path, "target": table.target_name, "task": task,
        "header": table.header, "delimiter": table.delimiter,
        "test_fraction": float(test_fraction), "seed": int(seed),
        "standardize": bool(standardize), "targets": targets,
    }
    if skip_rows:
        options["skip_rows"] = skip_rows
    return assemble(
        name, task, table.x, y, rng=np.random.default_rng(int(seed)),
        test_fraction=test_fraction, standardize=standardize, targets=targets,
        input_names=table.input_names,
        output_names=class_names if task == "multiclass" else (table.target_name,),
        class_names=class_names, extent=_extent(table.x), options=options,
    )


def load_csv(
    path: str | Path,
    target: str | int | None = None,
    task: Task | None = None,
    test_fraction: float = 0.5,
    seed: int | None = 0,
    standardize: bool = False,
    targets: str = "01",
    header: bool | None = None,
    delimiter: str | None = None,
    max_rows: int = MAX_ROWS,
    max_cols: int = MAX_COLS,
    max_bytes: int = MAX_BYTES,
    skip_rows: int = 0,
) -> Dataset:
    """A Dataset from a UTF-8 CSV file (``.csv.gz`` too); see ``parse_csv_text``.

    Every column but the target is an input and must hold numbers; the file's size is
    checked against ``max_bytes`` before it is read. What this does not try to do: guess
    decimal commas, dates or units, or fill in missing values.

    Parameters
    ----------
    path : str or Path
        The file; a name ending in ``.gz`` is unpacked.
    target : str or int, optional
        The target column: its name (letter case ignored when that is unambiguous) or its
        0-based index (negative counts from the end). Default: the last column.
    task : {"binary", "multiclass", "regression"}, optional
        None detects it: text, or at most 20 distinct whole numbers, is a classification
        (binary with 2 classes, multiclass with more); other numbers are a regression.
    test_fraction, seed, standardize, targets
        As in ``core.datasets.load``.
    header : bool, optional
        Whether the first row holds column names; None guesses (a first row made only of
        numbers is data, and the columns are called "column 1", ...).
    delimiter : str, optional
        None takes the most common of ",", ";" and tab in the first line.
    max_rows, max_cols, max_bytes : int
        Limits; a larger file is refused before it is parsed.
    skip_rows : int
        Lines at the top of the file to ignore, whatever they hold: a preamble above the
        header (or above the data), as the CSV files bundled with scikit-learn have.

    Returns
    -------
    Dataset
        Named after the file (without its extensions). ``x_*`` (n, columns − 1); ``y_*`` is
        (n, 1) 0/1 (or −1/+1) for binary, one-hot (n, k) for multiclass, (n, 1) values for
        regression. A classification's classes, sorted, are in ``class_names``.

    Raises
    ------
    CSVError
        For any problem with the contents or the size, in one sentence naming the row and
        column (``row``, ``column``): not UTF-8, a missing or non-numeric cell, no such
        target column, too many rows, not a regular file, a broken ``.gz``. A subclass of
        ValueError.
    ValueError
        If ``task``, ``test_fraction`` or ``targets`` is not an allowed value.
    OSError
        If the file is missing or cannot be read.
    """
    path = Path(path)
    too_big = f"more than the limit of {max_bytes / 1e6:g} MB; use a sample of it"
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        # a device (/dev/zero) or a pipe has no size and could be read forever
        raise CSVError(f"{path.name} is not a regular file")
    size = st.st_size
    if size > max_bytes:
        raise CSVError(f"the file is {size / 1e6:.1f} MB, {too_big}")
    if path.suffix.lower() == ".gz":
        try:
            with gzip.open(path) as f:
                data = f.read(max_bytes + 1)
        except (gzip.BadGzipFile, EOFError, zlib.error):
            raise CSVError("the file ends in .gz but is not a valid gzip archive") from None
        if len(data) > max_bytes:
            raise CSVError(f"the unpacked file is {too_big}")
    else:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)  # the file may have grown since stat()
        if len(data) > max_bytes:
            raise CSVError(f"the file is {too_big}")
    stem = path.name.split(".", 1)[0] or path.name
    return parse_csv_text(
        decode(data), target, task, test_fraction, seed, standardize, targets, header,
        delimiter, max_rows, max_cols, name=stem, path=str(path), skip_rows=skip_rows,
    )
