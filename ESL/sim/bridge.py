"""The ``bridge`` application: dial, then join two legs (switch_ivr_multi_threaded_bridge).

Imports the switch model and :mod:`.originate` (to dial); :mod:`.applications` lists it.
"""
import time
from typing import Generator

from . import calllog
from .channel import Channel
from .originate import dial

__all__ = ["bridge_to"]

_DIALSTATUS = {"USER_BUSY": "BUSY", "NO_ANSWER": "NOANSWER", "NO_USER_RESPONSE": "NOANSWER",
               "ORIGINATOR_CANCEL": "CANCEL", "CALL_REJECTED": "BUSY",
               "CHAN_NOT_IMPLEMENTED": "CHANUNAVAIL", "SUBSCRIBER_ABSENT": "CHANUNAVAIL",
               "USER_NOT_REGISTERED": "CHANUNAVAIL", "INVALID_PROFILE": "CHANUNAVAIL",
               "INVALID_GATEWAY": "CHANUNAVAIL", "NORMAL_CIRCUIT_CONGESTION": "CONGESTION"}


def bridge_to(chan: Channel, dial_string: str) -> Generator:
    """The ``bridge`` application: dial, then bridge ``chan`` with the leg that answered.

    Fires CHANNEL_BRIDGE and, once either side hangs up, CHANNEL_UNBRIDGE on ``chan``. A
    failed dial hangs ``chan`` up with the cause unless ``continue_on_fail`` is true or names
    it; after the far leg hangs up, ``hangup_after_bridge=true`` hangs ``chan`` up too.
    """
    sw = chan.sw
    if not dial_string:
        return
    peer, cause = yield from dial(sw, dial_string, chan)
    if peer is None:
        chan.setvar("originate_disposition", cause)
        chan.setvar("DIALSTATUS", _DIALSTATUS.get(cause, "CHANUNAVAIL"))
        chan.setvar("originate_failed_cause", cause)
        sw.log(6, "Originate Failed.  Cause: %s" % cause, "mod_dptools.c",
               "audio_bridge_function", 3516, chan.uuid)
        go_on = (chan.getvar("continue_on_fail") or "").lower()
        if not chan.hungup and not (go_on in ("true", "yes", "on", "1") or
                                    cause in go_on.upper().split(",")):
            chan.hangup(cause)
        return
    chan.setvar("originated_legs", "%s;%s;%s" % (peer.uuid, peer.profile.get("Callee-ID-Name",
                                                                           "Outbound Call"),
                                               peer.profile.get("Callee-ID-Number", "")))
    chan.setvar("originate_disposition", "SUCCESS")
    chan.setvar("DIALSTATUS", "SUCCESS")
    chan.setvar("originate_causes", "%s;NONE" % peer.uuid)
    if chan.hungup:
        peer.hangup("ORIGINATOR_CANCEL")
        sw.loop.spawn(_bridged_peer(peer), "leg " + peer.uuid)
        return
    if chan.answer_state != "answered":
        chan.answer()
    peer.setvar("endpoint_disposition", "ANSWER")
    peer.setvar("call_uuid", chan.uuid)
    peer.setvar("last_bridge_to", chan.uuid)
    peer.setvar("bridge_channel", chan.name)
    peer.setvar("bridge_uuid", chan.uuid)
    peer.setvar("signal_bond", chan.uuid)
    chan.setvar("signal_bond", peer.uuid)
    chan.other_leg = ("originatee", peer.snapshot())
    peer.other_leg = ("originator", chan.snapshot(times=False))   # captured with times 0
    chan.bridged_to, peer.bridged_to = peer, chan
    chan.times["bridged"] = peer.times["bridged"] = time.time()
    ids = (("Bridge-A-Unique-ID", chan.uuid), ("Bridge-B-Unique-ID", peer.uuid))
    chan.fire("BRIDGE_START", pre=ids, name="CHANNEL_BRIDGE")
    chan.setvar("last_bridge_to", peer.uuid)
    chan.setvar("bridge_channel", peer.name)
    chan.setvar("bridge_uuid", peer.uuid)
    chan.setvar("signal_bond", peer.uuid)
    chan.setvar("last_sent_callee_id_name", peer.profile.get("Callee-ID-Name", ""))
    chan.setvar("last_sent_callee_id_number", peer.profile.get("Callee-ID-Number", ""))
    # Then the far leg sends who called it on to its far end (a loopback partner shows it as
    # its callee id).
    callee_name = chan.profile.get("Caller-ID-Name") or chan.profile.get("Caller-ID-Number", "")
    callee_number = chan.profile.get("Caller-ID-Number", "")
    peer.setvar("last_sent_callee_id_name", callee_name)
    peer.setvar("last_sent_callee_id_number", callee_number)
    if peer.other is not None:
        peer.other.profile["Callee-ID-Name"] = callee_name
        peer.other.profile["Callee-ID-Number"] = callee_number
    calllog.enter_state(peer, "CS_EXCHANGE_MEDIA", ("switch_ivr_bridge.c",
                                                   "switch_ivr_multi_threaded_bridge", 1791))
    sw.loop.spawn(_bridged_peer(peer), "leg " + peer.uuid)
    while not chan.leaving and not peer.hungup:
        chan.dtmf.clear()
        yield from chan.wait_wake()
    if not peer.hungup:
        peer.hangup(chan.hangup_cause or "NORMAL_CLEARING")
    if not peer.destroyed_sig.is_set:
        yield peer.destroyed_sig   # CHANNEL_UNBRIDGE follows the far leg's end, as captured
    chan.setvar("last_bridge_hangup_cause", peer.hangup_cause)
    chan.setvar("bridge_hangup_cause", peer.hangup_cause)
    chan.fire("BRIDGE_END", pre=ids, name="CHANNEL_UNBRIDGE")
    chan.bridged_to = peer.bridged_to = None
    after = (chan.getvar("hangup_after_bridge") or "").lower()
    if not chan.hungup and after in ("true", "yes", "on", "1"):
        chan.hangup("NORMAL_CLEARING")


def _bridged_peer(peer: Channel) -> Generator:
    """The far leg of a bridge: it stays until hung up, then ends as any leg does."""
    while not peer.hungup:
        yield from peer.wait_wake()
    yield from peer.finish()
