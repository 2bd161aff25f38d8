"""The ready-made comparisons: each can be built, and (slow) each gives the same sensible
answer with its own seeds and with ten others."""

from __future__ import annotations

import pytest

import core.presets
from core.compare import get_preset, preset_names, run, summarize, verdict

#: what each claim's comparison should find: the winner, and the values that must beat the
#: baseline in most seeds
EXPECTED = {
    "relu-vs-tanh": ("relu", ["relu"]),
    "tanh-vs-sigmoid": ("tanh", ["tanh"]),
    "dying-relu": ("elu", ["leaky_relu", "elu"]),
    "iris-output": ("softmax+ce", ["softmax+ce"]),
    "deep-relu-init": ("he_normal", ["he_normal"]),
    "wine-standardize": ("standardize=on", ["on"]),
}


def test_every_ready_made_comparison_is_a_possible_plan():
    assert set(preset_names()) == set(EXPECTED)
    for name in preset_names():
        p = get_preset(name)
        assert p.lesson in core.presets.names()
        plan = p.plan().check()
        assert plan.seeds == tuple(range(10)) and plan.goal is not None
        assert plan.values == p.values and p.claim.endswith(".")
    with pytest.raises(KeyError, match="relu-vs-tanh"):
        get_preset("nope")


def test_setup_changes_the_lesson_first():
    iris = get_preset("iris-output").plan()
    assert iris.experiment.training.optimizer == "sgd" and iris.experiment.training.lr == 0.3
    assert core.presets.get("iris-softmax").experiment.training.optimizer == "adam"


def check(name: str, seeds: tuple[int, ...]) -> str:
    winner, beaters = EXPECTED[name]
    s = summarize(run(get_preset(name).plan(seeds=seeds), jobs=2))
    v = verdict(s)
    assert v.startswith(f"{winner} reached"), v
    for row in s.rows:
        if row.value in beaters:
            assert row.p_beats_baseline >= 0.7, (row.value, v)
    return v


def test_standardized_inputs_win_on_wine_with_the_default_seeds():
    v = check("wine-standardize", tuple(range(10)))
    assert "standardize=off never did within 200 epochs" in v and "10 of 10 seeds" in v


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("seeds", [tuple(range(10)), tuple(range(10, 20))],
                         ids=["default seeds", "seeds 10-19"])
def test_ready_made_verdicts_are_sensible_and_stable(name, seeds):
    check(name, seeds)
