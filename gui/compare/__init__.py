"""The Compare tool dock: one setting varied over K seeds, run in the engine's worker
processes (``core.compare``), read as curves, a table, a verdict and warnings.

``CompareDock`` is the dock's widget; ``CompareCurves`` its plot (a panel's export hooks, also
used offscreen by ``activation-lab compare --out``); ``ComparisonJob`` follows a running
comparison from the GUI thread.
"""

from __future__ import annotations

from .curves import CompareCurves
from .dock import CompareDock
from .job import ComparisonJob

__all__ = ["CompareCurves", "CompareDock", "ComparisonJob"]
