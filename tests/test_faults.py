"""Fault injection against real sockets: a peer that closes at every stage, trickles bytes,
floods events, or stops reading.

Each test checks the documented return value (API.md section 5), ``connected()``, and that
every event that fully arrived is delivered once, in arrival order. Every blocking call runs
under a watchdog, so a hang fails the test instead of stalling the suite.
"""
import contextlib
import os
import resource
import socket
import sys
import threading

import pytest
from conftest import need_tracemalloc

sys.path.insert(0, os.path.dirname(__file__))
from scripted import ACCEPTED, GREETING, api_response, plain_event, reply  # noqa: E402

from ESL import ESLconnection  # noqa: E402

WATCHDOG = 15.0   # seconds; only reached when something hangs


def seq_event(i: int, pad: int = 0) -> bytes:
    """An event-plain packet numbered ``i`` (header ``Seq``), with ``pad`` bytes of body."""
    body = b"Event-Name: CUSTOM\nEvent-Subclass: fault::test\nSeq: %d\n" % i
    if pad:
        body += b"Content-Length: %d\n\n" % pad + b"p" * pad
    else:
        body += b"\n"
    return plain_event(body)


def within(fn, *args, timeout=WATCHDOG):
    """Run ``fn(*args)`` on a thread; return its result, or fail if it does not finish."""
    box = {}

    def run():
        try:
            box["result"] = fn(*args)
        except BaseException as exc:   # re-raised in the test thread
            box["error"] = exc
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "%s did not return within %s s" % (fn.__name__, timeout)
    if "error" in box:
        raise box["error"]
    return box["result"]


class Peer:
    """A one-connection server on 127.0.0.1 running ``script(conn, peer)`` on its own thread.

    ``read_command(conn)`` returns the next command (its bytes up to the blank line).
    ``rcvbuf``/``sndbuf`` shrink the accepted socket's kernel buffers.
    """

    def __init__(self, script, rcvbuf=None, sndbuf=None):
        self.script = script
        self.error = None
        self.received = bytearray()
        self._buf = bytearray()
        self.listener = socket.socket()
        if rcvbuf:
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if sndbuf:
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.conn = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.thread.join(WATCHDOG)
        alive = self.thread.is_alive()
        if self.conn is not None:
            self.conn.close()
        self.listener.close()
        if exc[0] is None:
            assert not alive, "the peer script did not finish"
            if self.error is not None:
                raise self.error

    def _run(self):
        try:
            self.listener.settimeout(WATCHDOG)
            conn, _ = self.listener.accept()
            self.conn = conn
            conn.settimeout(WATCHDOG)
            self.script(conn, self)
        except Exception as exc:   # surfaced in __exit__
            self.error = exc

    def read_command(self, conn) -> bytes:
        buf = self._buf
        while True:
            while buf[:1] in (b"\n", b"\r"):
                del buf[:1]
            end = buf.find(b"\n\n")
            if end >= 0:
                cmd = bytes(buf[:end + 2])
                del buf[:end + 2]
                return cmd
            data = conn.recv(1 << 20)
            if not data:
                raise EOFError("client closed; partial command %r" % bytes(buf[:100]))
            self.received += data
            buf += data

    def login(self, conn):
        conn.sendall(GREETING)
        cmd = self.read_command(conn)
        assert cmd == b"auth ClueCon\n\n", cmd
        conn.sendall(ACCEPTED)

    def widen(self, conn):
        """Give the socket a large receive buffer again (a tiny one makes bulk reads slow)."""
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)

    def close(self, conn):
        conn.close()
        self.conn = None


def connect(peer):
    return within(ESLconnection, "127.0.0.1", str(peer.port), "ClueCon")


def assert_down(con):
    """The documented state of a connection that has failed."""
    assert con.connected() == 0
    assert con.socketDescriptor() == -1
    assert con.api("status") is None
    assert con.send("x") == 1
    assert con.events("plain", "ALL") == 1
    assert con.recvEvent().getType() == "SERVER_DISCONNECTED"
    assert con.recvEventTimed(10) is None
    assert con.disconnect() == 0


def seqs(con, n, timed=True):
    """Receive ``n`` events; return their Seq headers as ints."""
    out = []
    for _ in range(n):
        event = con.recvEventTimed(5000) if timed else con.recvEvent()
        assert event is not None and event.getType() == "CUSTOM", event and event.serialize()
        out.append(int(event.getHeader("Seq")))
    return out


# -- the server closes at every stage --------------------------------------------------------

def _close_during_auth_cases():
    greeting_half = GREETING[:10]
    accepted_half = ACCEPTED[:20]

    def before_greeting(conn, peer):
        peer.close(conn)

    def mid_greeting(conn, peer):
        conn.sendall(greeting_half)
        peer.close(conn)

    def after_greeting(conn, peer):
        conn.sendall(GREETING)
        peer.close(conn)

    def after_auth_command(conn, peer):
        conn.sendall(GREETING)
        peer.read_command(conn)
        peer.close(conn)

    def mid_auth_reply(conn, peer):
        conn.sendall(GREETING)
        peer.read_command(conn)
        conn.sendall(accepted_half)
        peer.close(conn)

    return [before_greeting, mid_greeting, after_greeting, after_auth_command, mid_auth_reply]


@pytest.mark.parametrize("script", _close_during_auth_cases(), ids=lambda f: f.__name__)
def test_server_closes_during_auth(script):
    with Peer(script) as peer:
        con = connect(peer)
        assert_down(con)


@pytest.mark.parametrize("cut", ["mid-header", "mid-body", "at-packet-end"])
def test_server_closes_while_receiving_events(cut):
    whole = b"".join(seq_event(i, pad=i * 10) for i in range(5))
    last = seq_event(5, pad=200)
    head_len = last.index(b"\n\n") + 2
    tail = {"mid-header": last[:head_len // 2], "mid-body": last[:head_len + 100],
            "at-packet-end": b""}[cut]

    def script(conn, peer):
        peer.login(conn)
        conn.sendall(whole + tail)
        peer.close(conn)

    with Peer(script) as peer:
        con = connect(peer)
        # Every event that fully arrived comes out once, in order, then the drop.
        assert within(seqs, con, 5, False) == [0, 1, 2, 3, 4]
        assert con.connected() == 1   # the close is not seen until the next read
        assert within(con.recvEvent).getType() == "SERVER_DISCONNECTED"
        assert_down(con)


@pytest.mark.parametrize("cut", ["before-reply", "mid-reply-header", "mid-reply-body"])
def test_server_closes_while_a_command_waits(cut):
    events = b"".join(seq_event(i) for i in range(3))
    answer = api_response(b"+OK " + b"x" * 100 + b"\n")
    tail = {"before-reply": b"", "mid-reply-header": answer[:15],
            "mid-reply-body": answer[:-20]}[cut]

    def script(conn, peer):
        peer.login(conn)
        peer.read_command(conn)
        conn.sendall(events + tail)
        peer.close(conn)

    with Peer(script) as peer:
        con = connect(peer)
        assert within(con.api, "status") is None
        # Difference from the C library (API.md 5.3), which refuses every receive once the
        # command failed: the events that fully arrived while it waited are still delivered,
        # in order, and only then does the connection read as gone.
        assert con.connected() == 0
        assert within(seqs, con, 3) == [0, 1, 2]
        assert_down(con)


def test_reply_then_close_keeps_the_queued_events():
    def script(conn, peer):
        peer.login(conn)
        peer.read_command(conn)
        conn.sendall(b"".join(seq_event(i) for i in range(3)) + api_response(b"+OK\n")
                     + seq_event(3))
        peer.close(conn)

    with Peer(script) as peer:
        con = connect(peer)
        assert within(con.api, "status").getBody() == "+OK\n"
        assert con.connected() == 1
        assert within(seqs, con, 4) == [0, 1, 2, 3]
        assert within(con.recvEventTimed, 5000) is None
        assert con.connected() == 0


# -- slow and fast peers ---------------------------------------------------------------------

def test_byte_by_byte_delivery():
    events = [seq_event(i, pad=(0, 7, 0, 30)[i]) for i in range(4)]
    json_ev = (b"Content-Type: text/event-json\nContent-Length: 57\n\n"
               b'{"Event-Name":"CUSTOM","Seq":"4","_body":"json body\\n x"}')
    answer = api_response(b"UP 0 years\n")

    def trickle(conn, data):
        for i in range(len(data)):
            conn.sendall(data[i:i + 1])

    def script(conn, peer):
        trickle(conn, GREETING)
        assert peer.read_command(conn) == b"auth ClueCon\n\n"
        trickle(conn, b"Content-Type: command/reply\r\nReply-Text: +OK accepted\n\r\n")
        assert peer.read_command(conn) == b"api status \n\n"
        trickle(conn, events[0] + events[1] + answer + events[2] + events[3] + json_ev)

    with Peer(script) as peer:
        con = connect(peer)
        assert con.connected() == 1
        reply_event = within(con.api, "status")
        assert reply_event.getBody() == "UP 0 years\n"
        assert reply_event.getHeader("Content-Type") == "api/response"
        got = [within(con.recvEventTimed, 5000) for _ in range(5)]
        assert [e.getHeader("Seq") for e in got] == ["0", "1", "2", "3", "4"]
        assert [e.getBody() for e in got] == [None, "p" * 7, None, "p" * 30, "json body\n x"]
        assert within(con.recvEventTimed, 100) is None
        assert con.connected() == 1


def _burst(n):
    blob = b"".join(seq_event(i) for i in range(n))

    def script(conn, peer):
        peer.login(conn)
        assert peer.read_command(conn) == b"api echo burst\n\n"
        conn.sendall(blob + api_response(b"burst\n") + seq_event(n))
        assert peer.read_command(conn) == b"api echo after\n\n"
        conn.sendall(api_response(b"after\n"))

    with Peer(script) as peer:
        con = connect(peer)
        answer = within(con.api, "echo", "burst")
        assert answer.getBody() == "burst\n"
        assert within(con.api, "echo", "after").getBody() == "after\n"
        got = within(seqs, con, n + 1)
        assert got == list(range(n + 1))          # each once, in arrival order
        assert within(con.recvEventTimed, 50) is None
        assert con.connected() == 1


def test_burst_of_events_between_command_and_reply():
    _burst(10000)


@pytest.mark.stress
def test_burst_of_events_between_command_and_reply_stress():
    _burst(100000)


def test_oversized_frame_refused_with_bounded_memory():
    tracemalloc = need_tracemalloc()

    def script(conn, peer):
        peer.login(conn)
        conn.sendall(seq_event(0) + b"Content-Type: text/event-plain\nContent-Length: 16777217\n\n")
        try:
            for _ in range(64):          # keep streaming a body the client must not buffer
                conn.sendall(b"z" * 65536)
        except OSError:
            pass                         # the client closed on us: expected

    with Peer(script) as peer:
        con = connect(peer)
        assert within(seqs, con, 1) == [0]
        tracemalloc.start()
        try:
            event = within(con.recvEvent)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert event.getType() == "SERVER_DISCONNECTED"
        assert peak < 1024 * 1024
        assert_down(con)


# -- a peer that stops reading ---------------------------------------------------------------

def test_disconnect_unblocks_a_sender_stuck_on_a_peer_that_never_reads():
    stop = threading.Event()

    def script(conn, peer):
        peer.login(conn)
        stop.wait(WATCHDOG)              # never reads again

    with Peer(script, rcvbuf=4096) as peer:
        con = connect(peer)
        result = {}

        def call():
            result["api"] = con.api("echo", "x" * (32 << 20))
        sender = threading.Thread(target=call, daemon=True)
        sender.start()
        sender.join(0.5)
        assert sender.is_alive()         # blocked: the peer does not read
        assert con.disconnect() == 0
        sender.join(WATCHDOG)
        stop.set()
        assert not sender.is_alive()
        assert result["api"] is None
        assert_down(con)


def _mutual_flood(events, command_size):
    """The peer floods events and reads nothing until the flood is sent; meanwhile the
    client sends a command larger than every socket buffer on the way. A blocking client
    that only writes deadlocks here; ours reads while it writes."""
    blob = b"".join(seq_event(i, pad=1000) for i in range(events))

    def script(conn, peer):
        peer.login(conn)
        conn.sendall(blob)               # blocks until the client reads
        peer.widen(conn)
        cmd = peer.read_command(conn)
        assert cmd == b"api echo " + b"y" * command_size + b"\n\n"
        conn.sendall(api_response(b"done\n"))

    with Peer(script, rcvbuf=4096, sndbuf=65536) as peer:
        con = connect(peer)
        answer = within(con.api, "echo", "y" * command_size)
        assert answer is not None and answer.getBody() == "done\n"
        assert within(seqs, con, events) == list(range(events))
        assert within(con.recvEventTimed, 50) is None
        assert con.connected() == 1


def test_sending_a_large_command_while_the_peer_floods_does_not_deadlock():
    _mutual_flood(events=2000, command_size=8 << 20)


@pytest.mark.stress
def test_sending_a_large_command_while_the_peer_floods_does_not_deadlock_stress():
    _mutual_flood(events=60000, command_size=64 << 20)


def test_a_stuck_raw_send_does_not_stop_another_thread_reading_events():
    n = 3000
    release = threading.Event()

    def script(conn, peer):
        peer.login(conn)
        conn.sendall(b"".join(seq_event(i, pad=1000) for i in range(n)))
        release.wait(WATCHDOG)           # start reading only once every event was taken
        peer.widen(conn)
        cmd = peer.read_command(conn)
        assert len(cmd) == (8 << 20) + 2
        conn.sendall(reply("+OK"))

    with Peer(script, rcvbuf=4096, sndbuf=4096) as peer:
        con = connect(peer)
        sent = {}
        sender = threading.Thread(target=lambda: sent.setdefault("rc", con.send("s" * (8 << 20))),
                                  daemon=True)
        sender.start()
        got = within(seqs, con, n)
        assert got == list(range(n))
        release.set()
        sender.join(WATCHDOG)
        assert sent == {"rc": 0}
        reply_event = within(con.recvEventTimed, 5000)
        assert reply_event.getHeader("Reply-Text") == "+OK"
        assert con.connected() == 1


# -- descriptors above FD_SETSIZE ------------------------------------------------------------

@contextlib.contextmanager
def high_descriptors(above=1100):
    """Occupy descriptors so that sockets opened inside get numbers above ``above`` (past
    select()'s FD_SETSIZE of 1024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < above + 100:
        if hard != resource.RLIM_INFINITY and hard < above + 100:
            pytest.skip("cannot open %d descriptors" % (above + 100))
        resource.setrlimit(resource.RLIMIT_NOFILE, (above + 100, hard))
    held = []
    try:
        while not held or held[-1] < above:
            held.append(os.open(os.devnull, os.O_RDONLY))
        yield
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_recv_event_timed_times_out_on_a_descriptor_above_fd_setsize():
    release = threading.Event()

    def script(conn, peer):
        peer.login(conn)
        release.wait(WATCHDOG)
        conn.sendall(seq_event(7))

    with high_descriptors():
        with Peer(script) as peer:
            con = connect(peer)
            assert con.socketDescriptor() > 1024
            # Nothing arrives: the timed wait must time out, not block until data comes.
            assert within(con.recvEventTimed, 50, timeout=5) is None
            release.set()
            assert within(seqs, con, 1) == [7]
            assert con.connected() == 1
