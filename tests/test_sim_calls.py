"""The simulated switch's calls over real sockets: DTMF, applications, endpoints, originate."""
import os

from ESL.sim.pytest_plugin import esl_sim, esl_sim_factory  # noqa: F401 (fixtures)
from test_sim import Raw, body, reply

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "data", "sim", "fs-conf")


def headers(frame):
    """The url-decoded headers of a plain event frame, as a dict (first value wins)."""
    from urllib.parse import unquote
    out = {}
    for line in body(frame).split("\n\n")[0].split("\n"):
        name, _, value = line.partition(": ")
        out.setdefault(name, unquote(value))
    return out


class Events:
    """The events one connection receives, read frame by frame (none lost between reads)."""

    def __init__(self, conn):
        self.conn = conn
        self.pending = []

    def next(self, timeout=10.0):
        """The next frame, or None after ``timeout`` seconds."""
        if not self.pending:
            self.pending = self.conn.frames(1, timeout)
        return self.pending.pop(0) if self.pending else None

    def until(self, *names, timeout=10.0):
        """Read events until ``names`` were all seen in that order; returns every header dict
        read. Fails the test if one is missing after ``timeout`` seconds."""
        seen = []
        want = list(names)
        while want:
            frame = self.next(timeout)
            assert frame is not None, "missing %s after %s" % (
                want, [h.get("Event-Name") for h in seen])
            h = headers(frame)
            seen.append(h)
            if h.get("Event-Name") == want[0]:
                want.pop(0)
        return seen


def test_dtmf_sent_to_a_loopback_leg_is_heard_by_its_partner(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    conn = Raw(sim.port).auth()
    assert conn.cmd("event plain DTMF") == reply("+OK event listener enabled plain")
    a_uuid = body(conn.cmd("api originate loopback/9998/default &park")).split()[1]
    b_uuid = sim.switch.loop.call(lambda: sim.switch.channel(a_uuid).other.uuid)
    sim.switch.loop.call(lambda: sim.switch.channel(a_uuid).send_dtmf("4w2#x"))
    got = [headers(f) for f in conn.frames(3)]
    assert [h["DTMF-Digit"] for h in got] == ["4", "2", "#"]
    assert {h["Unique-ID"] for h in got} == {b_uuid}
    assert got[0]["DTMF-Duration"] == "2000" and got[0]["DTMF-Source"] == "UNKNOWN"
    assert got[0]["Event-Calling-Function"] == "switch_channel_dequeue_dtmf"
    assert not any(k.startswith("variable_") for k in got[0])
    assert sim.switch.loop.call(lambda: list(sim.switch.channel(b_uuid).dtmf)) == ["4", "2", "#"]
    conn.cmd("api hupall")
