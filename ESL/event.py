"""``ESLevent``: the public event class, the SWIG proxy around a C event.

An ``ESLevent`` object wraps an event (:class:`~ESL.event_model._Event`: type, subclass,
ordered headers, body, with the C library's header rules), or none at all (a "null event").
Several ``ESLevent`` objects may share one event (``ESLevent(other.event)``), exactly as the
SWIG wrappers share a C pointer. This module holds what the proxy adds: SWIG's argument checks
and overload dispatch, the C++ methods' null-event logging, ``this``/``thisown``, and the
internal constructors the connection uses for received packets.

May import every event module (:mod:`ESL.event_model`, :mod:`ESL.event_parsing`,
:mod:`ESL.event_names`, :mod:`ESL.cstring`), :mod:`ESL._swig`, :mod:`ESL.log` and
:mod:`ESL.protocol`; never :mod:`ESL.connection` (which imports this module).
"""
from . import log
from ._swig import INT_MAX as _INT_MAX, INT_MIN as _INT_MIN, _SwigThis, arity_error, cint_arg
from ._swig import cstr_arg, is_cstr as _is_cstr, proxy_this
from .cstring import _lower
from .event_model import BOTTOM, PUSH, TOP, UNSHIFT, _Cursor, _Event
from .event_names import CLONE, CUSTOM, EVENT_NAMES, MESSAGE, SERVER_DISCONNECTED, name_event
from .event_json import compact_json_event
from .event_parsing import (_LazyEvent, _event_from_json, handed_out, plain_event,
                            socket_data_event)
from .protocol.headers import cut_nul

__all__ = ["ESLevent"]


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

    this = proxy_this("ESLevent", lambda self: hasattr(self, "_ev"))

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
        if type(header_name) is str and idx is _NO_IDX:
            if type(ev) is _Event:
                # The common case of _Event.get, inline: a name as spelled in the event (a
                # walk) holding a decoded plain value. A name found in the index has no NUL.
                index = ev.index
                if index is not None:
                    i = index.get(header_name)
                    if i is not None and header_name.isascii():
                        value = ev.values[i]
                        if type(value) is str and not (ev.encoded and "%" in value):
                            return value
            elif ev is not None and header_name.isascii() and "\0" not in header_name:
                return ev.get(header_name)    # a received event: its own fast lookup
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
        return cls._wrap(inner_event(_PLAIN, body_text))

    @classmethod
    def _from_json(cls, text):
        """The inner event of a ``text/event-json`` body (as handed out), or None if the
        JSON is invalid."""
        ev = inner_event(_JSON, text)
        return None if ev is None else cls._wrap(ev)

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


_PLAIN = "text/event-plain"
_JSON = "text/event-json"


def inner_event(kind, text):
    """The event inside a received body of Content-Type ``kind`` (``text/event-plain`` or
    ``text/event-json``, lower case) as the C library hands it out, not yet wrapped; None
    for invalid JSON."""
    if kind == _PLAIN:
        return handed_out(plain_event(text))
    ev = compact_json_event(text)
    if ev is None:
        ev = _event_from_json(text)
        if ev is not None:
            ev = handed_out(ev)
    return ev


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
