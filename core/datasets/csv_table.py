"""Reading CSV text into a table of numbers, and the one-sentence errors for what goes wrong.

Every problem raises ``CSVError`` naming the 1-based file line (``row``) and the column name
(``column``) where it was found, e.g. "row 7, column 'petal_width': 'abc' is not a number."
Size limits are checked by counting bytes and lines before any big array is allocated.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["CSVError", "MAX_ABS", "MAX_COLS", "MAX_ROWS", "MISSING", "Table", "cell_problem",
           "csv_columns", "decode", "parse_table"]

MAX_ROWS = 200_000
MAX_COLS = 1_000
#: bigger numbers are refused: their squares would overflow standardization and training
MAX_ABS = 1e100
#: cells (lower-cased, stripped) that mean "no value"
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-"})


class CSVError(ValueError):
    """A problem in a CSV file, told in one sentence that names where it is.

    Attributes: ``row`` (1-based line in the file, or None when no single row is to blame),
    ``column`` (column name, or None) and ``problem`` (the message without the location).
    """

    def __init__(self, problem: str, row: int | None = None, column: str | None = None):
        self.problem, self.row, self.column = problem, row, column
        where = [f"row {row}"] if row is not None else []
        if column is not None:
            where.append(f"column {column!r}")
        text = f"{', '.join(where)}: {problem}" if where else problem[:1].upper() + problem[1:]
        super().__init__(text + ".")

    def __reduce__(self):
        return (type(self), (self.problem, self.row, self.column))


def _show(cell: str) -> str:
    return repr(cell if len(cell) <= 30 else cell[:29] + "…")


def _count_lines(text: str | bytes) -> int:
    """Lines up to the last non-blank character (\\n, \\r and \\r\\n each end one line)."""
    end = len(text)
    while end and text[end - 1 : end].isspace():
        end -= 1
    nl, cr, crlf = ("\n", "\r", "\r\n") if isinstance(text, str) else (b"\n", b"\r", b"\r\n")
    return text.count(nl, 0, end) + text.count(cr, 0, end) - text.count(crlf, 0, end) + 1


def _first_line(text: str) -> tuple[int, str]:
    """(1-based line, text) of the first line that is not empty."""
    m = re.match(r"([\r\n]*)([^\r\n]*)", text)
    lead = m.group(1)
    return lead.count("\n") + lead.count("\r") - lead.count("\r\n") + 1, m.group(2)


def _sniff(first_line: str) -> str:
    """The delimiter: whichever of , ; tab is most common in the first line (ties: comma)."""
    return max((",", ";", "\t"), key=first_line.count)


def _is_number(cell: str) -> bool:
    try:
        v = float(cell)
    except ValueError:
        return False
    return abs(v) <= MAX_ABS


def _names(fields: list[str], header: bool) -> list[str]:
    if not header:
        return [f"column {j + 1}" for j in range(len(fields))]
    return [f.strip() or f"column {j + 1}" for j, f in enumerate(fields)]


def cell_problem(cell: str) -> str | None:
    """Why ``cell`` is not a usable number, or None if it is one."""
    s = cell.strip()
    if s.lower() in MISSING:
        return "the value is missing; fill it in or delete the row"
    try:
        v = float(s)
    except ValueError:
        hint = " (use a dot for decimals)" if s.replace(",", "", 1).isdigit() else ""
        return f"{_show(s)} is not a number{hint}"
    if not np.isfinite(v):
        return f"{_show(s)} is not a finite number"
    if abs(v) > MAX_ABS:
        return f"{_show(s)} is too large (numbers must be smaller than 1e100 in size)"
    return None


@dataclass(frozen=True, eq=False)
class Table:
    """A parsed file: numeric inputs ``x`` (n, d), target cells as text, file line of each row."""

    input_names: tuple[str, ...]
    target_name: str
    x: np.ndarray
    target: list[str]
    lines: np.ndarray
    header: bool
    delimiter: str


def parse_table(
    text: str,
    target: str | int | None = None,
    header: bool | None = None,
    delimiter: str | None = None,
    max_rows: int = MAX_ROWS,
    max_cols: int = MAX_COLS,
    skip_rows: int = 0,
) -> Table:
    """Read CSV text into a Table; the target column (default: the last) stays as text.

    ``header=None`` guesses: a first row made only of numbers is data, not names. Blank lines
    are skipped, and so are the first ``skip_rows`` lines of the file whatever they hold (a
    preamble such as scikit-learn's "569,30,malignant,benign"); rows keep their file line
    numbers in messages. Raises CSVError for the first problem in file order.
    """
    text = text.removeprefix("\ufeff")
    if skip_rows:
        text = _blank_first_lines(text, skip_rows)
    if not text or text.isspace():
        raise CSVError("the file is empty; it needs a header row and rows of data", row=1)
    first_data = 1 if header is False else 2
    n_lines = _count_lines(text)
    if n_lines - (first_data - 1) > max_rows:
        raise CSVError(f"the file has more than {max_rows:,} rows of data, the most that can be "
                       "loaded; use a sample of it", row=first_data + max_rows)
    first_row, first = _first_line(text)
    delimiter = delimiter or _sniff(first)
    cols = first.count(delimiter) + 1
    if cols > 4 * max_cols:  # refuse before csv makes a giant list (quotes could hide a few)
        raise CSVError(f"the file has about {cols:,} columns, more than the limit of "
                       f"{max_cols:,}", row=first_row)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = _records(reader)
    first_record = next(records, None)
    if first_record is None:  # only blank cells, e.g. a lone '""'
        raise CSVError("the file has no values; it needs a header row and rows of data", row=1)
    head_line, fields = first_record
    if len(fields) > max_cols:
        raise CSVError(f"the file has {len(fields):,} columns, more than the limit of "
                       f"{max_cols:,}", row=head_line)
    if header is None:
        header = not all(_is_number(f) for f in fields)
    names = _names(fields, header)
    for j, name in enumerate(names):
        if name in names[:j]:
            raise CSVError("two columns have this name; give each column its own name",
                           row=head_line, column=name)
    t = _target_index(names, target, head_line)
    if len(names) < 2:
        raise CSVError("the file needs at least two columns: one or more inputs and a target",
                       row=head_line, column=names[t])
    feature_cols = [j for j in range(len(names)) if j != t]
    x = np.empty((n_lines, len(feature_cols)), dtype=np.float64)  # n_lines bounds the rows
    rows = _chain([(head_line, fields)] if not header else [], records)
    target_cells, lines = _read_rows(rows, x, names, t, max_rows)
    if not lines:
        raise CSVError("the file has a header row but no rows of data", row=head_line + 1)
    n = len(lines)
    return Table(
        input_names=tuple(names[j] for j in feature_cols), target_name=names[t],
        x=x[:n].copy() if n < len(x) else x, target=target_cells,
        lines=np.array(lines, dtype=np.intp), header=header, delimiter=delimiter,
    )


def _blank_first_lines(text: str, n: int) -> str:
    """``text`` with its first ``n`` lines made empty (so later lines keep their numbers)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"the rows to skip must be a whole number ≥ 0, not {n!r}")
    lines = re.split(r"(?<=\r\n)|(?<=\r)(?!\n)|(?<=\n)", text)  # as the csv module ends lines
    lines = [line for line in lines if line]
    if n >= len(lines):
        rows, have = ("row" if n == 1 else "rows"), ("line" if len(lines) == 1 else "lines")
        raise CSVError(f"skipping {n:,} {rows} leaves nothing: the file has only "
                       f"{len(lines):,} {have}")
    return "\n" * n + "".join(lines[n:])


def _records(reader):
    """(first file line, fields) of each non-blank record."""
    last = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise CSVError(f"the line cannot be read as CSV ({e})", row=reader.line_num) from None
        start, last = last + 1, reader.line_num
        if fields and (len(fields) > 1 or fields[0].strip()):
            yield start, fields


def _read_rows(rows, x: np.ndarray, names: list[str], t: int, max_rows: int):
    """Fill ``x`` with the input columns of ``rows``; return (target cells, file lines).

    Numbers are checked a block of rows at a time (a per-row NumPy call would dominate), but
    problems are still reported in file order: a block is checked before any later error.
    """
    feature_cols = [j for j in range(len(names)) if j != t]
    target_cells: list[str] = []
    lines: list[int] = []
    block: list[list[float]] = []
    block_fields: list[list[str]] = []
    filled = 0

    def flush() -> None:
        nonlocal filled
        end = filled + len(block)
        if end == filled:
            return
        x[filled:end] = block
        bad = ~np.all(np.abs(x[filled:end]) <= MAX_ABS, axis=1)
        if bad.any():
            k = int(np.argmax(bad))
            _row_problem(lines[filled + k], block_fields[k], names, t)
        filled = end
        block.clear()
        block_fields.clear()

    while True:
        try:
            line, fields = next(rows)
        except StopIteration:
            break
        except CSVError:
            flush()
            raise
        if len(lines) == max_rows:
            flush()
            raise CSVError(f"the file has more than {max_rows:,} rows of data, the most that "
                           "can be loaded; use a sample of it", row=line)
        if len(fields) != len(names):
            flush()
            _ragged(line, fields, names)
        cell = fields[t].strip()
        try:
            values = [float(fields[j]) for j in feature_cols]
        except ValueError:
            values = None
        if values is None or cell.lower() in MISSING:
            flush()
            _row_problem(line, fields, names, t)
        block.append(values)
        block_fields.append(fields)
        target_cells.append(cell)
        lines.append(line)
        if len(block) == 2048:
            flush()
    flush()
    return target_cells, lines


def _chain(first, rest):
    yield from first
    yield from rest


def _target_index(names: list[str], target: str | int | None, line: int) -> int:
    if target is None:
        return len(names) - 1
    if isinstance(target, int) and not isinstance(target, bool):
        if -len(names) <= target < len(names):
            return target % len(names)
        raise CSVError(f"there is no column number {target}; the file has {len(names)} columns",
                       row=line)
    if target in names:
        return names.index(target)
    folded = [n.casefold() for n in names]
    if folded.count(str(target).strip().casefold()) == 1:
        return folded.index(str(target).strip().casefold())
    shown = ", ".join(map(repr, names[:10])) + (", …" if len(names) > 10 else "")
    raise CSVError(f"there is no such target column; the columns are {shown}", row=line,
                   column=str(target))


def _ragged(line: int, fields: list[str], names: list[str]) -> None:
    problem = (f"the row has {len(fields)} values but there are {len(names)} columns; "
               "each row needs exactly one value per column")
    raise CSVError(problem, row=line, column=names[len(fields)] if len(fields) < len(names)
                   else None)


def _row_problem(line: int, fields: list[str], names: list[str], t: int) -> None:
    """Raise for the leftmost bad cell of a row (inputs must be numbers; the target present)."""
    for j, cell in enumerate(fields):
        if j == t:
            if cell.strip().lower() in MISSING:
                raise CSVError("the value is missing; fill it in or delete the row", row=line,
                               column=names[j])
            continue
        problem = cell_problem(cell)
        if problem:
            raise CSVError(problem, row=line, column=names[j])
    raise CSVError("a value in this row is not a usable number", row=line)


def decode(data: bytes) -> str:
    """UTF-8 bytes (a BOM is fine) -> text; otherwise CSVError naming the row and column."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CSVError("the file is UTF-16 text; save it as UTF-8, for example 'CSV UTF-8' in "
                       "Excel", row=1)
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        prefix = body[: e.start]
        row = _count_lines(prefix + b"x")
        start = max(prefix.rfind(b"\n"), prefix.rfind(b"\r")) + 1
        head = _first_line(body[:100_000].decode("utf-8", "replace"))[1]
        delim = _sniff(head)
        before = prefix[start:].decode("utf-8", "replace")
        index = max(len(next(csv.reader([before], delimiter=delim), [])) - 1, 0)
        header = next(csv.reader([head], delimiter=delim), [])
        names = _names(header, not all(_is_number(f) for f in header))
        column = names[index] if row > 1 and index < len(names) else None
        raise CSVError(f"the file is not UTF-8 text (byte 0x{body[e.start]:02X} cannot be "
                       "read); save it as UTF-8, for example 'CSV UTF-8' in Excel",
                       row=row, column=column) from None


def csv_columns(path: str | Path, head_bytes: int = 65_536) -> list[str]:
    """The column names of a CSV file (``.csv.gz`` too) as ``load_csv`` names them.

    Reads only the first ``head_bytes``, so a "choose the target column" dialog can open
    before the whole file is checked. Raises OSError or CSVError.
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".gz":
            with gzip.open(path) as f:
                data = f.read(head_bytes)
        else:
            with open(path, "rb") as f:
                data = f.read(head_bytes)
    except (gzip.BadGzipFile, EOFError, zlib.error):
        raise CSVError("the file ends in .gz but is not a valid gzip archive") from None
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    if not text or text.isspace():
        raise CSVError("the file is empty; it needs a header row and rows of data", row=1)
    row, first = _first_line(text)
    fields = next(csv.reader([first], delimiter=_sniff(first)), [])
    if len(fields) < 2:
        raise CSVError("the file needs at least two columns: one or more inputs and a target",
                       row=row)
    return _names(fields, not all(_is_number(f) for f in fields))
