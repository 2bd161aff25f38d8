"""Hostile and mutated lesson files: each loads or is refused with a LessonError, never anything
else, and nothing outside the returned lesson changes."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import core.lessons as L
import core.presets
from core.experiment import Experiment

FOLDER = Path(__file__).resolve().parents[2] / "resources" / "lessons"
SOURCES = [FOLDER / n for n in ("dying-relu.toml", "relu-at-zero.toml", "exploding-gradients.toml",
                                "initialization.toml", "gradient-check.toml",
                                "second-derivative.toml")]

HOSTILE_VALUES = ["1e308", "1e400", "-1e400", "nan", "inf", "-inf", "-0.0", "0", "-1",
                  "99999999999999999999", '"text"', "true", "[1, 2, 3]", "{ a = 1 }", "[]", "{}",
                  '"' + "x" * 20000 + '"', '"\\u0000"', '"\\u202e"', "1979-05-27", '"../../etc"',
                  "[" * 60 + "]" * 60, "{ a = " * 40 + "1" + " }" * 40]
JUNK_LINES = ["colour = \"red\"", "[extra]", "[[steps]]", "[steps.goal]", "kind = \"metric\"",
              "= 3", "[[steps.setup.layers]]", "title = 3", "steps = 4", "[steps]",
              "__import__ = \"os\"", "eval = \"1+1\"", "\x00", "\ufeff", "\u202e", "a.b.c.d = 1",
              "x = " + "[" * 2000, "'''", '"""']


def _mutations(rng: random.Random, text: str, n: int):
    data = text.encode("utf-8")
    lines = text.splitlines()
    assigns = [i for i, l in enumerate(lines) if re.match(r"\s*[A-Za-z_]+\s*=", l)]
    for _ in range(n):
        kind = rng.randrange(9)
        if kind == 0:  # truncate
            yield data[: rng.randrange(len(data))]
        elif kind == 1:  # flip bytes
            b = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            yield bytes(b)
        elif kind == 2:  # a value of the wrong type or size
            i = rng.choice(assigns)
            key = lines[i].split("=", 1)[0]
            new = lines[:i] + [f"{key}= {rng.choice(HOSTILE_VALUES)}"] + lines[i + 1:]
            yield "\n".join(new).encode("utf-8")
        elif kind == 3:  # a junk line somewhere
            i = rng.randrange(len(lines) + 1)
            yield "\n".join(lines[:i] + [rng.choice(JUNK_LINES)] + lines[i:]).encode("utf-8")
        elif kind == 4:  # drop or duplicate a line
            i = rng.randrange(len(lines))
            new = lines[:i] + lines[i + 1:] if rng.random() < 0.5 else lines[:i + 1] + lines[i:]
            yield "\n".join(new).encode("utf-8")
        elif kind == 5:  # an unknown field in a random table
            i = rng.choice(assigns)
            yield "\n".join(lines[:i] + [f"unknown_{rng.randrange(99)} = 1"] + lines[i:]
                            ).encode("utf-8")
        elif kind == 6:  # many steps
            block = text[text.index("[[steps]]"):]
            yield (text + ("\n" + block) * rng.randint(1, 12)).encode("utf-8")
        elif kind == 7:  # shuffled lines
            new = lines[:]
            a, b = rng.randrange(len(new)), rng.randrange(len(new))
            new[a], new[b] = new[b], new[a]
            yield "\n".join(new).encode("utf-8")
        else:  # bytes that are not UTF-8, or NUL
            i = rng.randrange(len(data))
            yield data[:i] + rng.choice([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80"]) + data[i:]


def _state() -> str:
    """Everything a lesson file must not change: the built-ins, the presets, the defaults."""
    builtin = {n: (l.steps, l.experiments) for n, l in L.builtin().items()}
    fresh = {p.stem: L.load(p) for p in sorted(FOLDER.glob("*.toml"))}
    assert all(builtin[n] == (l.steps, l.experiments) for n, l in fresh.items())
    presets = {n: core.presets.get(n).experiment.to_dict() for n in core.presets.names()}
    return json.dumps([sorted(builtin), presets, Experiment().to_dict()], sort_keys=True,
                      default=str)


def _assert_clean(err: L.LessonError, path: str) -> None:
    assert isinstance(err, ValueError)
    assert err.path == path
    assert err.line is None or (isinstance(err.line, int) and err.line >= 1)
    assert err.field is None or isinstance(err.field, str)
    text = str(err)
    assert text.startswith(path) and err.message and "\n" not in text and len(text) < 600


def test_two_hundred_and_forty_mutated_files_load_or_are_refused_cleanly(tmp_path):
    before = _state()
    rng = random.Random(11)
    outcomes = {"loaded": 0, "refused": 0}
    n = 0
    for src in SOURCES:
        for data in _mutations(rng, src.read_text(encoding="utf-8"), 48):
            n += 1
            f = tmp_path / f"m{n}.toml"
            f.write_bytes(data)
            try:
                lesson = L.load(f)
            except L.LessonError as e:
                _assert_clean(e, str(f))
                outcomes["refused"] += 1
            else:
                assert lesson.name == f"m{n}" and len(lesson.experiments) == len(lesson.steps)
                outcomes["loaded"] += 1
    assert n >= 240 and outcomes["loaded"] >= 10 and outcomes["refused"] >= 100, outcomes
    assert _state() == before


@pytest.mark.parametrize("data", [
    b"", b"   \n\n", b"\x00" * 100, b"\xef\xbb\xbf", b"title = \"x\"\x00\n",
    b"[" * 100_000, b"a = " + b"[" * 100_000, b"a = " + b"{b = " * 10_000,
    "title = \"{}\"\n".format("é" * 300_000).encode("utf-8"),
    b'title = "t"\nquestion = "q"\nlearn = "l"\n' + b'[[steps]]\ntitle = "s"\npanel = "output"\n'
    b'instruction = "i"\n' * 41,
    b'title = "t"\nquestion = "q"\nlearn = "l"\nsteps = "not a list"\n',
    b'title = "t"\nquestion = "q"\nlearn = "l"\nsteps = [1, 2]\n',
    b'title = "t"\nquestion = "q"\nlearn = [1]\n[[steps]]\n',
    b'title = "t"\nquestion = "q"\nlearn = "l"\n[[steps]]\ntitle = "s"\npanel = "output"\n'
    b'instruction = "i"\ngoal = 7\n',
    b'title = "t"\nquestion = "q"\nlearn = "l"\n[[steps]]\ntitle = "s"\npanel = "output"\n'
    b'instruction = "i"\nsetup = { network = { hidden = [{ units = 1e9 }] } }\n',
    b'title = "t"\nquestion = "q"\nlearn = "l"\n[[steps]]\ntitle = "s"\npanel = "output"\n'
    b'instruction = "i"\nsetup = { layers = [{ layer = 1, params = { alpha = nan } }],'
    b' activation = "leaky_relu" }\n',
    b'title = "t"\nquestion = "q"\nlearn = "l"\n[[steps]]\ntitle = "s"\npanel = "output"\n'
    b'instruction = "i\\u202eevil"\n',
    b'title = "t"\nquestion = "q"\nlearn = "l"\n[[steps]]\ntitle = "s"\npanel = "output"\n'
    b'instruction = "i"\nsetup = { dataset = { options = { __class__ = 1 } } }\n',
])
def test_hostile_files_are_refused_with_one_sentence(tmp_path, data):
    f = tmp_path / "hostile.toml"
    f.write_bytes(data)
    with pytest.raises(L.LessonError) as info:
        L.load(f)
    _assert_clean(info.value, str(f))


LAB_HEAD = ('title = "t"\nquestion = "q"\nlearn = "l"\n[[steps]]\ntitle = "s"\n'
            'instruction = "i"\n')


@pytest.mark.parametrize("table, line, field, words", [
    ('[steps.recurrent]\ntask = "remember"\nsteps = 0\n', 9, "steps[1].recurrent.steps",
     "sequence length T must be a whole number from 1 to 300, not 0"),
    ('[steps.recurrent]\nhidden = 1e9\n', 8, "steps[1].recurrent.hidden",
     "number of hidden units must be a whole number"),
    ('[steps.recurrent]\ntask = "poetry"\n', 8, "steps[1].recurrent.task",
     "task must be one of remember, adding, sine"),
    ('[steps.recurrent]\nlr = nan\n', 8, "steps[1].recurrent.lr", "learning rate"),
    ('[steps.recurrent]\nclip_norm = -1\n', 8, "steps[1].recurrent.clip_norm",
     "clipping norm"),
    ('[steps.recurrent]\nseed = 1\nwings = 2\n', 9, "steps[1].recurrent.wings",
     "unknown field 'wings'"),
    ('[steps.recurrent]\na = { cell = "lstm", gate = "swoosh" }\n', 8,
     "steps[1].recurrent.a.gate", "cannot use 'swoosh' as its gate activation; it can use: "),
    ('[steps.recurrent]\nb = { cell = "rnn" }\n', 8, "steps[1].recurrent.b.cell",
     "an LSTM or a GRU, not 'rnn'"),
    ('[steps.recurrent]\nb = { forget_bias = inf }\n', 8, "steps[1].recurrent.b.forget_bias",
     "forget bias"),
    ('[steps.recurrent]\nb = { colour = "red" }\n', 8, "steps[1].recurrent.b.colour",
     "unknown field 'colour' in run B"),
    ('[steps.recurrent]\nb = "gru"\n', 8, "steps[1].recurrent.b", "must be a table"),
    ('[steps.recurrent]\ntask = "adding"\nsteps = 1\n', 7, "steps[1].recurrent",
     "needs sequences of at least 2 steps"),
    ('[steps.recurrent]\nseed = 1\n[steps.setup]\nseed = 1\n', 7, "steps[1].recurrent",
     "not both"),
    ('panel = "output"\n[steps.recurrent]\nseed = 1\n', 7, "steps[1].panel",
     "must be one of: recurrent"),
    ('[steps.recurrent]\nseed = 1\n[steps.goal]\nkind = "gradcheck"\nop = "<"\n'
     'value = 1e-6\n', 10,
     "steps[1].goal.kind", "the lesson check trains the main window's network"),
])
def test_a_bad_set_up_of_the_recurrent_lab_is_refused_naming_line_and_field(
        tmp_path, table, line, field, words):
    f = tmp_path / "lab.toml"
    f.write_text(LAB_HEAD + table, encoding="utf-8")
    with pytest.raises(L.LessonError) as info:
        L.load(f)
    e = info.value
    _assert_clean(e, str(f))
    assert (e.line, e.field) == (line, field), e
    assert words in e.message, e


def test_a_set_up_of_the_recurrent_lab_loads_with_the_labs_defaults():
    lesson = L.loads(LAB_HEAD + '[steps.recurrent]\nb = { cell = "gru" }\n')
    (step,) = lesson.steps
    assert step.panel == L.LAB_PANEL and step.setup is None
    assert step.recurrent.b.cell == "gru" and step.recurrent.a.candidate == "tanh"
    assert step.recurrent.clip_norm is None and step.recurrent.steps == 20
    assert lesson.experiment_for(0) == Experiment()  # the window's experiment: untouched


def test_a_ten_megabyte_file_is_refused_without_being_read_whole(tmp_path):
    f = tmp_path / "big.toml"
    with open(f, "wb") as out:
        out.write(b'title = "' + b"x" * (10 * 1024 * 1024) + b'"\n')
    with pytest.raises(L.LessonError, match="larger than 256 KiB"):
        L.load(f)


def test_a_folder_of_hostile_files_returns_the_good_ones(tmp_path):
    for i, data in enumerate([b"\x00", b"[", b"title = 1", b""]):
        (tmp_path / f"bad{i}.toml").write_bytes(data)
    (tmp_path / "good.toml").write_bytes((FOLDER / "relu-at-zero.toml").read_bytes())
    lessons, errors = L.load_folder(tmp_path)
    assert [l.name for l in lessons] == ["good"] and len(errors) == 4
    for e in errors:
        _assert_clean(e, e.path)


@given(st.text(max_size=400))
def test_any_text_loads_or_is_refused(text):
    try:
        L.loads(text, path="any.toml")
    except L.LessonError as e:
        _assert_clean(e, "any.toml")


@given(st.dictionaries(st.sampled_from(["kind", "metric", "op", "value", "within", "after",
                                        "during", "seeds", "min_seeds", "layer", "over", "state",
                                        "stat", "relative_to", "factor", "activation", "at", "of",
                                        "depth", "rows", "step", "tolerance", "params"]),
                       st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                                 st.sampled_from(["metric", "gradient", "units", "same_sign",
                                                  "distribution", "output", "faster", "diverges",
                                                  "activation", "depth_product", "gradcheck",
                                                  "done", ">=", "<", "==", "test_accuracy",
                                                  "train_loss", "dead", "z_std", "min", "first",
                                                  "last", "hidden", "relu", "df", "before"]),
                                 st.booleans(), st.lists(st.integers(), max_size=3)),
                       max_size=8))
def test_any_goal_table_loads_or_is_refused(goal):
    text = ('title = "t"\nquestion = "q"\nlearn = "l"\n[[steps]]\ntitle = "s"\n'
            'panel = "output"\ninstruction = "i"\n[steps.setup]\npreset = "xor-2-4-1-tanh"\n'
            '[[steps]]\ntitle = "s2"\npanel = "output"\ninstruction = "i"\n[steps.setup]\n'
            'seed = 1\n[steps.goal]\n')
    for k, v in goal.items():
        text += f"{k} = {json.dumps(v) if not isinstance(v, float) else repr(v)}\n".replace(
            "NaN", "nan").replace("Infinity", "inf")
    try:
        lesson = L.loads(text, path="goal.toml")
    except L.LessonError as e:
        _assert_clean(e, "goal.toml")
    else:
        g = lesson.steps[1].goal
        assert g.describe()


_LAB_VALUES = st.one_of(st.integers(-10**4, 10**4), st.floats(allow_nan=True),
                        st.sampled_from(["remember", "adding", "sine", "adam", "sgd", "lstm",
                                         "gru", "relu", "tanh", "sigmoid", "prelu", "softmax",
                                         "poetry", ""]),
                        st.booleans(), st.lists(st.integers(), max_size=3))
_CELLS = st.dictionaries(st.sampled_from(["cell", "gate", "candidate", "cell_output",
                                          "forget_bias", "colour"]), _LAB_VALUES, max_size=5)


def _toml(v) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml(x)}" for k, x in v.items()) + " }"
    return repr(v) if isinstance(v, float) else json.dumps(v)  # repr: nan, inf as TOML has them


@given(st.dictionaries(st.sampled_from(["task", "steps", "hidden", "optimizer", "lr",
                                        "clip_norm", "seed", "epochs", "n_train", "n_test",
                                        "batch_size", "a", "b", "colour"]),
                       st.one_of(_LAB_VALUES, _CELLS), max_size=8))
def test_any_set_up_of_the_recurrent_lab_loads_or_is_refused(table):
    """Whatever a [steps.recurrent] table holds, the lesson loads with a checked LabSetup or
    is refused with one sentence naming the file."""
    text = LAB_HEAD + "[steps.recurrent]\n" + "".join(f"{k} = {_toml(v)}\n"
                                                      for k, v in table.items())
    try:
        lesson = L.loads(text, path="lab.toml")
    except L.LessonError as e:
        _assert_clean(e, "lab.toml")
    else:
        setup = lesson.steps[0].recurrent
        assert setup == setup.checked() and setup.describe()
