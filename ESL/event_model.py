"""The C event (``esl_event_t``) and its header rules: :class:`_Event`, as the C library has it.

An event is a type (one of the names of :data:`ESL.event_names.EVENT_NAMES`), an optional
subclass name, an ordered list of headers (names compared case-insensitively, duplicates
allowed, a header may hold an array of values) and an optional body (``None`` and ``""``
differ).

The header rules (add, push, unshift, indexed names ``X[3]``, ``ARRAY::`` values, priority) are
those of the C functions ``esl_event_base_add_header`` and friends, quirks included; they are
implemented once, in :meth:`_Event.add`, and used by every path: the API methods, received
events, JSON events and copies. Serialising (plain and JSON) and copying are here too.

Received events are built lazily for speed: header values stay URL-encoded until one is read
(``_Event.encoded``); lower-case names for lookups are computed on the first lookup.

May import :mod:`ESL.cstring`, :mod:`ESL.event_names`, :mod:`ESL._swig` (the handle's SWIG
surface) and the no-I/O codecs of :mod:`ESL.protocol`; nothing that parses packets or wraps
events (:mod:`ESL.event_parsing`, :mod:`ESL.event` build on this module).
"""
import re
import weakref

from ._swig import _SwigPyObject
from .cstring import _cbytes, _clen, _lower, _lower_all
from .event_names import CUSTOM
from .protocol.cjson import _json_str
from .protocol.urlcode import decode_value, encode_value

# Header stack positions of the C library. The flags overlap (UNSHIFT = TOP | PUSH), which is
# why unshift appends to an existing array and why priority (TOP) behaves as it does.
BOTTOM, TOP, PUSH, UNSHIFT = 0, 1, 2, 3


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


# Code written for SWIG checks ``type(obj).__name__ == 'SwigPyObject'``.
_Event.__name__ = _Event.__qualname__ = "SwigPyObject"
_Event.__module__ = "builtins"
