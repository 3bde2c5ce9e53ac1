"""greenswitch (gevent) against the simulator: inbound api, bgapi, events, originate, and an
outbound handler served by greenswitch's OutboundESLServer."""
import contextlib

import gevent
import greenswitch
from conftest import PASSWORD, free_port


def gwait(predicate, timeout=10.0):
    """Wait for ``predicate`` while letting greenswitch's greenlets run."""
    with gevent.Timeout(timeout, False):
        while not predicate():
            gevent.sleep(0.02)
    return predicate()


def connect(port):
    fs = greenswitch.InboundESL(host="127.0.0.1", port=port, password=PASSWORD)
    fs.connect()
    return fs


@contextlib.contextmanager
def outbound_server(application, sim_port):
    """greenswitch's OutboundESLServer running ``application`` on a free port, and an inbound
    connection to the simulator: yields ``(port, fs)`` once the server listens; stops both."""
    port = free_port()
    server = greenswitch.OutboundESLServer(bind_address="127.0.0.1", bind_port=port,
                                           application=application)
    listening = gevent.spawn(server.listen)
    fs = connect(sim_port)
    try:
        assert gwait(lambda: server.bound_port == port)
        yield port, fs
    finally:
        fs.stop()
        server.stop()
        listening.join(5)


def test_api_and_bgapi(sim_port):
    fs = connect(sim_port)
    try:
        assert fs.send("api status").data.startswith("UP 0 years, 0 days")
        assert fs.send("api create_uuid").data.count("-") == 4
        jobs = []
        fs.register_handle("BACKGROUND_JOB", jobs.append)
        fs.send("event plain BACKGROUND_JOB")
        reply = fs.send("bgapi uptime")
        assert reply.data.startswith("+OK Job-UUID: ")
        assert gwait(lambda: jobs)
        assert jobs[0].headers["Job-UUID"] == reply.headers["Job-UUID"]
        assert jobs[0].headers["Job-Command"] == "uptime"
    finally:
        fs.stop()


def test_events_of_an_originated_call(sim_port):
    fs = connect(sim_port)
    try:
        seen = []
        for name in ("CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP_COMPLETE"):
            fs.register_handle(name, seen.append)
        assert fs.send("event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE"
                       ).data == "+OK event listener enabled plain"
        result = fs.send("api originate loopback/9998/default &park").data
        assert result.startswith("+OK ")
        uuid = result[4:].strip()
        assert fs.send("api uuid_exists %s" % uuid).data == "true"
        assert fs.send("api uuid_kill %s" % uuid).data == "+OK\n"
        assert gwait(lambda: sum(e.headers["Event-Name"] == "CHANNEL_HANGUP_COMPLETE"
                                 for e in seen) == 2)
        names = [e.headers["Event-Name"] for e in seen]
        assert names.count("CHANNEL_CREATE") == 2 and names.count("CHANNEL_ANSWER") == 2
        a_leg = [e for e in seen if e.headers.get("Unique-ID") == uuid]
        assert a_leg[-1].headers["Hangup-Cause"] == "NORMAL_CLEARING"
        # greenswitch url-decodes the values.
        assert a_leg[0].headers["Channel-Name"] == "loopback/9998-a"
    finally:
        fs.stop()


class Answerer:
    """A greenswitch outbound application: answer, play a tone, hang up."""
    runs = []

    def __init__(self, session):
        self.session = session

    def run(self):
        self.session.myevents()
        self.session.answer()
        self.session.playback("tone_stream://%(100,0,440)")
        data = self.session.session_data
        Answerer.runs.append((data["Unique-ID"], data["Caller-Destination-Number"]))
        self.session.hangup()


def test_outbound_handler(sim_port):
    with outbound_server(Answerer, sim_port) as (port, fs):
        hangups = []
        fs.register_handle("CHANNEL_HANGUP_COMPLETE", hangups.append)
        fs.send("event plain CHANNEL_HANGUP_COMPLETE")
        result = fs.send("api originate loopback/9998/default "
                         "&socket(127.0.0.1:%d async full)" % port).data
        assert result.startswith("+OK ")
        uuid = result[4:].strip()
        assert gwait(lambda: len(hangups) == 2)
        assert Answerer.runs == [(uuid, "9998")]
        a_leg = [e for e in hangups if e.headers["Unique-ID"] == uuid][0]
        assert a_leg.headers["Hangup-Cause"] == "NORMAL_CLEARING"
        assert a_leg.headers["Caller-Channel-Answered-Time"] != "0"


class IVR:
    """A greenswitch outbound IVR: digits, say, park and uuid_break, a bridge, hangup."""
    log = []

    def __init__(self, session):
        self.session = session

    def run(self):
        s = self.session
        s.connect()
        s.myevents()
        s.answer()
        done = s.call_command("set", "ivr=greenswitch", block=True)
        IVR.log.append(("set", done.headers["variable_ivr"]))
        IVR.log.append(("digits", s.play_and_get_digits(
            min_digits=1, max_digits=3, max_attempts=1, timeout=5000, terminators="#",
            prompt_file="tone_stream://%(200,0,600)", error_file="silence_stream://100",
            variable="digits", digits_regex="\\d+", digit_timeout=3000, transfer_on_fail="")))
        said = s.say(text="123", response_timeout=10)
        IVR.log.append(("say", said.headers["Application"]))
        s.park()
        s.uuid_break()
        bridged = s.bridge("loopback/9993/default", block=True, response_timeout=15)
        IVR.log.append(("bridge", bridged.headers["variable_bridge_hangup_cause"]))
        s.hangup()


def test_outbound_ivr_reads_digits_says_and_bridges(sim_port):
    with outbound_server(IVR, sim_port) as (port, fs):
        created, hangups, executed = [], [], []
        fs.register_handle("CHANNEL_CREATE", created.append)
        fs.register_handle("CHANNEL_EXECUTE", executed.append)
        fs.register_handle("CHANNEL_HANGUP_COMPLETE", hangups.append)
        fs.send("event plain CHANNEL_CREATE CHANNEL_EXECUTE CHANNEL_HANGUP_COMPLETE")
        uuid = fs.send("api originate loopback/9998/default "
                       "&socket(127.0.0.1:%d async full)" % port).data[4:].strip()
        # The async socket's park drops digits (as FreeSWITCH's): send them once it reads.
        assert gwait(lambda: any(e.headers["Application"] == "play_and_get_digits"
                                 for e in executed))
        partner = [e.headers["Unique-ID"] for e in created if e.headers["Unique-ID"] != uuid][0]
        # Digits sent to the loopback partner reach the A-leg's play_and_get_digits.
        assert fs.send("api uuid_send_dtmf %s 42#" % partner).data.startswith("+OK")
        # The A-leg, its partner, the bridged 9993 call's two legs.
        assert gwait(lambda: len(hangups) == 4, 30)
        assert IVR.log == [("set", "greenswitch"), ("digits", "42"), ("say", "say"),
                           ("bridge", "NORMAL_CLEARING")]
