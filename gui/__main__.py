"""``python -m gui`` and the ``activation-lab`` command: the window, or a headless subcommand."""

from __future__ import annotations

import sys

SUBCOMMANDS = ("plot", "train", "list", "info")


def main(argv: list[str] | None = None) -> int:
    # In the frozen app the training process is this same executable started again by
    # multiprocessing: here it runs the process's code and exits instead of opening a window.
    import multiprocessing

    multiprocessing.freeze_support()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        from .cli import run_subcommand

        return run_subcommand(argv)
    from .app import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
