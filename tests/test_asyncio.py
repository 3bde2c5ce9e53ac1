"""ESL.asyncio over real sockets: the ESL.sync scenarios (tests/modern.py peers) as coroutines,
plus what only asyncio has: cancellation, gather, a task per outbound call."""
import asyncio
import os
import subprocess
import sys
import time

import aio
import pytest
from conftest import need_tracemalloc
from modern import (LONG_TONE, TONE, TONE_SECONDS, CountingRefuser, Streamer, fire_custom,
                    modern_sim, originate_to, restart, silent_server)

from ESL.asyncio import Connection, Job, OutboundConnection, Server, connect, serve
from ESL.datastructures import Event
from ESL.exceptions import (AuthenticationError, ChannelHungUp, CommandError, ConnectionClosed,
                            Timeout)

sim = modern_sim        # the fixture shared with test_sync.py, under the name both use


def test_import_ESL_asyncio_imports_neither_sync_nor_threads_of_its_own():
    code = ("import sys, ESL.asyncio; "
            "print(sorted(m for m in sys.modules if m.startswith('ESL')))")
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    loaded = set(eval(out))
    assert "ESL.asyncio.connection" in loaded and "ESL.protocol.client" in loaded
    assert not loaded & {"ESL.sync", "ESL.sim"}


def test_same_event_and_exceptions_as_sync():
    import ESL.sync
    assert ESL.asyncio.Event is ESL.sync.Event is Event
    assert set(ESL.asyncio.__all__) == set(ESL.sync.__all__)


def test_import_ESL_alone_does_not_load_asyncio():
    code = "import sys, ESL; print('asyncio' in sys.modules, 'ESL.asyncio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    assert out.split() == ["False", "False"]


@aio.async_test
async def test_every_command_method_on_an_inbound_connection(sim):
    async with connect("127.0.0.1", sim.port) as conn:
        assert (await conn.subscribe("CUSTOM", "test::x"))["Reply-Text"].startswith("+OK")
        assert (await conn.filter("Seq", "1"))["Reply-Text"].startswith("+OK")
        fired = Event([("Event-Name", "CUSTOM"), ("Event-Subclass", "test::x"), ("Seq", "1")],
                      body="hello")
        assert (await conn.sendevent(fired))["Reply-Text"].startswith("+OK")
        event = await conn.recv(timeout=5)
        assert (event.subclass, event["Seq"], event.body) == ("test::x", "1", "hello")
        assert (await conn.filter_delete("Seq"))["Reply-Text"].startswith("+OK")
        assert (await conn.unsubscribe())["Reply-Text"].startswith("+OK")
        reply = await conn.command("api echo raw")
        assert reply.body == "raw"
        uuid = (await conn.api("originate", "loopback/9998/default &park")).split()[1]
        reply = await conn.execute("answer", uuid=uuid, wait=False)
        assert reply["Reply-Text"].startswith("+OK")
        done = await conn.execute("playback", TONE, uuid, timeout=10)
        assert done.name == "CHANNEL_EXECUTE_COMPLETE" and done.uuid == uuid
        with pytest.raises(ValueError):
            await conn.api("echo", "two\nlines")           # no command injection
        reply = await conn.sendmsg(uuid, {"call-command": "hangup",
                                          "hangup-cause": "NORMAL_CLEARING"})
        assert reply["Reply-Text"].startswith("+OK")
        with pytest.raises(Timeout):
            await conn.recv(timeout=0.2)    # unsubscribed; execute's events stayed internal


@aio.async_test
async def test_await_connect_and_async_with_connect(sim):
    conn = await connect("127.0.0.1", sim.port)
    assert isinstance(conn, Connection) and not conn.closed
    assert (await conn.api("echo", "awaited")) == "awaited"
    await conn.close()
    assert conn.closed
    async with connect("127.0.0.1", sim.port) as conn:
        assert (await conn.api("echo", "with")) == "with"
    assert conn.closed


@aio.async_test
async def test_api_timeout_then_the_next_api_gets_its_own_reply(sim):
    async with connect("127.0.0.1", sim.port) as conn:
        started = time.monotonic()
        with pytest.raises(Timeout):
            await conn.api("msleep", "1000", timeout=0.2)
        assert time.monotonic() - started < 0.9     # gave up before the reply came
        assert await conn.api("echo", "mine") == "mine"     # not the late "+OK" of msleep
        assert await conn.api("msleep", "10") == "+OK"


@aio.async_test
async def test_a_cancelled_api_leaves_a_tombstone_and_the_next_reply_is_right(sim):
    async with connect("127.0.0.1", sim.port) as conn:
        task = asyncio.ensure_future(conn.api("msleep", "600"))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # asyncio.wait_for cancels the same way, and so does asyncio.timeout (3.11+).
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(conn.api("msleep", "600"), 0.1)
        if hasattr(asyncio, "timeout"):
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.1):
                    await conn.api("msleep", "600")
        assert await conn.api("echo", "after cancel") == "after cancel"
        assert await conn.api("echo", "and again") == "and again"


@aio.async_test
async def test_replies_stay_matched_while_many_waits_are_cancelled(sim):
    async with connect("127.0.0.1", sim.port) as conn:
        async def cancelled_sleep(n):
            try:
                await asyncio.wait_for(conn.api("msleep", "30"), 0.001 * (n % 7))
                return "answered"
            except asyncio.TimeoutError:
                return "cancelled"

        async def echo(n):
            return await conn.api("echo", "tag %d" % n)

        calls = [cancelled_sleep(n) if n % 3 == 0 else echo(n) for n in range(120)]
        results = await asyncio.gather(*calls)
        for n, result in enumerate(results):
            if n % 3:
                assert result == "tag %d" % n
        assert "cancelled" in results
        assert await conn.api("echo", "last") == "last"


@aio.async_test
async def test_gather_of_100_api_calls_matches_every_reply(sim):
    async with connect("127.0.0.1", sim.port) as conn:
        words = ["call %d" % n for n in range(100)]
        replies = await asyncio.gather(*(conn.api("echo", w) for w in words))
        assert replies == words


@aio.async_test
async def test_eight_tasks_of_api_while_events_stream(sim):
    async with connect("127.0.0.1", sim.port) as conn:
        await conn.subscribe("CUSTOM", "test::stream")
        received = []

        async def consume():
            async for event in conn:
                if event.subclass == "test::stream":
                    received.append(int(event["Seq"]))

        async def worker(n):
            return [(k, await conn.api("echo", "task %d call %d" % (n, k))) for k in range(50)]

        consumer = asyncio.ensure_future(consume())
        with Streamer(sim.port, "test::stream") as streamer:
            await aio.until(lambda: received)
            results = await asyncio.gather(*(worker(n) for n in range(8)))
    await consumer                              # ends when the connection closes
    for n, calls in enumerate(results):
        assert calls == [(k, "task %d call %d" % (n, k)) for k in range(50)]
    assert streamer.sent > 0 and conn.dropped == 0 and received
    assert received == sorted(set(received))    # in order, none twice


@aio.async_test
async def test_bgapi_job_result_and_failed_job(sim):
    async with connect("127.0.0.1", sim.port) as conn:
        job = await conn.bgapi("echo", "background")
        assert isinstance(job, Job) and len(job.uuid) == 36
        assert await job.result(timeout=5) == "background"
        assert await job == "background"            # awaiting again gives the same output
        assert job.done() and job.event["Job-UUID"] == job.uuid
        failed = await conn.bgapi("nosuchcommand", job_uuid="my-own-job-uuid")
        with pytest.raises(CommandError) as info:
            await failed
        assert info.value.reply["Job-UUID"] == "my-own-job-uuid"
        assert str(info.value) == "-ERR nosuchcommand Command not found!"
        unchecked = await conn.bgapi("nosuchcommand", check=False)
        assert (await unchecked.result(5)).startswith("-ERR")
        with pytest.raises(Timeout):
            await conn.recv(timeout=0.2)            # BACKGROUND_JOB stayed internal


@aio.async_test
async def test_a_job_wait_that_times_out_or_is_cancelled_can_be_awaited_again(sim):
    async with connect("127.0.0.1", sim.port) as conn:
        job = await conn.bgapi("msleep", "500")
        with pytest.raises(Timeout):
            await job.result(timeout=0.1)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(job.result(), 0.1)
        assert not job.done()
        assert await job.result(timeout=5) == "+OK"


@aio.async_test
async def test_close_fails_every_pending_awaitable_with_connection_closed(sim):
    conn = await connect("127.0.0.1", sim.port)
    api = asyncio.ensure_future(conn.api("msleep", "1500"))
    job = await conn.bgapi("msleep", "1500")
    job_wait = asyncio.ensure_future(job.result())
    recv = asyncio.ensure_future(conn.recv())
    await asyncio.sleep(0.1)
    await conn.close()
    for waiting in (api, job_wait, recv):
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(waiting, 5)
    assert conn.closed


@aio.async_test
async def test_calls_on_a_closed_connection_raise(sim):
    conn = await connect("127.0.0.1", sim.port)
    await conn.close()
    await conn.close()                              # idempotent
    assert conn.closed
    with pytest.raises(ConnectionClosed):
        await conn.api("status")
    with pytest.raises(ConnectionClosed):
        await conn.bgapi("status")
    with pytest.raises(ConnectionClosed):
        await conn.recv(timeout=1)
    assert [event async for event in conn] == []


@aio.async_test
async def test_a_cancelled_recv_loses_no_event(sim):
    async with connect("127.0.0.1", sim.port) as conn:
        await conn.subscribe("CUSTOM", "test::one")
        waiting = asyncio.ensure_future(conn.recv())
        await asyncio.sleep(0.05)
        waiting.cancel()
        await aio.blocking(fire_custom, sim.port, "test::one", 3)
        seqs = [(await conn.recv(timeout=5))["Seq"] for _ in range(3)]
        assert seqs == ["0", "1", "2"]


@aio.async_test
async def test_connect_to_a_server_that_never_greets_times_out():
    with silent_server() as port:
        started = time.monotonic()
        with pytest.raises(Timeout):
            await connect("127.0.0.1", port, timeout=0.5)
        assert time.monotonic() - started < 5


@aio.async_test
async def test_wrong_password_is_final():
    with CountingRefuser() as server:
        with pytest.raises(AuthenticationError):
            await connect("127.0.0.1", server.port, "wrong", reconnect=True)
        await asyncio.sleep(1.0)                    # a retry would have come by now
        assert server.logins == 1


@aio.async_test
async def test_reconnect_replays_subscription_and_filter(sim):
    conn = await connect("127.0.0.1", sim.port, reconnect=True, timeout=5)
    try:
        await conn.subscribe("CUSTOM", "test::a", "test::b")
        await conn.filter("X-Keep", "yes")
        sim = await aio.blocking(restart, sim)
        gap = await conn.recv(timeout=30)
        assert gap.name == "SERVER_DISCONNECTED" and gap["Reconnecting"] == "true"
        assert await conn.api("echo", "back", timeout=30) == "back"
        assert conn.reconnects == 1
        await aio.blocking(fire_custom, sim.port, "test::a", X_Keep="no")     # filtered out
        await aio.blocking(fire_custom, sim.port, "test::c", X_Keep="yes")    # not subscribed
        await aio.blocking(fire_custom, sim.port, "test::b", X_Keep="yes")
        event = await conn.recv(timeout=5)
        assert (event.subclass, event["X-Keep"]) == ("test::b", "yes")
        with pytest.raises(Timeout):
            await conn.recv(timeout=0.3)
    finally:
        await conn.close()
        sim.stop()


async def _greet_and_login(reader, writer):
    writer.write(b"Content-Type: auth/request\n\n")
    await reader.readuntil(b"\n\n")
    writer.write(b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")


@aio.async_test
async def test_a_call_pending_at_a_drop_fails_and_is_not_moved_to_the_new_link():
    links = []

    async def drop_the_first_link(reader, writer):
        links.append(writer)
        await _greet_and_login(reader, writer)
        await reader.readuntil(b"\n\n")           # the api command
        if len(links) == 1:
            writer.close()                          # the drop, with "api" unanswered
            return
        while True:
            writer.write(b"Content-Type: api/response\nContent-Length: 6\n\nsecond")
            try:
                await reader.readuntil(b"\n\n")
            except asyncio.IncompleteReadError:
                return                              # the client closed

    listener = await asyncio.start_server(drop_the_first_link, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        async with connect("127.0.0.1", port, reconnect=True, timeout=5) as conn:
            with pytest.raises(ConnectionClosed):
                await conn.api("echo", "first")
            assert (await conn.recv(timeout=30)).name == "SERVER_DISCONNECTED"
            assert await conn.api("echo", "second", timeout=30) == "second"
            assert conn.reconnects == 1 and len(links) == 2
    finally:
        listener.close()
        for writer in links:
            writer.close()
        await listener.wait_closed()


@aio.async_test
async def test_close_stops_a_reconnecting_connection_at_once(sim):
    conn = await connect("127.0.0.1", sim.port, reconnect=True, timeout=5)
    sim.stop()                                      # nothing listens any more
    assert (await conn.recv(timeout=10)).name == "SERVER_DISCONNECTED"
    started = time.monotonic()
    await conn.close()
    assert time.monotonic() - started < 2 and conn.closed
    with pytest.raises(ConnectionClosed):
        await conn.api("status")


def _login_once_then_stay_silent():
    """A server handler that logs the first link in and drops it, then greets no other link;
    with the list of links and the reads (b"" once the client closed) of the later ones."""
    links, eofs = [], []

    async def handler(reader, writer):
        links.append(writer)
        if len(links) == 1:
            await _greet_and_login(reader, writer)
            writer.close()                          # the drop
            return
        eofs.append(await reader.read())
        writer.close()

    return handler, links, eofs


async def _close_during_a_redial(swallowing_dial):
    """Drop a reconnecting client's link, close it while its redial waits for a greeting,
    and check that close() returns at once and the new link is closed."""
    handler, links, eofs = _login_once_then_stay_silent()
    listener = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]

    async def dial_that_swallows_a_cancel(timeout):
        link = await asyncio.open_connection("127.0.0.1", port)
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            pass
        return link

    try:
        conn = await connect("127.0.0.1", port, reconnect=True, timeout=30)
        if swallowing_dial:
            conn._dial = dial_that_swallows_a_cancel
        assert (await conn.recv(timeout=10)).name == "SERVER_DISCONNECTED"
        assert await aio.until(lambda: len(links) == 2)     # now waiting for a greeting
        started = time.monotonic()
        await conn.close()
        assert time.monotonic() - started < 2 and conn.closed
        assert await aio.until(lambda: eofs == [b""])
    finally:
        listener.close()
        await listener.wait_closed()


@aio.async_test
async def test_close_during_a_reconnect_handshake_closes_the_half_made_link():
    await _close_during_a_redial(swallowing_dial=False)


@aio.async_test
async def test_close_while_a_redial_swallows_the_cancel_closes_the_new_link_at_once():
    # Before Python 3.12, asyncio.wait_for (which dial() uses) returns the result instead of
    # raising when it is cancelled just as its connect completes; this dial does so always.
    await _close_during_a_redial(swallowing_dial=True)


@aio.async_test
async def test_liveness_closes_a_link_without_traffic():
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    peers = []

    async def greet_then_go_silent():
        loop = asyncio.get_running_loop()
        peer, _ = await loop.sock_accept(listener)
        peers.append(peer)
        await loop.sock_sendall(peer, b"Content-Type: auth/request\n\n")
        while b"\n\n" not in await loop.sock_recv(peer, 4096):
            pass
        await loop.sock_sendall(peer, b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")

    listener.setblocking(False)
    server = asyncio.ensure_future(greet_then_go_silent())
    try:
        conn = await connect("127.0.0.1", listener.getsockname()[1], liveness=0.3)
        await server
        started = time.monotonic()
        with pytest.raises(ConnectionClosed):
            await conn.recv(timeout=10)
        assert time.monotonic() - started < 5 and conn.closed
        await conn.close()
    finally:
        for peer in peers:
            peer.close()
        listener.close()


@aio.async_test
async def test_dropped_counts_under_a_stalled_consumer_and_memory_stays_flat(sim):
    tracemalloc = need_tracemalloc()
    async with connect("127.0.0.1", sim.port, max_queue=100) as conn:
        await conn.subscribe("CUSTOM", "test::flood")
        body = "x" * 1000
        tracemalloc.start()
        try:
            await aio.blocking(fire_custom, sim.port, "test::flood", 500, body=body)
            assert await aio.until(lambda: conn.dropped == 400)
            after_first, _ = tracemalloc.get_traced_memory()
            await aio.blocking(fire_custom, sim.port, "test::flood", 2000, body=body)
            assert await aio.until(lambda: conn.dropped == 2400)
            after_second, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # 2000 more events of over 1 kB passed through; keeping them would take 2 MB.
        assert after_second - after_first < 500 * 1024
        seqs = [int((await conn.recv(timeout=1))["Seq"]) for _ in range(100)]
        assert seqs == list(range(1900, 2000))      # the newest stayed, the oldest went
        with pytest.raises(Timeout):
            await conn.recv(timeout=0.2)


# -- outbound -------------------------------------------------------------------------------

async def originate(sim, server, count=1):
    """Originate ``count`` loopback calls into ``server``; returns their uuids."""
    async with connect("127.0.0.1", sim.port) as ctl:
        replies = [await ctl.api("originate", originate_to(server.port)) for _ in range(count)]
    return [reply.split()[1] for reply in replies]


@aio.async_test
async def test_execute_playback_in_an_outbound_handler_waits_for_the_tone(sim):
    done = []

    async def handler(conn):
        assert isinstance(conn, OutboundConnection)
        await conn.execute("answer")
        started = time.monotonic()
        event = await conn.execute("playback", TONE)
        done.append((time.monotonic() - started, event, conn.uuid, conn.channel))

    async with serve(handler, port=0) as server:
        assert isinstance(server, Server) and server.host == "127.0.0.1"
        uuid, = await originate(sim, server)
        assert await aio.until(lambda: done)
    elapsed, event, call_uuid, channel = done[0]
    assert elapsed >= TONE_SECONDS * 0.95         # not back before the tone ended
    assert event.name == "CHANNEL_EXECUTE_COMPLETE" and event["Application"] == "playback"
    assert event["Application-Response"] == "FILE PLAYED" and event.uuid == uuid
    assert call_uuid == uuid and channel["Channel-Name"] == "loopback/9998-a"


@aio.async_test
async def test_hangup_during_execute_raises_channel_hung_up(sim):
    outcome = []
    playing = asyncio.Event()

    async def handler(conn):
        await conn.subscribe("CHANNEL_EXECUTE")
        try:
            playing.set()
            await conn.execute("playback", LONG_TONE)
            outcome.append("returned")
        except ChannelHungUp as exc:
            outcome.append(exc)

    async with serve(handler, port=0) as server:
        async with connect("127.0.0.1", sim.port) as ctl:
            uuid = (await ctl.api("originate", originate_to(server.port))).split()[1]
            await asyncio.wait_for(playing.wait(), 10)
            await asyncio.sleep(0.2)
            await ctl.api("uuid_kill", uuid)
            assert await aio.until(lambda: outcome)
        await aio.until(lambda: server.calls == 0)
    assert isinstance(outcome[0], ChannelHungUp) and outcome[0].uuid == uuid


@aio.async_test
async def test_a_handler_exception_hangs_up_that_call_only(sim, caplog):
    calls = []

    async def handler(conn):
        calls.append(conn.uuid)
        if len(calls) == 1:
            raise RuntimeError("handler bug")
        await conn.execute("answer")

    async with serve(handler, port=0) as server:
        async with connect("127.0.0.1", sim.port) as ctl:
            await ctl.subscribe("CHANNEL_HANGUP_COMPLETE")
            first = (await ctl.api("originate", originate_to(server.port))).split()[1]
            async for event in ctl:
                if event.uuid == first:
                    break
            assert event["Hangup-Cause"] == "NORMAL_TEMPORARY_FAILURE"
            second = (await ctl.api("originate", originate_to(server.port))).split()[1]
            assert await aio.until(lambda: len(calls) == 2)
        await aio.until(lambda: server.calls == 0)
    assert calls == [first, second]
    assert any("handler failed" in r.message for r in caplog.records)


def _open_descriptors():
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        pytest.skip("no /proc/self/fd on this system")


@aio.async_test
async def test_200_concurrent_outbound_calls_leave_no_task_or_descriptor_behind(sim):
    total = 200
    connected, finished = [], []
    all_in = asyncio.Event()

    async def handler(conn):
        connected.append(conn.uuid)
        if len(connected) == total:
            all_in.set()
        await all_in.wait()                         # every call is up at the same time
        assert (await conn.command("getvar channel_name")).get("Reply-Text") is not None
        await conn.hangup()
        finished.append(conn.uuid)

    baseline = _open_descriptors()
    async with serve(handler, port=0) as server:
        async with connect("127.0.0.1", sim.port) as ctl:
            jobs = [await ctl.bgapi("originate", originate_to(server.port))
                    for _ in range(total)]
            uuids = [(await job.result(timeout=60)).split()[1] for job in jobs]
        await asyncio.wait_for(all_in.wait(), 60)
        assert server.calls == total
        assert await aio.until(lambda: len(finished) == total, timeout=60)
        assert await aio.until(lambda: server.calls == 0, timeout=30)
    assert sorted(connected) == sorted(uuids) == sorted(finished)
    # The simulator's side of the calls closes too; then every descriptor is back.
    assert await aio.until(lambda: sim.channel_count() == 0, timeout=30)
    assert await aio.until(lambda: _open_descriptors() <= baseline, timeout=30), \
        (baseline, _open_descriptors())


@aio.async_test
async def test_serve_forever_returns_after_shutdown():
    async def handler(conn):
        pass

    server = await serve(handler, port=0)
    port = server.port
    forever = asyncio.ensure_future(server.serve_forever())
    await asyncio.sleep(0.05)
    assert not forever.done()
    await server.shutdown()
    await asyncio.wait_for(forever, 5)
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
