"""Scenario harness: records what the ESL API returns and what the client puts on the wire.

A scenario (``compat/scenarios/*.py``) runs in a fresh interpreter with ``PYTHONPATH`` choosing
the implementation (the reference binding or ours). It imports this module, gets ``ESL`` from
:func:`import_esl`, starts scripted peers on 127.0.0.1 and calls the API through :func:`call`.
Everything is appended, one JSON object a line, to the file named by ``COMPAT_RECORD`` and
flushed at once, so a segfault still leaves everything recorded before it.

Record kinds (each line has ``k``, a label unique within the scenario):
* API values: ``{"k": label, "t": type name, ...}`` (see :func:`describe`);
* wire: ``{"k": "wire:<peer>.<conn>.<step>", "w": ...}``, written by the peer threads
  (per-connection order is deterministic; the runner groups them, so thread interleaving
  does not matter).

Peer scripts are lists of steps built with the functions below (``send``, ``expect``,
``reply``, ...); nested lists are flattened.
"""
import json
import os
import re
import socket
import sys
import threading
import time

_LOCK = threading.Lock()
_OUT = open(os.environ["COMPAT_RECORD"], "a", encoding="utf-8") if os.environ.get("COMPAT_RECORD") else sys.stdout
_LABELS = {}
DEFAULT_TIMEOUT = 5.0  # seconds a peer waits for the client before giving up on a step

_ADDR = re.compile(r"0x[0-9a-fA-F]+")


def _emit(obj):
    line = json.dumps(obj, sort_keys=True)
    with _LOCK:
        _OUT.write(line + "\n")
        _OUT.flush()


def _label(label):
    """Make labels unique (``x``, ``x#2``, ...) so the runner can compare by key."""
    with _LOCK:
        n = _LABELS.get(label, 0) + 1
        _LABELS[label] = n
    return label if n == 1 else "%s#%d" % (label, n)


def _mark(label):
    # A marker on fd 2 lets the runner show which call produced which C log line.
    os.write(2, ("@@ %s\n" % label).encode("utf-8", "surrogateescape"))


# ----------------------------------------------------------------------------- values

def _safe(fn, *args):
    try:
        return fn(*args)
    except Exception as exc:  # recorded, not swallowed: it becomes part of the comparison
        return _Exc(exc)


class _Exc:
    def __init__(self, exc):
        self.exc = exc


def describe(value):
    """Return a JSON-able description of ``value``.

    ESLevent results get getType(), serialize(), serialize("json"), getBody() and the headers
    walked with firstHeader/nextHeader (each with getHeader(name)). Note that this moves the
    event's header cursor and sets serialized_string, on both implementations alike.
    """
    if isinstance(value, _Exc):
        return {"exc": type(value.exc).__name__, "msg": str(value.exc)}
    if isinstance(value, BaseException):
        return {"exc": type(value).__name__, "msg": str(value)}
    tname = type(value).__name__
    if isinstance(value, str) and "at 0x" in value:
        return {"t": tname, "v": _ADDR.sub("0x?", value)}  # a repr() with a memory address
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"t": tname, "v": value}
    if isinstance(value, bytes):
        return {"t": tname, "v": value.decode("latin-1")}
    if isinstance(value, (list, tuple)):
        return {"t": tname, "v": [describe(v) for v in value]}
    if tname == "ESLevent":
        d = {"t": tname}
        for key, fn, args in (("type", value.getType, ()), ("plain", value.serialize, ()),
                              ("json", value.serialize, ("json",)), ("body", value.getBody, ())):
            r = _safe(fn, *args)
            d[key] = describe(r) if isinstance(r, _Exc) else r
        headers = []
        name = _safe(value.firstHeader)
        while not isinstance(name, _Exc) and name is not None and len(headers) < 2000:
            v = _safe(value.getHeader, name)
            headers.append([name, describe(v) if isinstance(v, _Exc) else v])
            name = _safe(value.nextHeader)
        if isinstance(name, _Exc):
            headers.append(describe(name))
        d["headers"] = headers
        return d
    return {"t": tname, "r": _ADDR.sub("0x?", repr(value))}


def record(label, value):
    """Record ``value`` (described) under ``label``; return ``value``."""
    label = _label(label)
    d = describe(value)
    d["k"] = label
    _emit(d)
    return value


def note(label, data):
    """Record plain JSON data as is (for facts a scenario computes itself)."""
    _emit({"k": _label(label), "note": data})


def call(label, fn, *args, **kwargs):
    """Call ``fn(*args, **kwargs)``, record the result or the exception; return the result (None on exception)."""
    label = _label(label)
    _mark(label)
    try:
        result = fn(*args, **kwargs)
    except Exception as exc:
        d = describe(exc)
        d["k"] = label
        _emit(d)
        return None
    d = describe(result)
    d["k"] = label
    _emit(d)
    return result


class Background:
    """A call running in a thread, for calls that may block (``wait`` records the outcome)."""

    def __init__(self, label, fn, *args):
        self.label = label
        self.result = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(fn, args), daemon=True)
        _mark(label + " (background)")
        self.thread.start()

    def _run(self, fn, args):
        try:
            self.result = fn(*args)
        except Exception as exc:
            self.result = _Exc(exc)
        self.done.set()

    def wait(self, timeout, label=None):
        """Record ``{"blocked": true}`` if still running after ``timeout`` s, else the result."""
        label = _label(label or self.label)
        if self.done.wait(timeout):
            d = describe(self.result)
        else:
            d = {"blocked": True}
        d["k"] = label
        _emit(d)
        return None if isinstance(self.result, _Exc) else self.result


def import_esl():
    """Import and return the ESL module under test; record where it came from.

    Exits with status 3 (recorded) when it does not import, 4 when the wrong one was found.
    """
    expected = os.environ.get("COMPAT_IMPL_DIR")
    try:
        import ESL
    except Exception as exc:
        _emit({"k": "import ESL", "exc": type(exc).__name__, "msg": str(exc)})
        sys.exit(3)
    where = os.path.abspath(getattr(ESL, "__file__", "") or "")
    if expected and not where.startswith(os.path.abspath(expected) + os.sep):
        _emit({"k": "import ESL", "exc": "WrongModule", "msg": "imported %s, not from %s" % (where, expected)})
        sys.exit(4)
    return ESL


# ----------------------------------------------------------------------------- peer scripts

def send(data):
    """Step: write ``data`` (bytes or latin-1 str)."""
    return ("send", data.encode("latin-1") if isinstance(data, str) else data)


def expect(delim=None, timeout=DEFAULT_TIMEOUT):
    """Step: read one command and record it.

    Without ``delim`` the read is FreeSWITCH's: blank lines before the block are taken along,
    the header block ends at ``\n\n`` (or ``\n\r\n``), then a ``Content-Length`` body is read.
    With ``delim``: read up to and including ``delim``.
    """
    return ("expect", delim, timeout)


def expect_n(n, timeout=DEFAULT_TIMEOUT):
    """Step: read exactly ``n`` bytes and record them."""
    return ("expect_n", n, timeout)


def reply(data, delim=None):
    """Steps: read one command (up to ``delim``), then answer with ``data``."""
    return [expect(delim), send(data)]


def trickle(data, delay=0.002):
    """Step: write ``data`` one byte at a time."""
    return ("trickle", data.encode("latin-1") if isinstance(data, str) else data, delay)


def sleep(seconds):
    return ("sleep", seconds)


def close():
    """Step: shut down and close the connection (the client sees EOF)."""
    return ("close",)


def wait_eof(timeout=DEFAULT_TIMEOUT):
    """Step: read until EOF; record the bytes and whether EOF came within ``timeout``."""
    return ("wait_eof", timeout)


def gate(name, timeout=10.0):
    """Step: wait until the scenario calls ``peer.open(name)``."""
    return ("gate", name, timeout)


def signal(name):
    """Step: let a scenario blocked in ``peer.reached(name)`` go on."""
    return ("signal", name)


def hang():
    """Step: keep the connection open and silent until the peer is finished."""
    return ("hang",)


def _flatten(steps):
    for s in steps:
        if isinstance(s, list):
            yield from _flatten(s)
        else:
            yield s


class _Peer:
    """Plays scripts on connections; each connection's reads are recorded as wire records."""

    def __init__(self, name, scripts):
        self.name = name
        self.scripts = [list(_flatten(s)) for s in scripts]
        self._gates = {}
        self._stop = threading.Event()
        self._threads = []
        self._socks = []

    def _event(self, name):
        with _LOCK:
            return self._gates.setdefault(name, threading.Event())

    def open(self, name):
        """Open gate ``name`` (see :func:`gate`)."""
        self._event(name).set()

    def reached(self, name, timeout=10.0):
        """Wait until the script passed ``signal(name)``; return True if it did."""
        return self._event(name).wait(timeout)

    def _wire(self, conn, step, data):
        _emit({"k": "wire:%s.%d.%02d" % (self.name, conn, step), "w": data})

    def _play(self, conn, sock, script):
        buf = b""
        step = 0
        try:
            for s in script:
                op = s[0]
                if op == "send":
                    sock.sendall(s[1])
                elif op == "trickle":
                    for i in range(len(s[1])):
                        sock.sendall(s[1][i:i + 1])
                        time.sleep(s[2])
                elif op in ("expect", "expect_n"):
                    deadline = time.monotonic() + s[2]
                    while True:
                        if op == "expect" and s[1] is None:
                            end = _command_end(buf)
                        elif op == "expect":
                            i = buf.find(s[1])
                            end = i + len(s[1]) if i >= 0 else -1
                        else:
                            end = s[1] if len(buf) >= s[1] else -1
                        if end >= 0:
                            self._wire(conn, step, {"got": buf[:end].decode("latin-1")})
                            buf = buf[end:]
                            break
                        left = deadline - time.monotonic()
                        chunk = _recv(sock, left) if left > 0 else None
                        if not chunk:  # EOF or timeout: record what came and stop this script
                            self._wire(conn, step, {"got": buf.decode("latin-1"),
                                                    "end": "eof" if chunk == b"" else "timeout"})
                            return
                        buf += chunk
                    step += 1
                elif op == "wait_eof":
                    deadline = time.monotonic() + s[1]
                    chunk = None
                    while True:
                        left = deadline - time.monotonic()
                        chunk = _recv(sock, left) if left > 0 else None
                        if not chunk:
                            break
                        buf += chunk
                    self._wire(conn, step, {"got": buf.decode("latin-1"),
                                            "end": "eof" if chunk == b"" else "open"})
                    buf = b""
                    step += 1
                elif op == "sleep":
                    time.sleep(s[1])
                elif op == "close":
                    _close(sock)
                    return
                elif op == "gate":
                    if not self._event(s[1]).wait(s[2]):
                        self._wire(conn, step, {"gate": s[1], "end": "timeout"})
                        return
                elif op == "signal":
                    self._event(s[1]).set()
                elif op == "hang":
                    self._stop.wait(60)
                else:
                    raise ValueError("unknown step %r" % (s,))
            # Script done: keep the connection open (like a server) until finish().
            self._stop.wait(60)
            rest = _drain(sock)
            if buf or rest:
                self._wire(conn, step, {"got": (buf + rest).decode("latin-1"), "end": "finish"})
        except OSError as exc:
            self._wire(conn, step, {"got": buf.decode("latin-1"), "end": "error " + type(exc).__name__})
        finally:
            _close(sock)

    def _start(self, conn, sock):
        t = threading.Thread(target=self._play, args=(conn, sock, self.scripts[conn]), daemon=True)
        self._socks.append(sock)
        self._threads.append(t)
        t.start()

    def finish(self, timeout=5.0):
        """Let finished scripts drain what the client sent after them, then stop all."""
        self._stop.set()
        for t in list(self._threads):
            t.join(timeout)


class Server(_Peer):
    """A scripted FreeSWITCH listening on 127.0.0.1:<port>; one script per accepted connection."""

    def __init__(self, *scripts, name="srv", host="127.0.0.1"):
        super().__init__(name, scripts)
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.listener = socket.socket(fam, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self):
        for conn in range(len(self.scripts)):
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self._start(conn, sock)

    def finish(self, timeout=5.0):
        super().finish(timeout)
        _close(self.listener)


class Dialer(_Peer):
    """A scripted FreeSWITCH in outbound mode: connects to ``port`` and plays ``script``."""

    def __init__(self, port, script, name="fs", host="127.0.0.1"):
        super().__init__(name, [script])
        self._start(0, socket.create_connection((host, port)))


def outbound(script, name="fs"):
    """Return ``(sock, dialer)``: a connection accepted from a scripted outbound FreeSWITCH.

    Pass ``sock.detach()`` to ``ESLconnection(fd)`` (ESL takes the descriptor over).
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    dialer = Dialer(listener.getsockname()[1], script, name=name)
    sock, _ = listener.accept()
    listener.close()
    return sock, dialer


def pair(script, name="pair"):
    """Return ``(fd, peer)``: one end of a socketpair as a raw fd (for ESLconnection(fd)), the other scripted."""
    a, b = socket.socketpair()
    peer = _Peer(name, [script])
    peer._start(0, b)
    return a.detach(), peer


_CL = re.compile(rb"(?im)^content-length:[ ]*([0-9]+)")


def _command_end(buf):
    """Return the end of the first complete command in ``buf`` (as mod_event_socket reads it), or -1."""
    start = len(buf) - len(buf.lstrip(b"\r\n"))
    ends = [i for i in (buf.find(b"\n\n", start), buf.find(b"\n\r\n", start)) if i >= 0]
    if not ends:
        return -1
    head_end = min(ends) + (2 if buf.startswith(b"\n\n", min(ends)) else 3)
    m = _CL.search(buf[start:head_end])
    end = head_end + (int(m.group(1)) if m else 0)
    return end if len(buf) >= end else -1


def _recv(sock, timeout):
    """Return bytes, b"" on EOF, None on timeout."""
    sock.settimeout(max(timeout, 0.001))
    try:
        return sock.recv(65536)
    except socket.timeout:
        return None
    except ConnectionResetError:
        return b""


def _drain(sock, timeout=0.3):
    data = b""
    while True:
        chunk = _recv(sock, timeout)
        if not chunk:
            return data
        data += chunk


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


# ----------------------------------------------------------------------------- crash cases
# Each crash scenario is its own file because the reference dies in it; these keep them short.

def crash_case(label, fn):
    """Record ``fn()`` between two harmless calls: "after" shows the process survived."""
    esl = import_esl()
    call("before", esl.ESLevent("HEARTBEAT").getType)
    call(label, fn)
    call("after", esl.ESLevent("HEARTBEAT").getType)


def crash_connection_case(label, fn):
    """Record ``fn(connection)`` on a logged-in connection, then whether it is still up."""
    import fsframes as F
    esl = import_esl()
    srv = Server([send(F.AUTH_REQUEST), reply(F.AUTH_ACCEPTED), wait_eof(2)])
    con = esl.ESLconnection("127.0.0.1", srv.port, "ClueCon")
    call("connected", con.connected)
    call(label, lambda: fn(con))
    call("still connected", con.connected)
    con.disconnect()
    srv.finish()
