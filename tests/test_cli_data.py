"""``activation-lab train --data FILE.csv``: your own table trained without a window, with
defaults that suit its target; every mistake ends with one sentence naming it and exit 2."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.archive import read_archive
from gui.cli import SYNOPSIS, run_subcommand
from tests.test_cli import run

DATA = Path("/work/shared/data")
IRIS = DATA / "iris.csv"
pytestmark = pytest.mark.skipif(not IRIS.exists(), reason="the shared data sets are absent")


def _metrics(path: Path) -> dict[str, np.ndarray]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) for r in rows]) for k in ("epoch", "train_loss",
                                                                "test_loss", "test_metric")}


def test_iris_with_the_defaults_learns_and_writes_the_usual_files(tmp_path, capsys):
    code = run_subcommand(["train", "--data", str(IRIS), "--target", "species",
                           "--standardize", "--epochs", "60", "--out", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    m = _metrics(tmp_path / "metrics.csv")
    assert list(m["epoch"]) == list(range(61))  # a row per epoch, epoch 0 first
    assert m["train_loss"][-1] < 0.5 * m["train_loss"][0]
    assert m["test_metric"][-1] >= 0.85  # accuracy on the held-out half
    saved = read_archive(tmp_path / "experiment.alab")
    exp = saved.experiment
    assert exp.dataset.csv_target == "species" and exp.dataset.standardize
    assert exp.network.output_activation == "softmax" and exp.training.loss == "ce"
    assert [(h.units, h.activation) for h in exp.network.hidden] == [(16, "relu"), (8, "relu")]
    # the saved experiment trains on from where it stopped
    again = tmp_path / "again"
    assert run_subcommand(["train", str(tmp_path / "experiment.alab"), "--epochs", "2",
                           "--out", str(again)]) == 0
    assert _metrics(again / "metrics.csv")["epoch"][-1] == 62


def test_every_option_is_used(tmp_path):
    out = tmp_path / "wine"
    assert run_subcommand(["train", "--data", str(DATA / "wine.csv"), "--target", "13",
                           "--hidden", "12:tanh,6:elu", "--output", "sigmoid", "--loss", "mse",
                           "--optimizer", "momentum", "--lr", "0.05", "--batch", "8",
                           "--epochs", "3", "--seed", "4", "--out", str(out)]) == 0
    exp = read_archive(out / "experiment.alab").experiment
    assert exp.dataset.csv_target == "cultivar"  # given by index, kept by name
    assert [(h.units, h.activation) for h in exp.network.hidden] == [(12, "tanh"), (6, "elu")]
    t = exp.training
    assert (exp.network.output_activation, t.loss, t.optimizer, t.lr, t.batch_size, t.seed) \
        == ("sigmoid", "mse", "momentum", 0.05, 8, 4)
    assert len(_metrics(out / "metrics.csv")["epoch"]) == 4


def test_a_numeric_target_is_a_regression(tmp_path):
    assert run_subcommand(["train", "--data", str(DATA / "wine.csv"), "--target", "alcohol",
                           "--standardize", "--epochs", "2", "--out", str(tmp_path)]) == 0
    exp = read_archive(tmp_path / "experiment.alab").experiment
    assert (exp.network.output_activation, exp.training.loss) == ("identity", "mse")


def _with_preamble(tmp_path: Path) -> Path:
    """iris as scikit-learn ships its CSV files: a line of counts and class names on top."""
    path = tmp_path / "iris_sklearn.csv"
    path.write_text("150,4,setosa,versicolor,virginica\n" + IRIS.read_text(encoding="utf-8"),
                    encoding="utf-8")
    return path


def test_a_preamble_line_is_skipped_with_skip_rows_and_explained_without(tmp_path, capsys):
    path = _with_preamble(tmp_path)
    assert run_subcommand(["train", "--data", str(path), "--epochs", "1",
                           "--out", str(tmp_path / "no")]) == 2
    err = capsys.readouterr().err
    assert "--skip-rows 1" in err and err.count("\n") == 1
    assert run_subcommand(["train", "--data", str(path), "--skip-rows", "1", "--epochs", "2",
                           "--out", str(tmp_path / "yes")]) == 0
    exp = read_archive(tmp_path / "yes" / "experiment.alab").experiment
    assert exp.dataset.csv_skip_rows == 1 and exp.dataset.csv_target == "species"


@pytest.mark.parametrize(("args", "named"), [
    (["--target", "colour"], "no such target column"),
    (["--hidden", "16:relu,,8"], "--hidden: hidden layer 2 is empty"),
    (["--hidden", "sixteen"], "--hidden: 'sixteen' does not start with a number"),
    (["--hidden", "16:swoosh"], "no activation called 'swoosh'"),
    (["--loss", "cross"], "no loss called 'cross'"),
    (["--optimizer", "lion"], "no optimizer called 'lion'"),
    (["--output", "relu"], "invalid choice: 'relu'"),
    (["--lr", "-1"], "--lr must be"),
    (["--lr", "fast"], "invalid float value: 'fast'"),
    (["--batch", "0"], "--batch must be"),
    (["--skip-rows", "-1"], "--skip-rows must be"),
])
def test_a_mistake_is_one_sentence_naming_it_and_exit_2(args, named, tmp_path, capsys):
    try:
        code = run_subcommand(["train", "--data", str(IRIS), *args, "--epochs", "1",
                               "--out", str(tmp_path)])
    except SystemExit as e:  # argparse's own checks (a choice, a number) end this way
        code = e.code
    assert code == 2
    err = capsys.readouterr().err
    assert named in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "experiment.alab").exists()


def test_a_non_number_in_the_table_is_named(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,y\n1,2,0\n3,lots,1\n4,5,0\n", encoding="utf-8")
    assert run_subcommand(["train", "--data", str(bad), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "row 3, column 'b': 'lots' is not a number" in err and err.count("\n") == 1


def test_network_options_need_data(tmp_path, capsys):
    assert run_subcommand(["train", "--preset", "circles-tanh", "--hidden", "4",
                           "--out", str(tmp_path)]) == 2
    assert "--hidden goes with --data" in capsys.readouterr().err


def test_synopsis_and_help_show_the_data_form():
    usage = next(u for u, _ in SYNOPSIS if u.startswith("train --data"))
    for option in ("--target COLUMN", "--skip-rows N", "--standardize", "--hidden",
                   "--output softmax|sigmoid|identity|tanh", "--loss NAME", "--optimizer NAME",
                   "--lr R", "--batch B", "--epochs N", "--out DIR", "--figures"):
        assert option in usage
    assert "--data FILE.csv" in run("train", "--help").stdout


def test_digits_from_the_command_line_with_figures(tmp_path):
    data = tmp_path / "digits.csv.gz"
    shutil.copy(DATA / "digits.csv.gz", data)
    proc = run("train", "--data", str(data), "--standardize", "--hidden", "32:relu",
               "--epochs", "3", "--out", str(tmp_path / "run"), "--figures")
    assert "test accuracy" in proc.stdout
    assert {"metrics.csv", "experiment.alab", "output.png", "training_curves.png"} <= {
        p.name for p in (tmp_path / "run").iterdir()}
    assert _metrics(tmp_path / "run" / "metrics.csv")["test_metric"][-1] > 0.8
