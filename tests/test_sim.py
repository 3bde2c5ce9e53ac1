"""The simulator over real sockets: configuration, auth, ACL, permissions, calls, robustness."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from ESL.sim import Config, ConfigError, Simulator
from ESL.sim.applications import tone_duration
from ESL.sim.pytest_plugin import esl_sim, esl_sim_factory  # noqa: F401 (fixtures)
from ESL.sim.replay import split_frames

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "data", "sim", "fs-conf")
GOODBYE = (b"Content-Type: text/disconnect-notice\nContent-Length: 67\n\n"
           b"Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n")


class Raw:
    """A raw event-socket client: send bytes, read whole frames."""

    def __init__(self, port, greet=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
        self.pending = []   # whole frames read beyond what the last call asked for
        self.closed = False
        if greet:
            assert self.frame() == b"Content-Type: auth/request\n\n"

    def send(self, data):
        self.sock.sendall(data)

    def frames(self, count, timeout=5.0):
        deadline = time.monotonic() + timeout
        out = []
        while True:
            got, self.buf = split_frames(self.buf)
            self.pending.extend(got)
            taken = self.pending[:count - len(out)]
            out.extend(taken)
            del self.pending[:len(taken)]
            if len(out) >= count or self.closed:
                return out
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return out
            except OSError:
                data = b""
            if not data:
                self.closed = True
            self.buf += data

    def frame(self, timeout=5.0):
        got = self.frames(1, timeout)
        return got[0] if got else None

    def cmd(self, text, count=1):
        self.send(text.encode() + b"\n\n")
        got = self.frames(count)
        return got[0] if count == 1 else got

    def wait_closed(self, timeout=5.0):
        self.frames(10 ** 6, timeout)
        return self.closed

    def auth(self, password="ClueCon"):
        assert self.cmd("auth " + password) == reply("+OK accepted")
        return self

    def close(self):
        self.sock.close()


def reply(text):
    return b"Content-Type: command/reply\nReply-Text: " + text.encode() + b"\n\n"


def body(frame):
    return frame.partition(b"\n\n")[2].decode()


def event_names(frames):
    return [re.search(rb"^Event-Name: (\S+)$", f.partition(b"\n\n")[2], re.M).group(1).decode()
            for f in frames if b"text/event-plain" in f]


def write_conf(root, files):
    for rel, text in files.items():
        path = os.path.join(str(root), rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text)
    return str(root)


MAIN = """<?xml version="1.0"?>
<document type="freeswitch/xml">
  <X-PRE-PROCESS cmd="include" data="vars.xml"/>
  <section name="configuration">
    <X-PRE-PROCESS cmd="include" data="autoload_configs/*.xml"/>
  </section>
  <section name="dialplan"><X-PRE-PROCESS cmd="include" data="dialplan/*.xml"/></section>
  <section name="directory"><X-PRE-PROCESS cmd="include" data="directory/*.xml"/></section>
</document>
"""


def small_conf(tmp_path, es_params="", acl_lists="", dialplan="", directory=""):
    return write_conf(tmp_path, {
        "freeswitch.xml": MAIN,
        "vars.xml": '<include><X-PRE-PROCESS cmd="set" data="pw=s3cret"/>'
                    '<X-PRE-PROCESS cmd="set" data="domain=example.test"/></include>',
        "autoload_configs/event_socket.conf.xml":
            '<configuration name="event_socket.conf"><settings>'
            '<param name="listen-ip" value="127.0.0.1"/>'
            '<param name="listen-port" value="8021"/>'
            '<param name="password" value="$${pw}"/>%s</settings></configuration>' % es_params,
        "autoload_configs/acl.conf.xml":
            '<configuration name="acl.conf"><network-lists>%s</network-lists>'
            '</configuration>' % acl_lists,
        "dialplan/default.xml": '<include><context name="default">%s</context></include>'
                                % dialplan,
        "directory/default.xml": '<include><domain name="$${domain}">%s</domain></include>'
                                 % directory,
    })


# -- configuration ------------------------------------------------------------------------------

def test_shared_configuration_loads_unchanged():
    cfg = Config.load(CONF)
    assert (cfg.listen_ip, cfg.listen_port, cfg.password) == ("127.0.0.1", 8021, "ClueCon")
    assert cfg.inbound_acls == ["loopback.auto"]
    assert cfg.heartbeat_interval == 20.0 and cfg.max_sessions == 100
    assert cfg.dialplan.route("default", {"destination_number": "9997"}) == [
        ("answer", ""), ("playback", "tone_stream://L=3;%(1000,0,350)"), ("hangup", "")]
    user = cfg.find_user("limited", "esl.local")
    assert user.param("esl-allowed-api") == "status,uptime"
    assert user.param("esl-allowed-log") == "false"          # user overrides the domain
    assert cfg.find_user("esluser", "esl.local").param("esl-allowed-log") == "true"
    assert cfg.find_user("nobody", "esl.local") is None
    assert cfg.acl.allows("domains", "127.0.0.1") is False   # empty list, default deny


def test_stock_defaults_without_a_configuration():
    cfg = Config.load(None)
    assert (cfg.listen_ip, cfg.listen_port, cfg.password) == ("127.0.0.1", 8021, "ClueCon")
    assert cfg.inbound_acls == ["loopback.auto"]
    assert cfg.acl.allows("loopback.auto", "127.0.0.1")
    assert not cfg.acl.allows("loopback.auto", "10.1.2.3")


def test_preprocessor_variables_globs_and_acl_nodes(tmp_path):
    conf = small_conf(tmp_path, directory='<users><user id="gw" cidr="192.0.2.0/24"/></users>',
                      acl_lists='<list name="lan" default="deny">'
                                '<node type="allow" cidr="10.0.0.0/8"/>'
                                '<node type="deny" cidr="10.9.0.0/16"/>'
                                '<node type="allow" domain="$${domain}"/></list>')
    cfg = Config.load(conf)
    assert cfg.password == "s3cret"
    acl = cfg.acl
    assert acl.allows("lan", "10.1.1.1")
    assert not acl.allows("lan", "10.9.1.1")        # the most specific node wins
    assert acl.allows("lan", "192.0.2.7")           # users' cidr of the domain
    assert not acl.allows("lan", "172.16.0.1")      # default
    assert acl.allows("127.0.0.0/8", "127.0.0.5")   # a literal CIDR works as a list
    assert not acl.allows("no-such-list", "127.0.0.1")


def test_dialplan_conditions_anti_actions_break_and_continue(tmp_path):
    conf = small_conf(tmp_path, dialplan="""
      <extension name="always" continue="true">
        <condition><action application="set" data="seen=1"/></condition>
      </extension>
      <extension name="digits">
        <condition field="destination_number" expression="^(\\d{3})$">
          <action application="set" data="ext=$1"/>
          <anti-action application="set" data="notdigits=1"/>
        </condition>
        <condition field="destination_number" expression="^1" break="never">
          <action application="set" data="one=1"/>
          <anti-action application="set" data="notone=1"/>
        </condition>
        <condition field="${flag}" expression="^yes$">
          <action application="answer"/>
        </condition>
      </extension>
      <extension name="fallback"><condition><action application="hangup"/></condition></extension>
    """)
    dp = Config.load(conf).dialplan
    flags = {"flag": "yes"}
    assert dp.route("default", {"destination_number": "123"}, flags.get) == [
        ("set", "seen=1"), ("set", "ext=123"), ("set", "one=1"), ("answer", "")]
    assert dp.route("default", {"destination_number": "234"}, flags.get) == [
        ("set", "seen=1"), ("set", "ext=234"), ("set", "notone=1"), ("answer", "")]
    assert dp.route("default", {"destination_number": "abc"}) == [
        ("set", "seen=1"), ("set", "notdigits=1"), ("hangup", "")]
    assert dp.route("nosuchcontext", {"destination_number": "1"}) == []


def test_broken_configuration_is_reported(tmp_path):
    write_conf(tmp_path, {"freeswitch.xml": "<document><section name='x'></document>"})
    with pytest.raises(ConfigError):
        Config.load(str(tmp_path))
    with pytest.raises(ConfigError):
        Config.load(str(tmp_path / "missing"))


def test_tone_durations():
    assert tone_duration("L=3;%(1000,0,350)") == 3.0
    assert tone_duration("%(500,0,350)") == 0.5
    assert tone_duration("%(100,100,350,440);%(200,0,350)") == 0.4
    assert tone_duration("v=-7;%(250,50,440)") == 0.3


# -- connection lifecycle -------------------------------------------------------------------------

def test_password_from_the_configuration_is_enforced(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(small_conf(tmp_path))
    c = Raw(sim.port)
    assert c.cmd("auth ClueCon", 2) == [reply("-ERR invalid"), GOODBYE]
    assert c.wait_closed()
    Raw(sim.port).auth("s3cret")


def test_acl_rejects_peers_rudely(tmp_path, esl_sim_factory):
    conf = small_conf(tmp_path, es_params='<param name="apply-inbound-acl" value="lan"/>',
                      acl_lists='<list name="lan" default="deny">'
                                '<node type="allow" cidr="10.0.0.0/8"/></list>')
    sim = esl_sim_factory(conf)
    c = Raw(sim.port, greet=False)
    assert c.frames(2) == [b"Content-Type: text/rude-rejection\nContent-Length: 24\n\n"
                           b"Access Denied, go away.\n", GOODBYE]
    assert c.wait_closed()


def test_unauthenticated_commands_and_the_auth_window(esl_sim_factory):
    sim = esl_sim_factory(auth_timeout=0.4)
    c = Raw(sim.port)
    assert c.frames(1, timeout=3) == [GOODBYE]      # nothing sent within the window
    assert c.wait_closed()
    c = Raw(sim.port)
    assert c.cmd("api status") == reply("-ERR command not found")
    time.sleep(0.6)                                 # the window applied to the first command
    c.auth()
    assert c.cmd("exit", 2) == [reply("+OK bye"), GOODBYE]
    assert c.wait_closed()


def test_crlf_and_pipelined_commands(esl_sim):
    c = Raw(esl_sim.port)
    c.send(b"auth ClueCon\r\n\r\napi echo one\r\n\r\n\n\napi echo two\n\nnolog\n\n")
    got = c.frames(4)
    assert got == [reply("+OK accepted"),
                   b"Content-Type: api/response\nContent-Length: 3\n\none",
                   b"Content-Type: api/response\nContent-Length: 3\n\ntwo",
                   reply("-ERR not loging")]


def test_userauth_restrictions(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    c = Raw(sim.port)
    assert c.cmd("userauth limited@esl.local:limpass") == (
        b"Content-Type: command/reply\nReply-Text: +OK accepted\n"
        b"Allowed-Events: CHANNEL_CREATE,HEARTBEAT,CUSTOM,esl::test\n"
        b"Allowed-API: status,uptime\nAllowed-LOG: false\n\n")
    assert c.cmd("event plain CHANNEL_CREATE HEARTBEAT") == reply(
        "+OK event listener enabled plain")
    assert c.cmd("event plain CUSTOM esl::test") == reply("+OK event listener enabled plain")
    assert c.cmd("event plain CUSTOM esl::other") == reply("-ERR permission denied")
    assert c.cmd("event plain CHANNEL_ANSWER") == reply("-ERR permission denied")
    assert c.cmd("event plain ALL") == reply("-ERR permission denied")
    assert re.match(r"^\d+\n$", body(c.cmd("api uptime")))
    assert c.cmd("api version") == reply("-ERR permission denied")
    assert c.cmd("bgapi version") == reply("-ERR permission denied")
    assert c.cmd("log 7") == reply("-ERR permission denied")
    for bad in ("userauth limited@esl.local:wrong", "userauth limited:limpass",
                "userauth nobody@esl.local:x", "userauth esluser@nodomain:eslpass"):
        d = Raw(sim.port)
        assert d.cmd(bad, 2) == [reply("-ERR invalid"), GOODBYE]
        assert d.wait_closed()


def test_bad_content_length_ends_the_connection(esl_sim):
    c = Raw(esl_sim.port).auth()
    c.send(b"sendevent CUSTOM\nContent-Length: -5\n\n")
    assert c.frames(1) == [GOODBYE]
    assert c.wait_closed()


def test_garbage_and_abrupt_disconnects_leave_nothing_behind(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    before = threading.active_count()
    for junk in (b"\x00\xff\xfe garbage without end", b"\r\n" * 1000, os.urandom(5000),
                 b"sendevent CUSTOM\nContent-Length: 100\n\nshort"):
        c = Raw(sim.port)
        c.send(junk)
        c.close()
    c = Raw(sim.port).auth()
    assert c.cmd("api originate loopback/9998/default &park").startswith(
        b"Content-Type: api/response\nContent-Length: 41\n\n+OK ")
    assert sim.channel_count() == 2
    c.send(b"api uuid_kill ")     # half a command, then the peer vanishes
    c.sock.shutdown(socket.SHUT_RDWR)
    c.close()
    d = Raw(sim.port).auth()
    assert body(d.cmd("api hupall")).startswith("+OK")
    deadline = time.monotonic() + 5
    while (sim.channel_count() or sim.connection_count() > 1) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sim.channel_count() == 0
    assert sim.connection_count() == 1
    d.cmd("exit", 2)
    assert d.wait_closed()
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before


def test_shutdown_notice_reaches_connected_clients():
    sim = Simulator().start()
    c = Raw(sim.port).auth()
    sim.stop()
    assert c.frames(1) == [b"Content-Type: text/disconnect-notice\nContent-Length: 31\n\n"
                           b"The system is being shut down.\n"]
    assert c.wait_closed()


# -- events, logs, calls ---------------------------------------------------------------------------

def test_heartbeat_and_reschedule(esl_sim_factory):
    sim = esl_sim_factory(heartbeat_interval=0.3, check_ip_interval=0.3)
    c = Raw(sim.port).auth()
    assert c.cmd("event json HEARTBEAT RE_SCHEDULE") == reply("+OK event listener enabled json")
    got = [json.loads(body(f)) for f in c.frames(3, timeout=3)]
    assert [e["Event-Name"] for e in got] == ["HEARTBEAT", "RE_SCHEDULE", "RE_SCHEDULE"]
    assert got[0]["Event-Info"] == "System Ready"
    assert [e["Task-Desc"] for e in got[1:]] == ["heartbeat", "check_ip"]


def test_log_lines_follow_the_level(esl_sim):
    c = Raw(esl_sim.port).auth()
    assert c.cmd("log notice") == reply("+OK log level notice [5]")
    got = c.cmd("api log WARNING careful", 2)
    assert got[0] == b"Content-Type: api/response\nContent-Length: 4\n\n+OK\n"
    assert got[1].startswith(b"Content-Type: log/data\n")
    assert b"\nLog-Level: 4\n" in got[1] and body(got[1]).endswith("[WARNING] "
                                                                    "mod_commands.c:7247 careful\n")
    assert c.cmd("api log INFO quiet") == b"Content-Type: api/response\nContent-Length: 4\n\n+OK\n"
    assert c.frames(1, timeout=0.3) == []


def short_call_conf(tmp_path):
    return small_conf(tmp_path, dialplan="""
      <extension name="tone"><condition field="destination_number" expression="^100$">
        <action application="answer"/>
        <action application="set" data="greeting=hello world"/>
        <action application="playback" data="tone_stream://%(200,0,350)"/>
        <action application="hangup" data="USER_BUSY"/>
      </condition></extension>
      <extension name="park"><condition field="destination_number" expression="^200$">
        <action application="answer"/><action application="park"/>
      </condition></extension>""")


def test_dialplan_call_runs_to_completion(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(short_call_conf(tmp_path))
    c = Raw(sim.port).auth("s3cret")
    c.cmd("event plain CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY")
    res = c.cmd("api originate loopback/100/default &park")
    assert body(res).startswith("+OK ")
    frames = c.frames(10, timeout=5)
    names = event_names(frames)
    assert names.count("CHANNEL_DESTROY") == 2
    bleg = [body(f) for f in frames if "loopback/100-b" in body(f)]
    complete = [b for b in bleg if b.startswith("Event-Name: CHANNEL_EXECUTE_COMPLETE")]
    apps = [re.search(r"^Application: (\S+)$", b, re.M).group(1) for b in complete]
    assert apps == ["answer", "set", "playback", "hangup"]
    assert "Application-Response: FILE%20PLAYED" in complete[2]
    assert "variable_playback_ms: 200" in complete[2]
    hc = [b for b in bleg if b.startswith("Event-Name: CHANNEL_HANGUP_COMPLETE")][0]
    assert "Hangup-Cause: USER_BUSY" in hc and "variable_greeting: hello%20world" in hc
    assert sim.channel_count() == 0


def test_channel_apis(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(short_call_conf(tmp_path))
    c = Raw(sim.port).auth("s3cret")
    uuid = body(c.cmd("api originate loopback/200/default &park")).split()[1]
    assert body(c.cmd("api uuid_setvar %s foo bar baz" % uuid)) == "+OK\n"
    assert body(c.cmd("api uuid_getvar %s foo" % uuid)) == "bar baz"
    assert body(c.cmd("api uuid_getvar %s nothing" % uuid)) == "_undef_"
    assert body(c.cmd("api uuid_getvar 00000000-0000-0000-0000-000000000000 x")) == \
        "-ERR No such channel!\n"
    rows = json.loads(body(c.cmd("api show channels as json")))
    assert rows["row_count"] == 2
    assert {r["name"] for r in rows["rows"]} == {"loopback/200-a", "loopback/200-b"}
    # The two loopback legs are never bridged: FreeSWITCH lists each as a call of its own.
    calls = body(c.cmd("api show calls"))
    assert calls.endswith("\n2 total.\n")
    assert body(c.cmd("api eval [${nosuchvar}] $${domain}")) == "[] example.test"
    assert body(c.cmd("api eval uuid:%s ${foo}" % uuid)) == "bar baz"
    assert body(c.cmd("api global_getvar domain")) == "example.test"
    assert body(c.cmd("api originate sofia/gateway/x/1 &park")) == "-ERR CHAN_NOT_IMPLEMENTED\n"
    assert body(c.cmd("api originate loopback/404/default &park")) == \
        "-ERR NO_ROUTE_DESTINATION\n"
    assert body(c.cmd("api uuid_kill %s" % uuid)) == "+OK\n"
    deadline = time.monotonic() + 5
    while sim.channel_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sim.channel_count() == 0
    assert body(c.cmd("api show channels")) == "\n0 total.\n"


def test_inbound_myevents_attaches_to_a_channel(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(short_call_conf(tmp_path))
    ctl = Raw(sim.port).auth("s3cret")
    uuid = body(ctl.cmd("api originate loopback/200/default &park")).split()[1]
    c = Raw(sim.port).auth("s3cret")
    assert c.cmd("myevents 00000000-0000-0000-0000-000000000000 json") == reply(
        "-ERR invalid uuid")
    assert c.cmd("myevents " + uuid) == reply("+OK Events Enabled")
    assert c.cmd("getvar loopback_leg") == reply("A")
    assert c.cmd("linger 1") == reply("+OK will linger 1 seconds")
    ctl.cmd("api uuid_kill " + uuid)
    got = c.frames(20, timeout=4)
    assert event_names(got)[-1] == "CHANNEL_HANGUP_COMPLETE"
    assert b"Content-Disposition: linger\n" in got[-2]
    assert got[-1] == GOODBYE.replace(
        b"Content-Type: text/disconnect-notice\n",
        b"Content-Type: text/disconnect-notice\nControlled-Session-UUID: %s\n"
        b"Content-Disposition: disconnect\n" % uuid.encode())
    assert c.wait_closed()


def test_outbound_static_mode(tmp_path, esl_sim_factory):
    app = socket.socket()
    app.bind(("127.0.0.1", 0))
    app.listen(1)
    port = app.getsockname()[1]
    conf = small_conf(tmp_path, dialplan="""
      <extension name="sock"><condition field="destination_number" expression="^300$">
        <action application="set" data="before=1"/>
        <action application="socket" data="127.0.0.1:1|127.0.0.1:%d"/>
        <action application="set" data="after_socket=1"/>
        <action application="park"/>
      </condition></extension>""" % port)
    sim = esl_sim_factory(conf)
    ctl = Raw(sim.port).auth("s3cret")
    ctl.cmd("bgapi originate loopback/300/default &park")
    app.settimeout(5)
    sock, _ = app.accept()
    out = Raw.__new__(Raw)
    out.sock, out.buf, out.closed, out.pending = sock, b"", False, []
    assert out.frames(1, timeout=0.3) == []          # the switch waits for `connect`
    data = out.cmd("connect")
    assert data.endswith(b"Content-Type: command/reply\nReply-Text: %2BOK%0A\n"
                         b"Socket-Mode: static\nControl: single-channel\n\n")
    assert b"\nvariable_before: 1\n" in data and b"\nChannel-Name: loopback/300-b\n" in data
    assert out.cmd("api status") == reply("-ERR command not found")   # not `full`
    assert out.cmd("myevents") == reply("+OK Events Enabled")
    assert out.cmd("resume") == reply("+OK")
    res = out.cmd("sendmsg\ncall-command: execute\nexecute-app-name: answer", 4)
    # static mode: the application ran before the reply was sent
    assert res[0] == reply("+OK")
    assert event_names(res[1:]) == ["CHANNEL_EXECUTE", "CHANNEL_ANSWER",
                                    "CHANNEL_EXECUTE_COMPLETE"]
    assert out.cmd("exit", 2)[0] == reply("+OK bye")
    assert out.wait_closed()
    # after `resume` the dialplan went on with the next application
    uuid = re.search(rb"\nUnique-ID: (\S+)\n", data).group(1).decode()
    deadline = time.monotonic() + 3
    value = None
    while time.monotonic() < deadline:
        value = body(ctl.cmd("api uuid_getvar %s after_socket" % uuid))
        if value == "1":
            break
        time.sleep(0.05)
    assert value == "1"
    ctl.cmd("api hupall")
    app.close()


# -- command line -----------------------------------------------------------------------------------

def test_command_line_runs_until_sigterm(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
    proc = subprocess.Popen([sys.executable, "-m", "ESL.sim", "--conf", CONF, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        line = proc.stdout.readline().decode()
        m = re.match(r"ESL\.sim listening on 127\.0\.0\.1:(\d+)$", line.strip())
        assert m, line
        c = Raw(int(m.group(1))).auth()
        assert body(c.cmd("api version")) == "FreeSWITCH Version 1.11.3-dev~64bit ( 64bit)\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert c.wait_closed()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_filters_regex_negative_and_session_only_commands(esl_sim):
    c = Raw(esl_sim.port).auth()
    assert c.cmd("event plain CUSTOM esl::a esl::b esl::c") == reply(
        "+OK event listener enabled plain")
    assert c.cmd("filter Event-Subclass /^esl::[ab]$/") == reply(
        "+OK filter added. [Event-Subclass]=[/^esl::[ab]$/]")
    assert c.cmd("filter X-Drop -yes") == reply("+OK filter added. [X-Drop]=[-yes]")

    def send(sub, extra=""):
        c.send(("sendevent CUSTOM\nEvent-Subclass: %s%s\n\n" % (sub, extra)).encode())
        return c.frames(2, timeout=0.5)
    assert event_names(send("esl::a")[1:]) == ["CUSTOM"]
    assert len(send("esl::c")) == 1                 # the regex does not match: reply only
    assert len(send("esl::b", "\nX-Drop: YES")) == 1   # negative filter, case-insensitive
    for cmd in ("getvar x", "connect", "resume", "myevents"):
        assert c.cmd(cmd) == reply("-ERR command not found")
    assert c.cmd("divert_events on") == reply("-ERR not controlling a session.")


def test_sendevent_types(esl_sim):
    c = Raw(esl_sim.port).auth()
    c.cmd("event json NOTIFY CUSTOM")
    got = c.cmd("sendevent notify\nEvent-Name: NOTIFY\nX-A: 1", 2)
    ev = json.loads(body(got[1]))
    assert ev["Event-Name"] == "NOTIFY" and ev["Command"] == "sendevent notify"
    assert got[0] == reply("+OK " + ev["Event-UUID"])
    got = c.cmd("sendevent NO_SUCH_TYPE", 2)        # unknown name: a subclass-less CUSTOM
    assert json.loads(body(got[1]))["Event-Name"] == "CUSTOM"


def test_echo_and_log_applications(tmp_path, esl_sim_factory):
    sim = esl_sim_factory(short_call_conf(tmp_path))
    c = Raw(sim.port).auth("s3cret")
    assert c.cmd("log info") == reply("+OK log level info [6]")
    uuid = body(c.cmd("api originate loopback/200/default &echo")).split()[1]
    c.send(b"sendmsg %s\ncall-command: execute\nexecute-app-name: log\n"
           b"execute-app-arg: NOTICE from the dialplan\n\n" % uuid.encode())
    got = []
    deadline = time.monotonic() + 5
    while not any(b"[NOTICE] mod_dptools.c:1746 from the dialplan" in f for f in got) \
            and time.monotonic() < deadline:
        got += c.frames(1, 1.0)   # the call's own log lines (New Channel, ...) come first
    assert reply("+OK") in got
    logs = [f for f in got if f.startswith(b"Content-Type: log/data")
            and b"Log-Func: log_function" in f]
    assert logs and body(logs[0]).endswith("[NOTICE] mod_dptools.c:1746 from the dialplan\n")
    assert any(b"Rename Channel loopback/200/default-a->loopback/200-a" in f for f in got)
    assert body(c.cmd("api uuid_getvar %s current_application" % uuid)) == "log"
    c.cmd("api uuid_kill " + uuid)
    deadline = time.monotonic() + 5
    while sim.channel_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sim.channel_count() == 0


def test_outbound_static_hangup_ends_the_socket_before_the_call_completes(tmp_path,
                                                                          esl_sim_factory):
    app = socket.socket()
    app.bind(("127.0.0.1", 0))
    app.listen(1)
    conf = small_conf(tmp_path, dialplan="""
      <extension name="sock"><condition field="destination_number" expression="^300$">
        <action application="socket" data="127.0.0.1:%d"/>
      </condition></extension>""" % app.getsockname()[1])
    sim = esl_sim_factory(conf)
    ctl = Raw(sim.port).auth("s3cret")
    ctl.cmd("event plain CHANNEL_HANGUP_COMPLETE")
    ctl.cmd("bgapi originate loopback/300/default &park")
    app.settimeout(5)
    sock, _ = app.accept()
    out = Raw.__new__(Raw)
    out.sock, out.buf, out.closed, out.pending = sock, b"", False, []
    uuid = re.search(rb"\nUnique-ID: (\S+)\n", out.cmd("connect")).group(1)
    out.cmd("myevents")
    got = out.cmd("sendmsg\ncall-command: hangup\nhangup-cause: USER_BUSY", 3)
    assert got[0] == reply("+OK")
    assert event_names(got[1:2]) == ["CHANNEL_HANGUP"]
    assert got[2] == GOODBYE.replace(
        b"Content-Type: text/disconnect-notice\n",
        b"Content-Type: text/disconnect-notice\nControlled-Session-UUID: %s\n"
        b"Content-Disposition: disconnect\n" % uuid)
    assert out.wait_closed()
    done = ctl.frames(2, timeout=3)
    assert event_names(done) == ["CHANNEL_HANGUP_COMPLETE"] * 2
    app.close()
