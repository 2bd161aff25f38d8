"""The command line with typed formulas: info --formula, plot --formula, and refusals."""

from __future__ import annotations

import pytest

pytest.importorskip("sympy")

from gui.cli import run_subcommand  # noqa: E402


def test_info_derives_a_formula_and_marks_the_estimates(capsys):
    assert run_subcommand(["info", "--formula", "x*sigmoid(beta*x); beta = 1 in [0.1, 10]"]) == 0
    out = capsys.readouterr().out
    assert "f′(x) = (beta*x*(1 - sigmoid(beta*x)) + 1)*sigmoid(beta*x)" in out
    assert "f″(x) = " in out and out.count("(estimated)") == 5
    assert "parameter beta = 1 (range 0.1 to 10)" in out


@pytest.mark.parametrize("argv", [
    ["info", "--formula", "().__class__"], ["info", "--formula", "log(x)"],
    ["info", "relu", "--formula", "x"], ["plot", "--formula", "noequals", "-o", "x.png"],
    ["plot", "--formula", "a=__import__('os')", "-o", "x.png"]])
def test_bad_formulas_are_one_sentence_and_exit_2(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_subcommand(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("activation-lab ") and err.count("\n") == 1
    assert "Traceback" not in err and not (tmp_path / "x.png").exists()


def test_plot_draws_a_formula_beside_a_built_in(tmp_path, capsys):
    out = tmp_path / "f.csv"
    assert run_subcommand(["plot", "relu", "--formula", "my relu=max(0, x)", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "my relu" in text.splitlines()[0]
