"""PyInstaller entry script: the frozen ``activation-lab`` executable starts here.

``gui/__main__.py`` uses relative imports, so it cannot be the script itself; this file only
imports the real entry point ``gui.__main__:main`` (the same one the wheel's launcher uses).
"""

from __future__ import annotations

import os
import sys


def _ensure_streams() -> None:
    """A windowed Windows/macOS build may start with ``sys.stdout``/``sys.stderr`` = None.

    Code that writes to them directly (``sys.stderr.write``, logging handlers) would then raise;
    send such output to the null device instead. When the streams are redirected (a pipe or a
    file, as in CI) they are real and are left alone, so ``--version`` still prints.
    """
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


if __name__ == "__main__":
    _ensure_streams()
    from gui.__main__ import main

    sys.exit(main())
