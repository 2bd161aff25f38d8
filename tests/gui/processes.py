"""What the GUI tests ask of the processes the app starts (the Compare dock's workers, the
Recurrent lab's training process)."""

from __future__ import annotations

import os


def pid_gone(pid: int) -> bool:
    """True when no process ``pid`` exists any more."""
    try:
        os.kill(pid, 0)
    except OSError:
        return True
    return False
