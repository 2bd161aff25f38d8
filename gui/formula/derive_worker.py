"""Deriving a typed formula off the GUI thread: SymPy's first import and a derivation take
from a few milliseconds to about a second, and the window must not freeze meanwhile.

``Deriver.request(...)`` starts one job in a daemon thread; ``done`` arrives on the GUI
thread (a queued signal) with a ``Preview``, or ``failed`` with the sentence to show. A newer
request makes an older one's result stale: it is dropped, never shown.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

import core.activations as acts
from core.activations.formula import FormulaError

__all__ = ["Deriver", "Preview"]

Z = np.linspace(-5.0, 5.0, 801)


@dataclass(frozen=True)
class Preview:
    """What the dialog shows of a formula: curves (NaN where not finite), f′ and f″ written
    out, why a network cannot use it (empty if it can), and its kinks."""

    spec: str
    z: np.ndarray
    f: np.ndarray
    df: np.ndarray
    d2f: np.ndarray
    derivative: str
    second: str
    problems: tuple[str, ...]
    kinks: tuple[str, ...]


def compute(text: str, params: dict, label: str | None, values: dict) -> Preview:
    """Parse, derive, compile and sample (any thread); FormulaError if refused."""
    act = acts.formula(text, params or None, label, values=values, network=False)
    with np.errstate(all="ignore"):
        f = act.f(Z)
        # f′ and f″ only where f itself is defined (1/x is not log(x)′ for x < 0)
        curves = [np.where(np.isfinite(f) & np.isfinite(y), y, np.nan)
                  for y in (f, act.df(Z), act.d2f(Z))]
    kinks = tuple(f"at x = {k.x:g}: {k.note}" for k in act.info.kinks)
    return Preview(act.name, Z, *curves, act.derivative_text, act.second_derivative_text,
                   act.problems, kinks)


class Deriver(QObject):
    """One formula at a time, derived in a worker thread.

    Signals
    -------
    done(object)
        A ``Preview`` of the latest request.
    failed(str)
        The latest request was refused: the sentence to show.
    """

    done = Signal(object)
    failed = Signal(str)
    _result = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generation = 0
        self.busy = False
        self._result.connect(self._deliver)  # queued: emitted from the worker thread

    def request(self, text: str, params: dict, label: str | None, values: dict) -> None:
        self._generation += 1
        gen = self._generation
        self.busy = True

        def work() -> None:
            try:
                out: object = compute(text, params, label, values)
            except FormulaError as e:
                out = str(e)
            except Exception as e:  # noqa: BLE001 - a bug must not kill the thread silently
                out = f"this formula could not be worked out ({type(e).__name__})"
            self._result.emit(gen, out)

        threading.Thread(target=work, name="formula-derive", daemon=True).start()

    def _deliver(self, gen: int, out: object) -> None:
        if gen != self._generation:
            return  # a newer formula was typed meanwhile
        self.busy = False
        if isinstance(out, Preview):
            self.done.emit(out)
        else:
            self.failed.emit(str(out))
