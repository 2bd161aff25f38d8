"""Tests for CSV import: good files load, and every kind of bad file names its row and column."""

from __future__ import annotations

import gzip
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import datasets
from core.datasets import CSVError, csv_table, load, load_csv, parse_csv_text

IRIS_LIKE = """sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
4.9,3.0,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.4,3.2,4.5,1.5,versicolor
6.3,3.3,6.0,2.5,virginica
5.8,2.7,5.1,1.9,virginica
"""


def _rows(ds):
    """All (x | y) rows of a data set, sorted, so split order does not matter."""
    both = np.concatenate([np.hstack([ds.raw_train, ds.y_train]),
                           np.hstack([ds.raw_test, ds.y_test])])
    return both[np.lexsort(both.T[::-1])]


def test_a_good_file_with_string_labels_loads():
    ds = parse_csv_text(IRIS_LIKE, test_fraction=0.0)
    assert ds.task == "multiclass" and ds.n_train == 6 and ds.n_test == 0
    assert ds.input_names == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert ds.class_names == ds.output_names == ("setosa", "versicolor", "virginica")
    assert ds.options["target"] == "species" and ds.options["task"] == "multiclass"
    rows = _rows(ds)
    np.testing.assert_array_equal(rows[0], [4.9, 3.0, 1.4, 0.2, 1, 0, 0])
    np.testing.assert_array_equal(rows[-1], [7.0, 3.2, 4.7, 1.4, 0, 1, 0])
    assert ds.x_train.dtype == np.float64 and ds.x_train.flags.c_contiguous


def test_load_csv_reads_a_file_with_bom_and_can_be_remade(tmp_path):
    path = tmp_path / "flowers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + IRIS_LIKE.replace("\n", "\r\n").encode())
    ds = load_csv(path, seed=3, standardize=True)
    assert ds.name == "flowers" and ds.input_names[0] == "sepal_length"
    again = load(**ds.options)
    np.testing.assert_array_equal(again.x_train, ds.x_train)
    np.testing.assert_array_equal(again.y_test, ds.y_test)
    np.testing.assert_array_equal(ds.prepare(ds.raw_test), ds.x_test)


def test_gzipped_file_loads(tmp_path):
    path = tmp_path / "flowers.csv.gz"
    path.write_bytes(gzip.compress(IRIS_LIKE.encode()))
    assert load_csv(path).name == "flowers"


def test_bundled_files_read_through_load_csv_match_the_menu_entry():
    iris = load_csv(datasets.bundled.files("resources") / "data" / "iris.csv", seed=0)
    menu = load("iris", seed=0)
    assert iris.class_names == menu.class_names
    np.testing.assert_array_equal(_rows(iris), _rows(menu))


@pytest.mark.parametrize(
    ("column", "task", "class_names"),
    [
        (["0", "1", "2", "1"], "multiclass", ("0", "1", "2")),
        (["1", "-1", "1", "-1"], "binary", ("-1", "1")),
        (["yes", "no", "no", "yes"], "binary", ("no", "yes")),
        (["0.5", "1.25", "2", "1"], "regression", ()),
        ([str(i) for i in range(25)], "regression", ()),
        ([str(i % 20) for i in range(25)], "multiclass", tuple(str(i) for i in range(20))),
    ],
)
def test_task_is_detected_from_the_target_column(column, task, class_names):
    text = "a,y\n" + "".join(f"{i},{v}\n" for i, v in enumerate(column))
    ds = parse_csv_text(text)
    assert ds.task == task and ds.class_names == class_names


def test_binary_target_coding_and_explicit_task():
    text = "a,y\n1,cat\n2,dog\n3,cat\n4,dog\n"
    ds = parse_csv_text(text, targets="pm1", test_fraction=0.0)
    assert (ds.negative, ds.positive) == (-1.0, 1.0)
    np.testing.assert_array_equal(ds.y_train[np.argsort(ds.x_train[:, 0]), 0], [-1, 1, -1, 1])
    assert parse_csv_text(text, task="multiclass").n_outputs == 2
    assert parse_csv_text("a,y\n1,0\n2,1\n3,1\n", task="regression").task == "regression"


def test_target_by_name_or_number_and_quoted_labels():
    text = 'label,a,b\n"x, big",1,2\nsmall,3,4\n'
    ds = parse_csv_text(text, target="label", test_fraction=0.0)
    assert ds.input_names == ("a", "b") and ds.class_names == ("small", "x, big")
    assert parse_csv_text(text, target=0).options["target"] == "label"
    assert parse_csv_text(text, target="LABEL").options["target"] == "label"


def test_semicolon_and_tab_delimiters_and_headerless_files():
    assert parse_csv_text("a;b;y\n1;2;x\n3;4;z\n").input_names == ("a", "b")
    assert parse_csv_text("a\tb\ty\n1\t2\tx\n3\t4\tz\n").input_names == ("a", "b")
    ds = parse_csv_text("1,2,0\n3,4,1\n", test_fraction=0.0)
    assert ds.n_train == 2 and ds.input_names == ("column 1", "column 2")


def test_two_input_columns_get_an_extent_for_decision_maps():
    ds = parse_csv_text("a,b,y\n0,0,x\n10,5,z\n")
    assert ds.extent == ((-1.0, 11.0), (-0.5, 5.5))
    assert parse_csv_text(IRIS_LIKE).extent is None


def test_constant_column_is_standardized_with_std_one():
    ds = parse_csv_text("a,b,y\n1,5,0\n2,5,1\n3,5,0\n4,5,1\n", standardize=True)
    assert ds.input_std[1] == 1.0
    np.testing.assert_array_equal(ds.x_train[:, 1], 0.0)


# --- errors: each names the right 1-based file row and column ------------------------------

BAD_CELL = IRIS_LIKE.replace("5.8,2.7,5.1,1.9", "5.8,2.7,5.1,abc")


@pytest.mark.parametrize(
    ("text", "kwargs", "row", "column", "message"),
    [
        (BAD_CELL, {}, 7, "petal_width", "row 7, column 'petal_width': 'abc' is not a number."),
        ("a,b,y\n1,2,x\n3,,z\n", {}, 3, "b", "row 3, column 'b': the value is missing"),
        ("a,b,y\n1,2,x\n3,NA,z\n", {}, 3, "b", "missing"),
        ("a,b,y\n1,2,x\n3,4,\n", {}, 3, "y", "row 3, column 'y': the value is missing"),
        ("a,b,y\n1,2,x\n3,4,x\n", {}, None, "y", "column 'y': it has only one class ('x')"),
        ("a,b,y\n1,2,x\n3,4\n", {}, 3, "y", "row 3, column 'y': the row has 2 values but"),
        ("a,b,y\n1,2,x\n3,4,5,6\n", {}, 3, None, "row 3: the row has 4 values but there are 3"),
        ("", {}, 1, None, "row 1: the file is empty"),
        (" \n\n", {}, 1, None, "the file is empty"),
        ("a,b,y\n", {}, 2, None, "row 2: the file has a header row but no rows of data."),
        ("a,b,y\n1,2,x\n", {"target": "z"}, 1, "z", "row 1, column 'z': there is no such"),
        ("a,b,y\n1,2,x\n", {"target": 5}, 1, None, "no column number 5"),
        ("a,b,y\n1,inf,x\n", {}, 2, "b", "'inf' is not a finite number"),
        ("a,b,y\n1,2e200,x\n", {}, 2, "b", "too large"),
        ("a;b;y\n1,5;2;x\n", {}, 2, "a", "'1,5' is not a number (use a dot for decimals)"),
        ("a,a,y\n1,2,x\n", {}, 1, "a", "two columns have this name"),
        ("y\n1\n2\n", {}, 1, "y", "at least two columns"),
        ("a,y\n1,2\n2,cat\n", {"task": "regression"}, 3, "y", "'cat' is not a number"),
        ("a,y\n1,2\n2,3\n3,4\n", {"task": "binary"}, None, "y", "needs exactly two"),
        ("a,y\n" + "".join(f"{i},c{i}\n" for i in range(101)), {}, None, "y", "101 different"),
        ("a,b,y\n1,2,x\n3,4,y\n", {"max_rows": 1}, 3, None, "more than 1 rows of data"),
        ("a,b,y\n1,2,x\n", {"max_cols": 2}, 1, None, "3 columns, more than the limit of 2"),
        ("a,b\n\n1,2\n\n\n3,x\n", {"task": "regression"}, 6, "b", "row 6, column 'b'"),
        ('a,b\n"mul\ntiline",2\n', {}, 2, "a", "row 2, column 'a'"),
        ('a,b,y\n1,"x\ny",0\n2,3,1\n4,?,1\n', {}, 2, "b", "'x\\ny' is not a number"),
        ('a,b,y\n1,"2",0\n"3\n",3,1\n4,?,1\n', {}, 5, "b", "row 5, column 'b'"),
        ("a,b,y\n1,2,x\n1,inf,x\n1,2,z\n1,2\n", {}, 3, "b", "row 3, column 'b': 'inf'"),
        ("a,b,y\n1,2,x\n1,1e999,x\n1,2,\n", {}, 3, "b", "not a finite number"),
    ],
)
def test_each_error_names_row_and_column(text, kwargs, row, column, message):
    with pytest.raises(CSVError) as info:
        parse_csv_text(text, **kwargs)
    err = info.value
    assert (err.row, err.column) == (row, column)
    assert message in str(err)
    assert str(err).count(". ") == 0 and str(err).endswith(".")  # one sentence


def test_wrong_encoding_names_the_row_and_column(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,x,label\nab,1,a\ncafé,2,b\n".encode("latin-1"))
    with pytest.raises(CSVError, match="not UTF-8") as info:
        load_csv(path)
    assert (info.value.row, info.value.column) == (3, "name")
    path.write_bytes(b"\xef\xbb\xbfa,b,y\r\n1,2,x\r\n\r\n3,\xe9,z\n")  # BOM is fine
    with pytest.raises(CSVError, match="byte 0xE9") as info:
        load_csv(path)
    assert (info.value.row, info.value.column) == (4, "b")
    path.write_bytes(b"a,b,y\n1,2,x\n\xff,3,z\n")  # bad byte first on its line
    with pytest.raises(CSVError) as info:
        load_csv(path)
    assert (info.value.row, info.value.column) == (3, "a")
    path.write_bytes(b"a,b,y\r1,2,x\r3,\xe9,z\r")  # old Mac line ends
    with pytest.raises(CSVError) as info:
        load_csv(path)
    assert (info.value.row, info.value.column) == (3, "b")
    path.write_bytes("a,b\n1,2\n".encode("utf-16"))
    with pytest.raises(CSVError, match="UTF-16"):
        load_csv(path)


def test_errors_survive_pickling():
    err = pickle.loads(pickle.dumps(CSVError("boom", row=3, column="c")))
    assert (err.row, err.column, str(err)) == (3, "c", "row 3, column 'c': boom.")


def test_row_budget_is_refused_before_any_parsing_or_allocation(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("parsed or allocated before checking the row budget")

    monkeypatch.setattr(csv_table.csv, "reader", boom)
    monkeypatch.setattr(csv_table.np, "empty", boom)
    text = "a,b\n" + "1,2\n" * 200_001
    with pytest.raises(CSVError, match="more than 200,000 rows") as info:
        parse_csv_text(text)  # the patched reader and np.empty prove nothing was parsed
    assert info.value.row == 200_002
    with pytest.raises(CSVError, match="more than 10 rows"):
        parse_csv_text("a,b\r\n" + "1,2\r\n" * 11, max_rows=10)


def test_exactly_the_row_budget_is_accepted():
    assert parse_csv_text("a,b\n" + "1,0\n2,1\n" * 5 + "\n\n", max_rows=10).n_train == 5


def test_huge_header_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(csv_table.csv, "reader", lambda *a, **k: 1 / 0)
    with pytest.raises(CSVError, match="limit of 1,000"):
        parse_csv_text(",".join(f"c{i}" for i in range(5000)) + "\n")


def test_file_size_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "1,2\n" * 100)
    monkeypatch.setattr(type(path), "read_bytes", lambda self: 1 / 0)
    with pytest.raises(CSVError, match="more than the limit of 0.0001 MB"):
        load_csv(path, max_bytes=100)


def test_bad_gzip_is_a_csv_error(tmp_path):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(CSVError, match="gzip"):
        load_csv(path)


# --- properties -----------------------------------------------------------------------------

csv_chars = st.sampled_from(list(',;\t\n\r"\' .-+e0123456789abcNA?é\x00\ufeff'))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(st.text(), st.text(csv_chars, max_size=80)),
    target=st.sampled_from([None, 0, -1, "a", "y"]),
    task=st.sampled_from([None, "binary", "multiclass", "regression"]),
    standardize=st.booleans(),
)
def test_arbitrary_text_gives_a_dataset_or_a_csv_error(text, target, task, standardize):
    try:
        ds = parse_csv_text(text, target=target, task=task, standardize=standardize)
    except CSVError as err:
        assert str(err).endswith(".") and (err.row is None or err.row >= 1)
        return
    assert ds.n_train >= 1 and np.all(np.isfinite(ds.x_train))


@settings(max_examples=100, deadline=None)
@given(
    table=st.integers(1, 12).flatmap(lambda n: st.integers(2, 5).flatmap(
        lambda d: st.lists(
            st.lists(st.floats(-1e100, 1e100, allow_nan=False), min_size=d, max_size=d),
            min_size=n, max_size=n))),
    crlf=st.booleans(),
)
def test_numeric_tables_round_trip_exactly(table, crlf):
    data = np.array(table, dtype=np.float64)
    end = "\r\n" if crlf else "\n"
    names = [f"v{j}" for j in range(data.shape[1])]
    text = ",".join(names) + end + "".join(",".join(map(repr, r)) + end for r in table)
    ds = parse_csv_text(text, task="regression", test_fraction=0.0)
    assert ds.input_names == tuple(names[:-1]) and ds.output_names == (names[-1],)
    np.testing.assert_array_equal(_rows(ds), data[np.lexsort(data.T[::-1])])


def test_csv_columns_reads_only_the_header_and_names_columns_like_load_csv(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbf\n a ,,y\n1,2,x\n")
    assert datasets.csv_columns(path) == ["a", "column 2", "y"]
    (tmp_path / "n.csv").write_text("1;2;3\n")
    assert datasets.csv_columns(tmp_path / "n.csv") == ["column 1", "column 2", "column 3"]
    (tmp_path / "one.csv").write_text("y\n1\n")
    with pytest.raises(CSVError, match="at least two columns"):
        datasets.csv_columns(tmp_path / "one.csv")


def test_an_experiment_on_a_csv_file_keeps_its_target_coding(tmp_path):
    """A CSV experiment set to −1/+1 targets trains on −1/+1 (it silently got 0/1)."""
    import dataclasses

    from core.experiment import Experiment

    path = tmp_path / "two.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{-i},{'yes' if i % 2 else 'no'}\n"
                                        for i in range(20)), encoding="utf-8")
    exp = Experiment()
    for coding, values in (("pm1", {-1.0, 1.0}), ("01", {0.0, 1.0})):
        e = dataclasses.replace(exp, dataset=dataclasses.replace(
            exp.dataset, csv_path=str(path), targets=coding))
        ds = e.build_dataset()
        assert set(np.unique(ds.y_train)) | set(np.unique(ds.y_test)) == values
