"""The headless command line, run as a user would: ``python -m gui SUBCOMMAND ...``."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import core
import core.activations as acts
import core.presets
from core.archive import read_archive

ROOT = Path(__file__).resolve().parents[1]
HEADER = 30  # gui.export.HEADER: the title band, part of --size


def run(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OPENBLAS_NUM_THREADS": "1"}
    kwargs.setdefault("capture_output", True)
    proc = subprocess.run([sys.executable, "-m", "gui", *args], cwd=ROOT, env=env, text=True,
                          timeout=120, **kwargs)
    if check:
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    return proc


def read_table(path: Path) -> tuple[list[str], np.ndarray]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], np.array([[float(c) if c else np.nan for c in r] for r in rows[1:]])


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# --- help, list, info --------------------------------------------------------------------------
def test_help_lists_every_subcommand():
    out = run("--help").stdout
    for usage in ("activation-lab plot ACT", "--derivative", "--param NAME.KEY=VALUE",
                  "-o FILE.png|.svg|.pdf|.csv", "activation-lab train (EXPERIMENT.alab | --preset "
                  "NAME)", "--figures", "activation-lab list activations|datasets|presets",
                  "activation-lab info ACT"):
        assert usage in out
    assert "--epochs N" in run("train", "--help").stdout


def test_list_names_everything_in_the_registries():
    for what, names in (("activations", acts.names()), ("datasets", core.datasets.names()),
                        ("presets", list(core.presets.all_presets()))):
        listed = [line.split()[0] for line in run("list", what).stdout.splitlines()]
        assert listed == list(names), what


def test_info_states_the_kink_convention():
    out = run("info", "relu").stdout
    assert "ReLU′(0) = 0" in out
    assert "f(z) = max(0, z)" in out
    assert "pre-activation z" in out


# --- plot --------------------------------------------------------------------------------------
def test_plot_png_svg_and_csv(tmp_path):
    out = run("plot", "relu", "tanh", "--size", "640x400", "--scale", "2",
              "-o", str(tmp_path / "a.png")).stdout
    assert f"wrote {tmp_path / 'a.png'}" in out
    assert png_size(tmp_path / "a.png") == (1280, 800)  # --size includes the title band

    run("plot", "relu", "tanh", "--theme", "dark", "--size", "640x400", "-o",
        str(tmp_path / "a.svg"))
    import xml.etree.ElementTree as ET

    root = ET.parse(tmp_path / "a.svg").getroot()
    assert root.get("viewBox") == "0 0 640 400"
    svg = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert "Activation curves" in svg and "<path" in svg
    assert 'stroke="#56b4e9"' in svg.lower()  # the dark theme's first series colour

    run("plot", "relu", "tanh", "sigmoid", "--range", "-3", "2", "-o", str(tmp_path / "a.csv"))
    header, data = read_table(tmp_path / "a.csv")
    z = data[:, 0]
    assert header[0] == "z" and z[0] == -3 and z[-1] == 2
    for i, name in enumerate(("sigmoid", "tanh", "relu"), start=1):  # menu order
        assert acts.get(name).info.display_name in header[i]
        np.testing.assert_array_equal(data[:, i], acts.get(name).f(z))


def test_plot_derivatives_with_second_and_numerical(tmp_path):
    run("plot", "relu", "tanh", "--derivative", "--second", "--numerical",
        "-o", str(tmp_path / "d.csv"))
    header, data = read_table(tmp_path / "d.csv")
    z = data[:, 0]
    tanh = acts.get("tanh")
    heads = {h: i for i, h in enumerate(header)}
    label = tanh.info.display_name
    np.testing.assert_array_equal(data[:, heads[f"f′ {label}"]], tanh.df(z))
    np.testing.assert_array_equal(data[:, heads[f"f″ {label}"]], tanh.d2f(z))
    assert np.allclose(data[:, heads[f"numerical f′ {label}"]], tanh.df(z), atol=1e-6)
    relu = acts.get("relu").info.display_name
    assert data[np.flatnonzero(z == 0)[0], heads[f"f′ {relu}"]] == 0.0  # the stated convention
    assert (tmp_path / "d-derivatives_depth.csv").exists()  # the other plots, beside it


def test_plot_param_changes_the_values(tmp_path):
    run("plot", "leaky_relu", "--param", "leaky_relu.alpha=0.2", "-o", str(tmp_path / "b.csv"))
    header, b = read_table(tmp_path / "b.csv")
    z = b[:, 0]
    assert "0.2" in header[1]  # the legend says which α
    assert not np.array_equal(b[:, 1], acts.get("leaky_relu").f(z))  # not the default α
    np.testing.assert_array_equal(b[:, 1], acts.get("leaky_relu", alpha=0.2).f(z))
    assert b[0, 1] == pytest.approx(0.2 * z[0])


@pytest.mark.parametrize("args, words", [
    (["plot", "nosuch", "-o", "{tmp}/x.png"], "no activation called 'nosuch'"),
    (["plot", "relu", "--param", "relu", "-o", "{tmp}/x.png"], "NAME.KEY=VALUE"),
    (["plot", "relu", "--param", "relu.alpha=0.2", "-o", "{tmp}/x.png"], "no parameter alpha"),
    (["plot", "leaky_relu", "--param", "leaky_relu.alpha=x", "-o", "{tmp}/x.png"],
     "not a number"),
    (["plot", "relu", "--range", "3", "1", "-o", "{tmp}/x.png"], "A < B"),
    (["plot", "relu", "--range", "a", "1", "-o", "{tmp}/x.png"], "invalid float value"),
    (["plot", "relu", "-o", "{tmp}/x.txt"], ".png, .svg, .pdf or .csv"),
    (["plot", "relu", "-o", "{tmp}/missing/x.png"], "does not exist"),
    (["plot", "relu", "--size", "big", "-o", "{tmp}/x.png"], "900x600"),
    (["plot", "relu"], "required: -o"),
    (["train", "--preset", "nosuch"], "no preset called 'nosuch'"),
    (["train", "--preset", "xor-2-4-1-tanh", "--epochs", "0"], "--epochs"),
    (["list", "colours"], "invalid choice"),
    (["info", "nosuch"], "no activation called 'nosuch'"),
])
def test_mistakes_are_one_sentence_and_exit_2(tmp_path, args, words):
    proc = run(*(a.replace("{tmp}", str(tmp_path)) for a in args), check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert words in lines[0]
    assert not [p for p in tmp_path.iterdir()]  # nothing half-written


# --- train -------------------------------------------------------------------------------------
def test_train_a_preset_with_figures_then_continue_it(tmp_path):
    first = tmp_path / "first"
    out = run("train", "--preset", "xor-2-4-1-tanh", "--epochs", "3", "--out", str(first),
              "--figures").stdout
    assert "trained 3 epochs" in out
    header, data = read_table(first / "metrics.csv")
    assert header[:6] == ["epoch", "step", "train_loss", "test_loss", "train_metric",
                          "test_metric"]
    assert list(data[:, 0]) == [0, 1, 2, 3]  # before training, then one row per epoch
    names = set(zipfile.ZipFile(first / "experiment.alab").namelist())
    assert names == {"experiment.json", "weights.npz", "history.csv"}
    from gui.panels.registry import PANELS

    for entry in PANELS:
        assert png_size(first / f"{entry.panel_id}.png") == (2000, 1360)

    # the same run in this process: the file holds exactly its state
    exp = core.presets.get("xor-2-4-1-tanh").experiment
    trainer = exp.build_trainer()
    trainer.run(epochs=3)
    saved = read_archive(first / "experiment.alab")
    resumed = saved.build_trainer()
    assert np.array_equal(resumed.net.flat, trainer.net.flat)
    np.testing.assert_array_equal(data[:, 2], trainer.history.copy_arrays()["train_loss"])

    second = tmp_path / "second"
    run("train", str(first / "experiment.alab"), "--epochs", "2", "--out", str(second))
    again = read_archive(second / "experiment.alab").build_trainer()
    assert again.epoch == 5 and again.step_count > resumed.step_count
    trainer.run(epochs=2)  # training on from the file = never stopping
    assert np.array_equal(again.net.flat, trainer.net.flat)
    _, data2 = read_table(second / "metrics.csv")
    assert list(data2[:, 0]) == [0, 1, 2, 3, 4, 5]


def test_train_figures_draw_the_whole_run_over_time(tmp_path):
    """The "over time" figures show every epoch of the run, also of a run continued from its
    file (the timeline is saved in it), not just the moment the figures were drawn."""
    first, second = tmp_path / "first", tmp_path / "second"
    run("train", "--preset", "circles-tanh", "--epochs", "4", "--out", str(first), "--figures")
    header, norms = read_table(first / "gradient_flow.csv")
    assert header[0] == "step"
    assert list(norms[:, 0]) == [0, 25, 50, 75, 100]  # one row per epoch (25 steps each)
    assert np.isnan(norms[0, 1:]).all() and np.isfinite(norms[1:, 1:]).all()  # no step-0 grad
    run("train", str(first / "experiment.alab"), "--epochs", "2", "--out", str(second),
        "--figures")
    _, norms2 = read_table(second / "gradient_flow.csv")
    assert list(norms2[:, 0]) == [0, 25, 50, 75, 100, 125, 150]
    np.testing.assert_array_equal(norms2[1:5], norms[1:])  # the saved rows, as they were


def test_train_shows_a_progress_bar_on_a_terminal(tmp_path):
    import pty

    master, slave = pty.openpty()
    try:
        proc = run("train", "--preset", "xor-2-4-1-tanh", "--epochs", "4", "--out",
                   str(tmp_path), stderr=slave, stdout=subprocess.PIPE, capture_output=False,
                   check=False)
    finally:
        os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "epoch 4/4" in shown and "[#" in shown
    assert proc.returncode == 0


def test_train_without_a_terminal_prints_no_progress_bar(tmp_path):
    proc = run("train", "--preset", "xor-2-4-1-tanh", "--epochs", "2", "--out", str(tmp_path))
    assert proc.stderr == ""


def test_train_refuses_a_damaged_file(tmp_path):
    good = tmp_path / "good"
    run("train", "--preset", "xor-2-4-1-tanh", "--epochs", "1", "--out", str(good))
    broken = tmp_path / "broken.alab"
    data = (good / "experiment.alab").read_bytes()
    broken.write_bytes(data[: len(data) // 2])  # cut off halfway, as by a full disk
    proc = run("train", str(broken), "--epochs", "1", "--out", str(tmp_path / "out"),
               check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert "cannot open" in proc.stderr and "broken.alab" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_every_subcommand_of_the_parser_is_in_the_synopsis_and_reached_by_the_command():
    """``activation-lab NAME`` runs NAME headless exactly for the subcommands the parser has
    (a subcommand missing from SYNOPSIS would open the window instead)."""
    import argparse

    from gui.cli import build_parser, subcommands

    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1
    assert set(subcommands()) == set(actions[0].choices)
