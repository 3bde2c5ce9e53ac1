"""The api commands that only compute text: ``md5``, ``url_encode``, ``url_decode`` and
``module_exists`` (mod_commands) and ``strftime`` (mod_dptools), answered as FreeSWITCH
answers them, quirks included."""
import hashlib
import time

from ..protocol.commands import atoi
from ..protocol.urlcode import decode_value, encode_value_server
from .core import plain_api

__all__ = ["TEXT_API", "MODULES"]

#: The modules whose behaviour the simulator has (what ``module_exists`` finds).
MODULES = frozenset(["mod_commands", "mod_console", "mod_dialplan_xml", "mod_dptools",
                     "mod_event_socket", "mod_hash", "mod_loopback", "mod_say_en",
                     "mod_sofia", "mod_tone_stream"])

# The conversions switch_strftime lets through; any other one makes it write nothing.
_STRFTIME_OK = set("CDrRTeaAbBcdHIjmMpSUwWxXyYzZ%")


@plain_api
def api_md5(sw, arg):
    """``md5 <data>``: the hex digest of the text (of its UTF-8 bytes), ``!err!`` for none."""
    if not arg:
        return "!err!"
    return hashlib.md5(arg.encode("utf-8", "surrogateescape")).hexdigest()


@plain_api
def api_url_encode(sw, arg):
    """``url_encode <string>``: switch_url_encode, which leaves ``%XX`` escapes as they are."""
    return encode_value_server(arg)


@plain_api
def api_url_decode(sw, arg):
    """``url_decode <string>``: switch_url_decode (``%XX`` only; ``+`` stays ``+``)."""
    return decode_value(arg)


@plain_api
def api_module_exists(sw, arg):
    """``module_exists <module>``: ``true`` or ``false``; nothing for no argument."""
    if not arg:
        return ""
    return "true" if arg in MODULES else "false"


@plain_api
def api_strftime(sw, arg):
    """``strftime [<epoch>|]<format>``, local time; default format ``%Y-%m-%d %T``.

    As mod_dptools reads ``<epoch>|<format>``, the character after the ``|`` is skipped
    (``1700000000|%Y`` formats ``Y``), and a format with a conversion outside
    switch_strftime's list gives empty output.
    """
    when, fmt = time.time(), arg
    if "|" in arg:
        epoch, _, fmt = arg.partition("|")
        when, fmt = float(atoi(epoch)), fmt[1:]
    if not fmt:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when))
    i = fmt.find("%")
    while i >= 0:
        if fmt[i + 1:i + 2] not in _STRFTIME_OK:
            return ""
        i = fmt.find("%", i + 2)
    text = time.strftime(fmt, time.localtime(when))
    return text if len(text.encode("utf-8")) < 80 else ""   # (C's 80-byte buffer)


TEXT_API = {"md5": api_md5, "url_encode": api_url_encode, "url_decode": api_url_decode,
            "module_exists": api_module_exists, "strftime": api_strftime}
