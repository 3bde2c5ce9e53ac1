"""JSON as the 1.4.18 C library's cJSON reads and writes it (``esl_json.c``). No I/O.

:func:`parse_json` parses a ``text/event-json`` body (or ``ESLevent("json", text)``) exactly as
``cJSON_Parse`` does, quirks included; :func:`_json_str` prints a string as cJSON's
``print_string_ptr``. Building an event from the parsed value is not done here (see
:mod:`ESL.event_parsing`). Imports only the standard library.
"""
import re

# --------------------------------------------------------------------------------------------
# Printing (cJSON_Print's strings)

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
# Parsing (cJSON_Parse)

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
# Made on first use: a blocking client that never sees JSON never imports the json module.
_fast_json = None


def _json_decoder():
    global _fast_json
    if _fast_json is None:
        from json import JSONDecoder
        _fast_json = JSONDecoder(object_pairs_hook=_JObject, parse_float=_json_number,
                                 parse_int=_json_number, parse_constant=_reject, strict=False)
    return _fast_json


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
            value, _end = (_fast_json or _json_decoder()).raw_decode(text, pos)
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
