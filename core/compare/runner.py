"""Running a comparison: a pool of worker processes, never the caller's thread.

``Comparison(plan).start()`` returns at once. A dispatcher thread in the caller's process
hands one run at a time to each of ``jobs`` worker processes (both cores by default) through
a pipe and waits — blocked, so it costs the caller's interpreter nothing — for their results
and for their exit. The caller follows along by polling (``poll()`` returns the events since
the last call; ``progress`` is the latest count) or by a callback (called on the dispatcher
thread: a GUI relays it to its own thread with a queued signal). ``cancel()`` stops the
workers at once; a worker that dies (killed, out of memory) costs the run it held — reported
as "crashed" with its exit code — and a new worker takes over the remaining runs. Each run is
tried once.

Processes come from a fork server where the OS has one (each worker starts in milliseconds
with NumPy and the core loaded, and nothing of the caller's threads is forked), a fresh
interpreter ("spawn") elsewhere — as ``gui.worker`` does for the training process. Workers
pin BLAS to one thread, ignore Ctrl+C (the caller cancels) and run ``run.run_one``.

``run_serial`` runs the same plan one run after another in this process (the benchmark's
reference, and scripts that want no processes).
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import wait as _wait

from ._blas import pin_one_thread
from .plan import Plan, RunSpec
from .run import RunRecord, lost_record, run_one
from .summary import ComparisonResult, choose_lrs

__all__ = ["Comparison", "Done", "FAULT_VARIABLE", "Progress", "RunEnded", "RunStarted",
           "WorkerLost", "default_jobs", "remaining_text", "run", "run_serial"]

_log = logging.getLogger(__name__)

#: test-only fault injection, read in the caller's process when the runs are planned:
#: "exit@VALUE:SEED" makes the worker holding that run call os._exit(3) as it starts it,
#: "hang@VALUE:SEED" makes it wait (to be killed from outside); VALUE is as typed
FAULT_VARIABLE = "ACTIVATION_LAB_COMPARE_FAULT"


# --- events --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """Runs ``done`` of ``total`` (tuning included), ``running`` now, seconds so far and an
    estimate of the seconds left (None until a run is done)."""

    done: int
    total: int
    running: int
    elapsed: float
    remaining: float | None
    phase: str


@dataclass(frozen=True)
class RunStarted:
    """A worker (process ``pid``) began a run."""

    phase: str
    index: int
    value: str
    seed: int
    pid: int


@dataclass(frozen=True)
class RunEnded:
    """A run ended (any status: finished, diverged, failed, crashed, cancelled)."""

    record: RunRecord
    value: str
    progress: Progress


@dataclass(frozen=True)
class WorkerLost:
    """A worker process died holding a run; ``message`` is one sentence for the user."""

    phase: str
    index: int
    value: str
    seed: int
    pid: int
    exitcode: int | None
    message: str


@dataclass(frozen=True)
class Done:
    """The comparison is over (or was cancelled); ``result`` holds every run."""

    result: ComparisonResult


Event = RunStarted | RunEnded | WorkerLost | Done


def default_jobs() -> int:
    """Worker processes by default: one per core."""
    return max(1, os.cpu_count() or 1)


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # only takes effect if this starts the fork server (the GUI's may already run)
        ctx.set_forkserver_preload(["core.compare.runner"])
        return ctx
    return multiprocessing.get_context("spawn")


# --- the bookkeeping both runners share ----------------------------------------------------------
class _Book:
    """The runs of a plan, phase by phase: tuning first (if asked), then the compared runs."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.total = plan.n_runs
        self.tuning_specs = plan.tuning_specs()
        self.main_specs: list[RunSpec] | None = None
        self.tuning: dict[int, RunRecord] = {}
        self.main: dict[int, RunRecord] = {}
        self.lrs: tuple[float, ...] = ()
        self.t0 = time.perf_counter()
        self.done = 0
        self.running = 0
        self._faults = self._read_faults()

    @staticmethod
    def _read_faults() -> dict[tuple[str, int], str]:
        out = {}
        for item in filter(None, os.environ.get(FAULT_VARIABLE, "").split(";")):
            kind, _, where = item.partition("@")
            value, _, seed = where.rpartition(":")
            if kind in ("exit", "hang") and seed.isdigit():
                out[(value, int(seed))] = kind
        return out

    def _with_faults(self, specs: list[RunSpec]) -> list[RunSpec]:
        if not self._faults:
            return specs
        values = self.plan.values
        return [replace(s, fault=self._faults.get((values[s.value_index], s.seed)))
                if s.phase == "main" else s for s in specs]

    @property
    def phase(self) -> str:
        return "main" if self.main_specs is not None else "tune"

    def first(self) -> list[RunSpec]:
        if self.tuning_specs:
            return list(self.tuning_specs)
        return self._start_main()

    def _start_main(self) -> list[RunSpec]:
        if self.plan.tune_lr:
            self.lrs = choose_lrs(self.plan, list(self.tuning.values()))
            specs = self.plan.main_specs(self.lrs)
        else:
            specs = self.plan.main_specs()
            self.lrs = tuple(self.plan.arm(i).training.lr for i in range(len(self.plan.values)))
        self.main_specs = self._with_faults(specs)
        return list(self.main_specs)

    def record(self, rec: RunRecord) -> list[RunSpec]:
        """Store a record; returns the runs it releases (the compared runs, after tuning)."""
        (self.tuning if rec.phase == "tune" else self.main)[rec.index] = rec
        self.done += 1
        if rec.phase == "tune" and len(self.tuning) == len(self.tuning_specs):
            return self._start_main()
        return []

    def spec(self, phase: str, index: int) -> RunSpec:
        return (self.tuning_specs if phase == "tune" else self.main_specs)[index]

    def progress(self) -> Progress:
        elapsed = time.perf_counter() - self.t0
        remaining = None
        if self.done:
            remaining = elapsed / self.done * (self.total - self.done)
        return Progress(self.done, self.total, self.running, elapsed, remaining, self.phase)

    def result(self, cancelled: bool) -> ComparisonResult:
        """Every planned run, those without a record as "cancelled"."""
        tuning = tuple(self.tuning.get(s.index) or lost_record(s, "cancelled")
                       for s in self.tuning_specs)
        specs = self.main_specs if self.main_specs is not None else self.plan.main_specs()
        runs = tuple(self.main.get(s.index) or lost_record(s, "cancelled") for s in specs)
        lrs = self.lrs or tuple(self.plan.arm(i).training.lr
                                for i in range(len(self.plan.values)))
        return ComparisonResult(self.plan, runs, tuning, lrs, cancelled,
                                time.perf_counter() - self.t0)


# --- the worker process --------------------------------------------------------------------------
def _worker_main(conn) -> None:
    """A worker's loop: a RunSpec in, ("started", …) and ("done", RunRecord) out; None ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pin_one_thread()
    while True:
        try:
            spec = conn.recv()
        except (EOFError, OSError):
            return
        if spec is None:
            return
        conn.send(("started", spec.phase, spec.index, os.getpid()))
        if spec.fault == "exit":
            os._exit(3)
        if spec.fault == "hang":
            time.sleep(3600)
        try:
            record = run_one(spec)
        except Exception as e:  # MemoryError and friends: the run failed, the worker goes on
            record = lost_record(spec, "failed", f"it stopped with an error ({type(e).__name__})")
        conn.send(("done", record))


class _Worker:
    def __init__(self, ctx):
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child,), daemon=True,
                                   name="activation-lab-compare")
        self.process.start()
        child.close()
        self.task: RunSpec | None = None

    @property
    def pid(self) -> int:
        return self.process.pid or 0

    def stop(self, kill: bool) -> None:
        try:
            if kill:
                self.process.kill()
            else:
                self.conn.send(None)
        except (OSError, ValueError, BrokenPipeError):
            pass
        self.process.join(0.5 if kill else 2.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1.0)
        self.conn.close()


# --- the pool ------------------------------------------------------------------------------------
class Comparison:
    """A comparison running in worker processes; see the module docstring.

    Parameters
    ----------
    plan : Plan
        Checked already (``plan.check()``), or checked here in ``start``.
    jobs : int, optional
        Worker processes (default ``default_jobs()``: one per core); never more than runs.
    on_event : callable, optional
        Called with every event (``RunStarted``, ``RunEnded``, ``WorkerLost``, ``Done``) on
        the dispatcher thread; keep it short and never touch widgets from it.
    context : multiprocessing context, optional
        Where processes come from (default: a fork server, or spawn).

    Examples
    --------
    >>> c = Comparison(plan, jobs=2).start()        # doctest: +SKIP
    >>> while not c.done:                           # a GUI polls from a timer instead
    ...     for event in c.poll(): ...
    >>> summary = summarize(c.result())
    """

    def __init__(self, plan: Plan, jobs: int | None = None, *,
                 on_event: Callable[[Event], None] | None = None, context=None):
        if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int)
                                 or not 1 <= jobs <= 64):
            raise ValueError(f"jobs must be a whole number from 1 to 64, not {jobs!r}")
        self.plan = plan
        self.jobs = min(jobs or default_jobs(), max(1, plan.n_runs))
        self._on_event = on_event
        self._ctx = context
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self._thread: threading.Thread | None = None
        self._book = _Book(plan)
        self._result: ComparisonResult | None = None
        self._progress = Progress(0, plan.n_runs, 0, 0.0, None, self._book.phase)
        self._pids: set[int] = set()
        self._lock = threading.Lock()

    # --- the caller's side ----------------------------------------------------------------
    def start(self) -> Comparison:
        """Start the workers and return at once (raises PlanError if the plan is impossible)."""
        if self._thread is not None:
            raise RuntimeError("this comparison has already been started")
        self.plan.check()
        ctx = self._ctx or _context()
        self._wake_r, self._wake_w = ctx.Pipe(duplex=False)
        self._ctx = ctx
        self._book.t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._serve, name="activation-lab-compare",
                                        daemon=True)
        self._thread.start()
        return self

    def poll(self) -> list[Event]:
        """The events since the last call, oldest first (never blocks)."""
        out = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def events(self, timeout: float | None = None) -> Iterator[Event]:
        """Every event as it comes, ending after ``Done`` (or when ``timeout`` s pass with
        none)."""
        while True:
            try:
                ev = self._events.get(timeout=timeout)
            except queue.Empty:
                return
            yield ev
            if isinstance(ev, Done):
                return

    @property
    def progress(self) -> Progress:
        """Runs done of total, running, elapsed and remaining seconds (the latest count)."""
        return self._progress

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    @property
    def worker_pids(self) -> tuple[int, ...]:
        """The worker processes alive now."""
        with self._lock:
            return tuple(sorted(self._pids))

    def cancel(self) -> None:
        """Stop: running runs are killed and, like those not started, marked "cancelled"."""
        self._cancel.set()
        try:
            self._wake_w.send_bytes(b"x")
        except (AttributeError, OSError, ValueError):
            pass

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the comparison is over; False if ``timeout`` s passed first."""
        return self._finished.wait(timeout)

    def result(self) -> ComparisonResult | None:
        """The result once ``done`` (None before)."""
        return self._result

    def close(self) -> None:
        """Cancel if still running and wait for the workers to be gone."""
        if self._thread is None:
            return
        if not self.done:
            self.cancel()
        self._thread.join(10.0)

    def __enter__(self) -> Comparison:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the dispatcher thread ------------------------------------------------------------
    def _emit(self, event: Event) -> None:
        self._events.put(event)
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:  # a broken callback must not stop the comparison
                _log.exception("the comparison's event callback failed")

    def _ended(self, rec: RunRecord) -> list[RunSpec]:
        released = self._book.record(rec)
        self._progress = self._book.progress()
        self._emit(RunEnded(rec, self.plan.values[rec.value_index], self._progress))
        return released

    def _serve(self) -> None:
        book = self._book
        pending: deque[RunSpec] = deque(book.first())
        workers: list[_Worker] = []
        start_error = None
        try:
            while not self._cancel.is_set():
                busy = sum(w.task is not None for w in workers)
                want = min(self.jobs, busy + len(pending))
                while len(workers) < want and start_error is None:
                    try:
                        w = _Worker(self._ctx)
                    except Exception as e:  # no process at all: fail what is left
                        start_error = f"no worker process could be started ({e})"
                        break
                    workers.append(w)
                    with self._lock:
                        self._pids.add(w.pid)
                if not workers and start_error is not None:
                    while pending:
                        for spec in self._ended(lost_record(pending.popleft(), "failed",
                                                            start_error)):
                            pending.append(spec)
                    break
                for w in workers:
                    if w.task is None and pending:
                        w.task = pending.popleft()
                        try:
                            w.conn.send(w.task)
                        except (OSError, ValueError):
                            pass  # it died: its sentinel says so below, and the run is lost
                        book.running += 1
                if not pending and all(w.task is None for w in workers):
                    break
                waitables = [self._wake_r]
                for w in workers:
                    waitables += [w.conn, w.process.sentinel]
                ready = set(_wait(waitables, timeout=5.0))
                if self._wake_r in ready:
                    while self._wake_r.poll():
                        self._wake_r.recv_bytes()
                for w in list(workers):
                    if w.conn in ready or w.process.sentinel in ready:
                        alive = self._read(w, pending)
                        if not alive or w.process.sentinel in ready:
                            self._lost(w, pending)
                            workers.remove(w)
        except Exception:  # pragma: no cover - a bug here must still end the comparison
            _log.exception("the comparison's dispatcher failed")
        finally:
            cancelled = self._cancel.is_set() or bool(pending) or any(
                w.task is not None for w in workers)
            for w in workers:
                w.stop(kill=cancelled)
            with self._lock:
                self._pids.clear()
            book.running = 0
            self._result = book.result(cancelled)
            self._progress = book.progress()
            self._emit(Done(self._result))
            self._finished.set()
            for c in (self._wake_r, self._wake_w):
                c.close()

    def _read(self, w: _Worker, pending: deque) -> bool:
        """Handle every message waiting from a worker; False if its pipe is closed."""
        try:
            while w.conn.poll():
                msg = w.conn.recv()
                if msg[0] == "started":
                    _, phase, index, pid = msg
                    spec = self._book.spec(phase, index)
                    self._emit(RunStarted(phase, index, self.plan.values[spec.value_index],
                                          spec.seed, pid))
                elif msg[0] == "done":
                    w.task = None
                    self._book.running -= 1
                    pending.extend(self._ended(msg[1]))
        except (EOFError, OSError):
            return False
        return True

    def _lost(self, w: _Worker, pending: deque) -> None:
        """A worker ended: the run it held is lost ("crashed")."""
        w.process.join(1.0)  # a fork server reports the exit status a moment later
        code = w.process.exitcode
        with self._lock:
            self._pids.discard(w.pid)
        w.conn.close()
        spec, w.task = w.task, None
        if spec is None:
            return
        self._book.running -= 1
        how = (f"was killed by signal {-code}" if code is not None and code < 0
               else f"stopped with exit code {code}" if code is not None else "stopped")
        value = self.plan.values[spec.value_index]
        message = (f"the worker process running {self.plan.setting}={value}, seed {spec.seed} "
                   f"{how}, so that run is missing; the other runs went on")
        self._emit(WorkerLost(spec.phase, spec.index, value, spec.seed, w.pid, code, message))
        pending.extend(self._ended(lost_record(spec, "crashed", message)))


def run(plan: Plan, jobs: int | None = None, *, on_event: Callable[[Event], None] | None = None,
        context=None) -> ComparisonResult:
    """Run a comparison in worker processes and wait for it (Ctrl+C cancels it and the
    KeyboardInterrupt goes on; ``on_event`` as in ``Comparison``)."""
    c = Comparison(plan, jobs, on_event=on_event, context=context).start()
    try:
        while not c.wait(0.2):
            pass
    except KeyboardInterrupt:
        c.close()
        raise
    return c.result()


def run_serial(plan: Plan, on_event: Callable[[Event], None] | None = None) -> ComparisonResult:
    """The same runs one after another in this process and thread (no workers)."""
    plan.check()
    book = _Book(plan)
    pending = deque(book.first())
    while pending:
        spec = pending.popleft()
        if on_event is not None:
            on_event(RunStarted(spec.phase, spec.index, plan.values[spec.value_index],
                                spec.seed, os.getpid()))
        rec = run_one(replace(spec, fault=None))
        pending.extend(book.record(rec))
        if on_event is not None:
            on_event(RunEnded(rec, plan.values[rec.value_index], book.progress()))
    result = book.result(False)
    if on_event is not None:
        on_event(Done(result))
    return result


def remaining_text(p: Progress) -> str:
    """"12 of 60 runs, about 40 s left" for a status line."""
    left = "" if p.remaining is None or not math.isfinite(p.remaining) else (
        f", about {p.remaining:.0f} s left" if p.remaining < 120 else
        f", about {p.remaining / 60:.0f} min left")
    return f"{p.done} of {p.total} runs{left}"
