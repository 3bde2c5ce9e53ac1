"""The modern API's :class:`Event`: an event as a read-only, case-insensitive mapping.

Received events are parsed by the same code as :class:`ESL.ESLevent` (plain and JSON bodies,
the header blocks of replies), so header names, URL-decoding and arrays follow the C
library's rules; XML bodies, which the C library does not parse, are read here: FreeSWITCH's
own layout with string operations, anything else with :mod:`xml.etree.ElementTree`, to the
same result. Plain and JSON parsing stays lazy: a header is decoded when it is read.
"""
import re
from collections.abc import Mapping
from typing import Iterable, Iterator, List, Optional, Tuple, Union

from .event import ESLevent
from .event_names import EVENT_NAMES as _C_EVENT_NAMES
from .protocol.urlcode import decode_value, decode_values

__all__ = ["Event"]

#: The event names FreeSWITCH knows (``CUSTOM``, ``CHANNEL_CREATE``, ..., ``ALL``).
EVENT_NAMES = frozenset(_C_EVENT_NAMES)

_new = object.__new__

# How a received event was parsed; to_eslevent() parses its source the same way again.
_PLAIN, _JSON, _PACKET, _BUILT = "plain", "json", "packet", "built"


class Event(Mapping):
    """An event (or a command reply): headers, in order, and an optional body. Read-only.

    ``event["Unique-ID"]`` looks a header up by name in any case (the first header of that
    name, as in the C library), ``event.get(name)`` returns None when there is none, and
    ``event.getall(name)`` returns every value: repeated headers and the elements of an
    array header (``ARRAY::a|:b``) alike. Iterating gives each header name once, in order;
    :attr:`headers` gives every ``(name, value)`` pair, duplicates included.

    ``Event(headers, body=None)`` builds one yourself (for :meth:`sendevent
    <ESL.sync.Connection.sendevent>`): ``headers`` is a mapping or an iterable of ``(name,
    value)`` pairs of str.
    """

    __slots__ = ("_ev", "_pairs", "_body", "_kind", "_source")

    def __init__(self, headers: Union[Mapping, Iterable[Tuple[str, str]]] = (),
                 body: Optional[str] = None) -> None:
        if isinstance(headers, Event):
            pairs = headers.headers
        elif isinstance(headers, Mapping):
            pairs = list(headers.items())
        else:
            pairs = list(headers)
        for pair in pairs:
            if len(pair) != 2 or not isinstance(pair[0], str) or not isinstance(pair[1], str):
                raise TypeError("headers must be (str, str) pairs, not %r" % (pair,))
        if body is not None and not isinstance(body, str):
            raise TypeError("body must be a str or None, not %s" % type(body).__name__)
        self._ev = None
        self._pairs = [(name, value) for name, value in pairs]
        self._body = body
        self._kind = _BUILT
        self._source = None

    # -- the mapping ------------------------------------------------------------------

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def get(self, name: str, default=None):
        """The value of the first header called ``name`` (any case), else ``default``."""
        if not isinstance(name, str):
            return default
        ev = self._ev
        if ev is not None and name[:1] != "_":
            # The parsed event answers lookups without building its header lists; "_body"
            # is left to the pairs, because the C lookup answers it with the body.
            value = ev.get(name)
            return default if value is None else value
        lname = name.lower()
        for hname, value in self._header_pairs():
            if hname.lower() == lname:
                return value
        return default

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        seen = set()
        for name, _value in self._header_pairs():
            lname = name.lower()
            if lname not in seen:
                seen.add(lname)
                yield name

    def __len__(self) -> int:
        return len({name.lower() for name, _value in self._header_pairs()})

    def getall(self, name: str) -> List[str]:
        """Every value of the headers called ``name`` (any case), in order; ``[]`` if none.

        An array header (a value ``ARRAY::a|:b``) contributes its elements.
        """
        lname = name.lower()
        found = []
        for hname, value in self._header_pairs():
            if hname.lower() == lname:
                if value.startswith("ARRAY::"):
                    found.extend(value[7:].split("|:"))
                else:
                    found.append(value)
        return found

    # -- named parts ------------------------------------------------------------------

    @property
    def headers(self) -> List[Tuple[str, str]]:
        """Every header as a ``(name, value)`` pair, in order, duplicates included (a new
        list). An array header appears once, as its ``ARRAY::a|:b`` value."""
        return list(self._header_pairs())

    @property
    def body(self) -> Optional[str]:
        """The body text, or None if the event has none."""
        ev = self._ev
        return self._body if ev is None else ev.body

    @property
    def name(self) -> Optional[str]:
        """The ``Event-Name`` header (``"CHANNEL_ANSWER"``, ``"CUSTOM"``, ...), or None
        (command replies have none)."""
        return self.get("Event-Name")

    @property
    def subclass(self) -> Optional[str]:
        """The ``Event-Subclass`` header of a CUSTOM event, or None."""
        return self.get("Event-Subclass")

    @property
    def uuid(self) -> Optional[str]:
        """The ``Unique-ID`` header (the channel's uuid), or None."""
        return self.get("Unique-ID")

    def to_eslevent(self) -> ESLevent:
        """A new :class:`ESL.ESLevent` holding this event.

        For a received plain or JSON event, or a reply, it is exactly the event
        ``ESLconnection.recvEvent`` (or the call's return value) gives for the same bytes;
        otherwise an event of the same name with the same headers and body.
        """
        kind = self._kind
        if kind == _PLAIN:
            return ESLevent._from_plain(self._source)
        if kind == _JSON:
            return ESLevent._from_json(self._source)
        if kind == _PACKET:
            return ESLevent._socket_data(*self._source)
        subclass = self.subclass
        name = self.name or "CUSTOM"
        esl = ESLevent(name, subclass) if subclass else ESLevent(name)
        skip = {"event-name", "event-subclass"}
        for hname, value in self._header_pairs():
            if hname.lower() in skip:
                skip.discard(hname.lower())     # the constructor wrote the first ones
                continue
            esl.addHeader(hname, value)
        if self.body is not None:
            esl.addBody(self.body)
        return esl

    def __repr__(self) -> str:
        name = self.name
        if name is None:
            name = self.get("Reply-Text") or self.get("Content-Type") or "reply"
        uuid = self.uuid
        return "<Event %s%s>" % (name, " " + uuid if uuid else "")

    # -- internals --------------------------------------------------------------------

    def _header_pairs(self) -> List[Tuple[str, str]]:
        pairs = self._pairs
        if pairs is None:
            pairs = self._pairs = _pairs_of(self._ev)
        return pairs


def _pairs_of(ev) -> List[Tuple[str, str]]:
    """The (name, decoded scalar value) pairs of a parsed C-model event."""
    names, values, encoded = ev.names, ev.values, ev.encoded
    pairs = []
    for name, value in zip(names, values):
        if isinstance(value, list):          # an array header: its C scalar value
            value = value.value
        elif encoded and "%" in value:
            value = decode_value(value)
        pairs.append((name, value))
    return pairs


def _received(esl: ESLevent, kind: str, source) -> Event:
    event = _new(Event)
    event._ev = esl._ev
    event._pairs = None
    event._body = None
    event._kind = kind
    event._source = source
    return event


def from_plain(text: str) -> Event:
    """The event of a ``text/event-plain`` body."""
    return _received(ESLevent._from_plain(text), _PLAIN, text)


def from_json(text: str) -> Optional[Event]:
    """The event of a ``text/event-json`` body, or None if it is not valid JSON."""
    esl = ESLevent._from_json(text)
    return None if esl is None else _received(esl, _JSON, text)


def from_packet(head: str, body: Optional[str], pairs) -> Event:
    """A reply (or any packet) as an event: the header block's ``(name, raw value)`` lines
    ``pairs`` (as the framing split them), URL-decoded, and the body. Unlike
    ``ESLevent``'s packets it has no made-up ``Event-Name: SOCKET_DATA`` header."""
    event = _new(Event)
    event._ev = None
    event._pairs = [(name, decode_value(raw) if "%" in raw else raw) for name, raw in pairs]
    event._body = body
    event._kind = _PACKET
    event._source = (head, body, pairs)
    return event


def from_xml(text: str) -> Optional[Event]:
    """The event of a ``text/event-xml`` body, or None if it is not such an XML document.

    FreeSWITCH writes ``<event><headers><Name>url-encoded value</Name>...</headers>
    <body>text</body></event>``; the body element is present only when the event has one.
    """
    layout = _switch_layout(text)
    if layout is not None:
        names, raws, body = layout
        values = decode_values(raws)       # (no NUL in them: checked)
    else:
        layout = _elementtree_layout(text)
        if layout is None:
            return None
        names, raws, body = layout
        values = None
    if values is None:
        values = [decode_value(raw) if "%" in raw else raw for raw in raws]
    event = _new(Event)
    event._ev = None
    event._pairs = list(zip(names, values))
    event._body = body
    event._kind = _BUILT
    event._source = None
    return event


def _elementtree_layout(text: str):
    """``(names, raw values, body)`` of any XML event document, read by ElementTree; else None."""
    from xml.etree import ElementTree   # (only for documents off FreeSWITCH's layout)
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return None
    headers = root.find("headers")
    if root.tag != "event" or headers is None:
        return None
    body = root.find("body")
    return ([child.tag for child in headers], [child.text or "" for child in headers],
            None if body is None else (body.text or ""))


# switch_event_xmlize's layout, read with string operations where nothing in the document is
# something an XML parser would change or refuse: plain XML names, header text without markup,
# entities or control bytes (FreeSWITCH URL-encodes header values), a body whose only markup is
# character references and the five predefined entities. That reads exactly as ElementTree
# does, several times faster; any other document goes to ElementTree.
_XML_HEAD = "<event>\n  <headers>\n"
_XML_HEADER = re.compile(r"    <([A-Za-z_][^>]*)>([^<]*)</\1>\n")
_XML_TAIL = re.compile(r"  </headers>\n(?:  <Content-Length>[0-9]+</Content-Length>\n"
                       r"  <body>([^<]*)</body>\n)?</event>\n?")
_XML_NAME_CHARS = b"-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_XML_PRINTABLE = bytes(range(0x20, 0x7F))
_XML_BODY_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|]]>")
_XML_REF = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
_XML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _switch_layout(text: str):
    """``(names, raw values, body)`` of a document in switch_event_xmlize's layout, else None."""
    if not text.startswith(_XML_HEAD) or not text.isascii() or "\r" in text:
        return None
    end = text.find("  </headers>\n", 20)
    if end < 0:
        return None
    section = text[20:end]
    if "&" in section or "]]>" in section:
        return None
    found = _XML_HEADER.findall(section)
    names, raws = zip(*found) if found else ((), ())
    all_names = "".join(names).encode()
    all_raws = "".join(raws).encode()
    if (2 * len(all_names) + len(all_raws) + 10 * len(found) != len(section)   # lines only
            or all_names.translate(None, _XML_NAME_CHARS)
            or all_raws.translate(None, _XML_PRINTABLE)):    # (no control byte, tab, newline)
        return None
    tail = _XML_TAIL.fullmatch(text, end)
    if tail is None:
        return None
    body = tail.group(1)
    if body:
        if _XML_BODY_BAD.search(body):
            return None
        if "&" in body:
            body = _xml_unescape(body)
            if body is None:
                return None
    return names, raws, body


def _xml_unescape(text: str) -> Optional[str]:
    """Text with its references replaced, as expat does; None if one is not well-formed."""
    parts = _XML_REF.split(text)       # text, hex, decimal, name, text, ...
    if len(parts) // 4 != text.count("&"):
        return None
    out = [parts[0]]
    for i in range(1, len(parts), 4):
        hex_code, dec_code, named = parts[i:i + 3]
        if named:
            out.append(_XML_NAMED[named])
        else:
            code = int(hex_code, 16) if hex_code else int(dec_code)
            if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF
                    or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF):
                return None      # not an XML character: expat refuses the document
            out.append(chr(code))
        out.append(parts[i + 3])
    return "".join(out)
