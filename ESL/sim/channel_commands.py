"""The api commands that act on one live channel (mod_commands' ``uuid_*`` family) and
``hupall``.

Each is a generator ``f(switch, arg)`` returning the output text; they run on the switch loop,
so they see and change channels between two steps of the calls.
"""
import time
from typing import Optional, Tuple

from ..protocol.server import ServerEvent
from .channel import HANGUP_CAUSES, Channel
from .core import plain_api

__all__ = ["CHANNEL_API"]


def _chan_or_err(sw, uid) -> Tuple[Optional[Channel], str]:
    chan = sw.channel(uid)
    if chan is None or chan.hungup:
        return None, "-ERR No such channel!\n"
    return chan, ""


@plain_api
def api_uuid_exists(sw, arg):
    """``true`` while a channel with that uuid exists (until it is destroyed)."""
    return "true" if arg and sw.channel(arg) is not None else "false"


@plain_api
def api_uuid_dump(sw, arg):
    """``uuid_dump <uuid> [txt|plain|json|xml]``: the channel's data as a CHANNEL_DATA event."""
    argv = [w for w in arg.split(" ") if w]
    if not argv:
        return "-USAGE: <uuid> [format]\n"
    chan = sw.channel(argv[0])
    if chan is None:
        return "-ERR No such channel!\n"
    fmt = argv[1].lower() if len(argv) > 1 else "txt"
    ev = sw.new_event("CHANNEL_DATA", ("mod_commands.c", "uuid_dump_function", 6495))
    chan.set_event_data(ev)
    if fmt in ("json", "xml"):
        return ev.serialize(fmt)
    if fmt == "plain":   # switch_event_serialize without url-encoding
        return "".join("%s: %s\n" % (name, "ARRAY::" + "|:".join(value)
                                     if isinstance(value, list) else value)
                       for name, value in ev.headers) + "\n"
    return ev.serialize("plain")


@plain_api
def api_uuid_kill(sw, arg):
    parts = arg.split()
    if not parts:
        return "-USAGE: <uuid> [cause]\n"
    chan, err = _chan_or_err(sw, parts[0])
    if chan is None:
        return "-ERR No such channel!\n"
    chan.hangup(parts[1] if len(parts) > 1 else "NORMAL_CLEARING")
    return "+OK\n"


@plain_api
def api_uuid_getvar(sw, arg):
    parts = arg.split(None, 1)
    if len(parts) < 2:
        return "-USAGE: <uuid> <var>\n"
    chan, err = _chan_or_err(sw, parts[0])
    if chan is None:
        return err
    value = chan.getvar(parts[1].strip())
    return value if value is not None else "_undef_"


@plain_api
def api_uuid_setvar(sw, arg):
    parts = arg.split(None, 2)
    if len(parts) < 2:
        return "-USAGE: <uuid> <var> [value]\n"
    chan, err = _chan_or_err(sw, parts[0])
    if chan is None:
        return err
    chan.setvar(parts[1], parts[2] if len(parts) > 2 else None)
    return "+OK\n"


@plain_api
def api_uuid_answer(sw, arg):
    chan, err = _chan_or_err(sw, arg.split()[0] if arg.split() else "")
    if chan is None:
        return err
    chan.answer()
    return "+OK\n"


@plain_api
def api_uuid_park(sw, arg):
    chan, err = _chan_or_err(sw, arg.split()[0] if arg.split() else "")
    if chan is None:
        return err
    if not chan.parked:
        msg = ServerEvent([("call-command", "execute"), ("execute-app-name", "park")])
        chan.queue_message(msg)
    return "+OK\n"


@plain_api
def api_uuid_bridge(sw, arg):
    parts = arg.split()
    if len(parts) < 2:
        return "-USAGE: <uuid> <other_uuid>\n"
    a, err = _chan_or_err(sw, parts[0])
    if a is None:
        return "-ERR Invalid uuid %s\n" % parts[0]
    b, err = _chan_or_err(sw, parts[1])
    if b is None:
        return "-ERR Invalid uuid %s\n" % parts[1]
    now = time.time()
    for x, y in ((a, b), (b, a)):
        x.times["bridged"] = now
        x.setvar("bridge_uuid", y.uuid)
        x.setvar("signal_bond", y.uuid)
    a.fire("BRIDGE", post=(("Bridge-A-Unique-ID", a.uuid), ("Bridge-B-Unique-ID", b.uuid)))
    return "+OK %s\n" % b.uuid


@plain_api
def api_hupall(sw, arg):
    parts = arg.split()
    cause = parts[0] if parts else "MANAGER_REQUEST"
    var, value = (parts[1], parts[2]) if len(parts) > 2 else (None, None)
    for chan in list(sw.channels.values()):
        if var is None or chan.getvar(var) == value:
            chan.hangup(cause if cause in HANGUP_CAUSES else "MANAGER_REQUEST")
    return "+OK hangup all channels with cause %s\n" % cause


CHANNEL_API = {
    "uuid_exists": api_uuid_exists, "uuid_dump": api_uuid_dump, "uuid_kill": api_uuid_kill,
    "uuid_getvar": api_uuid_getvar, "uuid_setvar": api_uuid_setvar,
    "uuid_answer": api_uuid_answer, "uuid_park": api_uuid_park, "uuid_bridge": api_uuid_bridge,
    "hupall": api_hupall,
}
