"""The comparison file: saved atomically, reopened with its results (no retraining), and read
defensively — a damaged or hostile file is one sentence, never a traceback."""

from __future__ import annotations

import dataclasses
import io
import json
import random
import zipfile
from pathlib import Path

import numpy as np
import pytest

import core.presets
from core.archive import ArchiveError, capture, write_archive
from core.compare import (
    CompareFileError,
    Goal,
    Plan,
    read_comparison,
    run_serial,
    summarize,
    verdict,
    write_comparison,
    write_folder,
)

TANH = core.presets.get("circles-tanh").experiment
SMALL = dataclasses.replace(TANH, dataset=dataclasses.replace(TANH.dataset, n=60))


@pytest.fixture(scope="module")
def result():
    p = Plan(SMALL, "activation", ("tanh", "relu"), (0, 1), 4,
             Goal.parse("train_loss<=0.68"), source="test")
    return run_serial(p)


@pytest.fixture()
def saved(tmp_path, result) -> Path:
    return write_comparison(tmp_path / "c.alabcmp", result)


def same(a, b) -> bool:
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def test_reopened_with_every_result(saved, result):
    again = read_comparison(saved)
    assert again.plan == result.plan and again.lrs == result.lrs
    assert again.cancelled is False
    for a, b in zip(again.runs, result.runs):
        assert (a.status, a.epochs, a.goal_epoch, a.seed, a.value_index, a.lr) == (
            b.status, b.epochs, b.goal_epoch, b.seed, b.value_index, b.lr)
        assert same(a.metrics, b.metrics)
        assert a.dead_share == pytest.approx(b.dead_share)
    assert summarize(again) == summarize(result)
    assert verdict(summarize(again)) == verdict(summarize(result))
    with zipfile.ZipFile(saved) as z:
        doc = json.loads(z.read("comparison.json"))
        assert doc["summary"]["verdict"] == verdict(summarize(result))
        assert set(z.namelist()) == {"comparison.json", "runs.npz", "runs.csv", "summary.csv"}


def test_a_tuned_and_cancelled_comparison_round_trips(tmp_path):
    p = Plan(SMALL, "activation", ("tanh", "relu"), (0,), 2, tune_lr=True)
    r = run_serial(p)
    r = dataclasses.replace(r, cancelled=True)
    again = read_comparison(write_comparison(tmp_path / "t.alabcmp", r))
    assert again.cancelled and len(again.tuning) == p.n_tuning_runs
    assert again.lrs == r.lrs and [x.lr for x in again.runs] == [x.lr for x in r.runs]


def test_write_folder_writes_what_the_command_line_promises(tmp_path, result):
    names = [p.name for p in write_folder(result, tmp_path)]
    assert names == ["summary.csv", "runs.csv", "curves.csv", "comparison.alabcmp"]
    assert read_comparison(tmp_path / "comparison.alabcmp").plan == result.plan


def test_writing_is_atomic(tmp_path, result, monkeypatch):
    target = write_comparison(tmp_path / "c.alabcmp", result)
    before = target.read_bytes()
    original = zipfile.ZipFile.writestr

    def failing(self, name, data, *a, **k):
        if name == "runs.npz":
            raise OSError("disk full")
        return original(self, name, data, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing)
    with pytest.raises(OSError):
        write_comparison(target, result)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.alabcmp"]  # no temporary file left


# --- hostile and damaged files ------------------------------------------------------------------
def rewrite(path: Path, out: Path, *, doc=None, arrays=None, extra=None, drop=()) -> Path:
    """A copy of the comparison file with its JSON or arrays changed."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    if doc is not None:
        parts["comparison.json"] = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    if arrays is not None:
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        parts["runs.npz"] = buf.getvalue()
    for name in drop:
        parts.pop(name)
    parts.update(extra or {})
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out


def refused(path: Path, *words: str) -> str:
    with pytest.raises(CompareFileError) as e:
        read_comparison(path)
    msg = str(e.value)
    assert "\n" not in msg and msg
    for w in words:
        assert w in msg, msg
    return msg


def doc_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("comparison.json"))


def arrays_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as z, np.load(io.BytesIO(z.read("runs.npz"))) as npz:
        return {k: npz[k] for k in npz.files}


def changed(d: dict, path: str, value) -> dict:
    d = json.loads(json.dumps(d))
    *keys, last = path.split(".")
    node = d
    for k in keys:
        node = node[int(k)] if k.isdigit() else node[k]
    if value is KeyError:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return d


@pytest.mark.parametrize("path, value, words", [
    ("format", "something else", ["not an Activation Lab comparison"]),
    ("schema_version", 2, ["schema version 2"]),
    ("plan.values", ["tanh", "rleu"], ["plan is invalid", "rleu"]),
    ("plan.values", ["tanh"], ["plan is invalid"]),
    ("plan.epochs", "4", ["plan is invalid"]),
    ("plan.seeds", [0, 0], ["plan is invalid"]),
    ("plan.experiment.network.hidden", "lots", ["plan is invalid"]),
    ("plan.goal", "accuracy!", ["plan is invalid"]),
    ("plan", KeyError, ["plan is invalid"]),
    ("lrs", [0.03], ["learning rates"]),
    ("lrs", [0.03, -1], ["learning rates"]),
    ("runs", [], ["runs do not match its plan"]),
    ("runs.0.status", "exploded", ["run 1", "unknown status"]),
    ("runs.0.seed", 7, ["run 1", "does not match the plan"]),
    ("runs.1.value_index", 0, ["run 2", "does not match"]),
    ("runs.0.epochs", 5, ["run 1", "epochs is out of range"]),
    ("runs.0.epochs", -1, ["epochs is out of range"]),
    ("runs.0.epochs", 2.5, ["epochs must be a whole number"]),
    ("runs.0.goal_epoch", 3, ["goal_epoch does not match its metrics"]),
    ("runs.0.goal_epoch", 9, ["goal_epoch is out of range"]),
    ("runs.0.lr", "fast", ["lr must be a number"]),
    ("runs.0.dead_share", 5, ["dead_share is out of range"]),
    ("runs.0.message", 3, ["message must be text"]),
    ("runs.0", "run", ["run 1 is not a JSON object"]),
    ("runs.2.status", "crashed", ["a crashed run has no epochs"]),
    ("cancelled", "yes", ["cancelled must be true or false"]),
    ("tuning", [{}], ["tuning runs do not match"]),
])
def test_a_changed_field_is_refused_in_one_sentence(saved, tmp_path, path, value, words):
    bad = rewrite(saved, tmp_path / "bad.alabcmp", doc=changed(doc_of(saved), path, value))
    refused(bad, *words)


def test_a_goal_epoch_without_a_goal_is_refused(tmp_path):
    p = Plan(SMALL, "activation", ("tanh", "relu"), (0,), 2)
    saved = write_comparison(tmp_path / "c.alabcmp", run_serial(p))
    bad = rewrite(saved, tmp_path / "bad.alabcmp",
                  doc=changed(doc_of(saved), "runs.0.goal_epoch", 1))
    refused(bad, "reached a goal it could not have")


@pytest.mark.parametrize("change, words", [
    (lambda a: {**a, "main": a["main"][:, :3]}, ["wrong shape"]),
    (lambda a: {**a, "main": a["main"].astype(np.int64)}, ["wrong shape"]),
    (lambda a: {"tuning": a["tuning"]}, ["missing"]),
    (lambda a: {**a, "main": np.full_like(a["main"], np.nan)}, ["lacks the metrics"]),
    (lambda a: {**a, "main": np.array(["x"] * 3)}, ["not numeric"]),
])
def test_bad_arrays_are_refused(saved, tmp_path, change, words):
    bad = rewrite(saved, tmp_path / "bad.alabcmp", arrays=change(arrays_of(saved)))
    refused(bad, *words)


def test_pickled_arrays_are_never_loaded(saved, tmp_path):
    buf = io.BytesIO()
    np.save(buf, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("main.npy", buf.getvalue())
    bad = rewrite(saved, tmp_path / "bad.alabcmp", extra={"runs.npz": inner.getvalue()})
    refused(bad, "pickled")


@pytest.mark.parametrize("text", [b"not json", b"[1, 2]", b"\xff\xfe", b"[" * 100_000])
def test_bad_json_is_refused(saved, tmp_path, text):
    refused(rewrite(saved, tmp_path / "bad.alabcmp", doc=text))


def test_unsafe_names_missing_parts_and_other_files(saved, tmp_path):
    refused(rewrite(saved, tmp_path / "a.alabcmp", extra={"../evil": b"x"}), "unsafe name")
    refused(rewrite(saved, tmp_path / "b.alabcmp", drop=["runs.npz"]), "no runs.npz")
    many = {f"x{i}": b"" for i in range(20)}
    refused(rewrite(saved, tmp_path / "c.alabcmp", extra=many), "more parts")
    exp = core.presets.get("circles-tanh").experiment
    alab = write_archive(tmp_path / "e.alab", capture(exp, exp.build_trainer()))
    refused(alab, "no comparison.json")
    (tmp_path / "text.alabcmp").write_text("hello")
    refused(tmp_path / "text.alabcmp", "damaged or is not a comparison")
    (tmp_path / "empty.alabcmp").write_bytes(b"")
    refused(tmp_path / "empty.alabcmp")
    refused(tmp_path, "not a file")
    refused(tmp_path / "missing.alabcmp", "does not exist")
    assert issubclass(CompareFileError, ArchiveError)


def test_truncated_and_bit_flipped_files_are_one_sentence_or_fine(saved, tmp_path):
    data = saved.read_bytes()
    rnd = random.Random(12)
    cases = [data[:n] for n in (10, len(data) // 3, len(data) // 2, len(data) - 30)]
    for _ in range(40):
        b = bytearray(data)
        for _ in range(rnd.randint(1, 4)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        cases.append(bytes(b))
    for i, case in enumerate(cases):
        f = tmp_path / f"m{i}.alabcmp"
        f.write_bytes(case)
        try:
            again = read_comparison(f)
        except CompareFileError as e:
            assert "\n" not in str(e)
        else:  # a flip in a part nobody reads back (runs.csv) changes nothing
            summarize(again)
