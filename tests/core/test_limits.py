"""Size limits: networks beyond the parameter budget and data sets beyond the row budget are
refused with a sentence stating the limit, before anything big is allocated."""

from __future__ import annotations

import time
import tracemalloc

import pytest

import core
import core.datasets as datasets
import core.presets
from core import limits
from core.datasets.csv_table import MAX_ROWS
from core.experiment import Experiment, LayerConfig


def refused(fn, match: str, max_bytes: int = 2**20) -> str:
    """Run ``fn``; it must raise ValueError matching ``match``, fast and allocating little."""
    tracemalloc.start()
    try:
        t0 = time.perf_counter()
        with pytest.raises(ValueError, match=match) as info:
            fn()
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < max_bytes, f"{peak / 2**20:.1f} MiB allocated before refusing"
    assert elapsed < 0.5, f"took {elapsed:.2f} s to refuse"
    return str(info.value)


BUDGET = f"at most {limits.MAX_PARAMETERS:,} are allowed"


def test_the_budget_boundary_is_exact():
    # 1999 inputs → 1000 units: 1999·1000 weights + 1000 biases = 2,000,000 exactly
    assert limits.check_architecture(1999, [1000], [0]) == limits.MAX_PARAMETERS == 2_000_000
    with pytest.raises(ValueError, match="2,001,000 parameters; " + BUDGET):
        limits.check_architecture(2000, [1000], [0])
    net = core.Network.build(1999, [], (1000, "identity"))
    assert net.n_params == limits.MAX_PARAMETERS


def test_a_network_over_the_budget_is_refused_before_allocation():
    # 2 → 2000 → 2000 → 1: four million weights in the middle (32 MB per buffer)
    message = refused(lambda: core.Network.build(2, [(2000, "relu")] * 2, (1, "sigmoid")),
                      "4,010,001 parameters")
    assert BUDGET in message


def test_the_largest_request_the_per_layer_limits_allow_is_refused_instantly():
    """98 hidden layers of 4096 units: 1.66 billion parameters, 13 GB per buffer."""
    message = refused(
        lambda: core.Network.build(limits.MAX_INPUTS, [(limits.MAX_UNITS_PER_LAYER, "relu")] * 98,
                                   (limits.MAX_UNITS_PER_LAYER, "identity")),
        "1,661,349,888 parameters")
    assert BUDGET in message


@pytest.mark.parametrize("n_inputs, hidden, match", [
    (10**6, [(10**6, "relu")], f"at most {limits.MAX_INPUTS} inputs"),  # 10^12 weights
    (2, [(10**6, "relu")] * 2, f"at most {limits.MAX_UNITS_PER_LAYER} units per layer"),
    (2, [(1, "relu")] * (limits.MAX_LAYERS + 5), f"at most {limits.MAX_LAYERS} layers"),
])
def test_absurd_sizes_are_refused_naming_the_limit(n_inputs, hidden, match):
    refused(lambda: core.Network.build(n_inputs, hidden, (1, "sigmoid")), match)


def test_batchnorm_and_prelu_parameters_count_towards_the_budget():
    # 2 → 1410 prelu → 1410 → 1: 1,995,151 weights and biases; batchnorm and PReLU's α add
    # 3 per unit of the first hidden layer and 2 of the second: over the budget
    plain = limits.check_architecture(2, [1410, 1410, 1], [0, 0, 0])
    assert plain <= limits.MAX_PARAMETERS
    refused(lambda: core.Network.build(2, [(1410, "prelu"), (1410, "tanh")], (1, "sigmoid"),
                                       batchnorm=True), BUDGET)


def test_an_experiment_with_huge_layers_is_refused_before_its_trainer_is_built():
    exp = core.presets.get("circles-tanh").experiment
    exp = exp.with_(network=exp.network.__class__(
        **{**exp.network.__dict__, "hidden": (LayerConfig(4000, "relu"),) * 3}))
    ds = exp.build_dataset()
    refused(lambda: exp.build_trainer(ds), BUDGET)


def test_a_data_set_beyond_its_row_budget_is_refused_before_it_is_drawn():
    message = refused(lambda: datasets.load("circles", n=10**9), "between 10 and 5000")
    assert "1000000000" in message
    refused(lambda: Experiment.from_dict({"dataset": {"n": 10**9}}), r"\[2, 200000\]")


def test_a_csv_beyond_the_row_budget_is_refused_naming_the_limit(tmp_path):
    """(Parsing cost is covered in tests/core/test_csv_import.py; this is the file route.)"""
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "1,0\n" * (MAX_ROWS + 1))
    with pytest.raises(datasets.CSVError, match=f"more than {MAX_ROWS:,} rows"):
        datasets.load_csv(path)
