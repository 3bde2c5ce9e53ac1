"""Client commands as the bytes the C library writes for them. No I/O.

Arguments are ``str`` already checked by the caller; ``None`` means the C NULL pointer. The
C library builds several commands in fixed-size buffers with ``snprintf``, so over-long
arguments are cut at the same byte counts here. Each function returns the complete bytes of
one command as the C library hands it to ``esl_send``; :func:`frame` adds the blank line that
``esl_send`` adds, so the front end can write a command with a single ``sendall`` (the C
library writes that blank line separately; the bytes are the same).
"""
from typing import Optional

__all__ = [
    "frame", "auth", "api", "bgapi", "sendevent", "sendmsg", "filter", "events", "execute",
    "connect", "is_true", "atoi",
]


def _c(text: Optional[str]) -> bytes:
    """A Python str as the C side sees it: UTF-8, cut at the first NUL; None prints "(null)"."""
    if text is None:
        return b"(null)"
    raw = text.encode("utf-8")
    nul = raw.find(b"\0")
    return raw if nul < 0 else raw[:nul]


def _snprintf(data: bytes, size: int) -> bytes:
    """What ``snprintf(buf, size, ...)`` keeps: at most ``size - 1`` bytes."""
    return data[: size - 1]


def frame(cmd: bytes) -> bytes:
    """``esl_send``: the command, then a blank line unless it already ends with one."""
    return cmd if cmd.endswith(b"\n\n") else cmd + b"\n\n"


def auth(user: Optional[str], password: Optional[str]) -> bytes:
    """``auth <password>`` or, with a non-empty user, ``userauth <user>:<password>``."""
    if user:
        text = b"userauth " + _c(user) + b":" + _c(password) + b"\n\n"
    else:
        text = b"auth " + _c(password) + b"\n\n"
    return _snprintf(text, 256)


def connect() -> bytes:
    """The first command of an outbound (adopted) connection."""
    return b"connect\n\n"


def api(cmd: str, arg: Optional[str]) -> bytes:
    """``api <cmd> <arg>``: the space is always there, even without an argument."""
    return b"api " + _c(cmd) + b" " + (_c(arg) if arg is not None else b"")


def bgapi(cmd: str, arg: Optional[str], job_uuid: Optional[str]) -> bytes:
    """``bgapi <cmd>[ <arg>][\\nJob-UUID: <uuid>]``."""
    text = b"bgapi " + _c(cmd)
    if arg is not None:
        text += b" " + _c(arg)
    if job_uuid is not None:
        text += b"\nJob-UUID: " + _c(job_uuid)
    return text


def sendevent(type_name: str, serialized: str) -> bytes:
    """``sendevent <TYPE>`` followed by the event's unencoded plain serialisation."""
    return b"sendevent " + _c(type_name) + b"\n" + _c(serialized)


def sendmsg(uuid: Optional[str], serialized: str) -> bytes:
    """``sendmsg[ <uuid>]`` followed by the event's unencoded plain serialisation."""
    line = b"sendmsg " + _c(uuid) if uuid is not None else b"sendmsg"
    return line + b"\n" + _c(serialized)


def filter(header: Optional[str], value: Optional[str]) -> bytes:
    """``filter <header> <value>``, built in a 1024-byte buffer."""
    return _snprintf(b"filter " + _c(header) + b" " + _c(value) + b"\n\n", 1024)


def events(etype: str, value: Optional[str]) -> bytes:
    """``event <plain|json|xml> <value>``; the type name is matched case-sensitively."""
    kind = etype if etype in ("xml", "json") else "plain"
    return _snprintf(b"event " + kind.encode() + b" " + _c(value) + b"\n\n", 1024)


def execute(app: Optional[str], arg: Optional[str], uuid: Optional[str],
            event_lock: bool, async_: bool) -> bytes:
    """The ``sendmsg`` block of ``execute()``, with the C library's field buffer sizes."""
    head = _snprintf(b"sendmsg " + _c(uuid), 128) if uuid is not None else b"sendmsg"
    app_line = _snprintf(b"execute-app-name: " + _c(app) + b"\n", 512) if app is not None else b""
    arg_line = _snprintf(b"execute-app-arg: " + _c(arg) + b"\n", 4096) if arg is not None else b""
    return (head + b"\ncall-command: execute\n" + app_line + arg_line
            + (b"event-lock: true\n" if event_lock else b"")
            + (b"async: true\n" if async_ else b"") + b"\n")


_TRUE_WORDS = ("yes", "on", "true", "enabled", "active", "allow")


def is_true(value: str) -> bool:
    """C ``esl_true``: a yes-word (any case) or a non-zero ``atoi``."""
    if value.lower() in _TRUE_WORDS:
        return True
    return atoi(value) != 0


def atoi(text: str) -> int:
    """C ``atoi``: optional blanks and sign, then digits; anything else ends the number."""
    text = text.lstrip(" \t\n\v\f\r")
    sign = 1
    if text[:1] in ("+", "-"):
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    digits = ""
    for ch in text:
        if not "0" <= ch <= "9":
            break
        digits += ch
    return sign * int(digits) if digits else 0
