"""A short tour of the library against the embedded simulator: ``python -m ESL.demo``.

It starts a simulated FreeSWITCH on a free loopback port with a five-extension dialplan,
then runs an inbound client (auth, ``api status``, event subscription, a loopback call and
its channel events, ``bgapi`` and its BACKGROUND_JOB), an outbound ``socketserver`` handler
that answers a call and plays a tone, a call bridged to a simulated phone that rings, answers
and hangs up, and a DTMF-driven IVR: a scripted caller presses a key, the IVR (an outbound
handler) reads it with ``play_and_get_digits``. Exits 0 when every step saw what it expected.
"""
import os
import socketserver
import sys
import tempfile
import threading
import time

from . import ESLconnection
from .sim import Simulator

_FREESWITCH_XML = """<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="configuration">
    <configuration name="event_socket.conf">
      <settings>
        <param name="listen-ip" value="127.0.0.1"/>
        <param name="listen-port" value="8021"/>
        <param name="password" value="ClueCon"/>
      </settings>
    </configuration>
    <configuration name="sofia.conf">
      <profiles>
        <profile name="demo">
          <settings>
            <param name="context" value="demo"/>
            <param name="sip-ip" value="127.0.0.1"/>
            <param name="sip-port" value="5060"/>
          </settings>
        </profile>
      </profiles>
    </configuration>
  </section>
  <section name="dialplan">
    <context name="demo">
      <extension name="park">
        <condition field="destination_number" expression="^9998$">
          <action application="answer"/>
          <action application="park"/>
        </condition>
      </extension>
      <extension name="tone">
        <condition field="destination_number" expression="^9997$">
          <action application="answer"/>
          <action application="playback" data="tone_stream://%(300,0,440)"/>
          <action application="hangup"/>
        </condition>
      </extension>
      <extension name="outbound">
        <condition field="destination_number" expression="^9999$">
          <action application="socket" data="127.0.0.1:{outbound_port} async full"/>
        </condition>
      </extension>
      <extension name="bridge">
        <condition field="destination_number" expression="^9994$">
          <action application="answer"/>
          <action application="set" data="hangup_after_bridge=true"/>
          <action application="bridge"
                  data="{{sim_answer_delay=300,sim_hangup_after=700}}sofia/demo/2000@phone.example"/>
        </condition>
      </extension>
      <extension name="ivr">
        <condition field="destination_number" expression="^9995$">
          <action application="socket" data="127.0.0.1:{ivr_port} full"/>
        </condition>
      </extension>
    </context>
  </section>
</document>
"""

TIMEOUT_MS = 5000
CHANNEL_EVENTS = ("CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE "
                  "CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY BACKGROUND_JOB")


def say(section, text):
    # One write per line: the handlers' threads print too.
    sys.stdout.write("[%s] %s\n" % (section, text))
    sys.stdout.flush()


class _Failed(Exception):
    pass


def _check(condition, message):
    if not condition:
        raise _Failed(message)


def _until(con, predicate, what):
    """Receive events until ``predicate(event)`` is true; fail after TIMEOUT_MS of silence."""
    while True:
        event = con.recvEventTimed(TIMEOUT_MS)
        _check(event is not None, "timed out waiting for %s" % what)
        yield event
        if predicate(event):
            return


class OutboundHandler(socketserver.BaseRequestHandler):
    """What FreeSWITCH's ``socket`` application connects to: answer, play a tone, hang up."""

    results = []

    def handle(self):
        con = ESLconnection(self.request.fileno())
        info = con.getInfo()
        uuid = info.getHeader("Unique-ID")
        say("outbound", "call %s for %s" % (uuid, info.getHeader("Caller-Destination-Number")))
        con.sendRecv("myevents")
        con.execute("answer", "", uuid)
        con.execute("playback", "tone_stream://%(500,0,350)", uuid)
        started = time.monotonic()
        for event in _until(con, lambda e: e.getType() == "CHANNEL_EXECUTE_COMPLETE"
                            and e.getHeader("Application") == "playback", "the tone to end"):
            if event.getType().startswith("CHANNEL_EXECUTE"):
                say("outbound", "%-26s %s" % (event.getType(), event.getHeader("Application")))
        say("outbound", "tone played for %.2f s" % (time.monotonic() - started))
        con.execute("hangup", "NORMAL_CLEARING", uuid)
        self.results.append(uuid)
        con.disconnect()


class IVRHandler(socketserver.BaseRequestHandler):
    """A one-question IVR (static outbound socket: each execute returns when done)."""

    choices = []

    def handle(self):
        con = ESLconnection(self.request.fileno())
        info = con.getInfo()
        uuid = info.getHeader("Unique-ID")
        say("ivr", "call from %s <%s>" % (info.getHeader("Caller-Caller-ID-Name"),
                                          info.getHeader("Caller-Caller-ID-Number")))
        con.execute("answer", "", uuid)
        con.execute("play_and_get_digits", "1 1 3 4000 # tone_stream://%(400,0,440) "
                    "tone_stream://%(200,0,300) choice [123]", uuid)
        choice = con.api("uuid_getvar", "%s choice" % uuid).getBody()
        say("ivr", "caller chose %s" % choice)
        con.execute("playback", "tone_stream://%%(%d,0,600)" % (100 * int(choice or 1)), uuid)
        con.execute("hangup", "NORMAL_CLEARING", uuid)
        self.choices.append(choice)
        con.disconnect()


def bridge_tour(con):
    """A call whose dialplan bridges it to a simulated phone: it rings, answers, hangs up."""
    _check(con.events("plain", "CHANNEL_PROGRESS CHANNEL_BRIDGE CHANNEL_UNBRIDGE") == 0,
           "event subscription failed")
    reply = con.api("originate", "loopback/9994/demo &park")
    body = reply.getBody() if reply else ""
    _check(body.startswith("+OK"), "originate failed: %r" % body)
    say("bridge", "originate loopback/9994/demo &park -> %s" % body.strip())
    seen = []
    for event in _until(con, lambda e: e.getType() == "CHANNEL_DESTROY"
                        and "CHANNEL_UNBRIDGE" in seen and len(seen) > 8, "the bridge to end"):
        name = event.getType()
        channel = event.getHeader("Channel-Name") or ""
        if "9994" not in channel and not channel.startswith("sofia/"):
            continue   # the earlier calls' last events
        seen.append(name)
        if name in ("CHANNEL_PROGRESS", "CHANNEL_ANSWER", "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE",
                    "CHANNEL_HANGUP"):
            extra = event.getHeader("Hangup-Cause") or \
                event.getHeader("Other-Leg-Channel-Name") or ""
            say("bridge", "  %-18s %-32s %s" % (name, event.getHeader("Channel-Name"), extra))
    _check("CHANNEL_BRIDGE" in seen and "CHANNEL_PROGRESS" in seen, "no bridge: %s" % seen)


def ivr_tour(sim, con):
    """A scripted caller dials the IVR and presses 2."""
    _check(con.events("plain", "DTMF") == 0, "event subscription failed")
    call = sim.call("9995", caller_number="5551234", caller_name="Demo Caller",
                    context="demo")
    say("caller", "dialled 9995 as Demo Caller <5551234>: %s" % call.uuid)
    call.wait_for("answered", TIMEOUT_MS / 1000.0)
    call.send_dtmf("2")
    say("caller", "pressed 2")
    for event in _until(con, lambda e: e.getType() == "DTMF", "the DTMF event"):
        pass
    say("caller", "DTMF event: digit %s on %s" % (event.getHeader("DTMF-Digit"),
                                                 event.getHeader("Channel-Name")))
    cause = call.wait_hangup(TIMEOUT_MS / 1000.0)
    say("caller", "call ended: %s, the IVR heard %s" % (cause, call.getvar("choice")))
    _check(IVRHandler.choices == ["2"], "the IVR did not get the digit: %s" % IVRHandler.choices)


def inbound_tour(port):
    con = ESLconnection("127.0.0.1", str(port), "ClueCon")
    _check(con.connected() == 1, "could not connect to the simulator")
    say("inbound", "connected to 127.0.0.1:%d" % port)

    status = con.api("status")
    _check(status is not None and status.getBody(), "no api status reply")
    say("inbound", "api status -> %s" % status.getBody().splitlines()[0])

    _check(con.events("plain", CHANNEL_EVENTS) == 0, "event subscription failed")
    say("inbound", "subscribed: event plain %s" % CHANNEL_EVENTS)

    reply = con.api("originate", "loopback/9997/demo &park")
    body = reply.getBody() if reply else ""
    _check(body.startswith("+OK"), "originate failed: %r" % body)
    say("inbound", "originate loopback/9997/demo &park -> %s" % body.strip())
    legs = set()
    for event in _until(con, lambda e: e.getType() == "CHANNEL_DESTROY" and len(legs) == 0,
                        "the call to end"):
        name = event.getType()
        uuid = event.getHeader("Unique-ID")
        if name == "CHANNEL_CREATE":
            legs.add(uuid)
        elif name == "CHANNEL_DESTROY":
            legs.discard(uuid)
        detail = event.getHeader("Application") or event.getHeader("Hangup-Cause") or ""
        say("inbound", "  %-26s %-36s %s %s" % (name, uuid, event.getHeader("Channel-Name"), detail))

    job = con.bgapi("status")
    job_uuid = job.getHeader("Job-UUID") if job else None
    _check(job_uuid, "bgapi gave no Job-UUID")
    say("inbound", "bgapi status -> %s" % job.getHeader("Reply-Text"))
    for event in _until(con, lambda e: e.getType() == "BACKGROUND_JOB"
                        and e.getHeader("Job-UUID") == job_uuid, "BACKGROUND_JOB"):
        pass
    say("inbound", "BACKGROUND_JOB %s -> %s" % (job_uuid, event.getBody().splitlines()[0]))
    return con


def outbound_tour(con, server):
    reply = con.api("originate", "loopback/9999/demo &park")
    body = reply.getBody() if reply else ""
    _check(body.startswith("+OK"), "originate to the outbound socket failed: %r" % body)
    say("inbound", "originate loopback/9999/demo &park -> %s" % body.strip())
    deadline = time.monotonic() + TIMEOUT_MS / 1000.0
    while not OutboundHandler.results and time.monotonic() < deadline:
        time.sleep(0.05)
    _check(OutboundHandler.results, "the outbound handler did not finish")


def _serve(handler):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv=None):
    server = _serve(OutboundHandler)
    ivr = _serve(IVRHandler)
    with tempfile.TemporaryDirectory() as conf:
        with open(os.path.join(conf, "freeswitch.xml"), "w") as f:
            f.write(_FREESWITCH_XML.format(outbound_port=server.server_address[1],
                                           ivr_port=ivr.server_address[1]))
        try:
            with Simulator(conf_dir=conf, port=0) as sim:
                say("demo", "simulated FreeSWITCH listening on 127.0.0.1:%d" % sim.port)
                con = inbound_tour(sim.port)
                outbound_tour(con, server)
                bridge_tour(con)
                ivr_tour(sim, con)
                con.disconnect()
        except (_Failed, TimeoutError) as exc:
            say("demo", "FAILED: %s" % exc)
            return 1
        finally:
            for srv in (server, ivr):
                srv.shutdown()
                srv.server_close()
    say("demo", "done: every step succeeded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
