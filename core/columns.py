"""Bounded, decimating columns of a run: ``Columns`` and the trainer's per-epoch ``History``.

Long runs stay bounded: once ``cap`` rows are stored, every other row is dropped and from then
on only every 2nd (then 4th, …) new row is kept. Which rows are kept depends only on their
arrival index: row ``i`` is kept while ``i`` is a multiple of ``stride``, so ``n`` (rows kept)
is always ``ceil(seen / stride)``. That is what lets a copy in another process follow a
record from the rows new since it last looked (``core.timeline.Timeline.rows_since``/
``extend``), and lets the trainer skip computing a row it would drop. A History shows its
newest row even when it is not kept (the "tail"), so its curves reach the present.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Columns", "History"]


class Columns:
    """Named columns that grow by doubling and decimate past ``cap`` rows.

    ``shapes`` maps a column name to the shape of one row's entry (``()`` for scalars);
    ``stride`` is the first stride (1: every row is kept until ``cap`` is reached).

    Parameters
    ----------
    shapes : dict of str to tuple of int
        Column name → shape of one row's entry; column ``name`` is then an array of shape
        (rows, *shapes[name]).
    cap : int
        When a kept row makes ``n`` reach ``cap``, every other row is dropped (those at
        even positions stay), ``n`` becomes ⌈n/2⌉ and ``stride`` doubles; so after an
        ``append`` fewer than ``cap`` rows are kept. At least 4.
    dtype : dtype
        Of every column (float64 by default; values are converted on ``append``).
    stride : int
        The first stride, a whole number ≥ 1; ``clear`` goes back to it.

    Attributes
    ----------
    n : int
        Rows kept.
    stride : int
        Rows offered whose arrival index is a multiple of this are kept.
    seen : int
        Rows offered so far, kept or not.
    has_tail : bool
        The newest row offered was not kept but is shown after the kept ones (``len``).

    Raises
    ------
    ValueError
        If ``cap`` < 4 or ``stride`` is not a whole number ≥ 1 (a bool is refused).
    """

    #: what the rows are, in messages ("the saved history's counters are inconsistent")
    what = "history"

    def __init__(self, shapes: dict[str, tuple[int, ...]], cap: int = 2000, dtype=np.float64,
                 stride: int = 1):
        if cap < 4:
            raise ValueError("cap must be at least 4")
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
            raise ValueError("the first stride must be a whole number ≥ 1")
        self.shapes = {k: tuple(v) for k, v in shapes.items()}
        self.cap = int(cap)
        self.dtype = np.dtype(dtype)
        self.first_stride = stride
        self.clear()

    def clear(self) -> None:
        """Drop every row: counters back to 0, ``stride`` back to the first one."""
        self._data = {k: np.zeros((16, *s), dtype=self.dtype) for k, s in self.shapes.items()}
        self.n = 0  # rows kept
        self.stride = self.first_stride  # keep rows whose arrival index is a multiple of this
        self.seen = 0  # rows offered so far
        self.has_tail = False  # the slot after the kept rows holds the newest, unkept row

    def append(self, row: dict) -> None:
        """Offer one row; it is kept when its arrival index is a multiple of ``stride``.

        A row not kept is held as the tail (shown by ``column``, ``copy_arrays`` and
        ``len``) until the next row replaces it. Keeping a row may decimate: see ``cap``.

        Parameters
        ----------
        row : dict
            A value for every column, each broadcastable to the column's entry shape
            (``shapes[name]``); other keys are ignored. A missing key raises KeyError, a
            value of the wrong shape NumPy's ValueError.
        """
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
        """A read-only view of one column, oldest row first, the tail (if any) last.

        Parameters
        ----------
        name : str
            A key of ``shapes``; KeyError otherwise.

        Returns
        -------
        ndarray, shape (len(self), *shapes[name])
            A view of the live buffer, not a copy: a later ``append`` may overwrite or shift
            what it shows (copy it, or use ``copy_arrays``, to keep the values).
        """
        view = self._data[name][: len(self)]
        view.flags.writeable = False
        return view

    def copy_arrays(self) -> dict[str, np.ndarray]:
        """Every column as a writable copy of shape (len(self), *shapes[name]), tail included."""
        return {k: self._data[k][: len(self)].copy() for k in self.shapes}

    # --- following from outside (see Timeline) -------------------------------------------------
    @property
    def keeps_next(self) -> bool:
        """Whether the next row offered will be kept (the others only count)."""
        return self.seen % self.stride == 0

    def skip(self) -> None:
        """Count one row offered but not kept, without storing it (no tail)."""
        self.seen += 1
        self.has_tail = False

    def kept_since(self, seen: int) -> dict[str, np.ndarray]:
        """Copies of the kept rows whose arrival index is ``seen`` or later (no tail)."""
        first = min(-(-seen // self.stride), self.n)
        return {k: self._data[k][first: self.n].copy() for k in self.shapes}

    def follow(self, stride: int, seen: int, rows: dict[str, np.ndarray]) -> None:
        """Become the copy of a Columns that went on to ``stride``/``seen`` and kept ``rows``
        (its rows with arrival index ≥ this one's ``seen``): decimate the rows held here as it
        did, then append. ValueError (nothing changed) when that cannot be what it did."""
        if isinstance(stride, bool) or not isinstance(stride, int) or (
                stride < self.stride or stride % self.stride or seen < self.seen):
            raise ValueError("the timeline rows do not follow on from this timeline")
        ratio = stride // self.stride
        n = -(-self.n // ratio)
        k = -(-seen // stride) - n
        if any(np.shape(rows.get(c)) != (k, *s) for c, s in self.shapes.items()):
            raise ValueError("the timeline rows do not follow on from this timeline")
        size = len(next(iter(self._data.values())))
        for c, arr in self._data.items():
            if n + k >= size:
                grown = np.zeros((max(2 * size, n + k + 1), *arr.shape[1:]), dtype=self.dtype)
                grown[:n] = arr[: self.n: ratio]
                arr = self._data[c] = grown
            elif ratio > 1:
                arr[:n] = arr[: self.n: ratio].copy()
            arr[n: n + k] = rows[c]
        self.n, self.stride, self.seen, self.has_tail = n + k, stride, seen, False

    # --- state (core.state) ----------------------------------------------------------------
    def export(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The rows and counters as plain data, for ``load``.

        Returns
        -------
        meta : dict
            JSON-able: "n", "stride", "seen" (int) and "has_tail" (bool). ``cap``, ``dtype``
            and the first stride are not in it.
        arrays : dict of str to ndarray
            ``copy_arrays()``: each (n + has_tail, *shapes[name]).
        """
        meta = {"n": self.n, "stride": self.stride, "seen": self.seen, "has_tail": self.has_tail}
        return meta, self.copy_arrays()

    def load(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        """Replace the rows and counters by those ``export`` gave (this ``shapes`` and ``cap``).

        Parameters
        ----------
        meta : dict
            "n", "stride", "seen" (non-negative ints, stride ≥ 1) and "has_tail" (bool).
        arrays : dict of str to ndarray
            One array per column, of shape (n + has_tail, *shapes[name]); it is copied and
            converted to ``dtype``. Extra keys are ignored. Values are not checked (NaN and
            inf pass).

        Raises
        ------
        ValueError
            If the counters do not fit together (``n`` > ``cap``, ``n`` ≠ ⌈seen / stride⌉,
            or a tail that would have been kept) or a column is missing or of the wrong
            shape; nothing is changed then.
        """
        n, stride, seen = meta.get("n"), meta.get("stride"), meta.get("seen")
        has_tail = meta.get("has_tail")
        ints = (n, stride, seen)
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in ints) or (
            not isinstance(has_tail, bool) or stride < 1 or n > self.cap
            # which rows are kept follows from the counters (see the module note)
            or n != -(-seen // stride) or (has_tail and (seen - 1) % stride == 0)
        ):
            raise ValueError(f"the saved {self.what}'s counters are inconsistent")
        rows = n + has_tail
        for k, s in self.shapes.items():
            arr = arrays.get(k)
            if not isinstance(arr, np.ndarray) or arr.shape != (rows, *s):
                raise ValueError(
                    f"the saved {self.what} column {k!r} is missing or has the wrong shape"
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

    Parameters
    ----------
    n_layers : int
        Layers of the network (hidden and output), the width of the gradient-norm columns.
    cap : int
        As ``Columns`` (at least 4; ValueError otherwise).

    Notes
    -----
    Columns ``SCALARS`` (rows,) and ``grad_norm_w``, ``grad_norm_b`` (rows, n_layers), all
    float64, also readable as properties of the same names (``column``).
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
