"""A scripted event-socket peer on 127.0.0.1 for client tests.

The peer accepts one connection and plays a script of steps: send bytes, read one command
(up to its blank line), wait (a time, or until the test opens a gate), close. Everything the
client wrote is recorded, so tests can assert the exact bytes on the wire.
"""
import re
import socket
import threading
import time

GREETING = b"Content-Type: auth/request\n\n"
ACCEPTED = b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n"


def reply(text: str) -> bytes:
    return b"Content-Type: command/reply\nReply-Text: " + text.encode() + b"\n\n"


def api_response(body: bytes) -> bytes:
    return b"Content-Type: api/response\nContent-Length: %d\n\n" % len(body) + body


def plain_event(body: bytes) -> bytes:
    return b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(body) + body


def json_event(body: bytes) -> bytes:
    return b"Content-Length: %d\nContent-Type: text/event-json\n\n" % len(body) + body


class Send:
    def __init__(self, data: bytes, trickle: bool = False) -> None:
        self.data = data
        self.trickle = trickle   # one byte per write


class Command:
    """Read one command: bytes up to and including the first blank line."""


class Wait:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class Until:
    """Stall until the test sets ``gate`` (a threading.Event), or ``timeout`` seconds pass."""

    def __init__(self, gate: threading.Event, timeout: float = 5.0) -> None:
        self.gate = gate
        self.timeout = timeout


class Close:
    pass


class WaitEOF:
    """Wait until the client closes its side; records the time it took."""


def login():
    return [Send(GREETING), Command(), Send(ACCEPTED)]


class ScriptedServer:
    """Context manager: ``with ScriptedServer([...]) as srv: ESLconnection("127.0.0.1", srv.port, ...)``."""

    def __init__(self, script, timeout: float = 10.0) -> None:
        self.script = list(script)
        self.commands = []        # each command the client sent, as bytes
        self.raw = bytearray()    # every byte the client sent
        self.eof = threading.Event()
        self.error = None
        self._timeout = timeout
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._conn = None

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._thread.join(self._timeout)
        self._listener.close()
        if self._conn is not None:
            self._conn.close()
        if exc[0] is None and self.error is not None:
            raise self.error

    def join(self, timeout: float = 5.0) -> None:
        self._thread.join(timeout)

    def _read_command(self, conn, buf: bytearray) -> bytes:
        """One command: its header block and, if it names a Content-Length, its body."""
        need = None
        while True:
            if need is None:
                while buf[:1] in (b"\r", b"\n"):   # blank lines between commands, as FreeSWITCH skips them
                    del buf[:1]
                end = buf.find(b"\n\n")
                if end >= 0:
                    head = bytes(buf[:end + 2])
                    match = re.search(rb"(?im)^content-length: *(\d+)", head)
                    need = len(head) + (int(match.group(1)) if match else 0)
            if need is not None and len(buf) >= need:
                cmd = bytes(buf[:need])
                del buf[:need]
                return cmd
            data = conn.recv(65536)
            if not data:
                raise EOFError("client closed before a whole command: %r" % bytes(buf))
            self.raw += data
            buf += data

    def _run(self) -> None:
        self._listener.settimeout(self._timeout)
        try:
            conn, _ = self._listener.accept()
        except OSError as exc:
            self.error = exc
            return
        self._conn = conn
        conn.settimeout(self._timeout)
        buf = bytearray()
        try:
            for step in self.script:
                if isinstance(step, Send):
                    if step.trickle:
                        for i in range(len(step.data)):
                            conn.sendall(step.data[i:i + 1])
                            time.sleep(0.0005)
                    else:
                        conn.sendall(step.data)
                elif isinstance(step, Command):
                    self.commands.append(self._read_command(conn, buf))
                elif isinstance(step, Wait):
                    time.sleep(step.seconds)
                elif isinstance(step, Until):
                    step.gate.wait(step.timeout)
                elif isinstance(step, Close):
                    conn.close()
                    self._conn = None
                    return
                elif isinstance(step, WaitEOF):
                    while True:
                        data = conn.recv(65536)
                        if not data:
                            self.eof.set()
                            break
                        self.raw += data
        except Exception as exc:   # surfaced in __exit__
            self.error = exc
