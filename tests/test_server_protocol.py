"""ESL.protocol.server: the server role without sockets (command reading, frames, events)."""
import json
import os
from urllib.parse import unquote

import pytest

from ESL.protocol import server as proto
from ESL.protocol.server import CommandError, CommandReader, ServerEvent

HERE = os.path.dirname(os.path.abspath(__file__))
TRANSCRIPTS = os.path.join(HERE, "data", "sim", "fs-transcripts")


def read_all(*chunks):
    reader = CommandReader()
    out = []
    for chunk in chunks:
        reader.feed(chunk)
        out.extend(reader.commands())
    return out, reader


# -- command reading ---------------------------------------------------------------------------

def test_blank_lines_before_a_command_are_skipped():
    cmds, reader = read_all(b"\n\r\n\napi status\n\n")
    assert [c.line for c in cmds] == ["api status"]
    assert not reader.pending


@pytest.mark.parametrize("end", [b"\n\n", b"\n\r\n", b"\r\n\r\n", b"\n\r\r\n"])
def test_every_freeswitch_terminator_ends_a_block(end):
    cmds, _ = read_all(b"auth ClueCon" + end)
    assert [c.line for c in cmds] == ["auth ClueCon"]


def test_a_lone_line_break_does_not_end_a_block():
    cmds, reader = read_all(b"sendmsg\ncall-command: hangup\n")
    assert cmds == []
    assert reader.pending


def test_pipelined_commands_come_out_in_order_even_byte_by_byte():
    data = b"auth ClueCon\n\napi status\n\n\n\nevent plain ALL\r\n\r\n"
    cmds, _ = read_all(*[data[i:i + 1] for i in range(len(data))])
    assert [c.line for c in cmds] == ["auth ClueCon", "api status", "event plain ALL"]


def test_headers_body_and_command_text():
    cmds, _ = read_all(b"sendevent CUSTOM\nEvent-Subclass: esl::test\nX-A:   spaced\n"
                       b"X-Tab:\tt\nno colon here\nContent-Length: 5\n\nhello")
    cmd = cmds[0]
    assert cmd.line == "sendevent CUSTOM"
    assert cmd.text.startswith("sendevent CUSTOM\nEvent-Subclass")
    assert cmd.header("event-subclass") == "esl::test"
    assert cmd.header("X-A") == "spaced"          # spaces after the colon skipped...
    assert cmd.header("X-Tab") == "\tt"           # ...tabs are not
    assert cmd.body == "hello"
    names = [h[0] for h in cmd.event.headers]
    assert names == ["Command", "Event-Subclass", "X-A", "X-Tab", "Content-Length"]


def test_body_waits_for_all_its_bytes_and_stops_at_nul():
    reader = CommandReader()
    reader.feed(b"sendevent CUSTOM\nContent-Length: 7\n\nab")
    assert list(reader.commands()) == []
    assert reader.pending
    reader.feed(b"c\0def")
    (cmd,) = list(reader.commands())
    assert cmd.body == "abc"
    assert not reader.pending


def test_empty_value_deletes_and_array_values_split():
    cmds, _ = read_all(b"sendevent CUSTOM\nX-Dup: 1\nX-Dup: 2\nx-dup:\nX-Arr: ARRAY::a|:b\n\n")
    ev = cmds[0].event
    assert ev.get("X-Dup") is None
    assert ["X-Arr", ["a", "b"]] in ev.headers


@pytest.mark.parametrize("value", [b"-1", b"16777217"])
def test_bad_content_length_is_an_error(value):
    reader = CommandReader()
    reader.feed(b"sendevent CUSTOM\nContent-Length: " + value + b"\n\n")
    with pytest.raises(CommandError):
        list(reader.commands())


def test_content_length_is_read_like_atoi():
    cmds, _ = read_all(b"sendmsg\ncontent-length: 3xyz\n\nabc")
    assert cmds[0].body == "abc"
    cmds, _ = read_all(b"sendmsg\ncontent-length: zz\n\napi status\n\n")
    assert [c.line for c in cmds] == ["sendmsg", "api status"]


def test_oversized_block_is_force_terminated():
    reader = CommandReader()
    reader.feed(b"x" * (proto.MAX_BLOCK + 10))
    cmds = list(reader.commands())
    assert len(cmds) == 1
    assert len(cmds[0].text) == proto.MAX_BLOCK


def test_non_utf8_bytes_survive():
    cmds, _ = read_all(b"api log INFO caf\xc3\xa9 \xff\n\n")
    assert cmds[0].line.encode("utf-8", "surrogateescape") == b"api log INFO caf\xc3\xa9 \xff"


# -- frames ------------------------------------------------------------------------------------

def test_reply_frames():
    assert proto.reply_frame("+OK accepted") == (
        b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
    assert proto.reply_frame("") == (
        b"Content-Type: command/reply\nReply-Text: -ERR command not found\n\n")
    assert proto.reply_frame("~Reply-Text: +OK\nJob-UUID: x\n\n") == (
        b"Content-Type: command/reply\nReply-Text: +OK\nJob-UUID: x\n\n")
    long = proto.reply_frame("+OK " + "x" * 600)
    assert long == b"Content-Type: command/reply\nReply-Text: +OK " + b"x" * 507 + b"\n\n"


def test_api_log_disconnect_linger_and_rejection_frames():
    assert proto.api_response_frame("+OK\n") == (
        b"Content-Type: api/response\nContent-Length: 4\n\n+OK\n")
    assert proto.disconnect_frame() == (
        b"Content-Type: text/disconnect-notice\nContent-Length: 67\n\n"
        b"Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n")
    assert proto.disconnect_frame("u-1").startswith(
        b"Content-Type: text/disconnect-notice\nControlled-Session-UUID: u-1\n"
        b"Content-Disposition: disconnect\nContent-Length: 67\n\n")
    assert proto.linger_frame("u-1", "loopback/9999-b", -1) == (
        b"Content-Type: text/disconnect-notice\nControlled-Session-UUID: u-1\n"
        b"Content-Disposition: linger\nChannel-Name: loopback/9999-b\nLinger-Time: -1\n"
        b"Content-Length: 0\n\n")
    assert proto.rude_rejection_frame() == (
        b"Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n")
    text = "2026-11-26 12:57:35.811320 64.50% [INFO] mod_commands.c:7247 hi\n"
    assert proto.log_frame(text, 6, 3, "mod_commands.c", "log_function", 7247) == (
        b"Content-Type: log/data\nContent-Length: 64\nLog-Level: 6\nText-Channel: 3\n"
        b"Log-File: mod_commands.c\nLog-Func: log_function\nLog-Line: 7247\nUser-Data: \n\n"
        + text.encode())


# -- events ------------------------------------------------------------------------------------

def _frames(scenario, conn):
    with open(os.path.join(TRANSCRIPTS, scenario + ".json"), encoding="utf-8") as fh:
        tr = json.load(fh)
    data = "".join(s["received"] for s in tr["steps"] if s["conn"] == conn).encode("latin-1")
    from ESL.sim.replay import split_frames
    return split_frames(data)[0]


def _event_from_plain(frame: bytes) -> ServerEvent:
    head, _, body = frame.partition(b"\n\n")
    text = body.decode("utf-8")
    block, sep, rest = text.partition("\n\n")
    ev = ServerEvent()
    lines = block.split("\n")
    if rest or (sep and lines[-1].startswith("Content-Length: ")):
        ev.body = rest          # the last header line announced the body
        lines = lines[:-1]
    for line in lines:
        name, _, value = line.partition(": ")
        ev.headers.append([name, unquote(value)])
    return ev


@pytest.mark.parametrize("scenario,plain_conn,others", [
    ("sendevent_custom", "inbound-plain", {"inbound-json": "json", "inbound-xml": "xml"}),
])
def test_serialisations_reproduce_real_frames(scenario, plain_conn, others):
    plains = [f for f in _frames(scenario, plain_conn) if b"text/event-plain" in f]
    assert len(plains) == 3
    for kind_conn, fmt in others.items():
        realframes = [f for f in _frames(scenario, kind_conn) if b"text/event-" in f]
        for plain, real in zip(plains, realframes):
            ev = _event_from_plain(plain)
            assert proto.event_frame(ev, "plain") == plain
            assert proto.event_frame(ev, fmt) == real


def test_real_channel_event_round_trips_in_every_format():
    plain = [f for f in _frames("events_plain_all", "inbound-plain")
             if b"CHANNEL_HANGUP_COMPLETE" in f][0]
    ev = _event_from_plain(plain)
    assert proto.event_frame(ev) == plain
    as_json = json.loads(ev.serialize("json"))
    assert as_json["variable_caller_id"] == '"Outbound Call" <default>'


def test_plain_encoding_and_bodies():
    ev = ServerEvent([("A", "::1"), ("B", "a%20b"), ("C", "tone_stream://%(500,0,350)")])
    assert ev.serialize() == ("A: %3A%3A1\nB: a%20b\nC: tone_stream%3A//%25(500,0,350)\n\n")
    ev.body = ""
    assert ev.serialize().endswith("\n\n")          # empty body: no Content-Length in plain
    assert ev.serialize("json").endswith(',"Content-Length":"0","_body":""}')
    ev.body = "x\r\n<é>"
    assert ev.serialize().endswith("Content-Length: 7\n\nx\r\n<é>")
    assert "<body>x&#xD;\n&lt;&#xE9;&gt;</body>" in ev.serialize("xml")


def test_json_escaping_and_arrays():
    ev = ServerEvent([("K", 'q"b\\\x01\t/é'), ("Arr", ["1", "2"])])
    assert ev.serialize("json") == '{"K":"q\\"b\\\\\\u0001\\t/é","Arr":["1","2"]}'
    assert ev.serialize() == "K: q%22b%5C%01%09/%C3%A9\nArr: ARRAY%3A%3A1%7C%3A2\n\n"
    assert "    <Arr>1</Arr>\n    <Arr>2</Arr>\n" in ev.serialize("xml")


def test_delivery_copy_puts_subclass_first():
    ev = ServerEvent([("Command", "sendevent CUSTOM"), ("Event-Subclass", "esl::x"),
                      ("Event-Name", "CUSTOM")], subclass="esl::x")
    assert [h[0] for h in ev.copy().headers] == ["Event-Subclass", "Command", "Event-Name"]


def test_event_name_lookup():
    assert proto.event_type_from_name("heartbeat") == "HEARTBEAT"
    assert proto.event_type_from_name("SWITCH_EVENT_CHANNEL_CREATE") == "CHANNEL_CREATE"
    assert proto.event_type_from_name("XXXXXXXXXXXXXheartbeat") == "HEARTBEAT"
    assert proto.event_type_from_name("all") == "ALL"
    assert proto.event_type_from_name("NO_SUCH") is None
