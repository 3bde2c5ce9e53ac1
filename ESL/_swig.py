"""SWIG's argument conversion rules, shared by the proxy classes.

The C binding converts each Python argument before the C++ method runs; a wrong type raises
a TypeError naming the flat wrapper (``ESLconnection_api``, ``ESLevent_addHeader``, ...) and
the argument's position, ``self`` counting as argument 1.
"""

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
