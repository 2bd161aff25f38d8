"""Typed, capped reading of one TOML table of a lesson: every complaint names line and field.

A ``Table`` refuses unknown keys as soon as it is made (listing the known ones), and its
getters refuse wrong types, non-finite or out-of-range numbers, over-long text and control
characters. Nothing is converted silently: ``1`` is not accepted where text is expected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from .source import LessonError, Source

__all__ = ["Table"]

#: control characters other than tab and newline, and the bidirectional overrides that can
#: make text read differently from what it is
_BAD_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_TYPE = {bool: "true or false", int: "a whole number", float: "a number", str: "text",
         list: "a list", dict: "a table"}


def _kind(v: Any) -> str:
    for t, name in _TYPE.items():
        if isinstance(v, t):
            return name
    return type(v).__name__


def _show(v: Any) -> str:
    r = repr(v)
    return r if len(r) <= 40 else r[:37] + "..."


class Table:
    """One TOML table (a dict) at ``path`` in ``src``, with only the ``known`` keys allowed."""

    def __init__(self, data: Any, path: tuple, src: Source, known: Iterable[str],
                 what: str = "this table"):
        self.path, self.src = path, src
        self.known = tuple(known)
        if not isinstance(data, dict):
            raise src.error(path, f"must be a table (a [section] or {{ ... }}), not "
                                  f"{_kind(data)}")
        self.data = data
        for key in data:
            if key not in self.known:
                raise src.error(path + (key,), f"unknown field {key!r} in {what}; the known "
                                               f"fields are: {', '.join(self.known)}")

    # --- helpers --------------------------------------------------------------------------
    def error(self, key: str | int | None, message: str) -> LessonError:
        return self.src.error(self.path + (() if key is None else (key,)), message)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def _missing(self, key: str) -> LessonError:
        return self.error(key, f"the field {key!r} is missing")

    # --- getters --------------------------------------------------------------------------
    def text(self, key: str, *, max_len: int, required: bool = False, default: str = "",
             one_line: bool = False) -> str:
        if key not in self.data:
            if required:
                raise self._missing(key)
            return default
        return self._text(self.data[key], key, max_len, one_line)

    def _text(self, v: Any, key: str | int, max_len: int, one_line: bool) -> str:
        if not isinstance(v, str):
            raise self.error(key, f"must be text in quotes, not {_kind(v)} {_show(v)}")
        if len(v) > max_len:
            raise self.error(key, f"is {len(v):,} characters long; at most {max_len:,} are "
                                  "allowed")
        if _BAD_CHARS.search(v):
            raise self.error(key, "contains a control character; only plain text, tabs and "
                                  "line breaks are allowed")
        v = v.strip()
        if one_line and "\n" in v:
            raise self.error(key, "must fit on one line")
        if not v:
            raise self.error(key, "must not be empty")
        return v

    def texts(self, key: str, *, max_items: int, max_len: int) -> tuple[str, ...]:
        """A list of texts (a single text is read as a list of one)."""
        v = self.data.get(key, [])
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list):
            raise self.error(key, f"must be a list of texts, not {_kind(v)}")
        if len(v) > max_items:
            raise self.error(key, f"has {len(v)} entries; at most {max_items} are allowed")
        sub = Table.__new__(Table)
        sub.path, sub.src, sub.known, sub.data = self.path + (key,), self.src, (), {}
        return tuple(sub._text(item, i, max_len, False) for i, item in enumerate(v))

    def number(self, key: str, lo: float, hi: float, *, integer: bool = False,
               required: bool = False, default: Any = None) -> Any:
        if key not in self.data:
            if required:
                raise self._missing(key)
            return default
        v = self.data[key]
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.error(key, f"must be a number, not {_kind(v)} {_show(v)}")
        if isinstance(v, float) and not math.isfinite(v):
            raise self.error(key, f"must be a finite number, not {v}")
        if integer and not (isinstance(v, int) or float(v).is_integer()):
            raise self.error(key, f"must be a whole number, not {v!r}")
        if not lo <= v <= hi:
            raise self.error(key, f"must lie between {lo:g} and {hi:g}, not {_show(v)}")
        return int(v) if integer else float(v)

    def boolean(self, key: str, default: bool = False) -> bool:
        v = self.data.get(key, default)
        if not isinstance(v, bool):
            raise self.error(key, f"must be true or false, not {_kind(v)} {_show(v)}")
        return v

    def choice(self, key: str, options: Iterable[str], *, required: bool = False,
               default: str | None = None) -> str | None:
        options = tuple(options)
        if key not in self.data:
            if required:
                raise self.error(key, f"the field {key!r} is missing; it is one of: "
                                      f"{', '.join(options)}")
            return default
        v = self.data[key]
        if not isinstance(v, str) or v not in options:
            raise self.error(key, f"must be one of: {', '.join(options)}; not {_show(v)}")
        return v

    def table(self, key: str, known: Iterable[str], *, what: str = "") -> Table | None:
        if key not in self.data:
            return None
        return Table(self.data[key], self.path + (key,), self.src, known, what or f"'{key}'")

    def tables(self, key: str, known: Iterable[str], *, max_items: int,
               what: str = "") -> list[Table]:
        """An array of tables (``[[key]]`` blocks or a list of inline tables)."""
        v = self.data.get(key, [])
        if not isinstance(v, list):
            raise self.error(key, f"must be a list of tables ([[{key}]] blocks), not {_kind(v)}")
        if len(v) > max_items:
            raise self.error(key, f"has {len(v)} entries; at most {max_items} are allowed")
        known = tuple(known)
        return [Table(item, self.path + (key, i), self.src, known, what or f"'{key}'")
                for i, item in enumerate(v)]
