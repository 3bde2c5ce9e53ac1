"""``ESLevent``: the event data model of the ESL client library, as the C library has it.

An event is a type (one of the 93 names of :data:`EVENT_NAMES`), an optional subclass name, an
ordered list of headers (names compared case-insensitively, duplicates allowed, a header may
hold an array of values) and an optional body (``None`` and ``""`` differ). An ``ESLevent``
object wraps such an event, or none at all (a "null event"). Several ``ESLevent`` objects may
share one event (``ESLevent(other.event)``), exactly as the SWIG wrappers share a C pointer.

The header rules (add, push, unshift, indexed names ``X[3]``, ``ARRAY::`` values, priority) are
those of the C functions ``esl_event_base_add_header`` and friends, quirks included; they are
implemented once, in :meth:`_Event.add`, and used by every path: the API methods, received
events, JSON events and copies.

Received events are built lazily for speed: header values stay URL-encoded until one is read
(``_Event.encoded``); lower-case names for lookups are computed on the first lookup.
"""
import re
import weakref
from json import JSONDecoder

from . import log
from ._swig import INT_MAX as _INT_MAX, INT_MIN as _INT_MIN, cint_arg, cstr_arg
from ._swig import is_cstr as _is_cstr
from .protocol.headers import cut_nul, split_inner, split_outer
from .protocol.urlcode import decode_joined, decode_value, encode_value

__all__ = ["ESLevent"]

# Section 10 of the spec: the client's table (FreeSWITCH master). Index = type id.
EVENT_NAMES = (
    "CUSTOM", "CLONE", "CHANNEL_CREATE", "CHANNEL_DESTROY", "CHANNEL_STATE",
    "CHANNEL_CALLSTATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE",
    "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_HOLD", "CHANNEL_UNHOLD",
    "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA",
    "CHANNEL_OUTGOING", "CHANNEL_PARK", "CHANNEL_UNPARK", "CHANNEL_APPLICATION",
    "CHANNEL_ORIGINATE", "CHANNEL_UUID", "API", "LOG", "INBOUND_CHAN", "OUTBOUND_CHAN",
    "STARTUP", "SHUTDOWN", "PUBLISH", "UNPUBLISH", "TALK", "NOTALK", "SESSION_CRASH",
    "MODULE_LOAD", "MODULE_UNLOAD", "DTMF", "MESSAGE", "PRESENCE_IN", "NOTIFY_IN",
    "PRESENCE_OUT", "PRESENCE_PROBE", "MESSAGE_WAITING", "MESSAGE_QUERY", "ROSTER", "CODEC",
    "BACKGROUND_JOB", "DETECTED_SPEECH", "DETECTED_TONE", "PRIVATE_COMMAND", "HEARTBEAT",
    "TRAP", "ADD_SCHEDULE", "DEL_SCHEDULE", "EXE_SCHEDULE", "RE_SCHEDULE", "RELOADXML",
    "NOTIFY", "PHONE_FEATURE", "PHONE_FEATURE_SUBSCRIBE", "SEND_MESSAGE", "RECV_MESSAGE",
    "REQUEST_PARAMS", "CHANNEL_DATA", "GENERAL", "COMMAND", "SESSION_HEARTBEAT",
    "CLIENT_DISCONNECTED", "SERVER_DISCONNECTED", "SEND_INFO", "RECV_INFO",
    "RECV_RTCP_MESSAGE", "SEND_RTCP_MESSAGE", "CALL_SECURE", "NAT", "RECORD_START",
    "RECORD_STOP", "PLAYBACK_START", "PLAYBACK_STOP", "CALL_UPDATE", "FAILURE", "SOCKET_DATA",
    "MEDIA_BUG_START", "MEDIA_BUG_STOP", "CONFERENCE_DATA_QUERY", "CONFERENCE_DATA",
    "CALL_SETUP_REQ", "CALL_SETUP_RESULT", "CALL_DETAIL", "DEVICE_STATE", "TEXT",
    "SHUTDOWN_REQUESTED", "ALL",
)
CUSTOM, CLONE, MESSAGE = 0, 1, 37
SERVER_DISCONNECTED, SOCKET_DATA = 68, 81
_TYPE_IDS = {name.lower(): i for i, name in reversed(list(enumerate(EVENT_NAMES)))}

# Header stack positions of the C library. The flags overlap (UNSHIFT = TOP | PUSH), which is
# why unshift appends to an existing array and why priority (TOP) behaves as it does.
BOTTOM, TOP, PUSH, UNSHIFT = 0, 1, 2, 3


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _lower(text):
    """Lower-case ASCII letters only, as C ``strcasecmp`` compares."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def _lower_all(names):
    """``[_lower(n) for n in names]``, in one pass over the joined text when it is ASCII."""
    joined = "\n".join(names)
    if joined.isascii() and joined.count("\n") == len(names) - 1:
        return joined.lower().split("\n") if names else []
    return [_lower(n) for n in names]


def _cbytes(text):
    return text.encode("utf-8", "surrogateescape")


def _clen(text):
    """C ``strlen`` of the UTF-8 form of ``text``."""
    return len(text) if text.isascii() else len(_cbytes(text))


def name_event(name):
    """Return the type id for ``name`` (C ``esl_name_event``), or None if unknown."""
    try:
        return _named[name]
    except KeyError:
        pass
    etype = _name_event(name)
    if len(name) <= 64:
        if len(_named) >= 512:      # received names are few; others must not pile up
            _named.clear()
        _named[name] = etype
    return etype


_named = {}


def _name_event(name):
    """``name_event`` without the memo.

    A name matches a table entry case-insensitively, or when it is longer than 13 bytes and its
    part after the first 13 bytes matches (meant for the ``SWITCH_EVENT_`` prefix).
    """
    found = _TYPE_IDS.get(_lower(name))
    if len(name) > 13 or _clen(name) > 13:
        tail = _cbytes(name)[13:]
        if tail.isascii():
            alt = _TYPE_IDS.get(tail.decode("ascii").lower())
            if alt is not None and (found is None or alt < found):
                found = alt
    return found


# --------------------------------------------------------------------------------------------
# SWIG argument conversion (spec section 2)

def arity_error(wrapper, given, low, high):
    """The TypeError of SWIG 4's C-level argument-count check (``given`` counts ``self``).

    Only reachable where the 1.4.18 proxy passes ``*args`` on (``setPriority``, the
    constructor); the other methods have Python signatures.
    """
    if given < low:
        how, n = "" if low == high else "at least ", low
    else:
        how, n = "" if low == high else "at most ", high
    return TypeError("%s expected %s%d arguments, got %d" % (wrapper, how, n, given))


def _self_error(wrapper):
    return TypeError("in method '%s', argument 1 of type 'ESLevent *'" % wrapper)


_OVERLOAD_TEXT = (
    "Wrong number or type of arguments for overloaded function 'new_ESLevent'.\n"
    "  Possible C/C++ prototypes are:\n"
    "    ESLevent::ESLevent(char const *,char const *)\n"
    "    ESLevent::ESLevent(esl_event_t *,int)\n"
    "    ESLevent::ESLevent(ESLevent *)\n")


# --------------------------------------------------------------------------------------------
# Logging catalogue (spec 9.3): method -> (line in esl_oop.cpp, verb in the message)

_NULL_LOG = {
    "setPriority": (412, "setPriority"), "getHeader": (424, "getHeader"),
    "addHeader": (436, "addHeader"), "pushHeader": (449, "addHeader"),
    "unshiftHeader": (462, "addHeader"), "delHeader": (475, "delHeader"),
    "addBody": (489, "addBody"), "getBody": (503, "getBody"), "getType": (516, "getType"),
}


def _log_null(method):
    if log.level >= log.ERROR:
        line, verb = _NULL_LOG[method]
        log.emit(log.ERROR, "esl_oop.cpp", line, method,
                 "Trying to %s an event that does not exist!\n" % verb)


# --------------------------------------------------------------------------------------------
# The C event

class _Array(list):
    """The elements of an array header; ``value`` is its scalar value (C ``header->value``).

    ``value`` is normally ``v0`` or ``"ARRAY::v0|:v1|:..."`` but the C library does not always
    redraw it (indexed set of an existing element, priority), so it is stored, not computed.
    """
    __slots__ = ("value",)

    def redraw(self):
        self.value = ("ARRAY::" if len(self) > 1 else "") + "|:".join(self)


class _Cursor:
    """An ``ESLevent`` iteration cursor: the index of the next header node, None past the end."""
    __slots__ = ("ev", "idx", "__weakref__")

    def __init__(self, ev, idx):
        self.ev = ev
        self.idx = idx


def _find_in(index, name):
    """The index (see :func:`_first_index`) of the first header called ``name``, or -1."""
    i = index.get(name)
    if i is None:
        return index.get(name.lower() if name.isascii() else _lower(name), -1)
    return i


def _first_index(names, lnames):
    """``{name: index of its first header}`` for the lower-cased names ``lnames`` and for the
    names as spelled (each to the first index of its lower-cased form): a lookup with a name
    taken from the event (a walk) then needs no lower-casing."""
    # Built backwards, so the first index of a repeated name is the one that stays.
    index = dict(zip(reversed(lnames), range(len(lnames) - 1, -1, -1)))
    index.update(zip(names, map(index.__getitem__, lnames)))
    return index


class _SwigPyObject:
    """What SWIG's ``SwigPyObject`` offers Python code: ``own``/``acquire``/``disown``,
    ``append``/``next``, ``int()`` (the address), no hash. Base of the two handle kinds."""
    __slots__ = ("_own",)
    __module__ = "builtins"
    __hash__ = None

    def own(self, *value):
        """With no argument return the ownership flag (bool); with one, set it and return the
        old flag. Ownership changes nothing here (Python frees the data)."""
        if len(value) > 1:
            raise TypeError("own expected at most 1 argument, got %d" % len(value))
        old = getattr(self, "_own", False)      # an event handle does not own its event
        if value:
            self._own = bool(value[0])
        return old

    def acquire(self):
        """Set the ownership flag. Returns None."""
        self._own = True

    def disown(self):
        """Clear the ownership flag. Returns None."""
        self._own = False

    def append(self, _other):
        """SWIG chains C objects here when ``__init__`` runs twice; nothing to do. None."""

    def next(self):
        """The next chained C object: always None here."""
        return None

    def __int__(self):
        return self._address()

    def _address(self):
        return id(self)


class _Event(_SwigPyObject):
    """The C ``esl_event_t``; ``ESLevent.event`` hands it out as an opaque handle.

    ``names[i]``/``values[i]`` describe header i; a value is a str (plain header) or an
    :class:`_Array`. While ``encoded`` is true, str values containing ``%`` are still in their
    received URL-encoded form and are decoded when read; any change decodes them all first.
    ``lnames`` caches the ASCII-lower-cased names (None until a lookup needs it).
    """
    __slots__ = ("etype", "subclass", "names", "values", "lnames", "index", "body", "encoded",
                 "arrays", "cursors", "source", "ltext", "seen")

    def __init__(self, etype=CUSTOM):
        self.etype = etype
        self.subclass = None
        self.names = []
        self.values = []
        self.lnames = None
        self.index = None       # {lower-cased name: first index}, built on the first lookup
        self.body = None
        self.encoded = False
        self.arrays = False     # an _Array was ever stored (copies then need the slow path)
        self.cursors = None     # weak references to _Cursor, only once someone iterates

    def __repr__(self):
        return "<Swig Object of type 'esl_event_t *' at 0x%x>" % id(self)

    # -- reading -------------------------------------------------------------------------

    def find(self, name):
        """Index of the first header named ``name`` (case-insensitive), or -1."""
        index = self.index
        return _find_in(self._build_index() if index is None else index, name)

    def _build_index(self):
        lnames = self.lnames
        if lnames is None:
            lnames = self.lnames = _lower_all(self.names)
        index = self.index = _first_index(self.names, lnames)
        return index

    def scalar(self, i):
        """The scalar (``getHeader``) value of header ``i``."""
        value = self.values[i]
        if type(value) is _Array:
            return value.value
        if self.encoded and "%" in value:
            return decode_value(value)
        return value

    def get(self, name, idx=-1):
        """C ``esl_event_get_header_idx``: a str or None."""
        index = self.index
        if index is None:
            if name is None:
                return None
            index = self._build_index()
        i = index.get(name)
        if i is None:
            if name is None:
                return None
            i = index.get(name.lower() if name.isascii() else _lower(name), -1)
            if i < 0:
                return self.body if name == "_body" else None
        value = self.values[i]
        if idx > -1:
            if type(value) is _Array and idx < len(value):
                return value[idx]
            return None
        if type(value) is _Array:
            return value.value
        if self.encoded and "%" in value:
            return decode_value(value)
        return value

    # -- changing ------------------------------------------------------------------------

    def _decode_all(self):
        self.values = [decode_value(v) if type(v) is str and "%" in v else v
                       for v in self.values]
        self.encoded = False

    def _append(self, name, value):
        self.names.append(name)
        self.values.append(value)
        if self.lnames is not None:
            lname = _lower(name)
            self.lnames.append(lname)
            index = self.index
            if index is not None:
                first = index.setdefault(lname, len(self.names) - 1)
                index.setdefault(name, first)
        # A cursor past the end stays there (C: hp is NULL), so no cursor moves.

    def _live_cursors(self):
        """The iteration cursors over this event that still exist; forgets the others."""
        refs = self.cursors
        if not refs:
            return ()
        live = []
        for ref in refs:
            cursor = ref()
            if cursor is not None:
                live.append(cursor)
        if len(live) < len(refs):
            self.cursors = list(map(weakref.ref, live))
        return live

    def add_cursor(self, cursor):
        """Register ``cursor`` (weakly) so that inserts and deletes move it."""
        self._live_cursors()
        if self.cursors:
            self.cursors.append(weakref.ref(cursor))
        else:
            self.cursors = [weakref.ref(cursor)]

    def _insert_front(self, name, value):
        self.index = None
        self.names.insert(0, name)
        self.values.insert(0, value)
        if self.lnames is not None:
            self.lnames.insert(0, _lower(name))
        for cursor in self._live_cursors():
            if cursor.idx is not None:
                cursor.idx += 1

    def delete(self, name):
        """Delete every header named ``name`` (case-insensitive). C ``esl_event_del_header``."""
        if self.find(name) < 0:
            return
        target = _lower(name)
        keep = [i for i, n in enumerate(self.lnames) if n != target]
        for cursor in self._live_cursors():
            if cursor.idx is not None:
                # Difference: C keeps a dangling pointer to a deleted current header;
                # the cursor moves on to the next kept one.
                new = sum(1 for i in keep if i < cursor.idx)
                cursor.idx = new if new < len(keep) else None
        self.names = [self.names[i] for i in keep]
        self.values = [self.values[i] for i in keep]
        self.lnames = [self.lnames[i] for i in keep]
        self.index = None

    def add(self, stack, name, data):
        """C ``esl_event_base_add_header`` with a non-None ``data``; quirks included."""
        if self.encoded:
            self._decode_all()
        if name == "_body":
            self.body = data
        indexed = False
        if "[" in name:
            pos = name.index("[")
            index = _atoi(name[pos + 1:])
            name = name[:pos]
            indexed = True
        i = -1          # index of the existing header this call works on
        new = None      # a header created here: [name, value-or-_Array]
        exists = False
        if indexed or stack:
            i = self.find(name)
            if i < 0 and indexed:
                new = _Array()
            if i >= 0 or new is not None:
                if indexed:
                    if not 0 <= index <= 4000:
                        return
                    arr = new if new is not None else self.values[i]
                    if type(arr) is not _Array:
                        # A plain value is dropped: the array starts empty.
                        arr = self.values[i] = _Array()
                        self.arrays = True
                    elif index < len(arr):
                        arr[index] = data       # no redraw: the scalar value keeps its text
                        return
                    arr.extend([""] * (index - len(arr)))
                    arr.append(data)
                    arr.redraw()
                    if new is None:
                        return
                    self.arrays = True
                    self._insert(stack, name, new)
                    return
                exists = True
                stack &= ~TOP           # PUSH/UNSHIFT -> PUSH, TOP -> BOTTOM (overwrite)
        if not exists:
            if not data:
                self.delete(name)
                return
            if "ARRAY::" in data:
                self.add_array(name, data)
                return
        if stack:
            if exists:
                value = self.values[i]
                if type(value) is not _Array:
                    value = self.values[i] = _Array((value,))
            else:
                value = _Array()
            self.arrays = True
            if stack & PUSH:
                value.append(data)
            else:                       # TOP on a new header
                value.insert(0, data)
            value.redraw()
            if not exists:
                self._insert(stack, name, value)
        elif exists:
            value = self.values[i]
            if type(value) is _Array:
                value.value = data      # elements stay, only the scalar changes
            else:
                self.values[i] = data
        else:
            self._append(name, data)

    def _insert(self, stack, name, value):
        if stack & TOP:
            self._insert_front(name, value)
        else:
            self._append(name, value)

    def add_array(self, name, data):
        """C ``esl_event_add_array``: push the ``|:``-separated pieces after byte 7 of ``data``."""
        if data.isascii():
            if len(data) < 8:
                return
            pieces = data[7:].split("|:")
        else:
            raw = _cbytes(data)
            if len(raw) < 8:
                return
            pieces = [p.decode("utf-8", "surrogateescape") for p in raw[7:].split(b"|:")]
        for piece in pieces:
            self.add(PUSH, name, piece)

    # -- copies and output ---------------------------------------------------------------

    def copy(self):
        """C ``esl_event_dup``: re-adds every header, so arrays and ``_body`` re-apply rules."""
        new = _Event(self.etype)
        if self.subclass is None and not self.arrays and "_body" not in self.names:
            # Nothing can change on re-adding: copy the lists as they are.
            new.names = self.names[:]
            new.values = self.values[:]
            if self.lnames is not None:
                new.lnames = self.lnames[:]
            new.encoded = self.encoded
        else:
            if self.encoded:
                self._decode_all()
            if self.subclass is not None:
                new.subclass = self.subclass
                new.add(BOTTOM, "Event-Subclass", self.subclass)
            for name, value in zip(self.names, self.values):
                if self.subclass is not None and name == "Event-Subclass":
                    continue
                if type(value) is _Array:
                    for element in value:
                        new.add(PUSH, name, element)
                else:
                    new.add(BOTTOM, name, value)
        if self.body is not None:
            new.body = self.body
        return new

    def plain(self, encode):
        """C ``esl_event_serialize``: the plain text, URL-encoded or raw."""
        out = []
        encoded = self.encoded
        for i, (name, value) in enumerate(zip(self.names, self.values)):
            if type(value) is _Array:
                text = value.value
            elif encoded and "%" in value:
                text = decode_value(value)
            else:
                text = value
            if encode:
                # Difference: bytes >= 0x80 become proper %XX (the C client prints garbage).
                text = encode_value(text)
                if len(text) >= 1534:
                    text = _cut_encoded(text, self._encode_len(i) - 1)
            elif type(value) is _Array and len(text) >= 1535 // 4:
                limit = self._encode_len(i) - 1
                raw = _cbytes(text)
                if len(raw) > limit:
                    text = raw[:limit].decode("utf-8", "surrogateescape")
            out.append("%s: %s\n" % (name, text or "_undef_"))
        body = self.body
        if body:
            out.append("Content-Length: %d\n\n%s" % (_clen(body), body))
        else:
            out.append("\n")
        return "".join(out)

    def _encode_len(self, upto):
        """Size of C serialize's scratch buffer when header ``upto`` is written."""
        size = 1536
        for value in self.values[:upto + 1]:
            if type(value) is _Array:
                need = sum(3 * _clen(e) + 1 for e in value)
            else:
                if self.encoded and "%" in value:
                    value = decode_value(value)
                need = 3 * _clen(value) + 1
            size = max(size, need)
        return size

    def json(self):
        """C ``esl_event_serialize_json``: cJSON's formatted print."""
        members = []
        for i, name in enumerate(self.names):
            value = self.values[i]
            if type(value) is _Array:
                text = "[" + ", ".join(_json_str(e) for e in value) + "]"
            else:
                text = _json_str(self.scalar(i))
            members.append("\t%s:\t%s" % (_json_str(name), text))
        if self.body is not None:
            members.append('\t"Content-Length":\t"%d"' % _clen(self.body))
            members.append('\t"_body":\t' + _json_str(self.body))
        if not members:
            return "{\n}"
        return "{\n" + ",\n".join(members) + "\n}"


def _cut_encoded(text, limit):
    """Cut URL-encoded ``text`` as ``esl_url_encode`` does in a buffer of ``limit + 1`` bytes."""
    x = 0
    i = 0
    n = len(text)
    while i < n:
        if x >= limit:
            break
        if text[i] == "%":
            if x + 3 >= limit:
                break
            x += 3
            i += 3
        else:
            x += 1
            i += 1
    return text[:i]


_ATOI = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]*)")


def _atoi(text):
    """C ``atoi``: leading whitespace, a sign, digits; 0 if none (wraps like a C int)."""
    digits = _ATOI.match(text).group(1)
    if digits in ("", "+", "-"):
        return 0
    value = int(digits)
    return (value + 2 ** 31) % 2 ** 32 - 2 ** 31


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
                 "\r": "\\r", "\t": "\\t"}
for _code in range(32):
    _JSON_ESCAPES.setdefault(chr(_code), "\\u%04x" % _code)
_JSON_SPECIAL = re.compile(r'["\\\x00-\x1f]')


def _json_str(text):
    """cJSON ``print_string_ptr``: escapes quote, backslash and bytes below 0x20 only."""
    if _JSON_SPECIAL.search(text):
        text = _JSON_SPECIAL.sub(lambda m: _JSON_ESCAPES[m.group()], text)
    return '"' + text + '"'


# --------------------------------------------------------------------------------------------
# JSON events (the cJSON parser of the 1.4.18 C library, esl_json.c; C esl_event_create_json)

class _JObject(list):
    """A parsed JSON object: its (key, value) members in order, duplicates kept."""
    __slots__ = ()


class _JOther:
    """A parsed JSON number, true, false or null (ignored by the event builder)."""
    __slots__ = ()


_JOTHER = _JOther()


def _reject(_text):
    raise ValueError("not accepted by cJSON")


def _json_number(_text):
    return _JOTHER


# The json module agrees with that cJSON on every text it accepts, once these are excluded:
# \u escapes (cJSON reads them with sscanf, drops \u0000 and bad surrogates, joins pairs with a
# bitwise or), NUL characters (the C parser stops there, or reads on past one after a
# backslash), NaN and Infinity. Everything else the json module rejects goes to the parser
# below, which accepts more (bad escapes, unterminated strings, odd numbers, any depth).
_FAST_JSON = JSONDecoder(object_pairs_hook=_JObject, parse_float=_json_number,
                         parse_int=_json_number, parse_constant=_reject, strict=False)


def parse_json(text):
    """Parse ``text`` as the 1.4.18 library's ``cJSON_Parse``; return the root value or None.

    Values come back as str (cut at NUL, as C strings are), list (arrays), :class:`_JObject`
    (objects) or ``_JOTHER`` (numbers, booleans, null; a nested null may also be None). Leading characters up to 0x20 are skipped (a BOM is not);
    garbage after the value is ignored; nesting depth is unlimited.
    """
    if "\\u" not in text and "\0" not in text:
        pos = 0
        while pos < len(text) and text[pos] <= " ":
            pos += 1
        try:
            value, _end = _FAST_JSON.raw_decode(text, pos)
        except (ValueError, RecursionError):
            pass
        else:
            return _JOTHER if value is None else value
    return _CJSONParser(text).parse()


class _CJSONParser:
    """The 1.4.18 cJSON parser (``parse_value`` and friends), iterative, quirks included.

    It works, as the C code does, on bytes: the text's UTF-8 form, then a NUL. An embedded
    NUL ends tokens like the final one, but an escape can step over it and read on (as the C
    code does).
    Difference: an escape at the very end makes the C code read past the final NUL
    (undefined); here that memory reads as NULs, which is what the reference shows in
    practice. Where the C code writes past its string buffer (an escape stepping over the
    closing quote) the reference may corrupt its heap; here the text simply goes on.
    """

    _NUMBER = re.compile(rb"-?0?(?:[1-9][0-9]*)?(?:\.[0-9]+)?(?:[eE][+-]?[0-9]*)?")
    _PLAIN = re.compile(rb'[^"\\\0]+')
    _HEX = re.compile(rb"([+-]?)(0[xX])?([0-9a-fA-F]*)")
    _ESCAPES = {ord("b"): 8, ord("f"): 12, ord("n"): 10, ord("r"): 13, ord("t"): 9}
    _SPACE = frozenset(b" \t\n\v\f\r")

    def __init__(self, text):
        # An escape can step at most 11 bytes past the final NUL.
        self.s = text.encode("utf-8", "surrogateescape") + b"\0" * 16

    def skip(self, pos):
        """C ``skip``: step over bytes 0x01..0x20."""
        s = self.s
        while 0 < s[pos] <= 32:
            pos += 1
        return pos

    def parse(self):
        """Return the root value, or None on a parse error."""
        return self._parse(self.skip(0))

    def _parse(self, pos):
        s = self.s
        stack = []          # [container, kind, key]
        while True:
            # A value starts at pos.
            ch = s[pos]
            if s.startswith(b"null", pos) or s.startswith(b"true", pos):
                value, pos = _JOTHER, pos + 4
            elif s.startswith(b"false", pos):
                value, pos = _JOTHER, pos + 5
            elif ch == 0x22:                    # '"'
                value, pos = self.string(pos)
            elif ch == 0x2D or 0x30 <= ch <= 0x39:  # '-', digits
                value, pos = _JOTHER, self._NUMBER.match(s, pos).end()
            elif ch == 0x5B or ch == 0x7B:      # '[', '{'
                pos = self.skip(pos + 1)
                if s[pos] == ch + 2:            # ']' or '}'
                    value = [] if ch == 0x5B else _JObject()
                    pos += 1
                else:
                    if ch == 0x5B:
                        stack.append([[], ch, None])
                    else:
                        frame = [_JObject(), ch, None]
                        pos = self.member_key(pos, frame)
                        if pos is None:
                            return None
                        stack.append(frame)
                    continue
            else:
                return None
            # A value ended: attach it to its container, then expect ',' or the closing char.
            while True:
                if not stack:
                    return value
                frame = stack[-1]
                container, kind, key = frame
                container.append(value if kind == 0x5B else (key, value))
                pos = self.skip(pos)
                if s[pos] == 0x2C:              # ','
                    pos = self.skip(pos + 1)
                    if kind == 0x7B:
                        pos = self.member_key(pos, frame)
                        if pos is None:
                            return None
                    break
                if s[pos] != kind + 2:
                    return None
                pos += 1
                stack.pop()
                value = container

    def member_key(self, pos, frame):
        """Parse ``"key" :`` at pos into frame; return the position of the value or None."""
        if self.s[pos] != 0x22:
            return None
        frame[2], pos = self.string(pos)
        pos = self.skip(pos)
        if self.s[pos] != 0x3A:                 # ':'
            return None
        return self.skip(pos + 1)

    def string(self, pos):
        """C ``parse_string`` at the opening quote: (str, position after it).

        Never fails: an unterminated string ends at a NUL; an unknown escape gives the
        escaped byte; ``\\u`` follows :meth:`unicode`. The result is cut at a NUL.
        """
        s = self.s
        plain = self._PLAIN.match
        out = bytearray()
        i = pos + 1
        while True:
            m = plain(s, i)
            if m is not None:
                out += m.group()
                i = m.end()
            ch = s[i]
            if ch == 0x22:
                i += 1
                break
            if ch == 0:
                break
            i += 1                      # the backslash
            esc = s[i]
            if esc == 0x75:             # 'u'
                i = self.unicode(i, out)
            else:
                out.append(self._ESCAPES.get(esc, esc))    # "\q" -> "q"; "\" NUL -> NUL
            i += 1
        nul = out.find(0)
        if nul >= 0:
            del out[nul:]
        return out.decode("utf-8", "surrogateescape"), i

    def unicode(self, i, out):
        """A ``\\u`` escape with ``i`` at the ``u``; return the C pointer's position after it.

        The pointer moves 4 bytes past the ``u`` whatever sscanf read; 0 and lone or
        unpaired surrogates give nothing; a pair is joined as ``0x10000 | hi << 10 | lo``
        (10 bits each), which is wrong above U+1FFFF but what the library does.
        """
        s = self.s
        uc = self.hex4(i + 1)
        if uc is None:
            return i
        i += 4
        if uc == 0 or 0xDC00 <= uc <= 0xDFFF:
            return i
        if 0xD800 <= uc <= 0xDBFF:
            if s[i + 1] != 0x5C or s[i + 2] != 0x75:     # '\', 'u'
                return i
            low = self.hex4(i + 3)
            if low is None:
                return i
            i += 6
            if not 0xDC00 <= low <= 0xDFFF:
                return i
            uc = 0x10000 | ((uc & 0x3FF) << 10) | (low & 0x3FF)
        if uc < 0x110000:
            out += chr(uc).encode("utf-8")
        else:
            # Only a negative sscanf result gets here: the C code writes 4 bytes, not UTF-8.
            out += bytes((((uc >> 18) | 0xF0) & 0xFF, 0x80 | (uc >> 12) & 0x3F,
                          0x80 | (uc >> 6) & 0x3F, 0x80 | uc & 0x3F))
        return i

    def hex4(self, pos):
        """C ``sscanf(p, "%4x", &uc)``: the unsigned value, or None if nothing matched.

        Leading white space is skipped; then at most 4 bytes: a sign, a ``0x`` prefix, hex
        digits (``"0x"`` alone reads as 0; ``-`` negates modulo 2**32).
        """
        s = self.s
        while s[pos] in self._SPACE:
            pos += 1
        sign, prefix, digits = self._HEX.match(s, pos, pos + 4).groups()
        if not digits:
            return 0 if prefix else None
        value = int(digits, 16)
        return (-value) & 0xFFFFFFFF if sign == b"-" else value


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
    """``_event_from_json`` for any text: parse, then apply the add rules member by member."""
    root = parse_json(text)
    if root is None:
        return None
    ev = _Event()           # created as CLONE: no headers, type CUSTOM
    if type(root) is not _JObject:
        return ev
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
        if "" not in values and not _RISKY.search(header_block):
            block = _Block(("Event-Name", *names), ("SOCKET_DATA", *values))
            if len(header_block) <= 512:        # the cache stays small
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
_TEXT_SPECIAL = re.compile(r"\n(?:_body|content-length|event-name):")
_UNSURE = object()


def _plain_text_event(source):
    """A :class:`_TextEvent` for an ordinary ``text/event-plain`` body, or None.

    Ordinary: ASCII (``lower()`` is then C's ASCII-only lowering), no NUL, exactly one colon
    on every header line (the C parse then gives one header per line, named by the text before
    that colon, the value after it with leading spaces skipped), no ``[`` in the header text
    (no indexed names), no header named ``_body`` in any case, and ``Event-Name`` and
    ``Content-Length`` at most once each, with plain values (see :func:`_text_value`). Those
    are the only headers the C parse treats specially, so the type and the body are known.
    """
    if not source.isascii() or "\0" in source:
        return None
    raw = source.encode("ascii")
    skeleton = raw.translate(None, _NOT_COLON_OR_LF) if source.endswith("\n\n") else b""
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
        skeleton = raw[:end + 1].translate(None, _NOT_COLON_OR_LF)
        if skeleton != b":\n" * (len(skeleton) >> 1):
            return None
        rest = source[end + 2:]
    if "[" in head:
        return None
    ltext = "\n" + head.lower()
    specials = _TEXT_SPECIAL.findall(ltext)
    ev = _new(_TextEvent)
    ev.etype = CUSTOM
    ev.subclass = ev.body = ev.cursors = None
    ev.source = source
    ev.ltext = ltext
    ev.seen = seen = {}
    if specials:
        if "\n_body:" in specials or len(specials) != len(set(specials)):
            return None
        if "\nevent-name:" in specials:
            value = _text_value(source, ltext, "\nevent-name:", True)
            if value is _UNSURE:
                return None
            seen["event-name"] = value
            etype = name_event(value)
            if etype is not None:
                ev.etype = etype
        if "\ncontent-length:" in specials:
            if _text_value(source, ltext, "\ncontent-length:", True) is _UNSURE:
                return None
            ev.body = rest
    return ev


def _text_value(source, ltext, key, unique=False):
    """The value of the header found with ``key`` (``"\\n" + lower-cased name + ":"``) in a
    _TextEvent's text, as the lists would hold it: a decoded str, None if no line has that
    name, or ``_UNSURE`` when the C rules could make it differ: the name is repeated (not
    checked when ``unique``), or the value is empty or an ``ARRAY::`` once decoded (C deletes
    or splits those)."""
    pos = ltext.find(key)
    if pos < 0:
        return None
    start = pos + len(key) - 1          # ltext has one character more in front
    end = source.index("\n", start)
    if not unique and ltext.find(key, end + 1) >= 0:
        return _UNSURE
    raw = source[start:end]
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

    ``get`` reads a header from the text (exact, see :func:`_text_value`) and falls back to the
    lists when unsure; the lists are built with :func:`_plain_event_lists`, the exact general
    path. ``source`` is the body text, ``ltext`` ``"\\n"`` + its header text lower-cased,
    ``seen`` the values already looked up.
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
        if idx < 0 and name.isascii() and ":" not in name and "\n" not in name:
            lname = name.lower()
            value = self.seen.get(lname)
            if value is not None:
                return value
            value = _text_value(self.source, self.ltext, "\n" + lname + ":")
            if value is None:
                return self.body if name == "_body" else None
            if value is not _UNSURE:
                self.seen[lname] = value
                return value
        self._materialize()
        return _Event.get(self, name, idx)


# -- compact JSON events ------------------------------------------------------------------

def _compact_json_event(text):
    """A :class:`_JSONEvent` for the JSON that FreeSWITCH sends, or None for any other text.

    Accepted: ``{"name":"value","name":"value",...}`` exactly (no white space), then anything
    without a quote, with no backslash, NUL, newline or ``[`` anywhere. Without a backslash
    every quote delimits a string and a string's value is its raw text, so splitting at the
    quotes is the cJSON parse; what follows the object is ignored by cJSON too. The event is
    then what ``esl_event_create_json`` builds, provided no value is empty or holds
    ``ARRAY::`` and no name is ``_body`` or repeats ``Event-Name`` (checked; the ``[`` test
    excludes indexed names): every member is simply appended.
    """
    if "\\" in text or "\0" in text or "\n" in text or "[" in text:
        return None
    tokens = text.split('"')
    n = len(tokens) >> 2
    if (len(tokens) != 4 * n + 1 or not n or tokens[0] != "{" or tokens[-1][:1] != "}"
            or tokens[2::4].count(":") != n or tokens[4:-1:4].count(",") != n - 1):
        return None
    values = tokens[3::4]
    if "" in values or "ARRAY::" in text:
        return None
    names = tokens[1::4]
    joined = "\n".join(names)
    ltext = "\n" + (joined.lower() if joined.isascii() else _lower(joined)) + "\n"
    if "\n_body\n" in ltext:
        return None
    ev = _new(_JSONEvent)
    ev.etype = CUSTOM
    ev.subclass = ev.body = ev.cursors = ev.seen = None
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
    """A compact JSON event (see :func:`_compact_json_event`): its lists are final, kept in
    ``source`` as ``(names, values)``; ``ltext`` is ``"\\n"`` + every name lower-cased and
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


# --------------------------------------------------------------------------------------------
# The SWIG proxy

class _SwigThis(_SwigPyObject):
    """Stands in for the ``SwigPyObject`` in ``obj.this``: the address (here the owner's
    ``id``) stays valid for its repr and ``int()`` after the owner is gone."""
    __slots__ = ("_owner", "_type", "_addr")

    def __init__(self, owner, ctype):
        self._owner = weakref.ref(owner)
        self._type = ctype
        self._own = True
        self._addr = id(owner)

    def __repr__(self):
        return "<Swig Object of type '%s' at 0x%x>" % (self._type, self._addr)

    def _address(self):
        return self._addr


# Code written for SWIG checks ``type(obj).__name__ == 'SwigPyObject'``.
_Event.__name__ = _Event.__qualname__ = "SwigPyObject"
_SwigThis.__name__ = _SwigThis.__qualname__ = "SwigPyObject"
_Event.__module__ = _SwigThis.__module__ = "builtins"
for _cls in (_LazyEvent, _TextEvent, _JSONEvent):
    _cls.__name__ = _cls.__qualname__ = "SwigPyObject"
    _cls.__module__ = "builtins"

_new = object.__new__

_NO_IDX = -1       # getHeader's default, compared by identity on its fast path
# The 1.4.18 proxy's _swig_getattr message (always the base class name).
_NO_ATTRIBUTE = "'ESLevent' object has no attribute '%s'"


class ESLevent:
    """An ESL event (a wrapper around a C ``esl_event_t``, or a null event).

    Constructors (first match wins):

    * ``ESLevent(handle, own=0)`` -- wrap ``handle`` (another object's ``.event``, or None)
      without copying; ``own`` becomes ``mine``.
    * ``ESLevent(other)`` -- take over ``other``'s event; ``other`` becomes a null event.
    * ``ESLevent(type, subclass=None)`` -- a new event of that type name (unknown -> MESSAGE);
      ``ESLevent("json", text)`` builds the event from JSON text (null event if invalid).

    Anything else raises TypeError with SWIG's "Wrong number or type of arguments for
    overloaded function 'new_ESLevent'" text, as the 1.4.18 binding does. Methods take the
    1.4.18 proxy's parameter names, so keyword arguments work
    (``e.getHeader(header_name="X", idx=0)``).
    """
    __module__ = "ESL"
    __slots__ = ("_ev", "_mine", "_ser", "_cur", "__dict__", "__weakref__")

    def __init__(self, *args):
        ev, mine = _construct(args)
        try:
            self._ev
        except AttributeError:
            self._ev = ev
            self._mine = mine
            self._ser = None
            self._cur = None
        # else: SWIG appends the new C object to ``this`` and keeps using the first one.

    __del__ = lambda self: None     # as in the SWIG proxy

    def __getattr__(self, name):
        if name == "this":
            if "this" not in self.__dict__:
                try:
                    self._ev
                except AttributeError:
                    raise AttributeError(_NO_ATTRIBUTE % name) from None
                self.__dict__["this"] = _SwigThis(self, "ESLevent *")
            return self.__dict__["this"]
        raise AttributeError(_NO_ATTRIBUTE % name)

    def __repr__(self):
        try:
            strthis = "proxy of " + repr(self.this)
        except Exception:
            strthis = ""
        return "<%s.%s; %s >" % (self.__class__.__module__, self.__class__.__name__, strthis)

    # -- attributes --------------------------------------------------------------------

    @property
    def event(self):
        """The opaque handle of the wrapped event (shareable via ``ESLevent(handle)``), or None."""
        ev = self._ev
        if isinstance(ev, _LazyEvent):
            ev._materialize()     # handles are always plain _Event objects
        return ev

    @event.setter
    def event(self, handle):
        if handle is not None and type(handle) is not _Event:
            raise TypeError("in method 'ESLevent_event_set', argument 2 of type 'esl_event_t *'")
        self._ev = handle

    @property
    def serialized_string(self):
        """The last ``serialize()`` result (str), or None."""
        return self._ser

    @serialized_string.setter
    def serialized_string(self, value):
        if value is not None and not _is_cstr(value):
            raise TypeError("in method 'ESLevent_serialized_string_set', "
                            "argument 2 of type 'char *'")
        self._ser = cut_nul(value) if value else value

    @property
    def mine(self):
        """1 if this object would free its event in C, else 0 (int)."""
        return self._mine

    @mine.setter
    def mine(self, value):
        self._mine = cint_arg(value, "ESLevent_mine_set", 2)

    @property
    def thisown(self):
        """SWIG's ownership flag of this proxy (bool)."""
        return self.this.own()

    @thisown.setter
    def thisown(self, value):
        self.this.own(value)

    # The proxy keeps these in no __dict__: deleting one fails as for a missing attribute.
    def _no_delete(name):
        def deleter(self):
            raise AttributeError(_NO_ATTRIBUTE % name)
        return deleter

    event = event.deleter(_no_delete("event"))
    serialized_string = serialized_string.deleter(_no_delete("serialized_string"))
    mine = mine.deleter(_no_delete("mine"))
    thisown = thisown.deleter(_no_delete("thisown"))
    del _no_delete

    # -- methods -----------------------------------------------------------------------

    def serialize(self, format=None):
        """Return the event as text: plain (URL-encoded values) or, for ``"json"`` (any case),
        cJSON's pretty print. Also stored in ``serialized_string``. Null event -> ``''``."""
        try:
            ev = self._ev
        except AttributeError:
            raise _self_error("ESLevent_serialize") from None
        format = cstr_arg(format, "ESLevent_serialize", 2)
        self._ser = None
        if ev is None:
            return ""
        if format is not None and _lower(format) == "json":
            text = ev.json()
        else:
            text = ev.plain(True)
        self._ser = text
        return text

    def setPriority(self, *args):
        """Set the ``priority`` header to ``NORMAL`` (inserted at the front if missing).

        Returns True; False on a null event. Any argument raises (the enum is not wrapped).
        """
        if len(args) > 1:
            raise arity_error("ESLevent_setPriority", len(args) + 1, 1, 2)
        try:
            ev = self._ev
        except AttributeError:
            raise _self_error("ESLevent_setPriority") from None
        if args:
            if args[0] is None:
                raise ValueError("invalid null reference in method 'ESLevent_setPriority', "
                                 "argument 2 of type 'esl_priority_t'")
            raise TypeError("in method 'ESLevent_setPriority', argument 2 of type "
                            "'esl_priority_t'")
        if ev is None:
            _log_null("setPriority")
            return False
        ev.add(TOP, "priority", "NORMAL")
        return True

    def getHeader(self, header_name, idx=-1):
        """Return the value of the first header named ``header_name`` (case-insensitive).

        With ``idx >= 0`` return element ``idx`` of an array header (None for a plain header
        or an index out of range). ``"_body"`` gives the body if no header has that name.
        Returns None if there is no such header, if ``header_name`` is None, or if there is
        no event.
        """
        try:
            ev = self._ev
        except AttributeError:
            raise _self_error("ESLevent_getHeader") from None
        if type(header_name) is str and idx is _NO_IDX and type(ev) is _Event:
            # The common case of _Event.get, inline: a name as spelled in the event (a walk)
            # holding a decoded plain value. A name found in the index has no NUL.
            index = ev.index
            if index is not None:
                i = index.get(header_name)
                if i is not None and header_name.isascii():
                    value = ev.values[i]
                    if type(value) is str and not (ev.encoded and "%" in value):
                        return value
        if type(header_name) is not str or not header_name.isascii() or "\0" in header_name:
            header_name = cstr_arg(header_name, "ESLevent_getHeader", 2)
        if idx != -1 or type(idx) is not int:
            idx = cint_arg(idx, "ESLevent_getHeader", 3)
        if ev is None:
            _log_null("getHeader")
            return None
        return ev.get(header_name, idx)

    def getBody(self):
        """Return the body (str) or None."""
        try:
            ev = self._ev
        except AttributeError:
            raise _self_error("ESLevent_getBody") from None
        if ev is None:
            _log_null("getBody")
            return None
        return ev.body

    def getType(self):
        """Return the type's table name (e.g. ``'CHANNEL_CREATE'``); ``'invalid'`` if no event."""
        try:
            ev = self._ev
        except AttributeError:
            raise _self_error("ESLevent_getType") from None
        if ev is None:
            _log_null("getType")
            return "invalid"
        return EVENT_NAMES[ev.etype]

    def addBody(self, value):
        """Replace the body with ``value`` (None gives ``"(null)"``). Returns True; False if
        there is no event."""
        try:
            ev = self._ev
        except AttributeError:
            raise _self_error("ESLevent_addBody") from None
        value = cstr_arg(value, "ESLevent_addBody", 2)
        if ev is None:
            _log_null("addBody")
            return False
        ev.body = "(null)" if value is None else value     # C printf("%s", NULL)
        return True

    def _add(self, header_name, value, stack, method):
        wrapper = "ESLevent_" + method
        try:
            ev = self._ev
        except AttributeError:
            raise _self_error(wrapper) from None
        name = cstr_arg(header_name, wrapper, 2)
        value = cstr_arg(value, wrapper, 3)
        if ev is None:
            _log_null(method)
            return False
        if value is None:
            return False
        if name is None:
            # Difference: the C library dereferences the NULL name (segfault).
            raise TypeError("in method '%s', argument 2 of type 'char const *'" % wrapper)
        ev.add(stack, name, value)
        return True

    def addHeader(self, header_name, value):
        """Append a header (``""`` deletes, ``ARRAY::`` values and ``name[i]`` make arrays).

        Returns True; False if ``value`` is None or there is no event.
        """
        return ESLevent._add(self, header_name, value, BOTTOM, "addHeader")

    def pushHeader(self, header_name, value):
        """Append ``value`` to the array header ``header_name`` (created at the end if
        missing).

        Returns True; False if ``value`` is None or there is no event.
        """
        return ESLevent._add(self, header_name, value, PUSH, "pushHeader")

    def unshiftHeader(self, header_name, value):
        """As ``pushHeader`` (the value is appended too), but a new header goes to the front.

        Returns True; False if ``value`` is None or there is no event.
        """
        return ESLevent._add(self, header_name, value, UNSHIFT, "unshiftHeader")

    def delHeader(self, header_name):
        """Delete every header named ``header_name`` (case-insensitive). Returns True even if
        none matched; False if there is no event."""
        try:
            ev = self._ev
        except AttributeError:
            raise _self_error("ESLevent_delHeader") from None
        name = cstr_arg(header_name, "ESLevent_delHeader", 2)
        if ev is None:
            _log_null("delHeader")
            return False
        if name is None:
            if not ev.names:
                return True
            # Difference: the C library dereferences the NULL name (segfault).
            raise TypeError("in method 'ESLevent_delHeader', argument 2 of type 'char const *'")
        if ev.encoded:
            ev._decode_all()
        ev.delete(name)
        return True

    def firstHeader(self):
        """Start iterating: return the first header's name, or None if there is none."""
        try:
            ev = self._ev
        except AttributeError:
            raise _self_error("ESLevent_firstHeader") from None
        if ev is not None:
            cursor = self._cur
            if cursor is None or cursor.ev is not ev:
                cursor = self._cur = _Cursor(ev, None)
                ev.add_cursor(cursor)
            cursor.idx = 0 if ev.names else None
        return self.nextHeader()

    def nextHeader(self):
        """Return the next header's name, or None at the end (and afterwards)."""
        try:
            cursor = self._cur
        except AttributeError:
            raise _self_error("ESLevent_nextHeader") from None
        if cursor is None:
            return None
        idx = cursor.idx
        if idx is None:
            return None
        names = cursor.ev.names
        after = idx + 1
        cursor.idx = after if after < len(names) else None
        return names[idx]

    # -- internal API for the connection -------------------------------------------------

    @classmethod
    def _wrap(cls, ev, mine=1):
        """A new owning proxy around the _Event ``ev`` (or a null event for None)."""
        obj = _new(cls)
        obj._ev = ev
        obj._mine = mine
        obj._ser = None
        obj._cur = None
        return obj

    @classmethod
    def _socket_data(cls, header_block, body, pairs=None):
        """The event for a received packet (type SOCKET_DATA, first header
        ``Event-Name: SOCKET_DATA``, then the received headers, URL-decoded, with the C add
        rules), as a copy handed out by the C library. ``header_block`` is the header text up
        to and including its blank line; it is cut at a NUL. ``body`` (cut at NUL) replaces
        the body unless it is None. ``pairs``, when given, is ``split_outer(header_block)``,
        already made by the framing layer. Logs nothing (see ``received_header_lines``)."""
        return cls._wrap(handed_out(socket_data_event(header_block, body, pairs)))

    @classmethod
    def _from_plain(cls, body_text):
        """The inner event of a ``text/event-plain`` body (API.md 5.10.1): type from
        ``Event-Name`` (CUSTOM if missing or unknown), as a copy handed out by the C library.
        Logs nothing."""
        return cls._wrap(handed_out(plain_event(body_text)))

    @classmethod
    def _from_json(cls, text):
        """The inner event of a ``text/event-json`` body (as handed out), or None if the
        JSON is invalid."""
        ev = _event_from_json(text)
        return None if ev is None else cls._wrap(handed_out(ev))

    @classmethod
    def _server_disconnected(cls):
        """A fresh ``ESLevent("server_disconnected")``."""
        ev = _Event(SERVER_DISCONNECTED)
        ev.names.append("Event-Name")
        ev.values.append("SERVER_DISCONNECTED")
        return cls._wrap(ev)

    def _copy(self):
        """A new owning ESLevent holding a copy (C ``esl_event_dup``); None for a null event."""
        ev = self._ev
        return None if ev is None else self._wrap(ev.copy())

    def _serialize_raw(self):
        """Plain serialization without URL-encoding (sendevent/sendmsg, DEBUG lines);
        ``''`` for a null event. Does not touch ``serialized_string``."""
        ev = self._ev
        return "" if ev is None else ev.plain(False)

    def _type_name(self):
        """The canonical type name for ``sendevent`` (CLONE -> CUSTOM); None if null."""
        ev = self._ev
        if ev is None:
            return None
        return "CUSTOM" if ev.etype == CLONE else EVENT_NAMES[ev.etype]

    def _is_null(self):
        """True if this object holds no event."""
        return self._ev is None

    def _header(self, name):
        """``getHeader(name)`` without argument checks or logging; None for a null event."""
        ev = self._ev
        return None if ev is None else ev.get(name)


def _construct(args):
    """SWIG's ``new_ESLevent`` overload dispatch: return ``(event or None, mine)``."""
    n = len(args)
    if n == 1 or n == 2:
        first = args[0]
        # (1) ESLevent(esl_event_t *, int own = 0)
        # Difference: with own true, C frees the event twice (once per owner); here the
        # wrappers simply share it and Python frees it once.
        if first is None or type(first) is _Event:
            if n == 1:
                return first, 0
            own = args[1]
            if isinstance(own, int) and _INT_MIN <= own <= _INT_MAX:
                return first, int(own)
        # (2) ESLevent(ESLevent *): take over
        if n == 1:
            other = first
            if type(other) is _SwigThis and other._type == "ESLevent *":
                other = other._owner()
            if isinstance(other, ESLevent):
                try:
                    ev, mine = other._ev, other._mine
                except AttributeError:
                    pass
                else:
                    other._ev = None
                    other._mine = 0
                    other._ser = None
                    return ev, mine
        # (3) ESLevent(const char *type, const char *subclass = NULL)
        if _is_cstr(first) and (n == 1 or _is_cstr(args[1])):
            type_name = cstr_arg(first, "new_ESLevent", 1)
            subclass = cstr_arg(args[1], "new_ESLevent", 2) if n == 2 else None
            if type_name is None:
                # Difference: the C constructor dereferences the NULL type (segfault).
                raise TypeError("in method 'new_ESLevent', argument 1 of type 'char const *'")
            if subclass and _lower(type_name) == "json":
                # The C parser sees the whole UTF-8 copy: an escape can step over a NUL.
                return _event_from_json(args[1]), 1
            return _create(type_name, subclass), 1
    if n > 2:
        raise TypeError("new_ESLevent expected at most 2 arguments, got %d\n"
                        "Additional information:\n%s" % (n, _OVERLOAD_TEXT))
    raise TypeError(_OVERLOAD_TEXT)


def _create(type_name, subclass):
    """The ``(type, subclass)`` constructor's event for a type other than JSON, or None
    (null event)."""
    etype = name_event(type_name)
    if etype is None:
        etype = MESSAGE
    if subclass and etype != CUSTOM:
        log.emit(log.WARNING, "esl_oop.cpp", 310, "ESLevent",
                 "Changing event type to custom because you specified a subclass name!\n")
        etype = CUSTOM
    if subclass is not None and etype not in (CUSTOM, CLONE):
        log.emit(log.ERROR, "esl_oop.cpp", 315, "ESLevent", "Failed to create event!\n")
        return None
    ev = _Event()
    if etype != CLONE:      # a CLONE event gets no Event-Name and stays type CUSTOM
        ev.etype = etype
        ev.names.append("Event-Name")
        ev.values.append(EVENT_NAMES[etype])
    if subclass is not None:
        ev.subclass = subclass
        ev.add(BOTTOM, "Event-Subclass", subclass)
    return ev
