"""The modern API's :class:`Event`: an event as a read-only, case-insensitive mapping.

Received events are parsed by the same code as :class:`ESL.ESLevent` (plain and JSON bodies,
the header blocks of replies), so header names, URL-decoding and arrays follow the C
library's rules; XML bodies, which the C library does not parse, are read here with
:mod:`xml.etree.ElementTree`. Parsing stays lazy: a header is decoded when it is read.
"""
from collections.abc import Mapping
from typing import Iterable, Iterator, List, Optional, Tuple, Union
from xml.etree import ElementTree

from .event import ESLevent
from .event_names import EVENT_NAMES as _C_EVENT_NAMES
from .protocol.urlcode import decode_value

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
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return None
    headers = root.find("headers")
    if root.tag != "event" or headers is None:
        return None
    pairs = [(child.tag, decode_value(child.text or "")) for child in headers]
    body_element = root.find("body")
    body = None if body_element is None else (body_element.text or "")
    event = Event(pairs, body)
    return event
