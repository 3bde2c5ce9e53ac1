"""The simulator's api commands over real sockets, as FreeSWITCH's mod_commands answers them."""
import json
import re
import socket
import subprocess
import sys
import threading
import time

import pytest
from conftest import free_port
from test_sim import CONF, Raw, body

import ESL
from ESL.sim.coredb import CHANNEL_COLUMNS
from ESL.sim.pytest_plugin import esl_sim, esl_sim_factory  # noqa: F401 (fixtures)

CALL_COLUMNS = [
    "uuid", "direction", "created", "created_epoch", "name", "state", "cid_name", "cid_num",
    "ip_addr", "dest", "presence_id", "presence_data", "accountcode", "callstate",
    "callee_name", "callee_num", "callee_direction", "call_uuid", "hostname",
    "sent_callee_name", "sent_callee_num", "b_uuid", "b_direction", "b_created",
    "b_created_epoch", "b_name", "b_state", "b_cid_name", "b_cid_num", "b_ip_addr", "b_dest",
    "b_presence_id", "b_presence_data", "b_accountcode", "b_callstate", "b_callee_name",
    "b_callee_num", "b_callee_direction", "b_sent_callee_name", "b_sent_callee_num",
    "call_created_epoch"]


def api_frame(text):
    data = text.encode()
    return b"Content-Type: api/response\nContent-Length: %d\n\n%s" % (len(data), data)


def connect(sim):
    conn = ESL.ESLconnection("127.0.0.1", str(sim.port), "ClueCon")
    assert conn.connected()
    return conn


def api_body(conn, command):
    reply = conn.api(command)
    assert reply.getHeader("Content-Type") == "api/response"
    return reply.getBody()


def test_msleep_answers_late_without_holding_up_other_connections(esl_sim):
    sleeper, other = connect(esl_sim), connect(esl_sim)
    result = {}

    def sleep():
        start = time.monotonic()
        result["body"] = api_body(sleeper, "msleep 1500")
        result["took"] = time.monotonic() - start
    thread = threading.Thread(target=sleep)
    thread.start()
    time.sleep(0.2)
    # While the first connection waits, the switch still answers the second one at once.
    start = time.monotonic()
    assert api_body(other, "echo hi") == "hi"
    quick = time.monotonic() - start
    assert "body" not in result
    thread.join(10)
    assert result["body"] == "+OK"
    assert result["took"] >= 1.4
    assert quick < result["took"] / 2


def test_msleep_without_a_number_answers_at_once(esl_sim):
    conn = connect(esl_sim)
    assert api_body(conn, "msleep") == "+OK"
    assert api_body(conn, "msleep abc") == "+OK"
    assert api_body(conn, "msleep -5") == "+OK"


# -- output FreeSWITCH 1.11 writes (issue 17) --------------------------------------------------

def test_uptime_answers_whole_units_with_a_newline(esl_sim):
    raw = Raw(esl_sim.port).auth()
    assert re.match(r"^\d+\n$", body(raw.cmd("api uptime")))
    assert re.match(r"^\d+\n$", body(raw.cmd("api uptime ms")))
    assert int(body(raw.cmd("api uptime us"))) > int(body(raw.cmd("api uptime s")))
    assert body(raw.cmd("api uptime fortnights")).startswith("-USAGE: [us|ms|s|m|h|d|")


def test_show_without_channels_in_each_layout(esl_sim):
    raw = Raw(esl_sim.port).auth()
    assert raw.cmd("api show channels as json") == api_frame('{"row_count": 0}\n')
    assert raw.cmd("api show calls as json") == api_frame('{"row_count": 0}\n')
    assert raw.cmd("api show channels as xml") == api_frame('<result row_count="0"/>\n')
    assert raw.cmd("api show channels") == api_frame("\n0 total.\n")
    assert raw.cmd("api show channels count") == api_frame("\n0 total.\n")
    assert raw.cmd("api show calls count") == api_frame("\n0 total.\n")
    assert raw.cmd("api show registrations") == api_frame("\n0 total.\n")
    assert body(raw.cmd("api show nonsense")).startswith("-USAGE: codec|endpoint|")


def _call(raw, exten="9998"):
    """Originate a loopback call to ``exten`` (answer + park); returns the A-leg uuid."""
    out = body(raw.cmd("api originate loopback/%s/default &park" % exten))
    assert out.startswith("+OK ")
    return out[4:].strip()


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_show_channels_and_calls_with_a_call_up(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    a_uuid = _call(raw)
    assert raw.cmd("api show channels count") == api_frame("\n2 total.\n")
    # Two loopback legs that were never bridged are two calls, as on a real switch.
    assert raw.cmd("api show calls count") == api_frame("\n2 total.\n")
    assert body(raw.cmd("api show calls count as json")) == '{"row_count":2,"rows":[]}'
    assert body(raw.cmd("api show channels count as xml")) == '<result row_count="2"/>\n'

    text = body(raw.cmd("api show calls as json"))
    assert not text.endswith("\n")   # cJSON_PrintUnformatted, nothing after it
    table = json.loads(text)
    assert table["row_count"] == 2
    a, b = table["rows"]
    assert list(a) == CALL_COLUMNS
    assert (a["uuid"], a["name"], a["state"], a["callstate"]) == (
        a_uuid, "loopback/9998-a", "CS_EXECUTE", "ACTIVE")
    assert (a["cid_name"], a["cid_num"], a["callee_num"], a["callee_direction"]) == (
        "Outbound Call", "default", "0000000000", "RECV")
    assert a["call_uuid"] == a_uuid and b["call_uuid"] == ""
    assert (b["name"], b["callee_name"], b["b_uuid"]) == ("loopback/9998-b", "Outbound Call", "")

    xml = body(raw.cmd("api show channels as xml"))
    lines = xml.split("\n")
    assert lines[:3] == ['<result row_count="2">', '  <row row_id="1">',
                         "    <uuid>%s</uuid>" % a_uuid]
    assert "    <application>park</application>" in lines
    assert "    <ip_addr></ip_addr>" in lines
    assert xml.endswith("  </row>\n</result>\n")
    assert xml.count("<row row_id=") == 2

    plain = body(raw.cmd("api show channels")).split("\n")
    assert plain[0] == ",".join(CHANNEL_COLUMNS)
    assert plain[1].startswith(a_uuid + ",outbound,")
    assert plain[-3:] == ["", "2 total.", ""]
    assert body(raw.cmd("api show channels as delim |")).split("\n")[0] == "|".join(
        CHANNEL_COLUMNS)
    like = body(raw.cmd("api show channels like 9998-b"))
    assert like.endswith("\n1 total.\n") and "loopback/9998-b" in like

    raw.cmd("api hupall")
    assert _wait_for(lambda: body(raw.cmd("api show channels count")) == "\n0 total.\n")
    assert body(raw.cmd("api show calls as json")) == '{"row_count": 0}\n'


def test_a_bridge_joins_both_legs_into_one_call(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    first, second = _call(raw), _call(raw)
    first_b = body(raw.cmd("api uuid_getvar %s other_loopback_leg_uuid" % first))
    assert body(raw.cmd("api uuid_bridge %s %s" % (first_b, second))).startswith("+OK")
    rows = json.loads(body(raw.cmd("api show bridged_calls as json")))["rows"]
    assert [(r["uuid"], r["b_uuid"]) for r in rows] == [(first_b, second)]
    assert rows[0]["call_created_epoch"].isdigit()
    # The callee is no call of its own any more: 4 legs, 3 calls.
    assert body(raw.cmd("api show calls count")) == "\n3 total.\n"
    detailed = json.loads(body(raw.cmd("api show detailed_calls as json")))["rows"]
    assert "b_application" in detailed[0] and "b_call_uuid" in detailed[0]


# -- channel commands ---------------------------------------------------------------------------

def test_create_uuid_and_uuid_exists(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    made = body(raw.cmd("api create_uuid"))
    assert re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", made)
    assert made != body(raw.cmd("api create_uuid"))
    assert body(raw.cmd("api uuid_exists %s" % made)) == "false"
    assert body(raw.cmd("api uuid_exists")) == "false"
    uuid = _call(raw)
    assert body(raw.cmd("api uuid_exists %s" % uuid)) == "true"
    raw.cmd("api uuid_kill %s" % uuid)
    assert _wait_for(lambda: body(raw.cmd("api uuid_exists %s" % uuid)) == "false")


def test_uuid_dump_in_every_format(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    txt = body(raw.cmd("api uuid_dump %s" % uuid))
    lines = txt.split("\n")
    assert lines[0] == "Event-Name: CHANNEL_DATA"
    assert "Event-Calling-Function: uuid_dump_function" in lines
    assert "Unique-ID: %s" % uuid in lines
    assert "Caller-Caller-ID-Name: Outbound%20Call" in lines   # url-encoded
    assert "variable_current_application: park" in lines
    assert txt.endswith("\n\n")
    plain = body(raw.cmd("api uuid_dump %s plain" % uuid))
    assert "Caller-Caller-ID-Name: Outbound Call\n" in plain and plain.endswith("\n\n")
    dumped = json.loads(body(raw.cmd("api uuid_dump %s json" % uuid)))
    assert dumped["Event-Name"] == "CHANNEL_DATA" and dumped["Unique-ID"] == uuid
    xml = body(raw.cmd("api uuid_dump %s xml" % uuid))
    assert xml.startswith("<event>\n  <headers>\n    <Event-Name>CHANNEL_DATA</Event-Name>\n")
    assert body(raw.cmd("api uuid_dump 00000000-0000-0000-0000-000000000000")) == \
        "-ERR No such channel!\n"
    assert body(raw.cmd("api uuid_dump")) == "-USAGE: <uuid> [format]\n"


# -- directory and sofia ------------------------------------------------------------------------

def test_list_users_and_user_exists_read_the_directory(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    assert body(raw.cmd("api list_users")) == (
        "userid|context|domain|group|contact|callgroup|effective_caller_id_name|"
        "effective_caller_id_number\n"
        "esluser||esl.local|default|error/user_not_registered|||\n"
        "limited||esl.local|default|error/user_not_registered|||\n"
        "1000|default|esl.local|default|error/user_not_registered||Extension 1000|1000\n"
        "1001|default|esl.local|default|error/user_not_registered||Extension 1001|1001\n"
        "\n+OK\n")
    only = body(raw.cmd("api list_users user 1001")).split("\n")
    assert only[1].startswith("1001|") and only[2:] == ["", "+OK", ""]
    assert body(raw.cmd("api list_users context default")).count("|default|esl.local|") == 2
    assert body(raw.cmd("api list_users domain nowhere")).split("\n")[1:] == ["", "+OK", ""]
    assert body(raw.cmd("api user_exists id 1000 esl.local")) == "true"
    assert body(raw.cmd("api user_exists id nosuchuser esl.local")) == "false"
    assert body(raw.cmd("api user_exists id 1000 other.domain")) == "false"
    assert body(raw.cmd("api user_exists id 1000")) == "false"


def test_sofia_status_lists_the_configured_profiles(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    line = "=" * 97
    assert body(raw.cmd("api sofia status")) == (
        "%25s\t%s\t  %40s\t%s\n" % ("Name", "   Type", "Data", "State") + line + "\n" +
        "%25s\t%s\t  %40s\t%s\n" % ("internal", "profile", "sip:mod_sofia@127.0.0.1:5060",
                                    "RUNNING (0)") + line + "\n1 profile 0 aliases\n")
    details = body(raw.cmd("api sofia status profile internal")).split("\n")
    assert details[0] == line and "SIP-IP           \t127.0.0.1" in details
    assert "CODECS IN        \tPCMU,PCMA" in details
    assert body(raw.cmd("api sofia status profile nope")) == "Invalid Profile!\n"
    assert "Total items returned: 0" in body(raw.cmd("api sofia status profile internal reg"))
    assert body(raw.cmd("api sofia status gateway nope")) == "Invalid Gateway!\n"
    assert body(raw.cmd("api sofia")).startswith("USAGE:\n")
    # Without a sofia.conf there is no profile.
    stock = Raw(esl_sim_factory().port).auth()
    assert body(stock.cmd("api sofia status")).endswith("0 profiles 0 aliases\n")


# -- bgapi, expand ------------------------------------------------------------------------------

def test_bgapi_as_an_api_command(esl_sim):
    raw = Raw(esl_sim.port).auth()
    raw.cmd("event plain BACKGROUND_JOB")
    reply_frame, job = raw.cmd("api bgapi status", count=2)
    answer = body(reply_frame)
    m = re.match(r"^\+OK Job-UUID: ([0-9a-f-]{36})\n$", answer)
    assert m and reply_frame.startswith(b"Content-Type: api/response\n")
    event = body(job)
    assert "Job-UUID: %s\n" % m.group(1) in event
    assert "Event-Calling-File: mod_commands.c\nEvent-Calling-Function: bgapi_exec\n" in event
    assert "Job-Command: status\n" in event and "Job-Command-Arg" not in event
    assert "Job-Owner-UUID" not in event
    assert event.split("\n\n", 1)[1].startswith("UP 0 years")
    # A job uuid of one's own, an argument, an unknown command.
    fixed = "11111111-2222-3333-4444-555555555555"
    answer, job = raw.cmd("api bgapi uuid:%s echo hi there" % fixed, count=2)
    assert body(answer) == "+OK Job-UUID: %s\n" % fixed
    assert "Job-Command: echo\nJob-Command-Arg: hi%20there\n" in body(job)
    assert body(job).endswith("\n\nhi there")
    answer, job = raw.cmd("api bgapi nosuch thing", count=2)
    assert body(job).endswith("\n\nnosuch: Command not found!\n")
    assert body(raw.cmd("api bgapi")) == "-ERR Invalid syntax\n"


def test_expand_runs_a_command_on_expanded_arguments(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    assert body(raw.cmd("api expand echo ${domain}")) == "esl.local"
    assert body(raw.cmd("api expand echo [${API-Command}] [${nothing}]")) == "[expand] []"
    assert body(raw.cmd("api expand echo ${create_uuid()}"))[14] == "4"
    uuid = _call(raw)
    assert body(raw.cmd("api expand uuid:%s echo ${Channel-Name} ${variable_loopback_leg}"
                        % uuid)) == "loopback/9998-a A"
    assert body(raw.cmd("api expand nosuch x")) == \
        "INVALID COMMAND!\n-ERR Cannot execute command\n"
    assert body(raw.cmd("api expand")) == "-ERR No input\n"


# -- shutdown -----------------------------------------------------------------------------------

SHUTDOWN_NOTICE = (b"Content-Type: text/disconnect-notice\nContent-Length: 31\n\n"
                   b"The system is being shut down.\n")


@pytest.mark.parametrize("command", ["shutdown", "fsctl shutdown"])
def test_shutdown_ends_the_calls_and_the_simulator(esl_sim_factory, command):
    sim = esl_sim_factory(CONF)
    raw, watcher = Raw(sim.port).auth(), Raw(sim.port).auth()
    watcher.cmd("event plain CHANNEL_HANGUP SHUTDOWN")
    _call(raw)
    assert raw.cmd("api " + command) == api_frame("+OK\n")
    assert sim.wait(10)
    frames = watcher.frames(10, timeout=5)
    names = [re.search(rb"Event-Name: (\w+)", f).group(1) for f in frames if b"Event-Name" in f]
    assert names == [b"SHUTDOWN", b"CHANNEL_HANGUP", b"CHANNEL_HANGUP"]
    assert b"Hangup-Cause: SYSTEM_SHUTDOWN" in frames[1]
    assert frames[-1] == SHUTDOWN_NOTICE and watcher.closed
    assert raw.wait_closed()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", sim.port), timeout=2)


def test_fsctl_shutdown_elegant_waits_for_the_calls_and_can_be_cancelled(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    assert body(raw.cmd("api fsctl shutdown elegant")) == "+OK\n"
    assert body(raw.cmd("api fsctl shutdown_check")) == "true"
    assert not sim.wait(0.3)
    assert body(raw.cmd("api fsctl shutdown cancel")) == "+OK\n"
    assert body(raw.cmd("api fsctl shutdown_check")) == "false"
    assert body(raw.cmd("api fsctl shutdown asap")) == "+OK\n"
    assert not sim.wait(0.3)
    raw.cmd("api uuid_kill %s" % uuid)
    assert sim.wait(10)
    assert raw.wait_closed()


def test_fsctl_other_subcommands(esl_sim):
    raw = Raw(esl_sim.port).auth()
    assert body(raw.cmd("api fsctl loglevel debug")) == "+OK log level: DEBUG [7]\n"
    assert body(raw.cmd("api fsctl loglevel 3")) == "+OK log level: ERR [3]\n"
    assert body(raw.cmd("api fsctl loglevel bogus")) == "-ERR syntax error, log level not set!\n"
    assert body(raw.cmd("api fsctl max_sessions 50")) == "+OK max sessions: 50\n"
    assert body(raw.cmd("api fsctl ready_check")) == "true"
    assert body(raw.cmd("api fsctl")).startswith("-USAGE: [api_expansion [on|off]|")
    assert body(raw.cmd("api fsctl frobnicate")).startswith("-ERR Invalid command\nUSAGE: fsctl ")


def test_command_line_simulator_exits_after_a_shutdown_command(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ESL.sim", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().startswith(b"ESL.sim listening on")
        conn = ESL.ESLconnection("127.0.0.1", str(port), "ClueCon")
        assert conn.api("fsctl shutdown").getBody() == "+OK\n"
        assert proc.wait(15) == 0
        assert conn.recvEventTimed(2000) is not None or not conn.connected()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- call control: dtmf, broadcast, transfer, hold, record --------------------------------------

def _events(raw, count, timeout=5.0):
    """The next ``count`` events, as (Event-Name, headers dict, body) triples."""
    out = []
    for frame in raw.frames(count, timeout):
        text = body(frame)
        head, _, rest = text.partition("\n\n")
        headers = dict(line.split(": ", 1) for line in head.split("\n") if ": " in line)
        out.append((headers.get("Event-Name"), headers, rest))
    return out


def _watcher(sim, uuid_or_names):
    watcher = Raw(sim.port).auth()
    watcher.cmd("event plain " + uuid_or_names)
    return watcher


def test_uuid_send_dtmf_reaches_the_far_end(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    a_leg = _call(raw)
    b_leg = body(raw.cmd("api uuid_getvar %s other_loopback_leg_uuid" % a_leg))
    watcher = _watcher(sim, "DTMF")
    assert body(raw.cmd("api uuid_send_dtmf %s 12#" % a_leg)) == \
        "+OK %s sent DTMF 12#.\n" % a_leg
    heard = _events(watcher, 3)
    assert [(h["DTMF-Digit"], h["Unique-ID"], h["DTMF-Duration"]) for _, h, _ in heard] == [
        ("1", b_leg, "2000"), ("2", b_leg, "2000"), ("%23", b_leg, "2000")]
    assert body(raw.cmd("api uuid_send_dtmf %s 9@500" % a_leg)).startswith("+OK")
    assert _events(watcher, 1)[0][1]["DTMF-Duration"] == "4000"
    # The data is the rest of the line (two fields, as switch_separate_string splits it):
    # switchio's "<digits> @<ms>" sends the digits with that duration.
    assert body(raw.cmd("api uuid_send_dtmf %s 78 @300" % a_leg)) == \
        "+OK %s sent DTMF 78 @300.\n" % a_leg
    assert [(h["DTMF-Digit"], h["DTMF-Duration"]) for _, h, _ in _events(watcher, 2)] == [
        ("7", "2400"), ("8", "2400")]
    assert body(raw.cmd("api uuid_send_dtmf %s" % a_leg)) == "-USAGE: <uuid> <dtmf_data>\n"
    assert body(raw.cmd("api uuid_send_dtmf 00000000-0000-0000-0000-000000000000 1")) == \
        "-ERR Cannot locate session!\n"


def test_uuid_broadcast_queues_the_playback_and_can_hang_up(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    watcher = _watcher(sim, "CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP")
    assert body(raw.cmd("api uuid_broadcast %s tone_stream://%%(100,0,440)" % uuid)) == \
        "+OK Message sent\n"
    seen = [(n, h.get("Application"), h["Unique-ID"]) for n, h, _ in _events(watcher, 2)]
    assert seen == [("CHANNEL_EXECUTE", "playback", uuid),
                    ("CHANNEL_EXECUTE_COMPLETE", "playback", uuid)]
    assert body(raw.cmd("api uuid_broadcast %s set::from_broadcast=1" % uuid)).startswith(
        "+OK")
    assert _events(watcher, 1)[0][1]["Application-Data"] == "from_broadcast%3D1"
    _events(watcher, 1)
    assert body(raw.cmd("api uuid_getvar %s from_broadcast" % uuid)) == "1"
    raw.cmd("api uuid_broadcast %s playback!user_busy::silence_stream://100 aleg" % uuid)
    names = [(n, h.get("Application"), h.get("Hangup-Cause")) for n, h, _ in
             _events(watcher, 5)]
    assert ("CHANNEL_EXECUTE", "hangup", None) in names
    assert ("CHANNEL_HANGUP", None, "USER_BUSY") in names
    assert body(raw.cmd("api uuid_broadcast %s" % uuid)).startswith("-USAGE: <uuid> <path>")


def test_uuid_broadcast_to_the_bridged_partner(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    first, second = _call(raw), _call(raw)
    first_b = body(raw.cmd("api uuid_getvar %s other_loopback_leg_uuid" % first))
    assert body(raw.cmd("api uuid_bridge %s %s" % (first_b, second))).startswith("+OK")
    watcher = _watcher(sim, "CHANNEL_EXECUTE")
    raw.cmd("api uuid_broadcast %s silence_stream://100 bleg" % first_b)
    assert [(h["Unique-ID"], h["Application"]) for _, h, _ in _events(watcher, 1)] == [
        (second, "playback")]
    raw.cmd("api uuid_broadcast %s silence_stream://100 both" % first_b)
    assert {h["Unique-ID"] for _, h, _ in _events(watcher, 2)} == {first_b, second}
    raw.cmd("api uuid_broadcast %s silence_stream://100 holdb" % first_b)
    assert _events(watcher, 1, timeout=0.5) == []


def test_uuid_transfer_routes_the_channel_again(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    watcher = _watcher(sim, "CHANNEL_EXECUTE CHANNEL_HANGUP_COMPLETE")
    assert body(raw.cmd("api uuid_transfer %s 9997 XML default" % uuid)) == "+OK\n"
    executed = []
    for name, headers, _ in _events(watcher, 10, timeout=8):
        if headers.get("Unique-ID") == uuid:
            executed.append((name, headers.get("Application"),
                             headers.get("Caller-Destination-Number")))
    assert executed[:2] == [("CHANNEL_EXECUTE", "answer", "9997"),
                            ("CHANNEL_EXECUTE", "playback", "9997")]
    assert ("CHANNEL_HANGUP_COMPLETE", None, "9997") in executed
    assert body(raw.cmd("api uuid_transfer 00000000-0000-0000-0000-000000000000 1")) == \
        "-ERR No such channel!\n"
    assert body(raw.cmd("api uuid_transfer x")).startswith("-USAGE: <uuid> [-bleg|-both]")


def test_uuid_hold_and_unhold(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    watcher = _watcher(sim, "CHANNEL_CALLSTATE CHANNEL_HOLD CHANNEL_UNHOLD")
    assert body(raw.cmd("api uuid_hold %s" % uuid)) == "+OK Success\n"
    (state, h1, _), (hold, h2, _) = _events(watcher, 2)
    assert (state, h1["Channel-Call-State"], h1["Original-Channel-Call-State"]) == (
        "CHANNEL_CALLSTATE", "HELD", "ACTIVE")
    assert hold == "CHANNEL_HOLD" and h2["Unique-ID"] == uuid
    assert h2["Caller-Channel-Last-Hold"] != "0"
    assert body(raw.cmd("api uuid_hold %s" % uuid)) == "-ERR Operation failed\n"
    assert body(raw.cmd("api uuid_hold toggle %s" % uuid)) == "+OK Success\n"
    assert [(n, h.get("Channel-Call-State")) for n, h, _ in _events(watcher, 2)] == [
        ("CHANNEL_CALLSTATE", "UNHELD"), ("CHANNEL_UNHOLD", "UNHELD")]
    assert body(raw.cmd("api uuid_hold off %s" % uuid)) == "-ERR Operation failed\n"
    # Like FreeSWITCH, a uuid it cannot find is no failure.
    assert body(raw.cmd("api uuid_hold 00000000-0000-0000-0000-000000000000")) == \
        "+OK Success\n"


def _wav_seconds(path):
    import wave
    with wave.open(path, "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        return wav.getnframes() / 8000.0


def test_uuid_record_writes_a_wav_of_the_recorded_length(esl_sim_factory, tmp_path):
    sim = esl_sim_factory(CONF)
    raw = Raw(sim.port).auth()
    uuid = _call(raw)
    watcher = _watcher(sim, "RECORD_START RECORD_STOP CHANNEL_HANGUP_COMPLETE")
    limited, stopped, at_hangup = (str(tmp_path / n) for n in ("a.wav", "b.wav", "c.wav"))
    assert body(raw.cmd("api uuid_record %s start %s 1" % (uuid, limited))) == "+OK Success\n"
    start, stop = _events(watcher, 2, timeout=5)
    assert (start[0], start[1]["Record-File-Path"]) == ("RECORD_START", limited)
    assert stop[0] == "RECORD_STOP" and stop[1]["variable_record_seconds"] == "1"
    assert _wav_seconds(limited) == 1.0

    raw.cmd("api uuid_record %s start %s" % (uuid, stopped))
    time.sleep(0.3)
    assert body(raw.cmd("api uuid_record %s stop %s" % (uuid, stopped))) == "+OK Success\n"
    assert [n for n, _, _ in _events(watcher, 2)] == ["RECORD_START", "RECORD_STOP"]
    assert 0.2 <= _wav_seconds(stopped) < 5
    assert body(raw.cmd("api uuid_record %s stop %s" % (uuid, stopped))) == \
        "-ERR Cannot stop record session!\n"

    raw.cmd("api uuid_record %s start %s" % (uuid, at_hangup))
    raw.cmd("api uuid_kill %s" % uuid)
    names = [n for n, h, _ in _events(watcher, 4) if h.get("Unique-ID") == uuid]
    assert names == ["RECORD_START", "RECORD_STOP", "CHANNEL_HANGUP_COMPLETE"]
    assert _wav_seconds(at_hangup) < 5
    assert body(raw.cmd("api uuid_record %s start x.wav" % uuid)) in (
        "-ERR Cannot locate session!\n", "-ERR Cannot record session!\n")
    assert body(raw.cmd("api uuid_record %s" % uuid)).startswith("-USAGE: <uuid> [start|stop|")
