"""Hostile and damaged .alab files: each one either loads to a trainer that works or is
refused with an ArchiveError — never another exception, never a hang, never a memory blow-up.

The mutation run derives 1,000+ files from two small valid experiments, in memory, with a
seeded generator (a failure names the file's index, so ``mutate(random.Random(SEED + i))``
remakes it).
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
import random
import struct
import subprocess
import sys
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import core
import core.presets
from core.archive import (
    MAX_MEMBER_BYTES,
    ArchiveError,
    SavedExperiment,
    capture,
    read_archive,
    write_archive,
)
from core.experiment import LayerConfig

SEED = 20240611
N_FILES = 1000


# --- the valid files the mutations start from ----------------------------------------------
def _saved(preset: str, steps: int, **network) -> SavedExperiment:
    exp = core.presets.get(preset).experiment
    if network:
        exp = exp.with_(network=exp.network.__class__(**{**exp.network.__dict__, **network}))
    trainer = exp.build_trainer()
    trainer.run(steps=steps)
    return capture(exp, trainer)


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> list[dict]:
    """Two valid files as {member name: bytes}, plus their parsed JSON and arrays."""
    folder = tmp_path_factory.mktemp("bases")
    out = []
    for i, saved in enumerate([
        _saved("circles-tanh", 30),
        _saved("circles-tanh", 7, batchnorm=True,
               hidden=(LayerConfig(4, "prelu"), LayerConfig(3, "tanh"))),
    ]):
        path = write_archive(folder / f"base{i}.alab", saved)
        with zipfile.ZipFile(path) as z:
            members = {info.filename: z.read(info) for info in z.infolist()}
        doc = json.loads(members["experiment.json"])
        with np.load(io.BytesIO(members["weights.npz"])) as npz:
            arrays = {k: npz[k] for k in npz.files}
        out.append({"members": members, "doc": doc, "arrays": arrays, "path": path})
    return out


# --- building files -----------------------------------------------------------------------
def zip_bytes(members: list[tuple[str, bytes]] | dict[str, bytes],
              method: int = zipfile.ZIP_DEFLATED) -> bytes:
    items = members.items() if isinstance(members, dict) else members
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Duplicate name", UserWarning)  # on purpose
        for name, data in items:
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def npz_bytes(arrays: dict[str, np.ndarray], pickle_ok: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, a in arrays.items():
            with z.open(f"{k}.npy", "w") as f:
                np.lib.format.write_array(f, np.asanyarray(a), allow_pickle=pickle_ok)
    return buf.getvalue()


def npy_header(shape, descr="<f8") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    return buf.getvalue()


def json_bytes(doc) -> bytes:
    return json.dumps(doc, allow_nan=True).encode()


# --- mutations ------------------------------------------------------------------------------
HOSTILE_VALUES = [
    None, True, False, 0, 1, -1, 2, 3, 7, 2**31, 2**63, 2**64 + 1, 10**40, -(10**40),
    0.5, -0.0, 1e-300, 1e308, -1e308, math.nan, math.inf, -math.inf,
    "", "x", "0", "1", "NaN", "\x00", "../../evil", "/etc/passwd", "C:\\evil", "é" * 50,
    "a" * 100_000, [], {}, [1, 2, 3], [None], {"a": 1}, {"": None}, [[[]]], [0] * 1000,
]


def _paths(obj, prefix=()):
    """Every (path, value) in a JSON tree."""
    yield prefix, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, (*prefix, i))


def _set(doc, path, value, delete=False):
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


def _json_value(rnd: random.Random, old):
    if isinstance(old, bool) or rnd.random() < 0.5:
        return rnd.choice(HOSTILE_VALUES)
    if isinstance(old, int):  # near misses: off by one, sign, huge
        return rnd.choice([old + 1, old - 1, -old, old * 1000, old + 2**32, float(old)])
    if isinstance(old, float):
        return rnd.choice([old * 1e300, -old, old + 1e-9, math.nan, int(old)])
    if isinstance(old, str):
        return rnd.choice([old.upper(), old + "x", old[:-1], "relu", "softmax", "csv",
                           "digits", "adam", "two-spirals"])
    if isinstance(old, list):
        return rnd.choice([old[:-1], old + old, list(reversed(old)), [old]])
    return rnd.choice(HOSTILE_VALUES)


def mutate_json(rnd, base):
    doc = copy.deepcopy(base["doc"])
    what = []
    for _ in range(rnd.choice([1, 1, 1, 2, 3])):
        paths = [(p, v) for p, v in _paths(doc) if p]
        if not paths:
            break
        path, old = rnd.choice(paths)
        op = rnd.random()
        if op < 0.15:
            _set(doc, path, None, delete=True)
            what.append(f"delete {path}")
        elif op < 0.25 and isinstance(old, dict):
            key = rnd.choice(["evil", "__class__", "", "n", "path", "seed", "name",
                              "test_fraction", "features", "kwargs"])
            old[key] = rnd.choice(HOSTILE_VALUES)
            what.append(f"add key under {path}")
        else:
            value = _json_value(rnd, old)
            _set(doc, path, value)
            what.append(f"{path} = {str(value)[:40]!r}")
    members = dict(base["members"])
    members["experiment.json"] = json_bytes(doc)
    return zip_bytes(members), "json: " + "; ".join(what)


def mutate_json_text(rnd, base):
    text = base["members"]["experiment.json"]
    choice = rnd.randrange(7)
    if choice == 0:
        data, what = b"[" * 100_000 + b"]" * 100_000, "deeply nested"
    elif choice == 1:
        data, what = text.decode().encode("utf-16"), "utf-16"
    elif choice == 2:
        data, what = text[: rnd.randrange(len(text))], "cut JSON"
    elif choice == 3:
        data, what = b"\xff\xfe\x00garbage", "not text"
    elif choice == 4:
        data, what = json_bytes(rnd.choice([[], "x", 1, None])), "not an object"
    elif choice == 5:
        doc = copy.deepcopy(base["doc"])
        doc["schema_version"] = rnd.choice([0, 2, 99, "1", None, -1, [1], 1.5])
        data, what = json_bytes(doc), f"schema version {doc['schema_version']!r}"
    else:
        doc = copy.deepcopy(base["doc"])
        doc["experiment"]["network"]["hidden"] = [{"units": 4096, "activation": "relu"}] * 64
        doc["trainer"] = rnd.choice([None, doc["trainer"]])
        data, what = json_bytes(doc), "network beyond the parameter budget"
    members = dict(base["members"])
    members["experiment.json"] = data
    return zip_bytes(members), "json text: " + what


def mutate_arrays(rnd, base):
    arrays = dict(base["arrays"])
    key = rnd.choice(sorted(arrays))
    a = arrays[key]
    op = rnd.randrange(10)
    if op == 0:
        arrays[key], what = a.ravel()[: max(0, a.size - rnd.randint(1, 3))], "shorter"
    elif op == 1:
        arrays[key], what = np.concatenate([a.ravel(), a.ravel()[:1] + 1]), "longer"
    elif op == 2:
        arrays[key], what = a.reshape(1, -1) if a.size else a[None], "extra axis"
    elif op == 3:
        b = a.astype(float).copy()
        if b.size:
            b.flat[rnd.randrange(b.size)] = rnd.choice([np.nan, np.inf, -np.inf])
        arrays[key], what = b, "a NaN or inf"
    elif op == 4:
        dtype = rnd.choice([np.float32, np.int8, np.int64, np.uint64, np.complex128, np.bool_,
                            np.float16, "U3", "S2", "M8[s]"])
        arrays[key], what = a.astype(dtype), f"dtype {np.dtype(dtype)}"
    elif op == 5:
        del arrays[key]
        what = "missing"
    elif op == 6:
        arrays[key], what = np.array([{"x": 1}, None, key], dtype=object), "pickled objects"
        return _with_weights(base, npz_bytes(arrays, pickle_ok=True)), f"array {key!r}: {what}"
    elif op == 7:
        b = a.copy()
        if b.size and b.dtype.kind in "iu":
            b.flat[rnd.randrange(b.size)] = rnd.choice([-1, 10**9, b.size])
        elif b.size:
            b.flat[rnd.randrange(b.size)] *= rnd.choice([1e300, -1.0, 0.0])
        arrays[key], what = b, "a wild value"
    elif op == 8:
        arrays[rnd.choice(["evil", "../../evil", "/abs", key + "x"])] = a
        what = "an extra array"
    else:
        arrays[key], what = np.zeros((0,)), "empty"
    return _with_weights(base, npz_bytes(arrays)), f"array {key!r}: {what}"


def _with_weights(base, weights: bytes) -> bytes:
    members = dict(base["members"])
    members["weights.npz"] = weights
    return zip_bytes(members)


def mutate_npy_header(rnd, base):
    key = rnd.choice(sorted(base["arrays"]))
    shape = rnd.choice([(10**12,), (2**40, 2**30), (10**8,), (-5,), (3, -1), (2**62, 4)])
    descr = rnd.choice(["<f8", "|O", "<U10", "|V0", "<f8"])
    members = {f"{k}.npy": io.BytesIO() for k in base["arrays"]}
    for k, a in base["arrays"].items():
        np.lib.format.write_array(members[f"{k}.npy"], a)
    raw = {k: v.getvalue() for k, v in members.items()}
    raw[f"{key}.npy"] = npy_header(shape, descr) + b"\x00" * rnd.choice([0, 8, 64])
    return _with_weights(base, zip_bytes(raw, zipfile.ZIP_STORED)), (
        f"npy header {key!r} declares {shape} {descr}")


def mutate_bytes(rnd, base):
    data = bytearray(Path(base["path"]).read_bytes())
    op = rnd.randrange(4)
    if op == 0:
        k = rnd.choice([1, 1, 2, 5, 20])
        for _ in range(k):
            i = rnd.randrange(len(data))
            data[i] ^= 1 << rnd.randrange(8)
        return bytes(data), f"{k} bit flips"
    if op == 1:
        cut = rnd.randrange(len(data))
        return bytes(data[:cut]), f"truncated at {cut}"
    if op == 2:  # overwrite a run with junk
        i = rnd.randrange(len(data))
        n = rnd.randint(1, 64)
        data[i:i + n] = bytes(rnd.randrange(256) for _ in range(n))
        return bytes(data), f"junk at {i}"
    i = rnd.randrange(len(data))  # duplicate or drop a chunk
    n = rnd.randint(1, 200)
    return (bytes(data[:i] + data[i:i + n] + data[i:]) if rnd.random() < 0.5
            else bytes(data[:i] + data[i + n:])), f"chunk change at {i}"


def mutate_zip_structure(rnd, base):
    members = dict(base["members"])
    op = rnd.randrange(9)
    if op == 0:
        name = rnd.choice(sorted(members))
        del members[name]
        return zip_bytes(members), f"no {name}"
    if op == 1:
        evil = rnd.choice(["../../evil", "/etc/evil", "\\\\server\\evil", "C:/evil",
                           "a/../../b", "..", "x/../../../experiment.json"])
        items = list(members.items()) + [(evil, b"evil")]
        return zip_bytes(items), f"member {evil!r}"
    if op == 2:
        renamed = rnd.choice(["../experiment.json", "/weights.npz", "sub/experiment.json"])
        items = [(renamed if n.endswith(renamed.rsplit("/", 1)[-1]) else n, d)
                 for n, d in members.items()]
        return zip_bytes(items), f"renamed to {renamed!r}"
    if op == 3:
        items = list(members.items()) + [(f"extra{i}", b"") for i in range(rnd.choice([14, 40]))]
        return zip_bytes(items), "too many members"
    if op == 4:
        return zip_bytes(list(members.items()) + [("experiment.json", b"{}")]), "duplicate name"
    if op == 5:  # an unsupported compression method / an encrypted flag in the directory
        data = bytearray(zip_bytes(members, zipfile.ZIP_STORED))
        at = data.find(b"PK\x01\x02")
        if rnd.random() < 0.5:
            struct.pack_into("<H", data, at + 10, 99)
            return bytes(data), "compression method 99"
        struct.pack_into("<H", data, at + 8, 1)
        return bytes(data), "encrypted flag"
    if op == 6:  # directory sizes that lie
        data = bytearray(zip_bytes(members))
        at = data.find(b"PK\x01\x02", rnd.randrange(len(data) // 2))
        if at < 0:
            at = data.find(b"PK\x01\x02")
        field = rnd.choice([20, 24])  # compressed size, uncompressed size
        struct.pack_into("<L", data, at + field, rnd.choice([0, 1, 2**31, 0xFFFFFFFF]))
        return bytes(data), f"directory field {field} lies"
    if op == 7:
        return rnd.choice([b"", b"PK", b"PK\x05\x06" + b"\x00" * 18, b"not a zip at all"]), "tiny"
    inner = zip_bytes({"weights.npz": members["weights.npz"]})  # a zip inside the zip
    members["weights.npz"] = inner
    return zip_bytes(members), "nested zip as weights"


MUTATORS = [
    (mutate_json, 30), (mutate_json_text, 6), (mutate_arrays, 25), (mutate_npy_header, 6),
    (mutate_bytes, 20), (mutate_zip_structure, 13),
]


def mutate(rnd: random.Random, bases: list[dict]) -> tuple[bytes, str]:
    base = rnd.choice(bases)
    fn = rnd.choices([m for m, _ in MUTATORS], weights=[w for _, w in MUTATORS])[0]
    data, what = fn(rnd, base)
    return data, f"{fn.__name__}: {what}"


# --- the property -----------------------------------------------------------------------------
def load_or_refuse(path: Path) -> str:
    """'loaded' (and the trainer trains and snapshots) or 'refused' (ArchiveError)."""
    try:
        saved = read_archive(path)
        trainer = saved.build_trainer()
    except ArchiveError as e:
        assert str(e).strip(), "an empty message"
        return "refused"
    try:
        trainer.run(steps=2)
    except core.TrainingDiverged:
        pass  # a wild but finite learning rate: the GUI pauses with a message
    trainer.snapshot(grid=8)
    return "loaded"


def test_the_valid_bases_load(bases):
    for base in bases:
        assert load_or_refuse(base["path"]) == "loaded"


def test_mutated_files_load_or_are_refused_with_an_archive_error(bases, tmp_path):
    outcomes = {"loaded": 0, "refused": 0}
    kinds = set()
    for i in range(N_FILES):
        data, what = mutate(random.Random(SEED + i), bases)
        kinds.add(what.split(":")[0])
        path = tmp_path / f"m{i % 8}.alab"
        path.write_bytes(data)
        try:
            outcomes[load_or_refuse(path)] += 1
        except Exception as e:
            raise AssertionError(f"file {i} ({what}) raised {type(e).__name__}: {e}") from e
    assert kinds == {m.__name__ for m, _ in MUTATORS}
    # the run exercises both outcomes: some mutations are harmless, most are refused
    assert outcomes["loaded"] >= 20 and outcomes["refused"] >= 600, outcomes


# --- the dangerous ones, one by one, with memory watched ---------------------------------------
def _bomb_zip(path: Path, base: dict, member: str, size: int, level: int = 1) -> None:
    """A valid file whose ``member`` streams ``size`` zero bytes (deflate makes it tiny;
    level 1 deflates 300 MB in about a second)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in base["members"].items():
            if name != member:
                z.writestr(name, data)
        with z.open(member, "w", force_zip64=True) as f:
            chunk = bytes(2**20)
            for _ in range(size // 2**20):
                f.write(chunk)


def _refused_within(path: Path, max_bytes: int, match: str | None = None) -> str:
    tracemalloc.start()
    try:
        t0 = time.perf_counter()
        with pytest.raises(ArchiveError, match=match) as info:
            read_archive(path).build_trainer()
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < max_bytes, f"{peak / 2**20:.0f} MiB allocated"
    assert elapsed < 2.0
    return str(info.value)


@pytest.fixture(scope="module")
def zip_bomb(bases, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.alab"
    _bomb_zip(path, bases[0], "history.csv", 300 * 2**20)
    return path


def test_zip_bomb_is_refused_from_the_directory_without_inflating(zip_bomb):
    assert zip_bomb.stat().st_size < 2 * 2**20  # 300 MB of zeros in a small file
    message = _refused_within(zip_bomb, 4 * 2**20)
    assert "too large" in message or "zip bomb" in message


def test_zip_bomb_below_the_member_limit_is_refused_by_its_ratio(bases, tmp_path):
    path = tmp_path / "ratio.alab"
    _bomb_zip(path, bases[0], "history.csv", MAX_MEMBER_BYTES // 8, level=9)
    assert "zip bomb" in _refused_within(path, 4 * 2**20)


def test_zip_bomb_inside_the_weights_is_refused(bases, tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("flat.npy", "w", force_zip64=True) as f:
            f.write(npy_header((300 * 2**17,)))
            for _ in range(300):
                f.write(bytes(2**20))
    path = tmp_path / "inner.alab"
    path.write_bytes(_with_weights(bases[0], inner.getvalue()))
    _refused_within(path, 16 * 2**20, "weights")


def test_an_array_header_declaring_a_terabyte_is_refused_before_allocation(bases, tmp_path):
    raw = {"flat.npy": npy_header((10**12,)) + bytes(64)}
    path = tmp_path / "huge.alab"
    path.write_bytes(_with_weights(bases[0], zip_bytes(raw, zipfile.ZIP_STORED)))
    assert "declares more values" in _refused_within(path, 2**20)


def test_a_directory_of_a_million_entries_is_refused_before_it_is_parsed(bases, tmp_path):
    """zipfile parses the whole directory (~500 bytes each) before anything can count it."""
    n = 200_000
    local, central = io.BytesIO(), io.BytesIO()
    for i in range(n):  # empty stored members, written by hand (zipfile is too slow here)
        name = b"%07d" % i
        offset = local.tell()
        local.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0,
                                len(name), 0) + name)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0,
                                  len(name), 0, 0, 0, 0, 0, offset) + name)
    cd = central.getvalue()
    data = local.getvalue() + cd + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF,
                                               0xFFFF, len(cd), local.tell(), 0)
    path = tmp_path / "many.alab"
    path.write_bytes(data)
    _refused_within(path, 4 * 2**20, "more parts")
    path.write_bytes(_with_weights(bases[0], data))  # and as the weights
    # (the weights' own bytes are held while they are checked: a few copies of them)
    _refused_within(path, 4 * len(data) + 4 * 2**20, "more parts")


def test_pickled_object_array_is_never_unpickled(bases, tmp_path):
    class Boom:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + str(tmp_path / "pwned"),))

    arrays = dict(bases[0]["arrays"])
    arrays["flat"] = np.array([Boom()], dtype=object)
    path = tmp_path / "pickle.alab"
    path.write_bytes(_with_weights(bases[0], npz_bytes(arrays, pickle_ok=True)))
    assert "pickled" in _refused_within(path, 2**20)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("name", ["../../evil", "/tmp/evil", "a/../../evil", "C:\\evil"])
def test_member_names_escaping_the_archive_are_refused_and_nothing_is_written(
        bases, tmp_path, name):
    path = tmp_path / "sub" / "escape.alab"
    path.parent.mkdir()
    path.write_bytes(zip_bytes(list(bases[0]["members"].items()) + [(name, b"evil")]))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert "unsafe name" in _refused_within(path, 2**20)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("version", [0, 2, "1", None])
def test_wrong_schema_version_names_both_versions(bases, tmp_path, version):
    doc = copy.deepcopy(bases[0]["doc"])
    doc["schema_version"] = version
    members = dict(bases[0]["members"])
    members["experiment.json"] = json_bytes(doc)
    path = tmp_path / "version.alab"
    path.write_bytes(zip_bytes(members))
    with pytest.raises(ArchiveError, match=f"schema version {version!r}.*reads version 1"):
        read_archive(path)


def test_nan_weights_are_refused(bases, tmp_path):
    arrays = dict(bases[0]["arrays"])
    arrays["flat"] = arrays["flat"].copy()
    arrays["flat"][3] = np.nan
    path = tmp_path / "nan.alab"
    path.write_bytes(_with_weights(bases[0], npz_bytes(arrays)))
    with pytest.raises(ArchiveError, match="inf or NaN"):
        read_archive(path).build_trainer()


@pytest.mark.parametrize("target", ["folder", "fifo"])
def test_a_folder_or_a_pipe_is_refused_without_blocking(tmp_path, target):
    path = tmp_path / "x.alab"
    if target == "folder":
        path.mkdir()
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes here")
        os.mkfifo(path)  # opening it for reading would wait for a writer forever
    with pytest.raises(ArchiveError, match="not a file"):
        read_archive(path)


_DEVICE_CHILD = r"""
import json, resource, sys, zipfile
resource.setrlimit(resource.RLIMIT_AS, (1500 * 2**20, 1500 * 2**20))
from core.archive import ArchiveError, read_archive
try:
    read_archive(sys.argv[1]).build_trainer()
    print("loaded")
except ArchiveError as e:
    print("ArchiveError", e)
except BaseException as e:
    print("OTHER", type(e).__name__)
"""


@pytest.mark.parametrize("where", ["csv_path", "options.path"])
def test_a_csv_path_naming_a_device_is_refused(bases, tmp_path, where):
    if not os.path.exists("/dev/zero") or sys.platform == "win32":
        pytest.skip("needs /dev/zero")
    doc = copy.deepcopy(bases[0]["doc"])
    ds = doc["experiment"]["dataset"]
    if where == "csv_path":
        ds.update(csv_path="/dev/zero", csv_target="y")
    else:
        ds.update(name="csv", options={"path": "/dev/zero"})
    doc["trainer"] = None
    members = dict(bases[0]["members"])
    members["experiment.json"] = json_bytes(doc)
    path = tmp_path / "device.alab"
    path.write_bytes(zip_bytes(members))
    # in a child with a memory ceiling: reading /dev/zero whole would never end
    out = subprocess.run([sys.executable, "-c", _DEVICE_CHILD, str(path)], capture_output=True,
                         text=True, timeout=60, cwd=Path(core.__file__).parent.parent,
                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert out.stdout.startswith("ArchiveError"), out.stdout + out.stderr[-2000:]


def _with_doc(base: dict, path: Path, change) -> Path:
    doc = copy.deepcopy(base["doc"])
    change(doc)
    members = dict(base["members"])
    members["experiment.json"] = json_bytes(doc)
    path.write_bytes(zip_bytes(members))
    return path


@pytest.mark.parametrize("key", ["seed", "test_fraction", "name", "features"])
def test_data_set_options_that_clash_with_settings_are_refused(bases, tmp_path, key):
    """load(name, seed=…, **options) with options {"seed": 1} is a TypeError, not a file error."""
    path = _with_doc(bases[0], tmp_path / "options.alab",
                     lambda d: d["experiment"]["dataset"]["options"].update({key: 1}))
    with pytest.raises(ArchiveError):
        read_archive(path).build_trainer()


def test_an_absurd_saved_penalty_is_refused_or_harmless(bases, tmp_path):
    path = _with_doc(bases[0], tmp_path / "l2.alab",
                     lambda d: d["trainer"]["optimizer"].update(l2=1e308))
    assert load_or_refuse(path) in ("loaded", "refused")
