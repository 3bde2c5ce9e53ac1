"""Concurrency against the simulator: many threads on one connection while events stream, and
an outbound ``socketserver.ThreadingTCPServer`` taking hundreds of simultaneous calls without
leaking threads or file descriptors."""
import os
import socketserver
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest import socket_dialplan_conf  # noqa: E402
from test_faults import high_descriptors  # noqa: E402

from ESL import ESLconnection, ESLevent  # noqa: E402
from ESL.sim import Simulator  # noqa: E402

SETTLE = 30.0   # seconds allowed for background threads to wind down (only reached on failure)


def open_fds():
    """Descriptor number -> what it points to, for this process."""
    out = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            out[name] = os.readlink("/proc/self/fd/" + name)
        except OSError:   # the directory handle listdir itself used
            pass
    return out


def settle(predicate, timeout=SETTLE):
    """Wait until ``predicate()`` is true (background threads finishing); return its value."""
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


# -- many threads, one connection ------------------------------------------------------------

def _threads_on_one_connection(workers, calls, events):
    with Simulator(port=0) as sim:
        con = ESLconnection("127.0.0.1", sim.port, "ClueCon")
        producer = ESLconnection("127.0.0.1", sim.port, "ClueCon")
        assert con.connected() == producer.connected() == 1
        assert con.events("plain", "CUSTOM robust::seq") == 0

        replies = {}
        received = []
        failures = []
        done = threading.Event()

        def worker(w):
            try:
                for i in range(calls):
                    tag = "w%d-c%d" % (w, i)
                    answer = con.api("echo", tag)
                    replies[tag] = answer.getBody() if answer is not None else None
            except Exception as exc:   # reported below
                failures.append(exc)

        def produce():
            for i in range(events):
                ev = ESLevent("CUSTOM", "robust::seq")
                ev.addHeader("Seq", str(i))
                producer.sendEvent(ev)

        def read():
            deadline = time.monotonic() + 60
            while len(received) < events and time.monotonic() < deadline:
                ev = con.recvEventTimed(5)
                if ev is not None:
                    received.append(ev)
            done.set()

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
        threads += [threading.Thread(target=produce), threading.Thread(target=read)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not any(t.is_alive() for t in threads)
        assert failures == []
        # Every caller got its own reply: nothing swapped, nothing missing.
        assert len(replies) == workers * calls
        assert all(body == tag for tag, body in replies.items()), \
            [(t, b) for t, b in replies.items() if b != t][:5]
        # Every event exactly once, in the order it was fired, none of them a reply.
        assert [e.getType() for e in received[:1]] == ["CUSTOM"]
        assert [int(e.getHeader("Seq")) for e in received] == list(range(events))
        assert {e.getHeader("Event-Subclass") for e in received} == {"robust::seq"}
        assert con.recvEventTimed(100) is None
        assert con.connected() == 1
        con.disconnect()
        producer.disconnect()


def test_threads_calling_api_while_events_stream():
    _threads_on_one_connection(workers=8, calls=60, events=1500)


@pytest.mark.stress
def test_threads_calling_api_while_events_stream_stress():
    _threads_on_one_connection(workers=32, calls=300, events=30000)


# -- outbound: hundreds of simultaneous calls ------------------------------------------------



class _Server(socketserver.ThreadingTCPServer):
    # The default backlog (5) overflows when hundreds of calls connect at once; the kernel
    # then delays connections for seconds (SYN retries).
    request_queue_size = 1024
    daemon_threads = False      # server_close() joins every handler thread
    block_on_close = True
    allow_reuse_address = True


def _outbound_calls(calls, tmp_path):
    barrier = threading.Barrier(calls, timeout=60)
    results = []
    errors = []
    lock = threading.Lock()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            try:
                con = ESLconnection(self.request.fileno())
                info = con.getInfo()
                uuid = info.getHeader("Unique-ID")
                barrier.wait()   # every call is connected at the same time
                answer = con.execute("hangup", "NORMAL_CLEARING", uuid)
                with lock:
                    results.append((uuid, info.getHeader("Caller-Destination-Number"),
                                    answer.getHeader("Reply-Text")))
                con.disconnect()
            except Exception as exc:   # reported by the test
                with lock:
                    errors.append(exc)

    with Simulator(conf_dir=str(tmp_path), port=0) as sim:
        inbound = ESLconnection("127.0.0.1", sim.port, "ClueCon")
        assert inbound.connected() == 1
        fds_before = open_fds()
        threads_before = threading.active_count()

        server = _Server(("127.0.0.1", 0), Handler)
        socket_dialplan_conf(tmp_path, server.server_address[1])
        assert inbound.api("reloadxml").getBody().startswith("+OK")
        serving = threading.Thread(target=server.serve_forever)
        serving.start()
        for _ in range(calls):
            reply = inbound.bgapi("originate", "loopback/9999/default &park")
            assert reply.getHeader("Reply-Text").startswith("+OK Job-UUID")
        assert settle(lambda: len(results) + len(errors) >= calls, 90)
        server.shutdown()
        server.server_close()   # joins the handler threads
        serving.join()

        assert errors == []
        assert len(results) == calls
        assert len({uuid for uuid, _, _ in results}) == calls
        assert {(dest, text) for _, dest, text in results} == {("9999", "+OK")}
        # The switch hung every call up and closed every outbound socket ...
        assert settle(lambda: sim.channel_count() == 0 and sim.connection_count() == 1)
        # ... and nothing is left behind in this process: same descriptors, same threads.
        assert settle(lambda: open_fds() == fds_before), \
            sorted(set(open_fds().items()) ^ set(fds_before.items()))
        assert settle(lambda: threading.active_count() == threads_before), \
            [t.name for t in threading.enumerate()]
        assert inbound.api("status").getBody().startswith("UP ")
        inbound.disconnect()


def test_outbound_server_handles_200_concurrent_calls(tmp_path):
    socket_dialplan_conf(tmp_path, 1)
    _outbound_calls(200, tmp_path)


@pytest.mark.stress
def test_outbound_server_handles_1000_concurrent_calls_stress(tmp_path):
    socket_dialplan_conf(tmp_path, 1)
    _outbound_calls(1000, tmp_path)


def test_simulator_serves_connections_on_descriptors_above_fd_setsize():
    with high_descriptors():
        with Simulator(port=0) as sim:
            con = ESLconnection("127.0.0.1", sim.port, "ClueCon")
            assert con.connected() == 1
            assert con.api("echo", "high").getBody() == "high"
            con.disconnect()
