"""Events built from text: received packets (socket data, ``text/event-plain``,
``text/event-json``) and ``ESLevent("json", text)``.

Every function here returns an :class:`~ESL.event_model._Event` equal to what the C library
builds (``esl_recv_event``, ``esl_event_create_json``), with fast paths for the ordinary
texts FreeSWITCH sends: such an event stays in a cheaper form (:class:`_LazyEvent`: the
text, the JSON lists, a shared header block) until something needs the header lists. Each fast
path has a guard that sends every text it cannot handle exactly to the general path;
tests/test_event_fastpath.py compares the two.

May import :mod:`ESL.cstring`, :mod:`ESL.event_names`, :mod:`ESL.event_model` and the no-I/O
modules of :mod:`ESL.protocol` (header splitting, URL decoding, cJSON); not :mod:`ESL.event`.
"""
import re

from .cstring import _lower, _lower_all
from .event_model import BOTTOM, PUSH, _Event, _find_in, _first_index
from .event_names import CUSTOM, SOCKET_DATA, name_event
from .protocol.cjson import _JObject, parse_json
from .protocol.headers import cut_nul, split_inner, split_outer
from .protocol.urlcode import decode_joined, decode_value

_new = object.__new__


# --------------------------------------------------------------------------------------------
# JSON events (C esl_event_create_json)

def _printf_body(fmt):
    """The JSON ``_body`` value used as a printf format with the arguments ``("%s", "")``.

    ``%%`` -> ``%``; the first ``%s`` -> ``%s``; the second ``%s`` -> nothing.
    Difference: any other ``%`` sequence (undefined behaviour in C) is copied literally.
    """
    if "%" not in fmt:
        return fmt
    args = ["%s", ""]
    return re.sub(r"%[%s]", lambda m: "%" if m.group() == "%%" else (args.pop(0) if args
                                                                      else m.group()), fmt)


def _event_from_json(text):
    """C ``esl_event_create_json``: an _Event, or None if the text does not parse."""
    ev = _compact_json_event(text)
    return _json_event_general(text) if ev is None else ev


def _json_event_general(text):
    """``_event_from_json`` for any text: parse, then apply the add rules."""
    root = parse_json(text)
    if root is None:
        return None
    if type(root) is not _JObject:
        return _Event()     # created as CLONE: no headers, type CUSTOM
    if root:
        # The common case at once: string members that need no add rule.
        names, values = map(list, zip(*root))
        try:
            every_value = "".join(values)
        except TypeError:   # a value that is not a str
            pass
        else:
            joined = "\n".join(names)
            if ("[" not in joined and all(values) and "ARRAY::" not in every_value
                    and joined.count("\n") == len(names) - 1):
                ev = _json_event(names, values, joined)
                if ev is not None:
                    return ev
    return _json_members(root)


def _json_members(root):
    """The event of a parsed JSON object, member by member with the C add rules."""
    ev = _Event()
    append = ev._append
    for name, value in root:
        if type(value) is str:
            size = len(name)
            lname = _lower(name) if size == 5 or size == 10 else None
            if lname == "_body":
                ev.body = _printf_body(value)
                continue
            if lname == "event-name":
                ev.delete("event-name")
                etype = name_event(value)
                if etype is not None:
                    ev.etype = etype
            if value and "[" not in name and "ARRAY::" not in value:
                append(name, value)         # what the add rules come to in this case
            else:
                ev.add(BOTTOM, name, value)
        elif type(value) is list:
            for item in value:
                if type(item) is str:
                    ev.add(PUSH, name, item)
    return ev


# --------------------------------------------------------------------------------------------
# Received events

# Received text whose values may change structure once decoded ('[' names, _body, ARRAY::,
# values decoding to empty) takes the exact slow path; this finds every such case (and more).
_RISKY = re.compile(r"\[|_body|ARRAY|%(?:[\s+\-]|41|52|59)|:[ \t]*%0")


def _risky_block(block):
    """``_RISKY.search(block)``, with plain searches when there is no ``%`` (a bgapi reply)."""
    if "%" in block:
        return _RISKY.search(block) is not None
    return "[" in block or "_body" in block or "ARRAY" in block


def _received_header(ev, name, raw, inner):
    value = decode_value(raw)
    if inner and _lower(name) == "event-name":
        ev.delete("event-name")
        etype = name_event(value)
        if etype is not None:
            ev.etype = etype
    if value.startswith("ARRAY::"):
        ev.add_array(name, value)
    else:
        ev.add(BOTTOM, name, value)


def received_header_lines(text, inner):
    """The ``(name, decoded value)`` pairs the C library logs as ``RECV [INNER] HEADER``.

    ``text`` is an outer header block (``inner`` false) or an event-plain body (``inner``
    true); every split line is listed, including empty values and later-deleted headers.
    """
    if inner:
        names, values, _rest, _head = split_inner(text)
        pairs = zip(names, values)
    else:
        pairs = split_outer(text)
    return [(name, decode_value(raw)) for name, raw in pairs]


def handed_out(ev):
    """The event as the C library hands it to Python: every returned event is a copy
    (``esl_event_dup``), which re-applies the add rules; a copy changes nothing unless the
    event has arrays, a ``_body`` header or a subclass, so it is skipped otherwise (and for
    a _TextEvent, which has none of them)."""
    if isinstance(ev, _LazyEvent):
        return ev
    if ev.arrays or ev.subclass is not None or "_body" in ev.names:
        return ev.copy()
    return ev


_ordinary_blocks = {}      # header block -> its _Block, for socket_data_event


class _Block:
    """The split of an ordinary outer header block, shared by every packet that repeats it:
    ``names`` and raw ``values`` (tuples, never changed; ``Event-Name: SOCKET_DATA`` first),
    and what the first lookups make: the lower-cased ``lnames`` and, for a block of more than
    a few headers, the ``index`` (see :func:`_first_index`)."""
    __slots__ = ("names", "values", "lnames", "index")

    def __init__(self, names, values):
        self.names = names
        self.values = values
        self.lnames = self.index = None

    def find(self, name):
        """Index of the first header called ``name`` (any case), or -1."""
        index = self.index
        if index is None:
            lnames = self.lnames
            if lnames is None:
                lnames = self.lnames = _lower_all(self.names)
            lname = name.lower() if name.isascii() else _lower(name)
            if len(lnames) <= _SCAN_HEADERS:
                # A reply of a few headers (bgapi's, say) is looked up once or twice; a
                # scan costs less than building the index.
                return lnames.index(lname) if lname in lnames else -1
            index = self.index = _first_index(self.names, lnames)   # lnames set first
        return _find_in(index, name)


_SCAN_HEADERS = 8


def socket_data_event(header_block, body, pairs=None):
    """The outer packet as an _Event (see ``ESLevent._socket_data``): a :class:`_BlockEvent`
    when the block is ordinary, else the lists built with the C add rules."""
    # Header blocks repeat (api/response of one length, command/reply texts), and whether one
    # is ordinary depends on nothing else: remember the split of short ordinary ones.
    block = _ordinary_blocks.get(header_block)
    if block is None:
        if pairs is None:
            pairs = split_outer(header_block)
        names = values = ()
        if pairs:
            names, values = zip(*pairs)
        if "" not in values and not _risky_block(header_block):
            block = _Block(("Event-Name", *names), ("SOCKET_DATA", *values))
            # The cache stays small, and without bgapi replies (one-offs: their Job-UUID).
            if len(header_block) <= 512 and "Job-UUID" not in header_block:
                if len(_ordinary_blocks) >= 256:
                    _ordinary_blocks.clear()
                _ordinary_blocks[header_block] = block
    if block is not None:
        ev = _new(_BlockEvent)
        ev.etype = SOCKET_DATA
        ev.subclass = ev.cursors = None
        ev.source = block
    else:
        ev = _Event(SOCKET_DATA)
        ev.names.append("Event-Name")
        ev.values.append("SOCKET_DATA")
        for name, raw in pairs:
            _received_header(ev, name, raw, False)
    ev.body = body if body is None or "\0" not in body else cut_nul(body)
    return ev


def plain_event(text):
    """The inner event of a ``text/event-plain`` body as an _Event (a _TextEvent when the
    body is ordinary)."""
    ev = _plain_text_event(text)
    return _plain_event_lists(text) if ev is None else ev


def _plain_event_lists(text):
    """``plain_event`` building the header lists: exact for every text."""
    names, values, rest, head = split_inner(text)
    ev = _Event(CUSTOM)
    joined = "\n".join(names)
    if (head is not None and "" not in values and "[" not in joined and "_body" not in joined
            and not _risky_head(head)):
        lnames = (joined.lower() if joined.isascii() else _lower(joined)).split("\n")
        if lnames.count("event-name") <= 1:
            ev.names, ev.values, ev.lnames, ev.encoded = names, values, lnames, True
            if "event-name" in lnames:
                etype = name_event(decode_value(values[lnames.index("event-name")]))
                if etype is not None:
                    ev.etype = etype
            names = values = ()
    for name, raw in zip(names, values):
        _received_header(ev, name, raw, True)
    if ev.find("content-length") >= 0:
        ev.body = rest
    return ev


# -- text mode: ordinary plain events are kept as their text ---------------------------------

_NOT_COLON_OR_LF = bytes(c for c in range(256) if c not in b":\n")
_UNSURE = object()


def _plain_text_event(source):
    """A :class:`_TextEvent` for an ordinary ``text/event-plain`` body, or None.

    Ordinary: ASCII (``lower()`` is then C's ASCII-only lowering), no NUL, exactly one colon
    on every header line (the C parse then gives one header per line, named by the text before
    that colon, the value after it with leading spaces skipped), no ``[`` in the header text
    (no indexed names), no header named ``_body`` in any case, and ``Event-Name`` and
    ``Content-Length`` at most once each, with plain values (see :func:`_value_at`). Those
    are the only headers the C parse treats specially, so the type and the body are known.
    """
    if not source.isascii() or "\0" in source:
        return None
    skeleton = (source.encode("ascii").translate(None, _NOT_COLON_OR_LF)
                if source.endswith("\n\n") else b"")
    if skeleton and skeleton == b":\n" * (len(skeleton) >> 1) + b"\n":
        # No body: the first blank line is the last line (found without str.find, which is
        # slow on a long text full of newlines).
        head = source
        rest = ""
    else:
        end = source.find("\n\n")
        if end <= 0:
            return None
        head = source[:end + 1]
        skeleton = head.encode("ascii").translate(None, _NOT_COLON_OR_LF)
        if skeleton != b":\n" * (len(skeleton) >> 1):
            return None
        rest = source[end + 2:]
    if "[" in head:
        return None
    ltext = "\n" + head.lower()
    if "\n_body:" in ltext:      # (a few literal searches cost less than one regex pass)
        return None
    find = ltext.find
    ev = _new(_TextEvent)
    ev.etype = CUSTOM
    ev.subclass = ev.body = ev.cursors = None
    ev.source = source
    ev.ltext = ltext
    ev.seen = seen = {}
    pos = find("\nevent-name:")
    if pos >= 0:
        value = _UNSURE if find("\nevent-name:", pos + 1) >= 0 else _value_at(source, pos + 11)
        if value is _UNSURE:
            return None
        seen["event-name"] = seen["Event-Name"] = value   # (as a client usually asks)
        etype = name_event(value)
        if etype is not None:
            ev.etype = etype
    pos = find("\ncontent-length:")
    if pos >= 0:
        if find("\ncontent-length:", pos + 1) >= 0 or _value_at(source, pos + 15) is _UNSURE:
            return None
        ev.body = rest
    return ev


def _value_at(source, start):
    """The value of a header that starts at ``start`` in a _TextEvent's text, as the lists
    would hold it: a decoded str, or ``_UNSURE`` when the value is empty or an ``ARRAY::``
    once decoded (C deletes or splits those). Also ``_UNSURE`` (checked by the callers): a
    repeated name."""
    raw = source[start:source.index("\n", start)]
    if raw[:1] == " ":
        raw = raw.lstrip(" ")
    value = decode_value(raw) if "%" in raw else raw
    if not value or "ARRAY::" in value:
        return _UNSURE
    return value


def _ordinary_lists(source, head_len):
    """``(names, decoded values)`` of a _TextEvent's text in one split, or None.

    The _TextEvent guard leaves exactly one colon on every header line, no ``[`` and no
    ``_body`` or repeated ``Event-Name`` lines. Lists come only when every line is also
    ``name: value`` with exactly one space and a value that decodes (``decode_joined``) to a
    non-empty text without ``ARRAY::``: then the C add rules append every line as it is.
    ``head_len`` is the length of the header text (possibly with its blank line).
    """
    lines = source[:head_len]
    if lines.endswith("\n\n"):
        lines = lines[:-1]
    parts = lines.replace(":", "\n").split("\n")
    names = parts[0:-1:2]
    # The values with the space after their colon: " v0\n v1\n ...".
    spaced = "\n".join(parts[1::2])
    if spaced[:1] != " " or spaced[1:2] == " " or "\n  " in spaced:   # C skips more spaces
        return None
    decoded = decode_joined(spaced, len(names))
    if decoded is None or "ARRAY::" in decoded:
        return None
    values = decoded[1:].split("\n ")
    # A value without its space makes the count come out short.
    if len(values) != len(names) or "" in values:
        return None
    return names, values


def _materializing(slot):
    member = _Event.__dict__[slot]

    def fget(self):
        self._materialize()
        return member.__get__(self)

    def fset(self, value):
        self._materialize()
        member.__set__(self, value)
    return property(fget, fset)


class _LazyEvent(_Event):
    """A received event that keeps a cheaper form until something needs the header lists.

    Subclasses answer ``get`` from that form where it is exact. Anything else (iteration,
    changes, copies, serialising, handing the event out with ``ESLevent.event``) first builds
    the lists (``_materialize``) and turns the object into a plain :class:`_Event` for good.
    """
    __slots__ = ()

    names = _materializing("names")
    values = _materializing("values")
    lnames = _materializing("lnames")
    index = _materializing("index")
    encoded = _materializing("encoded")
    arrays = _materializing("arrays")

    def _become(self, names, values):
        """Turn into a plain _Event holding ``names``/``values`` (nothing looked up yet)."""
        self.__class__ = _Event
        self.names, self.values = names, values
        self.lnames = self.index = None
        self.encoded = self.arrays = False
        self.source = self.ltext = self.seen = None


class _TextEvent(_LazyEvent):
    """A received ordinary ``text/event-plain`` event (see :func:`_plain_text_event`), kept as
    its text.

    ``get`` reads a header from the text (exact, see :func:`_value_at`) and falls back to the
    lists when unsure; the lists are built with :func:`_plain_event_lists`, the exact general
    path. ``source`` is the body text, ``ltext`` ``"\\n"`` + its header text lower-cased,
    ``seen`` the values already looked up (by the name as asked for and lower-cased).
    """
    __slots__ = ()

    def _materialize(self):
        if type(self) is not _TextEvent:
            return      # another thread did it
        lists = _ordinary_lists(self.source, len(self.ltext) - 1)
        if lists is not None:
            self._become(*lists)
            return
        full = handed_out(_plain_event_lists(self.source))
        self._become(full.names, full.values)
        self.etype, self.subclass, self.body = full.etype, full.subclass, full.body
        self.lnames, self.index = full.lnames, full.index
        self.encoded, self.arrays = full.encoded, full.arrays

    def get(self, name, idx=-1):
        """``_Event.get``, answered from the text where that is exact."""
        if name is None:
            return None
        if idx < 0:
            value = self.seen.get(name)     # (keys: names asked for, and lower-cased)
            if value is not None:
                return value
        if idx < 0 and name.isascii() and ":" not in name and "\n" not in name:
            lname = name.lower()
            value = self.seen.get(lname)
            if value is not None:
                self.seen[name] = value
                return value
            key = "\n" + lname + ":"
            ltext = self.ltext
            pos = ltext.find(key)
            if pos < 0:
                return self.body if name == "_body" else None
            if ltext.find(key, pos + len(key)) < 0:         # the name is unique
                value = _value_at(self.source, pos + len(key) - 1)  # (ltext: one more in front)
                if value is not _UNSURE:
                    self.seen[lname] = self.seen[name] = value
                    return value
        self._materialize()
        return _Event.get(self, name, idx)


# -- compact JSON events ------------------------------------------------------------------

def _compact_json_event(text):
    """A :class:`_JSONEvent` for the JSON that FreeSWITCH sends, or None for any other text.

    Accepted: ``{"name":"value","name":"value",...}`` exactly (no white space), then anything
    without a quote; no NUL or raw newline anywhere; any escape but ``\\u`` (cJSON's: ``\\n``
    ``\\r`` ``\\t`` ``\\b`` ``\\f`` stand for control characters, any other character for
    itself), none in a name. Once the escaped quotes are put aside, every quote delimits a
    string, so splitting at the quotes is the cJSON parse; what follows the object is ignored
    by cJSON too. The event is then what ``esl_event_create_json`` builds, provided no value
    is empty or holds ``ARRAY::``, no name has ``[`` and ``Event-Name`` and ``_body`` come at
    most once (checked): every member is appended, but ``_body``, which becomes the body.
    """
    if "\0" in text or "\n" in text:
        return None
    if "\\" not in text:
        return _split_json(text, _RAW)
    if _SEP in text:
        return None
    # Escaped quotes are hidden first, the other escapes decoded value by value later. A quote
    # after an escaped backslash is hidden too, wrongly: that leaves a backslash before the
    # _QUOTE or spoils the structure, and then the whole text is decoded escape by escape.
    first = text.find("\\")          # (a two-character search costs more per character)
    ev = _split_json(text[:first] + text[first:].replace('\\"', _QUOTE), _HIDDEN)
    if ev is _PAIRED or (ev is None and "\\\\" in text):
        text = _unescaped(text)
        ev = None if text is None else _split_json(text, _DECODED)
    return ev


# What _split_json gets: a text without escapes, one with its escaped quotes hidden (the
# other escapes still in it) or one with every escape decoded (escaped quotes hidden).
_RAW, _HIDDEN, _DECODED = 0, 1, 2
_PAIRED = object()      # _split_json's answer when an escaped backslash spoils the hiding
# Placeholders, in texts that contain none: an escaped quote; the separator of the values.
_QUOTE, _SEP = "\0", "\1"
# cJSON's escapes: these letters stand for a control character, 'u' starts a \\uXXXX escape
# (left to the general path), any other character stands for itself.
_ESCAPED = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", '"': _QUOTE}


def _split_json(text, form):
    """The _JSONEvent of ``text`` in ``form``, None, or _PAIRED (see _compact_json_event)."""
    tokens = text.split('"')
    n = len(tokens) >> 2
    if (len(tokens) != 4 * n + 1 or not n or tokens[0] != "{" or tokens[-1][:1] != "}"
            or tokens[2::4].count(":") != n or tokens[4:-1:4].count(",") != n - 1):
        return None
    names = tokens[1::4]
    values = tokens[3::4]
    joined = "\n".join(names)
    if "[" in joined or not all(values):
        return None
    if form:
        if _QUOTE in joined or (form == _HIDDEN and "\\" in joined) or (
                form == _DECODED and joined.count("\n") != n - 1):
            return None
        done = _decode_values(values, form)
        if done is not True:
            return done
    if "ARRAY::" in text:
        return None
    return _json_event(names, values, joined)


def _decode_values(values, form):
    """Decode, in place, the values holding escapes (form _HIDDEN) or hidden quotes.

    Returns True; None for a \\u escape or an ``ARRAY::`` made by escapes; _PAIRED for a
    backslash right before a hidden quote. Only the few values with escapes are visited.
    """
    joined = _SEP.join(values)
    find = joined.find
    backslash, quote = find("\\") if form == _HIDDEN else -1, find(_QUOTE)
    i = counted = 0
    while backslash >= 0 or quote >= 0:
        pos = quote if backslash < 0 or 0 <= quote < backslash else backslash
        i += joined.count(_SEP, counted, pos)
        counted = find(_SEP, pos)
        if counted < 0:
            counted = len(joined)
        value = values[i]
        if form == _HIDDEN and "\\" in value:
            if "\\" + _QUOTE in value:
                return _PAIRED
            if "\\\\" not in value:      # (with one, backslashes must pair off first)
                value = value.replace("\\r\\n", "\r\n")    # an SDP's line ends, at C speed
            if "\\" in value:
                value = _unescaped(value)
                if value is None or "ARRAY::" in value:
                    return None
        values[i] = value.replace(_QUOTE, '"')
        if 0 <= backslash < counted:
            backslash = find("\\", counted)
        if 0 <= quote < counted:
            quote = find(_QUOTE, counted)
    return True


def _unescaped(text):
    """``text`` with every escape decoded as cJSON does (an escaped quote as _QUOTE), or None
    for a \\u escape or a backslash at the very end. Backslashes pair off from the left."""
    parts = text.split("\\")
    out = [parts[0]]
    append = out.append
    escaped = _ESCAPED.get
    rest = iter(parts)
    next(rest)
    for part in rest:
        if part:
            c = part[0]
            if c == "u":
                return None
            append(escaped(c, c))
            append(part[1:])
        else:                       # an escaped backslash: the next part is plain text
            part = next(rest, None)
            if part is None:
                return None
            append("\\")
            append(part)
    return "".join(out)


def _json_event(names, values, joined):
    """The _JSONEvent of the members ``names``/``values`` (lists; ``joined``: the names
    joined with newlines, none in a name) when they need no add rule, or None when
    ``Event-Name`` or ``_body`` repeats."""
    ltext = "\n" + (joined.lower() if joined.isascii() else _lower(joined)) + "\n"
    body = None
    pos = ltext.find("\n_body\n")
    if pos >= 0:
        if ltext.find("\n_body\n", pos + 1) >= 0:
            return None
        i = ltext.count("\n", 0, pos)
        body = _printf_body(values[i])
        del names[i], values[i]
        ltext = ltext[:pos] + ltext[pos + 6:]
    ev = _new(_JSONEvent)
    ev.etype = CUSTOM
    ev.subclass = ev.cursors = ev.seen = None
    ev.body = body
    ev.source = (names, values)
    ev.ltext = ltext
    pos = ltext.find("\nevent-name\n")
    if pos >= 0:
        if ltext.find("\nevent-name\n", pos + 1) >= 0:
            return None
        etype = name_event(values[ltext.count("\n", 0, pos)])
        if etype is not None:
            ev.etype = etype
    return ev


class _JSONEvent(_LazyEvent):
    """A JSON event whose members need no add rule (see :func:`_json_event`): its lists are
    final, kept in ``source`` as ``(names, values)``; ``ltext`` is ``"\\n"`` + every name lower-cased and
    followed by ``"\\n"``, where ``get`` finds a name and counts the newlines before it."""
    __slots__ = ()

    def _materialize(self):
        if type(self) is _JSONEvent:
            self._become(*self.source)

    def get(self, name, idx=-1):
        """``_Event.get``, answered from ``ltext``."""
        if name is None:
            return None
        if idx < 0 and "\n" not in name:
            ltext = self.ltext
            pos = ltext.find("\n" + (name.lower() if name.isascii() else _lower(name)) + "\n")
            if pos < 0:
                return self.body if name == "_body" else None
            return self.source[1][ltext.count("\n", 0, pos)]
        self._materialize()
        return _Event.get(self, name, idx)


class _BlockEvent(_LazyEvent):
    """A received packet whose header block is ordinary (no header the C add rules treat
    specially): ``source`` is the block's :class:`_Block`, possibly shared with other packets
    and never changed; ``get`` reads it."""
    __slots__ = ()

    def _materialize(self):
        if type(self) is _BlockEvent:
            block = self.source
            self._become(list(block.names), list(block.values))
            self.encoded = True
            index = block.index     # read first: a block sets lnames before its index
            lnames = block.lnames
            if lnames is not None:
                self.lnames = list(lnames)
                if index is not None:
                    self.index = dict(index)

    def get(self, name, idx=-1):
        """``_Event.get``, answered from the block."""
        if name is None:
            return None
        if idx < 0:
            block = self.source
            i = block.find(name)
            if i < 0:
                return self.body if name == "_body" else None
            value = block.values[i]
            return decode_value(value) if "%" in value else value
        self._materialize()
        return _Event.get(self, name, idx)


# For a head in split_inner()'s ordinary form (names without '[' are checked apart; a value
# starts right after ": "): the value hazards of _RISKY, found with fast literal searches.
_ESCAPE_HAZARD = re.compile(r"%(?:[\s+\-]|41|52|59)")


def _risky_head(head):
    return "ARRAY" in head or ": %0" in head or _ESCAPE_HAZARD.search(head) is not None


# Code written for SWIG checks ``type(obj).__name__ == 'SwigPyObject'``.
for _cls in (_LazyEvent, _TextEvent, _JSONEvent):
    _cls.__name__ = _cls.__qualname__ = "SwigPyObject"
    _cls.__module__ = "builtins"
