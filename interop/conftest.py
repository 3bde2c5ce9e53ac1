"""Fixtures of the interop suite: a simulator in a process of its own, and helpers.

The simulator runs as ``python -m ESL.sim`` with the shared test configuration, as a user
would run it next to their program; the third-party client libraries connect over TCP.
"""
import os
import socket
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(os.path.dirname(HERE), "tests", "data", "sim", "fs-conf")
PASSWORD = "ClueCon"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sim_port():
    """Start ``python -m ESL.sim`` on a free port; yields the port, stops it afterwards."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ESL.sim", "--conf", CONF, "--port",
                             str(port), "--heartbeat", "600"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        line = proc.stdout.readline()
        assert line.startswith(b"ESL.sim listening on"), line
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until(predicate, timeout=10.0):
    """Poll ``predicate`` until it is true; returns its last value."""
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()
