"""``activation-lab list lessons`` and ``activation-lab lesson … --check``, run as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import core.lessons as L

ROOT = Path(__file__).resolve().parents[1]

GOOD = '''
title = "A quick check"
question = "Does the check pass?"
learn = ["how the check reports"]

[[steps]]
title = "XOR with four tanh units"
panel = "output"
instruction = "Press Play."
[steps.setup]
preset = "xor-2-4-1-tanh"
[steps.goal]
kind = "metric"
metric = "train_accuracy"
op = ">="
value = 1.0
within = 200

[[steps]]
title = "Look"
panel = "output"
instruction = "Look at the map."
'''

FAILING = GOOD.replace("within = 200", "within = 2")


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "gui", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=120)


def test_list_lessons_names_every_built_in_lesson():
    proc = run("list", "lessons")
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.splitlines()
    assert [r.split()[0] for r in rows] == L.names()
    assert all(L.get(r.split()[0]).title in r for r in rows)


def test_a_good_lesson_passes(tmp_path):
    f = tmp_path / "good.toml"
    f.write_text(GOOD, encoding="utf-8")
    proc = run("lesson", str(f), "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "good: A quick check"
    assert lines[1].startswith("PASS        step 1: XOR with four tanh units — training accuracy "
                               "100 % at epoch ")
    assert lines[1].endswith("(goal ≥ 100 % within 200 epochs)")
    assert lines[2].startswith("not checked step 2: Look")
    assert lines[3].startswith("1 of 1 checked goals passed, 1 steps not checked")
    assert proc.stderr == ""


def test_a_built_in_lesson_by_name():
    proc = run("lesson", "relu-at-zero", "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASS") == 4
    shown = run("lesson", "relu-at-zero")
    assert shown.returncode == 0 and "4. Off the kink, the check passes" in shown.stdout


def test_a_lesson_whose_goal_is_not_met_fails(tmp_path):
    f = tmp_path / "failing.toml"
    f.write_text(FAILING, encoding="utf-8")
    proc = run("lesson", str(f), "--check")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL        step 1:" in proc.stdout and "(goal ≥ 100 % within 2 epochs)" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_a_malformed_lesson_is_one_sentence_with_file_line_and_field(tmp_path):
    f = tmp_path / "broken.toml"
    f.write_text(GOOD.replace("value = 1.0", "value = 1.5"), encoding="utf-8")
    proc = run("lesson", str(f), "--check")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"activation-lab lesson: {f}, line 16, field "
                                  "steps[1].goal.value: must lie between 0 and 1")


def test_unreadable_empty_and_unknown(tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\x00\x01\x02")
    for arg in (str(empty), str(binary), str(tmp_path / "missing.toml"), "no-such-lesson"):
        proc = run("lesson", arg, "--check")
        assert proc.returncode == 2, arg
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith("activation-lab lesson: ")
    assert run("lesson", "dying-relu", "--check", "--max-seeds", "0").returncode == 2


def test_the_panels_a_step_can_raise_are_the_windows_panels():
    from gui.panels.registry import PANELS

    assert L.PANELS == tuple(p.panel_id for p in PANELS)


def test_help_lists_the_lesson_subcommands():
    out = run("--help").stdout
    assert "activation-lab list activations|datasets|presets|lessons" in out
    assert "activation-lab lesson NAME|FILE.toml [--check]" in out
