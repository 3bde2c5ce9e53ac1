"""The api commands that act on one live channel (mod_commands' ``uuid_*`` family) and
``hupall``.

Each is a generator ``f(switch, arg)`` returning the output text; they run on the switch loop,
so they see and change channels between two steps of the calls.
"""
import time
from typing import Optional, Tuple

from ..protocol.commands import atoi
from ..protocol.server import ServerEvent
from .applications import record_session
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
def api_uuid_send_dtmf(sw, arg):
    """``uuid_send_dtmf <uuid> <digits>[@<ms>][+<digits>[@<ms>]...]``: the digits go out to
    the channel's far end (for a loopback leg, its partner hears them as DTMF)."""
    # Two fields, as switch_separate_string(.., 2) splits: the data is the rest of the line
    # ("12 @500", switchio's form, is digits 1 and 2 of 500 ms).
    uuid, _, data = arg.strip().partition(" ")
    argv = [uuid, data.strip()]
    if not uuid or not argv[1]:
        return "-USAGE: <uuid> <dtmf_data>\n"
    chan = sw.channel(uuid)
    if chan is None:
        return "-ERR Cannot locate session!\n"
    text = argv[1][1:] if argv[1].startswith("~") else argv[1]
    if chan.hungup or len(text) > 99:
        return "-ERR Operation failed\n"
    chan.mark_pre_answered()
    for group in text.split("+"):
        digits, at, ms = group.partition("@")
        duration = 2000   # samples: FreeSWITCH's default DTMF duration
        if at and atoi(ms) > 400 // 8:   # above the minimum duration, in ms at 8 kHz
            duration = atoi(ms) * 8
        chan.send_dtmf(digits, duration)
    return "+OK %s sent DTMF %s.\n" % (argv[0], argv[1])


@plain_api
def api_uuid_broadcast(sw, arg):
    """``uuid_broadcast <uuid> <path>|<app>::<args> [aleg|bleg|both|holdb]``: queue the
    playback (or application) on the channel and/or its bridged partner; ``app!cause`` hangs
    up afterwards."""
    argv = [w for w in arg.split(" ") if w][:4]
    if len(argv) < 2:
        return "-USAGE: <uuid> <path> [aleg|bleg|holdb|both]\n"
    chan = sw.channel(argv[0])
    if chan is None:
        return "-ERR invalid uuid\n"
    # No leg word means the channel itself; "holdb" alone queues nothing (it only marks a
    # broadcast that also plays on the channel), as switch_ivr_broadcast's flags have it.
    legs = argv[2].lower() if len(argv) > 2 else "aleg"
    app, path = "playback", argv[1]
    if "::" in path:
        app, _, path = path.partition("::")
    app, bang, cause = app.partition("!")
    targets = []
    if ("bleg" in legs or "both" in legs) and chan.bridged_to is not None:
        targets.append(chan.bridged_to)
    if "aleg" in legs or "both" in legs:
        targets.append(chan)
    for target in targets:
        target.queue_message(_execute(app, path))
    if bang:
        chan.queue_message(_execute("hangup", cause or "normal_clearing"))
    return "+OK Message sent\n"


def _execute(app: str, arg: str) -> ServerEvent:
    return ServerEvent([("call-command", "execute"), ("execute-app-name", app),
                        ("execute-app-arg", arg), ("event-lock", "true"), ("lead-frames", "5")])


@plain_api
def api_uuid_transfer(sw, arg):
    """``uuid_transfer <uuid> [-bleg|-both] <extension> [<dialplan>] [<context>]``."""
    argv = [w for w in arg.split(" ") if w]
    if len(argv) < 2 or len(argv) > 5:
        return "-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n"
    chan = sw.channel(argv[0])
    if chan is None:
        return "-ERR No such channel!\n"
    rest = argv[1:]
    if rest[0].startswith("-"):
        which, rest = rest[0][1:].lower(), rest[1:]
        partner = chan.bridged_to
        if which == "bleg" and partner is not None:
            chan = partner
        elif which == "both" and partner is not None and rest:
            partner.transfer(rest[0], rest[1] if len(rest) > 1 else "XML",
                             rest[2] if len(rest) > 2 else None)
    if not rest or chan.hungup:
        return "-ERR\n"
    chan.transfer(rest[0], rest[1] if len(rest) > 1 else "XML",
                  rest[2] if len(rest) > 2 else None)
    return "+OK\n"


@plain_api
def api_uuid_hold(sw, arg):
    """``uuid_hold [off|toggle] <uuid>``: call state HELD/UNHELD with CHANNEL_HOLD/UNHOLD.
    Music on hold for the partner is not simulated."""
    argv = [w for w in arg.split(" ") if w]
    if not argv:
        return "-USAGE: [off|toggle] <uuid> [<display>]\n"
    action = argv[0].lower()
    uid = argv[1] if action in ("off", "toggle") and len(argv) > 1 else argv[0]
    chan = sw.channel(uid)
    if chan is None:   # FreeSWITCH says +OK for a uuid it cannot find
        return "+OK Success\n"
    if action == "toggle":
        action = "off" if chan.callstate == "HELD" else (
            "hold" if chan.callstate in ("ACTIVE", "UNHELD") else "")
        if not action:
            return "+OK Success\n"
    if action == "off":
        if chan.callstate != "HELD":
            return "-ERR Operation failed\n"
        chan.times["hold_accum"] = chan.times.get("hold_accum", 0.0) + (
            time.time() - chan.times.get("last_hold", time.time()))
        chan.set_callstate("UNHELD")
        _fire_channel_event(sw, chan, "CHANNEL_UNHOLD", ("switch_ivr.c", "switch_ivr_unhold",
                                                         1638))
        return "+OK Success\n"
    if chan.callstate == "HELD":
        return "-ERR Operation failed\n"
    # Difference: no music on hold is played to the bridged partner.
    chan.set_callstate("HELD")
    chan.times["last_hold"] = time.time()
    _fire_channel_event(sw, chan, "CHANNEL_HOLD", ("switch_ivr.c", "switch_ivr_hold", 1558))
    return "+OK Success\n"


def _fire_channel_event(sw, chan: Channel, name: str, calling, post=()) -> None:
    ev = sw.new_event(name, calling)
    chan.set_event_data(ev)
    for header, value in post:
        ev.add(header, value)
    sw.fire(ev)


@plain_api
def api_uuid_record(sw, arg):
    """``uuid_record <uuid> start|stop <path>|all [<limit>]``: record the session into a
    silent 8 kHz WAV as long as the recording runs (RECORD_START, RECORD_STOP)."""
    argv = [w for w in arg.split(" ") if w]
    if len(argv) < 3:
        return "-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n"
    chan = sw.channel(argv[0])
    if chan is None:
        return "-ERR Cannot locate session!\n"
    action, path = argv[1].lower(), argv[2]
    if action == "start":
        if chan.hungup:
            return "-ERR Cannot record session!\n"
        limit = atoi(argv[3]) if len(argv) > 3 else 0
        stop = sw.loop.signal()
        chan.media_bugs[path] = stop.set
        sw.loop.spawn(record_session(chan, path, limit, stop), "record " + path)
        return "+OK Success\n"
    if action == "stop":
        paths = list(chan.media_bugs) if path == "all" else [path]
        stopped = [p for p in paths if p in chan.media_bugs]
        for p in stopped:
            chan.media_bugs.pop(p)()
        return "+OK Success\n" if stopped else "-ERR Cannot stop record session!\n"
    if action in ("mask", "unmask", "pause", "resume"):
        if path not in chan.media_bugs:
            return "-ERR Cannot %s %s!\n" % (action, "recording session" if action in (
                "pause", "resume") else "record session")
        return "+OK Success\n"
    return "-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n"


@plain_api
def api_uuid_kill(sw, arg):
    parts = arg.split()
    if not parts:
        return "-USAGE: <uuid> [cause]\n"
    chan, err = _chan_or_err(sw, parts[0])
    if chan is None:
        return "-ERR No such channel!\n"
    chan.hangup(parts[1] if len(parts) > 1 else "NORMAL_CLEARING",
                ("switch_ivr.c", "switch_ivr_kill_uuid", 4404))
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
    # Partners from now on: DTMF passes across, "bleg" of uuid_broadcast/uuid_transfer.
    a.bridged_to, b.bridged_to = b, a
    for x, y in ((a, b), (b, a)):
        x.times["bridged"] = now
        x.setvar("bridge_uuid", y.uuid)
        x.setvar("signal_bond", y.uuid)
    a.fire("BRIDGE", post=(("Bridge-A-Unique-ID", a.uuid), ("Bridge-B-Unique-ID", b.uuid)))
    return "+OK %s\n" % b.uuid


@plain_api
def api_uuid_break(sw, arg):
    """``uuid_break <uuid> [all|both]``: stop the file the channel is playing (CF_BREAK);
    ``all`` also drops its queued messages (broadcasts, sendmsg), ``both`` does the same to
    its bridged partner. Success prints nothing, as in mod_commands."""
    uid, _, flag = arg.strip().partition(" ")
    if not uid:
        return "-USAGE: <uuid> [all]\n"
    chan, err = _chan_or_err(sw, uid)
    if chan is None:
        return "-ERR No Such Channel!\n"
    targets = [chan]
    if "both" in flag and chan.bridged_to is not None and not chan.bridged_to.hungup:
        targets.append(chan.bridged_to)
    for target in targets:
        if "all" in flag:
            while target.messages:   # switch_core_session_flush_private_events
                _, done = target.messages.popleft()
                if done is not None:
                    done.set()
        target.breaking = True
        target.wake.set()
    return ""


@plain_api
def api_uuid_setvar_multi(sw, arg):
    """``uuid_setvar_multi <uuid> <var>=<value>;<var>=<value>...``: a name without a value
    unsets; an empty name writes an error line and the others are still set."""
    usage = "-USAGE: <uuid> <var>=<value>;<var>=<value>...\n"
    uid, sep, assignments = arg.partition(" ")
    if not sep:
        return usage
    chan, err = _chan_or_err(sw, uid)
    if chan is None:
        return "-ERR No Such Channel!\n" + usage   # mod_commands goes on to the usage line
    out, count = "", 0
    for item in assignments.split(";"):
        name, _, value = item.partition("=")
        if not name:
            out += "-ERR No variable specified\n"
            continue
        chan.setvar(name, value or None)
        count += 1
    return out + "+OK\n" if count else out + usage


@plain_api
def api_uuid_pre_answer(sw, arg):
    """``uuid_pre_answer <uuid>``: early media, as the pre_answer application."""
    chan, err = _chan_or_err(sw, arg.split()[0] if arg.split() else "")
    if chan is None:
        return err
    chan.mark_pre_answered()
    return "+OK\n"


@plain_api
def api_uuid_flush_dtmf(sw, arg):
    """``uuid_flush_dtmf <uuid>``: forget the digits heard and not yet read."""
    chan = sw.channel(arg.strip()) if arg.strip() else None
    if chan is None or chan.hungup:
        return "-ERR no such session\n"
    chan.dtmf.clear()
    return "+OK\n"


@plain_api
def api_uuid_recv_dtmf(sw, arg):
    """``uuid_recv_dtmf <uuid> <digits>``: the channel hears the digits, as if its far end had
    pressed them (an agent's barge/whisper keys, an IVR test). Prints nothing on success."""
    argv = [w for w in arg.split(" ") if w]
    if len(argv) < 2:
        return "-USAGE: <uuid> <dtmf_data>\n"
    chan, err = _chan_or_err(sw, argv[0])
    if chan is None:
        return "-ERR Cannot locate session!\n"
    chan.receive_dtmf(argv[1], source="APP")   # switch_channel_queue_dtmf_string
    return ""


@plain_api
def api_hupall(sw, arg):
    parts = arg.split()
    cause = parts[0] if parts else "MANAGER_REQUEST"
    var, value = (parts[1], parts[2]) if len(parts) > 2 else (None, None)
    for chan in list(sw.channels.values()):
        if var is None or chan.getvar(var) == value:
            chan.hangup(cause if cause in HANGUP_CAUSES else "MANAGER_REQUEST", (
                "switch_core_session.c", "switch_core_session_hupall", 407) if var is None else (
                "switch_core_session.c", "switch_core_session_hupall_matching_vars_ans", 260))
    return "+OK hangup all channels with cause %s\n" % cause


@plain_api
def api_uuid_audio(sw, arg):
    """``uuid_audio <uuid> [start [read|write] [mute|level <level>]|stop]``: mod_commands'
    checks and answers; there is no audio to mute or level here."""
    argv = arg.split()
    if len(argv) < 2:
        return "-USAGE: %s\n" % AUDIO_USAGE
    if sw.channel(argv[0]) is None:
        return "-ERR No such channel!\n"
    if argv[1].lower() != "stop" and (
            argv[1].lower() != "start" or len(argv) < 5
            or argv[2].lower() not in ("read", "write")
            or argv[3].lower() not in ("mute", "level")):
        return "-USAGE: %s\n" % AUDIO_USAGE
    return "+OK\n"


AUDIO_USAGE = "<uuid> [start [read|write] [mute|level <level>]|stop]"

CHANNEL_API = {
    "uuid_exists": api_uuid_exists, "uuid_dump": api_uuid_dump, "uuid_kill": api_uuid_kill,
    "uuid_getvar": api_uuid_getvar, "uuid_setvar": api_uuid_setvar,
    "uuid_answer": api_uuid_answer, "uuid_park": api_uuid_park, "uuid_bridge": api_uuid_bridge,
    "hupall": api_hupall, "uuid_send_dtmf": api_uuid_send_dtmf,
    "uuid_broadcast": api_uuid_broadcast, "uuid_transfer": api_uuid_transfer,
    "uuid_hold": api_uuid_hold, "uuid_record": api_uuid_record, "uuid_break": api_uuid_break,
    "uuid_setvar_multi": api_uuid_setvar_multi, "uuid_pre_answer": api_uuid_pre_answer,
    "uuid_flush_dtmf": api_uuid_flush_dtmf, "uuid_recv_dtmf": api_uuid_recv_dtmf,
    "uuid_audio": api_uuid_audio,
}
