"""Sequence tasks for the recurrent lab and the parser for typed sequences."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.recurrent import tasks
from core.recurrent.tasks import MAX_TYPED, parse_sequence


# --- the tasks -----------------------------------------------------------------------------
def test_remember_shows_one_value_at_step_k_and_nothing_else():
    t = tasks.remember(steps=12, position=3, n_train=40, n_test=10, seed=1)
    assert t.x_train.shape == (12, 40, 1) and t.y_train.shape == (40, 2)
    assert t.x_test.shape == (12, 10, 1) and t.readout == "last" and t.loss == "ce"
    assert np.count_nonzero(np.delete(t.x_train, 3, axis=0)) == 0
    spike = t.x_train[3, :, 0]
    assert set(np.unique(spike)) == {-1.0, 1.0}
    np.testing.assert_array_equal(t.y_train.argmax(axis=1), (spike > 0).astype(int))
    assert t.baseline == 0.5 and t.steps == 12 and t.n_inputs == 1 and t.n_outputs == 2


def test_remember_one_hot_levels_and_noise():
    t = tasks.remember(steps=5, n_values=4, encoding="one_hot", n_train=30, n_test=5)
    assert t.n_inputs == 4 and t.n_outputs == 4
    np.testing.assert_array_equal(t.x_train[0].argmax(axis=1), t.y_train.argmax(axis=1))
    levels = tasks.remember(steps=5, n_values=3, n_train=30, n_test=5).x_train[0, :, 0]
    assert set(np.unique(levels)) <= {-1.0, 0.0, 1.0}
    noisy = tasks.remember(steps=5, noise=0.1, n_train=30, n_test=5)
    assert np.count_nonzero(noisy.x_train[1:]) == 4 * 30
    with pytest.raises(ValueError, match="encoding"):
        tasks.remember(encoding="binary")


def test_adding_problem_marks_two_numbers_one_in_each_half():
    t = tasks.adding(steps=10, n_train=50, n_test=20, seed=3)
    x, y = t.x_train, t.y_train
    assert x.shape == (10, 50, 2) and y.shape == (50, 1) and t.loss == "mse"
    marks = x[:, :, 1]
    assert (marks.sum(axis=0) == 2).all()
    assert (marks[:5].sum(axis=0) == 1).all() and (marks[5:].sum(axis=0) == 1).all()
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * marks).sum(axis=0))
    assert ((x[:, :, 0] >= 0) & (x[:, :, 0] < 1)).all()
    big = tasks.adding(steps=20, n_train=10, n_test=2000, seed=0)
    assert abs(big.baseline - 1 / 12) < 0.01  # ½ Var(U + U') = 1/12


def test_sine_targets_are_the_next_input():
    t = tasks.sine(steps=30, n_train=8, n_test=4, seed=2)
    assert t.x_train.shape == (30, 8, 1) and t.y_train.shape == (30, 8, 1)
    assert t.readout == "every"
    np.testing.assert_array_equal(t.y_train[:-1], t.x_train[1:])
    assert np.abs(t.x_train).max() <= 1.0
    with pytest.raises(ValueError, match="periods"):
        tasks.sine(periods=(1.0, 5.0))


def test_tasks_are_deterministic_given_the_seed():
    for name in tasks.names():
        a, b = tasks.make(name, seed=5), tasks.make(name, seed=5)
        assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
        assert not np.array_equal(a.x_train, tasks.make(name, seed=6).x_train)
    with pytest.raises(KeyError, match="unknown task"):
        tasks.make("copy")


def test_task_arrays_are_read_only():
    t = tasks.adding(steps=4, n_train=3, n_test=2)
    with pytest.raises(ValueError):
        t.x_train[0, 0, 0] = 1.0


@pytest.mark.parametrize("make, match", [
    (lambda: tasks.remember(steps=0), "steps must be a whole number from 1 to 10,000, not 0"),
    (lambda: tasks.remember(steps=20, position=20), "position must be a whole number from 0 to 19"),
    (lambda: tasks.remember(n_train=0), "n_train"),
    (lambda: tasks.remember(n_values=1), "n_values"),
    (lambda: tasks.remember(noise=-1), "noise"),
    (lambda: tasks.adding(steps=1), "steps must be a whole number from 2"),
    (lambda: tasks.adding(steps=10_000, n_train=1_000_000), "input values; at most 8,000,000"),
    (lambda: tasks.sine(steps=2.5), "steps"),
])
def test_task_sizes_out_of_range_are_refused_in_one_sentence(make, match):
    with pytest.raises(ValueError, match=match) as info:
        make()
    assert str(info.value).endswith(".") and "\n" not in str(info.value)


# --- a typed sequence ----------------------------------------------------------------------
def test_typed_numbers_become_a_sequence():
    np.testing.assert_array_equal(parse_sequence("0.1, 0.5, -2"), [0.1, 0.5, -2.0])
    np.testing.assert_array_equal(parse_sequence(" 1 2\n3;4, "), [1, 2, 3, 4])
    np.testing.assert_array_equal(parse_sequence("\u22122, +.5, 1e-3"), [-2.0, 0.5, 1e-3])
    x = tasks.as_input(parse_sequence("1, 2, 3"))
    assert x.shape == (3, 1, 1) and x.dtype == np.float64


@pytest.mark.parametrize("text, message", [
    ("", "The sequence is empty: type numbers separated by commas, such as 0.1, 0.5, -2."),
    (" , ;", "The sequence is empty"),
    ("1, abc, 3", "Item 2 ('abc') is not a number: write numbers like 3, -0.25 or 1e-3"),
    ("1, 2, nan", "Item 3 ('nan') is not a finite number"),
    ("-inf", "Item 1 ('-inf') is not a finite number"),
    ("4, 1e400", "Item 2 ('1e400') is too large"),
    ("1,,2,x1", "Item 3 ('x1') is not a number"),
    ("0x10", "Item 1 ('0x10') is not a number"),
    ("1_000", "Item 1 ('1_000') is not a number"),
    ("\u0661", "Item 1 ('\u0661') is not a number"),  # an Arabic-Indic digit: float() takes it
])
def test_bad_typed_sequences_name_the_item_and_its_position(text, message):
    with pytest.raises(ValueError) as info:
        parse_sequence(text)
    assert str(info.value).startswith(message)


def test_too_long_a_typed_sequence_names_the_first_item_past_the_limit():
    with pytest.raises(ValueError, match=r"Item 1,001 \('7'\) is past the limit: a sequence "
                                         r"holds at most 1,000 numbers\."):
        parse_sequence(", ".join(["1"] * MAX_TYPED + ["7", "8"]))
    assert parse_sequence(", ".join(["1"] * MAX_TYPED)).shape == (MAX_TYPED,)
    with pytest.raises(ValueError, match="Item 3"):
        parse_sequence("1 2 3", max_length=2)
    with pytest.raises(ValueError, match="not NoneType"):
        parse_sequence(None)


def one_sentence(message: str) -> bool:
    rest = re.sub(r"\((['\"]).*\1\)", "", message)  # the quoted item may hold anything
    return (message[:1].isupper() and message.endswith(".") and "\n" not in message
            and ". " not in rest[:-1])


@given(st.text(max_size=300))
def test_any_text_gives_a_sequence_or_one_clear_sentence(text):
    try:
        seq = parse_sequence(text)
    except ValueError as exc:
        assert one_sentence(str(exc)), str(exc)
    else:
        assert seq.dtype == np.float64 and 1 <= seq.size <= MAX_TYPED
        assert np.isfinite(seq).all()


@given(st.text(alphabet="0123456789.,;eE+- \n\u2212naifx", max_size=80))
def test_number_like_text_gives_a_sequence_or_one_clear_sentence(text):
    try:
        seq = parse_sequence(text)
    except ValueError as exc:
        assert one_sentence(str(exc)), str(exc)
    else:
        assert np.isfinite(seq).all()


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=40),
       st.sampled_from([", ", ",", " ", "; ", "\n"]))
def test_printed_numbers_read_back_exactly(values, sep):
    np.testing.assert_array_equal(parse_sequence(sep.join(map(repr, values))), values)
