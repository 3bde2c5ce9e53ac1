"""The scripted caller (Simulator.call) driving an outbound IVR handler end to end."""
import socketserver
import threading
import time

import pytest

import ESL
from ESL.sim.pytest_plugin import esl_sim, esl_sim_factory  # noqa: F401 (fixtures)


class IVR(socketserver.BaseRequestHandler):
    """The handler under test: greets the caller by number, asks for one digit, hangs up."""
    seen = []

    def handle(self):
        con = ESL.ESLconnection(self.request.fileno())
        info = con.getInfo()
        uuid = info.getHeader("Unique-ID")
        IVR.seen.append((info.getHeader("Caller-Caller-ID-Number"),
                         info.getHeader("Caller-Caller-ID-Name")))
        con.execute("answer", "", uuid)
        con.execute("play_and_get_digits",
                    "1 1 3 5000 # silence_stream://500 silence_stream://250 choice \\d", uuid)
        choice = con.api("uuid_getvar", "%s choice" % uuid).getBody()
        con.execute("set", "ivr_choice=%s" % choice, uuid)
        con.execute("hangup", "", uuid)


@pytest.fixture
def ivr_port():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), IVR)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    IVR.seen = []
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_caller_reaches_the_ivr_and_presses_a_key(esl_sim, ivr_port):
    call = esl_sim.call("100", caller_number="5551234", caller_name="Alice",
                        apps=[("socket", "127.0.0.1:%d full" % ivr_port)])
    call.wait_for("answered")
    call.send_dtmf("2")
    assert call.wait_hangup() == "NORMAL_CLEARING"
    assert call.getvar("ivr_choice") == "2"
    assert IVR.seen == [("5551234", "Alice")]
    assert call.state == "CS_DESTROY"


def test_caller_hangs_up_while_the_ivr_waits(esl_sim, ivr_port):
    conn = ESL.ESLconnection("127.0.0.1", str(esl_sim.port), "ClueCon")
    conn.events("plain", "CHANNEL_HANGUP")
    call = esl_sim.call("100", caller_number="5550000",
                        apps=[("socket", "127.0.0.1:%d full" % ivr_port)])
    call.wait_for("CS_EXECUTE").wait_for("answered")
    assert call.call_state == "ACTIVE" and call.hangup_cause is None
    call.hangup()
    event = conn.recvEventTimed(5000)
    assert event is not None and event.getHeader("Unique-ID") == call.uuid
    assert event.getHeader("Hangup-Cause") == "NORMAL_CLEARING"
    assert call.wait_hangup() == "NORMAL_CLEARING"
    assert call.getvar("ivr_choice") is None


def test_caller_routed_by_the_dialplan_and_wait_errors(esl_sim_factory, tmp_path):
    from test_sim_calls import CONF
    sim = esl_sim_factory(CONF)
    call = sim.call("9995", caller_number="1000", caller_name="Extension 1000")
    call.wait_for("answered")
    assert call.getvar("sip_from_user") == "1000"
    assert call.getvar("sip_to_user") == "9995"
    assert call.getvar("read_codec") == "PCMU"
    assert call.getvar("sofia_profile_name") == "internal"
    call.send_dtmf("42#")
    assert call.wait_hangup() == "NORMAL_CLEARING"
    assert call.getvar("pagd_result") == "42"
    assert call.wait_for("CS_EXECUTE", 0.1).wait_for("RINGING", 0.1) is call   # been there
    nowhere = sim.call("no-such-extension")
    assert nowhere.wait_hangup() == "NO_ROUTE_DESTINATION"
    with pytest.raises(TimeoutError, match="did not reach answered"):
        sim.call("9998", variables={"x": "1"}, apps=[("park", "")]).wait_for("answered", 0.3)


class Transferrer(socketserver.BaseRequestHandler):
    """Answers, then sends the call on to extension 9998 (answer, park) and lets go."""

    def handle(self):
        con = ESL.ESLconnection(self.request.fileno())
        uuid = con.getInfo().getHeader("Unique-ID")
        con.execute("answer", "", uuid)
        con.execute("transfer", "9998 XML default", uuid)


@pytest.mark.parametrize("mode", ["full", "async full"])
def test_a_handler_transfers_the_call_on(esl_sim_factory, mode):
    from test_sim_calls import CONF
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Transferrer)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sim = esl_sim_factory(CONF)
        call = sim.call("100", apps=[("socket", "127.0.0.1:%d %s" % (server.server_address[1],
                                                                  mode))])
        call.wait_for("answered")
        deadline = time.monotonic() + 5
        while call.getvar("current_application") != "park" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert call.getvar("current_application") == "park"   # 9998's park
        assert call.hangup_cause is None
        call.hangup()
        assert call.wait_hangup() == "NORMAL_CLEARING"
    finally:
        server.shutdown()
        server.server_close()
