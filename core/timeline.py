"""Bounded, decimating records of a run: the trainer's per-epoch history and the Timeline of
snapshot summaries that the "over time" panels draw (gradient flow, distributions).

Long runs stay bounded: once ``cap`` rows are stored, every other row is dropped and from then
on only every 2nd (then 4th, …) new row is kept. The newest row is always shown, so curves
reach the present.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Columns", "History", "Timeline"]


class Columns:
    """Named columns that grow by doubling and decimate past ``cap`` rows.

    ``shapes`` maps a column name to the shape of one row's entry (``()`` for scalars).
    """

    def __init__(self, shapes: dict[str, tuple[int, ...]], cap: int = 2000, dtype=np.float64):
        if cap < 4:
            raise ValueError("cap must be at least 4")
        self.shapes = {k: tuple(v) for k, v in shapes.items()}
        self.cap = int(cap)
        self.dtype = np.dtype(dtype)
        self.clear()

    def clear(self) -> None:
        self._data = {k: np.zeros((16, *s), dtype=self.dtype) for k, s in self.shapes.items()}
        self.n = 0  # rows kept
        self.stride = 1  # keep rows whose arrival index is a multiple of this
        self.seen = 0  # rows offered so far
        self.has_tail = False  # the slot after the kept rows holds the newest, unkept row

    def append(self, row: dict) -> None:
        """Add one row (a value per column); may drop older rows to stay under ``cap``."""
        cap_needed = self.n + 1
        if cap_needed >= len(next(iter(self._data.values()))):
            for k, arr in self._data.items():
                grown = np.zeros((2 * arr.shape[0], *arr.shape[1:]), dtype=self.dtype)
                grown[: arr.shape[0]] = arr
                self._data[k] = grown
        for k, arr in self._data.items():
            arr[self.n] = row[k]
        keep = self.seen % self.stride == 0
        self.seen += 1
        if keep:
            self.n += 1
            self.has_tail = False
            if self.n >= self.cap:
                for arr in self._data.values():
                    half = arr[: self.n : 2].copy()
                    arr[: len(half)] = half
                self.n = (self.n + 1) // 2
                self.stride *= 2
        else:
            self.has_tail = True

    def __len__(self) -> int:
        return self.n + self.has_tail

    def column(self, name: str) -> np.ndarray:
        """A read-only view of one column, oldest row first."""
        view = self._data[name][: len(self)]
        view.flags.writeable = False
        return view

    def copy_arrays(self) -> dict[str, np.ndarray]:
        return {k: self._data[k][: len(self)].copy() for k in self.shapes}

    # --- state (core.state) ----------------------------------------------------------------
    def export(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {"n": self.n, "stride": self.stride, "seen": self.seen, "has_tail": self.has_tail}
        return meta, self.copy_arrays()

    def load(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        n, stride, seen = meta.get("n"), meta.get("stride"), meta.get("seen")
        has_tail = meta.get("has_tail")
        ints = (n, stride, seen)
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in ints) or (
            not isinstance(has_tail, bool) or stride < 1 or n > self.cap or n + has_tail > seen + 1
        ):
            raise ValueError("the saved history's counters are inconsistent")
        rows = n + has_tail
        for k, s in self.shapes.items():
            arr = arrays.get(k)
            if not isinstance(arr, np.ndarray) or arr.shape != (rows, *s):
                raise ValueError(
                    f"the saved history column {k!r} is missing or has the wrong shape"
                )
        self.clear()
        size = max(16, 2 * (rows + 1))
        for k, s in self.shapes.items():
            self._data[k] = np.zeros((size, *s), dtype=self.dtype)
            self._data[k][:rows] = arrays[k]
        self.n, self.stride, self.seen, self.has_tail = n, stride, seen, has_tail


class History(Columns):
    """Per-epoch metrics of a trainer; each column is a read-only array, oldest first.

    ``grad_norm_w`` and ``grad_norm_b`` are (rows, n_layers): norms of the last step's
    gradient per layer, as the optimizer used it.
    """

    SCALARS = ("epoch", "step", "train_loss", "test_loss", "train_metric", "test_metric",
               "penalty", "lr")

    def __init__(self, n_layers: int, cap: int = 5000):
        shapes = {k: () for k in self.SCALARS}
        shapes["grad_norm_w"] = (n_layers,)
        shapes["grad_norm_b"] = (n_layers,)
        super().__init__(shapes, cap=cap)

    epoch = property(lambda self: self.column("epoch"))
    step = property(lambda self: self.column("step"))
    train_loss = property(lambda self: self.column("train_loss"))
    test_loss = property(lambda self: self.column("test_loss"))
    train_metric = property(lambda self: self.column("train_metric"))
    test_metric = property(lambda self: self.column("test_metric"))
    penalty = property(lambda self: self.column("penalty"))
    lr = property(lambda self: self.column("lr"))
    grad_norm_w = property(lambda self: self.column("grad_norm_w"))
    grad_norm_b = property(lambda self: self.column("grad_norm_b"))


PERCENTILES = (0, 7, 16, 31, 50, 69, 84, 93, 100)


class Timeline:
    """Summaries of successive snapshots, for plots over training time.

    Arrays (rows = snapshots kept, oldest first): ``step``, ``epoch``, ``train_loss``,
    ``test_loss`` (rows,); ``grad_norm_w``, ``update_ratio`` (rows, n_layers);
    ``z_percentiles``, ``a_percentiles`` (rows, n_layers, 9) at ``PERCENTILES``.
    """

    def __init__(self, cap: int = 2000):
        self.cap = cap
        self._cols: Columns | None = None

    def append(self, snapshot) -> None:
        """Add one snapshot's summary; a snapshot of a different network shape starts afresh."""
        n_layers = len(snapshot.layers)
        if self._cols is None or self._cols.shapes["grad_norm_w"] != (n_layers,):
            self._cols = Columns(
                {
                    "step": (), "epoch": (), "train_loss": (), "test_loss": (),
                    "grad_norm_w": (n_layers,), "update_ratio": (n_layers,),
                    "z_percentiles": (n_layers, len(PERCENTILES)),
                    "a_percentiles": (n_layers, len(PERCENTILES)),
                },
                cap=self.cap,
            )
        L = snapshot.layers
        self._cols.append({
            "step": snapshot.step, "epoch": snapshot.epoch,
            "train_loss": snapshot.train_loss, "test_loss": snapshot.test_loss,
            "grad_norm_w": [l.grad_norm_w for l in L],
            "update_ratio": [l.update_ratio for l in L],
            "z_percentiles": [l.z_percentiles for l in L],
            "a_percentiles": [l.a_percentiles for l in L],
        })

    def clear(self) -> None:
        self._cols = None

    def __len__(self) -> int:
        return 0 if self._cols is None else len(self._cols)

    def _get(self, name: str) -> np.ndarray:
        if self._cols is None:
            return np.zeros(0)
        return self._cols.column(name)

    step = property(lambda self: self._get("step"))
    epoch = property(lambda self: self._get("epoch"))
    train_loss = property(lambda self: self._get("train_loss"))
    test_loss = property(lambda self: self._get("test_loss"))
    grad_norm_w = property(lambda self: self._get("grad_norm_w"))
    update_ratio = property(lambda self: self._get("update_ratio"))
    z_percentiles = property(lambda self: self._get("z_percentiles"))
    a_percentiles = property(lambda self: self._get("a_percentiles"))
