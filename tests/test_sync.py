"""ESL.sync over real sockets: the simulator, silent and refusing servers (tests/modern.py)."""
import subprocess
import sys
import threading
import time

import pytest
from conftest import need_tracemalloc
from modern import (LONG_TONE, TONE, TONE_SECONDS, CountingRefuser, Streamer, fire_custom,
                    modern_sim, originate_to, restart, silent_server, wait_for)

from ESL.exceptions import (AuthenticationError, ChannelHungUp, CommandError, ConnectionClosed,
                            Timeout)
from ESL.sync import connect, serve


sim = modern_sim


@pytest.fixture
def outbound():
    """``start(handler)`` -> a running Server on a free port (shut down at the end)."""
    servers = []

    def start(handler):
        server = serve(handler, port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.shutdown(timeout=5)


def test_import_ESL_alone_imports_nothing_new():
    code = "import sys, ESL; print(sorted(m for m in sys.modules if m.startswith('ESL')))"
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    loaded = set(eval(out))
    assert "ESL.connection" in loaded
    assert not loaded & {"ESL.sync", "ESL.asyncio", "ESL.datastructures", "ESL.exceptions",
                         "ESL.protocol.client", "ESL._sockopts", "ESL.sim"}


def test_api_timeout_then_the_next_api_gets_its_own_reply(sim):
    with connect("127.0.0.1", sim.port) as conn:
        started = time.monotonic()
        with pytest.raises(Timeout):
            conn.api("msleep", "1000", timeout=0.2)
        assert time.monotonic() - started < 0.9     # gave up before the reply came
        assert conn.api("echo", "mine") == "mine"   # not the late "+OK" of msleep
        assert conn.api("msleep", "10") == "+OK"


def test_eight_threads_of_api_while_events_stream(sim):
    replies = {}
    with connect("127.0.0.1", sim.port) as conn, Streamer(sim.port, "test::stream") as streamer:
        conn.subscribe("CUSTOM", "test::stream")
        received = []
        consumer = threading.Thread(target=lambda: received.extend(
            e for e in conn if e.subclass == "test::stream"), daemon=True)
        consumer.start()

        def worker(n):
            replies[n] = [(k, conn.api("echo", "thread %d call %d" % (n, k)))
                          for k in range(50)]
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert wait_for(lambda: len(received) > 0)
    consumer.join(10)
    assert sorted(replies) == list(range(8))
    for n, calls in replies.items():
        assert calls == [(k, "thread %d call %d" % (n, k)) for k in range(50)]
    assert streamer.sent > 0 and conn.dropped == 0
    seqs = [int(e["Seq"]) for e in received]
    assert seqs == sorted(seqs)                     # in order, none twice


def test_bgapi_job_result_and_failed_job(sim):
    with connect("127.0.0.1", sim.port) as conn:
        job = conn.bgapi("echo", "background")
        assert len(job.uuid) == 36
        assert job.result(timeout=5) == "background"
        assert job.done() and job.event["Job-UUID"] == job.uuid
        failed = conn.bgapi("nosuchcommand", job_uuid="my-own-job-uuid")
        with pytest.raises(CommandError) as info:
            failed.result(timeout=5)
        assert info.value.reply["Job-UUID"] == "my-own-job-uuid"
        assert str(info.value) == "-ERR nosuchcommand Command not found!"
        assert conn.bgapi("nosuchcommand", check=False).result(5).startswith("-ERR")
        with pytest.raises(Timeout):
            conn.recv(timeout=0.2)      # BACKGROUND_JOB stayed internal


def test_execute_playback_in_an_outbound_handler_waits_for_the_tone(sim, outbound):
    done = []

    def handler(conn):
        conn.execute("answer")
        started = time.monotonic()
        event = conn.execute("playback", TONE)
        done.append((time.monotonic() - started, event, conn.uuid, conn.channel))
    server = outbound(handler)
    with connect("127.0.0.1", sim.port) as ctl:
        uuid = ctl.api("originate", originate_to(server.port)).split()[1]
        assert wait_for(lambda: done)
    elapsed, event, call_uuid, channel = done[0]
    assert elapsed >= TONE_SECONDS * 0.95         # not back before the tone ended
    assert event.name == "CHANNEL_EXECUTE_COMPLETE" and event["Application"] == "playback"
    assert event["Application-Response"] == "FILE PLAYED" and event.uuid == uuid
    assert call_uuid == uuid and channel["Channel-Name"] == "loopback/9998-a"


def test_hangup_during_execute_raises_channel_hung_up(sim, outbound):
    outcome = []
    playing = threading.Event()

    def handler(conn):
        conn.subscribe("CHANNEL_EXECUTE")
        try:
            playing.set()
            conn.execute("playback", LONG_TONE)
            outcome.append("returned")
        except ChannelHungUp as exc:
            outcome.append(exc)
    server = outbound(handler)
    with connect("127.0.0.1", sim.port) as ctl:
        uuid = ctl.api("originate", originate_to(server.port)).split()[1]
        assert playing.wait(10)
        time.sleep(0.2)
        ctl.api("uuid_kill", uuid)
        assert wait_for(lambda: outcome)
    assert isinstance(outcome[0], ChannelHungUp) and outcome[0].uuid == uuid


def test_connect_to_a_server_that_never_greets_times_out():
    with silent_server() as port:
        started = time.monotonic()
        with pytest.raises(Timeout):
            connect("127.0.0.1", port, timeout=0.5)
        assert time.monotonic() - started < 5


def test_wrong_password_is_final():
    with CountingRefuser() as server:
        with pytest.raises(AuthenticationError):
            connect("127.0.0.1", server.port, "wrong", reconnect=True)
        time.sleep(1.0)                             # a retry would have come by now
        assert server.logins == 1


def test_reconnect_replays_subscription_and_filter(sim):
    conn = connect("127.0.0.1", sim.port, reconnect=True, timeout=5)
    try:
        conn.subscribe("CUSTOM", "test::a", "test::b")
        conn.filter("X-Keep", "yes")
        sim = restart(sim)
        gap = conn.recv(timeout=30)
        assert gap.name == "SERVER_DISCONNECTED" and gap["Reconnecting"] == "true"
        assert conn.api("echo", "back", timeout=30) == "back"
        assert conn.reconnects == 1
        fire_custom(sim.port, "test::a", X_Keep="no")       # filtered out
        fire_custom(sim.port, "test::c", X_Keep="yes")      # not subscribed
        fire_custom(sim.port, "test::b", X_Keep="yes")
        event = conn.recv(timeout=5)
        assert (event.subclass, event["X-Keep"]) == ("test::b", "yes")
        with pytest.raises(Timeout):
            conn.recv(timeout=0.3)
    finally:
        conn.close()
        sim.stop()


def test_dropped_counts_under_a_stalled_consumer_and_memory_stays_flat(sim):
    tracemalloc = need_tracemalloc()
    with connect("127.0.0.1", sim.port, max_queue=100) as conn:
        conn.subscribe("CUSTOM", "test::flood")
        body = "x" * 1000
        tracemalloc.start()
        try:
            fire_custom(sim.port, "test::flood", 500, body=body)
            assert wait_for(lambda: conn.dropped == 400)
            after_first, _ = tracemalloc.get_traced_memory()
            fire_custom(sim.port, "test::flood", 2000, body=body)
            assert wait_for(lambda: conn.dropped == 2400)
            after_second, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # 2000 more events of over 1 kB passed through; keeping them would take 2 MB.
        assert after_second - after_first < 500 * 1024
        seqs = [int(conn.recv(timeout=1)["Seq"]) for _ in range(100)]
        assert seqs == list(range(1900, 2000))      # the newest stayed, the oldest went
        with pytest.raises(Timeout):
            conn.recv(timeout=0.2)


def test_a_handler_exception_does_not_stop_serve(sim, outbound, caplog):
    calls = []

    def handler(conn):
        calls.append(conn.uuid)
        if len(calls) == 1:
            raise RuntimeError("handler bug")
        conn.execute("answer")
    server = outbound(handler)
    with connect("127.0.0.1", sim.port) as ctl:
        ctl.subscribe("CHANNEL_HANGUP_COMPLETE")
        first = ctl.api("originate", originate_to(server.port)).split()[1]
        hangup = next(e for e in ctl if e.uuid == first)
        assert hangup["Hangup-Cause"] == "NORMAL_TEMPORARY_FAILURE"
        second = ctl.api("originate", originate_to(server.port)).split()[1]
        assert wait_for(lambda: len(calls) == 2)
    assert calls == [first, second]
    assert any("handler failed" in r.message for r in caplog.records)


def test_calls_on_a_closed_connection_raise(sim):
    conn = connect("127.0.0.1", sim.port)
    conn.close()
    assert conn.closed
    with pytest.raises(ConnectionClosed):
        conn.api("status")
    with pytest.raises(ConnectionClosed):
        conn.recv(timeout=1)
    assert list(conn) == []


def test_liveness_closes_a_link_that_went_quiet(sim):
    # The simulator sends nothing unprompted without a HEARTBEAT subscription.
    with connect("127.0.0.1", sim.port, liveness=0.5) as conn:
        started = time.monotonic()
        with pytest.raises(ConnectionClosed):
            conn.recv(timeout=30)
        assert time.monotonic() - started < 20 and conn.closed
