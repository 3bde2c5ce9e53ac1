"""The server role of the event socket, with no I/O: command bytes in, reply/event bytes out.

This is what FreeSWITCH's ``mod_event_socket`` does on its side of the wire (see WIRE.md):

* :class:`CommandReader` turns the bytes a client sends into command blocks, with the server's
  own rules (blank lines between commands are skipped, ``\\n\\n``, ``\\n\\r\\n`` and
  ``\\r\\n\\r\\n`` all end a block, ``Content-Length`` is acted on when its line is parsed).
* :class:`ServerEvent` is a small ordered-headers event as the *server* keeps it, with the
  three serialisations the server sends (plain, json, xml). It is deliberately not the
  client's ``ESLevent``: header semantics differ (e.g. an empty value deletes).
* The ``*_frame`` functions build every frame the server writes.

Everything is ``str`` inside (UTF-8, undecodable bytes kept as surrogates) and ``bytes`` at
the edges.
"""
import re
from typing import Iterator, List, Optional, Sequence, Tuple, Union

from .urlcode import encode_value_server

__all__ = [
    "CommandError",
    "CommandReader",
    "ServerEvent",
    "EVENT_NAMES",
    "event_type_from_name",
    "MAX_BLOCK",
    "MAX_BODY",
    "GOODBYE",
    "greeting_frame",
    "reply_frame",
    "api_response_frame",
    "event_frame",
    "log_frame",
    "disconnect_frame",
    "linger_frame",
    "rude_rejection_frame",
    "channel_data_frame",
    "json_string",
    "xml_text",
]

#: A command block reaching this many bytes is force-terminated (FreeSWITCH's read_packet).
MAX_BLOCK = 10485760
#: A ``Content-Length`` above this (or below 0) ends the connection.
MAX_BODY = 16777216

#: The body of the ordinary disconnect notice (67 bytes).
GOODBYE = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"

_ENC = "utf-8"
_ERRORS = "surrogateescape"

Value = Union[str, List[str]]

# The server's event-type table (switch_event.c); index = type id. CERT_RELOAD is server-only.
EVENT_NAMES = (
    "CUSTOM CLONE CHANNEL_CREATE CHANNEL_DESTROY CHANNEL_STATE CHANNEL_CALLSTATE CHANNEL_ANSWER "
    "CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE "
    "CHANNEL_HOLD CHANNEL_UNHOLD CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_PROGRESS "
    "CHANNEL_PROGRESS_MEDIA CHANNEL_OUTGOING CHANNEL_PARK CHANNEL_UNPARK CHANNEL_APPLICATION "
    "CHANNEL_ORIGINATE CHANNEL_UUID API LOG INBOUND_CHAN OUTBOUND_CHAN STARTUP SHUTDOWN PUBLISH "
    "UNPUBLISH TALK NOTALK SESSION_CRASH MODULE_LOAD MODULE_UNLOAD DTMF MESSAGE PRESENCE_IN "
    "NOTIFY_IN PRESENCE_OUT PRESENCE_PROBE MESSAGE_WAITING MESSAGE_QUERY ROSTER CODEC "
    "BACKGROUND_JOB DETECTED_SPEECH DETECTED_TONE PRIVATE_COMMAND HEARTBEAT TRAP ADD_SCHEDULE "
    "DEL_SCHEDULE EXE_SCHEDULE RE_SCHEDULE RELOADXML NOTIFY PHONE_FEATURE "
    "PHONE_FEATURE_SUBSCRIBE SEND_MESSAGE RECV_MESSAGE REQUEST_PARAMS CHANNEL_DATA GENERAL "
    "COMMAND SESSION_HEARTBEAT CLIENT_DISCONNECTED SERVER_DISCONNECTED SEND_INFO RECV_INFO "
    "RECV_RTCP_MESSAGE SEND_RTCP_MESSAGE CALL_SECURE NAT RECORD_START RECORD_STOP "
    "PLAYBACK_START PLAYBACK_STOP CALL_UPDATE FAILURE SOCKET_DATA MEDIA_BUG_START "
    "MEDIA_BUG_STOP CONFERENCE_DATA_QUERY CONFERENCE_DATA CALL_SETUP_REQ CALL_SETUP_RESULT "
    "CALL_DETAIL DEVICE_STATE TEXT SHUTDOWN_REQUESTED CERT_RELOAD ALL"
).split()


def event_type_from_name(name: str) -> Optional[str]:
    """Return the table spelling of an event type name, or None if it is not one.

    Case-insensitive; a name longer than 13 characters also matches by its part after the
    first 13 (meant for the ``SWITCH_EVENT_`` prefix), as in switch_name_event().
    """
    lname = name.lower()
    tail = lname[13:] if len(lname) > 13 else None
    for known in EVENT_NAMES:
        low = known.lower()
        if lname == low or tail == low:
            return known
    return None


class CommandError(Exception):
    """The client broke a hard limit (bad ``Content-Length``); the connection must end."""


def _atoi(text: str) -> int:
    """C ``atoi``: leading whitespace, optional sign, digits; 0 when there are none."""
    i, n = 0, len(text)
    while i < n and text[i] in " \t\n\v\f\r":
        i += 1
    sign = 1
    if i < n and text[i] in "+-":
        sign = -1 if text[i] == "-" else 1
        i += 1
    j = i
    while j < n and "0" <= text[j] <= "9":
        j += 1
    return sign * int(text[i:j]) if j > i else 0


class ServerEvent:
    """An event as the server holds it: ordered ``[name, value]`` headers, a body, a subclass.

    ``value`` is a ``str`` or, for array headers, a list of ``str``. ``body`` is None when the
    event has none. Name lookups are case-insensitive and find the first header.
    """

    __slots__ = ("headers", "body", "subclass", "type")

    def __init__(self, headers: Optional[Sequence[Tuple[str, Value]]] = None,
                 body: Optional[str] = None, subclass: Optional[str] = None,
                 type: Optional[str] = None) -> None:
        self.headers = [[n, v] for n, v in (headers or ())]
        self.body = body
        self.subclass = subclass
        #: The event type (table name) the switch fired it as; None for a parsed command.
        self.type = type

    # -- header access ---------------------------------------------------------------------
    def add(self, name: str, value: Optional[Value], top: bool = False) -> None:
        """Add a header as switch_event_add_header does; None or "" adds nothing.

        An empty value deletes earlier headers of that name (FreeSWITCH quirk, seen on the
        wire with ``X-Empty:``); ``ARRAY::a|:b`` becomes an array header.
        """
        if value is None or value == "":
            if value == "":
                self.delete(name)
            return
        if isinstance(value, str) and value.startswith("ARRAY::"):
            value = value[7:].split("|:")
        entry = [name, value]
        if top:
            self.headers.insert(0, entry)
        else:
            self.headers.append(entry)

    def set(self, name: str, value: Optional[Value]) -> None:
        """Replace every header of that name by one at the bottom (None/"" just deletes)."""
        self.delete(name)
        if value is not None and value != "":
            self.add(name, value)

    def get(self, name: str) -> Optional[str]:
        """Return the first value of ``name`` (any case), or None; arrays give element 0."""
        lname = name.lower()
        for hname, value in self.headers:
            if hname.lower() == lname:
                return value[0] if isinstance(value, list) else value
        return None

    def delete(self, name: str, value: Optional[str] = None) -> None:
        """Remove headers called ``name`` (any case), only those equal to ``value`` if given."""
        lname = name.lower()
        self.headers = [h for h in self.headers
                        if not (h[0].lower() == lname and (value is None or h[1] == value))]

    @property
    def name(self) -> Optional[str]:
        """The ``Event-Name`` header, or None."""
        return self.get("Event-Name")

    def copy(self) -> "ServerEvent":
        """A copy as each subscriber receives it: ``Event-Subclass`` moved before all others."""
        headers = [[n, list(v) if isinstance(v, list) else v] for n, v in self.headers]
        if self.subclass is not None:
            headers = [["Event-Subclass", self.subclass]] + [
                h for h in headers if h[0].lower() != "event-subclass"]
        return ServerEvent(headers, self.body, self.subclass, self.type)

    # -- serialisation ---------------------------------------------------------------------
    def serialize(self, fmt: str = "plain") -> str:
        """Return the event serialised as ``plain``, ``json`` or ``xml`` (WIRE.md §6.3)."""
        if fmt == "json":
            return self._json()
        if fmt == "xml":
            return self._xml()
        return self._plain()

    def _plain(self) -> str:
        out = []
        for name, value in self.headers:
            if isinstance(value, list):
                value = "ARRAY::" + "|:".join(value)
            out.append("%s: %s\n" % (name, encode_value_server(value)))
        if self.body:
            out.append("Content-Length: %d\n\n%s" % (_blen(self.body), self.body))
        else:
            out.append("\n")
        return "".join(out)

    def _json(self) -> str:
        members = []
        for name, value in self.headers:
            if isinstance(value, list):
                members.append('"%s":[%s]' % (_json_str(name),
                                              ",".join('"%s"' % _json_str(v) for v in value)))
            else:
                members.append('"%s":"%s"' % (_json_str(name), _json_str(value)))
        if self.body is not None:
            members.append('"Content-Length":"%d"' % _blen(self.body))
            members.append('"_body":"%s"' % _json_str(self.body))
        return "{" + ",".join(members) + "}"

    def _xml(self) -> str:
        out = ["<event>\n  <headers>\n"]
        for name, value in self.headers:
            for item in (value if isinstance(value, list) else [value]):
                out.append("    <%s>%s</%s>\n" % (name, _xml_text(encode_value_server(item)),
                                                  name))
        out.append("  </headers>\n")
        if self.body:
            body = _xml_text(self.body)
            out.append("  <Content-Length>%d</Content-Length>\n" % _blen(self.body))
            out.append("  <body>%s%s</body>\n" % (body, "  " if body.endswith("\n") else ""))
        out.append("</event>\n")
        return "".join(out)

    def __repr__(self) -> str:
        return "ServerEvent(%r, body=%r)" % (self.headers, self.body)


def _blen(text: str) -> int:
    return len(text.encode(_ENC, _ERRORS))


_JSON_ESC = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
             "\t": "\\t"}


def _json_str(text: str) -> str:
    # cJSON's escaping: named escapes, other control bytes as \u00xx, everything else raw.
    if not any(c in _JSON_ESC or c < " " for c in text):
        return text
    return "".join(_JSON_ESC.get(c) or ("\\u%04x" % ord(c) if c < " " else c) for c in text)


def _xml_text(text: str) -> str:
    # switch_xml's text escaping; "<!" switches it off for the rest of the text.
    cut = text.find("<!")
    head, tail = (text, "") if cut < 0 else (text[:cut], text[cut:])
    out = []
    for c in head:
        if c == "&":
            out.append("&amp;")
        elif c == "<":
            out.append("&lt;")
        elif c == ">":
            out.append("&gt;")
        elif c == "\r":
            out.append("&#xD;")
        elif c > "\x7f":
            # Difference: a surrogate stands for an undecodable byte; FreeSWITCH would emit a
            # garbage code point for it, we emit the byte value.
            code = ord(c) - 0xDC00 if "\udc80" <= c <= "\udcff" else ord(c)
            out.append("&#x%X;" % code)
        else:
            out.append(c)
    return "".join(out) + tail


#: cJSON's string escaping and switch_xml's text escaping, for output built outside events.
json_string = _json_str
xml_text = _xml_text


class Command:
    """One command block as the server parsed it.

    ``text`` is the whole header block (the internal ``Command`` header), ``line`` its first
    line, ``event`` the parsed block as a :class:`ServerEvent` (``Command`` header first, then
    the client's headers), ``body`` the body read via ``Content-Length`` or None.
    """

    __slots__ = ("text", "line", "event")

    def __init__(self, text: str, line: str, event: ServerEvent) -> None:
        self.text = text
        self.line = line
        self.event = event

    @property
    def body(self) -> Optional[str]:
        return self.event.body

    def header(self, name: str) -> Optional[str]:
        """Return the first client header ``name`` (any case), or None."""
        return self.event.get(name)

    def __repr__(self) -> str:
        return "Command(%r, body=%r)" % (self.text, self.body)


# A block ends at two LFs with only CRs between them; a trailing LF (and CRs) may be half of one.
_BLOCK_END = re.compile(rb"\n\r*\n")
_BLOCK_TAIL = re.compile(rb"\n\r*\Z")


class CommandReader:
    """Incremental reader of client command blocks (server side of WIRE.md §2.2).

    Feed bytes with :meth:`feed`; iterate :meth:`commands` to take complete blocks. Raises
    :class:`CommandError` when a ``Content-Length`` is negative or above 16 MiB.
    ``pending`` is True while a partial command is buffered (the server then holds events
    back).
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._scan = 0        # where the search for the end of the block resumes
        self._block = None    # type: Optional[bytes]
        self._lengths = []    # type: List[int]   body lengths still to read, in order
        self._event = None    # type: Optional[ServerEvent]
        self._bodies = []     # type: List[bytes]

    @property
    def pending(self) -> bool:
        """True while part of a command has been received but not yet returned."""
        return bool(self._buf) or self._block is not None

    def feed(self, data: bytes) -> None:
        """Append received bytes."""
        self._buf += data

    def commands(self) -> Iterator[Command]:
        """Yield every command completed by the bytes fed so far."""
        while True:
            cmd = self._next()
            if cmd is None:
                return
            yield cmd

    def _next(self) -> Optional[Command]:
        if self._block is None:
            if not self._find_block():
                return None
        while self._lengths:
            need = self._lengths[0]
            if len(self._buf) < need:
                return None
            self._bodies.append(bytes(self._buf[:need]))
            del self._buf[:need]
            self._lengths.pop(0)
        return self._finish()

    def _find_block(self) -> bool:
        buf = self._buf
        # Line breaks before a block are dropped (the client sends extra blank lines).
        if self._scan == 0:
            skip = 0
            while skip < len(buf) and buf[skip] in (10, 13):
                skip += 1
            if skip:
                del buf[:skip]
        found = _BLOCK_END.search(buf, self._scan)
        if found is not None and found.end() <= MAX_BLOCK:
            end = found.end()
        elif len(buf) >= MAX_BLOCK:
            end = MAX_BLOCK   # force-terminated, as FreeSWITCH does
        else:
            # Resume at a trailing LF (plus CRs) that the next bytes may complete.
            tail = _BLOCK_TAIL.search(buf, self._scan)
            self._scan = tail.start() if tail is not None else len(buf)
            return False
        self._block = bytes(buf[:end])
        del buf[:end]
        self._scan = 0
        self._parse_block(self._block.decode(_ENC, _ERRORS))
        return True

    def _parse_block(self, text: str) -> None:
        event = ServerEvent()
        event.add("Command", text)
        lengths = []
        lines = text.replace("\r", "\n").split("\n")
        for line in lines[1:]:
            if not line:
                continue
            name, colon, value = line.partition(":")
            if not colon:
                continue
            value = value.lstrip(" ")
            event.add(name, value)
            if name.lower() == "content-length":
                clen = _atoi(value)
                if clen < 0 or clen > MAX_BODY:
                    self._block = None
                    raise CommandError("invalid Content-Length %r" % value)
                if clen > 0:
                    lengths.append(clen)
        self._event = event
        self._lengths = lengths
        self._bodies = []

    def _finish(self) -> Command:
        event = self._event
        assert event is not None and self._block is not None
        for raw in self._bodies:
            nul = raw.find(b"\0")
            event.body = (raw if nul < 0 else raw[:nul]).decode(_ENC, _ERRORS)
        text = event.get("Command") or ""
        cut = len(text)
        for sep in ("\r", "\n"):
            pos = text.find(sep)
            if 0 <= pos < cut:
                cut = pos
        self._block = None
        self._event = None
        self._bodies = []
        return Command(text, text[:cut], event)


# -- frames ------------------------------------------------------------------------------------

def _b(text: str) -> bytes:
    return text.encode(_ENC, _ERRORS)


def greeting_frame() -> bytes:
    """``Content-Type: auth/request`` — the first thing an inbound client receives."""
    return b"Content-Type: auth/request\n\n"


def reply_frame(reply: str) -> bytes:
    """A ``command/reply`` frame for a reply string (WIRE.md §2.3).

    The reply is cut to 511 bytes; an empty reply becomes ``-ERR command not found``; a reply
    starting with ``~`` carries its own header lines and final blank line.
    """
    raw = _b(reply)[:511]
    if not raw:
        raw = b"-ERR command not found"
    if raw.startswith(b"~"):
        return b"Content-Type: command/reply\n" + raw[1:]
    return b"Content-Type: command/reply\nReply-Text: " + raw + b"\n\n"


def api_response_frame(output: str) -> bytes:
    """An ``api/response`` frame carrying an api command's output."""
    body = _b(output)
    return b"Content-Type: api/response\nContent-Length: %d\n\n" % len(body) + body


def event_frame(event: ServerEvent, fmt: str = "plain") -> bytes:
    """An event frame (``Content-Length`` first, then ``Content-Type: text/event-<fmt>``)."""
    body = _b(event.serialize(fmt))
    return b"Content-Length: %d\nContent-Type: text/event-%s\n\n" % (
        len(body), fmt.encode("ascii")) + body


def log_frame(text: str, level: int, channel: int = 3, file: str = "", func: str = "",
              line: int = 0, user_data: str = "") -> bytes:
    """A ``log/data`` frame; values are written raw (not url-encoded)."""
    body = _b(text)
    head = ("Content-Type: log/data\nContent-Length: %d\nLog-Level: %d\nText-Channel: %d\n"
            "Log-File: %s\nLog-Func: %s\nLog-Line: %d\nUser-Data: %s\n\n"
            % (len(body), level, channel, file, func, line, user_data))
    return _b(head) + body


def disconnect_frame(session_uuid: Optional[str] = None, body: str = GOODBYE) -> bytes:
    """The disconnect notice (WIRE.md §8.1); session sockets name their channel."""
    raw = _b(body)
    head = "Content-Type: text/disconnect-notice\n"
    if session_uuid:
        head += ("Controlled-Session-UUID: %s\nContent-Disposition: disconnect\n"
                 % session_uuid)
    return _b(head) + b"Content-Length: %d\n\n" % len(raw) + raw


def linger_frame(session_uuid: str, channel_name: str, linger_time: int) -> bytes:
    """The linger notice sent when a lingering session's channel hangs up (WIRE.md §8.2)."""
    return _b("Content-Type: text/disconnect-notice\nControlled-Session-UUID: %s\n"
              "Content-Disposition: linger\nChannel-Name: %s\nLinger-Time: %d\n"
              "Content-Length: 0\n\n" % (session_uuid, channel_name, linger_time))


def rude_rejection_frame() -> bytes:
    """Sent to a peer that fails the inbound ACL, before the disconnect notice."""
    return (b"Content-Type: text/rude-rejection\nContent-Length: 24\n\n"
            b"Access Denied, go away.\n")


def channel_data_frame(event: ServerEvent) -> bytes:
    """The outbound ``connect`` answer: a plain-serialised event as the header block."""
    return _b(event.serialize("plain"))
