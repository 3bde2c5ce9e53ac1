"""The modern Event (ESL/datastructures.py): a read-only, case-insensitive mapping."""
import pytest

from ESL import ESLevent
from ESL import datastructures as ds
from ESL.datastructures import Event

PLAIN = ("Event-Name: CHANNEL_ANSWER\nUnique-ID: abc\nCaller-Caller-ID-Name: Jane%20Doe\n"
         "X-Dup: one\nx-dup: two\nX-List: ARRAY::a|:b\n\n")


def test_plain_event_mapping():
    ev = ds.from_plain(PLAIN)
    assert ev.name == "CHANNEL_ANSWER" and ev.uuid == "abc" and ev.subclass is None
    assert ev["caller-caller-id-name"] == "Jane Doe"
    assert ev["X-DUP"] == "one" and ev.getall("x-dup") == ["one", "two"]
    assert ev.getall("X-List") == ["a", "b"] and ev.getall("nope") == []
    assert list(ev) == ["Event-Name", "Unique-ID", "Caller-Caller-ID-Name", "X-Dup", "X-List"]
    assert len(ev) == 5 and "unique-id" in ev and "nope" not in ev
    assert ev.get("nope") is None and ev.get("nope", "d") == "d" and ev.get(None) is None
    with pytest.raises(KeyError):
        ev["nope"]
    assert ev.headers[3:5] == [("X-Dup", "one"), ("x-dup", "two")]
    assert ev.body is None
    with pytest.raises(TypeError):
        ev["Unique-ID"] = "x"


def test_body_and_to_eslevent_are_what_recvEvent_gives():
    text = "Event-Name: CUSTOM\nEvent-Subclass: my::x\nContent-Length: 5\n\nhello"
    ev = ds.from_plain(text)
    assert ev.subclass == "my::x" and ev.body == "hello"
    esl = ev.to_eslevent()
    assert isinstance(esl, ESLevent)
    assert esl.serialize() == ESLevent._from_plain(text).serialize()


def test_json_event():
    ev = ds.from_json('{"Event-Name":"HEARTBEAT","Up-Time":"0 years","_body":"b",'
                      '"X-Arr":["1","2"]}')
    assert ev.name == "HEARTBEAT" and ev["up-time"] == "0 years" and ev.body == "b"
    assert ev.getall("X-Arr") == ["1", "2"]
    assert ds.from_json("{not json") is None


def test_xml_event():
    xml = ("<event>\n  <headers>\n    <Event-Name>BACKGROUND_JOB</Event-Name>\n"
           "    <Job-Command-Arg>loopback/9998/default%20%26park</Job-Command-Arg>\n"
           "  </headers>\n  <Content-Length>4</Content-Length>\n  <body>+OK\n</body>\n"
           "</event>")
    ev = ds.from_xml(xml)
    assert ev.name == "BACKGROUND_JOB" and ev["job-command-arg"] == "loopback/9998/default &park"
    assert ev.body == "+OK\n"
    assert ds.from_xml("<nope/>") is None and ds.from_xml("<") is None


def test_reply_packet_has_only_its_headers():
    head = "Content-Type: command/reply\nReply-Text: %2BOK%20accepted\n\n"
    ev = ds.from_packet(head, None, [("Content-Type", "command/reply"),
                                     ("Reply-Text", "%2BOK%20accepted")])
    assert ev.headers == [("Content-Type", "command/reply"), ("Reply-Text", "+OK accepted")]
    assert ev.name is None
    assert ev.to_eslevent().getHeader("Event-Name") == "SOCKET_DATA"


def test_built_event():
    ev = Event({"Event-Name": "CUSTOM", "Event-Subclass": "my::y", "A": "1"}, body="hi")
    assert ev["a"] == "1" and ev.body == "hi" and Event(ev).headers == ev.headers
    esl = ev.to_eslevent()
    assert esl.getType() == "CUSTOM" and esl.getHeader("Event-Subclass") == "my::y"
    assert esl.getHeader("A") == "1" and esl.getBody() == "hi"
    with pytest.raises(TypeError):
        Event([("A", 1)])
    assert ev == {"Event-Name": "CUSTOM", "Event-Subclass": "my::y", "A": "1"}


def _captured_xml_events():
    """The text/event-xml bodies of the real switch's transcripts (tests/data/sim)."""
    import glob
    import json
    import os
    from ESL.protocol.framing import PacketReader
    here = os.path.dirname(os.path.abspath(__file__))
    directory = (os.environ.get("ESL_SIM_TRANSCRIPTS")
                 or os.path.join(here, "data", "sim", "fs-transcripts"))
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path, encoding="utf-8") as fh:
            steps = json.load(fh)["steps"]
        readers = {}
        for step in steps:
            reader = readers.setdefault(step["conn"], PacketReader())
            reader.feed(step["received"].encode("utf-8", "surrogateescape"))
            for packet in iter(reader.next_packet, None):
                if packet[2] == "text/event-xml":
                    yield packet[1]


def test_xml_events_of_a_real_switch_take_the_string_path_and_read_as_elementtree():
    bodies = list(_captured_xml_events())
    assert len(bodies) >= 40          # events_xml_all: API, BACKGROUND_JOB, a call's events
    for body in bodies:
        layout = ds._switch_layout(body)
        assert layout is not None, body[:300]
        names, raws, text = layout
        assert (list(names), list(raws), text) == ds._elementtree_layout(body)
        event = ds.from_xml(body)
        assert event.name and event.get("Event-Name") == event.name
