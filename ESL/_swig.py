"""What the SWIG layer adds around the C objects, shared by both proxy classes.

* Argument conversion: the C binding converts each Python argument before the C++ method
  runs; a wrong type raises a TypeError naming the flat wrapper (``ESLconnection_api``,
  ``ESLevent_addHeader``, ...) and the argument's position, ``self`` counting as argument 1.
* The ``SwigPyObject`` handles: :class:`_SwigPyObject` (what Python code can do with a C
  pointer; base of the event handle :class:`~ESL.event_model._Event`) and :class:`_SwigThis`
  (a proxy's ``this``).

The proxies themselves (``ESLevent``, ``ESLconnection``) and their ``thisown`` live with their
classes. Imports only the standard library.
"""
import weakref

INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1


def is_cstr(value) -> bool:
    """True if ``value`` passes SWIG's ``const char *`` check (str encodable to UTF-8, or None)."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_cint(value) -> bool:
    """True if ``value`` passes SWIG's ``int`` check (bool counts; C int range)."""
    return isinstance(value, int) and INT_MIN <= value <= INT_MAX


def cstr_arg(value, wrapper: str, argn: int, allow_none: bool = True):
    """A ``const char *`` argument: the str cut at its first NUL, or None.

    Difference: where the C binding crashes -- NULL for a parameter it dereferences
    (``allow_none=False``), or a lone surrogate on master -- we raise SWIG's TypeError.
    """
    if type(value) is str and value.isascii() and "\0" not in value:
        return value   # the common case, checked cheaply
    if value is None and allow_none:
        return None
    if value is not None and is_cstr(value):
        nul = value.find("\0")
        return str(value) if nul < 0 else value[:nul]
    raise TypeError("in method '%s', argument %d of type 'char const *'" % (wrapper, argn))


def cint_arg(value, wrapper: str, argn: int) -> int:
    """An ``int`` argument: TypeError for other types, OverflowError outside the C int range."""
    if not isinstance(value, int):
        raise TypeError("in method '%s', argument %d of type 'int'" % (wrapper, argn))
    if not INT_MIN <= value <= INT_MAX:
        raise OverflowError("in method '%s', argument %d of type 'int'" % (wrapper, argn))
    return int(value)


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


# --------------------------------------------------------------------------------------------
# The SwigPyObject handles

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


def proxy_this(proxy: str, initialised=None) -> property:
    """A proxy class's ``this``: its :class:`_SwigThis`, made on first use and kept in
    ``vars()``, assignable and deletable. ``initialised(obj)`` false: reading it fails as for
    a missing attribute (a proxy whose ``__init__`` never ran).

    A property rather than a ``__getattr__``, which would cost every attribute lookup on the
    proxy CPython's fast path.
    """
    missing = "'%s' object has no attribute 'this'" % proxy
    ctype = proxy + " *"

    def get(self):
        try:
            return self.__dict__["this"]
        except KeyError:
            pass
        if initialised is not None and not initialised(self):
            raise AttributeError(missing)
        this = self.__dict__["this"] = _SwigThis(self, ctype)
        return this

    def set_(self, value):
        self.__dict__["this"] = value

    def delete(self):
        try:
            del self.__dict__["this"]
        except KeyError:
            raise AttributeError(missing) from None

    return property(get, set_, delete, "The proxy's ``SwigPyObject`` stand-in.")


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
_SwigThis.__name__ = _SwigThis.__qualname__ = "SwigPyObject"
_SwigThis.__module__ = "builtins"
