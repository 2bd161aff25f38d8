"""A log-scale axis that labels few enough ticks to stay readable (shared by the curve panels)."""

from __future__ import annotations

import math

from ._axis import CachedAxis

__all__ = ["LogTicksAxis"]


class LogTicksAxis(CachedAxis):
    """On a log axis, label the decades only, or 1-2-5 when fewer than three decades show
    (or every tick when that would leave fewer than two labels).

    pyqtgraph labels all nine minor ticks of a short log range, and the labels overlap. In
    linear mode this axis behaves like ``CachedAxis``.
    """

    def logTickStrings(self, values, scale, spacing):
        strings = super().logTickStrings(values, scale, spacing)
        lo, hi = sorted(self.range)
        decades = math.floor(hi) - math.ceil(lo) + 1
        keep = (1,) if decades >= 3 else (1, 2, 5)
        out = []
        for v, s in zip(values, strings):
            mantissa = 10 ** (v - math.floor(v + 1e-9))
            out.append(s if any(abs(mantissa - k) < 1e-6 * k for k in keep) else "")
        return out if sum(map(bool, out)) >= 2 else strings
