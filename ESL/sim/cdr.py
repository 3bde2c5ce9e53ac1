"""Hangup causes and the call-detail variables a channel gets when it hangs up.

FreeSWITCH's cause table (switch_call_cause_t) and what switch_core_session_hangup_state and
the CDR code set on a leg at CS_REPORTING: ``hangup_cause``, ``hangup_cause_q850``, the
``*_stamp``/``*_epoch``/``*_uepoch`` times and the durations in s, ms and µs. Imports nothing
of the simulator: :mod:`.channel` calls :func:`set_cdr_variables`.
"""
import time
from typing import Optional

__all__ = ["HANGUP_CAUSES", "q850", "set_cdr_variables", "usec"]

#: Every hangup cause FreeSWITCH names, with its code.
HANGUP_CAUSES = {
    "NONE": 0, "UNALLOCATED_NUMBER": 1, "NO_ROUTE_TRANSIT_NET": 2, "NO_ROUTE_DESTINATION": 3,
    "CHANNEL_UNACCEPTABLE": 6, "CALL_AWARDED_DELIVERED": 7, "NORMAL_CLEARING": 16,
    "USER_BUSY": 17, "NO_USER_RESPONSE": 18, "NO_ANSWER": 19, "SUBSCRIBER_ABSENT": 20,
    "CALL_REJECTED": 21, "NUMBER_CHANGED": 22, "REDIRECTION_TO_NEW_DESTINATION": 23,
    "EXCHANGE_ROUTING_ERROR": 25, "DESTINATION_OUT_OF_ORDER": 27, "INVALID_NUMBER_FORMAT": 28,
    "FACILITY_REJECTED": 29, "RESPONSE_TO_STATUS_ENQUIRY": 30, "NORMAL_UNSPECIFIED": 31,
    "NORMAL_CIRCUIT_CONGESTION": 34, "NETWORK_OUT_OF_ORDER": 38,
    "NORMAL_TEMPORARY_FAILURE": 41, "SWITCH_CONGESTION": 42, "ACCESS_INFO_DISCARDED": 43,
    "REQUESTED_CHAN_UNAVAIL": 44, "PRE_EMPTED": 45, "FACILITY_NOT_SUBSCRIBED": 50,
    "OUTGOING_CALL_BARRED": 52, "INCOMING_CALL_BARRED": 54, "BEARERCAPABILITY_NOTAUTH": 57,
    "BEARERCAPABILITY_NOTAVAIL": 58, "SERVICE_UNAVAILABLE": 63, "BEARERCAPABILITY_NOTIMPL": 65,
    "CHAN_NOT_IMPLEMENTED": 66, "FACILITY_NOT_IMPLEMENTED": 69, "SERVICE_NOT_IMPLEMENTED": 79,
    "INVALID_CALL_REFERENCE": 81, "INCOMPATIBLE_DESTINATION": 88,
    "INVALID_MSG_UNSPECIFIED": 95, "MANDATORY_IE_MISSING": 96, "MESSAGE_TYPE_NONEXIST": 97,
    "WRONG_MESSAGE": 98, "IE_NONEXIST": 99, "INVALID_IE_CONTENTS": 100,
    "WRONG_CALL_STATE": 101, "RECOVERY_ON_TIMER_EXPIRE": 102, "MANDATORY_IE_LENGTH_ERROR": 103,
    "PROTOCOL_ERROR": 111, "INTERWORKING": 127, "SUCCESS": 142, "ORIGINATOR_CANCEL": 487,
    "CRASH": 700, "SYSTEM_SHUTDOWN": 701, "LOSE_RACE": 702, "MANAGER_REQUEST": 703,
    "BLIND_TRANSFER": 800, "ATTENDED_TRANSFER": 801, "ALLOTTED_TIMEOUT": 802,
    "USER_CHALLENGE": 803, "MEDIA_TIMEOUT": 804, "PICKED_OFF": 805, "USER_NOT_REGISTERED": 806,
    "PROGRESS_TIMEOUT": 807, "INVALID_GATEWAY": 808, "GATEWAY_DOWN": 809, "INVALID_URL": 810,
    "INVALID_PROFILE": 811, "NO_PICKUP": 812, "SRTP_READ_ERROR": 813, "BOWOUT": 814,
    "BUSY_EVERYWHERE": 815, "DECLINE": 816, "DOES_NOT_EXIST_ANYWHERE": 817,
    "NOT_ACCEPTABLE": 818,
}


def q850(cause: str) -> int:
    """The Q.850 code of ``cause`` (FreeSWITCH's own causes above 127 count as 16)."""
    code = HANGUP_CAUSES.get(cause, 0)
    return code if code <= 127 else 16


def usec(t: Optional[float]) -> str:
    """Microseconds since the epoch as FreeSWITCH writes times (``0`` for never)."""
    return str(int(t * 1000000)) if t else "0"


def set_cdr_variables(chan) -> None:
    """Set the CDR variables on ``chan`` (a Channel that is hanging up)."""
    t = chan.times
    end = t.get("hangup") or time.time()
    start = t["created"]
    answered = t.get("answered")
    sv = chan.setvar
    sv("hangup_cause", chan.hangup_cause)
    sv("hangup_cause_q850", str(q850(chan.hangup_cause or "")))
    sv("digits_dialed", chan.digits_dialed or "none")

    def stamp(x):
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(x))
    sv("start_stamp", stamp(start))
    sv("profile_start_stamp", stamp(t["profile_created"]))
    if answered:
        sv("answer_stamp", stamp(answered))
    if t.get("bridged"):
        sv("bridge_stamp", stamp(t["bridged"]))
    sv("end_stamp", stamp(end))
    for name, value in (("start", start), ("profile_start", t["profile_created"]),
                        ("answer", answered), ("bridge", t.get("bridged")),
                        ("last_hold", None)):
        sv(name + "_epoch", str(int(value)) if value else "0")
        sv(name + "_uepoch", usec(value))
    sv("hold_accum_seconds", "0")
    sv("hold_accum_usec", "0")
    sv("hold_accum_ms", "0")
    for name in ("resurrect", "progress", "progress_media"):
        sv(name + "_epoch", "0")
        sv(name + "_uepoch", "0")
    sv("end_epoch", str(int(end)))
    sv("end_uepoch", usec(end))
    if chan.last_app:
        sv("last_app", chan.last_app[0])
        sv("last_arg", chan.last_app[1] or None)
    name = chan.profile.get("Caller-ID-Name")
    number = chan.profile.get("Caller-ID-Number") or ""
    sv("caller_id", '"%s" <%s>' % (name, number) if name else number)
    # Durations in s (from whole epoch seconds, as FreeSWITCH does), ms and µs.
    spans = {"duration": (start, end), "bill": (answered, end),
             "answer": (start, answered), "flow_bill": (start, end)}
    for unit, prefix, scale in (("sec", "", None), ("msec", "m", 1000), ("usec", "u", 1)):
        for name in ("duration", "bill", "progress", "answer", "wait", "progress_media",
                     "flow_bill"):
            begin, finish = spans.get(name, (None, None))
            if begin is None or finish is None:
                value = 0
            elif scale is None:
                value = int(finish) - int(begin)
            else:
                value = (int(finish * 1e6) - int(begin * 1e6)) // scale
            sv(prefix + name if name == "duration" else name + unit, str(value))
    sv("is_loopback", "1" if chan.name.startswith("loopback/") else None)
