"""Shared test helpers."""
import socket

import pytest


def need_tracemalloc():
    """The tracemalloc module, or skip: PyPy has none (its memory is not traced that way)."""
    return pytest.importorskip("tracemalloc", reason="this interpreter has no tracemalloc")


def free_port():
    """A loopback TCP port that was free a moment ago (for a process that must bind it itself)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
