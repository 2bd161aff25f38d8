"""The engine never imports Qt, pyqtgraph or the GUI: checked at run time and in the source."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("PySide6", "pyqtgraph", "gui", "shiboken6")
CORE = Path(__file__).resolve().parents[2] / "core"


def test_importing_core_loads_no_gui_module():
    code = (
        "import core, core.network, core.trainer, core.datasets, core.snapshot, core.state, sys; "
        f"bad=[m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]; "
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=CORE.parent, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def forbidden_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [f"{path.name}:{node.lineno} {n}" for n in names
                  if n.split(".")[0] in FORBIDDEN]
    return found


def test_no_file_under_core_imports_a_gui_module():
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 10
    bad = [hit for f in files for hit in forbidden_imports(f)]
    assert not bad, bad


def test_the_static_check_would_notice(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("import numpy\nfrom PySide6.QtCore import QObject\nimport gui.main_window\n")
    assert len(forbidden_imports(f)) == 2
