"""Percent-encoding of header values, as the ESL client and the FreeSWITCH server do it.

Values travel url-encoded in plain event bodies; names never do. The client and the server
encode the same character set; they differ only in how they treat a ``%`` that already looks
like an escape. Decoding follows the C client's ``sscanf("%2x")`` rules, quirks included.
"""
import re
from codecs import escape_decode as _escape_decode
from typing import Optional
from urllib.parse import quote, unquote_to_bytes

__all__ = ["encode_value", "encode_value_server", "decode_value", "decode_values",
           "decode_joined"]

# Left as is by both C encoders: letters, digits and these. Everything else becomes %XX.
_SAFE = "!$'()*,/"   # quote() already keeps letters, digits and "_.-~"

# The server copies a '%' that starts an uppercase escape, so pre-encoded values survive.
_SERVER_UNSAFE = re.compile(r"%(?![0-9A-F]{2})|[^A-Za-z0-9!$'()*,\-./_~%]+")


def encode_value(value: str) -> str:
    """Encode a header value as the ESL client does for ``serialize()``.

    Bytes above 0x7F are encoded from their UTF-8 form as ``%XX`` (uppercase). The C client
    produces undefined output for them (it indexes its hex table with a negative number);
    this is one of our documented differences.
    """
    return quote(value, safe=_SAFE, errors="surrogateescape")


def encode_value_server(value: str) -> str:
    """Encode a header value as FreeSWITCH's ``switch_url_encode`` does in plain events."""
    return _SERVER_UNSAFE.sub(_quote_match, value)


def _quote_match(match: "re.Match[str]") -> str:
    return quote(match.group(), safe="", errors="surrogateescape")


_WHITESPACE = " \t\n\v\f\r"
_HEX = "0123456789abcdefABCDEF"


def _scan_hex2(text: str, start: int):
    """Emulate C ``sscanf(text + start, "%2x", &v)``: return the int read, or None.

    Leading whitespace is skipped and does not count towards the width of 2; a sign counts.
    """
    i = start
    n = len(text)
    while i < n and text[i] in _WHITESPACE:
        i += 1
    width = 2
    negative = False
    if i < n and text[i] in "+-":
        negative = text[i] == "-"
        i += 1
        width -= 1
    digits = ""
    while width and i < n and text[i] in _HEX:
        digits += text[i]
        i += 1
        width -= 1
    if not digits:
        return None
    value = int(digits, 16)
    return (-value) & 0xFF if negative else value & 0xFF


def decode_value(value: str) -> str:
    """Decode a received header value as the C client (``esl_url_decode``) does.

    A ``%`` with at least two characters after it is replaced by the byte ``sscanf("%2x")``
    reads there, and the two characters are skipped even if only one was a digit. ``+`` stays
    ``+``. A decoded NUL ends the value (C strings). Bytes are then read as UTF-8 with
    ``surrogateescape``, like the SWIG binding's ``char *`` results.
    """
    if "%" not in value:
        return value
    out = _unescape(value) if value.isascii() else None
    if out is not None:
        nul = out.find(b"\0")
        if nul >= 0:
            out = out[:nul]
        return out.decode("utf-8", "surrogateescape")
    raw = value.encode("utf-8", "surrogateescape")
    if _PLAIN_ESCAPES.fullmatch(raw):
        out = unquote_to_bytes(raw)
    else:
        out = _decode_slow(value)
    nul = out.find(b"\0")
    if nul >= 0:
        out = out[:nul]
    return out.decode("utf-8", "surrogateescape")


def decode_values(values):
    """``[decode_value(v) for v in values]`` in one pass over the joined text, or None.

    None when the values need the general rules (non-ASCII text, a ``%`` that does not start
    a ``%XX`` escape, an escape giving a NUL); ``values`` must hold no NUL. Exact because no
    escape can span the NULs that join the values, and a decoded one would change their count.
    """
    if not values:
        return []
    out = decode_joined("\0".join(values), len(values), "\0")
    return None if out is None else out.split("\0")


def decode_joined(joined, count, sep="\n"):
    """``count`` values joined with ``sep`` (a newline or a NUL, which none of them holds),
    decoded and joined the same way; or None when they need the general rules: non-ASCII
    text, a ``%`` that does not start a ``%XX`` escape, an escape giving a NUL or ``sep``."""
    if "%" not in joined:
        return joined
    out = _unescape(joined) if joined.isascii() else None
    if (out is None or out.count(b"\n" if sep == "\n" else b"\0") != count - 1
            or (sep == "\n" and b"\0" in out)):
        return None
    return out.decode("utf-8", "surrogateescape")


def _unescape(text: str) -> Optional[bytes]:
    """The bytes of ASCII ``text`` with its ``%XX`` hex escapes decoded, or None unless every
    ``%`` starts one (the fast path: sscanf quirks cannot arise then).

    The escapes become ``\\xXX`` for the C-speed escape decoder, which gives the byte each one
    names and refuses a ``\\x`` without two hex digits; other backslashes are doubled to stay
    as they are.
    """
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    try:
        return _escape_decode(text.replace("%", "\\x").encode("ascii"))[0]
    except ValueError:
        return None


# Non-ASCII text whose every '%' starts a %XX escape: unquote_to_bytes reads it as C does.
_PLAIN_ESCAPES = re.compile(rb"(?:[^%]|%[0-9A-Fa-f]{2})*")


def _decode_slow(value: str) -> bytes:
    raw = value.encode("utf-8", "surrogateescape")
    text = raw.decode("latin-1")   # one char per byte, so indices match the C loop
    out = bytearray()
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "%" and n - i > 2:
            byte = _scan_hex2(text, i + 1)
            if byte is not None:
                out.append(byte)
                i += 3
                continue
        out.append(ord(ch))
        i += 1
    return bytes(out)
