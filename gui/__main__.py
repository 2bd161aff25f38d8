"""``python -m gui`` and the ``activation-lab`` command: the window, or a headless subcommand."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    # In the frozen app the training process is this same executable started again by
    # multiprocessing: here it runs the process's code and exits instead of opening a window.
    import multiprocessing

    multiprocessing.freeze_support()
    argv = list(sys.argv[1:] if argv is None else argv)
    from .cli import run_subcommand, subcommands  # (the window's --help lists them too)

    if argv and argv[0] in subcommands():
        return run_subcommand(argv)
    from .app import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
