"""The api commands the simulator knows (mod_commands' behaviour for each).

Every command is a generator ``f(switch, arg)`` returning the output text, so that commands
which wait for a call (``originate``) run on the switch loop like channels do.
"""
import time
from typing import Dict, List, Optional, Tuple

from ..protocol.commands import atoi
from ..protocol.server import ServerEvent
from .channel import HANGUP_CAUSES, Channel
from .config import Config, ConfigError
from .core import LOG_LEVELS, VERSION_TEXT, show_json
from .originate import api_originate

__all__ = ["API"]


def _plain(fn):
    """Wrap a plain function ``f(switch, arg) -> str`` as an api generator."""
    def gen(sw, arg):
        return fn(sw, arg)
        yield  # pragma: no cover
    gen.__name__ = fn.__name__
    return gen


@_plain
def api_status(sw, arg):
    return sw.status_text()


@_plain
def api_uptime(sw, arg):
    usec = sw.uptime_usec()
    div = {"us": 1, "ms": 1000, "s": 1000000, "m": 60000000, "h": 3600000000,
           "d": 86400000000}.get(arg.strip() or "s", 1000000)
    return "%d" % (usec // div)


def api_msleep(sw, arg):
    """Answer ``+OK`` after ``arg`` milliseconds; the switch keeps running meanwhile."""
    ms = atoi(arg)
    if ms > 0:
        yield ms / 1000.0
    return "+OK"


@_plain
def api_version(sw, arg):
    return VERSION_TEXT + "\n"


@_plain
def api_hostname(sw, arg):
    return sw.hostname


@_plain
def api_echo(sw, arg):
    return arg


@_plain
def api_global_getvar(sw, arg):
    if arg:
        return sw.global_vars.get(arg, "")
    return "".join("%s=%s\n" % kv for kv in sorted(sw.global_vars.items()))


@_plain
def api_global_setvar(sw, arg):
    name, sep, value = arg.partition("=")
    if not sep:
        return "-ERR usage: global_setvar <var>=<value>\n"
    sw.global_vars[name.strip()] = value.strip()
    return "+OK"


@_plain
def api_eval(sw, arg):
    chan = None
    if arg.startswith("uuid:"):
        uid, _, arg = arg[5:].partition(" ")
        chan = sw.channel(uid)
    return sw.expand(arg, chan)


@_plain
def api_log(sw, arg):
    level_text, sep, text = arg.partition(" ")
    if not sep:
        return "-ERR\n"
    level = LOG_LEVELS.get(level_text.lower(), 7)
    sw.log(level, text, "mod_commands.c", "log_function", 7247)
    return "+OK\n"


@_plain
def api_reloadxml(sw, arg):
    conf_dir = getattr(sw, "conf_dir", None)
    if conf_dir:
        try:
            cfg = Config.load(conf_dir)
        except ConfigError as exc:
            return "-ERR %s\n" % exc
        sw.config.dialplan = cfg.dialplan
        sw.config._directory = cfg._directory
    ev = sw.new_event("RELOADXML", ("switch_xml.c", "switch_xml_open_root", 2401))
    sw.fire(ev)
    return "+OK [Success]\n"


def _chan_or_err(sw, uid) -> Tuple[Optional[Channel], str]:
    chan = sw.channel(uid)
    if chan is None or chan.hungup:
        return None, "-ERR No such channel!\n"
    return chan, ""


@_plain
def api_uuid_kill(sw, arg):
    parts = arg.split()
    if not parts:
        return "-USAGE: <uuid> [cause]\n"
    chan, err = _chan_or_err(sw, parts[0])
    if chan is None:
        return "-ERR No such channel!\n"
    chan.hangup(parts[1] if len(parts) > 1 else "NORMAL_CLEARING")
    return "+OK\n"


@_plain
def api_uuid_getvar(sw, arg):
    parts = arg.split(None, 1)
    if len(parts) < 2:
        return "-USAGE: <uuid> <var>\n"
    chan, err = _chan_or_err(sw, parts[0])
    if chan is None:
        return err
    value = chan.getvar(parts[1].strip())
    return value if value is not None else "_undef_"


@_plain
def api_uuid_setvar(sw, arg):
    parts = arg.split(None, 2)
    if len(parts) < 2:
        return "-USAGE: <uuid> <var> [value]\n"
    chan, err = _chan_or_err(sw, parts[0])
    if chan is None:
        return err
    chan.setvar(parts[1], parts[2] if len(parts) > 2 else None)
    return "+OK\n"


@_plain
def api_uuid_answer(sw, arg):
    chan, err = _chan_or_err(sw, arg.split()[0] if arg.split() else "")
    if chan is None:
        return err
    chan.answer()
    return "+OK\n"


@_plain
def api_uuid_park(sw, arg):
    chan, err = _chan_or_err(sw, arg.split()[0] if arg.split() else "")
    if chan is None:
        return err
    if not chan.parked:
        msg = ServerEvent([("call-command", "execute"), ("execute-app-name", "park")])
        chan.queue_message(msg)
    return "+OK\n"


@_plain
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


@_plain
def api_hupall(sw, arg):
    parts = arg.split()
    cause = parts[0] if parts else "MANAGER_REQUEST"
    var, value = (parts[1], parts[2]) if len(parts) > 2 else (None, None)
    for chan in list(sw.channels.values()):
        if var is None or chan.getvar(var) == value:
            chan.hangup(cause if cause in HANGUP_CAUSES else "MANAGER_REQUEST")
    return "+OK hangup all channels with cause %s\n" % cause


_CHANNEL_COLUMNS = ["uuid", "direction", "created", "created_epoch", "name", "state",
                    "cid_name", "cid_num", "ip_addr", "dest", "application", "application_data",
                    "dialplan", "context", "read_codec", "read_rate", "read_bit_rate",
                    "write_codec", "write_rate", "write_bit_rate", "secure", "hostname",
                    "presence_id", "presence_data", "accountcode", "callstate", "callee_name",
                    "callee_num", "callee_direction", "call_uuid", "sent_callee_name",
                    "sent_callee_num", "initial_cid_name", "initial_cid_num",
                    "initial_ip_addr", "initial_dest", "initial_dialplan", "initial_context"]


def _channel_row(sw, chan: Channel) -> Dict[str, str]:
    p = chan.profile
    created = chan.times["created"]
    row = {
        "uuid": chan.uuid, "direction": chan.direction,
        "created": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(created)),
        "created_epoch": str(int(created)), "name": chan.name, "state": chan.running,
        "cid_name": p.get("Caller-ID-Name", ""), "cid_num": p.get("Caller-ID-Number", ""),
        "ip_addr": "", "dest": p.get("Destination-Number", ""),
        "application": chan.getvar("current_application") or "",
        "application_data": chan.getvar("current_application_data") or "",
        "dialplan": p.get("Dialplan", ""), "context": p.get("Context", ""),
        "read_codec": "L16", "read_rate": "8000", "read_bit_rate": "128000",
        "write_codec": "L16", "write_rate": "8000", "write_bit_rate": "128000",
        "secure": "", "hostname": sw.hostname, "presence_id": "", "presence_data": "",
        "accountcode": "", "callstate": chan.callstate,
        "callee_name": p.get("Callee-ID-Name", ""), "callee_num": p.get("Callee-ID-Number", ""),
        "callee_direction": "", "call_uuid": chan.uuid, "sent_callee_name": "",
        "sent_callee_num": "", "initial_cid_name": p.get("Caller-ID-Name", ""),
        "initial_cid_num": p.get("Caller-ID-Number", ""), "initial_ip_addr": "",
        "initial_dest": p.get("Destination-Number", ""),
        "initial_dialplan": p.get("Dialplan", ""), "initial_context": p.get("Context", ""),
    }
    return row


def _table(rows: List[Dict[str, str]], columns: List[str]) -> str:
    out = [",".join(columns)]
    for row in rows:
        out.append(",".join(row.get(c, "") for c in columns))
    out.append("")
    out.append("%d total." % len(rows))
    return "\n".join(out) + "\n"


@_plain
def api_show(sw, arg):
    words = arg.split()
    if not words:
        return "-USAGE: show channels|calls [as json]\n"
    what = words[0].lower()
    as_json = len(words) >= 3 and words[1].lower() == "as" and words[2].lower() == "json"
    chans = sorted((c for c in sw.channels.values()), key=lambda c: c.times["created"])
    if what == "channels":
        rows = [_channel_row(sw, c) for c in chans]
        columns = _CHANNEL_COLUMNS
    elif what == "calls":
        rows = []
        seen = set()
        for c in chans:
            if c.uuid in seen:
                continue
            row = _channel_row(sw, c)
            if c.other is not None:
                seen.add(c.other.uuid)
                b = _channel_row(sw, c.other)
                for key, value in b.items():
                    row["b_" + key] = value
            rows.append(row)
        columns = _CHANNEL_COLUMNS + ["b_" + c for c in _CHANNEL_COLUMNS]
    else:
        return "-ERR Unsupported show type\n"
    if as_json:
        if not rows:
            return '{"row_count":0}\n'
        return show_json([{c: r.get(c, "") for c in columns} for r in rows]) + "\n"
    if not rows:
        return "\n0 total.\n"
    return _table(rows, columns)


API = {
    "status": api_status, "uptime": api_uptime, "version": api_version,
    "hostname": api_hostname, "echo": api_echo, "global_getvar": api_global_getvar,
    "global_setvar": api_global_setvar, "eval": api_eval, "log": api_log,
    "reloadxml": api_reloadxml, "uuid_kill": api_uuid_kill, "uuid_getvar": api_uuid_getvar,
    "uuid_setvar": api_uuid_setvar, "uuid_answer": api_uuid_answer,
    "uuid_park": api_uuid_park, "uuid_bridge": api_uuid_bridge, "hupall": api_hupall,
    "show": api_show, "originate": api_originate, "msleep": api_msleep,
}
