"""Differential tests: a received compact JSON event kept as its bytes
(:class:`ESL.event_json._CompactJSONEvent`) gives what the exact member-by-member path gives.

The inputs sit near the guards' edges: escaped quotes after backslash runs of every length,
escaped backslashes, every cJSON escape (``\\u`` and unusual ones included), raw UTF-8,
repeated names in other cases, ``Event-Name`` and ``_body`` anywhere, empty values,
``ARRAY::``, ``[`` in names and values, escapes in names, text after the object.
"""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ESL.event import ESLevent
from ESL.event_json import _COMPACT, _CompactJSONEvent, compact_json_event
from ESL.event_model import _Event
from ESL.event_names import name_event
from ESL.event_parsing import _event_from_json, _json_members, handed_out
from ESL.protocol.cjson import _JObject, parse_json

NAMES = ["Event-Name", "event-name", "EVENT-NAME", "Unique-ID", "unique-id", "UNIQUE-ID",
         "variable_sip_full_from", "variable_switch_r_sdp", "_body", "_BODY", "X", "x", "",
         "é", "渡辺", "K\u212a", "X[1]", "a b", ":", ",", "{", "a,b", "x:", "Unique\\-ID",
         "event\\-name", "a\\nb", 'q\\"', 'q\\"x', "b\\\\", "\\u0058", "X\\/"]
VALUES = ["v", "CHANNEL_CREATE", "custom", "", '\\"Alice Example\\" <sip:1001@192.0.2.10>',
          "v=0\\r\\no=x 1 2 IN IP4 192.0.2.1\\r\\n", "\\r\\n", "a\\nb", "\\t\\b\\f", "\\/",
          "\\q", "\\:", "\\\\", "x\\\\", '\\\\\\"', '\\\\\\\\\\"y', "C:\\\\x\\\\r", "\\u00e9",
          "\\u0000", "渡辺 健太", "Zoë → ü", "ARRAY::a|:b", "xARRAY::", "ARR\\AY::x", ":", ",",
          '","', '\\":\\"', "{", "}", "[x]", "%s%%", "::1", "\udcff", "\x01", "\\"]
TAILS = ["", "x", '"', "\\", " ", "}", "\n"]

member = st.tuples(st.sampled_from(NAMES), st.sampled_from(VALUES))
texts = st.builds(
    lambda ms, tail: "{" + ",".join('"%s":"%s"' % m for m in ms) + "}" + tail,
    st.lists(member, min_size=1, max_size=8), st.sampled_from(TAILS))
# Mostly what FreeSWITCH sends, so that the kept-as-bytes path itself is exercised.
ordinary = st.builds(
    lambda first, ms, body: "{" + ",".join('"%s":"%s"' % m for m in [first] + ms + body) + "}",
    st.tuples(st.sampled_from(["Event-Name", "event-name", "X"]),
              st.sampled_from(["CHANNEL_CREATE", "CUSTOM", "HEARTBEAT", "nope"])),
    st.lists(st.tuples(st.sampled_from(NAMES[3:8] + ["X", "x", "é", "渡辺"]),
                       st.sampled_from(VALUES[:11] + VALUES[13:17] + VALUES[19:21])),
             max_size=8),
    st.sampled_from([[], [("_body", "INFO sip:x SIP/2.0\\r\\n\\r\\nSignal=5")],
                     [("_body", "%s%%")]]))

# Before Python 3.11 (no possessive repeats) every text takes the exact path.
kept = pytest.mark.skipif(_COMPACT is None, reason="the compact form needs Python 3.11+")

LOOKUPS = NAMES + ["missing", "Event-Subclass", "_Body", "a\nb", "Unique-ID\n", "é", "\udcff"]


def _exact(text):
    """The member-by-member path, every add rule applied."""
    root = parse_json(text)
    if root is None:
        return None
    return _json_members(root) if type(root) is _JObject else _Event()


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


def _compare(text):
    """Compare the kept-as-bytes event of ``text`` with the exact one; True if it was kept."""
    lazy = compact_json_event(text)
    slow = _exact(text)
    received = ESLevent._from_json(text)
    assert (received is None) == (slow is None) == (_event_from_json(text) is None), text
    if lazy is None:
        return False
    assert slow is not None and type(lazy) is _CompactJSONEvent, text
    f, s = ESLevent._wrap(lazy), ESLevent._wrap(handed_out(slow))
    assert f.getType() == s.getType() and f.getBody() == s.getBody(), text
    ordinary = [n for n in LOOKUPS if n and n.isascii() and not set(n) & set('"\\,:[\n')]
    for name in ordinary:
        assert f._header(name) == s._header(name), (text, name)
    assert type(lazy) is _CompactJSONEvent, text     # those lookups did not build the lists
    for name in LOOKUPS:
        assert f._header(name) == s._header(name), (text, name)
        assert f._header(name) == received._header(name), (text, name)
    assert f.serialize("json") == s.serialize("json"), text
    assert f.serialize() == s.serialize(), text
    assert _walk(f) == _walk(s), text
    return True


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_json_object_matches_the_exact_path(text):
    _compare(text)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ordinary)
def test_freeswitch_shaped_json_matches_the_exact_path(text):
    _compare(text)


@kept
def test_a_sip_call_event_is_kept_as_text():
    text = ('{"Event-Name":"CHANNEL_ANSWER","Core-UUID":"1c78","FreeSWITCH-IPv6":"::1",'
            '"Unique-ID":"abc","Caller-Caller-ID-Name":"渡辺 健太",'
            '"variable_sip_full_from":"\\"Dr. \\\\\\"Bob\\\\\\" Smith\\" <sip:1008@192.0.2.7>",'
            '"variable_switch_r_sdp":"v=0\\r\\no=- 1 2 IN IP4 192.0.2.7\\r\\n",'
            '"variable_path":"C:\\\\sip\\\\","unique-id":"second"}')
    lazy = compact_json_event(text)
    assert type(lazy) is _CompactJSONEvent and lazy.etype == name_event("CHANNEL_ANSWER")
    e = ESLevent._wrap(lazy)
    assert e.getHeader("UNIQUE-ID") == "abc"
    assert e.getHeader("variable_sip_full_from") == '"Dr. \\"Bob\\" Smith" <sip:1008@192.0.2.7>'
    assert e.getHeader("variable_switch_r_sdp") == "v=0\r\no=- 1 2 IN IP4 192.0.2.7\r\n"
    assert e.getHeader("variable_path") == "C:\\sip\\"
    assert e.getHeader("caller-caller-id-name") == "渡辺 健太"
    assert e.getHeader("missing") is None and e.getHeader("_body") is None
    assert type(lazy) is _CompactJSONEvent       # lookups did not build the lists
    assert _compare(text)


@kept
def test_a_custom_event_with_a_body():
    text = ('{"Event-Name":"CUSTOM","Event-Subclass":"sofia::info",'
            '"_body":"INFO sip:x SIP/2.0\\r\\n\\r\\nSignal=5 %s 100%%"}')
    e = ESLevent._from_json(text)
    assert type(e._ev) is _CompactJSONEvent
    assert e.getBody() == "INFO sip:x SIP/2.0\r\n\r\nSignal=5 %s 100%"
    assert e.getHeader("_body") == e.getBody() and e.getHeader("_BODY") is None
    assert e.getHeader("Event-Subclass") == "sofia::info" and e.getType() == "CUSTOM"
    assert _compare(text)


def test_what_the_exact_path_must_decide():
    # Each of these can make the C event differ from one header per member as the bytes
    # show, so the text is left to the exact path (which the differential tests compare).
    for text in ['{"Event-Name":"API","event-name":"CUSTOM"}', '{"a":"b","A":""}',
                 '{"a":"ARRAY::x|:y"}', '{"a":"1","a":"ARRAY::x|:y"}', '{"Unique\\-ID":"x"}',
                 '{"a":"\\u0041"}', '{"a":"x\\:"}', '{"a[1]":"b"}', '{"_body":"x","a":"b"}',
                 ' {"a":"b"}', '{"a" :"b"}', '{"a":"b\nc"}', '{"a":"b\\\\"c"}', '{"q\\"":"v"}',
                 '{"a":"b",}', '{}', '{"a":1}']:
        assert compact_json_event(text) is None, text
        _compare(text)
    # A backslash run before a quote: odd, the quote is in the value; even, it ends it.
    for text, value in [] if _COMPACT is None else [('{"a":"x\\\\\\"y"}', 'x\\"y'), ('{"a":"x\\\\","b":"y"}', "x\\")]:
        e = ESLevent._wrap(compact_json_event(text))
        assert e.getHeader("A") == value and _compare(text)


@kept
def test_the_handle_and_changes_build_the_lists():
    text = '{"Event-Name":"CHANNEL_CREATE","Unique-ID":"abc","A":"\\"q\\""}'
    e = ESLevent._from_json(text)
    assert type(e._ev) is _CompactJSONEvent and e.getHeader("a") == '"q"'
    handle = e.event
    assert type(handle) is _Event and type(handle).__name__ == "SwigPyObject"
    assert handle.names == ["Event-Name", "Unique-ID", "A"]
    e2 = ESLevent._from_json(text)
    e2.addHeader("B", "c")
    assert type(e2._ev) is _Event and e2.getHeader("b") == "c" and e2.getHeader("A") == '"q"'
    built = ESLevent("json", text)
    built.addHeader("B", "c")
    assert e2.serialize("json") == built.serialize("json") and e2.serialize() == built.serialize()


@kept
def test_lookups_past_non_ascii_text():
    # A name in another case, or after non-ASCII text, is searched in the lower-cased UTF-8
    # bytes; a text that does not encode back to the bytes it came from builds the lists.
    for text in ['{"Event-Name":"CUSTOM","Caller-Name":"Zoë","Unique-ID":"u","K\u212a":"k"}',
                 '{"Event-Name":"CUSTOM","é":"渡辺","unique-id":"1","Unique-ID":"2"}',
                 '{"Event-Name":"CUSTOM","a":"\udcc3\udca9","B":"v","b":"w"}',
                 '{"Event-Name":"CUSTOM","a":"\udcff","B":"v"}']:
        for name in ("Unique-ID", "UNIQUE-ID", "b", "B", "k", "K\u212a", "missing"):
            e = ESLevent._from_json(text)
            assert type(e._ev) is _CompactJSONEvent, text
            assert e.getHeader(name) == _exact(text).get(name), (text, name)
        assert "\udcc3" in text or _compare(text), text
