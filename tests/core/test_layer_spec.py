"""``--hidden 16:relu,8:tanh``: the hidden layers as text, read back exactly, and every
malformed text refused with one HiddenSpecError naming the item."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import core.activations as acts
from core.experiment import LayerConfig
from core.layer_spec import DEFAULT, HiddenSpecError, format_hidden, parse_hidden
from core.limits import MAX_LAYERS, MAX_UNITS_PER_LAYER

layers = st.lists(st.builds(LayerConfig, st.integers(1, MAX_UNITS_PER_LAYER),
                            st.sampled_from(acts.names())), max_size=8).map(tuple)


@given(layers)
def test_written_layers_read_back_exactly(hidden):
    assert parse_hidden(format_hidden(hidden)) == hidden


@given(st.text(max_size=40))
def test_any_text_gives_layers_or_one_sentence(text):
    try:
        hidden = parse_hidden(text)
    except HiddenSpecError as e:
        message = str(e)
        assert message and "\n" not in message and "Traceback" not in message
    else:
        assert all(isinstance(h, LayerConfig) and 1 <= h.units <= MAX_UNITS_PER_LAYER
                   and h.activation in acts.names() for h in hidden)


@given(st.lists(st.tuples(st.integers(1, 99), st.sampled_from(["", ":relu", " : Tanh ",
                                                              ":Leaky-ReLU", ":swish"])),
                min_size=1, max_size=5))
def test_spaces_case_aliases_and_a_missing_activation(items):
    text = " , ".join(f"{n}{act}" for n, act in items)
    hidden = parse_hidden(text)
    assert [h.units for h in hidden] == [n for n, _ in items]
    expected = {"": DEFAULT, ":relu": "relu", " : Tanh ": "tanh", ":Leaky-ReLU": "leaky_relu",
                ":swish": "silu"}
    assert [h.activation for h in hidden] == [expected[a] for _, a in items]


def test_no_hidden_layers():
    assert parse_hidden("") == parse_hidden(" none ") == ()
    assert format_hidden(()) == "none"


@pytest.mark.parametrize(("text", "named"), [
    ("16:relu,,8", "layer 2 is empty"), ("16,", "layer 2 is empty"),
    ("x8:relu", "'x8:relu'"), ("-4:relu", "'-4:relu'"), ("1.5:tanh", "'1.5:tanh'"),
    ("0:relu", "not 0"), (f"{MAX_UNITS_PER_LAYER + 1}", f"not {MAX_UNITS_PER_LAYER + 1}"),
    ("16:", "no activation after the colon"), ("16:foo", "no activation called 'foo'"),
    (",".join(["2"] * (MAX_LAYERS + 1)), "more than the limit"),
])
def test_malformed_text_names_its_fault(text, named):
    with pytest.raises(HiddenSpecError, match=named.replace("(", r"\(").replace(".", r"\.")):
        parse_hidden(text)
