"""The student's own activation functions: a small list of formula specs kept in a JSON file
in the app's data folder between sessions, with rename, edit, delete, export and import.

An entry is a formula's spec string (``formula:x*sigmoid(beta*x); beta = 1 in [0.1, 10];
name = swish-b``, see ``core.activations.formula``): text only, parsed again (never run) each
time it is read. A file that is not a list of valid specs is refused whole, with one sentence,
and changes nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal

from core.activations.formula import FormulaError, describe, formula_name, is_formula

__all__ = ["FormulaLibrary", "LibraryError", "MAX_ENTRIES", "shared", "use_shared"]

MAX_ENTRIES = 100
MAX_FILE = 256 * 1024
FORMAT = "activation-lab formulas"


class LibraryError(ValueError):
    """A library file that cannot be read or written; the message is one sentence."""


def _read(path: Path) -> list[str]:
    """The specs of a library file, every one checked; LibraryError otherwise."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE + 1)
    except OSError as e:
        raise LibraryError(f"{path.name} could not be read ({e.strerror or e})") from None
    if len(data) > MAX_FILE:
        raise LibraryError(f"{path.name} is larger than {MAX_FILE // 1024} KiB: it is not a "
                           "file of formulas")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise LibraryError(f"{path.name} is not a file of formulas (not JSON)") from None
    if not (isinstance(doc, dict) and doc.get("format") == FORMAT
            and isinstance(doc.get("formulas"), list)):
        raise LibraryError(f"{path.name} is not a file of formulas exported by Activation Lab")
    specs = doc["formulas"]
    if len(specs) > MAX_ENTRIES:
        raise LibraryError(f"{path.name} holds {len(specs)} formulas; at most {MAX_ENTRIES}")
    out = []
    for i, spec in enumerate(specs, 1):
        if not is_formula(spec):
            raise LibraryError(f"formula {i} of {path.name} is not a formula")
        try:
            out.append(describe(spec).name)  # parsed and written canonically; never run
        except FormulaError as e:
            raise LibraryError(f"formula {i} of {path.name} is refused: {e}") from None
    return list(dict.fromkeys(out))


def _write(path: Path, specs: list[str]) -> None:
    doc = {"format": FORMAT, "version": 1, "formulas": specs}
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise LibraryError(f"{path.name} could not be written ({e.strerror or e})") from None


def label_of(spec: str) -> str:
    """What a menu shows for a spec: its name, else its formula."""
    return describe(spec).display_name


class FormulaLibrary(QObject):
    """The list of the student's formulas, saved to ``path`` after every change.

    Signals
    -------
    changed()
        An entry was added, renamed, edited, deleted or imported.
    """

    changed = Signal()

    def __init__(self, path: str | Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = None if path is None else Path(path)
        self._specs: list[str] = []
        self.load_problem = ""
        if self.path is not None and self.path.exists():
            try:
                self._specs = _read(self.path)
            except LibraryError as e:  # kept aside, not lost: the next save goes elsewhere
                self.load_problem = str(e)
                self.path = self.path.with_name(self.path.stem + "-new.json")

    def specs(self) -> list[str]:
        return list(self._specs)

    def __contains__(self, spec: object) -> bool:
        return spec in self._specs

    def add(self, spec: str) -> str:
        """Add (or keep) ``spec``; returns it written canonically."""
        spec = describe(spec).name
        if spec not in self._specs:
            if len(self._specs) >= MAX_ENTRIES:
                raise LibraryError(f"your list holds {MAX_ENTRIES} formulas already: delete one "
                                   "first")
            self._specs.append(spec)
            self._save()
        return spec

    def replace(self, old: str, new: str) -> str:
        """Put ``new`` where ``old`` was (an edit); returns the new spec."""
        new = describe(new).name
        specs = [s for s in self._specs if s != new]
        if old in specs:
            specs[specs.index(old)] = new
        else:
            specs.append(new)
        self._specs = specs
        self._save()
        return new

    def rename(self, spec: str, label: str) -> str:
        d = describe(spec)
        params = {p.name: (p.default, p.lo, p.hi) for p in d.params}
        return self.replace(spec, formula_name(d.text, params, label.strip() or None))

    def remove(self, spec: str) -> None:
        if spec in self._specs:
            self._specs.remove(spec)
            self._save()

    def export(self, path: str | Path, specs: list[str] | None = None) -> None:
        _write(Path(path), self.specs() if specs is None else specs)

    def import_file(self, path: str | Path) -> int:
        """Add every formula of a file; all or nothing. Returns how many were new."""
        incoming = [s for s in _read(Path(path)) if s not in self._specs]
        if len(self._specs) + len(incoming) > MAX_ENTRIES:
            raise LibraryError(f"importing would make more than {MAX_ENTRIES} formulas: delete "
                               "some first")
        if incoming:
            self._specs += incoming
            self._save()
        return len(incoming)

    def _save(self) -> None:
        if self.path is not None:
            _write(self.path, self._specs)
        self.changed.emit()


def default_path() -> Path | None:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(folder) / "formulas.json" if folder else None


_SHARED: list[FormulaLibrary] = []


def shared() -> FormulaLibrary:
    """The app's one library (made on first use, from the app data folder)."""
    if not _SHARED:
        _SHARED.append(FormulaLibrary(default_path()))
    return _SHARED[0]


def use_shared(library: FormulaLibrary | None) -> None:
    """Make ``library`` the app's one (the composition root, or a test); None forgets it."""
    _SHARED.clear()
    if library is not None:
        _SHARED.append(library)
