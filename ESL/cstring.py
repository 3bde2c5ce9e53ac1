"""C string rules on Python text: what ``strcasecmp`` and ``strlen`` see.

The C library compares header and event names with ``strcasecmp`` (ASCII letters only) and
measures text in UTF-8 bytes. These helpers give the same answers on ``str``; the event modules
use them. Imports nothing of this package.
"""

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
