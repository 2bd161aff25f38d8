"""``activation-lab compare``, run as a user would, in a separate process."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.compare import preset_names, read_comparison, summarize, verdict

ROOT = Path(__file__).resolve().parents[1]
#: the command line as a user types it: ``activation-lab …`` is ``python -m gui …``
ENTRY = ["-m", "gui"]


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OPENBLAS_NUM_THREADS": "1"}
    env.pop("ACTIVATION_LAB_COMPARE_FAULT", None)
    proc = subprocess.run([sys.executable, *ENTRY, *args], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=180)
    if check:
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    return proc


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_run_in_a_comparison_equals_train_with_that_seed(tmp_path):
    out = cli("compare", "--preset", "circles-tanh", "--vary", "activation=tanh,relu",
              "--seeds", "2", "--epochs", "6", "--goal", "test_metric>=0.8", "--jobs", "2",
              "--out", str(tmp_path / "cmp")).stdout
    assert "final test loss" in out and "relu" in out
    assert "One learning rate (0.03) for all values of activation" in out
    cli("train", "--preset", "circles-tanh", "--seed", "1", "--epochs", "6", "--out",
        str(tmp_path / "alone"))
    alone = rows(tmp_path / "alone" / "metrics.csv")
    runs = rows(tmp_path / "cmp" / "runs.csv")
    assert len(runs) == 2 * 2 * 7
    mine = [r for r in runs if (r["value"], r["seed"]) == ("tanh", "1")]
    keys = ("epoch", "train_loss", "test_loss", "train_metric", "test_metric")
    assert [[r[k] for k in keys] for r in mine] == [[r[k] for k in keys] for r in alone]
    assert mine[0]["epoch"] == "0"
    summary = rows(tmp_path / "cmp" / "summary.csv")
    assert [r["value"] for r in summary] == ["tanh", "relu"] and summary[0]["runs"] == "2"
    again = read_comparison(tmp_path / "cmp" / "comparison.alabcmp")
    assert verdict(summarize(again)) in out
    assert (tmp_path / "cmp" / "curves.csv").exists()


def test_a_ready_made_comparison_supplies_what_to_vary(tmp_path):
    out = cli("compare", "--preset", "dying-relu", "--seeds", "0,1", "--epochs", "3",
              "--out", str(tmp_path)).stdout
    assert out.count("\nleaky_relu ") == 1 and "90 % test accuracy" in out
    assert [r["value"] for r in rows(tmp_path / "summary.csv")] == ["relu", "leaky_relu",
                                                                    "elu"]


def test_from_a_saved_experiment(tmp_path):
    cli("train", "--preset", "xor-2-4-1-tanh", "--epochs", "2", "--out", str(tmp_path))
    out = cli("compare", str(tmp_path / "experiment.alab"), "--vary", "lr=0.1,1", "--seeds",
              "1", "--epochs", "3", "--out", str(tmp_path / "c")).stdout
    assert "With a single seed" in out
    assert {r["value"] for r in rows(tmp_path / "c" / "runs.csv")} == {"0.1", "1"}


@pytest.mark.parametrize("args, words", [
    (["--vary", "activation=tanh,rleu"], "no activation called 'rleu'"),
    (["--vary", "lr=0.1,0"], "above 0 and at most 100, not 0"),
    (["--vary", "lr=0.1,-2"], "not -2"),
    (["--vary", "width=4,0"], "the width must be between 1"),
    (["--vary", "activation.3=relu,tanh"], "hidden layer 3, but this network has 2"),
    (["--vary", "colour=red,blue"], "no setting called 'colour'"),
    (["--vary", "activation=relu"], "2 to 6 values"),
    (["--vary", "activation"], "--vary looks like SETTING=V1,V2"),
    (["--vary", "lr=0.1,0.2", "--seeds", "0"], "1 to 20 seeds"),
    (["--vary", "lr=0.1,0.2", "--seeds", "many"], "--seeds is a count"),
    (["--vary", "lr=0.1,0.2", "--goal", "accuracy>0.9"], "a goal is set on train_loss"),
    (["--vary", "lr=0.1,0.2", "--goal", "test_metric=0.9"], "a goal looks like"),
    (["--vary", "lr=0.1,0.2", "--epochs", "0"], "epochs must be between 1"),
    (["--vary", "lr=0.1,0.2", "--until-goal"], "needs a goal"),
    (["--vary", "lr=0.1,0.2", "--jobs", "0"], "--jobs must be between 1 and 64"),
    ([], "say what to vary"),
])
def test_impossible_values_are_one_sentence_before_anything_runs(tmp_path, args, words):
    out = tmp_path / "never"
    proc = cli("compare", "--preset", "circles-tanh", *args, "--out", str(out), check=False)
    assert proc.returncode == 2
    assert words in proc.stderr, proc.stderr
    assert proc.stderr.startswith("activation-lab compare: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr and not out.exists()


def test_unknown_sources_are_one_sentence(tmp_path):
    proc = cli("compare", "--preset", "nope", "--vary", "lr=1,2", "--out", str(tmp_path),
               check=False)
    assert proc.returncode == 2 and "no preset or comparison called 'nope'" in proc.stderr
    (tmp_path / "bad.alab").write_text("x")
    proc = cli("compare", str(tmp_path / "bad.alab"), "--vary", "lr=1,2", "--out",
               str(tmp_path), check=False)
    assert proc.returncode == 2 and "cannot open" in proc.stderr


def test_help_lists_the_settings_and_the_ready_made_comparisons():
    out = cli("compare", "--help").stdout
    for name in ("activation.N", "output", "init", "bias_init", "optimizer", "lr",
                 "batch_size", "batchnorm", "standardize", "noise", "width", "depth",
                 *preset_names()):
        assert f"\n  {name} " in out, name
    assert "compare (EXPERIMENT.alab | --preset NAME) --vary" in cli("--help").stdout


def test_the_activation_lab_command_knows_compare():
    proc = subprocess.run([sys.executable, "-m", "gui", "compare", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0 and "ready-made comparisons" in proc.stdout
