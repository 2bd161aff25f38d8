"""Axis ranges that follow live data in steps instead of on every frame.

pyqtgraph's auto-range fits the data exactly on every redraw. During training that moves the
axes many times a second: the tick labels jitter (hard to read on a projector) and each move
costs a new layout of the tick text, which was most of a frame's drawing time. Here a range
changes when the data leave it, or after they have filled less than half of it for about a
second (noisy values such as one batch's gradient norm would otherwise shrink and grow it
every frame), and then jumps to round numbers with some headroom: the axes of a run change a
few dozen times, not thousands.
"""

from __future__ import annotations

import math

import pyqtgraph as pg

__all__ = ["RangeKeeper", "StableViewBox", "nice_step", "stable_range"]

#: a range is kept while the data fill at least this fraction of it
MIN_FILL = 0.5
#: room added on the side where the data grew out of the range (fraction of the data span)
HEADROOM = 0.5
#: consecutive updates with the data filling less than MIN_FILL before the range shrinks
PATIENCE = 30


def nice_step(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ x (x > 0)."""
    k = math.floor(math.log10(x))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = m * 10.0**k
        if step >= x * (1 - 1e-12):
            return step
    return 10.0 ** (k + 1)


def stable_range(lo: float, hi: float, current: tuple[float, float] | None
                 ) -> tuple[float, float]:
    """The axis range for data spanning [lo, hi], given the range shown now.

    Keeps ``current`` while it contains the data and the data fill at least ``MIN_FILL`` of
    it. Otherwise: the data span plus ``HEADROOM`` on each side where the data left the
    current range, rounded outwards to a multiple of a round step.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return current if current is not None else (0.0, 1.0)
    if lo > hi:
        lo, hi = hi, lo
    raw_lo, raw_hi = lo, hi
    span = hi - lo
    size = max(abs(lo), abs(hi))
    if span <= size * 1e-12 or span < 1e-300:  # (about) a single value: show some around it
        span = size * 0.1 if size * 0.1 >= 1e-300 else 1.0
        lo, hi = raw_lo - span / 2, raw_hi + span / 2
    if current is not None:
        c0, c1 = current
        if c0 <= raw_lo and raw_hi <= c1 and (c1 - c0) > 0 and span >= MIN_FILL * (c1 - c0):
            return current
    # room only on a side where the data grew out of the range (they may grow on there)
    grow_lo = current is not None and raw_lo < current[0]
    grow_hi = current is not None and raw_hi > current[1]
    want_lo = lo - (HEADROOM * span if grow_lo else 0.0)
    want_hi = hi + (HEADROOM * span if grow_hi else 0.0)
    step = nice_step((want_hi - want_lo) / 8)
    new_lo = math.floor(want_lo / step) * step
    new_hi = math.ceil(want_hi / step) * step
    if raw_lo >= 0 and new_lo < 0:  # data that cannot be negative never show a negative axis
        new_lo = 0.0
    if new_lo > raw_lo:  # rounding must never cut the data off
        new_lo -= step
    if new_hi < raw_hi:
        new_hi += step
    if new_hi <= new_lo:
        new_hi = new_lo + step
    return new_lo, new_hi


class RangeKeeper:
    """``stable_range`` with patience: the range grows at once when the data leave it but
    shrinks only after ``patience`` updates in a row with the data filling under half of it."""

    def __init__(self, patience: int = PATIENCE) -> None:
        self.patience = patience
        self.range: tuple[float, float] | None = None
        self._sparse = 0  # updates in a row that would have shrunk the range

    def reset(self) -> None:
        self.range, self._sparse = None, 0

    def update(self, lo: float, hi: float) -> tuple[float, float]:
        cur = self.range
        if cur is None or not (math.isfinite(lo) and math.isfinite(hi)):
            self.range = stable_range(lo, hi, cur)
            return self.range
        lo, hi = min(lo, hi), max(lo, hi)
        inside = cur[0] <= lo and hi <= cur[1]
        if inside and stable_range(lo, hi, cur) != cur:  # would shrink: wait a while first
            self._sparse += 1
            if self._sparse < self.patience:
                return cur
        self._sparse = 0
        self.range = stable_range(lo, hi, cur)
        return self.range


class StableViewBox(pg.ViewBox):
    """A ViewBox whose auto-range moves in steps (see ``stable_range``) while ``live`` is
    True, and fits the data closely otherwise (a paused frame, an export: a still picture
    has no jitter to avoid, and empty headroom would only waste it). Zooming and panning by
    hand work as usual; the "A" button returns to following the data."""

    #: margin around the data when fitting closely (fraction of the span)
    PADDING = 0.02

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setDefaultPadding(0.0)
        self._keepers = (RangeKeeper(), RangeKeeper())
        self.live = False

    def set_live(self, live: bool) -> None:
        """Follow in steps (training runs) or fit closely (paused); refits on a change."""
        if live != self.live:
            self.live = live
            for keeper in self._keepers:
                keeper.reset()
            self.updateAutoRange()

    def childrenBounds(self, frac=None, orthoRange=(None, None), items=None):  # noqa: N802
        bounds = super().childrenBounds(frac=frac, orthoRange=orthoRange, items=items)
        if items is not None:
            return bounds
        # pyqtgraph's bounds include each item's pixel padding (a 2-px pen), converted at the
        # current scale: an epoch axis from 0 would then reach below 0 and, rounded outwards,
        # show a band of negative epochs. The items' own data bounds have no such padding.
        data = self._data_bounds()
        shown = self.viewRange()
        out = list(bounds)
        for ax in (0, 1):
            if bounds[ax] is None or not self.state["autoRange"][ax]:
                continue
            lo, hi = data[ax] if data[ax] is not None else bounds[ax]
            if not self.live:
                pad = (hi - lo) * self.PADDING
                if hi <= lo:
                    out[ax] = list(bounds[ax])
                else:  # (non-negative data keep a non-negative axis, as in stable_range)
                    out[ax] = [max(lo - pad, 0.0) if lo >= 0 else lo - pad, hi + pad]
                continue
            keeper = self._keepers[ax]
            if keeper.range is None or tuple(shown[ax]) != keeper.range:
                keeper.range = tuple(shown[ax])  # zoomed or panned by hand, or first use
            out[ax] = list(keeper.update(lo, hi))
        return out

    def _data_bounds(self) -> list[tuple[float, float] | None]:
        out: list[tuple[float, float] | None] = [None, None]
        for item in self.addedItems:
            if not item.isVisible() or getattr(item, "dataBounds", None) is None:
                continue
            for ax in (0, 1):
                r = item.dataBounds(ax)
                if r is None or r[0] is None or r[1] is None:
                    continue
                if not (math.isfinite(r[0]) and math.isfinite(r[1])):
                    continue
                cur = out[ax]
                out[ax] = (r[0], r[1]) if cur is None else (min(cur[0], r[0]), max(cur[1], r[1]))
        return out
