"""Lessons: the format, the loader's errors, the goals' decisions, and the headless check."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

import core.lessons as L
from core.experiment import Experiment
from core.lessons.goals import FasterGoal, GradientGoal, MetricGoal, combine
from core.lessons.record import RunRecord, RunRecorder

HEAD = '''
title = "A test lesson"
question = "Does it work?"
learn = ["that it works"]
'''


def lesson(body: str, head: str = HEAD, name: str = "t") -> L.Lesson:
    return L.loads(textwrap.dedent(head) + textwrap.dedent(body), name=name, path=f"{name}.toml")


def error(body: str, head: str = HEAD) -> L.LessonError:
    with pytest.raises(L.LessonError) as info:
        lesson(body, head)
    return info.value


STEP = '''
[[steps]]
title = "Step"
panel = "training_curves"
instruction = "Press Play."
'''


def goal_step(goal: str, setup: str = 'preset = "xor-2-4-1-tanh"') -> str:
    return STEP + "[steps.setup]\n" + setup + "\n[steps.goal]\n" + textwrap.dedent(goal)


# --- the format -------------------------------------------------------------------------------
def test_a_small_lesson_loads_with_its_parts():
    l = lesson(STEP + '''
hints = ["one", "two"]
explanation = "Because."
questions = [7]
[steps.setup]
preset = "xor-2-4-1-tanh"
layers = [{ layer = 1, units = 6, activation = "relu" }]
training = { lr = 0.2 }
[steps.prediction]
prompt = "Which?"
choices = ["a", "b"]
answer = 2
[steps.goal]
kind = "metric"
metric = "train_accuracy"
op = ">="
value = 1.0
within = 300
''' + STEP)
    assert l.name == "t" and l.title == "A test lesson" and l.learn == ("that it works",)
    s0, s1 = l.steps
    assert s0.number == 1 and s0.starts_run and not s1.starts_run
    assert s0.hints == ("one", "two") and s0.questions == (7,) and l.questions == (7,)
    assert s0.prediction.answer == 1 and s0.prediction.is_right(1)
    assert s0.goal.describe() == "training accuracy ≥ 100 % within 300 epochs"
    exp = l.experiment_for(0)
    assert exp.network.hidden[0].units == 6 and exp.network.hidden[0].activation == "relu"
    assert exp.training.lr == 0.2 and exp.dataset.name == "xor"
    assert l.experiment_for(1) == exp  # no set-up: the same experiment
    assert s0.setup.describe()[0] == "load the preset 'xor-2-4-1-tanh'"


def test_a_topic_is_one_optional_line_and_every_built_in_lesson_has_one():
    assert lesson(STEP).topic == ""
    assert lesson(STEP, HEAD + 'topic = "Outputs and losses"\n').topic == "Outputs and losses"
    e = error(STEP, HEAD + 'topic = """two\nlines"""\n')
    assert e.field == "topic" and "one line" in e.message
    assert all(l.topic for l in L.builtin().values())


def test_set_ups_apply_in_order_and_touch_only_the_experiment():
    base = Experiment()
    l = lesson(STEP + '''
[steps.setup]
preset = "circles-relu"
seed = 3
activation = "leaky_relu"
activation_params = { alpha = 0.2 }
network = { batchnorm = true }
''')
    exp = l.experiment_for(0)
    assert {exp.dataset.seed, exp.network.seed, exp.training.seed} == {3}
    assert all(h.activation == "leaky_relu" and h.params == {"alpha": 0.2}
               for h in exp.network.hidden)
    assert exp.network.batchnorm and Experiment() == base


def test_the_output_layer_is_the_layer_after_the_hidden_ones():
    l = lesson(STEP + '[steps.setup]\npreset = "sine-regression"\n'
               'layers = [{ layer = 3, activation = "relu" }]\n')
    assert l.experiment_for(0).network.output_activation == "relu"


# --- errors name the file, the line and the field ---------------------------------------------
def test_unknown_field_lists_the_known_ones():
    e = error(STEP + 'colour = "red"\n')
    assert e.path == "t.toml" and e.field == "steps[1].colour" and e.line == 10
    assert "unknown field 'colour'" in str(e) and "instruction" in e.message
    assert str(e).startswith("t.toml, line 10, field steps[1].colour: ")


@pytest.mark.parametrize("text, field, words", [
    ('[steps.goal]\nkind = "metric"\nmetric = "test_accuracy"\nop = ">="\nvalue = nan\n'
     'within = 5\n', "steps[1].goal.value", "finite"),
    ('[steps.goal]\nkind = "metric"\nmetric = "test_accuracy"\nop = ">="\nvalue = 1.5\n'
     'within = 5\n', "steps[1].goal.value", "between 0 and 1"),
    ('[steps.goal]\nkind = "metric"\nmetric = "test_accuracy"\nop = ">="\nvalue = "high"\n'
     'within = 5\n', "steps[1].goal.value", "must be a number"),
    ('[steps.goal]\nkind = "metric"\nmetric = "test_r2"\nop = ">="\nvalue = 0.5\nwithin = 5\n',
     "steps[1].goal.metric", "binary problem"),
    ('[steps.goal]\nkind = "metric"\nmetric = "test_loss"\nop = "<"\nvalue = 0.5\n',
     "steps[1].goal", "exactly one of within"),
    ('[steps.goal]\nkind = "metric"\nmetric = "test_loss"\nop = "<"\nvalue = 0.5\n'
     'within = 99999\n', "steps[1].goal.within", "between 1 and 4000"),
    ('[steps.goal]\nkind = "wish"\n', "steps[1].goal.kind", "one of: metric"),
    ('[steps.goal]\nkind = "gradient"\nlayer = 9\nop = "<"\nvalue = 1\nafter = 1\n',
     "steps[1].goal.layer", "no layer 9"),
    ('[steps.goal]\nkind = "faster"\nmetric = "train_loss"\nop = "<"\nvalue = 0.1\n'
     'within = 10\n', "steps[1].goal.kind", "earlier step"),
    ('[steps.goal]\nkind = "units"\nstate = "dead"\nlayer = 1\nop = "<="\nvalue = 0\n'
     'within = 5\nrelative_to = "before"\n', "steps[1].goal.relative_to", "needs 'after'"),
    ('[steps.setup]\nactivation = "swoosh"\n', "steps[1].setup.activation", "no activation"),
    ('[steps.setup]\npreset = "nope"\n', "steps[1].setup.preset", "no preset"),
    ('[steps.setup]\ntraining = { optimiser = "adam" }\n', "steps[1].setup.training.optimiser",
     "known fields are: loss, optimizer"),
    ('[steps.setup]\ntraining = { lr = -1 }\n', "steps[1].setup", "lr must lie in"),
    ('[steps.setup]\nlayers = [{ layer = 5, activation = "relu" }]\n', "steps[1].setup",
     "no layer 5"),
    ('[steps.setup]\ndataset = { csv_path = "/etc/passwd" }\n',
     "steps[1].setup.dataset.csv_path", "unknown field"),
    ('[steps.prediction]\nprompt = "?"\nanswer = 1\n', "steps[1].prediction.answer",
     "needs choices"),
])
def test_a_bad_field_is_refused_with_its_place(text, field, words):
    e = error(STEP + text)
    assert e.field == field, e
    assert words in e.message, e
    assert e.line and e.line >= 6


def test_a_missing_field_and_a_wrong_panel():
    assert error(STEP.replace('instruction = "Press Play."\n', "")).field == \
        "steps[1].instruction"
    assert "the field 'title' is missing" in error(STEP, head='question = "?"\nlearn = "x"\n'
                                                   ).message
    e = error(STEP.replace("training_curves", "everything"))
    assert e.field == "steps[1].panel" and "gradient_flow" in e.message
    assert "no steps" in error("").message


def test_a_syntax_error_names_the_line_and_the_key_on_it():
    e = error(STEP + "[steps.goal]\nkind = \"metric\"\nvalue = 0.9.5\n")
    assert e.line == 12 and e.field == "steps[1].goal.value" and "not valid TOML" in e.message


def test_a_continuing_step_must_keep_the_seeds_of_its_runs():
    g = ('kind = "metric"\nmetric = "train_loss"\nop = "<"\nvalue = 9\nafter = 1\n')
    e = error(goal_step(g) + STEP + "[steps.goal]\n" + g + "seeds = 3\n")
    assert e.field == "steps[2].goal.seeds" and "step 1" in e.message


def test_files_empty_binary_huge_or_with_nul(tmp_path):
    cases = {"empty.toml": b"", "nul.toml": b'title = "a\x00"\n', "bin.toml": b"\xff\xfe\x00",
             "huge.toml": b"#" * (300 * 1024), "latin.toml": 'title = "é"\n'.encode("latin-1")}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(L.LessonError) as info:
            L.load(tmp_path / name)
        assert info.value.path.endswith(name)
    with pytest.raises(L.LessonError, match="cannot read"):
        L.load(tmp_path / "missing.toml")


def test_load_folder_keeps_the_good_lessons(tmp_path):
    good = textwrap.dedent(HEAD) + STEP
    (tmp_path / "b.toml").write_text("order = 0\n" + good, encoding="utf-8")
    (tmp_path / "a.toml").write_text(good, encoding="utf-8")
    (tmp_path / "bad.toml").write_text("title = 3\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a lesson", encoding="utf-8")
    (tmp_path / "dir.toml").mkdir()
    lessons, errors = L.load_folder(tmp_path)
    assert [l.name for l in lessons] == ["b", "a"]  # by order (a has the default 999), then name
    assert [e.path.rsplit("/", 1)[-1] for e in errors] == ["bad.toml"]
    assert L.load_folder(tmp_path / "nowhere")[1][0].line is None


def test_find_takes_a_name_or_a_path(tmp_path):
    assert L.find("dying-relu").name == "dying-relu"
    p = tmp_path / "mine.toml"
    p.write_text(textwrap.dedent(HEAD) + STEP, encoding="utf-8")
    assert L.find(str(p)).name == "mine"
    with pytest.raises(KeyError, match="dying-relu"):
        L.find("no-such-lesson")


# --- goals on records -------------------------------------------------------------------------
def record(values, name="test_metric", *, previous=None, diverged_epoch=None, grads=None):
    e = np.arange(len(values), dtype=float)
    h = {"epoch": e, name: np.asarray(values, dtype=float)}
    if grads is not None:
        h["grad_norm_w"] = np.asarray(grads, dtype=float)
    return RunRecord(history=h, task="binary", layer_names=("hidden 1", "output"),
                     previous=previous, diverged="boom" if diverged_epoch else "",
                     diverged_epoch=diverged_epoch)


def test_within_is_met_early_undecided_then_failed_after_its_epochs():
    g = MetricGoal(metric="test_accuracy", op=">=", value=0.9, timing="within", epochs=5)
    r = g.evaluate(record([0.5, 0.8, 0.95]))
    assert (r.met, r.value, r.epoch) == (True, 0.95, 2)
    assert r.text == "test accuracy 95 % at epoch 2 (goal ≥ 90 % within 5 epochs)"
    assert g.evaluate(record([0.5, 0.8])).met is None
    r = g.evaluate(record([0.5, 0.8, 0.7, 0.6, 0.85, 0.8]))
    assert (r.met, r.value, r.epoch) == (False, 0.85, 4)
    assert g.evaluate(record([0.5, 0.6], diverged_epoch=2)).met is False


def test_after_and_during():
    after = MetricGoal(metric="test_accuracy", op="<", value=0.6, timing="after", epochs=2)
    assert after.evaluate(record([0.5])).met is None
    assert after.evaluate(record([0.5, 0.9, 0.55])).met is True
    assert after.evaluate(record([0.5, 0.5, 0.65])).met is False
    during = MetricGoal(metric="test_accuracy", op="<=", value=0.6, timing="during", epochs=3)
    assert during.evaluate(record([0.5, 0.5])).met is None
    assert during.evaluate(record([0.5, 0.7])).met is False
    r = during.evaluate(record([0.5, 0.55, 0.5, 0.58]))
    assert r.met is True and r.value == 0.58


def test_gradient_ratio_skips_the_row_before_any_backward_pass():
    g = GradientGoal(layer="first", over="last", op="<", value=1e-3, timing="after", epochs=1)
    r = g.evaluate(record([0, 0], "x", grads=[[0, 0], [1e-6, 1.0]]))
    assert r.met is True and r.value == pytest.approx(1e-6)
    assert "hidden 1 ÷ that of output" in r.text


def test_faster_compares_with_the_previous_run():
    g = FasterGoal(metric="train_loss", op="<", value=0.1, timing="within", epochs=10)
    slow = record([1, 0.5, 0.3, 0.2, 0.09], "train_loss")
    assert g.evaluate(record([1, 0.05], "train_loss")).met is None  # no earlier run
    r = g.evaluate(record([1, 0.05], "train_loss", previous=slow))
    assert (r.met, r.value) == (True, 1.0)
    assert g.evaluate(record([1, 0.5, 0.3, 0.2, 0.15], "train_loss", previous=slow)).met is False
    never = record([1, 0.5, 0.4], "train_loss")
    assert g.evaluate(record([1, 0.5, 0.05], "train_loss", previous=never)).met is True
    assert g.evaluate(record([1, 0.5, 0.4, 0.05], "train_loss", previous=never)).met is None
    twice = FasterGoal(metric="train_loss", op="<", value=0.1, timing="within", epochs=10,
                       factor=2.0)
    assert twice.evaluate(record([1, 0.5, 0.3, 0.05], "train_loss", previous=slow)).met is False


def test_relative_goals_divide_by_the_earlier_run():
    g = MetricGoal(metric="train_loss", op="<=", value=0.5, timing="after", epochs=1,
                   relative_to="before")
    prev = record([1.0, 0.8], "train_loss")
    r = g.evaluate(record([1.0, 0.3], "train_loss", previous=prev))
    assert r.met is True and r.value == pytest.approx(0.375)
    assert g.evaluate(record([1.0, 0.3], "train_loss", previous=record([1.0], "train_loss"))
                      ).met is None


def test_combine_counts_seeds_and_keeps_the_allowed_failures_when_capped():
    g = MetricGoal(metric="test_accuracy", op=">=", value=0.9, timing="within", epochs=5,
                   seeds=10, min_seeds=8)
    yes = L.GoalResult(True, 1.0, 1, "yes")
    no = L.GoalResult(False, 0.1, 5, "no")
    assert combine(g, [yes] * 8 + [no] * 2).met is True
    assert combine(g, [yes] * 7 + [no] * 3).met is False
    capped = combine(g, [no, yes, no])  # 3 seeds run: 2 failures are allowed, 1 must hold
    assert capped.met is True and capped.text.startswith("held in 1 of 3 seeds (needed: 1)")
    assert combine(g, [yes, L.GoalResult(None, None, None, "?")] + [no] * 2).met is None


def test_the_recorder_keeps_one_observation_per_epoch():
    exp = L.get("dying-relu").experiment_for(0)
    t = exp.build_trainer()
    rec = RunRecorder(exp)
    rec.observe(t.snapshot(grid=0))
    rec.observe(t.snapshot(grid=0))
    t.run(epochs=1)
    rec.observe(t.snapshot(grid=0))
    r = rec.record()
    assert [o.epoch for o in r.observations] == [0, 1] and r.epoch == 1
    assert r.layer_names == ("hidden 1", "hidden 2", "output") and r.experiment is exp
    assert len(r.observations[-1].dead) == 3 and math.isnan(r.observations[0].same_sign[0])
    rec.mark_diverged("overflow", 2)
    assert rec.record().diverged == "overflow"


# --- the check: each kind of goal can fail ---------------------------------------------------
XOR = 'preset = "xor-2-4-1-tanh"'
FAILING = {
    "metric": ('kind = "metric"\nmetric = "train_accuracy"\nop = ">="\nvalue = 1.0\nwithin = 2\n',
               XOR),
    "gradient": ('kind = "gradient"\nlayer = "first"\nop = ">"\nvalue = 1e6\nafter = 1\n', XOR),
    "units": ('kind = "units"\nstate = "dead"\nlayer = 1\nop = ">="\nvalue = 1.0\nafter = 1\n',
              XOR),
    "same_sign": ('kind = "same_sign"\nlayer = 2\nop = "<"\nvalue = 0.5\nafter = 1\n',
                  'preset = "xor-2-2-1-sigmoid"'),
    "distribution": ('kind = "distribution"\nstat = "z_std"\nlayer = 1\nop = ">"\nvalue = 100\n'
                     'after = 1\n', XOR),
    "output": ('kind = "output"\nstat = "min"\nop = "<"\nvalue = 0\nafter = 1\n', XOR),
    "diverges": ('kind = "diverges"\nwithin = 3\n', XOR),
    "activation": ('kind = "activation"\nactivation = "relu"\nat = 0\nof = "df"\nop = "=="\n'
                   'value = 0.5\n', XOR),
    "depth_product": ('kind = "depth_product"\nactivation = "relu"\ndepth = 10\nop = "<"\n'
                      'value = 0.5\n', XOR),
    "gradcheck": ('kind = "gradcheck"\nop = ">"\nvalue = 1e-3\n', XOR),
}


@pytest.mark.parametrize("kind", sorted(FAILING))
def test_a_goal_that_cannot_be_met_fails_the_check(kind):
    goal, setup = FAILING[kind]
    [res] = L.check(lesson(goal_step(goal, setup)))
    assert res.status == "FAIL" and res.result.met is False, res.result
    assert res.goal and res.result.text


def test_faster_and_relative_goals_can_fail_too():
    first = goal_step('kind = "metric"\nmetric = "train_accuracy"\nop = ">="\nvalue = 1.0\n'
                      'within = 300\n')
    faster = goal_step('kind = "faster"\nmetric = "train_accuracy"\nop = ">="\nvalue = 1.0\n'
                       'within = 300\nfactor = 50\n', 'training = { lr = 0.45 }')
    relative = goal_step('kind = "metric"\nmetric = "train_loss"\nop = "<"\nvalue = 0.01\n'
                         'after = 20\nrelative_to = "before"\n', 'training = { lr = 0.45 }')
    res = L.check(lesson(first + faster + relative))
    assert [r.status for r in res] == ["PASS", "FAIL", "FAIL"], [r.result.text for r in res]


def test_steps_without_a_checkable_goal_are_not_checked_and_set_ups_are_built():
    res = L.check(lesson(STEP + '[steps.setup]\npreset = "iris-softmax"\n' + STEP +
                         '[steps.goal]\nkind = "done"\n'))
    assert [r.status for r in res] == ["not checked", "not checked"]
    bad = lesson(STEP + '[steps.setup]\ndataset = { name = "circles", n = 5 }\n')
    with pytest.raises(L.LessonError) as info:
        L.check(bad)
    assert info.value.field == "steps[1].setup" and info.value.line == 10
    assert "'circles' takes between 10 and 5000" in info.value.message


def test_a_continuing_step_watches_the_same_run():
    g1 = 'kind = "metric"\nmetric = "train_accuracy"\nop = ">="\nvalue = 1.0\nwithin = 300\n'
    g2 = '[steps.goal]\nkind = "metric"\nmetric = "train_loss"\nop = "<"\nvalue = 0.05\n' \
         'within = 600\n'
    res = L.check(lesson(goal_step(g1) + STEP + g2))
    assert [r.status for r in res] == ["PASS", "PASS"]
    assert res[1].result.epoch > res[0].result.epoch  # counted from the same start


# --- the format's documentation ---------------------------------------------------------------
README = __import__("pathlib").Path(__file__).resolve().parents[2] / "resources/lessons/README.md"


def test_the_readme_example_loads_and_passes_its_check():
    import re

    text = README.read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    res = L.check(L.loads(example, name="example", path="README.md"))
    assert [r.status for r in res] == ["PASS", "PASS", "not checked"]


def test_the_readme_lab_example_loads_and_names_the_labs_defaults():
    import re

    from core.recurrent.lab_setup import LabSetup

    text = README.read_text(encoding="utf-8")
    block = re.findall(r"```toml\n(.*?)```", text, re.S)[1]
    assert block.startswith("[steps.recurrent]")
    step = lesson('[[steps]]\ntitle = "Lab"\ninstruction = "Train."\n' + block).steps[0]
    assert step.recurrent.b.cell == "gru" and step.panel == L.LAB_PANEL
    default = LabSetup()
    for key, shown in re.findall(r"^(\w+) = .*\((\S+)\)$", block, re.M):
        assert str(getattr(default, key)).strip("'") == shown.strip('"'), key
    for key, shown in re.findall(r"`(\w+)`\s+\(`?([\w.]+)`?\)", text.split(block)[1][:600]):
        assert str(getattr(default, key)) == shown, key


def test_the_readme_names_every_goal_kind_and_panel():
    text = README.read_text(encoding="utf-8")
    for kind in L.GOAL_KINDS:
        assert f"| `{kind}` |" in text, kind
    assert ", ".join(f"`{p}`" for p in L.PANELS) in text


# --- progress ---------------------------------------------------------------------------------
def test_progress_is_immutable_data_that_round_trips_through_json():
    import json

    lesson = L.get("tanh-vs-sigmoid")
    p = L.LessonProgress.start(lesson)
    p2, hint = p.hint_shown(lesson, 0)
    assert hint == lesson.steps[0].hints[0] and p.steps[0].hints_shown == 0
    p2, _ = p2.hint_shown(lesson, 0)
    assert p2.hint_shown(lesson, 0) == (p2, None)  # no third hint
    p2 = p2.at(1).predicted(0, 0).with_result(0, L.GoalResult(True, 1.0, 1, "met"))
    assert p2.steps[0].done and p2.step == 1
    again = L.LessonProgress.from_dict(json.loads(json.dumps(p2.to_dict())), lesson)
    assert again == p2
    for bad in ({}, {**p2.to_dict(), "lesson": "other"}, {**p2.to_dict(), "step": 99},
                {**p2.to_dict(), "steps": [{"prediction": 7}] * 4}):
        with pytest.raises(ValueError):
            L.LessonProgress.from_dict(bad, lesson)
    with pytest.raises(IndexError):
        p.at(9)
