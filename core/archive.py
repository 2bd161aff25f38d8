"""The ``.alab`` file: one zip holding experiment.json, weights.npz and history.csv.

- ``experiment.json``: schema version, app version, the experiment settings (with panel
  choices) and the trainer's saved state (counters, optimizer settings, random generator
  states) from ``core.state``;
- ``weights.npz``: every array of that state (parameters, optimizer moments, history, the
  timeline of the "over time" plots), written and read with ``allow_pickle=False``; a file
  written before timelines were saved opens with one made from its history;
- ``history.csv``: the per-epoch metrics, for people and spreadsheets (not read back).

Files come from outside, so reading is defensive: sizes are checked from the zip directory
before anything is decompressed, member names are never used as paths, and every problem is
an ``ArchiveError`` with one sentence. Writing is atomic: a temporary file beside the target,
flushed to disk, then renamed over it, so a crash leaves the old file or the new one.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__
from .experiment import SCHEMA_VERSION, Experiment
from .state import restore_trainer, trainer_state

__all__ = ["ArchiveError", "SavedExperiment", "capture", "history_csv", "read_archive",
           "restore", "write_archive", "MAX_MEMBER_BYTES", "MAX_TOTAL_BYTES",
           # the careful zip reading and durable writing, for the other files the app saves
           # (core.compare's comparison files)
           "check_directory_size", "load_arrays", "new_file_mode", "read_member",
           "sync_folder"]

MAX_MEMBER_BYTES = 256 * 2**20  # no member of a real experiment comes near this
MAX_TOTAL_BYTES = 512 * 2**20
MAX_COMPRESSION_RATIO = 200  # zip bombs compress far better than weights do
MEMBERS = ("experiment.json", "weights.npz", "history.csv")
#: a zip's central directory is parsed whole (~500 bytes of memory per entry) before any
#: count can be checked, so its size is checked first, from the end record
MAX_DIRECTORY_BYTES = 2**20
MAX_ARRAYS = 2048  # a 100-layer BatchNorm net with Adam saves fewer than 250


class ArchiveError(ValueError):
    """The file is not a usable experiment; the message says why in one sentence."""


@dataclass(frozen=True)
class SavedExperiment:
    """An experiment with its trained state; ``trainer_meta``/``arrays`` are None for a fresh
    one (then ``build_trainer`` starts from the seeds)."""

    experiment: Experiment
    trainer_meta: dict | None = None
    arrays: dict[str, np.ndarray] | None = None

    def build_trainer(self, dataset=None):
        """The trainer as saved (or fresh), on a dataset rebuilt from the settings.

        Parameters
        ----------
        dataset : Dataset, optional
            The data set to train on; default ``experiment.build_dataset()``. Pass one
            already made from the same settings to save making it again.

        Returns
        -------
        Trainer
            With ``trainer_meta`` None: a fresh one (``Experiment.build_trainer``). Else the
            saved one (``core.state.restore_trainer``): its optimizer, learning rate, batch
            size and other training settings are those of the saved state, not of
            ``experiment.training``.

        Raises
        ------
        ArchiveError
            If the data set or a fresh trainer cannot be made, or the saved state does not
            restore (a ValueError of ``restore_trainer``, with its sentence, or an error no
            check names: TypeError, KeyError, IndexError, AttributeError, OverflowError).
        """
        try:
            ds = dataset if dataset is not None else self.experiment.build_dataset()
            if self.trainer_meta is None:
                return self.experiment.build_trainer(ds)
        except (ValueError, KeyError, OSError, TypeError) as e:  # TypeError: bad options
            raise ArchiveError(f"its data set or network cannot be made: {e}") from None
        try:
            return restore_trainer(self.trainer_meta, self.arrays or {}, ds)
        except ValueError as e:
            raise ArchiveError(str(e)) from None
        except (TypeError, KeyError, IndexError, AttributeError, OverflowError) as e:
            # a hostile or hand-edited file can break the state in ways no check names
            raise ArchiveError(f"the saved training state is invalid ({type(e).__name__})"
                               ) from None


def capture(experiment: Experiment, trainer) -> SavedExperiment:
    """Everything needed to continue ``trainer`` later exactly as it would have gone on.

    Parameters
    ----------
    experiment : Experiment
        The settings to save with it, stored as they are (not checked against the
        trainer).
    trainer : Trainer
        Read, not changed.

    Returns
    -------
    SavedExperiment
        ``trainer_meta`` and ``arrays`` from ``core.state.trainer_state``: copies, so
        training may go on while the result is written.
    """
    meta, arrays = trainer_state(trainer)
    return SavedExperiment(experiment, meta, arrays)


# --- writing -----------------------------------------------------------------------------
#: history.csv's first columns, in this order; other history arrays follow, sorted by name
HISTORY_COLUMNS = ("epoch", "step", "train_loss", "test_loss", "train_metric", "test_metric")
_COUNTERS = ("epoch", "step")


def history_csv(arrays: dict[str, np.ndarray] | None) -> str:
    """The per-epoch history (``history.*`` arrays of a saved state) as CSV text.

    Counters are written as integers, other values at full precision (``repr``), a per-layer
    column ``NAME`` of shape (rows, layers) as ``NAME_1`` … ``NAME_k``.

    Parameters
    ----------
    arrays : dict of str to ndarray, or None
        A saved state's arrays; only 1-D and 2-D arrays named ``history.NAME`` are used.

    Returns
    -------
    str
        A header line, then one line per row (as many as the shortest column has), lines
        ending in "\n"; NaN and inf as ``nan`` and ``inf`` (counters too). Columns:
        ``HISTORY_COLUMNS`` first, the rest sorted by name. No history arrays: an empty
        header line only.
    """
    found = {k.removeprefix("history."): v for k, v in (arrays or {}).items()
             if k.startswith("history.") and isinstance(v, np.ndarray) and v.ndim in (1, 2)}
    order = [c for c in HISTORY_COLUMNS if c in found]
    order += sorted(c for c in found if c not in HISTORY_COLUMNS)
    rows = min((len(found[c]) for c in order), default=0)
    header: list[str] = []
    columns: list[tuple[np.ndarray, bool]] = []
    for name in order:
        a = found[name]
        if a.ndim == 1:
            header.append(name)
            columns.append((a, name in _COUNTERS))
        else:
            for j in range(a.shape[1]):
                header.append(f"{name}_{j + 1}")
                columns.append((a[:, j], False))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for i in range(rows):
        w.writerow([str(int(col[i])) if integer and np.isfinite(col[i]) else repr(float(col[i]))
                    for col, integer in columns])
    return out.getvalue()


def write_archive(path: str | Path, saved: SavedExperiment) -> Path:
    """Write ``saved`` to ``path`` (an ``.alab`` zip), atomically.

    Everything is serialised in memory first; the zip goes to a temporary file beside
    ``path``, is flushed to disk and only then renamed over ``path``. If anything fails, the
    temporary file is removed and an existing ``path`` is left as it was.

    Parameters
    ----------
    path : str or Path
        The file to write, used as given (no suffix is added); its folder must exist.
    saved : SavedExperiment
        Written as experiment.json (schema and app versions, ``experiment.to_dict()``,
        ``trainer_meta``), weights.npz (``arrays``, no pickles) and history.csv
        (``history_csv``).

    Returns
    -------
    Path
        ``path`` as a Path. The file gets the mode a plainly created file would (0o666 less
        the umask).

    Raises
    ------
    OSError
        If the folder is missing or not writable, the disk is full, ….
    TypeError, ValueError
        If ``trainer_meta`` is not JSON-able or an array holds Python objects.
    """
    path = Path(path)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "app_version": __version__,
        "experiment": saved.experiment.to_dict(),
        "trainer": saved.trainer_meta,
    }
    doc_text = json.dumps(doc, indent=1, ensure_ascii=False)
    npz = io.BytesIO()
    np.savez(npz, allow_pickle=False, **(saved.arrays or {}))
    history = history_csv(saved.arrays)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
                z.writestr("experiment.json", doc_text)
                z.writestr("weights.npz", npz.getvalue())
                z.writestr("history.csv", history)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
    return path


def new_file_mode() -> int:
    """The mode a plainly created file gets (0o666 less the umask): ``mkstemp`` makes private
    files (0o600), which would leave saved experiments unreadable to the rest of a class."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows (POSIX)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- reading -----------------------------------------------------------------------------
def check_directory_size(f) -> None:
    """Refuse a zip whose directory alone would take a lot of memory to parse."""
    end = zipfile._EndRecData(f)  # the record zipfile itself reads (private, stable since 2.x)
    if end is None:
        raise zipfile.BadZipFile("no end of central directory")
    if end[zipfile._ECD_SIZE] > MAX_DIRECTORY_BYTES or end[zipfile._ECD_ENTRIES_TOTAL] > (
            MAX_ARRAYS):
        raise ArchiveError("the file lists far more parts than an experiment has")


def _check_directory(z: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = z.infolist()
    if len(infos) > 16:
        raise ArchiveError("the file holds more parts than an experiment has")
    total = 0
    found = {}
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in name:
            raise ArchiveError(f"the file contains a part with an unsafe name ({name!r})")
        if info.file_size > MAX_MEMBER_BYTES:
            raise ArchiveError(f"the part {name!r} is too large ({info.file_size:,} bytes)")
        if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO \
                and info.file_size > 2**20:
            raise ArchiveError(f"the part {name!r} expands suspiciously (a zip bomb?)")
        total += info.file_size
        if name in MEMBERS:
            found[name] = info
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError("the file expands to more data than an experiment can hold")
    for name in ("experiment.json", "weights.npz"):
        if name not in found:
            raise ArchiveError(f"the file has no {name}; it is not an Activation Lab experiment")
    return found


def read_member(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The bytes of one part, no more than the directory promised, whatever the compressed
    stream says (ArchiveError if they differ)."""
    with z.open(info) as f:
        data = f.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise ArchiveError(f"the part {info.filename!r} is damaged")
    return data


def _check_npz(data: bytes) -> None:
    """Sizes of the arrays inside weights.npz, from its directory and each array's header,
    checked before np.load allocates anything (a nested zip bomb, or a header declaring
    10^12 values, would otherwise exhaust memory)."""
    buf = io.BytesIO(data)
    check_directory_size(buf)
    with zipfile.ZipFile(buf) as z:
        total = 0
        for info in z.infolist():
            total += info.file_size
            if info.file_size > MAX_MEMBER_BYTES or total > MAX_MEMBER_BYTES or (
                    info.compress_size and info.file_size > 2**20
                    and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO):
                raise ArchiveError("the weights expand to more data than an experiment holds")
            with z.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(f)
                elif version == (2, 0):
                    shape, _, dtype = np.lib.format.read_array_header_2_0(f)
                else:
                    raise ArchiveError("the weights use an array format this version cannot "
                                       "read")
            if dtype.hasobject:
                raise ValueError("pickled objects")
            if math.prod(shape) * dtype.itemsize > info.file_size:
                raise ArchiveError(f"the array {info.filename!r} declares more values than "
                                   "the file holds")


def load_arrays(data: bytes) -> dict[str, np.ndarray]:
    """The numeric arrays of an .npz held in ``data``, every size checked before NumPy
    allocates anything; no pickles (ArchiveError with one sentence otherwise)."""
    try:
        _check_npz(data)
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {}
            for key in npz.files:
                a = npz[key]
                if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf":
                    raise ArchiveError(f"the array {key!r} is not numeric")
                arrays[key] = a
            return arrays
    except ArchiveError:
        raise
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise ArchiveError("the weights contain pickled objects, which are never "
                               "loaded (they could run code)") from None
        raise ArchiveError("the weights are damaged") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError, zipfile.LargeZipFile,
            NotImplementedError, RuntimeError, MemoryError, zlib.error):
        raise ArchiveError("the weights are damaged") from None


def read_archive(path: str | Path) -> SavedExperiment:
    """Read and validate an ``.alab`` file (the trainer is restored by ``build_trainer``).

    Parameters
    ----------
    path : str or Path
        The file to read.

    Returns
    -------
    SavedExperiment
        ``experiment`` checked by ``Experiment.from_dict``; ``trainer_meta`` a dict or None,
        not yet checked (``build_trainer`` does); ``arrays`` the arrays of weights.npz, each
        of a bool, integer or float dtype. history.csv is not read.

    Raises
    ------
    ArchiveError
        With one sentence: the file does not exist, is not a regular file, cannot be read
        or is too large; the zip is damaged, lists too many parts, has a part with an unsafe
        name, too large or expanding like a zip bomb, expands to too much in all, or lacks
        experiment.json or weights.npz; experiment.json is not valid JSON, not a JSON
        object, of another schema version, or has invalid settings or a malformed trainer
        section; the weights are damaged, too large, pickled or not numeric.
    """
    path = Path(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a folder, a device or a pipe (which would block)
            raise ArchiveError("it is not a file")
        if st.st_size > MAX_TOTAL_BYTES:
            raise ArchiveError("the file is far larger than any experiment")
        with open(path, "rb") as f:
            check_directory_size(f)
            with zipfile.ZipFile(f) as z:
                members = _check_directory(z)
                doc_bytes = read_member(z, members["experiment.json"])
                weights = read_member(z, members["weights.npz"])
    except ArchiveError:
        raise
    except FileNotFoundError:
        raise ArchiveError("the file does not exist") from None
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, NotImplementedError,
            zlib.error):
        raise ArchiveError("the file is damaged or is not an experiment file") from None
    except (OSError, RuntimeError) as e:  # RuntimeError: encrypted members
        raise ArchiveError(f"the file cannot be read ({e.__class__.__name__})") from None
    try:
        doc = json.loads(doc_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ArchiveError("experiment.json is not valid JSON") from None
    if not isinstance(doc, dict):
        raise ArchiveError("experiment.json is not a JSON object")
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ArchiveError(f"the file has schema version {version!r}; this version of "
                           f"Activation Lab reads version {SCHEMA_VERSION}")
    try:
        experiment = Experiment.from_dict(doc.get("experiment"))
    except (ValueError, TypeError, RecursionError) as e:
        raise ArchiveError(f"the settings are invalid: {e}") from None
    meta = doc.get("trainer")
    if meta is not None and not isinstance(meta, dict):
        raise ArchiveError("the saved training state is malformed")
    arrays = load_arrays(weights)
    return SavedExperiment(experiment, meta, arrays)


def restore(path: str | Path):
    """(experiment, trainer) from a file, the trainer ready to continue training.

    ``read_archive``, then the data set from the experiment's settings, then
    ``SavedExperiment.build_trainer`` on it.

    Parameters
    ----------
    path : str or Path
        The ``.alab`` file.

    Returns
    -------
    experiment : Experiment
        The saved settings.
    trainer : Trainer
        As saved (or fresh, for a file without a training state).

    Raises
    ------
    ArchiveError
        As ``read_archive`` and ``build_trainer``, or if the data set cannot be made (a
        ValueError, KeyError or OSError).
    """
    saved = read_archive(path)
    try:
        ds = saved.experiment.build_dataset()
    except (ValueError, KeyError, OSError) as e:
        raise ArchiveError(f"its data set cannot be made: {e}") from None
    return saved.experiment, saved.build_trainer(ds)
