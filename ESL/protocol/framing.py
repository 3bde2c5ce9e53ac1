"""Client-side framing: bytes from the server in, packets out. No I/O.

A packet is a header block ending in a blank line, optionally followed by exactly
``Content-Length`` bytes of body. The receive buffer remembers how far it has already looked
for the blank line, so a header block arriving in many pieces is never rescanned, and every
byte is copied once out of the buffer.
"""
import re
from operator import itemgetter
from typing import List, Optional, Tuple

from .headers import split_outer
from .urlcode import decode_value

__all__ = [
    "MAX_CONTENT_LENGTH",
    "MAX_HEADER_BLOCK",
    "Packet",
    "PacketReader",
    "ProtocolError",
]

#: Bodies larger than this (or negative lengths) drop the connection, as FreeSWITCH master's
#: library does (``ESL_MAX_CONTENT_LENGTH``).
MAX_CONTENT_LENGTH = 16 * 1024 * 1024

#: Difference: the C library cuts a longer header block at 65535 bytes and misreads the rest
#: as the next packet; we treat it as a protocol error and drop the connection instead.
MAX_HEADER_BLOCK = 65535

# Parsed header blocks remembered per reader (the cache is emptied when full); only short
# blocks, so the cache stays small (at most 256 x 512 bytes).
_HEAD_CACHE = 256
_HEAD_CACHE_BLOCK = 512


class ProtocolError(Exception):
    """The peer sent something that cannot be framed; the connection must be closed."""


class Packet(tuple):
    """One packet from the server: the tuple ``(head, body, content_type, pairs)``.

    ``head`` is the header block as text (UTF-8, undecodable bytes as surrogates), including
    its terminating blank line; ``body`` is the body text, or None when the packet had no
    ``Content-Length`` header. ``content_type`` is the first ``Content-Type`` value (decoded,
    case kept), or None. ``pairs`` are the block's raw ``(name, value)`` lines.
    """

    __slots__ = ()

    # A tuple, so that the reader makes one per packet without running Python code.
    def __new__(cls, head: str, body: Optional[str], content_type: Optional[str],
                pairs: List[Tuple[str, str]]) -> "Packet":
        return _new_tuple(cls, (head, body, content_type, pairs))

    head = property(itemgetter(0), doc="The header block as text, with its blank line.")
    body = property(itemgetter(1), doc="The body text, or None.")
    content_type = property(itemgetter(2), doc="The first Content-Type value, or None.")
    pairs = property(itemgetter(3), doc="The block's raw (name, value) lines (split_outer).")

    def header(self, name: str) -> Optional[str]:
        """Return the decoded value of the first header called ``name`` (any case), or None."""
        return _lookup(self[3], name.lower())

    def __repr__(self) -> str:
        return "Packet(%r, body=%r)" % (self[0], self[1])


_new_tuple = tuple.__new__


def _lookup(pairs: List[Tuple[str, str]], lname: str) -> Optional[str]:
    # The C event keeps the first header of a name, but an empty value deletes the earlier
    # ones, so the last empty value resets the search.
    found = None
    for name, value in pairs:
        if name.lower() == lname:
            if not value:
                found = None
            elif found is None:
                found = value
    return _decoded(found)


def _decoded(raw: Optional[str]) -> Optional[str]:
    return raw if raw is None or "%" not in raw else decode_value(raw)


_CONTENT_NAME_SIZES = (12, 14)   # len("content-type"), len("content-length")


def _content_fields(pairs: List[Tuple[str, str]]) -> Tuple[Optional[str], Optional[str]]:
    """``(Content-Length, Content-Type)`` of a packet in one pass, as ``_lookup`` finds them."""
    length = ctype = None
    for name, value in pairs:
        if len(name) in _CONTENT_NAME_SIZES:
            lname = name.lower()
            if lname == "content-type":
                ctype = None if not value else (ctype or value)
            elif lname == "content-length":
                length = None if not value else (length or value)
    return _decoded(length), _decoded(ctype)


def _atol(text: str) -> int:
    """C ``atol``: optional blanks and sign, then digits; anything else stops the parse."""
    match = _ATOL.match(text)
    return int(match.group(1)) if match else 0


_ATOL = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+)")


class PacketReader:
    """Receive buffer for the client role: ``feed()`` bytes, take packets with ``next_packet()``.

    ``next_packet()`` returns None until a whole packet is buffered. It raises
    :class:`ProtocolError` for a Content-Length outside ``0..max_content_length``, a header block
    longer than ``max_header_block`` bytes, or a NUL byte inside a header block (the C library
    stops scanning there and then waits forever; we refuse the stream instead).
    """

    def __init__(self, max_content_length: int = MAX_CONTENT_LENGTH,
                 max_header_block: int = MAX_HEADER_BLOCK) -> None:
        self._buf = bytearray()
        self._scan = 0          # where the search for the end of the header block resumes
        self._head = None       # a parsed header block whose body is still arriving
        self._heads = {}        # header block text -> its parse (_parse_head)
        self.max_content_length = max_content_length
        self.max_header_block = max_header_block

    def feed(self, data: bytes) -> None:
        """Append bytes received from the socket."""
        self._buf += data

    def buffered(self) -> int:
        """Number of bytes held that are not yet part of a returned packet."""
        return len(self._buf)

    def has_packet(self) -> bool:
        """True if a whole header block (and, once its head was taken, its body) is buffered.

        ``next_packet()`` can then make progress without more data: it returns a packet,
        raises, or -- when only the head had arrived -- takes the head and waits for the body.
        False also while a header block longer than the limit is still unterminated (the
        next ``next_packet()`` raises); callers that must not block check ``buffered()`` too.
        """
        if self._head is not None:
            return len(self._buf) >= self._head[3]
        return self._find_end() >= 0

    def _find_end(self) -> int:
        """Offset just past the header block's blank line, or -1; remembers the scan point."""
        buf = self._buf
        start = self._scan
        lf = buf.find(b"\n\n", start)
        crlf = buf.find(b"\n\r\n", start, lf + 1 if lf >= 0 else len(buf))
        if crlf >= 0:
            return crlf + 3
        if lf >= 0:
            return lf + 2
        # Keep two bytes so a terminator split across reads is still found.
        self._scan = max(0, len(buf) - 2)
        return -1

    def next_packet(self, data: bytes = b"") -> Optional[Packet]:
        """Return the next complete packet, or None if more bytes are needed.

        ``data``, when given, is fed first: a receive loop makes one call per read.
        """
        buf = self._buf
        if data:
            buf += data
        parsed = self._head
        if parsed is None:
            if not buf:
                return None
            end = self._find_end()
            if end < 0:
                if len(buf) > self.max_header_block:
                    raise ProtocolError("header block longer than %d bytes" % self.max_header_block)
                return None
            if end > self.max_header_block:
                raise ProtocolError("header block longer than %d bytes" % self.max_header_block)
            head = buf[:end].decode("utf-8", "surrogateescape")
            del buf[:end]
            self._scan = 0
            # Header blocks repeat (the same Content-Length and Content-Type), and parsing
            # one depends on nothing but its text: reuse the parse. Not for a bgapi reply,
            # whose Job-UUID makes it a one-off: it would only push out blocks that repeat.
            parsed = self._heads.get(head)
            if parsed is None:
                parsed = self._parse_head(head)
                if end <= _HEAD_CACHE_BLOCK and "Job-UUID" not in head:
                    if len(self._heads) >= _HEAD_CACHE:
                        self._heads.clear()
                    self._heads[head] = parsed
            need = parsed[3]
            if need is None:
                return _new_tuple(Packet, (parsed[0], None, parsed[2], parsed[1]))
            if len(buf) < need:
                self._head = parsed     # the body is still arriving
                return None
        else:
            need = parsed[3]
            if len(buf) < need:
                return None
            self._head = None
        nul = buf.find(0, 0, need)
        body = buf[:need if nul < 0 else nul].decode("utf-8", "surrogateescape")
        del buf[:need]   # the C body is a NUL-terminated string: the part after a NUL is dropped
        return _new_tuple(Packet, (parsed[0], body, parsed[2], parsed[1]))

    def _parse_head(self, head: str) -> Tuple[str, List[Tuple[str, str]], Optional[str],
                                              Optional[int]]:
        """``(head, pairs, content type, body length or None)`` of a header block's text."""
        if "\0" in head:
            # Difference: the C scan stops at a NUL and then waits forever for the end.
            raise ProtocolError("NUL byte in a header block")
        pairs = split_outer(head)
        length_text, ctype = _content_fields(pairs)
        if length_text is None:
            return head, pairs, ctype, None
        length = _atol(length_text)
        if length < 0 or length > self.max_content_length:
            raise ProtocolError("Content-Length %d out of range" % length)
        return head, pairs, ctype, length
