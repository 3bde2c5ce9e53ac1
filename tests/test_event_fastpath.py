"""Differential tests: every fast path (ESL.event_parsing, urlcode, framing) gives what the
exact general path gives.

The fast paths only run when a guard accepts the input; these tests generate inputs near the
guards' edges (case variants, repeated names, empty values, escapes that decode to NUL, ':' or
"ARRAY::", indexed names, odd spacing, bodies) and compare everything observable.
"""
import re

from hypothesis import HealthCheck, given, settings, strategies as st

from ESL.event import ESLevent
from ESL.event_model import _Event
from ESL.event_names import SOCKET_DATA, name_event
from ESL.event_parsing import (_BlockEvent, _compact_json_event, _JSONEvent, _json_event_general,
                               _json_members,
                               _plain_event_lists, _plain_text_event, _received_header,
                               _TextEvent, handed_out)
from ESL.protocol.cjson import _JObject, parse_json
from ESL.protocol.headers import cut_nul, split_outer
from ESL.protocol.urlcode import _decode_slow, decode_value, decode_values

NAMES = ["Event-Name", "event-name", "EVENT-NAME", "Unique-ID", "unique-id", "X", "x", "A b",
         " X", "Content-Length", "content-length", "_body", "_BODY", "X[1]", "Y[", "", "é",
         "Caller-Name", "K\u212a"]
SEPS = [": ", ":", ":  ", ":\t", " : ", "::", ": x:"]
VALUES = ["", "v", "HEARTBEAT", "heartbeat", "CHANNEL_CREATE", "%00", "%00x", "x%00", "%41RRAY::a|:b",
          "ARRAY::a|:b", "ARRAY%3A%3Aa", "%", "%2", "% 1", "%+1", "%-1x", "%0A", "%3A%3A1",
          "a%20b", "%C3%A9", "é", "\r", "1", "3", "%48EARTBEAT", "x y", "[", "%5B", " "]

lines = st.tuples(st.sampled_from(NAMES), st.sampled_from(SEPS), st.sampled_from(VALUES))
bodies = st.builds(
    lambda ls, tail, nul, crlf: (
        "".join("%s%s%s\n" % ln for ln in ls) + tail + ("\0x" if nul else "")
    ).replace("\n", "\r\n" if crlf else "\n", 1 if crlf else 0),
    st.lists(lines, min_size=0, max_size=8),
    st.sampled_from(["\n", "\n\n", "\nbody: x\n", "\n[a]: b\nc", "", "tail", "\n\n\n"]),
    st.booleans(), st.booleans())
# Mostly ordinary bodies, so the fast path itself gets exercised.
ordinary = st.builds(
    lambda ls, body: "".join("%s: %s\n" % ln for ln in ls) + "\n" + body,
    st.lists(st.tuples(st.sampled_from(["Event-Name", "Unique-ID", "unique-id", "X", "x", "A b",
                                        " X", "Caller-Name", "Content-Length", "Y"]),
                       st.sampled_from(VALUES[:4] + ["%3A%3A1", "a%20b", "1", "%00", "", "%41RRAY%3A%3Aa"])),
             min_size=1, max_size=6),
    st.sampled_from(["", "body", "x: y\n"]))

LOOKUPS = NAMES + ["_body", "missing", "X[1]", "x:", "a\nb", "é", "Event-Name\n"]


def _walk(e):
    out = []
    h = e.firstHeader()
    while h is not None:
        try:
            out.append((h, e.getHeader(h), e.getHeader(h, 0), e.getHeader(h, 1)))
        except TypeError as exc:        # a name with a lone surrogate cannot be passed back
            out.append((h, str(exc)))
        h = e.nextHeader()
    return out


def _wrap_both(text):
    fast = _plain_text_event(text)
    slow = handed_out(_plain_event_lists(text))
    return fast, slow


def _compare(text):
    fast, slow = _wrap_both(text)
    if fast is None:
        return False
    assert type(fast) is _TextEvent and type(slow) is _Event
    f, s = ESLevent._wrap(fast), ESLevent._wrap(slow)
    assert f.getType() == s.getType(), text
    assert f.getBody() == s.getBody(), text
    for name in LOOKUPS:            # read from the text (or from the lists when unsure)
        assert f.getHeader(name) == s.getHeader(name), (text, name)
        assert f.getHeader(name) == s.getHeader(name), (text, name)   # from the cache
    assert type(fast) in (_TextEvent, _Event)
    assert f.serialize() == s.serialize(), text
    assert type(fast) is _Event                  # serialize() built the lists
    assert f.serialize("json") == s.serialize("json"), text
    assert _walk(f) == _walk(s), text
    assert f.getType() == s.getType() and f.getBody() == s.getBody()
    return True


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies)
def test_text_mode_matches_the_lists_on_any_body(text):
    _compare(text)


@settings(max_examples=1500, deadline=None)
@given(ordinary)
def test_text_mode_matches_the_lists_on_ordinary_bodies(text):
    _compare(text)


def test_text_mode_is_taken_for_ordinary_bodies():
    # The guard must accept what FreeSWITCH sends, or the fast path is never tested above.
    text = ("Event-Name: CHANNEL_CREATE\nCore-UUID: 1c78\nEvent-Date-Local: 2026-11-26%2012%3A58"
            "\nUnique-ID: abc\nContent-Length: 4\n\nbody")
    fast = _plain_text_event(text)
    assert type(fast) is _TextEvent and fast.body == "body"
    e = ESLevent._wrap(fast)
    assert e.getHeader("event-date-local") == "2026-11-26 12:58"
    assert e.getHeader("UNIQUE-ID") == "abc" and e.getType() == "CHANNEL_CREATE"
    assert type(fast) is _TextEvent              # lookups did not build the lists
    for text in ["A: 1\nB[1]: x\n\n", "_body: x\n\n", "A\nB: 1\n\n",
                 "A: 1:2\n\n", "Event-Name: API\nevent-name: CUSTOM\n\n", "A: é\n\n"]:
        assert _plain_text_event(text) is None, text
    # Repeated names and values that decode to "" or ARRAY:: are answered from the lists.
    for text, name, value in [("A: 1\na: %00\n\n", "A", None), ("A: 1\nA: 2\n\n", "a", "1"),
                              ("A: %41RRAY%3A%3Ax|%3Ay\n\n", "A", "ARRAY::x|:y"),
                              ("A: 1\nA: ARRAY%3A%3Ax|%3Ay\n\n", "A", "ARRAY::1|:x|:y")]:
        fast = _plain_text_event(text)
        assert type(fast) is _TextEvent, text
        e = ESLevent._wrap(fast)
        assert e.getHeader(name) == value, text


def test_the_handle_is_never_a_text_event():
    e = ESLevent._from_plain("Event-Name: HEARTBEAT\nA: b\n\n")
    assert type(e._ev) is _TextEvent
    handle = e.event
    assert type(handle) is _Event and type(handle).__name__ == "SwigPyObject"
    shared = ESLevent(handle)
    shared.addHeader("C", "d")
    assert e.getHeader("c") == "d" and e.getHeader("A") == "b"


# --- compact JSON ------------------------------------------------------------------------------

JNAMES = ["Event-Name", "event-name", "Unique-ID", "unique-id", "X", "x", "_body", "_BODY",
          "X[1]", "", "é", ":", ",", "a b", "K\u212a", "\udcff", "Content-Length"]
JVALUES = ["", "v", "HEARTBEAT", "heartbeat", "ARRAY::a|:b", "xARRAY::", ":", ",", "{", "}",
           "%", "%s", "é", "\x01", "\udcff", " ", "a\\\"b", "1", "[x]"]
JSEPS = [":", " :", ": "]
member = st.tuples(st.sampled_from(JNAMES), st.sampled_from(JSEPS), st.sampled_from(JVALUES))
json_texts = st.builds(
    lambda lead, ms, comma, tail: lead + "{" + comma.join(
        '"%s"%s"%s"' % m for m in ms) + "}" + tail,
    st.sampled_from(["", " ", "\n"]), st.lists(member, min_size=0, max_size=7),
    st.sampled_from([",", ", ", ",,"]), st.sampled_from(["", "\n", "x", '"', "}", "]"]))
compact = st.builds(
    lambda ms: "{" + ",".join('"%s":"%s"' % m for m in ms) + "}",
    st.lists(st.tuples(st.sampled_from(["Event-Name", "Unique-ID", "unique-id", "X", "é",
                                        "Caller-Name", "a b", "_body"]),
                       st.sampled_from(["v", "HEARTBEAT", "", "é", ":", ",", "{", "%", "1"])),
             min_size=1, max_size=8))


# Escape-heavy, non-ASCII members shaped like a SIP call's channel variables: escaped quotes
# (display names), CR LF line ends (SDP), escaped backslashes next to quotes, every cJSON escape
# (\u included, which only the general path reads), raw UTF-8 beyond Latin-1.
EVALUES = ['\\"Alice Example\\" <sip:1001@192.0.2.10>;tag=a8', "v=0\\r\\no=x 1 2 IN IP4 1\\r\\n",
           "\\r\\n", "a\\nb", "\\t", "\\b\\f", "\\/", "\\q", "\\\\", "C:\\\\x\\\\r\\\\n",
           '\\\\\\"', "x\\\\", "\\u00e9", "\\u0000", "\\ud83d\\ude00", "渡辺 健太", "Zoë → ü",
           "ARR\\AY::x", "\\u0041RRAY::x", "\\\\\\\\", "v", "", '\\"', "%22"]
ENAMES = ["Event-Name", "variable_sip_full_from", "variable_switch_r_sdp", "Unique-ID", "_body",
          "a\\nb", 'q\\"', "b\\\\", "é", "渡辺", "\\u0045vent-Name", "X[1]"]
escaped_json = st.builds(
    lambda ms, tail: "{" + ",".join('"%s":"%s"' % m for m in ms) + "}" + tail,
    st.lists(st.tuples(st.sampled_from(ENAMES), st.sampled_from(EVALUES)), min_size=1,
             max_size=8),
    st.sampled_from(["", "\\", '"', "x\\\""]))


def _exact_json(text):
    """The member-by-member path, every add rule applied (what the fast paths must equal)."""
    root = parse_json(text)
    if root is None:
        return None
    return _json_members(root) if type(root) is _JObject else _Event()


def _same_event(fast, slow, text):
    f, s = ESLevent._wrap(handed_out(fast)), ESLevent._wrap(handed_out(slow))
    assert f.getType() == s.getType() and f.getBody() == s.getBody(), text
    for name in JNAMES + ["missing", "EVENT-NAME", "variable_sip_full_from", "渡辺", "a\nb"]:
        assert f._header(name) == s._header(name), (text, name)     # (no argument checks)
    assert f.serialize("json") == s.serialize("json"), text
    assert f.serialize() == s.serialize(), text
    assert _walk(f) == _walk(s), text


def _compare_json(text):
    fast = _compact_json_event(text)
    slow = _exact_json(text)
    general = _json_event_general(text)
    assert (general is None) == (slow is None), text
    if slow is not None:
        _same_event(general, slow, text)
    if fast is None:
        return False
    assert slow is not None and type(fast) is _JSONEvent, text
    f = ESLevent._wrap(fast)
    for name in JNAMES + ["missing", "EVENT-NAME"]:
        f._header(name)
    assert type(fast) is _JSONEvent              # lookups did not build the lists
    _same_event(fast, slow, text)
    return True


@settings(max_examples=1500, deadline=None)
@given(json_texts)
def test_compact_json_matches_the_general_path_on_any_object(text):
    _compare_json(text)


@settings(max_examples=1500, deadline=None)
@given(compact)
def test_compact_json_matches_the_general_path_on_compact_objects(text):
    _compare_json(text)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(escaped_json)
def test_escaped_json_matches_the_general_path(text):
    _compare_json(text)


def test_escaped_json_takes_the_fast_path():
    # Each of these goes through the split (no \u, no empty value, no '[' in a name).
    for values in (EVALUES[:12], EVALUES[15:17], ['\\\\\\"', "x\\\\", '\\"']):
        text = "{" + ",".join('"n%d":"%s"' % (i, v) for i, v in enumerate(values)) + "}"
        assert _compare_json(text), text
    fast = ESLevent._wrap(_compact_json_event(
        '{"Event-Name":"CUSTOM","variable_sip_full_from":"\\"Alice\\" <sip:1@192.0.2.1>",'
        '"variable_switch_r_sdp":"v=0\\r\\nc=IN IP4 192.0.2.1\\r\\n","name":"渡辺\\\\",'
        '"Content-Length":"2","_body":"hi"}'))
    assert fast.getHeader("variable_sip_full_from") == '"Alice" <sip:1@192.0.2.1>'
    assert fast.getHeader("variable_switch_r_sdp") == "v=0\r\nc=IN IP4 192.0.2.1\r\n"
    assert fast.getHeader("NAME") == "渡辺\\" and fast.getBody() == "hi"
    assert fast.getHeader("_body") == "hi" and fast.getType() == "CUSTOM"


def test_compact_json_is_taken_for_freeswitch_json():
    text = ('{"Event-Name":"CHANNEL_CREATE","Core-UUID":"1c78","Event-Date-Local":'
            '"2026-11-26 12:58:00","Unique-ID":"abc","variable_x":"{a,b}"}')
    fast = _compact_json_event(text)
    assert type(fast) is _JSONEvent and fast.etype == name_event("CHANNEL_CREATE")
    assert ESLevent._wrap(fast).getHeader("event-date-local") == "2026-11-26 12:58:00"
    for text in ['{"a":"b\\"c"}', '{"_body":"x"}', '{"a":"[x]"}']:
        assert _compare_json(text), text
    for text in ['{"a":"b","a":""}', '{"a" :"b"}', '{"a":1}', '{"a":["b"]}',
                 '{"Event-Name":"API","event-name":"CUSTOM"}', '{}', '[]', '{"a":"ARRAY::x"}',
                 ' {"a":"b"}', '{"a":"\\u0041"}', '{"_body":"x","_BODY":"y"}', '{"a[1]":"b"}']:
        assert _compact_json_event(text) is None, text


# --- URL decoding --------------------------------------------------------------------------

@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="%%%0129aAfFgG \\x+-\t\né\udcff", max_size=14))
def test_decode_value_fast_paths_match_the_c_loop(value):
    raw = _decode_slow(value)
    nul = raw.find(b"\0")
    expected = (raw if nul < 0 else raw[:nul]).decode("utf-8", "surrogateescape")
    assert decode_value(value) == expected


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.text(alphabet="%%%0ADa9fF \\x+-é\n\udcff", max_size=8), max_size=5))
def test_decode_values_matches_decode_value(values):
    out = decode_values(values)
    if out is not None:
        assert out == [decode_value(v) for v in values]


def test_decode_values_takes_escaped_line_ends_and_refuses_a_decoded_nul():
    sdp = ["v%3D0%0D%0Ao%3D-%201%201%20IN%20IP4%20192.0.2.2%0D%0A", "%22Alice%22", "x"]
    assert decode_values(sdp) == [decode_value(v) for v in sdp]
    assert decode_values(["a%00b", "c"]) is None          # C ends the value at the NUL
    assert decode_values(["a%", "c"]) is None             # a '%' that starts no escape
    assert decode_value("a%00b") == "a"


# --- replies: ordinary header blocks are shared _Block splits -------------------------------

def _socket_data_general(block, body):
    """The SOCKET_DATA event built header by header with the C add rules (the exact path)."""
    ev = _Event(SOCKET_DATA)
    ev.names.append("Event-Name")
    ev.values.append("SOCKET_DATA")
    for name, raw in split_outer(block):
        _received_header(ev, name, raw, False)
    ev.body = None if body is None else cut_nul(body)
    return ESLevent._wrap(handed_out(ev))


outer_blocks = st.builds(
    lambda ls: "".join("%s: %s\n" % ln for ln in ls) + "\n",
    st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(VALUES)), min_size=0, max_size=12))


@settings(max_examples=1000, deadline=None)
@given(outer_blocks, st.sampled_from([None, "", "body", "a\0b"]),
       st.sampled_from(["addHeader", "delHeader", "pushHeader", "addBody", None]))
def test_replies_from_a_shared_block_match_the_general_path(block, body, change):
    expected = _socket_data_general(block, body)
    # First sight (block split here), second sight (block from the cache, pairs passed in).
    first = ESLevent._socket_data(block, body)
    second = ESLevent._socket_data(block, body, split_outer(block))
    for e in (first, second):
        assert e.getType() == expected.getType() and e.getBody() == expected.getBody()
        for name in LOOKUPS:
            assert e.getHeader(name) == expected.getHeader(name), (block, name)
    if change is not None:
        # Changing one reply must not change the other one sharing its block.
        for e in (first, expected):
            getattr(e, change)(*(("X", "new") if change != "delHeader" and change != "addBody"
                                 else ("X",)))
    for e in (first, second):
        ref = expected if e is first else _socket_data_general(block, body)
        assert e.serialize() == ref.serialize(), (block, change)
        assert e.serialize("json") == ref.serialize("json"), (block, change)
        assert _walk(e) == _walk(ref), (block, change)


def test_large_and_small_shared_blocks_answer_like_the_general_path():
    # A few headers are scanned, more go through the block's index; both must agree.
    for count in (2, 8, 9, 20):
        lines = ["H%d: v%%20%d" % (i, i) for i in range(count)] + ["h1: dup", "X-Last: end"]
        block = "\n".join(lines) + "\n\n"
        expected = _socket_data_general(block, "b")
        first, second = ESLevent._socket_data(block, "b"), ESLevent._socket_data(block, "b")
        assert first._ev.source is second._ev.source
        for name in ["H0", "h1", "H1", "x-last", "X-LAST", "missing", "_body", "Event-Name"]:
            assert first.getHeader(name) == expected.getHeader(name), (count, name)
        first.addHeader("Added", "1")       # lookups made; the change must keep them in step
        expected.addHeader("Added", "1")
        assert first.getHeader("added") == "1" and second.getHeader("added") is None
        assert _walk(first) == _walk(expected) and first.serialize() == expected.serialize()
        assert _walk(second) == _walk(_socket_data_general(block, "b"))


def test_ordinary_replies_are_block_events():
    block = "Content-Type: api/response\nContent-Length: 2\n\n"
    a, b = ESLevent._socket_data(block, "ok"), ESLevent._socket_data(block, "no")
    assert type(a._ev) is _BlockEvent and a._ev.source is b._ev.source   # one shared split
    assert (a.getHeader("content-length"), a.getBody(), b.getBody()) == ("2", "ok", "no")
    assert type(ESLevent._socket_data("X: ARRAY::a|:b\n\n", None)._ev) is _Event


# --- framing: repeated header blocks reuse their parse -----------------------------------------

def test_repeated_header_blocks_give_the_same_packets_as_fresh_ones():
    from ESL.protocol.framing import PacketReader, ProtocolError
    block = b"Content-Length: 3\nContent-Type: text/event-plain\n\n"
    packets = [block + b"abc", block + b"abc", b"Content-Type: auth/request\n\n", block + b"x\0z"]

    def fields(packet):
        return (packet.head, packet.body, packet.content_type, packet.header("content-length"))

    cached = PacketReader()
    cached.feed(b"".join(packets))
    got = [fields(cached.next_packet()) for _ in packets]
    assert cached.next_packet() is None
    expected = []
    for raw in packets:
        fresh = PacketReader()          # a new reader has nothing cached
        fresh.feed(raw)
        expected.append(fields(fresh.next_packet()))
    assert got == expected and got[-1][1] == "x"
    # A length out of range is refused every time, not only the first.
    small = PacketReader(max_content_length=2)
    small.feed(block + b"abc" + block + b"abc")
    for _ in range(2):
        try:
            small.next_packet()
        except ProtocolError:
            pass
        else:
            raise AssertionError("accepted a Content-Length over the limit")
        del small._buf[:3]              # the refused packet's body


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet='[]"\\:,ab{}', max_size=30))
def test_the_name_bracket_check_finds_what_a_search_from_every_bracket_finds(text):
    # event_json's check scans each quoted stretch once (linear in a run of '[').
    from ESL.event_json import _bracket_in_name
    assert _bracket_in_name(text) == (re.search(r'\[[^"]*":"', text) is not None)

