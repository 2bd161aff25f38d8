"""Tests for core.datasets: registry, generators' geometry and tables, split, standardization."""

from __future__ import annotations

import json
from importlib.resources import files

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import datasets
from core.datasets import FEATURES, Dataset, bundled, labels, load

NAMES = datasets.names()
PLANE_2D = [n for n in NAMES if datasets.describe(n).extent is not None]
TABLES = [n for n in NAMES if datasets.describe(n).whole_table]
SAMPLED = [n for n in NAMES if not datasets.describe(n).whole_table]
ARRAYS = ("x_train", "y_train", "x_test", "y_test", "raw_train", "raw_test")


def test_names_in_menu_order():
    assert NAMES == [
        "xor", "noisy_xor", "circles", "gaussians", "spiral", "moons", "checkerboard", "plane",
        "multi_gaussian", "sine", "seven_segment", "parity", "iris", "wine", "digits",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_describe_is_a_consistent_frozen_record(name):
    info = datasets.describe(name)
    assert info.name == name and info.display_name and info.noise_help
    assert 0 < info.description.count(".") <= 2  # one or two plain sentences
    assert info.n_range[0] <= info.default_n <= info.n_range[1]
    assert info.noise_range[0] <= info.default_noise <= info.noise_range[1]
    assert info.task in ("binary", "multiclass", "regression")
    for key, option in info.options.items():
        assert key == option.name and option.check(option.default) == option.default
    with pytest.raises(AttributeError):
        info.default_n = 3  # type: ignore[misc]


@pytest.mark.parametrize("name", NAMES)
def test_every_name_loads_with_defaults(name):
    info = datasets.describe(name)
    ds = load(name)
    assert isinstance(ds, Dataset) and ds.name == name and ds.task == info.task
    for attr in ARRAYS:
        a = getattr(ds, attr)
        assert a.dtype == np.float64 and a.flags.c_contiguous and a.ndim == 2, attr
        assert np.all(np.isfinite(a)), attr
    assert ds.x_test.shape[1] == ds.n_inputs == len(ds.input_names)
    assert ds.y_test.shape[1] == ds.n_outputs == len(ds.output_names)
    assert ds.raw_train.shape[0] == ds.n_train and ds.raw_test.shape[0] == ds.n_test
    n = info.default_n
    if info.whole_table:
        assert ds.n_train == ds.n_test == n
    else:
        assert ds.n_train + ds.n_test == n and abs(ds.n_test - n / 2) <= 1
    if ds.task == "binary":
        assert set(np.unique(ds.y_train)) <= {ds.negative, ds.positive}
    if ds.task == "multiclass":
        assert np.all(ds.y_train.sum(axis=1) == 1) and set(np.unique(ds.y_train)) == {0.0, 1.0}
        assert len(ds.class_names) == ds.n_outputs
    assert (ds.extent is not None) == info.is_2d
    assert ds.x_train is not ds.raw_train and not np.shares_memory(ds.x_train, ds.raw_train)


@pytest.mark.parametrize("name", NAMES)
def test_options_are_json_and_remake_the_same_data(name):
    ds = load(name, seed=7, test_fraction=0.3, standardize=True)
    options = json.loads(json.dumps(ds.options))
    again = load(**options)
    for attr in ARRAYS:
        np.testing.assert_array_equal(getattr(again, attr), getattr(ds, attr))


@pytest.mark.parametrize("name", SAMPLED)
def test_same_seed_same_arrays_other_seed_other_arrays(name):
    noise = datasets.describe(name).noise_range[1]
    a, b, c = (load(name, noise=noise, seed=s) for s in (3, 3, 4))
    for attr in ARRAYS:
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr))
    assert not np.array_equal(a.x_train, c.x_train)


def test_different_seeds_give_different_noise_not_just_order():
    a, b = (load("circles", noise=0.3, seed=s, test_fraction=0.0) for s in (1, 2))
    assert not np.array_equal(np.sort(a.raw_train, axis=0), np.sort(b.raw_train, axis=0))


def test_seed_none_is_recorded_so_the_data_can_be_remade():
    ds = load("moons", seed=None)
    assert isinstance(ds.options["seed"], int)
    np.testing.assert_array_equal(load(**ds.options).x_train, ds.x_train)


@pytest.mark.parametrize("name", PLANE_2D)
def test_points_stay_inside_the_extent_at_maximum_noise(name):
    info = datasets.describe(name)
    ds = load(name, n=info.n_range[1] if not info.whole_table else None,
              noise=info.noise_range[1], seed=5)
    raw = np.concatenate([ds.raw_train, ds.raw_test])
    (x0, x1), (y0, y1) = ds.extent
    assert np.all((raw[:, 0] >= x0) & (raw[:, 0] <= x1) & (raw[:, 1] >= y0) & (raw[:, 1] <= y1))


def _all(ds):
    return np.concatenate([ds.raw_train, ds.raw_test]), np.concatenate([ds.y_train, ds.y_test])


@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
def test_circles_geometry(noise):
    x, y = _all(load("circles", n=2000, noise=noise, seed=1, test_fraction=0.2))
    r = np.hypot(x[:, 0], x[:, 1])
    inside = y[:, 0] == 1
    assert np.all((r < 2.5) | ((r >= 3.5) & (r <= 5)))
    assert np.all(r[inside] < 2.5 + noise * 5 * np.sqrt(2))
    assert np.all(r[~inside] > 2.5 - noise * 5 * np.sqrt(2))
    if noise == 0:
        assert np.all(r[inside] < 2.5) and np.all((r[~inside] >= 3.5) & (r[~inside] <= 5))
        assert inside.sum() == 1000


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_spiral_stays_within_radius_five_plus_noise(noise):
    x, y = _all(load("spiral", n=1000, noise=noise, seed=2))
    assert np.all(np.hypot(x[:, 0], x[:, 1]) <= 5 + noise * np.sqrt(2) + 1e-12)
    assert y.sum() == 500


def test_spiral_arms_follow_the_playground_formula():
    ds = load("spiral", n=200, noise=0.0, test_fraction=0.0)
    i = np.arange(100)
    r, t = i / 100 * 5, 1.75 * i / 100 * 2 * np.pi
    arm1 = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    got = ds.raw_train[ds.y_train[:, 0] == 1]
    np.testing.assert_allclose(got[np.lexsort(got.T)], arm1[np.lexsort(arm1.T)])


def test_noisy_xor_quadrants_with_margin():
    x, y = _all(load("noisy_xor", n=2000, noise=0.0, seed=3))
    assert np.all(np.abs(x) >= 0.3) and np.all(np.abs(x) <= 5.3)
    np.testing.assert_array_equal(y[:, 0], (x[:, 0] * x[:, 1] >= 0).astype(float))
    _, y_noisy = _all(load("noisy_xor", n=2000, noise=0.5, seed=3))
    assert 0 < np.mean(y_noisy != y) < 0.5  # noise flips some labels, not all


def test_gaussians_are_centred_at_plus_minus_two():
    x, y = _all(load("gaussians", n=4000, noise=0.0, seed=4))
    pos = y[:, 0] == 1
    np.testing.assert_allclose(x[pos].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(x[~pos].mean(axis=0), [-2, -2], atol=0.1)
    np.testing.assert_allclose(x[pos].var(axis=0), [0.5, 0.5], rtol=0.15)


def test_moons_lie_on_two_half_circles_without_noise():
    x, y = _all(load("moons", n=400, noise=0.0, seed=5))
    up = y[:, 0] == 1
    u = x / 3 + [0.5, 0.25]  # undo the scaling back to scikit-learn's unit moons
    np.testing.assert_allclose(np.hypot(u[up, 0], u[up, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(u[~up, 0] - 1, u[~up, 1] - 0.5), 1.0)
    assert np.all(u[up, 1] >= -1e-12) and np.all(u[~up, 1] <= 0.5 + 1e-12)


def test_checkerboard_squares():
    x, y = _all(load("checkerboard", n=2000, noise=0.0, seed=6))
    cell = np.floor((x + 6) / 3).astype(int)
    assert set(np.unique(cell)) == {0, 1, 2, 3}
    np.testing.assert_array_equal(y[:, 0], ((cell[:, 0] + cell[:, 1]) % 2 == 0).astype(float))


def test_plane_regression_is_sum_over_ten():
    x, y = _all(load("plane", n=500, noise=0.0, seed=7))
    np.testing.assert_allclose(y[:, 0], (x[:, 0] + x[:, 1]) / 10)
    x, y = _all(load("plane", n=500, noise=0.3, seed=7))
    assert np.max(np.abs(y[:, 0] - (x[:, 0] + x[:, 1]) / 10)) > 0.1


def test_multi_gaussian_matches_playground_reg_gauss():
    centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1),
               (4, -2.5, -1)]
    np.testing.assert_array_equal(datasets.playground.bump_centres(6), centres)
    x, y = _all(load("multi_gaussian", n=500, noise=0.0, seed=8))
    for (px, py), label in zip(x, y[:, 0]):
        best = 0.0
        for cx, cy, sign in centres:  # Playground's loop, written out
            v = sign * min(max(1 - np.hypot(px - cx, py - cy) / 2, 0), 1)
            best = v if abs(v) > abs(best) else best
        assert label == pytest.approx(best)
    assert y.min() < -0.5 and y.max() > 0.5


@pytest.mark.parametrize("count", [1, 2, 5, 9, 12])
def test_multi_gaussian_count_option(count):
    assert len(datasets.playground.bump_centres(count)) == count
    ds = load("multi_gaussian", count=count)
    assert ds.options["count"] == count and np.all(np.abs(ds.y_train) <= 1)


def test_sine_curve():
    ds = load("sine", n=300, noise=0.0, periods=2, seed=9)
    x, y = _all(ds)
    assert ds.extent is None and x.shape == (300, 1) and ds.input_names == ("x",)
    assert np.all(np.abs(x) <= 2 * np.pi)
    np.testing.assert_array_equal(y, np.sin(x))
    x, y = _all(load("sine", n=2000, noise=0.2, seed=9))
    assert np.std(y - np.sin(x)) == pytest.approx(0.2, rel=0.1)


@pytest.mark.parametrize("targets", ["01", "pm1"])
def test_xor_truth_table_is_exact(targets):
    ds = load("xor", targets=targets)
    neg = 0.0 if targets == "01" else -1.0
    expected_y = [[neg], [1.0], [1.0], [neg]]
    for x, y in ((ds.x_train, ds.y_train), (ds.x_test, ds.y_test)):
        np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
        np.testing.assert_array_equal(y, expected_y)
    assert (ds.negative, ds.positive) == (neg, 1.0)
    centered = load("xor", centered=True)
    np.testing.assert_array_equal(centered.x_train, [[-1, -1], [-1, 1], [1, -1], [1, 1]])


SEVEN = {0: "abcdef", 1: "bc", 2: "abdeg", 3: "abcdg", 4: "bcfg", 5: "acdfg", 6: "acdefg",
         7: "abc", 8: "abcdefg", 9: "abcdfg"}


@pytest.mark.parametrize("targets", ["01", "pm1"])
def test_seven_segment_table_is_exact_for_every_digit(targets):
    ds = load("seven_segment", targets=targets)
    neg = 0.0 if targets == "01" else -1.0
    assert ds.output_names == tuple("abcdefg") and ds.class_names == tuple("0123456789")
    assert ds.x_train.shape == (10, 4) and ds.y_train.shape == (10, 7)
    for digit, lit in SEVEN.items():
        bits = [(digit >> k) & 1 for k in (3, 2, 1, 0)]
        np.testing.assert_array_equal(ds.x_train[digit], bits)
        np.testing.assert_array_equal(ds.y_train[digit], [1.0 if s in lit else neg
                                                          for s in "abcdefg"])
    np.testing.assert_array_equal(ds.y_test, ds.y_train)


@pytest.mark.parametrize("bits", [1, 2, 3, 5])
@pytest.mark.parametrize("centered", [False, True])
def test_parity_is_correct(bits, centered):
    ds = load("parity", bits=bits, centered=centered)
    assert ds.x_train.shape == (2**bits, bits) and ds.options["n"] == 2**bits
    ones = (ds.x_train > 0).sum(axis=1)
    assert set(np.unique(ds.x_train)) == ({-1.0, 1.0} if centered else {0.0, 1.0})
    np.testing.assert_array_equal(ds.y_train[:, 0], ones % 2)
    assert len({tuple(r) for r in ds.x_train}) == 2**bits


@pytest.mark.parametrize("name", TABLES)
def test_tables_use_every_row_for_train_and_test_unless_split(name):
    ds = load(name, test_fraction=0.5)
    np.testing.assert_array_equal(ds.x_train, ds.x_test)
    split = load(name, test_fraction=0.5, split=True)
    assert split.n_train + split.n_test == ds.n_train and split.n_test > 0


def test_binary_targets_pm1():
    ds = load("circles", targets="pm1")
    assert (ds.negative, ds.positive) == (-1.0, 1.0)
    assert set(np.unique(ds.y_train)) == {-1.0, 1.0}
    np.testing.assert_array_equal(labels(ds.y_train, -1, 1), ds.y_train[:, 0] > 0)


@pytest.mark.parametrize("name", ["circles", "wine", "xor", "sine"])
def test_standardization_uses_train_statistics(name):
    ds = load(name, standardize=True, seed=11, test_fraction=0.4)
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(ds.x_train.std(axis=0), 1, atol=1e-12)
    np.testing.assert_allclose(ds.input_mean, ds.raw_train.mean(axis=0))
    np.testing.assert_allclose(ds.input_std, ds.raw_train.std(axis=0))
    np.testing.assert_array_equal(ds.x_test, (ds.raw_test - ds.input_mean) / ds.input_std)
    np.testing.assert_array_equal(ds.prepare(ds.raw_train), ds.x_train)
    np.testing.assert_array_equal(ds.prepare(ds.raw_test), ds.x_test)


def test_without_standardization_prepare_is_identity():
    ds = load("spiral")
    assert ds.input_mean is None and ds.input_std is None
    np.testing.assert_array_equal(ds.prepare(ds.raw_train), ds.x_train)
    np.testing.assert_array_equal(ds.raw_train, ds.x_train)


def test_constant_columns_get_std_one():
    mean, std = datasets.pipeline.standardization(np.array([[1.0, 2.0], [1.0, 4.0]]))
    np.testing.assert_array_equal(mean, [1.0, 3.0])
    np.testing.assert_array_equal(std, [1.0, 1.0])


def test_features_are_appended_in_order_then_standardized():
    chosen = ["x1*x2", "sin(x1)", "x2^2"]
    ds = load("gaussians", features=chosen)
    raw = ds.raw_train
    assert ds.input_names == ("x1", "x2", *chosen) and ds.features == tuple(chosen)
    np.testing.assert_array_equal(ds.x_train[:, :2], raw)
    np.testing.assert_array_equal(ds.x_train[:, 2], raw[:, 0] * raw[:, 1])
    np.testing.assert_array_equal(ds.x_train[:, 3], np.sin(raw[:, 0]))
    np.testing.assert_array_equal(ds.x_train[:, 4], raw[:, 1] ** 2)
    every = load("circles", features=list(FEATURES), standardize=True)
    assert every.n_inputs == 2 + len(FEATURES)
    np.testing.assert_array_equal(every.prepare(every.raw_test), every.x_test)


@pytest.mark.parametrize("name", ["parity", "sine", "iris", "seven_segment"])
def test_features_refused_for_non_2d_data(name):
    with pytest.raises(ValueError, match="2-D"):
        load(name, features=["x1^2"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "nope"}, "unknown data set"),
        ({"name": "circles", "n": 3}, "between"),
        ({"name": "circles", "n": 2.5}, "whole number"),
        ({"name": "circles", "noise": 0.9}, "noise"),
        ({"name": "circles", "test_fraction": 0.95}, "test_fraction"),
        ({"name": "circles", "targets": "+-"}, "targets"),
        ({"name": "circles", "features": ["x3"]}, "unknown feature"),
        ({"name": "circles", "features": ["x1^2", "x1^2"]}, "once"),
        ({"name": "circles", "bits": 3}, "no option"),
        ({"name": "parity", "bits": 13}, "bits"),
        ({"name": "xor", "centered": 1}, "True or False"),
        ({"name": "circles", "seed": -1}, "seed"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(kwargs, match):
    with pytest.raises((ValueError, KeyError), match=match):
        load(**kwargs)


def test_real_data_noise_is_ignored():
    np.testing.assert_array_equal(load("iris", noise=0.3).x_train, load("iris").x_train)


@pytest.mark.parametrize(
    ("name", "shape", "counts"),
    [
        ("iris", (150, 4), [50, 50, 50]),
        ("wine", (178, 13), [59, 71, 48]),
        ("digits", (1797, 64), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]),
    ],
)
def test_bundled_real_data(name, shape, counts):
    x, index, classes, inputs = bundled.table(name)
    assert x.shape == shape and len(inputs) == shape[1] and len(classes) == len(counts)
    np.testing.assert_array_equal(np.bincount(index), counts)
    assert not x.flags.writeable  # the cache cannot be changed through a Dataset
    ds = load(name, test_fraction=0.2)
    assert ds.n_train + ds.n_test == shape[0] and ds.n_inputs == shape[1]
    test_counts = ds.y_test.sum(axis=0)
    assert np.all(np.abs(test_counts - np.array(counts) * 0.2) < 1)  # stratified split
    assert (files("resources") / "data" / bundled._FILES[name][0]).is_file()


def test_iris_has_species_names_and_subsamples_stratified():
    ds = load("iris", n=30, test_fraction=0.0)
    assert ds.class_names == ("setosa", "versicolor", "virginica")
    np.testing.assert_array_equal(ds.y_train.sum(axis=0), [10, 10, 10])
    assert ds.input_names[0] == "sepal_length_cm"


def test_digits_is_read_once_and_cached():
    # how fast (cold and cached) is measured by benchmarks/bench_calls.py, not asserted here
    bundled.table.cache_clear()
    first = bundled.table("digits")
    assert bundled.table("digits") is first
    assert bundled.table.cache_info().hits == 1


def test_labels_helper():
    np.testing.assert_array_equal(labels(np.eye(3)[[2, 0, 1]]), [2, 0, 1])
    np.testing.assert_array_equal(labels(np.array([[0.0], [1.0], [0.7]])), [0, 1, 1])
    np.testing.assert_array_equal(labels(np.array([-1.0, 1.0]), -1, 1), [0, 1])
    ds = load("wine")
    assert labels(ds.y_train).max() == 2


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(10, 300),
    test_fraction=st.floats(0.0, 0.9),
    seed=st.integers(0, 2**32 - 1),
)
def test_split_sizes_and_stratification(n, test_fraction, seed):
    ds = load("circles", n=n, test_fraction=test_fraction, seed=seed)
    assert ds.n_train + ds.n_test == n and ds.n_train >= 1
    assert abs(ds.n_test - n * test_fraction) <= 1
    positives = n // 2
    assert abs(ds.y_test.sum() - positives * ds.n_test / n) <= 1
    np.testing.assert_array_equal(
        np.sort(np.concatenate([ds.raw_train, ds.raw_test]), axis=0),
        np.sort(load("circles", n=n, test_fraction=0.0, seed=seed).raw_train, axis=0))
