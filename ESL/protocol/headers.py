"""Splitting header blocks into (name, raw value) pairs, exactly as the C ESL client does.

No I/O and no event semantics here (those live in :mod:`ESL.event_parsing`): these functions cut
text into lines the way ``esl_recv_event`` does, so that every odd input splits as in C.

Two block kinds exist:

* the *outer* header block of a received packet (:func:`split_outer`);
* the *inner* text of a ``text/event-plain`` body (:func:`split_inner`).

Values are returned raw (still URL-encoded). Text is cut at its first NUL first, because the
C code works on NUL-terminated strings.
"""
import re

__all__ = ["split_outer", "split_inner"]

# Outer block: name up to the first ':' searched from the line start *across* later lines, then
# spaces and tabs skipped, the value up to the next '\n' (a '\r' stays in the value), then any
# run of '\n' and '\r' skipped. A match failing at some point means no later one can succeed,
# so findall() stops exactly where the C loop stops.
_OUTER_LINE = re.compile(r"([^:]*):[ \t]*([^\n]*)\n[\n\r]*")


def cut_nul(text):
    """Return ``text`` up to its first NUL (the whole text if it has none)."""
    nul = text.find("\0")
    return text if nul < 0 else text[:nul]


def split_outer(block):
    """Split a received header block into a list of ``(name, raw_value)`` tuples.

    ``block`` is the text of the block, normally including its terminating blank line. A line
    without a colon is glued to the following line's name; a final line without ``\\n`` is
    dropped; leading spaces of names are kept.
    """
    if "\0" in block:
        block = cut_nul(block)
    return _OUTER_LINE.findall(block)


def split_inner(text):
    """Split a ``text/event-plain`` body; return ``(names, values, rest, head)``.

    ``names``/``values`` are lists of the header names and raw values in order; ``rest`` is
    the text that becomes the inner event's body if a ``Content-Length`` header was parsed;
    ``head`` is the header text when every line had the ordinary form ``name: value`` (one
    colon, one space), else None. Rules (C ``esl_recv_event``): lines end at ``\\n`` (a final
    line without one is ignored); each line is split at the first ``:`` searched from the line
    start (across lines); only spaces are skipped after the colon; parsing stops after the
    first empty line.
    """
    if "\0" in text:
        text = cut_nul(text)
    end = text.find("\n\n")
    if end > 0:
        head = text[:end + 1]
        # The ordinary form: every line "name: value" with no colon in the name and no second
        # space before the value; then partition(": ") splits exactly as the C loop does.
        if ":  " not in head:
            lines = head.split("\n")
            lines.pop()
            names, seps, values = zip(*[line.partition(": ") for line in lines])
            if "" not in seps and ":" not in "".join(names):
                return list(names), list(values), text[end + 2:], head
    pairs, rest = _split_inner_slow(text)
    return [p[0] for p in pairs], [p[1] for p in pairs], rest, None


def _split_inner_slow(text):
    """The C loop, step by step, for bodies with colon-less or empty lines."""
    pairs = []
    pos = 0
    while True:
        eol = text.find("\n", pos)
        if eol < 0:
            break
        colon = text.find(":", pos)
        if 0 <= colon < eol:
            pairs.append((text[pos:colon], text[colon + 1:eol].lstrip(" ")))
        elif colon > eol:
            # The colon of a later line: C cuts the name at this line's end, takes the value
            # up to the end of the text, and leaves a NUL at the colon, which ends the text
            # for everything that follows.
            pairs.append((text[pos:eol], text[colon + 1:].lstrip(" ")))
            text = text[:colon]
        pos = eol + 1
        if text.startswith("\n", pos):
            pos += 1
            break
    return pairs, text[pos:]
