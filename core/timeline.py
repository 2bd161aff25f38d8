"""Bounded, decimating records of a run: the trainer's per-epoch history and the Timeline of
per-epoch summaries that the "over time" panels draw (gradient flow, distributions).

Long runs stay bounded: once ``cap`` rows are stored, every other row is dropped and from then
on only every 2nd (then 4th, …) new row is kept. Which rows are kept depends only on their
arrival index: row ``i`` is kept while ``i`` is a multiple of ``stride``, so ``n`` (rows kept)
is always ``ceil(seen / stride)``. That is what lets a copy in another process follow a
timeline from the rows new since it last looked (``Timeline.rows_since``/``extend``), and
lets the trainer skip computing a row it would drop (``Timeline.wants_row``). A History shows
its newest row even when it is not kept (the "tail"), so its curves reach the present.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Columns", "History", "SampledPercentiles", "Timeline", "TimelineRows"]


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


PERCENTILES = (0, 7, 16, 31, 50, 69, 84, 93, 100)


def timeline_shapes(n_layers: int) -> dict[str, tuple[int, ...]]:
    """The Timeline's columns and the shape of one row's entry in each."""
    return {
        "step": (), "epoch": (), "train_loss": (), "test_loss": (),
        "grad_norm_w": (n_layers,), "update_ratio": (n_layers,),
        "z_percentiles": (n_layers, len(PERCENTILES)),
        "a_percentiles": (n_layers, len(PERCENTILES)),
    }


class _TimelineColumns(Columns):
    what = "timeline"


@dataclass(frozen=True, slots=True)
class TimelineRows:
    """What a Timeline gained since it had seen ``start`` rows: enough for a copy that had
    seen ``start`` rows to become equal to it (``Timeline.extend``).

    ``columns`` holds the rows kept since then (arrival index ≥ ``start``), oldest first, each
    (k, …); it is empty when the timeline has no rows at all. ``stride`` and ``seen`` are the
    timeline's counters after them (see ``Columns``).
    """

    start: int
    seen: int
    stride: int
    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["step"]) if self.columns else 0


class Timeline:
    """Summaries of a run, a row per evaluation (epoch end), for plots over training time.

    Arrays (rows kept, oldest first): ``step``, ``epoch``, ``train_loss``, ``test_loss``
    (rows,); ``grad_norm_w``, ``update_ratio`` (rows, n_layers); ``z_percentiles``,
    ``a_percentiles`` (rows, n_layers, 9) at ``PERCENTILES``.

    The trainer records its own (``Trainer.timeline``, a row where it appends a history row;
    rows that decimation would drop are never computed). The window follows it through
    ``rows_since``/``extend`` and draws ``frozen(tail=snapshot)``: the recorded rows plus the
    frame's snapshot as the newest point, so the curves reach the present.
    ``append(snapshot)`` adds a row made from a snapshot instead.

    ``every``: keep a row of every ``every`` offered from the start (the trainer makes it
    more than 1 when its epochs are only a few steps long, see ``Trainer``); decimation then
    doubles it as usual.

    Parameters
    ----------
    cap : int
        As ``Columns``: rows at which the timeline decimates, at least 4.
    every : int
        The first stride, a whole number ≥ 1.

    Notes
    -----
    Neither is checked here: the columns are made with the first row (``record``,
    ``append`` or ``extend``), which raises ValueError if ``cap`` < 4 or ``every`` is not a
    whole number ≥ 1. A timeline made by ``load`` or ``from_history`` has ``every`` = 1
    (its stride is the saved one; only after a ``clear`` or a row of another network shape
    would the difference show).
    """

    def __init__(self, cap: int = 2000, every: int = 1):
        self.cap = cap
        self.every = every
        self._cols: Columns | None = None
        self._frozen = False

    # --- recording ---------------------------------------------------------------------------
    def _columns(self, n_layers: int) -> Columns:
        if self._frozen:
            raise ValueError("a frozen timeline cannot change")
        if self._cols is None or self._cols.shapes["grad_norm_w"] != (n_layers,):
            self._cols = _TimelineColumns(timeline_shapes(n_layers), cap=self.cap,
                                          stride=self.every)
        return self._cols

    def wants_row(self) -> bool:
        """Whether the next row will be kept: when False, call :meth:`skip` instead of
        computing it."""
        return self._cols is None or self._cols.keeps_next

    def skip(self) -> None:
        """Count a row that decimation would drop, without computing or storing it.

        ValueError if the timeline is frozen or has no row yet (the first is always kept).
        """
        if self._frozen:
            raise ValueError("a frozen timeline cannot change")
        if self._cols is None:
            raise ValueError("the first row of a timeline is always kept")
        self._cols.skip()

    def record(self, row: dict) -> None:
        """Add one row: a value per column (``step`` … ``a_percentiles``, see the class).
        A row of a different network shape starts the timeline afresh.

        ``len(row["grad_norm_w"])`` is taken as the number of layers L: the per-layer values
        are (L,), the percentiles (L, 9). Whether the row is kept follows ``Columns.append``
        (one not kept stays as the tail). ValueError if the timeline is frozen.
        """
        self._columns(len(row["grad_norm_w"])).append(row)

    def append(self, snapshot) -> None:
        """Add a row made from a ``core.Snapshot``; a different network shape starts afresh.

        Parameters
        ----------
        snapshot : Snapshot
            Its ``step``, ``epoch``, ``train_loss``, ``test_loss`` and, per layer,
            ``grad_norm_w``, ``update_ratio``, ``z_percentiles`` and ``a_percentiles`` (9,)
            make the row, as ``record``; "shape" means the number of layers.

        Raises
        ------
        ValueError
            If the timeline is frozen.
        """
        self.record(_snapshot_row(snapshot))

    def clear(self) -> None:
        """Drop every row; the next one starts afresh (stride ``every``, seen 0).

        ValueError if the timeline is frozen. ``rows_since``/``extend`` do not detect a
        clear: a copy following this timeline must start again from an empty Timeline (once
        as many new rows as the copy's ``seen`` have been offered, ``extend`` would take the
        new ones as a continuation of the old).
        """
        if self._frozen:
            raise ValueError("a frozen timeline cannot change")
        self._cols = None

    # --- following a timeline in another process ---------------------------------------------
    @property
    def seen(self) -> int:
        """Rows offered so far (kept or not)."""
        return 0 if self._cols is None else self._cols.seen

    def rows_since(self, seen: int) -> TimelineRows:
        """What a copy that has seen ``seen`` of this timeline's rows needs to catch up.

        Parameters
        ----------
        seen : int
            The copy's ``seen``, 0 ≤ seen ≤ this timeline's ``seen``.

        Returns
        -------
        TimelineRows
            Copies of the kept rows with arrival index ≥ ``seen`` and the counters after
            them; with no rows at all, ``TimelineRows(seen, 0, 1, {})``.

        Raises
        ------
        ValueError
            If ``seen`` is out of that range (only when the timeline has rows).
        """
        cols = self._cols
        if cols is None:
            return TimelineRows(seen, 0, 1, {})
        if not 0 <= seen <= cols.seen:
            raise ValueError(f"this timeline has seen {cols.seen} rows, not {seen}")
        return TimelineRows(seen, cols.seen, cols.stride, cols.kept_since(seen))

    def extend(self, rows: TimelineRows) -> None:
        """Catch up with the timeline ``rows`` came from (they must start at this one's
        ``seen``); afterwards the two hold the same rows. ValueError when they do not fit.

        Parameters
        ----------
        rows : TimelineRows
            From ``rows_since(self.seen)`` of the timeline followed.

        Raises
        ------
        ValueError
            If ``rows.start`` is not this timeline's ``seen``, the rows are of another
            network shape (more layers, say) without starting at 0, their columns or
            counters cannot follow on from this timeline's, or it is frozen (with any row).
        """
        if rows.start != self.seen:
            raise ValueError(f"the timeline rows start at row {rows.start}, not {self.seen}")
        if not rows.columns:
            if rows.seen != rows.start:
                raise ValueError("the timeline rows do not follow on from this timeline")
            return
        n_layers = rows.columns["grad_norm_w"].shape[-1]
        fresh = self._cols is None or self._cols.shapes["grad_norm_w"] != (n_layers,)
        if fresh and rows.start:
            raise ValueError("the timeline rows do not follow on from this timeline")
        cols = self._columns(n_layers)
        if set(rows.columns) != set(cols.shapes):
            raise ValueError("the timeline rows have other columns than a timeline")
        cols.follow(rows.stride, rows.seen, rows.columns)

    # --- what the panels read ---------------------------------------------------------------
    def frozen(self, tail=None) -> Timeline:
        """A read-only copy, with ``tail`` (a ``core.Snapshot``) as its newest row when it is
        later than the last row kept: the GUI thread reads it while training goes on.

        Parameters
        ----------
        tail : Snapshot, optional
            Added as the last row when its ``step`` is greater than the last row's and its
            number of layers is the timeline's (or the timeline is empty); else left out.

        Returns
        -------
        Timeline
            Its arrays are copies, not writable; ``record``, ``append``, ``skip`` and
            ``clear`` raise ValueError, and so does ``extend`` with any row. Its ``seen``
            counts its own rows, not those this timeline was offered, so it is not for
            following.
        """
        out = Timeline(self.cap)
        cols = self._cols
        row = None
        if tail is not None and tail.layers:
            last = cols.column("step")[-1] if cols is not None and len(cols) else -math.inf
            same_shape = cols is None or cols.shapes["grad_norm_w"] == (len(tail.layers),)
            if same_shape and tail.step > last:
                row = _snapshot_row(tail)
        if cols is None and row is None:
            out._frozen = True
            return out
        shapes = cols.shapes if cols is not None else timeline_shapes(len(tail.layers))
        rows = len(cols) if cols is not None else 0
        copy = out._cols = _TimelineColumns(shapes, cap=max(4, self.cap))
        total = rows + (row is not None)
        for k, s in shapes.items():
            arr = np.empty((total, *s), dtype=copy.dtype)
            if rows:
                arr[:rows] = cols.column(k)
            if row is not None:
                arr[rows] = row[k]
            arr.flags.writeable = False
            copy._data[k] = arr
        copy.n, copy.seen = total, total
        out._frozen = True
        return out

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

    # --- state (core.state) ----------------------------------------------------------------
    def export(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(meta, arrays) as ``Columns.export``, plus ``cap`` and ``n_layers`` (0: no rows)."""
        if self._cols is None:
            return {"cap": self.cap, "n_layers": 0}, {}
        meta, arrays = self._cols.export()
        return {"cap": self.cap, "n_layers": self._cols.shapes["grad_norm_w"][0], **meta}, arrays

    @classmethod
    def load(cls, meta: dict, arrays: dict[str, np.ndarray], n_layers: int) -> Timeline:
        """The timeline ``export`` described, for a network of ``n_layers`` layers; ValueError
        (one sentence) when anything in it is inconsistent."""
        cap, saved_layers = meta.get("cap"), meta.get("n_layers")
        for name, v, lo in (("cap", cap, 4), ("n_layers", saved_layers, 0)):
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= 10_000_000:
                raise ValueError(f"the saved timeline's {name} is invalid")
        out = cls(cap)
        if saved_layers == 0:
            if arrays:
                raise ValueError("the saved timeline has rows but no network shape")
            return out
        if saved_layers != n_layers:
            raise ValueError("the saved timeline is of a network with another number of layers")
        cols = _TimelineColumns(timeline_shapes(n_layers), cap=cap)
        cols.load(meta, arrays)
        if cols.n == 0 or cols.has_tail:
            raise ValueError("the saved timeline's counters are inconsistent")
        data = {k: cols.column(k) for k in cols.shapes}
        for k, a in data.items():
            if np.isinf(a).any():
                raise ValueError(f"the saved timeline column {k!r} holds infinite values")
        for k in ("step", "epoch"):
            a = data[k]
            if not np.isfinite(a).all() or (a < 0).any() or (np.diff(a) < 0).any():
                raise ValueError(f"the saved timeline column {k!r} is not a count that grows")
        out._cols = cols
        return out

    @classmethod
    def from_history(cls, history: History, cap: int = 2000) -> Timeline:
        """A timeline for a run saved without one (older files): the history's losses and
        gradient norms, NaN where it has nothing (update ratios, percentiles)."""
        out = cls(cap)
        h_n, h_stride, seen = history.n, history.stride, history.seen
        if h_n == 0 or h_n != -(-seen // h_stride):
            return out
        stride = h_stride
        while -(-seen // stride) >= cap:
            stride *= 2
        keep = np.arange(0, h_n, stride // h_stride)
        n_layers = history.grad_norm_w.shape[1]
        cols = out._cols = _TimelineColumns(timeline_shapes(n_layers), cap=cap)
        nan = {k: np.full((len(keep), *s), np.nan) for k, s in cols.shapes.items()}
        rows = {k: (history.column(k)[keep] if k in history.shapes else nan[k])
                for k in cols.shapes}
        cols.follow(stride, seen, rows)
        return out


def _snapshot_row(snapshot) -> dict:
    L = snapshot.layers
    return {
        "step": snapshot.step, "epoch": snapshot.epoch,
        "train_loss": snapshot.train_loss, "test_loss": snapshot.test_loss,
        "grad_norm_w": [l.grad_norm_w for l in L],
        "update_ratio": [l.update_ratio for l in L],
        "z_percentiles": [l.z_percentiles for l in L],
        "a_percentiles": [l.a_percentiles for l in L],
    }


class SampledPercentiles:
    """Percentiles at ``PERCENTILES`` of (rows, units) arrays, each from a fixed sample of at
    most ``size`` of its values among its first ``rows`` rows (chosen once with ``rng``).

    Linear interpolation between order statistics, as ``np.percentile``, of that sample. The
    samples go into the rows of one buffer (shorter ones padded with NaN, which sorts last),
    sorted in place with one call; so a row costs one ``np.take`` per array and a few calls
    more, a few tens of microseconds however large the arrays are (NumPy sorts 500 values in
    ~1 µs; a multi-kth ``np.partition`` along the rows of a 2-D array was 5–6× slower). With
    ``size`` = 501 every percentile of a full sample is an order statistic (rank 5·p).

    ``units`` gives each array's number of columns, in the order the arrays are passed.
    """

    def __init__(self, units: list[int], rows: int, rng: np.random.Generator, size: int = 501):
        if rows < 1 or size < 1 or not units or min(units) < 1:
            raise ValueError("percentiles need at least one value in every array")
        self.index: list[np.ndarray] = []
        for u in units:
            total = rows * u  # the first ``rows`` rows of a C-ordered (≥ rows, u) array
            if total <= size:
                self.index.append(np.arange(total, dtype=np.intp))
            else:
                self.index.append(np.sort(rng.choice(total, size=size, replace=False)))
        m = np.array([len(i) for i in self.index])
        self._views(m)
        at = np.array(PERCENTILES, dtype=np.float64)[None, :] / 100.0 * (m[:, None] - 1)
        self._row = np.arange(len(m))[:, None]
        self._lo = np.floor(at).astype(np.intp)
        self._w = at - self._lo
        self._hi = np.minimum(self._lo + 1, m[:, None] - 1) if self._w.any() else None

    def _views(self, m: np.ndarray) -> None:
        # the padding stays NaN: a sort leaves NaN in every place after a row's own values
        self._buf = np.full((len(m), m.max()), np.nan)
        self._samples = [self._buf[i, :k] for i, k in enumerate(m)]  # views, made once

    def __getstate__(self) -> dict:
        # a pickle would turn the views into copies of their own: they are made again
        return {k: v for k, v in self.__dict__.items() if k not in ("_buf", "_samples")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._views(np.array([len(i) for i in self.index]))

    def __call__(self, arrays: list[np.ndarray]) -> np.ndarray:
        """(len(arrays), 9) percentiles. NaN values sort last (as in ``np.sort``), so only the
        upper percentiles of an array with NaN in its sample are NaN."""
        for a, idx, sample in zip(arrays, self.index, self._samples):
            a.take(idx, out=sample, mode="clip")  # (the method: np.take's wrapper costs 2×)
        buf = self._buf
        buf.sort(axis=1)
        low = buf[self._row, self._lo]
        if self._hi is None:
            return low
        return low + (buf[self._row, self._hi] - low) * self._w
