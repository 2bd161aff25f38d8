"""The classroom set-up in the .alab file (``Experiment.classroom``) and the CSV rows to skip
(``dataset.csv_skip_rows``): saved and read back; older files without them still open; a
hostile value in either is refused with one ArchiveError sentence."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

import core.presets
from core.archive import ArchiveError, capture, read_archive, write_archive
from core.experiment import CLASSROOM_CONTROLS, Classroom, Experiment

#: as in test_hostile_files
HOSTILE_VALUES = [
    None, True, False, 0, 1, -1, 2**63, 10**40, 0.5, 1e308, float("nan"), float("inf"),
    "", "x", "0", "NaN", "\x00", "../../evil", "é" * 50, "a" * 100_000, [], {}, [1, 2, 3],
    [None], {"a": 1}, {"": None}, [[[]]], [0] * 1000,
]


def saved_file(tmp_path: Path, classroom: Classroom | None = None) -> Path:
    classroom = Classroom() if classroom is None else classroom
    exp = core.presets.get("circles-tanh").experiment.with_(classroom=classroom)
    trainer = exp.build_trainer()
    trainer.run(steps=5)
    return write_archive(tmp_path / "lesson.alab", capture(exp, trainer))


def rewrite(path: Path, change) -> Path:
    with zipfile.ZipFile(path) as z:
        members = {info.filename: z.read(info) for info in z.infolist()}
    doc = json.loads(members["experiment.json"])
    change(doc)
    members["experiment.json"] = json.dumps(doc, allow_nan=True).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    out = path.with_name("changed.alab")
    out.write_bytes(buf.getvalue())
    return out


def test_a_classroom_set_up_is_saved_and_read_back(tmp_path):
    only = {"activation", "play"}
    room = Classroom(hidden=frozenset(CLASSROOM_CONTROLS) - only, locked={"play"})
    saved = read_archive(saved_file(tmp_path, room))
    assert saved.experiment.classroom == room
    assert saved.experiment.classroom.hidden == frozenset(CLASSROOM_CONTROLS) - only
    assert saved.experiment.classroom.locked == {"play"} and room.active
    saved.build_trainer().run(steps=2)
    # the JSON keeps sorted lists: readable and diffable
    doc = json.loads(zipfile.ZipFile(saved_file(tmp_path, room)).read("experiment.json"))
    assert doc["experiment"]["classroom"]["locked"] == ["play"]
    assert doc["experiment"]["classroom"]["hidden"] == sorted(room.hidden)


def test_a_hidden_control_needs_no_lock_and_unknown_ids_are_refused():
    room = Classroom(hidden={"lr"}, locked={"lr", "optimizer"})
    assert room.locked == {"optimizer"}
    assert not Classroom().active
    with pytest.raises(ValueError, match="unknown control 'learning_rate'"):
        Classroom(hidden={"learning_rate"})


def test_files_from_before_classrooms_and_skipped_rows_still_open(tmp_path):
    def old(doc):
        del doc["experiment"]["classroom"]
        del doc["experiment"]["dataset"]["csv_skip_rows"]

    saved = read_archive(rewrite(saved_file(tmp_path), old))
    assert saved.experiment.classroom == Classroom()
    assert saved.experiment.dataset.csv_skip_rows == 0
    saved.build_trainer().run(steps=2)


def one_sentence(e: ArchiveError) -> str:
    text = str(e)
    assert text.strip() and "\n" not in text and len(text) < 400, text
    assert "Traceback" not in text
    return text


@pytest.mark.parametrize("value", HOSTILE_VALUES + [
    {"hidden": "lr"}, {"hidden": ["lr", 3]}, {"hidden": ["../../evil"]}, {"locked": [None]},
    {"hidden": ["lr"] * 29}, {"hidden": [], "extra": []}, {"locked": {"lr": True}},
    {"hidden": [["lr"]]}, {"hidden": ["a" * 100_000]},
], ids=lambda v: repr(v)[:30])
def test_hostile_classroom_values_are_refused_with_one_sentence(tmp_path, value):
    path = rewrite(saved_file(tmp_path), lambda d: d["experiment"].update(classroom=value))
    if value == {}:  # an empty set-up is a valid one
        assert read_archive(path).experiment.classroom == Classroom()
        return
    with pytest.raises(ArchiveError) as info:
        read_archive(path)
    assert "classroom" in one_sentence(info.value)


@pytest.mark.parametrize("value", [-1, 1001, 2.5, "1", True, None, [], 1e300, float("nan")])
def test_hostile_rows_to_skip_are_refused_with_one_sentence(tmp_path, value):
    path = rewrite(saved_file(tmp_path),
                   lambda d: d["experiment"]["dataset"].update(csv_skip_rows=value))
    with pytest.raises(ArchiveError) as info:
        read_archive(path)
    assert "csv_skip_rows" in one_sentence(info.value)


def test_an_experiment_round_trips_its_new_fields():
    exp = Experiment(classroom=Classroom(locked={"lr"}))
    exp = exp.with_(dataset=exp.dataset.__class__(csv_path="x.csv", csv_target="y",
                                                  csv_skip_rows=1))
    assert Experiment.from_dict(json.loads(json.dumps(exp.to_dict()))) == exp
