"""The simulator's latency: a reply followed by an event arrives without a Nagle stall.

FreeSWITCH sets TCP_NODELAY on event-socket connections and writes an api reply or an event as
two sends (header block, then body). Without TCP_NODELAY the second small write waits for the
ACK of the first, which the client delays (~40 ms on Linux). Bounds are generous (a median
below 20 ms where the stall costs ~40 ms), so a loaded machine does not fail them.
"""
import socket
import statistics
import threading
import time

from conftest import socket_dialplan_conf

from ESL import ESLconnection
from ESL.sim import Simulator

TRIES = 15
BOUND = 0.020   # seconds, for the median



def _round_trips(con):
    """Median seconds of bgapi -> its BACKGROUND_JOB event, and of api -> its reply."""
    assert con.events("plain", "BACKGROUND_JOB") == 0
    bgapi, api = [], []
    for _ in range(TRIES):
        start = time.perf_counter()
        reply = con.bgapi("status")
        event = con.recvEventTimed(5000)
        bgapi.append(time.perf_counter() - start)
        assert event is not None and event.getType() == "BACKGROUND_JOB"
        assert event.getHeader("Job-UUID") == reply.getHeader("Job-UUID")
        assert event.getBody().startswith("UP ")
        start = time.perf_counter()
        assert con.api("status").getBody().startswith("UP ")
        api.append(time.perf_counter() - start)
    return statistics.median(bgapi), statistics.median(api)


def test_inbound_reply_then_event_without_a_nagle_stall():
    with Simulator(port=0) as sim:
        con = ESLconnection("127.0.0.1", sim.port, "ClueCon")
        assert con.connected() == 1
        bgapi, api = _round_trips(con)
        con.disconnect()
    assert bgapi < BOUND, "bgapi -> BACKGROUND_JOB median %.1f ms" % (bgapi * 1e3)
    assert api < BOUND, "api round trip median %.1f ms" % (api * 1e3)


def test_outbound_reply_then_event_without_a_nagle_stall(tmp_path):
    app = socket.socket()
    app.bind(("127.0.0.1", 0))
    app.listen(1)
    socket_dialplan_conf(tmp_path, app.getsockname()[1])
    results = []

    def handle():
        sock, _ = app.accept()
        try:
            con = ESLconnection(sock.fileno())
            results.append(_round_trips(con))
            con.execute("hangup", "NORMAL_CLEARING", con.getInfo().getHeader("Unique-ID"))
            con.disconnect()
        except Exception as exc:   # reported by the test
            results.append(exc)
        finally:
            sock.close()

    with Simulator(conf_dir=str(tmp_path), port=0) as sim:
        inbound = ESLconnection("127.0.0.1", sim.port, "ClueCon")
        handler = threading.Thread(target=handle)
        handler.start()
        assert inbound.bgapi("originate", "loopback/9999/default &park") is not None
        handler.join(60)
        inbound.disconnect()
    app.close()
    assert not handler.is_alive()
    [result] = results
    assert not isinstance(result, Exception), result
    bgapi, api = result
    assert bgapi < BOUND, "bgapi -> BACKGROUND_JOB median %.1f ms" % (bgapi * 1e3)
    assert api < BOUND, "api round trip median %.1f ms" % (api * 1e3)
