"""The .alab file: what it holds, continuing training bit for bit, atomic writes, bad files."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile

import numpy as np
import pytest

import core
import core.presets
from core import archive
from core.archive import (
    ArchiveError,
    SavedExperiment,
    capture,
    history_csv,
    read_archive,
    restore,
    write_archive,
)
from core.experiment import SCHEMA_VERSION

PANELS = {"training_curves": {"log_y": True, "smoothing": 0.5},
          "activation_curves": {"functions": {"selected": ["relu"]}, "x_range": [-3, 3]}}


def experiment(preset: str, **training):
    exp = core.presets.get(preset).experiment
    if training:
        exp = dataclasses.replace(exp, training=dataclasses.replace(exp.training, **training))
    return dataclasses.replace(exp, panels=PANELS)


def assert_same(a, b) -> None:
    """Two trainers in exactly the same state."""
    assert (a.step_count, a.epoch, a._cursor) == (b.step_count, b.epoch, b._cursor)
    assert np.array_equal(a.net.flat, b.net.flat)
    assert a.optimizer.state.keys() == b.optimizer.state.keys()
    for k in a.optimizer.state:
        assert np.array_equal(a.optimizer.state[k], b.optimizer.state[k]), k
    ha, hb = a.history.copy_arrays(), b.history.copy_arrays()
    assert ha.keys() == hb.keys()
    for k in ha:
        assert np.array_equal(ha[k], hb[k], equal_nan=True), k
    ta, tb = a.timeline, b.timeline
    assert (ta.seen, len(ta)) == (tb.seen, len(tb))
    for k in ("step", "epoch", "train_loss", "test_loss", "grad_norm_w", "update_ratio",
              "z_percentiles", "a_percentiles"):
        assert np.array_equal(getattr(ta, k), getattr(tb, k), equal_nan=True), f"timeline.{k}"
    for la, lb in zip(a.net.layers, b.net.layers, strict=True):
        if la.bn is not None:
            assert np.array_equal(la.bn.running_mean, lb.bn.running_mean)
            assert np.array_equal(la.bn.running_var, lb.bn.running_var)


@pytest.mark.parametrize("preset, training", [
    ("circles-tanh", {"optimizer": "momentum"}),
    ("iris-softmax", {"optimizer": "adam"}),
    ("batchnorm", {}),
])
def test_saved_reopened_and_trained_matches_an_uninterrupted_run(tmp_path, preset, training):
    exp = experiment(preset, **training)
    straight = exp.build_trainer()
    straight.run(steps=37)  # stops inside an epoch: the cursor and shuffle order matter
    path = write_archive(tmp_path / "run.alab", capture(exp, straight))
    saved = read_archive(path)
    assert saved.experiment == exp
    assert saved.experiment.panels == PANELS
    resumed = saved.build_trainer()
    assert_same(straight, resumed)
    straight.run(steps=53)
    resumed.run(steps=53)
    assert_same(straight, resumed)
    # and both equal a run that was never saved at all
    never_saved = exp.build_trainer()
    never_saved.run(steps=90)
    assert_same(never_saved, resumed)


def test_the_file_holds_json_npz_and_csv(tmp_path):
    exp = experiment("xor-2-4-1-tanh")
    trainer = exp.build_trainer()
    trainer.run(epochs=5)
    path = write_archive(tmp_path / "x.alab", capture(exp, trainer))
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["experiment.json", "history.csv", "weights.npz"]
        doc = json.loads(z.read("experiment.json"))
        weights = z.read("weights.npz")
        history = z.read("history.csv").decode("utf-8")
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["app_version"] == core.__version__
    assert doc["experiment"]["panels"] == PANELS
    assert doc["trainer"]["trainer"]["step_count"] == trainer.step_count
    with np.load(io.BytesIO(weights), allow_pickle=False) as npz:
        assert all(npz[k].dtype.kind in "biuf" for k in npz.files)
        assert any(np.array_equal(npz[k], trainer.net.flat) for k in npz.files)
    rows = list(csv.reader(io.StringIO(history)))
    h = trainer.history.copy_arrays()
    assert rows[0][:6] == ["epoch", "step", "train_loss", "test_loss", "train_metric",
                           "test_metric"]
    assert len(rows) == 1 + len(h["epoch"]) == 1 + 6  # epoch 0 (before training) to 5
    assert [r[0] for r in rows[1:]] == ["0", "1", "2", "3", "4", "5"]
    col = rows[0].index("train_loss")
    assert [float(r[col]) for r in rows[1:]] == list(h["train_loss"])
    assert "grad_norm_w_1" in rows[0]


def _older_file(path, saved):
    """``saved`` written as a file from before timelines were saved (no timeline in it)."""
    meta = {k: v for k, v in saved.trainer_meta.items() if k != "timeline"}
    arrays = {k: v for k, v in saved.arrays.items() if not k.startswith("timeline.")}
    return write_archive(path, SavedExperiment(saved.experiment, meta, arrays))


def test_the_timeline_is_saved_and_an_older_file_gets_one_from_its_history(tmp_path):
    exp = experiment("circles-tanh")
    trainer = exp.build_trainer()
    trainer.run(epochs=6)
    saved = capture(exp, trainer)
    assert saved.trainer_meta["timeline"]["seen"] == 7 and "timeline.z_percentiles" in (
        saved.arrays)
    reopened = read_archive(write_archive(tmp_path / "new.alab", saved)).build_trainer()
    np.testing.assert_array_equal(reopened.timeline.z_percentiles, trainer.timeline.z_percentiles)
    assert len(reopened.timeline) == 7  # the whole history of the run, not a fresh start
    older = read_archive(_older_file(tmp_path / "old.alab", saved)).build_trainer()
    np.testing.assert_array_equal(older.timeline.step, trainer.timeline.step)
    np.testing.assert_array_equal(older.timeline.grad_norm_w, trainer.timeline.grad_norm_w)
    assert np.isnan(older.timeline.a_percentiles).all()
    older.run(epochs=1)
    assert len(older.timeline) == 8 and np.isfinite(older.timeline.a_percentiles[-1]).all()


@pytest.mark.parametrize("change", [
    lambda m, a: a.__setitem__("timeline.step", a["timeline.step"][::-1].copy()),
    lambda m, a: a.__setitem__("timeline.grad_norm_w", a["timeline.grad_norm_w"][:, :1]),
    lambda m, a: a.__setitem__("timeline.a_percentiles", np.full_like(a["timeline.a_percentiles"],
                                                                      -np.inf)),
    lambda m, a: m["timeline"].update(n_layers=2, n=0, seen=0),
    lambda m, a: m["timeline"].update(stride=0),
    lambda m, a: m["timeline"].update(cap=True),
    lambda m, a: a.pop("timeline.epoch"),
])
def test_a_hostile_timeline_is_refused_with_one_sentence(tmp_path, change):
    exp = experiment("circles-tanh")
    trainer = exp.build_trainer()
    trainer.run(epochs=3)
    saved = capture(exp, trainer)
    meta, arrays = json.loads(json.dumps(saved.trainer_meta)), dict(saved.arrays)
    change(meta, arrays)
    path = write_archive(tmp_path / "bad.alab", SavedExperiment(exp, meta, arrays))
    with pytest.raises(ArchiveError, match="timeline") as err:
        read_archive(path).build_trainer()
    text = str(err.value)
    assert "\n" not in text and text.count(". ") == 0


def test_history_csv_writes_counters_as_integers_and_layers_as_columns():
    arrays = {"history.epoch": np.array([0.0, 1.0]), "history.step": np.array([0.0, 4.0]),
              "history.train_loss": np.array([0.5, 0.1 + 0.2]),
              "history.grad_norm_w": np.array([[1.0, 2.0], [3.0, 4.0]]),
              "net.flat": np.zeros(3)}
    rows = list(csv.reader(io.StringIO(history_csv(arrays))))
    assert rows == [["epoch", "step", "train_loss", "grad_norm_w_1", "grad_norm_w_2"],
                    ["0", "0", "0.5", "1.0", "2.0"],
                    ["1", "4", repr(0.1 + 0.2), "3.0", "4.0"]]
    assert history_csv(None) == "\n"


def test_a_fresh_experiment_round_trips_and_starts_from_its_seeds(tmp_path):
    exp = experiment("circles-relu")
    path = write_archive(tmp_path / "fresh.alab", SavedExperiment(exp))
    saved = read_archive(path)
    assert saved.trainer_meta is None
    assert_same(saved.build_trainer(), exp.build_trainer())
    e, t = restore(path)
    assert e == exp and t.step_count == 0


# --- atomic writes -----------------------------------------------------------------------------
@pytest.fixture
def old_file(tmp_path):
    exp = experiment("xor-2-4-1-tanh")
    trainer = exp.build_trainer()
    trainer.run(epochs=2)
    path = write_archive(tmp_path / "keep.alab", capture(exp, trainer))
    trainer.run(epochs=3)
    return path, path.read_bytes(), capture(exp, trainer)


def test_a_failure_before_writing_leaves_the_old_file(old_file, monkeypatch):
    path, before, newer = old_file

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        write_archive(path, newer)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["keep.alab"]


def test_a_failure_halfway_through_the_zip_leaves_the_old_file(old_file, monkeypatch):
    path, before, newer = old_file
    real = zipfile.ZipFile.writestr
    written = []

    def fail_on_second(self, name, data, *args, **kwargs):
        if written:
            raise OSError("the disk went away")
        written.append(name)
        return real(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", fail_on_second)
    with pytest.raises(OSError, match="went away"):
        write_archive(path, newer)
    assert written == ["experiment.json"]  # it did get halfway
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["keep.alab"]
    assert read_archive(path).trainer_meta["trainer"]["epoch"] == 2


def test_a_successful_write_replaces_the_file(old_file):
    path, before, newer = old_file
    write_archive(path, newer)
    assert path.read_bytes() != before
    assert read_archive(path).trainer_meta["trainer"]["epoch"] == 5
    assert sorted(p.name for p in path.parent.iterdir()) == ["keep.alab"]


# --- files that are not what they claim --------------------------------------------------------
def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _doc(**changes) -> bytes:
    doc = {"schema_version": SCHEMA_VERSION, "experiment": core.experiment.Experiment().to_dict(),
           "trainer": None}
    doc.update(changes)
    return json.dumps(doc).encode()


@pytest.mark.parametrize("make, message", [
    (lambda p: p, "does not exist"),
    (lambda p: (p.write_bytes(b"not a zip at all"), p)[1], "damaged or is not an experiment"),
    (lambda p: _zip(p, {"weights.npz": _npz()}), "no experiment.json"),
    (lambda p: _zip(p, {"experiment.json": _doc()}), "no weights.npz"),
    (lambda p: _zip(p, {"experiment.json": b"{oops", "weights.npz": _npz()}), "not valid JSON"),
    (lambda p: _zip(p, {"experiment.json": _doc(schema_version=99), "weights.npz": _npz()}),
     "schema version 99"),
    (lambda p: _zip(p, {"experiment.json": _doc(experiment={"network": {"hidden": "x"}}),
                        "weights.npz": _npz()}), "settings are invalid"),
    (lambda p: _zip(p, {"experiment.json": _doc(),
                        "weights.npz": _npz(bad=np.array([{"a": 1}], dtype=object))}),
     "pickled"),
    (lambda p: _zip(p, {"experiment.json": _doc(), "weights.npz": _npz(),
                        "../evil": b"x"}), "unsafe name"),
    (lambda p: _zip(p, {"experiment.json": _doc(trainer={"format": 1}),
                        "weights.npz": _npz()}), None),  # read fine; fails when built
])
def test_bad_files_are_refused_with_one_sentence(tmp_path, make, message):
    path = make(tmp_path / "bad.alab")
    if message is None:
        saved = read_archive(path)
        with pytest.raises(ArchiveError) as err:
            saved.build_trainer()
    else:
        with pytest.raises(ArchiveError, match=message) as err:
            read_archive(path)
    text = str(err.value)
    assert text and "\n" not in text and "Traceback" not in text


def test_member_sizes_are_checked_before_anything_is_unpacked(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 1000)
    path = _zip(tmp_path / "big.alab", {"experiment.json": _doc(),
                                          "weights.npz": _npz(w=np.zeros(1000))})
    with pytest.raises(ArchiveError, match="too large"):
        read_archive(path)


def test_saved_file_is_readable_like_any_new_file(tmp_path):
    """Written through mkstemp, the file must still get the usual mode, not 0o600."""
    import os
    import stat

    import core.presets
    from core.archive import capture, new_file_mode, write_archive

    exp = core.presets.get("xor-2-4-1-tanh").experiment
    path = write_archive(tmp_path / "x.alab", capture(exp, exp.build_trainer()))
    assert stat.S_IMODE(os.stat(path).st_mode) == new_file_mode()
    assert new_file_mode() & 0o044  # group/others may read under the usual umask 022
