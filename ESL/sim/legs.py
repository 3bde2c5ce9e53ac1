"""Call legs as endpoints create them: a new session registered with the switch, an outbound
leg's caller profile, and an inbound leg's way through CS_INIT, routing and its applications.

Shared by :mod:`.originate` (loopback, far ends, phones) and :mod:`.sofia` (SIP to the switch
itself); imports only the channel model.
"""
from typing import Dict, Generator, List, Optional, Tuple

from .channel import Channel

__all__ = ["PCMU", "outbound_leg", "register", "run_inbound_leg"]

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


def register(sw, chan: Channel) -> None:
    """A new session: logged and counted by the switch."""
    chan.log(5, "New Channel %s [%s]" % (chan.name, chan.uuid),
             ("switch_channel.c", "switch_channel_set_name", 1143))
    sw.add_session(chan)


def run_inbound_leg(sw, b: Channel, context: str, exten: str,
                    apps: Optional[List[Tuple[str, str]]] = None) -> Generator:
    """An inbound leg from CS_INIT on: CHANNEL_CREATE, routing (the dialplan's ``context`` for
    ``exten``, unless ``apps`` are given), then its applications until it hangs up."""
    b.set_state("CS_INIT")
    b.state_num = 2
    b.fire("CREATE")
    b.log_state_change(b.running, "CS_ROUTING")
    b.running = "CS_ROUTING"
    b.set_callstate("RINGING")
    b.set_state("CS_ROUTING")
    if apps is None:
        apps = b.route()
    if not apps:
        b.hangup("NO_ROUTE_DESTINATION")
        yield from b.finish()
        return
    b.set_state("CS_EXECUTE")
    yield None
    yield from b.run_apps(apps)
