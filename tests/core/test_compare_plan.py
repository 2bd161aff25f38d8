"""Comparison plans: settings and their values, refusals before anything runs, and pairing."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import core.presets
from core.compare import Goal, GoalError, Plan, PlanError, parse_seeds, parse_vary, run_one
from core.compare import settings as S
from core.network import Network

TANH = core.presets.get("circles-tanh").experiment
IRIS = core.presets.get("iris-softmax").experiment


def plan(setting="activation", values=("tanh", "relu"), exp=TANH, **kw) -> Plan:
    return Plan(exp, setting, values, **kw)


# --- settings ---------------------------------------------------------------------------------
@pytest.mark.parametrize("setting, value, check", [
    ("activation", "relu", lambda e: [h.activation for h in e.network.hidden] == ["relu"] * 2),
    ("activation", "leaky_relu(alpha=0.2)",
     lambda e: e.network.hidden[1].params == {"alpha": 0.2}),
    ("activation", "Leaky-ReLU", lambda e: e.network.hidden[0].activation == "leaky_relu"),
    ("activation.2", "relu", lambda e: [h.activation for h in e.network.hidden]
     == ["tanh", "relu"]),
    ("output", "tanh+mse", lambda e: (e.network.output_activation, e.training.loss)
     == ("tanh", "mse")),
    ("output", "sigmoid", lambda e: e.training.loss == "bce"),
    ("init", "he_normal", lambda e: e.network.init == "he_normal"),
    ("bias_init", "-3", lambda e: e.network.bias_init == -3.0),
    ("optimizer", "adam", lambda e: e.training.optimizer == "adam"),
    ("lr", "0.1", lambda e: e.training.lr == 0.1),
    ("batch_size", "32", lambda e: e.training.batch_size == 32),
    ("batchnorm", "on", lambda e: e.network.batchnorm is True),
    ("standardize", "yes", lambda e: e.dataset.standardize is True),
    ("noise", "0.2", lambda e: e.dataset.noise == 0.2),
    ("width", "3", lambda e: [h.units for h in e.network.hidden] == [3, 3]),
    ("depth", "4", lambda e: len(e.network.hidden) == 4),
    ("depth", "0", lambda e: e.network.hidden == ()),
])
def test_every_setting_applies_its_value(setting, value, check):
    exp = S.get(setting).applied(TANH, value)
    assert check(exp)
    core.experiment.Experiment.from_dict(exp.to_dict())  # still a valid experiment


def test_output_without_a_loss_takes_the_default_for_the_task():
    assert S.get("output").applied(IRIS, "softmax").training.loss == "ce"


@pytest.mark.parametrize("setting, good, value, words", [
    ("activation", "relu", "rleu", "no activation called 'rleu'"),
    ("activation", "relu", "leaky_relu(alpha=7)", "alpha"),
    ("activation", "relu", "relu(", "is not an activation"),
    ("activation.3", "relu", "relu", "hidden layer 3, but this network has 2"),
    ("output", "sigmoid", "sigmoid+nope", "no loss called 'nope'"),
    ("output", "sigmoid", "sigmod", "no activation called 'sigmod'"),
    ("init", "he_normal", "he_magic", "no initializer called 'he_magic'"),
    ("optimizer", "sgd", "adamm", "no optimizer called 'adamm'"),
    ("lr", "1", "0", "above 0"),
    ("lr", "1", "-1", "above 0"),
    ("lr", "1", "fast", "must be a number, not 'fast'"),
    ("lr", "1", "nan", "finite"),
    ("batch_size", "1", "0", "between 1"),
    ("batch_size", "1", "2.5", "whole number"),
    ("batchnorm", "on", "maybe", "on or off, not 'maybe'"),
    ("noise", "0.1", "9", "between 0 and 0.5"),
    ("width", "1", "0", "between 1"),
    ("depth", "1", "-1", "between 0"),
    ("bias_init", "1", "1e9", "between -100 and 100"),
])
def test_impossible_values_are_refused_naming_them(setting, good, value, words):
    with pytest.raises(PlanError) as e:
        plan(setting, (good, value))
    assert words in str(e.value)
    assert "\n" not in str(e.value)


def test_noise_is_refused_where_the_data_has_none():
    with pytest.raises(PlanError, match="iris data set has no noise"):
        plan("noise", ("0.1", "0.2"), exp=IRIS)


@pytest.mark.parametrize("kw, words", [
    (dict(values=("relu",)), "2 to 6 values"),
    (dict(values=tuple("abcdefg")), "2 to 6 values"),
    (dict(values=("relu", "relu")), "'relu' appears twice"),
    (dict(values=("relu", "ReLU")), "'ReLU' is the same as 'relu'"),
    (dict(seeds=()), "1 to 20 seeds"),
    (dict(seeds=tuple(range(21))), "1 to 20 seeds"),
    (dict(seeds=(1, 1)), "each seed may be used once"),
    (dict(seeds=(-1,)), "a seed must be between"),
    (dict(epochs=0), "epochs must be between 1"),
    (dict(epochs=5001), "epochs must be between 1"),
    (dict(stop_at_goal=True), "needs a goal"),
    (dict(setting="lr", values=("0.1", "0.2"), tune_lr=True), "cannot also be tuned"),
    (dict(setting="colour"), "no setting called 'colour'"),
    (dict(setting="activation.0"), "numbered from 1"),
])
def test_impossible_plans_are_refused(kw, words):
    args = dict(setting="activation", values=("tanh", "relu"))
    args.update(kw)
    with pytest.raises(PlanError) as e:
        Plan(TANH, **args)
    assert words in str(e.value)


def test_check_builds_every_arm_and_names_the_value_that_cannot_be():
    p = plan("width", ("2", "4096"))  # each value alone is a possible width...
    with pytest.raises(PlanError, match=r"^width=4096 cannot be trained: .*parameters"):
        p.check()  # ...but 4096 × 4096 weights break core.limits
    assert plan("width", ("2", "16")).check().values == ("2", "16")


def test_a_test_goal_on_data_without_test_rows_is_refused():
    no_test = dataclasses.replace(TANH, dataset=dataclasses.replace(TANH.dataset,
                                                                    test_fraction=0.0))
    with pytest.raises(PlanError, match="no test rows"):
        plan(exp=no_test, goal=Goal.parse("test_metric>=0.9")).check()
    plan(exp=no_test, goal=Goal.parse("train_metric>=0.9")).check()


def test_vary_seeds_and_goal_parsing():
    assert parse_vary("activation=relu,leaky_relu(alpha=0.2),elu") == (
        "activation", ("relu", "leaky_relu(alpha=0.2)", "elu"))
    assert parse_vary("activation.2=relu,tanh")[0] == "activation.2"
    for bad in ("activation", "=relu", "activation=", "activation=relu,,tanh", "colour=x,y"):
        with pytest.raises(S.SettingError):
            parse_vary(bad)
    assert parse_seeds("3") == (0, 1, 2)
    assert parse_seeds("4,9, 2") == (4, 9, 2)
    for bad in ("0", "21", "x", "1,1", "1,-2", ""):
        with pytest.raises(PlanError):
            parse_seeds(bad)
    g = Goal.parse(" test_metric >= 0.95 ")
    assert (g.metric, g.op, g.threshold) == ("test_metric", ">=", 0.95)
    assert g.describe("binary") == "95 % test accuracy"
    assert Goal.parse("train_loss<=0.1").describe() == "a train loss of 0.1 or less"
    assert g.first_epoch([0.5, 0.96, 0.97]) == 1 and g.first_epoch([0.1, float("nan")]) is None
    for bad in ("accuracy>0.9", "test_metric=0.9", "test_metric>=x", "test_metric>=inf", ""):
        with pytest.raises(GoalError):
            Goal.parse(bad)


def test_plan_json_round_trip():
    p = plan(goal=Goal.parse("test_metric>=0.9"), seeds=(3, 1), epochs=7, stop_at_goal=True,
             source="preset circles-tanh")
    again = Plan.from_dict(p.to_dict())
    assert again == p
    for broken in ({**p.to_dict(), "epochs": "7"}, {**p.to_dict(), "colour": 1},
                   {**p.to_dict(), "goal": 3}, {**p.to_dict(), "values": "relu"}, []):
        with pytest.raises(PlanError):
            Plan.from_dict(broken)


def test_labels_name_values_as_a_sentence_reads_them():
    assert plan().label(1) == "relu"
    assert plan("lr", ("0.1", "0.3")).label(0) == "lr=0.1"


# --- pairing -----------------------------------------------------------------------------------
def test_every_seed_of_a_run_is_the_runs_seed_as_train_sets_them():
    exp = plan().experiment_for(1, 7)
    assert exp.dataset.seed == exp.network.seed == exp.training.seed == 7
    assert exp.network.hidden[0].activation == "relu"


def _trace_batches(monkeypatch, spec) -> list[np.ndarray]:
    seen = []
    original = Network._backprop

    def spy(self, x, y, *args):
        seen.append(np.array(x))
        return original(self, x, y, *args)

    monkeypatch.setattr(Network, "_backprop", spy)
    run_one(spec)
    monkeypatch.setattr(Network, "_backprop", original)
    return seen


@pytest.mark.parametrize("seed", [0, 3])
def test_arms_of_a_seed_start_from_the_same_weights_and_see_the_same_batches(monkeypatch,
                                                                             seed):
    p = Plan(TANH, "activation", ("tanh", "relu", "sigmoid"), seeds=(0, 3), epochs=2)
    specs = [s for s in p.main_specs() if s.seed == seed]
    assert [s.value_index for s in specs] == [0, 1, 2]
    trainers = [s.experiment.build_trainer() for s in specs]
    for t in trainers[1:]:
        assert np.array_equal(t.net.flat, trainers[0].net.flat)  # W and b, every layer
        assert np.array_equal(t.x_train, trainers[0].x_train)
        assert np.array_equal(t.y_test, trainers[0].y_test)
    batches = [_trace_batches(monkeypatch, s) for s in specs]
    assert len(batches[0]) == 2 * trainers[0].steps_per_epoch
    for other in batches[1:]:
        assert len(other) == len(batches[0])
        assert all(np.array_equal(a, b) for a, b in zip(batches[0], other))
    # and another seed is another draw
    other_seed = [s for s in p.main_specs() if s.seed != seed][0].experiment.build_trainer()
    assert not np.array_equal(other_seed.net.flat, trainers[0].net.flat)


def test_depth_arms_share_their_first_layers_weights():
    p = Plan(TANH, "depth", ("2", "3"), seeds=(0,))
    shallow, deep = (s.experiment.build_trainer().net for s in p.main_specs())
    for a, b in zip(shallow.layers[:2], deep.layers[:2]):
        assert np.array_equal(a.W, b.W)


def test_tuning_grid_and_seeds_are_apart_from_the_compared_ones():
    p = plan(tune_lr=True, seeds=(0, 1000, 1001))
    assert p.lr_grid(0) == (0.003, 0.009, 0.03, 0.09, 0.3)
    assert p.tuning_seeds == (1002, 1003, 1004)
    assert p.n_runs == 2 * 5 * 3 + 2 * 3
    specs = p.tuning_specs()
    assert {s.lr for s in specs} == set(p.lr_grid(0))
    assert all(s.experiment.training.lr == s.lr for s in specs)
    assert [s.lr for s in p.main_specs((0.1, 0.2))][:2] == [0.1, 0.2]


@pytest.mark.parametrize("lesson", core.presets.names())
def test_a_forms_current_values_and_suggestions_parse(lesson):
    exp = core.presets.get(lesson).experiment
    for name in S.SETTINGS:
        setting = S.get(name)
        try:
            text = S.current(name, exp)
        except S.SettingError as e:
            assert "\n" not in str(e)
            continue
        if name not in ("activation", "width"):  # (these read the first hidden layer)
            assert setting.applied(exp, text) == exp, (name, text)
        for value in S.suggestions(name, exp):
            setting.value(value, exp)
    with pytest.raises(S.SettingError, match="no noise"):
        S.current("noise", IRIS)
