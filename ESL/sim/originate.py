"""Placing calls: ``originate`` and the endpoints it dials (mod_commands' originate,
switch_ivr_originate, mod_loopback, mod_sofia, mod_dptools' user and error endpoints), and
inbound calls from simulated phones.

Endpoints: ``loopback/<exten>[/<context>]`` (two legs, the second routed by the dialplan, as
mod_loopback makes them), ``error/<cause>`` (fails at once with that cause),
``user/<id>[@<domain>]`` (the directory: an unknown user is ``SUBSCRIBER_ABSENT``, a known one
``USER_NOT_REGISTERED`` unless registered with ``Simulator.register``), ``sofia/<profile>/<dest>``
and ``sofia/gateway/<gateway>/<dest>`` (a SIP call: to a profile's own address it comes back
in through the dialplan; anywhere else a simulated far end answers by the rules of
:func:`far_end_rule`).

Imports only the switch model (channels); :mod:`.bridge`, :mod:`.commands` and the
:class:`~ESL.sim.Simulator` use it.
"""
import re
import time
from typing import Dict, Generator, List, Optional, Tuple

from . import calllog
from .calllog import ROUTED
from .channel import HANGUP_CAUSES, Channel
from .core import new_uuid
from .legs import (LOOPBACK_INIT, PCMU, outbound_leg, outbound_states, register,
                   run_inbound_leg)
from .sofia import call_own_profile

__all__ = ["api_originate", "dial", "far_end_rule", "parse_dial_string", "inbound_call"]


def _split_vars(dial: str) -> Tuple[Dict[str, str], str]:
    """``{a=b,c=d}rest`` -> ({a: b, c: d}, rest); ``<>`` and ``[]`` blocks too."""
    variables = {}   # type: Dict[str, str]
    while dial.startswith(("{", "<", "[")):
        close = {"{": "}", "<": ">", "[": "]"}[dial[0]]
        end = dial.find(close)
        if end < 0:
            break
        for item in _split_top(dial[1:end], ","):
            name, sep, value = item.partition("=")
            if sep:
                value = value.strip()
                if len(value) > 1 and value[0] == value[-1] == "'":
                    value = value[1:-1]
                variables[name.strip()] = value
        dial = dial[end + 1:]
    return variables, dial


def _split_top(text: str, seps: str) -> List[str]:
    """Split ``text`` at ``seps`` characters outside ``{}``, ``[]``, ``<>`` and quotes."""
    out, depth, quote, cur = [], 0, False, []
    for ch in text:
        if ch == "'" and depth == 0:
            quote = not quote
        elif not quote and ch in "{[<":
            depth += 1
        elif not quote and ch in "}]>":
            depth = max(depth - 1, 0)
        elif not quote and depth == 0 and ch in seps:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return out


def parse_dial_string(text: str) -> Tuple[Dict[str, str], List[Tuple[Dict[str, str], str]]]:
    """``{global}[leg]ep1|[leg]ep2,ep3`` -> (global vars, [(leg vars, endpoint), ...]).

    ``|`` (one after the other) and ``,`` (FreeSWITCH rings them together; here they are
    tried one after the other too) both separate the endpoints to try.
    """
    global_vars, rest = _split_vars(text.strip())
    legs = []
    for part in _split_top(rest, "|,"):
        part = part.strip()
        if part:
            leg_vars, endpoint = _split_vars(part)
            legs.append((leg_vars, endpoint.strip()))
    return global_vars, legs


def _parse_inline(text: str) -> List[Tuple[str, str]]:
    """``&app(arg)`` or ``&app arg`` -> [(app, arg)]; ``app1,app2`` inline lists too."""
    text = text[1:] if text.startswith("&") else text
    m = re.match(r"^([\w-]+)\((.*)\)$", text, re.S)
    if m:
        return [(m.group(1), m.group(2))]
    name, _, arg = text.partition(" ")
    name, colon, rest = name.partition(":")
    return [(name, rest if colon else arg)]


def api_originate(sw, arg) -> Generator:
    """``originate <dial string> <&app(arg) | exten> [dialplan] [context] [cid_name]
    [cid_num] [timeout_sec]``: ``+OK <uuid>`` once the far end answers, else ``-ERR <CAUSE>``."""
    args = arg.split()
    if len(args) < 2:
        return "-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] " \
               "[<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n"
    target = arg.split(None, 1)[1]
    rest = target.split()
    if target.startswith("&"):
        m = re.match(r"^&[\w-]+\(.*?\)", target)
        inline = m.group(0) if m else rest[0]
        a_apps = _parse_inline(inline)
        a_route = None
        extra = target[len(inline):].split()
    else:
        a_apps = None
        a_route = rest[0]
        extra = rest[1:]
    a_dialplan = extra[0] if extra else "xml"
    a_context = extra[1] if len(extra) > 1 else "default"
    cid = {}
    if len(extra) > 2:
        cid["origination_caller_id_name"] = extra[2]
    if len(extra) > 3:
        cid["origination_caller_id_number"] = extra[3]
    try:
        timeout = float(extra[4]) if len(extra) > 4 else None
    except ValueError:
        timeout = None
    a, cause = yield from dial(sw, args[0], None, timeout, cid)
    if a is None:
        return "-ERR %s\n" % cause
    # The originator takes the far end's caller id (switch_channel_flip_cid).
    sw.log(7, "Originate Resulted in Success: [%s] Peer UUID: %s" % (a.name, a.uuid),
           "switch_ivr_originate.c", "switch_ivr_originate", 3913)
    a.log(6, '%s Flipping CID from "%s" <%s> to "%s" <%s>' % (
        a.name, a.profile.get("Caller-ID-Name", ""), a.profile.get("Caller-ID-Number", ""),
        a.profile.get("Callee-ID-Name", ""), a.profile.get("Callee-ID-Number", "")),
        ("switch_channel.c", "switch_channel_flip_cid", 3291))
    a.setvar("endpoint_disposition", "ANSWER")
    # Names and numbers swap (an empty name stays empty, so it is not shown).
    name = a.profile.get("Caller-ID-Name", "")
    if a.profile.get("Callee-ID-Name"):
        a.setvar("pre_transfer_caller_id_name", name or None)
        a.profile["Caller-ID-Name"] = a.profile["Callee-ID-Name"]
        a.profile["Callee-ID-Name"] = name
    a.setvar("pre_transfer_caller_id_number", a.profile.get("Caller-ID-Number", ""))
    a.profile["Caller-ID-Number"], a.profile["Callee-ID-Number"] = (
        a.profile.get("Callee-ID-Number", ""), a.profile.get("Caller-ID-Number", ""))
    a.setvar("channel_cid_flipped", "yes")
    a.hit_dialplan = True
    a.fire("CALL_UPDATE", pre=(("Direction", "RECV"),), name="CALL_UPDATE")
    if a_apps is None:
        calllog.state_change(a, "CS_ROUTING", calllog.TRANSFER)
        sw.log(5, "Transfer %s to %s[%s@%s]" % (a.name, extra[0] if extra else "XML", a_route,
                                                 a_context),
               "switch_ivr.c", "switch_ivr_session_transfer", 2303, a.uuid)
        a.log_hunt = (a_route, a_context, [])   # logged by the A-leg's thread (_a_leg)
        a_apps = sw.config.dialplan.route(a_context, {"destination_number": a_route}, a.getvar,
                                          lambda *line: a.log_hunt[2].append(line)) \
            if a_dialplan.lower() == "xml" else []
    else:
        calllog.state_change(a, "CS_EXECUTE", ("mod_commands.c", "originate_function", 5191))
    if a.endpoint is not None:
        # A SIP leg's thread is awake already (it took the 200 OK): it is in CS_EXECUTE
        # before the api command has returned.
        a.set_state("CS_EXECUTE")
    sw.loop.spawn(_a_leg(a, a_apps), "leg " + a.uuid)
    return "+OK %s\n" % a.uuid


def dial(sw, dial_string: str, originator: Optional[Channel] = None,
         timeout: Optional[float] = None, defaults: Optional[Dict[str, str]] = None
         ) -> Generator:
    """Call the endpoints of ``dial_string`` in turn until one answers.

    Returns ``(channel, None)`` with the answered outbound leg (up to CS_CONSUME_MEDIA, not yet
    running anything), or ``(None, cause)``. Variables: ``defaults``, then the originator's
    ``export_vars``, then ``{global}`` and ``[leg]`` blocks (later wins). The wait is
    ``originate_timeout`` / ``leg_timeout`` / ``call_timeout`` seconds, else ``timeout``, else 60.
    """
    sw.log(7, "Parsing global variables", "switch_ivr_originate.c", "switch_ivr_originate", 2301,
           originator.uuid if originator is not None else "")
    global_vars, legs = parse_dial_string(dial_string)
    cause = "DESTINATION_OUT_OF_ORDER"
    if not legs:
        return None, "DESTINATION_OUT_OF_ORDER"
    inherited = dict(defaults or {})
    if originator is not None:
        for name in (originator.getvar("export_vars") or "").split(","):
            name = name.strip()
            if not name:
                continue
            value = originator.getvar(name) or originator.getvar("nolocal:" + name)
            if value is not None:
                inherited[name] = value
    caller_timeout = originator.getvar("call_timeout") if originator is not None else None
    for leg_vars, endpoint in legs:
        variables = dict(inherited, **global_vars)
        variables.update(leg_vars)
        wait = _seconds(variables.get("leg_timeout") or variables.get("originate_timeout")
                        or variables.get("call_timeout") or caller_timeout,
                        timeout if timeout is not None else 60.0)
        chan, cause = yield from _dial_one(sw, endpoint, variables, originator, wait)
        if chan is not None:
            return chan, None
    return None, cause


def _seconds(text: Optional[str], default: float) -> float:
    try:
        return float(text) if text else default
    except ValueError:
        return default


def _cause(name: str) -> str:
    name = (name or "").strip().upper()
    return name if name in HANGUP_CAUSES else "NORMAL_CLEARING"


def _dial_one(sw, endpoint: str, variables: Dict[str, str], originator: Optional[Channel],
              timeout: float) -> Generator:
    kind, _, rest = endpoint.partition("/")
    kind = kind.lower()
    if kind == "error":
        return None, _cause(rest)
    if kind == "loopback":
        parts = rest.split("/")
        if not parts[0]:
            return None, "CHAN_NOT_IMPLEMENTED"
        exten = parts[0]
        context = parts[1] if len(parts) > 1 and parts[1] else "default"
        a, b = _loopback_pair(sw, exten, context, endpoint, variables, originator)
        yield from _start_legs(sw, a, b, context, exten)
        return (yield from _await_answer(sw, a, timeout, b))
    if kind == "user":
        user, _, domain = rest.partition("@")
        domain = domain or sw.global_vars.get("domain", "")
        found = sw.config.find_user(user, domain) if user else None
        if found is None:
            return None, "SUBSCRIBER_ABSENT"
        if "%s@%s" % (found.id, found.domain) not in sw.registrations:
            return None, "USER_NOT_REGISTERED"
        leg_vars = dict(found.variables)
        leg_vars.update(variables)
        leg_vars.setdefault("dialed_user", found.id)
        leg_vars.setdefault("dialed_domain", found.domain)
        name = "sofia/internal/%s@127.0.0.1" % found.id
        return (yield from _far_end(sw, name, found.id, leg_vars, originator, timeout,
                                    "default"))
    if kind == "sofia" and sw.config.sofia_profiles:   # else mod_sofia is not loaded
        profile_name, _, dest = rest.partition("/")
        if profile_name == "gateway":
            gw_name, _, dest = dest.partition("/")
            profile = next((p for p in sw.config.sofia_profiles if gw_name in p.gateways),
                           None)
            if profile is None:
                _doomed_session(sw)
                return None, "INVALID_GATEWAY"
        else:
            profile = next((p for p in sw.config.sofia_profiles
                            if profile_name == p.name or profile_name in p.aliases), None)
            if profile is None:
                _doomed_session(sw)
                return None, "INVALID_PROFILE"
        user, _, host = dest.partition("@")
        if not user:
            return None, "INVALID_URL"
        context = profile.settings.get("context", "default")
        if host and profile_name != "gateway":
            hostport = host if ":" in host else host + ":5060"
            own = next((p for p in sw.config.sofia_profiles if p.address == hostport), None)
            if own is not None:
                return (yield from _sip_to_self(sw, endpoint, user, host, variables,
                                                originator, timeout, profile, own))
        return (yield from _far_end(sw, endpoint, user, variables, originator, timeout,
                                    context))
    return None, "CHAN_NOT_IMPLEMENTED"


def _doomed_session(sw) -> None:
    """A session created for a call the endpoint then refuses: only its CHANNEL_DESTROY
    shows (as mod_sofia does for an unknown profile or gateway)."""
    chan = Channel(sw, "N/A", "outbound", {})
    register(sw, chan)
    for name, value in [("direction", "outbound"), ("is_outbound", "true"),
                        ("uuid", chan.uuid), ("call_uuid", chan.uuid),
                        ("session_id", str(chan.session_id))]:
        chan.setvar(name, value)

    def destroy():
        yield None
        chan.fire("DESTROY", profile=False)
        sw.channels.pop(chan.uuid, None)
    sw.loop.spawn(destroy(), "destroy " + chan.uuid)


def far_end_rule(dest_user: str, variables: Dict[str, str]) -> Tuple[str, float, float]:
    """How a simulated far end answers a call: ``(what, answer_after, hangup_after)``.

    ``what`` is ``answer``, ``noanswer`` or a hangup cause. The channel variable
    ``sim_far_end`` (``answer``, ``noanswer``, ``busy`` or any cause name) decides; without it
    the destination's user part does: ``busy…`` → USER_BUSY, ``noanswer…`` → rings until the
    timeout (NO_ANSWER), ``reject…`` → CALL_REJECTED, ``ring…`` → rings 1 s then answers,
    anything else answers at once. ``sim_answer_delay`` (ms) sets how long it rings before
    answering; ``sim_hangup_after`` (ms) makes it hang up that long after answering.
    """
    what = (variables.get("sim_far_end") or "").strip().lower()
    low = dest_user.lower()
    delay = 0.0
    if not what:
        for prefix, rule in (("busy", "busy"), ("noanswer", "noanswer"),
                             ("reject", "CALL_REJECTED"), ("ring", "ring")):
            if low.startswith(prefix):
                what = rule
                break
        else:
            what = "answer"
    if what == "ring":
        what, delay = "answer", 1.0
    elif what == "busy":
        what = "USER_BUSY"
    elif what not in ("answer", "noanswer"):
        what = _cause(what)

    def ms(name: str) -> float:
        try:
            return max(float(variables.get(name) or 0), 0.0) / 1000.0
        except ValueError:
            return 0.0
    if variables.get("sim_answer_delay"):
        delay = ms("sim_answer_delay")
    return what, delay, ms("sim_hangup_after")


def _sip_leg_vars(profile, user: str, host: str, from_user: str, inbound: bool):
    """The commonest ``sip_*`` variables of a SIP leg (no SIP on the wire: a made-up call id)."""
    ip = profile.settings.get("sip-ip", "127.0.0.1") if profile is not None else "127.0.0.1"
    port = profile.settings.get("sip-port", "5060") if profile is not None else "5060"
    name = profile.name if profile is not None else "internal"
    out = [("sip_from_user", from_user), ("sip_from_uri", "%s@%s" % (from_user, ip)),
           ("sip_from_host", ip), ("sip_call_id", new_uuid()),
           ("sip_network_ip", ip), ("sip_network_port", port),
           ("sofia_profile_name", name),
           ("sofia_profile_url", "sip:mod_sofia@%s:%s" % (ip, port)),
           ("sip_req_user", user), ("sip_req_uri", "%s@%s" % (user, host)),
           ("sip_to_user", user), ("sip_to_uri", "%s@%s" % (user, host))]
    return out if inbound else [("sip_profile_name", name),
                                ("sip_destination_url", "sip:%s@%s" % (user, host))] + out


def _bring_up(sw, chan: Channel, endpoint: str, more=()) -> Generator:
    """CODEC, CHANNEL_OUTGOING, CS_INIT, CHANNEL_CREATE/ORIGINATE, CS_CONSUME_MEDIA.

    A SIP leg (``endpoint`` ``sofia``) has no codec before it is answered, as in FreeSWITCH.
    """
    register(sw, chan)
    if endpoint == "sofia":
        chan.media_on_answer = PCMU
    else:
        chan.set_codecs(chan.raw_name)
    yield from outbound_states(
        chan, [("direction", "outbound"), ("is_outbound", "true"), ("uuid", chan.uuid),
               ("call_uuid", chan.call_uuid), ("session_id", str(chan.session_id)),
               ("channel_name", chan.name)] + chan.extra_vars
        + [("originate_early_media", "true"), ("originate_endpoint", endpoint)] + list(more))


def _far_end(sw, name: str, dest: str, variables: Dict[str, str],
             originator: Optional[Channel], timeout: float, context: str) -> Generator:
    """An outbound leg to a simulated phone or gateway (see :func:`far_end_rule`)."""
    what, delay, hangup_after = far_end_rule(dest, variables)
    chan = outbound_leg(sw, name, dest, variables, originator,
                         "src/switch_ivr_originate.c", context)
    profile_name = name.split("/")[1] if name.count("/") >= 2 else ""
    profile = next((p for p in sw.config.sofia_profiles if p.name == profile_name), None)
    user, _, host = dest.partition("@")
    yield from _bring_up(sw, chan, "sofia", _sip_leg_vars(
        profile, user, host or name.rpartition("@")[2], chan.profile["Caller-ID-Number"],
        inbound=False))
    sw.loop.spawn(_far_end_behaviour(chan, what, delay, hangup_after), "far end " + chan.uuid)
    return (yield from _await_answer(sw, chan, timeout))


def _far_end_behaviour(chan: Channel, what: str, delay: float,
                       hangup_after: float) -> Generator:
    if what not in ("answer", "noanswer"):
        chan.hangup(what)
        return
    if what == "noanswer" or delay > 0:
        chan.mark_ring_ready()
    if what == "noanswer":
        return
    if delay > 0:
        yield delay
    if chan.hungup:
        return
    chan.mark_answered()
    if hangup_after > 0:
        yield hangup_after
        chan.hangup("NORMAL_CLEARING")


def _sip_to_self(sw, endpoint: str, user: str, host: str, variables: Dict[str, str],
                 originator: Optional[Channel], timeout: float, out_profile,
                 in_profile) -> Generator:
    """A SIP call to one of our own profiles (:mod:`.sofia`): it comes back in as an inbound
    leg that runs the receiving profile's dialplan."""
    a = yield from call_own_profile(sw, endpoint, user, host, variables, originator,
                                    out_profile, in_profile)
    return (yield from _await_answer(sw, a, timeout))


def _await_answer(sw, a: Channel, timeout: float, b: Optional[Channel] = None) -> Generator:
    """Wait for the far end to answer (or to fail). Once answered the call has succeeded,
    even if it is hung up again before this task runs. Returns (a, None) or (None, cause)."""
    if not a.answered_sig.is_set:
        sw.loop.spawn(_set_after(timeout, a), "originate-timeout")
        yield a.answered_sig
    if not a.answered_sig.value:
        cause = a.hangup_cause or (b.hangup_cause if b is not None else None) or "NO_ANSWER"
        if cause != "NO_ANSWER":   # a timeout is not logged as an error
            sw.log(7, "Originate Resulted in Error Cause: %d [%s]" % (
                HANGUP_CAUSES.get(cause, 0), cause), "switch_ivr_originate.c",
                "switch_ivr_originate", 4056, a.originator.uuid if a.originator else "")
        if not a.hungup:
            a.hangup(cause)
        if not a.running.startswith("CS_HANGUP") and a.running != "CS_DESTROY":
            sw.loop.spawn(a.finish(), "finish " + a.uuid)
        return None, cause
    return a, None


def _set_after(seconds, chan):
    yield seconds
    if not chan.answered_sig.is_set:
        if not chan.hungup:
            chan.hangup("NO_ANSWER")
        chan.answered_sig.set(False)


def _loopback_pair(sw, exten: str, context: str, dial: str, variables: Dict[str, str],
                   originator: Optional[Channel] = None):
    base = {"Dialplan": "xml", "Caller-ID-Number": "0000000000",
            "Orig-Caller-ID-Number": "0000000000", "Callee-ID-Name": "Outbound Call",
            "Callee-ID-Number": "default", "ANI": "0000000000",
            "Destination-Number": exten, "Source": "mod_loopback", "Context": context,
            "Profile-Index": "1"}
    if originator is not None:
        for field in ("Caller-ID-Name", "Caller-ID-Number", "ANI", "Callee-ID-Name",
                      "Callee-ID-Number"):
            if originator.profile.get(field):
                base[field] = originator.profile[field]
        base["Orig-Caller-ID-Number"] = base["Caller-ID-Number"]
    if variables.get("origination_caller_id_number"):
        base["Caller-ID-Number"] = variables["origination_caller_id_number"]
    if variables.get("origination_caller_id_name"):
        base["Caller-ID-Name"] = variables["origination_caller_id_name"]
    a_uuid = variables.get("origination_uuid") or None
    a = Channel(sw, "loopback/%s-a" % exten, "outbound",
                dict(base, **{"Direction": "outbound", "Logical-Direction": "outbound",
                              "Channel-Name": "loopback/%s-a" % exten}), uuid=a_uuid)
    b = Channel(sw, "loopback/%s-b" % exten, "inbound",
                dict(base, **{"Direction": "inbound", "Logical-Direction": "inbound",
                              "Channel-Name": "loopback/%s-b" % exten}))
    a.other, b.other = b, a
    a.raw_name = "%s-a" % dial
    a.extra_vars = [(k, v) for k, v in variables.items()
                    if k not in ("origination_uuid", "originate_timeout")]
    a.originator = originator
    if originator is not None:
        a.call_uuid = originator.uuid
    return a, b


def _start_legs(sw, a: Channel, b: Channel, context: str, exten: str) -> Generator:
    """Bring both loopback legs up, firing events in the order FreeSWITCH does.

    The log lines follow FreeSWITCH's threads: the originating one creates the A-leg, whose
    thread (CS_INIT) creates the B-leg; the two threads then log side by side (see
    :func:`~ESL.sim.legs.run_inbound_leg`)."""
    register(sw, a, a.raw_name)
    calllog.state_change(a, "CS_INIT", ("mod_loopback.c", "channel_outgoing_channel", 1262))
    a.set_codecs(a.raw_name)
    a.state_num = 1
    a.fire("OUTGOING", variables=False)
    a.set_state("CS_INIT")
    calllog.running(a, "CS_INIT")
    calllog.state_line(a, "CS_INIT")
    b.times["profile_created"] = b.times["created"] = time.time()
    register(sw, b)
    calllog.state_change(b, "CS_INIT", ("mod_loopback.c", "channel_on_init", 288))
    b.log(7, "setting other_loopback_from_uuid on b leg to %s" % (
        a.originator.uuid if a.originator is not None else "(null)"),
        ("mod_loopback.c", "channel_on_init", 356))
    calllog.state_change(a, "CS_ROUTING", LOOPBACK_INIT)
    calllog.asleep(a, "CS_INIT")
    b.log_partner_starting = a
    b.set_codecs(b.name)
    origin = a.originator
    from_vars = [] if origin is None else [("loopback_from_uuid", origin.uuid)]
    originator_vars = [] if origin is None else [
        ("max_forwards", "70"), ("originator_codec", "L16@8000h@20i"),
        ("originator", origin.uuid)]
    for name, value in [("direction", "outbound"), ("is_outbound", "true"), ("uuid", a.uuid),
                        ("call_uuid", a.call_uuid if origin is None else None),
                        ("session_id", str(a.session_id)),
                        ("read_codec", "L16"), ("read_rate", "8000"), ("write_codec", "L16"),
                        ("write_rate", "8000")] + from_vars + [("channel_name", a.name)] + \
            originator_vars + a.extra_vars + [("originate_early_media", "true")] + (
                [] if origin is None else [("originating_leg_uuid", origin.uuid)]) + [
                ("originate_endpoint", "loopback"), ("other_loopback_leg_uuid", b.uuid),
                ("loopback_leg", "A")]:
        a.setvar(name, value)
    # mod_loopback hands the originate's variables to the B-leg too: it is the leg an
    # outbound socket gets, so {vars} reach the handler.
    for name, value in [("direction", "inbound"), ("uuid", b.uuid), ("call_uuid", b.uuid),
                        ("session_id", str(b.session_id)), ("channel_name", b.name),
                        ("read_codec", "L16"), ("read_rate", "8000"), ("write_codec", "L16"),
                        ("write_rate", "8000")] + a.extra_vars + [
                        ("other_loopback_leg_uuid", a.uuid)] + (
                        [] if origin is None else [("other_loopback_from_uuid", origin.uuid)]) + [
                        ("loopback_leg", "B")]:
        b.setvar(name, value)
    a.state_num = 2
    a.fire("CREATE")
    sw.loop.spawn(run_inbound_leg(sw, b, context, exten), "leg " + b.uuid)
    yield None
    a.fire("ORIGINATE")
    a.set_state("CS_ROUTING")
    a.set_state("CS_CONSUME_MEDIA")


def _a_leg(a: Channel, apps: List[Tuple[str, str]]) -> Generator:
    if a.running == "CS_EXECUTE" and a.log_running != "CS_EXECUTE":
        calllog.running(a, "CS_EXECUTE")   # a SIP leg took CS_EXECUTE on its own thread
        calllog.state_line(a, "CS_EXECUTE")
        calllog.handlers(a, "CS_EXECUTE")
    elif a.running != "CS_EXECUTE":
        state = "CS_EXECUTE" if a.log_state == "CS_EXECUTE" else "CS_ROUTING"
        a.set_state("CS_EXECUTE")
        calllog.running(a, state)
        calllog.state_line(a, state)
        calllog.handlers(a, state)
        if state == "CS_ROUTING":   # routed by the dialplan (originate to an extension)
            dest, context, lines = a.log_hunt
            calllog.hunting(a, dest, context)
            for line in lines:
                calllog.hunt_line(a, *line)
            calllog.enter_state(a, "CS_EXECUTE", ROUTED)
    yield None
    yield from a.run_apps(apps)



# -- inbound calls -----------------------------------------------------------------------------

def inbound_call(sw, exten: str, caller_number: str = "0000000000", caller_name: str = "",
                 context: str = "default", variables: Optional[Dict[str, str]] = None,
                 apps: Optional[List[Tuple[str, str]]] = None, profile: Optional[str] = None
                 ) -> Channel:
    """A call arriving from a phone: an inbound ``sofia/<profile>/<number>@127.0.0.1`` leg
    routed by the dialplan's ``context`` to ``exten`` (or running ``apps`` instead). Starts it
    on the loop and returns the channel at once (call on the loop thread)."""
    if profile is None:   # the first sofia profile, as a phone registered there would use
        profile = sw.config.sofia_profiles[0].name if sw.config.sofia_profiles else "internal"
    name = "sofia/%s/%s@127.0.0.1" % (profile, caller_number)
    chan = Channel(sw, name, "inbound", {
        "Direction": "inbound", "Logical-Direction": "inbound", "Username": caller_number,
        "Dialplan": "XML", "Caller-ID-Name": caller_name, "Caller-ID-Number": caller_number,
        "Orig-Caller-ID-Name": caller_name, "Orig-Caller-ID-Number": caller_number,
        "Network-Addr": "127.0.0.1", "ANI": caller_number, "Destination-Number": exten,
        "Source": "mod_sofia", "Context": context, "Channel-Name": name, "Profile-Index": "1"})
    register(sw, chan)
    known = next((p for p in sw.config.sofia_profiles if p.name == profile), None)
    host = known.address if known is not None else "127.0.0.1:5060"
    for key, value in [("direction", "inbound"), ("uuid", chan.uuid),
                       ("session_id", str(chan.session_id))] + \
            _sip_leg_vars(known, exten, host, caller_number, inbound=True) + [
                ("channel_name", name), ("max_forwards", "70"),
                ("endpoint_disposition", "RECEIVED"), ("call_uuid", chan.uuid)] + \
            list((variables or {}).items()):
        chan.setvar(key, value)
    chan.set_media(PCMU)
    sw.loop.spawn(run_inbound_leg(sw, chan, context, exten, apps), "leg " + chan.uuid)
    return chan
