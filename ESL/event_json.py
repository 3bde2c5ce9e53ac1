"""Received compact JSON events, kept as their text until something needs the header lists.

FreeSWITCH sends ``{"name":"value",...}`` without white space, ``Event-Name`` first and
``_body`` last. For such a text :func:`compact_json_event` proves, with a few whole-text passes
at C speed (one regular expression, a few searches) and without splitting it into its members,
that the cJSON parse succeeds and the C add rules append every member as it is; ``getHeader``
then finds ``"name":"`` in the text (ASCII-lower-cased where the case matters) and decodes only
that value's escapes. Anything else (iteration, changes, copies, serialising) builds the lists once
with :func:`ESL.event_parsing._event_from_json`, the exact path; so does any text the guard
refuses. tests/test_event_json.py compares the two.

May import :mod:`ESL.event_parsing` and what it may import.
"""
import re

from .event_model import _Event
from .event_names import CUSTOM, name_event
from .event_parsing import _event_from_json, _LazyEvent, _printf_body, _unescaped, handed_out

_new = object.__new__

# The compact form, on the text with escaped backslashes hidden (so that every backslash left
# starts an escape): a name has no quote and does not end with a backslash (that quote would
# be escaped); a value is not empty (its first character cannot be a quote) and runs to the
# first quote without a backslash before it; after the object, no quote. Event-Name may only
# be the first member, _body only the last (where FreeSWITCH puts them), in any ASCII case;
# groups 1 and 2 are the first member's name and value, group 3 the value of _body. Only
# [^"] repeats, which the regex engine scans fast; the possessive repeats (Python 3.11+) make
# the parse deterministic, as cJSON's is. Members are matched eight at a time first: each
# repeat costs more than a member.
_NAME = r'[^"]*+(?<!\\)'
_VALUE = r'[^"]++(?:(?<=\\)"[^"]*+)*+'
_MEMBER = r',"(?!(?i:_body|event-name)")' + _NAME + r'":"' + _VALUE + r'"'
try:
    _COMPACT = re.compile(
        r'\{"(?!(?i:_body)")(' + _NAME + r')":"(' + _VALUE + r')"'
        r'(?:' + _MEMBER * 8 + r')*+(?:' + _MEMBER + r')*+'
        r'(?:,"(?i:_body)":"(' + _VALUE + r')")?\}[^"]*+', re.ASCII)
except re.error:    # no possessive repeats before Python 3.11: the exact path only
    _COMPACT = None
# An escape other than those FreeSWITCH's cJSON writes (\u aside): a name or a value could
# then decode to another text than it shows (\- is -, \: is :, \u is special).
_UNUSUAL_ESCAPE = re.compile(r'\\[^"bfnrt]')
# Header names answered from the text: ASCII, none of the characters the search relies on.
_ORDINARY_NAME = re.compile(r'[^"\\,:\[\x00-\x1f\x7f-\U0010ffff]+')
_keys = {}      # ordinary name -> ('"name":"', '"lower-cased name":"', the same as bytes)


def compact_json_event(text):
    """A :class:`_CompactJSONEvent` for the compact JSON text FreeSWITCH sends, or None.

    Accepted (else None, and the caller takes the exact path): the form of ``_COMPACT``; no
    NUL or newline; no ``[`` in a name; only the escapes cJSON writes, but ``\\u`` (``\\"``
    ``\\\\`` ``\\b`` ``\\f`` ``\\n`` ``\\r`` ``\\t``), so that no name decodes to another
    ASCII name than it shows and an ``ARRAY::`` is seen in the text; no ``ARRAY::``. cJSON
    then parses the text, and ``esl_event_create_json`` appends every member as it is, but
    ``_body``, which becomes the body.
    """
    if _COMPACT is None or "\0" in text or "\n" in text:
        return None
    hidden = text
    unusual = _UNUSUAL_ESCAPE.search(text)
    if unusual is not None:
        # The first one may be an escaped backslash (a display name's \\\" in a SIP From):
        # those are hidden, then no other may be left.
        first = unusual.start()
        if text[first + 1] != "\\":
            return None
        hidden = text[:first] + text[first:].replace("\\\\", "\0\0")
        if _UNUSUAL_ESCAPE.search(hidden, first) is not None:
            return None
    if "[" in text and _bracket_in_name(hidden):
        return None
    match = _COMPACT.fullmatch(hidden)
    if match is None or "ARRAY::" in text:      # (no escape makes one: they make no letters)
        return None
    ev = _new(_CompactJSONEvent)
    ev.etype = CUSTOM
    ev.subclass = ev.cursors = ev.ltext = None
    ev.body = None if match.start(3) < 0 else _printf_body(_value_at(hidden, match.start(3)))
    ev.source = text
    ev.seen = hidden
    start, end = match.span(1)
    if end - start == 10:
        name = hidden[start:end]
        if name.isascii() and name.lower() == "event-name":
            etype = name_event(_value_at(hidden, end + 3))
            if etype is not None:
                ev.etype = etype
    return ev


def _bracket_in_name(hidden):
    """True if a '[' is followed, before any quote, by ``":"``: a '[' in a name (or in a few
    values: harmless, the exact path is taken). A search from every '[' would rescan a run of
    them (deeply nested arrays) once per bracket; this scans each quoted stretch once."""
    find = hidden.find
    bracket = find("[")
    while bracket >= 0:
        quote = find('"', bracket)
        if quote < 0:
            return False
        if hidden.startswith('":"', quote):
            return True
        bracket = find("[", quote)
    return False


def _value_at(hidden, start):
    """The decoded value that starts at ``start`` of ``hidden`` (a text or its bytes)."""
    if type(hidden) is bytes:
        end = hidden.find(b'"', start)
        while hidden[end - 1] == 92:        # an escaped quote
            end = hidden.find(b'"', end + 1)
        value = hidden[start:end].decode("utf-8", "surrogateescape")
    else:
        end = hidden.find('"', start)
        while hidden[end - 1] == "\\":
            end = hidden.find('"', end + 1)
        value = hidden[start:end]
    if "\\" in value or "\0" in value:
        value = _unescaped(value.replace("\0", "\\")).replace("\0", '"')
    return value


def _lookup_keys(name):
    """The search keys of an ordinary name (see ``_keys``), else None."""
    if _ORDINARY_NAME.fullmatch(name) is None:
        return None
    if len(_keys) >= 256:
        _keys.clear()
    lname = name.lower()
    keys = _keys[name] = ('"' + name + '":"', '"' + lname + '":"',
                          b'"' + lname.encode("ascii") + b'":"')
    return keys


class _CompactJSONEvent(_LazyEvent):
    """A received compact JSON event (see :func:`compact_json_event`): ``source`` is the text,
    ``seen`` the text with every escaped backslash hidden as two NULs, ``ltext`` that
    ASCII-lower-cased (see :func:`_lowered`; made by the first lookup that needs it). ``get``
    reads those; anything else builds the lists from the text."""
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
        """``_Event.get``, answered from the text for ordinary names.

        A name found as ``"name":"`` is a member's name (see :func:`compact_json_event`), and
        the first such match in the ASCII-lower-cased text is the first header of that name.
        """
        if name is None:
            return None
        if idx < 0 and type(name) is str:
            keys = _keys.get(name)
            if keys is None:
                keys = _lookup_keys(name)
            if keys is not None:
                key, lkey, bkey = keys
                if bkey == b'"_body":"':         # not a header: the body
                    return self.body if name == "_body" else None
                hidden = self.seen
                pos = hidden.find(key)          # the name as spelled: no lower-casing
                if pos > 0:                     # the same name in another case before it?
                    before = hidden[:pos]
                    if before.isascii():
                        first = before.lower().find(lkey)
                        if first >= 0:
                            pos = first
                    else:
                        pos = -1
                if pos >= 0:
                    return _value_at(hidden, pos + len(key))
                low = self.ltext
                if low is None:
                    low = self.ltext = _lowered(hidden)
                if type(low) is str:
                    pos = low.find(lkey)
                    return None if pos < 0 else _value_at(hidden, pos + len(key))
                if low:                         # (bytes, lower-cased bytes)
                    pos = low[1].find(bkey)
                    return None if pos < 0 else _value_at(low[0], pos + len(bkey))
        self._materialize()
        return _Event.get(self, name, idx)


def _lowered(hidden):
    """``hidden`` ASCII-lower-cased: as text when it is ASCII, else as ``(bytes, lower-cased
    bytes)`` (UTF-8, undecodable bytes restored); ``()`` when the text cannot be encoded
    back to the bytes it was decoded from."""
    if hidden.isascii():
        return hidden.lower()
    raw = hidden.encode("utf-8", "surrogateescape")
    if raw.decode("utf-8", "surrogateescape") != hidden:
        return ()
    return raw, raw.lower()


# Code written for SWIG checks ``type(obj).__name__ == 'SwigPyObject'``.
_CompactJSONEvent.__name__ = _CompactJSONEvent.__qualname__ = "SwigPyObject"
_CompactJSONEvent.__module__ = "builtins"
