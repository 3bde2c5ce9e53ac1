"""Received compact JSON events, kept as their bytes until something needs the header lists.

FreeSWITCH sends ``{"name":"value",...}`` without white space, ``Event-Name`` first and
``_body`` last. For such a text :func:`compact_json_event` proves, with a few whole-text passes
at C speed (one regular expression, a few searches) and without splitting it into its members,
that the cJSON parse succeeds and the C add rules append every member as it is; ``getHeader``
then finds ``"name":"`` in the bytes (lower-cased where the case matters) and decodes only that
value's escapes. Anything else (iteration, changes, copies, serialising) builds the lists once
with :func:`ESL.event_parsing._event_from_json`, the exact path; so does any text the guard
refuses. tests/test_event_json.py compares the two.

May import :mod:`ESL.event_parsing` and what it may import.
"""
import re

from .event_model import _Event
from .event_names import CUSTOM, name_event
from .event_parsing import _event_from_json, _LazyEvent, _printf_body, _unescaped, handed_out

_new = object.__new__

# The compact form, on the bytes with escaped backslashes hidden (so that every backslash left
# starts an escape): a name has no quote and does not end with a backslash (that quote would
# be escaped); a value is not empty (its first byte cannot be a quote) and runs to the first
# quote without a backslash before it; after the object, no quote. Event-Name may only be the
# first member, _body only the last (where FreeSWITCH puts them); groups 1 and 2 are the first
# member's name and value, group 3 the value of _body. Only [^"] repeats, which the regex
# engine scans fast; the possessive repeats (Python 3.11+) make the parse deterministic, as
# cJSON's is. Members are matched eight at a time first: each repeat costs more than a member.
_NAME = rb'[^"]*+(?<!\\)'
_VALUE = rb'[^"]++(?:(?<=\\)"[^"]*+)*+'
_MEMBER = rb',"(?!(?i:_body|event-name)")' + _NAME + rb'":"' + _VALUE + rb'"'
try:
    _COMPACT = re.compile(
        rb'\{"(?!(?i:_body)")(' + _NAME + rb')":"(' + _VALUE + rb')"'
        rb'(?:' + _MEMBER * 8 + rb')*+(?:' + _MEMBER + rb')*+'
        rb'(?:,"(?i:_body)":"(' + _VALUE + rb')")?\}[^"]*+')
except re.error:    # no possessive repeats before Python 3.11: the exact path only
    _COMPACT = None
# An escape other than those FreeSWITCH's cJSON writes (\u aside): a name or a value could
# then decode to another text than its bytes show (\- is -, \: is :, \u is special).
_UNUSUAL_ESCAPE = re.compile(rb'\\[^"bfnrt]')
# A '[' in a name (and in a few values: harmless, the exact path is taken).
_NAME_BRACKET = re.compile(rb'\[[^"]*+":"')
# Header names answered from the bytes: ASCII, none of the characters the search relies on.
_ORDINARY_NAME = re.compile(r'[^"\\,:\[\x00-\x1f\x7f-\U0010ffff]+')
_keys = {}      # ordinary name -> (b'"name":"', b'"lower-cased name":"')


def compact_json_event(text):
    """A :class:`_CompactJSONEvent` for the compact JSON text FreeSWITCH sends, or None.

    ``text`` is a received body (bytes decoded as UTF-8 with ``surrogateescape``). Accepted
    (else None, and the caller takes the exact path): the form of ``_COMPACT``; no NUL or
    newline; no ``[`` in a name; only the escapes cJSON writes, but ``\\u`` (``\\"``
    ``\\\\`` ``\\b`` ``\\f`` ``\\n`` ``\\r`` ``\\t``), so that no name decodes to another
    ASCII name than it shows and an ``ARRAY::`` is seen in the bytes; no ``ARRAY::``. cJSON
    then parses the text, and ``esl_event_create_json`` appends every member as it is, but
    ``_body``, which becomes the body.
    """
    if _COMPACT is None:
        return None
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:      # undecodable bytes received, as surrogates
        raw = text.encode("utf-8", "surrogateescape")
        if raw.decode("utf-8", "surrogateescape") != text:
            return None
    if b"\0" in raw or b"\n" in raw:
        return None
    hidden = raw
    unusual = _UNUSUAL_ESCAPE.search(raw)
    if unusual is not None:
        # The first one may be an escaped backslash (a display name's \\\" in a SIP From):
        # those are hidden, then no other may be left.
        first = unusual.start()
        if raw[first + 1] != 92:
            return None
        hidden = raw[:first] + raw[first:].replace(b"\\\\", b"\0\0")
        if _UNUSUAL_ESCAPE.search(hidden, first) is not None:
            return None
    if b"[" in raw and _NAME_BRACKET.search(hidden) is not None:
        return None
    match = _COMPACT.fullmatch(hidden)
    if match is None:
        return None
    if b"ARRAY::" in raw:           # (no escape makes one: they make no letters)
        return None
    ev = _new(_CompactJSONEvent)
    ev.etype = CUSTOM
    ev.subclass = ev.cursors = ev.ltext = None
    ev.body = None if match.start(3) < 0 else _printf_body(_value_at(hidden, match.start(3)))
    ev.source = text
    ev.seen = hidden
    start, end = match.span(1)
    if end - start == 10 and hidden[start:end].lower() == b"event-name":
        etype = name_event(_value_at(hidden, end + 3))
        if etype is not None:
            ev.etype = etype
    return ev


def _value_at(hidden, start):
    """The decoded value that starts at byte ``start`` of the bytes ``hidden``."""
    end = hidden.find(b'"', start)
    while hidden[end - 1] == 92:        # an escaped quote
        end = hidden.find(b'"', end + 1)
    value = hidden[start:end]
    if b"\0" in value:
        value = value.replace(b"\0", b"\\")     # escaped backslashes, hidden
    if value.isascii():
        value = value.decode("ascii")
    else:
        value = value.decode("utf-8", "surrogateescape")
    if "\\" in value:
        value = _unescaped(value).replace("\0", '"')
    return value


def _lookup_keys(name):
    """``(b'"name":"', b'"lower-cased name":"')`` for an ordinary name, else None."""
    if _ORDINARY_NAME.fullmatch(name) is None:
        return None
    if len(_keys) >= 256:
        _keys.clear()
    keys = _keys[name] = (b'"' + name.encode("ascii") + b'":"',
                          b'"' + name.lower().encode("ascii") + b'":"')
    return keys


class _CompactJSONEvent(_LazyEvent):
    """A received compact JSON event (see :func:`compact_json_event`): ``source`` is the text,
    ``seen`` its UTF-8 bytes with every escaped backslash hidden as two NULs, ``ltext`` those
    bytes ASCII-lower-cased (made by the first lookup that needs them). ``get`` reads the
    bytes; anything else builds the lists from the text."""
    __slots__ = ()

    def _materialize(self):
        if type(self) is not _CompactJSONEvent:
            return      # another thread did it
        full = handed_out(_event_from_json(self.source))
        self._become(full.names, full.values)
        self.etype, self.subclass, self.body = full.etype, full.subclass, full.body
        self.lnames, self.index = full.lnames, full.index
        self.encoded, self.arrays = full.encoded, full.arrays

    def get(self, name, idx=-1):
        """``_Event.get``, answered from the bytes for ordinary names.

        A name found as ``"name":"`` is a member's name (see :func:`compact_json_event`), and
        the first such match in the lower-cased bytes is the first header of that name."""
        if name is None:
            return None
        if idx < 0 and type(name) is str:
            keys = _keys.get(name)
            if keys is None:
                keys = _lookup_keys(name)
            if keys is not None:
                key, lkey = keys
                if lkey == b'"_body":"':         # not a header: the body
                    return self.body if name == "_body" else None
                hidden = self.seen
                pos = hidden.find(key)          # the name as spelled: no lower-casing
                if pos >= 0:
                    if pos > 0:                 # the same name in other case before it?
                        first = hidden[:pos].lower().find(lkey)
                        if first >= 0:
                            pos = first
                else:
                    low = self.ltext
                    if low is None:
                        low = self.ltext = hidden.lower()
                    pos = low.find(lkey)
                    if pos < 0:
                        return None
                return _value_at(hidden, pos + len(key))
        self._materialize()
        return _Event.get(self, name, idx)


# Code written for SWIG checks ``type(obj).__name__ == 'SwigPyObject'``.
_CompactJSONEvent.__name__ = _CompactJSONEvent.__qualname__ = "SwigPyObject"
_CompactJSONEvent.__module__ = "builtins"
