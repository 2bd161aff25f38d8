"""The README tells the truth: its quick-start commands are Makefile targets, every picture it
shows exists (and nothing unshown ships in the wheel), and every API name it lists exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SCREENSHOTS = ROOT / "resources" / "screenshots"
MAX_IMAGE_BYTES = 400_000  # the pictures ship in the wheel (resources is package data)


def readme() -> str:
    return README.read_text(encoding="utf-8")


def section(text: str, title: str) -> str:
    """The body of the ``## title`` section."""
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert m, f"the README has no '## {title}' section"
    return m.group(1)


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set()
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.$()/-]+(?:\s+[A-Za-z0-9_.$()/-]+)*)\s*:(?!=)", line)
        if m:
            targets.update(m.group(1).split())
    return targets


def quick_start_commands(text: str) -> list[str]:
    block = re.search(r"```sh\n(.*?)```", section(text, "Quick start"), re.DOTALL)
    assert block, "the quick start has no sh code block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines()
            if line.split("#")[0].strip()]


def image_links(text: str) -> list[str]:
    md = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text)
    html = re.findall(r"<img\s[^>]*src=\"([^\"]+)\"", text)
    return md + html


def api_names(text: str) -> list[str]:
    """Every `core.…` name written in backticks in the Python API section."""
    body = section(text, "Python API")
    names = re.findall(r"`(core(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`", body)
    return list(dict.fromkeys(names))


def resolve(dotted: str):
    """Import the longest importable module prefix, then walk the attributes."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


# --- the checks ----------------------------------------------------------------------------
def test_quick_start_is_exactly_make_run_and_make_test_and_both_are_targets():
    commands = quick_start_commands(readme())
    assert commands == ["make run", "make test"]
    targets = makefile_targets()
    for command in commands:
        assert command.split()[1] in targets, f"{command!r}: no such Makefile target"


def test_the_makefile_parser_sees_real_targets_only():
    targets = makefile_targets()
    assert {"run", "test", "lint", "bundle", "smoke", "screenshots"} <= targets
    assert "VENV" not in targets and "PYBIN" not in targets  # variables, not targets


def test_every_linked_image_exists_and_is_small():
    links = image_links(readme())
    assert len(links) >= 3, "the README should show the window and some figures"
    for link in links:
        path = ROOT / link
        assert path.is_file(), f"the README links {link}, which does not exist"
        assert path.stat().st_size < MAX_IMAGE_BYTES, f"{link} is over 400 kB"


def test_every_shipped_screenshot_is_shown_in_the_readme():
    shown = {Path(link).name for link in image_links(readme())}
    shipped = {p.name for p in SCREENSHOTS.glob("*.png")}
    assert shipped, "resources/screenshots has no pictures: run make screenshots"
    assert shipped <= shown, f"shipped but never shown: {sorted(shipped - shown)}"


def test_the_api_section_lists_names_and_each_exists_in_core():
    names = api_names(readme())
    assert len(names) >= 15
    for dotted in names:
        try:
            resolve(dotted)
        except (ImportError, AttributeError) as e:
            pytest.fail(f"the README lists {dotted}, which does not exist: {e}")


def test_api_check_catches_a_missing_name():
    with pytest.raises(AttributeError):
        resolve("core.activations.no_such_function")
    with pytest.raises(ModuleNotFoundError):
        resolve("nosuchpackage.thing")


def test_the_extractors_see_what_they_should(tmp_path):
    text = ("## Quick start\n```sh\nmake run   # go\nmake test\n```\n"
            "![a](x/a.png) <img src=\"y/b.png\" width=3>\n"
            "## Python API\nUse `core.Trainer` and `core.archive.capture`, not `numpy.sum`.\n"
            "## Next\n`core.hidden`\n")
    assert quick_start_commands(text) == ["make run", "make test"]
    assert image_links(text) == ["x/a.png", "y/b.png"]
    assert api_names(text) == ["core.Trainer", "core.archive.capture"]


def test_the_python_example_runs_and_prints_what_its_comments_say(tmp_path):
    import subprocess
    import sys

    block = re.search(r"```python\n(.*?)```", section(readme(), "Python API"), re.DOTALL)
    assert block, "the Python API section has no python code block"
    code = block.group(1)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    printed = [line.strip() for line in result.stdout.splitlines()]
    promised = [line.split("# ", 1)[1].strip() for line in code.splitlines()
                if line.startswith("print(") and "# " in line]
    assert len(promised) >= 3, "the example's comments should say what it prints"
    for expected in promised:
        assert expected in printed, f"the example does not print {expected!r}: {printed}"
    assert (tmp_path / "circles.alab").is_file()


def test_the_architecture_section_lists_the_layers_the_linter_checks():
    """The README's layer table is the import-linter contract, row for row."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"]
                    if c["type"] == "layers" and c["containers"] == ["gui"])
    linted = [sorted(m.strip().strip("()") for m in row.split("|"))
              for row in contract["layers"]]
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \|", section(readme(), "Architecture"), re.M)
    documented = [sorted(re.findall(r"`([a-z_]+)`", modules)) for _, modules in rows]
    assert [int(n) for n, _ in rows] == list(range(1, len(rows) + 1))
    assert documented == linted
    # and every module of gui/ is in one layer (the contract is exhaustive too)
    gui = ROOT / "gui"
    modules = {p.stem for p in gui.glob("*.py") if p.stem != "__init__"} | {
        p.name for p in gui.iterdir() if (p / "__init__.py").exists()}
    assert modules <= {m for row in documented for m in row}
