"""Splitting header blocks into (name, raw value) pairs, exactly as the C ESL client does.

No I/O and no event semantics here (those live in :mod:`ESL.event`): these functions only cut
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

# Inner body, fast form: one header per line with the colon on that line; only spaces skipped.
_INNER_LINE = re.compile(r"([^:\n]*): *([^\n]*)\n")


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
    """Split a ``text/event-plain`` body; return ``(pairs, rest, head)``.

    ``pairs`` is a list of ``(name, raw_value)`` tuples in order; ``rest`` is the text that
    becomes the inner event's body if a ``Content-Length`` header was parsed; ``head`` is the
    text the pairs were cut from when every line was an ordinary ``name: value`` line, else
    None (callers scan it instead of the pairs). Rules (C
    ``esl_recv_event``): lines end at ``\\n`` (a final line without one is ignored); each line
    is split at the first ``:`` searched from the line start (across lines); only spaces are
    skipped after the colon; parsing stops after the first empty line.
    """
    if "\0" in text:
        text = cut_nul(text)
    end = text.find("\n\n")
    if end > 0:
        head = text[:end + 1]
        pairs = _INNER_LINE.findall(head)
        if len(pairs) == head.count("\n"):
            return pairs, text[end + 2:], head
    pairs, rest = _split_inner_slow(text)
    return pairs, rest, None


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
