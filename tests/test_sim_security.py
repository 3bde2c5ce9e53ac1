"""Simulator security: who gets in, what they may do, what leaks, and what bad clients cannot
do to the others. Raw sockets are used where the exact server bytes matter."""
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest
from conftest import need_tracemalloc

from ESL import ESLconnection, ESLevent
from ESL.protocol.framing import PacketReader
from ESL.protocol import server as server_protocol
from ESL.protocol.server import MAX_BLOCK, MAX_BODY
from ESL.sim import Simulator

FS_CONF = os.path.join(os.path.dirname(__file__), "data", "sim", "fs-conf")
WATCH = 20.0      # socket timeout: only reached when the server hangs
GOODBYE = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"


class Raw:
    """A bare client socket that reads server packets with the protocol core."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WATCH)
        self.reader = PacketReader()
        self.raw = bytearray()

    def packet(self):
        """The next packet, or None at EOF."""
        while True:
            packet = self.reader.next_packet()
            if packet is not None:
                return packet
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:
                return None
            self.raw += data
            self.reader.feed(data)

    def send(self, data: bytes):
        self.sock.sendall(data)

    def cmd(self, text: str):
        """Send a command; return the next packet."""
        self.send(text.encode() + b"\n\n")
        return self.packet()

    def rest(self):
        """Every packet until EOF, as (content type, reply text or body)."""
        out = []
        while True:
            packet = self.packet()
            if packet is None:
                return out
            out.append((packet.content_type, packet.header("Reply-Text") or packet.body))

    def close(self):
        self.sock.close()


def greeted(port):
    raw = Raw(port)
    assert raw.packet().content_type == "auth/request"
    return raw


def reply_text(packet):
    return packet.header("Reply-Text")


def conf_with(tmp_path, settings: str) -> str:
    """A copy of the shared FreeSWITCH configuration with other event_socket settings."""
    conf = tmp_path / "conf"
    shutil.copytree(FS_CONF, conf)
    (conf / "autoload_configs" / "event_socket.conf.xml").write_text(
        '<configuration name="event_socket.conf" description="Socket Client">\n'
        "  <settings>\n%s  </settings>\n</configuration>\n" % settings)
    return str(conf)


# -- binding ---------------------------------------------------------------------------------

def test_binds_loopback_by_default():
    for kwargs in ({}, {"host": None}, {"host": None, "conf_dir": FS_CONF}):
        with Simulator(port=0, **kwargs) as sim:
            assert sim.address[0] == "127.0.0.1"
            assert sim._server.getsockname()[0] == "127.0.0.1"


def test_command_line_simulator_binds_loopback():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
        + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    proc = subprocess.Popen([sys.executable, "-m", "ESL.sim", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        line = proc.stdout.readline().decode()
    finally:
        proc.terminate()
        proc.communicate(timeout=WATCH)
    assert line.startswith("ESL.sim listening on 127.0.0.1:"), line


# -- password --------------------------------------------------------------------------------

@pytest.mark.parametrize("attempt", ["ClueCo", "ClueCon ", " ClueCon", "clueCon", "", "ClueConX",
                                     "ClueCon\x00", "ClueCon%00"])
def test_wrong_password_is_refused_and_the_connection_closed(attempt):
    with Simulator(port=0) as sim:
        raw = greeted(sim.port)
        first = raw.cmd("auth " + attempt)
        assert reply_text(first) == "-ERR invalid"
        # A second try on the same connection is not possible: notice, then EOF.
        raw.send(b"auth ClueCon\n\n")
        assert raw.rest() == [("text/disconnect-notice", GOODBYE)]
        raw.close()
        if "\x00" not in attempt:   # the client binding cuts arguments at NUL (SWIG rule)
            assert ESLconnection("127.0.0.1", sim.port, attempt).connected() == 0
        assert ESLconnection("127.0.0.1", sim.port, "ClueCon").connected() == 1


def test_nothing_works_before_auth():
    with Simulator(port=0) as sim:
        raw = greeted(sim.port)
        for cmd in ("api status", "bgapi status", "event plain ALL", "log 7",
                    "sendevent CUSTOM", "filter Event-Name HEARTBEAT", "myevents", "connect"):
            packet = raw.cmd(cmd)
            assert (packet.content_type, reply_text(packet)) == (
                "command/reply", "-ERR command not found"), cmd
        # No event reaches the unauthenticated socket, whatever it asked for.
        fired = ESLconnection("127.0.0.1", sim.port, "ClueCon")
        fired.sendEvent(ESLevent("CUSTOM", "sec::probe"))
        assert reply_text(raw.cmd("auth ClueCon")) == "+OK accepted"
        assert reply_text(raw.cmd("noevents")) == "-ERR not listening for events"
        raw.close()


def test_idle_and_slow_unauthenticated_clients_are_dropped():
    with Simulator(port=0, auth_timeout=0.5) as sim:
        idle = greeted(sim.port)
        slow = greeted(sim.port)
        stop = threading.Event()

        def drip():   # a command that never completes, one byte at a time
            try:
                while not stop.wait(0.05):
                    slow.send(b"a")
            except OSError:
                pass
        dripper = threading.Thread(target=drip)
        dripper.start()
        try:
            assert idle.rest() == [("text/disconnect-notice", GOODBYE)]
            assert slow.rest() == [("text/disconnect-notice", GOODBYE)]
        finally:
            stop.set()
            dripper.join()
        idle.close()
        slow.close()
        assert _settle(lambda: sim.connection_count() == 0)


# -- ACL -------------------------------------------------------------------------------------

@pytest.mark.parametrize("acls,allowed", [
    (["domains"], False),                    # a list whose default is deny
    (["10.0.0.0/8"], False),                 # a CIDR that does not hold 127.0.0.1
    (["loopback.auto", "10.0.0.0/8"], False),  # every list must pass
    (["no-such-list"], False),
    (["127.0.0.0/8"], True),
    (["loopback.auto"], True),
])
def test_inbound_acl(tmp_path, acls, allowed):
    settings = ('    <param name="listen-ip" value="127.0.0.1"/>\n'
                '    <param name="password" value="ClueCon"/>\n'
                + "".join('    <param name="apply-inbound-acl" value="%s"/>\n' % a for a in acls))
    with Simulator(conf_dir=conf_with(tmp_path, settings), port=0) as sim:
        raw = Raw(sim.port)
        if allowed:
            assert raw.packet().content_type == "auth/request"
            assert reply_text(raw.cmd("auth ClueCon")) == "+OK accepted"
        else:
            assert raw.rest() == [("text/rude-rejection", "Access Denied, go away.\n"),
                                  ("text/disconnect-notice", GOODBYE)]
        raw.close()
        assert ESLconnection("127.0.0.1", sim.port, "ClueCon").connected() == int(allowed)


# -- userauth permissions --------------------------------------------------------------------

def test_userauth_full_user():
    with Simulator(conf_dir=FS_CONF, port=0) as sim:
        raw = greeted(sim.port)
        packet = raw.cmd("userauth esluser@esl.local:eslpass")
        assert reply_text(packet) == "+OK accepted"
        assert (packet.header("Allowed-Events"), packet.header("Allowed-API"),
                packet.header("Allowed-LOG")) == ("all", "all", "true")
        assert reply_text(raw.cmd("event plain ALL")) == "+OK event listener enabled plain"
        assert reply_text(raw.cmd("log 7")).startswith("+OK log level")
        assert raw.cmd("api show calls").content_type == "api/response"
        raw.close()


@pytest.mark.parametrize("spec", [
    "esluser@esl.local:wrong", "esluser@esl.local:", "esluser:eslpass", "nobody@esl.local:eslpass",
    "esluser@other.domain:eslpass", "@esl.local:eslpass", "esluser@esl.local:eslpassX"])
def test_userauth_refused(spec):
    with Simulator(conf_dir=FS_CONF, port=0) as sim:
        raw = greeted(sim.port)
        assert reply_text(raw.cmd("userauth " + spec)) == "-ERR invalid"
        raw.send(b"api status\n\n")
        assert raw.rest() == [("text/disconnect-notice", GOODBYE)]
        raw.close()
        user, _, password = spec.rpartition(":")
        assert ESLconnection("127.0.0.1", sim.port, user, password).connected() == 0


def test_userauth_limited_user_permissions():
    with Simulator(conf_dir=FS_CONF, port=0) as sim:
        raw = greeted(sim.port)
        packet = raw.cmd("userauth limited@esl.local:limpass")
        assert reply_text(packet) == "+OK accepted"
        assert (packet.header("Allowed-Events"), packet.header("Allowed-API"),
                packet.header("Allowed-LOG")) == ("CHANNEL_CREATE,HEARTBEAT,CUSTOM,esl::test",
                                                  "status,uptime", "false")
        denied = "-ERR permission denied"
        # api: only status and uptime, also through bgapi.
        assert raw.cmd("api status").body.startswith("UP ")
        assert raw.cmd("api uptime").content_type == "api/response"
        for cmd in ("api show calls", "api echo hi", "api bgapi status", "api originate x",
                    "api STATUS", "api  status"):
            assert reply_text(raw.cmd(cmd)) == denied, cmd
        assert reply_text(raw.cmd("bgapi show calls")) == denied
        assert reply_text(raw.cmd("bgapi status")).startswith("+OK Job-UUID: ")
        # log: refused.
        assert reply_text(raw.cmd("log 7")) == denied
        # events: only the listed types and subclasses.
        for cmd in ("event plain ALL", "event plain all", "event plain SWITCH_EVENT_ALL",
                    "event plain CHANNEL_ANSWER", "event json BACKGROUND_JOB",
                    "event plain CUSTOM other::sub"):
            assert reply_text(raw.cmd(cmd)) == denied, cmd
        assert reply_text(raw.cmd("event plain CHANNEL_CREATE HEARTBEAT CUSTOM esl::test")) == \
            "+OK event listener enabled plain"
        # What arrives is only what was allowed: fire allowed and other events.
        admin = ESLconnection("127.0.0.1", sim.port, "ClueCon")
        for subclass in ("other::sub", "esl::test", "esl::other", "esl::test"):
            ev = ESLevent("CUSTOM", subclass)
            ev.addHeader("Probe", subclass)
            admin.sendEvent(ev)
        admin.sendEvent(ESLevent("CHANNEL_ANSWER"))
        admin.sendEvent(ESLevent("BACKGROUND_JOB"))
        marker = ESLevent("CUSTOM", "esl::test")
        marker.addHeader("Probe", "last")
        admin.sendEvent(marker)
        got = []
        while not got or got[-1] != "last":
            packet = raw.packet()
            assert packet is not None
            if packet.content_type == "text/event-plain":
                event = ESLevent._from_plain(packet.body)
                got.append(event.getHeader("Probe") or event.getType())
        assert got == ["esl::test", "esl::test", "last"]
        raw.close()


# -- secrets stay out of logs ----------------------------------------------------------------

def test_passwords_never_reach_logs_or_events(caplog, capfd):
    secret = "Zq7-sekrit-3141"
    wrong = "Zq7-wrong-2718"
    with Simulator(conf_dir=FS_CONF, port=0, password=secret) as sim:
        watcher = greeted(sim.port)
        assert reply_text(watcher.cmd("userauth esluser@esl.local:eslpass")) == "+OK accepted"
        assert reply_text(watcher.cmd("log 7")).startswith("+OK log level")
        assert reply_text(watcher.cmd("event plain ALL")).startswith("+OK event listener")
        assert ESLconnection("127.0.0.1", sim.port, secret).connected() == 1
        assert ESLconnection("127.0.0.1", sim.port, wrong).connected() == 0
        assert ESLconnection("127.0.0.1", sim.port, "limited@esl.local", wrong).connected() == 0
        assert ESLconnection("127.0.0.1", sim.port, "limited@esl.local", "limpass").connected() == 1
        raw = greeted(sim.port)
        raw.cmd("auth " + wrong)
        raw.close()
        # A log line and an event as end markers: everything before them was delivered.
        admin = ESLconnection("127.0.0.1", sim.port, secret)
        admin.api("log", "INFO end-of-test-marker")
        admin.sendEvent(ESLevent("CUSTOM", "sec::end"))
        seen_log = seen_event = False
        while not (seen_log and seen_event):
            packet = watcher.packet()
            assert packet is not None
            seen_log |= packet.content_type == "log/data" and "end-of-test-marker" in packet.body
            seen_event |= "sec%3A%3Aend" in (packet.body or "")
        watcher.close()
    out, err = capfd.readouterr()
    text = (bytes(watcher.raw).decode("utf-8", "replace") + out + err + caplog.text)
    for password in (secret, wrong, "limpass", "eslpass"):
        assert password not in text
        assert password.encode().hex() not in text


# -- bad clients cannot hurt the others ------------------------------------------------------

def _settle(predicate, timeout=WATCH):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


def test_garbage_slow_and_stuck_clients_do_not_stall_others():
    rnd = random.Random(9)
    with Simulator(port=0) as sim:
        stop = threading.Event()
        bad = []

        def garbage():
            raw = Raw(sim.port)
            bad.append(raw)
            try:
                while not stop.is_set():
                    raw.send(bytes(rnd.getrandbits(8) for _ in range(4096)))
                    time.sleep(0.001)
            except OSError:
                pass

        def slow():
            raw = greeted(sim.port)
            bad.append(raw)
            raw.cmd("auth ClueCon")
            try:
                while not stop.wait(0.02):
                    raw.send(b"x")        # a command that never ends
            except OSError:
                pass

        # A client that subscribes to everything and never reads again.
        stuck = ESLconnection("127.0.0.1", sim.port, "ClueCon")
        assert stuck.events("plain", "ALL") == 0
        threads = [threading.Thread(target=f) for f in (garbage, garbage, slow, slow)]
        for t in threads:
            t.start()
        try:
            good = ESLconnection("127.0.0.1", sim.port, "ClueCon")
            producer = ESLconnection("127.0.0.1", sim.port, "ClueCon")
            assert good.events("plain", "CUSTOM sec::flood") == 0
            big = "b" * 30000   # fills the stuck client's socket quickly
            for i in range(100):
                ev = ESLevent("CUSTOM", "sec::flood")
                ev.addHeader("Seq", str(i))
                ev.addBody(big)
                producer.sendEvent(ev)
                assert good.api("echo", "ping%d" % i).getBody() == "ping%d" % i
            seqs = []
            while len(seqs) < 100:
                event = good.recvEventTimed(int(WATCH * 1000))
                assert event is not None
                seqs.append(int(event.getHeader("Seq")))
            assert seqs == list(range(100))
            fresh = ESLconnection("127.0.0.1", sim.port, "ClueCon")
            assert fresh.connected() == 1
            fresh.disconnect()   # not left to the GC, which closes it late on PyPy
        finally:
            stop.set()
            for t in threads:
                t.join()
        for raw in bad:
            raw.close()
        stuck.disconnect()
        good.disconnect()
        producer.disconnect()
        assert _settle(lambda: sim.connection_count() == 0)


def test_many_idle_connections_do_not_lock_out_a_client():
    with Simulator(port=0, auth_timeout=1.0) as sim:
        idle = [greeted(sim.port) for _ in range(100)]
        con = ESLconnection("127.0.0.1", sim.port, "ClueCon")
        assert con.connected() == 1
        assert con.api("status").getBody().startswith("UP ")
        # The auth timeout frees every idle slot; the authenticated client stays.
        assert _settle(lambda: sim.connection_count() == 1)
        assert con.api("status").getBody().startswith("UP ")
        for raw in idle:
            assert raw.rest() == [("text/disconnect-notice", GOODBYE)]
            raw.close()


def test_connection_count_is_capped():
    with Simulator(port=0, max_connections=3) as sim:
        held = [greeted(sim.port) for _ in range(3)]
        assert _settle(lambda: sim.connection_count() == 3)
        extra = socket.create_connection(("127.0.0.1", sim.port), timeout=5)
        assert extra.recv(100) == b""        # closed without a greeting
        extra.close()
        refused = ESLconnection("127.0.0.1", sim.port, "ClueCon")
        assert refused.connected() == 0
        held.pop().close()
        assert _settle(lambda: sim.connection_count() == 2)
        con = ESLconnection("127.0.0.1", sim.port, "ClueCon")
        assert con.connected() == 1        # a freed slot is usable again
        con.disconnect()
        for raw in held:
            raw.close()


@pytest.mark.parametrize("length", [MAX_BODY + 1, -1])
def test_bad_content_length_ends_the_connection(length):
    with Simulator(port=0) as sim:
        raw = greeted(sim.port)
        assert reply_text(raw.cmd("auth ClueCon")) == "+OK accepted"
        raw.send(b"sendevent CUSTOM\nContent-Length: %d\n\n" % length)
        assert raw.rest() == [("text/disconnect-notice", GOODBYE)]
        raw.close()
        assert ESLconnection("127.0.0.1", sim.port, "ClueCon").api("status") is not None


def _oversized_block(block_limit):
    """Three blocks' worth of bytes without a line end: the server cuts a block at the limit
    and answers each as an unknown command; its memory stays a small multiple of the limit."""
    with Simulator(port=0) as sim:
        raw = greeted(sim.port)
        assert reply_text(raw.cmd("auth ClueCon")) == "+OK accepted"
        chunk = b"a" * 65536
        tracemalloc = need_tracemalloc()
        tracemalloc.start()
        try:
            for _ in range(3 * block_limit // len(chunk)):
                raw.send(chunk)
            replies = [raw.packet() for _ in range(3)]
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert [reply_text(p) for p in replies] == ["-ERR command not found"] * 3
        assert peak < 5 * block_limit + (1 << 20)
        assert raw.cmd("api echo still-here").body == "still-here"
        raw.close()


def test_oversized_command_block_is_cut_with_bounded_memory(monkeypatch):
    # The real limit is 10 MiB; the default run uses a smaller one to stay quick and the
    # stress run uses the real one.
    monkeypatch.setattr(server_protocol, "MAX_BLOCK", 256 * 1024)
    _oversized_block(256 * 1024)


@pytest.mark.stress
def test_oversized_command_block_is_cut_with_bounded_memory_stress():
    _oversized_block(MAX_BLOCK)
