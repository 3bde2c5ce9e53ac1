"""Call legs as endpoints create them: a new session registered with the switch, an outbound
leg's caller profile and first states, and an inbound leg's way through CS_INIT, routing and
its applications.

Shared by :mod:`.originate` (loopback, far ends, phones) and :mod:`.sofia` (SIP to the switch
itself); imports only the channel model.
"""
from typing import Dict, Generator, List, Optional, Tuple

from . import calllog
from .calllog import ROUTED
from .channel import Channel

__all__ = ["PCMU", "LOOPBACK_INIT", "outbound_leg", "register", "run_inbound_leg"]

#: mod_loopback's channel_on_init, which moves both loopback legs on to CS_ROUTING.
LOOPBACK_INIT = ("mod_loopback.c", "channel_on_init", 380)

#: The codec of every SIP leg here (the profiles' codec preferences start with PCMU).
PCMU = ("PCMU", "8000", "64000")


def outbound_leg(sw, name: str, dest: str, variables: Dict[str, str],
                 originator: Optional[Channel], source: str, context: str) -> Channel:
    """An outbound leg towards ``dest`` whose caller id comes from the originator (or the
    origination_caller_id_* variables)."""
    o = originator.profile if originator is not None else {}
    profile = {"Direction": "outbound", "Logical-Direction": "outbound",
               "Caller-ID-Name": o.get("Caller-ID-Name", ""),
               "Caller-ID-Number": o.get("Caller-ID-Number", "0000000000"),
               "Orig-Caller-ID-Number": o.get("Caller-ID-Number", "0000000000"),
               "Callee-ID-Name": "Outbound Call", "Callee-ID-Number": dest,
               "ANI": o.get("ANI", "0000000000"), "Destination-Number": dest,
               "Source": source, "Context": context, "Channel-Name": name,
               "Profile-Index": "1"}
    if variables.get("origination_caller_id_number"):
        profile["Caller-ID-Number"] = variables["origination_caller_id_number"]
    if variables.get("origination_caller_id_name"):
        profile["Caller-ID-Name"] = variables["origination_caller_id_name"]
    chan = Channel(sw, name, "outbound", profile, uuid=variables.get("origination_uuid") or None)
    chan.raw_name = name
    chan.extra_vars = [(k, v) for k, v in variables.items()
                       if k not in ("origination_uuid", "originate_timeout")]
    if originator is not None:
        chan.call_uuid = originator.uuid
    return chan


def register(sw, chan: Channel, first_name: Optional[str] = None) -> None:
    """A new session, logged and counted by the switch: "New Channel" (under ``first_name``
    if the endpoint renames it, as mod_loopback names its A-leg after the dial string first)."""
    chan.log(5, "New Channel %s [%s]" % (first_name or chan.name, chan.uuid),
             ("switch_channel.c", "switch_channel_set_name", 1143))
    if chan.name.startswith("loopback/"):
        chan.log(7, "%s setup codec L16/8000/20" % (first_name or chan.name),
                 ("mod_loopback.c", "tech_init", 166))
    if first_name:
        chan.log(5, "Rename Channel %s->%s [%s]" % (first_name, chan.name, chan.uuid),
                 ("switch_channel.c", "switch_channel_set_name", 1141))
    sw.add_session(chan)


def outbound_states(chan: Channel, variables: List[Tuple[str, str]]) -> Generator:
    """An outbound leg's first states: CHANNEL_OUTGOING, CS_INIT with ``variables`` set,
    CHANNEL_CREATE; then, one loop turn later, CHANNEL_ORIGINATE, CS_ROUTING and
    CS_CONSUME_MEDIA."""
    chan.state_num = 1
    chan.fire("OUTGOING", variables=False)
    chan.set_state("CS_INIT")
    for name, value in variables:
        chan.setvar(name, value)
    chan.state_num = 2
    chan.fire("CREATE")
    yield None
    chan.fire("ORIGINATE")
    chan.set_state("CS_ROUTING")
    chan.set_state("CS_CONSUME_MEDIA")


def run_inbound_leg(sw, b: Channel, context: str, exten: str,
                    apps: Optional[List[Tuple[str, str]]] = None) -> Generator:
    """An inbound leg from CS_INIT on: CHANNEL_CREATE, routing (the dialplan's ``context`` for
    ``exten``, unless ``apps`` are given), then its applications until it hangs up."""
    b.set_state("CS_INIT")
    calllog.running(b, "CS_INIT")
    calllog.state_line(b, "CS_INIT")
    partner = getattr(b, "log_partner_starting", None)   # a loopback A-leg being originated
    if partner is not None:
        calllog.running(partner, "CS_ROUTING")
    b.state_num = 2
    b.fire("CREATE")
    calllog.state_change(b, "CS_ROUTING", LOOPBACK_INIT if partner is not None else (
        "switch_core_state_machine.c", "switch_core_standard_on_init", 48))
    calllog.asleep(b, "CS_INIT")
    b.running = "CS_ROUTING"
    calllog.running(b, "CS_ROUTING")
    b.set_callstate("RINGING", ("switch_channel.c", "switch_channel_perform_set_running_state",
                                2400))
    b.set_state("CS_ROUTING")
    if partner is not None:
        _originated_a_routes(partner)
    calllog.state_line(b, "CS_ROUTING")
    calllog.handlers(b, "CS_ROUTING")
    if apps is None:
        apps = b.route()
    if not apps:
        b.no_route()
        yield from b.finish()
        return
    calllog.enter_state(b, "CS_EXECUTE", ROUTED)
    yield None
    yield from b.run_apps(apps)


def _originated_a_routes(a: Channel) -> None:
    """The A-leg's thread, woken into CS_ROUTING while the B-leg starts: mod_loopback's
    routing line, then the originate's handler parks it in CS_CONSUME_MEDIA to wait."""
    calllog.state_line(a, "CS_ROUTING")
    calllog.endpoint_line(a, "CS_ROUTING")
    calllog.state_change(a, "CS_CONSUME_MEDIA", ("switch_ivr_originate.c",
                                                 "originate_on_routing", 67))
    calllog.asleep(a, "CS_ROUTING")
    calllog.running(a, "CS_CONSUME_MEDIA")
    calllog.state_line(a, "CS_CONSUME_MEDIA")
    calllog.handlers(a, "CS_CONSUME_MEDIA")
    calllog.asleep(a, "CS_CONSUME_MEDIA")
