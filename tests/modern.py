"""Scenario helpers for the modern API's tests, shared by the blocking (test_sync.py) and the
asyncio front ends: they only set up peers (simulators, silent or refusing servers) and
produce traffic over real sockets, never touching the client under test.
"""
import contextlib
import os
import socket
import threading
import time

import pytest

import ESL
from ESL.sim import Simulator

HERE = os.path.dirname(os.path.abspath(__file__))
#: The shared FreeSWITCH configuration: 9998 answers and parks, 9997 plays a tone.
SIM_CONF = os.path.join(HERE, "data", "sim", "fs-conf")

#: A tone of one second, and how long it plays.
TONE = "tone_stream://%(1000,0,350)"
TONE_SECONDS = 1.0
#: A tone that outlasts any test (a hangup cuts it).
LONG_TONE = "tone_stream://%(30000,0,350)"


@pytest.fixture
def modern_sim():
    """A simulator with the shared configuration (:data:`SIM_CONF`), stopped at the end.
    Import it into a test module: ``from modern import modern_sim``."""
    simulator = Simulator(SIM_CONF).start()
    yield simulator
    simulator.stop()


def originate_to(port, exten="9998"):
    """``originate`` arguments for a loopback call whose A leg runs the ``socket``
    application against our outbound server on ``port`` (the B leg answers and parks)."""
    return "loopback/%s/default &socket(127.0.0.1:%d async full)" % (exten, port)


@contextlib.contextmanager
def silent_server():
    """A TCP server on 127.0.0.1 that accepts connections and never says a word.
    Yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        for sock in accepted:
            sock.close()
        listener.close()


class CountingRefuser:
    """A server on 127.0.0.1 that greets every connection, reads the login and refuses it
    (``-ERR invalid``); ``logins`` counts the attempts. A context manager."""

    def __init__(self):
        self.logins = 0
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _run(self):
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                continue
            with sock:
                sock.settimeout(5)
                sock.sendall(b"Content-Type: auth/request\n\n")
                data = b""
                while b"\n\n" not in data:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                if data:
                    self.logins += 1
                    sock.sendall(b"Content-Type: command/reply\nReply-Text: -ERR invalid\n\n")
                    # FreeSWITCH then closes the connection.


def restart(sim):
    """Stop ``sim`` and start a new simulator on the same port; returns the new one."""
    port = sim.port
    sim.stop()
    deadline = time.monotonic() + 10
    while True:
        try:
            return Simulator(SIM_CONF, port=port).start()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def fire_custom(port, subclass, count=1, body=None, **headers):
    """Fire ``count`` CUSTOM events of ``subclass`` through a legacy connection of its own;
    each carries ``Seq: <n>`` and the given headers."""
    conn = ESL.ESLconnection("127.0.0.1", str(port), "ClueCon")
    assert conn.connected()
    try:
        for n in range(count):
            event = ESL.ESLevent("CUSTOM", subclass)
            event.addHeader("Seq", str(n))
            for name, value in headers.items():
                event.addHeader(name.replace("_", "-"), value)
            if body is not None:
                event.addBody(body)
            conn.sendEvent(event)
    finally:
        conn.disconnect()


class Streamer:
    """Fires CUSTOM events of ``subclass`` as fast as it can from its own thread until
    stopped; ``sent`` counts them. A context manager."""

    def __init__(self, port, subclass):
        self.port = port
        self.subclass = subclass
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)

    def _run(self):
        conn = ESL.ESLconnection("127.0.0.1", str(self.port), "ClueCon")
        try:
            while not self._stop.is_set():
                event = ESL.ESLevent("CUSTOM", self.subclass)
                event.addHeader("Seq", str(self.sent))
                conn.sendEvent(event)
                self.sent += 1
        finally:
            conn.disconnect()


def wait_for(predicate, timeout=10.0, interval=0.02):
    """Poll ``predicate`` until it is true; returns its last value (generous bound)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
