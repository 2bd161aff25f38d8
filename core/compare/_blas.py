"""Pin BLAS to one thread in a worker process, even when NumPy is already loaded.

``core/__init__`` sets ``OPENBLAS_NUM_THREADS=1`` (and the OpenMP and MKL ones) before NumPy
loads, which is enough in a fresh process — unless the variable was already set to something
else, or a fork server loaded NumPy earlier. So a worker also asks the OpenBLAS that NumPy
ships (``numpy.libs`` / ``numpy/.dylibs``) for one thread directly, as threadpoolctl does,
without needing it installed. Best effort: a BLAS it does not find is left alone.
"""

from __future__ import annotations

import ctypes
import glob
import os

__all__ = ["blas_threads", "pin_one_thread"]

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads")
_GETTERS = tuple(s.replace("set_", "get_") for s in _SETTERS)


def _libraries() -> list[ctypes.CDLL]:
    import numpy

    root = os.path.dirname(numpy.__file__)
    patterns = [os.path.join(root + ".libs", "*openblas*"),
                os.path.join(root, ".dylibs", "*openblas*")]
    found = []
    for path in sorted({p for pat in patterns for p in glob.glob(pat)}):
        try:
            found.append(ctypes.CDLL(path))
        except OSError:
            continue
    return found


def pin_one_thread() -> None:
    """One BLAS thread from now on in this process (environment and a loaded OpenBLAS)."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    for lib in _libraries():
        for name in _SETTERS:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(1)
                break


def blas_threads() -> int | None:
    """The thread count NumPy's OpenBLAS reports, or None if it cannot be asked."""
    for lib in _libraries():
        for name in _GETTERS:
            fn = getattr(lib, name, None)
            if fn is not None:
                return int(fn())
    return None
