"""The api commands the simulator knows (mod_commands' behaviour for each).

Every command is a generator ``f(switch, arg)`` returning the output text, so that commands
which wait for a call (``originate``) run on the switch loop like channels do.
"""
import time
from typing import Generator

from ..protocol.commands import atoi
from ..protocol.server import ServerEvent
from .applications import hash_op
from .channel_commands import CHANNEL_API
from .config import Config, ConfigError
from .core import LOG_LEVELS, VERSION_TEXT, new_uuid, plain_api
from .console_commands import CONSOLE_API, show_api
from .coredb import SHOW_SYNTAX, show
from .directory_commands import DIRECTORY_API
from .originate import api_originate
from .sched_commands import SCHED_API
from .text_commands import TEXT_API

__all__ = ["API"]


@plain_api
def api_status(sw, arg):
    return sw.status_text()


_UPTIME_UNITS = {"us": 1, "microseconds": 1, "ms": 1000, "milliseconds": 1000, "s": 1000000,
                 "seconds": 1000000, "m": 60000000, "minutes": 60000000, "h": 3600000000,
                 "hours": 3600000000, "d": 86400000000, "days": 86400000000}


@plain_api
def api_uptime(sw, arg):
    """``uptime [us|ms|s|m|h|d|microseconds|...]``: whole units since start-up, a newline."""
    scale = _UPTIME_UNITS.get(arg.lower() if arg else "s")
    if scale is None:
        return "-USAGE: [us|ms|s|m|h|d|microseconds|milliseconds|seconds|minutes|hours|days]\n"
    return "%d\n" % (sw.uptime_usec() // scale)


def api_msleep(sw, arg):
    """Answer ``+OK`` after ``arg`` milliseconds; the switch keeps running meanwhile."""
    ms = atoi(arg)
    if ms > 0:
        yield ms / 1000.0
    return "+OK"


@plain_api
def api_version(sw, arg):
    return VERSION_TEXT + "\n"


@plain_api
def api_hostname(sw, arg):
    return sw.hostname


@plain_api
def api_switchname(sw, arg):
    return sw.hostname


@plain_api
def api_create_uuid(sw, arg):
    return new_uuid()


@plain_api
def api_echo(sw, arg):
    return arg


@plain_api
def api_global_getvar(sw, arg):
    if arg:
        return sw.global_vars.get(arg, "")
    return "".join("%s=%s\n" % kv for kv in sorted(sw.global_vars.items()))


@plain_api
def api_global_setvar(sw, arg):
    name, sep, value = arg.partition("=")
    if not sep:
        return "-ERR usage: global_setvar <var>=<value>\n"
    sw.global_vars[name.strip()] = value.strip()
    return "+OK"


@plain_api
def api_eval(sw, arg):
    chan = None
    if arg.startswith("uuid:"):
        uid, _, arg = arg[5:].partition(" ")
        chan = sw.channel(uid)
    return sw.expand(arg, chan)


@plain_api
def api_log(sw, arg):
    level_text, sep, text = arg.partition(" ")
    if not sep:
        return "-ERR\n"
    level = LOG_LEVELS.get(level_text.lower(), 7)
    sw.log(level, text, "mod_commands.c", "log_function", 7247)
    return "+OK\n"


@plain_api
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


@plain_api
def api_show(sw, arg):
    """``show channels|calls|registrations|... [count] [as json|xml]`` from the core db."""
    out = sw.read_db(lambda db: show(db, arg))
    if out is not None:
        return out
    argv = [w for w in arg.split(" ") if w]
    word = argv[0].lower() if argv else ""
    if word.startswith("status"):   # mod_commands runs `status` for "show status"
        return sw.status_text()
    if word == "api":
        as_format = argv[2] if len(argv) > 2 and argv[1].lower() == "as" else "delim"
        return show_api(sw, as_format)
    return "-USAGE: %s\n" % SHOW_SYNTAX


def _expand_headers(sw, text: str, ev: ServerEvent) -> Generator:
    """switch_event_expand_headers: ``${name}`` is a header of ``ev`` or else a global
    variable, ``$${name}`` a global variable, ``${cmd(args)}`` the output of api ``cmd``.

    A generator (api calls run on the loop); returns the expanded text.
    """
    out = []
    i = 0
    while i < len(text):
        start = text.find("$", i)
        if start < 0:
            break
        brace = start + (2 if text.startswith("$${", start) else 1)
        if not text.startswith("{", brace):
            out.append(text[i:brace])
            i = brace
            continue
        depth, end = 0, brace
        while end < len(text):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
            end += 1
        if end >= len(text):   # unterminated: left as it is
            break
        out.append(text[i:start])
        name = yield from _expand_headers(sw, text[brace + 1:end], ev)
        if brace - start == 2:
            out.append(sw.global_vars.get(name, ""))
        elif name.endswith(")") and "(" in name:
            cmd, _, cmd_arg = name[:-1].partition("(")
            result = yield from sw.execute_api(cmd, cmd_arg)
            out.append(result or "")
        else:
            value = ev.get(name)
            out.append(value if value is not None else sw.global_vars.get(name, ""))
        i = end + 1
    out.append(text[i:])
    return "".join(out)


def api_expand(sw, arg):
    """``expand [uuid:<uuid> ]<cmd> <args>``: run api ``cmd`` on ``args`` expanded against the
    command's own API event headers (plus the channel's data) and the global variables."""
    params = ServerEvent([("API-Command", "expand"), ("API-Command-Argument", arg)])
    rest = arg
    if arg[:5].lower() == "uuid:":
        uid, space, rest = arg[5:].partition(" ")
        chan = sw.channel(uid) if space else None
        if chan is not None:
            chan.set_event_data(params)
    if not rest:
        return "-ERR No input\n"
    cmd, _, cmd_arg = rest.partition(" ")
    expanded = yield from _expand_headers(sw, cmd_arg, params)
    out = yield from sw.execute_api(cmd, expanded)
    if out is None:   # switch_api_execute's own line, then expand's
        return "INVALID COMMAND!\n-ERR Cannot execute command\n"
    return out


def api_bgapi(sw, arg):
    """``bgapi [uuid:<job-uuid> ]<cmd> [<arg>]``: answer ``+OK Job-UUID: ...`` now; run the
    command as its own task, whose output comes as the BACKGROUND_JOB event."""
    job_uuid = None
    rest = arg
    if arg[:5].lower() == "uuid:":
        job_uuid, space, rest = arg[5:].partition(" ")
        if not space:
            rest = ""
    if not rest:
        return "-ERR Invalid syntax\n"
    job_uuid = job_uuid or new_uuid()
    cmd, space, cmd_arg = rest.partition(" ")

    def job():
        out = yield from sw.execute_api(cmd, cmd_arg)
        if out is None:
            out = "%s: Command not found!\n" % cmd
        ev = sw.new_event("BACKGROUND_JOB", ("mod_commands.c", "bgapi_exec", 5423))
        ev.add("Job-UUID", job_uuid)
        ev.add("Job-Command", cmd)
        if space:
            ev.add("Job-Command-Arg", cmd_arg)
        ev.body = out
        sw.fire(ev)
    sw.loop.spawn(job(), "bgapi " + cmd)
    return "+OK Job-UUID: %s\n" % job_uuid
    yield  # pragma: no cover (makes this a generator)


_FSCTL_SYNTAX = (
    "[api_expansion [on|off]|recover|send_sighup|hupall|pause [inbound|outbound]|resume "
    "[inbound|outbound]|shutdown [cancel|elegant|asap|now|restart]|uuid_version [4|7]|sps|"
    "sps_peak_reset|sync_clock|sync_clock_when_idle|reclaim_mem|max_sessions|"
    "min_dtmf_duration [num]|max_dtmf_duration [num]|default_dtmf_duration [num]|"
    "min_idle_cpu|loglevel [level]|debug_level [level]|mdns_resolve [enable|disable]]")


@plain_api
def api_shutdown(sw, arg):
    """``shutdown``: end every call and stop the simulator (connections get the notice)."""
    sw.shutdown_pending = False
    sw.loop.spawn(_shut_down(sw, wait_for_calls=False), "shutdown")
    return "+OK\n"


@plain_api
def api_fsctl(sw, arg):
    """``fsctl shutdown [cancel|elegant|asap|now|restart]``, ``hupall``, ``pause``/``resume``,
    ``loglevel``, ``ready_check``/``shutdown_check`` and the counters' setters."""
    argv = [w for w in arg.split(" ") if w]
    if not argv:
        return "-USAGE: %s\n" % _FSCTL_SYNTAX
    what = argv[0].lower()
    if what == "shutdown":
        words = [w.lower() for w in argv[1:5]]
        if "cancel" in words:
            sw.shutdown_pending = False
            return "+OK\n"
        # elegant/asap wait for the calls to end; plain and now end them at once.
        # Difference: "restart" stops the simulator without starting it again.
        gentle = "elegant" in words or "asap" in words
        sw.shutdown_pending = gentle
        sw.loop.spawn(_shut_down(sw, wait_for_calls=gentle), "shutdown")
        return "+OK\n"
    if what == "hupall":
        for chan in list(sw.channels.values()):
            chan.hangup("MANAGER_REQUEST", ("switch_core_session.c",
                                            "switch_core_session_hupall_matching_vars_ans", 260))
        return "+OK\n"
    if what in ("pause", "resume", "reclaim_mem", "flush_db_handles", "send_sighup",
                "calibrate_clock", "save_history", "mdns_resolve"):
        return "+OK\n"
    if what in ("ready_check",):
        return "true"
    if what in ("shutdown_check", "pause_check"):
        return "true" if what == "shutdown_check" and sw.shutdown_pending else "false"
    if what == "loglevel":
        level = -1
        if len(argv) > 1:
            level = atoi(argv[1]) if argv[1][:1].isdigit() else LOG_LEVELS.get(argv[1].lower(), -9)
        if level == -9:
            return "-ERR syntax error, log level not set!\n"
        level = 7 if level < 0 or level > 7 else level
        names = {v: k.upper() for k, v in LOG_LEVELS.items()}
        return "+OK log level: %s [%d]\n" % (names[level], level)
    if what == "max_sessions":
        if len(argv) > 1:
            sw.config.max_sessions = atoi(argv[1])
        return "+OK max sessions: %d\n" % sw.config.max_sessions
    if what == "sps":
        if len(argv) > 1:
            sw.config.sessions_per_second = atoi(argv[1])
        return "+OK sessions per second: %d\n" % sw.config.sessions_per_second
    return "-ERR Invalid command\nUSAGE: fsctl %s\n" % _FSCTL_SYNTAX


def _shut_down(sw, wait_for_calls: bool) -> Generator:
    """switch_core_destroy as the simulator has it: SHUTDOWN event, hang up every call
    (SYSTEM_SHUTDOWN), wait for the legs to be destroyed, then stop serving."""
    if wait_for_calls:
        while sw.channels and sw.shutdown_pending:
            yield 0.05
        if not sw.shutdown_pending:
            return   # cancelled
    sw.log(6, "Shutting down", "switch_core.c", "switch_core_session_ctl", 2894)
    ev = sw.new_event("SHUTDOWN", ("switch_core.c", "switch_core_destroy", 3033))
    ev.add("Event-Info", "System Shutting Down")
    sw.fire(ev)
    sw.log(0, "End existing sessions", "switch_core.c", "switch_core_destroy", 3041)
    for chan in list(sw.channels.values()):
        chan.hangup("SYSTEM_SHUTDOWN")
    deadline = time.monotonic() + 5
    while sw.channels and time.monotonic() < deadline:
        yield 0.02
    sw.log(0, "Clean up modules.", "switch_core.c", "switch_core_destroy", 3043)
    sw.request_stop()


@plain_api
def api_hash(sw, arg):
    """mod_hash's ``hash`` api: a table that outlives calls, which queue daemons keep state in."""
    out = hash_op(sw, arg.strip())
    if out is None:
        return ("-ERR Usage: hash insert|insert_ifempty|select|delete|delete_ifmatch"
                "/realm/key[/value]\n")
    return out


API = {
    "status": api_status, "uptime": api_uptime, "version": api_version,
    "hostname": api_hostname, "switchname": api_switchname, "echo": api_echo,
    "global_getvar": api_global_getvar, "global_setvar": api_global_setvar, "eval": api_eval,
    "expand": api_expand, "log": api_log, "reloadxml": api_reloadxml, "show": api_show,
    "originate": api_originate, "msleep": api_msleep, "create_uuid": api_create_uuid,
    "bgapi": api_bgapi, "shutdown": api_shutdown, "fsctl": api_fsctl, "hash": api_hash,
}
API.update(CHANNEL_API)
API.update(SCHED_API)
API.update(DIRECTORY_API)
API.update(CONSOLE_API)
API.update(TEXT_API)
