"""A comparison followed from the GUI thread: the engine's pool runs it, a timer polls it.

``core.compare.Comparison`` trains in worker processes and queues its events; the dispatcher
thread that fills the queue never touches Qt. :class:`ComparisonJob` polls that queue from a
``QTimer`` on the GUI thread and re-emits what it finds as Qt signals, so every slot connected
to it runs on the GUI thread and no training step ever runs there.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QTimer, Signal

from core import compare
from core.compare.run import lost_record

__all__ = ["ComparisonJob", "WORKER_NICENESS"]

#: how much the workers step back for the window (Unix ``nice``): the window and its own
#: trainer keep their frame rate, the comparison takes the CPU time they leave
WORKER_NICENESS = 10


class ComparisonJob(QObject):
    """One comparison at a time, polled every ``POLL_MS`` on the GUI thread.

    Signals
    -------
    progressed(Progress) : a run ended (runs done of total, time left).
    runEnded(RunEnded) : a run ended, with its record.
    workerLost(str) : a worker process died; one sentence naming the run it cost.
    finished(ComparisonResult) : every run ended, or Cancel was pressed.
    """

    progressed = Signal(object)
    runEnded = Signal(object)
    workerLost = Signal(str)
    finished = Signal(object)

    POLL_MS = 100

    def __init__(self, parent: QObject | None = None, *, niceness: int = WORKER_NICENESS):
        super().__init__(parent)
        self._comparison: compare.Comparison | None = None
        self._records: dict[int, compare.RunRecord] = {}
        self._placeholders: list[compare.RunRecord] = []
        self._niced: set[int] = set()
        self._niceness = niceness
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self.poll)

    @property
    def running(self) -> bool:
        return self._comparison is not None and not self._comparison.done

    @property
    def plan(self) -> compare.Plan | None:
        return None if self._comparison is None else self._comparison.plan

    @property
    def progress(self) -> compare.Progress | None:
        return None if self._comparison is None else self._comparison.progress

    @property
    def jobs(self) -> int:
        return 0 if self._comparison is None else self._comparison.jobs

    def worker_pids(self) -> tuple[int, ...]:
        """The worker processes alive now (none when idle)."""
        return () if self._comparison is None else self._comparison.worker_pids

    def start(self, plan: compare.Plan, jobs: int | None = None) -> None:
        """Start ``plan`` in ``jobs`` worker processes and return at once.

        Raises PlanError (one sentence) if the plan cannot run; nothing is started then.
        RuntimeError if a comparison is running already.
        """
        if self.running:
            raise RuntimeError("a comparison is running already")
        self._release()
        comparison = compare.Comparison(plan, jobs)
        comparison.start()  # plan.check() first: a PlanError leaves everything as it was
        self._comparison = comparison
        self._records = {}
        self._placeholders = [lost_record(s, "cancelled") for s in plan.main_specs()]
        self._niced = set()
        self._timer.start()

    def cancel(self) -> None:
        """Stop the runs; ``finished`` follows with what was done."""
        if self.running:
            self._comparison.cancel()

    def close(self) -> None:
        """Cancel if running and wait until the workers are gone (the window is closing)."""
        self._timer.stop()
        self._release()

    def _release(self) -> None:
        if self._comparison is not None:
            self._comparison.close()

    def partial_result(self) -> compare.ComparisonResult | None:
        """The compared runs ended so far, the others as not run yet (None while the
        learning rates are still being tuned, or before any run ended)."""
        if self._comparison is None or not self._records:
            return None
        runs = tuple(self._records.get(i, p) for i, p in enumerate(self._placeholders))
        return compare.ComparisonResult(self._comparison.plan, runs)

    def poll(self) -> None:
        """Handle the events since the last poll (the timer calls it; tests may too)."""
        c = self._comparison
        if c is None:
            return
        self._step_back(c.worker_pids)
        for event in c.poll():
            if isinstance(event, compare.RunEnded):
                if event.record.phase == "main":
                    self._records[event.record.index] = event.record
                self.runEnded.emit(event)
                self.progressed.emit(event.progress)
            elif isinstance(event, compare.WorkerLost):
                self.workerLost.emit(event.message)
            elif isinstance(event, compare.Done):
                self._timer.stop()
                c.close()  # the dispatcher has ended: this only joins its thread
                self.progressed.emit(c.progress)
                self.finished.emit(event.result)
                return

    def _step_back(self, pids: tuple[int, ...]) -> None:
        """Lower the new workers' priority (where the OS lets us): on two cores, two workers
        at full priority would take half the window's frames."""
        if not self._niceness or not hasattr(os, "setpriority"):
            return
        for pid in pids:
            if pid in self._niced:
                continue
            self._niced.add(pid)
            try:
                os.setpriority(os.PRIO_PROCESS, pid, self._niceness)
            except OSError:  # gone already, or not ours to change
                pass
