"""``originate``: placing calls on the simulated switch (mod_commands' originate and
switch_ivr_originate's behaviour), with the loopback endpoint's two legs as mod_loopback makes them.

Imports only the switch model (channels); :mod:`.commands` lists it as an api command.
"""
import re
import time
from typing import Dict, Generator, List, Tuple

from .channel import Channel

__all__ = ["api_originate"]


def _split_vars(dial: str) -> Tuple[Dict[str, str], str]:
    """``{a=b,c=d}rest`` -> ({a: b, c: d}, rest)."""
    variables = {}   # type: Dict[str, str]
    while dial.startswith(("{", "<", "[")):
        close = {"{": "}", "<": ">", "[": "]"}[dial[0]]
        end = dial.find(close)
        if end < 0:
            break
        for item in dial[1:end].split(","):
            name, sep, value = item.partition("=")
            if sep:
                variables[name.strip()] = value.strip()
        dial = dial[end + 1:]
    return variables, dial


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
    """``originate loopback/EXT[/CONTEXT] <&app(arg) | EXT> [dialplan] [context] ...``."""
    args = arg.split()
    if len(args) < 2:
        return "-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] " \
               "[<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n"
    variables, dial = _split_vars(args[0])
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
    parts = dial.split("/")
    if parts[0].lower() != "loopback" or len(parts) < 2 or not parts[1]:
        return "-ERR CHAN_NOT_IMPLEMENTED\n"
    exten = parts[1]
    context = parts[2] if len(parts) > 2 and parts[2] else "default"
    try:
        timeout = float(variables.get("originate_timeout") or
                        (extra[4] if len(extra) > 4 else 60))
    except ValueError:
        timeout = 60.0
    a, b = _loopback_pair(sw, exten, context, dial, variables)
    yield from _start_legs(sw, a, b, context, exten)
    # Wait for the far end to answer (or to fail). Once answered the originate has
    # succeeded, even if the call is hung up again before this task runs.
    if not a.answered_sig.is_set:
        sw.loop.spawn(_set_after(timeout, a), "originate-timeout")
        yield a.answered_sig
    if not a.answered_sig.value:
        cause = a.hangup_cause or b.hangup_cause or "NO_ANSWER"
        if not a.hungup:
            a.hangup(cause)
        if not a.running.startswith("CS_HANGUP") and a.running != "CS_DESTROY":
            sw.loop.spawn(a.finish(), "finish " + a.uuid)
        return "-ERR %s\n" % cause
    # The originator takes the far end's caller id (switch_channel_flip_cid).
    a.setvar("endpoint_disposition", "ANSWER")
    a.setvar("pre_transfer_caller_id_number", a.profile.get("Caller-ID-Number", ""))
    a.profile["Caller-ID-Name"] = a.profile.pop("Callee-ID-Name", "")
    a.profile["Caller-ID-Number"], a.profile["Callee-ID-Number"] = (
        a.profile.get("Callee-ID-Number", ""), a.profile.get("Caller-ID-Number", ""))
    a.setvar("channel_cid_flipped", "yes")
    a.hit_dialplan = True
    a.fire("CALL_UPDATE", pre=(("Direction", "RECV"),), name="CALL_UPDATE")
    if a_apps is None:
        a_apps = sw.config.dialplan.route(a_context, {"destination_number": a_route},
                                          a.getvar) if a_dialplan == "xml" else []
    sw.loop.spawn(_a_leg(a, a_apps), "leg " + a.uuid)
    return "+OK %s\n" % a.uuid


def _set_after(seconds, chan):
    yield seconds
    if not chan.answered_sig.is_set:
        if not chan.hungup:
            chan.hangup("NO_ANSWER")
        chan.answered_sig.set(False)


def _loopback_pair(sw, exten: str, context: str, dial: str, variables: Dict[str, str]):
    base = {"Dialplan": "xml", "Caller-ID-Number": "0000000000",
            "Orig-Caller-ID-Number": "0000000000", "Callee-ID-Name": "Outbound Call",
            "Callee-ID-Number": "default", "ANI": "0000000000",
            "Destination-Number": exten, "Source": "mod_loopback", "Context": context,
            "Profile-Index": "1"}
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
    return a, b


def _register(sw, chan: Channel) -> None:
    sw.add_session(chan)


def _start_legs(sw, a: Channel, b: Channel, context: str, exten: str) -> Generator:
    """Bring both loopback legs up, firing events in the order FreeSWITCH does."""
    _register(sw, a)
    a.set_codecs(a.raw_name)
    a.state_num = 1
    a.fire("OUTGOING", variables=False)
    a.set_state("CS_INIT")
    b.times["profile_created"] = b.times["created"] = time.time()
    _register(sw, b)
    b.set_codecs(b.name)
    for name, value in [("direction", "outbound"), ("is_outbound", "true"), ("uuid", a.uuid),
                        ("call_uuid", a.uuid), ("session_id", str(a.session_id)),
                        ("read_codec", "L16"), ("read_rate", "8000"), ("write_codec", "L16"),
                        ("write_rate", "8000"), ("channel_name", a.name)] + a.extra_vars + [
                        ("originate_early_media", "true"), ("originate_endpoint", "loopback"),
                        ("other_loopback_leg_uuid", b.uuid), ("loopback_leg", "A")]:
        a.setvar(name, value)
    for name, value in [("direction", "inbound"), ("uuid", b.uuid), ("call_uuid", b.uuid),
                        ("session_id", str(b.session_id)), ("channel_name", b.name),
                        ("read_codec", "L16"), ("read_rate", "8000"), ("write_codec", "L16"),
                        ("write_rate", "8000"), ("other_loopback_leg_uuid", a.uuid),
                        ("loopback_leg", "B")]:
        b.setvar(name, value)
    a.state_num = 2
    a.fire("CREATE")
    sw.loop.spawn(_b_leg(sw, b, context, exten), "leg " + b.uuid)
    yield None
    a.fire("ORIGINATE")
    a.set_state("CS_ROUTING")
    a.set_state("CS_CONSUME_MEDIA")


def _b_leg(sw, b: Channel, context: str, exten: str) -> Generator:
    b.set_state("CS_INIT")
    b.state_num = 2
    b.fire("CREATE")
    b.running = "CS_ROUTING"
    b.set_callstate("RINGING")
    b.set_state("CS_ROUTING")
    apps = sw.config.dialplan.route(context, {
        "destination_number": exten, "caller_id_number": b.profile.get("Caller-ID-Number", ""),
        "caller_id_name": b.profile.get("Caller-ID-Name", ""), "context": context,
        "ani": b.profile.get("ANI", ""), "uuid": b.uuid, "source": "mod_loopback",
        "chan_name": b.name}, b.getvar)
    if not apps:
        b.hangup("NO_ROUTE_DESTINATION")
        yield from b.finish()
        return
    b.set_state("CS_EXECUTE")
    yield None
    yield from b.run_apps(apps)


def _a_leg(a: Channel, apps: List[Tuple[str, str]]) -> Generator:
    a.set_state("CS_EXECUTE")
    yield None
    yield from a.run_apps(apps)

