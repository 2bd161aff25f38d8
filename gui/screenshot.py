"""``--screenshot``: train N steps offscreen, draw the whole window into a PNG and exit."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

__all__ = ["take_screenshot"]

TIMEOUT_MS = 120_000


def take_screenshot(app, window, session, out: Path, steps: int, size: tuple[int, int]) -> int:
    """Returns the process exit code: 0 when the PNG was written."""
    window.resize(*size)
    window.show()
    loop = QEventLoop()
    done = {"ok": False}

    def on_view(view) -> None:
        if view.snapshot.step >= steps and not view.running:
            done["ok"] = True
            loop.quit()

    session.viewChanged.connect(on_view)
    session.problem.connect(lambda msg: print(f"activation-lab: {msg}", file=sys.stderr))
    session.step(steps)  # publishes a frame once the steps are done
    QTimer.singleShot(TIMEOUT_MS, loop.quit)
    loop.exec()
    if not done["ok"] and session.last_view is None:
        print("activation-lab: training did not produce a frame in time", file=sys.stderr)
        session.shutdown()
        return 1
    # draw every panel (hidden tabs too are drawn by the window's frame relay when shown)
    for _ in range(3):
        app.processEvents()
    pixmap = window.grab()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = pixmap.save(str(out), "PNG")
    session.shutdown()
    if not ok:
        print(f"activation-lab: could not write {out}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({pixmap.width()}x{pixmap.height()})")
    return 0
