"""The api commands a console uses: ``help``, ``console_complete`` (tab completion), ``console``
(mod_console) and the ``show api`` list, from FreeSWITCH's own descriptions of the commands.

fs_cli sends these (``api console_complete ...`` on Tab, ``help`` on F1); ``show api`` and
``help`` list the commands the simulator has, with FreeSWITCH's description and syntax.
"""
from typing import Dict, List, Tuple  # noqa: F401 (type comments)

from .core import LOG_LEVELS, plain_api
from .coredb import render

__all__ = ["CONSOLE_API", "API_INFO", "show_api"]

#: name -> (description, syntax, module), as the modules register them.
API_INFO = {
    'bgapi': ('Execute an api command in a thread', '<command>[ <arg>]', 'mod_commands'),
    'console_complete': ('', '<line>', 'mod_commands'),
    'create_uuid': ('Create a uuid', '<uuid> <other_uuid>', 'mod_commands'),
    'echo': ('Echo', '<data>', 'mod_commands'),
    'eval': ('eval (noop)', '[uuid:<uuid> ]<expression>', 'mod_commands'),
    'expand': ('Execute an api with variable expansion',
               '[uuid:<uuid> ]<cmd> <args>',
               'mod_commands'),
    'fsctl': ('FS control messages',
              '[api_expansion [on|off]|recover|send_sighup|hupall|pause [inbound|outbound]|'
              'resume [inbound|outbound]|shutdown [cancel|elegant|asap|now|restart]|'
              'uuid_version [4|7]|sps|sps_peak_reset|sync_clock|sync_clock_when_idle|'
              'reclaim_mem|max_sessions|min_dtmf_duration [num]|max_dtmf_duration [num]|'
              'default_dtmf_duration [num]|min_idle_cpu|loglevel [level]|debug_level [level]|'
              'mdns_resolve [enable|disable]]',
              'mod_commands'),
    'global_getvar': ('Get global var', '<var>', 'mod_commands'),
    'global_setvar': ('Set global var', '<var>=<value> [=<value2>]', 'mod_commands'),
    'hash': ('hash get/set', '[insert|delete|select]/<realm>/<key>/<value>', 'mod_hash'),
    'help': ('Show help for all the api commands', '', 'mod_commands'),
    'hostname': ('Return the system hostname', '', 'mod_commands'),
    'hupall': ('hupall', '<cause> [<var> <value>] [<var2> <value2>]', 'mod_commands'),
    'list_users': ('List Users configured in Directory',
                   '[group <group>] [domain <domain>] [user <user>] [context <context>]',
                   'mod_commands'),
    'log': ('Log', '<level> <message>', 'mod_commands'),
    'md5': ('Return md5 hash', '<data>', 'mod_commands'),
    'module_exists': ('Check if module exists', '<module>', 'mod_commands'),
    'msleep': ('Sleep N milliseconds', '<milliseconds>', 'mod_commands'),
    'originate': ('Originate a call',
                  '<call url> <exten>|'
                  '&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] '
                  '[<cid_num>] [<timeout_sec>]',
                  'mod_commands'),
    'reloadxml': ('Reload XML', '', 'mod_commands'),
    'show': ('Show various reports',
             'codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|'
             'like <match string>]|calls|detailed_calls|bridged_calls|detailed_bridged_calls|'
             'aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|'
             'tasks|limits|status',
             'mod_commands'),
    'sched_api': ('Schedule an api command',
                  '[+@]<time> <group_name> <command_string>[&]', 'mod_commands'),
    'sched_broadcast': ('Schedule a broadcast event to a running call',
                        '[[+]<time>|@time] <uuid> <path> [aleg|bleg|both]', 'mod_commands'),
    'sched_del': ('Delete a scheduled task', '<task_id>|<group_id>', 'mod_commands'),
    'sched_hangup': ('Schedule a running call to hangup', '[+]<time> <uuid> [<cause>]',
                     'mod_commands'),
    'sched_transfer': ('Schedule a transfer for a running call',
                       '[+]<time> <uuid> <extension> [<dialplan>] [<context>]', 'mod_commands'),
    'shutdown': ('Shutdown', '', 'mod_commands'),
    'strftime': ('strftime', '<format_string>', 'mod_dptools'),
    'status': ('Show current status', '', 'mod_commands'),
    'switchname': ('Return the switch name', '', 'mod_commands'),
    'uptime': ('Show uptime',
               '[us|ms|s|m|h|d|microseconds|milliseconds|seconds|minutes|hours|days]',
               'mod_commands'),
    'url_decode': ('Url decode a string', '<string>', 'mod_commands'),
    'url_encode': ('Url encode a string', '<string>', 'mod_commands'),
    'user_exists': ('Find a user', '<key> <user> <domain>', 'mod_commands'),
    'uuid_answer': ('answer', '<uuid>', 'mod_commands'),
    'uuid_audio': ('uuid_audio', '<uuid> [start [read|write] [mute|level <level>]|stop]',
                   'mod_commands'),
    'uuid_break': ('Break out of media sent to channel', '<uuid> [all]', 'mod_commands'),
    'uuid_bridge': ('Bridge call legs', '', 'mod_commands'),
    'uuid_broadcast': ('Execute dialplan application',
                       '<uuid> <path> [aleg|bleg|holdb|both]',
                       'mod_commands'),
    'uuid_dump': ('Dump session vars', '<uuid> [format]', 'mod_commands'),
    'uuid_exists': ('Check if a uuid exists', '<uuid>', 'mod_commands'),
    'uuid_flush_dtmf': ('Flush dtmf on a given uuid', '<uuid>', 'mod_commands'),
    'uuid_getvar': ('Get a variable from a channel', '<uuid> <var>', 'mod_commands'),
    'uuid_hold': ('Place call on hold', '[off|toggle] <uuid> [<display>]', 'mod_commands'),
    'uuid_kill': ('Kill channel', '<uuid> [cause]', 'mod_commands'),
    'uuid_park': ('Park channel', '<uuid>', 'mod_commands'),
    'uuid_pre_answer': ('pre_answer', '<uuid>', 'mod_commands'),
    'uuid_record': ('Record session audio',
                    '<uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]',
                    'mod_commands'),
    'uuid_recv_dtmf': ('Receive dtmf digits', '<uuid> <dtmf_data>', 'mod_commands'),
    'uuid_send_dtmf': ('Send dtmf digits', '<uuid> <dtmf_data>', 'mod_commands'),
    'uuid_setvar': ('Set a variable', '<uuid> <var> [value]', 'mod_commands'),
    'uuid_setvar_multi': ('Set multiple variables', '<uuid> <var>=<value>;<var>=<value>...',
                          'mod_commands'),
    'uuid_transfer': ('Transfer a session',
                      '<uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]',
                      'mod_commands'),
    'version': ('Version', '[short]', 'mod_commands'),
    'console': ('Console', 'loglevel [level]|colorize [on|toggle|off]|uuid [on|toggle|off]|'
                'json [on|toggle|off]', 'mod_console'),
    'sofia': ('Sofia Controls', '<cmd> <args>', 'mod_sofia'),
    'sofia_contact': ('Sofia Contacts', '[profile/]<user>@<domain>', 'mod_sofia'),
}


def _commands(sw) -> List[Tuple[str, str, str, str]]:
    """(name, description, syntax, module) of every command this switch has, by name."""
    out = []
    for name in sorted(sw.api_commands):
        desc, syntax, module = API_INFO.get(name, ("", "", "mod_commands"))
        out.append((name, desc, syntax, module))
    return out


def show_api(sw, as_format: str = "delim") -> str:
    """``show api``: the commands with a description (as mod_commands' query has it)."""
    rows = [{"name": n, "description": d, "syntax": s, "ikey": m}
            for n, d, s, m in _commands(sw) if d]
    return render(rows, ["name", "description", "syntax", "ikey"], as_format)


@plain_api
def api_help(sw, arg):
    """Every command as ``name,syntax,description,module`` lines, without a title or total."""
    lines = ["%s,%s,%s,%s\n" % (n, s, d, m) for n, d, s, m in _commands(sw)]
    return "\nValid Commands:\n\n" + "".join(lines)


@plain_api
def api_console_complete(sw, arg):
    """``console_complete [c=<pos>;]<line>``: completions of the first word (command names)
    and of a ``uuid_*`` command's uuid, in switch_console_complete's layout."""
    line = arg or " "
    if line.startswith("c="):
        pos, sep, rest = line[2:].partition(";")
        if sep:
            line = rest[:int(pos)] if pos.isdigit() else rest
    words = line.lstrip(" ").split(" ")
    partial = words[-1]
    if len(words) == 1:
        candidates = sorted(sw.api_commands)
    elif len(words) == 2 and words[0].lower().startswith("uuid_"):
        candidates = sorted(sw.channels)
    else:
        candidates = []
    hits = [c for c in candidates if c.startswith(partial)]
    out = ["\n\n"]
    for i, hit in enumerate(hits, 1):
        out.append("[%20s]\t" % hit)
        if i % 4 == 0:
            out.append("\n")
    out.append("\n\n")
    if len(hits) == 1:
        out.append("write=%d:%s " % (len(partial), hits[0]))
    elif hits:
        common = hits[0]
        for hit in hits[1:]:
            while not hit.startswith(common):
                common = common[:-1]
        if common:
            out.append("write=%d:%s" % (len(partial), common))
    return "".join(out)


_CONSOLE_USAGE = (
    "USAGE:\n"
    "--------------------------------------------------------------------------------\n"
    "console help\n"
    "console loglevel [[0-7] | <loglevel_string>]\n"
    "console uuid [on|off|toggle]\n"
    "console json [on|off|toggle]\n"
    "console colorize [on|off|toggle]\n"
    "--------------------------------------------------------------------------------\n")


@plain_api
def api_console(sw, arg):
    """``console loglevel|colorize|uuid|json ...``: settings of the switch's own console,
    which the simulator does not have; answered as mod_console answers them."""
    argv = [w for w in arg.split(" ") if w]
    if not argv:
        return _CONSOLE_USAGE
    what = argv[0].lower()
    value = argv[1] if len(argv) > 1 else None
    if what == "loglevel":
        level = 7
        if value is not None:
            level = int(value[0]) if value[0].isdigit() else LOG_LEVELS.get(value.lower(), -1)
        if level < 0 or level > 7:
            return "-ERR Invalid console loglevel (%s)!\n\n" % (value or "")
        names = {v: k.upper() for k, v in LOG_LEVELS.items()}
        return "+OK console log level set to %s\n" % names[level]
    if what in ("colorize", "uuid", "json"):
        on = (value or "").lower() in ("on", "yes", "true", "1", "enable", "toggle")
        label = {"colorize": "color"}.get(what, what)
        return "+OK console %s %s\n" % (label, "enabled" if on else "disabled")
    return _CONSOLE_USAGE


CONSOLE_API = {"help": api_help, "console_complete": api_console_complete,
               "console": api_console}
