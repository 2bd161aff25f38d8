"""Packaging checks that need no PyInstaller run: icons, .desktop entry, spec, workflow, wheel.

The bundle itself is built and smoke-tested by ``make bundle smoke`` (packaging/smoke_test.sh).
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def load_make_icons():
    spec = importlib.util.spec_from_file_location("make_icons", PACKAGING / "make_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- icons ------------------------------------------------------------------------------------


def test_svg_source_icon_exists():
    text = (ICONS / "activation-lab.svg").read_text(encoding="utf-8")
    assert "<svg" in text and 'viewBox="0 0 256 256"' in text


@pytest.mark.parametrize(
    ("name", "size"),
    [("activation-lab.png", 256)]
    + [(f"activation-lab-{s}.png", s) for s in (16, 32, 48, 128, 512)],
)
def test_png_icons_have_the_right_size(name, size):
    assert png_size((ICONS / name).read_bytes()) == (size, size)


def test_ico_holds_png_entries_of_every_size():
    data = (ICONS / "activation-lab.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count >= 4
    sizes = []
    for i in range(count):
        w, h, _, _, planes, bpp, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i:22 + 16 * i])
        payload = data[offset:offset + length]
        assert len(payload) == length
        real = png_size(payload)
        assert real == ((w or 256), (h or 256)), "directory entry and PNG disagree"
        sizes.append(real[0])
    assert {16, 32, 48, 256} <= set(sizes)


def test_icns_holds_png_chunks_ic07_to_ic10():
    data = (ICONS / "activation-lab.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    chunks, pos = {}, 8
    while pos < len(data):
        kind, length = data[pos:pos + 4], struct.unpack(">I", data[pos + 4:pos + 8])[0]
        assert length > 8
        chunks[kind] = png_size(data[pos + 8:pos + length])
        pos += length
    assert pos == len(data)
    assert chunks == {b"ic07": (128, 128), b"ic08": (256, 256), b"ic09": (512, 512),
                      b"ic10": (1024, 1024)}


def test_committed_icons_match_the_svg(qapp):
    """Up to date-ish: the committed 48 px icon looks like the SVG rendered now.

    Pixels are compared with a tolerance, so another Qt version's anti-aliasing passes but an
    edited SVG without re-running packaging/make_icons.py fails.
    """
    from PySide6.QtGui import QImage

    make_icons = load_make_icons()
    fresh = QImage.fromData(make_icons.render_png(ICONS / "activation-lab.svg", 48))
    committed = QImage(str(ICONS / "activation-lab-48.png"))
    assert fresh.size() == committed.size()
    fmt = QImage.Format.Format_RGBA8888
    a = bytes(fresh.convertToFormat(fmt).constBits())
    b = bytes(committed.convertToFormat(fmt).constBits())
    mean_diff = sum(abs(x - y) for x, y in zip(a, b)) / len(a)
    assert mean_diff < 4.0, "icons are stale: run python packaging/make_icons.py"


# --- desktop entry, spec, scripts, workflow ---------------------------------------------------


def test_desktop_entry_has_the_required_keys():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(PACKAGING / "activation-lab.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "activation-lab"
    assert entry["Icon"] == "activation-lab"
    assert entry["Terminal"] == "false"
    assert {"Education", "Science"} <= set(filter(None, entry["Categories"].split(";")))
    for key in ("Name", "GenericName", "Comment"):
        assert entry[key].strip()


def spec_calls() -> dict[str, list[ast.Call]]:
    tree = ast.parse((PACKAGING / "activation_lab.spec").read_text(encoding="utf-8"))
    calls: dict[str, list[ast.Call]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls.setdefault(node.func.id, []).append(node)
    return calls


def test_spec_is_onedir_never_strips_and_collects_resources():
    text = (PACKAGING / "activation_lab.spec").read_text(encoding="utf-8")
    calls = spec_calls()
    assert {"Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"} <= set(calls)
    for name in ("EXE", "COLLECT"):
        for call in calls[name]:
            strip = [k for k in call.keywords if k.arg == "strip"]
            assert strip and isinstance(strip[0].value, ast.Constant)
            assert strip[0].value.value is False, "strip=True breaks NumPy's OpenBLAS"
    exe = calls["EXE"][0]
    assert any(k.arg == "exclude_binaries" and getattr(k.value, "value", None) is True
               for k in exe.keywords), "the bundle must be one-folder (onedir)"
    assert '"resources"' in text and "collect_submodules(\"gui\"" in text
    assert "pyqtgraph.exporters" in text
    for excluded in ("tkinter", "unittest", "PySide6.QtNetwork", "PySide6.QtTest"):
        assert f'"{excluded}"' in text
    for needed in ("pydoc", "PySide6.QtOpenGL\"", "PySide6.QtSvg\""):
        assert f'"{needed}' not in text.split("excludes = [")[1].split("]")[0]


def test_scripts_parse():
    for script in ("build.py", "make_icons.py", "entry.py"):
        ast.parse((PACKAGING / script).read_text(encoding="utf-8"))
    bash = shutil.which("bash")
    if bash:
        subprocess.run([bash, "-n", str(PACKAGING / "smoke_test.sh")], check=True)


def test_workflow_builds_on_three_systems():
    path = ROOT / ".github" / "workflows" / "bundle.yml"
    text = path.read_text(encoding="utf-8")
    assert "\t" not in text, "YAML forbids tabs"
    try:
        import yaml
    except ImportError:
        for needed in ("ubuntu-latest", "windows-latest", "macos-latest", '"3.12"',
                       "packaging/build.py", "upload-artifact", "xvfb"):
            assert needed in text
        return
    flow = yaml.safe_load(text)
    job = flow["jobs"]["bundle"]
    assert set(job["strategy"]["matrix"]["os"]) == {"ubuntu-latest", "windows-latest",
                                                    "macos-latest"}
    runs = " ".join(step.get("run", "") for step in job["steps"])
    assert "packaging/build.py" in runs and "smoke_test.sh" in runs


# --- the wheel --------------------------------------------------------------------------------


def test_wheel_contains_the_code_and_the_resources(tmp_path):
    """Build the wheel offline from a copy of the tree (pip builds in-tree otherwise)."""
    pytest.importorskip("setuptools")
    src = tmp_path / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, src / name)
    for package in ("core", "gui", "resources"):
        shutil.copytree(ROOT / package, src / package, ignore=ignore)
    out = tmp_path / "wheel"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=120,
    )
    if result.returncode != 0 and "No module named pip" in result.stderr:
        pytest.skip("pip is not available")
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = out.glob("activation_lab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("core/__init__.py", "gui/__main__.py", "resources/__init__.py",
                   "resources/data/iris.csv", "resources/icons/activation-lab.png"):
        assert needed in names
    presets = {n for n in names if n.startswith("resources/presets/") and n.endswith(".json")}
    assert presets == {f"resources/presets/{p.name}"
                       for p in (ROOT / "resources" / "presets").glob("*.json")}
    assert not [n for n in names if "__pycache__" in n]
