"""Fuzzing the protocol core: the client packet reader, the received-event parsers and the
simulator's command reader.

Properties (docs/guarantees.rst):

* a parser either yields frames or raises its one protocol error (``ProtocolError`` /
  ``CommandError``) -- never another exception, never a hang;
* the same stream cut into arbitrary chunks gives the same frames and fails at the same frame;
* memory stays bounded by the configured limits (buffered bytes, tracemalloc peaks);
* the event parsers turn any text into an event (or None for invalid JSON) whose accessors and
  serialisers work.

Default runs are bounded (``max_examples``); ``make stress`` runs the same properties longer.
"""
import json
import os
import socket
import sys
import threading

import pytest
from conftest import need_tracemalloc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(__file__))
from scripted import GREETING, ACCEPTED  # noqa: E402

from ESL import ESLconnection, ESLevent  # noqa: E402
from ESL import datastructures as ds  # noqa: E402
from ESL.protocol.framing import Packet, PacketReader, ProtocolError  # noqa: E402
from ESL.protocol.headers import split_outer  # noqa: E402
from ESL.protocol.server import MAX_BODY, CommandError, CommandReader, ServerEvent  # noqa: E402
from ESL.protocol.urlcode import decode_value  # noqa: E402

# Small limits so that fuzzed streams reach them.
HEAD_LIMIT = 300
BODY_LIMIT = 200


def both(*strategies, fast=150, stress=5000):
    """Decorate a property into two tests: a bounded default one and a long stress one."""
    def make(prop):
        def build(n):
            return settings(max_examples=n, deadline=None,
                            suppress_health_check=list(HealthCheck))(given(*strategies)(prop))
        return build(fast), pytest.mark.stress(build(stress))
    return make


# -- stream generators -----------------------------------------------------------------------

_names = st.sampled_from(["Content-Type", "content-length", "Content-Length", "Reply-Text",
                          "Event-Name", "X", " Lead", "Content-Disposition", "", "a:b"])
_values = st.one_of(
    st.sampled_from(["command/reply", "api/response", "text/event-plain", "text/event-json",
                     "text/disconnect-notice", "linger", "auth/request", "+OK", "%2BOK",
                     "%", "%4", "%4g", "%zz", "%00x", "%ff%fe", "ARRAY::a|:b", "", "-1",
                     "99999999999999999999", " 5abc", "0", "\t3"]),
    st.integers(-5, BODY_LIMIT + 20).map(str),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30).map(
        lambda s: s.replace("\n", "")),
)
_eol = st.sampled_from([b"\n", b"\r\n", b"\n\r"])


@st.composite
def _packet(draw):
    """A packet with plausible headers, a possibly lying Content-Length and a body."""
    lines = []
    body = draw(st.binary(max_size=60))
    for _ in range(draw(st.integers(0, 5))):
        name = draw(_names)
        value = draw(_values)
        lines.append(name.encode() + b":" + draw(st.sampled_from([b" ", b"", b"\t "]))
                     + value.encode("utf-8") + draw(_eol))
    if draw(st.booleans()):
        length = draw(st.one_of(st.just(len(body)), st.integers(-3, BODY_LIMIT + 5)))
        lines.append(b"Content-Length: %d\n" % length)
    end = draw(st.sampled_from([b"\n", b"\r\n", b""]))
    return b"".join(lines) + end + body


_noise = st.one_of(
    st.binary(max_size=80),
    st.sampled_from([b"\n\n", b"\n\r\n", b"\x00", b"\xff\xfe", b"%", b"Content-Length: 10\n\n",
                     b"Content-Length: -1\n\n", b"X" * (HEAD_LIMIT + 1),
                     b"Content-Length: %d\n\n" % (BODY_LIMIT + 1)]),
)
streams = st.lists(st.one_of(_packet(), _packet(), _noise), max_size=8).map(b"".join)


def _cuts(data):
    return st.lists(st.integers(0, len(data)), max_size=12).map(
        lambda cuts: [data[a:b] for a, b in zip([0] + sorted(cuts), sorted(cuts) + [len(data)])])


def read_all(chunks, reader=None):
    """Feed ``chunks`` one by one, draining packets after each.

    Returns ``(packets, error)`` where packets are ``(head, body, content_type)`` and error is
    True if the reader raised ProtocolError (reading stops there, as the connection closes).
    Also checks, on every call, that ``has_packet()`` is true whenever ``next_packet()`` can
    make progress and that the buffer never holds more than the limits allow.
    """
    reader = reader or PacketReader(max_content_length=BODY_LIMIT, max_header_block=HEAD_LIMIT)
    out = []
    for chunk in chunks:
        reader.feed(chunk)
        while True:
            predicted = reader.has_packet()
            held = reader.buffered()
            try:
                packet = reader.next_packet()
            except ProtocolError:
                # Only a header block that outgrew its limit fails without a whole block.
                assert predicted or held > reader.max_header_block
                return out, True
            if packet is not None:
                assert predicted
            elif predicted:
                # A whole header block was there; only its body is missing.
                assert reader.buffered() < held
            if packet is None:
                # Waiting for more bytes: a header block in progress is within its limit (and
                # nothing more), a body in progress within its Content-Length.
                assert reader.buffered() <= max(reader.max_header_block,
                                                reader.max_content_length)
                break
            out.append((packet.head, packet.body, packet.content_type))
    return out, False


# -- the client packet reader ----------------------------------------------------------------

def _prop_reader_chunking(data, data2):
    whole = read_all([data])
    cut = read_all(data2.draw(_cuts(data)))
    assert cut == whole
    byte_by_byte = read_all([data[i:i + 1] for i in range(len(data))])
    assert byte_by_byte == whole
    packets, error = whole
    if b"\x00" not in data:
        # Every byte consumed belongs to exactly one packet, in order: heads and bodies
        # re-encoded give back the start of the stream.
        rebuilt = b"".join(head.encode("utf-8", "surrogateescape")
                           + (body.encode("utf-8", "surrogateescape") if body else b"")
                           for head, body, _ in packets)
        assert data.startswith(rebuilt)


test_reader_chunking_invariant, test_reader_chunking_invariant_stress = both(
    streams, st.data())(_prop_reader_chunking)


def _prop_reader_arbitrary_bytes(chunks):
    # Raw bytes, any limits: only packets or ProtocolError come out.
    read_all(chunks)
    read_all(chunks, PacketReader())


test_reader_arbitrary_bytes, test_reader_arbitrary_bytes_stress = both(
    st.lists(st.binary(max_size=200), max_size=10))(_prop_reader_arbitrary_bytes)


def test_truncated_content_length_waits_then_completes():
    reader = PacketReader()
    reader.feed(b"Content-Type: api/response\nContent-Length: 10\n\n12345")
    assert reader.next_packet() is None
    assert reader.has_packet() is False
    reader.feed(b"67890Content-Type: x\n\n")
    assert reader.next_packet().body == "1234567890"
    assert reader.next_packet().content_type == "x"
    assert reader.next_packet() is None
    assert reader.buffered() == 0


@pytest.mark.parametrize("length", [b"-1", b"16777217", b"99999999999999999999999999",
                                    b"%2D5", b"-0x10"])
def test_bad_content_length_is_a_protocol_error_before_the_body(length):
    reader = PacketReader()
    reader.feed(b"Content-Type: api/response\nContent-Length: " + length + b"\n\n")
    if length == b"-0x10":   # atol reads "-0": a valid empty body
        assert reader.next_packet().body == ""
        return
    with pytest.raises(ProtocolError):
        reader.next_packet()


def test_giant_header_line_fails_at_the_limit_with_bounded_memory():
    reader = PacketReader()
    chunk = b"X-Big: " + b"a" * 32761   # 32 KiB, no line end
    tracemalloc = need_tracemalloc()
    tracemalloc.start()
    try:
        raised = False
        fed = 0
        for _ in range(128):   # up to 4 MiB offered, 32 KiB at a time
            reader.feed(chunk)
            fed += len(chunk)
            try:
                reader.next_packet()
            except ProtocolError:
                raised = True
                break
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert raised
    assert fed == 2 * len(chunk)          # refused as soon as the block passed 65535 bytes
    assert peak < 4 * 65536               # two chunks buffered, nothing proportional to more


def test_oversized_content_length_costs_no_memory():
    reader = PacketReader()
    tracemalloc = need_tracemalloc()
    tracemalloc.start()
    try:
        reader.feed(b"Content-Type: api/response\nContent-Length: 16777217\n\n")
        with pytest.raises(ProtocolError):
            reader.next_packet()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024


def test_maximum_body_memory_is_a_small_multiple_of_the_limit():
    reader = PacketReader()
    body = b"b" * (16 * 1024 * 1024)
    tracemalloc = need_tracemalloc()
    tracemalloc.start()
    try:
        reader.feed(b"Content-Type: api/response\nContent-Length: %d\n\n" % len(body))
        for i in range(0, len(body), 65536):
            reader.feed(body[i:i + 65536])
        packet = reader.next_packet()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(packet.body) == len(body)
    assert peak < 4 * len(body)


# -- received-event parsers ------------------------------------------------------------------

def _exercise(event):
    """Use every read accessor and serialiser; return the header names seen."""
    assert isinstance(event, ESLevent)
    assert isinstance(event.getType(), str)
    body = event.getBody()
    assert body is None or isinstance(body, str)
    assert isinstance(event.serialize(), str)
    assert isinstance(event.serialize("json"), str)
    names = []
    name = event.firstHeader()
    while name is not None:
        names.append(name)
        assert len(names) < 100000
        name = event.nextHeader()
    for name in names:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            # A received name with undecodable bytes cannot be passed back (SWIG's TypeError
            # for lone surrogates, API.md 2.1).
            with pytest.raises(TypeError):
                event.getHeader(name)
            continue
        value = event.getHeader(name)
        assert value is None or isinstance(value, str)
        event.getHeader(name, 0)
    return names


_text = st.one_of(
    st.binary(max_size=300).map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.text(max_size=300),
    st.lists(st.sampled_from(["A: b\n", "X: %", "%4g", "%zz", "%00", "ARRAY::x|:y", ":",
                              "\n", "\r\n", "Event-Name: ", "CUSTOM", "Content-Length: 3\n",
                              "_body: x\n", "[", " ", "\t", "Event-Name: HEARTBEAT\n",
                              "\udcff", "\x00", "é"]), max_size=40).map("".join),
)


def _prop_event_parsers(text, body):
    head = text if text.endswith("\n\n") else text + "\n\n"
    outer = ESLevent._socket_data(head, body)
    assert outer.getType() == "SOCKET_DATA"
    names = _exercise(outer)
    if "Event-Name" not in text:   # a received empty Event-Name deletes the first one (C rule)
        assert names[0] == "Event-Name"
    if body is not None:
        assert outer.getBody() == body.split("\0")[0]
    _exercise(ESLevent._from_plain(text))
    inner = ESLevent._from_json(text)
    if inner is not None:
        _exercise(inner)


test_event_parsers_total, test_event_parsers_total_stress = both(
    _text, st.one_of(st.none(), _text))(_prop_event_parsers)

_json_key = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_0123456789", min_size=1, max_size=12)
# Up to U+1FFFF: above it the C library joins \u surrogate pairs wrongly (on purpose in
# ESL.protocol.cjson, as the reference does).
_json_value = st.text(alphabet=st.characters(blacklist_categories=["Cs"], max_codepoint=0x1FFFF,
                                             blacklist_characters="\0"), min_size=1, max_size=40)


def _prop_json_round_trip(members):
    members = {k: v for k, v in members.items()
               if k not in ("event-name", "_body", "content-length")
               and not v.startswith("ARRAY::")}
    event = ESLevent._from_json(json.dumps(members, ensure_ascii=bool(len(members) % 2)))
    assert event is not None
    for key, value in members.items():
        assert event.getHeader(key) == value
    assert _exercise(event) == list(members)


test_json_events_keep_their_members, test_json_events_keep_their_members_stress = both(
    st.dictionaries(_json_key, _json_value, max_size=20))(_prop_json_round_trip)


def _prop_json_garbage(text):
    event = ESLevent._from_json(text)
    if event is not None:
        _exercise(event)


_json_ish = st.lists(st.sampled_from(['{', '}', '[', ']', '"', '"a"', ':', ',', '1', '-',
                                      '1e5', 'null', 'true', '\\u', '\\ud800', '\\udc00', '\\',
                                      ' ', '"_body"', '"%s%%"', '\x00', '\udcff', 'NaN']),
                     max_size=60).map("".join)

test_json_parser_total, test_json_parser_total_stress = both(
    st.one_of(_json_ish, st.text(max_size=200)))(_prop_json_garbage)


# -- XML events: the switch-layout reader against ElementTree ------------------------------

def _elementtree_reading(text):
    """What ``datastructures.from_xml`` reads through ElementTree alone: (pairs, body) or None."""
    layout = ds._elementtree_layout(text)
    if layout is None:
        return None
    names, raws, body = layout
    return [(name, decode_value(raw)) for name, raw in zip(names, raws)], body


def _outcome(read, text):
    try:
        return "read", read(text)
    except Exception as exc:   # the same failure, if any, from both readers
        return "raised", type(exc)


def _from_xml(text):
    event = ds.from_xml(text)
    return None if event is None else (event.headers, event.body)


_xml_names = st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,15}", fullmatch=True),
                       st.sampled_from(["a:b", "1a", "-a", "\u00e9t\u00e9", "a b", "", "x>",
                                        "Content-Length", "body", "headers", "event"]))
_xml_chars = st.characters(blacklist_categories=["Cs"], max_codepoint=0x2FF)
_xml_values = st.one_of(st.text(alphabet=_xml_chars, max_size=20),
                        st.sampled_from(["%22Alice%22%20%3Csip%3A1001%40192.0.2.10%3E",
                                         "v%3D0%0D%0Ao%3D-", "]]>", "<!x", "&amp;", "\r\n",
                                         "\x01", "\x7f", "a\tb", "ARRAY::a|:b", "%C3%A9"]))
_xml_edits = st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 2),
                                st.sampled_from(list("<>&/!]\r\n \x01%a") + ["&#xD;", "<b>",
                                                                             "</b>", "<!--"])),
                      max_size=3)


@st.composite
def _xml_documents(draw):
    """An event in the XML layout the server writes (as FreeSWITCH does), maybe edited."""
    headers = draw(st.lists(st.tuples(_xml_names, _xml_values), max_size=8))
    body = draw(st.one_of(st.none(), st.text(alphabet=_xml_chars, max_size=30),
                          st.sampled_from(["+OK\n", "v=0\r\no=- 1 1 IN IP4 192.0.2.2\r\n",
                                           "a<b&c", "]]>", "\u4e2d\u6587"])))
    text = ServerEvent([("Event-Name", "CUSTOM")] + headers, body=body).serialize("xml")
    for where, how, piece in draw(_xml_edits):
        at = where % (len(text) + 1)
        text = text[:at] + piece * (how != 0) + text[at + (how != 1):]
    return text


def _prop_xml_reader(text):
    assert _outcome(_from_xml, text) == _outcome(_elementtree_reading, text)


test_xml_events_read_as_elementtree_reads_them, \
    test_xml_events_read_as_elementtree_reads_them_stress = both(
        _xml_documents(), fast=400, stress=20000)(_prop_xml_reader)


def test_xml_fast_reader_takes_switch_events():
    """The documents FreeSWITCH writes take the string path: URL-encoded header values (here a
    quoted non-ASCII display name), a body with escaped CRs, markup and non-ASCII text."""
    text = ServerEvent([("Event-Name", "CHANNEL_ANSWER"),
                        ("variable_sip_full_from",
                         '"Alice \u00c9xample" <sip:1001@192.0.2.10>;tag=a1')],
                       body='v=0\r\nFrom: "A" <sip:a@b>\r\n\u4e2d & done\n').serialize("xml")
    assert "&#xD;" in text and "&lt;" in text and "&amp;" in text and "&#x4E2D;" in text
    assert ds._switch_layout(text) is not None
    assert _from_xml(text) == _elementtree_reading(text)
    headers, body = _from_xml(text)
    assert headers[1] == ("variable_sip_full_from",
                          '"Alice \u00c9xample" <sip:1001@192.0.2.10>;tag=a1')
    assert body == 'v=0\r\nFrom: "A" <sip:a@b>\r\n\u4e2d & done\n  '   # (switch_xml's indent)


@pytest.mark.parametrize("value", ["a]]>b", "a]]b>", "&amp;", "a\rb", "a\x01b", "a\x7fb", "\u00e9",
                                   "a\nb", "a\tb", "a>b", "<x/>", "<!--c-->", "%41%0A", "&#x0;",
                                   "&#xD;", "&#13;", "&#x110000;", "&#xFFFE;", "&foo;", "&#x;",
                                   "&lt;&gt;&amp;&quot;&apos;", "& ", "&#x1F600;"])
def test_xml_documents_with_odd_text_read_as_elementtree_reads_them(value):
    head = "<event>\n  <headers>\n    <Event-Name>CUSTOM</Event-Name>\n"
    for text in (head + "    <X>%s</X>\n  </headers>\n</event>\n" % value,
                 head + "  </headers>\n  <Content-Length>1</Content-Length>\n"
                        "  <body>%s</body>\n</event>" % value):
        _prop_xml_reader(text)


@pytest.mark.parametrize("text", [
    "<event>\n  <headers>\n    <A>1</B>\n  </headers>\n</event>",
    "<event>\n  <headers>\n    <a:b>1</a:b>\n  </headers>\n</event>",
    "<event>\n  <headers>\n    <1a>1</1a>\n  </headers>\n</event>",
    " <event>\n  <headers>\n  </headers>\n</event>\n\n",
    "<event>\n  <headers>\n  </headers>\n  <body>x</body>\n</event>",
    "<event>\n  <headers>\n  </headers>\n</event>\n<event/>",
    "<?xml version='1.0'?><event><headers><A>1</A></headers></event>",
])
def test_xml_documents_off_the_switch_layout_read_as_elementtree_reads_them(text):
    _prop_xml_reader(text)


@pytest.mark.parametrize("text", [
    "[" * 100000,
    '{"a":' * 100000,
    '{"a":[' * 600 + "]}" * 600,
    "[" * 999 + "]" * 999,
    "[" * 50000 + "]" * 50000,
    '{"a":[' * 30000 + "]}" * 30000,
    '{"a":' * 999 + '"x"' + "}" * 999,
    '{"a":"' + "\\" * 100001 + '"}',
])
def test_deep_json_neither_recurses_nor_hangs(text):
    event = ESLevent._from_json(text)
    if event is not None:
        _exercise(event)
    if not text.endswith(("]", "}")):
        assert event is None   # unterminated: invalid whatever the nesting limit


def test_huge_json_event():
    members = {"k%d" % i: "v%d" % i for i in range(100000)}
    event = ESLevent._from_json(json.dumps(members))
    assert event.getHeader("k99999") == "v99999"
    assert event.getHeader("k0") == "v0"


def test_huge_plain_event_and_header_line():
    text = "".join("H%d: %%41%d\n" % (i, i) for i in range(50000)) + "\n"
    event = ESLevent._from_plain(text)
    assert event.getHeader("H49999") == "A49999"
    outer = ESLevent._socket_data("X: " + "%41" * 200000 + "\n\n", None)
    assert outer.getHeader("X") == "A" * 200000


# -- the simulator's command reader ----------------------------------------------------------

def read_commands(chunks):
    reader = CommandReader()
    out = []
    for chunk in chunks:
        reader.feed(chunk)
        try:
            for cmd in reader.commands():
                out.append((cmd.text, cmd.line, cmd.body))
        except CommandError:
            return out, True
    return out, False


_cmd_piece = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b"api status\n\n", b"\n", b"\r\n", b"\n\r\n", b"sendevent CUSTOM\n",
                     b"Content-Length: 3\n", b"content-length: -1\n", b"Content-Length: %d\n"
                     % (MAX_BODY + 1), b"X: y\n", b"\x00", b"\xff", b"abc"]),
)


def _prop_command_reader(pieces, data2):
    data = b"".join(pieces)
    whole = read_commands([data])
    assert read_commands(data2.draw(_cuts(data))) == whole
    assert read_commands([data[i:i + 1] for i in range(len(data))]) == whole


test_command_reader_chunking_invariant, test_command_reader_chunking_invariant_stress = both(
    st.lists(_cmd_piece, max_size=12), st.data())(_prop_command_reader)


# -- the whole client over a socket ----------------------------------------------------------

def _expected_events(data):
    """How many events recvEvent() returns before SERVER_DISCONNECTED for ``data``."""
    packets, _ = read_all([data], PacketReader())
    count = 0
    for head, body, ctype in packets:
        if (ctype or "").lower() == "text/disconnect-notice" and body is not None:
            disposition = Packet(head, body, ctype, split_outer(head)).header("Content-Disposition")
            if not disposition or disposition.lower() != "linger":
                break
        count += 1
    return count


def _serve_once(payload):
    """A peer that logs the client in, sends ``payload`` and closes; returns (port, thread)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def run():
        conn, _ = listener.accept()
        with conn:
            conn.sendall(GREETING)
            conn.recv(65536)
            conn.sendall(ACCEPTED + payload)
            conn.shutdown(socket.SHUT_WR)
            try:
                while conn.recv(65536):
                    pass
            except OSError:
                pass
        listener.close()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return listener.getsockname()[1], thread


def _prop_client_over_socket(data):
    expected = _expected_events(data)
    port, thread = _serve_once(data)
    con = ESLconnection("127.0.0.1", port, "ClueCon")
    assert con.connected() == 1
    got = 0
    while True:
        event = con.recvEvent()
        if event.getType() == "SERVER_DISCONNECTED" and con.connected() == 0:
            break
        got += 1
        assert got <= expected
    assert got == expected
    assert con.connected() == 0
    assert con.recvEventTimed(10) is None
    con.disconnect()
    thread.join(5)
    assert not thread.is_alive()


test_client_survives_fuzzed_streams, test_client_survives_fuzzed_streams_stress = both(
    streams, fast=40, stress=1000)(_prop_client_over_socket)
