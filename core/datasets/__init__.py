"""Seeded toy problems, bundled real data sets and CSV import."""

from __future__ import annotations

from .base import FEATURES, Dataset, Task

__all__ = ["FEATURES", "Dataset", "Task"]
