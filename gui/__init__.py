"""Activation Lab's desktop application: Qt widgets over the NumPy engine in ``core``."""

from core import __version__

__all__ = ["__version__"]
