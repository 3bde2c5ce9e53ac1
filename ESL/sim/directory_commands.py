"""The api commands about users and SIP profiles: ``list_users``, ``user_exists``,
``sofia_contact`` (mod_commands) and ``sofia status`` (mod_sofia).

They read the directory and ``sofia.conf`` of the configuration. Nothing ever registers with
the simulator, so every user's contact is ``error/user_not_registered`` and the
registration lists are empty.
"""
from typing import Dict, Optional  # noqa: F401 (type comments)

__all__ = ["DIRECTORY_API"]

NOT_REGISTERED = "error/user_not_registered"
_LINE = "=" * 97
LIST_USERS_SYNTAX = "[group <group>] [domain <domain>] [user <user>] [context <context>]"


def _plain(fn):
    """Wrap a plain function ``f(switch, arg) -> str`` as an api generator."""
    def gen(sw, arg):
        return fn(sw, arg)
        yield  # pragma: no cover
    gen.__name__ = fn.__name__
    gen.__doc__ = fn.__doc__
    return gen


def _variables(elem) -> Dict[str, str]:
    found = elem.find("variables") if elem is not None else None
    if found is None:
        return {}
    return {v.get("name", "").lower(): v.get("value", "") for v in found.findall("variable")}


@_plain
def api_list_users(sw, arg):
    """One ``|``-separated line per directory user, filtered by group/domain/user/context."""
    argv = [w for w in arg.split(" ") if w]
    if len(argv) >= 9:
        return "-USAGE: %s\n" % LIST_USERS_SYNTAX
    wanted = {}   # type: Dict[str, Optional[str]]
    for i, word in enumerate(argv):
        if word.lower() in ("user", "context", "domain", "group"):
            wanted[word.lower()] = argv[i + 1] if i + 1 < len(argv) else None
    out = ["userid|context|domain|group|contact|callgroup|effective_caller_id_name|"
           "effective_caller_id_number\n"]
    for dom, group, user in sw.config.directory_users():
        dname, gname = dom.get("name", ""), group.get("name", "") if group is not None else ""
        if not _same(wanted.get("domain"), dname) or not _same(wanted.get("group"), gname):
            continue
        if not _same(wanted.get("user"), user.get("id", "")):
            continue
        # Later levels win: domain, then group, then user variables.
        found = dict(_variables(dom))
        found.update(_variables(group))
        found.update(_variables(user))
        context = found.get("user_context", "")
        if wanted.get("context") is not None and (not context or not _same(
                wanted["context"], context)):
            continue
        out.append("%s|%s|%s|%s|%s|%s|%s|%s\n" % (
            user.get("id", ""), context, dname, gname, NOT_REGISTERED, found.get("callgroup", ""),
            found.get("effective_caller_id_name", ""),
            found.get("effective_caller_id_number", "")))
    out.append("\n+OK\n")
    return "".join(out)


def _same(wanted: Optional[str], value: str) -> bool:
    return wanted is None or wanted.lower() == value.lower()


@_plain
def api_user_exists(sw, arg):
    """``user_exists <key> <user> <domain>``: ``true`` or ``false``."""
    argv = [w for w in arg.split(" ") if w]
    if len(argv) < 3:
        return "false"
    key, user, domain = argv[0], argv[1], argv[2]
    for dom, _, elem in sw.config.directory_users():
        if dom.get("name", "").lower() == domain.lower() and elem.get(key) == user:
            return "true"
    return "false"


@_plain
def api_sofia_contact(sw, arg):
    """``sofia_contact [profile/]user@domain``: nobody registers, so never a contact."""
    return NOT_REGISTERED


_SOFIA_USAGE = (
    "USAGE:\n"
    "--------------------------------------------------------------------------------\n"
    "sofia global siptrace <on|off>\n"
    "sofia        capture  <on|off>\n"
    "             watchdog <on|off>\n\n"
    "sofia profile <name> [start | stop | restart | rescan] [wait]\n"
    "                     flush_inbound_reg [<call_id> | <[user]@domain>] [reboot]\n"
    "                     check_sync [<call_id> | <[user]@domain>]\n"
    "                     [register | unregister] [<gateway name> | all]\n"
    "                     killgw <gateway name>\n"
    "                     [stun-auto-disable | stun-enabled] [true | false]]\n"
    "                     siptrace <on|off>\n"
    "                     capture  <on|off>\n"
    "                     watchdog <on|off>\n\n"
    "sofia <status|xmlstatus> profile <name> [reg [<contact str>]] | [pres <pres str>] | "
    "[user <user@domain>]\n"
    "sofia <status|xmlstatus> gateway <name>\n\n"
    "sofia loglevel <all|default|tport|iptsec|nea|nta|nth_client|nth_server|nua|soa|sresolv|"
    "stun> [0-9]\n"
    "sofia tracelevel <console|alert|crit|err|warning|notice|info|debug>\n\n"
    "sofia help\n"
    "--------------------------------------------------------------------------------\n")


@_plain
def api_sofia(sw, arg):
    """``sofia status [profile <name> [reg]|gateway <name>]``; the other sub-commands (which
    start, stop or trace profiles) print the usage text."""
    argv = [w for w in arg.split(" ") if w]
    if not argv or argv[0].lower() != "status":
        return _SOFIA_USAGE
    rest = argv[1:]
    if not rest:
        return _status_table(sw)
    if len(rest) == 1:
        return _gateway_table(sw)
    if rest[0].lower() == "profile":
        return _profile_status(sw, rest[1], rest[2:])
    if rest[0].lower() == "gateway":
        for prof in sw.config.sofia_profiles:
            if rest[1] in prof.gateways:
                return _gateway_status(prof, rest[1])
        return "Invalid Gateway!\n"
    return "Invalid Syntax!\n"


def _status_table(sw) -> str:
    profiles = sw.config.sofia_profiles
    out = ["%25s\t%s\t  %40s\t%s\n" % ("Name", "   Type", "Data", "State"), _LINE + "\n"]
    aliases = 0
    for prof in profiles:
        for alias in prof.aliases:
            aliases += 1
            out.append("%25s\t%s\t  %40s\t%s\n" % (alias, "  alias", prof.name, "ALIASED"))
        out.append("%25s\t%s\t  %40s\t%s (%d)\n" % (prof.name, "profile", prof.url, "RUNNING",
                                                    _in_use(sw, prof.name)))
        for gw_name, params in prof.gateways.items():
            out.append("%25s\t%s\t  %40s\t%s\n" % ("%s::%s" % (prof.name, gw_name), "gateway",
                                                  _register_to(gw_name, params), "NOREG"))
    out.append(_LINE + "\n")
    count = len(profiles)
    out.append("%d profile%s %d alias%s\n" % (count, "" if count == 1 else "s", aliases,
                                              "" if aliases == 1 else "es"))
    return "".join(out)


def _gateway_table(sw) -> str:
    out = ["%25s\t%32s\t%s\t%9s\t%s\t%s\n" % ("Profile::Gateway-Name", "    Data    ", "State",
                                              "Ping Time", "IB Calls(F/T)", "OB Calls(F/T)"),
           _LINE + "\n"]
    count = 0
    for prof in sw.config.sofia_profiles:
        for gw_name, params in prof.gateways.items():
            count += 1
            out.append("%25s\t%32s\t%s\t%6.2f\t%u/%u\t%u/%u\n" % (
                "%s::%s" % (prof.name, gw_name), _register_to(gw_name, params), "NOREG", 0.0,
                0, 0, 0, 0))
    out.append(_LINE + "\n")
    out.append("%d gateway%s: Inbound(Failed/Total): 0/0,Outbound(Failed/Total):0/0\n"
               % (count, "" if count == 1 else "s"))
    return "".join(out)


def _in_use(sw, profile: str) -> int:
    prefix = "sofia/%s/" % profile
    return sum(1 for chan in sw.channels.values() if chan.name.startswith(prefix))


def _register_to(name: str, params: Dict[str, str]) -> str:
    proxy = params.get("proxy") or params.get("realm") or name
    return "sip:%s@%s" % (params.get("username", ""), proxy)


def _gateway_status(prof, name: str) -> str:
    params = prof.gateways[name]
    realm = params.get("realm") or name
    user = params.get("username", "")
    rows = [("Name    ", name), ("Profile ", prof.name), ("Scheme  ", "Digest"),
            ("Realm   ", realm), ("Username", user),
            ("Password", "yes" if params.get("password") else "no"),
            ("From    ", "<sip:%s@%s>" % (user, realm)),
            ("Contact ", "<%s>" % prof.url.replace("mod_sofia", "gw+" + name)),
            ("Exten   ", params.get("extension") or user), ("To      ", _register_to(name, params)),
            ("Proxy   ", "sip:%s" % (params.get("proxy") or realm)),
            ("Context ", params.get("context", "default")),
            ("Expires ", params.get("expire-seconds", "3600")), ("Freq    ", "0"),
            ("Ping    ", "0"), ("PingFreq", "0"), ("PingTime", "0.00"), ("PingState", "0/0/0"),
            ("State   ", "NOREG"), ("Status  ", "UP"), ("Uptime  ", "0s"), ("CallsIN ", "0"),
            ("CallsOUT", "0"), ("FailedCallsIN", "0"), ("FailedCallsOUT", "0")]
    return "%s\n%s%s\n" % (_LINE, "".join("%s\t%s\n" % row for row in rows), _LINE)


def _profile_status(sw, name: str, more) -> str:
    prof = next((p for p in sw.config.sofia_profiles if name == p.name or name in p.aliases),
                None)
    if prof is None:
        return "Invalid Profile!\n"
    out = []
    if not more or more[0].lower() not in ("reg", "user"):
        s = prof.settings
        sip_ip = s.get("sip-ip", "127.0.0.1")
        rows = [("Name", name), ("Domain Name", "N/A")]
        if name != prof.name:
            rows.append(("Alias Of", prof.name))
        rows += [("Auto-NAT", "false"), ("DBName", "sofia_reg_" + prof.name), ("Pres Hosts", ""),
                 ("Dialplan", s.get("dialplan", "")), ("Context", s.get("context", "")),
                 ("Challenge Realm", s.get("challenge-realm") or "auto_to"),
                 ("RTP-IP", s.get("rtp-ip", sip_ip))]
        if s.get("ext-rtp-ip"):
            rows.append(("Ext-RTP-IP", s["ext-rtp-ip"]))
        rows.append(("SIP-IP", sip_ip))
        if s.get("ext-sip-ip"):
            rows.append(("Ext-SIP-IP", s["ext-sip-ip"]))
        dtmf = s.get("dtmf-type", "rfc2833").lower()
        rows += [("URL", prof.url), ("BIND-URL", "%s;maddr=%s" % (prof.url, sip_ip)),
                 ("HOLD-MUSIC", s.get("hold-music") or "N/A"),
                 ("OUTBOUND-PROXY", s.get("outbound-proxy") or "N/A"),
                 ("CODECS IN", s.get("inbound-codec-prefs", "")),
                 ("CODECS OUT", s.get("outbound-codec-prefs", "")), ("TEL-EVENT", "101"),
                 ("DTMF-MODE", dtmf if dtmf in ("rfc2833", "info") else "none"), ("CNG", "13"),
                 ("SESSION-TO", "0"), ("MAX-DIALOG", "1000"), ("MAX-RECV-RPS", "0"),
                 ("NOMEDIA", "false"), ("LATE-NEG", "false"), ("PROXY-MEDIA", "false"),
                 ("AGGRESSIVENAT", s.get("aggressive-nat-detection", "false")),
                 ("CALLS-IN", "0"), ("FAILED-CALLS-IN", "0"), ("CALLS-OUT", "0"),
                 ("FAILED-CALLS-OUT", "0"), ("REGISTRATIONS", "0")]
        out.append(_LINE + "\n")
        out.extend("%-17s\t%s\n" % row for row in rows)
    # No closing line after the details; only a registration query adds its own block.
    kind = more[0].lower() if more else ""
    if kind == "reg" or (kind in ("user", "pres") and len(more) > 1):
        out.append("\nRegistrations:\n%s\nTotal items returned: 0\n%s\n" % (_LINE, _LINE))
    return "".join(out)


DIRECTORY_API = {
    "list_users": api_list_users, "user_exists": api_user_exists,
    "sofia_contact": api_sofia_contact, "sofia": api_sofia,
}
