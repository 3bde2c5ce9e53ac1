"""Shared test helpers."""
import pytest


def need_tracemalloc():
    """The tracemalloc module, or skip: PyPy has none (its memory is not traced that way)."""
    return pytest.importorskip("tracemalloc", reason="this interpreter has no tracemalloc")
