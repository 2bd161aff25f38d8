"""Reading a lesson file safely, and finding the line of any field in it.

``LessonError`` is the one exception a lesson file can cause. ``Source`` reads the bytes
(size cap, UTF-8, no NUL), parses them with ``tomllib`` (the standard library's TOML parser:
nothing in a lesson is ever executed) and keeps a map from field paths to line numbers, so
every later complaint can name the line. The map comes from a light scan of the text: table
headers (``[a.b]``, ``[[steps]]``) and ``key =`` lines, skipping multi-line strings. Fields
written inside an inline table (``goal = { kind = "metric", ... }``) get the line of the key
that holds the table.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["MAX_FILE_BYTES", "LessonError", "Source", "field_name"]

#: a lesson is a page of text; anything bigger is not a lesson
MAX_FILE_BYTES = 256 * 1024


class LessonError(ValueError):
    """A lesson file that cannot be used: one sentence naming the file, the line and the field.

    Attributes
    ----------
    path : str
        The file (or ``"<text>"`` for a string).
    line : int or None
        1-based line of the problem, None when no line applies (e.g. an unreadable file).
    field : str or None
        The field, e.g. ``"steps[3].goal.value"`` (steps counted from 1), None for the file.
    message : str
        What is wrong, without the location.
    """

    def __init__(self, path: str, line: int | None, field: str | None, message: str):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        where = self.path
        if line is not None:
            where += f", line {line}"
        if field:
            where += f", field {field}"
        super().__init__(f"{where}: {message}")


def field_name(path: tuple) -> str:
    """("steps", 2, "goal", "value") → "steps[3].goal.value" (array indices counted from 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEYPART = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEYPART}(?:\s*\.\s*{_KEYPART})*"
_HEADER = re.compile(rf"^\s*(\[\[|\[)\s*({_DOTTED})\s*(\]\]|\])")
_KEYLINE = re.compile(rf"^\s*({_DOTTED})\s*=(.*)$")
_SPLIT = re.compile(_KEYPART)


def _parts(dotted: str) -> list[str]:
    parts = []
    for m in _SPLIT.finditer(dotted):
        p = m.group(0)
        parts.append(p[1:-1] if p[0] in "\"'" else p)
    return parts


def _scan(text: str) -> tuple[dict[tuple, int], dict[int, tuple]]:
    """(field path → line, line → field path) for headers and key lines."""
    where: dict[tuple, int] = {}
    by_line: dict[int, tuple] = {}
    counts: dict[tuple, int] = {}
    table: tuple = ()
    closing = None  # the delimiter of a multi-line string we are inside
    for no, line in enumerate(text.splitlines(), 1):
        if closing is not None:
            by_line[no] = by_line.get(no - 1, table)
            if line.count(closing) % 2 == 1:
                closing = None
            continue
        m = _HEADER.match(line)
        if m:
            keys = _parts(m.group(2))
            path: tuple = ()
            for i, k in enumerate(keys):
                path += (k,)
                last = i == len(keys) - 1
                if last and m.group(1) == "[[":
                    counts[path] = counts.get(path, -1) + 1
                    path += (counts[path],)
                elif path in counts:
                    path += (counts[path],)
            table = path
            where.setdefault(path, no)
            by_line[no] = path
            continue
        m = _KEYLINE.match(line)
        if m:
            path = table + tuple(_parts(m.group(1)))
            where.setdefault(path, no)
            by_line[no] = path
            rest = m.group(2)
            for delim in ('"""', "'''"):
                if delim in rest:
                    if rest.count(delim) % 2 == 1:
                        closing = delim
                    break
        else:
            by_line[no] = table
    return where, by_line


_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


class Source:
    """The text of one lesson file, parsed, with the line of every field it can locate."""

    def __init__(self, text: str, path: str = "<text>"):
        self.path = str(path)
        if len(text) > MAX_FILE_BYTES:
            raise LessonError(self.path, None, None, f"the text is longer than "
                              f"{MAX_FILE_BYTES // 1024} KiB, too long for a lesson")
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise LessonError(self.path, line, None, "the file contains a NUL byte; a lesson "
                              "is plain text")
        if text.startswith("\ufeff"):
            text = text[1:]
        if not text.strip():
            raise LessonError(self.path, 1, "title", "the file is empty; a lesson needs at "
                              "least a title, a question and one [[steps]] block")
        self.text = text
        self._where, self._by_line = _scan(text)
        try:
            self.data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            msg = str(e)
            m = _AT_LINE.search(msg)
            line = int(m.group(1)) if m else max(1, text.count("\n") + 1)
            what = _AT_LINE.sub("", msg).strip().rstrip(".")
            path = self._by_line.get(line, ())
            raise LessonError(self.path, line, field_name(path) or None,
                              f"this is not valid TOML: {what[:1].lower()}{what[1:]}") from None
        except RecursionError:
            raise LessonError(self.path, None, None, "the file nests brackets too deeply to be "
                              "a lesson") from None

    @classmethod
    def from_file(cls, path: str | Path) -> Source:
        """Read ``path`` (at most MAX_FILE_BYTES, UTF-8) and parse it."""
        p = Path(path)
        try:
            with open(p, "rb") as f:
                raw = f.read(MAX_FILE_BYTES + 1)
        except OSError as e:
            raise LessonError(str(p), None, None,
                              f"cannot read the file ({e.strerror or e})") from None
        if len(raw) > MAX_FILE_BYTES:
            raise LessonError(str(p), None, None, f"the file is larger than "
                              f"{MAX_FILE_BYTES // 1024} KiB, too big for a lesson")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            raise LessonError(str(p), line, None, "the file is not UTF-8 text") from None
        return cls(text, str(p))

    def line_of(self, path: tuple) -> int:
        """The line of ``path``, or of its nearest ancestor found in the file (else 1)."""
        for n in range(len(path), 0, -1):
            line = self._where.get(tuple(path[:n]))
            if line is not None:
                return line
        return 1

    def error(self, path: tuple, message: str) -> LessonError:
        return LessonError(self.path, self.line_of(path), field_name(path) or None, message)
