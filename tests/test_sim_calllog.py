"""A call's log lines over a real socket (`log 7`), as FreeSWITCH writes them: hangups from
either leg, DTMF between loopback legs, dialplan hunting and variable-setting applications.

The log_call capture itself is replayed frame by frame in test_sim_replay; these cover what
it does not (the A-leg hanging up first, uuid_send_dtmf, set, the dialplan's FAIL lines).
"""
import os
import re
import time

from ESL.sim.pytest_plugin import esl_sim, esl_sim_factory  # noqa: F401 (fixtures)
from test_sim import Raw, body, reply

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "data", "sim", "fs-conf")


class Log:
    """The log lines a `log 7` connection receives: (level, text channel, user data, text)."""

    def __init__(self, port):
        self.conn = Raw(port).auth()
        assert self.conn.cmd("log 7") == reply("+OK log level 7 [7]")
        self.lines = []

    def until(self, needle, timeout=10.0):
        deadline = time.monotonic() + timeout
        while not any(needle in text for _, _, _, text in self.lines):
            assert time.monotonic() < deadline, [t for _, _, _, t in self.lines][-5:]
            for frame in self.conn.frames(1, 1.0):
                head, _, text = frame.partition(b"\n\n")
                head = head.decode()
                field = dict(line.split(": ", 1) for line in head.split("\n") if ": " in line)
                self.lines.append((int(field["Log-Level"]), int(field["Text-Channel"]),
                                   field["User-Data"] if "User-Data" in field else "",
                                   text.decode()))
        return self.lines

    def index(self, pattern, last=False):
        found = [i for i, (_, _, _, text) in enumerate(self.lines) if re.search(pattern, text)]
        assert found, "no log line matches %r" % pattern
        return found[-1] if last else found[0]

    def line(self, pattern):
        return self.lines[self.index(pattern)]


def _start(sim, exten):
    ctl = Raw(sim.port).auth()
    a = body(ctl.cmd("api originate loopback/%s/default &park" % exten)).split()[1]
    b = body(ctl.cmd("api uuid_getvar %s other_loopback_leg_uuid" % a))
    return ctl, a, b


def test_a_leg_hanging_up_first_mirrors_the_b_leg_case(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    log = Log(sim.port)
    ctl, a, b = _start(sim, "9998")   # B: answer, park
    log.until("EXECUTE [depth=0] loopback/9998-a park()")
    assert body(ctl.cmd("api uuid_kill " + a)).startswith("+OK")
    log.until("(loopback/9998-b) State DESTROY going to sleep")
    # uuid_kill's hangup, logged by uuid at switch_ivr_kill_uuid, then mod_loopback's kill.
    assert log.line(r"switch_ivr.c:4404 Hangup loopback/9998-a \[CS_EXECUTE\] "
                    r"\[NORMAL_CLEARING\]")[:3] == (5, 0, a)
    assert log.index(r"switch_ivr.c:4404 Hangup loopback/9998-a") + 1 == \
        log.index(r"mod_loopback.c:610 loopback/9998-a CHANNEL KILL")
    # The A-leg's hangup handler hangs up the B-leg; the A-leg ends once B's let go of it.
    assert log.index(r"mod_loopback.c:569 loopback/9998-a CHANNEL HANGUP") < \
        log.index(r"mod_loopback.c:585 Hangup loopback/9998-b \[CS_EXECUTE\]") < \
        log.index(r"loopback/9998-a Standard HANGUP, cause: NORMAL_CLEARING") < \
        log.index(r"Session \d+ \(loopback/9998-a\) Locked") < \
        log.index(r"mod_loopback.c:569 loopback/9998-b CHANNEL HANGUP") < \
        log.index(r"Session \d+ \(loopback/9998-a\) Ended")
    assert log.line(r"\(loopback/9998-a\) Running State Change CS_DESTROY")[3].endswith(
        "(Cur 1 Tot 2)\n")
    assert log.line(r"\(loopback/9998-b\) Running State Change CS_DESTROY")[3].endswith(
        "(Cur 0 Tot 2)\n")
    assert log.line(r"Close Channel loopback/9998-b \[CS_DESTROY\]")[:3] == (5, 0, b)
    # Nothing of the call is left unsaid: each leg's thread ends with DESTROY going to sleep.
    assert [t for _, _, _, t in log.lines][-1].endswith(
        "(loopback/9998-b) State DESTROY going to sleep\n")


def test_dtmf_set_and_the_dialplan_hunt_are_logged(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    log = Log(sim.port)
    ctl, a, b = _start(sim, "9995")   # B: answer, play_and_get_digits, log, set, hangup
    assert body(ctl.cmd("api uuid_send_dtmf %s 42#" % a)).startswith("+OK")
    log.until("(loopback/9995-a) State DESTROY going to sleep")
    # Every extension before the matching one is parsed and fails, in the file's order.
    first = log.index(r"^Dialplan: loopback/9995-b parsing \[default->esl_outbound_async_full\] "
                      r"continue=false$")
    assert log.lines[first + 1][3] == ("Dialplan: loopback/9995-b Regex (FAIL) "
                                       "[esl_outbound_async_full] destination_number(9995) =~ "
                                       "/^9999$/ break=on-false\n")
    assert log.lines[first + 1][:3] == (7, 1, b)
    assert log.index(r"Regex \(PASS\) \[pagd_digits\]") > first
    # Each digit: queued on the B-leg (RECV DTMF), then the A-leg's send line.
    recv = log.index(r"switch_channel.c:529 RECV DTMF 4:2000$")
    assert log.lines[recv][:3] == (6, 3, b)
    sent = log.line(r"switch_core_io.c:1201 loopback/9995-a send dtmf\ndigit=4 ms=250 "
                    r"samples=2000$")
    assert sent[:3] == (7, 3, a)
    assert log.index(r"RECV DTMF 4:") < log.index(r"send dtmf\ndigit=4") < \
        log.index(r"RECV DTMF 2:") < log.index(r"RECV DTMF #:")
    assert log.line(r"mod_dptools.c:1671 SET loopback/9995-b \[pagd_result\]=\[42\]$")[:3] \
        == (7, 3, b)
    assert log.line(r"mod_dptools.c:1746 pagd digits=\[42\]")[0] == 6


def test_an_a_leg_sent_to_an_extension_is_transferred_and_hunts_the_dialplan(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    log = Log(sim.port)
    ctl = Raw(sim.port).auth()
    assert body(ctl.cmd("api originate loopback/9998/default 9993 XML default")).startswith(
        "+OK")
    log.until("EXECUTE [depth=0] loopback/9998-a answer()")
    # mod_commands transfers the answered A-leg; its thread routes it through the dialplan.
    assert log.index(r"switch_ivr.c:2296 \(loopback/9998-a\) State Change CS_CONSUME_MEDIA -> "
                     r"CS_ROUTING") + 1 == \
        log.index(r"switch_ivr.c:2303 Transfer loopback/9998-a to XML\[9993@default\]")
    assert log.index(r"Transfer loopback/9998-a") < \
        log.index(r"loopback/9998-a Standard ROUTING") < \
        log.index(r"Processing Outbound Call <default>->9993 in context default") < \
        log.index(r"^Dialplan: loopback/9998-a Regex \(PASS\) \[answer_tone_loops_hangup\]") < \
        log.index(r"switch_core_state_machine.c:281 \(loopback/9998-a\) State Change "
                  r"CS_ROUTING -> CS_EXECUTE") < \
        log.index(r"\(loopback/9998-a\) State ROUTING going to sleep", last=True) < \
        log.index(r"\(loopback/9998-a\) Running State Change CS_EXECUTE", last=True)
    ctl.cmd("api hupall")   # its hangups are logged at switch_core_session_hupall
    log.until("(loopback/9998-a) State DESTROY going to sleep")
    assert log.line(r"switch_core_session.c:407 Hangup loopback/9998-a \[CS_EXECUTE\] "
                    r"\[MANAGER_REQUEST\]")[:2] == (5, 0)


def test_the_socket_application_logs_each_host_it_tries(esl_sim_factory, tmp_path):
    from conftest import free_port, socket_dialplan_conf
    port = free_port()   # nobody listens there: the application fails, the leg hangs up
    sim = esl_sim_factory(socket_dialplan_conf(tmp_path, port))
    log = Log(sim.port)
    ctl = Raw(sim.port).auth()
    ctl.cmd("api originate loopback/9999/default &park")
    log.until("(loopback/9999-b) State DESTROY going to sleep")
    trying = log.line(r"\[NOTICE\] mod_event_socket.c:452 Trying host: 127.0.0.1:%d$" % port)
    assert trying[:2] == (5, 3)
    # As mod_event_socket: each failed host and the failure logged, and the dialplan goes on.
    assert log.line(r"mod_event_socket.c:486 Socket Error: Connection refused$")[:2] == (3, 3)
    assert log.index(r"EXECUTE \[depth=0\] loopback/9999-b socket\(") < \
        log.index(r"Trying host: ") < log.index(r"Socket Error: ") < \
        log.index(r"mod_event_socket.c:490 Socket Error!$") < \
        log.index(r"loopback/9999-b has executed the last dialplan instruction, hanging up.") < \
        log.index(r"Hangup loopback/9999-b \[CS_EXECUTE\] \[NORMAL_CLEARING\]")
