"""A short tour of the library against the embedded simulator: ``python -m ESL.demo``.

It starts a simulated FreeSWITCH on a free loopback port with a three-extension dialplan,
then runs an inbound client (auth, ``api status``, event subscription, a loopback call and
its channel events, ``bgapi`` and its BACKGROUND_JOB) and an outbound ``socketserver``
handler that answers a call and plays a tone. Exits 0 when every step saw what it expected.
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
    </context>
  </section>
</document>
"""

TIMEOUT_MS = 5000
CHANNEL_EVENTS = ("CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE "
                  "CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY BACKGROUND_JOB")


def say(section, text):
    print("[%s] %s" % (section, text), flush=True)


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


def main(argv=None):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), OutboundHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as conf:
        with open(os.path.join(conf, "freeswitch.xml"), "w") as f:
            f.write(_FREESWITCH_XML.format(outbound_port=server.server_address[1]))
        try:
            with Simulator(conf_dir=conf, port=0) as sim:
                say("demo", "simulated FreeSWITCH listening on 127.0.0.1:%d" % sim.port)
                con = inbound_tour(sim.port)
                outbound_tour(con, server)
                con.disconnect()
        except _Failed as exc:
            say("demo", "FAILED: %s" % exc)
            return 1
        finally:
            server.shutdown()
            server.server_close()
    say("demo", "done: every step succeeded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
