"""The Timeline of per-epoch summaries that the "over time" panels draw (gradient flow,
distributions), kept in decimating ``Columns`` (``core.columns``, where the rule of which
rows stay is explained) so that long runs stay bounded; a copy in another process follows it
from the rows new since it last looked (``Timeline.rows_since``/``extend``), and the trainer
skips computing a row it would drop (``Timeline.wants_row``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .columns import Columns, History

__all__ = ["Columns", "History", "SampledPercentiles", "Timeline", "TimelineRows"]


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
